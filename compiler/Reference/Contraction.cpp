// Reference kernels for contractions: MatMul, Gemm, Conv and ConvTranspose, accumulating
// floating-point products in double.
#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/IndexUtil.h"

#include "mlir/IR/Operation.h"

#include <algorithm>

using namespace mlir;
using namespace kiln::ref;
using namespace kiln::ref::util;

namespace {

LogicalResult matmulKernel(Operation *op, Operands in, Results out) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor &y = out[0];
  if (a.rank() == 0 || b.rank() == 0)
    return op->emitOpError("reference: matmul of a scalar");
  std::string error;
  std::optional<MatMulGeometry> g = matmulGeometry(a.shape(), b.shape(), error);
  if (!g)
    return op->emitOpError("reference: ") << error;
  int64_t m = g->m, k = g->k, n = g->n, batches = g->batches;
  size_t br = g->batch.size();
  ArrayRef<int64_t> batch = g->batch, aStride = g->aStride, bStride = g->bStride;
  if (batches * m * n != y.numElements())
    return op->emitOpError("reference: matmul result size does not match the result type");
  bool fp = isFloat(y.dtype());
  std::vector<double> af, bf, yf;
  std::vector<int64_t> ai, bi;
  if (fp) {
    af = toDoubles(a);
    bf = toDoubles(b);
    yf.resize(y.numElements());
  } else {
    ai = toInts(a);
    bi = toInts(b);
  }
  SmallVector<int64_t> pos(br, 0);
  for (int64_t t = 0; t < batches; ++t, nextIndex(pos, batch)) {
    int64_t aOff = 0, bOff = 0;
    for (size_t i = 0; i < br; ++i) {
      aOff += pos[i] * aStride[i];
      bOff += pos[i] * bStride[i];
    }
    aOff *= m * k;
    bOff *= k * n;
    for (int64_t r = 0; r < m; ++r)
      for (int64_t c = 0; c < n; ++c) {
        int64_t yi = (t * m + r) * n + c;
        if (fp) {
          double acc = 0;
          for (int64_t j = 0; j < k; ++j)
            acc += af[aOff + r * k + j] * bf[bOff + j * n + c];
          yf[yi] = acc;
        } else {
          // Integer products wrap in the element type as NumPy's do; uint64 makes the
          // wrap defined and truncates to the same bits.
          uint64_t acc = 0;
          for (int64_t j = 0; j < k; ++j)
            acc += static_cast<uint64_t>(ai[aOff + r * k + j]) *
                   static_cast<uint64_t>(bi[bOff + j * n + c]);
          y.setInt(yi, static_cast<int64_t>(acc));
        }
      }
  }
  if (fp)
    fromDoubles(y, yf);
  return success();
}

LogicalResult gemmKernel(Operation *op, Operands in, Results out) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor &y = out[0];
  bool ta = intAttr(op, "transA", 0) != 0, tb = intAttr(op, "transB", 0) != 0;
  double alpha = floatAttr(op, "alpha", 1.0), beta = floatAttr(op, "beta", 1.0);
  int64_t m = ta ? a.shape()[1] : a.shape()[0], k = ta ? a.shape()[0] : a.shape()[1];
  int64_t kb = tb ? b.shape()[1] : b.shape()[0], n = tb ? b.shape()[0] : b.shape()[1];
  if (k != kb || y.numElements() != m * n)
    return op->emitOpError("reference: gemm operand shapes do not match");
  std::vector<double> af = toDoubles(a), bf = toDoubles(b), cf, yf(m * n);
  // C broadcasts unidirectionally: right-aligned, size-1 axes repeat.
  int64_t cRowStride = 0, cColStride = 0;
  if (in[2]) {
    cf = toDoubles(*in[2]);
    ArrayRef<int64_t> cs = in[2]->shape();
    int64_t cr = cs.size() == 2 ? cs[0] : 1, cc = cs.empty() ? 1 : cs.back();
    if ((cr != 1 && cr != m) || (cc != 1 && cc != n))
      return op->emitOpError("reference: gemm C does not broadcast to ") << m << "x" << n;
    cColStride = cc == 1 ? 0 : 1;
    cRowStride = cr == 1 ? 0 : cc;
  }
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < n; ++c) {
      double acc = 0;
      for (int64_t j = 0; j < k; ++j)
        acc += af[ta ? j * m + r : r * k + j] * bf[tb ? c * k + j : j * n + c];
      double v = alpha * acc;
      if (in[2])
        v += beta * cf[r * cRowStride + c * cColStride];
      yf[r * n + c] = v;
    }
  fromDoubles(y, yf);
  return success();
}

/// Spatial geometry shared by Conv and ConvTranspose.
struct ConvGeometry {
  SmallVector<int64_t> in, out, kernel, strides, dilations, padBegin, padEnd;
};

/// For the spatial position `from` (an index into `g.out` for Conv, `g.in` for
/// ConvTranspose), the (kernel offset, flat offset into `to`) pairs whose
/// `from * stride - padBegin + k * dilation` lands inside the `to` extents; positions
/// in the padding contribute nothing and are left out.
void collectTaps(const ConvGeometry &g, ArrayRef<int64_t> from, ArrayRef<int64_t> to,
                 ArrayRef<int64_t> toStrides, std::vector<std::pair<int64_t, int64_t>> &taps) {
  size_t r = g.kernel.size();
  taps.clear();
  SmallVector<int64_t> kpos(r, 0);
  for (int64_t kk = 0, kSp = product(g.kernel); kk < kSp; ++kk, nextIndex(kpos, g.kernel)) {
    int64_t off = 0;
    bool inside = true;
    for (size_t d = 0; d < r && inside; ++d) {
      int64_t t = from[d] * g.strides[d] - g.padBegin[d] + kpos[d] * g.dilations[d];
      inside = t >= 0 && t < to[d];
      off += t * toStrides[d];
    }
    if (inside)
      taps.emplace_back(kk, off);
  }
}

ConvGeometry convGeometry(Operation *op, const Tensor &x, const Tensor &w, const Tensor &y) {
  ConvGeometry g;
  size_t r = static_cast<size_t>(x.rank()) - 2;
  g.in.assign(x.shape().begin() + 2, x.shape().end());
  g.out.assign(y.shape().begin() + 2, y.shape().end());
  g.kernel.assign(w.shape().begin() + 2, w.shape().end());
  g.strides = arrayAttrOr(op, "strides", r, 1);
  g.dilations = arrayAttrOr(op, "dilations", r, 1);
  return g;
}

LogicalResult convKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &w = *in[1];
  Tensor &y = out[0];
  ConvGeometry g = convGeometry(op, x, w, y);
  windowPads(op, g.in, g.kernel, g.strides, g.dilations, g.padBegin, g.padEnd);
  int64_t groups = intAttr(op, "group", 1);
  int64_t batch = x.shape()[0], c = x.shape()[1], m = w.shape()[0], cg = w.shape()[1];
  if (groups <= 0 || c != cg * groups || m % groups != 0 || y.shape()[1] != m)
    return op->emitOpError("reference: conv channels do not match group ") << groups;
  int64_t mg = m / groups;
  size_t r = g.in.size();
  int64_t inSp = product(g.in), outSp = product(g.out), kSp = product(g.kernel);
  std::vector<double> xf = toDoubles(x), wf = toDoubles(w), bf, yf(y.numElements());
  if (in[2])
    bf = toDoubles(*in[2]);
  SmallVector<int64_t> inStr = stridesOf(g.in);
  // For each output position, the (kernel offset, input offset) pairs that land inside
  // the input; padding contributes zeros and is skipped.
  std::vector<std::pair<int64_t, int64_t>> taps;
  SmallVector<int64_t> opos(r, 0);
  for (int64_t o = 0; o < outSp; ++o, nextIndex(opos, g.out)) {
    collectTaps(g, opos, g.in, inStr, taps);
    for (int64_t nb = 0; nb < batch; ++nb)
      for (int64_t mo = 0; mo < m; ++mo) {
        int64_t gi = mo / mg;
        double acc = 0;
        for (int64_t ci = 0; ci < cg; ++ci) {
          const double *xp = xf.data() + (nb * c + gi * cg + ci) * inSp;
          const double *wp = wf.data() + (mo * cg + ci) * kSp;
          for (const auto &[kk, off] : taps)
            acc += xp[off] * wp[kk];
        }
        if (in[2])
          acc += bf[mo];
        yf[(nb * m + mo) * outSp + o] = acc;
      }
  }
  fromDoubles(y, yf);
  return success();
}

LogicalResult convTransposeKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &w = *in[1];
  Tensor &y = out[0];
  ConvGeometry g = convGeometry(op, x, w, y);
  size_t r = g.in.size();
  int64_t groups = intAttr(op, "group", 1);
  int64_t batch = x.shape()[0], c = x.shape()[1], mg = w.shape()[1], m = mg * groups;
  if (groups <= 0 || w.shape()[0] != c || c % groups != 0 || y.shape()[1] != m)
    return op->emitOpError("reference: conv_transpose channels do not match group ") << groups;
  int64_t cg = c / groups;
  g.padBegin = convTransposePadBegin(op, g.in, g.kernel, g.strides, g.dilations, g.out);
  int64_t inSp = product(g.in), outSp = product(g.out), kSp = product(g.kernel);
  std::vector<double> xf = toDoubles(x), wf = toDoubles(w), yf(y.numElements(), 0.0);
  SmallVector<int64_t> outStr = stridesOf(g.out);
  std::vector<std::pair<int64_t, int64_t>> taps; // (kernel offset, output offset)
  SmallVector<int64_t> ipos(r, 0);
  for (int64_t i = 0; i < inSp; ++i, nextIndex(ipos, g.in)) {
    collectTaps(g, ipos, g.out, outStr, taps);
    for (int64_t nb = 0; nb < batch; ++nb)
      for (int64_t ci = 0; ci < c; ++ci) {
        int64_t gi = ci / cg;
        double xv = xf[(nb * c + ci) * inSp + i];
        for (int64_t mm = 0; mm < mg; ++mm) {
          double *yp = yf.data() + (nb * m + gi * mg + mm) * outSp;
          const double *wp = wf.data() + (ci * mg + mm) * kSp;
          for (const auto &[kk, off] : taps)
            yp[off] += xv * wp[kk];
        }
      }
  }
  if (in[2]) {
    std::vector<double> bf = toDoubles(*in[2]);
    for (int64_t nb = 0; nb < batch; ++nb)
      for (int64_t mo = 0; mo < m; ++mo)
        for (int64_t o = 0; o < outSp; ++o)
          yf[(nb * m + mo) * outSp + o] += bf[mo];
  }
  fromDoubles(y, yf);
  return success();
}

} // namespace

void kiln::ref::registerContractionKernels(KernelTable &table) {
  table["kiln.matmul"] = matmulKernel;
  table["kiln.gemm"] = gemmKernel;
  table["kiln.conv"] = convKernel;
  table["kiln.conv_transpose"] = convTransposeKernel;
}
