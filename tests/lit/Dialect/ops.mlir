// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of every kiln op through the custom assembly format.

// CHECK-LABEL: func.func @structural(
func.func @structural() -> (tensor<2xf32>, tensor<2x2xi64>, tensor<3xi1>, none) {
  %f = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: %{{.*}} = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %i = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  // CHECK: %{{.*}} = kiln.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi64>
  %b = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK: %{{.*}} = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  return %f, %i, %b, %none : tensor<2xf32>, tensor<2x2xi64>, tensor<3xi1>, none
}

// CHECK-LABEL: func.func @unary_float(
func.func @unary_float(%x: tensor<2x?xf32>) {
  %0 = kiln.ceil %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.ceil %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %1 = kiln.floor %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.floor %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %2 = kiln.round %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.round %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %3 = kiln.sqrt %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.sqrt %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %4 = kiln.exp %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.exp %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %5 = kiln.log %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.log %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %6 = kiln.erf %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.erf %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %7 = kiln.tanh %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.tanh %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %8 = kiln.sigmoid %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.sigmoid %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %9 = kiln.sin %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.sin %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %10 = kiln.cos %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.cos %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %11 = kiln.tan %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.tan %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %12 = kiln.asin %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.asin %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %13 = kiln.acos %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.acos %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %14 = kiln.atan %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.atan %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %15 = kiln.sinh %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.sinh %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %16 = kiln.cosh %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.cosh %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %17 = kiln.asinh %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.asinh %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %18 = kiln.acosh %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.acosh %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %19 = kiln.atanh %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.atanh %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %20 = kiln.reciprocal %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.reciprocal %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %21 = kiln.softplus %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.softplus %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %22 = kiln.softsign %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.softsign %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  %23 = kiln.hard_swish %x : (tensor<2x?xf32>) -> tensor<2x?xf32>
  // CHECK: %{{.*}} = kiln.hard_swish %{{.*}} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  return
}

// CHECK-LABEL: func.func @unary_numeric(
func.func @unary_numeric(%x: tensor<4xi32>, %f: tensor<4xf16>, %b: tensor<4xi1>, %u: tensor<4xui8>) {
  %0 = kiln.abs %x : (tensor<4xi32>) -> tensor<4xi32>
  // CHECK: %{{.*}} = kiln.abs %{{.*}} : (tensor<4xi32>) -> tensor<4xi32>
  %1 = kiln.abs %u : (tensor<4xui8>) -> tensor<4xui8>
  // CHECK: %{{.*}} = kiln.abs %{{.*}} : (tensor<4xui8>) -> tensor<4xui8>
  %2 = kiln.neg %x : (tensor<4xi32>) -> tensor<4xi32>
  // CHECK: %{{.*}} = kiln.neg %{{.*}} : (tensor<4xi32>) -> tensor<4xi32>
  %3 = kiln.sign %f : (tensor<4xf16>) -> tensor<4xf16>
  // CHECK: %{{.*}} = kiln.sign %{{.*}} : (tensor<4xf16>) -> tensor<4xf16>
  %4 = kiln.relu %f : (tensor<4xf16>) -> tensor<4xf16>
  // CHECK: %{{.*}} = kiln.relu %{{.*}} : (tensor<4xf16>) -> tensor<4xf16>
  %5 = kiln.not %b : (tensor<4xi1>) -> tensor<4xi1>
  // CHECK: %{{.*}} = kiln.not %{{.*}} : (tensor<4xi1>) -> tensor<4xi1>
  %6 = kiln.identity %b : (tensor<4xi1>) -> tensor<4xi1>
  // CHECK: %{{.*}} = kiln.identity %{{.*}} : (tensor<4xi1>) -> tensor<4xi1>
  %7 = kiln.shrink %x {bias = 1.0 : f32, lambd = 2.0 : f32} : (tensor<4xi32>) -> tensor<4xi32>
  // CHECK: %{{.*}} = kiln.shrink %{{.*}} {bias = 1.000000e+00 : f32, lambd = 2.000000e+00 : f32} : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @unary_attrs(
func.func @unary_attrs(%x: tensor<?x8xbf16>) {
  %0 = kiln.leaky_relu %x {alpha = 1.000000e-01 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  // CHECK: %{{.*}} = kiln.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %1 = kiln.elu %x {alpha = 2.000000e+00 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  // CHECK: %{{.*}} = kiln.elu %{{.*}} {alpha = 2.000000e+00 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %2 = kiln.selu %x {alpha = 1.500000e+00 : f32, gamma = 1.000000e+00 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  // CHECK: %{{.*}} = kiln.selu %{{.*}} {alpha = 1.500000e+00 : f32, gamma = 1.000000e+00 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %3 = kiln.celu %x : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  // CHECK: %{{.*}} = kiln.celu %{{.*}} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %4 = kiln.hard_sigmoid %x {alpha = 2.500000e-01 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  // CHECK: %{{.*}} = kiln.hard_sigmoid %{{.*}} {alpha = 2.500000e-01 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %5 = kiln.thresholded_relu %x {alpha = 5.000000e-01 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  // CHECK: %{{.*}} = kiln.thresholded_relu %{{.*}} {alpha = 5.000000e-01 : f32} : (tensor<?x8xbf16>) -> tensor<?x8xbf16>
  return
}

// CHECK-LABEL: func.func @predicates_and_casts(
func.func @predicates_and_casts(%x: tensor<3x?xf32>, %t: tensor<1xf16>) {
  %0 = kiln.is_nan %x : (tensor<3x?xf32>) -> tensor<3x?xi1>
  // CHECK: %{{.*}} = kiln.is_nan %{{.*}} : (tensor<3x?xf32>) -> tensor<3x?xi1>
  %1 = kiln.is_inf %x {detect_negative = 0 : i64} : (tensor<3x?xf32>) -> tensor<3x?xi1>
  // CHECK: %{{.*}} = kiln.is_inf %{{.*}} {detect_negative = 0 : i64} : (tensor<3x?xf32>) -> tensor<3x?xi1>
  %2 = kiln.cast %x {to = i64} : (tensor<3x?xf32>) -> tensor<3x?xi64>
  // CHECK: %{{.*}} = kiln.cast %{{.*}} {to = i64} : (tensor<3x?xf32>) -> tensor<3x?xi64>
  %3 = kiln.cast %0 {to = f32} : (tensor<3x?xi1>) -> tensor<3x?xf32>
  // CHECK: %{{.*}} = kiln.cast %{{.*}} {to = f32} : (tensor<3x?xi1>) -> tensor<3x?xf32>
  %4 = kiln.cast_like %x, %t : (tensor<3x?xf32>, tensor<1xf16>) -> tensor<3x?xf16>
  // CHECK: %{{.*}} = kiln.cast_like %{{.*}}, %{{.*}} : (tensor<3x?xf32>, tensor<1xf16>) -> tensor<3x?xf16>
  return
}

// CHECK-LABEL: func.func @clip(
func.func @clip(%x: tensor<8xf32>, %lo: tensor<f32>, %hi: tensor<f32>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %0 = kiln.clip %x, %lo, %hi : (tensor<8xf32>, tensor<f32>, tensor<f32>) -> tensor<8xf32>
  // CHECK: %{{.*}} = kiln.clip %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8xf32>, tensor<f32>, tensor<f32>) -> tensor<8xf32>
  %1 = kiln.clip %x, %none, %hi : (tensor<8xf32>, none, tensor<f32>) -> tensor<8xf32>
  // CHECK: %{{.*}} = kiln.clip %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8xf32>, none, tensor<f32>) -> tensor<8xf32>
  %2 = kiln.clip %x, %none, %none : (tensor<8xf32>, none, none) -> tensor<8xf32>
  // CHECK: %{{.*}} = kiln.clip %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8xf32>, none, none) -> tensor<8xf32>
  return
}

// CHECK-LABEL: func.func @binary(
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %d: tensor<?x1xf32>, %e: tensor<i32>) {
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.sub %a, %d : (tensor<2x3xf32>, tensor<?x1xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.sub %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<?x1xf32>) -> tensor<2x3xf32>
  %2 = kiln.mul %d, %b : (tensor<?x1xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  // CHECK: %{{.*}} = kiln.mul %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %3 = kiln.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = kiln.mod %a, %b {fmod = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.mod %{{.*}}, %{{.*}} {fmod = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = kiln.pow %a, %e : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.pow %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  %6 = kiln.prelu %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.prelu %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @binary_int_bool(
func.func @binary_int_bool(%u: tensor<4xui8>, %s: tensor<ui8>, %p: tensor<2x4xi1>, %q: tensor<4xi1>) {
  %0 = kiln.bit_shift %u, %s {direction = "LEFT"} : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
  // CHECK: %{{.*}} = kiln.bit_shift %{{.*}}, %{{.*}} {direction = "LEFT"} : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
  %1 = kiln.bit_shift %u, %s {direction = "RIGHT"} : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
  // CHECK: %{{.*}} = kiln.bit_shift %{{.*}}, %{{.*}} {direction = "RIGHT"} : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
  %2 = kiln.and %p, %q : (tensor<2x4xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  // CHECK: %{{.*}} = kiln.and %{{.*}}, %{{.*}} : (tensor<2x4xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  %3 = kiln.or %p, %q : (tensor<2x4xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  // CHECK: %{{.*}} = kiln.or %{{.*}}, %{{.*}} : (tensor<2x4xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  %4 = kiln.xor %p, %q : (tensor<2x4xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  // CHECK: %{{.*}} = kiln.xor %{{.*}}, %{{.*}} : (tensor<2x4xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  return
}

// CHECK-LABEL: func.func @compare(
func.func @compare(%a: tensor<2x3xi64>, %b: tensor<i64>, %p: tensor<2x3xi1>) {
  %0 = kiln.equal %a, %b : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  // CHECK: %{{.*}} = kiln.equal %{{.*}}, %{{.*}} : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  %1 = kiln.equal %p, %p : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: %{{.*}} = kiln.equal %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %2 = kiln.less %a, %b : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  // CHECK: %{{.*}} = kiln.less %{{.*}}, %{{.*}} : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  %3 = kiln.less_or_equal %a, %b : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  // CHECK: %{{.*}} = kiln.less_or_equal %{{.*}}, %{{.*}} : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  %4 = kiln.greater %a, %b : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  // CHECK: %{{.*}} = kiln.greater %{{.*}}, %{{.*}} : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  %5 = kiln.greater_or_equal %a, %b : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  // CHECK: %{{.*}} = kiln.greater_or_equal %{{.*}}, %{{.*}} : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi1>
  return
}

// CHECK-LABEL: func.func @variadic_and_where(
func.func @variadic_and_where(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<1xf32>, %m: tensor<2x3xi1>) {
  %0 = kiln.max %a, %b, %c : (tensor<2x3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.max %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  %1 = kiln.min %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.min %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.sum %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.sum %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = kiln.mean %b, %c : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xf32>
  // CHECK: %{{.*}} = kiln.mean %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xf32>
  %4 = kiln.where %m, %a, %c : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  // CHECK: %{{.*}} = kiln.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @reductions(
func.func @reductions(%x: tensor<2x?x4xf32>) {
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x?x4xf32>) -> tensor<2x4xf32>
  // CHECK: %{{.*}} = kiln.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x?x4xf32>) -> tensor<2x4xf32>
  %1 = kiln.reduce_mean %x {axes = array<i64: -1>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  // CHECK: %{{.*}} = kiln.reduce_mean %{{.*}} {axes = array<i64: -1>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  %2 = kiln.reduce_max %x : (tensor<2x?x4xf32>) -> tensor<1x1x1xf32>
  // CHECK: %{{.*}} = kiln.reduce_max %{{.*}} : (tensor<2x?x4xf32>) -> tensor<1x1x1xf32>
  %3 = kiln.reduce_min %x {keepdims = 0 : i64} : (tensor<2x?x4xf32>) -> tensor<f32>
  // CHECK: %{{.*}} = kiln.reduce_min %{{.*}} {keepdims = 0 : i64} : (tensor<2x?x4xf32>) -> tensor<f32>
  %4 = kiln.reduce_prod %x {axes = array<i64: 0, 2>} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: %{{.*}} = kiln.reduce_prod %{{.*}} {axes = array<i64: 0, 2>} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %5 = kiln.reduce_l1 %x {axes = array<i64: 0>} : (tensor<2x?x4xf32>) -> tensor<1x?x4xf32>
  // CHECK: %{{.*}} = kiln.reduce_l1 %{{.*}} {axes = array<i64: 0>} : (tensor<2x?x4xf32>) -> tensor<1x?x4xf32>
  %6 = kiln.reduce_l2 %x {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  // CHECK: %{{.*}} = kiln.reduce_l2 %{{.*}} {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  %7 = kiln.reduce_log_sum %x {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  // CHECK: %{{.*}} = kiln.reduce_log_sum %{{.*}} {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  %8 = kiln.reduce_log_sum_exp %x {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  // CHECK: %{{.*}} = kiln.reduce_log_sum_exp %{{.*}} {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  %9 = kiln.reduce_sum_square %x {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  // CHECK: %{{.*}} = kiln.reduce_sum_square %{{.*}} {axes = array<i64: 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x1xf32>
  %10 = kiln.reduce_sum %x {noop_with_empty_axes = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2x?x4xf32>
  // CHECK: %{{.*}} = kiln.reduce_sum %{{.*}} {noop_with_empty_axes = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2x?x4xf32>
  %11 = kiln.arg_max %x {axis = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2x1x4xi64>
  // CHECK: %{{.*}} = kiln.arg_max %{{.*}} {axis = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2x1x4xi64>
  %12 = kiln.arg_min %x {axis = -1 : i64, keepdims = 0 : i64, select_last_index = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2x?xi64>
  // CHECK: %{{.*}} = kiln.arg_min %{{.*}} {axis = -1 : i64, keepdims = 0 : i64, select_last_index = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2x?xi64>
  return
}

// CHECK-LABEL: func.func @rows(
func.func @rows(%x: tensor<2x8xf32>, %axis: tensor<i64>, %k: tensor<1xi64>) {
  %0 = kiln.softmax %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: %{{.*}} = kiln.softmax %{{.*}} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = kiln.log_softmax %x {axis = 0 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: %{{.*}} = kiln.log_softmax %{{.*}} {axis = 0 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %2 = kiln.hardmax %x {axis = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: %{{.*}} = kiln.hardmax %{{.*}} {axis = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %3 = kiln.cum_sum %x, %axis {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<2x8xf32>, tensor<i64>) -> tensor<2x8xf32>
  // CHECK: %{{.*}} = kiln.cum_sum %{{.*}}, %{{.*}} {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<2x8xf32>, tensor<i64>) -> tensor<2x8xf32>
  %4:2 = kiln.top_k %x, %k : (tensor<2x8xf32>, tensor<1xi64>) -> (tensor<2x?xf32>, tensor<2x?xi64>)
  // CHECK: %{{.*}}, %{{.*}} = kiln.top_k %{{.*}}, %{{.*}} : (tensor<2x8xf32>, tensor<1xi64>) -> (tensor<2x?xf32>, tensor<2x?xi64>)
  %c3 = kiln.constant dense<3> : tensor<1xi64>
  // CHECK: %{{.*}} = kiln.constant dense<3> : tensor<1xi64>
  %5:2 = kiln.top_k %x, %c3 {axis = 1 : i64, largest = 0 : i64, sorted = 0 : i64} : (tensor<2x8xf32>, tensor<1xi64>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  // CHECK: %{{.*}}, %{{.*}} = kiln.top_k %{{.*}}, %{{.*}} {axis = 1 : i64, largest = 0 : i64, sorted = 0 : i64} : (tensor<2x8xf32>, tensor<1xi64>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return
}

// CHECK-LABEL: func.func @normalization(
func.func @normalization(%x: tensor<2x8x16xf32>, %g: tensor<16xf32>, %img: tensor<1x4x8x8xf32>, %c: tensor<4xf32>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %0:3 = kiln.layer_normalization %x, %g, %g {axis = -1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x8x16xf32>, none, none)
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = kiln.layer_normalization %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x8x16xf32>, none, none)
  %1:3 = kiln.layer_normalization %x, %g, %none : (tensor<2x8x16xf32>, tensor<16xf32>, none) -> (tensor<2x8x16xf32>, tensor<2x8x1xf32>, tensor<2x8x1xf32>)
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = kiln.layer_normalization %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x8x16xf32>, tensor<16xf32>, none) -> (tensor<2x8x16xf32>, tensor<2x8x1xf32>, tensor<2x8x1xf32>)
  %2:3 = kiln.batch_normalization %img, %c, %c, %c, %c {epsilon = 9.99999974E-6 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<1x4x8x8xf32>, none, none)
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = kiln.batch_normalization %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<1x4x8x8xf32>, none, none)
  %3 = kiln.instance_normalization %img, %c, %c : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: %{{.*}} = kiln.instance_normalization %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %4 = kiln.lrn %img {size = 3 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: %{{.*}} = kiln.lrn %{{.*}} {size = 3 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %5 = kiln.mean_variance_normalization %img : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: %{{.*}} = kiln.mean_variance_normalization %{{.*}} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %6 = kiln.mean_variance_normalization %img {axes = array<i64: 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: %{{.*}} = kiln.mean_variance_normalization %{{.*}} {axes = array<i64: 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// CHECK-LABEL: func.func @contractions(
func.func @contractions(%a: tensor<?x8x64xf32>, %b: tensor<64x32xf32>, %x: tensor<1x2048xf32>, %w: tensor<1000x2048xf32>, %bias: tensor<1000xf32>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %0 = kiln.matmul %a, %b : (tensor<?x8x64xf32>, tensor<64x32xf32>) -> tensor<?x8x32xf32>
  // CHECK: %{{.*}} = kiln.matmul %{{.*}}, %{{.*}} : (tensor<?x8x64xf32>, tensor<64x32xf32>) -> tensor<?x8x32xf32>
  %1 = kiln.gemm %x, %w, %bias {transB = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  // CHECK: %{{.*}} = kiln.gemm %{{.*}}, %{{.*}}, %{{.*}} {transB = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  %2 = kiln.gemm %x, %w, %none {alpha = 5.000000e-01 : f32, transB = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, none) -> tensor<1x1000xf32>
  // CHECK: %{{.*}} = kiln.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, transB = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, none) -> tensor<1x1000xf32>
  return
}

// CHECK-LABEL: func.func @convolutions(
func.func @convolutions(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x3x3xf32>, %b: tensor<64xf32>, %t: tensor<1x8x4x4xf32>, %tw: tensor<8x4x3x3xf32>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %0 = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  // CHECK: %{{.*}} = kiln.conv %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  %1 = kiln.conv %x, %w, %none {auto_pad = "SAME_UPPER"} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, none) -> tensor<1x64x224x224xf32>
  // CHECK: %{{.*}} = kiln.conv %{{.*}}, %{{.*}}, %{{.*}} {auto_pad = "SAME_UPPER"} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, none) -> tensor<1x64x224x224xf32>
  %2 = kiln.conv_transpose %t, %tw, %none {strides = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x4x9x9xf32>
  // CHECK: %{{.*}} = kiln.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x4x9x9xf32>
  return
}

// CHECK-LABEL: func.func @pooling(
func.func @pooling(%x: tensor<1x64x112x112xf32>, %y: tensor<1x8x8x8xf32>) {
  %0:2 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> (tensor<1x64x56x56xf32>, none)
  // CHECK: %{{.*}}, %{{.*}} = kiln.max_pool %{{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> (tensor<1x64x56x56xf32>, none)
  %1:2 = kiln.max_pool %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xi64>)
  // CHECK: %{{.*}}, %{{.*}} = kiln.max_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xi64>)
  %2 = kiln.average_pool %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: %{{.*}} = kiln.average_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
  %3 = kiln.global_average_pool %x : (tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32>
  // CHECK: %{{.*}} = kiln.global_average_pool %{{.*}} : (tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32>
  %4 = kiln.global_max_pool %y : (tensor<1x8x8x8xf32>) -> tensor<1x8x1x1xf32>
  // CHECK: %{{.*}} = kiln.global_max_pool %{{.*}} : (tensor<1x8x8x8xf32>) -> tensor<1x8x1x1xf32>
  return
}

// CHECK-LABEL: func.func @dropout(
func.func @dropout(%x: tensor<4xf32>, %r: tensor<f32>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %0:2 = kiln.dropout %x, %none, %none : (tensor<4xf32>, none, none) -> (tensor<4xf32>, none)
  // CHECK: %{{.*}}, %{{.*}} = kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4xf32>, none, none) -> (tensor<4xf32>, none)
  %1:2 = kiln.dropout %x, %r, %none {seed = 7 : i64} : (tensor<4xf32>, tensor<f32>, none) -> (tensor<4xf32>, tensor<4xi1>)
  // CHECK: %{{.*}}, %{{.*}} = kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} {seed = 7 : i64} : (tensor<4xf32>, tensor<f32>, none) -> (tensor<4xf32>, tensor<4xi1>)
  return
}

// CHECK-LABEL: func.func @shape_and_size(
func.func @shape_and_size(%x: tensor<?x3x224x224xf32>) {
  %0 = kiln.shape %x : (tensor<?x3x224x224xf32>) -> tensor<4xi64>
  // CHECK: %{{.*}} = kiln.shape %{{.*}} : (tensor<?x3x224x224xf32>) -> tensor<4xi64>
  %1 = kiln.shape %x {end = -1 : i64, start = 1 : i64} : (tensor<?x3x224x224xf32>) -> tensor<2xi64>
  // CHECK: %{{.*}} = kiln.shape %{{.*}} {end = -1 : i64, start = 1 : i64} : (tensor<?x3x224x224xf32>) -> tensor<2xi64>
  %2 = kiln.shape %x {start = -10 : i64} : (tensor<?x3x224x224xf32>) -> tensor<4xi64>
  // CHECK: %{{.*}} = kiln.shape %{{.*}} {start = -10 : i64} : (tensor<?x3x224x224xf32>) -> tensor<4xi64>
  %3 = kiln.shape %x {start = 3 : i64, end = 1 : i64} : (tensor<?x3x224x224xf32>) -> tensor<0xi64>
  // CHECK: %{{.*}} = kiln.shape %{{.*}} {end = 1 : i64, start = 3 : i64} : (tensor<?x3x224x224xf32>) -> tensor<0xi64>
  %4 = kiln.size %x : (tensor<?x3x224x224xf32>) -> tensor<i64>
  // CHECK: %{{.*}} = kiln.size %{{.*}} : (tensor<?x3x224x224xf32>) -> tensor<i64>
  return
}

// CHECK-LABEL: func.func @reshape(
func.func @reshape(%x: tensor<?x128x768xf32>, %y: tensor<2x3x4xf32>, %s: tensor<3xi64>) {
  %c0 = kiln.constant dense<[0, 0, 12, 64]> : tensor<4xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[0, 0, 12, 64]> : tensor<4xi64>
  %0 = kiln.reshape %x, %c0 : (tensor<?x128x768xf32>, tensor<4xi64>) -> tensor<?x128x12x64xf32>
  // CHECK: %{{.*}} = kiln.reshape %{{.*}}, %{{.*}} : (tensor<?x128x768xf32>, tensor<4xi64>) -> tensor<?x128x12x64xf32>
  %c1 = kiln.constant dense<[0, -1]> : tensor<2xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[0, -1]> : tensor<2xi64>
  %1 = kiln.reshape %x, %c1 : (tensor<?x128x768xf32>, tensor<2xi64>) -> tensor<?x98304xf32>
  // CHECK: %{{.*}} = kiln.reshape %{{.*}}, %{{.*}} : (tensor<?x128x768xf32>, tensor<2xi64>) -> tensor<?x98304xf32>
  %c2 = kiln.constant dense<[-1, 4]> : tensor<2xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[-1, 4]> : tensor<2xi64>
  %2 = kiln.reshape %y, %c2 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  // CHECK: %{{.*}} = kiln.reshape %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %3 = kiln.reshape %y, %s : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  // CHECK: %{{.*}} = kiln.reshape %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %c3 = kiln.constant dense<[0, 24]> : tensor<2xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[0, 24]> : tensor<2xi64>
  %e = kiln.constant dense<0.0> : tensor<0x2xf32>
  // CHECK: %{{.*}} = kiln.constant dense<0.000000e+00> : tensor<0x2xf32>
  %4 = kiln.reshape %e, %c3 {allowzero = 1 : i64} : (tensor<0x2xf32>, tensor<2xi64>) -> tensor<0x24xf32>
  // CHECK: %{{.*}} = kiln.reshape %{{.*}}, %{{.*}} {allowzero = 1 : i64} : (tensor<0x2xf32>, tensor<2xi64>) -> tensor<0x24xf32>
  %5 = kiln.flatten %y : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  // CHECK: %{{.*}} = kiln.flatten %{{.*}} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %6 = kiln.flatten %x {axis = 0 : i64} : (tensor<?x128x768xf32>) -> tensor<1x?xf32>
  // CHECK: %{{.*}} = kiln.flatten %{{.*}} {axis = 0 : i64} : (tensor<?x128x768xf32>) -> tensor<1x?xf32>
  %7 = kiln.flatten %y {axis = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: %{{.*}} = kiln.flatten %{{.*}} {axis = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return
}

// CHECK-LABEL: func.func @permute_and_squeeze(
func.func @permute_and_squeeze(%x: tensor<1x128x12x64xf32>, %d: tensor<?x1x3xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x128x12x64xf32>) -> tensor<1x12x128x64xf32>
  // CHECK: %{{.*}} = kiln.transpose %{{.*}} {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x128x12x64xf32>) -> tensor<1x12x128x64xf32>
  %1 = kiln.transpose %d : (tensor<?x1x3xf32>) -> tensor<3x1x?xf32>
  // CHECK: %{{.*}} = kiln.transpose %{{.*}} : (tensor<?x1x3xf32>) -> tensor<3x1x?xf32>
  %2 = kiln.squeeze %x {axes = array<i64: 0>} : (tensor<1x128x12x64xf32>) -> tensor<128x12x64xf32>
  // CHECK: %{{.*}} = kiln.squeeze %{{.*}} {axes = array<i64: 0>} : (tensor<1x128x12x64xf32>) -> tensor<128x12x64xf32>
  %3 = kiln.squeeze %x : (tensor<1x128x12x64xf32>) -> tensor<128x12x64xf32>
  // CHECK: %{{.*}} = kiln.squeeze %{{.*}} : (tensor<1x128x12x64xf32>) -> tensor<128x12x64xf32>
  %4 = kiln.squeeze %d {axes = array<i64: -2>} : (tensor<?x1x3xf32>) -> tensor<?x3xf32>
  // CHECK: %{{.*}} = kiln.squeeze %{{.*}} {axes = array<i64: -2>} : (tensor<?x1x3xf32>) -> tensor<?x3xf32>
  %5 = kiln.unsqueeze %d {axes = array<i64: 0, -1>} : (tensor<?x1x3xf32>) -> tensor<1x?x1x3x1xf32>
  // CHECK: %{{.*}} = kiln.unsqueeze %{{.*}} {axes = array<i64: 0, -1>} : (tensor<?x1x3xf32>) -> tensor<1x?x1x3x1xf32>
  return
}

// CHECK-LABEL: func.func @concat_split(
func.func @concat_split(%a: tensor<1x64x8x8xf32>, %b: tensor<1x32x8x8xf32>, %c: tensor<?x?x8x8xf32>, %x: tensor<1x128x2304xf32>) {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<1x32x8x8xf32>) -> tensor<1x96x8x8xf32>
  // CHECK: %{{.*}} = kiln.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x64x8x8xf32>, tensor<1x32x8x8xf32>) -> tensor<1x96x8x8xf32>
  %1 = kiln.concat %a, %c {axis = -3 : i64} : (tensor<1x64x8x8xf32>, tensor<?x?x8x8xf32>) -> tensor<1x?x8x8xf32>
  // CHECK: %{{.*}} = kiln.concat %{{.*}}, %{{.*}} {axis = -3 : i64} : (tensor<1x64x8x8xf32>, tensor<?x?x8x8xf32>) -> tensor<1x?x8x8xf32>
  %2 = kiln.concat %a {axis = 0 : i64} : (tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
  // CHECK: %{{.*}} = kiln.concat %{{.*}} {axis = 0 : i64} : (tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
  %3:3 = kiln.split %x {axis = 2 : i64} : (tensor<1x128x2304xf32>) -> (tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>)
  // CHECK: %{{.*}} = kiln.split %{{.*}} {axis = 2 : i64} : (tensor<1x128x2304xf32>) -> (tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>)
  %4:2 = kiln.split %x {axis = -1 : i64, split = array<i64: 2000, 304>} : (tensor<1x128x2304xf32>) -> (tensor<1x128x2000xf32>, tensor<1x128x304xf32>)
  // CHECK: %{{.*}} = kiln.split %{{.*}} {axis = -1 : i64, split = array<i64: 2000, 304>} : (tensor<1x128x2304xf32>) -> (tensor<1x128x2000xf32>, tensor<1x128x304xf32>)
  %5:2 = kiln.split %c {axis = 1 : i64} : (tensor<?x?x8x8xf32>) -> (tensor<?x?x8x8xf32>, tensor<?x?x8x8xf32>)
  // CHECK: %{{.*}} = kiln.split %{{.*}} {axis = 1 : i64} : (tensor<?x?x8x8xf32>) -> (tensor<?x?x8x8xf32>, tensor<?x?x8x8xf32>)
  return
}

// CHECK-LABEL: func.func @slice(
func.func @slice(%x: tensor<1x128x768xf32>, %s: tensor<1xi64>, %d: tensor<?x10xf32>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %c0 = kiln.constant dense<0> : tensor<1xi64>
  // CHECK: %{{.*}} = kiln.constant dense<0> : tensor<1xi64>
  %c64 = kiln.constant dense<64> : tensor<1xi64>
  // CHECK: %{{.*}} = kiln.constant dense<64> : tensor<1xi64>
  %c1 = kiln.constant dense<1> : tensor<1xi64>
  // CHECK: %{{.*}} = kiln.constant dense<1> : tensor<1xi64>
  %0 = kiln.slice %x, %c0, %c64, %c1, %none : (tensor<1x128x768xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x64x768xf32>
  // CHECK: %{{.*}} = kiln.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x128x768xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x64x768xf32>
  %cm1 = kiln.constant dense<-1> : tensor<1xi64>
  // CHECK: %{{.*}} = kiln.constant dense<-1> : tensor<1xi64>
  %cmin = kiln.constant dense<-9223372036854775808> : tensor<1xi64>
  // CHECK: %{{.*}} = kiln.constant dense<-9223372036854775808> : tensor<1xi64>
  %1 = kiln.slice %d, %cm1, %cmin, %c1, %cm1 : (tensor<?x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x10xf32>
  // CHECK: %{{.*}} = kiln.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x10xf32>
  %cmax = kiln.constant dense<2147483647> : tensor<1xi32>
  // CHECK: %{{.*}} = kiln.constant dense<2147483647> : tensor<1xi32>
  %c2 = kiln.constant dense<2> : tensor<1xi32>
  // CHECK: %{{.*}} = kiln.constant dense<2> : tensor<1xi32>
  %cz = kiln.constant dense<1> : tensor<1xi32>
  // CHECK: %{{.*}} = kiln.constant dense<1> : tensor<1xi32>
  %2 = kiln.slice %d, %cz, %cmax, %cz, %c2 : (tensor<?x10xf32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x5xf32>
  // CHECK: %{{.*}} = kiln.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x5xf32>
  %3 = kiln.slice %x, %s, %s, %c1, %none : (tensor<1x128x768xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x?x768xf32>
  // CHECK: %{{.*}} = kiln.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x128x768xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x?x768xf32>
  %4 = kiln.slice %x, %c0, %c64, %s, %none : (tensor<1x128x768xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?x?x?xf32>
  // CHECK: %{{.*}} = kiln.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x128x768xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?x?x?xf32>
  %5 = kiln.slice %d, %c0, %c64, %none, %none : (tensor<?x10xf32>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<?x10xf32>
  // CHECK: %{{.*}} = kiln.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<?x10xf32>
  return
}

// CHECK-LABEL: func.func @gathers(
func.func @gathers(%table: tensor<30522x768xf32>, %ids: tensor<?x128xi64>, %x: tensor<2x3xf32>, %i: tensor<2x2xi32>, %j: tensor<2x2xi64>, %b: tensor<2x3x4xf32>, %bi: tensor<2x1xi64>) {
  %0 = kiln.gather %table, %ids {axis = 0 : i64} : (tensor<30522x768xf32>, tensor<?x128xi64>) -> tensor<?x128x768xf32>
  // CHECK: %{{.*}} = kiln.gather %{{.*}}, %{{.*}} : (tensor<30522x768xf32>, tensor<?x128xi64>) -> tensor<?x128x768xf32>
  %s = kiln.constant dense<1> : tensor<i64>
  // CHECK: %{{.*}} = kiln.constant dense<1> : tensor<i64>
  %1 = kiln.gather %x, %s {axis = -1 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2xf32>
  // CHECK: %{{.*}} = kiln.gather %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2xf32>
  %2 = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi32>) -> tensor<2x2xf32>
  // CHECK: %{{.*}} = kiln.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi32>) -> tensor<2x2xf32>
  %3 = kiln.gather_nd %x, %j : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  // CHECK: %{{.*}} = kiln.gather_nd %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  %4 = kiln.gather_nd %b, %bi {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  // CHECK: %{{.*}} = kiln.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  return
}

// CHECK-LABEL: func.func @scatters(
func.func @scatters(%x: tensor<8xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>, %y: tensor<2x4xf32>, %ui: tensor<2x1xi64>, %uu: tensor<2x1xf32>) {
  %0 = kiln.scatter_nd %x, %i, %u : (tensor<8xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8xf32>
  // CHECK: %{{.*}} = kiln.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8xf32>
  %1 = kiln.scatter_nd %x, %i, %u {reduction = "add"} : (tensor<8xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8xf32>
  // CHECK: %{{.*}} = kiln.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = "add"} : (tensor<8xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8xf32>
  %2 = kiln.scatter_elements %y, %ui, %uu {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x1xf32>) -> tensor<2x4xf32>
  // CHECK: %{{.*}} = kiln.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %3 = kiln.scatter_elements %y, %ui, %uu {axis = -1 : i64, reduction = "max"} : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x1xf32>) -> tensor<2x4xf32>
  // CHECK: %{{.*}} = kiln.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = -1 : i64, reduction = "max"} : (tensor<2x4xf32>, tensor<2x1xi64>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return
}

// CHECK-LABEL: func.func @expand_tile_pad(
func.func @expand_tile_pad(%x: tensor<3x1xf32>, %s: tensor<3xi64>, %img: tensor<1x3x4x4xf32>, %v: tensor<f32>, %p: tensor<8xi64>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %c = kiln.constant dense<[2, 1, 4]> : tensor<3xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[2, 1, 4]> : tensor<3xi64>
  %0 = kiln.expand %x, %c : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  // CHECK: %{{.*}} = kiln.expand %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %1 = kiln.expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
  // CHECK: %{{.*}} = kiln.expand %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
  %r = kiln.constant dense<[2, 1]> : tensor<2xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[2, 1]> : tensor<2xi64>
  %2 = kiln.tile %x, %r : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<6x1xf32>
  // CHECK: %{{.*}} = kiln.tile %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<6x1xf32>
  %pads = kiln.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %3 = kiln.pad %img, %pads, %v, %none {mode = "constant"} : (tensor<1x3x4x4xf32>, tensor<8xi64>, tensor<f32>, none) -> tensor<1x3x6x6xf32>
  // CHECK: %{{.*}} = kiln.pad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x4x4xf32>, tensor<8xi64>, tensor<f32>, none) -> tensor<1x3x6x6xf32>
  %4 = kiln.pad %img, %pads, %none, %none {mode = "reflect"} : (tensor<1x3x4x4xf32>, tensor<8xi64>, none, none) -> tensor<1x3x6x6xf32>
  // CHECK: %{{.*}} = kiln.pad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {mode = "reflect"} : (tensor<1x3x4x4xf32>, tensor<8xi64>, none, none) -> tensor<1x3x6x6xf32>
  %axes = kiln.constant dense<[-1]> : tensor<1xi64>
  // CHECK: %{{.*}} = kiln.constant dense<-1> : tensor<1xi64>
  %crop = kiln.constant dense<[-1, 2]> : tensor<2xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[-1, 2]> : tensor<2xi64>
  %5 = kiln.pad %img, %crop, %none, %axes {mode = "edge"} : (tensor<1x3x4x4xf32>, tensor<2xi64>, none, tensor<1xi64>) -> tensor<1x3x4x5xf32>
  // CHECK: %{{.*}} = kiln.pad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {mode = "edge"} : (tensor<1x3x4x4xf32>, tensor<2xi64>, none, tensor<1xi64>) -> tensor<1x3x4x5xf32>
  %6 = kiln.pad %img, %p, %none, %none {mode = "wrap"} : (tensor<1x3x4x4xf32>, tensor<8xi64>, none, none) -> tensor<?x?x?x?xf32>
  // CHECK: %{{.*}} = kiln.pad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {mode = "wrap"} : (tensor<1x3x4x4xf32>, tensor<8xi64>, none, none) -> tensor<?x?x?x?xf32>
  return
}

// CHECK-LABEL: func.func @generators(
func.func @generators(%s: tensor<2xi64>, %n: tensor<i64>, %x: tensor<3x4xf32>) {
  %c = kiln.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[2, 3]> : tensor<2xi64>
  %0 = kiln.constant_of_shape %c {value = dense<1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
  // CHECK: %{{.*}} = kiln.constant_of_shape %{{.*}} {value = dense<1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
  %1 = kiln.constant_of_shape %s : (tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: %{{.*}} = kiln.constant_of_shape %{{.*}} : (tensor<2xi64>) -> tensor<?x?xf32>
  %start = kiln.constant dense<0> : tensor<i64>
  // CHECK: %{{.*}} = kiln.constant dense<0> : tensor<i64>
  %limit = kiln.constant dense<128> : tensor<i64>
  // CHECK: %{{.*}} = kiln.constant dense<128> : tensor<i64>
  %delta = kiln.constant dense<1> : tensor<i64>
  // CHECK: %{{.*}} = kiln.constant dense<1> : tensor<i64>
  %2 = kiln.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<128xi64>
  // CHECK: %{{.*}} = kiln.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<128xi64>
  %3 = kiln.range %start, %n, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK: %{{.*}} = kiln.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %fs = kiln.constant dense<1.0> : tensor<f32>
  // CHECK: %{{.*}} = kiln.constant dense<1.000000e+00> : tensor<f32>
  %fl = kiln.constant dense<0.0> : tensor<f32>
  // CHECK: %{{.*}} = kiln.constant dense<0.000000e+00> : tensor<f32>
  %fd = kiln.constant dense<-0.25> : tensor<f32>
  // CHECK: %{{.*}} = kiln.constant dense<-2.500000e-01> : tensor<f32>
  %4 = kiln.range %fs, %fl, %fd : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  // CHECK: %{{.*}} = kiln.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  %5 = kiln.eye_like %x {k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: %{{.*}} = kiln.eye_like %{{.*}} {k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %6 = kiln.eye_like %x {dtype = i32} : (tensor<3x4xf32>) -> tensor<3x4xi32>
  // CHECK: %{{.*}} = kiln.eye_like %{{.*}} {dtype = i32} : (tensor<3x4xf32>) -> tensor<3x4xi32>
  return
}

// CHECK-LABEL: func.func @data_movement(
func.func @data_movement(%x: tensor<1x8x2x3xf32>, %y: tensor<4x4xf32>, %k: tensor<i64>, %lens: tensor<4xi64>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %0 = kiln.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  // CHECK: %{{.*}} = kiln.depth_to_space %{{.*}} {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  %1 = kiln.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  // CHECK: %{{.*}} = kiln.depth_to_space %{{.*}} {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  %2 = kiln.space_to_depth %0 {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  // CHECK: %{{.*}} = kiln.space_to_depth %{{.*}} {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  %3 = kiln.trilu %y, %none {upper = 0 : i64} : (tensor<4x4xf32>, none) -> tensor<4x4xf32>
  // CHECK: %{{.*}} = kiln.trilu %{{.*}}, %{{.*}} {upper = 0 : i64} : (tensor<4x4xf32>, none) -> tensor<4x4xf32>
  %4 = kiln.trilu %y, %k : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
  // CHECK: %{{.*}} = kiln.trilu %{{.*}}, %{{.*}} : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
  %5 = kiln.reverse_sequence %y, %lens {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  // CHECK: %{{.*}} = kiln.reverse_sequence %{{.*}}, %{{.*}} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  return
}

// CHECK-LABEL: func.func @one_hot(
func.func @one_hot(%i: tensor<3xi64>, %v: tensor<2xf32>, %dn: tensor<i64>) {
  %d = kiln.constant dense<10> : tensor<i64>
  // CHECK: %{{.*}} = kiln.constant dense<10> : tensor<i64>
  %0 = kiln.one_hot %i, %d, %v {axis = -1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x10xf32>
  // CHECK: %{{.*}} = kiln.one_hot %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x10xf32>
  %df = kiln.constant dense<4.5> : tensor<1xf32>
  // CHECK: %{{.*}} = kiln.constant dense<4.500000e+00> : tensor<1xf32>
  %1 = kiln.one_hot %i, %df, %v {axis = 0 : i64} : (tensor<3xi64>, tensor<1xf32>, tensor<2xf32>) -> tensor<4x3xf32>
  // CHECK: %{{.*}} = kiln.one_hot %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<3xi64>, tensor<1xf32>, tensor<2xf32>) -> tensor<4x3xf32>
  %2 = kiln.one_hot %i, %dn, %v : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x?xf32>
  // CHECK: %{{.*}} = kiln.one_hot %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x?xf32>
  return
}

// CHECK-LABEL: func.func @resize(
func.func @resize(%x: tensor<1x3x4x4xf32>, %sizes: tensor<4xi64>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %scales = kiln.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // CHECK: %{{.*}} = kiln.constant dense<[1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00]> : tensor<4xf32>
  %0 = kiln.resize %x, %none, %scales, %none {mode = "nearest"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x3x8x8xf32>
  // CHECK: %{{.*}} = kiln.resize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x3x8x8xf32>
  %empty = kiln.constant dense<> : tensor<0xf32>
  // CHECK: %{{.*}} = kiln.constant dense<> : tensor<0xf32>
  %1 = kiln.resize %x, %empty, %empty, %sizes {mode = "linear", coordinate_transformation_mode = "align_corners"} : (tensor<1x3x4x4xf32>, tensor<0xf32>, tensor<0xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  // CHECK: %{{.*}} = kiln.resize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {coordinate_transformation_mode = "align_corners", mode = "linear"} : (tensor<1x3x4x4xf32>, tensor<0xf32>, tensor<0xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %cs = kiln.constant dense<[1, 3, 5, 7]> : tensor<4xi64>
  // CHECK: %{{.*}} = kiln.constant dense<[1, 3, 5, 7]> : tensor<4xi64>
  %2 = kiln.resize %x, %none, %none, %cs {mode = "cubic", cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = 1 : i64} : (tensor<1x3x4x4xf32>, none, none, tensor<4xi64>) -> tensor<1x3x5x7xf32>
  // CHECK: %{{.*}} = kiln.resize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = 1 : i64, mode = "cubic"} : (tensor<1x3x4x4xf32>, none, none, tensor<4xi64>) -> tensor<1x3x5x7xf32>
  %roi = kiln.constant dense<[0.0, 0.0, 0.1, 0.1, 1.0, 1.0, 0.9, 0.9]> : tensor<8xf32>
  // CHECK: %{{.*}} = kiln.constant dense<[0.000000e+00, 0.000000e+00, 1.000000e-01, 1.000000e-01, 1.000000e+00, 1.000000e+00, 0.899999976, 0.899999976]> : tensor<8xf32>
  %3 = kiln.resize %x, %roi, %scales, %none {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 1.000000e+00 : f32, mode = "linear"} : (tensor<1x3x4x4xf32>, tensor<8xf32>, tensor<4xf32>, none) -> tensor<1x3x8x8xf32>
  // CHECK: %{{.*}} = kiln.resize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 1.000000e+00 : f32, mode = "linear"} : (tensor<1x3x4x4xf32>, tensor<8xf32>, tensor<4xf32>, none) -> tensor<1x3x8x8xf32>
  %4 = kiln.resize %x, %none, %scales, %none {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x3x8x8xf32>
  // CHECK: %{{.*}} = kiln.resize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x3x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x3x8x8xf32>
  return
}

// CHECK-LABEL: func.func @losses(
func.func @losses(%x: tensor<3x5xf32>, %t: tensor<3xi64>, %w: tensor<5xf32>) {
  %none = kiln.none
  // CHECK: %{{.*}} = kiln.none
  %0 = kiln.negative_log_likelihood_loss %x, %t, %none {reduction = "mean"} : (tensor<3x5xf32>, tensor<3xi64>, none) -> tensor<f32>
  // CHECK: %{{.*}} = kiln.negative_log_likelihood_loss %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x5xf32>, tensor<3xi64>, none) -> tensor<f32>
  %1 = kiln.negative_log_likelihood_loss %x, %t, %w {ignore_index = -1 : i64, reduction = "none"} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> tensor<3xf32>
  // CHECK: %{{.*}} = kiln.negative_log_likelihood_loss %{{.*}}, %{{.*}}, %{{.*}} {ignore_index = -1 : i64, reduction = "none"} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> tensor<3xf32>
  %2:2 = kiln.softmax_cross_entropy_loss %x, %t, %none : (tensor<3x5xf32>, tensor<3xi64>, none) -> (tensor<f32>, none)
  // CHECK: %{{.*}}, %{{.*}} = kiln.softmax_cross_entropy_loss %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x5xf32>, tensor<3xi64>, none) -> (tensor<f32>, none)
  %3:2 = kiln.softmax_cross_entropy_loss %x, %t, %w {reduction = "sum"} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> (tensor<f32>, tensor<3x5xf32>)
  // CHECK: %{{.*}}, %{{.*}} = kiln.softmax_cross_entropy_loss %{{.*}}, %{{.*}}, %{{.*}} {reduction = "sum"} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> (tensor<f32>, tensor<3x5xf32>)
  return
}

// When a result's rank depends on values unknown here (a shape computed at run time),
// any ranked result of the right element type verifies; shape specialization pins it.
// CHECK-LABEL: func.func @unknown_rank
func.func @unknown_rank(%x: tensor<2x3xf32>, %s: tensor<?xi64>, %i: tensor<4x?xi64>) {
  // CHECK: kiln.reshape {{.*}} -> tensor<6xf32>
  %0 = kiln.reshape %x, %s : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<6xf32>
  // CHECK: kiln.expand {{.*}} -> tensor<1x2x3xf32>
  %1 = kiln.expand %x, %s : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<1x2x3xf32>
  // CHECK: kiln.constant_of_shape {{.*}} -> tensor<?x?xf32>
  %2 = kiln.constant_of_shape %s : (tensor<?xi64>) -> tensor<?x?xf32>
  // CHECK: kiln.gather_nd {{.*}} -> tensor<4xf32>
  %3 = kiln.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x?xi64>) -> tensor<4xf32>
  return
}

// CHECK-LABEL: func.func @control_flow(
// CHECK: %[[Y:.*]] = kiln.if %{{.*}} : (tensor<i1>) -> tensor<4xf32> {
// CHECK: kiln.relu
// CHECK: kiln.yield %{{.*}} : tensor<4xf32>
// CHECK: } {
// CHECK: kiln.yield %{{.*}} : tensor<4xf32>
func.func @control_flow(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %y = kiln.if %c : (tensor<i1>) -> tensor<4xf32> {
    %a = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>
    kiln.yield %a : tensor<4xf32>
  } {
    kiln.yield %x : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// CHECK-LABEL: func.func @algebra_signal_sampling(
func.func @algebra_signal_sampling(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>, %m: tensor<3x2x2xf32>,
                                   %s: tensor<1x128x1xf32>, %g: tensor<1x6x6x2xf32>, %img: tensor<1x1x4x4xf32>,
                                   %rois: tensor<3x4xf32>, %idx: tensor<3xi64>, %i: tensor<1x1x2x2xi64>,
                                   %p: tensor<1x1x2x2xf32>) {
  %none = kiln.none
  // CHECK: kiln.einsum {{.*}} {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %0 = kiln.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: kiln.det {{.*}} -> tensor<3xf32>
  %1 = kiln.det %m : (tensor<3x2x2xf32>) -> tensor<3xf32>
  %step = kiln.constant dense<8> : tensor<i64>
  %len = kiln.constant dense<16> : tensor<i64>
  // CHECK: kiln.stft {{.*}} -> tensor<1x15x9x2xf32>
  %2 = kiln.stft %s, %step, %none, %len : (tensor<1x128x1xf32>, tensor<i64>, none, tensor<i64>) -> tensor<1x15x9x2xf32>
  // CHECK: kiln.dft {{.*}} {onesided = 1 : i64} : (tensor<1x128x1xf32>, none) -> tensor<1x65x2xf32>
  %3 = kiln.dft %s, %none {axis = 1 : i64, onesided = 1 : i64} : (tensor<1x128x1xf32>, none) -> tensor<1x65x2xf32>
  // CHECK: kiln.hann_window {{.*}} -> tensor<16xf32>
  %4 = kiln.hann_window %len : (tensor<i64>) -> tensor<16xf32>
  // CHECK: kiln.grid_sample {{.*}} {mode = "bicubic"} : (tensor<1x1x4x4xf32>, tensor<1x6x6x2xf32>) -> tensor<1x1x6x6xf32>
  %5 = kiln.grid_sample %img, %g {mode = "bicubic"} : (tensor<1x1x4x4xf32>, tensor<1x6x6x2xf32>) -> tensor<1x1x6x6xf32>
  // CHECK: kiln.roi_align {{.*}} -> tensor<3x1x5x5xf32>
  %6 = kiln.roi_align %img, %rois, %idx {output_height = 5 : i64, output_width = 5 : i64}
      : (tensor<1x1x4x4xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
  // CHECK: kiln.max_unpool {{.*}} -> tensor<1x1x4x4xf32>
  %7 = kiln.max_unpool %p, %i, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, none) -> tensor<1x1x4x4xf32>
  return
}

// CHECK-LABEL: func.func @fused_regions(
// CHECK: %{{.*}} = kiln.fused "elementwise"(%{{.*}}, %{{.*}}) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
// CHECK: ^bb0(%{{.*}}: tensor<8xf32>, %{{.*}}: tensor<8xf32>):
// CHECK: kiln.yield %{{.*}} : tensor<8xf32>
// CHECK: kiln.fused "contraction"
func.func @fused_regions(%a: tensor<8xf32>, %b: tensor<8xf32>, %m: tensor<2x4xf32>) -> (tensor<8xf32>, tensor<2x2xf32>) {
  %y = kiln.fused "elementwise" (%a, %b) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>, %z: tensor<8xf32>):
    %s = kiln.add %x, %z : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %r = kiln.relu %s : (tensor<8xf32>) -> tensor<8xf32>
    kiln.yield %r : tensor<8xf32>
  }
  %g = kiln.fused "contraction" (%m) : (tensor<2x4xf32>) -> tensor<2x2xf32> {
  ^bb0(%x: tensor<2x4xf32>):
    %w = kiln.constant dense<1.0> : tensor<4x2xf32>
    %p = kiln.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
    %r = kiln.relu %p : (tensor<2x2xf32>) -> tensor<2x2xf32>
    kiln.yield %r : tensor<2x2xf32>
  }
  return %y, %g : tensor<8xf32>, tensor<2x2xf32>
}
