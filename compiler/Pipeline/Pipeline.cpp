// Assembles kiln's pass pipeline stage by stage (see DESIGN.md's pipeline table).
#include "compiler/Pipeline/Pipeline.h"

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

namespace kiln {

std::optional<Stage> parseStage(llvm::StringRef name) {
  if (name == "onnx")
    return Stage::Onnx;
  if (name == "static")
    return Stage::Static;
  if (name == "fused")
    return Stage::Fused;
  return std::nullopt;
}

std::vector<std::string> stageNames() { return {"onnx", "static", "fused"}; }

namespace {

/// static: pin shapes, then clean the graph up (pinned values, options.consts, are
/// constants from the import on). matmul-bias runs before simplify-shapes because the
/// reshapes it adds merge with their neighbours.
void buildStaticStage(mlir::OpPassManager &func, const PipelineOptions &options) {
  mlir::kiln::SpecializeShapesPassOptions specialize;
  specialize.shapes.assign(options.shapes.begin(), options.shapes.end());
  specialize.batch = options.batch;
  func.addPass(mlir::kiln::createSpecializeShapesPass(specialize));
  func.addPass(mlir::kiln::createRemoveIdentityPass());
  func.addPass(mlir::kiln::createFoldBatchNormPass());
  func.addPass(mlir::kiln::createMatMulBiasPass());
  func.addPass(mlir::kiln::createSimplifyShapesPass());
  func.addPass(mlir::createCanonicalizerPass());
  func.addPass(mlir::createCSEPass());
}

} // namespace

void buildKilnPipeline(mlir::OpPassManager &pm, const PipelineOptions &options, Stage stage, Stage from) {
  if (stage <= from)
    return;
  mlir::OpPassManager &func = pm.nest<mlir::func::FuncOp>();
  if (from == Stage::Onnx)
    buildStaticStage(func, options);
  if (stage == Stage::Static || !options.fuse)
    return;
  // fused: regions, one kernel each.
  func.addPass(mlir::kiln::createFuseRegionsPass());
}

} // namespace kiln
