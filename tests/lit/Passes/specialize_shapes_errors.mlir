// RUN: kiln-opt %s -split-input-file -verify-diagnostics --kiln-specialize-shapes="shapes=x=1x3x8x8"
// Shapes that cannot be pinned, contradict the model, or leave a value dynamic.

// expected-error @+1 {{shapes: the model has no input named 'x' (inputs: 'input')}}
func.func @unknown_name(%in: tensor<?x3x8x8xf32> {kiln.name = "input"}) -> tensor<?x3x8x8xf32> {
  return %in : tensor<?x3x8x8xf32>
}

// -----

// expected-error @+1 {{input 'x' dimension 0 is 2 in the model but was pinned to 1}}
func.func @conflicting_input(%x: tensor<2x3x?x?xf32> {kiln.name = "x"}) -> tensor<2x3x?x?xf32> {
  return %x : tensor<2x3x?x?xf32>
}

// -----

// expected-error @+1 {{input 'x' has rank 3 ('tensor<?x3x8xf32>') but its pinned shape has 4 dimensions}}
func.func @wrong_rank(%x: tensor<?x3x8xf32> {kiln.name = "x"}) -> tensor<?x3x8xf32> {
  return %x : tensor<?x3x8xf32>
}

// -----

// expected-error @+1 {{input 'y' is still dynamic in dimension 0 ('tensor<?x4xf32>'): pin it with `--shape y=D0xD1x...` or `--batch N`}}
func.func @unpinned_input(%x: tensor<?x3x8x8xf32> {kiln.name = "x"}, %y: tensor<?x4xf32> {kiln.name = "y"})
    -> (tensor<?x3x8x8xf32>, tensor<?x4xf32>) {
  return %x, %y : tensor<?x3x8x8xf32>, tensor<?x4xf32>
}

// -----

func.func @declared_conflict(%x: tensor<?x3x8x8xf32> {kiln.name = "x"}) -> tensor<2x3x8x8xf32> {
  // expected-error @+1 {{result #0 dimension 0 is declared 2 but with the pinned input shapes it is 1}}
  %y = kiln.relu %x : (tensor<?x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return %y : tensor<2x3x8x8xf32>
}

// -----

// Only the root of a dynamic chain is reported: the reshape whose shape is computed at
// run time, not the relu that inherits its dynamic size.
func.func @runtime_shape(%x: tensor<?x3x8x8xf32> {kiln.name = "x"}, %shape: tensor<2xi64> {kiln.name = "s"}) -> tensor<?x?xf32> {
  // expected-error @+1 {{result #0 of kiln.reshape is still dynamic in dimension 0 ('tensor<?x?xf32>'): its size depends on values computed at run time}}
  %r = kiln.reshape %x, %shape : (tensor<?x3x8x8xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %y = kiln.relu %r : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Pinning can make an op's operands inconsistent; its own shape inference reports it.
func.func @inference_fails(%x: tensor<?x?x8x8xf32> {kiln.name = "x"}) -> tensor<?x4x6x6xf32> {
  %none = kiln.none
  %w = kiln.constant dense<1.0> : tensor<4x2x3x3xf32>
  // expected-error @+1 {{'kiln.conv' op X has 3 channels but W expects 2 x group 1}}
  %c = kiln.conv %x, %w, %none : (tensor<?x?x8x8xf32>, tensor<4x2x3x3xf32>, none) -> tensor<?x4x6x6xf32>
  return %c : tensor<?x4x6x6xf32>
}

// -----

// Hand-written IR without kiln.name: inputs are named by position.
// expected-error @+1 {{input '#1' is still dynamic in dimension 1 ('tensor<2x?xf32>'): pin it with `--shape #1=D0xD1x...` or `--batch N`}}
func.func @unnamed(%x: tensor<1x3x8x8xf32> {kiln.name = "x"}, %y: tensor<2x?xf32>) -> tensor<2x?xf32> {
  return %y : tensor<2x?xf32>
}

// -----

// A shape of unknown length gives the reshape an unranked inferred type: its declared
// rank is kept, and the root reported is the slice that makes the shape's length unknown.
func.func @unknown_rank(%x: tensor<?x3x8x8xf32> {kiln.name = "x"}, %start: tensor<1xi64> {kiln.name = "start"})
    -> tensor<?x?xf32> {
  %none = kiln.none
  %shape = kiln.shape %x : (tensor<?x3x8x8xf32>) -> tensor<4xi64>
  %ends = kiln.constant dense<4> : tensor<1xi64>
  %axes = kiln.constant dense<0> : tensor<1xi64>
  // expected-error @+1 {{result #0 of kiln.slice is still dynamic in dimension 0 ('tensor<?xi64>')}}
  %s = kiln.slice %shape, %start, %ends, %axes, %none
      : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?xi64>
  %r = kiln.reshape %x, %s : (tensor<?x3x8x8xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
