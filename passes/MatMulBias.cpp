// kiln-matmul-bias: fuses MatMul by a constant matrix plus a constant bias Add into one Gemm,
// flattening the leading axes of a static batched left operand around it.
#include "passes/Passes.h"
#include "passes/StaticReshape.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "kiln-matmul-bias"

namespace mlir::kiln {
#define GEN_PASS_DEF_MATMULBIASPASS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool isConstant(Value v) { return matchPattern(v, m_Constant()); }

struct MatMulAddToGemm : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    MatMulOp matmul;
    Value bias;
    for (auto [mine, other] : {std::pair{add.getA(), add.getB()}, {add.getB(), add.getA()}}) {
      if (auto m = mine.getDefiningOp<MatMulOp>(); m && isConstant(other)) {
        matmul = m;
        bias = other;
        break;
      }
    }
    if (!matmul || !matmul->hasOneUse())
      return rewriter.notifyMatchFailure(add, "not a single-use matmul plus a constant");

    auto aType = cast<RankedTensorType>(matmul.getA().getType());
    auto bType = cast<RankedTensorType>(matmul.getB().getType());
    auto biasType = cast<RankedTensorType>(bias.getType());
    auto resultType = cast<RankedTensorType>(add.getC().getType());
    if (!isConstant(matmul.getB()) || bType.getRank() != 2 || !bType.hasStaticShape())
      return rewriter.notifyMatchFailure(add, "matmul weight is not a constant static matrix");
    int64_t k = bType.getDimSize(0), n = bType.getDimSize(1);
    // A bias of another shape (a full matrix, a column) is not Gemm's per-column C.
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != n ||
        biasType.getElementType() != bType.getElementType())
      return rewriter.notifyMatchFailure(add, "bias is not a 1-D tensor of N elements");
    // The add must not broadcast the matmul result any further.
    if (resultType != matmul.getY().getType())
      return rewriter.notifyMatchFailure(add, "add changes the matmul's type");

    Location loc = rewriter.getFusedLoc({matmul.getLoc(), add.getLoc()});
    if (aType.getRank() == 2) {
      rewriter.replaceOp(add, GemmOp::create(rewriter, loc, resultType, matmul.getA(),
                                             matmul.getB(), bias, APFloat(1.0f), APFloat(1.0f)));
      rewriter.eraseOp(matmul);
      return success();
    }
    if (aType.getRank() < 2 || !aType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(add, "A is 1-D or its shape is dynamic");
    int64_t rows = shape::product(aType.getShape().drop_back());
    Value a2d = createStaticReshape(rewriter, loc, matmul.getA(),
                                    RankedTensorType::get({rows, k}, aType.getElementType()));
    auto gemmType = RankedTensorType::get({rows, n}, resultType.getElementType());
    Value gemm = GemmOp::create(rewriter, loc, gemmType, a2d, matmul.getB(), bias,
                                APFloat(1.0f), APFloat(1.0f));
    rewriter.replaceOp(add, createStaticReshape(rewriter, loc, gemm, resultType));
    rewriter.eraseOp(matmul);
    return success();
  }
};

struct MatMulBiasPass : kiln::impl::MatMulBiasPassBase<MatMulBiasPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MatMulAddToGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
