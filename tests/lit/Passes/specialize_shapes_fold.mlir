// RUN: kiln-opt %s --kiln-specialize-shapes="batch=2" | FileCheck %s

// A shape subgraph (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) folds to
// constants through the reference kernels once the batch is pinned, which makes the
// Reshape static.
// CHECK-LABEL: func.func @flatten_by_shape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32> {kiln.name = "x"}) -> tensor<2x12xf32>
// CHECK-NOT: kiln.shape
// CHECK-NOT: kiln.gather
// CHECK-NOT: kiln.concat
// CHECK: %[[S:.*]] = kiln.constant dense<[2, -1]> : tensor<2xi64>
// CHECK: kiln.reshape %[[X]], %[[S]] : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
func.func @flatten_by_shape(%x: tensor<?x3x4xf32> {kiln.name = "x"}) -> tensor<?x?xf32> {
  %s = kiln.shape %x : (tensor<?x3x4xf32>) -> tensor<3xi64>
  %zero = kiln.constant dense<0> : tensor<i64>
  %n = kiln.gather %s, %zero {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %n1 = kiln.unsqueeze %n {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
  %minus1 = kiln.constant dense<-1> : tensor<1xi64>
  %shape = kiln.concat %n1, %minus1 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %y = kiln.reshape %x, %shape : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// Large results computed from a constant that something else also reads are not
// folded, so weights are never duplicated; a single-use weight may be.
// CHECK-LABEL: func.func @no_duplicate_weights
// CHECK: kiln.transpose
// CHECK-NOT: kiln.transpose
func.func @no_duplicate_weights(%x: tensor<?x512xf32> {kiln.name = "x"}) -> (tensor<?x512xf32>, tensor<?x512xf32>) {
  %w = kiln.constant dense<1.5> : tensor<512x512xf32>
  %wt = kiln.transpose %w {perm = array<i64: 1, 0>} : (tensor<512x512xf32>) -> tensor<512x512xf32>
  %a = kiln.matmul %x, %wt : (tensor<?x512xf32>, tensor<512x512xf32>) -> tensor<?x512xf32>
  %b = kiln.matmul %x, %w : (tensor<?x512xf32>, tensor<512x512xf32>) -> tensor<?x512xf32>
  %v = kiln.constant dense<2.0> : tensor<512x512xf32>
  %vt = kiln.transpose %v {perm = array<i64: 1, 0>} : (tensor<512x512xf32>) -> tensor<512x512xf32>
  %c = kiln.matmul %a, %vt : (tensor<?x512xf32>, tensor<512x512xf32>) -> tensor<?x512xf32>
  return %c, %b : tensor<?x512xf32>, tensor<?x512xf32>
}
