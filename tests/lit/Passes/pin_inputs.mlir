// RUN: kiln-opt %s --kiln-pin-inputs="values=k=3,s=[[1,2],[3,4]],f=-2.5,b=true" | FileCheck %s
// RUN: kiln-opt %s --kiln-pin-inputs="values=k=3,s=[[1,2],[3,4]],f=-2.5,b=true" --kiln-specialize-shapes | FileCheck %s --check-prefix=FOLD
// Pinned inputs become constants and leave the function's arguments; what depends on
// them (TopK's k) then folds into static types. Nested lists give the shape, a scalar
// input takes a number, a bool input true.

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<2x6xf32> {kiln.name = "x"}) ->
// CHECK-DAG: kiln.constant dense<3> : tensor<1xi64>
// CHECK-DAG: kiln.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
// CHECK-DAG: kiln.constant dense<-2.500000e+00> : tensor<f32>
// CHECK-DAG: kiln.constant dense<true> : tensor<1xi1>
// FOLD-LABEL: func.func @main
// FOLD-SAME: -> (tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x2xi32>, tensor<f32>, tensor<1xi1>)
func.func @main(%x: tensor<2x6xf32> {kiln.name = "x"}, %k: tensor<1xi64> {kiln.name = "k"},
                %s: tensor<2x?xi32> {kiln.name = "s"}, %f: tensor<f32> {kiln.name = "f"},
                %b: tensor<1xi1> {kiln.name = "b"})
    -> (tensor<?x?xf32>, tensor<?x?xi64>, tensor<2x?xi32>, tensor<f32>, tensor<1xi1>) {
  %v, %i = kiln.top_k %x, %k {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64}
      : (tensor<2x6xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>)
  return %v, %i, %s, %f, %b : tensor<?x?xf32>, tensor<?x?xi64>, tensor<2x?xi32>, tensor<f32>, tensor<1xi1>
}
