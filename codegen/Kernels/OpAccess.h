// Compile-time reading of a kiln op for kernel generators: absent operands, static shapes,
// and attributes with their ONNX defaults (the reference evaluator's readers).
#ifndef KILN_CODEGEN_KERNELS_OPACCESS_H
#define KILN_CODEGEN_KERNELS_OPACCESS_H

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Reference/IndexUtil.h"

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
using ref::util::product;

/// Attributes by ONNX name with their defaults: the reference evaluator's readers, so
/// both paths read an op the same way.
using ref::util::arrayAttr;
using ref::util::arrayAttrOr;
using ref::util::floatAttr;
using ref::util::intAttr;
using ref::util::strAttr;

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_OPACCESS_H
