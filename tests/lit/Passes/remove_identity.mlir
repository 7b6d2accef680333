// RUN: kiln-opt %s --kiln-remove-identity | FileCheck %s
// Identity, inference-mode Dropout and Dropout of ratio 0 (in any mode) are forwarded
// to their input, a used mask becoming all true; training with another ratio, or one
// known only at run time, keeps the Dropout.

// CHECK-LABEL: func.func @identity_chain(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
func.func @identity_chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NOT: kiln.identity
  // CHECK: %[[R:.*]] = kiln.relu %[[X]]
  // CHECK-NOT: kiln.identity
  // CHECK: return %[[R]]
  %a = kiln.identity %x : (tensor<4xf32>) -> tensor<4xf32>
  %b = kiln.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  %c = kiln.identity %b : (tensor<4xf32>) -> tensor<4xf32>
  return %c : tensor<4xf32>
}

// CHECK-LABEL: func.func @identity_less_refined(
// An identity whose declared result is less refined than its input stays: forwarding
// would change the type that the return sees.
func.func @identity_less_refined(%x: tensor<4xf32>) -> tensor<?xf32> {
  // CHECK: kiln.identity
  %a = kiln.identity %x : (tensor<4xf32>) -> tensor<?xf32>
  return %a : tensor<?xf32>
}

// CHECK-LABEL: func.func @dropout_inference(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
func.func @dropout_inference(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK-NOT: kiln.dropout
  // CHECK: return %[[X]], %[[X]], %[[X]]
  %none = kiln.none
  %ratio = kiln.constant dense<5.000000e-01> : tensor<f32>
  %false = kiln.constant dense<false> : tensor<i1>
  %a, %ma = kiln.dropout %x, %none, %none : (tensor<2x3xf32>, none, none) -> (tensor<2x3xf32>, none)
  %b, %mb = kiln.dropout %x, %ratio, %false : (tensor<2x3xf32>, tensor<f32>, tensor<i1>) -> (tensor<2x3xf32>, none)
  %c, %mc = kiln.dropout %x, %ratio, %none : (tensor<2x3xf32>, tensor<f32>, none) -> (tensor<2x3xf32>, tensor<2x3xi1>)
  return %a, %b, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @dropout_identity_in_training(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
func.func @dropout_identity_in_training(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) {
  // CHECK-NOT: kiln.dropout
  // CHECK: %[[MASK:.*]] = kiln.constant dense<true> : tensor<4xi1>
  // CHECK: return %[[X]], %[[MASK]], %[[X]]
  %none = kiln.none
  %zero = kiln.constant dense<0.000000e+00> : tensor<f32>
  %true = kiln.constant dense<true> : tensor<i1>
  // The mask of inference mode is used: all true.
  %a, %ma = kiln.dropout %x, %none, %none : (tensor<4xf32>, none, none) -> (tensor<4xf32>, tensor<4xi1>)
  // Training with ratio 0 keeps every element.
  %b, %mb = kiln.dropout %x, %zero, %true : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, none)
  return %a, %ma, %b : tensor<4xf32>, tensor<4xi1>, tensor<4xf32>
}

// CHECK-LABEL: func.func @dropout_kept(
func.func @dropout_kept(%x: tensor<4xf32>, %t: tensor<i1>) -> (tensor<4xf32>, tensor<4xf32>) {
  %none = kiln.none
  %true = kiln.constant dense<true> : tensor<i1>
  // training_mode is a constant true (and the ratio the default 0.5).
  // CHECK: kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4xf32>, none, tensor<i1>)
  %b, %mb = kiln.dropout %x, %none, %true : (tensor<4xf32>, none, tensor<i1>) -> (tensor<4xf32>, none)
  // training_mode is only known at run time.
  // CHECK: kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4xf32>, none, tensor<i1>)
  %c, %mc = kiln.dropout %x, %none, %t : (tensor<4xf32>, none, tensor<i1>) -> (tensor<4xf32>, none)
  return %b, %c : tensor<4xf32>, tensor<4xf32>
}
