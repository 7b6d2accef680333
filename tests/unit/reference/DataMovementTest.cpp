// Reference data-movement kernels: hand-computed cases (slice with negative steps,
// gather with negative indices, pad modes, scatter reductions, resize) and a replay of
// ONNX's backend node tests for every data-movement op.
#include "OnnxNodeCheck.h"
#include "RefTestUtil.h"

#include <doctest/doctest.h>

using namespace kiln::nodecheck;
using kiln::reftest::run;
using kiln::reftest::RunResult;
using kiln::ref::DType;
using kiln::ref::Tensor;

namespace {
std::vector<double> iota(int64_t n, double from = 1) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i)
    v.push_back(from + static_cast<double>(i));
  return v;
}
} // namespace

TEST_CASE("slice clamps bounds and walks negative steps") {
  RunResult r = runFunc(
      "%x: tensor<10xf32>, %y: tensor<3x4xf32>",
      "tensor<3xf32>, tensor<3xf32>, tensor<3x2xf32>",
      "%n = kiln.none\n"
      "%s0 = kiln.constant dense<[8]> : tensor<1xi64>\n"
      "%e0 = kiln.constant dense<[1]> : tensor<1xi64>\n"
      "%t0 = kiln.constant dense<[-3]> : tensor<1xi64>\n"
      "%a = kiln.slice %x, %s0, %e0, %n, %t0 : (tensor<10xf32>, tensor<1xi64>, tensor<1xi64>, none, tensor<1xi64>) -> tensor<3xf32>\n"
      "%s1 = kiln.constant dense<[100]> : tensor<1xi64>\n"
      "%e1 = kiln.constant dense<[-100]> : tensor<1xi64>\n"
      "%t1 = kiln.constant dense<[-4]> : tensor<1xi64>\n"
      "%b = kiln.slice %x, %s1, %e1, %n, %t1 : (tensor<10xf32>, tensor<1xi64>, tensor<1xi64>, none, tensor<1xi64>) -> tensor<3xf32>\n"
      "%s2 = kiln.constant dense<[3, 2]> : tensor<2xi64>\n"
      "%e2 = kiln.constant dense<[0, -10]> : tensor<2xi64>\n"
      "%x2 = kiln.constant dense<[-1, 0]> : tensor<2xi64>\n"
      "%t2 = kiln.constant dense<[-2, -1]> : tensor<2xi64>\n"
      "%c = kiln.slice %y, %s2, %e2, %x2, %t2 : (tensor<3x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<3x2xf32>\n"
      "return %a, %b, %c : tensor<3xf32>, tensor<3xf32>, tensor<3x2xf32>",
      {f32({10}, iota(10)), f32({3, 4}, iota(12))});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{9, 6, 3});
  // start 100 clamps to 9, end -100 to -1 (before the first element).
  CHECK(values(r.outputs[1]) == std::vector<double>{10, 6, 2});
  CHECK(values(r.outputs[2]) == std::vector<double>{12, 10, 8, 6, 4, 2});
}

TEST_CASE("gather counts negative indices from the end and rejects out-of-range ones") {
  RunResult r = runFunc(
      "%x: tensor<3x2xf32>, %y: tensor<2x3xi32>, %i: tensor<3xi64>, %j: tensor<2x1xi32>",
      "tensor<3x2xf32>, tensor<2x2x1xi32>",
      "%a = kiln.gather %x, %i {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>\n"
      "%b = kiln.gather %y, %j {axis = -1 : i64} : (tensor<2x3xi32>, tensor<2x1xi32>) -> tensor<2x2x1xi32>\n"
      "return %a, %b : tensor<3x2xf32>, tensor<2x2x1xi32>",
      {f32({3, 2}, iota(6)), ints({2, 3}, {1, 2, 3, 4, 5, 6}, DType::I32),
       ints({3}, {-1, 0, -3}), ints({2, 1}, {-1, 0}, DType::I32)});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{5, 6, 1, 2, 1, 2});
  CHECK(values(r.outputs[1]) == std::vector<double>{3, 1, 6, 4});

  RunResult bad = runFunc("%x: tensor<3xf32>, %i: tensor<1xi64>", "tensor<1xf32>",
                          "%a = kiln.gather %x, %i : (tensor<3xf32>, tensor<1xi64>) -> tensor<1xf32>\n"
                          "return %a : tensor<1xf32>",
                          {f32({3}, iota(3)), ints({1}, {3})});
  CHECK(!bad.ok);
  CHECK(bad.diagnostics.find("out of range") != std::string::npos);
}

TEST_CASE("run-time operand values that contradict the static result type are errors") {
  RunResult tile = runFunc("%b: tensor<2xf32>, %r: tensor<1xi64>", "tensor<4xf32>",
                           "%u = kiln.tile %b, %r : (tensor<2xf32>, tensor<1xi64>) -> tensor<4xf32>\n"
                           "return %u : tensor<4xf32>",
                           {f32({2}, {1, 2}), ints({1}, {3})});
  CHECK(!tile.ok);
  CHECK(tile.diagnostics.find("but the result type is [4]") != std::string::npos);
  RunResult scatter = runFunc(
      "%x: tensor<4xf32>, %i: tensor<1x1xi64>, %u: tensor<1xf32>", "tensor<4xf32>",
      "%y = kiln.scatter_nd %x, %i, %u : (tensor<4xf32>, tensor<1x1xi64>, tensor<1xf32>) -> tensor<4xf32>\n"
      "return %y : tensor<4xf32>",
      {f32({4}, {1, 2, 3, 4}), ints({1, 1}, {-5}), f32({1}, {7})});
  CHECK(!scatter.ok);
  CHECK(scatter.diagnostics.find("index -5 out of range") != std::string::npos);
}

TEST_CASE("pad: reflect, edge, wrap, and constant with a cropping negative pad") {
  auto pad = [](const std::string &mode, const std::string &pads, const std::string &outType,
                bool withValue) {
    return runFunc("%x: tensor<2x3xf32>", outType,
                   "%n = kiln.none\n%v = kiln.constant dense<9.0> : tensor<f32>\n"
                   "%p = kiln.constant dense<" + pads + "> : tensor<4xi64>\n"
                   "%y = kiln.pad %x, %p, " + std::string(withValue ? "%v" : "%n") +
                       ", %n {mode = \"" + mode + "\"} : (tensor<2x3xf32>, tensor<4xi64>, " +
                       (withValue ? "tensor<f32>" : "none") + ", none) -> " + outType +
                       "\nreturn %y : " + outType,
                   {f32({2, 3}, iota(6))});
  };
  RunResult reflect = pad("reflect", "[0, 2, 0, 1]", "tensor<2x6xf32>", false);
  REQUIRE_MESSAGE(reflect.ok, reflect.diagnostics);
  CHECK(values(reflect.outputs[0]) == std::vector<double>{3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5});
  RunResult edge = pad("edge", "[0, 2, 0, 1]", "tensor<2x6xf32>", false);
  REQUIRE_MESSAGE(edge.ok, edge.diagnostics);
  CHECK(values(edge.outputs[0]) == std::vector<double>{1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6});
  RunResult wrap = pad("wrap", "[0, 2, 0, 1]", "tensor<2x6xf32>", false);
  REQUIRE_MESSAGE(wrap.ok, wrap.diagnostics);
  CHECK(values(wrap.outputs[0]) == std::vector<double>{2, 3, 1, 2, 3, 1, 5, 6, 4, 5, 6, 4});
  RunResult crop = pad("constant", "[1, -1, 0, 0]", "tensor<3x2xf32>", true);
  REQUIRE_MESSAGE(crop.ok, crop.diagnostics);
  CHECK(values(crop.outputs[0]) == std::vector<double>{9, 9, 2, 3, 5, 6});
}

TEST_CASE("scatter reductions combine duplicate indices in order") {
  for (auto [reduction, expected] :
       std::vector<std::pair<std::string, double>>{{"add", 5.2}, {"mul", 4.62}, {"max", 2.1},
                                                   {"min", 1.1}, {"none", 2.1}}) {
    RunResult r = runFunc(
        "%x: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>", "tensor<1x5xf32>",
        "%y = kiln.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = \"" + reduction +
            "\"} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>\n"
            "return %y : tensor<1x5xf32>",
        {f32({1, 5}, iota(5)), ints({1, 2}, {1, -4}), f32({1, 2}, {1.1, 2.1})});
    REQUIRE_MESSAGE(r.ok, r.diagnostics);
    std::vector<double> got = values(r.outputs[0]);
    CHECK(got[0] == 1);
    CHECK(got[1] == doctest::Approx(expected).epsilon(1e-6));
    CHECK(got[2] == 3);
  }
  RunResult nd = runFunc(
      "%x: tensor<8xf32>, %i: tensor<3x1xi64>, %u: tensor<3xf32>", "tensor<8xf32>",
      "%y = kiln.scatter_nd %x, %i, %u {reduction = \"min\"} : (tensor<8xf32>, tensor<3x1xi64>, tensor<3xf32>) -> tensor<8xf32>\n"
      "return %y : tensor<8xf32>",
      {f32({8}, iota(8)), ints({3, 1}, {1, 1, 6}), f32({3}, {5, 1, 0.5})});
  REQUIRE_MESSAGE(nd.ok, nd.diagnostics);
  CHECK(values(nd.outputs[0]) == std::vector<double>{1, 1, 3, 4, 5, 6, 0.5, 8});
}

TEST_CASE("gather_nd with batch_dims and trilu diagonals") {
  RunResult r = runFunc(
      "%x: tensor<2x2x2xi32>, %i: tensor<2x1xi64>, %m: tensor<3x3xf32>", "tensor<2x2xi32>, tensor<3x3xf32>, tensor<3x3xf32>",
      "%k1 = kiln.constant dense<1> : tensor<i64>\n"
      "%km = kiln.constant dense<-1> : tensor<i64>\n"
      "%g = kiln.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x2x2xi32>, tensor<2x1xi64>) -> tensor<2x2xi32>\n"
      "%u = kiln.trilu %m, %k1 {upper = 1 : i64} : (tensor<3x3xf32>, tensor<i64>) -> tensor<3x3xf32>\n"
      "%l = kiln.trilu %m, %km {upper = 0 : i64} : (tensor<3x3xf32>, tensor<i64>) -> tensor<3x3xf32>\n"
      "return %g, %u, %l : tensor<2x2xi32>, tensor<3x3xf32>, tensor<3x3xf32>",
      {ints({2, 2, 2}, {10, 11, 12, 13, 14, 15, 16, 17}, DType::I32), ints({2, 1}, {1, 0}),
       f32({3, 3}, iota(9))});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(values(r.outputs[0]) == std::vector<double>{12, 13, 14, 15});
  CHECK(values(r.outputs[1]) == std::vector<double>{0, 2, 3, 0, 0, 6, 0, 0, 0});
  CHECK(values(r.outputs[2]) == std::vector<double>{0, 0, 0, 4, 0, 0, 7, 8, 0});
}

TEST_CASE("resize: linear half_pixel, nearest asymmetric ceil, cubic align_corners") {
  RunResult r = runFunc(
      "%x: tensor<1x1x2x2xf32>, %z: tensor<1x1x1x4xf32>",
      "tensor<1x1x4x4xf32>, tensor<1x1x2x4xf32>, tensor<1x1x1x3xf32>",
      "%n = kiln.none\n"
      "%s = kiln.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>\n"
      "%a = kiln.resize %x, %n, %s, %n {mode = \"linear\"} : (tensor<1x1x2x2xf32>, none, tensor<4xf32>, none) -> tensor<1x1x4x4xf32>\n"
      "%s2 = kiln.constant dense<[1, 1, 2, 4]> : tensor<4xi64>\n"
      "%b = kiln.resize %x, %n, %n, %s2 {coordinate_transformation_mode = \"asymmetric\", nearest_mode = \"ceil\"} : (tensor<1x1x2x2xf32>, none, none, tensor<4xi64>) -> tensor<1x1x2x4xf32>\n"
      "%s3 = kiln.constant dense<[1, 1, 1, 3]> : tensor<4xi64>\n"
      "%c = kiln.resize %z, %n, %n, %s3 {mode = \"cubic\", coordinate_transformation_mode = \"align_corners\"} : (tensor<1x1x1x4xf32>, none, none, tensor<4xi64>) -> tensor<1x1x1x3xf32>\n"
      "return %a, %b, %c : tensor<1x1x4x4xf32>, tensor<1x1x2x4xf32>, tensor<1x1x1x3xf32>",
      {f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 1, 4}, {1, 2, 4, 8})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  // half_pixel: x_src = (x + 0.5) / 2 - 0.5, edge-clamped neighbours.
  CHECK(values(r.outputs[0]) == std::vector<double>{1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5,
                                                    2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  // asymmetric x / 2 = 0, 0.5, 1, 1.5; ceil picks 0, 1, 1, 2 -> clamped to 1.
  CHECK(values(r.outputs[1]) == std::vector<double>{1, 2, 2, 2, 3, 4, 4, 4});
  // align_corners 4 -> 3: x_src = 0, 1.5, 3. At 1.5 (A = -0.75) the taps 0..3 weigh
  // -0.09375, 0.59375, 0.59375, -0.09375: -0.09375 + 1.1875 + 2.375 - 0.75 = 2.71875.
  std::vector<double> cubic = values(r.outputs[2]);
  CHECK(cubic[0] == doctest::Approx(1.0));
  CHECK(cubic[1] == doctest::Approx(2.71875));
  CHECK(cubic[2] == doctest::Approx(8.0));
}

TEST_CASE("byte-copy kernels keep integer, bool and half element types") {
  Tensor h(DType::F16, {3, 1});
  for (int i = 0; i < 3; ++i)
    h.setDouble(i, 0.5 * (i + 1));
  RunResult r = runFunc(
      "%a: tensor<2x3xi16>, %b: tensor<2xi1>, %c: tensor<3x1xf16>",
      "tensor<3x2xi16>, tensor<4xi1>, tensor<2x3x2xf16>",
      "%r = kiln.constant dense<[2]> : tensor<1xi64>\n"
      "%s = kiln.constant dense<[2, 1, 2]> : tensor<3xi64>\n"
      "%t = kiln.transpose %a : (tensor<2x3xi16>) -> tensor<3x2xi16>\n"
      "%u = kiln.tile %b, %r : (tensor<2xi1>, tensor<1xi64>) -> tensor<4xi1>\n"
      "%e = kiln.expand %c, %s : (tensor<3x1xf16>, tensor<3xi64>) -> tensor<2x3x2xf16>\n"
      "return %t, %u, %e : tensor<3x2xi16>, tensor<4xi1>, tensor<2x3x2xf16>",
      {ints({2, 3}, {1, 2, 3, 4, 5, 6}, DType::I16), ints({2}, {1, 0}, DType::Bool), h});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  CHECK(r.outputs[0].dtype() == DType::I16);
  CHECK(values(r.outputs[0]) == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(values(r.outputs[1]) == std::vector<double>{1, 0, 1, 0});
  CHECK(values(r.outputs[2]) ==
        std::vector<double>{0.5, 0.5, 1, 1, 1.5, 1.5, 0.5, 0.5, 1, 1, 1.5, 1.5});
}

TEST_CASE("ONNX node tests: shape and layout ops") {
  checkNodes({"test_shape", "test_shape_example", "test_shape_clip_end", "test_shape_clip_start",
              "test_shape_end_1", "test_shape_end_negative_1", "test_shape_start_1",
              "test_shape_start_1_end_2", "test_shape_start_1_end_negative_1",
              "test_shape_start_negative_1", "test_size", "test_size_example",
              "test_reshape_allowzero_reordered", "test_reshape_extended_dims",
              "test_reshape_negative_dim", "test_reshape_negative_extended_dims",
              "test_reshape_one_dim", "test_reshape_reduced_dims",
              "test_reshape_reordered_all_dims", "test_reshape_reordered_last_dims",
              "test_reshape_zero_and_negative_dim", "test_reshape_zero_dim",
              "test_flatten_axis0", "test_flatten_axis1", "test_flatten_axis2",
              "test_flatten_axis3", "test_flatten_default_axis", "test_flatten_negative_axis1",
              "test_flatten_negative_axis2", "test_flatten_negative_axis3",
              "test_flatten_negative_axis4", "test_transpose_default",
              "test_transpose_all_permutations_0", "test_transpose_all_permutations_1",
              "test_transpose_all_permutations_2", "test_transpose_all_permutations_3",
              "test_transpose_all_permutations_4", "test_transpose_all_permutations_5",
              "test_concat_1d_axis_0", "test_concat_1d_axis_negative_1", "test_concat_2d_axis_0",
              "test_concat_2d_axis_1", "test_concat_2d_axis_negative_1",
              "test_concat_2d_axis_negative_2", "test_concat_3d_axis_0", "test_concat_3d_axis_1",
              "test_concat_3d_axis_2", "test_concat_3d_axis_negative_1",
              "test_concat_3d_axis_negative_2", "test_concat_3d_axis_negative_3",
              "test_split_equal_parts_1d",
              "test_split_equal_parts_2d", "test_split_equal_parts_default_axis",
              "test_expand_dim_changed",
              "test_expand_dim_unchanged", "test_tile", "test_tile_precomputed",
              "test_depthtospace_crd_mode", "test_depthtospace_crd_mode_example",
              "test_depthtospace_dcr_mode", "test_depthtospace_example", "test_spacetodepth",
              "test_spacetodepth_example"});
}

TEST_CASE("ONNX node tests: squeeze, unsqueeze and split with frozen axes/sizes") {
  // Their second input is a graph input in the test models; kiln needs it constant.
  checkNodes({"test_squeeze", "test_squeeze_negative_axes", "test_unsqueeze_axis_0",
              "test_unsqueeze_axis_1", "test_unsqueeze_negative_axes",
              "test_unsqueeze_three_axes", "test_unsqueeze_two_axes",
              "test_unsqueeze_unsorted_axes", "test_split_variable_parts_1d",
              "test_split_variable_parts_2d", "test_split_variable_parts_default_axis",
              "test_split_zero_size_splits"},
             {1});
}

TEST_CASE("ONNX node tests: slice, gather, scatter, pad") {
  checkNodes({"test_slice", "test_slice_default_axes", "test_slice_default_steps",
              "test_slice_end_out_of_bounds", "test_slice_neg", "test_slice_neg_steps",
              "test_slice_negative_axes", "test_slice_start_out_of_bounds", "test_gather_0",
              "test_gather_1", "test_gather_2d_indices", "test_gather_negative_indices",
              "test_gather_elements_0", "test_gather_elements_1",
              "test_gather_elements_negative_indices", "test_gathernd_example_float32",
              "test_gathernd_example_int32", "test_gathernd_example_int32_batch_dim1",
              "test_scatternd", "test_scatternd_add", "test_scatternd_multiply",
              "test_scatter_elements_with_axis", "test_scatter_elements_with_duplicate_indices",
              "test_scatter_elements_with_negative_indices",
              "test_scatter_elements_without_axis", "test_scatter_with_axis",
              "test_scatter_without_axis", "test_constant_pad", "test_edge_pad",
              "test_reflect_pad"});
}

TEST_CASE("ONNX node tests: generators, trilu, one_hot, reverse_sequence") {
  checkNodes({"test_constantofshape_float_ones", "test_constantofshape_int_zeros",
              "test_constantofshape_int_shape_zero",
              "test_range_float_type_positive_delta", "test_range_int32_type_negative_delta",
              "test_eyelike_populate_off_main_diagonal", "test_eyelike_with_dtype",
              "test_eyelike_without_dtype", "test_onehot_negative_indices",
              "test_onehot_with_axis", "test_onehot_with_negative_axis",
              "test_onehot_without_axis", "test_reversesequence_batch",
              "test_reversesequence_time", "test_tril", "test_tril_neg", "test_tril_one_row_neg",
              "test_tril_out_neg", "test_tril_out_pos", "test_tril_pos", "test_tril_square",
              "test_tril_square_neg", "test_tril_zero", "test_triu", "test_triu_neg",
              "test_triu_one_row", "test_triu_out_neg_out", "test_triu_out_pos", "test_triu_pos",
              "test_triu_square", "test_triu_square_neg", "test_triu_zero"});
}

TEST_CASE("resize half_pixel_symmetric centres a fractional output canvas") {
  RunResult r = runFunc(
      "%x: tensor<1x1x1x2xf32>", "tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>",
      "%n = kiln.none\n"
      "%s = kiln.constant dense<[1.0, 1.0, 1.0, 1.7]> : tensor<4xf32>\n"
      "%a = kiln.resize %x, %n, %s, %n {mode = \"linear\", coordinate_transformation_mode = \"half_pixel_symmetric\"}"
      " : (tensor<1x1x1x2xf32>, none, tensor<4xf32>, none) -> tensor<1x1x1x3xf32>\n"
      "%b = kiln.resize %x, %n, %s, %n {mode = \"linear\"}"
      " : (tensor<1x1x1x2xf32>, none, tensor<4xf32>, none) -> tensor<1x1x1x3xf32>\n"
      "return %a, %b : tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>",
      {f32({1, 1, 1, 2}, {10, 20})});
  REQUIRE_MESSAGE(r.ok, r.diagnostics);
  // 2 * 1.7 = 3.4 -> 3 outputs; the offset 1 - 3 / 3.4 shifts sources to -0.088, 0.5,
  // 1.088, so the middle output is the exact midpoint. half_pixel samples 0.382 there.
  std::vector<double> sym = values(r.outputs[0]), plain = values(r.outputs[1]);
  CHECK(sym[0] == doctest::Approx(10));
  CHECK(sym[1] == doctest::Approx(15));
  CHECK(sym[2] == doctest::Approx(20));
  CHECK(plain[1] == doctest::Approx(10 + 10 * (1.5 / 1.7 - 0.5)).epsilon(1e-6));
}

TEST_CASE("ONNX node tests: resize") {
  checkNodes({"test_resize_downsample_scales_cubic",
              "test_resize_downsample_scales_cubic_A_n0p5_exclude_outside",
              "test_resize_downsample_scales_cubic_align_corners",
              "test_resize_downsample_scales_linear",
              "test_resize_downsample_scales_linear_align_corners",
              "test_resize_downsample_scales_nearest", "test_resize_downsample_sizes_cubic",
              "test_resize_downsample_sizes_linear_pytorch_half_pixel",
              "test_resize_downsample_sizes_nearest",
              "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
              "test_resize_tf_crop_and_resize", "test_resize_upsample_scales_cubic",
              "test_resize_upsample_scales_cubic_A_n0p5_exclude_outside",
              "test_resize_upsample_scales_cubic_align_corners",
              "test_resize_upsample_scales_cubic_asymmetric",
              "test_resize_upsample_scales_linear",
              "test_resize_upsample_scales_linear_align_corners",
              "test_resize_upsample_scales_nearest", "test_resize_upsample_sizes_cubic",
              "test_resize_upsample_sizes_nearest",
              "test_resize_upsample_sizes_nearest_ceil_half_pixel",
              "test_resize_upsample_sizes_nearest_floor_align_corners",
              "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric"});
}
