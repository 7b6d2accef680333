// Helpers shared by the per-family shape-inference files: operand types, constant operand
// values, axis normalization and building result types with dynamic dimensions.
#ifndef KILN_DIALECT_KILN_IR_SHAPEUTILS_H
#define KILN_DIALECT_KILN_IR_SHAPEUTILS_H

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace mlir::kiln::shape {

constexpr int64_t kDynamic = ShapedType::kDynamic;

/// The ranked tensor type of `v`, or an error on `op` naming the operand when it is
/// not ranked (kiln ops only take ranked tensors; unranked can only come from a
/// half-built import).
FailureOr<RankedTensorType> rankedOperand(Operation *op, Value v, llvm::StringRef what);

/// True when `v` is the `none` value of an absent optional input.
inline bool isAbsent(Value v) { return !v || isa<NoneType>(v.getType()); }

/// The integer values held by a constant operand (kiln.constant or any ConstantLike
/// op), or nullopt when `v` is not a constant integer tensor.
std::optional<llvm::SmallVector<int64_t>> constantInts(Value v);
/// The floating-point values held by a constant operand, widened to double.
std::optional<llvm::SmallVector<double>> constantFloats(Value v);

/// Normalizes `axis` into [0, rank) (negative counts from the end) or emits an error.
FailureOr<int64_t> normalizeAxis(Operation *op, int64_t axis, int64_t rank,
                                 llvm::StringRef what = "axis");

/// Multidirectional broadcast of shapes; emits an error on `op` when incompatible.
FailureOr<llvm::SmallVector<int64_t>> broadcastShapes(Operation *op,
                                                      llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

/// Product of dims, or kDynamic when any is dynamic.
int64_t product(llvm::ArrayRef<int64_t> dims);

inline RankedTensorType tensorOf(llvm::ArrayRef<int64_t> shape, Type elementType) {
  return RankedTensorType::get(shape, elementType);
}

/// Integer ceil/floor division for sizes (positive divisor).
inline int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
inline int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// The most elements a static tensor may hold (2^32: 16 GiB of f32, a fifth of an
/// H100, more than any one tensor of a deployed model). Shapes computed from a model's
/// values can be absurd; past this they are errors.
constexpr int64_t kMaxTensorElements = int64_t(1) << 32;
inline constexpr const char *kMaxTensorElementsText = "2^32";

/// The highest rank of any tensor (ONNX sets none; real models stay under 10). A rank
/// a model only declares (a shape operand declared with N elements gives a rank-N
/// result) is checked against this before anything of that size is built.
constexpr int64_t kMaxRank = 32;

/// Element count of a static shape, or nullopt when it exceeds kMaxTensorElements (or
/// would overflow on the way there).
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape);

/// A --shape size list, "1x3x224x224" -> {1, 3, 224, 224} (the empty string is a
/// scalar); nullopt when a size is not a non-negative integer.
std::optional<llvm::SmallVector<int64_t>> parseDimsSpec(llvm::StringRef text);

/// `type` of input `name` with the sizes `pinned`; a size the model fixes must agree,
/// and the rank must match (an error at `loc` otherwise).
FailureOr<RankedTensorType> pinShape(Location loc, llvm::StringRef name, RankedTensorType type,
                                     llvm::ArrayRef<int64_t> pinned);

/// One axis of ONNX Slice under its clamping rules (Slice-13): the first index read and
/// the number of elements. `dim` must be static and `step` non-zero. Negative bounds count
/// from the end; walking backwards, start clamps to the last element and end may sit one
/// before the first so that element 0 can be included.
struct SlicedAxis {
  int64_t first;
  int64_t count;
};
SlicedAxis sliceAxis(int64_t dim, int64_t start, int64_t end, int64_t step);

} // namespace mlir::kiln::shape

#endif // KILN_DIALECT_KILN_IR_SHAPEUTILS_H
