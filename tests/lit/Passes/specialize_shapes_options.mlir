// RUN: not kiln-opt %s --kiln-specialize-shapes="shapes=x=1xAx8" 2>&1 | FileCheck %s --check-prefix=MALFORMED
// RUN: not kiln-opt %s --kiln-specialize-shapes="shapes=x=1x-2x8" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not kiln-opt %s --kiln-specialize-shapes="shapes=1x3x8" 2>&1 | FileCheck %s --check-prefix=NONAME
// RUN: not kiln-opt %s --kiln-specialize-shapes="shapes=x=1x3x8,x=1x3x8" 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not kiln-opt %s --kiln-specialize-shapes="batch=-1" 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not kiln-opt %s --kiln-specialize-shapes="shapes=x=1x3x8" 2>&1 | FileCheck %s --check-prefix=NODE
// Malformed options, and the location of a value left dynamic.

// MALFORMED: error: shapes: expected name=D0xD1x... with non-negative sizes, got 'x=1xAx8'
// NEGATIVE: error: shapes: expected name=D0xD1x... with non-negative sizes, got 'x=1x-2x8'
// NONAME: error: shapes: expected name=D0xD1x... with non-negative sizes, got '1x3x8'
// TWICE: error: shapes: input 'x' is given twice
// BATCH: error: batch must be positive, got -1
// The error is located at the op, whose NameLoc carries the node name for kiln's CLI;
// MLIR's own printer shows only the file part.
// NODE: model.onnx:0:0: error: result #0 of kiln.reshape is still dynamic in dimension 1
func.func @main(%x: tensor<?x3x?xf32> {kiln.name = "x"}, %shape: tensor<2xi64> {kiln.name = "s"}) -> tensor<1x?xf32> {
  %r = kiln.reshape %x, %shape : (tensor<?x3x?xf32>, tensor<2xi64>) -> tensor<1x?xf32> loc("/layer/Reshape_1"("model.onnx":0:0))
  return %r : tensor<1x?xf32>
}
