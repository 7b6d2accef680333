// Public entry points of kiln's graph passes: registration, options and create functions.
#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::kiln {

// Options structs and create functions: create<Name>Pass() and create<Name>Pass(options).
#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

// Defines registerKilnPasses(), which makes every kiln pass known to the global registry
// (kiln-opt, textual pipelines).
#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::kiln

#endif // KILN_PASSES_PASSES_H
