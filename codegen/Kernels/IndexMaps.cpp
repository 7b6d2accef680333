// Transpose and Slice as strided maps, and operand chains: reading a contraction operand through the
// index maps, views and scalar-constant elementwise ops between it and the buffer it comes from.
#include "codegen/Kernels/IndexMaps.h"

#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {
namespace {

int64_t normAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

double toDouble(APFloat f) {
  bool lost = false;
  f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return f.convertToDouble();
}

bool isOneElementConstant(Value v) {
  DenseElementsAttr attr;
  return matchPattern(v, m_Constant(&attr)) && attr.getNumElements() == 1;
}

} // namespace

std::optional<SmallVector<int64_t>> constInts(Value v) {
  DenseElementsAttr attr;
  if (isAbsent(v) || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<int64_t> out;
  Type elem = attr.getElementType();
  if (isa<FloatType>(elem)) {
    for (APFloat f : attr.getValues<APFloat>())
      out.push_back(static_cast<int64_t>(toDouble(f)));
  } else {
    bool zext = elem.isUnsignedInteger() || elem.isInteger(1);
    for (APInt i : attr.getValues<APInt>())
      out.push_back(zext ? static_cast<int64_t>(i.getZExtValue()) : i.getSExtValue());
  }
  return out;
}

FailureOr<StridedMap> transposeMap(Operation *op) {
  Value x = op->getOperand(0), y = op->getResult(0);
  int64_t rank = static_cast<int64_t>(shapeOf(x).size());
  SmallVector<int64_t> perm;
  if (auto p = arrayAttr(op, "perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    return op->emitOpError("perm does not match the input rank"), failure();
  StridedMap m;
  m.shape.assign(shapeOf(y).begin(), shapeOf(y).end());
  SmallVector<int64_t> xs = rowMajorStrides(shapeOf(x));
  for (int64_t p : perm) {
    int64_t a = normAxis(p, rank);
    if (a < 0 || a >= rank)
      return op->emitOpError("perm entry out of range"), failure();
    m.strides.push_back(xs[a]);
  }
  return m;
}

FailureOr<StridedMap> sliceMap(Operation *op) {
  Value x = op->getOperand(0), y = op->getResult(0);
  int64_t rank = static_cast<int64_t>(shapeOf(x).size());
  auto starts = constInts(op->getOperand(1)), ends = constInts(op->getOperand(2));
  if (!starts || !ends)
    return op->emitOpError("slice starts and ends must be a constant"), failure();
  SmallVector<int64_t> axes, steps;
  if (!isAbsent(op->getOperand(3))) {
    auto a = constInts(op->getOperand(3));
    if (!a)
      return op->emitOpError("slice axes must be a constant"), failure();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  }
  if (!isAbsent(op->getOperand(4))) {
    auto s = constInts(op->getOperand(4));
    if (!s)
      return op->emitOpError("slice steps must be a constant"), failure();
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() || steps.size() != starts->size())
    return op->emitOpError("starts, ends, axes and steps differ in length"), failure();
  ArrayRef<int64_t> xshape = shapeOf(x);
  SmallVector<int64_t> first(rank, 0), step(rank, 1), count(xshape);
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t a = normAxis(axes[i], rank);
    if (a < 0 || a >= rank)
      return op->emitOpError("slice axis out of range"), failure();
    if (steps[i] == 0)
      return op->emitOpError("slice step is 0"), failure();
    mlir::kiln::shape::SlicedAxis sa = mlir::kiln::shape::sliceAxis(xshape[a], (*starts)[i], (*ends)[i], steps[i]);
    first[a] = sa.first;
    count[a] = sa.count;
    step[a] = steps[i];
  }
  if (ArrayRef<int64_t>(count) != shapeOf(y))
    return op->emitOpError("slice bounds do not match the result type"), failure();
  StridedMap m;
  m.shape = count;
  SmallVector<int64_t> xs = rowMajorStrides(xshape);
  m.strides.resize(rank);
  for (int64_t d = 0; d < rank; ++d) {
    m.strides[d] = xs[d] * step[d];
    m.base += first[d] * xs[d];
  }
  return m;
}

FailureOr<StridedMap> expandMap(Operation *op) {
  ArrayRef<int64_t> xshape = shapeOf(op->getOperand(0)), oshape = shapeOf(op->getResult(0));
  int64_t lead = static_cast<int64_t>(oshape.size()) - static_cast<int64_t>(xshape.size());
  if (lead < 0)
    return op->emitOpError("expand result has a lower rank than the input"), failure();
  StridedMap m;
  m.shape.assign(oshape.begin(), oshape.end());
  m.strides.assign(oshape.size(), 0);
  SmallVector<int64_t> xs = rowMajorStrides(xshape);
  for (size_t d = 0; d < xshape.size(); ++d) {
    if (xshape[d] != 1 && xshape[d] != oshape[lead + d])
      return op->emitOpError("expand cannot broadcast the input to the result"), failure();
    m.strides[lead + d] = xshape[d] == 1 ? 0 : xs[d];
  }
  return m;
}

bool isChainLink(Operation *op) {
  if (op->getNumResults() != 1)
    return false;
  if (isa<k::TransposeOp>(op))
    return true;
  if (isa<k::SliceOp, k::ExpandOp>(op))
    return llvm::all_of(op->getOperands().drop_front(), [](Value v) { return isAbsent(v) || constInts(v); });
  if (k::FusedOp::isView(op))
    return true;
  if (op->hasTrait<k::OpTrait::ElementwiseMap>() && op->getNumOperands() >= 1 &&
      shapeOf(op->getOperand(0)) == shapeOf(op->getResult(0)) &&
      elemOf(op->getOperand(0)) == elemOf(op->getResult(0)))
    return llvm::all_of(op->getOperands().drop_front(), [](Value v) { return isAbsent(v) || isOneElementConstant(v); });
  return false;
}

bool OperandChain::identityIndex() const {
  return llvm::all_of(links, [](const Link &l) { return !l.map; });
}

double OperandChain::cost() const {
  double c = 0;
  for (const Link &l : links)
    c += l.map ? 4.0 * l.map->shape.size() : l.elementwise ? 4.0 : 0.0;
  return c;
}

FailureOr<OperandChain> resolveOperandChain(Value operand) {
  OperandChain chain;
  Value v = operand;
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<k::FusedOp>(def->getParentOp()) || isa<k::ConstantOp, k::NoneOp>(def) || !isChainLink(def))
      break;
    OperandChain::Link link;
    link.op = def;
    if (isa<k::TransposeOp, k::SliceOp, k::ExpandOp>(def)) {
      FailureOr<StridedMap> m = isa<k::TransposeOp>(def) ? transposeMap(def)
                                : isa<k::SliceOp>(def)   ? sliceMap(def)
                                                         : expandMap(def);
      if (failed(m))
        return failure();
      link.map = std::make_shared<StridedMap>(std::move(*m));
    } else if (!k::FusedOp::isView(def)) {
      link.elementwise = std::make_shared<ElementwiseProgram>(ArrayRef<Operation *>{def},
                                                              ArrayRef<Value>{def->getResult(0)},
                                                              numElements(def->getResult(0)), def->getOperand(0));
    }
    chain.links.push_back(std::move(link));
    v = def->getOperand(0);
  }
  chain.source = v;
  return chain;
}

Value loadThrough(KernelBuilder &kb, const OperandChain &chain, unsigned param, Value offset, Type elem) {
  // Index: from the operand back to the source.
  for (const OperandChain::Link &l : chain.links)
    if (l.map)
      offset = kb.add(kb.linearize(kb.delinearize(offset, l.map->shape), l.map->strides), kb.idx(l.map->base));
  Type srcElem = elemOf(chain.source);
  Value v = toCompute(kb, kb.load(param, offset), srcElem);
  // Values: from the source forward to the operand.
  for (const OperandChain::Link &l : llvm::reverse(chain.links)) {
    if (!l.elementwise)
      continue;
    FailureOr<SmallVector<Value>> out =
        l.elementwise->compute(kb, v, [](unsigned, unsigned) -> Value { return {}; });
    if (failed(out) || out->size() != 1) {
      l.op->emitOpError("cannot be computed as part of its consumer's operand load");
      return kb.constOf(computeType(elem), 0);
    }
    v = toCompute(kb, (*out)[0], elemOf(l.op->getResult(0)));
  }
  return v;
}

} // namespace kiln::codegen
