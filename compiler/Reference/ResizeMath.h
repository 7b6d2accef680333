// Resize's per-axis coordinate math, shared by the reference kernel and the GPU
// generator so the two cannot drift: the coordinate transformation from an output
// coordinate back to a source position, and the taps (neighbour indices and weights)
// of that position for nearest, linear and cubic modes, all in double as ONNX's
// reference (op_resize.py) computes them.
#ifndef KILN_REFERENCE_RESIZEMATH_H
#define KILN_REFERENCE_RESIZEMATH_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>
#include <string>

namespace kiln::ref {

/// One axis: its sizes, its scale (output/input, as the reference uses it) and, for
/// tf_crop_and_resize, its region of interest.
struct ResizeAxis {
  int64_t inSize, outSize;
  double scale;
  double roiStart = 0, roiEnd = 1;
};

/// The op's interpolation attributes, with ONNX's defaults.
struct ResizeConfig {
  llvm::StringRef mode, ctm, nearestMode;
  double cubicA, extrapolation;
  bool excludeOutside;
};

/// Reads the attributes of a kiln.resize; on an unknown mode or coordinate
/// transformation, returns nullopt and sets `error` to a message naming it.
std::optional<ResizeConfig> readResizeConfig(mlir::Operation *op, std::string &error);

/// Source position of output coordinate `x` on one axis; nullopt means "outside the
/// crop" (tf_crop_and_resize returns the extrapolation value there).
std::optional<double> resizeSourceCoord(const ResizeConfig &c, const ResizeAxis &a, int64_t x);

/// The neighbours' indices (unclamped) and weights for source position `xo`.
void resizeTaps(const ResizeConfig &c, const ResizeAxis &a, double xo,
                llvm::SmallVectorImpl<int64_t> &idx, llvm::SmallVectorImpl<double> &w);

} // namespace kiln::ref

#endif // KILN_REFERENCE_RESIZEMATH_H
