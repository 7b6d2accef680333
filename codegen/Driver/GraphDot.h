// The fused graph as Graphviz DOT (kiln compile --emit=dot).
#ifndef KILN_CODEGEN_DRIVER_GRAPHDOT_H
#define KILN_CODEGEN_DRIVER_GRAPHDOT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::codegen {

/// Writes the host function of `module` (after kernel generation, whose kiln.kernels
/// attributes name each op's kernels) as a DOT digraph: graph inputs and outputs as
/// ellipses, each op a box with its ONNX node and result type, each kiln.fused region a
/// cluster labelled with its kernel and kind; constants are left out.
void writeDot(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_DRIVER_GRAPHDOT_H
