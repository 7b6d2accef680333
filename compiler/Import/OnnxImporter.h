// Public entry points of the ONNX importer: ModelProto -> a module in the kiln dialect.
#ifndef KILN_IMPORT_ONNXIMPORTER_H
#define KILN_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace onnx {
class ModelProto;
}

namespace kiln {

/// Registers what imported modules use (kiln and func dialects) on `context`.
void loadImportDialects(mlir::MLIRContext &context);

/// Reads and imports the model at `path`; external tensor data is resolved relative to
/// the model's folder. Problems are emitted as diagnostics on `context` (one per
/// unsupported node, all at once) and the result is null.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path);

/// Imports an already parsed model. `modelDir` resolves external data; `displayName`
/// is the file name used in locations and diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(mlir::MLIRContext &context,
                                                  const onnx::ModelProto &model,
                                                  llvm::StringRef modelDir,
                                                  llvm::StringRef displayName);

} // namespace kiln

#endif // KILN_IMPORT_ONNXIMPORTER_H
