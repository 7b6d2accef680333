// RUN: kiln-opt %s --kiln-simplify-shapes | FileCheck %s
// Static flatten/squeeze/unsqueeze become reshapes; reshape and transpose chains merge;
// no-op ones disappear. Dynamic shapes and data-moving transposes are left alone.

// CHECK-LABEL: func.func @to_reshape(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x3x4xf32>, %[[Y:[^:]*]]: tensor<1x3xf32>, %[[Z:[^:]*]]: tensor<3xf32>
func.func @to_reshape(%x: tensor<2x3x4xf32>, %y: tensor<1x3xf32>, %z: tensor<3xf32>)
    -> (tensor<2x12xf32>, tensor<3xf32>, tensor<1x3x1xf32>) {
  // CHECK-DAG: %[[S0:.*]] = kiln.constant dense<[2, 12]> : tensor<2xi64>
  // CHECK-DAG: %[[S1:.*]] = kiln.constant dense<3> : tensor<1xi64>
  // CHECK-DAG: %[[S2:.*]] = kiln.constant dense<[1, 3, 1]> : tensor<3xi64>
  // CHECK-DAG: %[[A:.*]] = kiln.reshape %[[X]], %[[S0]] : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.reshape %[[Y]], %[[S1]] : (tensor<1x3xf32>, tensor<1xi64>) -> tensor<3xf32>
  // CHECK-DAG: %[[C:.*]] = kiln.reshape %[[Z]], %[[S2]] : (tensor<3xf32>, tensor<3xi64>) -> tensor<1x3x1xf32>
  // CHECK-NOT: kiln.flatten
  // CHECK-NOT: kiln.squeeze
  // CHECK-NOT: kiln.unsqueeze
  // CHECK: return %[[A]], %[[B]], %[[C]]
  %a = kiln.flatten %x {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %b = kiln.squeeze %y {axes = array<i64: 0>} : (tensor<1x3xf32>) -> tensor<3xf32>
  %c = kiln.unsqueeze %z {axes = array<i64: 0, 2>} : (tensor<3xf32>) -> tensor<1x3x1xf32>
  return %a, %b, %c : tensor<2x12xf32>, tensor<3xf32>, tensor<1x3x1xf32>
}

// CHECK-LABEL: func.func @dynamic_kept(
func.func @dynamic_kept(%x: tensor<?x3x4xf32>, %s: tensor<2xi64>) -> (tensor<?x12xf32>, tensor<?x?xf32>) {
  // CHECK: kiln.flatten
  %a = kiln.flatten %x {axis = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  // The outer result is dynamic, so the two reshapes stay.
  // CHECK: %[[R1:.*]] = kiln.reshape %{{.*}}, %{{.*}} : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: kiln.reshape %[[R1]], %{{.*}} : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %r1 = kiln.reshape %x, %s : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %r2 = kiln.reshape %r1, %s : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %a, %r2 : tensor<?x12xf32>, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @reshape_chains(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x3x4xf32>
func.func @reshape_chains(%x: tensor<2x3x4xf32>) -> (tensor<24xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %s64 = kiln.constant dense<[6, 4]> : tensor<2xi64>
  %s24 = kiln.constant dense<24> : tensor<1xi64>
  %s234 = kiln.constant dense<[2, 3, 4]> : tensor<3xi64>
  // CHECK: %[[S:.*]] = kiln.constant dense<24> : tensor<1xi64>
  // CHECK: %[[A:.*]] = kiln.reshape %[[X]], %[[S]] : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<24xf32>
  // CHECK-NOT: kiln.reshape
  // CHECK: return %[[A]], %[[X]], %[[X]]
  %r1 = kiln.reshape %x, %s64 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %a = kiln.reshape %r1, %s24 : (tensor<6x4xf32>, tensor<1xi64>) -> tensor<24xf32>
  // Back to the input's shape: both go.
  %b = kiln.reshape %r1, %s234 : (tensor<6x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  // Already the input's shape.
  %c = kiln.reshape %x, %s234 : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  return %a, %b, %c : tensor<24xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @transpose_chains(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x3x4xf32>
func.func @transpose_chains(%x: tensor<2x3x4xf32>)
    -> (tensor<3x4x2xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  // Result axis i is input axis first[outer[i]]: [1, 0, 2] then [0, 2, 1] is [1, 2, 0].
  // CHECK: %[[A:.*]] = kiln.transpose %[[X]] {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  // CHECK-NOT: kiln.transpose
  // CHECK: return %[[A]], %[[X]], %[[X]], %[[X]]
  %t1 = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %a = kiln.transpose %t1 {perm = array<i64: 0, 2, 1>} : (tensor<3x2x4xf32>) -> tensor<3x4x2xf32>
  // A permutation followed by its inverse.
  %b = kiln.transpose %t1 {perm = array<i64: 1, 0, 2>} : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
  // Two reversals (perm absent).
  %t2 = kiln.transpose %x : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %c = kiln.transpose %t2 : (tensor<4x3x2xf32>) -> tensor<2x3x4xf32>
  // The identity permutation.
  %d = kiln.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %a, %b, %c, %d : tensor<3x4x2xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @transpose_unit_axes(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x3x1x4xf32>, %[[Y:[^:]*]]: tensor<3x3xf32>
func.func @transpose_unit_axes(%x: tensor<1x3x1x4xf32>, %y: tensor<3x3xf32>)
    -> (tensor<1x3x1x4xf32>, tensor<3x1x1x4xf32>, tensor<3x3xf32>) {
  // Moving only size-1 axes keeps the buffer: removed when the type is unchanged...
  // CHECK: %[[S:.*]] = kiln.constant dense<[3, 1, 1, 4]> : tensor<4xi64>
  // CHECK: %[[B:.*]] = kiln.reshape %[[X]], %[[S]] : (tensor<1x3x1x4xf32>, tensor<4xi64>) -> tensor<3x1x1x4xf32>
  %a = kiln.transpose %x {perm = array<i64: 2, 1, 0, 3>} : (tensor<1x3x1x4xf32>) -> tensor<1x3x1x4xf32>
  // ...and a reshape otherwise.
  %b = kiln.transpose %x {perm = array<i64: 1, 0, 2, 3>} : (tensor<1x3x1x4xf32>) -> tensor<3x1x1x4xf32>
  // Same type but the data moves: a real transpose.
  // CHECK: %[[C:.*]] = kiln.transpose %[[Y]] {perm = array<i64: 1, 0>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %c = kiln.transpose %y {perm = array<i64: 1, 0>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  // CHECK: return %[[X]], %[[B]], %[[C]]
  return %a, %b, %c : tensor<1x3x1x4xf32>, tensor<3x1x1x4xf32>, tensor<3x3xf32>
}
