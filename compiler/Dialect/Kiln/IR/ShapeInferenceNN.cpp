// Shape inference for contractions, convolutions, pooling and losses.
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::shape;

namespace {

/// The spatial geometry shared by Conv, ConvTranspose and the pools, with ONNX's
/// defaults filled in and every list checked against the number of spatial axes.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads; // pads: begins then ends
  StringRef autoPad;
};

FailureOr<Window> readWindow(Operation *op, int64_t spatial, ArrayRef<int64_t> kernel,
                             std::optional<ArrayRef<int64_t>> strides,
                             std::optional<ArrayRef<int64_t>> dilations,
                             std::optional<ArrayRef<int64_t>> pads, StringRef autoPad) {
  Window w;
  w.autoPad = autoPad;
  if (!llvm::is_contained({"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"}, autoPad))
    return op->emitOpError() << "auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '"
                             << autoPad << "'";
  auto take = [&](std::optional<ArrayRef<int64_t>> given, int64_t size, int64_t fill,
                  StringRef name, SmallVectorImpl<int64_t> &out) -> LogicalResult {
    if (!given) {
      out.assign(size, fill);
      return success();
    }
    if (static_cast<int64_t>(given->size()) != size)
      return op->emitOpError() << name << " has " << given->size() << " values, expected " << size;
    out.assign(given->begin(), given->end());
    return success();
  };
  if (static_cast<int64_t>(kernel.size()) != spatial)
    return op->emitOpError() << "kernel_shape has " << kernel.size()
                             << " values, expected " << spatial;
  w.kernel.assign(kernel.begin(), kernel.end());
  if (failed(take(strides, spatial, 1, "strides", w.strides)) ||
      failed(take(dilations, spatial, 1, "dilations", w.dilations)) ||
      failed(take(pads, 2 * spatial, 0, "pads", w.pads)))
    return failure();
  for (int64_t i = 0; i < spatial; ++i) {
    if (w.kernel[i] <= 0 || w.strides[i] <= 0 || w.dilations[i] <= 0)
      return op->emitOpError() << "kernel_shape, strides and dilations must be positive";
    if (w.pads[i] < 0 || w.pads[i + spatial] < 0)
      return op->emitOpError() << "pads must be non-negative";
  }
  return w;
}

/// Output size of one spatial axis of Conv or a pool (ONNX's formulas; ceil_mode
/// drops a last window that would start inside the end padding, as PyTorch does).
FailureOr<int64_t> windowOutput(Operation *op, const Window &w, int64_t i, int64_t in,
                                bool ceilMode) {
  if (ShapedType::isDynamic(in))
    return kDynamic;
  int64_t spatial = w.kernel.size();
  int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
  int64_t stride = w.strides[i];
  int64_t out;
  if (w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER") {
    out = ceilDiv(in, stride);
  } else if (w.autoPad == "VALID") {
    out = in >= extent ? (in - extent) / stride + 1 : 0;
  } else {
    int64_t padded = in + w.pads[i] + w.pads[i + spatial];
    int64_t span = padded - extent;
    if (span < 0)
      return op->emitOpError() << "window of extent " << extent << " does not fit axis " << i
                               << " of size " << in << " with its padding";
    out = (ceilMode ? ceilDiv(span, stride) : span / stride) + 1;
    if (ceilMode && (out - 1) * stride >= in + w.pads[i])
      --out;
  }
  if (out <= 0)
    return op->emitOpError() << "spatial axis " << i << " of size " << in
                             << " yields an empty output";
  return out;
}

template <typename PoolOp>
LogicalResult inferPool(PoolOp op, int64_t ceilMode, std::optional<ArrayRef<int64_t>> dilations,
                        SmallVectorImpl<int64_t> &outShape) {
  auto x = op.getX().getType();
  if (x.getRank() < 3)
    return op.emitOpError() << "X must be N x C x D1 x ... (rank >= 3), got " << x;
  int64_t spatial = x.getRank() - 2;
  auto w = readWindow(op, spatial, op.getKernelShape(), op.getStrides(), dilations, op.getPads(),
                      op.getAutoPad());
  if (failed(w))
    return failure();
  outShape.assign({x.getDimSize(0), x.getDimSize(1)});
  for (int64_t i = 0; i < spatial; ++i) {
    auto out = windowOutput(op, *w, i, x.getDimSize(i + 2), ceilMode != 0);
    if (failed(out))
      return failure();
    outShape.push_back(*out);
  }
  return success();
}

bool known(int64_t d) { return !ShapedType::isDynamic(d); }

} // namespace

namespace {
/// The result shape of a Conv-like op (Conv, ConvInteger, QLinearConv): X is N x C x
/// D1..Dn, W is M x C/group x k1..kn, the optional bias has M elements.
template <typename ConvLike>
FailureOr<SmallVector<int64_t>> convShape(ConvLike op, RankedTensorType x, RankedTensorType w, Value bias) {
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return op.emitOpError() << "X (" << x << ") and W (" << w << ") must have the same rank >= 3";
  int64_t spatial = x.getRank() - 2, group = op.getGroup();
  if (group <= 0)
    return op.emitOpError() << "group must be positive, got " << group;
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  if (auto k = op.getKernelShape()) {
    if (static_cast<int64_t>(k->size()) != spatial)
      return op.emitOpError() << "kernel_shape has " << k->size() << " values, expected " << spatial;
    for (int64_t i = 0; i < spatial; ++i) {
      if (known(kernel[i]) && kernel[i] != (*k)[i])
        return op.emitOpError() << "kernel_shape disagrees with W's spatial dims";
      kernel[i] = (*k)[i];
    }
  }
  if (llvm::any_of(kernel, [](int64_t d) { return !known(d); }))
    return op.emitOpError() << "kernel size is unknown: W has dynamic spatial dims and no kernel_shape";
  int64_t channels = x.getDimSize(1), m = w.getDimSize(0);
  if (known(channels) && known(w.getDimSize(1)) && channels != w.getDimSize(1) * group)
    return op.emitOpError() << "X has " << channels << " channels but W expects " << w.getDimSize(1) << " x group "
                            << group;
  if (known(m) && m % group != 0)
    return op.emitOpError() << "W's " << m << " output channels are not divisible by group " << group;
  if (bias && !isAbsent(bias)) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || (known(m) && known(b.getDimSize(0)) && b.getDimSize(0) != m))
      return op.emitOpError() << "bias must be 1-D with " << m << " elements, got " << b;
  }
  auto win = readWindow(op, spatial, kernel, op.getStrides(), op.getDilations(), op.getPads(), op.getAutoPad());
  if (failed(win))
    return failure();
  SmallVector<int64_t> shape = {x.getDimSize(0), m};
  for (int64_t i = 0; i < spatial; ++i) {
    auto out = windowOutput(op, *win, i, x.getDimSize(i + 2), false);
    if (failed(out))
      return failure();
    shape.push_back(*out);
  }
  return shape;
}

/// MatMul's NumPy semantics: 1-D operands promoted to matrices, batch axes broadcast.
FailureOr<SmallVector<int64_t>> matmulShape(Operation *op, RankedTensorType a, RankedTensorType b) {
  if (a.getRank() < 1 || b.getRank() < 1)
    return op->emitOpError() << "operands must have rank >= 1";
  SmallVector<int64_t> as(a.getShape()), bs(b.getShape());
  bool aVector = as.size() == 1, bVector = bs.size() == 1;
  if (aVector)
    as.insert(as.begin(), 1);
  if (bVector)
    bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (known(k1) && known(k2) && k1 != k2)
    return op->emitOpError() << "contraction sizes differ: " << a << " x " << b;
  auto batch = broadcastShapes(op, {ArrayRef<int64_t>(as).drop_back(2), ArrayRef<int64_t>(bs).drop_back(2)});
  if (failed(batch))
    return failure();
  SmallVector<int64_t> shape(*batch);
  if (!aVector)
    shape.push_back(as[as.size() - 2]);
  if (!bVector)
    shape.push_back(bs.back());
  return shape;
}

/// A scale or zero point: one value, or (when `perAxis` > 0) that many along an axis.
LogicalResult checkQuantParam(Operation *op, Value v, StringRef what, int64_t perAxis) {
  if (isAbsent(v))
    return success();
  auto t = cast<RankedTensorType>(v.getType());
  if (t.hasStaticShape() && t.getNumElements() == 1 && t.getRank() <= 1)
    return success();
  if (perAxis != 0 && t.getRank() == 1 && (!known(t.getDimSize(0)) || !known(perAxis) || t.getDimSize(0) == perAxis))
    return success();
  return op->emitOpError() << what << " must be a scalar" << (perAxis ? " or one value per slice of the axis" : "")
                           << ", got " << t;
}
} // namespace

LogicalResult ConvOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto shape = convShape(*this, getX().getType(), getW().getType(), getB());
  if (failed(shape))
    return failure();
  resultTypes.push_back(tensorOf(*shape, getX().getType().getElementType()));
  return success();
}

LogicalResult ConvIntegerOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto shape = convShape(*this, getX().getType(), getW().getType(), Value());
  if (failed(shape) || failed(checkQuantParam(*this, getXZeroPoint(), "x_zero_point", 0)) ||
      failed(checkQuantParam(*this, getWZeroPoint(), "w_zero_point", getW().getType().getDimSize(0))))
    return failure();
  resultTypes.push_back(tensorOf(*shape, IntegerType::get(getContext(), 32)));
  return success();
}

LogicalResult QLinearConvOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto shape = convShape(*this, getX().getType(), getW().getType(), getB());
  int64_t m = getW().getType().getDimSize(0);
  if (failed(shape) || failed(checkQuantParam(*this, getXScale(), "x_scale", 0)) ||
      failed(checkQuantParam(*this, getXZeroPoint(), "x_zero_point", 0)) ||
      failed(checkQuantParam(*this, getWScale(), "w_scale", m)) ||
      failed(checkQuantParam(*this, getWZeroPoint(), "w_zero_point", m)) ||
      failed(checkQuantParam(*this, getYScale(), "y_scale", 0)) ||
      failed(checkQuantParam(*this, getYZeroPoint(), "y_zero_point", 0)))
    return failure();
  resultTypes.push_back(tensorOf(*shape, getYZeroPoint().getType().getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType(), w = getW().getType();
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return emitOpError() << "X (" << x << ") and W (" << w
                         << ") must have the same rank >= 3";
  int64_t spatial = x.getRank() - 2, group = getGroup();
  if (group <= 0)
    return emitOpError() << "group must be positive, got " << group;
  if (known(x.getDimSize(1)) && known(w.getDimSize(0)) && x.getDimSize(1) != w.getDimSize(0))
    return emitOpError() << "X has " << x.getDimSize(1) << " channels but W expects "
                         << w.getDimSize(0);
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  if (auto k = getKernelShape()) {
    if (static_cast<int64_t>(k->size()) != spatial)
      return emitOpError() << "kernel_shape has " << k->size() << " values, expected " << spatial;
    kernel.assign(k->begin(), k->end());
  }
  if (llvm::any_of(kernel, [](int64_t d) { return !known(d); }))
    return emitOpError() << "kernel size is unknown";
  auto win = readWindow(*this, spatial, kernel, getStrides(), getDilations(), getPads(),
                        getAutoPad());
  if (failed(win))
    return failure();
  SmallVector<int64_t> outputPadding(spatial, 0);
  if (auto op = getOutputPadding()) {
    if (static_cast<int64_t>(op->size()) != spatial)
      return emitOpError() << "output_padding has " << op->size() << " values, expected "
                           << spatial;
    outputPadding.assign(op->begin(), op->end());
  }
  int64_t m = known(w.getDimSize(1)) ? w.getDimSize(1) * group : kDynamic;
  SmallVector<int64_t> shape = {x.getDimSize(0), m};
  std::optional<ArrayRef<int64_t>> outputShape = getOutputShape();
  if (outputShape) {
    // output_shape may list only the spatial dims or the whole shape.
    ArrayRef<int64_t> given = *outputShape;
    if (static_cast<int64_t>(given.size()) == spatial + 2)
      given = given.drop_front(2);
    if (static_cast<int64_t>(given.size()) != spatial)
      return emitOpError() << "output_shape has " << outputShape->size()
                           << " values, expected " << spatial;
    shape.append(given.begin(), given.end());
  } else {
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = x.getDimSize(i + 2);
      if (!known(in)) {
        shape.push_back(kDynamic);
        continue;
      }
      int64_t out;
      if (win->autoPad == "SAME_UPPER" || win->autoPad == "SAME_LOWER")
        out = in * win->strides[i];
      else
        out = win->strides[i] * (in - 1) + outputPadding[i] +
              (kernel[i] - 1) * win->dilations[i] + 1 -
              (win->autoPad == "VALID" ? 0 : win->pads[i] + win->pads[i + spatial]);
      if (out <= 0)
        return emitOpError() << "spatial axis " << i << " yields an empty output";
      shape.push_back(out);
    }
  }
  resultTypes.push_back(tensorOf(shape, x.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError() << "storage_order must be 0 or 1";
  SmallVector<int64_t> shape;
  if (failed(inferPool(*this, getCeilMode(), getDilations(), shape)))
    return failure();
  resultTypes.push_back(tensorOf(shape, getX().getType().getElementType()));
  resultTypes.push_back(isAbsent(getIndices())
                            ? Type(NoneType::get(getContext()))
                            : Type(tensorOf(shape, IntegerType::get(getContext(), 64))));
  return success();
}

LogicalResult AveragePoolOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  SmallVector<int64_t> shape;
  if (failed(inferPool(*this, getCeilMode(), getDilations(), shape)))
    return failure();
  resultTypes.push_back(tensorOf(shape, getX().getType().getElementType()));
  return success();
}

static LogicalResult inferGlobalPool(Operation *op, RankedTensorType x,
                                     SmallVectorImpl<Type> &resultTypes) {
  if (x.getRank() < 3)
    return op->emitOpError() << "X must be N x C x D1 x ... (rank >= 3), got " << x;
  SmallVector<int64_t> shape(x.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  resultTypes.push_back(tensorOf(shape, x.getElementType()));
  return success();
}
LogicalResult GlobalAveragePoolOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferGlobalPool(*this, getX().getType(), resultTypes);
}
LogicalResult GlobalMaxPoolOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferGlobalPool(*this, getX().getType(), resultTypes);
}

LogicalResult MatMulOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto shape = matmulShape(*this, getA().getType(), getB().getType());
  if (failed(shape))
    return failure();
  resultTypes.push_back(tensorOf(*shape, getA().getType().getElementType()));
  return success();
}

LogicalResult MatMulIntegerOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto a = getA().getType(), b = getB().getType();
  auto shape = matmulShape(*this, a, b);
  if (failed(shape) || failed(checkQuantParam(*this, getAZeroPoint(), "a_zero_point", a.getRank() >= 2 ? a.getDimSize(a.getRank() - 2) : 1)) ||
      failed(checkQuantParam(*this, getBZeroPoint(), "b_zero_point", b.getRank() >= 2 ? b.getDimSize(b.getRank() - 1) : 1)))
    return failure();
  resultTypes.push_back(tensorOf(*shape, IntegerType::get(getContext(), 32)));
  return success();
}

LogicalResult QLinearMatMulOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto a = getA().getType(), b = getB().getType();
  auto shape = matmulShape(*this, a, b);
  int64_t rows = a.getRank() >= 2 ? a.getDimSize(a.getRank() - 2) : 1;
  int64_t cols = b.getRank() >= 2 ? b.getDimSize(b.getRank() - 1) : 1;
  if (failed(shape) || failed(checkQuantParam(*this, getAScale(), "a_scale", rows)) ||
      failed(checkQuantParam(*this, getAZeroPoint(), "a_zero_point", rows)) ||
      failed(checkQuantParam(*this, getBScale(), "b_scale", cols)) ||
      failed(checkQuantParam(*this, getBZeroPoint(), "b_zero_point", cols)) ||
      failed(checkQuantParam(*this, getYScale(), "y_scale", 0)) ||
      failed(checkQuantParam(*this, getYZeroPoint(), "y_zero_point", 0)))
    return failure();
  resultTypes.push_back(tensorOf(*shape, getYZeroPoint().getType().getElementType()));
  return success();
}

/// Per tensor (scalar scale) or along `axis` (a 1-D scale of that axis' size).
template <typename QuantOp>
LogicalResult checkPerAxis(QuantOp op, RankedTensorType x, Value scale, Value zero) {
  auto s = cast<RankedTensorType>(scale.getType());
  bool perAxis = !(s.hasStaticShape() && s.getNumElements() == 1 && s.getRank() <= 1);
  int64_t size = 0;
  if (perAxis) {
    auto axis = normalizeAxis(op, op.getAxis(), x.getRank());
    if (failed(axis))
      return failure();
    size = x.getDimSize(*axis);
  }
  if (failed(checkQuantParam(op, scale, "the scale", perAxis ? size : 0)) ||
      failed(checkQuantParam(op, zero, "the zero point", perAxis ? size : 0)))
    return failure();
  if (!isAbsent(zero) && cast<RankedTensorType>(zero.getType()).getShape() != s.getShape())
    return op.emitOpError() << "the zero point " << zero.getType() << " must have the scale's shape " << s;
  return success();
}

LogicalResult QuantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType();
  if (failed(checkPerAxis(*this, x, getYScale(), getYZeroPoint())))
    return failure();
  Type element = isAbsent(getYZeroPoint()) ? Type(IntegerType::get(getContext(), 8, IntegerType::Unsigned))
                                           : cast<RankedTensorType>(getYZeroPoint().getType()).getElementType();
  resultTypes.push_back(tensorOf(x.getShape(), element));
  return success();
}

LogicalResult DequantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType();
  if (failed(checkPerAxis(*this, x, getXScale(), getXZeroPoint())))
    return failure();
  if (!isAbsent(getXZeroPoint()) && cast<RankedTensorType>(getXZeroPoint().getType()).getElementType() != x.getElementType())
    return emitOpError() << "the zero point must have x's element type " << x.getElementType();
  resultTypes.push_back(tensorOf(x.getShape(), getXScale().getType().getElementType()));
  return success();
}

LogicalResult DynamicQuantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto u8 = IntegerType::get(getContext(), 8, IntegerType::Unsigned);
  resultTypes.push_back(tensorOf(getX().getType().getShape(), u8));
  resultTypes.push_back(tensorOf({}, Float32Type::get(getContext())));
  resultTypes.push_back(tensorOf({}, u8));
  return success();
}

LogicalResult GemmOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto a = getA().getType(), b = getB().getType();
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOpError() << "A and B must be matrices, got " << a << " and " << b;
  if (a.getElementType() != b.getElementType())
    return emitOpError() << "A and B must have one element type";
  int64_t m = getTransA() ? a.getDimSize(1) : a.getDimSize(0);
  int64_t k1 = getTransA() ? a.getDimSize(0) : a.getDimSize(1);
  int64_t k2 = getTransB() ? b.getDimSize(1) : b.getDimSize(0);
  int64_t n = getTransB() ? b.getDimSize(0) : b.getDimSize(1);
  if (known(k1) && known(k2) && k1 != k2)
    return emitOpError() << "contraction sizes differ: " << k1 << " and " << k2;
  if (!isAbsent(getC())) {
    auto c = cast<RankedTensorType>(getC().getType());
    SmallVector<int64_t> mn = {m, n};
    auto shape = broadcastShapes(*this, {ArrayRef<int64_t>(mn), c.getShape()});
    if (failed(shape))
      return failure();
    if (c.getRank() > 2 || (c.getRank() == 2 && ((known(c.getDimSize(0)) && known(m) &&
                                                  c.getDimSize(0) != 1 && c.getDimSize(0) != m))))
      return emitOpError() << "C " << c << " does not broadcast to " << m << "x" << n;
  }
  resultTypes.push_back(tensorOf({m, n}, a.getElementType()));
  return success();
}

/// Loss shape: the target's shape for reduction "none", a scalar otherwise.
static LogicalResult inferLoss(Operation *op, RankedTensorType input, RankedTensorType target,
                               StringRef reduction, SmallVectorImpl<Type> &resultTypes) {
  if (!llvm::is_contained({"none", "sum", "mean"}, reduction))
    return op->emitOpError() << "reduction must be none, sum or mean, got '" << reduction << "'";
  if (input.getRank() < 2 || target.getRank() != input.getRank() - 1)
    return op->emitOpError() << "expects input N x C x d1... and target N x d1..., got " << input
                             << " and " << target;
  if (reduction == "none")
    resultTypes.push_back(tensorOf(target.getShape(), input.getElementType()));
  else
    resultTypes.push_back(tensorOf({}, input.getElementType()));
  return success();
}

LogicalResult NegativeLogLikelihoodLossOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferLoss(*this, getInput().getType(), getTarget().getType(), getReduction(),
                   resultTypes);
}

LogicalResult SoftmaxCrossEntropyLossOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  if (failed(inferLoss(*this, getScores().getType(), getLabels().getType(), getReduction(),
                       resultTypes)))
    return failure();
  resultTypes.push_back(isAbsent(getLogProb()) ? Type(NoneType::get(getContext()))
                                               : Type(getScores().getType()));
  return success();
}
