// Builds a kiln.reshape to a static type with its shape as a constant operand.
#include "passes/StaticReshape.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;

Value mlir::kiln::createStaticReshape(OpBuilder &builder, Location loc, Value data,
                                      RankedTensorType type) {
  ArrayRef<int64_t> dims = type.getShape();
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                         builder.getI64Type());
  Value shape = ConstantOp::create(builder, loc, DenseIntElementsAttr::get(shapeType, dims));
  // With allowzero = 0 a 0 in the shape would copy the input's dimension instead of
  // meaning an empty axis.
  uint64_t allowZero = llvm::is_contained(dims, 0) ? 1 : 0;
  return ReshapeOp::create(builder, loc, type, data, shape, allowZero);
}
