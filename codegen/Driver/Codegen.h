// The back half of kiln: a module at the `static` stage -> GPU kernels -> PTX -> a .kiln plan.
#ifndef KILN_CODEGEN_DRIVER_CODEGEN_H
#define KILN_CODEGEN_DRIVER_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::codegen {

/// The stages after `fused`, in order; `kiln compile --emit=NAME` stops at one. Dot is
/// not a stage but a view: the fused graph with its kernels, for Graphviz.
enum class CodegenStage { Gpu, Llvm, Ptx, Plan, Dot };
std::optional<CodegenStage> parseCodegenStage(llvm::StringRef name);

struct CodegenOptions {
  /// Target GPU: sm_80, sm_86, sm_89 or sm_90.
  std::string arch = "sm_90";
  /// libdevice bitcode; empty: $KILN_LIBDEVICE, $CUDA_HOME/nvvm/libdevice, /usr/local/cuda/...
  std::string libdevice;
  /// Also embed SASS for `arch` (needs ptxas: $KILN_PTXAS, $CUDA_HOME/bin, /usr/local/cuda/bin, PATH).
  bool cubin = false;
  /// When non-empty, every stage's text (gpu.mlir, llvm.ll, kernels.ptx) is written here.
  std::string dumpDir;
  /// Producer string stored in the plan.
  std::string producer = "kiln";
};

/// Lowers `module` (static stage, consumed: it is rewritten in place) to a serialized
/// .kiln plan. Problems are emitted as diagnostics on the offending op.
mlir::LogicalResult compileToPlan(mlir::ModuleOp module, const CodegenOptions &options,
                                  std::vector<uint8_t> &plan);

/// Lowers `module` to `stage` and prints that stage's text to `os` (a summary of the
/// plan for CodegenStage::Plan).
mlir::LogicalResult emitStage(mlir::ModuleOp module, const CodegenOptions &options,
                              CodegenStage stage, llvm::raw_ostream &os);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_DRIVER_CODEGEN_H
