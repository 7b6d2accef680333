// Every kiln op: one per supported ONNX operator, grouped by family.
#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "compiler/Dialect/Kiln/IR/KilnDialect.td"

//===----------------------------------------------------------------------===//
// Family classes. Descriptions are assembled from the ONNX name and a sentence
// so that each op still documents itself with an example.
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, string onnx, Type T, string doc,
                   dag attrs = (ins), string exAttrs = "">
    : Kiln_Op<mnemonic, [Pure, Kiln_SameShape, SameOperandsAndResultElementType, Kiln_ElementwiseMap]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "Elementwise ONNX `" # onnx # "`: " # doc # ".\n\n"
    # "Example:\n\n```mlir\n%y = kiln." # mnemonic # " %x " # exAttrs
    # ": (tensor<2x3xf32>) -> tensor<2x3xf32>\n```";
  let arguments = !con((ins T:$X), attrs);
  let results = (outs T:$Y);
}

class Kiln_PredicateOp<string mnemonic, string onnx, Type T, string doc,
                       dag attrs = (ins)>
    : Kiln_Op<mnemonic, [Pure, Kiln_SameShape, Kiln_BoolResult, Kiln_ElementwiseMap]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "Elementwise ONNX `" # onnx # "`: " # doc
    # "; the result is a boolean tensor of the input's shape.\n\n"
    # "Example:\n\n```mlir\n%m = kiln." # mnemonic
    # " %x : (tensor<4xf32>) -> tensor<4xi1>\n```";
  let arguments = !con((ins T:$X), attrs);
  let results = (outs Kiln_BoolTensor:$Y);
}

class Kiln_BinaryOp<string mnemonic, string onnx, Type T, string doc,
                    dag attrs = (ins), list<Trait> traits = [SameOperandsAndResultElementType]>
    : Kiln_Op<mnemonic, !listconcat([Pure, Kiln_Broadcasting, Kiln_ElementwiseMap], traits)> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "Elementwise ONNX `" # onnx # "` with multidirectional "
    # "(NumPy) broadcasting: " # doc # ".\n\n"
    # "Example:\n\n```mlir\n%c = kiln." # mnemonic
    # " %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>\n```";
  let arguments = !con((ins T:$A, T:$B), attrs);
  let results = (outs T:$C);
}

class Kiln_CompareOp<string mnemonic, string onnx, Type T, string doc>
    : Kiln_Op<mnemonic, [Pure, Kiln_Broadcasting, Kiln_BoolResult,
                         SameOperandsElementType, Kiln_ElementwiseMap]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "Elementwise ONNX `" # onnx # "` with multidirectional "
    # "broadcasting: " # doc # "; the result is boolean.\n\n"
    # "Example:\n\n```mlir\n%c = kiln." # mnemonic
    # " %a, %b : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>\n```";
  let arguments = (ins T:$A, T:$B);
  let results = (outs Kiln_BoolTensor:$C);
}

class Kiln_VariadicOp<string mnemonic, string onnx, Type T, string doc>
    : Kiln_Op<mnemonic, [Pure, Kiln_Broadcasting, SameOperandsAndResultElementType, Kiln_ElementwiseMap]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "ONNX `" # onnx # "` over one or more inputs with "
    # "multidirectional broadcasting: " # doc # ".\n\n"
    # "Example:\n\n```mlir\n%y = kiln." # mnemonic
    # " %a, %b, %c : (tensor<2x3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<2x3xf32>\n```";
  let arguments = (ins Variadic<T>:$data);
  let results = (outs T:$output);
  let hasVerifier = 1;
}

class Kiln_ReduceOp<string mnemonic, string onnx, Type T, string doc>
    : Kiln_ShapedOp<mnemonic, [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "ONNX `" # onnx # "`: " # doc # " over `axes` (all axes "
    # "when absent, unless `noop_with_empty_axes` is 1, which makes it the "
    # "identity). `keepdims` keeps reduced axes as size 1. The importer turns a "
    # "constant `axes` input (opset 13+/18+) into this attribute.\n\n"
    # "Example:\n\n```mlir\n%y = kiln." # mnemonic
    # " %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>\n```";
  let arguments = (ins T:$data,
                   OptionalAttr<DenseI64ArrayAttr>:$axes,
                   DefaultValuedAttr<I64Attr, "1">:$keepdims,
                   DefaultValuedAttr<I64Attr, "0">:$noop_with_empty_axes);
  let results = (outs T:$reduced);
}

class Kiln_ArgReduceOp<string mnemonic, string onnx, string doc>
    : Kiln_ShapedOp<mnemonic, [Pure]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "ONNX `" # onnx # "`: " # doc # " along `axis`, as int64 "
    # "indices; ties resolve to the first index unless `select_last_index` is 1.\n\n"
    # "Example:\n\n```mlir\n%i = kiln." # mnemonic
    # " %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>\n```";
  let arguments = (ins Kiln_NumericTensor:$data,
                   DefaultValuedAttr<I64Attr, "0">:$axis,
                   DefaultValuedAttr<I64Attr, "1">:$keepdims,
                   DefaultValuedAttr<I64Attr, "0">:$select_last_index);
  let results = (outs Kiln_I64Tensor:$reduced);
}

class Kiln_SoftmaxLikeOp<string mnemonic, string onnx, string doc>
    : Kiln_Op<mnemonic, [Pure, Kiln_SameShape, SameOperandsAndResultElementType]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "ONNX `" # onnx # "` (opset 13 semantics): " # doc
    # " along the single axis `axis`.\n\n"
    # "Example:\n\n```mlir\n%y = kiln." # mnemonic
    # " %x {axis = -1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>\n```";
  let arguments = (ins Kiln_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Structural ops
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_OpBase<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "output"]>,
    DeclareOpInterfaceMethods<Kiln_InferShapesOpInterface, ["inferResultTypes"]>]> {
  let summary = "A constant tensor: ONNX Constant nodes and initializers";
  let description = [{
    Holds a tensor literal. The importer makes one for every `Constant` node
    (whatever its `value_*` attribute) and for every initializer that is not
    also a graph input.

    Example:

    ```mlir
    %w = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_AnyTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let builders = [OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
    build($_builder, $_state, value.getType(), value);
  }]>];
  let hasFolder = 1;
}

def Kiln_NoneOp : Kiln_OpBase<"none", [ConstantLike, Pure,
    DeclareOpInterfaceMethods<Kiln_InferShapesOpInterface, ["inferResultTypes"]>]> {
  let summary = "The value of an absent optional input";
  let description = [{
    ONNX marks an absent optional input with an empty name or by leaving it
    off the end. kiln passes a `none` value in that position so that operand
    positions always match ONNX's input positions.

    Example:

    ```mlir
    %none = kiln.none
    %y = kiln.conv %x, %w, %none : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x6x6xf32>
    ```
  }];
  let results = (outs NoneType:$none);
  let assemblyFormat = "attr-dict";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, $_builder.getNoneType()); }]>];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

def Kiln_IfOp : Kiln_ShapedOp<"if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "ONNX If: the values of the branch its condition selects";
  let description = [{
    ONNX `If`: `cond` (one boolean) selects `then_branch` or `else_branch`,
    each a block ending in `kiln.yield` with one value per result. Branches may
    use any value defined before the If (ONNX's outer-scope references). kiln
    compiles static programs only: an If whose condition is a constant (after
    `--const` and shape specialization) is replaced by its taken branch, nested
    Ifs included; one whose condition stays unknown is an error naming the
    inputs it depends on. The importer already inlines the taken branch when the
    condition folds there. A result's type is the model's declaration refined by
    both branches (the taken one's, once the condition is known).

    Example:

    ```mlir
    %y = kiln.if %c : (tensor<i1>) -> tensor<4xf32> {
      %a = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>
      kiln.yield %a : tensor<4xf32>
    } {
      kiln.yield %x : tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$cond);
  let results = (outs Variadic<Kiln_AnyTensor>:$outputs);
  let regions = (region SizedRegion<1>:$then_branch, SizedRegion<1>:$else_branch);
  let assemblyFormat = "$cond attr-dict `:` functional-type(operands, results) $then_branch $else_branch";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The condition's value when it is a constant.
    std::optional<bool> constantCondition();
  }];
}

def Kiln_YieldOp : Kiln_OpBase<"yield", [Pure, Terminator, ParentOneOf<["IfOp", "FusedOp"]>]> {
  let summary = "The values a kiln.if branch or a kiln.fused body gives its results";
  let description = [{
    Ends each branch of a `kiln.if` (an ONNX branch graph's outputs) and the
    body of a `kiln.fused`, one operand per result of the op.

    Example:

    ```mlir
    kiln.yield %a, %b : tensor<4xf32>, tensor<i64>
    ```
  }];
  let arguments = (ins Variadic<Kiln_AnyTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

def Kiln_FusedOp : Kiln_OpBase<"fused", [IsolatedFromAbove, RecursiveMemoryEffects]> {
  let summary = "A fused region: kiln ops that become one kernel";
  let description = [{
    The `fused` stage groups the static graph into regions, each compiled to one
    kernel whose intermediate values never reach global memory. The body is one
    block whose arguments are the region's `inputs` (values computed outside);
    constants and `kiln.none` it uses are defined inside; `kiln.yield` lists the
    values the rest of the program reads, which become the results. `kind` says
    which emitter compiles it:

    - `elementwise`: ops with the ElementwiseMap trait over one index space (every
      body value has the same number of elements; views such as reshapes pass
      values through unchanged, since element i stays element i);
    - `contraction`: one Conv, Gemm or MatMul (the root) whose result feeds
      elementwise ops of its shape (bias, activations, residual adds) applied as
      the kernel stores it. The root's operands may be computed in the region from
      its inputs by a prologue of Transpose, Slice and Expand ops, views and elementwise ops
      with one-element constant operands: the kernel reads through them (index
      arithmetic and per-element ops on the loaded value) instead of a copy.

    The reference evaluator runs the body op by op, as before fusion.

    Example:

    ```mlir
    %y = kiln.fused "elementwise" (%a, %b) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
    ^bb0(%x: tensor<8xf32>, %z: tensor<8xf32>):
      %s = kiln.add %x, %z : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      %r = kiln.relu %s : (tensor<8xf32>) -> tensor<8xf32>
      kiln.yield %r : tensor<8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Kiln_AnyTensor>:$inputs, StrAttr:$kind);
  let results = (outs Variadic<Kiln_AnyTensor>:$outputs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$kind (`(` $inputs^ `)`)? attr-dict `:` functional-type($inputs, results) $body";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The region's root: its one op that is not elementwise (contraction regions).
    ::mlir::Operation *root();
    /// The kinds a region may have.
    static bool isKnownKind(::llvm::StringRef kind);
    /// Reshape, Flatten, Squeeze and Unsqueeze: inside a region, element i of the
    /// result is element i of the operand (no copy).
    static bool isView(::mlir::Operation *op);
    /// Transpose, Slice and Expand: inside a contraction region's operand prologue,
    /// index maps the root's loads apply.
    static bool isIndexMap(::mlir::Operation *op);
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

def Kiln_AbsOp : Kiln_UnaryOp<"abs", "Abs", Kiln_NumericTensor, "absolute value">;
def Kiln_NegOp : Kiln_UnaryOp<"neg", "Neg", Kiln_SignedTensor, "negation">;
def Kiln_SignOp : Kiln_UnaryOp<"sign", "Sign", Kiln_NumericTensor, "-1, 0 or 1 by sign">;
def Kiln_ReluOp : Kiln_UnaryOp<"relu", "Relu", Kiln_SignedTensor, "max(x, 0)">;
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", "Ceil", Kiln_FloatTensor, "rounding up">;
def Kiln_FloorOp : Kiln_UnaryOp<"floor", "Floor", Kiln_FloatTensor, "rounding down">;
def Kiln_RoundOp : Kiln_UnaryOp<"round", "Round", Kiln_FloatTensor, "rounding half to even">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "Sqrt", Kiln_FloatTensor, "square root">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "Exp", Kiln_FloatTensor, "e to the x">;
def Kiln_LogOp : Kiln_UnaryOp<"log", "Log", Kiln_FloatTensor, "natural logarithm">;
def Kiln_ErfOp : Kiln_UnaryOp<"erf", "Erf", Kiln_FloatTensor, "the Gauss error function">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "Tanh", Kiln_FloatTensor, "hyperbolic tangent">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "Sigmoid", Kiln_FloatTensor, "1 / (1 + exp(-x))">;
def Kiln_SinOp : Kiln_UnaryOp<"sin", "Sin", Kiln_FloatTensor, "sine">;
def Kiln_CosOp : Kiln_UnaryOp<"cos", "Cos", Kiln_FloatTensor, "cosine">;
def Kiln_TanOp : Kiln_UnaryOp<"tan", "Tan", Kiln_FloatTensor, "tangent">;
def Kiln_AsinOp : Kiln_UnaryOp<"asin", "Asin", Kiln_FloatTensor, "arcsine">;
def Kiln_AcosOp : Kiln_UnaryOp<"acos", "Acos", Kiln_FloatTensor, "arccosine">;
def Kiln_AtanOp : Kiln_UnaryOp<"atan", "Atan", Kiln_FloatTensor, "arctangent">;
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", "Sinh", Kiln_FloatTensor, "hyperbolic sine">;
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", "Cosh", Kiln_FloatTensor, "hyperbolic cosine">;
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", "Asinh", Kiln_FloatTensor, "inverse hyperbolic sine">;
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", "Acosh", Kiln_FloatTensor, "inverse hyperbolic cosine">;
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", "Atanh", Kiln_FloatTensor, "inverse hyperbolic tangent">;
def Kiln_ReciprocalOp : Kiln_UnaryOp<"reciprocal", "Reciprocal", Kiln_FloatTensor, "1 / x">;
def Kiln_SoftplusOp : Kiln_UnaryOp<"softplus", "Softplus", Kiln_FloatTensor, "log(exp(x) + 1)">;
def Kiln_SoftsignOp : Kiln_UnaryOp<"softsign", "Softsign", Kiln_FloatTensor, "x / (1 + |x|)">;
def Kiln_HardSwishOp : Kiln_UnaryOp<"hard_swish", "HardSwish", Kiln_FloatTensor,
    "x * max(0, min(1, x / 6 + 1 / 2))">;
def Kiln_NotOp : Kiln_UnaryOp<"not", "Not", Kiln_BoolTensor, "logical negation">;
def Kiln_IdentityOp : Kiln_UnaryOp<"identity", "Identity", Kiln_AnyTensor,
    "the input unchanged">;

def Kiln_LeakyReluOp : Kiln_UnaryOp<"leaky_relu", "LeakyRelu", Kiln_FloatTensor,
    "x if x >= 0 else alpha * x",
    (ins DefaultValuedAttr<F32Attr, "0.01f">:$alpha), "{alpha = 0.1 : f32} ">;
def Kiln_EluOp : Kiln_UnaryOp<"elu", "Elu", Kiln_FloatTensor,
    "x if x >= 0 else alpha * (exp(x) - 1)",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha), "{alpha = 2.0 : f32} ">;
def Kiln_SeluOp : Kiln_UnaryOp<"selu", "Selu", Kiln_FloatTensor,
    "gamma * (x if x > 0 else alpha * (exp(x) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.67326319217681884765625f">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102214813232421875f">:$gamma)>;
def Kiln_CeluOp : Kiln_UnaryOp<"celu", "Celu", Kiln_FloatTensor,
    "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Kiln_HardSigmoidOp : Kiln_UnaryOp<"hard_sigmoid", "HardSigmoid", Kiln_FloatTensor,
    "max(0, min(1, alpha * x + beta))",
    (ins DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
         DefaultValuedAttr<F32Attr, "0.5f">:$beta), "{alpha = 0.1666 : f32} ">;
def Kiln_ThresholdedReluOp : Kiln_UnaryOp<"thresholded_relu", "ThresholdedRelu",
    Kiln_FloatTensor, "x if x > alpha else 0",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Kiln_ShrinkOp : Kiln_UnaryOp<"shrink", "Shrink", Kiln_NumericTensor,
    "x + bias if x < -lambd, x - bias if x > lambd, else 0",
    (ins DefaultValuedAttr<F32Attr, "0.0f">:$bias,
         DefaultValuedAttr<F32Attr, "0.5f">:$lambd)>;

def Kiln_IsNaNOp : Kiln_PredicateOp<"is_nan", "IsNaN", Kiln_FloatTensor, "true where x is NaN">;
def Kiln_IsInfOp : Kiln_PredicateOp<"is_inf", "IsInf", Kiln_FloatTensor,
    "true where x is an infinity of a detected sign",
    (ins DefaultValuedAttr<I64Attr, "1">:$detect_negative,
         DefaultValuedAttr<I64Attr, "1">:$detect_positive)>;

def Kiln_CastOp : Kiln_ShapedOp<"cast", [Pure, Kiln_ElementwiseMap]> {
  let summary = "ONNX Cast: elementwise conversion to the element type `to`";
  let description = [{
    Converts each element to `to` (float to integer truncates toward zero;
    anything to bool is `x != 0`). ONNX's integer `to` code becomes a type
    attribute.

    Example:

    ```mlir
    %y = kiln.cast %x {to = i64} : (tensor<4xf32>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, TypeAttrOf<Kiln_AnyElt>:$to);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_CastLikeOp : Kiln_ShapedOp<"cast_like", [Pure, Kiln_ElementwiseMap]> {
  let summary = "ONNX CastLike: cast to the element type of a second tensor";
  let description = [{
    Converts `input` to the element type of `target_type` (whose values are
    not read), with Cast's rules.

    Example:

    ```mlir
    %y = kiln.cast_like %x, %t : (tensor<4xf32>, tensor<1xf16>) -> tensor<4xf16>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_AnyTensor:$target_type);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_ClipOp : Kiln_Op<"clip", [Pure, Kiln_SameShape, Kiln_ElementwiseMap]> {
  let summary = "ONNX Clip: clamp between optional scalar bounds";
  let description = [{
    Clamps each element to [`min`, `max`]; an absent bound (`none`) is
    unbounded. Bounds are 0-d tensors of the input's element type (Clip-6's
    attributes become constant operands at import).

    Example:

    ```mlir
    %y = kiln.clip %x, %lo, %hi : (tensor<8xf32>, tensor<f32>, tensor<f32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                   Kiln_Opt<Kiln_NumericTensor>:$min,
                   Kiln_Opt<Kiln_NumericTensor>:$max);
  let results = (outs Kiln_NumericTensor:$output);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary, variadic and select
//===----------------------------------------------------------------------===//

def Kiln_AddOp : Kiln_BinaryOp<"add", "Add", Kiln_NumericTensor, "a + b">;
def Kiln_SubOp : Kiln_BinaryOp<"sub", "Sub", Kiln_NumericTensor, "a - b">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", "Mul", Kiln_NumericTensor, "a * b">;
def Kiln_DivOp : Kiln_BinaryOp<"div", "Div", Kiln_NumericTensor,
    "a / b (integer division truncates)">;
def Kiln_ModOp : Kiln_BinaryOp<"mod", "Mod", Kiln_NumericTensor,
    "remainder with the divisor's sign, or C fmod's sign when `fmod` is 1",
    (ins DefaultValuedAttr<I64Attr, "0">:$fmod)>;
def Kiln_BitShiftOp : Kiln_BinaryOp<"bit_shift", "BitShift",
    RankedTensorOf<[UI8, UI16, UI32, UI64]>, "a shifted by b bits in `direction` (LEFT or RIGHT)",
    (ins StrAttr:$direction)> {
  let hasVerifier = 1;
}
def Kiln_AndOp : Kiln_BinaryOp<"and", "And", Kiln_BoolTensor, "logical and">;
def Kiln_OrOp : Kiln_BinaryOp<"or", "Or", Kiln_BoolTensor, "logical or">;
def Kiln_XorOp : Kiln_BinaryOp<"xor", "Xor", Kiln_BoolTensor, "logical exclusive or">;
def Kiln_PowOp : Kiln_BinaryOp<"pow", "Pow", Kiln_NumericTensor,
    "a raised to b; the exponent may have another element type, the result has a's",
    (ins), []> {
  let hasVerifier = 1;
}
def Kiln_PReluOp : Kiln_BinaryOp<"prelu", "PRelu", Kiln_SignedTensor,
    "a if a >= 0 else b * a, with the slope b broadcast to a">;

def Kiln_EqualOp : Kiln_CompareOp<"equal", "Equal", Kiln_AnyTensor, "a == b">;
def Kiln_LessOp : Kiln_CompareOp<"less", "Less", Kiln_NumericTensor, "a < b">;
def Kiln_LessOrEqualOp : Kiln_CompareOp<"less_or_equal", "LessOrEqual", Kiln_NumericTensor, "a <= b">;
def Kiln_GreaterOp : Kiln_CompareOp<"greater", "Greater", Kiln_NumericTensor, "a > b">;
def Kiln_GreaterOrEqualOp : Kiln_CompareOp<"greater_or_equal", "GreaterOrEqual",
    Kiln_NumericTensor, "a >= b">;

def Kiln_MaxOp : Kiln_VariadicOp<"max", "Max", Kiln_NumericTensor, "the elementwise maximum">;
def Kiln_MinOp : Kiln_VariadicOp<"min", "Min", Kiln_NumericTensor, "the elementwise minimum">;
def Kiln_SumOp : Kiln_VariadicOp<"sum", "Sum", Kiln_NumericTensor, "the elementwise sum">;
def Kiln_MeanOp : Kiln_VariadicOp<"mean", "Mean", Kiln_FloatTensor, "the elementwise mean">;

def Kiln_WhereOp : Kiln_ShapedOp<"where", [Pure, Kiln_ElementwiseMap]> {
  let summary = "ONNX Where: select X where condition is true, else Y";
  let description = [{
    Elementwise select with multidirectional broadcasting of all three
    operands.

    Example:

    ```mlir
    %y = kiln.where %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_AnyTensor:$X, Kiln_AnyTensor:$Y);
  let results = (outs Kiln_AnyTensor:$output);
}

//===----------------------------------------------------------------------===//
// Reductions and softmax-like rows
//===----------------------------------------------------------------------===//

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "ReduceSum", Kiln_NumericTensor, "sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "ReduceMean", Kiln_NumericTensor, "mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "ReduceMax", Kiln_NumericTensor, "maximum">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "ReduceMin", Kiln_NumericTensor, "minimum">;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "ReduceProd", Kiln_NumericTensor, "product">;
def Kiln_ReduceL1Op : Kiln_ReduceOp<"reduce_l1", "ReduceL1", Kiln_NumericTensor, "sum of absolute values">;
def Kiln_ReduceL2Op : Kiln_ReduceOp<"reduce_l2", "ReduceL2", Kiln_NumericTensor,
    "square root of the sum of squares">;
def Kiln_ReduceLogSumOp : Kiln_ReduceOp<"reduce_log_sum", "ReduceLogSum",
    Kiln_NumericTensor, "log of the sum">;
def Kiln_ReduceLogSumExpOp : Kiln_ReduceOp<"reduce_log_sum_exp", "ReduceLogSumExp",
    Kiln_NumericTensor, "log of the sum of exponentials">;
def Kiln_ReduceSumSquareOp : Kiln_ReduceOp<"reduce_sum_square", "ReduceSumSquare",
    Kiln_NumericTensor, "sum of squares">;
def Kiln_ArgMaxOp : Kiln_ArgReduceOp<"arg_max", "ArgMax", "index of the maximum">;
def Kiln_ArgMinOp : Kiln_ArgReduceOp<"arg_min", "ArgMin", "index of the minimum">;

def Kiln_SoftmaxOp : Kiln_SoftmaxLikeOp<"softmax", "Softmax", "exp(x) / sum(exp(x))">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxLikeOp<"log_softmax", "LogSoftmax",
    "x - log(sum(exp(x)))">;
def Kiln_HardmaxOp : Kiln_SoftmaxLikeOp<"hardmax", "Hardmax",
    "1 at the first maximum, 0 elsewhere">;

def Kiln_CumSumOp : Kiln_Op<"cum_sum", [Pure, Kiln_SameShape]> {
  let summary = "ONNX CumSum: cumulative sum along an axis";
  let description = [{
    Running sum along the axis held by the 0-d tensor `axis`; `exclusive`
    leaves out the current element, `reverse` sums from the end.

    Example:

    ```mlir
    %y = kiln.cum_sum %x, %axis : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$x, Kiln_IndexTensor:$axis,
                   DefaultValuedAttr<I64Attr, "0">:$exclusive,
                   DefaultValuedAttr<I64Attr, "0">:$reverse);
  let results = (outs Kiln_NumericTensor:$y);
  let hasVerifier = 1;
}

def Kiln_TopKOp : Kiln_ShapedOp<"top_k", [Pure]> {
  let summary = "ONNX TopK: the K largest (or smallest) elements along an axis";
  let description = [{
    Returns the `K` (a 1-element int64 tensor) largest elements along `axis`
    (smallest when `largest` is 0) and their int64 indices, sorted when
    `sorted` is 1.

    Example:

    ```mlir
    %v, %i = kiln.top_k %x, %k {axis = -1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$X, Kiln_I64Tensor:$K,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<I64Attr, "1">:$largest,
                   DefaultValuedAttr<I64Attr, "1">:$sorted);
  let results = (outs Kiln_NumericTensor:$Values, Kiln_I64Tensor:$Indices);
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_EinsumOp : Kiln_ShapedOp<"einsum", [Pure]> {
  let summary = "ONNX Einsum: a sum of products over the labels an equation names";
  let description = [{
    `equation` names each input's axes with a letter (`...` for broadcast
    leading axes); the result keeps the labels after `->` (without one, the
    labels used once, in alphabetical order, after the ellipsis) and sums over
    the others. A label repeated in one input takes its diagonal.

    Example:

    ```mlir
    %c = kiln.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_NumericTensor>:$Inputs, StrAttr:$equation);
  let results = (outs Kiln_NumericTensor:$Output);
}

def Kiln_DetOp : Kiln_ShapedOp<"det", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX Det: the determinant of each trailing square matrix";
  let description = [{
    X is [..., M, M]; the result has X's leading dimensions.

    Example:

    ```mlir
    %d = kiln.det %x : (tensor<3x2x2xf32>) -> tensor<3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X);
  let results = (outs Kiln_FloatTensor:$Y);
}

//===----------------------------------------------------------------------===//
// Signal processing
//===----------------------------------------------------------------------===//

def Kiln_DFTOp : Kiln_ShapedOp<"dft", [Pure]> {
  let summary = "ONNX DFT: the discrete Fourier transform along one axis";
  let description = [{
    `input` is [batch, n1, .., nk, 1] (real) or [.., 2] (complex: real,
    imaginary); the result is complex [.., 2], `axis` transformed (truncated or
    zero-padded to `dft_length` when given), inverse with `inverse` = 1 (scaled
    by 1/n), only the first n/2 + 1 frequencies with `onesided` = 1.

    Example:

    ```mlir
    %y = kiln.dft %x, %none {axis = 1 : i64} : (tensor<1x10x10x1xf32>, none) -> tensor<1x10x10x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_Opt<Kiln_IndexTensor>:$dft_length,
                   DefaultValuedAttr<I64Attr, "1">:$axis, DefaultValuedAttr<I64Attr, "0">:$inverse,
                   DefaultValuedAttr<I64Attr, "0">:$onesided);
  let results = (outs Kiln_FloatTensor:$output);
}

def Kiln_STFTOp : Kiln_ShapedOp<"stft", [Pure]> {
  let summary = "ONNX STFT: Fourier transforms of windowed frames of a signal";
  let description = [{
    `signal` is [batch, length, 1|2]; frames of `frame_length` (or the window's
    length) start every `frame_step` samples, each multiplied by `window` (when
    given) and transformed; `onesided` keeps the first length/2 + 1 bins. The
    result is [batch, frames, bins, 2].

    Example:

    ```mlir
    %y = kiln.stft %s, %step, %none, %len : (tensor<1x128x1xf32>, tensor<i64>, none, tensor<i64>) -> tensor<1x15x9x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$signal, Kiln_IndexTensor:$frame_step,
                   Kiln_Opt<Kiln_FloatTensor>:$window, Kiln_Opt<Kiln_IndexTensor>:$frame_length,
                   DefaultValuedAttr<I64Attr, "1">:$onesided);
  let results = (outs Kiln_FloatTensor:$output);
}

class Kiln_WindowOp<string mnemonic, string onnx, string formula>
    : Kiln_ShapedOp<mnemonic, [Pure]> {
  let summary = "ONNX " # onnx # ": a window of `size` samples";
  let description = "ONNX `" # onnx # "`: " # formula # ", n in [0, size), D = size "
    # "(`periodic` = 1) or size - 1; of `output_datatype` (ONNX numbering, float by default).\n\n"
    # "Example:\n\n```mlir\n%w = kiln." # mnemonic # " %n : (tensor<i64>) -> tensor<10xf32>\n```";
  let arguments = (ins Kiln_IndexTensor:$size, DefaultValuedAttr<I64Attr, "1">:$output_datatype,
                   DefaultValuedAttr<I64Attr, "1">:$periodic);
  let results = (outs Kiln_NumericTensor:$output);
}
def Kiln_HannWindowOp : Kiln_WindowOp<"hann_window", "HannWindow", "0.5 - 0.5 cos(2 pi n / D)">;
def Kiln_HammingWindowOp : Kiln_WindowOp<"hamming_window", "HammingWindow", "25/46 - 21/46 cos(2 pi n / D)">;
def Kiln_BlackmanWindowOp : Kiln_WindowOp<"blackman_window", "BlackmanWindow",
    "0.42 - 0.5 cos(2 pi n / D) + 0.08 cos(4 pi n / D)">;

def Kiln_MelWeightMatrixOp : Kiln_ShapedOp<"mel_weight_matrix", [Pure]> {
  let summary = "ONNX MelWeightMatrix: triangular mel filters over linear frequency bins";
  let description = [{
    A [dft_length / 2 + 1, num_mel_bins] matrix of triangular filters (peak 1)
    spaced evenly on the mel scale mel(f) = 2595 log10(1 + f / 700) between
    `lower_edge_hertz` and `upper_edge_hertz`, as ONNX's reference builds it.

    Example:

    ```mlir
    %m = kiln.mel_weight_matrix %bins, %len, %rate, %lo, %hi : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
    ```
  }];
  let arguments = (ins Kiln_IndexTensor:$num_mel_bins, Kiln_IndexTensor:$dft_length,
                   Kiln_IndexTensor:$sample_rate, Kiln_FloatTensor:$lower_edge_hertz,
                   Kiln_FloatTensor:$upper_edge_hertz, DefaultValuedAttr<I64Attr, "1">:$output_datatype);
  let results = (outs Kiln_NumericTensor:$output);
}

//===----------------------------------------------------------------------===//
// Sampling
//===----------------------------------------------------------------------===//

def Kiln_GridSampleOp : Kiln_ShapedOp<"grid_sample", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX GridSample: X sampled at the normalized positions of a grid";
  let description = [{
    X is [N, C, H, W], grid [N, Ho, Wo, 2] with (x, y) in [-1, 1]; the result
    [N, C, Ho, Wo] interpolates X (`mode` bilinear, nearest or bicubic) with
    `padding_mode` zeros, border or reflection outside it, corners mapped to
    pixel centres (`align_corners` = 1) or edges (0), as PyTorch's grid_sample.

    Example:

    ```mlir
    %y = kiln.grid_sample %x, %g {mode = "bicubic"} : (tensor<1x1x4x4xf32>, tensor<1x6x6x2xf32>) -> tensor<1x1x6x6xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X, Kiln_FloatTensor:$grid,
                   DefaultValuedAttr<I64Attr, "0">:$align_corners,
                   DefaultValuedStrAttr<StrAttr, "bilinear">:$mode,
                   DefaultValuedStrAttr<StrAttr, "zeros">:$padding_mode);
  let results = (outs Kiln_FloatTensor:$Y);
  let hasVerifier = 1;
}

def Kiln_RoiAlignOp : Kiln_ShapedOp<"roi_align", [Pure]> {
  let summary = "ONNX RoiAlign: average or max of bilinear samples over each region's bins";
  let description = [{
    For each region of interest (x1, y1, x2, y2 in `rois`, of image
    `batch_indices[r]`, scaled by `spatial_scale`), an `output_height` x
    `output_width` grid of bins, each the average (`mode` avg) or maximum (max,
    onnxruntime's rule) of `sampling_ratio`^2 bilinear samples (adaptive when 0);
    `coordinate_transformation_mode` half_pixel shifts coordinates by half a pixel.

    Example:

    ```mlir
    %y = kiln.roi_align %x, %rois, %idx {output_height = 5 : i64, output_width = 5 : i64}
        : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X, Kiln_FloatTensor:$rois, Kiln_I64Tensor:$batch_indices,
                   DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                   DefaultValuedStrAttr<StrAttr, "avg">:$mode,
                   DefaultValuedAttr<I64Attr, "1">:$output_height,
                   DefaultValuedAttr<I64Attr, "1">:$output_width,
                   DefaultValuedAttr<I64Attr, "0">:$sampling_ratio,
                   DefaultValuedAttr<F32Attr, "1.0f">:$spatial_scale);
  let results = (outs Kiln_FloatTensor:$Y);
  let hasVerifier = 1;
}

def Kiln_MaxUnpoolOp : Kiln_ShapedOp<"max_unpool", [Pure]> {
  let summary = "ONNX MaxUnpool: X's values placed at MaxPool's indices, zeros elsewhere";
  let description = [{
    The inverse of MaxPool with indices: a zero tensor of the pooled input's
    shape (`output_shape` when given, else from the window) receives each value of
    X at its flat index in I.

    Example:

    ```mlir
    %y = kiln.max_unpool %x, %i, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, none) -> tensor<1x1x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$X, Kiln_I64Tensor:$I, Kiln_Opt<Kiln_I64Tensor>:$output_shape,
                   DenseI64ArrayAttr:$kernel_shape, OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_NumericTensor:$output);
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Kiln_QuantizedTensor : RankedTensorOf<[I8, UI8]>;
def Kiln_Int32Tensor : RankedTensorOf<[I32]>;

def Kiln_QuantizeLinearOp : Kiln_ShapedOp<"quantize_linear", [Pure]> {
  let summary = "ONNX QuantizeLinear: y = saturate(round(x / scale) + zero_point)";
  let description = [{
    Rounds half to even and saturates to the zero point's type (uint8 when the
    zero point is absent). `scale` and `zero_point` are scalars (per tensor) or
    1-D along `axis` (per axis).

    Example:

    ```mlir
    %q = kiln.quantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xi8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F16, BF16, F32, I32]>:$x, Kiln_FloatTensor:$y_scale,
                   Kiln_Opt<Kiln_QuantizedTensor>:$y_zero_point,
                   DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Kiln_QuantizedTensor:$y);
}

def Kiln_DequantizeLinearOp : Kiln_ShapedOp<"dequantize_linear", [Pure]> {
  let summary = "ONNX DequantizeLinear: y = (x - zero_point) * scale";
  let description = [{
    Per tensor or per `axis` like QuantizeLinear; `x` may be int32 (with a zero
    point of 0). The result has the scale's type.

    Example:

    ```mlir
    %y = kiln.dequantize_linear %q, %s, %z : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8, UI8, I32]>:$x, Kiln_FloatTensor:$x_scale,
                   Kiln_Opt<RankedTensorOf<[I8, UI8, I32]>>:$x_zero_point,
                   DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Kiln_FloatTensor:$y);
}

def Kiln_DynamicQuantizeLinearOp : Kiln_ShapedOp<"dynamic_quantize_linear", [Pure]> {
  let summary = "ONNX DynamicQuantizeLinear: uint8 quantization with scale and zero point from x's range";
  let description = [{
    scale = (max(x, 0) - min(x, 0)) / 255, zero_point = saturate(round(-min / scale)),
    y = saturate(round(x / scale) + zero_point), all uint8; scale and zero point
    are also returned as scalars.

    Example:

    ```mlir
    %y, %s, %z = kiln.dynamic_quantize_linear %x : (tensor<6xf32>) -> (tensor<6xui8>, tensor<f32>, tensor<ui8>)
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$x);
  let results = (outs RankedTensorOf<[UI8]>:$y, RankedTensorOf<[F32]>:$y_scale,
                 RankedTensorOf<[UI8]>:$y_zero_point);
}

def Kiln_MatMulIntegerOp : Kiln_ShapedOp<"matmul_integer", [Pure]> {
  let summary = "ONNX MatMulInteger: (A - a_zero_point) x (B - b_zero_point) in int32";
  let description = [{
    MatMul's NumPy semantics over 8-bit operands with exact int32 accumulation;
    `a_zero_point` is a scalar or one per row of A, `b_zero_point` a scalar or one
    per column of B.

    Example:

    ```mlir
    %y = kiln.matmul_integer %a, %b, %za, %zb : (tensor<4x3xui8>, tensor<3x2xui8>, tensor<ui8>, tensor<ui8>) -> tensor<4x2xi32>
    ```
  }];
  let arguments = (ins Kiln_QuantizedTensor:$A, Kiln_QuantizedTensor:$B,
                   Kiln_Opt<Kiln_QuantizedTensor>:$a_zero_point, Kiln_Opt<Kiln_QuantizedTensor>:$b_zero_point);
  let results = (outs Kiln_Int32Tensor:$Y);
}

def Kiln_ConvIntegerOp : Kiln_ShapedOp<"conv_integer", [Pure]> {
  let summary = "ONNX ConvInteger: Conv of (x - x_zero_point) and (w - w_zero_point) in int32";
  let description = [{
    Conv's attributes and shapes over 8-bit operands with exact int32
    accumulation; `w_zero_point` is a scalar or one per output channel. Padding
    contributes x_zero_point (that is, zero after the subtraction).

    Example:

    ```mlir
    %y = kiln.conv_integer %x, %w, %zx, %none {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xui8>, tensor<1x1x2x2xui8>, tensor<ui8>, none) -> tensor<1x1x4x4xi32>
    ```
  }];
  let arguments = (ins Kiln_QuantizedTensor:$x, Kiln_QuantizedTensor:$w,
                   Kiln_Opt<Kiln_QuantizedTensor>:$x_zero_point, Kiln_Opt<Kiln_QuantizedTensor>:$w_zero_point,
                   DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   DefaultValuedAttr<I64Attr, "1">:$group,
                   OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_Int32Tensor:$y);
}

def Kiln_QLinearMatMulOp : Kiln_ShapedOp<"qlinear_matmul", [Pure]> {
  let summary = "ONNX QLinearMatMul: quantized MatMul, requantized to y's scale and zero point";
  let description = [{
    y = saturate(round((A - a_zp) x (B - b_zp) * a_scale * b_scale / y_scale) + y_zp),
    the product accumulated exactly in int32, the rescaling in float, rounding
    half to even. Scales and zero points are per tensor, or a_* per row and b_*
    per column.

    Example:

    ```mlir
    %y = kiln.qlinear_matmul %a, %as, %az, %b, %bs, %bz, %ys, %yz : (...) -> tensor<2x4xui8>
    ```
  }];
  let arguments = (ins Kiln_QuantizedTensor:$a, Kiln_FloatTensor:$a_scale, Kiln_QuantizedTensor:$a_zero_point,
                   Kiln_QuantizedTensor:$b, Kiln_FloatTensor:$b_scale, Kiln_QuantizedTensor:$b_zero_point,
                   Kiln_FloatTensor:$y_scale, Kiln_QuantizedTensor:$y_zero_point);
  let results = (outs Kiln_QuantizedTensor:$y);
}

def Kiln_QLinearConvOp : Kiln_ShapedOp<"qlinear_conv", [Pure]> {
  let summary = "ONNX QLinearConv: quantized Conv with an int32 bias, requantized to y's scale";
  let description = [{
    y = saturate(round((conv(x - x_zp, w - w_zp) + B) * x_scale * w_scale / y_scale) + y_zp),
    the convolution and bias exact in int32, `w_scale` and `w_zero_point` per
    tensor or per output channel; Conv's attributes.

    Example:

    ```mlir
    %y = kiln.qlinear_conv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b : (...) -> tensor<1x1x7x7xui8>
    ```
  }];
  let arguments = (ins Kiln_QuantizedTensor:$x, Kiln_FloatTensor:$x_scale, Kiln_QuantizedTensor:$x_zero_point,
                   Kiln_QuantizedTensor:$w, Kiln_FloatTensor:$w_scale, Kiln_QuantizedTensor:$w_zero_point,
                   Kiln_FloatTensor:$y_scale, Kiln_QuantizedTensor:$y_zero_point,
                   Kiln_Opt<Kiln_Int32Tensor>:$B,
                   DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   DefaultValuedAttr<I64Attr, "1">:$group,
                   OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_QuantizedTensor:$y);
}

//===----------------------------------------------------------------------===//
// Recurrent
//===----------------------------------------------------------------------===//

// Attributes every ONNX recurrent op (RNN, GRU, LSTM) shares.
defvar Kiln_RecurrentAttrs = (ins OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
                                  OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
                                  OptionalAttr<StrArrayAttr>:$activations,
                                  OptionalAttr<F32Attr>:$clip,
                                  DefaultValuedStrAttr<StrAttr, "forward">:$direction,
                                  OptionalAttr<I64Attr>:$hidden_size,
                                  DefaultValuedAttr<I64Attr, "0">:$layout);

class Kiln_RecurrentOp<string mnemonic, string onnx, string doc, dag extraIns, dag extraAttrs, dag outs>
    : Kiln_ShapedOp<mnemonic, [Pure]> {
  let summary = "ONNX " # onnx # ": " # doc;
  let description = "ONNX `" # onnx # "`: " # doc # ". `X` is [seq, batch, input] "
    # "(`layout` 1: [batch, seq, input]); `W`, `R` and `B` hold one slice per "
    # "direction (`direction` forward, reverse or bidirectional), gates in ONNX's "
    # "order; `sequence_lens` gives each batch entry's length (steps past it leave "
    # "`Y` zero and keep the last state); `activations` (with `activation_alpha`, "
    # "`activation_beta`, consumed by the functions that take them) override the "
    # "defaults; `clip` bounds every gate's input. Results `Y` [seq, dirs, batch, "
    # "hidden] and the last states are `none` when the model does not ask for them.\n\n"
    # "Example:\n\n```mlir\n%y, %h = kiln." # mnemonic
    # " %x, %w, %r, %none, %none, %none {hidden_size = 8 : i64} : (...) -> (...)\n```";
  let arguments = !con((ins Kiln_FloatTensor:$X, Kiln_FloatTensor:$W, Kiln_FloatTensor:$R,
                            Kiln_Opt<Kiln_FloatTensor>:$B,
                            Kiln_Opt<Kiln_IndexTensor>:$sequence_lens,
                            Kiln_Opt<Kiln_FloatTensor>:$initial_h),
                       extraIns, Kiln_RecurrentAttrs, extraAttrs);
  let results = outs;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Gates per hidden unit: 1 (RNN), 3 (GRU), 4 (LSTM).
    int64_t gateCount();
    /// Activation functions per direction: 1 (RNN), 2 (GRU), 3 (LSTM).
    int64_t activationCount();
  }];
}

def Kiln_RNNOp : Kiln_RecurrentOp<"rnn", "RNN", "an Elman recurrent layer, H = f(X W^T + H R^T + b)",
    (ins), (ins), (outs Kiln_Opt<Kiln_FloatTensor>:$Y, Kiln_Opt<Kiln_FloatTensor>:$Y_h)>;
def Kiln_GRUOp : Kiln_RecurrentOp<"gru", "GRU", "a gated recurrent unit layer (gates z, r, h)",
    (ins), (ins DefaultValuedAttr<I64Attr, "0">:$linear_before_reset),
    (outs Kiln_Opt<Kiln_FloatTensor>:$Y, Kiln_Opt<Kiln_FloatTensor>:$Y_h)>;
def Kiln_LSTMOp : Kiln_RecurrentOp<"lstm", "LSTM", "a long short-term memory layer (gates i, o, f, c; peepholes P)",
    (ins Kiln_Opt<Kiln_FloatTensor>:$initial_c, Kiln_Opt<Kiln_FloatTensor>:$P),
    (ins DefaultValuedAttr<I64Attr, "0">:$input_forget),
    (outs Kiln_Opt<Kiln_FloatTensor>:$Y, Kiln_Opt<Kiln_FloatTensor>:$Y_h, Kiln_Opt<Kiln_FloatTensor>:$Y_c)>;

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Kiln_LayerNormalizationOp : Kiln_ShapedOp<"layer_normalization", [Pure]> {
  let summary = "ONNX LayerNormalization over the trailing axes from `axis`";
  let description = [{
    Normalizes over axes [axis, rank) to zero mean and unit variance (with
    `epsilon`), then scales by `Scale` and adds `B` (both broadcast to those
    axes). `Mean` and `InvStdDev` are optional results (`none` when the model
    does not ask for them).

    Example:

    ```mlir
    %y, %m, %s = kiln.layer_normalization %x, %g, %b {axis = -1 : i64, epsilon = 9.99999974E-6 : f32}
        : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x8x16xf32>, none, none)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X, Kiln_FloatTensor:$Scale,
                   Kiln_Opt<Kiln_FloatTensor>:$B,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon,
                   DefaultValuedAttr<I64Attr, "1">:$stash_type);
  let results = (outs Kiln_FloatTensor:$Y, Kiln_Opt<Kiln_FloatTensor>:$Mean,
                 Kiln_Opt<Kiln_FloatTensor>:$InvStdDev);
}

def Kiln_BatchNormalizationOp : Kiln_ShapedOp<"batch_normalization", [Pure]> {
  let summary = "ONNX BatchNormalization in inference mode";
  let description = [{
    y = scale * (x - mean) / sqrt(var + epsilon) + B, per channel (axis 1),
    with the running statistics given as operands. Training mode
    (`training_mode` = 1, which updates statistics) is rejected at import;
    the optional running-statistics results are then always `none`.

    Example:

    ```mlir
    %y, %rm, %rv = kiln.batch_normalization %x, %s, %b, %m, %v {epsilon = 9.99999974E-6 : f32}
        : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
        -> (tensor<1x4x8x8xf32>, none, none)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X, Kiln_FloatTensor:$scale, Kiln_FloatTensor:$B,
                   Kiln_FloatTensor:$input_mean, Kiln_FloatTensor:$input_var,
                   DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon,
                   DefaultValuedAttr<F32Attr, "0.9f">:$momentum,
                   DefaultValuedAttr<I64Attr, "0">:$training_mode);
  let results = (outs Kiln_FloatTensor:$Y, Kiln_Opt<Kiln_FloatTensor>:$running_mean,
                 Kiln_Opt<Kiln_FloatTensor>:$running_var);
  let hasVerifier = 1;
}

def Kiln_InstanceNormalizationOp : Kiln_Op<"instance_normalization",
    [Pure, Kiln_SameShape, SameOperandsAndResultElementType]> {
  let summary = "ONNX InstanceNormalization: per-sample, per-channel normalization";
  let description = [{
    Normalizes each (sample, channel) slice over its spatial axes, then applies
    the per-channel `scale` and `B`.

    Example:

    ```mlir
    %y = kiln.instance_normalization %x, %s, %b : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale, Kiln_FloatTensor:$B,
                   DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let hasVerifier = 1;
}

def Kiln_LRNOp : Kiln_Op<"lrn", [Pure, Kiln_SameShape, SameOperandsAndResultElementType]> {
  let summary = "ONNX LRN: local response normalization across channels";
  let description = [{
    y = x / (bias + alpha / size * sum of squares over `size` neighbouring
    channels) ^ beta.

    Example:

    ```mlir
    %y = kiln.lrn %x {size = 3 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X,
                   DefaultValuedAttr<F32Attr, "0.0001f">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.75f">:$beta,
                   DefaultValuedAttr<F32Attr, "1.0f">:$bias,
                   I64Attr:$size);
  let results = (outs Kiln_FloatTensor:$Y);
  let hasVerifier = 1;
}

def Kiln_MeanVarianceNormalizationOp : Kiln_Op<"mean_variance_normalization",
    [Pure, Kiln_SameShape, SameOperandsAndResultElementType]> {
  let summary = "ONNX MeanVarianceNormalization: (x - mean) / std over `axes`";
  let description = [{
    Example:

    ```mlir
    %y = kiln.mean_variance_normalization %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 2, 3}">:$axes);
  let results = (outs Kiln_FloatTensor:$Y);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions, convolutions and pooling
//===----------------------------------------------------------------------===//

def Kiln_MatMulOp : Kiln_ShapedOp<"matmul", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX MatMul: NumPy matmul with batch broadcasting";
  let description = [{
    Matrix product of the last two axes; 1-D operands are promoted to
    matrices and the added axis is removed from the result; leading axes
    broadcast.

    Example:

    ```mlir
    %y = kiln.matmul %a, %b : (tensor<2x8x64xf32>, tensor<64x32xf32>) -> tensor<2x8x32xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$A, Kiln_NumericTensor:$B);
  let results = (outs Kiln_NumericTensor:$Y);
}

def Kiln_GemmOp : Kiln_ShapedOp<"gemm", [Pure]> {
  let summary = "ONNX Gemm: alpha * op(A) * op(B) + beta * C";
  let description = [{
    A and B are matrices, transposed first when `transA`/`transB` is 1; the
    optional C broadcasts unidirectionally to the M x N result.

    Example:

    ```mlir
    %y = kiln.gemm %x, %w, %b {transB = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$A, Kiln_NumericTensor:$B,
                   Kiln_Opt<Kiln_NumericTensor>:$C,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                   DefaultValuedAttr<I64Attr, "0">:$transA,
                   DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs Kiln_NumericTensor:$Y);
}

def Kiln_ConvOp : Kiln_ShapedOp<"conv", [Pure]> {
  let summary = "ONNX Conv: N-d grouped convolution (cross-correlation)";
  let description = [{
    X is N x C x D1..Dn, W is M x C/group x k1..kn, the optional bias B has M
    elements. `kernel_shape` defaults to W's spatial dims; `auto_pad`
    (NOTSET, SAME_UPPER, SAME_LOWER, VALID) overrides `pads` when not NOTSET.

    Example:

    ```mlir
    %y = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
        : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X, Kiln_FloatTensor:$W,
                   Kiln_Opt<Kiln_FloatTensor>:$B,
                   DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   DefaultValuedAttr<I64Attr, "1">:$group,
                   OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_FloatTensor:$Y);
}

def Kiln_ConvTransposeOp : Kiln_ShapedOp<"conv_transpose", [Pure]> {
  let summary = "ONNX ConvTranspose: N-d grouped transposed convolution";
  let description = [{
    W is C x M/group x k1..kn. The output size is
    stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - pads, or
    `output_shape` when given (the pads are then derived).

    Example:

    ```mlir
    %y = kiln.conv_transpose %x, %w, %none {strides = array<i64: 2, 2>}
        : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x4x9x9xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X, Kiln_FloatTensor:$W,
                   Kiln_Opt<Kiln_FloatTensor>:$B,
                   DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   DefaultValuedAttr<I64Attr, "1">:$group,
                   OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                   OptionalAttr<DenseI64ArrayAttr>:$output_padding,
                   OptionalAttr<DenseI64ArrayAttr>:$output_shape,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_FloatTensor:$Y);
}

def Kiln_MaxPoolOp : Kiln_ShapedOp<"max_pool", [Pure]> {
  let summary = "ONNX MaxPool: N-d max pooling, with optional argmax indices";
  let description = [{
    Windows of `kernel_shape` with `strides`, `pads`, `dilations`, and
    `ceil_mode` rounding of the output size. `Indices` (flattened int64
    positions, row-major unless `storage_order` is 1) is `none` unless the
    model uses it.

    Example:

    ```mlir
    %y, %i = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
        : (tensor<1x64x112x112xf32>) -> (tensor<1x64x56x56xf32>, none)
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$X,
                   DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                   DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   DenseI64ArrayAttr:$kernel_shape,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   DefaultValuedAttr<I64Attr, "0">:$storage_order,
                   OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_NumericTensor:$Y, Kiln_Opt<Kiln_I64Tensor>:$Indices);
}

def Kiln_AveragePoolOp : Kiln_ShapedOp<"average_pool", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX AveragePool: N-d average pooling";
  let description = [{
    Like MaxPool, averaging each window; padded positions count in the divisor
    only when `count_include_pad` is 1.

    Example:

    ```mlir
    %y = kiln.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X,
                   DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                   DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                   DefaultValuedAttr<I64Attr, "0">:$count_include_pad,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   DenseI64ArrayAttr:$kernel_shape,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_FloatTensor:$Y);
}

def Kiln_GlobalAveragePoolOp : Kiln_ShapedOp<"global_average_pool",
    [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX GlobalAveragePool: mean over all spatial axes";
  let description = [{
    Example:

    ```mlir
    %y = kiln.global_average_pool %x : (tensor<1x2048x7x7xf32>) -> tensor<1x2048x1x1xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X);
  let results = (outs Kiln_FloatTensor:$Y);
}

def Kiln_GlobalMaxPoolOp : Kiln_ShapedOp<"global_max_pool",
    [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX GlobalMaxPool: maximum over all spatial axes";
  let description = [{
    Example:

    ```mlir
    %y = kiln.global_max_pool %x : (tensor<1x64x7x7xf32>) -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$X);
  let results = (outs Kiln_FloatTensor:$Y);
}

def Kiln_DropoutOp : Kiln_ShapedOp<"dropout", [Pure]> {
  let summary = "ONNX Dropout; inference mode is the identity";
  let description = [{
    With `training_mode` absent or false, `output` is `data` and `mask` is all
    true. kiln compiles inference graphs: a model that enables training mode
    with a non-constant or true flag is rejected at import.

    Example:

    ```mlir
    %y, %m = kiln.dropout %x, %none, %none : (tensor<4xf32>, none, none) -> (tensor<4xf32>, none)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$data, Kiln_Opt<Kiln_FloatTensor>:$ratio,
                   Kiln_Opt<Kiln_BoolTensor>:$training_mode,
                   OptionalAttr<I64Attr>:$seed);
  let results = (outs Kiln_FloatTensor:$output, Kiln_Opt<Kiln_BoolTensor>:$mask);
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def Kiln_ShapeOp : Kiln_ShapedOp<"shape", [Pure]> {
  let summary = "ONNX Shape: the input's dimensions as a 1-D int64 tensor";
  let description = [{
    Returns dims [start, end) of the input shape (negative bounds count from
    the end, both clamped).

    Example:

    ```mlir
    %s = kiln.shape %x : (tensor<?x3x224x224xf32>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data,
                   DefaultValuedAttr<I64Attr, "0">:$start,
                   OptionalAttr<I64Attr>:$end);
  let results = (outs Kiln_I64Tensor:$shape);
}

def Kiln_SizeOp : Kiln_ShapedOp<"size", [Pure]> {
  let summary = "ONNX Size: the number of elements as a 0-d int64 tensor";
  let description = [{
    Example:

    ```mlir
    %n = kiln.size %x : (tensor<2x3xf32>) -> tensor<i64>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data);
  let results = (outs Kiln_I64Tensor:$size);
}

def Kiln_ReshapeOp : Kiln_ShapedOp<"reshape", [Pure]> {
  let summary = "ONNX Reshape to the shape held by a 1-D int64 tensor";
  let description = [{
    A 0 in `shape` copies the input's dimension at that index (unless
    `allowzero` is 1), and one -1 is inferred from the element count.

    Example:

    ```mlir
    %y = kiln.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_I64Tensor:$shape,
                   DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs Kiln_AnyTensor:$reshaped);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_FlattenOp : Kiln_ShapedOp<"flatten", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX Flatten: collapse to 2-D at `axis`";
  let description = [{
    The result is (d0 * ... * d(axis-1)) x (d(axis) * ... * dn).

    Example:

    ```mlir
    %y = kiln.flatten %x {axis = 1 : i64} : (tensor<1x2048x1x1xf32>) -> tensor<1x2048xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_TransposeOp : Kiln_ShapedOp<"transpose", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX Transpose: permute axes (reverse them when `perm` is absent)";
  let description = [{
    Result axis i is input axis perm[i].

    Example:

    ```mlir
    %y = kiln.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x128x12x64xf32>) -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs Kiln_AnyTensor:$transposed);
}

def Kiln_SqueezeOp : Kiln_ShapedOp<"squeeze", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX Squeeze: remove size-1 axes";
  let description = [{
    Removes the listed `axes` (each must have size 1), or every size-1 axis
    when `axes` is absent. The importer turns Squeeze-13's constant `axes`
    input into this attribute.

    Example:

    ```mlir
    %y = kiln.squeeze %x {axes = array<i64: 0>} : (tensor<1x3xf32>) -> tensor<3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, OptionalAttr<DenseI64ArrayAttr>:$axes);
  let results = (outs Kiln_AnyTensor:$squeezed);
}

def Kiln_UnsqueezeOp : Kiln_ShapedOp<"unsqueeze", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX Unsqueeze: insert size-1 axes";
  let description = [{
    `axes` index the result's axes (negative counts from the result's end).
    The importer turns Unsqueeze-13's constant `axes` input into this
    attribute.

    Example:

    ```mlir
    %y = kiln.unsqueeze %x {axes = array<i64: 0, 2>} : (tensor<3xf32>) -> tensor<1x3x1xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_AnyTensor:$expanded);
}

def Kiln_ConcatOp : Kiln_ShapedOp<"concat", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX Concat along `axis`";
  let description = [{
    Example:

    ```mlir
    %y = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<1x32x8x8xf32>) -> tensor<1x96x8x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_AnyTensor:$concat_result);
}

def Kiln_SplitOp : Kiln_ShapedOp<"split", [Pure]> {
  let summary = "ONNX Split along `axis` into the given sizes or equal parts";
  let description = [{
    `split` lists each output's size along `axis`; without it the axis is
    divided equally among the results. Split-13's constant `split` input
    becomes this attribute at import.

    Example:

    ```mlir
    %q, %k, %v = kiln.split %x {axis = 2 : i64} : (tensor<1x128x2304xf32>) -> (tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>)
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, OptionalAttr<DenseI64ArrayAttr>:$split,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Variadic<Kiln_AnyTensor>:$outputs);
}

def Kiln_SliceOp : Kiln_ShapedOp<"slice", [Pure]> {
  let summary = "ONNX Slice with start/end/axes/step tensors";
  let description = [{
    For each listed axis (all leading axes when `axes` is `none`), takes
    [start, end) with `steps` (default 1; negative steps walk backwards);
    bounds are clamped as ONNX specifies. Slice-1's attributes become constant
    operands at import.

    Example:

    ```mlir
    %y = kiln.slice %x, %starts, %ends, %axes, %none : (tensor<1x128x768xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x64x768xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$starts, Kiln_IndexTensor:$ends,
                   Kiln_Opt<Kiln_IndexTensor>:$axes, Kiln_Opt<Kiln_IndexTensor>:$steps);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_GatherOp : Kiln_ShapedOp<"gather", [Pure]> {
  let summary = "ONNX Gather: take entries along `axis` at integer indices";
  let description = [{
    The result shape is data.shape[:axis] + indices.shape + data.shape[axis+1:];
    negative indices count from the end.

    Example:

    ```mlir
    %e = kiln.gather %table, %ids {axis = 0 : i64} : (tensor<30522x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_GatherElementsOp : Kiln_ShapedOp<"gather_elements", [Pure]> {
  let summary = "ONNX GatherElements: index `data` along `axis` elementwise";
  let description = [{
    out[i][j][k] = data[index[i][j][k]][j][k] for axis 0, and so on; the result
    has the indices' shape.

    Example:

    ```mlir
    %y = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_GatherNDOp : Kiln_ShapedOp<"gather_nd", [Pure]> {
  let summary = "ONNX GatherND: gather slices addressed by index tuples";
  let description = [{
    Example:

    ```mlir
    %y = kiln.gather_nd %x, %i : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_I64Tensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_ScatterNDOp : Kiln_Op<"scatter_nd", [Pure, Kiln_SameShape]> {
  let summary = "ONNX ScatterND: write update slices at index tuples";
  let description = [{
    A copy of `data` with `updates` written (or combined with `reduction`:
    none, add, mul, max, min) at the positions in `indices`.

    Example:

    ```mlir
    %y = kiln.scatter_nd %x, %i, %u : (tensor<8xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_I64Tensor:$indices, Kiln_AnyTensor:$updates,
                   DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Kiln_AnyTensor:$output);
  let hasVerifier = 1;
}

def Kiln_ScatterElementsOp : Kiln_Op<"scatter_elements", [Pure, Kiln_SameShape]> {
  let summary = "ONNX ScatterElements: write updates along `axis` elementwise";
  let description = [{
    The inverse of GatherElements: a copy of `data` where
    out[indices[i][j]][j] = updates[i][j] for axis 0 (combined with
    `reduction` when not none). ONNX's deprecated Scatter imports as this op.

    Example:

    ```mlir
    %y = kiln.scatter_elements %x, %i, %u {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x1xf32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices, Kiln_AnyTensor:$updates,
                   DefaultValuedAttr<I64Attr, "0">:$axis,
                   DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Kiln_AnyTensor:$output);
  let hasVerifier = 1;
}

def Kiln_ExpandOp : Kiln_ShapedOp<"expand", [Pure]> {
  let summary = "ONNX Expand: broadcast to a shape held by a 1-D int64 tensor";
  let description = [{
    The result shape is the multidirectional broadcast of the input's shape
    and `shape` (so a 1 in `shape` keeps the input's dimension).

    Example:

    ```mlir
    %y = kiln.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_I64Tensor:$shape);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_TileOp : Kiln_ShapedOp<"tile", [Pure]> {
  let summary = "ONNX Tile: repeat the input along each axis";
  let description = [{
    Example:

    ```mlir
    %y = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_I64Tensor:$repeats);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_PadOp : Kiln_ShapedOp<"pad", [Pure]> {
  let summary = "ONNX Pad: constant, reflect, edge or wrap padding";
  let description = [{
    `pads` holds [x1_begin, x2_begin, ..., x1_end, x2_end, ...] for the axes
    in `axes` (all axes when `none`); negative pads crop. Pad-2's attributes
    become constant operands at import.

    Example:

    ```mlir
    %y = kiln.pad %x, %p, %v, %none {mode = "constant"} : (tensor<1x3x4x4xf32>, tensor<8xi64>, tensor<f32>, none) -> tensor<1x3x6x6xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_I64Tensor:$pads,
                   Kiln_Opt<Kiln_AnyTensor>:$constant_value,
                   Kiln_Opt<Kiln_IndexTensor>:$axes,
                   DefaultValuedStrAttr<StrAttr, "constant">:$mode);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_ConstantOfShapeOp : Kiln_ShapedOp<"constant_of_shape", [Pure]> {
  let summary = "ONNX ConstantOfShape: a tensor of the given shape filled with one value";
  let description = [{
    `value` is a one-element tensor (default: float 0.0).

    Example:

    ```mlir
    %y = kiln.constant_of_shape %s {value = dense<1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
    ```
  }];
  let arguments = (ins Kiln_I64Tensor:$input, OptionalAttr<ElementsAttr>:$value);
  let results = (outs Kiln_AnyTensor:$output);
  let hasVerifier = 1;
}

def Kiln_RangeTensor : RankedTensorOf<[F32, F64, I16, I32, I64]>;

def Kiln_RangeOp : Kiln_ShapedOp<"range", [Pure]> {
  let summary = "ONNX Range: start, start + delta, ... up to (excluding) limit";
  let description = [{
    The three operands are 0-d tensors of one numeric type; the length is
    max(ceil((limit - start) / delta), 0).

    Example:

    ```mlir
    %y = kiln.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<128xi64>
    ```
  }];
  let arguments = (ins Kiln_RangeTensor:$start, Kiln_RangeTensor:$limit,
                   Kiln_RangeTensor:$delta);
  let results = (outs Kiln_RangeTensor:$output);
}

def Kiln_DepthToSpaceOp : Kiln_ShapedOp<"depth_to_space", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX DepthToSpace: move channel blocks into spatial blocks";
  let description = [{
    N x C x H x W becomes N x C/(b*b) x H*b x W*b, in `mode` DCR or CRD.

    Example:

    ```mlir
    %y = kiln.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, I64Attr:$blocksize,
                   DefaultValuedStrAttr<StrAttr, "DCR">:$mode);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_SpaceToDepthOp : Kiln_ShapedOp<"space_to_depth", [Pure, SameOperandsAndResultElementType]> {
  let summary = "ONNX SpaceToDepth: move spatial blocks into channels";
  let description = [{
    N x C x H x W becomes N x C*b*b x H/b x W/b.

    Example:

    ```mlir
    %y = kiln.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, I64Attr:$blocksize);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_TriluOp : Kiln_Op<"trilu", [Pure, Kiln_SameShape]> {
  let summary = "ONNX Trilu: keep the upper or lower triangle of the last two axes";
  let description = [{
    Keeps elements on and above (upper = 1) or on and below (upper = 0) the
    k-th diagonal; `k` is an optional 0-d int64 tensor.

    Example:

    ```mlir
    %y = kiln.trilu %x, %none {upper = 0 : i64} : (tensor<4x4xf32>, none) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_Opt<Kiln_I64Tensor>:$k,
                   DefaultValuedAttr<I64Attr, "1">:$upper);
  let results = (outs Kiln_AnyTensor:$output);
  let hasVerifier = 1;
}

def Kiln_OneHotOp : Kiln_ShapedOp<"one_hot", [Pure]> {
  let summary = "ONNX OneHot: expand indices into one-hot vectors";
  let description = [{
    Inserts an axis of size `depth` at `axis`, holding values[1] at each index
    and values[0] elsewhere.

    Example:

    ```mlir
    %y = kiln.one_hot %i, %d, %v {axis = -1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x10xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$indices, Kiln_NumericTensor:$depth,
                   Kiln_AnyTensor:$values, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_EyeLikeOp : Kiln_ShapedOp<"eye_like", [Pure]> {
  let summary = "ONNX EyeLike: ones on the k-th diagonal of a 2-D tensor";
  let description = [{
    Has the input's shape and `dtype` (the input's element type when absent).

    Example:

    ```mlir
    %y = kiln.eye_like %x {k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, OptionalAttr<TypeAttrOf<Kiln_AnyElt>>:$dtype,
                   DefaultValuedAttr<I64Attr, "0">:$k);
  let results = (outs Kiln_AnyTensor:$output);
}

def Kiln_ReverseSequenceOp : Kiln_Op<"reverse_sequence", [Pure, Kiln_SameShape]> {
  let summary = "ONNX ReverseSequence: reverse each batch entry's leading sequence";
  let description = [{
    Example:

    ```mlir
    %y = kiln.reverse_sequence %x, %lens {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_I64Tensor:$sequence_lens,
                   DefaultValuedAttr<I64Attr, "1">:$batch_axis,
                   DefaultValuedAttr<I64Attr, "0">:$time_axis);
  let results = (outs Kiln_AnyTensor:$Y);
  let hasVerifier = 1;
}

def Kiln_ResizeOp : Kiln_ShapedOp<"resize", [Pure]> {
  let summary = "ONNX Resize: nearest, linear or cubic interpolation";
  let description = [{
    The output size comes from `sizes`, or from floor(in * scales); `roi` is
    used only by the tf_crop_and_resize coordinate mode. ONNX's deprecated
    Upsample imports as this op (asymmetric coordinates, floor rounding).

    Example:

    ```mlir
    %y = kiln.resize %x, %none, %scales, %none {mode = "nearest"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$X, Kiln_Opt<Kiln_FloatTensor>:$roi,
                   Kiln_Opt<Kiln_FloatTensor>:$scales, Kiln_Opt<Kiln_I64Tensor>:$sizes,
                   DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                   DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
                   DefaultValuedAttr<I64Attr, "0">:$exclude_outside,
                   DefaultValuedAttr<F32Attr, "0.0f">:$extrapolation_value,
                   DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                   DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode);
  let results = (outs Kiln_NumericTensor:$Y);
}

//===----------------------------------------------------------------------===//
// Losses (ONNX training-graph ops that also appear in inference exports)
//===----------------------------------------------------------------------===//

def Kiln_NegativeLogLikelihoodLossOp : Kiln_ShapedOp<"negative_log_likelihood_loss", [Pure]> {
  let summary = "ONNX NegativeLogLikelihoodLoss";
  let description = [{
    loss[n][d] = -input[n][target[n][d]][d] * weight[target[n][d]], then
    reduced by `reduction` (none, sum, mean); targets equal to `ignore_index`
    contribute nothing.

    Example:

    ```mlir
    %l = kiln.negative_log_likelihood_loss %x, %t, %none {reduction = "mean"} : (tensor<3x5xf32>, tensor<3xi64>, none) -> tensor<f32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_IndexTensor:$target,
                   Kiln_Opt<Kiln_FloatTensor>:$weight,
                   OptionalAttr<I64Attr>:$ignore_index,
                   DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = (outs Kiln_FloatTensor:$loss);
}

def Kiln_SoftmaxCrossEntropyLossOp : Kiln_ShapedOp<"softmax_cross_entropy_loss", [Pure]> {
  let summary = "ONNX SoftmaxCrossEntropyLoss";
  let description = [{
    NegativeLogLikelihoodLoss of LogSoftmax(scores) along axis 1; `log_prob`
    (optional) returns that LogSoftmax.

    Example:

    ```mlir
    %l, %lp = kiln.softmax_cross_entropy_loss %x, %t, %none : (tensor<3x5xf32>, tensor<3xi64>, none) -> (tensor<f32>, none)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$scores, Kiln_IndexTensor:$labels,
                   Kiln_Opt<Kiln_FloatTensor>:$weights,
                   OptionalAttr<I64Attr>:$ignore_index,
                   DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = (outs Kiln_FloatTensor:$output, Kiln_Opt<Kiln_FloatTensor>:$log_prob);
}

#endif // KILN_OPS_TD
