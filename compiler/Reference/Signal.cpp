// Reference kernels of the signal-processing ops: DFT and STFT as direct sums in double, the windows, MelWeightMatrix.
#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/IndexUtil.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <cmath>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {
namespace {

constexpr double kPi = 3.14159265358979323846;

LogicalResult dft(Operation *op, Operands in, Results out) {
  auto d = cast<k::DFTOp>(op);
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  int64_t rank = x.rank(), axis = static_cast<int64_t>(d.getAxis()) < 0 ? static_cast<int64_t>(d.getAxis()) + rank : static_cast<int64_t>(d.getAxis());
  bool complexIn = x.shape().back() == 2;
  int64_t have = x.shape()[axis];
  int64_t n = in[1] ? in[1]->getInt(0) : have, count = y.shape()[axis];
  double sign = static_cast<int64_t>(d.getInverse()) ? 1 : -1, scale = static_cast<int64_t>(d.getInverse()) ? 1.0 / static_cast<double>(n) : 1.0;
  // Outer = axes before `axis`, inner = axes between it and the last.
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a)
    outer *= x.shape()[a];
  for (int64_t a = axis + 1; a < rank - 1; ++a)
    inner *= x.shape()[a];
  int64_t xc = complexIn ? 2 : 1;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t kk = 0; kk < count; ++kk) {
        double re = 0, im = 0;
        for (int64_t t = 0; t < std::min(n, have); ++t) {
          int64_t base = ((o * have + t) * inner + i) * xc;
          double xr = x.getDouble(base), xi = complexIn ? x.getDouble(base + 1) : 0;
          double angle = sign * 2 * kPi * static_cast<double>((kk * t) % n) / static_cast<double>(n);
          double c = std::cos(angle), s = std::sin(angle);
          re += xr * c - xi * s;
          im += xr * s + xi * c;
        }
        int64_t at = ((o * count + kk) * inner + i) * 2;
        y.setDouble(at, re * scale);
        y.setDouble(at + 1, im * scale);
      }
  return success();
}

LogicalResult stft(Operation *op, Operands in, Results out) {
  const Tensor &s = *in[0];
  const Tensor *window = in[2];
  Tensor &y = out[0];
  int64_t batch = s.shape()[0], length = s.shape()[1], sc = s.shape()[2];
  int64_t step = in[1]->getInt(0);
  int64_t frameLength = window ? window->shape()[0] : in[3]->getInt(0);
  int64_t frames = y.shape()[1], bins = y.shape()[2];
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < frames; ++f)
      for (int64_t kk = 0; kk < bins; ++kk) {
        double re = 0, im = 0;
        for (int64_t t = 0; t < frameLength; ++t) {
          int64_t pos = f * step + t;
          if (pos >= length)
            break;
          double w = window ? window->getDouble(t) : 1.0;
          double xr = s.getDouble((b * length + pos) * sc) * w;
          double xi = sc == 2 ? s.getDouble((b * length + pos) * sc + 1) * w : 0;
          double angle = -2 * kPi * static_cast<double>((kk * t) % frameLength) / static_cast<double>(frameLength);
          double c = std::cos(angle), sn = std::sin(angle);
          re += xr * c - xi * sn;
          im += xr * sn + xi * c;
        }
        int64_t at = ((b * frames + f) * bins + kk) * 2;
        y.setDouble(at, re);
        y.setDouble(at + 1, im);
      }
  return success();
}

/// Hann, Hamming and Blackman: a0 - a1 cos(2 pi n / D) + a2 cos(4 pi n / D).
template <int Kind>
LogicalResult window(Operation *op, Operands, Results out) {
  static const double kCoeffs[3][3] = {{0.5, 0.5, 0}, {25.0 / 46.0, 21.0 / 46.0, 0}, {0.42, 0.5, 0.08}};
  const double *a = kCoeffs[Kind];
  Tensor &y = out[0];
  int64_t size = y.numElements();
  bool periodic = util::intAttr(op, "periodic", 1) != 0;
  double denominator = static_cast<double>(periodic ? size : size - 1);
  for (int64_t n = 0; n < size; ++n) {
    double phase = denominator > 0 ? 2 * kPi * static_cast<double>(n) / denominator : 0;
    y.setDouble(n, a[0] - a[1] * std::cos(phase) + a[2] * std::cos(2 * phase));
  }
  return success();
}

/// ONNX's reference construction (onnx/backend/test/case/node/melweightmatrix.py):
/// num_mel_bins + 2 points evenly spaced in mel from the lower to the upper edge (the
/// step divides by their count), mapped to whole FFT bins, then triangles.
LogicalResult melWeightMatrix(Operation *, Operands in, Results out) {
  int64_t bins = in[0]->getInt(0), dftLength = in[1]->getInt(0), rate = in[2]->getInt(0);
  double lower = in[3]->getDouble(0), upper = in[4]->getDouble(0);
  Tensor &y = out[0];
  if (rate <= 0)
    return success();
  auto mel = [](double f) { return 2595 * std::log10(1 + f / 700); };
  double lowMel = mel(lower), step = (mel(upper) - lowMel) / static_cast<double>(bins + 2);
  std::vector<int64_t> points(bins + 2);
  for (int64_t i = 0; i < bins + 2; ++i) {
    double hz = 700 * (std::pow(10, (static_cast<double>(i) * step + lowMel) / 2595) - 1);
    points[i] = static_cast<int64_t>(std::floor(static_cast<double>(dftLength + 1) * hz / static_cast<double>(rate)));
  }
  int64_t rows = y.shape()[0];
  auto set = [&](int64_t row, int64_t col, double v) {
    if (row >= 0 && row < rows)
      y.setDouble(row * bins + col, v);
  };
  for (int64_t i = 0; i < bins; ++i) {
    int64_t left = points[i], center = points[i + 1], right = points[i + 2];
    if (center == left)
      set(center, i, 1);
    else
      for (int64_t j = left; j <= center; ++j)
        set(j, i, static_cast<double>(j - left) / static_cast<double>(center - left));
    if (right > center)
      for (int64_t j = center; j < right; ++j)
        set(j, i, static_cast<double>(right - j) / static_cast<double>(right - center));
  }
  return success();
}

} // namespace

void registerSignalKernels(KernelTable &table) {
  table["kiln.dft"] = dft;
  table["kiln.stft"] = stft;
  table["kiln.hann_window"] = window<0>;
  table["kiln.hamming_window"] = window<1>;
  table["kiln.blackman_window"] = window<2>;
  table["kiln.mel_weight_matrix"] = melWeightMatrix;
}

} // namespace kiln::ref
