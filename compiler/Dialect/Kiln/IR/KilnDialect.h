// C++ declarations of the kiln dialect, its marker traits and the shape-inference interface.
#ifndef KILN_DIALECT_KILN_IR_KILNDIALECT_H
#define KILN_DIALECT_KILN_IR_KILNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::kiln {

// Marker traits read by the default shape inference (inferResultTypesFromTraits).
namespace OpTrait {
template <typename ConcreteType>
class SameShapeAsOperand0
    : public ::mlir::OpTrait::TraitBase<ConcreteType, SameShapeAsOperand0> {};
template <typename ConcreteType>
class Broadcasting : public ::mlir::OpTrait::TraitBase<ConcreteType, Broadcasting> {};
template <typename ConcreteType>
class BoolResult : public ::mlir::OpTrait::TraitBase<ConcreteType, BoolResult> {};
/// Not read by shape inference: marks the elementwise ops (see KilnDialect.td).
template <typename ConcreteType>
class ElementwiseMap : public ::mlir::OpTrait::TraitBase<ConcreteType, ElementwiseMap> {};
} // namespace OpTrait

/// Result types of an op from its Kiln_SameShape / Kiln_Broadcasting / Kiln_BoolResult traits.
llvm::LogicalResult inferResultTypesFromTraits(Operation *op,
                                               llvm::SmallVectorImpl<Type> &resultTypes);

/// The interface's verifier: the declared result types must agree with the inferred ones
/// (same rank and element type; static dimensions equal where both are static).
llvm::LogicalResult verifyInferredResultTypes(Operation *op);

} // namespace mlir::kiln

#include "compiler/Dialect/Kiln/IR/KilnDialect.h.inc"
#include "compiler/Dialect/Kiln/IR/KilnInterfaces.h.inc"

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
