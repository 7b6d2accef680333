// Shape inference and verifiers of the sampling ops: GridSample, RoiAlign, MaxUnpool.
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::shape;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;
bool known(int64_t d) { return !ShapedType::isDynamic(d); }
} // namespace

LogicalResult GridSampleOp::verify() {
  if (!llvm::is_contained({"bilinear", "nearest", "bicubic"}, getMode()))
    return emitOpError() << "mode must be bilinear, nearest or bicubic, got '" << getMode() << "'";
  if (!llvm::is_contained({"zeros", "border", "reflection"}, getPaddingMode()))
    return emitOpError() << "padding_mode must be zeros, border or reflection, got '" << getPaddingMode() << "'";
  if (static_cast<int64_t>(getAlignCorners()) != 0 && static_cast<int64_t>(getAlignCorners()) != 1)
    return emitOpError() << "align_corners must be 0 or 1";
  return success();
}

LogicalResult GridSampleOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType(), g = getGrid().getType();
  if (x.getRank() != 4 || g.getRank() != 4)
    return emitOpError() << "X must be [N, C, H, W] and grid [N, Ho, Wo, 2], got " << x << " and " << g;
  if (known(g.getDimSize(3)) && g.getDimSize(3) != 2)
    return emitOpError() << "grid's last dimension must be 2 (x, y), got " << g;
  if (known(x.getDimSize(0)) && known(g.getDimSize(0)) && x.getDimSize(0) != g.getDimSize(0))
    return emitOpError() << "X and grid have different batch sizes";
  resultTypes.push_back(tensorOf({x.getDimSize(0), x.getDimSize(1), g.getDimSize(1), g.getDimSize(2)},
                                 x.getElementType()));
  return success();
}

/// Output sizes and the sampling ratio (shape inference runs before the verifier, so
/// both check them).
static LogicalResult checkSizes(RoiAlignOp op) {
  if (static_cast<int64_t>(op.getOutputHeight()) <= 0 || static_cast<int64_t>(op.getOutputWidth()) <= 0 ||
      static_cast<int64_t>(op.getSamplingRatio()) < 0)
    return op.emitOpError() << "output sizes must be positive and sampling_ratio not negative";
  return success();
}

LogicalResult RoiAlignOp::verify() {
  if (getMode() != "avg" && getMode() != "max")
    return emitOpError() << "mode must be avg or max, got '" << getMode() << "'";
  if (getCoordinateTransformationMode() != "half_pixel" && getCoordinateTransformationMode() != "output_half_pixel")
    return emitOpError() << "coordinate_transformation_mode must be half_pixel or output_half_pixel";
  return checkSizes(*this);
}

LogicalResult RoiAlignOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType(), rois = getRois().getType(), idx = getBatchIndices().getType();
  if (x.getRank() != 4 || rois.getRank() != 2 || idx.getRank() != 1)
    return emitOpError() << "X must be [N, C, H, W], rois [R, 4] and batch_indices [R]";
  if (known(rois.getDimSize(1)) && rois.getDimSize(1) != 4)
    return emitOpError() << "rois must be [R, 4], got " << rois;
  int64_t r = rois.getDimSize(0);
  if (known(r) && known(idx.getDimSize(0)) && r != idx.getDimSize(0))
    return emitOpError() << "rois and batch_indices count " << r << " and " << idx.getDimSize(0) << " regions";
  if (rois.getElementType() != x.getElementType())
    return emitOpError() << "rois must have X's element type";
  if (failed(checkSizes(*this)))
    return failure();
  resultTypes.push_back(tensorOf({r, x.getDimSize(1), static_cast<int64_t>(getOutputHeight()), static_cast<int64_t>(getOutputWidth())}, x.getElementType()));
  return success();
}

LogicalResult MaxUnpoolOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType(), i = getI().getType();
  int64_t rank = x.getRank(), spatial = rank - 2;
  if (rank < 3 || i.getShape() != x.getShape())
    return emitOpError() << "X must be N x C x D1.. and I of X's shape, got " << x << " and " << i;
  ArrayRef<int64_t> kernel = getKernelShape();
  if (static_cast<int64_t>(kernel.size()) != spatial)
    return emitOpError() << "kernel_shape must have " << spatial << " values";
  SmallVector<int64_t> strides(spatial, 1), pads(2 * spatial, 0);
  if (auto s = getStrides()) {
    if (static_cast<int64_t>(s->size()) != spatial)
      return emitOpError() << "strides must have " << spatial << " values";
    strides.assign(s->begin(), s->end());
  }
  if (auto p = getPads()) {
    if (static_cast<int64_t>(p->size()) != 2 * spatial)
      return emitOpError() << "pads must have " << 2 * spatial << " values";
    pads.assign(p->begin(), p->end());
  }
  if (!isAbsent(getOutputShape())) {
    auto shapeType = cast<RankedTensorType>(getOutputShape().getType());
    if (shapeType.getRank() != 1 || (shapeType.hasStaticShape() && shapeType.getDimSize(0) != rank))
      return emitOpError() << "output_shape must list " << rank << " sizes, got " << shapeType;
    auto values = constantInts(getOutputShape());
    if (!values) {
      resultTypes.push_back(tensorOf(SmallVector<int64_t>(rank, kDyn), x.getElementType()));
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      if ((*values)[d] < 0 || (d < 2 && known(x.getDimSize(d)) && (*values)[d] != x.getDimSize(d)))
        return emitOpError() << "output_shape " << (*values)[d] << " of axis " << d << " does not fit X";
    resultTypes.push_back(tensorOf(*values, x.getElementType()));
    return success();
  }
  SmallVector<int64_t> shape = {x.getDimSize(0), x.getDimSize(1)};
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t in = x.getDimSize(d + 2);
    if (kernel[d] <= 0 || strides[d] <= 0)
      return emitOpError() << "kernel_shape and strides must be positive";
    shape.push_back(known(in) ? (in - 1) * strides[d] - pads[d] - pads[d + spatial] + kernel[d] : kDyn);
  }
  resultTypes.push_back(tensorOf(shape, x.getElementType()));
  return success();
}
