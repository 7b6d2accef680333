// Routes MLIR diagnostics to stderr in kiln's one-line format.
#ifndef KILN_TOOLS_KILN_DIAGNOSTICS_H
#define KILN_TOOLS_KILN_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

namespace kiln::cli {

/// While alive, prints every diagnostic as `model.onnx: node 'n' (Op): message`.
class StderrDiagnostics {
public:
  explicit StderrDiagnostics(mlir::MLIRContext &context);
  size_t errorCount() const { return errors; }

private:
  mlir::ScopedDiagnosticHandler handler;
  size_t errors = 0;
};

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_DIAGNOSTICS_H
