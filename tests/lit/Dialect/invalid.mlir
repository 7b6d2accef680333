// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// One invalid op per case: attribute values, operand relations and declared result
// types that the verifiers and shape inference must reject with a precise message.

//===----------------------------------------------------------------------===//
// Declared result types against inferred ones
//===----------------------------------------------------------------------===//

func.func @wrong_result_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<2x4xf32>' but its operands and attributes imply 'tensor<2x3xf32>'}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @wrong_result_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<6xf32>'}}
  %0 = kiln.transpose %x : (tensor<2x3xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand shapes do not broadcast: [2x3] [4]}}
  %0 = kiln.mul %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @where_element_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{X and Y must have one element type, got 'f32' and 'f16'}}
  %0 = kiln.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @variadic_without_inputs() {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %0 = kiln.max : () -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise verifiers (KilnOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @clip_bound_not_scalar(%x: tensor<8xf32>, %lo: tensor<2xf32>) {
  %none = kiln.none
  // expected-error @+1 {{min must hold one element, got 'tensor<2xf32>'}}
  %0 = kiln.clip %x, %lo, %none : (tensor<8xf32>, tensor<2xf32>, none) -> tensor<8xf32>
  return
}

// -----

func.func @clip_bound_element_type(%x: tensor<8xf32>, %hi: tensor<f16>) {
  %none = kiln.none
  // expected-error @+1 {{max must have the input's element type 'f32', got 'f16'}}
  %0 = kiln.clip %x, %none, %hi : (tensor<8xf32>, none, tensor<f16>) -> tensor<8xf32>
  return
}

// -----

func.func @bit_shift_direction(%a: tensor<4xui8>, %b: tensor<4xui8>) {
  // expected-error @+1 {{direction must be LEFT or RIGHT, got 'UP'}}
  %0 = kiln.bit_shift %a, %b {direction = "UP"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return
}

// -----

func.func @pow_result_type(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{result #0 has type 'tensor<4xi32>' but its operands and attributes imply 'tensor<4xf32>'}}
  %0 = kiln.pow %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = kiln.softmax %x {axis = 2 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @hardmax_axis(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = kiln.hardmax %x {axis = -3 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Reductions and TopK
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{reduction axis 2 is out of range for rank 2}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_axis_twice(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{reduction axis -1 is listed twice}}
  %0 = kiln.reduce_max %x {axes = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @arg_max_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{reduction axis 5 is out of range for rank 2}}
  %0 = kiln.arg_max %x {axis = 5 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return
}

// -----

func.func @top_k_k_shape(%x: tensor<3x4xf32>, %k: tensor<2xi64>) {
  // expected-error @+1 {{K must be a 1-D tensor of one element, got 'tensor<2xi64>'}}
  %0:2 = kiln.top_k %x, %k : (tensor<3x4xf32>, tensor<2xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return
}

// -----

func.func @top_k_k_range(%x: tensor<3x4xf32>) {
  %k = kiln.constant dense<5> : tensor<1xi64>
  // expected-error @+1 {{K = 5 is out of range for axis size 4}}
  %0:2 = kiln.top_k %x, %k : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
  return
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

// -----

func.func @layer_norm_axis(%x: tensor<2x8xf32>, %g: tensor<8xf32>) {
  %none = kiln.none
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0:3 = kiln.layer_normalization %x, %g, %none {axis = 2 : i64} : (tensor<2x8xf32>, tensor<8xf32>, none) -> (tensor<2x8xf32>, none, none)
  return
}

// -----

func.func @batch_norm_training(%x: tensor<1x4x8x8xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{training_mode=1 is not supported: kiln compiles inference graphs}}
  %0:3 = kiln.batch_normalization %x, %c, %c, %c, %c {training_mode = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<1x4x8x8xf32>, none, none)
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{X must have at least 2 dimensions (N x C x ...), got 'tensor<4xf32>'}}
  %0:3 = kiln.batch_normalization %x, %c, %c, %c, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, none, none)
  return
}

// -----

func.func @batch_norm_channels(%x: tensor<1x4x8x8xf32>, %c: tensor<4xf32>, %m: tensor<3xf32>) {
  // expected-error @+1 {{per-channel operand has 3 elements but X has 4 channels}}
  %0:3 = kiln.batch_normalization %x, %c, %c, %m, %c : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> (tensor<1x4x8x8xf32>, none, none)
  return
}

// -----

func.func @lrn_size(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{size must be positive, got 0}}
  %0 = kiln.lrn %x {size = 0 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Scatter
//===----------------------------------------------------------------------===//

// -----

func.func @scatter_nd_reduction(%x: tensor<8xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>) {
  // expected-error @+1 {{reduction must be none, add, mul, max or min, got 'sub'}}
  %0 = kiln.scatter_nd %x, %i, %u {reduction = "sub"} : (tensor<8xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @scatter_elements_shapes(%x: tensor<2x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x2xf32>) {
  // expected-error @+1 {{indices 'tensor<2x1xi64>' and updates 'tensor<2x2xf32>' must have the same shape}}
  %0 = kiln.scatter_elements %x, %i, %u : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @scatter_elements_axis(%x: tensor<2x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x1xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = kiln.scatter_elements %x, %i, %u {axis = 2 : i64} : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Shape, Reshape, Flatten, Transpose, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

// -----

func.func @shape_result_length(%x: tensor<?x3x8xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<3xi64>' but its operands and attributes imply 'tensor<2xi64>'}}
  %0 = kiln.shape %x {start = -2 : i64} : (tensor<?x3x8xf32>) -> tensor<3xi64>
  return
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x3x4xf32>) {
  %s = kiln.constant dense<[-1, 2, -1]> : tensor<3xi64>
  // expected-error @+1 {{shape [-1, 2, -1] has more than one -1 (at 0 and 2)}}
  %0 = kiln.reshape %x, %s : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x2x?xf32>
  return
}

// -----

func.func @reshape_negative(%x: tensor<2x3x4xf32>) {
  %s = kiln.constant dense<[6, -4]> : tensor<2xi64>
  // expected-error @+1 {{shape[1] = -4 is negative}}
  %0 = kiln.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  return
}

// -----

func.func @reshape_copy_beyond_rank(%x: tensor<24xf32>) {
  %s = kiln.constant dense<[-1, 0]> : tensor<2xi64>
  // expected-error @+1 {{shape[1] = 0 copies input dimension 1 but the input has rank 1}}
  %0 = kiln.reshape %x, %s : (tensor<24xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3x4xf32>) {
  %s = kiln.constant dense<[5, 5]> : tensor<2xi64>
  // expected-error @+1 {{cannot reshape 'tensor<2x3x4xf32>' (24 elements) to shape [5, 5] (25 elements)}}
  %0 = kiln.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_not_divisible(%x: tensor<?x3x4xf32>) {
  %s = kiln.constant dense<[0, 5, -1]> : tensor<3xi64>
  // expected-error @+1 {{cannot reshape 'tensor<?x3x4xf32>' to shape [0, 5, -1]: the element count is not a multiple of 5}}
  %0 = kiln.reshape %x, %s : (tensor<?x3x4xf32>, tensor<3xi64>) -> tensor<?x5x?xf32>
  return
}

// -----

func.func @reshape_allowzero_with_inferred(%x: tensor<0x4xf32>) {
  %s = kiln.constant dense<[0, -1]> : tensor<2xi64>
  // expected-error @+1 {{cannot infer the -1 in shape [0, -1]: dimension 0 is 0, so any size fits}}
  %0 = kiln.reshape %x, %s {allowzero = 1 : i64} : (tensor<0x4xf32>, tensor<2xi64>) -> tensor<0x?xf32>
  return
}

// -----

func.func @reshape_shape_rank(%x: tensor<2x3xf32>, %s: tensor<1x2xi64>) {
  // expected-error @+1 {{shape must be a 1-D tensor, got 'tensor<1x2xi64>'}}
  %0 = kiln.reshape %x, %s : (tensor<2x3xf32>, tensor<1x2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 3 is out of range [-2, 2] for rank 2}}
  %0 = kiln.flatten %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @flatten_overflow(%x: tensor<4611686018427387904x4xf32>) {
  // expected-error @+1 {{size 4611686018427387904 * 4 overflows int64}}
  %0 = kiln.flatten %x {axis = 0 : i64} : (tensor<4611686018427387904x4xf32>) -> tensor<1x?xf32>
  return
}

// -----

func.func @transpose_perm_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm [0, 2] holds 2, out of range [0, 2)}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm [-1, 0] holds -1, out of range [0, 2)}}
  %0 = kiln.transpose %x {perm = array<i64: -1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_perm_repeated(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{perm [0, 1, 1] lists axis 1 twice}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 1, 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  return
}

// -----

func.func @transpose_perm_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{perm [1, 0] has 2 entries but the input has rank 3}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  return
}

// -----

func.func @squeeze_not_one(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{cannot squeeze axis 1 of size 3}}
  %0 = kiln.squeeze %x {axes = array<i64: 1>} : (tensor<1x3xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @squeeze_dynamic_without_axes(%x: tensor<1x?xf32>) {
  // expected-error @+1 {{without axes, the result rank depends on dynamic dimension 1 of 'tensor<1x?xf32>'}}
  %0 = kiln.squeeze %x : (tensor<1x?xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @squeeze_axis_twice(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{axis -2 is listed twice}}
  %0 = kiln.squeeze %x {axes = array<i64: 0, -2>} : (tensor<1x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @unsqueeze_axis_range(%x: tensor<3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = kiln.unsqueeze %x {axes = array<i64: 2>} : (tensor<3xf32>) -> tensor<3x1xf32>
  return
}

//===----------------------------------------------------------------------===//
// Concat, Split, Slice
//===----------------------------------------------------------------------===//

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{input #1 'tensor<3xf32>' has rank 1 but input #0 has rank 2}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{input #1 'tensor<2x4xf32>' differs from input #0 'tensor<2x3xf32>' in dimension 1, which is not the axis}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = kiln.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_without_inputs() {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %0 = kiln.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @split_sum(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{split [3, 4] sums to 7 but axis 1 has size 10}}
  %0:2 = kiln.split %x {axis = 1 : i64, split = array<i64: 3, 4>} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @split_count(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{split [5, 5] has 2 entries but the op has 3 results}}
  %0:3 = kiln.split %x {axis = 1 : i64, split = array<i64: 5, 5>} : (tensor<2x10xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>, tensor<2x0xf32>)
  return
}

// -----

func.func @split_uneven(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{axis 1 of size 10 cannot be split into 3 equal parts}}
  %0:3 = kiln.split %x {axis = 1 : i64} : (tensor<2x10xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x2xf32>)
  return
}

// -----

func.func @slice_step_zero(%x: tensor<8xf32>) {
  %none = kiln.none
  %c0 = kiln.constant dense<0> : tensor<1xi64>
  // expected-error @+1 {{steps[0] is 0}}
  %0 = kiln.slice %x, %c0, %c0, %none, %c0 : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, none, tensor<1xi64>) -> tensor<0xf32>
  return
}

// -----

func.func @slice_lengths(%x: tensor<8x8xf32>, %s: tensor<2xi64>, %e: tensor<1xi64>) {
  %none = kiln.none
  // expected-error @+1 {{ends has 1 entries but starts has 2}}
  %0 = kiln.slice %x, %s, %e, %none, %none : (tensor<8x8xf32>, tensor<2xi64>, tensor<1xi64>, none, none) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_axis_range(%x: tensor<8x8xf32>) {
  %none = kiln.none
  %c0 = kiln.constant dense<0> : tensor<1xi64>
  %axes = kiln.constant dense<2> : tensor<1xi64>
  // expected-error @+1 {{slice axis 2 is out of range for rank 2}}
  %0 = kiln.slice %x, %c0, %c0, %axes, %none : (tensor<8x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<8x8xf32>
  return
}

// -----

func.func @slice_axis_twice(%x: tensor<8x8xf32>) {
  %none = kiln.none
  %c0 = kiln.constant dense<0> : tensor<2xi64>
  %axes = kiln.constant dense<[1, -1]> : tensor<2xi64>
  // expected-error @+1 {{slice axis -1 is listed twice}}
  %0 = kiln.slice %x, %c0, %c0, %axes, %none : (tensor<8x8xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, none) -> tensor<8x0xf32>
  return
}

// -----

func.func @slice_too_many_axes(%x: tensor<8xf32>) {
  %none = kiln.none
  %c0 = kiln.constant dense<0> : tensor<2xi64>
  // expected-error @+1 {{slices 2 axes but the input has rank 1}}
  %0 = kiln.slice %x, %c0, %c0, %none, %none : (tensor<8xf32>, tensor<2xi64>, tensor<2xi64>, none, none) -> tensor<0xf32>
  return
}

// -----

func.func @slice_clamped_result(%x: tensor<8xf32>) {
  %none = kiln.none
  %s = kiln.constant dense<-100> : tensor<1xi64>
  %e = kiln.constant dense<100> : tensor<1xi64>
  // Bounds out of range are clamped to the axis, so the whole axis is taken.
  // expected-error @+1 {{result #0 has type 'tensor<200xf32>' but its operands and attributes imply 'tensor<8xf32>'}}
  %0 = kiln.slice %x, %s, %e, %none, %none : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<200xf32>
  return
}

//===----------------------------------------------------------------------===//
// Gathers
//===----------------------------------------------------------------------===//

// -----

func.func @gather_axis(%x: tensor<4x5xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = kiln.gather %x, %i {axis = -3 : i64} : (tensor<4x5xf32>, tensor<3xi64>) -> tensor<3x5xf32>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<4x5xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{indices 'tensor<3xi64>' must have the rank of data 'tensor<4x5xf32>'}}
  %0 = kiln.gather_elements %x, %i : (tensor<4x5xf32>, tensor<3xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @gather_elements_bounds(%x: tensor<4x5xf32>, %i: tensor<2x6xi64>) {
  // expected-error @+1 {{indices 'tensor<2x6xi64>' exceed data 'tensor<4x5xf32>' in dimension 1, which is not the axis}}
  %0 = kiln.gather_elements %x, %i {axis = 0 : i64} : (tensor<4x5xf32>, tensor<2x6xi64>) -> tensor<2x6xf32>
  return
}

// -----

func.func @gather_nd_batch_dims(%x: tensor<2x3xf32>, %i: tensor<2x1xi64>) {
  // expected-error @+1 {{batch_dims 2 must be in [0, 2)}}
  %0 = kiln.gather_nd %x, %i {batch_dims = 2 : i64} : (tensor<2x3xf32>, tensor<2x1xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_tuple_length(%x: tensor<2x3xf32>, %i: tensor<4x3xi64>) {
  // expected-error @+1 {{index tuples have length 3 but must have length in [1, 2]}}
  %0 = kiln.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @gather_nd_batch_mismatch(%x: tensor<2x3x4xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+1 {{batch dimension 0 of indices 'tensor<3x1xi64>' differs from data 'tensor<2x3x4xf32>'}}
  %0 = kiln.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x1xi64>) -> tensor<3x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Expand, Tile, Pad
//===----------------------------------------------------------------------===//

// -----

func.func @expand_incompatible(%x: tensor<3x2xf32>) {
  %s = kiln.constant dense<[4, 4]> : tensor<2xi64>
  // expected-error @+1 {{operand shapes do not broadcast: [3x2] [4x4]}}
  %0 = kiln.expand %x, %s : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<4x4xf32>
  return
}

// -----

func.func @expand_negative(%x: tensor<3x1xf32>) {
  %s = kiln.constant dense<[3, -2]> : tensor<2xi64>
  // expected-error @+1 {{shape[1] = -2 is negative}}
  %0 = kiln.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x?xf32>
  return
}

// -----

func.func @tile_length(%x: tensor<2x3xf32>, %r: tensor<3xi64>) {
  // expected-error @+1 {{repeats has 3 entries but the input has rank 2}}
  %0 = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @tile_negative(%x: tensor<2x3xf32>) {
  %r = kiln.constant dense<[1, -1]> : tensor<2xi64>
  // expected-error @+1 {{repeats[1] = -1 is negative}}
  %0 = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_mode(%x: tensor<4xf32>, %p: tensor<2xi64>) {
  %none = kiln.none
  // expected-error @+1 {{mode must be constant, reflect, edge or wrap, got 'symmetric'}}
  %0 = kiln.pad %x, %p, %none, %none {mode = "symmetric"} : (tensor<4xf32>, tensor<2xi64>, none, none) -> tensor<?xf32>
  return
}

// -----

func.func @pad_length(%x: tensor<4x4xf32>, %p: tensor<2xi64>) {
  %none = kiln.none
  // expected-error @+1 {{pads has 2 entries but 2 padded axes need 4}}
  %0 = kiln.pad %x, %p, %none, %none : (tensor<4x4xf32>, tensor<2xi64>, none, none) -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_negative_size(%x: tensor<4xf32>) {
  %none = kiln.none
  %p = kiln.constant dense<[-3, -2]> : tensor<2xi64>
  // expected-error @+1 {{pads (-3, -2) on axis 0 of size 4 leave a negative size -1}}
  %0 = kiln.pad %x, %p, %none, %none : (tensor<4xf32>, tensor<2xi64>, none, none) -> tensor<0xf32>
  return
}

// -----

func.func @pad_constant_value_type(%x: tensor<4xf32>, %p: tensor<2xi64>, %v: tensor<i64>) {
  %none = kiln.none
  // expected-error @+1 {{constant_value 'tensor<i64>' must have the data's element type 'f32'}}
  %0 = kiln.pad %x, %p, %v, %none : (tensor<4xf32>, tensor<2xi64>, tensor<i64>, none) -> tensor<?xf32>
  return
}

// -----

func.func @pad_axes_repeated(%x: tensor<4x4xf32>, %p: tensor<4xi64>) {
  %none = kiln.none
  %axes = kiln.constant dense<[0, -2]> : tensor<2xi64>
  // expected-error @+1 {{axis -2 is listed twice}}
  %0 = kiln.pad %x, %p, %none, %axes : (tensor<4x4xf32>, tensor<4xi64>, none, tensor<2xi64>) -> tensor<?x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Generators
//===----------------------------------------------------------------------===//

// -----

func.func @constant_of_shape_value_count(%s: tensor<2xi64>) {
  // expected-error @+1 {{value must hold exactly one element, got 'tensor<2xf32>'}}
  %0 = kiln.constant_of_shape %s {value = dense<[1.0, 2.0]> : tensor<2xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @constant_of_shape_element_type(%s: tensor<2xi64>) {
  // expected-error @+1 {{result #0 has type 'tensor<?x?xf32>' but its operands and attributes imply 'tensor<?x?xi32>'}}
  %0 = kiln.constant_of_shape %s {value = dense<1> : tensor<1xi32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @constant_of_shape_negative() {
  %s = kiln.constant dense<[2, -3]> : tensor<2xi64>
  // expected-error @+1 {{shape[1] = -3 is negative}}
  %0 = kiln.constant_of_shape %s : (tensor<2xi64>) -> tensor<2x?xf32>
  return
}

// -----

func.func @range_zero_delta(%s: tensor<i64>, %l: tensor<i64>) {
  %d = kiln.constant dense<0> : tensor<i64>
  // expected-error @+1 {{delta is 0}}
  %0 = kiln.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_not_scalar(%s: tensor<1xi64>, %l: tensor<i64>, %d: tensor<i64>) {
  // expected-error @+1 {{start must be a 0-d tensor, got 'tensor<1xi64>'}}
  %0 = kiln.range %s, %l, %d : (tensor<1xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_element_types(%s: tensor<i64>, %l: tensor<i32>, %d: tensor<i64>) {
  // expected-error @+1 {{start, limit and delta must have one element type, got 'i64' and 'i32'}}
  %0 = kiln.range %s, %l, %d : (tensor<i64>, tensor<i32>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_length_overflow() {
  %s = kiln.constant dense<-9223372036854775808> : tensor<i64>
  %l = kiln.constant dense<9223372036854775807> : tensor<i64>
  %d = kiln.constant dense<1> : tensor<i64>
  // expected-error @+1 {{the length (limit - start) / delta overflows int64}}
  %0 = kiln.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_float_length() {
  %s = kiln.constant dense<0.0> : tensor<f32>
  %l = kiln.constant dense<1.0> : tensor<f32>
  %d = kiln.constant dense<0.3> : tensor<f32>
  // expected-error @+1 {{result #0 has type 'tensor<3xf32>' but its operands and attributes imply 'tensor<4xf32>'}}
  %0 = kiln.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<3xf32>
  return
}

// -----

func.func @eye_like_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{input must be 2-D, got 'tensor<2x3x4xf32>'}}
  %0 = kiln.eye_like %x : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @eye_like_dtype(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{attribute 'dtype' failed to satisfy constraint}}
  %0 = kiln.eye_like %x {dtype = none} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @one_hot_values(%i: tensor<3xi64>, %d: tensor<i64>, %v: tensor<3xf32>) {
  // expected-error @+1 {{values must be a 1-D tensor of two elements (off, on), got 'tensor<3xf32>'}}
  %0 = kiln.one_hot %i, %d, %v : (tensor<3xi64>, tensor<i64>, tensor<3xf32>) -> tensor<3x?xf32>
  return
}

// -----

func.func @one_hot_axis(%i: tensor<3xi64>, %d: tensor<i64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{axis 2 is out of range [-2, 1] for indices of rank 1}}
  %0 = kiln.one_hot %i, %d, %v {axis = 2 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x?xf32>
  return
}

// -----

func.func @one_hot_depth(%i: tensor<3xi64>, %v: tensor<2xf32>) {
  %d = kiln.constant dense<-2> : tensor<i64>
  // expected-error @+1 {{depth must be positive, got -2}}
  %0 = kiln.one_hot %i, %d, %v : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x?xf32>
  return
}

//===----------------------------------------------------------------------===//
// DepthToSpace, SpaceToDepth, Resize
//===----------------------------------------------------------------------===//

// -----

func.func @depth_to_space_mode(%x: tensor<1x8x2x3xf32>) {
  // expected-error @+1 {{mode must be DCR or CRD, got 'RDC'}}
  %0 = kiln.depth_to_space %x {blocksize = 2 : i64, mode = "RDC"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return
}

// -----

func.func @depth_to_space_channels(%x: tensor<1x6x2x3xf32>) {
  // expected-error @+1 {{channels 6 are not divisible by blocksize^2 = 4}}
  %0 = kiln.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x6x2x3xf32>) -> tensor<1x1x4x6xf32>
  return
}

// -----

func.func @depth_to_space_rank(%x: tensor<8x2x3xf32>) {
  // expected-error @+1 {{input must be 4-D (N x C x H x W), got 'tensor<8x2x3xf32>'}}
  %0 = kiln.depth_to_space %x {blocksize = 2 : i64} : (tensor<8x2x3xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @space_to_depth_spatial(%x: tensor<1x2x4x5xf32>) {
  // expected-error @+1 {{spatial dimension 3 of size 5 is not divisible by blocksize 2}}
  %0 = kiln.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x5xf32>) -> tensor<1x8x2x2xf32>
  return
}

// -----

func.func @space_to_depth_blocksize(%x: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{blocksize must be positive, got 0}}
  %0 = kiln.space_to_depth %x {blocksize = 0 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @resize_mode(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>) {
  %none = kiln.none
  // expected-error @+1 {{mode must be nearest, linear or cubic, got 'bilinear'}}
  %0 = kiln.resize %x, %none, %s, %none {mode = "bilinear"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_coordinate_mode(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>) {
  %none = kiln.none
  // expected-error @+1 {{coordinate_transformation_mode must be half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize, half_pixel_symmetric or (Resize-11) tf_half_pixel_for_nn, got 'bogus'}}
  %0 = kiln.resize %x, %none, %s, %none {coordinate_transformation_mode = "bogus"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_nearest_mode(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>) {
  %none = kiln.none
  // expected-error @+1 {{nearest_mode must be round_prefer_floor, round_prefer_ceil, floor or ceil, got 'round'}}
  %0 = kiln.resize %x, %none, %s, %none {nearest_mode = "round"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_both(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>, %z: tensor<4xi64>) {
  %none = kiln.none
  // expected-error @+1 {{takes only one of scales and sizes}}
  %0 = kiln.resize %x, %none, %s, %z : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_neither(%x: tensor<1x3x4x4xf32>) {
  %none = kiln.none
  %empty = kiln.constant dense<> : tensor<0xf32>
  // expected-error @+1 {{needs one of scales and sizes}}
  %0 = kiln.resize %x, %empty, %empty, %none : (tensor<1x3x4x4xf32>, tensor<0xf32>, tensor<0xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_scales_length(%x: tensor<1x3x4x4xf32>, %s: tensor<2xf32>) {
  %none = kiln.none
  // expected-error @+1 {{scales must be a 1-D tensor of 4 elements for an input of rank 4, got 'tensor<2xf32>'}}
  %0 = kiln.resize %x, %none, %s, %none : (tensor<1x3x4x4xf32>, none, tensor<2xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_scale_positive(%x: tensor<1x3x4x4xf32>) {
  %none = kiln.none
  %s = kiln.constant dense<[1.0, 1.0, 0.0, 2.0]> : tensor<4xf32>
  // expected-error @+1 {{scales[2] = 0.000000e+00 must be positive and finite}}
  %0 = kiln.resize %x, %none, %s, %none : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_crop_without_roi(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>) {
  %none = kiln.none
  // expected-error @+1 {{coordinate_transformation_mode tf_crop_and_resize needs roi}}
  %0 = kiln.resize %x, %none, %s, %none {coordinate_transformation_mode = "tf_crop_and_resize"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @resize_float32_product(%x: tensor<1x1x10x10xf32>) {
  %none = kiln.none
  %s = kiln.constant dense<[1.0, 1.0, 0.7, 0.7]> : tensor<4xf32>
  // floor(10 * 0.7f) is 7 in float32 (as ONNX computes it) but 6 in double.
  // expected-error @+1 {{result #0 has type 'tensor<1x1x6x6xf32>' but its operands and attributes imply 'tensor<1x1x7x7xf32>'}}
  %0 = kiln.resize %x, %none, %s, %none : (tensor<1x1x10x10xf32>, none, tensor<4xf32>, none) -> tensor<1x1x6x6xf32>
  return
}

// -----

func.func @unknown_rank_wrong_element(%x: tensor<2x3xf32>, %s: tensor<?xi64>) {
  // expected-error @+1 {{result #0 has type 'tensor<6xi64>' but its operands and attributes imply 'tensor<*xf32>'}}
  %0 = kiln.reshape %x, %s : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<6xi64>
  return
}

// -----

func.func @cast_to_none(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'to' failed to satisfy constraint}}
  %0 = kiln.cast %x {to = none} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @trilu_rank(%x: tensor<4xf32>) {
  %none = kiln.none
  // expected-error @+1 {{input must have rank >= 2, got 'tensor<4xf32>'}}
  %0 = kiln.trilu %x, %none : (tensor<4xf32>, none) -> tensor<4xf32>
  return
}

// -----

func.func @reverse_sequence_axes(%x: tensor<4x4xf32>, %l: tensor<4xi64>) {
  // expected-error @+1 {{batch_axis and time_axis must be 0 and 1 in some order, got 1 and 1}}
  %0 = kiln.reverse_sequence %x, %l {batch_axis = 1 : i64, time_axis = 1 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  return
}

// -----

func.func @cum_sum_axis(%x: tensor<2x3xf32>) {
  %a = kiln.constant dense<2> : tensor<i64>
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = kiln.cum_sum %x, %a : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @instance_norm_channels(%x: tensor<1x4x8x8xf32>, %s: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{scale and B must be 1-D with one entry per channel, got 'tensor<3xf32>'}}
  %0 = kiln.instance_normalization %x, %s, %b : (tensor<1x4x8x8xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @mvn_duplicate_axis(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{axis -1 is listed twice}}
  %0 = kiln.mean_variance_normalization %x {axes = array<i64: 3, -1>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @scatter_nd_updates(%x: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{updates 'tensor<2x4xf32>' must have shape indices.shape[:-1] + data.shape[1:]}}
  %0 = kiln.scatter_nd %x, %i, %u : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @if_yield_count(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %y = kiln.if %c : (tensor<i1>) -> tensor<4xf32> {
    // expected-error @+1 {{yields 2 values but the If has 1 results}}
    kiln.yield %x, %x : tensor<4xf32>, tensor<4xf32>
  } {
    kiln.yield %x : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @if_condition(%c: tensor<2xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{condition must hold one element, got 'tensor<2xi1>'}}
  %y = kiln.if %c : (tensor<2xi1>) -> tensor<4xf32> {
    kiln.yield %x : tensor<4xf32>
  } {
    kiln.yield %x : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @if_branch_types(%c: tensor<i1>, %x: tensor<4xf32>, %z: tensor<4x1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{result #0 is 'tensor<4xf32>' in the then branch but 'tensor<4x1xf32>' in the else branch}}
  %y = kiln.if %c : (tensor<i1>) -> tensor<4xf32> {
    kiln.yield %x : tensor<4xf32>
  } {
    kiln.yield %z : tensor<4x1xf32>
  }
  return %y : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Einsum, Det, DFT, STFT, GridSample, RoiAlign, MaxUnpool
//===----------------------------------------------------------------------===//

func.func @einsum_label_sizes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{equation 'ij,jk->ik': label sizes 3 and 4 disagree}}
  %0 = kiln.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @einsum_output_label(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{output label 'k' is in no input}}
  %0 = kiln.einsum %a {equation = "ij->k"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @einsum_term_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{term 'ijk' names 3 axes of an input of rank 2}}
  %0 = kiln.einsum %a {equation = "ijk->i"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @det_not_square(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{the trailing matrices of 'tensor<2x3xf32>' are not square}}
  %0 = kiln.det %a : (tensor<2x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @dft_last_dimension(%x: tensor<1x8x3xf32>) {
  %none = kiln.none
  // expected-error @+1 {{the last dimension must be 1 (real) or 2 (complex), got 3}}
  %0 = kiln.dft %x, %none : (tensor<1x8x3xf32>, none) -> tensor<1x8x2xf32>
  return
}

// -----

func.func @stft_short_signal(%s: tensor<1x8x1xf32>) {
  %none = kiln.none
  %step = kiln.constant dense<4> : tensor<i64>
  %len = kiln.constant dense<16> : tensor<i64>
  // expected-error @+1 {{the signal (8 samples) is shorter than a frame (16)}}
  %0 = kiln.stft %s, %step, %none, %len : (tensor<1x8x1xf32>, tensor<i64>, none, tensor<i64>) -> tensor<1x1x9x2xf32>
  return
}

// -----

func.func @grid_sample_mode(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf32>) {
  // expected-error @+1 {{mode must be bilinear, nearest or bicubic, got 'area'}}
  %0 = kiln.grid_sample %x, %g {mode = "area"} : (tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @roi_align_counts(%x: tensor<1x1x4x4xf32>, %rois: tensor<3x4xf32>, %idx: tensor<2xi64>) {
  // expected-error @+1 {{rois and batch_indices count 3 and 2 regions}}
  %0 = kiln.roi_align %x, %rois, %idx : (tensor<1x1x4x4xf32>, tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x1x1x1xf32>
  return
}

// -----

func.func @max_unpool_kernel_shape(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) {
  %none = kiln.none
  // expected-error @+1 {{kernel_shape must have 2 values}}
  %0 = kiln.max_unpool %x, %i, %none {kernel_shape = array<i64: 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, none) -> tensor<1x1x4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.fused
//===----------------------------------------------------------------------===//

func.func @fused_kind(%a: tensor<8xf32>) {
  // expected-error @+1 {{unknown kind 'loop' (expected elementwise or contraction)}}
  %y = kiln.fused "loop" (%a) : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    kiln.yield %x : tensor<8xf32>
  }
  return
}

// -----

func.func @fused_yield_count(%a: tensor<8xf32>) {
  // expected-error @+1 {{yields 1 values for 2 results}}
  %y:2 = kiln.fused "elementwise" (%a) : (tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  ^bb0(%x: tensor<8xf32>):
    kiln.yield %x : tensor<8xf32>
  }
  return
}

// -----

func.func @fused_argument_type(%a: tensor<8xf32>) {
  // expected-error @+1 {{body argument #0 is 'tensor<4xf32>' but input #0 is 'tensor<8xf32>'}}
  %y = kiln.fused "elementwise" (%a) : (tensor<8xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    kiln.yield %x : tensor<4xf32>
  }
  return
}

// -----

func.func @fused_elementwise_root(%a: tensor<2x2xf32>) {
  %y = kiln.fused "elementwise" (%a) : (tensor<2x2xf32>) -> tensor<2x2xf32> {
  ^bb0(%x: tensor<2x2xf32>):
    // expected-error @+1 {{is not elementwise, in an elementwise region}}
    %p = kiln.matmul %x, %x : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    kiln.yield %p : tensor<2x2xf32>
  }
  return
}

// -----

func.func @fused_two_roots(%a: tensor<2x2xf32>) {
  // expected-error @+1 {{a contraction region needs exactly one root, found 2}}
  %y = kiln.fused "contraction" (%a) : (tensor<2x2xf32>) -> tensor<2x2xf32> {
  ^bb0(%x: tensor<2x2xf32>):
    %p = kiln.matmul %x, %x : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %q = kiln.matmul %p, %x : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    kiln.yield %q : tensor<2x2xf32>
  }
  return
}

// -----

func.func @fused_bad_root(%a: tensor<2x2xf32>) {
  %y = kiln.fused "contraction" (%a) : (tensor<2x2xf32>) -> tensor<2x2xf32> {
  ^bb0(%x: tensor<2x2xf32>):
    // expected-error @+1 {{cannot be the root of a contraction region (Conv, Gemm or MatMul can)}}
    %t = kiln.softmax %x : (tensor<2x2xf32>) -> tensor<2x2xf32>
    kiln.yield %t : tensor<2x2xf32>
  }
  return
}

// -----

func.func @fused_prologue_yielded(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) {
  %y:2 = kiln.fused "contraction" (%a, %b) : (tensor<2x2xf32>, tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  ^bb0(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>):
    // expected-error @+1 {{is an operand prologue of the region's root and cannot be yielded}}
    %t = kiln.transpose %x : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %m = kiln.matmul %t, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    kiln.yield %m, %t : tensor<2x2xf32>, tensor<2x2xf32>
  }
  return
}

// -----

func.func @fused_isolated(%a: tensor<8xf32>, %b: tensor<8xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  %y = kiln.fused "elementwise" (%a) : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %s = kiln.add %x, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    kiln.yield %s : tensor<8xf32>
  }
  return
}

// -----

func.func @lrn_negative_size(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{size must be positive, got -3}}
  %y = kiln.lrn %x {size = -3 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @roi_align_negative_output(%x: tensor<1x1x4x4xf32>, %rois: tensor<3x4xf32>, %idx: tensor<3xi64>) {
  // expected-error @+1 {{output sizes must be positive and sampling_ratio not negative}}
  %0 = kiln.roi_align %x, %rois, %idx {output_height = -2 : i64} : (tensor<1x1x4x4xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x1x1xf32>
  return
}

// -----

func.func @dft_negative_axis(%x: tensor<1x8x1xf32>) {
  %none = kiln.none
  // A negative axis counts from the end (-2 is the signal axis here).
  %0 = kiln.dft %x, %none {axis = -2 : i64} : (tensor<1x8x1xf32>, none) -> tensor<1x8x2xf32>
  // expected-error @+1 {{axis -1 must name a signal axis}}
  %1 = kiln.dft %x, %none {axis = -1 : i64} : (tensor<1x8x1xf32>, none) -> tensor<1x8x2xf32>
  return
}
