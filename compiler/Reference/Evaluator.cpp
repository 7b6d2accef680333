// Interprets a func of kiln ops on host tensors, one reference kernel per op (a fused
// region's body op by op), freeing each value after its last use.
#include "compiler/Reference/Evaluator.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "llvm/ADT/DenseMap.h"

#include <memory>

using namespace mlir;

namespace kiln::ref {

const KernelTable &kernelTable() {
  static const KernelTable table = [] {
    KernelTable t;
    registerElementwiseKernels(t);
    registerReductionKernels(t);
    registerNormalizationKernels(t);
    registerDataMovementKernels(t);
    registerContractionKernels(t);
    registerPoolingKernels(t);
    registerRecurrentKernels(t);
    registerQuantizedKernels(t);
    registerAlgebraKernels(t);
    registerSignalKernels(t);
    registerSamplingKernels(t);
    registerFusedKernels(t);
    return t;
  }();
  return table;
}

namespace {
/// A value's tensor: borrowed (function inputs), owned, or null (`none`).
struct Slot {
  const Tensor *tensor = nullptr;
  std::unique_ptr<Tensor> owned;
};
} // namespace

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "scalar" : s;
}

namespace {

/// Evaluates `body` with `args` bound to its arguments, up to its terminator
/// (func.return or kiln.yield), whose operands it returns.
FailureOr<std::vector<Tensor>> evaluateBlock(Block &body, ArrayRef<const Tensor *> args) {
  llvm::DenseMap<Value, Slot> values;
  for (auto [arg, t] : llvm::zip(body.getArguments(), args))
    values[arg].tensor = t;

  // The last op (by position) that reads each value, so that weights and activations are
  // released as soon as possible.
  llvm::DenseMap<Value, Operation *> lastUse;
  for (Operation &op : body)
    for (Value v : op.getOperands())
      lastUse[v] = &op;

  const KernelTable &table = kernelTable();
  std::vector<Tensor> outputs;
  for (Operation &op : body) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      for (Value v : op.getOperands()) {
        const Tensor *t = values[v].tensor;
        if (!t) {
          op.emitOpError() << "returns a none value";
          return failure();
        }
        outputs.push_back(*t);
      }
      return outputs;
    }
    if (auto c = dyn_cast<mlir::kiln::ConstantOp>(op)) {
      Slot &s = values[c.getResult()];
      s.owned = std::make_unique<Tensor>(Tensor::fromAttr(c.getValue()));
      s.tensor = s.owned.get();
      continue;
    }
    if (isa<mlir::kiln::NoneOp>(op)) {
      values[op.getResult(0)];
      continue;
    }
    auto it = table.find(op.getName().getStringRef());
    if (it == table.end()) {
      op.emitOpError() << "no reference kernel for '" << op.getName() << "'";
      return failure();
    }
    llvm::SmallVector<Tensor, 2> results;
    for (Type t : op.getResultTypes()) {
      if (isa<NoneType>(t)) {
        results.emplace_back();
        continue;
      }
      auto rt = dyn_cast<RankedTensorType>(t);
      if (!rt || !rt.hasStaticShape()) {
        op.emitOpError() << "needs static shapes; run shape specialization first";
        return failure();
      }
      std::optional<DType> d = dtypeOf(rt.getElementType());
      if (!d) {
        op.emitOpError() << "result element type " << rt.getElementType()
                         << " is not supported by the reference evaluator";
        return failure();
      }
      results.emplace_back(*d, rt.getShape());
    }
    llvm::SmallVector<const Tensor *, 4> operands;
    for (Value v : op.getOperands()) {
      auto found = values.find(v);
      assert(found != values.end() && "operand defined before use in a block");
      operands.push_back(found->second.tensor);
    }
    if (failed(it->second(&op, operands, results)))
      return failure();
    for (auto [r, t] : llvm::zip(op.getResults(), results)) {
      Slot &s = values[r];
      if (isa<NoneType>(r.getType()))
        continue;
      s.owned = std::make_unique<Tensor>(std::move(t));
      s.tensor = s.owned.get();
    }
    for (Value v : op.getOperands()) {
      auto lu = lastUse.find(v);
      if (lu != lastUse.end() && lu->second == &op) {
        auto found = values.find(v);
        if (found != values.end() && found->second.owned)
          values.erase(found);
      }
    }
  }
  if (Operation *parent = body.getParentOp())
    parent->emitError() << "has a block without a terminator";
  return failure();
}

/// kiln.fused: its body, op by op, exactly as the ops ran before fusion.
LogicalResult fusedKernel(Operation *op, Operands in, Results out) {
  auto fused = cast<mlir::kiln::FusedOp>(op);
  FailureOr<std::vector<Tensor>> results = evaluateBlock(fused.getBody().front(), in);
  if (failed(results))
    return failure();
  for (auto [r, t] : llvm::zip(out, *results))
    r = std::move(t);
  return success();
}

} // namespace

void registerFusedKernels(KernelTable &table) { table["kiln.fused"] = fusedKernel; }

FailureOr<std::vector<Tensor>> evaluate(func::FuncOp func, ArrayRef<Tensor> inputs) {
  if (func.isExternal()) {
    func.emitError() << "has no body to evaluate";
    return failure();
  }
  Block &body = func.getBody().front();
  if (inputs.size() != body.getNumArguments()) {
    func.emitError() << "expects " << body.getNumArguments() << " inputs, got "
                     << inputs.size();
    return failure();
  }
  llvm::SmallVector<const Tensor *> args;
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape()) {
      func.emitError() << "argument " << i
                       << " needs static shapes; run shape specialization first";
      return failure();
    }
    std::optional<DType> d = dtypeOf(type.getElementType());
    if (!d || *d != inputs[i].dtype() || type.getShape() != inputs[i].shape()) {
      func.emitError() << "input " << i << " is " << dtypeName(inputs[i].dtype()) << " "
                       << shapeString(inputs[i].shape()) << ", argument expects " << type;
      return failure();
    }
    args.push_back(&inputs[i]);
  }
  return evaluateBlock(body, args);
}

} // namespace kiln::ref
