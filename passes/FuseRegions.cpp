// kiln-fuse-regions: groups the static graph into kiln.fused regions (contraction roots
// with their elementwise epilogues, elementwise chains), one kernel each.
#include "passes/Passes.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_FUSEREGIONSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool definedInside(Value v) {
  Operation *def = v.getDefiningOp();
  return def && isa<ConstantOp, NoneOp>(def);
}

bool isStaticTensor(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape();
}

/// The single static, non-empty tensor result of `op`, or null.
RankedTensorType singleResult(Operation *op) {
  if (op->getNumResults() != 1)
    return {};
  auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!t || !t.hasStaticShape() || t.getNumElements() == 0)
    return {};
  return t;
}

/// An elementwise op that may join a region (kiln.identity is left to codegen, which
/// makes it a view).
bool isFusibleElementwise(Operation *op) {
  if (!op->hasTrait<mlir::kiln::OpTrait::ElementwiseMap>() || isa<IdentityOp>(op) || !singleResult(op))
    return false;
  return llvm::all_of(op->getOperands(), [](Value v) { return shape::isAbsent(v) || isStaticTensor(v.getType()); });
}

/// An op whose kernel takes an elementwise epilogue.
bool isContractionRoot(Operation *op) {
  RankedTensorType t = singleResult(op);
  if (!t || !isa<ConvOp, GemmOp, MatMulOp>(op))
    return false;
  if (isa<ConvOp>(op) && !isa<FloatType>(t.getElementType()))
    return false;
  return !t.getElementType().isInteger(1) &&
         llvm::all_of(op->getOperands(), [](Value v) { return shape::isAbsent(v) || isStaticTensor(v.getType()); });
}

/// An op that a MatMul or Gemm root can read its operand through instead of a copy
/// kernel: Transpose, Slice or Expand with constant parameters, a view, or an elementwise op whose
/// other operands are one-element constants (codegen/Kernels/IndexMaps.h).
bool isOperandLink(Operation *op) {
  RankedTensorType t = singleResult(op);
  if (!t || op->getNumOperands() == 0 || isa<ConstantOp>(op) || !isStaticTensor(op->getOperand(0).getType()))
    return false;
  auto constant = [](Value v) { return shape::isAbsent(v) || definedInside(v); };
  if (isa<TransposeOp>(op))
    return true;
  if (isa<SliceOp, ExpandOp>(op) || FusedOp::isView(op))
    return llvm::all_of(op->getOperands().drop_front(), constant);
  if (!isFusibleElementwise(op) || op->getOperand(0).getType() != t)
    return false;
  return llvm::all_of(op->getOperands().drop_front(), [&](Value v) {
    auto ct = dyn_cast<RankedTensorType>(v.getType());
    return shape::isAbsent(v) || (constant(v) && ct && ct.hasStaticShape() && ct.getNumElements() == 1);
  });
}

/// Whether `op`'s result reaches a MatMul or Gemm operand through operand links alone,
/// each with one user (so the contraction's region can take the whole path).
bool feedsContraction(Operation *op) {
  for (int guard = 0; guard < 64; ++guard) {
    if (!op->hasOneUse())
      return false;
    OpOperand &use = *op->getResult(0).getUses().begin();
    Operation *user = use.getOwner();
    if (isa<MatMulOp, GemmOp>(user))
      return use.getOperandNumber() < 2;
    if (!isOperandLink(user) || use.getOperandNumber() != 0)
      return false;
    op = user;
  }
  return false;
}

/// Each result of a Split of static shapes becomes a Slice of its input: a Split's
/// results usually feed different contractions (attention's q, k and v), and a Slice,
/// unlike one of several results, can join its consumer's operand prologue.
void splitsToSlices(Block &block) {
  SmallVector<SplitOp> splits;
  for (Operation &op : block)
    if (auto split = dyn_cast<SplitOp>(op))
      splits.push_back(split);
  for (SplitOp split : splits) {
    auto in = dyn_cast<RankedTensorType>(split.getInput().getType());
    if (!in || !in.hasStaticShape())
      continue;
    int64_t rank = in.getRank(), axis = split.getAxis() < 0 ? split.getAxis() + rank : split.getAxis();
    if (axis < 0 || axis >= rank || !llvm::all_of(split->getResults(), [](Value r) { return isStaticTensor(r.getType()); }))
      continue;
    OpBuilder b(split);
    Location loc = split.getLoc();
    auto index = [&](int64_t v) -> Value {
      auto t = RankedTensorType::get({1}, b.getI64Type());
      return ConstantOp::create(b, loc, DenseElementsAttr::get(t, ArrayRef<int64_t>{v}));
    };
    Value none = NoneOp::create(b, loc);
    int64_t offset = 0;
    for (Value r : split->getResults()) {
      int64_t size = cast<RankedTensorType>(r.getType()).getShape()[axis];
      Value slice = SliceOp::create(b, loc, r.getType(), split.getInput(), index(offset), index(offset + size),
                                    index(axis), none);
      r.replaceAllUsesWith(slice);
      offset += size;
    }
    split->erase();
  }
}

/// A Transpose or Slice with several users, each of which leads into a contraction's
/// operand through links alone, is cloned once per user: as an index map it costs nothing
/// to recompute, and each clone can then join its consumer's prologue.
void cloneSharedIndexMaps(Block &block) {
  SmallVector<Operation *> maps;
  for (Operation &op : block)
    if (FusedOp::isIndexMap(&op) && !op.hasOneUse() && !op.use_empty() && isOperandLink(&op))
      maps.push_back(&op);
  for (Operation *op : llvm::reverse(maps)) {
    bool all = llvm::all_of(op->getResult(0).getUses(), [](OpOperand &use) {
      Operation *user = use.getOwner();
      if (isa<MatMulOp, GemmOp>(user))
        return use.getOperandNumber() < 2;
      return use.getOperandNumber() == 0 && isOperandLink(user) && feedsContraction(user);
    });
    if (!all)
      continue;
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : op->getResult(0).getUses())
      uses.push_back(&use);
    OpBuilder b(op);
    b.setInsertionPointAfter(op);
    for (OpOperand *use : llvm::drop_begin(uses))
      use->set(b.clone(*op)->getResult(0));
  }
}

struct Region {
  Operation *root = nullptr; // contraction regions
  SmallVector<Operation *> ops;
  int64_t elements = 0; // of every value in the region
  int64_t firstPos = 0;
};

/// A view (reshape, flatten, squeeze, unsqueeze) of a region value that can join it: it
/// keeps element i at i, and its other operands are constants.
bool isFusibleView(Operation *op) {
  if (!FusedOp::isView(op) || !singleResult(op))
    return false;
  return llvm::all_of(op->getOperands().drop_front(), [](Value v) { return shape::isAbsent(v) || definedInside(v); });
}

class RegionFormer {
public:
  RegionFormer(Block &block, unsigned maxOps) : block_(block), maxOps_(maxOps) {
    int64_t i = 0;
    for (Operation &op : block)
      pos_[&op] = i++;
  }

  void form() {
    for (Operation &op : block_) {
      if (regionOf_.count(&op))
        continue;
      bool root = isContractionRoot(&op);
      if (!root && !isFusibleElementwise(&op))
        continue;
      int r = static_cast<int>(regions_.size());
      Region region;
      region.root = root ? &op : nullptr;
      region.ops.push_back(&op);
      region.elements = cast<RankedTensorType>(op.getResult(0).getType()).getNumElements();
      region.firstPos = pos_[&op];
      regions_.push_back(std::move(region));
      regionOf_[&op] = r;
      if (isa<MatMulOp, GemmOp>(&op))
        absorbOperandChains(r);
      grow(r);
    }
  }

  LogicalResult materialize() {
    for (Region &r : regions_)
      if (r.ops.size() > 1)
        build(r);
    if (!sortTopologically(&block_))
      return emitError(block_.getParentOp()->getLoc(), "kiln-fuse-regions made a cycle between regions"), failure();
    return success();
  }

private:
  /// Takes in the ops that compute root's operands from a buffer by index maps, views and
  /// scalar-constant elementwise ops, each used only on that path; the root then reads
  /// through them. An op already alone in an elementwise region moves over.
  void absorbOperandChains(int r) {
    Operation *root = regions_[r].root;
    for (unsigned i = 0; i < 2 && i < root->getNumOperands(); ++i) {
      Value v = root->getOperand(i);
      while (Operation *def = v.getDefiningOp()) {
        if (def->getBlock() != &block_ || !def->hasOneUse() || !isOperandLink(def) ||
            regions_[r].ops.size() >= maxOps_)
          break;
        if (auto it = regionOf_.find(def); it != regionOf_.end()) {
          Region &other = regions_[it->second];
          if (other.root || other.ops.size() != 1)
            break;
          other.ops.clear();
        }
        regionOf_[def] = r;
        regions_[r].ops.push_back(def);
        regions_[r].firstPos = std::min(regions_[r].firstPos, pos_[def]);
        v = def->getOperand(0);
      }
    }
  }

  /// Takes in every consumer that can join region `r`, until none can.
  void grow(int r) {
    for (size_t m = 0; m < regions_[r].ops.size(); ++m) {
      Operation *member = regions_[r].ops[m];
      for (Operation *user : member->getUsers()) {
        if (regions_[r].ops.size() >= maxOps_)
          return;
        bool view = isFusibleView(user) && user->getOperand(0).getDefiningOp() == member;
        if (regionOf_.count(user) || !(view || isFusibleElementwise(user)) ||
            cast<RankedTensorType>(user->getResult(0).getType()).getNumElements() != regions_[r].elements)
          continue;
        bool ok = true;
        for (Value v : user->getOperands()) {
          Operation *def = v.getDefiningOp();
          if (shape::isAbsent(v) || definedInside(v) || (def && regionOf_.lookup(def) == r && regionOf_.count(def)))
            continue;
          if (dependsOn(v, r)) {
            ok = false;
            break;
          }
        }
        if (!ok)
          continue;
        regionOf_[user] = r;
        regions_[r].ops.push_back(user);
      }
    }
  }

  /// Whether `v` (defined outside region `r`) depends on it, directly or through other
  /// regions (a region runs as one kernel, so it depends on all its members' inputs).
  bool dependsOn(Value v, int r) {
    SmallVector<Operation *> stack;
    llvm::DenseSet<Operation *> seen;
    llvm::DenseSet<int> seenRegions;
    auto push = [&](Value x) {
      Operation *def = x.getDefiningOp();
      if (!def || def->getBlock() != &block_)
        return;
      auto it = regionOf_.find(def);
      if (it == regionOf_.end() && pos_[def] <= regions_[r].firstPos)
        return; // before the region's first op: cannot depend on it
      if (seen.insert(def).second)
        stack.push_back(def);
    };
    push(v);
    while (!stack.empty()) {
      Operation *def = stack.pop_back_val();
      auto it = regionOf_.find(def);
      if (it == regionOf_.end()) {
        for (Value o : def->getOperands())
          push(o);
        continue;
      }
      if (it->second == r)
        return true;
      if (seenRegions.insert(it->second).second)
        for (Operation *member : regions_[it->second].ops)
          for (Value o : member->getOperands())
            push(o);
    }
    return false;
  }

  void build(Region &r) {
    llvm::sort(r.ops, [&](Operation *a, Operation *b) { return pos_[a] < pos_[b]; });
    llvm::DenseSet<Operation *> members(r.ops.begin(), r.ops.end());
    llvm::SetVector<Value> inputs;
    SmallVector<Value> outputs;
    SmallVector<Location> locs;
    for (Operation *op : r.ops) {
      locs.push_back(op->getLoc());
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (!(def && (members.contains(def) || isa<ConstantOp, NoneOp>(def))))
          inputs.insert(v);
      }
      for (Value res : op->getResults())
        if (llvm::any_of(res.getUsers(), [&](Operation *u) { return !members.contains(u); }))
          outputs.push_back(res);
    }
    MLIRContext *ctx = block_.getParentOp()->getContext();
    OpBuilder b(r.ops.back());
    SmallVector<Type> resultTypes;
    for (Value o : outputs)
      resultTypes.push_back(o.getType());
    auto fused = FusedOp::create(b, FusedLoc::get(ctx, locs), resultTypes, inputs.getArrayRef(),
                                 r.root ? "contraction" : "elementwise");
    Block *body = new Block();
    fused.getBody().push_back(body);
    IRMapping map;
    for (Value in : inputs)
      map.map(in, body->addArgument(in.getType(), in.getLoc()));
    OpBuilder ib = OpBuilder::atBlockEnd(body);
    for (Operation *op : r.ops) {
      for (Value v : op->getOperands())
        if (Operation *def = v.getDefiningOp(); def && isa<ConstantOp, NoneOp>(def) && !map.contains(v))
          map.map(v, ib.clone(*def)->getResult(0));
      ib.clone(*op, map);
    }
    SmallVector<Value> yielded;
    for (Value o : outputs)
      yielded.push_back(map.lookup(o));
    YieldOp::create(ib, fused.getLoc(), yielded);
    for (auto [i, o] : llvm::enumerate(outputs))
      o.replaceUsesWithIf(fused.getResult(i), [&](OpOperand &use) { return !members.contains(use.getOwner()); });
    for (Operation *op : llvm::reverse(r.ops))
      op->erase();
  }

  Block &block_;
  unsigned maxOps_;
  llvm::DenseMap<Operation *, int64_t> pos_;
  llvm::DenseMap<Operation *, int> regionOf_;
  std::vector<Region> regions_;
};

struct FuseRegionsPass : mlir::kiln::impl::FuseRegionsPassBase<FuseRegionsPass> {
  using FuseRegionsPassBase::FuseRegionsPassBase;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    splitsToSlices(func.getBody().front());
    cloneSharedIndexMaps(func.getBody().front());
    RegionFormer former(func.getBody().front(), std::max(1u, unsigned(maxOps)));
    former.form();
    if (failed(former.materialize()))
      signalPassFailure();
  }
};

} // namespace
