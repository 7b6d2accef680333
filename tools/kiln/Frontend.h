// The front half shared by kiln's subcommands: import a model and run the pipeline to a stage.
#ifndef KILN_TOOLS_KILN_FRONTEND_H
#define KILN_TOOLS_KILN_FRONTEND_H

#include "compiler/Pipeline/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <CLI/CLI.hpp>

namespace kiln::cli {

/// Adds --shape and --batch to `cmd`, filling `options`.
void addShapeOptions(CLI::App *cmd, PipelineOptions &options);

/// Imports `path` and runs the pipeline up to `stage`, calling `atStage` (when given)
/// with the module after each stage it reaches; diagnostics go to the context's handler
/// and the result is null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
loadModel(mlir::MLIRContext &context, const std::string &path, Stage stage, const PipelineOptions &options,
          const std::function<void(mlir::ModuleOp, Stage)> &atStage = {});

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_FRONTEND_H
