// Shape inference for elementwise, reduction and normalization ops, the trait-driven
// default, and the interface verifier that checks declared types against inferred ones.
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::shape;

//===----------------------------------------------------------------------===//
// Default (traits) and verification
//===----------------------------------------------------------------------===//

LogicalResult mlir::kiln::inferResultTypesFromTraits(Operation *op,
                                                     SmallVectorImpl<Type> &resultTypes) {
  if (op->getNumOperands() == 0)
    return op->emitOpError() << "has no operands to infer its result type from";
  auto first = rankedOperand(op, op->getOperand(0), "operand #0");
  if (failed(first))
    return failure();
  Type element = first->getElementType();
  if (op->hasTrait<OpTrait::BoolResult>())
    element = IntegerType::get(op->getContext(), 1);

  if (op->hasTrait<OpTrait::Broadcasting>()) {
    SmallVector<ArrayRef<int64_t>> shapes;
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      auto t = rankedOperand(op, v, "operand #" + std::to_string(i));
      if (failed(t))
        return failure();
      shapes.push_back(t->getShape());
    }
    auto shape = broadcastShapes(op, shapes);
    if (failed(shape))
      return failure();
    resultTypes.push_back(tensorOf(*shape, element));
    return success();
  }
  if (op->hasTrait<OpTrait::SameShapeAsOperand0>()) {
    resultTypes.push_back(tensorOf(first->getShape(), element));
    return success();
  }
  return op->emitOpError() << "has no shape inference rule";
}

LogicalResult mlir::kiln::verifyInferredResultTypes(Operation *op) {
  SmallVector<Type> inferred;
  if (failed(cast<InferShapesOpInterface>(op).inferResultTypes(inferred)))
    return failure();
  if (inferred.size() != op->getNumResults())
    return op->emitOpError() << "has " << op->getNumResults() << " results but its operands imply "
                             << inferred.size();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(inferred, op->getResultTypes()))) {
    auto [expected, actual] = pair;
    if (expected == actual)
      continue;
    // An unranked inferred type means the rank depends on values unknown here (a shape
    // computed at run time): any ranked type of that element type agrees with it.
    auto a = dyn_cast<RankedTensorType>(actual);
    bool compatible = false;
    if (auto u = dyn_cast<UnrankedTensorType>(expected))
      compatible = a && a.getElementType() == u.getElementType();
    else if (auto e = dyn_cast<RankedTensorType>(expected))
      compatible = a && e.getElementType() == a.getElementType() && e.getRank() == a.getRank() &&
                   succeeded(verifyCompatibleShape(e, a));
    if (!compatible)
      return op->emitOpError() << "result #" << i << " has type " << actual
                               << " but its operands and attributes imply " << expected;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Structural and elementwise ops with their own element-type rules
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  resultTypes.push_back(getValue().getType());
  return success();
}

LogicalResult NoneOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  resultTypes.push_back(NoneType::get(getContext()));
  return success();
}

LogicalResult CastOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  resultTypes.push_back(tensorOf(getInput().getType().getShape(), getTo()));
  return success();
}

LogicalResult CastLikeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  resultTypes.push_back(tensorOf(getInput().getType().getShape(),
                                 getTargetType().getType().getElementType()));
  return success();
}

LogicalResult WhereOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType(), y = getY().getType();
  if (x.getElementType() != y.getElementType())
    return emitOpError() << "X and Y must have one element type, got " << x.getElementType()
                         << " and " << y.getElementType();
  auto shape = broadcastShapes(*this, {getCondition().getType().getShape(), x.getShape(),
                                       y.getShape()});
  if (failed(shape))
    return failure();
  resultTypes.push_back(tensorOf(*shape, x.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Shape of a reduction over `axes` (all when empty, unless noopWithEmptyAxes).
static FailureOr<SmallVector<int64_t>> reducedShape(Operation *op, ArrayRef<int64_t> shape,
                                                    ArrayRef<int64_t> axes, bool keepdims,
                                                    bool noopWithEmptyAxes) {
  int64_t rank = shape.size();
  if (axes.empty() && noopWithEmptyAxes)
    return SmallVector<int64_t>(shape);
  llvm::SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    auto a = normalizeAxis(op, axis, rank, "reduction axis");
    if (failed(a))
      return failure();
    if (reduced[*a])
      return op->emitOpError() << "reduction axis " << axis << " is listed twice";
    reduced[*a] = true;
  }
  SmallVector<int64_t> result;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      result.push_back(shape[i]);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

#define KILN_REDUCE_INFER(OP)                                                                  \
  LogicalResult OP::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {                    \
    auto data = getData().getType();                                                           \
    auto shape = reducedShape(*this, data.getShape(), getAxes().value_or(ArrayRef<int64_t>{}),  \
                              getKeepdims() != 0, getNoopWithEmptyAxes() != 0);                \
    if (failed(shape))                                                                         \
      return failure();                                                                        \
    resultTypes.push_back(tensorOf(*shape, data.getElementType()));                            \
    return success();                                                                          \
  }
KILN_REDUCE_INFER(ReduceSumOp)
KILN_REDUCE_INFER(ReduceMeanOp)
KILN_REDUCE_INFER(ReduceMaxOp)
KILN_REDUCE_INFER(ReduceMinOp)
KILN_REDUCE_INFER(ReduceProdOp)
KILN_REDUCE_INFER(ReduceL1Op)
KILN_REDUCE_INFER(ReduceL2Op)
KILN_REDUCE_INFER(ReduceLogSumOp)
KILN_REDUCE_INFER(ReduceLogSumExpOp)
KILN_REDUCE_INFER(ReduceSumSquareOp)
#undef KILN_REDUCE_INFER

#define KILN_ARG_REDUCE_INFER(OP)                                                              \
  LogicalResult OP::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {                    \
    auto data = getData().getType();                                                           \
    int64_t axis = getAxis();                                                                  \
    auto shape = reducedShape(*this, data.getShape(), ArrayRef<int64_t>(axis),                \
                              getKeepdims() != 0, false);                                      \
    if (failed(shape))                                                                         \
      return failure();                                                                        \
    resultTypes.push_back(tensorOf(*shape, IntegerType::get(getContext(), 64)));               \
    return success();                                                                          \
  }
KILN_ARG_REDUCE_INFER(ArgMaxOp)
KILN_ARG_REDUCE_INFER(ArgMinOp)
#undef KILN_ARG_REDUCE_INFER

LogicalResult TopKOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType();
  auto axis = normalizeAxis(*this, getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  auto k = getK().getType();
  if (k.getRank() != 1 || (k.hasStaticShape() && k.getNumElements() != 1))
    return emitOpError() << "K must be a 1-D tensor of one element, got " << k;
  SmallVector<int64_t> shape(x.getShape());
  shape[*axis] = kDynamic;
  if (auto values = constantInts(getK())) {
    int64_t kValue = (*values)[0];
    if (kValue < 0 || (!x.isDynamicDim(*axis) && kValue > x.getDimSize(*axis)))
      return emitOpError() << "K = " << kValue << " is out of range for axis size "
                           << x.getDimSize(*axis);
    shape[*axis] = kValue;
  }
  resultTypes.push_back(tensorOf(shape, x.getElementType()));
  resultTypes.push_back(tensorOf(shape, IntegerType::get(getContext(), 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization and dropout
//===----------------------------------------------------------------------===//

LogicalResult LayerNormalizationOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType();
  auto axis = normalizeAxis(*this, getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  resultTypes.push_back(x);
  // Mean and InvStdDev keep the leading axes and are 1 over the normalized ones.
  SmallVector<int64_t> statShape(x.getShape());
  for (int64_t i = *axis; i < x.getRank(); ++i)
    statShape[i] = 1;
  Type statElement = getStashType() == 1 ? Float32Type::get(getContext()) : x.getElementType();
  for (Value stat : {getMean(), getInvStdDev()})
    resultTypes.push_back(isAbsent(stat) ? Type(NoneType::get(getContext()))
                                         : Type(tensorOf(statShape, statElement)));
  return success();
}

LogicalResult BatchNormalizationOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  resultTypes.push_back(getX().getType());
  for (Value stat : {getRunningMean(), getRunningVar()})
    resultTypes.push_back(isAbsent(stat) ? Type(NoneType::get(getContext()))
                                         : Type(getInputMean().getType()));
  return success();
}

LogicalResult DropoutOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  resultTypes.push_back(data);
  resultTypes.push_back(isAbsent(getMask())
                            ? Type(NoneType::get(getContext()))
                            : Type(tensorOf(data.getShape(), IntegerType::get(getContext(), 1))));
  return success();
}
