// kiln.fused regions: an elementwise region becomes one loop kernel; a contraction
// region becomes its root's kernels with the region's elementwise ops as their
// epilogue. Launch buffers are then rebound from the body's values to the region's
// operands and results (constants defined in the body stay, as weights).
#include "codegen/Kernels/ElementwiseProgram.h"
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "llvm/ADT/DenseSet.h"

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {


LogicalResult generateFused(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto fused = cast<k::FusedOp>(op);
  Block &body = fused.getBody().front();
  auto yield = cast<k::YieldOp>(body.getTerminator());
  SmallVector<Value> outputs(yield.getOperands());
  if (outputs.empty())
    return op->emitOpError("a fused region with no results has nothing to compute"), failure();
  Operation *root = fused.root();
  // A contraction's epilogue is what its result feeds; the rest is its operands' prologue,
  // which the root's loads apply (IndexMaps.h).
  llvm::DenseSet<Operation *> epilogue;
  if (root)
    for (Operation &inner : body.without_terminator())
      if (&inner != root && llvm::any_of(inner.getOperands(), [&](Value v) {
            Operation *def = v.getDefiningOp();
            return def && (def == root || epilogue.contains(def));
          }))
        epilogue.insert(&inner);
  SmallVector<Operation *> ops;
  for (Operation &inner : body.without_terminator())
    if (&inner != root && (!root || epilogue.contains(&inner)) &&
        (inner.hasTrait<k::OpTrait::ElementwiseMap>() || ElementwiseProgram::isView(&inner)))
      ops.push_back(&inner);
  size_t first = launches.size();
  if (fused.getKind() == "elementwise") {
    ElementwiseProgram program(ops, outputs, numElements(outputs.front()));
    if (failed(emitElementwiseLoop(km, "fused" + program.nameSuffix(), op->getLoc(), program, launches)))
      return failure();
  } else if (fused.getKind() == "contraction" && root) {
    Value seed = root->getResult(0);
    ElementwiseProgram program(ops, outputs, numElements(seed), seed);
    if (failed(generateContraction(root, km, launches, &program)))
      return failure();
  } else {
    return op->emitOpError() << "no emitter for fused regions of kind '" << fused.getKind() << "'", failure();
  }
  for (Launch &l : llvm::MutableArrayRef(launches).drop_front(first))
    for (Value &v : l.buffers) {
      if (auto arg = dyn_cast<BlockArgument>(v); arg && arg.getOwner() == &body) {
        v = fused.getOperand(arg.getArgNumber());
        continue;
      }
      for (auto [i, out] : llvm::enumerate(outputs))
        if (out == v) {
          v = fused.getResult(i);
          break;
        }
    }
  return success();
}

} // namespace kiln::codegen
