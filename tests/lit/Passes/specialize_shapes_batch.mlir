// RUN: kiln-opt %s --kiln-specialize-shapes="batch=2" | FileCheck %s
// RUN: kiln-opt %s --kiln-specialize-shapes="batch=2 shapes=z=7x5" | FileCheck %s --check-prefix=PINNED
// batch sets every dynamic leading dimension; inputs already static keep their size, and an
// explicit shape takes precedence.

// CHECK-LABEL: func.func @main(
// CHECK-SAME: %{{.*}}: tensor<2x3xf32> {kiln.name = "x"}, %{{.*}}: tensor<4x3xf32> {kiln.name = "y"}, %{{.*}}: tensor<2x5xf32> {kiln.name = "z"})
// CHECK-SAME: -> (tensor<2x2xf32>, tensor<4x3xf32>, tensor<2x5xf32>)
// CHECK: kiln.matmul {{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
// PINNED-LABEL: func.func @main(
// PINNED-SAME: %{{.*}}: tensor<2x3xf32> {kiln.name = "x"}, %{{.*}}: tensor<4x3xf32> {kiln.name = "y"}, %{{.*}}: tensor<7x5xf32> {kiln.name = "z"})
// PINNED-SAME: -> (tensor<2x2xf32>, tensor<4x3xf32>, tensor<7x5xf32>)
func.func @main(%x: tensor<?x3xf32> {kiln.name = "x"}, %y: tensor<4x3xf32> {kiln.name = "y"},
                %z: tensor<?x5xf32> {kiln.name = "z"})
    -> (tensor<?x2xf32>, tensor<4x3xf32>, tensor<?x5xf32>) {
  %w = kiln.constant dense<1.0> : tensor<3x2xf32>
  %m = kiln.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %n = kiln.neg %z : (tensor<?x5xf32>) -> tensor<?x5xf32>
  return %m, %y, %n : tensor<?x2xf32>, tensor<4x3xf32>, tensor<?x5xf32>
}
