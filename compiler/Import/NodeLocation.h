// How ONNX provenance is encoded in MLIR locations, and how diagnostics print it.
#ifndef KILN_IMPORT_NODELOCATION_H
#define KILN_IMPORT_NODELOCATION_H

#include "mlir/IR/Location.h"
#include <string>

namespace kiln {

/// The location of an ONNX node: NameLoc(node name, fused<"OpType">[file]). Unnamed
/// nodes are called "#<index>".
mlir::Location nodeLoc(mlir::MLIRContext &ctx, llvm::StringRef file, llvm::StringRef nodeName,
                       llvm::StringRef opType, size_t index);

/// The location of a graph value (input, initializer): NameLoc(value name, file).
mlir::Location valueLoc(mlir::MLIRContext &ctx, llvm::StringRef file, llvm::StringRef name);

/// "model.onnx: node 'name' (OpType): " for a node location, "model.onnx: value 'x': "
/// for a value, "file:line:col: " for textual IR; empty when the location says nothing.
std::string describeLocation(mlir::Location loc);

/// Renders a diagnostic as a single line in kiln's format, dropping MLIR's
/// "'kiln.op' op " prefix when the location already names the ONNX node.
std::string formatDiagnostic(const mlir::Diagnostic &diag);

} // namespace kiln

#endif // KILN_IMPORT_NODELOCATION_H
