// The compilation stages kiln can stop at and the pass pipeline that reaches each one.
#ifndef KILN_PIPELINE_PIPELINE_H
#define KILN_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// Stages in pipeline order; `--emit=NAME` prints the IR after that stage.
enum class Stage { Onnx, Static, Fused };

/// The stage called `name`, or nullopt.
std::optional<Stage> parseStage(llvm::StringRef name);
/// Every stage name, in pipeline order (for --help and validation).
std::vector<std::string> stageNames();

struct PipelineOptions {
  /// "name=D0xD1x..." input shapes for specialization.
  std::vector<std::string> shapes;
  /// Size of every input's dynamic leading dimension (0: unset).
  int64_t batch = 0;
  /// "name=VALUE" or "name=FILE.npy": inputs replaced by constants (--const). The
  /// importer applies them (ImportOptions::consts), so every stage sees the constants.
  std::vector<std::string> consts;
  /// Group ops into kiln.fused regions (the `fused` stage); false keeps one kernel per
  /// op (--no-fuse), for A/B comparisons and bisecting.
  bool fuse = true;
};

/// Adds the passes that take IR at stage `from` (imported IR: `onnx`) to `stage` to
/// `pm`, which must be anchored on builtin.module.
void buildKilnPipeline(mlir::OpPassManager &pm, const PipelineOptions &options, Stage stage,
                       Stage from = Stage::Onnx);

} // namespace kiln

#endif // KILN_PIPELINE_PIPELINE_H
