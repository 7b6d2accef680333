// Folds kiln ops with compile-time-known values into kiln.constant, running the reference
// evaluator's kernel for the op so that folding and the oracle share one semantics.
#include "passes/FoldConstants.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"
#include "compiler/Reference/Evaluator.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool isStatic(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  return ranked && ranked.hasStaticShape();
}

/// kiln.shape / kiln.size only read their operand's (static) type.
std::optional<DenseElementsAttr> foldShapeQuery(Operation *op) {
  auto i64 = IntegerType::get(op->getContext(), 64);
  if (auto shapeOp = dyn_cast<ShapeOp>(op)) {
    auto input = shapeOp.getData().getType();
    auto result = dyn_cast<RankedTensorType>(shapeOp.getShape().getType());
    if (!input.hasStaticShape() || !result || !result.hasStaticShape())
      return std::nullopt;
    int64_t rank = input.getRank();
    auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t(0), rank); };
    int64_t start = clamp(shapeOp.getStart());
    int64_t end = clamp(shapeOp.getEnd().value_or(rank));
    SmallVector<int64_t> dims;
    for (int64_t d = start; d < end; ++d)
      dims.push_back(input.getDimSize(d));
    if (static_cast<int64_t>(dims.size()) != result.getNumElements())
      return std::nullopt;
    return DenseElementsAttr::get(RankedTensorType::get(result.getShape(), i64),
                                  ArrayRef<int64_t>(dims));
  }
  if (auto sizeOp = dyn_cast<SizeOp>(op)) {
    auto input = sizeOp.getData().getType();
    if (!input.hasStaticShape())
      return std::nullopt;
    return DenseElementsAttr::get(RankedTensorType::get({}, i64), input.getNumElements());
  }
  return std::nullopt;
}

} // namespace

LogicalResult mlir::kiln::foldToConstants(Operation *op, SmallVectorImpl<Value> *replacements) {
  if (isa<ConstantOp, NoneOp>(op) || op->getNumResults() == 0)
    return success();
  OpBuilder builder(op);

  if (auto value = foldShapeQuery(op)) {
    Value constant = ConstantOp::create(builder, op->getLoc(), *value);
    op->getResult(0).replaceAllUsesWith(constant);
    if (replacements)
      replacements->push_back(constant);
    op->erase();
    return success();
  }

  // Every operand a constant (or none), every result a static tensor or an unused none.
  SmallVector<ElementsAttr> values;
  bool sharedInput = false;
  for (Value operand : op->getOperands()) {
    if (shape::isAbsent(operand)) {
      values.push_back({});
      continue;
    }
    Attribute attr;
    if (!matchPattern(operand, m_Constant(&attr)) || !isa<ElementsAttr>(attr))
      return success();
    values.push_back(cast<ElementsAttr>(attr));
    sharedInput |= !operand.hasOneUse();
  }
  int64_t resultElements = 0;
  for (Value result : op->getResults()) {
    if (isa<NoneType>(result.getType())) {
      if (!result.use_empty())
        return success();
      continue;
    }
    if (!isStatic(result.getType()))
      return success();
    auto type = cast<RankedTensorType>(result.getType());
    std::optional<int64_t> n = shape::checkedNumElements(type.getShape());
    if (!n)
      return op->emitOpError() << "result " << type << " has more than " << shape::kMaxTensorElementsText
                               << " elements";
    resultElements += *n;
  }
  if ((sharedInput && resultElements > kFoldLimitElements) || resultElements > kMaxFoldElements)
    return success();
  auto kernel = ::kiln::ref::kernelTable().lookup(op->getName().getStringRef());
  if (!kernel)
    return success();

  std::vector<::kiln::ref::Tensor> inputs;
  inputs.reserve(values.size());
  SmallVector<const ::kiln::ref::Tensor *> operands;
  for (ElementsAttr value : values)
    inputs.push_back(value ? ::kiln::ref::Tensor::fromAttr(value) : ::kiln::ref::Tensor());
  for (auto [value, tensor] : llvm::zip(values, inputs))
    operands.push_back(value ? &tensor : nullptr);
  std::vector<::kiln::ref::Tensor> results;
  for (Value result : op->getResults()) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type) {
      results.emplace_back();
      continue;
    }
    auto dtype = ::kiln::ref::dtypeOf(type.getElementType());
    if (!dtype)
      return success();
    results.emplace_back(*dtype, type.getShape());
  }
  if (failed(kernel(op, operands, results)))
    return failure();

  for (auto [result, tensor] : llvm::zip(op->getResults(), results)) {
    if (isa<NoneType>(result.getType())) {
      if (replacements)
        replacements->push_back(Value());
      continue;
    }
    Value constant = ConstantOp::create(builder, op->getLoc(), tensor.toAttr(op->getContext()));
    result.replaceAllUsesWith(constant);
    if (replacements)
      replacements->push_back(constant);
  }
  op->erase();
  return success();
}
