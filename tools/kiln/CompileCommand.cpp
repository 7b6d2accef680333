// `kiln compile`: imports an ONNX model, runs the pipeline up to the requested stage, and
// prints or writes that stage's IR.
#include "Commands.h"
#include "Diagnostics.h"

#include "Frontend.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/ToolOutputFile.h"

#include <fmt/core.h>
#include <memory>

using namespace mlir;

namespace {
struct CompileOptions {
  std::string model;
  std::string emit;
  std::string output = "-";
  bool printWeights = false;
  bool locations = false;
  bool stats = false;
  ::kiln::PipelineOptions pipeline;
};

// Tensors larger than this print as `dense_resource<__elided__>` unless --print-weights.
constexpr int64_t kElideElementsAbove = 64;

void printStats(ModuleOp module) {
  llvm::MapVector<StringRef, int> counts;
  size_t total = 0;
  module.walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "kiln") {
      ++counts[op->getName().getStringRef()];
      ++total;
    }
  });
  std::vector<std::pair<StringRef, int>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](auto &a, auto &b) { return a.second > b.second; });
  fmt::print(stderr, "{} kiln ops:", total);
  for (auto &[name, count] : sorted)
    fmt::print(stderr, " {} {}", name.str(), count);
  fmt::print(stderr, "\n");
}

int runCompile(const CompileOptions &opts) {
  MLIRContext context;
  ::kiln::cli::StderrDiagnostics diagnostics(context);
  OwningOpRef<ModuleOp> module =
      ::kiln::cli::loadModel(context, opts.model, *::kiln::parseStage(opts.emit), opts.pipeline);
  if (!module)
    return 1;
  if (opts.stats)
    printStats(*module);

  std::string error;
  auto output = openOutputFile(opts.output, &error);
  if (!output) {
    fmt::print(stderr, "kiln: cannot write {}: {}\n", opts.output, error);
    return 1;
  }
  OpPrintingFlags flags;
  if (!opts.printWeights)
    flags.elideLargeElementsAttrs(kElideElementsAbove);
  if (opts.locations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return diagnostics.errorCount() == 0 ? 0 : 1;
}
} // namespace

std::function<int()> (::kiln::cli::addCompileCommand)(CLI::App &app) {
  auto opts = std::make_shared<CompileOptions>();
  CLI::App *cmd = app.add_subcommand(
      "compile", "Compile an ONNX model and print the IR of a stage (--emit=onnx|static)");
  cmd->add_option("model", opts->model, "The ONNX model (.onnx)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--emit", opts->emit,
                  "Stage whose IR to print: onnx (one kiln op per ONNX node) or static "
                  "(shapes pinned, graph simplified)")
      ->required()
      ->check(CLI::IsMember(::kiln::stageNames()));
  ::kiln::cli::addShapeOptions(cmd, opts->pipeline);
  cmd->add_option("-o,--output", opts->output, "Write the IR to this file instead of stdout");
  cmd->add_flag("--print-weights", opts->printWeights,
                "Print every constant in full (by default tensors over 64 elements are elided)");
  cmd->add_flag("--locations", opts->locations,
                "Print locations: each op's ONNX node name and op type");
  cmd->add_flag("--stats", opts->stats, "Print a count of the ops of each kind on stderr");
  return [opts]() -> int { return runCompile(*opts); };
}
