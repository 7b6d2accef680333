// RUN: kiln-opt %s --kiln-matmul-bias --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// MatMul by a constant K x N matrix plus a constant N-element bias becomes Gemm (batched
// static A through reshapes); everything else stays.

// CHECK-LABEL: func.func @two_d(
// CHECK-SAME: %[[A:[^:]*]]: tensor<4x3xf32>
func.func @two_d(%a: tensor<4x3xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  // CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{.*}}> : tensor<3x2xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK: %[[G0:.*]] = kiln.gemm %[[A]], %[[W]], %[[B]] : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32> loc(fused["mm0", "add0"])
  // The bias may be the add's first operand.
  // CHECK: %[[G1:.*]] = kiln.gemm %[[A]], %[[W]], %[[B]] : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32> loc(fused["mm1", "add1"])
  // CHECK-NOT: kiln.matmul
  // CHECK-NOT: kiln.add
  // CHECK: return %[[G0]], %[[G1]]
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %m0 = kiln.matmul %a, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32> loc("mm0")
  %y0 = kiln.add %m0, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32> loc("add0")
  %m1 = kiln.matmul %a, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32> loc("mm1")
  %y1 = kiln.add %b, %m1 : (tensor<2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32> loc("add1")
  return %y0, %y1 : tensor<4x2xf32>, tensor<4x2xf32>
}

// CHECK-LABEL: func.func @batched(
// CHECK-SAME: %[[A:[^:]*]]: tensor<2x4x3xf32>
func.func @batched(%a: tensor<2x4x3xf32>) -> tensor<2x4x2xf32> {
  // CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{.*}}> : tensor<3x2xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK-DAG: %[[S0:.*]] = kiln.constant dense<[8, 3]> : tensor<2xi64>
  // CHECK-DAG: %[[S1:.*]] = kiln.constant dense<[2, 4, 2]> : tensor<3xi64>
  // CHECK: %[[A2:.*]] = kiln.reshape %[[A]], %[[S0]] : (tensor<2x4x3xf32>, tensor<2xi64>) -> tensor<8x3xf32> loc(fused["mm", "add"])
  // CHECK: %[[G:.*]] = kiln.gemm %[[A2]], %[[W]], %[[B]] : (tensor<8x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<8x2xf32> loc(fused["mm", "add"])
  // CHECK: %[[Y:.*]] = kiln.reshape %[[G]], %[[S1]] : (tensor<8x2xf32>, tensor<3xi64>) -> tensor<2x4x2xf32> loc(fused["mm", "add"])
  // CHECK: return %[[Y]]
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %m = kiln.matmul %a, %w : (tensor<2x4x3xf32>, tensor<3x2xf32>) -> tensor<2x4x2xf32> loc("mm")
  %y = kiln.add %m, %b : (tensor<2x4x2xf32>, tensor<2xf32>) -> tensor<2x4x2xf32> loc("add")
  return %y : tensor<2x4x2xf32>
}

// CHECK-LABEL: func.func @not_fused(
func.func @not_fused(%a: tensor<4x3xf32>, %wdyn: tensor<3x2xf32>, %bdyn: tensor<2xf32>,
                     %ad: tensor<?x4x3xf32>)
    -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<?x4x2xf32>) {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %full = kiln.constant dense<1.0> : tensor<4x2xf32>
  // CHECK-NOT: kiln.gemm
  // CHECK-COUNT-5: kiln.add
  // The matmul result is also returned.
  %m0 = kiln.matmul %a, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y0 = kiln.add %m0, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  // The weight is not a constant.
  %m1 = kiln.matmul %a, %wdyn : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y1 = kiln.add %m1, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  // The bias is not a constant.
  %m2 = kiln.matmul %a, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y2 = kiln.add %m2, %bdyn : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  // The addend is a full matrix, not a per-column bias.
  %m3 = kiln.matmul %a, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y3 = kiln.add %m3, %full : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  // A batched A of dynamic shape cannot be flattened statically.
  %m4 = kiln.matmul %ad, %w : (tensor<?x4x3xf32>, tensor<3x2xf32>) -> tensor<?x4x2xf32>
  %y4 = kiln.add %m4, %b : (tensor<?x4x2xf32>, tensor<2xf32>) -> tensor<?x4x2xf32>
  return %y0, %m0, %y1, %y2, %y3, %y4 : tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<?x4x2xf32>
}
