// Public entry points of the ONNX importer: ModelProto -> a module in the kiln dialect.
#ifndef KILN_IMPORT_ONNXIMPORTER_H
#define KILN_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace onnx {
class ModelProto;
}

namespace kiln {

/// What the importer does besides translating.
struct ImportOptions {
  /// "NAME=VALUE" or "NAME=FILE.npy" (kiln's --const): these graph inputs become
  /// constants holding VALUE (parsed by mlir::kiln::parseInputValue against the
  /// input's declared type), so every stage sees them and what depends on them folds.
  std::vector<std::string> consts;
  /// "NAME=D0xD1x..." (kiln's --shape) and the size of every input's dynamic leading
  /// dimension (--batch, 0: unset): applied to the inputs' declared types, so that
  /// what depends on shapes (an If on a size) folds already while importing. Shape
  /// specialization applies the same pins again and reports bad specs.
  std::vector<std::string> shapes;
  int64_t batch = 0;
};

/// Registers what imported modules use (kiln and func dialects) on `context`.
void loadImportDialects(mlir::MLIRContext &context);

/// Reads and imports the model at `path`; external tensor data is resolved relative to
/// the model's folder. Problems are emitted as diagnostics on `context` (one per
/// unsupported node, all at once) and the result is null.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path,
                                                 const ImportOptions &options = {});

/// Imports an already parsed model. `modelDir` resolves external data; `displayName`
/// is the file name used in locations and diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(mlir::MLIRContext &context,
                                                  const onnx::ModelProto &model,
                                                  llvm::StringRef modelDir,
                                                  llvm::StringRef displayName,
                                                  const ImportOptions &options = {});

} // namespace kiln

#endif // KILN_IMPORT_ONNXIMPORTER_H
