// The GEMM engine every contraction runs on: a shared-memory tiled SIMT kernel (with a
// matrix-vector form and split-K), fed through callbacks that load operands and store
// results, so MatMul, Gemm and implicit-GEMM Conv differ only in their addressing.
#ifndef KILN_CODEGEN_KERNELS_GEMM_H
#define KILN_CODEGEN_KERNELS_GEMM_H

#include "codegen/Kernels/KernelBuilder.h"

#include "mlir/IR/Operation.h"

#include <functional>

namespace kiln::codegen {

/// Y[b] (M x N) = A[b] (M x K) * B[b] (K x N), each block computing a BM x BN tile with
/// BM/TM x BN/TN threads, each thread a TM x TN register micro-tile at rows
/// ty + i*(BM/TM) and columns tx + j*(BN/TN) (so that shared-memory reads are broadcast
/// along A and consecutive along B, and stores are consecutive along N). A and B tiles
/// of depth BK are staged in shared memory, k-major, with one padding column against
/// bank conflicts. Operand access goes through callbacks, which is what lets Conv gather
/// input patches as B; they get the builder of the kernel being emitted, whose first
/// parameters are the op's buffers in the order the caller gave them.
struct GemmSpec {
  int64_t batch = 1, M = 0, N = 0, K = 0;
  mlir::Type acc;       // accumulator (compute) type
  /// Instructions beyond a plain load that staging one element of A or B costs (Conv's
  /// patch gather of B: coordinates, bounds, padding); they weigh the tile choice.
  double aStageCost = 0, bStageCost = 0;
  bool aKContig = true; // consecutive k of a row of A are adjacent in memory
  bool bNContig = true; // consecutive n of a row of B are adjacent in memory
  std::function<mlir::Value(KernelBuilder &kb, mlir::Value b, mlir::Value row, mlir::Value k)> loadA;
  /// B's element (k0 + kIn, col). The tiled kernel passes its k tile's first index as
  /// k0 and the offset in the tile as kIn, so what depends on k0 alone is computed once
  /// per tile; when the tile depth divides kGroup, k0 .. k0 + kIn never crosses a
  /// multiple of kGroup (otherwise, and in the matrix-vector kernel, kIn is 0).
  std::function<mlir::Value(KernelBuilder &kb, mlir::Value b, mlir::Value k0, mlir::Value kIn, mlir::Value col)>
      loadB;
  int64_t kGroup = 1;
  /// Where results go: parameter `out` at element offset outOffset(b, row, col), the
  /// value finish(b, row, col, acc) for the finished dot product acc (any epilogue
  /// applied, converted to the element type of `out`).
  unsigned out = 0;
  std::function<mlir::Value(KernelBuilder &kb, mlir::Value b, mlir::Value row, mlir::Value col)> outOffset;
  std::function<mlir::Value(KernelBuilder &kb, mlir::Value b, mlir::Value row, mlir::Value col, mlir::Value acc)>
      finish;
  /// When set, finished values go to storeOut(offset, values) instead of `out` (a fused
  /// epilogue): one value, or a run of adjacent ones (as for `out`, see quadColumns).
  std::function<void(KernelBuilder &kb, mlir::Value offset, llvm::ArrayRef<mlir::Value> values)> storeOut;
  /// Set when columns col .. col+3 of a row are adjacent in `out`, and col's offset a
  /// multiple of 4, for every col that is a multiple of 4 (and so likewise for runs of
  /// 2): the tiled kernel may then store such runs as one vector.
  bool quadColumns = false;
};

/// Emits the kernels of a GEMM over `buffers` (bound in this order) and appends their
/// launches: a matrix-vector kernel, one tiled kernel, or a split-K tiled kernel and
/// the kernel that sums its slices. Errors (a malformed KILN_GEMM, too many blocks) are
/// reported on `op`.
mlir::LogicalResult emitGemm(mlir::Operation *op, KernelModule &km, llvm::StringRef name,
                             llvm::ArrayRef<mlir::Value> buffers, const GemmSpec &s,
                             llvm::SmallVectorImpl<Launch> &launches);

/// Scalar arithmetic in a float or integer accumulator type, as the GEMM does it:
/// a + b, a * b, and acc + a * b (floats as one fused multiply-add: one rounding, as
/// cuBLAS's SIMT kernels; without it LLVM keeps mul.rn + add.rn apart).
mlir::Value addS(KernelBuilder &kb, mlir::Value a, mlir::Value b);
mlir::Value mulS(KernelBuilder &kb, mlir::Value a, mlir::Value b);
mlir::Value madd(KernelBuilder &kb, mlir::Value acc, mlir::Value a, mlir::Value b);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_GEMM_H
