// Reference contraction kernels: hand-computed MatMul (1-D promotion, batch
// broadcasting, integers), Gemm, grouped/dilated/padded Conv, SAME padding, grouped
// ConvTranspose with output_padding, and a replay of ONNX's backend node tests.
#include "OnnxNodeCheck.h"
#include "RefTestUtil.h"

#include <doctest/doctest.h>

using namespace kiln::nodecheck;
using kiln::reftest::run;
using kiln::reftest::RunResult;
using kiln::ref::DType;
using kiln::ref::Tensor;

TEST_CASE("matmul promotes 1-D operands and broadcasts batches") {
  RunResult r = runFunc(
      "%v: tensor<3xf32>, %b: tensor<2x3x2xf32>, %a: tensor<2x1x1x2xf32>, %c: tensor<3x2x1xf32>,"
      " %i: tensor<2x2xi32>, %j: tensor<2x2xi32>, %u: tensor<2xf32>",
      "tensor<2x2xf32>, tensor<2x3x1x1xf32>, tensor<2x2xi32>, tensor<2x3xf32>",
      "%x = kiln.matmul %v, %b : (tensor<3xf32>, tensor<2x3x2xf32>) -> tensor<2x2xf32>\n"
      "%y = kiln.matmul %a, %c : (tensor<2x1x1x2xf32>, tensor<3x2x1xf32>) -> tensor<2x3x1x1xf32>\n"
      "%z = kiln.matmul %i, %j : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi32>\n"
      "%w = kiln.matmul %b, %u : (tensor<2x3x2xf32>, tensor<2xf32>) -> tensor<2x3xf32>\n"
      "return %x, %y, %z, %w : tensor<2x2xf32>, tensor<2x3x1x1xf32>, tensor<2x2xi32>, tensor<2x3xf32>",
      {f32({3}, {1, 2, 3}), f32({2, 3, 2}, {1, 2, 3, 4, 5, 6, -1, 0, 0, 1, 1, 0}),
       f32({2, 1, 1, 2}, {1, 1, 2, 1}), f32({3, 2, 1}, {0, 2, 1, 2, 2, 2}),
       ints({2, 2}, {1, 2, 3, 4}, DType::I32), ints({2, 2}, {5, 6, 7, 8}, DType::I32), f32({2}, {1, -1})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{22, 28, 2, 2});
  // out[i][j] = (i + 1) * j + 2.
  CHECK(values(r.outputs[1]) == std::vector<double>{2, 3, 4, 2, 4, 6});
  CHECK(values(r.outputs[2]) == std::vector<double>{19, 22, 43, 50});
  CHECK(values(r.outputs[3]) == std::vector<double>{-1, -1, -1, -1, -1, 1});
}

TEST_CASE("gemm transposes, scales and broadcasts a column C") {
  RunResult r = runFunc(
      "%a: tensor<2x2xf32>, %b: tensor<2x2xf32>, %c: tensor<2x1xf32>", "tensor<2x2xf32>",
      "%y = kiln.gemm %a, %b, %c {alpha = 2.0 : f32, beta = 0.5 : f32, transA = 1 : i64, transB = 1 : i64}"
      " : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>\n"
      "return %y : tensor<2x2xf32>",
      {f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {1, 0, 1, 1}), f32({2, 1}, {1, -1})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{2.5, 8.5, 3.5, 11.5});
}

TEST_CASE("conv with two groups, dilation 2 and padding 1") {
  std::vector<double> x;
  for (int i = 0; i < 18; ++i)
    x.push_back(i + 1); // channel 0 holds 1..9, channel 1 holds 10..18
  RunResult r = runFunc(
      "%x: tensor<1x2x3x3xf32>, %w: tensor<2x1x2x2xf32>, %b: tensor<2xf32>", "tensor<1x2x3x3xf32>",
      "%y = kiln.conv %x, %w, %b {group = 2 : i64, dilations = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}"
      " : (tensor<1x2x3x3xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>\n"
      "return %y : tensor<1x2x3x3xf32>",
      {f32({1, 2, 3, 3}, x), f32({2, 1, 2, 2}, {1, 0, 0, -1, 0.5, 0, 0, 1}), f32({2}, {0.5, -1})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{-4.5, -5.5, 0.5, -7.5, -7.5, 2.5, 0.5, 4.5,
                                                    5.5, 13, 14, -1, 16, 22, 4.5, -1, 5.5, 6});
}

TEST_CASE("conv SAME_UPPER pads at the end, SAME_LOWER at the beginning") {
  RunResult r = runFunc(
      "%x: tensor<1x1x4xf32>, %w: tensor<1x1x2xf32>", "tensor<1x1x4xf32>, tensor<1x1x4xf32>",
      "%n = kiln.none\n"
      "%u = kiln.conv %x, %w, %n {auto_pad = \"SAME_UPPER\"} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>, none) -> tensor<1x1x4xf32>\n"
      "%l = kiln.conv %x, %w, %n {auto_pad = \"SAME_LOWER\"} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>, none) -> tensor<1x1x4xf32>\n"
      "return %u, %l : tensor<1x1x4xf32>, tensor<1x1x4xf32>",
      {f32({1, 1, 4}, {1, 2, 3, 4}), f32({1, 1, 2}, {1, 10})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{21, 32, 43, 4});
  CHECK(values(r.outputs[1]) == std::vector<double>{10, 21, 32, 43});
}

TEST_CASE("conv_transpose: output_padding, pads and groups") {
  RunResult r = runFunc(
      "%x: tensor<1x1x2xf32>, %w: tensor<1x1x3xf32>, %g: tensor<1x2x2xf32>, %v: tensor<2x1x2xf32>, %b: tensor<2xf32>",
      "tensor<1x1x6xf32>, tensor<1x1x4xf32>, tensor<1x2x3xf32>",
      "%n = kiln.none\n"
      "%a = kiln.conv_transpose %x, %w, %n {strides = array<i64: 2>, output_padding = array<i64: 1>}"
      " : (tensor<1x1x2xf32>, tensor<1x1x3xf32>, none) -> tensor<1x1x6xf32>\n"
      "%p = kiln.conv_transpose %x, %w, %n {strides = array<i64: 2>, output_padding = array<i64: 1>, pads = array<i64: 1, 1>}"
      " : (tensor<1x1x2xf32>, tensor<1x1x3xf32>, none) -> tensor<1x1x4xf32>\n"
      "%c = kiln.conv_transpose %g, %v, %b {group = 2 : i64}"
      " : (tensor<1x2x2xf32>, tensor<2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x3xf32>\n"
      "return %a, %p, %c : tensor<1x1x6xf32>, tensor<1x1x4xf32>, tensor<1x2x3xf32>",
      {f32({1, 1, 2}, {1, 2}), f32({1, 1, 3}, {1, 10, 100}), f32({1, 2, 2}, {1, 2, 3, 4}),
       f32({2, 1, 2}, {1, -1, 2, 0.5}), f32({2}, {0.25, -0.25})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{1, 10, 102, 20, 200, 0});
  CHECK(values(r.outputs[1]) == std::vector<double>{10, 102, 20, 200});
  CHECK(values(r.outputs[2]) == std::vector<double>{1.25, 1.25, -1.75, 5.75, 9.25, 1.75});
}

TEST_CASE("conv_transpose SAME pads: the odd unit goes at the end for UPPER, the start for LOWER") {
  // Unpadded output of stride 2 is [1, 10, 102, 20, 200]; SAME wants 2 * 2 = 4 values,
  // so one unit of padding is cut from one side.
  RunResult r = runFunc(
      "%x: tensor<1x1x2xf32>, %w: tensor<1x1x3xf32>", "tensor<1x1x4xf32>, tensor<1x1x4xf32>",
      "%n = kiln.none\n"
      "%u = kiln.conv_transpose %x, %w, %n {auto_pad = \"SAME_UPPER\", strides = array<i64: 2>}"
      " : (tensor<1x1x2xf32>, tensor<1x1x3xf32>, none) -> tensor<1x1x4xf32>\n"
      "%l = kiln.conv_transpose %x, %w, %n {auto_pad = \"SAME_LOWER\", strides = array<i64: 2>}"
      " : (tensor<1x1x2xf32>, tensor<1x1x3xf32>, none) -> tensor<1x1x4xf32>\n"
      "return %u, %l : tensor<1x1x4xf32>, tensor<1x1x4xf32>",
      {f32({1, 1, 2}, {1, 2}), f32({1, 1, 3}, {1, 10, 100})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{1, 10, 102, 20});
  CHECK(values(r.outputs[1]) == std::vector<double>{10, 102, 20, 200});
}

TEST_CASE("ONNX node tests: matmul, gemm, conv, conv_transpose") {
  checkNodes({"test_matmul_2d", "test_matmul_3d", "test_matmul_4d", "test_gemm_all_attributes",
              "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_matrix_bias",
              "test_gemm_default_no_bias", "test_gemm_default_scalar_bias",
              "test_gemm_default_single_elem_vector_bias", "test_gemm_default_vector_bias",
              "test_gemm_default_zero_bias", "test_gemm_transposeA", "test_gemm_transposeB",
              "test_basic_conv_with_padding", "test_basic_conv_without_padding",
              "test_conv_with_autopad_same", "test_conv_with_strides_and_asymmetric_padding",
              "test_conv_with_strides_no_padding", "test_conv_with_strides_padding",
              "test_convtranspose", "test_convtranspose_1d", "test_convtranspose_3d",
              "test_convtranspose_autopad_same", "test_convtranspose_dilations",
              "test_convtranspose_kernel_shape", "test_convtranspose_output_shape",
              "test_convtranspose_pad", "test_convtranspose_pads",
              "test_convtranspose_with_kernel"});
}
