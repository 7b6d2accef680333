// Node locations must round-trip into kiln's diagnostic format.
#include "compiler/Import/NodeLocation.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <doctest/doctest.h>

using namespace mlir;

TEST_CASE("a named node prints as file: node 'name' (OpType)") {
  MLIRContext ctx;
  Location loc = ::kiln::nodeLoc(ctx, "model.onnx", "conv1", "Conv", 7);
  CHECK(::kiln::describeLocation(loc) == "model.onnx: node 'conv1' (Conv): ");
}

TEST_CASE("an unnamed node is named by its index") {
  MLIRContext ctx;
  Location loc = ::kiln::nodeLoc(ctx, "m.onnx", "", "Relu", 3);
  CHECK(::kiln::describeLocation(loc) == "m.onnx: node #3 (Relu): ");
}

TEST_CASE("a value location names the value") {
  MLIRContext ctx;
  CHECK(::kiln::describeLocation(::kiln::valueLoc(ctx, "m.onnx", "input")) ==
        "m.onnx: value 'input': ");
}

TEST_CASE("formatDiagnostic drops MLIR's op prefix for node locations") {
  MLIRContext ctx;
  Location loc = ::kiln::nodeLoc(ctx, "m.onnx", "c", "Conv", 0);
  Diagnostic diag(loc, DiagnosticSeverity::Error);
  diag << "'kiln.conv' op group must be positive, got 0";
  CHECK(::kiln::formatDiagnostic(diag) == "m.onnx: node 'c' (Conv): group must be positive, got 0");
  Diagnostic warning(loc, DiagnosticSeverity::Warning);
  warning << "careful";
  CHECK(::kiln::formatDiagnostic(warning) == "m.onnx: node 'c' (Conv): warning: careful");
}
