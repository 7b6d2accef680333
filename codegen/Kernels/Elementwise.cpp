// Elementwise kernels: one thread per output element, operands read through broadcast
// strides baked into the kernel, adjacent dimensions collapsed where every operand allows.
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln::codegen {
namespace {

/// One-element constants are baked into the kernel instead of being loaded.
DenseElementsAttr bakedScalar(Value v) {
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)) && attr.getNumElements() == 1)
    return attr;
  return {};
}

Value bakedValue(KernelBuilder &kb, DenseElementsAttr attr) {
  Type elem = attr.getElementType();
  Type storage = storageType(elem);
  Value v;
  if (auto fa = dyn_cast<FloatType>(elem)) {
    v = arith::ConstantOp::create(kb.b(), kb.loc(),
                                  FloatAttr::get(elem, *attr.getValues<APFloat>().begin()));
  } else {
    APInt bits = *attr.getValues<APInt>().begin();
    if (elem.isInteger(1))
      return kb.constBool(!bits.isZero());
    v = arith::ConstantOp::create(kb.b(), kb.loc(), IntegerAttr::get(storage, bits));
  }
  return toCompute(kb, v, elem);
}

/// Broadcast strides of `operandShape` against the output shape (right-aligned): 0 where
/// the operand has size 1 or lacks the dimension.
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> operandShape, ArrayRef<int64_t> outShape) {
  SmallVector<int64_t> strides(outShape.size(), 0);
  SmallVector<int64_t> own = rowMajorStrides(operandShape);
  size_t shift = outShape.size() - operandShape.size();
  for (size_t d = 0; d < operandShape.size(); ++d)
    if (operandShape[d] != 1)
      strides[d + shift] = own[d];
  return strides;
}

/// Drops unit dimensions (their coordinate is always 0, whatever an operand's stride
/// there says: a batch of 1 must not make a plain elementwise op look broadcast), then
/// merges dimension d+1 into d wherever every operand's strides stay affine across them.
void collapse(SmallVectorImpl<int64_t> &shape, SmallVectorImpl<SmallVector<int64_t>> &strides) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0 && shape.size() > 1; --d) {
    if (shape[d] != 1)
      continue;
    shape.erase(shape.begin() + d);
    for (auto &s : strides)
      s.erase(s.begin() + d);
  }
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) {
    bool ok = true;
    for (auto &s : strides)
      ok &= s[d] == s[d + 1] * shape[d + 1];
    if (!ok)
      continue;
    shape[d] *= shape[d + 1];
    shape.erase(shape.begin() + d + 1);
    for (auto &s : strides) {
      s[d] = s[d + 1];
      s.erase(s.begin() + d + 1);
    }
  }
}

/// An operand's role: absent (none), a baked scalar, or the buffer bound to param `param`.
struct Input {
  Value value;
  DenseElementsAttr baked;
  int param = -1;
};

/// Computes `op` on one element: absent operands stay null, baked ones become constants,
/// and `loadBuffer` reads a buffer operand's element (in its storage type, bools as i1).
FailureOr<Value> computeElement(KernelBuilder &kb, Operation *op, ArrayRef<Input> inputs,
                                function_ref<Value(const Input &)> loadBuffer) {
  SmallVector<Value> args;
  SmallVector<Type> argTypes;
  for (const Input &in : inputs) {
    if (!in.value) {
      args.push_back(Value());
      argTypes.push_back(Type());
      continue;
    }
    Type elem = cast<RankedTensorType>(in.value.getType()).getElementType();
    argTypes.push_back(elem);
    args.push_back(in.baked ? bakedValue(kb, in.baked) : toCompute(kb, loadBuffer(in), elem));
  }
  return emitScalarOp(kb, op, args, argTypes,
                      cast<RankedTensorType>(op->getResult(0).getType()).getElementType());
}

/// The contiguous case: `width` elements per thread through vector loads and stores,
/// computed lane by lane.
LogicalResult generateVectorized(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                                 ArrayRef<Input> inputs, ArrayRef<Value> buffers, unsigned width) {
  Value result = op->getResult(0);
  auto outType = cast<RankedTensorType>(result.getType());
  int64_t groups = outType.getNumElements() / width;
  KernelBuilder kb(km, op->getName().stripDialect(), buffers, op->getLoc(), width);
  OpBuilder &b = kb.b();
  Location loc = kb.loc();
  constexpr uint32_t kBlock = 256;
  Value g = kb.globalId(kBlock);
  LogicalResult status = success();
  kb.ifThen(kb.ltC(g, groups), [&] {
    SmallVector<Value> vectors(buffers.size());
    for (const Input &in : inputs)
      if (in.param >= 0)
        vectors[in.param] = kb.loadFrom(kb.param(in.param), g);
    Type outElem = outType.getElementType();
    Type outStorage = storageType(outElem);
    Value packed = arith::ConstantOp::create(
        b, loc, b.getZeroAttr(VectorType::get({static_cast<int64_t>(width)}, outStorage)));
    for (unsigned lane = 0; lane < width; ++lane) {
      FailureOr<Value> v = computeElement(kb, op, inputs, [&](const Input &in) {
        Value e = vector::ExtractOp::create(b, loc, vectors[in.param], static_cast<int64_t>(lane));
        if (kb.elementType(in.param).isInteger(1))
          e = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, e, kb.constInt(e.getType(), 0));
        return e;
      });
      if (failed(v)) {
        status = failure();
        return;
      }
      Value stored = fromCompute(kb, *v, outElem);
      if (stored.getType().isInteger(1))
        stored = arith::ExtUIOp::create(b, loc, outStorage, stored);
      packed = vector::InsertOp::create(b, loc, stored, packed, static_cast<int64_t>(lane));
    }
    kb.storeTo(kb.param(buffers.size() - 1), g, packed);
  });
  kb.finish({kBlock, 1, 1});
  if (failed(status)) {
    kb.func()->erase();
    return failure();
  }
  Launch l = linearLaunch(kb.name(), groups, kBlock);
  l.buffers.assign(buffers.begin(), buffers.end());
  launches.push_back(std::move(l));
  return success();
}

LogicalResult generateElementwise(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value result = op->getResult(0);
  auto outType = cast<RankedTensorType>(result.getType());
  SmallVector<int64_t> shape(outType.getShape());
  int64_t n = outType.getNumElements();

  SmallVector<Input> inputs;
  SmallVector<Value> buffers;
  SmallVector<SmallVector<int64_t>> strides;
  bool castLike = isa<mlir::kiln::CastLikeOp>(op);
  for (auto [i, v] : llvm::enumerate(op->getOperands())) {
    Input in;
    in.value = v;
    if (isAbsent(v) || (castLike && i == 1)) {
      in.value = Value();
    } else if (auto attr = bakedScalar(v)) {
      in.baked = attr;
    } else {
      in.param = static_cast<int>(buffers.size());
      buffers.push_back(v);
      strides.push_back(broadcastStrides(cast<RankedTensorType>(v.getType()).getShape(), shape));
    }
    inputs.push_back(in);
  }
  strides.push_back(rowMajorStrides(shape)); // the output
  buffers.push_back(result);
  collapse(shape, strides);

  // With no broadcasting left, each thread moves 16 bytes per tensor (ld/st.v4.b32 for
  // 4-byte types) when the element count allows it.
  unsigned maxBytes = 1;
  bool contiguous = true;
  for (auto [v, st] : llvm::zip(buffers, strides)) {
    Type elem = storageType(cast<RankedTensorType>(v.getType()).getElementType());
    maxBytes = std::max(maxBytes, (elem.getIntOrFloatBitWidth() + 7) / 8);
    contiguous &= st == strides.back();
  }
  unsigned width = maxBytes >= 8 ? 2 : 4;
  if (contiguous && n % width == 0 && n >= width)
    return generateVectorized(op, km, launches, inputs, buffers, width);

  KernelBuilder kb(km, op->getName().stripDialect(), buffers, op->getLoc());
  constexpr uint32_t kBlock = 256;
  Value i = kb.globalId(kBlock);
  LogicalResult status = success();
  kb.ifThen(kb.ltC(i, n), [&] {
    SmallVector<Value> coords = kb.delinearize(i, shape);
    FailureOr<Value> v = computeElement(kb, op, inputs, [&](const Input &in) {
      bool contiguous = strides[in.param] == strides.back();
      return kb.load(in.param, contiguous ? i : kb.linearize(coords, strides[in.param]));
    });
    if (failed(v)) {
      status = failure();
      return;
    }
    kb.store(buffers.size() - 1, i, fromCompute(kb, *v, outType.getElementType()));
  });
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
  kb.finish({kBlock, 1, 1});
  Launch l = linearLaunch(kb.name(), n, kBlock);
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

} // namespace

void registerElementwiseGenerators(GeneratorTable &table) {
  for (StringRef name :
       {"ceil", "floor", "round", "sqrt", "exp", "log", "erf", "tanh", "sigmoid", "sin", "cos", "tan",
        "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "reciprocal", "softplus",
        "softsign", "hard_swish", "leaky_relu", "elu", "selu", "celu", "hard_sigmoid",
        "thresholded_relu", "abs", "neg", "sign", "relu", "shrink", "is_nan", "is_inf", "not",
        "identity", "cast", "cast_like", "clip", "where", "pow", "add", "sub", "mul", "div", "mod",
        "bit_shift", "and", "or", "xor", "prelu", "equal", "less", "less_or_equal", "greater",
        "greater_or_equal", "max", "min", "sum", "mean"})
    table[("kiln." + name).str()] = generateElementwise;
  table["kiln.dropout"] = generateDropout;
}

} // namespace kiln::codegen
