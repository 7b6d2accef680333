// Reference kernels for pooling: MaxPool (with optional argmax Indices), AveragePool and
// the global pools, accumulating in double.
#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/IndexUtil.h"

#include "mlir/IR/Operation.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace kiln::ref;
using namespace kiln::ref::util;

namespace {

struct PoolGeometry {
  SmallVector<int64_t> in, out, kernel, strides, dilations, padBegin, padEnd;
  int64_t planes = 0; // N * C
};

PoolGeometry poolGeometry(Operation *op, const Tensor &x, const Tensor &y) {
  PoolGeometry g;
  size_t r = static_cast<size_t>(x.rank()) - 2;
  g.in.assign(x.shape().begin() + 2, x.shape().end());
  g.out.assign(y.shape().begin() + 2, y.shape().end());
  g.kernel = arrayAttrOr(op, "kernel_shape", r, 1);
  g.strides = arrayAttrOr(op, "strides", r, 1);
  g.dilations = arrayAttrOr(op, "dilations", r, 1);
  windowPads(op, g.in, g.kernel, g.strides, g.dilations, g.padBegin, g.padEnd);
  g.planes = x.shape()[0] * x.shape()[1];
  return g;
}

/// Calls `f(inputSpatialOffset, spatialIndex)` for each window element of output
/// position `opos` that lies inside the input, and returns how many window elements lie
/// inside the input plus its explicit (or SAME) padding, the AveragePool divisor when
/// count_include_pad is 1. Elements that only exist because ceil_mode added a partial
/// window are in neither.
template <typename F>
int64_t forEachWindowElement(const PoolGeometry &g, ArrayRef<int64_t> opos, F &&f) {
  size_t r = g.in.size();
  int64_t padded = 1;
  for (size_t d = 0; d < r; ++d) {
    int64_t start = opos[d] * g.strides[d] - g.padBegin[d], n = 0;
    for (int64_t k = 0; k < g.kernel[d]; ++k) {
      int64_t i = start + k * g.dilations[d];
      if (i >= -g.padBegin[d] && i < g.in[d] + g.padEnd[d])
        ++n;
    }
    padded *= n;
  }
  SmallVector<int64_t> kpos(r, 0), ipos(r, 0);
  SmallVector<int64_t> inStr = stridesOf(g.in);
  int64_t kn = product(g.kernel);
  for (int64_t kk = 0; kk < kn; ++kk, nextIndex(kpos, g.kernel)) {
    int64_t off = 0;
    bool inside = true;
    for (size_t d = 0; d < r; ++d) {
      ipos[d] = opos[d] * g.strides[d] - g.padBegin[d] + kpos[d] * g.dilations[d];
      if (ipos[d] < 0 || ipos[d] >= g.in[d]) {
        inside = false;
        break;
      }
      off += ipos[d] * inStr[d];
    }
    if (inside)
      f(off, ArrayRef<int64_t>(ipos));
  }
  return padded;
}

LogicalResult maxPoolKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  PoolGeometry g = poolGeometry(op, x, y);
  bool wantIndices = out.size() > 1 && !isa<NoneType>(op->getResult(1).getType());
  bool columnMajor = intAttr(op, "storage_order", 0) == 1;
  std::vector<double> xf = toDoubles(x);
  size_t es = byteSize(x.dtype());
  int64_t inSp = product(g.in), outSp = product(g.out);
  size_t r = g.in.size();
  SmallVector<int64_t> opos(r, 0);
  for (int64_t o = 0; o < outSp; ++o, nextIndex(opos, g.out)) {
    for (int64_t p = 0; p < g.planes; ++p) {
      const double *xp = xf.data() + p * inSp;
      double best = -std::numeric_limits<double>::infinity();
      int64_t bestOff = -1, bestIndex = 0;
      // NaN never wins, as the reference drops NaNs with its NaN padding; ties keep
      // the first element in row-major window order.
      forEachWindowElement(g, opos, [&](int64_t off, ArrayRef<int64_t> ipos) {
        if (bestOff < 0 ? !std::isnan(xp[off]) : xp[off] > best) {
          best = xp[off];
          bestOff = off;
          if (columnMajor) {
            int64_t idx = 0, stride = 1;
            for (size_t d = 0; d < r; ++d) {
              idx += ipos[d] * stride;
              stride *= g.in[d];
            }
            bestIndex = idx;
          } else {
            bestIndex = off;
          }
        }
      });
      int64_t yi = p * outSp + o;
      if (bestOff < 0) {
        y.setDouble(yi, std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      copyBytes(y.bytes() + yi * es, x.bytes() + (p * inSp + bestOff) * es, es);
      if (wantIndices)
        out[1].setInt(yi, p * inSp + bestIndex);
    }
  }
  return success();
}

LogicalResult averagePoolKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  PoolGeometry g = poolGeometry(op, x, y);
  bool includePad = intAttr(op, "count_include_pad", 0) != 0;
  std::vector<double> xf = toDoubles(x), yf(y.numElements());
  int64_t inSp = product(g.in), outSp = product(g.out);
  SmallVector<int64_t> opos(g.in.size(), 0);
  for (int64_t o = 0; o < outSp; ++o, nextIndex(opos, g.out)) {
    for (int64_t p = 0; p < g.planes; ++p) {
      const double *xp = xf.data() + p * inSp;
      double sum = 0;
      int64_t count = 0;
      int64_t padded = forEachWindowElement(g, opos, [&](int64_t off, ArrayRef<int64_t>) {
        sum += xp[off];
        ++count;
      });
      int64_t divisor = includePad ? padded : count;
      yf[p * outSp + o] =
          divisor == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / divisor;
    }
  }
  fromDoubles(y, yf);
  return success();
}

LogicalResult globalPoolKernel(Operation *op, Operands in, Results out, bool isMax) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  int64_t planes = x.shape()[0] * x.shape()[1];
  int64_t sp = product(x.shape().drop_front(2));
  if (y.numElements() != planes)
    return op->emitOpError("reference: global pool result must hold one value per channel");
  std::vector<double> xf = toDoubles(x), yf(planes);
  for (int64_t p = 0; p < planes; ++p) {
    const double *xp = xf.data() + p * sp;
    double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t i = 0; i < sp; ++i) {
      if (isMax)
        acc = (std::isnan(acc) || std::isnan(xp[i])) ? std::numeric_limits<double>::quiet_NaN()
                                                      : std::max(acc, xp[i]);
      else
        acc += xp[i];
    }
    yf[p] = isMax ? acc : acc / static_cast<double>(sp);
  }
  fromDoubles(y, yf);
  return success();
}

LogicalResult globalAveragePoolKernel(Operation *op, Operands in, Results out) {
  return globalPoolKernel(op, in, out, /*isMax=*/false);
}

LogicalResult globalMaxPoolKernel(Operation *op, Operands in, Results out) {
  return globalPoolKernel(op, in, out, /*isMax=*/true);
}

} // namespace

void kiln::ref::registerPoolingKernels(KernelTable &table) {
  table["kiln.max_pool"] = maxPoolKernel;
  table["kiln.average_pool"] = averagePoolKernel;
  table["kiln.global_average_pool"] = globalAveragePoolKernel;
  table["kiln.global_max_pool"] = globalMaxPoolKernel;
}
