// RUN: kiln-opt %s --kiln-specialize-shapes="shapes=#1=3x5" | FileCheck %s
// Inputs without kiln.name (hand-written IR) are named by position.

// CHECK-LABEL: func.func @unnamed(
// CHECK-SAME: %{{.*}}: tensor<2xf32> {kiln.name = "a"}, %{{.*}}: tensor<3x5xf32>) -> (tensor<2xf32>, tensor<3x5xf32>)
func.func @unnamed(%a: tensor<2xf32> {kiln.name = "a"}, %x: tensor<?x5xf32>) -> (tensor<2xf32>, tensor<?x5xf32>) {
  return %a, %x : tensor<2xf32>, tensor<?x5xf32>
}
