// Import plus pipeline, shared by `kiln compile` and `kiln run`.
#include "Frontend.h"

#include "compiler/Import/OnnxImporter.h"

#include "mlir/Pass/PassManager.h"

#include <fmt/core.h>

void kiln::cli::addShapeOptions(CLI::App *cmd, PipelineOptions &options) {
  cmd->add_option("--shape", options.shapes,
                  "Pin an input's shape, as name=1x3x224x224 (repeatable)")
      ->take_all();
  cmd->add_option("--batch", options.batch,
                  "Size of every input's dynamic leading dimension")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--const", options.consts,
                  "Pin an input's value at compile time, as NAME=VALUE (16000, [0,2], [[1,2],[3,4]], "
                  "1e-5, true) or NAME=FILE.npy; the input leaves the plan and what depends on it "
                  "folds (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("!--no-fuse", options.fuse,
                "One kernel per op: skip the fused stage (for A/B comparisons and bisecting)");
}

mlir::OwningOpRef<mlir::ModuleOp> kiln::cli::loadModel(mlir::MLIRContext &context, const std::string &path,
                                                       Stage stage, const PipelineOptions &options,
                                                       const std::function<void(mlir::ModuleOp, Stage)> &atStage) {
  // Diagnostics name the ONNX node; dumping the generic op form would only add noise.
  context.printOpOnDiagnostic(false);
  ImportOptions import;
  import.consts = options.consts;
  import.shapes = options.shapes;
  import.batch = options.batch;
  mlir::OwningOpRef<mlir::ModuleOp> module = importOnnxFile(context, path, import);
  if (!module)
    return nullptr;
  if (!atStage) {
    mlir::PassManager pm(&context);
    buildKilnPipeline(pm, options, stage);
    if (failed(pm.run(*module)))
      return nullptr;
    return module;
  }
  atStage(*module, Stage::Onnx);
  for (Stage from = Stage::Onnx; from < stage; from = static_cast<Stage>(static_cast<int>(from) + 1)) {
    Stage next = static_cast<Stage>(static_cast<int>(from) + 1);
    mlir::PassManager pm(&context);
    buildKilnPipeline(pm, options, next, from);
    if (failed(pm.run(*module)))
      return nullptr;
    atStage(*module, next);
  }
  return module;
}
