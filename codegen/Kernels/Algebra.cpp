// Einsum as a direct kernel (one thread per output value, summing over the equation's
// contracted labels, with the reference evaluator's per-label strides), and Det as one
// thread per matrix running LU with partial pivoting in f64 scratch memory.
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/Einsum.h"
#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {
namespace {

constexpr uint32_t kBlock = 256;

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    s[d] = s[d + 1] * shape[d + 1];
  return s;
}

LogicalResult generateEinsum(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto e = cast<k::EinsumOp>(op);
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : e.getInputs())
    shapes.push_back(shapeOf(v));
  std::string error;
  std::optional<k::EinsumSpec> spec = k::parseEinsum(e.getEquation(), shapes, error);
  if (!spec)
    return op->emitOpError() << error, failure();
  // Element strides of each input per label: a label repeated within one input adds its
  // strides (the diagonal); broadcast ellipsis axes of size 1 have none.
  size_t inputs = shapes.size();
  std::vector<std::vector<int64_t>> strides(inputs, std::vector<int64_t>(spec->labelCount(), 0));
  for (size_t i = 0; i < inputs; ++i) {
    SmallVector<int64_t> s = stridesOf(shapes[i]);
    for (auto [axis, label] : llvm::enumerate(spec->inputLabels[i]))
      if (shapes[i][axis] != 1 || label >= spec->ellipsisRank)
        strides[i][label] += s[axis];
  }
  Value y = e.getOutput();
  Type elem = elemOf(y);
  bool fp = isa<FloatType>(elem);
  Type acc = fp ? computeType(elem) : Type(IntegerType::get(op->getContext(), 64));
  int64_t total = numElements(y), summedCount = 1;
  for (int label : spec->summed)
    summedCount *= spec->sizes[label];
  SmallVector<Value> buffers(e.getInputs().begin(), e.getInputs().end());
  buffers.push_back(y);
  unsigned out = buffers.size() - 1;
  KernelBuilder kb(km, "einsum", buffers, op->getLoc());
  Value o = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(o, total), [&] {
    OpBuilder &b = kb.b();
    Location loc = kb.loc();
    // Each input's offset from the output labels, fixed for this thread.
    SmallVector<int64_t> outShape;
    for (int label : spec->outputLabels)
      outShape.push_back(spec->sizes[label]);
    SmallVector<Value> outCoords = kb.delinearize(o, outShape);
    SmallVector<Value> base(inputs, kb.idx(0));
    for (size_t i = 0; i < inputs; ++i)
      for (auto [a, label] : llvm::enumerate(spec->outputLabels))
        base[i] = kb.add(base[i], kb.mulC(outCoords[a], strides[i][label]));
    SmallVector<int64_t> sumShape;
    for (int label : spec->summed)
      sumShape.push_back(spec->sizes[label]);
    auto product = [&](Value s) {
      SmallVector<Value> at(base);
      if (!sumShape.empty()) {
        SmallVector<Value> coords = kb.delinearize(s, sumShape);
        for (size_t i = 0; i < inputs; ++i)
          for (auto [a, label] : llvm::enumerate(spec->summed))
            at[i] = kb.add(at[i], kb.mulC(coords[a], strides[i][label]));
      }
      Value p;
      for (size_t i = 0; i < inputs; ++i) {
        Type ei = kb.elementType(i);
        Value v = fp ? toCompute(kb, kb.load(i, at[i]), ei) : castScalar(kb, kb.load(i, at[i]), ei, acc);
        p = !p ? v : fp ? Value(arith::MulFOp::create(b, loc, p, v)) : Value(arith::MulIOp::create(b, loc, p, v));
      }
      return p;
    };
    SmallVector<Value> sum = kb.forLoopCarry(kb.idx(0), kb.idx(summedCount), kb.idx(1), {kb.constOf(acc, 0)},
                                             [&](Value s, ValueRange carried) -> SmallVector<Value> {
      Value p = product(s);
      return {fp ? Value(arith::AddFOp::create(b, loc, carried[0], p)) : Value(arith::AddIOp::create(b, loc, carried[0], p))};
    });
    Value r = fp ? fromCompute(kb, sum[0], elem) : castScalar(kb, sum[0], acc, elem);
    kb.store(out, o, r);
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

/// One thread per matrix: the matrix is copied to f64 scratch, then reduced column by
/// column (the largest pivot swapped up, which negates the determinant), the
/// determinant being the product of the pivots; a zero pivot column makes it 0.
LogicalResult generateDet(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  int64_t m = shapeOf(x).back(), count = numElements(y);
  Type elem = elemOf(y), f64 = Float64Type::get(op->getContext());
  SmallVector<Value> buffers = {x, y};
  SmallVector<ScratchBuffer> scratch = {{0, f64, count * m * m}};
  KernelBuilder kb(km, "det", buffers, scratch, op->getLoc());
  Value a = kb.param(2);
  Value t = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(t, count), [&] {
    OpBuilder &b = kb.b();
    Location loc = kb.loc();
    Value base = kb.mulC(t, m * m);
    auto at = [&](Value r, Value c) { return kb.add(base, kb.add(kb.mulC(r, m), c)); };
    kb.forLoop(0, m * m, 1, [&](Value i) {
      Value v = kb.add(base, i);
      kb.storeTo(a, v, castScalar(kb, toCompute(kb, kb.load(0, v), elem), computeType(elem), f64));
    });
    Value zero = kb.constFloat(f64, 0);
    SmallVector<Value> det = kb.forLoopCarry(kb.idx(0), kb.idx(m), kb.idx(1), {kb.constFloat(f64, 1)},
                                             [&](Value col, ValueRange d) -> SmallVector<Value> {
      // Partial pivoting: the row at or below `col` with the largest magnitude.
      SmallVector<Value> best = kb.forLoopCarry(kb.add(col, kb.idx(1)), kb.idx(m), kb.idx(1),
                                                {col, math::AbsFOp::create(b, loc, kb.loadFrom(a, at(col, col)))},
                                                [&](Value r, ValueRange cur) -> SmallVector<Value> {
        Value mag = math::AbsFOp::create(b, loc, kb.loadFrom(a, at(r, col)));
        Value larger = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, mag, cur[1]);
        return {kb.select(larger, r, cur[0]), kb.select(larger, mag, cur[1])};
      });
      Value pivotRow = best[0];
      Value swapped = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, pivotRow, col);
      kb.ifThen(swapped, [&] {
        kb.forLoop(kb.idx(0), kb.idx(m), kb.idx(1), [&](Value j) {
          Value p = kb.loadFrom(a, at(pivotRow, j)), c = kb.loadFrom(a, at(col, j));
          kb.storeTo(a, at(pivotRow, j), c);
          kb.storeTo(a, at(col, j), p);
        });
      });
      Value pivot = kb.loadFrom(a, at(col, col));
      Value signed_ = kb.select(swapped, arith::NegFOp::create(b, loc, d[0]), d[0]);
      Value next = arith::MulFOp::create(b, loc, signed_, pivot);
      Value singular = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, pivot, zero);
      kb.ifThen(arith::XOrIOp::create(b, loc, singular, kb.constBool(true)), [&] {
        kb.forLoop(kb.add(col, kb.idx(1)), kb.idx(m), kb.idx(1), [&](Value r) {
          Value f = arith::DivFOp::create(b, loc, kb.loadFrom(a, at(r, col)), pivot);
          kb.forLoop(col, kb.idx(m), kb.idx(1), [&](Value j) {
            Value v = arith::SubFOp::create(b, loc, kb.loadFrom(a, at(r, j)),
                                            arith::MulFOp::create(b, loc, f, kb.loadFrom(a, at(col, j))));
            kb.storeTo(a, at(r, j), v);
          });
        });
      });
      return {next};
    });
    kb.store(1, t, fromCompute(kb, castScalar(kb, det[0], f64, computeType(elem)), elem));
  });
  finishLinear(kb, buffers, count, launches, scratch);
  return success();
}

} // namespace

void registerAlgebraGenerators(GeneratorTable &table) {
  table["kiln.einsum"] = generateEinsum;
  table["kiln.det"] = generateDet;
}

} // namespace kiln::codegen
