// RUN: not kiln-opt %s --kiln-pin-inputs="values=k=[3,4]" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not kiln-opt %s --kiln-pin-inputs="values=k=1.5" 2>&1 | FileCheck %s --check-prefix=FRACTION
// RUN: not kiln-opt %s --kiln-pin-inputs="values=q=1" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not kiln-opt %s --kiln-pin-inputs="values=k=[[1],[2,3]]" 2>&1 | FileCheck %s --check-prefix=RAGGED
// RUN: not kiln-opt %s --kiln-pin-inputs="values=k=300" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not kiln-opt %s --kiln-pin-inputs="values=k=1,k=2" 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not kiln-opt %s --kiln-pin-inputs="values=k" 2>&1 | FileCheck %s --check-prefix=SPEC
// RUN: not kiln-opt %s --kiln-pin-inputs="values=k=missing.npy" 2>&1 | FileCheck %s --check-prefix=FILE
// Values that do not fit the input are errors naming it, at the input.
// SHAPE: 19:24: error: const: input 'k': the value has shape [2] but the input is declared with shape [1]
// FRACTION: '1.5' is not an integer that fits the input's element type
// NAME: const: the model has no input named 'q' (inputs: 'k')
// RAGGED: the value is not rectangular
// RANGE: '300' is not an integer that fits the input's element type
// TWICE: const: input 'k' is given twice
// SPEC: const: expected NAME=VALUE or NAME=FILE.npy, got 'k'
// FILE: const: input 'k': cannot open 'missing.npy'

func.func @wrong_shape(%k: tensor<1xi8> {kiln.name = "k"}) -> tensor<1xi8> {
  return %k : tensor<1xi8>
}
