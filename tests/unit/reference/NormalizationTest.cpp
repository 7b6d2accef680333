// Tests of the normalization, dropout and loss reference kernels against hand computations.
#include "NodeReplay.h"
#include "RefTestUtil.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace kiln::reftest;

TEST_CASE("layer_normalization over the last axis with Mean and InvStdDev") {
  RunResult r = run(R"(
    func.func @main(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
      %y, %m, %s = kiln.layer_normalization %x, %g, %b {axis = -1 : i64, epsilon = 1.0E-5 : f32}
          : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
      return %y, %m, %s : tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>
    })",
                    {f32({2, 4}, {1, 2, 3, 4, 2, 4, 6, 9}), f32({4}, {1, 2, 0.5, -1}),
                     f32({4}, {0.1, 0.2, 0.3, 0.4})});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  double eps = static_cast<double>(1.0e-5f);
  // Row 0: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
  double i0 = 1 / std::sqrt(1.25 + eps);
  // Row 1: mean 5.25, variance (10.5625 + 1.5625 + 0.5625 + 14.0625) / 4 = 6.6875.
  double i1 = 1 / std::sqrt(6.6875 + eps);
  checkClose(r.outputs[0], DType::F32, {2, 4},
             {-1.5 * i0 * 1 + 0.1, -0.5 * i0 * 2 + 0.2, 0.5 * i0 * 0.5 + 0.3, 1.5 * i0 * -1 + 0.4,
              -3.25 * i1 * 1 + 0.1, -1.25 * i1 * 2 + 0.2, 0.75 * i1 * 0.5 + 0.3, 3.75 * i1 * -1 + 0.4},
             1e-6);
  checkClose(r.outputs[1], DType::F32, {2, 1}, {2.5, 5.25});
  checkClose(r.outputs[2], DType::F32, {2, 1}, {i0, i1});
}

TEST_CASE("layer_normalization over two axes without bias") {
  Tensor y = runOne(R"(
    func.func @main(%x: tensor<1x2x2xf32>, %g: tensor<2xf32>) -> tensor<1x2x2xf32> {
      %none = kiln.none
      %y, %m, %s = kiln.layer_normalization %x, %g, %none {axis = 1 : i64, epsilon = 0.0 : f32}
          : (tensor<1x2x2xf32>, tensor<2xf32>, none) -> (tensor<1x2x2xf32>, none, none)
      return %y : tensor<1x2x2xf32>
    })",
                    {f32({1, 2, 2}, {1, 3, 5, 7}), f32({2}, {2, -1})});
  // mean 4, variance 5; the scale of size 2 broadcasts along the last axis.
  double inv = 1 / std::sqrt(5.0);
  checkClose(y, DType::F32, {1, 2, 2}, {-3 * inv * 2, -1 * inv * -1, 1 * inv * 2, 3 * inv * -1});
}

TEST_CASE("batch_normalization in inference mode") {
  Tensor y = runOne(R"(
    func.func @main(%x: tensor<1x2x2xf32>, %s: tensor<2xf32>, %b: tensor<2xf32>, %m: tensor<2xf32>, %v: tensor<2xf32>) -> tensor<1x2x2xf32> {
      %y, %rm, %rv = kiln.batch_normalization %x, %s, %b, %m, %v {epsilon = 0.0 : f32}
          : (tensor<1x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x2xf32>, none, none)
      return %y : tensor<1x2x2xf32>
    })",
                    {f32({1, 2, 2}, {1, 2, 3, 4}), f32({2}, {2, 1}), f32({2}, {0.5, -1}),
                     f32({2}, {1.5, 3}), f32({2}, {0.25, 4})});
  checkClose(y, DType::F32, {1, 2, 2}, {-1.5, 2.5, -1, -0.5});
}

TEST_CASE("instance_normalization per sample and channel") {
  Tensor y = runOne(R"(
    func.func @main(%x: tensor<1x2x3xf32>, %s: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<1x2x3xf32> {
      %y = kiln.instance_normalization %x, %s, %b {epsilon = 0.0 : f32}
          : (tensor<1x2x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3xf32>
      return %y : tensor<1x2x3xf32>
    })",
                    {f32({1, 2, 3}, {1, 2, 3, 2, 4, 9}), f32({2}, {1, 2}), f32({2}, {0.5, 1})});
  double s0 = std::sqrt(2.0 / 3.0), s1 = std::sqrt(26.0 / 3.0);
  checkClose(y, DType::F32, {1, 2, 3},
             {-1 / s0 + 0.5, 0.5, 1 / s0 + 0.5, 2 * -3 / s1 + 1, 2 * -1 / s1 + 1, 2 * 4 / s1 + 1});
}

TEST_CASE("lrn with odd and even window sizes") {
  auto x = f32({1, 3, 1, 1}, {1, 2, 3});
  Tensor odd = runOne(R"(
    func.func @main(%x: tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32> {
      %y = kiln.lrn %x {alpha = 3.0 : f32, beta = 1.0 : f32, bias = 1.0 : f32, size = 3 : i64} : (tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
      return %y : tensor<1x3x1x1xf32>
    })",
                      {x});
  checkClose(odd, DType::F32, {1, 3, 1, 1}, {1.0 / 6, 2.0 / 15, 3.0 / 14});
  // size 2: the window is [c, c + 1].
  Tensor even = runOne(R"(
    func.func @main(%x: tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32> {
      %y = kiln.lrn %x {alpha = 2.0 : f32, beta = 0.5 : f32, bias = 1.0 : f32, size = 2 : i64} : (tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
      return %y : tensor<1x3x1x1xf32>
    })",
                       {x});
  checkClose(even, DType::F32, {1, 3, 1, 1}, {1 / std::sqrt(6.0), 2 / std::sqrt(14.0), 3 / std::sqrt(10.0)});
}

TEST_CASE("mean_variance_normalization over the default axes") {
  Tensor y = runOne(R"(
    func.func @main(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x2xf32> {
      %y = kiln.mean_variance_normalization %x : (tensor<1x2x1x2xf32>) -> tensor<1x2x1x2xf32>
      return %y : tensor<1x2x1x2xf32>
    })",
                    {f32({1, 2, 1, 2}, {1, 3, 2, 10})});
  checkClose(y, DType::F32, {1, 2, 1, 2}, {-1, 1, -1, 1}, 1e-6);
}

TEST_CASE("dropout in inference mode is the identity with an all-true mask") {
  RunResult r = run(R"(
    func.func @main(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>) {
      %none = kiln.none
      %y, %m = kiln.dropout %x, %none, %none : (tensor<3xf32>, none, none) -> (tensor<3xf32>, tensor<3xi1>)
      return %y, %m : tensor<3xf32>, tensor<3xi1>
    })",
                    {f32({3}, {1.5, -2, 7})});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  checkClose(r.outputs[0], DType::F32, {3}, {1.5, -2, 7});
  checkInts(r.outputs[1], DType::Bool, {3}, {1, 1, 1});
}

namespace {
std::string nll(const std::string &attrs, bool weighted, const std::string &out) {
  std::string w = weighted ? "%w" : "%none";
  std::string wt = weighted ? "tensor<3xf32>" : "none";
  return "func.func @main(%x: tensor<3x3xf32>, %t: tensor<3xi64>, %w: tensor<3xf32>) -> " + out +
         " {\n  %none = kiln.none\n  %l = kiln.negative_log_likelihood_loss %x, %t, " + w + " " +
         attrs + " : (tensor<3x3xf32>, tensor<3xi64>, " + wt + ") -> " + out + "\n  return %l : " +
         out + "\n}";
}
} // namespace

TEST_CASE("negative_log_likelihood_loss reductions, weights and ignore_index") {
  auto x = f32({3, 3}, {-1, -2, -3, -0.5, -1.5, -2.5, -3, -0.25, -1});
  auto t = makeInt(DType::I64, {3}, {0, 2, 1});
  auto w = f32({3}, {0.5, 2, 1});
  checkClose(runOne(nll("{reduction = \"none\"}", false, "tensor<3xf32>"), {x, t, w}), DType::F32, {3},
             {1, 2.5, 0.25});
  checkClose(runOne(nll("{reduction = \"sum\"}", false, "tensor<f32>"), {x, t, w}), DType::F32, {}, {3.75});
  checkClose(runOne(nll("", false, "tensor<f32>"), {x, t, w}), DType::F32, {}, {1.25});
  // Weighted: losses 0.5, 2.5, 0.5; 'mean' divides by 0.5 + 1 + 2.
  checkClose(runOne(nll("{reduction = \"none\"}", true, "tensor<3xf32>"), {x, t, w}), DType::F32, {3},
             {0.5, 2.5, 0.5});
  checkClose(runOne(nll("{reduction = \"mean\"}", true, "tensor<f32>"), {x, t, w}), DType::F32, {}, {1.0});
  // ignore_index 2 drops the second target from the sum and from the weight sum.
  checkClose(runOne(nll("{ignore_index = 2 : i64, reduction = \"mean\"}", true, "tensor<f32>"), {x, t, w}),
             DType::F32, {}, {0.4});
  checkClose(runOne(nll("{ignore_index = 2 : i64}", false, "tensor<f32>"), {x, t, w}), DType::F32, {}, {0.625});
  checkClose(runOne(nll("{ignore_index = 2 : i64, reduction = \"none\"}", false, "tensor<3xf32>"), {x, t, w}),
             DType::F32, {3}, {1, 0, 0.25});
  checkFails(run(nll("", false, "tensor<f32>"), {x, makeInt(DType::I64, {3}, {0, 3, 1}), w}), "out of range");
}

TEST_CASE("negative_log_likelihood_loss with a spatial dimension") {
  Tensor l = runOne(R"(
    func.func @main(%x: tensor<1x2x2xf32>, %t: tensor<1x2xi32>) -> tensor<1x2xf32> {
      %none = kiln.none
      %l = kiln.negative_log_likelihood_loss %x, %t, %none {reduction = "none"} : (tensor<1x2x2xf32>, tensor<1x2xi32>, none) -> tensor<1x2xf32>
      return %l : tensor<1x2xf32>
    })",
                    {f32({1, 2, 2}, {-1, -2, -3, -4}), makeInt(DType::I32, {1, 2}, {1, 0})});
  checkClose(l, DType::F32, {1, 2}, {3, 2});
}

TEST_CASE("softmax_cross_entropy_loss with weights and log_prob") {
  std::string ir = R"(
    func.func @main(%x: tensor<2x3xf32>, %t: tensor<2xi64>, %w: tensor<3xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<f32>) {
      %none = kiln.none
      %l, %lp = kiln.softmax_cross_entropy_loss %x, %t, %none : (tensor<2x3xf32>, tensor<2xi64>, none) -> (tensor<f32>, tensor<2x3xf32>)
      %lw, %n = kiln.softmax_cross_entropy_loss %x, %t, %w {reduction = "mean"} : (tensor<2x3xf32>, tensor<2xi64>, tensor<3xf32>) -> (tensor<f32>, none)
      return %l, %lp, %lw : tensor<f32>, tensor<2x3xf32>, tensor<f32>
    })";
  RunResult r = run(ir, {f32({2, 3}, {1, 2, 3, 1, 1, 1}), makeInt(DType::I64, {2}, {2, 0}),
                         f32({3}, {1, 1, 2})});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  double l0 = lse0 - 3, l1 = std::log(3.0);
  checkClose(r.outputs[0], DType::F32, {}, {(l0 + l1) / 2});
  checkClose(r.outputs[1], DType::F32, {2, 3}, {1 - lse0, 2 - lse0, 3 - lse0, -l1, -l1, -l1});
  checkClose(r.outputs[2], DType::F32, {}, {(2 * l0 + l1) / 3});
}

TEST_CASE("layer_normalization in f16 computes in wide precision and rounds once") {
  Tensor y = runOne(R"(
    func.func @main(%x: tensor<1x4xf16>, %g: tensor<4xf16>, %b: tensor<4xf16>) -> tensor<1x4xf16> {
      %y, %m, %s = kiln.layer_normalization %x, %g, %b {epsilon = 0.0 : f32}
          : (tensor<1x4xf16>, tensor<4xf16>, tensor<4xf16>) -> (tensor<1x4xf16>, none, none)
      return %y : tensor<1x4xf16>
    })",
                    {make(DType::F16, {1, 4}, {1000, 1001, 1002, 1003}), make(DType::F16, {4}, {1, 1, 1, 1}),
                     make(DType::F16, {4}, {0.5, 0.5, 0.5, 0.5})});
  // mean 1001.5, variance 1.25: values (-1.5, -0.5, 0.5, 1.5) / sqrt(1.25) + 0.5.
  double inv = 1 / std::sqrt(1.25);
  checkClose(y, DType::F16, {1, 4}, {-1.5 * inv + 0.5, -0.5 * inv + 0.5, 0.5 * inv + 0.5, 1.5 * inv + 0.5}, 1e-3);
}

TEST_CASE("ONNX backend node tests: normalizations, dropout and losses") {
  // Training-mode BatchNormalization is rejected at import (kiln compiles inference graphs).
  replayOnnxNodes({"layer_normalization", "batchnorm", "instancenorm", "lrn", "mvn", "dropout",
                   "nllloss", "sce"},
                  {"_expanded", "training_mode"}, 84);
}
