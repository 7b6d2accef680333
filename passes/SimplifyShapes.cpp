// kiln-simplify-shapes: static flatten/squeeze/unsqueeze become reshapes; chains of reshapes
// and transposes are merged and no-op ones removed.
#include "passes/Passes.h"
#include "passes/StaticReshape.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "kiln-simplify-shapes"

namespace mlir::kiln {
#define GEN_PASS_DEF_SIMPLIFYSHAPESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool isStatic(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  return ranked && ranked.hasStaticShape();
}

/// flatten, squeeze and unsqueeze only relabel the dimensions of a row-major buffer, so
/// with static types they are all reshapes, which later stages handle in one place.
template <typename OpTy>
struct ToStaticReshape : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    Value input = op->getOperand(0);
    auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!isStatic(input.getType()) || !resultType || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOp(op, createStaticReshape(rewriter, op.getLoc(), input, resultType));
    return success();
  }
};

struct MergeReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getData().getDefiningOp<ReshapeOp>();
    auto resultType = op.getReshaped().getType();
    if (!inner || !isStatic(resultType))
      return rewriter.notifyMatchFailure(op, "not a static reshape of a reshape");
    rewriter.replaceOp(op, createStaticReshape(rewriter, op.getLoc(), inner.getData(),
                                               cast<RankedTensorType>(resultType)));
    return success();
  }
};

struct RemoveNoOpReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    if (!isStatic(op.getData().getType()) || op.getData().getType() != op.getReshaped().getType())
      return rewriter.notifyMatchFailure(op, "changes the shape");
    rewriter.replaceOp(op, op.getData());
    return success();
  }
};

SmallVector<int64_t> permutationOf(TransposeOp op) {
  if (auto perm = op.getPerm())
    return SmallVector<int64_t>(*perm);
  int64_t rank = cast<RankedTensorType>(op.getData().getType()).getRank();
  return llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
}

struct MergeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getData().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "not a transpose of a transpose");
    // Result axis i is the inner result's axis outer[i], which is input axis inner[outer[i]].
    SmallVector<int64_t> outer = permutationOf(op), first = permutationOf(inner), composed;
    for (int64_t axis : outer)
      composed.push_back(first[axis]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getTransposed().getType(), inner.getData(),
                                             rewriter.getDenseI64ArrayAttr(composed));
    return success();
  }
};

/// A transpose that keeps the relative order of every axis of size > 1 leaves the
/// row-major buffer unchanged: it is removed when the types agree (in particular the
/// identity permutation) and becomes a reshape otherwise.
struct RemoveNoOpTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getData().getType());
    auto resultType = cast<RankedTensorType>(op.getTransposed().getType());
    SmallVector<int64_t> perm = permutationOf(op);
    bool identity = llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()));
    if (identity && inputType == resultType) {
      rewriter.replaceOp(op, op.getData());
      return success();
    }
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "moves data or has dynamic shapes");
    int64_t last = -1;
    for (int64_t axis : perm) {
      if (inputType.getDimSize(axis) == 1)
        continue;
      if (axis < last)
        return rewriter.notifyMatchFailure(op, "moves data");
      last = axis;
    }
    if (inputType == resultType)
      rewriter.replaceOp(op, op.getData());
    else
      rewriter.replaceOp(op, createStaticReshape(rewriter, op.getLoc(), op.getData(), resultType));
    return success();
  }
};

struct SimplifyShapesPass : kiln::impl::SimplifyShapesPassBase<SimplifyShapesPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<ToStaticReshape<FlattenOp>, ToStaticReshape<SqueezeOp>,
                 ToStaticReshape<UnsqueezeOp>, MergeReshapes, RemoveNoOpReshape, MergeTransposes,
                 RemoveNoOpTranspose>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
