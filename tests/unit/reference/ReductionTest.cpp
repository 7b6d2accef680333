// Tests of the reduction, arg-reduction, softmax-like, cum_sum and top_k reference kernels.
#include "NodeReplay.h"
#include "RefTestUtil.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace kiln::reftest;

namespace {
std::string reduce(const std::string &op, const std::string &in, const std::string &out,
                   const std::string &attrs) {
  return "func.func @main(%x: " + in + ") -> " + out + " {\n  %y = kiln." + op + " %x " + attrs +
         " : (" + in + ") -> " + out + "\n  return %y : " + out + "\n}";
}
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
} // namespace

TEST_CASE("reduce_sum: axes, negative axes, keepdims, all axes and noop") {
  auto x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  checkClose(runOne(reduce("reduce_sum", "tensor<2x3xf32>", "tensor<2x1xf32>", "{axes = array<i64: 1>}"), {x}),
             DType::F32, {2, 1}, {6, 15});
  checkClose(runOne(reduce("reduce_sum", "tensor<2x3xf32>", "tensor<3xf32>",
                           "{axes = array<i64: -2>, keepdims = 0 : i64}"), {x}),
             DType::F32, {3}, {5, 7, 9});
  checkClose(runOne(reduce("reduce_sum", "tensor<2x3xf32>", "tensor<1x1xf32>", ""), {x}),
             DType::F32, {1, 1}, {21});
  checkClose(runOne(reduce("reduce_sum", "tensor<2x3xf32>", "tensor<f32>", "{keepdims = 0 : i64}"), {x}),
             DType::F32, {}, {21});
  checkClose(runOne(reduce("reduce_sum", "tensor<2x3xf32>", "tensor<2x3xf32>",
                           "{noop_with_empty_axes = 1 : i64}"), {x}),
             DType::F32, {2, 3}, {1, 2, 3, 4, 5, 6});
  checkClose(runOne(reduce("reduce_sum", "tensor<2x2x2xf32>", "tensor<2xf32>",
                           "{axes = array<i64: 0, -1>, keepdims = 0 : i64}"),
                    {f32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})}),
             DType::F32, {2}, {14, 22});
  RunResult bad = run(reduce("reduce_sum", "tensor<2x3xf32>", "tensor<2x3xf32>", "{axes = array<i64: 2>}"), {x});
  CHECK_FALSE(bad.ok);
}

TEST_CASE("reduce_mean, max, min and prod") {
  auto x = f32({2, 3}, {1, -2, 3, -4, 5, -6});
  checkClose(runOne(reduce("reduce_mean", "tensor<2x3xf32>", "tensor<2x1xf32>", "{axes = array<i64: 1>}"), {x}),
             DType::F32, {2, 1}, {2.0 / 3.0, -5.0 / 3.0});
  checkClose(runOne(reduce("reduce_max", "tensor<2x3xf32>", "tensor<2xf32>",
                           "{axes = array<i64: -1>, keepdims = 0 : i64}"), {x}),
             DType::F32, {2}, {3, 5});
  checkClose(runOne(reduce("reduce_min", "tensor<2x3xf32>", "tensor<2xf32>",
                           "{axes = array<i64: -1>, keepdims = 0 : i64}"), {x}),
             DType::F32, {2}, {-2, -6});
  checkClose(runOne(reduce("reduce_prod", "tensor<2x3xf32>", "tensor<1x3xf32>", "{axes = array<i64: 0>}"), {x}),
             DType::F32, {1, 3}, {-4, -10, -18});
  checkClose(runOne(reduce("reduce_max", "tensor<3xf32>", "tensor<1xf32>", ""), {f32({3}, {1, kNaN, 3})}),
             DType::F32, {1}, {kNaN});
  checkInts(runOne(reduce("reduce_max", "tensor<3xui8>", "tensor<1xui8>", ""),
                   {makeInt(DType::U8, {3}, {7, 250, 9})}),
            DType::U8, {1}, {250});
  checkInts(runOne(reduce("reduce_min", "tensor<3xi64>", "tensor<1xi64>", ""),
                   {makeInt(DType::I64, {3}, {7, std::numeric_limits<int64_t>::min(), 9})}),
            DType::I64, {1}, {std::numeric_limits<int64_t>::min()});
}

TEST_CASE("integer reductions wrap and truncate") {
  checkInts(runOne(reduce("reduce_sum", "tensor<2xi32>", "tensor<1xi32>", ""),
                   {makeInt(DType::I32, {2}, {2147483647, 1})}),
            DType::I32, {1}, {-2147483647 - 1});
  checkInts(runOne(reduce("reduce_mean", "tensor<2x2xi32>", "tensor<2x1xi32>", "{axes = array<i64: 1>}"),
                   {makeInt(DType::I32, {2, 2}, {1, 2, -1, -2})}),
            DType::I32, {2, 1}, {1, -1});
  checkInts(runOne(reduce("reduce_prod", "tensor<3xi64>", "tensor<1xi64>", ""),
                   {makeInt(DType::I64, {3}, {4294967296LL, 4294967296LL, 3})}),
            DType::I64, {1}, {0});
  checkInts(runOne(reduce("reduce_prod", "tensor<2xi8>", "tensor<1xi8>", ""),
                   {makeInt(DType::I8, {2}, {-16, 9})}),
            DType::I8, {1}, {112});
  checkInts(runOne(reduce("reduce_l1", "tensor<3xi32>", "tensor<1xi32>", ""),
                   {makeInt(DType::I32, {3}, {-3, 4, -5})}),
            DType::I32, {1}, {12});
  checkInts(runOne(reduce("reduce_l2", "tensor<2xi32>", "tensor<1xi32>", ""),
                   {makeInt(DType::I32, {2}, {3, -4})}),
            DType::I32, {1}, {5});
}

TEST_CASE("norms and log reductions") {
  auto x = f32({2, 2}, {3, -4, -6, 8});
  const char *attrs = "{axes = array<i64: 1>, keepdims = 0 : i64}";
  checkClose(runOne(reduce("reduce_l1", "tensor<2x2xf32>", "tensor<2xf32>", attrs), {x}), DType::F32, {2}, {7, 14});
  checkClose(runOne(reduce("reduce_l2", "tensor<2x2xf32>", "tensor<2xf32>", attrs), {x}), DType::F32, {2}, {5, 10});
  checkClose(runOne(reduce("reduce_sum_square", "tensor<2x2xf32>", "tensor<2xf32>", attrs), {x}),
             DType::F32, {2}, {25, 100});
  checkClose(runOne(reduce("reduce_log_sum", "tensor<2x2xf32>", "tensor<2xf32>", attrs),
                    {f32({2, 2}, {1, 2, 3, 4})}),
             DType::F32, {2}, {std::log(3.0), std::log(7.0)});
  checkClose(runOne(reduce("reduce_log_sum_exp", "tensor<2x2xf32>", "tensor<2xf32>", attrs),
                    {f32({2, 2}, {1000, 1000, -1, 2})}),
             DType::F32, {2}, {1000 + std::log(2.0), 2 + std::log1p(std::exp(-3.0))});
  // noop with empty axes returns the input unchanged (ONNX's attribute text), for every op.
  checkClose(runOne(reduce("reduce_sum_square", "tensor<2x2xf32>", "tensor<2x2xf32>",
                           "{noop_with_empty_axes = 1 : i64}"), {x}),
             DType::F32, {2, 2}, {3, -4, -6, 8});
  checkClose(runOne(reduce("reduce_l2", "tensor<2x2xf32>", "tensor<2x2xf32>",
                           "{axes = array<i64>, noop_with_empty_axes = 1 : i64}"), {x}),
             DType::F32, {2, 2}, {3, -4, -6, 8});
  // A scalar with no axes is still reduced (over its no dimensions).
  checkClose(runOne(reduce("reduce_sum_square", "tensor<f32>", "tensor<f32>", ""), {f32({}, {-3})}),
             DType::F32, {}, {9});
}

TEST_CASE("reductions over an empty axis give the identities") {
  Tensor e(DType::F32, {2, 0});
  const char *attrs = "{axes = array<i64: 1>, keepdims = 0 : i64}";
  checkClose(runOne(reduce("reduce_sum", "tensor<2x0xf32>", "tensor<2xf32>", attrs), {e}), DType::F32, {2}, {0, 0});
  checkClose(runOne(reduce("reduce_prod", "tensor<2x0xf32>", "tensor<2xf32>", attrs), {e}), DType::F32, {2}, {1, 1});
  checkClose(runOne(reduce("reduce_max", "tensor<2x0xf32>", "tensor<2xf32>", attrs), {e}),
             DType::F32, {2}, {-kInf, -kInf});
  checkClose(runOne(reduce("reduce_min", "tensor<2x0xf32>", "tensor<2xf32>", attrs), {e}),
             DType::F32, {2}, {kInf, kInf});
  checkClose(runOne(reduce("reduce_log_sum_exp", "tensor<2x0xf32>", "tensor<2xf32>", attrs), {e}),
             DType::F32, {2}, {-kInf, -kInf});
  checkInts(runOne(reduce("reduce_max", "tensor<2x0xi32>", "tensor<2xi32>", attrs), {Tensor(DType::I32, {2, 0})}),
            DType::I32, {2}, {-2147483647 - 1, -2147483647 - 1});
}

TEST_CASE("arg_max and arg_min with ties and select_last_index") {
  auto x = f32({2, 3}, {2, 7, 7, 9, 1, 9});
  checkInts(runOne(reduce("arg_max", "tensor<2x3xf32>", "tensor<2x1xi64>", "{axis = 1 : i64}"), {x}),
            DType::I64, {2, 1}, {1, 0});
  checkInts(runOne(reduce("arg_max", "tensor<2x3xf32>", "tensor<2x1xi64>",
                          "{axis = -1 : i64, select_last_index = 1 : i64}"), {x}),
            DType::I64, {2, 1}, {2, 2});
  checkInts(runOne(reduce("arg_min", "tensor<2x3xf32>", "tensor<3xi64>", "{axis = 0 : i64, keepdims = 0 : i64}"), {x}),
            DType::I64, {3}, {0, 1, 0});
  checkInts(runOne(reduce("arg_min", "tensor<4xi32>", "tensor<1xi64>", "{select_last_index = 1 : i64}"),
                   {makeInt(DType::I32, {4}, {5, -3, 8, -3})}),
            DType::I64, {1}, {3});
}

TEST_CASE("softmax, log_softmax and hardmax are stable on large values") {
  auto x = f32({2, 3}, {1000, 1001, 1002, -5, -5, -5});
  double e0 = std::exp(-2.0), e1 = std::exp(-1.0), s = e0 + e1 + 1;
  checkClose(runOne(reduce("softmax", "tensor<2x3xf32>", "tensor<2x3xf32>", ""), {x}), DType::F32, {2, 3},
             {e0 / s, e1 / s, 1 / s, 1.0 / 3, 1.0 / 3, 1.0 / 3});
  checkClose(runOne(reduce("log_softmax", "tensor<2x3xf32>", "tensor<2x3xf32>", ""), {x}), DType::F32, {2, 3},
             {-2 - std::log(s), -1 - std::log(s), -std::log(s), -std::log(3.0), -std::log(3.0), -std::log(3.0)});
  // axis 0 pairs (1000, -5): exp(-1005) underflows to 0.
  checkClose(runOne(reduce("softmax", "tensor<2x3xf32>", "tensor<2x3xf32>", "{axis = 0 : i64}"), {x}),
             DType::F32, {2, 3}, {1, 1, 1, 0, 0, 0});
  checkClose(runOne(reduce("hardmax", "tensor<2x3xf32>", "tensor<2x3xf32>", ""),
                    {f32({2, 3}, {1, 3, 3, 2, 1, -7})}),
             DType::F32, {2, 3}, {0, 1, 0, 1, 0, 0});
  checkClose(runOne(reduce("softmax", "tensor<2xf16>", "tensor<2xf16>", ""),
                    {make(DType::F16, {2}, {60000, 60000})}),
             DType::F16, {2}, {0.5, 0.5}, 0);
}

TEST_CASE("cum_sum: exclusive, reverse and axis from a tensor") {
  std::string ir = R"(
    func.func @main(%x: tensor<2x4xf32>, %a: tensor<i32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
      %p = kiln.cum_sum %x, %a : (tensor<2x4xf32>, tensor<i32>) -> tensor<2x4xf32>
      %e = kiln.cum_sum %x, %a {exclusive = 1 : i64} : (tensor<2x4xf32>, tensor<i32>) -> tensor<2x4xf32>
      %r = kiln.cum_sum %x, %a {reverse = 1 : i64} : (tensor<2x4xf32>, tensor<i32>) -> tensor<2x4xf32>
      %b = kiln.cum_sum %x, %a {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<2x4xf32>, tensor<i32>) -> tensor<2x4xf32>
      return %p, %e, %r, %b : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
    })";
  auto x = f32({2, 4}, {1, 2, 3, 4, 10, 20, 30, 40});
  RunResult r = run(ir, {x, makeInt(DType::I32, {}, {-1})});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  checkClose(r.outputs[0], DType::F32, {2, 4}, {1, 3, 6, 10, 10, 30, 60, 100});
  checkClose(r.outputs[1], DType::F32, {2, 4}, {0, 1, 3, 6, 0, 10, 30, 60});
  checkClose(r.outputs[2], DType::F32, {2, 4}, {10, 9, 7, 4, 100, 90, 70, 40});
  checkClose(r.outputs[3], DType::F32, {2, 4}, {9, 7, 4, 0, 90, 70, 40, 0});
  RunResult a0 = run(ir, {x, makeInt(DType::I32, {}, {0})});
  REQUIRE(a0.ok);
  checkClose(a0.outputs[0], DType::F32, {2, 4}, {1, 2, 3, 4, 11, 22, 33, 44});
  checkFails(run(ir, {x, makeInt(DType::I32, {}, {2})}), "out of range");
}

TEST_CASE("top_k: largest and smallest, ties keep the lower index first") {
  std::string ir = R"(
    func.func @main(%x: tensor<2x5xf32>, %k: tensor<1xi64>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
      %v, %i = kiln.top_k %x, %k {axis = -1 : i64, largest = LARGEST : i64} : (tensor<2x5xf32>, tensor<1xi64>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
      return %v, %i : tensor<2x3xf32>, tensor<2x3xi64>
    })";
  auto x = f32({2, 5}, {3, 1, 4, 1, 5, 9, 2, 6, 9, 3});
  auto k = makeInt(DType::I64, {1}, {3});
  std::string largest = ir, smallest = ir;
  largest.replace(largest.find("LARGEST"), 7, "1");
  smallest.replace(smallest.find("LARGEST"), 7, "0");
  RunResult r = run(largest, {x, k});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  checkClose(r.outputs[0], DType::F32, {2, 3}, {5, 4, 3, 9, 9, 6});
  checkInts(r.outputs[1], DType::I64, {2, 3}, {4, 2, 0, 0, 3, 2});
  RunResult s = run(smallest, {x, k});
  REQUIRE(s.ok);
  checkClose(s.outputs[0], DType::F32, {2, 3}, {1, 1, 3, 2, 3, 6});
  checkInts(s.outputs[1], DType::I64, {2, 3}, {1, 3, 0, 1, 4, 2});
  checkFails(run(largest, {x, makeInt(DType::I64, {1}, {2})}), "K = 2");
}

TEST_CASE("top_k on unsigned integers and with NaN, which sorts last") {
  Tensor v = runOne(R"(
    func.func @main(%x: tensor<4xui8>, %k: tensor<1xi64>) -> tensor<2xui8> {
      %v, %i = kiln.top_k %x, %k : (tensor<4xui8>, tensor<1xi64>) -> (tensor<2xui8>, tensor<2xi64>)
      return %v : tensor<2xui8>
    })",
                    {makeInt(DType::U8, {4}, {7, 250, 130, 9}), makeInt(DType::I64, {1}, {2})});
  checkInts(v, DType::U8, {2}, {250, 130});
  RunResult r = run(R"(
    func.func @main(%x: tensor<4xf32>, %k: tensor<1xi64>) -> (tensor<3xf32>, tensor<3xi64>) {
      %v, %i = kiln.top_k %x, %k {largest = 0 : i64} : (tensor<4xf32>, tensor<1xi64>) -> (tensor<3xf32>, tensor<3xi64>)
      return %v, %i : tensor<3xf32>, tensor<3xi64>
    })",
                    {f32({4}, {std::nan(""), 2, -1, 5}), makeInt(DType::I64, {1}, {3})});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  checkClose(r.outputs[0], DType::F32, {3}, {-1, 2, 5});
  checkInts(r.outputs[1], DType::I64, {3}, {2, 1, 3});
}

TEST_CASE("ONNX backend node tests: reductions, softmax-like, cum_sum and top_k") {
  replayOnnxNodes({"reduce", "argmax", "argmin", "softmax", "logsoftmax", "hardmax", "cumsum",
                   "top_k"},
                  {"_expanded"}, 142);
}
