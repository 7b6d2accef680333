// kiln-remove-identity: forwards kiln.identity, and kiln.dropout where it is the identity (inference mode, or ratio 0), to their input.
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

/// True when `ratio` is a constant whose every element is 0: ONNX's Dropout then keeps
/// every element and scales by 1/(1 - 0), in training mode too (exporters emit it for
/// attention dropout at p = 0).
bool isZeroRatio(Value ratio) {
  DenseElementsAttr value;
  if (shape::isAbsent(ratio) || !matchPattern(ratio, m_Constant(&value)))
    return false; // absent means 0.5
  if (isa<FloatType>(value.getElementType()))
    return llvm::all_of(value.getValues<APFloat>(), [](const APFloat &v) { return v.isZero(); });
  return false;
}

struct ForwardInferenceDropout : OpRewritePattern<DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutOp op, PatternRewriter &rewriter) const override {
    if (!isInferenceMode(op.getTrainingMode()) && !isZeroRatio(op.getRatio()))
      return rewriter.notifyMatchFailure(op, "training mode may be on with a nonzero ratio");
    if (op.getData().getType() != op.getOutput().getType())
      return rewriter.notifyMatchFailure(op, "input and result types differ");
    // The identity keeps every element: a used mask is all true.
    if (!op.getMask().use_empty()) {
      auto maskType = dyn_cast<RankedTensorType>(op.getMask().getType());
      if (!maskType || !maskType.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "mask is used and its shape is not static yet");
      Value mask = ConstantOp::create(rewriter, op.getLoc(), DenseElementsAttr::get(maskType, true));
      rewriter.replaceAllUsesWith(op.getMask(), mask);
    }
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
