// RUN: kiln-opt %s --kiln-fuse-regions -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-fuse-regions="max-ops=2" -split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: kiln-opt %s --kiln-fuse-regions -split-input-file --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// Region formation: each pattern of the fused stage, and the cases that must not fuse.

// An elementwise chain of any length is one region; the broadcast bias and the
// one-element constant are read inside it, the constant defined again there.
// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x4xf32>, %[[B:[^:]*]]: tensor<4xf32>
// CHECK: %[[F:.*]] = kiln.fused "elementwise"(%[[X]], %[[B]]) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32> {
// CHECK-NEXT: ^bb0(%[[A0:.*]]: tensor<2x4xf32>, %[[A1:.*]]: tensor<4xf32>):
// CHECK-NEXT: kiln.add %[[A0]], %[[A1]]
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.constant dense<2.500000e-01>
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: kiln.yield
// CHECK: return %[[F]]
// SMALL-LABEL: func.func @chain(
// SMALL-COUNT-2: kiln.fused "elementwise"
// LOC-LABEL: func.func @chain(
// LOC: kiln.yield {{.*}} loc(fused["add", "relu", "scale", "tanh"])
func.func @chain(%x: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %q = kiln.constant dense<0.25> : tensor<f32>
  %a = kiln.add %x, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32> loc("add")
  %r = kiln.relu %a : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("relu")
  %m = kiln.mul %r, %q : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32> loc("scale")
  %t = kiln.tanh %m : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("tanh")
  return %t : tensor<2x4xf32>
}

// -----

// A value used after the region is one of its results (stored, not recomputed); a
// consumer of another shape (the reduction) stays outside.
// CHECK-LABEL: func.func @multi_output(
// CHECK: %[[F:.*]]:2 = kiln.fused "elementwise"(%{{.*}}) : (tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
// CHECK: kiln.exp
// CHECK: kiln.neg
// CHECK: kiln.yield
// CHECK: %[[S:.*]] = kiln.reduce_sum %[[F]]#0
// CHECK: return %[[S]], %[[F]]#1
func.func @multi_output(%x: tensor<8xf32>) -> (tensor<1xf32>, tensor<8xf32>) {
  %e = kiln.exp %x : (tensor<8xf32>) -> tensor<8xf32>
  %n = kiln.neg %e : (tensor<8xf32>) -> tensor<8xf32>
  %s = kiln.reduce_sum %e : (tensor<8xf32>) -> tensor<1xf32>
  return %s, %n : tensor<1xf32>, tensor<8xf32>
}

// -----

// Conv with its epilogue: Clip (ReLU6) and the residual Add, x * sigmoid(x) too (the
// conv's value read twice in the region).
// CHECK-LABEL: func.func @conv_epilogue(
// CHECK: %[[F:.*]] = kiln.fused "contraction"(%{{.*}}, %{{.*}}) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK: kiln.conv
// CHECK: kiln.clip
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.sigmoid
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused
// CHECK: return %[[F]]
func.func @conv_epilogue(%x: tensor<1x2x4x4xf32>, %res: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<1.0> : tensor<2x2x1x1xf32>
  %b = kiln.constant dense<0.5> : tensor<2xf32>
  %lo = kiln.constant dense<0.0> : tensor<f32>
  %hi = kiln.constant dense<6.0> : tensor<f32>
  %c = kiln.conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %k = kiln.clip %c, %lo, %hi : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %a = kiln.add %k, %res : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = kiln.sigmoid %a : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %y = kiln.mul %a, %s : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A Gemm's 2-D result reshaped back to 3-D still takes the residual add: the reshape
// is a view inside the region.
// CHECK-LABEL: func.func @gemm_reshape_add(
// CHECK: kiln.fused "contraction"
// CHECK: kiln.gemm
// CHECK-NEXT: kiln.constant dense<[1, 4, 3]>
// CHECK-NEXT: kiln.reshape
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.yield %{{.*}} : tensor<1x4x3xf32>
func.func @gemm_reshape_add(%a: tensor<4x5xf32>, %r: tensor<1x4x3xf32>) -> tensor<1x4x3xf32> {
  %w = kiln.constant dense<1.0> : tensor<5x3xf32>
  %none = kiln.none
  %shape = kiln.constant dense<[1, 4, 3]> : tensor<3xi64>
  %g = kiln.gemm %a, %w, %none : (tensor<4x5xf32>, tensor<5x3xf32>, none) -> tensor<4x3xf32>
  %v = kiln.reshape %g, %shape : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<1x4x3xf32>
  %y = kiln.add %r, %v : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<1x4x3xf32>
  return %y : tensor<1x4x3xf32>
}

// -----

// The add reads the matmul (in the region) and a value computed from the region's own
// result: joining would make a cycle, so it stays outside.
// CHECK-LABEL: func.func @no_cycle(
// CHECK: %[[F:.*]]:2 = kiln.fused "contraction"
// CHECK: kiln.matmul
// CHECK-NEXT: kiln.relu
// CHECK: kiln.reduce_max %[[F]]#1
// CHECK: kiln.add %[[F]]#0
func.func @no_cycle(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %m = kiln.matmul %a, %b : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %r = kiln.relu %m : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %mx = kiln.reduce_max %r : (tensor<4x4xf32>) -> tensor<1x1xf32>
  %y = kiln.add %m, %mx : (tensor<4x4xf32>, tensor<1x1xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// A lone op stays as it was; an op of another shape starts its own region.
// CHECK-LABEL: func.func @lone(
// CHECK-NOT: kiln.fused
// CHECK: kiln.relu
// CHECK-NOT: kiln.fused
func.func @lone(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r = kiln.relu %x : (tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// Attention's operands: q and k sliced from one projection, split into heads, q scaled by a
// scalar, k transposed. The slices, reshapes, transposes and the scale join the matmul's
// region as its operand prologue (read through, never copied); the projection feeding two
// chains, and a transpose with a second user, stay outside.
// CHECK-LABEL: func.func @operand_prologue(
// CHECK: %[[F:.*]] = kiln.fused "contraction"(%arg0) :
// CHECK: kiln.slice
// CHECK: kiln.slice
// CHECK: kiln.reshape
// CHECK: kiln.transpose
// CHECK: kiln.div
// CHECK: kiln.transpose
// CHECK: kiln.matmul
// CHECK: kiln.yield
// CHECK: kiln.transpose %arg1
// CHECK: kiln.matmul
// CHECK: kiln.add
func.func @operand_prologue(%qk: tensor<4x1x16xf32>, %z: tensor<2x2xf32>) -> (tensor<2x4x4xf32>, tensor<2x2xf32>) {
  %s0 = kiln.constant dense<0> : tensor<1xi64>
  %s8 = kiln.constant dense<8> : tensor<1xi64>
  %s16 = kiln.constant dense<16> : tensor<1xi64>
  %ax = kiln.constant dense<2> : tensor<1xi64>
  %none = kiln.none
  %shape = kiln.constant dense<[4, 2, 4]> : tensor<3xi64>
  %scale = kiln.constant dense<2.0> : tensor<f32>
  %q = kiln.slice %qk, %s0, %s8, %ax, %none : (tensor<4x1x16xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x1x8xf32>
  %k = kiln.slice %qk, %s8, %s16, %ax, %none : (tensor<4x1x16xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x1x8xf32>
  %qh = kiln.reshape %q, %shape : (tensor<4x1x8xf32>, tensor<3xi64>) -> tensor<4x2x4xf32>
  %kh = kiln.reshape %k, %shape : (tensor<4x1x8xf32>, tensor<3xi64>) -> tensor<4x2x4xf32>
  %qt = kiln.transpose %qh {perm = array<i64: 1, 0, 2>} : (tensor<4x2x4xf32>) -> tensor<2x4x4xf32>
  %qs = kiln.div %qt, %scale : (tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
  %kt = kiln.transpose %kh {perm = array<i64: 1, 2, 0>} : (tensor<4x2x4xf32>) -> tensor<2x4x4xf32>
  %s = kiln.matmul %qs, %kt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %zt = kiln.transpose %z {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = kiln.matmul %zt, %z : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = kiln.add %m, %zt : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %s, %r : tensor<2x4x4xf32>, tensor<2x2xf32>
}

// -----

// A Split whose results feed two matmuls becomes one Slice per result, and the transpose
// all of them read is cloned per consumer (an index map costs nothing to recompute): each
// matmul's region reads its operands straight from the projection, with no copy between.
// CHECK-LABEL: func.func @split_heads(
// CHECK-NOT: kiln.split
// CHECK: kiln.fused "contraction"(%arg0)
// CHECK: kiln.transpose %arg
// CHECK: kiln.transpose %arg
// CHECK: kiln.slice
// CHECK: kiln.slice
// CHECK: kiln.transpose
// CHECK: kiln.matmul
// CHECK: kiln.fused "contraction"(%arg0, %{{.*}})
// CHECK: kiln.transpose %arg
// CHECK: kiln.slice
// CHECK: kiln.matmul
func.func @split_heads(%x: tensor<4x3x2x5xf32>) -> tensor<1x2x4x5xf32> {
  %t = kiln.transpose %x {perm = array<i64: 1, 2, 0, 3>} : (tensor<4x3x2x5xf32>) -> tensor<3x2x4x5xf32>
  %q, %k, %v = kiln.split %t {axis = 0 : i64} : (tensor<3x2x4x5xf32>) -> (tensor<1x2x4x5xf32>, tensor<1x2x4x5xf32>, tensor<1x2x4x5xf32>)
  %kt = kiln.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x4x5xf32>) -> tensor<1x2x5x4xf32>
  %s = kiln.matmul %q, %kt : (tensor<1x2x4x5xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x4x4xf32>
  %o = kiln.matmul %s, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x4x5xf32>
  return %o : tensor<1x2x4x5xf32>
}
