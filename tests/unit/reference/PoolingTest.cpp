// Reference pooling kernels: hand-computed MaxPool with ceil_mode and argmax Indices in
// both storage orders, AveragePool with count_include_pad both ways (including a
// ceil_mode window past the padding), and a replay of ONNX's backend node tests.
#include "OnnxNodeCheck.h"
#include "RefTestUtil.h"

#include <doctest/doctest.h>

using namespace kiln::nodecheck;
using kiln::reftest::run;
using kiln::reftest::RunResult;
using kiln::ref::DType;
using kiln::ref::Tensor;

TEST_CASE("max_pool ceil_mode windows and argmax indices") {
  std::vector<double> x = {1, 9, 2, 4, 3, 8, 7, 5, 6, -1, -2, -3, -4, -5, -6, -7, -8, -9};
  for (int order : {0, 1}) {
    RunResult r = runFunc(
        "%x: tensor<1x2x3x3xf32>", "tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>",
        "%y, %i = kiln.max_pool %x {ceil_mode = 1 : i64, kernel_shape = array<i64: 2, 2>, "
        "strides = array<i64: 2, 2>, storage_order = " + std::to_string(order) + " : i64}"
        " : (tensor<1x2x3x3xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)\n"
        "return %y, %i : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>",
        {f32({1, 2, 3, 3}, x)});
    REQUIRE_MESSAGE(r.ok, r.diagnostics);
    CHECK(values(r.outputs[0]) == std::vector<double>{9, 8, 7, 6, -1, -3, -7, -9});
    // Row-major h * 3 + w, or column-major h + w * 3, plus 9 per channel.
    std::vector<double> rowMajor = {1, 5, 6, 8, 9, 11, 15, 17};
    std::vector<double> colMajor = {3, 7, 2, 8, 9, 15, 11, 17};
    CHECK(values(r.outputs[1]) == (order == 0 ? rowMajor : colMajor));
  }
}

TEST_CASE("average_pool counts padding only when count_include_pad is 1") {
  std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  for (int include : {0, 1}) {
    RunResult r = runFunc(
        "%x: tensor<1x1x3x3xf32>, %z: tensor<1x1x5xf32>", "tensor<1x1x2x2xf32>, tensor<1x1x3xf32>",
        "%y = kiln.average_pool %x {count_include_pad = " + std::to_string(include) +
            " : i64, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, "
            "strides = array<i64: 2, 2>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>\n"
            "%c = kiln.average_pool %z {ceil_mode = 1 : i64, count_include_pad = " +
            std::to_string(include) +
            " : i64, kernel_shape = array<i64: 3>, pads = array<i64: 1, 0>, strides = array<i64: 2>}"
            " : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>\n"
            "return %y, %c : tensor<1x1x2x2xf32>, tensor<1x1x3xf32>",
        {f32({1, 1, 3, 3}, x), f32({1, 1, 5}, {1, 2, 3, 4, 5})});
    REQUIRE_MESSAGE(r.ok, r.diagnostics);
    if (include) {
      CHECK(values(r.outputs[0]) == std::vector<double>{0.25, 1.25, 2.75, 7});
      // The last window covers 4, 5 and one position past the input and its padding,
      // which the divisor leaves out: (4 + 5) / 2.
      CHECK(values(r.outputs[1]) == std::vector<double>{1, 3, 4.5});
    } else {
      CHECK(values(r.outputs[0]) == std::vector<double>{1, 2.5, 5.5, 7});
      CHECK(values(r.outputs[1]) == std::vector<double>{1.5, 3, 4.5});
    }
  }
}

TEST_CASE("ONNX node tests: max, average and global pools") {
  checkNodes({"test_maxpool_1d_default", "test_maxpool_2d_ceil", "test_maxpool_2d_default",
              "test_maxpool_2d_dilations", "test_maxpool_2d_pads",
              "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_same_upper",
              "test_maxpool_2d_precomputed_strides", "test_maxpool_2d_same_lower",
              "test_maxpool_2d_same_upper", "test_maxpool_2d_strides", "test_maxpool_2d_uint8",
              "test_maxpool_3d_default", "test_maxpool_with_argmax_2d_precomputed_pads",
              "test_maxpool_with_argmax_2d_precomputed_strides", "test_averagepool_1d_default",
              "test_averagepool_2d_ceil", "test_averagepool_2d_default",
              "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad",
              "test_averagepool_2d_precomputed_pads",
              "test_averagepool_2d_precomputed_pads_count_include_pad",
              "test_averagepool_2d_precomputed_same_upper",
              "test_averagepool_2d_precomputed_strides", "test_averagepool_2d_same_lower",
              "test_averagepool_2d_same_upper", "test_averagepool_2d_strides",
              "test_averagepool_3d_default", "test_globalaveragepool",
              "test_globalaveragepool_precomputed", "test_globalmaxpool",
              "test_globalmaxpool_precomputed"});
}
