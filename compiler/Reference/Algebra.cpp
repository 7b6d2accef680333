// Reference kernels of Einsum (a direct sum over the equation's labels) and Det (LU with partial pivoting, in double).
#include "compiler/Reference/Evaluator.h"

#include "compiler/Dialect/Kiln/IR/Einsum.h"
#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <cmath>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {
namespace {

LogicalResult einsum(Operation *op, Operands in, Results out) {
  auto e = cast<k::EinsumOp>(op);
  SmallVector<ArrayRef<int64_t>> shapes;
  for (const Tensor *t : in)
    shapes.push_back(t->shape());
  std::string error;
  std::optional<k::EinsumSpec> spec = k::parseEinsum(e.getEquation(), shapes, error);
  if (!spec)
    return op->emitOpError() << error;
  Tensor &y = out[0];
  bool fp = isFloat(y.dtype());
  // Each input's strides per label (a label repeated in one input adds its strides:
  // that is the diagonal); ellipsis axes of size 1 broadcast (stride 0).
  std::vector<std::vector<int64_t>> strides(in.size(), std::vector<int64_t>(spec->labelCount(), 0));
  for (size_t i = 0; i < in.size(); ++i) {
    SmallVector<int64_t> s = in[i]->strides();
    for (auto [axis, label] : llvm::enumerate(spec->inputLabels[i]))
      if (in[i]->shape()[axis] != 1 || label >= spec->ellipsisRank)
        strides[i][label] += s[axis];
  }
  std::vector<int64_t> value(spec->labelCount(), 0);
  int64_t summedCount = 1;
  for (int label : spec->summed)
    summedCount *= spec->sizes[label];
  for (int64_t o = 0, n = y.numElements(); o < n; ++o) {
    int64_t rest = o;
    for (int a = static_cast<int>(spec->outputLabels.size()) - 1; a >= 0; --a) {
      int label = spec->outputLabels[a];
      value[label] = rest % spec->sizes[label];
      rest /= spec->sizes[label];
    }
    double accF = 0;
    uint64_t accI = 0; // integer products wrap, as NumPy's do
    for (int64_t s = 0; s < summedCount; ++s) {
      int64_t r = s;
      for (int a = static_cast<int>(spec->summed.size()) - 1; a >= 0; --a) {
        int label = spec->summed[a];
        value[label] = r % spec->sizes[label];
        r /= spec->sizes[label];
      }
      double pf = 1;
      uint64_t pi = 1;
      for (size_t i = 0; i < in.size(); ++i) {
        int64_t at = 0;
        for (int label = 0; label < spec->labelCount(); ++label)
          at += value[label] * strides[i][label];
        if (fp)
          pf *= in[i]->getDouble(at);
        else
          pi *= static_cast<uint64_t>(in[i]->getInt(at));
      }
      accF += pf;
      accI += pi;
    }
    if (fp)
      y.setDouble(o, accF);
    else
      y.setInt(o, static_cast<int64_t>(accI));
  }
  return success();
}

LogicalResult det(Operation *, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t m = x.shape().back(), count = out[0].numElements();
  std::vector<double> a(m * m);
  for (int64_t b = 0; b < count; ++b) {
    for (int64_t i = 0; i < m * m; ++i)
      a[i] = x.getDouble(b * m * m + i);
    double d = 1;
    for (int64_t col = 0; col < m && d != 0; ++col) {
      int64_t pivot = col;
      for (int64_t r = col + 1; r < m; ++r)
        if (std::fabs(a[r * m + col]) > std::fabs(a[pivot * m + col]))
          pivot = r;
      if (a[pivot * m + col] == 0) {
        d = 0;
        break;
      }
      if (pivot != col) {
        for (int64_t j = 0; j < m; ++j)
          std::swap(a[pivot * m + j], a[col * m + j]);
        d = -d;
      }
      d *= a[col * m + col];
      for (int64_t r = col + 1; r < m; ++r) {
        double f = a[r * m + col] / a[col * m + col];
        for (int64_t j = col; j < m; ++j)
          a[r * m + j] -= f * a[col * m + j];
      }
    }
    out[0].setDouble(b, d);
  }
  return success();
}

} // namespace

void registerAlgebraKernels(KernelTable &table) {
  table["kiln.einsum"] = einsum;
  table["kiln.det"] = det;
}

} // namespace kiln::ref
