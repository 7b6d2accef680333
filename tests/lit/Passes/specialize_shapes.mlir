// RUN: kiln-opt %s -split-input-file --kiln-specialize-shapes="shapes=x=1x3x8x8" | FileCheck %s
// Pinning an input makes every downstream type static, and the function type follows.

// CHECK-LABEL: func.func @main(
// CHECK-SAME: %{{.*}}: tensor<1x3x8x8xf32> {kiln.name = "x"}) -> (tensor<1x4x8x8xf32>, tensor<1x256xf32>, tensor<4xi64>)
func.func @main(%x: tensor<?x3x?x?xf32> {kiln.name = "x"})
    -> (tensor<?x4x?x?xf32>, tensor<?x?xf32>, tensor<4xi64>) {
  %none = kiln.none
  %w = kiln.constant dense<1.0> : tensor<4x3x3x3xf32>
  // CHECK: kiln.conv {{.*}} -> tensor<1x4x8x8xf32>
  %c = kiln.conv %x, %w, %none {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>, none) -> tensor<?x4x?x?xf32>
  // CHECK: kiln.relu {{.*}} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %r = kiln.relu %c : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  // CHECK: kiln.flatten {{.*}} : (tensor<1x4x8x8xf32>) -> tensor<1x256xf32>
  %f = kiln.flatten %r {axis = 1 : i64} : (tensor<?x4x?x?xf32>) -> tensor<?x?xf32>
  // The shape of a now-static value folds to a constant.
  // CHECK: kiln.constant dense<[1, 4, 8, 8]> : tensor<4xi64>
  %s = kiln.shape %r : (tensor<?x4x?x?xf32>) -> tensor<4xi64>
  // CHECK: return {{.*}} : tensor<1x4x8x8xf32>, tensor<1x256xf32>, tensor<4xi64>
  return %r, %f, %s : tensor<?x4x?x?xf32>, tensor<?x?xf32>, tensor<4xi64>
}

// -----

// A size the model declares statically (value_info) is kept where inference cannot tell
// it: the reshape's shape is computed at run time. Later ops refine from it.
// CHECK-LABEL: func.func @declared_static(
// CHECK-SAME: -> tensor<1x3x8x8xf32>
func.func @declared_static(%x: tensor<1x3x?x?xf32> {kiln.name = "x"}) -> tensor<?x?x?x?xf32> {
  %shape = kiln.shape %x : (tensor<1x3x?x?xf32>) -> tensor<4xi64>
  // CHECK: kiln.reshape {{.*}} : (tensor<1x3x8x8xf32>, tensor<4xi64>) -> tensor<1x3x8x8xf32>
  %r = kiln.reshape %x, %shape : (tensor<1x3x?x?xf32>, tensor<4xi64>) -> tensor<1x3x8x8xf32>
  // CHECK: kiln.relu {{.*}} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  %y = kiln.relu %r : (tensor<1x3x8x8xf32>) -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
