// Declarations of kiln's graph passes: names, options and before/after documentation.
#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

def PinInputsPass : Pass<"kiln-pin-inputs", "func::FuncOp"> {
  let summary = "Replace graph inputs by constant values (kiln's --const)";
  let description = [{
    Each `name=VALUE` of the `values` option replaces the input of that name
    (its kiln.name) by a kiln.constant holding VALUE and removes it from the
    function's arguments, so that shape specialization and constant folding can
    use it: an axis, a split size, a window length, a sample rate that selects a
    branch. VALUE is an inline literal (`16000`, `[0, 2]`, `[[1, 2], [3, 4]]`,
    `1e-5`, `true`) or a `.npy` file; its shape must be the declared one (a single
    number fills any declared shape of one element) and its numbers exact in the
    input's element type. Unknown names, repeated names and values that do not fit
    are errors naming the input. (kiln's `--const` applies the same values when
    it imports a model, through the same parser, so that the `onnx` stage already
    holds them; this pass does it for IR.)

    Before (`--kiln-pin-inputs="values=k=3"`):

    ```mlir
    func.func @main(%x: tensor<8xf32> {kiln.name = "x"}, %k: tensor<1xi64> {kiln.name = "k"})
        -> (tensor<?xf32>, tensor<?xi64>) {
      %v, %i = kiln.top_k %x, %k {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64}
          : (tensor<8xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
      return %v, %i : tensor<?xf32>, tensor<?xi64>
    }
    ```

    After:

    ```mlir
    func.func @main(%x: tensor<8xf32> {kiln.name = "x"}) -> (tensor<?xf32>, tensor<?xi64>) {
      %k = kiln.constant dense<3> : tensor<1xi64>
      %v, %i = kiln.top_k %x, %k {...} : (tensor<8xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
      return %v, %i : tensor<?xf32>, tensor<?xi64>
    }
    ```
  }];
  let options = [
    ListOption<"values", "values", "std::string",
               "Input values as name=VALUE or name=FILE.npy (name is the input's kiln.name, "
               "or #i for the i-th input when it has none)">,
  ];
}

def SpecializeShapesPass : Pass<"kiln-specialize-shapes", "func::FuncOp"> {
  let summary = "Pin the input shapes and make every type in the function static";
  let description = [{
    Rewrites the argument types from the `shapes` and `batch` options (static
    dimensions already in the model are kept; a pinned size that contradicts one
    is an error), then walks the ops in order, re-runs each op's shape inference
    and refines its result types. Any value still dynamic at the end is an error
    naming the op (its location), the result and the dimension.

    Before (`--kiln-specialize-shapes="shapes=x=1x3x8x8"`):

    ```mlir
    func.func @main(%x: tensor<?x3x?x?xf32> {kiln.name = "x"}) -> tensor<?x3x?x?xf32> {
      %y = kiln.relu %x : (tensor<?x3x?x?xf32>) -> tensor<?x3x?x?xf32>
      return %y : tensor<?x3x?x?xf32>
    }
    ```

    After:

    ```mlir
    func.func @main(%x: tensor<1x3x8x8xf32> {kiln.name = "x"}) -> tensor<1x3x8x8xf32> {
      %y = kiln.relu %x : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
      return %y : tensor<1x3x8x8xf32>
    }
    ```
  }];
  let options = [
    ListOption<"shapes", "shapes", "std::string",
               "Input shapes as name=D0xD1x... (name is the input's kiln.name, or "
               "#i for the i-th input when it has none)">,
    Option<"batch", "batch", "int64_t", /*default=*/"0",
           "Size of every input's dynamic leading dimension (0: leave unset)">,
  ];
}

def RemoveIdentityPass : Pass<"kiln-remove-identity", "func::FuncOp"> {
  let summary = "Remove kiln.identity, and kiln.dropout where it is the identity";
  let description = [{
    Identity is forwarded to its input. Dropout whose `training_mode` is absent
    or a constant false, or whose `ratio` is a constant 0 (in any mode: ONNX
    keeps every element and scales by 1/(1 - 0)), is the identity on `data`; a
    used `mask` becomes an all-true constant once its shape is static.

    Before:

    ```mlir
    %a = kiln.identity %x : (tensor<4xf32>) -> tensor<4xf32>
    %y, %m = kiln.dropout %a, %none, %none : (tensor<4xf32>, none, none) -> (tensor<4xf32>, none)
    return %y : tensor<4xf32>
    ```

    After:

    ```mlir
    return %x : tensor<4xf32>
    ```
  }];
}

def FoldBatchNormPass : Pass<"kiln-fold-batchnorm", "func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding Conv or Gemm";
  let description = [{
    With all of BN's operands constant and the producer's weight constant,
    `W' = W * s` and `b' = (b - mean) * s + B` with `s = scale / sqrt(var + eps)`
    per output channel (Conv: axis 0 of W; Gemm: the output column, honouring
    `transB`, `alpha` and `beta`). Arithmetic is done in double and stored in
    the weight's element type (f32 and f64 only). The producer must have BN as
    its only user, its bias must be absent or constant (for Gemm: a scalar or
    one value per column), and the folded op's location fuses both nodes'.

    Before:

    ```mlir
    %c = kiln.conv %x, %w, %b : (...) -> tensor<1x2x4x4xf32>
    %y, %rm, %rv = kiln.batch_normalization %c, %s, %bb, %m, %v : (...) -> (tensor<1x2x4x4xf32>, none, none)
    ```

    After:

    ```mlir
    %w2 = kiln.constant dense<...> : tensor<2x1x1x1xf32>
    %b2 = kiln.constant dense<...> : tensor<2xf32>
    %y = kiln.conv %x, %w2, %b2 : (...) -> tensor<1x2x4x4xf32>
    ```
  }];
}

def SimplifyShapesPass : Pass<"kiln-simplify-shapes", "func::FuncOp"> {
  let summary = "Turn static data-movement ops into reshapes and merge or drop redundant ones";
  let description = [{
    - flatten, squeeze and unsqueeze with static types become a reshape to a
      constant shape;
    - reshape of reshape becomes one reshape (to the outer static type);
    - reshape and transpose whose result type equals their static input type
      are removed;
    - transpose of transpose becomes one transpose with the composed
      permutation, and an identity permutation is removed.

    Before:

    ```mlir
    %a = kiln.flatten %x {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
    %b = kiln.transpose %y {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
    %c = kiln.transpose %b {perm = array<i64: 1, 0, 2>} : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
    ```

    After:

    ```mlir
    %s = kiln.constant dense<[2, 12]> : tensor<2xi64>
    %a = kiln.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
    // uses of %c use %y
    ```
  }];
}

def MatMulBiasPass : Pass<"kiln-matmul-bias", "func::FuncOp"> {
  let summary = "Fuse MatMul with a constant weight and a following bias Add into Gemm";
  let description = [{
    `matmul(A, B) + bias` with B a constant K x N matrix, bias a constant 1-D
    tensor of N elements and the matmul used only by the add becomes
    `gemm(A, B, bias)`. A of rank > 2 with a static shape is reshaped to
    (prod(leading) x K) around the gemm. The new ops carry the fused location
    of the matmul and the add.

    Before:

    ```mlir
    %m = kiln.matmul %a, %w : (tensor<2x8x4xf32>, tensor<4x3xf32>) -> tensor<2x8x3xf32>
    %y = kiln.add %m, %b : (tensor<2x8x3xf32>, tensor<3xf32>) -> tensor<2x8x3xf32>
    ```

    After:

    ```mlir
    %a2 = kiln.reshape %a, %s0 : (tensor<2x8x4xf32>, tensor<2xi64>) -> tensor<16x4xf32>
    %g = kiln.gemm %a2, %w, %b : (tensor<16x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<16x3xf32>
    %y = kiln.reshape %g, %s1 : (tensor<16x3xf32>, tensor<3xi64>) -> tensor<2x8x3xf32>
    ```
  }];
}

def FuseRegionsPass : Pass<"kiln-fuse-regions", "func::FuncOp"> {
  let summary = "Group the static graph into kiln.fused regions, one kernel each";
  let description = [{
    Forms regions in program order. A Conv, Gemm or MatMul (the root) takes the
    elementwise ops that consume its result with as many elements into a
    `contraction` region, applied as the kernel stores the result (bias,
    activations, residual adds, x * sigmoid(x)); any other elementwise op starts
    an `elementwise` region that takes its consumers likewise. Reshapes and other
    views of a region value join too (element i stays element i), so that a
    Gemm's 2-D result reshaped back to 3-D still takes its residual add. A MatMul or
    Gemm also takes the ops that compute its operands from a buffer, each used only on
    that path: Transpose, Slice and Expand with constant parameters (a static Split becomes
    Slices first), views, and elementwise ops whose
    other operands are one-element constants (attention's head split, key transpose,
    query scaling and head merge). They become its operand prologue: the kernel reads
    through them with index arithmetic, so no copy is written. A consumer joins
    only when none of its other operands depends on the region (no cycle between
    regions), and a region holds at most `max-ops` ops. A value used after the
    region is one of its results (stored once, never recomputed); constants are
    defined again inside the region. A lone op stays as it was. The region's
    location fuses its ops' locations, so every kernel still names its ONNX nodes.

    Before:

    ```mlir
    %c = kiln.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
    %s = kiln.add %c, %r : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    %y = kiln.relu %s : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    ```

    After:

    ```mlir
    %y = kiln.fused "contraction" (%x, %r) : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
    ^bb0(%a: tensor<1x3x8x8xf32>, %b: tensor<1x4x6x6xf32>):
      %w = kiln.constant ...
      %bias = kiln.constant ...
      %c = kiln.conv %a, %w, %bias : ...
      %s = kiln.add %c, %b : ...
      %r = kiln.relu %s : ...
      kiln.yield %r : tensor<1x4x6x6xf32>
    }
    ```
  }];
  let options = [
    Option<"maxOps", "max-ops", "unsigned", /*default=*/"64", "The most ops one region may hold">,
  ];
}

#endif // KILN_PASSES_TD
