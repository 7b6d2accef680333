// Reference kernels of ONNX's quantization ops: (De)QuantizeLinear, DynamicQuantizeLinear, and the integer and QLinear contractions.
#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/IndexUtil.h"
#include "compiler/Reference/Quantized.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <cmath>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {

int64_t quantizeValue(double v, DType to) {
  double lo = to == DType::U8 ? 0 : -128, hi = to == DType::U8 ? 255 : 127;
  if (std::isnan(v))
    return 0;
  return static_cast<int64_t>(std::max(lo, std::min(hi, std::nearbyint(v)))); // ties to even
}

int64_t sliceOf(ArrayRef<int64_t> shape, int64_t axis, int64_t linear) {
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d)
    inner *= shape[d];
  return (linear / inner) % shape[axis];
}

namespace {

/// Parameter element `slice` of a scale or zero point that is a scalar or per slice.
double param(const Tensor *t, int64_t slice, double dflt) {
  if (!t)
    return dflt;
  return t->numElements() == 1 ? t->getDouble(0) : t->getDouble(slice);
}

int64_t axisOf(Operation *op, int64_t rank) {
  int64_t axis = util::intAttr(op, "axis", 1);
  return axis < 0 ? axis + rank : axis;
}

LogicalResult quantizeLinear(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &scale = *in[1];
  const Tensor *zero = in[2];
  Tensor &y = out[0];
  int64_t axis = axisOf(op, x.rank());
  bool perAxis = scale.numElements() != 1;
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    int64_t s = perAxis ? sliceOf(x.shape(), axis, i) : 0;
    // In float, as ONNX and onnxruntime compute it: x / scale rounded to even.
    float q = static_cast<float>(x.getDouble(i)) / static_cast<float>(param(&scale, s, 1));
    y.setInt(i, quantizeValue(static_cast<double>(std::nearbyint(q)) + param(zero, s, 0), y.dtype()));
  }
  return success();
}

LogicalResult dequantizeLinear(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &scale = *in[1];
  const Tensor *zero = in[2];
  Tensor &y = out[0];
  int64_t axis = axisOf(op, x.rank());
  bool perAxis = scale.numElements() != 1;
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    int64_t s = perAxis ? sliceOf(x.shape(), axis, i) : 0;
    float diff = static_cast<float>(x.getInt(i) - static_cast<int64_t>(param(zero, s, 0)));
    y.setDouble(i, diff * static_cast<float>(param(&scale, s, 1)));
  }
  return success();
}

LogicalResult dynamicQuantizeLinear(Operation *, Operands in, Results out) {
  const Tensor &x = *in[0];
  float lo = 0, hi = 0;
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    float v = static_cast<float>(x.getDouble(i));
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  float scale = (hi - lo) / 255.0f;
  float zeroPoint = scale == 0 ? 0 : std::max(0.0f, std::min(255.0f, std::nearbyint(0.0f - lo / scale)));
  out[1].setDouble(0, scale);
  out[2].setInt(0, static_cast<int64_t>(zeroPoint));
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    float q = scale == 0 ? 0 : std::nearbyint(static_cast<float>(x.getDouble(i)) / scale);
    out[0].setInt(i, quantizeValue(static_cast<double>(q) + zeroPoint, DType::U8));
  }
  return success();
}

/// `t` minus its zero point as int32 (or f64 for Conv): per tensor, or per `slice` of
/// `axis` (rows of A, columns of B, output channels of W).
Tensor centered(const Tensor &t, const Tensor *zero, int64_t axis, DType dtype) {
  Tensor c(dtype, t.shape());
  bool perSlice = zero && zero->numElements() != 1;
  for (int64_t i = 0, n = t.numElements(); i < n; ++i) {
    int64_t z = zero ? static_cast<int64_t>(param(zero, perSlice ? sliceOf(t.shape(), axis, i) : 0, 0)) : 0;
    if (dtype == DType::F64)
      c.setDouble(i, static_cast<double>(t.getInt(i) - z));
    else
      c.setInt(i, t.getInt(i) - z);
  }
  return c;
}

/// (A - a_zp) x (B - b_zp) in int32 through MatMul's reference kernel.
LogicalResult integerProduct(Operation *op, const Tensor &a, const Tensor *az, const Tensor &b, const Tensor *bz,
                             Tensor &product) {
  Tensor ac = centered(a, az, std::max<int64_t>(0, a.rank() - 2), DType::I32);
  Tensor bc = centered(b, bz, b.rank() - 1, DType::I32);
  const Tensor *operands[] = {&ac, &bc};
  return kernelTable().lookup("kiln.matmul")(op, ArrayRef<const Tensor *>(operands), MutableArrayRef<Tensor>(product));
}

/// conv(x - x_zp, w - w_zp) (+ bias) exactly, through Conv's reference kernel in f64.
LogicalResult integerConv(Operation *op, const Tensor &x, const Tensor *xz, const Tensor &w, const Tensor *wz,
                          const Tensor *bias, ArrayRef<int64_t> outShape, Tensor &acc) {
  Tensor xc = centered(x, xz, 0, DType::F64), wc = centered(w, wz, 0, DType::F64);
  Tensor bc;
  if (bias) {
    bc = Tensor(DType::F64, bias->shape());
    for (int64_t i = 0; i < bias->numElements(); ++i)
      bc.setDouble(i, static_cast<double>(bias->getInt(i)));
  }
  acc = Tensor(DType::F64, outShape);
  const Tensor *operands[] = {&xc, &wc, bias ? &bc : nullptr};
  return kernelTable().lookup("kiln.conv")(op, ArrayRef<const Tensor *>(operands), MutableArrayRef<Tensor>(acc));
}

LogicalResult matmulInteger(Operation *op, Operands in, Results out) {
  return integerProduct(op, *in[0], in[2], *in[1], in[3], out[0]);
}

LogicalResult convInteger(Operation *op, Operands in, Results out) {
  Tensor acc;
  if (failed(integerConv(op, *in[0], in[2], *in[1], in[3], nullptr, out[0].shape(), acc)))
    return failure();
  for (int64_t i = 0, n = acc.numElements(); i < n; ++i)
    out[0].setInt(i, static_cast<int64_t>(acc.getDouble(i)));
  return success();
}

/// round(acc * a_scale * b_scale / y_scale) + y_zp, saturated: the multiplier in float
/// as ONNX's reference computes it, its product with the exact sum in double.
int64_t requantize(double acc, double aScale, double bScale, double yScale, double yZero, DType to) {
  float multiplier = static_cast<float>(aScale) * static_cast<float>(bScale) / static_cast<float>(yScale);
  return quantizeValue(std::nearbyint(acc * static_cast<double>(multiplier)) + yZero, to);
}

LogicalResult qlinearMatMul(Operation *op, Operands in, Results out) {
  const Tensor &a = *in[0], &b = *in[3];
  Tensor product(DType::I32, out[0].shape());
  if (failed(integerProduct(op, a, in[2], b, in[5], product)))
    return failure();
  ArrayRef<int64_t> shape = out[0].shape();
  int64_t rank = static_cast<int64_t>(shape.size());
  bool aRows = in[1]->numElements() != 1, bCols = in[4]->numElements() != 1;
  for (int64_t i = 0, n = product.numElements(); i < n; ++i) {
    int64_t row = aRows && rank >= 2 ? sliceOf(shape, rank - 2, i) : 0;
    int64_t col = bCols ? sliceOf(shape, rank - 1, i) : 0;
    out[0].setInt(i, requantize(static_cast<double>(product.getInt(i)), param(in[1], row, 1), param(in[4], col, 1),
                                param(in[6], 0, 1), param(in[7], 0, 0), out[0].dtype()));
  }
  return success();
}

LogicalResult qlinearConv(Operation *op, Operands in, Results out) {
  Tensor acc;
  if (failed(integerConv(op, *in[0], in[2], *in[3], in[5], in[8], out[0].shape(), acc)))
    return failure();
  bool perChannel = in[4]->numElements() != 1;
  for (int64_t i = 0, n = acc.numElements(); i < n; ++i) {
    int64_t m = perChannel ? sliceOf(out[0].shape(), 1, i) : 0;
    out[0].setInt(i, requantize(acc.getDouble(i), param(in[1], 0, 1), param(in[4], m, 1), param(in[6], 0, 1),
                                param(in[7], 0, 0), out[0].dtype()));
  }
  return success();
}

} // namespace

void registerQuantizedKernels(KernelTable &table) {
  table["kiln.quantize_linear"] = quantizeLinear;
  table["kiln.dequantize_linear"] = dequantizeLinear;
  table["kiln.dynamic_quantize_linear"] = dynamicQuantizeLinear;
  table["kiln.matmul_integer"] = matmulInteger;
  table["kiln.conv_integer"] = convInteger;
  table["kiln.qlinear_matmul"] = qlinearMatMul;
  table["kiln.qlinear_conv"] = qlinearConv;
}

} // namespace kiln::ref
