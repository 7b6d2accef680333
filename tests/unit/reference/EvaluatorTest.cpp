// Tests of the reference evaluator's driver: value flow, constants, none operands and its errors.
#include "RefTestUtil.h"

#include <doctest/doctest.h>

using namespace kiln::reftest;

TEST_CASE("evaluate chains ops, constants and returns several results") {
  RunResult r = run(R"(
    func.func @main(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
      %c = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
      %s = kiln.add %x, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      %m = kiln.mul %s, %s : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      return %m, %x, %s : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
    })",
                    {f32({3}, {0.5, -1.0, 2.0})});
  INFO(r.diagnostics);
  REQUIRE(r.ok);
  REQUIRE(r.outputs.size() == 3);
  checkClose(r.outputs[0], DType::F32, {3}, {2.25, 1.0, 25.0});
  checkClose(r.outputs[1], DType::F32, {3}, {0.5, -1.0, 2.0});
  checkClose(r.outputs[2], DType::F32, {3}, {1.5, 1.0, 5.0});
}

TEST_CASE("none operands reach kernels as null") {
  Tensor y = runOne(R"(
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %none = kiln.none
      %hi = kiln.constant dense<1.5> : tensor<f32>
      %y = kiln.clip %x, %none, %hi : (tensor<4xf32>, none, tensor<f32>) -> tensor<4xf32>
      return %y : tensor<4xf32>
    })",
                    {f32({4}, {-7.0, 0.5, 1.5, 9.0})});
  checkClose(y, DType::F32, {4}, {-7.0, 0.5, 1.5, 1.5});
}

TEST_CASE("dynamic result shapes are rejected") {
  RunResult r = run(R"(
    func.func @main(%x: tensor<4xf32>) -> tensor<?xf32> {
      %y = kiln.relu %x : (tensor<4xf32>) -> tensor<?xf32>
      return %y : tensor<?xf32>
    })",
                    {f32({4}, {1, 2, 3, 4})});
  checkFails(r, "needs static shapes; run shape specialization first");
}

TEST_CASE("dynamic argument shapes are rejected") {
  RunResult r = run(R"(
    func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
      return %x : tensor<?xf32>
    })",
                    {f32({4}, {1, 2, 3, 4})});
  checkFails(r, "needs static shapes");
}

TEST_CASE("missing kernels are reported by op name") {
  // func.call is a registered op that the evaluator has no kernel for.
  RunResult r = run(R"(
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %y = func.call @other(%x) : (tensor<2xf32>) -> tensor<2xf32>
      return %y : tensor<2xf32>
    }
    func.func private @other(tensor<2xf32>) -> tensor<2xf32>)",
                    {f32({2}, {1, 2})}, "main");
  checkFails(r, "no reference kernel for 'func.call'");
}

TEST_CASE("wrong input count, dtype and shape are rejected") {
  const char *ir = R"(
    func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %y = kiln.neg %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
      return %y : tensor<2x3xf32>
    })";
  checkFails(run(ir, {f32({3, 2}, {1, 2, 3, 4, 5, 6})}), "argument expects");
  checkFails(run(ir, {make(DType::F64, {2, 3}, {1, 2, 3, 4, 5, 6})}), "argument expects");
  checkFails(run(ir, {}), "expects 1 inputs, got 0");
  Tensor ok = runOne(ir, {f32({2, 3}, {1, 2, 3, 4, 5, 6})});
  checkClose(ok, DType::F32, {2, 3}, {-1, -2, -3, -4, -5, -6});
}

TEST_CASE("the kernel table holds every op family") {
  const kiln::ref::KernelTable &t = kiln::ref::kernelTable();
  for (const char *name : {"kiln.add", "kiln.cast", "kiln.reduce_sum", "kiln.softmax",
                           "kiln.top_k", "kiln.layer_normalization", "kiln.dropout",
                           "kiln.softmax_cross_entropy_loss"})
    CHECK_MESSAGE(t.count(name) == 1, name);
  CHECK(&kiln::ref::kernelTable() == &t);
}

TEST_CASE("values stay alive until their last use, however far") {
  Tensor y = runOne(R"(
    func.func @main(%x: tensor<2xi32>) -> tensor<2xi32> {
      %c = kiln.constant dense<[3, -4]> : tensor<2xi32>
      %a = kiln.add %x, %c : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
      %b = kiln.mul %a, %a : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
      %d = kiln.sub %b, %c : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
      %e = kiln.add %d, %x : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
      return %e : tensor<2xi32>
    })",
                    {makeInt(DType::I32, {2}, {1, 2})});
  // a = (4, -2), b = (16, 4), d = (13, 8), e = (14, 10).
  checkInts(y, DType::I32, {2}, {14, 10});
}

TEST_CASE("a func without a body is rejected") {
  checkFails(run("func.func private @ext(tensor<2xf32>) -> tensor<2xf32>", {f32({2}, {1, 2})}),
             "has no body to evaluate");
}
