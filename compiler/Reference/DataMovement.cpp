// Reference kernels for shape and data-movement ops (reshape, slice, gather, scatter,
// pad, resize, ...): dtype-generic byte copies wherever values are only moved.
#include "compiler/Reference/Evaluator.h"

#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"
#include "compiler/Reference/IndexUtil.h"
#include "compiler/Reference/ResizeMath.h"

#include "mlir/IR/Operation.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace ::kiln::ref;
using namespace ::kiln::ref::util;

namespace {

int64_t normAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

/// Copies a strided view of `src` (element offset `base`, per-dimension element strides
/// `srcStrides`, which may be zero or negative) into the contiguous `dst` of `shape`.
void stridedCopy(const uint8_t *src, int64_t base, ArrayRef<int64_t> srcStrides,
                 uint8_t *dst, ArrayRef<int64_t> shape, size_t es) {
  int64_t n = product(shape);
  if (n == 0)
    return;
  SmallVector<int64_t> idx(shape.size(), 0);
  int64_t off = base;
  for (int64_t i = 0; i < n; ++i) {
    copyBytes(dst + i * es, src + off * es, es);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        off += srcStrides[d];
        break;
      }
      off -= srcStrides[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
}

LogicalResult sameBytes(Operation *op, const Tensor &in, Tensor &out) {
  if (in.numBytes() != out.numBytes())
    return op->emitOpError("reference: input has ")
           << in.numElements() << " elements but the result type holds " << out.numElements();
  copyBytes(out.bytes(), in.bytes(), in.numBytes());
  return success();
}

LogicalResult copyKernel(Operation *op, Operands in, Results out) {
  return sameBytes(op, *in[0], out[0]);
}

LogicalResult shapeKernel(Operation *op, Operands in, Results out) {
  int64_t rank = in[0]->rank();
  auto clampBound = [&](int64_t v) { return std::clamp(normAxis(v, rank), int64_t(0), rank); };
  int64_t start = clampBound(intAttr(op, "start", 0));
  int64_t end = op->hasAttr("end") ? clampBound(intAttr(op, "end", rank)) : rank;
  if (std::max<int64_t>(end - start, 0) != out[0].numElements())
    return op->emitOpError("reference: shape slice does not match the result type");
  for (int64_t i = start; i < end; ++i)
    out[0].setInt(i - start, in[0]->shape()[i]);
  return success();
}

LogicalResult sizeKernel(Operation *, Operands in, Results out) {
  out[0].setInt(0, in[0]->numElements());
  return success();
}

LogicalResult transposeKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t rank = x.rank();
  SmallVector<int64_t> perm;
  if (auto p = arrayAttr(op, "perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> xs = stridesOf(x.shape()), srcStrides;
  for (int64_t p : perm)
    srcStrides.push_back(xs[normAxis(p, rank)]);
  stridedCopy(x.bytes(), 0, srcStrides, out[0].bytes(), out[0].shape(), byteSize(x.dtype()));
  return success();
}

LogicalResult concatKernel(Operation *op, Operands in, Results out) {
  Tensor &y = out[0];
  int64_t axis = normAxis(intAttr(op, "axis", 0), y.rank());
  size_t es = byteSize(y.dtype());
  int64_t outer = product(y.shape().take_front(axis));
  size_t outRow = static_cast<size_t>(product(y.shape().drop_front(axis))) * es;
  size_t at = 0;
  for (const Tensor *t : in) {
    size_t row = static_cast<size_t>(product(t->shape().drop_front(axis))) * es;
    for (int64_t o = 0; o < outer; ++o)
      copyBytes(y.bytes() + o * outRow + at, t->bytes() + o * row, row);
    at += row;
  }
  return success();
}

LogicalResult splitKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t axis = normAxis(intAttr(op, "axis", 0), x.rank());
  size_t es = byteSize(x.dtype());
  int64_t outer = product(x.shape().take_front(axis));
  size_t inRow = static_cast<size_t>(product(x.shape().drop_front(axis))) * es;
  size_t at = 0;
  for (Tensor &t : out) {
    size_t row = static_cast<size_t>(product(t.shape().drop_front(axis))) * es;
    for (int64_t o = 0; o < outer; ++o)
      copyBytes(t.bytes() + o * row, x.bytes() + o * inRow + at, row);
    at += row;
  }
  if (at != inRow)
    return op->emitOpError("reference: split sizes do not cover the axis");
  return success();
}

LogicalResult sliceKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t rank = x.rank();
  std::vector<int64_t> starts = toInts(*in[1]), ends = toInts(*in[2]);
  std::vector<int64_t> axes, steps;
  if (in[3])
    axes = toInts(*in[3]);
  else
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (in[4])
    steps = toInts(*in[4]);
  else
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return op->emitOpError("reference: starts, ends, axes and steps differ in length");
  SmallVector<int64_t> first(rank, 0), step(rank, 1), count(x.shape());
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = normAxis(axes[i], rank);
    if (a < 0 || a >= rank)
      return op->emitOpError("reference: slice axis ") << axes[i] << " out of range";
    if (steps[i] == 0)
      return op->emitOpError("reference: slice step is 0");
    mlir::kiln::shape::SlicedAxis sa =
        mlir::kiln::shape::sliceAxis(x.shape()[a], starts[i], ends[i], steps[i]);
    first[a] = sa.first;
    count[a] = sa.count;
    step[a] = steps[i];
  }
  if (ArrayRef<int64_t>(count) != out[0].shape())
    return op->emitOpError("reference: slice bounds do not match the result type");
  SmallVector<int64_t> xs = stridesOf(x.shape()), srcStrides(rank);
  int64_t base = 0;
  for (int64_t d = 0; d < rank; ++d) {
    srcStrides[d] = xs[d] * step[d];
    base += first[d] * xs[d];
  }
  stridedCopy(x.bytes(), base, srcStrides, out[0].bytes(), count, byteSize(x.dtype()));
  return success();
}

/// Reads index `i` of `idx`, wrapping negatives by `dim`; emits an error when out of range.
LogicalResult readIndex(Operation *op, int64_t raw, int64_t dim, int64_t &result) {
  int64_t v = raw < 0 ? raw + dim : raw;
  if (v < 0 || v >= dim)
    return op->emitOpError("reference: index ") << raw << " out of range for a dimension of "
                                                << dim;
  result = v;
  return success();
}

LogicalResult gatherKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  std::vector<int64_t> idx = toInts(*in[1]);
  int64_t axis = normAxis(intAttr(op, "axis", 0), x.rank());
  size_t es = byteSize(x.dtype());
  int64_t outer = product(x.shape().take_front(axis)), dim = x.shape()[axis];
  size_t inner = static_cast<size_t>(product(x.shape().drop_front(axis + 1))) * es;
  uint8_t *dst = out[0].bytes();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t raw : idx) {
      int64_t k = 0;
      if (failed(readIndex(op, raw, dim, k)))
        return failure();
      copyBytes(dst, x.bytes() + (o * dim + k) * inner, inner);
      dst += inner;
    }
  return success();
}

LogicalResult gatherElementsKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  std::vector<int64_t> idx = toInts(*in[1]);
  int64_t axis = normAxis(intAttr(op, "axis", 0), x.rank());
  size_t es = byteSize(x.dtype());
  SmallVector<int64_t> xs = stridesOf(x.shape());
  ArrayRef<int64_t> ishape = in[1]->shape();
  SmallVector<int64_t> pos(ishape.size(), 0);
  for (size_t i = 0; i < idx.size(); ++i, nextIndex(pos, ishape)) {
    int64_t k = 0;
    if (failed(readIndex(op, idx[i], x.shape()[axis], k)))
      return failure();
    int64_t off = 0;
    for (size_t d = 0; d < pos.size(); ++d)
      off += (static_cast<int64_t>(d) == axis ? k : pos[d]) * xs[d];
    copyBytes(out[0].bytes() + i * es, x.bytes() + off * es, es);
  }
  return success();
}

LogicalResult gatherNDKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  std::vector<int64_t> idx = toInts(*in[1]);
  ArrayRef<int64_t> ishape = in[1]->shape();
  int64_t b = intAttr(op, "batch_dims", 0);
  int64_t k = ishape.back();
  size_t es = byteSize(x.dtype());
  int64_t batches = product(x.shape().take_front(b));
  int64_t tuplesPerBatch = product(ishape.drop_front(b).drop_back());
  int64_t sliceElems = product(x.shape().drop_front(b + k));
  int64_t batchElems = product(x.shape().drop_front(b));
  SmallVector<int64_t> xs = stridesOf(x.shape());
  uint8_t *dst = out[0].bytes();
  for (int64_t bi = 0; bi < batches; ++bi)
    for (int64_t t = 0; t < tuplesPerBatch; ++t) {
      const int64_t *tuple = idx.data() + (bi * tuplesPerBatch + t) * k;
      int64_t off = bi * batchElems;
      for (int64_t j = 0; j < k; ++j) {
        int64_t v = 0;
        if (failed(readIndex(op, tuple[j], x.shape()[b + j], v)))
          return failure();
        off += v * xs[b + j];
      }
      copyBytes(dst, x.bytes() + off * es, sliceElems * es);
      dst += sliceElems * es;
    }
  return success();
}

/// Combines `update` into element `at` of `y` with an ONNX scatter reduction. Floats go
/// through double (exact for one +, * or comparison of f16/bf16/f32 operands).
void combine(Tensor &y, int64_t at, const Tensor &u, int64_t from, StringRef reduction,
             size_t es) {
  if (reduction == "none") {
    copyBytes(y.bytes() + at * es, u.bytes() + from * es, es);
    return;
  }
  if (isFloat(y.dtype())) {
    double a = y.getDouble(at), b = u.getDouble(from), r = b;
    if (reduction == "add")
      r = a + b;
    else if (reduction == "mul")
      r = a * b;
    else if (reduction == "max")
      r = std::max(a, b);
    else if (reduction == "min")
      r = std::min(a, b);
    y.setDouble(at, r);
    return;
  }
  if (isUnsigned(y.dtype())) {
    uint64_t a = static_cast<uint64_t>(y.getInt(at)), b = static_cast<uint64_t>(u.getInt(from));
    uint64_t r = reduction == "add" ? a + b
                 : reduction == "mul" ? a * b
                 : reduction == "max" ? std::max(a, b)
                                      : std::min(a, b);
    y.setInt(at, static_cast<int64_t>(r));
    return;
  }
  int64_t a = y.getInt(at), b = u.getInt(from);
  int64_t r = reduction == "add"   ? static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b))
              : reduction == "mul" ? static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b))
              : reduction == "max" ? std::max(a, b)
                                   : std::min(a, b);
  y.setInt(at, r);
}

LogicalResult checkReduction(Operation *op, StringRef reduction) {
  if (reduction == "none" || reduction == "add" || reduction == "mul" || reduction == "max" ||
      reduction == "min")
    return success();
  return op->emitOpError("reference: unknown reduction '") << reduction << "'";
}

LogicalResult scatterNDKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &u = *in[2];
  Tensor &y = out[0];
  StringRef reduction = strAttr(op, "reduction", "none");
  if (failed(checkReduction(op, reduction)) || failed(sameBytes(op, x, y)))
    return failure();
  std::vector<int64_t> idx = toInts(*in[1]);
  int64_t k = in[1]->shape().back();
  int64_t tuples = k == 0 ? 1 : static_cast<int64_t>(idx.size()) / k;
  if (k == 0)
    tuples = product(in[1]->shape().drop_back());
  int64_t sliceElems = product(x.shape().drop_front(k));
  SmallVector<int64_t> xs = stridesOf(x.shape());
  size_t es = byteSize(x.dtype());
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (int64_t j = 0; j < k; ++j) {
      int64_t v = 0;
      if (failed(readIndex(op, idx[t * k + j], x.shape()[j], v)))
        return failure();
      off += v * xs[j];
    }
    for (int64_t e = 0; e < sliceElems; ++e)
      combine(y, off + e, u, t * sliceElems + e, reduction, es);
  }
  return success();
}

LogicalResult scatterElementsKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0], &u = *in[2];
  Tensor &y = out[0];
  StringRef reduction = strAttr(op, "reduction", "none");
  if (failed(checkReduction(op, reduction)) || failed(sameBytes(op, x, y)))
    return failure();
  std::vector<int64_t> idx = toInts(*in[1]);
  int64_t axis = normAxis(intAttr(op, "axis", 0), x.rank());
  SmallVector<int64_t> xs = stridesOf(x.shape());
  ArrayRef<int64_t> ishape = in[1]->shape();
  SmallVector<int64_t> pos(ishape.size(), 0);
  size_t es = byteSize(x.dtype());
  for (size_t i = 0; i < idx.size(); ++i, nextIndex(pos, ishape)) {
    int64_t k = 0;
    if (failed(readIndex(op, idx[i], x.shape()[axis], k)))
      return failure();
    int64_t off = 0;
    for (size_t d = 0; d < pos.size(); ++d)
      off += (static_cast<int64_t>(d) == axis ? k : pos[d]) * xs[d];
    combine(y, off, u, static_cast<int64_t>(i), reduction, es);
  }
  return success();
}

/// Checks that a shape the result type was inferred from still holds at run time.
LogicalResult checkShape(Operation *op, ArrayRef<int64_t> want, ArrayRef<int64_t> have) {
  if (want == have)
    return success();
  auto diag = op->emitOpError("reference: operand values give shape [");
  llvm::interleaveComma(want, diag);
  diag << "] but the result type is [";
  llvm::interleaveComma(have, diag);
  return diag << "]";
}

LogicalResult expandKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  ArrayRef<int64_t> oshape = out[0].shape();
  std::vector<int64_t> target = toInts(*in[1]);
  size_t rank = std::max<size_t>(target.size(), x.shape().size());
  SmallVector<int64_t> want(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i + x.shape().size() >= rank ? x.shape()[i + x.shape().size() - rank] : 1;
    int64_t b = i + target.size() >= rank ? target[i + target.size() - rank] : 1;
    want[i] = a == 1 ? b : a;
    if (a != 1 && b != 1 && a != b)
      return op->emitOpError("reference: cannot expand a dimension of ") << a << " to " << b;
  }
  if (failed(checkShape(op, want, oshape)))
    return failure();
  int64_t lead = static_cast<int64_t>(oshape.size()) - x.rank();
  SmallVector<int64_t> xs = stridesOf(x.shape()), srcStrides(oshape.size(), 0);
  for (int64_t d = 0; d < x.rank(); ++d)
    srcStrides[lead + d] = x.shape()[d] == 1 ? 0 : xs[d];
  stridedCopy(x.bytes(), 0, srcStrides, out[0].bytes(), oshape, byteSize(x.dtype()));
  return success();
}

LogicalResult tileKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  ArrayRef<int64_t> oshape = out[0].shape();
  std::vector<int64_t> repeats = toInts(*in[1]);
  if (repeats.size() != x.shape().size())
    return op->emitOpError("reference: tile needs one repeat count per axis");
  SmallVector<int64_t> want;
  for (size_t d = 0; d < repeats.size(); ++d)
    want.push_back(x.shape()[d] * repeats[d]);
  if (failed(checkShape(op, want, oshape)))
    return failure();
  SmallVector<int64_t> xs = stridesOf(x.shape()), pos(oshape.size(), 0);
  size_t es = byteSize(x.dtype());
  int64_t n = out[0].numElements();
  for (int64_t i = 0; i < n; ++i, nextIndex(pos, oshape)) {
    int64_t off = 0;
    for (size_t d = 0; d < pos.size(); ++d)
      off += (pos[d] % x.shape()[d]) * xs[d];
    copyBytes(out[0].bytes() + i * es, x.bytes() + off * es, es);
  }
  return success();
}

LogicalResult padKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t rank = x.rank();
  std::vector<int64_t> pads = toInts(*in[1]);
  std::vector<int64_t> axes;
  if (in[3])
    axes = toInts(*in[3]);
  else
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  if (pads.size() != 2 * axes.size())
    return op->emitOpError("reference: pads has ")
           << pads.size() << " entries for " << axes.size() << " axes";
  SmallVector<int64_t> begin(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i)
    begin[normAxis(axes[i], rank)] = pads[i];
  StringRef mode = strAttr(op, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return op->emitOpError("reference: unknown pad mode '") << mode << "'";
  size_t es = byteSize(x.dtype());
  // The fill value, in the data's element type (absent means zero).
  std::vector<uint8_t> fill(es, 0);
  if (in[2] && in[2]->numElements() > 0) {
    Tensor v(x.dtype(), {1});
    if (in[2]->dtype() == x.dtype())
      copyBytes(v.bytes(), in[2]->bytes(), es);
    else
      v.setDouble(0, in[2]->getDouble(0));
    copyBytes(fill.data(), v.bytes(), es);
  }
  ArrayRef<int64_t> oshape = out[0].shape();
  SmallVector<int64_t> xs = stridesOf(x.shape()), pos(rank, 0);
  int64_t n = out[0].numElements();
  for (int64_t i = 0; i < n; ++i, nextIndex(pos, oshape)) {
    int64_t off = 0;
    bool inside = true;
    for (int64_t d = 0; d < rank && inside; ++d) {
      int64_t dim = x.shape()[d], j = pos[d] - begin[d];
      if (j < 0 || j >= dim) {
        if (mode == "constant" || dim == 0) {
          inside = false;
          break;
        }
        if (mode == "edge") {
          j = std::clamp(j, int64_t(0), dim - 1);
        } else if (mode == "wrap") {
          j = ((j % dim) + dim) % dim;
        } else if (dim == 1) {
          j = 0;
        } else { // reflect about the edge elements, which are not repeated
          int64_t period = 2 * (dim - 1);
          j = ((j % period) + period) % period;
          if (j >= dim)
            j = period - j;
        }
      }
      off += j * xs[d];
    }
    copyBytes(out[0].bytes() + i * es, inside ? x.bytes() + off * es : fill.data(), es);
  }
  return success();
}

LogicalResult constantOfShapeKernel(Operation *op, Operands in, Results out) {
  Tensor &y = out[0];
  if (failed(checkShape(op, toInts(*in[0]), y.shape())))
    return failure();
  auto value = op->getAttrOfType<ElementsAttr>("value");
  if (!value)
    return success(); // float 0.0, and the result arrives zero-filled
  Tensor v = Tensor::fromAttr(value);
  if (v.dtype() != y.dtype() || v.numElements() != 1)
    return op->emitOpError("reference: value does not match the result element type");
  size_t es = byteSize(y.dtype());
  for (int64_t i = 0, e = y.numElements(); i < e; ++i)
    copyBytes(y.bytes() + i * es, v.bytes(), es);
  return success();
}

LogicalResult rangeKernel(Operation *op, Operands in, Results out) {
  Tensor &y = out[0];
  // Float counts depend on the rounding of (limit - start) / delta in the element type,
  // so only integer ranges are re-checked against the result type.
  if (!isFloat(y.dtype())) {
    int64_t span = in[1]->getInt(0) - in[0]->getInt(0), step = in[2]->getInt(0);
    int64_t want = step == 0 ? -1 : std::max<int64_t>(-floorDiv(-span, step), 0);
    if (want != y.numElements())
      return op->emitOpError("reference: range of ")
             << want << " elements does not match the result type";
  }
  if (isFloat(y.dtype())) {
    double start = in[0]->getDouble(0), delta = in[2]->getDouble(0);
    for (int64_t i = 0, e = y.numElements(); i < e; ++i)
      y.setDouble(i, start + static_cast<double>(i) * delta);
  } else {
    int64_t start = in[0]->getInt(0), delta = in[2]->getInt(0);
    for (int64_t i = 0, e = y.numElements(); i < e; ++i)
      y.setInt(i, start + i * delta);
  }
  return success();
}

LogicalResult depthToSpaceKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t b = intAttr(op, "blocksize", 1);
  int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  int64_t oc = c / (b * b);
  int64_t sN = c * h * w, sC, sB1, sB2;
  if (strAttr(op, "mode", "DCR") == "CRD") {
    sC = b * b * h * w;
    sB1 = b * h * w;
    sB2 = h * w;
  } else {
    sB1 = b * oc * h * w;
    sB2 = oc * h * w;
    sC = h * w;
  }
  // The result viewed as N x C' x H x b x W x b.
  int64_t view[] = {n, oc, h, b, w, b};
  int64_t strides[] = {sN, sC, w, sB1, 1, sB2};
  stridedCopy(x.bytes(), 0, strides, out[0].bytes(), view, byteSize(x.dtype()));
  return success();
}

LogicalResult spaceToDepthKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t b = intAttr(op, "blocksize", 1);
  int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  // The result viewed as N x b x b x C x H/b x W/b.
  int64_t view[] = {n, b, b, c, h / b, w / b};
  int64_t strides[] = {c * h * w, w, 1, h * w, b * w, b};
  stridedCopy(x.bytes(), 0, strides, out[0].bytes(), view, byteSize(x.dtype()));
  return success();
}

LogicalResult triluKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  int64_t k = in[1] ? in[1]->getInt(0) : 0;
  bool upper = intAttr(op, "upper", 1) != 0;
  int64_t rows = x.shape()[x.rank() - 2], cols = x.shape()[x.rank() - 1];
  size_t es = byteSize(x.dtype());
  for (int64_t i = 0, e = x.numElements(); i < e; ++i) {
    int64_t c = i % cols, r = (i / cols) % rows;
    bool keep = upper ? c - r >= k : c - r <= k;
    if (keep)
      copyBytes(out[0].bytes() + i * es, x.bytes() + i * es, es);
  }
  return success();
}

LogicalResult oneHotKernel(Operation *op, Operands in, Results out) {
  const Tensor &ind = *in[0], &values = *in[2];
  Tensor &y = out[0];
  int64_t depth = in[1]->getInt(0);
  int64_t axis = normAxis(intAttr(op, "axis", -1), y.rank());
  if (values.numElements() != 2 || values.dtype() != y.dtype())
    return op->emitOpError("reference: values must hold [off, on] of the result type");
  size_t es = byteSize(y.dtype());
  int64_t outer = product(ind.shape().take_front(axis));
  int64_t inner = product(ind.shape().drop_front(axis));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t i = 0; i < inner; ++i) {
        // Indices outside [-depth, depth) give an all-off vector, as ONNX specifies.
        int64_t v = ind.getInt(o * inner + i);
        if (v < 0)
          v += depth;
        const uint8_t *src = values.bytes() + (v == d ? es : 0);
        copyBytes(y.bytes() + ((o * depth + d) * inner + i) * es, src, es);
      }
  return success();
}

LogicalResult eyeLikeKernel(Operation *op, Operands, Results out) {
  Tensor &y = out[0];
  int64_t k = intAttr(op, "k", 0);
  int64_t rows = y.shape()[0], cols = y.shape()[1];
  for (int64_t r = 0; r < rows; ++r)
    if (r + k >= 0 && r + k < cols)
      y.setDouble(r * cols + r + k, 1.0);
  return success();
}

LogicalResult reverseSequenceKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  std::vector<int64_t> lens = toInts(*in[1]);
  int64_t batchAxis = intAttr(op, "batch_axis", 1), timeAxis = intAttr(op, "time_axis", 0);
  int64_t steps = x.shape()[timeAxis];
  for (int64_t l : lens)
    if (l < 0 || l > steps)
      return op->emitOpError("reference: sequence length ") << l << " out of range";
  SmallVector<int64_t> xs = stridesOf(x.shape()), pos(x.rank(), 0);
  size_t es = byteSize(x.dtype());
  for (int64_t i = 0, e = x.numElements(); i < e; ++i, nextIndex(pos, x.shape())) {
    int64_t len = lens[pos[batchAxis]], t = pos[timeAxis];
    int64_t src = t < len ? i + (len - 1 - 2 * t) * xs[timeAxis] : i;
    copyBytes(out[0].bytes() + i * es, x.bytes() + src * es, es);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Resize: ONNX's reference (op_resize.py) interpolates one axis at a time, innermost
// axis first, each output coordinate mapped back by the coordinate transformation and
// combined from edge-clamped neighbours with per-axis coefficients (ResizeMath.h, shared
// with the GPU generator).
//===----------------------------------------------------------------------===//

LogicalResult resizeKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  int64_t rank = x.rank();
  std::string error;
  std::optional<ResizeConfig> config = readResizeConfig(op, error);
  if (!config)
    return op->emitOpError("reference: ") << error;
  const ResizeConfig &c = *config;
  const Tensor *roi = in[1], *scales = in[2], *sizes = in[3];
  bool useSizes = sizes && sizes->numElements() > 0;
  if (!useSizes && !(scales && scales->numElements() == rank))
    return op->emitOpError("reference: resize needs one scale or size per axis");
  if (useSizes && sizes->numElements() != rank)
    return op->emitOpError("reference: resize needs one size per axis");
  SmallVector<ResizeAxis> axes(rank);
  for (int64_t d = 0; d < rank; ++d) {
    ResizeAxis &a = axes[d];
    a.inSize = x.shape()[d];
    a.outSize = y.shape()[d];
    int64_t expected;
    if (useSizes) {
      expected = sizes->getInt(d);
      a.scale = static_cast<double>(expected) / static_cast<double>(a.inSize);
    } else {
      a.scale = static_cast<double>(static_cast<float>(scales->getDouble(d)));
      expected = static_cast<int64_t>(std::floor(a.scale * static_cast<double>(a.inSize)));
    }
    if (expected != a.outSize)
      return op->emitOpError("reference: resize axis ")
             << d << " gives " << expected << " elements but the result type has " << a.outSize;
    if (c.ctm == "tf_crop_and_resize") {
      if (!roi || roi->numElements() != 2 * rank)
        return op->emitOpError("reference: tf_crop_and_resize needs a roi of 2 * rank values");
      a.roiStart = roi->getDouble(d);
      a.roiEnd = roi->getDouble(rank + d);
    }
  }
  // An output coordinate outside the crop yields the extrapolation value for its whole
  // row, which outer axes then weight like any other value, as the reference does.
  std::vector<double> cur = toDoubles(x);
  SmallVector<int64_t> shape(x.shape());
  SmallVector<int64_t> idx;
  SmallVector<double> w;
  for (int64_t d = rank - 1; d >= 0; --d) {
    const ResizeAxis &a = axes[d];
    int64_t outer = product(ArrayRef<int64_t>(shape).take_front(d));
    int64_t inner = product(ArrayRef<int64_t>(shape).drop_front(d + 1));
    std::vector<double> next(static_cast<size_t>(outer * a.outSize * inner));
    for (int64_t xo = 0; xo < a.outSize; ++xo) {
      std::optional<double> src = resizeSourceCoord(c, a, xo);
      bool outside = !src;
      if (!outside)
        resizeTaps(c, a, *src, idx, w);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          double v = c.extrapolation;
          if (!outside) {
            v = 0;
            for (size_t t = 0; t < idx.size(); ++t) {
              int64_t j = std::clamp(idx[t], int64_t(0), a.inSize - 1);
              v += w[t] * cur[(o * a.inSize + j) * inner + i];
            }
          }
          next[(o * a.outSize + xo) * inner + i] = v;
        }
    }
    cur.swap(next);
    shape[d] = a.outSize;
  }
  if (static_cast<int64_t>(cur.size()) != y.numElements())
    return op->emitOpError("reference: resize sizes do not match the result type");
  fromDoubles(y, cur);
  return success();
}

} // namespace

void ::kiln::ref::registerDataMovementKernels(KernelTable &table) {
  table["kiln.shape"] = shapeKernel;
  table["kiln.size"] = sizeKernel;
  table["kiln.reshape"] = copyKernel;
  table["kiln.flatten"] = copyKernel;
  table["kiln.squeeze"] = copyKernel;
  table["kiln.unsqueeze"] = copyKernel;
  table["kiln.transpose"] = transposeKernel;
  table["kiln.concat"] = concatKernel;
  table["kiln.split"] = splitKernel;
  table["kiln.slice"] = sliceKernel;
  table["kiln.gather"] = gatherKernel;
  table["kiln.gather_elements"] = gatherElementsKernel;
  table["kiln.gather_nd"] = gatherNDKernel;
  table["kiln.scatter_nd"] = scatterNDKernel;
  table["kiln.scatter_elements"] = scatterElementsKernel;
  table["kiln.expand"] = expandKernel;
  table["kiln.tile"] = tileKernel;
  table["kiln.pad"] = padKernel;
  table["kiln.constant_of_shape"] = constantOfShapeKernel;
  table["kiln.range"] = rangeKernel;
  table["kiln.depth_to_space"] = depthToSpaceKernel;
  table["kiln.space_to_depth"] = spaceToDepthKernel;
  table["kiln.trilu"] = triluKernel;
  table["kiln.one_hot"] = oneHotKernel;
  table["kiln.eye_like"] = eyeLikeKernel;
  table["kiln.reverse_sequence"] = reverseSequenceKernel;
  table["kiln.resize"] = resizeKernel;
}
