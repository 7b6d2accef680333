// Per-element semantics of kiln's elementwise ops as arith/math IR, shared by every kernel
// that computes them (elementwise kernels today, fused regions later).
#ifndef KILN_CODEGEN_KERNELS_SCALAROPS_H
#define KILN_CODEGEN_KERNELS_SCALAROPS_H

#include "codegen/Kernels/KernelBuilder.h"
#include "compiler/Reference/Recurrent.h"

namespace kiln::codegen {

/// The type a value of tensor element type `elem` is computed in: f16/bf16 in f32,
/// bools in i1, other integers signless of their width, f32/f64 unchanged.
mlir::Type computeType(mlir::Type elem);
/// Converts a loaded value of tensor element type `elem` to computeType(elem) and back.
mlir::Value toCompute(KernelBuilder &kb, mlir::Value v, mlir::Type elem);
mlir::Value fromCompute(KernelBuilder &kb, mlir::Value v, mlir::Type elem);

/// Converts `v` (computed as element type `from`) to element type `to`'s compute type with
/// ONNX Cast semantics (floats round once, float->int truncates, ints wrap, x != 0 -> bool).
mlir::Value castScalar(KernelBuilder &kb, mlir::Value v, mlir::Type from, mlir::Type to);

/// True when `op` is an elementwise op emitScalarOp knows.
bool isScalarOp(mlir::Operation *op);

/// Emits the per-element computation of `op` on `args` (one per op operand, in compute
/// types; null for an absent optional operand) whose tensor element types are `argTypes`.
/// Returns the result in computeType(resultType).
mlir::FailureOr<mlir::Value> emitScalarOp(KernelBuilder &kb, mlir::Operation *op,
                                          llvm::ArrayRef<mlir::Value> args,
                                          llvm::ArrayRef<mlir::Type> argTypes, mlir::Type resultType);

/// One of the activation functions of ONNX's recurrent ops on a float `x` (its compute
/// type), with the semantics of ref::Activation::apply.
mlir::Value emitActivation(KernelBuilder &kb, const ref::Activation &activation, mlir::Value x);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_SCALAROPS_H
