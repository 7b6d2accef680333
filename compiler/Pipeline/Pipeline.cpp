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
  return std::nullopt;
}

std::vector<std::string> stageNames() { return {"onnx", "static"}; }

void buildKilnPipeline(mlir::OpPassManager &pm, const PipelineOptions &options, Stage stage) {
  if (stage == Stage::Onnx)
    return;
  // static: pin shapes, then clean the graph up (pinned values, options.consts, are
  // constants from the import on). matmul-bias runs before
  // simplify-shapes because the reshapes it adds merge with their neighbours.
  mlir::kiln::SpecializeShapesPassOptions specialize;
  specialize.shapes.assign(options.shapes.begin(), options.shapes.end());
  specialize.batch = options.batch;
  mlir::OpPassManager &func = pm.nest<mlir::func::FuncOp>();
  func.addPass(mlir::kiln::createSpecializeShapesPass(specialize));
  func.addPass(mlir::kiln::createRemoveIdentityPass());
  func.addPass(mlir::kiln::createFoldBatchNormPass());
  func.addPass(mlir::kiln::createMatMulBiasPass());
  func.addPass(mlir::kiln::createSimplifyShapesPass());
  func.addPass(mlir::createCanonicalizerPass());
  func.addPass(mlir::createCSEPass());
}

} // namespace kiln
