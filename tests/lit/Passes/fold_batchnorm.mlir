// RUN: kiln-opt %s --kiln-fold-batchnorm | FileCheck %s
// RUN: kiln-opt %s --kiln-fold-batchnorm --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// BN folded into Conv/Gemm. Numbers: epsilon = 1, var = [0, 8] so sqrt(var + eps) = [1, 3];
// scale = [2, 9] gives factor = [2, 3]; mean = [1, 0.5], BN bias = [0.5, 0].
// Conv: W = [2, 3] -> [4, 9]; b = [1, -1] -> (b - mean) * factor + B = [0.5, -4.5].

// CHECK-LABEL: func.func @conv(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x1x2x2xf32>
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %scale = kiln.constant dense<[2.0, 9.0]> : tensor<2xf32>
  %bias = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %var = kiln.constant dense<[0.0, 8.0]> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}9.000000e+00]]]]> : tensor<2x1x1x1xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<[5.000000e-01, -4.500000e+00]> : tensor<2xf32>
  // CHECK: %[[Y:.*]] = kiln.conv %[[X]], %[[W]], %[[B]] : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  // CHECK-NOT: kiln.batch_normalization
  // CHECK: return %[[Y]]
  // LOC-LABEL: func.func @conv(
  // LOC: kiln.conv {{.*}} loc(fused["conv1", "bn1"])
  %c = kiln.conv %x, %w, %b : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32> loc("conv1")
  %y, %rm, %rv = kiln.batch_normalization %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<1x2x2x2xf32>, none, none) loc("bn1")
  return %y : tensor<1x2x2x2xf32>
}

// Without a conv bias b = 0: (0 - mean) * factor + B = [-1.5, -1.5]; attributes are kept.
// CHECK-LABEL: func.func @conv_no_bias(
func.func @conv_no_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x1x1xf32> {
  %none = kiln.none
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %scale = kiln.constant dense<[2.0, 9.0]> : tensor<2xf32>
  %bias = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %var = kiln.constant dense<[0.0, 8.0]> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}9.000000e+00]]]]> : tensor<2x1x1x1xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<-1.500000e+00> : tensor<2xf32>
  // CHECK: kiln.conv %{{.*}}, %[[W]], %[[B]] {strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32>
  %c = kiln.conv %x, %w, %none {strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x1x1xf32>
  %y, %rm, %rv = kiln.batch_normalization %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<1x2x1x1xf32>, none, none)
  return %y : tensor<1x2x1x1xf32>
}

// Gemm, B = [[1, 2], [3, 4]] is K x N: column n scales by factor[n] -> [[2, 6], [6, 12]];
// beta * C = 2 * [1, -1] -> ([2, -2] - mean) * factor + B = [2.5, -7.5], and beta becomes 1.
// CHECK-LABEL: func.func @gemm(
func.func @gemm(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %cb = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %scale = kiln.constant dense<[2.0, 9.0]> : tensor<2xf32>
  %bias = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %var = kiln.constant dense<[0.0, 8.0]> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[}}2.000000e+00, 6.000000e+00], [6.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
  // CHECK-DAG: %[[C:.*]] = kiln.constant dense<[2.500000e+00, -7.500000e+00]> : tensor<2xf32>
  // CHECK: %[[Y:.*]] = kiln.gemm %{{.*}}, %[[W]], %[[C]] {alpha = 5.000000e-01 : f32} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  // CHECK: return %[[Y]]
  %g = kiln.gemm %a, %w, %cb {alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %y, %rm, %rv = kiln.batch_normalization %g, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<3x2xf32>, none, none)
  return %y : tensor<3x2xf32>
}

// transB: B is N x K, row n scales by factor[n] -> [[2, 4], [9, 12]]; no C -> [-1.5, -1.5].
// CHECK-LABEL: func.func @gemm_trans_b(
func.func @gemm_trans_b(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %none = kiln.none
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %scale = kiln.constant dense<[2.0, 9.0]> : tensor<2xf32>
  %bias = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %var = kiln.constant dense<[0.0, 8.0]> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00], [9.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
  // CHECK-DAG: %[[C:.*]] = kiln.constant dense<-1.500000e+00> : tensor<2xf32>
  // CHECK: kiln.gemm %{{.*}}, %[[W]], %[[C]] {transB = 1 : i64} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %g = kiln.gemm %a, %w, %none {transB = 1 : i64} : (tensor<3x2xf32>, tensor<2x2xf32>, none) -> tensor<3x2xf32>
  %y, %rm, %rv = kiln.batch_normalization %g, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<3x2xf32>, none, none)
  return %y : tensor<3x2xf32>
}

// A one-element C broadcasts to every column: c = [1, 1] -> ([1, 1] - mean) * factor + B
// = [0.5, 1.5]. A full M x N C cannot absorb a per-column shift, so that gemm stays.
// CHECK-LABEL: func.func @gemm_c_forms(
func.func @gemm_c_forms(%a: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %one = kiln.constant dense<1.0> : tensor<1xf32>
  %full = kiln.constant dense<1.0> : tensor<3x2xf32>
  %scale = kiln.constant dense<[2.0, 9.0]> : tensor<2xf32>
  %bias = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %var = kiln.constant dense<[0.0, 8.0]> : tensor<2xf32>
  // CHECK-DAG: %[[C:.*]] = kiln.constant dense<[5.000000e-01, 1.500000e+00]> : tensor<2xf32>
  // CHECK: kiln.gemm %{{.*}}, %{{.*}}, %[[C]] : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  // CHECK: %[[G:.*]] = kiln.gemm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  // CHECK: kiln.batch_normalization %[[G]]
  %g1 = kiln.gemm %a, %w, %one : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<1xf32>) -> tensor<3x2xf32>
  %y1, %rm1, %rv1 = kiln.batch_normalization %g1, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<3x2xf32>, none, none)
  %g2 = kiln.gemm %a, %w, %full : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %y2, %rm2, %rv2 = kiln.batch_normalization %g2, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<3x2xf32>, none, none)
  return %y1, %y2 : tensor<3x2xf32>, tensor<3x2xf32>
}

// CHECK-LABEL: func.func @not_folded(
func.func @not_folded(%x: tensor<1x1x2x2xf32>, %wdyn: tensor<2x1x1x1xf32>, %mdyn: tensor<2xf32>,
                      %xh: tensor<1x1x2x2xf16>)
    -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf16>) {
  %none = kiln.none
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %wh = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf16>
  %scale = kiln.constant dense<[2.0, 9.0]> : tensor<2xf32>
  %bias = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %var = kiln.constant dense<[0.0, 8.0]> : tensor<2xf32>
  %sh = kiln.constant dense<[2.0, 9.0]> : tensor<2xf16>
  %bh = kiln.constant dense<[0.5, 0.0]> : tensor<2xf16>
  %mh = kiln.constant dense<[1.0, 0.5]> : tensor<2xf16>
  %vh = kiln.constant dense<[0.0, 8.0]> : tensor<2xf16>
  // The conv result has a second user.
  // CHECK-COUNT-5: kiln.batch_normalization
  %c1 = kiln.conv %x, %w, %none : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x2x2xf32>
  %y1, %rm1, %rv1 = kiln.batch_normalization %c1, %scale, %bias, %mean, %var
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<1x2x2x2xf32>, none, none)
  // The weight is not a constant.
  %c2 = kiln.conv %x, %wdyn, %none : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x2x2xf32>
  %y2, %rm2, %rv2 = kiln.batch_normalization %c2, %scale, %bias, %mean, %var
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<1x2x2x2xf32>, none, none)
  // The mean is not a constant.
  %c3 = kiln.conv %x, %w, %none : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x2x2xf32>
  %y3, %rm3, %rv3 = kiln.batch_normalization %c3, %scale, %bias, %mdyn, %var
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<1x2x2x2xf32>, none, none)
  // f16 weights are left unfolded (rounding would differ from the unfolded graph).
  %c4 = kiln.conv %xh, %wh, %none : (tensor<1x1x2x2xf16>, tensor<2x1x1x1xf16>, none) -> tensor<1x2x2x2xf16>
  %y4, %rm4, %rv4 = kiln.batch_normalization %c4, %sh, %bh, %mh, %vh
      : (tensor<1x2x2x2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>)
      -> (tensor<1x2x2x2xf16>, none, none)
  // BN of something that is neither conv nor gemm.
  %r = kiln.relu %c1 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %y5, %rm5, %rv5 = kiln.batch_normalization %r, %scale, %bias, %mean, %var
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> (tensor<1x2x2x2xf32>, none, none)
  return %y1, %y2, %y3, %y5, %y4 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf16>
}
