// Per-element code for elementwise ops: inputs classified once (seed, baked scalar,
// buffer with broadcast strides), then each op through ScalarOps.
#include "codegen/Kernels/ElementwiseProgram.h"

#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"

#include <map>

using namespace mlir;

namespace kiln::codegen {
namespace {

/// One-element constants are baked into the kernel instead of being loaded.
DenseElementsAttr bakedScalar(Value v) {
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)) && attr.getNumElements() == 1)
    return attr;
  return {};
}

Value bakedValue(KernelBuilder &kb, DenseElementsAttr attr) {
  Type elem = attr.getElementType();
  Value v;
  if (isa<FloatType>(elem)) {
    v = arith::ConstantOp::create(kb.b(), kb.loc(), FloatAttr::get(elem, *attr.getValues<APFloat>().begin()));
  } else {
    APInt bits = *attr.getValues<APInt>().begin();
    if (elem.isInteger(1))
      return kb.constBool(!bits.isZero());
    v = arith::ConstantOp::create(kb.b(), kb.loc(), IntegerAttr::get(storageType(elem), bits));
  }
  return toCompute(kb, v, elem);
}

/// Broadcast strides of `operandShape` against `outShape` (right-aligned): 0 where the
/// operand has size 1 or lacks the dimension.
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> operandShape, ArrayRef<int64_t> outShape) {
  SmallVector<int64_t> strides(outShape.size(), 0);
  SmallVector<int64_t> own = rowMajorStrides(operandShape);
  size_t shift = outShape.size() - operandShape.size();
  for (size_t d = 0; d < operandShape.size(); ++d)
    if (operandShape[d] != 1)
      strides[d + shift] = own[d];
  return strides;
}

/// Drops unit dimensions (their coordinate is always 0, whatever a buffer's stride there
/// says: a batch of 1 must not make a plain elementwise op look broadcast), then merges
/// dimension d+1 into d wherever every buffer's strides stay affine across them.
void collapse(SmallVectorImpl<int64_t> &shape, SmallVectorImpl<SmallVector<int64_t>> &strides) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0 && shape.size() > 1; --d) {
    if (shape[d] != 1)
      continue;
    shape.erase(shape.begin() + d);
    for (auto &s : strides)
      s.erase(s.begin() + d);
  }
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) {
    bool ok = true;
    for (auto &s : strides)
      ok &= s[d] == s[d + 1] * shape[d + 1];
    if (!ok)
      continue;
    shape[d] *= shape[d + 1];
    shape.erase(shape.begin() + d + 1);
    for (auto &s : strides) {
      s[d] = s[d + 1];
      s.erase(s.begin() + d + 1);
    }
  }
}

/// Operands an op reads the values of (CastLike's second operand gives only a type).
bool readsOperand(Operation *op, unsigned i) { return !(isa<mlir::kiln::CastLikeOp>(op) && i == 1); }

/// A view of `readerShape` over a buffer of `bufferShape`, collapsed.
template <typename View>
View makeView(ArrayRef<int64_t> bufferShape, ArrayRef<int64_t> readerShape) {
  View view;
  view.readerShape.assign(readerShape.begin(), readerShape.end());
  SmallVector<int64_t> shape(readerShape.begin(), readerShape.end());
  SmallVector<SmallVector<int64_t>> strides = {broadcastStrides(bufferShape, readerShape)};
  if (shape.empty()) { // a scalar: one element
    shape.push_back(1);
    strides[0].push_back(0);
  }
  collapse(shape, strides);
  view.shape = std::move(shape);
  view.strides = std::move(strides[0]);
  view.contiguous = view.strides == rowMajorStrides(view.shape);
  return view;
}

} // namespace

bool ElementwiseProgram::isView(Operation *op) { return mlir::kiln::FusedOp::isView(op); }

ElementwiseProgram::ElementwiseProgram(ArrayRef<Operation *> ops, ArrayRef<Value> outputs, int64_t numElements,
                                       Value seed)
    : ops_(ops.begin(), ops.end()), outputs_(outputs.begin(), outputs.end()), seed_(seed), count_(numElements) {
  llvm::DenseSet<Value> defined;
  for (Operation *op : ops_)
    for (Value r : op->getResults())
      defined.insert(r);
  for (Operation *op : ops_) {
    if (isView(op))
      continue; // reads its data operand as a region value; its shape operand is a constant
    ArrayRef<int64_t> readerShape = shapeOf(op->getResult(0));
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      if (!readsOperand(op, i) || isAbsent(v) || v == seed_ || defined.contains(v))
        continue;
      Input *in = inputFor(v);
      if (!in) {
        inputs_.push_back(Input{v, bakedScalar(v), -1, {}});
        in = &inputs_.back();
        if (!in->baked) {
          in->buffer = static_cast<int>(buffers_.size());
          buffers_.push_back(v);
        }
      }
      if (!in->baked && llvm::none_of(in->views, [&](const View &w) { return w.readerShape == readerShape; }))
        in->views.push_back(makeView<View>(shapeOf(v), readerShape));
    }
  }
  inputBuffers_ = buffers_.size();
  buffers_.append(outputs_.begin(), outputs_.end());
}

ElementwiseProgram::Input *ElementwiseProgram::inputFor(Value v) {
  for (Input &in : inputs_)
    if (in.value == v)
      return &in;
  return nullptr;
}
const ElementwiseProgram::Input *ElementwiseProgram::inputFor(Value v) const {
  return const_cast<ElementwiseProgram *>(this)->inputFor(v);
}

unsigned ElementwiseProgram::viewFor(const Input &in, ArrayRef<int64_t> readerShape) {
  for (auto [i, w] : llvm::enumerate(in.views))
    if (w.readerShape == readerShape)
      return i;
  return 0;
}

std::string ElementwiseProgram::nameSuffix() const {
  std::string suffix;
  int named = 0;
  for (Operation *op : ops_)
    if (!isView(op) && named++ < 3)
      suffix += "_" + op->getName().stripDialect().str();
  return suffix;
}

void ElementwiseProgram::bind(SmallVectorImpl<Value> &buffers) {
  firstParam_ = buffers.size();
  buffers.append(buffers_.begin(), buffers_.end());
}

bool ElementwiseProgram::contiguous() const {
  for (const Input &in : inputs_)
    for (const View &w : in.views)
      if (!w.contiguous)
        return false;
  return true;
}

FailureOr<SmallVector<Value>> ElementwiseProgram::compute(KernelBuilder &kb, Value seedValue,
                                                          function_ref<Value(unsigned, unsigned)> loadInput) const {
  llvm::DenseMap<Value, Value> env; // region value -> its element, in its compute type
  std::map<std::pair<int, unsigned>, Value> loaded; // (input buffer, view) -> its element
  if (seed_)
    env[seed_] = seedValue;
  auto valueOf = [&](Value v, ArrayRef<int64_t> readerShape) -> Value {
    if (auto it = env.find(v); it != env.end())
      return it->second;
    const Input *in = inputFor(v);
    if (in->baked)
      return bakedValue(kb, in->baked);
    unsigned view = viewFor(*in, readerShape);
    auto [it, inserted] = loaded.try_emplace({in->buffer, view});
    if (inserted) // an input read by several ops of one shape is loaded once
      it->second = toCompute(kb, loadInput(in->buffer, view), elemOf(v));
    return it->second;
  };
  for (Operation *op : ops_) {
    Value result = op->getResult(0);
    if (isView(op)) {
      env[result] = env.lookup(op->getOperand(0));
      continue;
    }
    ArrayRef<int64_t> readerShape = shapeOf(result);
    SmallVector<Value> args;
    SmallVector<Type> argTypes;
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      if (!readsOperand(op, i) || isAbsent(v)) {
        args.push_back(Value());
        argTypes.push_back(Type());
        continue;
      }
      args.push_back(valueOf(v, readerShape));
      argTypes.push_back(elemOf(v));
    }
    Type elem = elemOf(result);
    FailureOr<Value> v = emitScalarOp(kb, op, args, argTypes, elem);
    if (failed(v))
      return failure();
    // Rounded to its element type, as storing it between two kernels would: a fused
    // kernel computes the bits the unfused ones did (f16 and bf16 compute in f32).
    Value rounded = *v;
    if (computeType(elem) != elem && !elem.isInteger(1))
      rounded = toCompute(kb, fromCompute(kb, *v, elem), elem);
    env[result] = rounded;
  }
  SmallVector<Value> out;
  for (Value o : outputs_)
    out.push_back(fromCompute(kb, env.lookup(o), elemOf(o)));
  return out;
}

LogicalResult ElementwiseProgram::emitRun(KernelBuilder &kb, Value linear, ArrayRef<Value> seeds) const {
  const unsigned n = seeds.size();
  if (n == 1)
    return emitAt(kb, linear, seeds[0]);
  auto bytesOf = [&](unsigned buffer) { return (storageType(elemOf(buffers_[buffer])).getIntOrFloatBitWidth() + 7) / 8; };
  // Input elements per (buffer, view): one vector load when read at the own index.
  std::map<std::pair<int, unsigned>, SmallVector<Value>> lanes;
  auto laneValues = [&](unsigned buffer, unsigned view) -> SmallVector<Value> & {
    auto [it, inserted] = lanes.try_emplace({static_cast<int>(buffer), view});
    if (!inserted)
      return it->second;
    const Input *in = nullptr;
    for (const Input &i : inputs_)
      if (i.buffer == static_cast<int>(buffer))
        in = &i;
    const View &w = in->views[view];
    if (w.contiguous) {
      it->second = kb.loadConsecutive(kb.param(param(buffer)), linear, n, n * bytesOf(buffer));
      if (kb.elementType(param(buffer)).isInteger(1))
        for (Value &v : it->second)
          v = arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::ne, v, kb.constInt(v.getType(), 0));
    } else {
      for (unsigned u = 0; u < n; ++u) {
        SmallVector<Value> c = kb.delinearize(kb.add(linear, kb.idx(u)), w.shape);
        it->second.push_back(kb.load(param(buffer), kb.linearize(c, w.strides)));
      }
    }
    return it->second;
  };
  SmallVector<SmallVector<Value>> outLanes(outputs_.size());
  for (unsigned u = 0; u < n; ++u) {
    FailureOr<SmallVector<Value>> values =
        compute(kb, seeds[u], [&](unsigned buffer, unsigned view) { return laneValues(buffer, view)[u]; });
    if (failed(values))
      return failure();
    for (auto [o, v] : llvm::enumerate(*values)) {
      Value stored = v;
      if (stored.getType().isInteger(1))
        stored = arith::ExtUIOp::create(kb.b(), kb.loc(), kb.b().getI8Type(), stored);
      outLanes[o].push_back(stored);
    }
  }
  for (auto [o, values] : llvm::enumerate(outLanes)) {
    unsigned buffer = inputBuffers_ + o;
    kb.storeConsecutive(kb.param(param(buffer)), linear, values, n * bytesOf(buffer));
  }
  return success();
}

LogicalResult ElementwiseProgram::emitAt(KernelBuilder &kb, Value linear, Value seedValue) const {
  std::map<std::pair<int, unsigned>, SmallVector<Value>> coords; // per (buffer, view)
  FailureOr<SmallVector<Value>> values = compute(kb, seedValue, [&](unsigned buffer, unsigned view) {
    const Input *in = nullptr;
    for (const Input &i : inputs_)
      if (i.buffer == static_cast<int>(buffer))
        in = &i;
    const View &w = in->views[view];
    if (w.contiguous)
      return kb.load(param(buffer), linear);
    SmallVector<Value> &c = coords[{static_cast<int>(buffer), view}];
    if (c.empty())
      c = kb.delinearize(linear, w.shape);
    return kb.load(param(buffer), kb.linearize(c, w.strides));
  });
  if (failed(values))
    return failure();
  for (auto [i, v] : llvm::enumerate(*values))
    kb.store(param(inputBuffers_ + i), linear, v);
  return success();
}

} // namespace kiln::codegen
