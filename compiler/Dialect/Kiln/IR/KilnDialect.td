// The kiln dialect: its definition, tensor type constraints, op traits and the
// shape-inference interface that every kiln op implements.
#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypes.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::mlir::kiln";
  let summary = "ONNX operators on ranked tensors, as imported by kiln";
  let description = [{
    One op per supported ONNX operator, with the semantics of the newest opset
    that kiln supports (up to opset 17). Attribute names are ONNX's own. Older
    opset versions are normalized by the importer into this form (for example
    `Slice-1`'s attributes become constant operands).

    Conventions:
    - Tensors are builtin ranked tensors. ONNX signed integers are signless MLIR
      integers (`i64`), unsigned ones are `ui8`..`ui64`, `bool` is `i1`.
    - An absent optional ONNX input or output is a value of type `none`
      (produced by `kiln.none`), so each ONNX position is a fixed operand or
      result position.
    - Reductions take `axes` as an attribute: the importer converts the
      constant `axes` input of newer opsets.
    - Every op implements `InferShapesOpInterface`; the verifier checks that the
      declared result types agree with what the operands imply.
  }];
  let hasConstantMaterializer = 1;
  let usePropertiesForAttributes = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Kiln_FloatElt : AnyTypeOf<[F16, BF16, F32, F64]>;
def Kiln_SignedIntElt : AnyTypeOf<[I8, I16, I32, I64]>;
def Kiln_UnsignedIntElt : AnyTypeOf<[UI8, UI16, UI32, UI64]>;
// Every element type kiln supports (for Cast's `to`, EyeLike's `dtype`).
def Kiln_AnyElt : AnyTypeOf<[F16, BF16, F32, F64, I8, I16, I32, I64, UI8, UI16, UI32, UI64, I1]>;

def Kiln_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Kiln_IntTensor : RankedTensorOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
def Kiln_SignedTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I16, I32, I64]>;
def Kiln_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I16, I32, I64,
                                         UI8, UI16, UI32, UI64]>;
def Kiln_AnyTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I16, I32, I64,
                                     UI8, UI16, UI32, UI64, I1]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_I64Tensor : RankedTensorOf<[I64]>;

// An optional ONNX input/output: a tensor, or a `none` value when absent.
class Kiln_Opt<Type t> : AnyTypeOf<[t, NoneType]>;

//===----------------------------------------------------------------------===//
// Traits that drive the default shape inference (see ShapeInference.cpp)
//===----------------------------------------------------------------------===//

class Kiln_Trait<string name> : NativeOpTrait<name> {
  let cppNamespace = "::mlir::kiln::OpTrait";
}
// The result has operand 0's shape (elementwise unary ops).
def Kiln_SameShape : Kiln_Trait<"SameShapeAsOperand0">;
// The result shape is the multidirectional (NumPy) broadcast of all operands.
def Kiln_Broadcasting : Kiln_Trait<"Broadcasting">;
// The result element type is i1 instead of operand 0's.
def Kiln_BoolResult : Kiln_Trait<"BoolResult">;
// Each result element is a function of the operand elements at the same (broadcast)
// index and nothing else: the ops that fuse into loops and epilogues, and whose
// per-element semantics codegen's ScalarOps defines.
def Kiln_ElementwiseMap : Kiln_Trait<"ElementwiseMap">;

//===----------------------------------------------------------------------===//
// Shape inference interface
//===----------------------------------------------------------------------===//

def Kiln_InferShapesOpInterface : OpInterface<"InferShapesOpInterface"> {
  let cppNamespace = "::mlir::kiln";
  let description = [{
    Computes each result's type from the operands' current types, the
    attributes, and the values of operands defined by constants, as precisely as
    they allow (dimensions that depend on unknown values are dynamic). The
    importer uses it where a model has no value_info, the verifier checks the
    declared result types against it, and shape specialization reruns it after
    pinning the inputs. On failure it emits an error on the op.
  }];
  let methods = [
    InterfaceMethod<
      "Appends one inferred type per result to `resultTypes`: `none` for an absent optional result, an unranked tensor when the rank depends on values unknown at this point.",
      "::llvm::LogicalResult", "inferResultTypes",
      (ins "::llvm::SmallVectorImpl<::mlir::Type> &":$resultTypes),
      /*methodBody=*/"",
      /*defaultImplementation=*/[{
        return ::mlir::kiln::inferResultTypesFromTraits($_op.getOperation(), resultTypes);
      }]>
  ];
  let verify = [{ return ::mlir::kiln::verifyInferredResultTypes($_op); }];
}

//===----------------------------------------------------------------------===//
// Base op classes
//===----------------------------------------------------------------------===//

class Kiln_OpBase<string mnemonic, list<Trait> traits>
    : Op<Kiln_Dialect, mnemonic, traits> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

// Ops whose result types follow from their traits (Kiln_SameShape,
// Kiln_Broadcasting, Kiln_BoolResult) through the default inference.
class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Kiln_OpBase<mnemonic, !listconcat(traits, [Kiln_InferShapesOpInterface])>;

// Ops whose shape logic is their own: they define inferResultTypes.
class Kiln_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Kiln_OpBase<mnemonic, !listconcat(traits,
        [DeclareOpInterfaceMethods<Kiln_InferShapesOpInterface, ["inferResultTypes"]>])>;

#endif // KILN_DIALECT_TD
