// Compile-time reading of a kiln op for kernel generators: absent operands, static shapes,
// and attributes with their ONNX defaults (read the way the reference evaluator does).
#ifndef KILN_CODEGEN_KERNELS_OPACCESS_H
#define KILN_CODEGEN_KERNELS_OPACCESS_H

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

#include <optional>

namespace kiln::codegen {

/// An optional operand the model leaves out (null, `none` typed, or kiln.none).
inline bool isAbsent(mlir::Value v) {
  return !v || mlir::isa<mlir::NoneType>(v.getType()) || v.getDefiningOp<mlir::kiln::NoneOp>();
}
inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType()).getShape();
}
inline mlir::Type elemOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType()).getElementType();
}
inline int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// Attributes by ONNX name, `dflt` when the op does not carry them.
inline int64_t intAttr(mlir::Operation *op, llvm::StringRef name, int64_t dflt) {
  if (auto a = op->getAttrOfType<mlir::IntegerAttr>(name))
    return a.getValue().getSExtValue();
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
inline std::optional<llvm::SmallVector<int64_t>> arrayAttr(mlir::Operation *op, llvm::StringRef name) {
  if (auto a = op->getAttrOfType<mlir::DenseI64ArrayAttr>(name))
    return llvm::SmallVector<int64_t>(a.asArrayRef());
  return std::nullopt;
}
/// The array attribute when it has `n` entries, else `n` copies of `dflt`.
inline llvm::SmallVector<int64_t> arrayAttrOr(mlir::Operation *op, llvm::StringRef name, size_t n,
                                              int64_t dflt) {
  if (auto a = arrayAttr(op, name); a && a->size() == n)
    return *a;
  return llvm::SmallVector<int64_t>(n, dflt);
}

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_OPACCESS_H
