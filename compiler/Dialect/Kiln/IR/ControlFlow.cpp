// kiln.if: its verifier, its constant condition and the result types its branches imply.
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

YieldOp yieldOf(Region &region) { return cast<YieldOp>(region.front().getTerminator()); }

/// Two branch types as one result type: the shared element type and rank, each size
/// where both agree (dynamic where they differ); null when rank or element differ.
RankedTensorType join(RankedTensorType a, RankedTensorType b) {
  if (!a || !b || a.getElementType() != b.getElementType() || a.getRank() != b.getRank())
    return {};
  SmallVector<int64_t> dims;
  for (auto [x, y] : llvm::zip(a.getShape(), b.getShape()))
    dims.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(dims, a.getElementType());
}

} // namespace

std::optional<bool> IfOp::constantCondition() {
  DenseElementsAttr value;
  if (!matchPattern(getCond(), m_Constant(&value)) || value.getNumElements() != 1)
    return std::nullopt;
  return *value.getValues<bool>().begin();
}

LogicalResult IfOp::verify() {
  auto cond = cast<RankedTensorType>(getCond().getType());
  if (cond.hasStaticShape() && cond.getNumElements() != 1)
    return emitOpError() << "condition must hold one element, got " << cond;
  for (Region *region : {&getThenBranch(), &getElseBranch()}) {
    if (region->empty() || !isa<YieldOp>(region->front().getTerminator()))
      return emitOpError() << "each branch must end in kiln.yield";
    YieldOp yield = yieldOf(*region);
    if (yield.getNumOperands() != getNumResults())
      return yield.emitOpError() << "yields " << yield.getNumOperands() << " values but the If has "
                                 << getNumResults() << " results";
  }
  return success();
}

LogicalResult IfOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  std::optional<bool> taken = constantCondition();
  YieldOp thenYield = yieldOf(getThenBranch()), elseYield = yieldOf(getElseBranch());
  for (unsigned i = 0; i < getNumResults(); ++i) {
    auto a = dyn_cast<RankedTensorType>(thenYield.getOperand(i).getType());
    auto b = dyn_cast<RankedTensorType>(elseYield.getOperand(i).getType());
    if (taken) {
      resultTypes.push_back(*taken ? a : b);
      continue;
    }
    RankedTensorType joined = join(a, b);
    if (!joined)
      return emitOpError() << "result #" << i << " is " << a << " in the then branch but " << b
                           << " in the else branch";
    resultTypes.push_back(joined);
  }
  return success();
}
