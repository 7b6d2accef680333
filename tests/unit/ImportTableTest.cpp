// The import table must name registered ops, cover every kiln op, and pick the newest
// rule an opset allows.
#include "compiler/Dialect/Kiln/IR/KilnDialect.h"
#include "compiler/Import/OnnxImporter.h"
#include "compiler/Import/OpTable.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringSet.h"

#include <doctest/doctest.h>

using namespace ::kiln;

TEST_CASE("every import rule targets a registered kiln op") {
  mlir::MLIRContext ctx;
  loadImportDialects(ctx);
  for (const OpImportRule &rule : allImportRules()) {
    INFO(rule.onnxType << "-" << rule.sinceVersion << " -> " << rule.opName);
    CHECK(mlir::RegisteredOperationName::lookup(rule.opName, &ctx).has_value());
  }
}

TEST_CASE("every kiln op is the target of some import rule") {
  mlir::MLIRContext ctx;
  loadImportDialects(ctx);
  llvm::StringSet<> targets;
  for (const OpImportRule &rule : allImportRules())
    targets.insert(rule.opName);
  auto *dialect = ctx.getLoadedDialect<mlir::kiln::KilnDialect>();
  REQUIRE(dialect);
  int checked = 0;
  for (mlir::RegisteredOperationName name : ctx.getRegisteredOperations()) {
    // kiln.none stands for absent inputs; If (and its yield) is imported by
    // GraphImporter::importIf, outside the table, because it carries graphs; kiln.fused
    // is made by the fused stage, not imported.
    if (&name.getDialect() != dialect ||
        llvm::is_contained({"kiln.none", "kiln.if", "kiln.yield", "kiln.fused"}, name.getStringRef()))
      continue;
    INFO(name.getStringRef().str());
    CHECK(targets.contains(name.getStringRef()));
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("rules of one op type are in ascending since_version") {
  llvm::StringMap<int> last;
  for (const OpImportRule &rule : allImportRules()) {
    INFO(rule.onnxType);
    auto it = last.find(rule.onnxType);
    if (it != last.end())
      CHECK(rule.sinceVersion > it->second);
    last[rule.onnxType] = rule.sinceVersion;
  }
}

TEST_CASE("findImportRule picks the newest rule the opset allows") {
  const OpImportRule *softmax11 = findImportRule("Softmax", 11);
  const OpImportRule *softmax13 = findImportRule("Softmax", 13);
  const OpImportRule *softmax17 = findImportRule("Softmax", 17);
  REQUIRE(softmax11);
  REQUIRE(softmax13);
  CHECK(softmax11->sinceVersion == 1);
  CHECK(static_cast<bool>(softmax11->hook)); // legacy 2-D coercion check
  CHECK(softmax13->sinceVersion == 13);
  CHECK(softmax17 == softmax13);
  CHECK(findImportRule("Slice", 9)->sinceVersion == 1);
  CHECK(findImportRule("Slice", 10)->sinceVersion == 10);
  CHECK(std::string(findImportRule("Upsample", 9)->opName) == "kiln.resize");
  CHECK(findImportRule("LayerNormalization", 16) == nullptr); // added in opset 17
  CHECK(findImportRule("Add", 6) == nullptr);                 // pre-NumPy broadcasting
  CHECK(findImportRule("NonMaxSuppression", 17) == nullptr);
}
