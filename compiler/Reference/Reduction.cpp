// Reference kernels for reductions, arg-reductions, softmax-like rows, cumulative sums and top-k.
#include "compiler/Reference/KernelUtil.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <algorithm>
#include <cstring>
#include <numeric>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {
namespace {

enum class RK { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

/// Accumulator of each element type: floats in double; integers in 64 bits, wrapping.
template <DType D>
using AccT = std::conditional_t<isFloatD(D), double,
                                std::conditional_t<std::is_unsigned_v<StorageT<D>> &&
                                                       D != DType::Bool,
                                                   uint64_t, int64_t>>;

template <DType D> AccT<D> loadAcc(const Tensor &t, int64_t i) {
  return static_cast<AccT<D>>(load<D>(t, i));
}

/// The reduced axes as a mask, from the `axes` attribute (all axes when absent or empty;
/// the noop case is handled by the caller).
FailureOr<SmallVector<bool>> reducedAxes(Operation *op, int64_t rank) {
  auto axesAttr = op->getAttrOfType<DenseI64ArrayAttr>("axes");
  SmallVector<bool> mask(rank, false);
  if (!axesAttr || axesAttr.empty()) {
    mask.assign(rank, true);
    return mask;
  }
  for (int64_t a : axesAttr.asArrayRef()) {
    std::optional<int64_t> n = normalizeAxis(a, rank);
    if (!n) {
      op->emitOpError() << "axis " << a << " is out of range for rank " << rank;
      return failure();
    }
    mask[*n] = true;
  }
  return mask;
}

template <DType D> void reduceTyped(RK kind, const Tensor &x, ArrayRef<bool> mask, Tensor &y) {
  using A = AccT<D>;
  SmallVector<int64_t> keepShape(x.shape());
  int64_t count = 1;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) {
      count *= keepShape[i];
      keepShape[i] = 1;
    }
  int64_t outN = y.numElements();
  constexpr bool fp = isFloatD(D);
  // Identities of the empty reduction follow ONNX: max of nothing is the lowest value.
  A init = kind == RK::Prod ? 1 : 0;
  if constexpr (fp) {
    if (kind == RK::Max) init = -INFINITY;
    if (kind == RK::Min) init = INFINITY;
  } else if constexpr (D == DType::Bool) {
    if (kind == RK::Max) init = 0;
    if (kind == RK::Min) init = 1;
  } else if constexpr (!fp) {
    // Integer max/min start from the element type's own limits, not the accumulator's.
    if (kind == RK::Max) init = static_cast<A>(std::numeric_limits<StorageT<D>>::lowest());
    if (kind == RK::Min) init = static_cast<A>(std::numeric_limits<StorageT<D>>::max());
  }
  std::vector<A> acc(outN, init);
  std::vector<double> dacc; // real-valued accumulation for integer L2/log reductions
  bool real = !fp && (kind == RK::L2 || kind == RK::LogSum || kind == RK::LogSumExp);
  std::vector<double> rowMax;
  if (kind == RK::LogSumExp) {
    rowMax.assign(outN, -INFINITY);
    forEachBroadcast(x.shape(), {ArrayRef<int64_t>(keepShape)}, [&](int64_t e, ArrayRef<int64_t> off) {
      double v = static_cast<double>(load<D>(x, e));
      if (v > rowMax[off[0]] || std::isnan(v))
        rowMax[off[0]] = v;
    });
  }
  if (real)
    dacc.assign(outN, 0.0);
  forEachBroadcast(x.shape(), {ArrayRef<int64_t>(keepShape)}, [&](int64_t e, ArrayRef<int64_t> off) {
    int64_t o = off[0];
    A v = loadAcc<D>(x, e);
    if (real) {
      double dv = static_cast<double>(v);
      if (kind == RK::L2)
        dacc[o] += dv * dv;
      else if (kind == RK::LogSum)
        dacc[o] += dv;
      else
        dacc[o] += std::exp(dv - rowMax[o]);
      return;
    }
    switch (kind) {
    case RK::Sum:
    case RK::Mean:
    case RK::LogSum:
      if constexpr (fp) acc[o] += v;
      else acc[o] = static_cast<A>(uint64_t(acc[o]) + uint64_t(v)); // wraps, no signed overflow
      break;
    case RK::Max:
      if constexpr (fp) {
        if (std::isnan(v) || v > acc[o]) acc[o] = v;
      } else if (v > acc[o]) {
        acc[o] = v;
      }
      break;
    case RK::Min:
      if constexpr (fp) {
        if (std::isnan(v) || v < acc[o]) acc[o] = v;
      } else if (v < acc[o]) {
        acc[o] = v;
      }
      break;
    case RK::Prod:
      if constexpr (fp) acc[o] *= v;
      else acc[o] = static_cast<A>(uint64_t(acc[o]) * uint64_t(v));
      break;
    case RK::L1:
      if constexpr (fp) acc[o] += std::fabs(v);
      else if constexpr (std::is_signed_v<A>) acc[o] = static_cast<A>(uint64_t(acc[o]) + uint64_t(v < 0 ? 0 - uint64_t(v) : uint64_t(v)));
      else acc[o] += v;
      break;
    case RK::SumSquare:
    case RK::L2:
      if constexpr (fp) acc[o] += v * v;
      else acc[o] = static_cast<A>(uint64_t(acc[o]) + uint64_t(v) * uint64_t(v));
      break;
    case RK::LogSumExp: acc[o] += std::exp(static_cast<double>(v) - rowMax[o]); break;
    }
  });
  for (int64_t o = 0; o < outN; ++o) {
    if (real) {
      double r = kind == RK::L2 ? std::sqrt(dacc[o])
                 : kind == RK::LogSum ? std::log(dacc[o])
                                      : std::log(dacc[o]) + rowMax[o];
      storeDouble<D>(y, o, r);
      continue;
    }
    if constexpr (fp) {
      double r = acc[o];
      switch (kind) {
      case RK::Mean: r = r / static_cast<double>(count); break;
      case RK::L2: r = std::sqrt(r); break;
      case RK::LogSum: r = std::log(r); break;
      case RK::LogSumExp:
        // All -inf (or nothing) stays -inf; an infinite maximum is the result itself.
        r = std::isinf(rowMax[o]) ? rowMax[o] : std::log(r) + rowMax[o];
        break;
      default: break;
      }
      storeDouble<D>(y, o, r);
    } else {
      A r = acc[o];
      if (kind == RK::Mean)
        r = count ? static_cast<A>(r / static_cast<A>(count)) : 0;
      store<D>(y, o, static_cast<ComputeT<D>>(r));
    }
  }
}

LogicalResult reduce(RK kind, Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  // ONNX: with noop_with_empty_axes and no axes, "the output tensor would be equivalent
  // to the input tensor" for every reduce op (not x^2 for ReduceSumSquare, whatever the
  // Python reference does).
  auto axesAttr = op->getAttrOfType<DenseI64ArrayAttr>("axes");
  auto noopAttr = op->getAttrOfType<IntegerAttr>("noop_with_empty_axes");
  if (noopAttr && noopAttr.getInt() != 0 && (!axesAttr || axesAttr.empty())) {
    copyBytes(out[0].bytes(), x.bytes(), x.numBytes());
    return success();
  }
  FailureOr<SmallVector<bool>> mask = reducedAxes(op, x.rank());
  if (failed(mask))
    return failure();
  dispatch(x.dtype(), [&](auto tag) { reduceTyped<decltype(tag)::value>(kind, x, *mask, out[0]); });
  return success();
}

/// Splits a shape at `axis` into (outer, axis length, inner).
struct Split3 {
  int64_t outer = 1, len = 1, inner = 1;
};
Split3 split3(ArrayRef<int64_t> shape, int64_t axis) {
  Split3 s;
  for (int64_t i = 0; i < axis; ++i)
    s.outer *= shape[i];
  s.len = shape[axis];
  for (size_t i = axis + 1; i < shape.size(); ++i)
    s.inner *= shape[i];
  return s;
}

LogicalResult argReduce(bool isMax, Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  auto axisA = op->getAttrOfType<IntegerAttr>("axis");
  int64_t axisAttr = axisA ? axisA.getInt() : 0;
  std::optional<int64_t> axis = normalizeAxis(axisAttr, x.rank());
  if (!axis)
    return op->emitOpError() << "axis " << axisAttr << " is out of range";
  auto lastAttr = op->getAttrOfType<IntegerAttr>("select_last_index");
  bool last = lastAttr && lastAttr.getInt() != 0;
  Split3 s = split3(x.shape(), *axis);
  if (s.len == 0 && s.outer * s.inner > 0)
    return op->emitOpError() << "cannot take the index of an extremum over an empty axis";
  int64_t *y = out[0].data<int64_t>();
  dispatch(x.dtype(), [&](auto tag) {
    constexpr DType D = decltype(tag)::value;
    for (int64_t o = 0; o < s.outer; ++o)
      for (int64_t i = 0; i < s.inner; ++i) {
        int64_t best = 0;
        auto bv = load<D>(x, o * s.len * s.inner + i);
        for (int64_t j = 1; j < s.len; ++j) {
          auto v = load<D>(x, (o * s.len + j) * s.inner + i);
          bool take;
          // NumPy's argmax/argmin treat NaN as the extremum (the first one wins).
          if constexpr (isFloatD(D)) {
            if (std::isnan(bv))
              take = last && std::isnan(v);
            else if (std::isnan(v))
              take = true;
            else
              take = isMax ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv));
          } else {
            take = isMax ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv));
          }
          if (take) {
            best = j;
            bv = v;
          }
        }
        y[o * s.inner + i] = best;
      }
  });
  return success();
}

enum class SK { Softmax, LogSoftmax, Hardmax };

LogicalResult softmaxLike(SK kind, Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  auto axisAttr = op->getAttrOfType<IntegerAttr>("axis");
  int64_t a = axisAttr ? axisAttr.getInt() : -1;
  if (x.rank() == 0)
    return op->emitOpError() << "needs a ranked input of rank >= 1";
  std::optional<int64_t> axis = normalizeAxis(a, x.rank());
  if (!axis)
    return op->emitOpError() << "axis " << a << " is out of range";
  Split3 s = split3(x.shape(), *axis);
  std::vector<double> row(s.len);
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      auto at = [&](int64_t j) { return (o * s.len + j) * s.inner + i; };
      double mx = -INFINITY;
      int64_t arg = 0;
      for (int64_t j = 0; j < s.len; ++j) {
        row[j] = x.getDouble(at(j));
        if (j == 0 || row[j] > mx) {
          mx = row[j];
          arg = j;
        }
      }
      if (kind == SK::Hardmax) {
        for (int64_t j = 0; j < s.len; ++j)
          y.setDouble(at(j), j == arg ? 1.0 : 0.0);
        continue;
      }
      double sum = 0;
      for (int64_t j = 0; j < s.len; ++j)
        sum += std::exp(row[j] - mx);
      for (int64_t j = 0; j < s.len; ++j)
        y.setDouble(at(j), kind == SK::Softmax ? std::exp(row[j] - mx) / sum
                                               : row[j] - mx - std::log(sum));
    }
  return success();
}

LogicalResult cumSum(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &axisT = *in[1];
  auto c = cast<k::CumSumOp>(op);
  if (axisT.numElements() != 1)
    return op->emitOpError() << "axis must hold one element";
  int64_t a = axisT.getInt(0);
  std::optional<int64_t> axis = normalizeAxis(a, x.rank());
  if (!axis)
    return op->emitOpError() << "axis " << a << " is out of range for rank " << x.rank();
  bool exclusive = c.getExclusive() != 0, reverse = c.getReverse() != 0;
  Split3 s = split3(x.shape(), *axis);
  dispatch(x.dtype(), [&](auto tag) {
    constexpr DType D = decltype(tag)::value;
    using A = AccT<D>;
    for (int64_t o = 0; o < s.outer; ++o)
      for (int64_t i = 0; i < s.inner; ++i) {
        A acc = 0;
        for (int64_t step = 0; step < s.len; ++step) {
          int64_t j = reverse ? s.len - 1 - step : step;
          int64_t idx = (o * s.len + j) * s.inner + i;
          A v = loadAcc<D>(x, idx);
          A next;
          if constexpr (isFloatD(D))
            next = acc + v;
          else
            next = static_cast<A>(uint64_t(acc) + uint64_t(v));
          if constexpr (isFloatD(D))
            storeDouble<D>(out[0], idx, exclusive ? acc : next);
          else
            store<D>(out[0], idx, static_cast<ComputeT<D>>(exclusive ? acc : next));
          acc = next;
        }
      }
  });
  return success();
}

LogicalResult topK(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &kT = *in[1];
  auto t = cast<k::TopKOp>(op);
  if (kT.numElements() != 1)
    return op->emitOpError() << "K must hold one element";
  int64_t kv = kT.getInt(0);
  int64_t a = static_cast<int64_t>(t.getAxis());
  std::optional<int64_t> axis = normalizeAxis(a, x.rank());
  if (!axis)
    return op->emitOpError() << "axis " << a << " is out of range for rank " << x.rank();
  if (kv < 0 || kv > x.shape()[*axis])
    return op->emitOpError() << "K = " << kv << " is out of range for an axis of size "
                             << x.shape()[*axis];
  if (out[0].shape()[*axis] != kv)
    return op->emitOpError() << "result shape does not match K = " << kv;
  bool largest = t.getLargest() != 0;
  Split3 s = split3(x.shape(), *axis);
  Tensor &values = out[0];
  int64_t *indices = out[1].data<int64_t>();
  size_t es = byteSize(x.dtype());
  std::vector<int64_t> order(s.len);
  dispatch(x.dtype(), [&](auto tag) {
    constexpr DType D = decltype(tag)::value;
    for (int64_t o = 0; o < s.outer; ++o)
      for (int64_t i = 0; i < s.inner; ++i) {
        auto at = [&](int64_t j) { return (o * s.len + j) * s.inner + i; };
        std::iota(order.begin(), order.end(), 0);
        // Stable: equal values keep the lower index first. NaN sorts after everything.
        std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
          auto u = load<D>(x, at(p)), v = load<D>(x, at(q));
          if constexpr (isFloatD(D)) {
            if (std::isnan(u) || std::isnan(v))
              return !std::isnan(u) && std::isnan(v);
          }
          return largest ? u > v : u < v;
        });
        for (int64_t j = 0; j < kv; ++j) {
          int64_t dst = (o * kv + j) * s.inner + i;
          copyBytes(values.bytes() + dst * es, x.bytes() + at(order[j]) * es, es);
          indices[dst] = order[j];
        }
      }
  });
  return success();
}

} // namespace

#define KERNEL [](Operation * op, Operands in, Results out) -> LogicalResult

void registerReductionKernels(KernelTable &table) {
  table["kiln.reduce_sum"] = KERNEL { return reduce(RK::Sum, op, in, out); };
  table["kiln.reduce_mean"] = KERNEL { return reduce(RK::Mean, op, in, out); };
  table["kiln.reduce_max"] = KERNEL { return reduce(RK::Max, op, in, out); };
  table["kiln.reduce_min"] = KERNEL { return reduce(RK::Min, op, in, out); };
  table["kiln.reduce_prod"] = KERNEL { return reduce(RK::Prod, op, in, out); };
  table["kiln.reduce_l1"] = KERNEL { return reduce(RK::L1, op, in, out); };
  table["kiln.reduce_l2"] = KERNEL { return reduce(RK::L2, op, in, out); };
  table["kiln.reduce_log_sum"] = KERNEL { return reduce(RK::LogSum, op, in, out); };
  table["kiln.reduce_log_sum_exp"] = KERNEL { return reduce(RK::LogSumExp, op, in, out); };
  table["kiln.reduce_sum_square"] = KERNEL { return reduce(RK::SumSquare, op, in, out); };
  table["kiln.arg_max"] = KERNEL { return argReduce(true, op, in, out); };
  table["kiln.arg_min"] = KERNEL { return argReduce(false, op, in, out); };
  table["kiln.softmax"] = KERNEL { return softmaxLike(SK::Softmax, op, in, out); };
  table["kiln.log_softmax"] = KERNEL { return softmaxLike(SK::LogSoftmax, op, in, out); };
  table["kiln.hardmax"] = KERNEL { return softmaxLike(SK::Hardmax, op, in, out); };
  table["kiln.cum_sum"] = cumSum;
  table["kiln.top_k"] = topK;
}

} // namespace kiln::ref
