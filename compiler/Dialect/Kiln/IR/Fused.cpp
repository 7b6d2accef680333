// kiln.fused: the verifier of fused regions and their root.
#include "compiler/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

bool FusedOp::isKnownKind(StringRef kind) { return kind == "elementwise" || kind == "contraction"; }

bool FusedOp::isView(Operation *op) { return isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op); }
bool FusedOp::isIndexMap(Operation *op) { return isa<TransposeOp, SliceOp, ExpandOp>(op); }

Operation *FusedOp::root() {
  for (Operation &op : getBody().front())
    if (!op.hasTrait<mlir::kiln::OpTrait::ElementwiseMap>() && !isView(&op) && !isIndexMap(&op) &&
        !isa<ConstantOp, NoneOp, YieldOp>(op))
      return &op;
  return nullptr;
}

LogicalResult FusedOp::verify() {
  if (!isKnownKind(getKind()))
    return emitOpError() << "unknown kind '" << getKind() << "' (expected elementwise or contraction)";
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "body has " << body.getNumArguments() << " arguments for " << getInputs().size()
                         << " inputs";
  for (auto [i, arg, input] : llvm::enumerate(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError() << "body argument #" << i << " is " << arg.getType() << " but input #" << i << " is "
                           << input.getType();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError() << "body must end in kiln.yield";
  if (yield.getNumOperands() != getNumResults())
    return emitOpError() << "yields " << yield.getNumOperands() << " values for " << getNumResults() << " results";
  for (auto [i, v, r] : llvm::enumerate(yield.getOperands(), getResults()))
    if (v.getType() != r.getType())
      return emitOpError() << "yields " << v.getType() << " as result #" << i << " of type " << r.getType();
  int roots = 0;
  for (Operation &op : body.without_terminator()) {
    if (isa<FusedOp>(op) || op.getNumRegions() != 0)
      return op.emitOpError() << "cannot be inside a kiln.fused region";
    if (!op.getDialect() || op.getDialect()->getNamespace() != "kiln")
      return op.emitOpError() << "is not a kiln op: a fused region holds kiln ops only";
    if (op.hasTrait<mlir::kiln::OpTrait::ElementwiseMap>() || isView(&op) || isa<ConstantOp, NoneOp>(op))
      continue;
    if (getKind() == "elementwise")
      return op.emitOpError() << "is not elementwise, in an elementwise region";
    if (isIndexMap(&op)) {
      // An operand prologue: what it computes is read by the root's operand loads.
      if (llvm::any_of(op.getResult(0).getUsers(), [](Operation *u) { return isa<YieldOp>(u); }))
        return op.emitOpError() << "is an operand prologue of the region's root and cannot be yielded";
      continue;
    }
    if (!isa<ConvOp, GemmOp, MatMulOp>(op))
      return op.emitOpError() << "cannot be the root of a contraction region (Conv, Gemm or MatMul can)";
    ++roots;
  }
  if (getKind() == "contraction" && roots != 1)
    return emitOpError() << "a contraction region needs exactly one root, found " << roots;
  return success();
}
