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

/// The window of a Conv-like op (Conv, ConvInteger, QLinearConv): spatial sizes from
/// X (`x`), W (`wt`) and Y (`y`), strides, dilations and pads from its attributes.
inline Window convWindow(mlir::Operation *op, mlir::Value x, mlir::Value wt, mlir::Value y) {
  llvm::ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(wt), ys = shapeOf(y);
  size_t r = xs.size() - 2;
  Window w;
  w.in.assign(xs.begin() + 2, xs.end());
  w.out.assign(ys.begin() + 2, ys.end());
  w.kernel.assign(ws.begin() + 2, ws.end());
  w.strides = ref::util::arrayAttrOr(op, "strides", r, 1);
  w.dilations = ref::util::arrayAttrOr(op, "dilations", r, 1);
  windowPads(op, w);
  return w;
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

/// Input position of output position `od` and kernel position `kd` of a Conv: whether it
/// lies inside the input (null when it always does) and its spatial offset there.
/// `kConst` holds the kernel coordinates when they are compile-time constants (else
/// empty), which lets interior taps drop their checks.
inline std::pair<mlir::Value, mlir::Value> convTap(KernelBuilder &kb, const Window &w, llvm::ArrayRef<mlir::Value> od,
                                            llvm::ArrayRef<mlir::Value> kd, llvm::ArrayRef<int64_t> kConst) {
  llvm::SmallVector<int64_t> inStr = rowMajorStrides(w.in);
  mlir::Value inside, offset;
  for (size_t d = 0; d < w.rank(); ++d) {
    int64_t pb = w.padBegin[d];
    mlir::Value tpos = kb.add(kb.mulC(od[d], w.strides[d]), kb.mulC(kd[d], w.dilations[d]));
    int64_t kMin = kConst.empty() ? 0 : kConst[d], kMax = kConst.empty() ? w.kernel[d] - 1 : kConst[d];
    // tpos is never negative: the input coordinate is tpos - pb.
    if (kMin * w.dilations[d] < pb)
      inside = andI(kb, inside, mlir::arith::CmpIOp::create(kb.b(), kb.loc(), mlir::arith::CmpIPredicate::uge, tpos, kb.idx(pb)));
    if ((w.out[d] - 1) * w.strides[d] + kMax * w.dilations[d] - pb >= w.in[d])
      inside = andI(kb, inside, kb.ltC(tpos, w.in[d] + pb));
    mlir::Value coord = pb == 0 ? tpos : kb.sub(tpos, kb.idx(pb));
    mlir::Value term = kb.mulC(coord, inStr[d]);
    offset = offset ? kb.add(offset, term) : term;
  }
  return {inside, offset ? offset : kb.idx(0)};
}

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_WINDOW_H
