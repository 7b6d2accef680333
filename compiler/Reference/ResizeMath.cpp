// Resize's per-axis coordinate math (see ResizeMath.h).
#include "compiler/Reference/ResizeMath.h"

#include "compiler/Reference/IndexUtil.h"

#include "llvm/ADT/STLExtras.h"
#include <cmath>

using namespace kiln::ref;
using llvm::SmallVectorImpl;
using llvm::StringRef;

std::optional<ResizeConfig> kiln::ref::readResizeConfig(mlir::Operation *op, std::string &error) {
  using namespace kiln::ref::util;
  ResizeConfig c;
  c.mode = strAttr(op, "mode", "nearest");
  c.ctm = strAttr(op, "coordinate_transformation_mode", "half_pixel");
  c.nearestMode = strAttr(op, "nearest_mode", "round_prefer_floor");
  c.cubicA = floatAttr(op, "cubic_coeff_a", -0.75);
  c.extrapolation = floatAttr(op, "extrapolation_value", 0.0);
  c.excludeOutside = intAttr(op, "exclude_outside", 0) != 0;
  if (c.mode != "nearest" && c.mode != "linear" && c.mode != "cubic") {
    error = ("unknown resize mode '" + c.mode + "'").str();
    return std::nullopt;
  }
  static const char *ctms[] = {"half_pixel",         "pytorch_half_pixel",   "align_corners",
                               "asymmetric",         "tf_crop_and_resize",   "half_pixel_symmetric",
                               "tf_half_pixel_for_nn"};
  if (llvm::none_of(ctms, [&](const char *m) { return c.ctm == m; })) {
    error = ("unknown coordinate_transformation_mode '" + c.ctm + "'").str();
    return std::nullopt;
  }
  return c;
}

std::optional<double> kiln::ref::resizeSourceCoord(const ResizeConfig &c, const ResizeAxis &a,
                                                   int64_t xi) {
  double x = static_cast<double>(xi);
  double inW = static_cast<double>(a.inSize);
  double outW = a.scale * inW; // the reference uses scale * in, not the integer size
  StringRef m = c.ctm;
  if (m == "align_corners")
    return outW == 1 ? 0.0 : x * (inW - 1) / (outW - 1);
  if (m == "asymmetric")
    return x / a.scale;
  if (m == "tf_crop_and_resize") {
    double o = outW == 1 ? (a.roiEnd - a.roiStart) * (inW - 1) / 2
                         : x * (a.roiEnd - a.roiStart) * (inW - 1) / (outW - 1);
    o += a.roiStart * (inW - 1);
    if (o < 0 || o > inW - 1)
      return std::nullopt;
    return o;
  }
  if (m == "pytorch_half_pixel")
    return outW == 1 ? -0.5 : (x + 0.5) / a.scale - 0.5;
  if (m == "half_pixel_symmetric") {
    double adjustment = static_cast<double>(a.outSize) / outW;
    double center = inW / 2;
    double offset = center * (1 - adjustment);
    return offset + (x + 0.5) / a.scale - 0.5;
  }
  if (m == "tf_half_pixel_for_nn")
    return (x + 0.5) / a.scale;
  return (x + 0.5) / a.scale - 0.5; // half_pixel
}

void kiln::ref::resizeTaps(const ResizeConfig &c, const ResizeAxis &a, double xo,
                           SmallVectorImpl<int64_t> &idx, SmallVectorImpl<double> &w) {
  idx.clear();
  w.clear();
  // ratio lies in (0, 1]: an integral position takes the pixel on its right with
  // ratio 1, exactly as the reference's neighbour search does.
  double fl = std::floor(xo);
  int64_t left = static_cast<int64_t>(fl);
  double ratio = xo - fl;
  if (ratio == 0) {
    ratio = 1;
    left -= 1;
  }
  if (c.mode == "nearest") {
    bool right;
    if (ratio == 1)
      right = true;
    else if (c.nearestMode == "round_prefer_ceil")
      right = ratio >= 0.5;
    else if (c.nearestMode == "floor")
      right = false;
    else if (c.nearestMode == "ceil")
      right = true;
    else
      right = ratio > 0.5;
    idx.push_back(right ? left + 1 : left);
    w.push_back(1.0);
    return;
  }
  if (c.mode == "linear") {
    idx.append({left, left + 1});
    w.append({1 - ratio, ratio});
  } else {
    double A = c.cubicA, r = ratio, s = 1 - ratio;
    idx.append({left - 1, left, left + 1, left + 2});
    w.append({((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A,
              ((A + 2) * r - (A + 3)) * r * r + 1, ((A + 2) * s - (A + 3)) * s * s + 1,
              ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A});
  }
  if (c.excludeOutside) {
    double sum = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
      if (idx[i] < 0 || idx[i] >= a.inSize)
        w[i] = 0;
      sum += w[i];
    }
    for (double &v : w)
      v /= sum;
  }
}
