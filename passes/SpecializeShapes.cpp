// kiln-specialize-shapes: pins the function's input shapes and re-runs shape inference op by
// op so that every type becomes static, reporting the first values that cannot.
#include "passes/Passes.h"
#include "passes/FoldConstants.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "kiln-specialize-shapes"

namespace mlir::kiln {
#define GEN_PASS_DEF_SPECIALIZESHAPESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Called after each op's result types are refined, before the next op is inferred, so
/// that a shape subgraph (Shape -> Gather -> Concat -> Reshape) can be folded to
/// constants that the following ops' inference then reads. It may replace or erase the
/// op it is given (and nothing after it). Without one, such subgraphs stay dynamic and
/// the final check reports them.
using FoldAfterInference = llvm::function_ref<LogicalResult(Operation *)>;

/// The ONNX name of input `index` (set by the importer), or "#index" for hand-written IR.
std::string inputName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, "kiln.name"))
    return name.getValue().str();
  return "#" + std::to_string(index);
}

/// Sets the argument types from the `shapes` specs and `batch`; reports every bad spec.
LogicalResult pinArguments(func::FuncOp func, ArrayRef<std::string> specs, int64_t batch) {
  llvm::StringMap<unsigned> byName;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    byName[inputName(func, i)] = i;

  bool ok = true;
  llvm::StringMap<bool> seen;
  for (StringRef spec : specs) {
    auto [name, dimsText] = spec.split('=');
    auto dims = shape::parseDimsSpec(dimsText);
    if (name.empty() || !spec.contains('=') || !dims) {
      emitError(func.getLoc()) << "shapes: expected name=D0xD1x... with non-negative sizes, got '"
                               << spec << "'";
      ok = false;
      continue;
    }
    auto it = byName.find(name);
    if (it == byName.end()) {
      auto diag = emitError(func.getLoc()) << "shapes: the model has no input named '" << name
                                           << "' (inputs:";
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        diag << " '" << inputName(func, i) << "'";
      diag << ")";
      ok = false;
      continue;
    }
    if (!seen.insert({name, true}).second) {
      emitError(func.getLoc()) << "shapes: input '" << name << "' is given twice";
      ok = false;
      continue;
    }
    BlockArgument arg = func.getArgument(it->second);
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type) {
      emitError(arg.getLoc()) << "input '" << name << "' is not a ranked tensor: " << arg.getType();
      ok = false;
      continue;
    }
    auto pinned = shape::pinShape(arg.getLoc(), name, type, *dims);
    if (failed(pinned)) {
      ok = false;
      continue;
    }
    arg.setType(*pinned);
  }

  if (batch < 0) {
    emitError(func.getLoc()) << "batch must be positive, got " << batch;
    return failure();
  }
  if (batch > 0) {
    for (BlockArgument arg : func.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!type || type.getRank() == 0 || !type.isDynamicDim(0))
        continue;
      SmallVector<int64_t> dims(type.getShape());
      dims[0] = batch;
      arg.setType(RankedTensorType::get(dims, type.getElementType()));
    }
  }
  return success(ok);
}

/// The declared type `current` refined with what inference now knows: static sizes from
/// either side, the declared type where inference cannot tell the rank.
FailureOr<Type> refineType(Operation *op, unsigned index, Type current, Type inferred) {
  auto known = dyn_cast<RankedTensorType>(inferred);
  auto declared = dyn_cast<RankedTensorType>(current);
  if (!known || !declared)
    return current;
  if (known.getElementType() != declared.getElementType() ||
      known.getRank() != declared.getRank()) {
    op->emitError() << "result #" << index << " is declared " << declared
                    << " but with the pinned input shapes it is " << known;
    return failure();
  }
  SmallVector<int64_t> dims;
  for (auto [d, pair] : llvm::enumerate(llvm::zip(declared.getShape(), known.getShape()))) {
    auto [was, now] = pair;
    if (!ShapedType::isDynamic(was) && !ShapedType::isDynamic(now) && was != now) {
      op->emitError() << "result #" << index << " dimension " << d << " is declared " << was
                      << " but with the pinned input shapes it is " << now;
      return failure();
    }
    dims.push_back(ShapedType::isDynamic(now) ? was : now);
  }
  return Type(RankedTensorType::get(dims, declared.getElementType(), declared.getEncoding()));
}

/// The function inputs `v` depends on, for an If whose condition stays unknown: by value
/// ("'sr'"), or only by shape through kiln.shape / kiln.size ("the shape of 'h'").
void dependencies(Value v, func::FuncOp func, llvm::SetVector<Value> &seen, SmallVectorImpl<std::string> &inputs,
                  bool shapeOnly = false) {
  if (!seen.insert(v))
    return;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (arg.getOwner()->getParentOp() == func.getOperation()) {
      std::string name = "'" + inputName(func, arg.getArgNumber()) + "'";
      inputs.push_back(shapeOnly ? "the shape of " + name : name);
    }
    return;
  }
  Operation *def = v.getDefiningOp();
  bool shapeQuery = isa<ShapeOp, SizeOp>(def);
  for (Value operand : def->getOperands())
    dependencies(operand, func, seen, inputs, shapeOnly || shapeQuery);
}

/// "it depends on input 'sr'; pin it with --const NAME=VALUE", or on shapes: --shape.
void explainDependencies(InFlightDiagnostic &diag, ArrayRef<std::string> inputs) {
  if (inputs.empty()) {
    diag << "it depends on values computed at run time";
    return;
  }
  bool shapes = llvm::any_of(inputs, [](const std::string &s) { return StringRef(s).starts_with("the shape"); });
  bool values = llvm::any_of(inputs, [](const std::string &s) { return !StringRef(s).starts_with("the shape"); });
  diag << "it depends on ";
  for (auto [i, name] : llvm::enumerate(inputs))
    diag << (i ? ", " : "") << (StringRef(name).starts_with("the shape") ? "" : "input ") << name;
  diag << "; pin " << (inputs.size() > 1 ? "them" : "it") << " with";
  if (values)
    diag << " --const NAME=VALUE";
  if (values && shapes)
    diag << " and";
  if (shapes)
    diag << " --shape NAME=D0xD1x...";
}

/// Replaces `op` by the ops of its taken branch, moved in front of it. Returns the
/// first moved op (null when the branch only yields), where inference resumes.
Operation *inlineTakenBranch(IfOp op, bool taken) {
  Block &branch = (taken ? op.getThenBranch() : op.getElseBranch()).front();
  auto yield = cast<YieldOp>(branch.getTerminator());
  SmallVector<Value> results(yield.getOperands());
  Operation *first = &branch.front() == yield.getOperation() ? nullptr : &branch.front();
  op->getBlock()->getOperations().splice(Block::iterator(op), branch.getOperations(), branch.begin(),
                                         Block::iterator(yield));
  op->replaceAllUsesWith(results);
  op->erase();
  return first;
}

/// Whether every op of both branches may run whatever the condition: no index reads or
/// writes (Gather, Scatter: a branch may guard its indices), no integer division (a
/// branch may guard its divisor). Computing a branch that is not taken is otherwise
/// harmless: kiln ops have no side effects.
bool speculatable(IfOp op) {
  WalkResult result = op->walk([&](Operation *inner) {
    if (isa<GatherOp, GatherElementsOp, GatherNDOp, ScatterNDOp, ScatterElementsOp>(inner))
      return WalkResult::interrupt();
    if (isa<DivOp, ModOp>(inner) && !isa<FloatType>(getElementTypeOrSelf(inner->getResult(0).getType())))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return !result.wasInterrupted();
}

constexpr const char *kSelectedIf = "kiln.selected_if";

/// An If whose condition stays unknown: both branches run, in front of it, and each
/// result is Where(cond, then, else). Each Where is tagged so that, once inferred,
/// its two values must have one type (an If gives one branch's shape, where Where
/// would broadcast). Returns the first moved op.
Operation *selectBetweenBranches(IfOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  // A condition of shape [1] would broadcast into the results: make it a scalar.
  Value cond = op.getCond();
  if (cast<RankedTensorType>(cond.getType()).getRank() != 0) {
    auto i64 = b.getI64Type();
    Value shape = ConstantOp::create(b, loc, DenseElementsAttr::get(RankedTensorType::get({0}, i64), ArrayRef<int64_t>{}));
    cond = ReshapeOp::create(b, loc, RankedTensorType::get({}, b.getI1Type()), cond, shape, b.getI64IntegerAttr(0));
  }
  Operation *first = nullptr;
  SmallVector<SmallVector<Value>> values;
  for (Region *region : {&op.getThenBranch(), &op.getElseBranch()}) {
    Block &branch = region->front();
    auto yield = cast<YieldOp>(branch.getTerminator());
    values.emplace_back(yield.getOperands());
    if (!first && &branch.front() != yield.getOperation())
      first = &branch.front();
    op->getBlock()->getOperations().splice(Block::iterator(op), branch.getOperations(), branch.begin(),
                                           Block::iterator(yield));
  }
  SmallVector<Value> results;
  for (auto [i, result] : llvm::enumerate(op.getResults())) {
    auto where = WhereOp::create(b, loc, result.getType(), cond, values[0][i], values[1][i]);
    where->setAttr(kSelectedIf, b.getI64IntegerAttr(static_cast<int64_t>(i)));
    results.push_back(where);
    if (!first)
      first = where;
  }
  if (!first)
    first = cond.getDefiningOp();
  op->replaceAllUsesWith(results);
  op->erase();
  return first;
}

/// Re-infers every kiln op in program order, so each sees its operands' refined types.
/// A kiln.if whose condition is (or becomes) a constant is replaced by its taken
/// branch, whose ops are inferred next; one whose condition stays unknown computes
/// both branches and selects (when that is safe and both give one shape), else it is
/// an error naming the inputs the condition depends on.
LogicalResult refineResultTypes(func::FuncOp func, FoldAfterInference foldAfterInference) {
  for (Block &block : func.getBody()) {
    for (Operation *op = block.empty() ? nullptr : &block.front(); op;) {
      Operation *next = op->getNextNode();
      if (auto ifOp = dyn_cast<IfOp>(op)) {
        std::optional<bool> taken = ifOp.constantCondition();
        if (!taken && foldAfterInference) {
          // The condition's producers may fold now that shapes are pinned.
          if (Operation *def = ifOp.getCond().getDefiningOp(); def && failed(foldAfterInference(def)))
            return failure();
          taken = ifOp.constantCondition();
        }
        if (!taken && speculatable(ifOp)) {
          op = selectBetweenBranches(ifOp);
          continue;
        }
        if (!taken) {
          llvm::SetVector<Value> seen;
          SmallVector<std::string> inputs;
          dependencies(ifOp.getCond(), func, seen, inputs);
          auto diag = ifOp.emitError() << "the condition of this If is not known at compile time, and "
                                          "its branches read indices or divide integers, so kiln cannot run "
                                          "both and select: ";
          explainDependencies(diag, inputs);
          return failure();
        }
        Operation *first = inlineTakenBranch(ifOp, *taken);
        op = first ? first : next;
        continue;
      }
      auto infer = dyn_cast<InferShapesOpInterface>(op);
      if (!infer) {
        op = next;
        continue;
      }
      SmallVector<Type> inferred;
      if (failed(infer.inferResultTypes(inferred)))
        return failure();
      if (inferred.size() != op->getNumResults())
        return op->emitOpError() << "inferred " << inferred.size() << " result types for "
                                 << op->getNumResults() << " results";
      if (auto selected = op->getAttrOfType<IntegerAttr>(kSelectedIf)) {
        // The two branches of an If whose condition is unknown must agree in type.
        Type a = op->getOperand(1).getType(), b = op->getOperand(2).getType();
        auto ra = dyn_cast<RankedTensorType>(a), rb = dyn_cast<RankedTensorType>(b);
        if (!ra || !rb || !ra.hasStaticShape() || a != b) {
          llvm::SetVector<Value> seen;
          SmallVector<std::string> inputs;
          dependencies(op->getOperand(0), func, seen, inputs);
          auto diag = op->emitError() << "the condition of this If is not known at compile time and its branches "
                                         "give result #"
                                      << selected.getInt() << " as " << a << " and " << b
                                      << ", so kiln cannot run both and select: ";
          explainDependencies(diag, inputs);
          return failure();
        }
        op->removeAttr(kSelectedIf);
        op->getResult(0).setType(a);
        inferred[0] = a;
      }
      for (auto [i, result] : llvm::enumerate(op->getResults())) {
        auto refined = refineType(op, i, result.getType(), inferred[i]);
        if (failed(refined))
          return failure();
        result.setType(*refined);
      }
      LLVM_DEBUG(llvm::dbgs() << "refined " << *op << "\n");
      // Folding may replace `op`; `next` was taken before.
      if (foldAfterInference && failed(foldAfterInference(op)))
        return failure();
      op = next;
    }
  }
  return success();
}

void updateFunctionType(func::FuncOp func) {
  Operation *terminator = func.getBody().back().getTerminator();
  func.setType(FunctionType::get(func.getContext(), func.getBody().getArgumentTypes(),
                                 terminator->getOperandTypes()));
}

/// The first dynamic dimension of `t`, if any.
std::optional<unsigned> firstDynamicDim(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  if (!ranked)
    return std::nullopt;
  for (unsigned d = 0; d < ranked.getRank(); ++d)
    if (ranked.isDynamicDim(d))
      return d;
  return std::nullopt;
}

/// Reports the values that stay dynamic. Only the roots are named: an op whose operands
/// are all static but whose result is not (its size depends on values known at run time
/// only); everything downstream of a root is dynamic because of it.
LogicalResult checkAllStatic(func::FuncOp func) {
  bool ok = true;
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto ranked = dyn_cast<RankedTensorType>(arg.getType());
    if (ranked && ranked.hasStaticShape() && !shape::checkedNumElements(ranked.getShape())) {
      emitError(arg.getLoc()) << "input '" << inputName(func, i) << "' (" << ranked
                              << ") has more than " << shape::kMaxTensorElementsText << " elements";
      ok = false;
      continue;
    }
    if (auto d = firstDynamicDim(arg.getType())) {
      std::string name = inputName(func, i);
      emitError(arg.getLoc()) << "input '" << name << "' is still dynamic in dimension " << *d
                              << " (" << arg.getType() << "): pin it with `--shape " << name
                              << "=D0xD1x...` or `--batch N`";
      ok = false;
    }
  }
  if (!ok)
    return failure();
  func.walk([&](Operation *op) {
    if (llvm::any_of(op->getOperandTypes(), [](Type t) { return firstDynamicDim(t).has_value(); }))
      return;
    for (auto [i, result] : llvm::enumerate(op->getResults())) {
      auto ranked = dyn_cast<RankedTensorType>(result.getType());
      if (ranked && ranked.hasStaticShape() && !shape::checkedNumElements(ranked.getShape())) {
        op->emitError() << "result #" << i << " of " << op->getName() << " (" << ranked
                        << ") has more than " << shape::kMaxTensorElementsText << " elements";
        ok = false;
        continue;
      }
      if (auto d = firstDynamicDim(result.getType())) {
        op->emitError() << "result #" << i << " of " << op->getName()
                        << " is still dynamic in dimension " << *d << " (" << result.getType()
                        << "): its size depends on values computed at run time";
        ok = false;
      }
    }
  });
  return success(ok);
}

struct SpecializeShapesPass : kiln::impl::SpecializeShapesPassBase<SpecializeShapesPass> {
  using SpecializeShapesPassBase::SpecializeShapesPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<std::string> specs(shapes.begin(), shapes.end());
    if (failed(pinArguments(func, specs, batch)) ||
        failed(refineResultTypes(func, [](Operation *op) { return foldToConstants(op); })))
      return signalPassFailure();
    updateFunctionType(func);
    if (failed(checkAllStatic(func)))
      return signalPassFailure();
  }
};

} // namespace
