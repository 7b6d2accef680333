// `kiln compile`: imports an ONNX model, runs the pipeline, and writes the .kiln plan, or
// prints or writes the text of the stage named by --emit.
#include "Commands.h"
#include "Diagnostics.h"

#include "Frontend.h"
#include "OutputFile.h"
#include "PlanFile.h"

#include "codegen/Driver/Codegen.h"
#include "codegen/Plan/PlanWriter.h"
#include "tools/common/CApiWriter.h"
#include "tools/common/Sha256.h"
#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <fmt/core.h>
#include <memory>

using namespace mlir;

namespace {
struct CompileOptions {
  std::string model;
  std::string emit;
  std::string output;
  std::string arch = "sm_90";
  std::string libdevice;
  std::string dumpDir;
  bool cubin = false;
  bool printWeights = false;
  bool locations = false;
  bool stats = false;
  std::string name;      // --emit=c: symbol prefix
  bool planFile = false; // --emit=c: NAME.kiln beside the program instead of embedded
  ::kiln::PipelineOptions pipeline;
};

// Tensors larger than this print as `dense_resource<__elided__>` unless --print-weights.
constexpr int64_t kElideElementsAbove = 64;

/// The ops of `module`'s function (regions' bodies not entered), by kind: what runs.
/// Constants, `none` values and the terminator are not counted.
llvm::MapVector<StringRef, int> countOps(ModuleOp module, int &total) {
  llvm::MapVector<StringRef, int> counts;
  total = 0;
  module.walk([&](func::FuncOp func) {
    for (Operation &op : func.getBody().front())
      if (op.getDialect() && op.getDialect()->getNamespace() == "kiln" &&
          !isa<mlir::kiln::ConstantOp, mlir::kiln::NoneOp>(op)) {
        ++counts[op.getName().getStringRef()];
        ++total;
      }
  });
  return counts;
}

void printStats(ModuleOp module) {
  int total = 0;
  llvm::MapVector<StringRef, int> counts = countOps(module, total);
  std::vector<std::pair<StringRef, int>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](auto &a, auto &b) { return a.second > b.second; });
  fmt::print(stderr, "{} kiln ops:", total);
  for (auto &[name, count] : sorted)
    fmt::print(stderr, " {} {}", name.str(), count);
  fmt::print(stderr, "\n");
}

/// --stats for a plan: how the graph shrank stage by stage, and what the plan moves.
void printPlanStats(const std::vector<int> &opsAtStage, int regions, const std::vector<uint8_t> &bytes) {
  ::kiln::cli::PlanFile plan;
  std::string error;
  if (!::kiln::cli::PlanFile::parse(bytes, plan, error))
    return;
  uint64_t moved = 0;
  for (size_t i = 0; i < plan.launches.size(); ++i)
    moved += plan.launchBytes(i);
  fmt::print(stderr,
             "onnx {} ops, static {} ops, fused {} ops ({} regions); plan: {} kernels, {} launches, "
             "arena {} bytes, {} bytes over the launches' buffers (floor {}: weights, inputs, outputs)\n",
             opsAtStage[0], opsAtStage[1], opsAtStage[2], regions, plan.kernels.size(), plan.launches.size(),
             plan.header.arena_size, moved, plan.floorBytes());
}

std::vector<std::string> allStageNames() {
  std::vector<std::string> names = ::kiln::stageNames();
  for (const char *n : {"gpu", "llvm", "ptx", "plan", "dot", "c"})
    names.push_back(n);
  return names;
}

/// --emit=c: the plan, then its typed C API (NAME.h, NAME.c, with --plan-file NAME.kiln) in the -o directory.
int writeCApi(const CompileOptions &opts, const std::vector<uint8_t> &plan) {
  ::kiln::embed::CApiOptions c;
  c.name = opts.name.empty() ? ::kiln::embed::defaultName(opts.model) : opts.name;
  c.planFile = opts.planFile;
  c.producer = "kiln " KILN_VERSION;
  c.modelName = llvm::sys::path::filename(opts.model).str();
  auto model = llvm::MemoryBuffer::getFile(opts.model);
  if (!model) {
    fmt::print(stderr, "kiln: cannot read '{}': {}\n", opts.model, model.getError().message());
    return 1;
  }
  c.modelSha256 = ::kiln::embed::sha256Hex((*model)->getBufferStart(), (*model)->getBufferSize());
  ::kiln::embed::CApiFiles files;
  std::string error;
  if (!::kiln::embed::generateCApi(plan, c, files, error) ||
      !::kiln::embed::writeCApi(opts.output, c, files, plan, error)) {
    fmt::print(stderr, "kiln: --emit=c: {}\n", error);
    return 1;
  }
  return 0;
}

int runCompile(const CompileOptions &opts) {
  if (opts.emit.empty() && opts.output.empty()) {
    fmt::print(stderr, "kiln compile: give -o model.kiln, or --emit=STAGE to print a stage\n");
    return 1;
  }
  if (opts.emit == "c") {
    std::string why;
    if (opts.output.empty() || opts.output == "-") {
      fmt::print(stderr, "kiln compile: --emit=c writes NAME.h and NAME.c into a directory: give -o DIR\n");
      return 1;
    }
    if (!opts.name.empty() && !::kiln::embed::isValidName(opts.name, why)) {
      fmt::print(stderr, "kiln compile: --name: {}\n", why);
      return 1;
    }
  } else if (!opts.name.empty() || opts.planFile) {
    fmt::print(stderr, "kiln compile: --name and --plan-file go with --emit=c\n");
    return 1;
  }
  MLIRContext context;
  ::kiln::cli::StderrDiagnostics diagnostics(context);
  std::optional<::kiln::Stage> frontStage = ::kiln::parseStage(opts.emit.empty() ? "fused" : opts.emit);
  bool backEnd = !frontStage;
  std::string error;
  // With --dump-dir, every stage lands in the directory, the front ones included.
  std::function<void(ModuleOp, ::kiln::Stage)> dumpStage;
  std::vector<int> opsAtStage(3, 0); // with --stats: ops at onnx, static and fused
  int regions = 0;
  if (!opts.dumpDir.empty() || opts.stats) {
    if (!opts.dumpDir.empty())
      llvm::sys::fs::create_directories(opts.dumpDir);
    dumpStage = [&](ModuleOp m, ::kiln::Stage stage) {
      int total = 0;
      llvm::MapVector<StringRef, int> counts = countOps(m, total);
      opsAtStage[static_cast<int>(stage)] = total;
      if (stage == ::kiln::Stage::Fused)
        regions = counts.lookup("kiln.fused");
      if (stage == ::kiln::Stage::Onnx || opts.dumpDir.empty())
        return;
      std::string path = opts.dumpDir + "/" + ::kiln::stageNames()[static_cast<int>(stage)] + ".mlir";
      if (auto f = openOutputFile(path, &error)) {
        OpPrintingFlags flags;
        flags.elideLargeElementsAttrs(kElideElementsAbove);
        m->print(f->os(), flags);
        f->keep();
      }
    };
  }
  OwningOpRef<ModuleOp> module = ::kiln::cli::loadModel(
      context, opts.model, backEnd ? ::kiln::Stage::Fused : *frontStage, opts.pipeline, dumpStage);
  if (!module)
    return 1;
  if (opts.stats)
    printStats(*module);

  auto write = [&](StringRef bytes) {
    if (!::kiln::cli::writeOutputFile(opts.output.empty() ? "-" : opts.output, bytes, error)) {
      fmt::print(stderr, "kiln: {}\n", error);
      return 1;
    }
    return diagnostics.errorCount() == 0 ? 0 : 1;
  };
  ::kiln::codegen::CodegenOptions codegen;
  codegen.arch = opts.arch;
  codegen.libdevice = opts.libdevice;
  codegen.cubin = opts.cubin;
  codegen.dumpDir = opts.dumpDir;
  codegen.producer = "kiln " KILN_VERSION;
  if (opts.emit.empty() || opts.emit == "c") {
    std::vector<uint8_t> plan;
    if (failed(::kiln::codegen::compileToPlan(*module, codegen, plan)))
      return 1;
    if (opts.stats)
      printPlanStats(opsAtStage, regions, plan);
    if (opts.emit == "c")
      return diagnostics.errorCount() ? 1 : writeCApi(opts, plan);
    return write(StringRef(reinterpret_cast<const char *>(plan.data()), plan.size()));
  }
  // Stage texts are built in memory too, so that -o gets all of it or nothing.
  std::string text;
  llvm::raw_string_ostream os(text);
  if (backEnd) {
    if (failed(::kiln::codegen::emitStage(*module, codegen, *::kiln::codegen::parseCodegenStage(opts.emit), os)))
      return 1;
    return write(text);
  }
  OpPrintingFlags flags;
  if (!opts.printWeights)
    flags.elideLargeElementsAttrs(kElideElementsAbove);
  if (opts.locations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(os, flags);
  os << "\n";
  return write(text);
}
} // namespace

std::function<int()> (::kiln::cli::addCompileCommand)(CLI::App &app) {
  auto opts = std::make_shared<CompileOptions>();
  CLI::App *cmd = app.add_subcommand(
      "compile", "Compile an ONNX model to a .kiln plan (-o), or print a stage (--emit)");
  cmd->add_option("model", opts->model, "The ONNX model (.onnx)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--emit", opts->emit,
                  "Stage to print instead of writing a plan: onnx (one kiln op per ONNX node), "
                  "static (shapes pinned, graph simplified), gpu (kernels as gpu.func), llvm "
                  "(NVVM/LLVM dialect), ptx (PTX text), plan (memory plan and launch list), dot (the fused "
                  "graph for Graphviz) or c (NAME.h and NAME.c, the model's typed C API with the plan "
                  "embedded, written into the -o directory)")
      ->check(CLI::IsMember(allStageNames()));
  cmd->add_option("--arch", opts->arch, "Target GPU: sm_80, sm_86, sm_89 or sm_90")
      ->check(CLI::IsMember({"sm_80", "sm_86", "sm_89", "sm_90"}));
  cmd->add_option("--dump-dir", opts->dumpDir, "Write every stage (static.mlir, fused.mlir, gpu.mlir, llvm.mlir, "
                                               "kernels.ptx, plan.txt) into this directory");
  cmd->add_flag("--cubin", opts->cubin, "Also embed SASS for --arch, assembled by ptxas");
  cmd->add_option("--libdevice", opts->libdevice,
                  "libdevice.10.bc for math functions (default: $KILN_LIBDEVICE, $CUDA_HOME, /usr/local/cuda)");
  ::kiln::cli::addShapeOptions(cmd, opts->pipeline);
  cmd->add_option("-o,--output", opts->output,
                  "The .kiln plan to write (with --emit: the file for the stage's text; default stdout)");
  cmd->add_option("--name", opts->name,
                  "With --emit=c: prefix of every generated symbol, a C identifier (default: the model's "
                  "file name)");
  cmd->add_flag("--plan-file", opts->planFile,
                "With --emit=c: write NAME.kiln too and load it from beside the program at run time "
                "instead of embedding the plan in NAME.c (for large weights)");
  cmd->add_flag("--print-weights", opts->printWeights,
                "Print every constant in full (by default tensors over 64 elements are elided)");
  cmd->add_flag("--locations", opts->locations,
                "Print locations: each op's ONNX node name and op type");
  cmd->add_flag("--stats", opts->stats,
                "Print on stderr a count of the ops of each kind, and for a plan the ops at each stage, "
                "its kernels, launches, arena and the bytes its launches move");
  return [opts]() -> int { return runCompile(*opts); };
}
