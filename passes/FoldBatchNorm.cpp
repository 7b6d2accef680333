// kiln-fold-batchnorm: folds inference BatchNormalization into the weights and bias of the
// Conv or Gemm that feeds it.
#include "passes/Passes.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

#define DEBUG_TYPE "kiln-fold-batchnorm"

namespace mlir::kiln {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// BN as y = x * factor[c] + shift[c]: factor = scale / sqrt(var + eps),
/// shift = B - mean * factor, so a producer bias b becomes (b - mean) * factor + B.
struct BatchNormAffine {
  SmallVector<double> factor, mean, bias;
};

/// The per-channel constants of `bn`, or nothing when any is not a constant of `channels`
/// elements or the statistics outputs are used.
std::optional<BatchNormAffine> getAffine(BatchNormalizationOp bn, int64_t channels) {
  if (!bn.getRunningMean().use_empty() || !bn.getRunningVar().use_empty())
    return std::nullopt;
  auto scale = shape::constantFloats(bn.getScale());
  auto b = shape::constantFloats(bn.getB());
  auto mean = shape::constantFloats(bn.getInputMean());
  auto var = shape::constantFloats(bn.getInputVar());
  if (!scale || !b || !mean || !var)
    return std::nullopt;
  for (auto *v : {&*scale, &*b, &*mean, &*var})
    if (static_cast<int64_t>(v->size()) != channels)
      return std::nullopt;
  BatchNormAffine affine;
  // epsilon is stored as f32; widening it exactly keeps the result identical to an
  // evaluator that computes var + eps in double.
  double eps = bn.getEpsilon().convertToFloat();
  for (int64_t c = 0; c < channels; ++c)
    affine.factor.push_back((*scale)[c] / std::sqrt((*var)[c] + eps));
  affine.mean = std::move(*mean);
  affine.bias = std::move(*b);
  return affine;
}

/// f32 and f64 only. With f16/bf16 weights, W * factor would be rounded to the narrow type
/// while the unfolded graph applies BN's factor separately (often in a wider type); whether
/// that error is acceptable is a precision-mode decision, not this pass's.
bool isFoldableElementType(Type t) { return t.isF32() || t.isF64(); }

DenseElementsAttr makeFloats(RankedTensorType type, ArrayRef<double> values) {
  if (type.getElementType().isF64())
    return DenseElementsAttr::get(type, values);
  SmallVector<float> narrowed(values.begin(), values.end());
  return DenseElementsAttr::get(type, ArrayRef<float>(narrowed));
}

/// Gives the producer's clone the BN result's type and takes the BN's place.
void replaceWithProducer(PatternRewriter &rewriter, BatchNormalizationOp bn, Operation *producer,
                         function_ref<void(Operation *)> update) {
  Operation *folded = rewriter.clone(*producer);
  rewriter.modifyOpInPlace(folded, [&] {
    update(folded);
    folded->getResult(0).setType(bn.getY().getType());
    // Both ONNX nodes stay named in diagnostics and profiles of the folded op.
    folded->setLoc(rewriter.getFusedLoc({producer->getLoc(), bn.getLoc()}));
  });
  // getAffine checked that the statistics results are unused, so only Y has users.
  rewriter.replaceAllUsesWith(bn.getY(), folded->getResult(0));
  rewriter.eraseOp(bn);
  rewriter.eraseOp(producer);
}

struct FoldIntoConv : OpRewritePattern<BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormalizationOp bn, PatternRewriter &rewriter) const override {
    auto conv = bn.getX().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "X is not a single-use conv");
    auto wType = cast<RankedTensorType>(conv.getW().getType());
    if (!isFoldableElementType(wType.getElementType()) || !wType.hasStaticShape())
      return rewriter.notifyMatchFailure(bn, "weight type is not f32/f64 or not static");
    auto w = shape::constantFloats(conv.getW());
    if (!w)
      return rewriter.notifyMatchFailure(bn, "weight is not constant");
    int64_t channels = wType.getDimSize(0);
    std::optional<SmallVector<double>> b;
    if (shape::isAbsent(conv.getB()))
      b = SmallVector<double>(channels, 0.0);
    else
      b = shape::constantFloats(conv.getB());
    if (!b || static_cast<int64_t>(b->size()) != channels)
      return rewriter.notifyMatchFailure(bn, "conv bias is not a constant per channel");
    auto affine = getAffine(bn, channels);
    if (!affine)
      return rewriter.notifyMatchFailure(bn, "BN operands are not constant per channel");

    int64_t perChannel = channels ? wType.getNumElements() / channels : 0;
    for (int64_t m = 0; m < channels; ++m) {
      for (int64_t i = 0; i < perChannel; ++i)
        (*w)[m * perChannel + i] *= affine->factor[m];
      (*b)[m] = ((*b)[m] - affine->mean[m]) * affine->factor[m] + affine->bias[m];
    }
    auto bType = RankedTensorType::get({channels}, wType.getElementType());
    Value newW = ConstantOp::create(rewriter, conv.getW().getLoc(), makeFloats(wType, *w));
    Value newB = ConstantOp::create(rewriter, bn.getLoc(), makeFloats(bType, *b));
    replaceWithProducer(rewriter, bn, conv, [&](Operation *folded) {
      folded->setOperand(1, newW);
      folded->setOperand(2, newB);
    });
    return success();
  }
};

struct FoldIntoGemm : OpRewritePattern<BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormalizationOp bn, PatternRewriter &rewriter) const override {
    auto gemm = bn.getX().getDefiningOp<GemmOp>();
    if (!gemm || !gemm->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "X is not a single-use gemm");
    auto bType = cast<RankedTensorType>(gemm.getB().getType());
    if (!isFoldableElementType(bType.getElementType()) || !bType.hasStaticShape())
      return rewriter.notifyMatchFailure(bn, "weight type is not f32/f64 or not static");
    auto weights = shape::constantFloats(gemm.getB());
    if (!weights)
      return rewriter.notifyMatchFailure(bn, "B is not constant");
    bool transB = gemm.getTransB() != 0;
    int64_t rows = bType.getDimSize(0), cols = bType.getDimSize(1);
    int64_t n = transB ? rows : cols;

    // C broadcasts to M x N; only forms that are one value per column (or a scalar)
    // can absorb a per-column shift.
    double beta = gemm.getBeta().convertToFloat();
    SmallVector<double> c(n, 0.0);
    if (!shape::isAbsent(gemm.getC())) {
      auto cType = cast<RankedTensorType>(gemm.getC().getType());
      auto values = shape::constantFloats(gemm.getC());
      bool perColumn = cType.getRank() >= 1 && cType.getDimSize(cType.getRank() - 1) == n &&
                       (cType.getRank() == 1 || cType.getDimSize(0) == 1);
      bool scalar = cType.hasStaticShape() && cType.getNumElements() == 1;
      if (!values || !(perColumn || scalar))
        return rewriter.notifyMatchFailure(bn, "C is not a constant scalar or row");
      for (int64_t j = 0; j < n; ++j)
        c[j] = beta * (scalar ? (*values)[0] : (*values)[j]);
    }
    auto affine = getAffine(bn, n);
    if (!affine)
      return rewriter.notifyMatchFailure(bn, "BN operands are not constant per column");

    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < cols; ++k)
        (*weights)[r * cols + k] *= affine->factor[transB ? r : k];
    for (int64_t j = 0; j < n; ++j)
      c[j] = (c[j] - affine->mean[j]) * affine->factor[j] + affine->bias[j];
    auto cType = RankedTensorType::get({n}, bType.getElementType());
    Value newB = ConstantOp::create(rewriter, gemm.getB().getLoc(), makeFloats(bType, *weights));
    Value newC = ConstantOp::create(rewriter, bn.getLoc(), makeFloats(cType, c));
    replaceWithProducer(rewriter, bn, gemm, [&](Operation *folded) {
      auto clone = cast<GemmOp>(folded);
      clone->setOperand(1, newB);
      clone->setOperand(2, newC);
      // beta is folded into C above.
      clone.setBetaAttr(rewriter.getF32FloatAttr(1.0f));
    });
    return success();
  }
};

struct FoldBatchNormPass : kiln::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv, FoldIntoGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
