// A dense host tensor for the reference evaluator: element type, shape and bytes, with
// typed and converting element access.
#ifndef KILN_REFERENCE_TENSOR_H
#define KILN_REFERENCE_TENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace kiln::ref {

/// memcpy for tensor bytes: an empty tensor's data pointer may be null, which memcpy
/// may not be given even for zero bytes.
inline void copyBytes(void *dst, const void *src, size_t bytes) {
  if (bytes)
    std::memcpy(dst, src, bytes);
}

/// Element types the evaluator supports; values match ONNX TensorProto.DataType.
enum class DType : uint8_t {
  F32 = 1, U8 = 2, I8 = 3, U16 = 4, I16 = 5, I32 = 6, I64 = 7, Bool = 9, F16 = 10,
  F64 = 11, U32 = 12, U64 = 13, BF16 = 16
};

/// The DType of an MLIR element type (i1 -> Bool, ui8 -> U8, ...), or nullopt.
std::optional<DType> dtypeOf(mlir::Type elementType);
mlir::Type toMlirType(DType dtype, mlir::MLIRContext *ctx);
size_t byteSize(DType dtype);
bool isFloat(DType dtype);    // F16, BF16, F32, F64
bool isUnsigned(DType dtype); // U8..U64 (not Bool)
const char *dtypeName(DType dtype);

/// IEEE half and bfloat16 <-> float, round to nearest even.
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
float bf16ToFloat(uint16_t bits);
uint16_t floatToBf16(float value);

/// Storage type of each DType: F16/BF16 are stored as their uint16_t bits, Bool as uint8_t.
template <DType D> struct Storage;
template <> struct Storage<DType::F32> { using type = float; };
template <> struct Storage<DType::F64> { using type = double; };
template <> struct Storage<DType::F16> { using type = uint16_t; };
template <> struct Storage<DType::BF16> { using type = uint16_t; };
template <> struct Storage<DType::I8> { using type = int8_t; };
template <> struct Storage<DType::I16> { using type = int16_t; };
template <> struct Storage<DType::I32> { using type = int32_t; };
template <> struct Storage<DType::I64> { using type = int64_t; };
template <> struct Storage<DType::U8> { using type = uint8_t; };
template <> struct Storage<DType::U16> { using type = uint16_t; };
template <> struct Storage<DType::U32> { using type = uint32_t; };
template <> struct Storage<DType::U64> { using type = uint64_t; };
template <> struct Storage<DType::Bool> { using type = uint8_t; };

class Tensor {
public:
  Tensor() = default;
  /// A zero-filled tensor.
  Tensor(DType dtype, llvm::ArrayRef<int64_t> shape);

  DType dtype() const { return dtype_; }
  llvm::ArrayRef<int64_t> shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const;
  size_t numBytes() const { return bytes_.size(); }
  /// Row-major strides in elements.
  llvm::SmallVector<int64_t> strides() const;

  /// Raw typed storage; T must be the DType's Storage type.
  template <typename T> T *data() { return reinterpret_cast<T *>(bytes_.data()); }
  template <typename T> const T *data() const { return reinterpret_cast<const T *>(bytes_.data()); }
  uint8_t *bytes() { return bytes_.data(); }
  const uint8_t *bytes() const { return bytes_.data(); }

  /// Converting element access (slow path for shape logic and tests): floats widen to
  /// double; setDouble rounds to the element type (integers truncate toward zero, as a
  /// C cast; Bool is value != 0).
  double getDouble(int64_t index) const;
  void setDouble(int64_t index, double value);
  int64_t getInt(int64_t index) const; // floats truncate toward zero
  void setInt(int64_t index, int64_t value);

  /// Conversions to and from MLIR literals (kiln.constant values).
  static Tensor fromAttr(mlir::ElementsAttr attr);
  mlir::DenseElementsAttr toAttr(mlir::MLIRContext *ctx) const;

private:
  DType dtype_ = DType::F32;
  llvm::SmallVector<int64_t, 4> shape_;
  std::vector<uint8_t> bytes_;
};

/// Calls `f(tag)` with `tag` an object of type `std::integral_constant<DType, D>` for the
/// runtime `dtype`, so kernels can be written once as templates:
///   dispatch(t.dtype(), [&](auto tag) { using T = typename Storage<decltype(tag)::value>::type; ... });
template <typename F> decltype(auto) dispatch(DType dtype, F &&f) {
  switch (dtype) {
  case DType::F32: return f(std::integral_constant<DType, DType::F32>{});
  case DType::F64: return f(std::integral_constant<DType, DType::F64>{});
  case DType::F16: return f(std::integral_constant<DType, DType::F16>{});
  case DType::BF16: return f(std::integral_constant<DType, DType::BF16>{});
  case DType::I8: return f(std::integral_constant<DType, DType::I8>{});
  case DType::I16: return f(std::integral_constant<DType, DType::I16>{});
  case DType::I32: return f(std::integral_constant<DType, DType::I32>{});
  case DType::I64: return f(std::integral_constant<DType, DType::I64>{});
  case DType::U8: return f(std::integral_constant<DType, DType::U8>{});
  case DType::U16: return f(std::integral_constant<DType, DType::U16>{});
  case DType::U32: return f(std::integral_constant<DType, DType::U32>{});
  case DType::U64: return f(std::integral_constant<DType, DType::U64>{});
  case DType::Bool: return f(std::integral_constant<DType, DType::Bool>{});
  }
  return f(std::integral_constant<DType, DType::F32>{});
}

} // namespace kiln::ref

#endif // KILN_REFERENCE_TENSOR_H
