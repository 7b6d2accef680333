// The coordinate rules of GridSample (PyTorch's grid_sample) and RoiAlign (onnxruntime's), for their reference kernels.
#ifndef KILN_REFERENCE_SAMPLING_H
#define KILN_REFERENCE_SAMPLING_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace kiln::ref {

enum class GridPadding { Zeros, Border, Reflection };

/// A grid coordinate in [-1, 1] as a position in pixels of an axis of `size`.
double gridUnnormalize(double coord, int64_t size, bool alignCorners);
/// A pixel position under `padding`: unchanged (zeros), clipped (border), or
/// reflected at the edges and clipped (reflection).
double gridPadCoordinate(double x, int64_t size, GridPadding padding, bool alignCorners);
/// The four weights of cubic convolution (A = -0.75) for fraction `t`.
void cubicCoefficients(double t, double coeffs[4]);

struct RoiAlignParams {
  double spatialScale;
  bool halfPixel;
  int64_t samplingRatio;
  bool max;
};

/// One output bin (py, px) of the region `box` (x1, y1, x2, y2) over an h x w plane read
/// through `at(y, x)`: the mean, or onnxruntime's max (of each sample's four weighted
/// corners), of the bin's bilinear samples; samples outside [-1, h] x [-1, w] count 0.
template <typename At>
double roiAlignBin(const RoiAlignParams &p, const double box[4], int64_t h, int64_t w, int64_t ph, int64_t pw,
                   int64_t py, int64_t px, At at) {
  double offset = p.halfPixel ? 0.5 : 0.0;
  double x1 = box[0] * p.spatialScale - offset, y1 = box[1] * p.spatialScale - offset;
  double x2 = box[2] * p.spatialScale - offset, y2 = box[3] * p.spatialScale - offset;
  double width = x2 - x1, height = y2 - y1;
  if (!p.halfPixel) { // the legacy mode forces malformed regions to 1 x 1
    width = std::max(width, 1.0);
    height = std::max(height, 1.0);
  }
  double binH = height / static_cast<double>(ph), binW = width / static_cast<double>(pw);
  int64_t gridH = p.samplingRatio > 0 ? p.samplingRatio : static_cast<int64_t>(std::ceil(height / static_cast<double>(ph)));
  int64_t gridW = p.samplingRatio > 0 ? p.samplingRatio : static_cast<int64_t>(std::ceil(width / static_cast<double>(pw)));
  double count = static_cast<double>(std::max<int64_t>(gridH * gridW, 1));
  double sum = 0, best = -std::numeric_limits<double>::infinity();
  bool any = false;
  for (int64_t iy = 0; iy < gridH; ++iy)
    for (int64_t ix = 0; ix < gridW; ++ix) {
      double y = y1 + static_cast<double>(py) * binH + (static_cast<double>(iy) + 0.5) * binH / static_cast<double>(gridH);
      double x = x1 + static_cast<double>(px) * binW + (static_cast<double>(ix) + 0.5) * binW / static_cast<double>(gridW);
      double v[4] = {0, 0, 0, 0}, wt[4] = {0, 0, 0, 0};
      if (!(y < -1.0 || y > static_cast<double>(h) || x < -1.0 || x > static_cast<double>(w))) {
        y = std::max(y, 0.0);
        x = std::max(x, 0.0);
        int64_t y0 = static_cast<int64_t>(y), x0 = static_cast<int64_t>(x), y1i, x1i;
        if (y0 >= h - 1) {
          y1i = y0 = h - 1;
          y = static_cast<double>(y0);
        } else {
          y1i = y0 + 1;
        }
        if (x0 >= w - 1) {
          x1i = x0 = w - 1;
          x = static_cast<double>(x0);
        } else {
          x1i = x0 + 1;
        }
        double ly = y - static_cast<double>(y0), lx = x - static_cast<double>(x0), hy = 1 - ly, hx = 1 - lx;
        wt[0] = hy * hx, wt[1] = hy * lx, wt[2] = ly * hx, wt[3] = ly * lx;
        v[0] = at(y0, x0), v[1] = at(y0, x1i), v[2] = at(y1i, x0), v[3] = at(y1i, x1i);
      }
      if (p.max) {
        double m = std::max(std::max(wt[0] * v[0], wt[1] * v[1]), std::max(wt[2] * v[2], wt[3] * v[3]));
        best = any ? std::max(best, m) : m;
        any = true;
      } else {
        sum += wt[0] * v[0] + wt[1] * v[1] + wt[2] * v[2] + wt[3] * v[3];
      }
    }
  return p.max ? (any ? best : 0.0) : sum / count;
}

} // namespace kiln::ref

#endif // KILN_REFERENCE_SAMPLING_H
