// Shape inference against hand-computed result types, one case per op family.
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"
#include "compiler/Import/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace mlir;

namespace {
// Parses `body` (ops over function arguments `argTypes`) without verification, runs
// inference on the last kiln op, and returns its result types as "t1, t2" (or the
// error text).
std::string infer(const std::string &argTypes, const std::string &body) {
  MLIRContext ctx;
  ::kiln::loadImportDialects(ctx);
  std::string errors;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    errors += d.str();
    return success();
  });
  std::string src = "func.func @f(" + argTypes + ") {\n" + body + "\n return\n}";
  ParserConfig config(&ctx, /*verifyAfterParse=*/false);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(src, config);
  if (!module)
    return "parse error: " + errors;
  Operation *last = nullptr;
  module->walk([&](mlir::kiln::InferShapesOpInterface op) { last = op; });
  if (!last)
    return "no kiln op";
  SmallVector<Type> types;
  if (failed(cast<mlir::kiln::InferShapesOpInterface>(last).inferResultTypes(types)))
    return "error: " + errors;
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::interleaveComma(types, os);
  return out;
}
} // namespace

TEST_CASE("elementwise broadcasting") {
  CHECK(infer("%a: tensor<2x1x5xf32>, %b: tensor<3x1xf32>",
              "%c = kiln.add %a, %b : (tensor<2x1x5xf32>, tensor<3x1xf32>) -> tensor<*xf32>") ==
        "tensor<2x3x5xf32>");
  CHECK(infer("%a: tensor<?x4xf32>, %b: tensor<4xf32>",
              "%c = kiln.less %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<*xi1>") ==
        "tensor<?x4xi1>");
  CHECK(infer("%a: tensor<2x3xf32>, %b: tensor<4xf32>",
              "%c = kiln.mul %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<*xf32>")
            .rfind("error: ", 0) == 0);
}

TEST_CASE("convolution and pooling sizes") {
  // ResNet stem: 224 -> (224 + 6 - 7) / 2 + 1 = 112.
  CHECK(infer("%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>",
              "%n = kiln.none\n%y = kiln.conv %x, %w, %n {pads = array<i64: 3, 3, 3, 3>, "
              "strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, "
              "none) -> tensor<*xf32>") == "tensor<1x64x112x112xf32>");
  // Depthwise, SAME_UPPER stride 2 on 7: ceil(7 / 2) = 4.
  CHECK(infer("%x: tensor<1x32x7x7xf32>, %w: tensor<32x1x3x3xf32>",
              "%n = kiln.none\n%y = kiln.conv %x, %w, %n {auto_pad = \"SAME_UPPER\", group = 32 : "
              "i64, strides = array<i64: 2, 2>} : (tensor<1x32x7x7xf32>, tensor<32x1x3x3xf32>, "
              "none) -> tensor<*xf32>") == "tensor<1x32x4x4xf32>");
  // ceil_mode: (13 - 3) / 2 rounded up + 1 = 6 (floor would give 6 as well for 13; use 14).
  CHECK(infer("%x: tensor<1x8x14x14xf32>",
              "%y, %i = kiln.max_pool %x {ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 3>, "
              "strides = array<i64: 2, 2>} : (tensor<1x8x14x14xf32>) -> (tensor<*xf32>, none)") ==
        "tensor<1x8x7x7xf32>, none");
  CHECK(infer("%x: tensor<1x8x14x14xf32>",
              "%y, %i = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: "
              "2, 2>} : (tensor<1x8x14x14xf32>) -> (tensor<*xf32>, none)") ==
        "tensor<1x8x6x6xf32>, none");
  CHECK(infer("%x: tensor<2x16x5x5xf32>",
              "%y = kiln.global_average_pool %x : (tensor<2x16x5x5xf32>) -> tensor<*xf32>") ==
        "tensor<2x16x1x1xf32>");
}

TEST_CASE("matmul and gemm") {
  CHECK(infer("%a: tensor<2x1x8x64xf32>, %b: tensor<3x64x16xf32>",
              "%y = kiln.matmul %a, %b : (tensor<2x1x8x64xf32>, tensor<3x64x16xf32>) -> "
              "tensor<*xf32>") == "tensor<2x3x8x16xf32>");
  CHECK(infer("%a: tensor<64xf32>, %b: tensor<64x16xf32>",
              "%y = kiln.matmul %a, %b : (tensor<64xf32>, tensor<64x16xf32>) -> tensor<*xf32>") ==
        "tensor<16xf32>");
  CHECK(infer("%a: tensor<4x128xf32>, %b: tensor<10x128xf32>, %c: tensor<10xf32>",
              "%y = kiln.gemm %a, %b, %c {transB = 1 : i64} : (tensor<4x128xf32>, "
              "tensor<10x128xf32>, tensor<10xf32>) -> tensor<*xf32>") == "tensor<4x10xf32>");
}

TEST_CASE("reductions") {
  CHECK(infer("%x: tensor<2x3x4xf32>",
              "%y = kiln.reduce_mean %x {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> "
              "tensor<*xf32>") == "tensor<2x3x1xf32>");
  CHECK(infer("%x: tensor<2x3x4xf32>",
              "%y = kiln.reduce_sum %x {keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> "
              "tensor<*xf32>") == "tensor<f32>");
  CHECK(infer("%x: tensor<2x3x4xf32>",
              "%y = kiln.arg_max %x {axis = 1 : i64, keepdims = 0 : i64} : (tensor<2x3x4xf32>) "
              "-> tensor<*xi64>") == "tensor<2x4xi64>");
}

TEST_CASE("normalization keeps the input type and shapes optional statistics") {
  CHECK(infer("%x: tensor<2x8x16xf32>, %g: tensor<16xf32>",
              "%n = kiln.none\n%y, %m, %s = kiln.layer_normalization %x, %g, %n : "
              "(tensor<2x8x16xf32>, tensor<16xf32>, none) -> (tensor<*xf32>, tensor<*xf32>, "
              "none)") == "tensor<2x8x16xf32>, tensor<2x8x1xf32>, none");
}

TEST_CASE("cast and where choose their element types") {
  CHECK(infer("%x: tensor<4xf32>",
              "%y = kiln.cast %x {to = i64} : (tensor<4xf32>) -> tensor<*xi64>") ==
        "tensor<4xi64>");
  CHECK(infer("%c: tensor<2x1xi1>, %a: tensor<3xi64>, %b: tensor<i64>",
              "%y = kiln.where %c, %a, %b : (tensor<2x1xi1>, tensor<3xi64>, tensor<i64>) -> "
              "tensor<*xi64>") == "tensor<2x3xi64>");
}

TEST_CASE("slice axis clamping (shared by shape inference, the reference and the GPU)") {
  using mlir::kiln::shape::sliceAxis;
  auto axis = [](int64_t dim, int64_t s, int64_t e, int64_t st) {
    auto a = sliceAxis(dim, s, e, st);
    return std::to_string(a.first) + ":" + std::to_string(a.count);
  };
  CHECK(axis(10, 2, 8, 3) == "2:2");                   // 2, 5
  CHECK(axis(10, -3, INT64_MAX, 1) == "7:3");          // negative start, end past the axis
  CHECK(axis(10, INT64_MAX, INT64_MIN, -1) == "9:10"); // whole axis reversed
  CHECK(axis(10, -1, -11, -4) == "9:3");               // 9, 5, 1
  CHECK(axis(10, 5, 5, 1) == "5:0");
  CHECK(axis(10, 0, 10, INT64_MIN) == "0:0");           // empty: start is not after end
  CHECK(axis(10, 9, -100, INT64_MIN) == "9:1");         // |step| without overflow
  CHECK(axis(0, 0, 1, 1) == "0:0");
  CHECK(axis(0, -1, -2, -1) == "0:0");                 // empty axis, backwards: no clamp to [0, -1]
}
