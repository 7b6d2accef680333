// Folders and the verifiers of kiln ops whose rules go beyond types and shapes
// (attribute values and operand relations that shape inference does not check).
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::kiln;

#define GET_OP_CLASSES
#include "compiler/Dialect/Kiln/IR/KilnOps.cpp.inc"

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }
OpFoldResult NoneOp::fold(FoldAdaptor) { return UnitAttr::get(getContext()); }

namespace {
// Bounds of Clip, the value of ConstantOfShape and similar must hold one element.
LogicalResult verifyScalarLike(Operation *op, Value v, StringRef what, Type elementType) {
  if (shape::isAbsent(v))
    return success();
  auto type = cast<RankedTensorType>(v.getType());
  if (type.hasStaticShape() && type.getNumElements() != 1)
    return op->emitOpError() << what << " must hold one element, got " << type;
  if (type.getElementType() != elementType)
    return op->emitOpError() << what << " must have the input's element type " << elementType
                             << ", got " << type.getElementType();
  return success();
}

LogicalResult verifyReduction(Operation *op, StringRef reduction) {
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return op->emitOpError() << "reduction must be none, add, mul, max or min, got '"
                             << reduction << "'";
  return success();
}

LogicalResult verifyVariadic(Operation *op) {
  if (op->getNumOperands() == 0)
    return op->emitOpError() << "needs at least one input";
  return success();
}
} // namespace

LogicalResult ClipOp::verify() {
  Type element = getInput().getType().getElementType();
  if (failed(verifyScalarLike(*this, getMin(), "min", element)) ||
      failed(verifyScalarLike(*this, getMax(), "max", element)))
    return failure();
  return success();
}

LogicalResult MaxOp::verify() { return verifyVariadic(*this); }
LogicalResult MinOp::verify() { return verifyVariadic(*this); }
LogicalResult SumOp::verify() { return verifyVariadic(*this); }
LogicalResult MeanOp::verify() { return verifyVariadic(*this); }

static LogicalResult verifySoftmaxAxis(Operation *op, Value input, int64_t axis) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  return shape::normalizeAxis(op, axis, rank);
}
LogicalResult SoftmaxOp::verify() { return verifySoftmaxAxis(*this, getInput(), getAxis()); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxAxis(*this, getInput(), getAxis()); }
LogicalResult HardmaxOp::verify() { return verifySoftmaxAxis(*this, getInput(), getAxis()); }

LogicalResult BitShiftOp::verify() {
  if (getDirection() != "LEFT" && getDirection() != "RIGHT")
    return emitOpError() << "direction must be LEFT or RIGHT, got '" << getDirection() << "'";
  return success();
}

LogicalResult PowOp::verify() {
  if (getA().getType().getElementType() != getC().getType().getElementType())
    return emitOpError() << "result element type must be the base's";
  return success();
}

LogicalResult BatchNormalizationOp::verify() {
  if (getTrainingMode() != 0)
    return emitOpError() << "training_mode=1 is not supported: kiln compiles inference graphs";
  auto x = getX().getType();
  if (x.getRank() < 2)
    return emitOpError() << "X must have at least 2 dimensions (N x C x ...), got " << x;
  int64_t channels = x.getDimSize(1);
  for (Value v : {getScale(), getB(), getInputMean(), getInputVar()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1)
      return emitOpError() << "per-channel operands must be 1-D, got " << t;
    if (!ShapedType::isDynamic(channels) && !t.isDynamicDim(0) && t.getDimSize(0) != channels)
      return emitOpError() << "per-channel operand has " << t.getDimSize(0)
                           << " elements but X has " << channels << " channels";
  }
  return success();
}

LogicalResult LRNOp::verify() {
  if (static_cast<int64_t>(getSize()) <= 0)
    return emitOpError() << "size must be positive, got " << static_cast<int64_t>(getSize());
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifyReduction(*this, getReduction())))
    return failure();
  // updates must be indices.shape[:-1] + data.shape[k:], k = indices.shape[-1].
  auto data = getData().getType(), indices = getIndices().getType(),
       updates = getUpdates().getType();
  if (indices.getRank() < 1)
    return emitOpError() << "indices must have rank >= 1";
  int64_t k = indices.getDimSize(indices.getRank() - 1);
  if (ShapedType::isDynamic(k))
    return success();
  if (k < 1 || k > data.getRank())
    return emitOpError() << "index tuples have length " << k << " but data has rank "
                         << data.getRank();
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(k));
  if (updates.getRank() != static_cast<int64_t>(expected.size()) ||
      failed(verifyCompatibleShape(updates.getShape(), expected)))
    return emitOpError() << "updates " << updates
                         << " must have shape indices.shape[:-1] + data.shape[" << k << ":]";
  if (updates.getElementType() != data.getElementType())
    return emitOpError() << "updates must have data's element type";
  return success();
}
LogicalResult ScatterElementsOp::verify() {
  if (failed(verifyReduction(*this, getReduction())))
    return failure();
  auto indices = getIndices().getType(), updates = getUpdates().getType();
  if (indices.getRank() != updates.getRank() || failed(verifyCompatibleShape(indices, updates)))
    return emitOpError() << "indices " << indices << " and updates " << updates
                         << " must have the same shape";
  return shape::normalizeAxis(*this, getAxis(), getData().getType().getRank());
}

LogicalResult ConstantOfShapeOp::verify() {
  if (auto value = getValueAttr()) {
    if (value.getNumElements() != 1)
      return emitOpError() << "value must hold exactly one element, got " << value.getType();
    if (value.getElementType() != getOutput().getType().getElementType())
      return emitOpError() << "result element type must be the value's "
                           << value.getElementType();
  }
  return success();
}

LogicalResult TriluOp::verify() {
  if (getInput().getType().getRank() < 2)
    return emitOpError() << "input must have rank >= 2, got " << getInput().getType();
  if (!shape::isAbsent(getK())) {
    auto k = cast<RankedTensorType>(getK().getType());
    if (k.hasStaticShape() && k.getNumElements() != 1)
      return emitOpError() << "k must hold one element, got " << k;
  }
  return success();
}

LogicalResult ReverseSequenceOp::verify() {
  auto input = getInput().getType();
  if (input.getRank() < 2)
    return emitOpError() << "input must have rank >= 2, got " << input;
  int64_t batch = getBatchAxis(), time = getTimeAxis();
  if (!((batch == 0 && time == 1) || (batch == 1 && time == 0)))
    return emitOpError() << "batch_axis and time_axis must be 0 and 1 in some order, got "
                         << batch << " and " << time;
  auto lens = getSequenceLens().getType();
  if (lens.getRank() != 1)
    return emitOpError() << "sequence_lens must be 1-D, got " << lens;
  if (!lens.isDynamicDim(0) && !input.isDynamicDim(batch) &&
      lens.getDimSize(0) != input.getDimSize(batch))
    return emitOpError() << "sequence_lens has " << lens.getDimSize(0)
                         << " entries but the batch axis has " << input.getDimSize(batch);
  return success();
}

LogicalResult CumSumOp::verify() {
  auto axis = getAxis().getType();
  if (axis.getRank() > 1 || (axis.hasStaticShape() && axis.getNumElements() != 1))
    return emitOpError() << "axis must be a 0-d or one-element tensor, got " << axis;
  if (auto values = shape::constantInts(getAxis()))
    return shape::normalizeAxis(*this, (*values)[0], getX().getType().getRank());
  return success();
}

LogicalResult InstanceNormalizationOp::verify() {
  auto input = getInput().getType();
  if (input.getRank() < 3)
    return emitOpError() << "input must be N x C x D1 x ... (rank >= 3), got " << input;
  for (Value v : {getScale(), getB()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1 || (!t.isDynamicDim(0) && !input.isDynamicDim(1) &&
                             t.getDimSize(0) != input.getDimSize(1)))
      return emitOpError() << "scale and B must be 1-D with one entry per channel, got " << t;
  }
  return success();
}

LogicalResult MeanVarianceNormalizationOp::verify() {
  int64_t rank = getX().getType().getRank();
  llvm::SmallVector<bool> seen(rank, false);
  for (int64_t axis : getAxes()) {
    auto a = shape::normalizeAxis(*this, axis, rank);
    if (failed(a))
      return failure();
    if (seen[*a])
      return emitOpError() << "axis " << axis << " is listed twice";
    seen[*a] = true;
  }
  return success();
}
