// Window geometry shared by the convolution and pooling generators: the spatial extents,
// kernel, strides, dilations and pads of an N x C x D1..Dn op, and the walk over its
// kernel positions (unrolled with constant positions for small windows, a loop otherwise).
#ifndef KILN_CODEGEN_KERNELS_WINDOW_H
#define KILN_CODEGEN_KERNELS_WINDOW_H

#include "codegen/Kernels/KernelBuilder.h"
#include "codegen/Kernels/OpAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace kiln::codegen {

/// Spatial geometry of a window op (N x C x D1..Dn layouts).
struct Window {
  llvm::SmallVector<int64_t> in, out, kernel, strides, dilations, padBegin, padEnd;
  size_t rank() const { return in.size(); }
};

/// Fills w.padBegin/padEnd from `op` (in, kernel, strides and dilations set): explicit
/// pads, SAME_UPPER/SAME_LOWER derived pads, or none for VALID, by the reference
/// evaluator's own rule so both paths pad alike.
inline void windowPads(mlir::Operation *op, Window &w) {
  ref::util::windowPads(op, w.in, w.kernel, w.strides, w.dilations, w.padBegin, w.padEnd);
}

/// Windows of at most this many kernel positions are unrolled.
constexpr int64_t kUnrollTaps = 64;

/// a && b where either may be null (meaning true).
inline mlir::Value andI(KernelBuilder &kb, mlir::Value a, mlir::Value b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return mlir::arith::AndIOp::create(kb.b(), kb.loc(), a, b);
}

/// Runs `body(kk, kd, kConst, carried)` over every kernel position of `w` in row-major
/// order: kk is the linear position, kd its coordinates; kConst holds them as constants
/// when the walk is unrolled (at most kUnrollTaps positions) and is empty in a loop.
/// Returns the carried values after the last position.
inline llvm::SmallVector<mlir::Value> forEachKernelPosition(
    KernelBuilder &kb, const Window &w, llvm::SmallVector<mlir::Value> init,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value kk, llvm::ArrayRef<mlir::Value> kd,
                                                      llvm::ArrayRef<int64_t> kConst,
                                                      mlir::ValueRange carried)>
        body) {
  int64_t ksp = product(w.kernel);
  if (ksp <= kUnrollTaps) {
    for (int64_t kk = 0; kk < ksp; ++kk) {
      llvm::SmallVector<int64_t> kpos(w.rank());
      int64_t v = kk;
      for (int64_t d = static_cast<int64_t>(w.rank()) - 1; d >= 0; --d) {
        kpos[d] = v % w.kernel[d];
        v /= w.kernel[d];
      }
      llvm::SmallVector<mlir::Value> kd;
      for (int64_t k : kpos)
        kd.push_back(kb.idx(k));
      init = body(kb.idx(kk), kd, kpos, init);
    }
    return init;
  }
  return kb.forLoopCarry(kb.idx(0), kb.idx(ksp), kb.idx(1), init,
                         [&](mlir::Value kk, mlir::ValueRange carried) {
                           llvm::SmallVector<mlir::Value> kd = kb.delinearize(kk, w.kernel);
                           return body(kk, kd, {}, carried);
                         });
}

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_WINDOW_H
