// Prints diagnostics in kiln's format (see NodeLocation.h).
#include "Diagnostics.h"

#include "compiler/Import/NodeLocation.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

::kiln::cli::StderrDiagnostics::StderrDiagnostics(MLIRContext &context)
    : handler(&context, [this](Diagnostic &diag) {
        if (diag.getSeverity() == DiagnosticSeverity::Error)
          ++errors;
        llvm::errs() << ::kiln::formatDiagnostic(diag) << "\n";
        return success();
      }) {}
