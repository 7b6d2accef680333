// libFuzzer target: any bytes as an ONNX ModelProto through the importer and the static stage; errors must be diagnostics, never crashes.
#include "compiler/Import/OnnxImporter.h"
#include "compiler/Pipeline/Pipeline.h"
#include "kiln_onnx.pb.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  onnx::ModelProto model;
  if (size > (1u << 20) || !model.ParseFromArray(data, static_cast<int>(size)))
    return 0;
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  bool errors = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    errors |= d.getSeverity() == mlir::DiagnosticSeverity::Error;
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module = kiln::importOnnxModel(context, model, "/nonexistent", "fuzz.onnx");
  if (!module) {
    if (!errors)
      __builtin_trap(); // a refused model must say why
    return 0;
  }
  kiln::PipelineOptions options;
  options.batch = 1;
  mlir::PassManager pm(&context);
  kiln::buildKilnPipeline(pm, options, kiln::Stage::Fused);
  if (failed(pm.run(*module)) && !errors)
    __builtin_trap();
  return 0;
}
