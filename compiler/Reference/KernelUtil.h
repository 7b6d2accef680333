// Helpers shared by the reference kernels: typed load/store, safe float->int conversion, axes and broadcasting.
#ifndef KILN_REFERENCE_KERNELUTIL_H
#define KILN_REFERENCE_KERNELUTIL_H

#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/Tensor.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace kiln::ref {

/// double -> f16/bf16 with a single round to nearest even (no double rounding).
uint16_t doubleToHalf(double value);
uint16_t doubleToBf16(double value);
/// double -> float rounded to odd (a sticky last bit), for a later exact narrower rounding.
float toFloatOdd(double value);

template <DType D> using StorageT = typename Storage<D>::type;

/// The type kernels compute in: f16/bf16 in float (rounded on store), f32 in float,
/// f64 in double, integers and bool in their storage type.
template <DType D> struct ComputeOf { using type = StorageT<D>; };
template <> struct ComputeOf<DType::F16> { using type = float; };
template <> struct ComputeOf<DType::BF16> { using type = float; };
template <DType D> using ComputeT = typename ComputeOf<D>::type;

template <DType D> inline ComputeT<D> load(const Tensor &t, int64_t i) {
  if constexpr (D == DType::F16)
    return halfToFloat(t.data<uint16_t>()[i]);
  else if constexpr (D == DType::BF16)
    return bf16ToFloat(t.data<uint16_t>()[i]);
  else
    return t.data<StorageT<D>>()[i];
}

template <DType D> inline void store(Tensor &t, int64_t i, ComputeT<D> v) {
  if constexpr (D == DType::F16)
    t.data<uint16_t>()[i] = floatToHalf(v);
  else if constexpr (D == DType::BF16)
    t.data<uint16_t>()[i] = floatToBf16(v);
  else if constexpr (D == DType::Bool)
    t.data<uint8_t>()[i] = v != 0;
  else
    t.data<StorageT<D>>()[i] = v;
}

/// Float to integer truncating toward zero; saturates out-of-range values and maps NaN to
/// 0, as PTX cvt.rzi does (the C cast would be undefined there).
template <typename T> inline T saturatingCast(double v) {
  if (std::isnan(v))
    return 0;
  v = std::trunc(v);
  if (v <= static_cast<double>(std::numeric_limits<T>::min()))
    return std::numeric_limits<T>::min();
  // max() of 64-bit types is not representable in double; 2^digits is, and compares exactly.
  if (v >= std::ldexp(1.0, std::numeric_limits<T>::digits))
    return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

/// Stores a double with one rounding to the element type (integers saturate, NaN -> 0).
template <DType D> inline void storeDouble(Tensor &t, int64_t i, double v) {
  if constexpr (D == DType::F16)
    t.data<uint16_t>()[i] = doubleToHalf(v);
  else if constexpr (D == DType::BF16)
    t.data<uint16_t>()[i] = doubleToBf16(v);
  else if constexpr (D == DType::F32)
    t.data<float>()[i] = static_cast<float>(v);
  else if constexpr (D == DType::F64)
    t.data<double>()[i] = v;
  else if constexpr (D == DType::Bool)
    t.data<uint8_t>()[i] = v != 0;
  else
    t.data<StorageT<D>>()[i] = saturatingCast<StorageT<D>>(v);
}

constexpr bool isFloatD(DType d) {
  return d == DType::F16 || d == DType::BF16 || d == DType::F32 || d == DType::F64;
}

/// Unsigned type wide enough that arithmetic on it does not promote to int (so that
/// wraparound is defined for every integer width).
template <typename T>
using WrapT = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
template <typename T> inline T wrapAdd(T a, T b) { return static_cast<T>(WrapT<T>(a) + WrapT<T>(b)); }
template <typename T> inline T wrapSub(T a, T b) { return static_cast<T>(WrapT<T>(a) - WrapT<T>(b)); }
template <typename T> inline T wrapMul(T a, T b) { return static_cast<T>(WrapT<T>(a) * WrapT<T>(b)); }

/// ONNX axis in [-rank, rank) to [0, rank); nullopt when out of range.
inline std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

/// Strides (in elements) of `inShape` right-aligned against `outShape`, 0 on broadcast
/// dimensions, so that an output multi-index maps to an input offset.
inline llvm::SmallVector<int64_t> broadcastStrides(llvm::ArrayRef<int64_t> inShape,
                                                   llvm::ArrayRef<int64_t> outShape) {
  size_t r = outShape.size(), off = r - inShape.size();
  llvm::SmallVector<int64_t> s(r, 0);
  int64_t stride = 1;
  for (size_t i = inShape.size(); i-- > 0;) {
    s[off + i] = inShape[i] == 1 ? 0 : stride;
    stride *= inShape[i];
  }
  return s;
}

/// Calls `f(outIndex, offsets)` for every output element in row-major order, where
/// offsets[k] is the element of input k that broadcasts to it.
template <typename F>
void forEachBroadcast(llvm::ArrayRef<int64_t> outShape,
                      llvm::ArrayRef<llvm::ArrayRef<int64_t>> inShapes, F &&f) {
  size_t r = outShape.size(), n = inShapes.size();
  llvm::SmallVector<llvm::SmallVector<int64_t>> strides;
  for (auto s : inShapes)
    strides.push_back(broadcastStrides(s, outShape));
  int64_t total = 1;
  for (int64_t d : outShape)
    total *= d;
  llvm::SmallVector<int64_t> idx(r, 0), off(n, 0);
  for (int64_t e = 0; e < total; ++e) {
    f(e, llvm::ArrayRef<int64_t>(off));
    for (size_t d = r; d-- > 0;) {
      ++idx[d];
      for (size_t k = 0; k < n; ++k)
        off[k] += strides[k][d];
      if (idx[d] < outShape[d])
        break;
      for (size_t k = 0; k < n; ++k)
        off[k] -= strides[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}

} // namespace kiln::ref

#endif // KILN_REFERENCE_KERNELUTIL_H
