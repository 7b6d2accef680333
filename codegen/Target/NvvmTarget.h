// NVVM lowering and PTX (and optional cubin) emission for kiln's gpu.module, in-process.
#ifndef KILN_CODEGEN_TARGET_NVVMTARGET_H
#define KILN_CODEGEN_TARGET_NVVMTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::codegen {

/// Adds the dialects, to-LLVM interfaces and LLVM IR translations the lowering needs.
void registerTargetDialects(mlir::MLIRContext &context);

/// The SM number of "sm_NN" when it is one kiln targets (80, 86, 89, 90), else nullopt.
std::optional<unsigned> parseArch(llvm::StringRef arch);

/// libdevice's path: `explicitPath` when given, else $KILN_LIBDEVICE, $CUDA_HOME,
/// $CUDA_PATH and /usr/local/cuda (nvvm/libdevice/libdevice.10.bc). Empty when none exists.
std::string findLibdevice(llvm::StringRef explicitPath);
/// ptxas's path: $KILN_PTXAS, $CUDA_HOME/bin, /usr/local/cuda/bin, then PATH. Empty if none.
std::string findPtxas();

/// Lowers every gpu.module in `module` to the LLVM/NVVM dialects (in place), attaching an
/// NVVM target for `arch` that links `libdevice` when non-empty.
mlir::LogicalResult lowerToNvvm(mlir::ModuleOp module, llvm::StringRef arch, llvm::StringRef libdevice);

/// Serializes the lowered gpu.module to PTX text through LLVM's NVPTX backend (replacing it
/// with a gpu.binary). Fails with a diagnostic naming the math functions that need
/// libdevice when it was not linked.
mlir::FailureOr<std::string> serializeToPtx(mlir::ModuleOp module, bool haveLibdevice);

/// Resources ptxas reported for one kernel.
struct KernelResources {
  std::string name;
  unsigned registers = 0;
  unsigned sharedBytes = 0; // static shared memory
  unsigned spillBytes = 0;
};

/// Assembles `ptx` for `arch` with ptxas (at `ptxas`), returning the cubin and the
/// per-kernel resources ptxas reported. Errors (ptxas output included) go to `error`.
bool assemblePtx(const std::string &ptxas, const std::string &ptx, llvm::StringRef arch,
                 std::vector<uint8_t> &cubin, std::vector<KernelResources> &resources, std::string &error);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_TARGET_NVVMTARGET_H
