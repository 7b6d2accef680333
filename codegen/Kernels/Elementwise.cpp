// Elementwise kernels (one op, or a fused elementwise region): one thread per output
// element (or per 16 bytes, with vector accesses, when nothing broadcasts), operands read
// through broadcast strides baked into the kernel.
#include "codegen/Kernels/ElementwiseProgram.h"
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln::codegen {

/// The contiguous case: `width` elements per thread through vector loads and stores,
/// computed lane by lane.
static LogicalResult emitVectorized(KernelModule &km, StringRef name, Location loc,
                                    ElementwiseProgram &program, SmallVectorImpl<Launch> &launches,
                                    unsigned width) {
  SmallVector<Value> buffers;
  program.bind(buffers);
  int64_t groups = program.numElements() / width;
  KernelBuilder kb(km, name, buffers, loc, width);
  OpBuilder &b = kb.b();
  constexpr uint32_t kBlock = 256;
  Value g = kb.globalId(kBlock);
  LogicalResult status = success();
  kb.ifThen(kb.ltC(g, groups), [&] {
    SmallVector<Value> vectors;
    for (unsigned i = 0; i < program.numInputBuffers(); ++i)
      vectors.push_back(kb.loadFrom(kb.param(program.param(i)), g));
    unsigned outputs = buffers.size() - program.numInputBuffers();
    SmallVector<Value> packed;
    for (unsigned o = 0; o < outputs; ++o) {
      Type storage = storageType(kb.elementType(program.param(program.numInputBuffers() + o)));
      packed.push_back(arith::ConstantOp::create(
          b, loc, b.getZeroAttr(VectorType::get({static_cast<int64_t>(width)}, storage))));
    }
    for (unsigned lane = 0; lane < width; ++lane) {
      FailureOr<SmallVector<Value>> values = program.compute(kb, Value(), [&](unsigned i, unsigned) {
        Value e = vector::ExtractOp::create(b, loc, vectors[i], static_cast<int64_t>(lane));
        if (kb.elementType(program.param(i)).isInteger(1))
          e = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, e, kb.constInt(e.getType(), 0));
        return e;
      });
      if (failed(values)) {
        status = failure();
        return;
      }
      for (auto [o, v] : llvm::enumerate(*values)) {
        Value stored = v;
        Type storage = cast<VectorType>(packed[o].getType()).getElementType();
        if (stored.getType().isInteger(1))
          stored = arith::ExtUIOp::create(b, loc, storage, stored);
        packed[o] = vector::InsertOp::create(b, loc, stored, packed[o], static_cast<int64_t>(lane));
      }
    }
    for (auto [o, v] : llvm::enumerate(packed))
      kb.storeTo(kb.param(program.param(program.numInputBuffers() + o)), g, v);
  });
  kb.finish({kBlock, 1, 1});
  if (failed(status)) {
    kb.func()->erase();
    return failure();
  }
  Launch l = linearLaunch(kb.name(), groups, kBlock);
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

LogicalResult emitElementwiseLoop(KernelModule &km, StringRef name, Location loc, ElementwiseProgram &program,
                                  SmallVectorImpl<Launch> &launches) {
  // With no broadcasting left, each thread moves 16 bytes per tensor (ld/st.v4.b32 for
  // 4-byte types) when the element count allows it.
  unsigned maxBytes = 1;
  for (Value v : program.buffers())
    maxBytes = std::max(maxBytes, (storageType(elemOf(v)).getIntOrFloatBitWidth() + 7) / 8);
  unsigned width = maxBytes >= 8 ? 2 : 4;
  int64_t n = program.numElements();
  if (program.contiguous() && n % width == 0 && n >= width)
    return emitVectorized(km, name, loc, program, launches, width);

  SmallVector<Value> buffers;
  program.bind(buffers);
  KernelBuilder kb(km, name, buffers, loc);
  constexpr uint32_t kBlock = 256;
  Value i = kb.globalId(kBlock);
  LogicalResult status = success();
  kb.ifThen(kb.ltC(i, n), [&] { status = program.emitAt(kb, i); });
  kb.finish({kBlock, 1, 1});
  if (failed(status)) {
    kb.func()->erase();
    return failure();
  }
  Launch l = linearLaunch(kb.name(), n, kBlock);
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

namespace {

LogicalResult generateElementwise(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value result = op->getResult(0);
  ElementwiseProgram program({op}, {result}, numElements(result));
  return emitElementwiseLoop(km, op->getName().stripDialect(), op->getLoc(), program, launches);
}

/// Inference Dropout: the output is the input, the optional mask all true. Training mode
/// (a true training_mode constant) is refused: it needs a random generator.
LogicalResult generateDropout(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value training = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
  if (!isAbsent(training)) {
    DenseElementsAttr attr;
    if (!matchPattern(training, m_Constant(&attr)) || attr.getNumElements() != 1 ||
        !(*attr.getValues<APInt>().begin()).isZero())
      return op->emitOpError("training mode has no GPU kernel (only inference Dropout is compiled)"), failure();
  }
  Value data = op->getOperand(0), out = op->getResult(0);
  bool mask = op->getNumResults() > 1 && isa<RankedTensorType>(op->getResult(1).getType());
  SmallVector<Value> buffers = {data, out};
  if (mask)
    buffers.push_back(op->getResult(1));
  int64_t n = numElements(out);
  KernelBuilder kb(km, "dropout", buffers, op->getLoc());
  constexpr uint32_t kBlock = 256;
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    kb.store(1, i, kb.load(0, i));
    if (mask)
      kb.store(2, i, kb.constBool(true));
  });
  finishLinear(kb, buffers, n, launches);
  return success();
}

} // namespace

void registerElementwiseGenerators(GeneratorTable &table) {
  // Every ElementwiseMap op is generated by generateElementwise (generatorFor).
  table["kiln.dropout"] = generateDropout;
}

Generator elementwiseGenerator() { return generateElementwise; }

} // namespace kiln::codegen
