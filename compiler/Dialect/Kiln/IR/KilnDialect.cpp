// Registers the kiln dialect's ops and materializes folded constants as kiln.constant.
#include "compiler/Dialect/Kiln/IR/KilnDialect.h"
#include "compiler/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

#include "compiler/Dialect/Kiln/IR/KilnDialect.cpp.inc"
#include "compiler/Dialect/Kiln/IR/KilnInterfaces.cpp.inc"

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "compiler/Dialect/Kiln/IR/KilnOps.cpp.inc"
      >();
}

Operation *KilnDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                            Location loc) {
  if (isa<NoneType>(type))
    return NoneOp::create(builder, loc);
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
