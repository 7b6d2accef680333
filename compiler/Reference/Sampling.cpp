// Reference kernels of the sampling ops: GridSample (PyTorch's grid_sample), RoiAlign (onnxruntime's rules), MaxUnpool.
#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/Sampling.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <cmath>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {

double gridUnnormalize(double coord, int64_t size, bool alignCorners) {
  return alignCorners ? (coord + 1) / 2 * static_cast<double>(size - 1)
                      : ((coord + 1) * static_cast<double>(size) - 1) / 2;
}

namespace {
double clipCoordinate(double x, int64_t size) { return std::min(static_cast<double>(size - 1), std::max(x, 0.0)); }

/// Reflects x into [low / 2, high / 2] (PyTorch's reflect_coordinates, bounds doubled).
double reflectCoordinate(double x, int64_t twiceLow, int64_t twiceHigh) {
  if (twiceLow == twiceHigh)
    return 0;
  double low = static_cast<double>(twiceLow) / 2, span = static_cast<double>(twiceHigh - twiceLow) / 2;
  x = std::fabs(x - low);
  double extra = std::fmod(x, span);
  int64_t flips = static_cast<int64_t>(std::floor(x / span));
  return flips % 2 == 0 ? extra + low : span - extra + low;
}
} // namespace

double gridPadCoordinate(double x, int64_t size, GridPadding padding, bool alignCorners) {
  if (padding == GridPadding::Border)
    return clipCoordinate(x, size);
  if (padding == GridPadding::Reflection) {
    x = alignCorners ? reflectCoordinate(x, 0, 2 * (size - 1)) : reflectCoordinate(x, -1, 2 * size - 1);
    return clipCoordinate(x, size);
  }
  return x;
}

void cubicCoefficients(double t, double coeffs[4]) {
  constexpr double A = -0.75;
  auto near = [](double x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };     // |x| <= 1
  auto far = [](double x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; }; // 1 < |x| < 2
  coeffs[0] = far(t + 1);
  coeffs[1] = near(t);
  coeffs[2] = near(1 - t);
  coeffs[3] = far(2 - t);
}

namespace {

GridPadding paddingOf(StringRef name) {
  return name == "border" ? GridPadding::Border : name == "reflection" ? GridPadding::Reflection : GridPadding::Zeros;
}

LogicalResult gridSample(Operation *op, Operands in, Results out) {
  auto g = cast<k::GridSampleOp>(op);
  const Tensor &x = *in[0], &grid = *in[1];
  Tensor &y = out[0];
  int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  int64_t ho = y.shape()[2], wo = y.shape()[3];
  bool align = static_cast<int64_t>(g.getAlignCorners()) != 0;
  GridPadding padding = paddingOf(g.getPaddingMode());
  StringRef mode = g.getMode();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < ho; ++oy)
      for (int64_t ox = 0; ox < wo; ++ox) {
        int64_t gi = ((b * ho + oy) * wo + ox) * 2;
        double gx = grid.getDouble(gi), gy = grid.getDouble(gi + 1);
        for (int64_t ch = 0; ch < c; ++ch) {
          const int64_t plane = (b * c + ch) * h * w;
          auto at = [&](int64_t yy, int64_t xx) {
            return yy >= 0 && yy < h && xx >= 0 && xx < w ? x.getDouble(plane + yy * w + xx) : 0.0;
          };
          double v = 0;
          if (mode == "bicubic") {
            double ix = gridUnnormalize(gx, w, align), iy = gridUnnormalize(gy, h, align);
            double x0 = std::floor(ix), y0 = std::floor(iy);
            double cx[4], cy[4];
            cubicCoefficients(ix - x0, cx);
            cubicCoefficients(iy - y0, cy);
            for (int i = 0; i < 4; ++i) {
              double row = 0;
              for (int j = 0; j < 4; ++j) {
                double px = gridPadCoordinate(x0 - 1 + j, w, padding, align);
                double py = gridPadCoordinate(y0 - 1 + i, h, padding, align);
                row += cx[j] * at(static_cast<int64_t>(py), static_cast<int64_t>(px));
              }
              v += cy[i] * row;
            }
          } else {
            double ix = gridPadCoordinate(gridUnnormalize(gx, w, align), w, padding, align);
            double iy = gridPadCoordinate(gridUnnormalize(gy, h, align), h, padding, align);
            if (mode == "nearest") {
              v = at(static_cast<int64_t>(std::nearbyint(iy)), static_cast<int64_t>(std::nearbyint(ix)));
            } else {
              double x0 = std::floor(ix), y0 = std::floor(iy);
              double fx = ix - x0, fy = iy - y0;
              int64_t xi = static_cast<int64_t>(x0), yi = static_cast<int64_t>(y0);
              v = at(yi, xi) * (1 - fx) * (1 - fy) + at(yi, xi + 1) * fx * (1 - fy) + at(yi + 1, xi) * (1 - fx) * fy +
                  at(yi + 1, xi + 1) * fx * fy;
            }
          }
          y.setDouble(((b * c + ch) * ho + oy) * wo + ox, v);
        }
      }
  return success();
}

LogicalResult roiAlign(Operation *op, Operands in, Results out) {
  auto r = cast<k::RoiAlignOp>(op);
  const Tensor &x = *in[0], &rois = *in[1], &indices = *in[2];
  Tensor &y = out[0];
  int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  int64_t count = y.shape()[0], ph = static_cast<int64_t>(r.getOutputHeight()), pw = static_cast<int64_t>(r.getOutputWidth());
  RoiAlignParams p{r.getSpatialScale().convertToDouble(), r.getCoordinateTransformationMode() == "half_pixel",
                   static_cast<int64_t>(r.getSamplingRatio()), r.getMode() == "max"};
  for (int64_t roi = 0; roi < count; ++roi) {
    int64_t b = indices.getInt(roi);
    if (b < 0 || b >= n)
      return op->emitOpError() << "batch_indices[" << roi << "] = " << b << " is outside [0, " << n << ")";
    double box[4];
    for (int i = 0; i < 4; ++i)
      box[i] = rois.getDouble(roi * 4 + i);
    for (int64_t ch = 0; ch < c; ++ch) {
      const int64_t plane = (b * c + ch) * h * w;
      for (int64_t py = 0; py < ph; ++py)
        for (int64_t px = 0; px < pw; ++px)
          y.setDouble(((roi * c + ch) * ph + py) * pw + px,
                      roiAlignBin(p, box, h, w, ph, pw, py, px,
                                  [&](int64_t yy, int64_t xx) { return x.getDouble(plane + yy * w + xx); }));
    }
  }
  return success();
}

LogicalResult maxUnpool(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &indices = *in[1];
  Tensor &y = out[0];
  int64_t total = y.numElements();
  for (int64_t i = 0, e = x.numElements(); i < e; ++i) {
    int64_t at = indices.getInt(i);
    if (at < 0 || at >= total)
      return op->emitOpError() << "index " << at << " is outside the " << total << "-element output";
    if (isFloat(x.dtype()))
      y.setDouble(at, x.getDouble(i));
    else
      y.setInt(at, x.getInt(i));
  }
  return success();
}

} // namespace

void registerSamplingKernels(KernelTable &table) {
  table["kiln.grid_sample"] = gridSample;
  table["kiln.roi_align"] = roiAlign;
  table["kiln.max_unpool"] = maxUnpool;
}

} // namespace kiln::ref
