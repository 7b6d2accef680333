// kiln-remove-identity: forwards kiln.identity and inference-mode kiln.dropout to their input.
#include "passes/Passes.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "kiln-remove-identity"

namespace mlir::kiln {
#define GEN_PASS_DEF_REMOVEIDENTITYPASS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

// Forwarding is only sound when the types agree exactly: a user such as func.return would
// otherwise see a different type (the importer may have declared a less refined result).
struct ForwardIdentity : OpRewritePattern<IdentityOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IdentityOp op, PatternRewriter &rewriter) const override {
    if (op.getX().getType() != op.getY().getType())
      return rewriter.notifyMatchFailure(op, "input and result types differ");
    rewriter.replaceOp(op, op.getX());
    return success();
  }
};

/// True when `trainingMode` is absent or a constant whose every element is false.
bool isInferenceMode(Value trainingMode) {
  if (shape::isAbsent(trainingMode))
    return true;
  DenseElementsAttr flag;
  if (!matchPattern(trainingMode, m_Constant(&flag)))
    return false;
  return llvm::none_of(flag.getValues<bool>(), [](bool b) { return b; });
}

struct ForwardInferenceDropout : OpRewritePattern<DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutOp op, PatternRewriter &rewriter) const override {
    if (!isInferenceMode(op.getTrainingMode()))
      return rewriter.notifyMatchFailure(op, "training mode may be on");
    // A used mask (all true in inference) would need a constant of its shape; leave that
    // to constant folding rather than invent one here.
    if (!op.getMask().use_empty())
      return rewriter.notifyMatchFailure(op, "mask is used");
    if (op.getData().getType() != op.getOutput().getType())
      return rewriter.notifyMatchFailure(op, "input and result types differ");
    rewriter.replaceAllUsesWith(op.getOutput(), op.getData());
    rewriter.eraseOp(op);
    return success();
  }
};

struct RemoveIdentityPass : kiln::impl::RemoveIdentityPassBase<RemoveIdentityPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ForwardIdentity, ForwardInferenceDropout>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
