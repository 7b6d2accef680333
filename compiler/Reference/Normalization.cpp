// Reference kernels for normalizations (layer, batch, instance, LRN, MVN), inference dropout and the NLL / softmax cross-entropy losses.
#include "compiler/Reference/KernelUtil.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <cstring>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {
namespace {

/// Whether optional result `i` is present (not `none`).
bool hasResult(Operation *op, unsigned i) {
  return i < op->getNumResults() && !isa<NoneType>(op->getResult(i).getType());
}

/// Statistics are computed in double with the two-pass (x - mean)^2 variance.
LogicalResult layerNorm(Operation *op, Operands in, Results out) {
  auto ln = cast<k::LayerNormalizationOp>(op);
  const Tensor &x = *in[0], &scale = *in[1];
  const Tensor *bias = in[2];
  int64_t a = static_cast<int64_t>(ln.getAxis());
  std::optional<int64_t> axis = normalizeAxis(a, x.rank());
  if (!axis)
    return op->emitOpError() << "axis " << a << " is out of range for rank " << x.rank();
  double eps = ln.getEpsilon().convertToFloat();
  ArrayRef<int64_t> normShape = x.shape().drop_front(*axis);
  int64_t inner = 1, outer = 1;
  for (int64_t d : normShape)
    inner *= d;
  for (int64_t i = 0; i < *axis; ++i)
    outer *= x.shape()[i];
  auto bcastOk = [&](const Tensor &t) {
    if (t.rank() > static_cast<int64_t>(normShape.size()))
      return false;
    for (int64_t i = 0; i < t.rank(); ++i) {
      int64_t d = t.shape()[t.rank() - 1 - i], n = normShape[normShape.size() - 1 - i];
      if (d != 1 && d != n)
        return false;
    }
    return true;
  };
  if (!bcastOk(scale) || (bias && !bcastOk(*bias)))
    return op->emitOpError() << "Scale and B must broadcast to the normalized axes";
  // Offsets of Scale/B for each position of the normalized block.
  std::vector<int64_t> sOff(inner), bOff(inner);
  forEachBroadcast(normShape, {scale.shape(), bias ? bias->shape() : scale.shape()},
                   [&](int64_t e, ArrayRef<int64_t> off) {
                     sOff[e] = off[0];
                     bOff[e] = off[1];
                   });
  for (unsigned i : {1u, 2u})
    if (hasResult(op, i) && out[i].numElements() != outer)
      return op->emitOpError() << "result " << i << " must have " << outer << " elements";
  Tensor &y = out[0];
  for (int64_t o = 0; o < outer; ++o) {
    int64_t base = o * inner;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < inner; ++i)
      mean += x.getDouble(base + i);
    mean /= static_cast<double>(inner);
    for (int64_t i = 0; i < inner; ++i) {
      double d = x.getDouble(base + i) - mean;
      var += d * d;
    }
    var /= static_cast<double>(inner);
    double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < inner; ++i) {
      double v = (x.getDouble(base + i) - mean) * inv * scale.getDouble(sOff[i]);
      if (bias)
        v += bias->getDouble(bOff[i]);
      y.setDouble(base + i, v);
    }
    if (hasResult(op, 1))
      out[1].setDouble(o, mean);
    if (hasResult(op, 2))
      out[2].setDouble(o, inv);
  }
  return success();
}

/// Per-channel affine normalization with channel axis 1: y = (x - m) / sqrt(v + eps) * s + b.
LogicalResult batchNorm(Operation *op, Operands in, Results out) {
  auto bn = cast<k::BatchNormalizationOp>(op);
  if (bn.getTrainingMode() != 0)
    return op->emitOpError() << "training mode is not supported by the reference evaluator";
  const Tensor &x = *in[0], &s = *in[1], &b = *in[2], &m = *in[3], &v = *in[4];
  double eps = bn.getEpsilon().convertToFloat();
  int64_t n = x.rank() > 0 ? x.shape()[0] : 1, c = x.rank() > 1 ? x.shape()[1] : 1;
  int64_t inner = c ? x.numElements() / std::max<int64_t>(n * c, 1) : 0;
  for (const Tensor *t : {&s, &b, &m, &v})
    if (t->numElements() != c)
      return op->emitOpError() << "per-channel operands must have " << c << " elements";
  Tensor &y = out[0];
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      double scale = s.getDouble(ch) / std::sqrt(v.getDouble(ch) + eps);
      double mean = m.getDouble(ch), bias = b.getDouble(ch);
      int64_t base = (i * c + ch) * inner;
      for (int64_t j = 0; j < inner; ++j)
        y.setDouble(base + j, (x.getDouble(base + j) - mean) * scale + bias);
    }
  return success();
}

LogicalResult instanceNorm(Operation *op, Operands in, Results out) {
  auto inorm = cast<k::InstanceNormalizationOp>(op);
  const Tensor &x = *in[0], &s = *in[1], &b = *in[2];
  if (x.rank() < 2)
    return op->emitOpError() << "needs an input of rank >= 2";
  double eps = inorm.getEpsilon().convertToFloat();
  int64_t n = x.shape()[0], c = x.shape()[1];
  int64_t inner = 1;
  for (int64_t i = 2; i < x.rank(); ++i)
    inner *= x.shape()[i];
  if (s.numElements() != c || b.numElements() != c)
    return op->emitOpError() << "scale and B must have " << c << " elements";
  Tensor &y = out[0];
  for (int64_t i = 0; i < n * c; ++i) {
    int64_t base = i * inner, ch = i % c;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < inner; ++j)
      mean += x.getDouble(base + j);
    mean /= static_cast<double>(inner);
    for (int64_t j = 0; j < inner; ++j) {
      double d = x.getDouble(base + j) - mean;
      var += d * d;
    }
    var /= static_cast<double>(inner);
    double scale = s.getDouble(ch) / std::sqrt(var + eps), bias = b.getDouble(ch);
    for (int64_t j = 0; j < inner; ++j)
      y.setDouble(base + j, (x.getDouble(base + j) - mean) * scale + bias);
  }
  return success();
}

/// Sum of squares over channels [c - floor((size-1)/2), c + ceil((size-1)/2)], as ONNX.
LogicalResult lrn(Operation *op, Operands in, Results out) {
  auto l = cast<k::LRNOp>(op);
  const Tensor &x = *in[0];
  if (x.rank() < 2)
    return op->emitOpError() << "needs an input of rank >= 2";
  double alpha = l.getAlpha().convertToFloat(), beta = l.getBeta().convertToFloat(),
         bias = l.getBias().convertToFloat();
  int64_t size = static_cast<int64_t>(l.getSize());
  int64_t n = x.shape()[0], c = x.shape()[1], inner = 1;
  for (int64_t i = 2; i < x.rank(); ++i)
    inner *= x.shape()[i];
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  Tensor &y = out[0];
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t j = 0; j < inner; ++j) {
        double sq = 0;
        for (int64_t cc = std::max<int64_t>(0, ch - lo); cc <= std::min(c - 1, ch + hi); ++cc) {
          double v = x.getDouble((i * c + cc) * inner + j);
          sq += v * v;
        }
        int64_t idx = (i * c + ch) * inner + j;
        y.setDouble(idx, x.getDouble(idx) / std::pow(bias + alpha / static_cast<double>(size) * sq, beta));
      }
  return success();
}

/// (x - mean) / (std + 1e-9) over `axes`, the ONNX function body's formula.
LogicalResult mvn(Operation *op, Operands in, Results out) {
  auto m = cast<k::MeanVarianceNormalizationOp>(op);
  const Tensor &x = *in[0];
  SmallVector<int64_t> keep(x.shape());
  int64_t count = 1;
  for (int64_t a : m.getAxes()) {
    std::optional<int64_t> ax = normalizeAxis(a, x.rank());
    if (!ax)
      return op->emitOpError() << "axis " << a << " is out of range for rank " << x.rank();
    if (keep[*ax] != 1 || x.shape()[*ax] == 1) {
      count *= x.shape()[*ax];
      keep[*ax] = 1;
    }
  }
  int64_t groups = 1;
  for (int64_t d : keep)
    groups *= d;
  std::vector<double> mean(groups, 0.0), var(groups, 0.0);
  ArrayRef<int64_t> keepRef(keep);
  forEachBroadcast(x.shape(), {keepRef}, [&](int64_t e, ArrayRef<int64_t> off) {
    mean[off[0]] += x.getDouble(e);
  });
  for (double &v : mean)
    v /= static_cast<double>(count);
  forEachBroadcast(x.shape(), {keepRef}, [&](int64_t e, ArrayRef<int64_t> off) {
    double d = x.getDouble(e) - mean[off[0]];
    var[off[0]] += d * d;
  });
  Tensor &y = out[0];
  forEachBroadcast(x.shape(), {keepRef}, [&](int64_t e, ArrayRef<int64_t> off) {
    double sd = std::sqrt(var[off[0]] / static_cast<double>(count));
    y.setDouble(e, (x.getDouble(e) - mean[off[0]]) / (sd + 1e-9));
  });
  return success();
}

LogicalResult dropout(Operation *op, Operands in, Results out) {
  if (in[2] && in[2]->numElements() == 1 && in[2]->data<uint8_t>()[0])
    return op->emitOpError() << "training mode is not supported by the reference evaluator";
  copyBytes(out[0].bytes(), in[0]->bytes(), in[0]->numBytes());
  if (hasResult(op, 1))
    std::fill(out[1].data<uint8_t>(), out[1].data<uint8_t>() + out[1].numElements(), 1);
  return success();
}

/// NegativeLogLikelihoodLoss over log-probabilities `logp(n, c, d)` (input viewed as
/// N x C x D), following onnx's reference: per-element weights are weight[target] (1
/// without weights) and 0 where target == ignore_index; 'mean' divides the weighted sum
/// by the sum of those weights.
template <typename LogP>
LogicalResult nllCore(Operation *op, const Tensor &input, const Tensor &target,
                      const Tensor *weight, std::optional<int64_t> ignore, StringRef reduction,
                      Tensor &loss, LogP logp) {
  if (input.rank() < 2)
    return op->emitOpError() << "input must have rank >= 2";
  int64_t n = input.shape()[0], c = input.shape()[1];
  int64_t d = n * c != 0 ? input.numElements() / (n * c) : 0;
  if (target.numElements() != n * d)
    return op->emitOpError() << "target must have N x d1 x ... elements";
  if (weight && weight->numElements() != c)
    return op->emitOpError() << "weight must have C = " << c << " elements";
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return op->emitOpError() << "unknown reduction '" << reduction << "'";
  double sum = 0, wsum = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      int64_t t = target.getInt(i * d + j);
      double l = 0, w = 0;
      if (!ignore || t != *ignore) {
        if (t < 0 || t >= c)
          return op->emitOpError() << "target " << t << " is out of range [0, " << c << ")";
        w = weight ? weight->getDouble(t) : 1.0;
        l = -logp(i, t, j) * w;
      }
      if (reduction == "none")
        loss.setDouble(i * d + j, l);
      sum += l;
      wsum += w;
    }
  if (reduction == "sum")
    loss.setDouble(0, sum);
  else if (reduction == "mean")
    loss.setDouble(0, sum / wsum);
  return success();
}

std::optional<int64_t> ignoreIndex(Operation *op) {
  if (auto a = op->getAttrOfType<IntegerAttr>("ignore_index"))
    return a.getInt();
  return std::nullopt;
}

LogicalResult nllLoss(Operation *op, Operands in, Results out) {
  auto l = cast<k::NegativeLogLikelihoodLossOp>(op);
  const Tensor &x = *in[0];
  int64_t c = x.rank() >= 2 ? x.shape()[1] : 0;
  int64_t d = x.rank() >= 2 && x.shape()[0] * c != 0 ? x.numElements() / (x.shape()[0] * c) : 0;
  return nllCore(op, x, *in[1], in[2], ignoreIndex(op), l.getReduction(), out[0],
                 [&](int64_t i, int64_t t, int64_t j) { return x.getDouble((i * c + t) * d + j); });
}

LogicalResult softmaxCrossEntropy(Operation *op, Operands in, Results out) {
  auto l = cast<k::SoftmaxCrossEntropyLossOp>(op);
  const Tensor &x = *in[0];
  if (x.rank() < 2)
    return op->emitOpError() << "scores must have rank >= 2";
  int64_t n = x.shape()[0], c = x.shape()[1];
  int64_t d = n * c != 0 ? x.numElements() / (n * c) : 0;
  // Max-subtracted log-softmax along axis 1, in double.
  std::vector<double> logp(x.numElements());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      double mx = -INFINITY, sum = 0;
      for (int64_t t = 0; t < c; ++t)
        mx = std::max(mx, x.getDouble((i * c + t) * d + j));
      for (int64_t t = 0; t < c; ++t)
        sum += std::exp(x.getDouble((i * c + t) * d + j) - mx);
      double ls = std::log(sum);
      for (int64_t t = 0; t < c; ++t) {
        int64_t idx = (i * c + t) * d + j;
        logp[idx] = x.getDouble(idx) - mx - ls;
      }
    }
  if (hasResult(op, 1) && out[1].numElements() != x.numElements())
    return op->emitOpError() << "log_prob must have the shape of scores";
  if (hasResult(op, 1))
    for (int64_t i = 0, e = x.numElements(); i < e; ++i)
      out[1].setDouble(i, logp[i]);
  return nllCore(op, x, *in[1], in[2], ignoreIndex(op), l.getReduction(), out[0],
                 [&](int64_t i, int64_t t, int64_t j) { return logp[(i * c + t) * d + j]; });
}

} // namespace

void registerNormalizationKernels(KernelTable &table) {
  table["kiln.layer_normalization"] = layerNorm;
  table["kiln.batch_normalization"] = batchNorm;
  table["kiln.instance_normalization"] = instanceNorm;
  table["kiln.lrn"] = lrn;
  table["kiln.mean_variance_normalization"] = mvn;
  table["kiln.dropout"] = dropout;
  table["kiln.negative_log_likelihood_loss"] = nllLoss;
  table["kiln.softmax_cross_entropy_loss"] = softmaxCrossEntropy;
}

} // namespace kiln::ref
