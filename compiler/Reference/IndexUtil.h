// Helpers for the data-movement, contraction and pooling reference kernels: attribute
// access with ONNX defaults, multi-index iteration, window padding and double I/O.
#ifndef KILN_REFERENCE_INDEXUTIL_H
#define KILN_REFERENCE_INDEXUTIL_H

#include "compiler/Reference/Tensor.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::ref::util {

inline int64_t intAttr(mlir::Operation *op, llvm::StringRef name, int64_t dflt) {
  if (auto a = op->getAttrOfType<mlir::IntegerAttr>(name))
    return a.getInt();
  return dflt;
}

inline double floatAttr(mlir::Operation *op, llvm::StringRef name, double dflt) {
  if (auto a = op->getAttrOfType<mlir::FloatAttr>(name))
    return a.getValueAsDouble();
  return dflt;
}

inline llvm::StringRef strAttr(mlir::Operation *op, llvm::StringRef name, llvm::StringRef dflt) {
  if (auto a = op->getAttrOfType<mlir::StringAttr>(name))
    return a.getValue();
  return dflt;
}

inline std::optional<llvm::SmallVector<int64_t>> arrayAttr(mlir::Operation *op,
                                                           llvm::StringRef name) {
  if (auto a = op->getAttrOfType<mlir::DenseI64ArrayAttr>(name))
    return llvm::SmallVector<int64_t>(a.asArrayRef());
  return std::nullopt;
}

/// The attribute, or `n` copies of `dflt` when it is absent (or has the wrong length).
inline llvm::SmallVector<int64_t> arrayAttrOr(mlir::Operation *op, llvm::StringRef name,
                                              size_t n, int64_t dflt) {
  if (auto a = arrayAttr(op, name); a && a->size() == n)
    return *a;
  return llvm::SmallVector<int64_t>(n, dflt);
}

/// All elements of an integer (or float, truncated) tensor.
inline std::vector<int64_t> toInts(const Tensor &t) {
  std::vector<int64_t> v(t.numElements());
  for (int64_t i = 0, e = t.numElements(); i < e; ++i)
    v[i] = t.getInt(i);
  return v;
}

/// All elements widened to double, without a dtype switch per element for f32/f64.
inline std::vector<double> toDoubles(const Tensor &t) {
  std::vector<double> v(t.numElements());
  if (t.dtype() == DType::F32) {
    const float *p = t.data<float>();
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = p[i];
  } else if (t.dtype() == DType::F64) {
    const double *p = t.data<double>();
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = p[i];
  } else {
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = t.getDouble(static_cast<int64_t>(i));
  }
  return v;
}

/// Stores doubles into `t`, rounding once to its element type.
inline void fromDoubles(Tensor &t, const std::vector<double> &v) {
  if (t.dtype() == DType::F32) {
    float *p = t.data<float>();
    for (size_t i = 0; i < v.size(); ++i)
      p[i] = static_cast<float>(v[i]);
  } else if (t.dtype() == DType::F64) {
    double *p = t.data<double>();
    for (size_t i = 0; i < v.size(); ++i)
      p[i] = v[i];
  } else {
    for (size_t i = 0; i < v.size(); ++i)
      t.setDouble(static_cast<int64_t>(i), v[i]);
  }
}

inline int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

inline llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Advances a row-major multi-index over `shape`; false after the last one.
inline bool nextIndex(llvm::MutableArrayRef<int64_t> idx, llvm::ArrayRef<int64_t> shape) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (++idx[d] < shape[d])
      return true;
    idx[d] = 0;
  }
  return false;
}

/// Python's floor division, which ONNX's padding formulas are written in.
inline int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

/// Begin and end pads of the spatial axes of a window op (conv, pooling): explicit
/// `pads` (begin values first), or derived for auto_pad SAME_UPPER/SAME_LOWER (the odd
/// unit of padding goes at the end for UPPER and at the beginning for LOWER), or 0 for
/// VALID.
inline void windowPads(mlir::Operation *op, llvm::ArrayRef<int64_t> in,
                       llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                       llvm::ArrayRef<int64_t> dilations, llvm::SmallVectorImpl<int64_t> &begin,
                       llvm::SmallVectorImpl<int64_t> &end) {
  size_t r = in.size();
  begin.assign(r, 0);
  end.assign(r, 0);
  llvm::StringRef autoPad = strAttr(op, "auto_pad", "NOTSET");
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < r; ++i) {
      int64_t out = (in[i] + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i]);
      begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end[i] = total - begin[i];
    }
    return;
  }
  if (autoPad == "VALID")
    return;
  if (auto pads = arrayAttr(op, "pads"); pads && pads->size() == 2 * r)
    for (size_t i = 0; i < r; ++i) {
      begin[i] = (*pads)[i];
      end[i] = (*pads)[r + i];
    }
}


/// Begin pads of ConvTranspose's spatial axes: derived from the output size when
/// output_shape or auto_pad SAME_* is given (the odd unit goes at the end for SAME_UPPER
/// and at the beginning otherwise, in Python floor division), else the explicit `pads`
/// (none for VALID).
inline llvm::SmallVector<int64_t> convTransposePadBegin(mlir::Operation *op,
                                                        llvm::ArrayRef<int64_t> in,
                                                        llvm::ArrayRef<int64_t> kernel,
                                                        llvm::ArrayRef<int64_t> strides,
                                                        llvm::ArrayRef<int64_t> dilations,
                                                        llvm::ArrayRef<int64_t> out) {
  size_t r = in.size();
  llvm::SmallVector<int64_t> begin(r, 0);
  llvm::SmallVector<int64_t> outPad = arrayAttrOr(op, "output_padding", r, 0);
  llvm::StringRef autoPad = strAttr(op, "auto_pad", "NOTSET");
  if (op->hasAttr("output_shape") || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t d = 0; d < r; ++d) {
      int64_t total =
          strides[d] * (in[d] - 1) + outPad[d] + (kernel[d] - 1) * dilations[d] + 1 - out[d];
      begin[d] = autoPad == "SAME_UPPER" ? floorDiv(total, 2) : total - floorDiv(total, 2);
    }
  } else if (autoPad != "VALID") {
    if (auto pads = arrayAttr(op, "pads"); pads && pads->size() == 2 * r)
      for (size_t d = 0; d < r; ++d)
        begin[d] = (*pads)[d];
  }
  return begin;
}

/// MatMul's geometry with NumPy batch broadcasting: an (m x k) by (k x n) product per
/// batch, a rank-1 operand counting as one row (A) or one column (B).
struct MatMulGeometry {
  int64_t m, k, n;
  llvm::SmallVector<int64_t> batch;            // the broadcast batch shape
  llvm::SmallVector<int64_t> aStride, bStride; // per batch axis, in whole matrices; 0 broadcasts
  int64_t batches;                             // product(batch)
  int64_t aBatches, bBatches;                  // matrices each operand holds
};

/// The geometry of `as` times `bs` (both of rank 1 or more); nullopt with `error` set
/// when the inner dimensions differ or the batch dimensions do not broadcast.
inline std::optional<MatMulGeometry> matmulGeometry(llvm::ArrayRef<int64_t> as,
                                                    llvm::ArrayRef<int64_t> bs,
                                                    std::string &error) {
  MatMulGeometry g;
  g.m = as.size() == 1 ? 1 : as[as.size() - 2];
  g.k = as.back();
  int64_t kb = bs.size() == 1 ? bs[0] : bs[bs.size() - 2];
  g.n = bs.size() == 1 ? 1 : bs.back();
  if (g.k != kb) {
    error = "matmul inner dimensions differ (" + std::to_string(g.k) + " vs " +
            std::to_string(kb) + ")";
    return std::nullopt;
  }
  llvm::ArrayRef<int64_t> ab = as.size() > 2 ? as.drop_back(2) : llvm::ArrayRef<int64_t>();
  llvm::ArrayRef<int64_t> bb = bs.size() > 2 ? bs.drop_back(2) : llvm::ArrayRef<int64_t>();
  size_t br = std::max(ab.size(), bb.size());
  g.batch.assign(br, 1);
  g.aStride.assign(br, 0);
  g.bStride.assign(br, 0);
  llvm::SmallVector<int64_t> abS = stridesOf(ab), bbS = stridesOf(bb);
  for (size_t i = 0; i < br; ++i) {
    int64_t ai = static_cast<int64_t>(i) - static_cast<int64_t>(br - ab.size());
    int64_t bi = static_cast<int64_t>(i) - static_cast<int64_t>(br - bb.size());
    int64_t ad = ai >= 0 ? ab[ai] : 1, bd = bi >= 0 ? bb[bi] : 1;
    if (ad != bd && ad != 1 && bd != 1) {
      error = "matmul batch dimensions do not broadcast";
      return std::nullopt;
    }
    g.batch[i] = std::max(ad, bd);
    if (ad != 1)
      g.aStride[i] = abS[ai];
    if (bd != 1)
      g.bStride[i] = bbS[bi];
  }
  g.batches = product(g.batch);
  g.aBatches = product(ab);
  g.bBatches = product(bb);
  return g;
}

} // namespace kiln::ref::util

#endif // KILN_REFERENCE_INDEXUTIL_H
