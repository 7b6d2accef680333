// Reduction kernels (Reduce*, ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax, CumSum, TopK) and
// the normalizations built on row statistics (Layer/Instance/Batch norm, LRN, MVN),
// mirroring compiler/Reference/Reduction.cpp and Normalization.cpp.
//
// Every reduction is seen as groups (one per output element) of R reduced elements: the
// input's non-unit dimensions are merged into alternating kept/reduced groups, so no
// transpose is ever needed. A group is reduced by one thread (short or strided groups,
// where consecutive threads read consecutive kept elements, hence coalesced), by one warp
// (contiguous rows) or by one block (long rows), with a tree of warp shuffles and shared
// memory across warps.
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {
namespace {

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

std::optional<int64_t> normAxis(int64_t a, int64_t rank) {
  if (a < -rank || a >= rank)
    return std::nullopt;
  return a < 0 ? a + rank : a;
}

bool hasResult(Operation *op, unsigned i) {
  return i < op->getNumResults() && !isa<NoneType>(op->getResult(i).getType());
}
RankedTensorType tensorType(Value v) { return cast<RankedTensorType>(v.getType()); }
bool isUnsignedElem(Type t) { return t.isUnsignedInteger() || t.isInteger(1); }

/// One-element integer constant (axis of CumSum, K of TopK).
std::optional<int64_t> constScalarInt(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1 ||
      !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  APInt bits = *attr.getValues<APInt>().begin();
  return attr.getElementType().isUnsignedInteger() ? static_cast<int64_t>(bits.getZExtValue())
                                                    : bits.getSExtValue();
}

/// Arith helpers on accumulator values.
struct A {
  KernelBuilder &kb;
  explicit A(KernelBuilder &kb) : kb(kb) {}
  OpBuilder &b() { return kb.b(); }
  Location loc() { return kb.loc(); }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b(), loc(), x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b(), loc(), x, y); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b(), loc(), x, y); }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b(), loc(), x, y); }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b(), loc(), x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b(), loc(), x, y); }
  Value muli(Value x, Value y) { return arith::MulIOp::create(b(), loc(), x, y); }
  Value exp(Value x) { return math::ExpOp::create(b(), loc(), x); }
  Value log(Value x) { return math::LogOp::create(b(), loc(), x); }
  Value sqrt(Value x) { return math::SqrtOp::create(b(), loc(), x); }
  Value pow(Value x, Value y) { return math::PowFOp::create(b(), loc(), x, y); }
  Value absf(Value x) { return math::AbsFOp::create(b(), loc(), x); }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) { return arith::CmpFOp::create(b(), loc(), p, x, y); }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) { return arith::CmpIOp::create(b(), loc(), p, x, y); }
  Value sel(Value c, Value x, Value y) { return arith::SelectOp::create(b(), loc(), c, x, y); }
  Value isNan(Value x) { return cmpf(arith::CmpFPredicate::UNO, x, x); }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b(), loc(), x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b(), loc(), x, y); }
  Value notI(Value x) { return arith::XOrIOp::create(b(), loc(), x, kb.constBool(true)); }
  Value eqIdx(Value x, Value y) { return cmpi(arith::CmpIPredicate::eq, x, y); }
};

/// The type values are accumulated in: f32 for f16/bf16/f32, f64 for f64, i64 for integers.
Type accType(Type elem) {
  MLIRContext *ctx = elem.getContext();
  if (elem.isF64())
    return Float64Type::get(ctx);
  if (isa<FloatType>(elem))
    return Float32Type::get(ctx);
  return IntegerType::get(ctx, 64);
}

Value toAcc(KernelBuilder &kb, Value v, Type elem) {
  if (isa<FloatType>(elem)) {
    v = toCompute(kb, v, elem);
    if (v.getType() != accType(elem))
      v = arith::ExtFOp::create(kb.b(), kb.loc(), accType(elem), v);
    return v;
  }
  if (v.getType().getIntOrFloatBitWidth() == 64)
    return v;
  if (isUnsignedElem(elem))
    return arith::ExtUIOp::create(kb.b(), kb.loc(), kb.b().getI64Type(), v);
  return arith::ExtSIOp::create(kb.b(), kb.loc(), kb.b().getI64Type(), v);
}

/// Converts an accumulator (f32/f64/i64) to the compute type of `elem` (ready to store).
Value fromAcc(KernelBuilder &kb, Value v, Type elem) {
  if (isa<FloatType>(elem)) {
    Type ct = computeType(elem);
    if (v.getType() != ct) {
      if (v.getType().getIntOrFloatBitWidth() > ct.getIntOrFloatBitWidth())
        v = arith::TruncFOp::create(kb.b(), kb.loc(), ct, v);
      else
        v = arith::ExtFOp::create(kb.b(), kb.loc(), ct, v);
    }
    return fromCompute(kb, v, elem);
  }
  if (elem.isInteger(1))
    return arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::ne, v, kb.constInt(v.getType(), 0));
  unsigned w = elem.getIntOrFloatBitWidth();
  if (w == 64)
    return v;
  return arith::TruncIOp::create(kb.b(), kb.loc(), IntegerType::get(kb.ctx(), w), v);
}

/// Loads element `off` of parameter `p` (tensor element type `elem`) as an accumulator.
Value loadAcc(KernelBuilder &kb, unsigned p, Value off) { return toAcc(kb, kb.load(p, off), kb.elementType(p)); }
void storeAcc(KernelBuilder &kb, unsigned p, Value off, Value v) {
  kb.store(p, off, fromAcc(kb, v, kb.elementType(p)));
}

/// Lowest / highest value of `elem` as an accumulator constant.
Value lowestAcc(KernelBuilder &kb, Type elem) {
  Type at = accType(elem);
  if (isa<FloatType>(elem))
    return kb.constFloat(at, -INFINITY);
  unsigned w = elem.getIntOrFloatBitWidth();
  if (isUnsignedElem(elem))
    return kb.constInt(at, 0);
  return kb.constInt(at, w >= 64 ? std::numeric_limits<int64_t>::min() : -(int64_t(1) << (w - 1)));
}
Value highestAcc(KernelBuilder &kb, Type elem) {
  Type at = accType(elem);
  if (isa<FloatType>(elem))
    return kb.constFloat(at, INFINITY);
  unsigned w = elem.getIntOrFloatBitWidth();
  if (elem.isInteger(1))
    return kb.constInt(at, 1);
  if (isUnsignedElem(elem))
    return kb.constInt(at, w >= 64 ? -1 : static_cast<int64_t>((uint64_t(1) << w) - 1));
  return kb.constInt(at, w >= 64 ? std::numeric_limits<int64_t>::max() : (int64_t(1) << (w - 1)) - 1);
}

//===----------------------------------------------------------------------===//
// Group view and kernel skeleton
//===----------------------------------------------------------------------===//

/// The input as kept groups (the output's order) and reduced groups, unit dims dropped and
/// adjacent dims of the same kind merged.
struct View {
  SmallVector<int64_t> keptSizes, keptStrides, redSizes, redStrides;
  int64_t outN = 1, R = 1;
  /// The reduced elements of a group are one contiguous run (or a single element).
  bool contiguous() const { return redSizes.empty() || (redSizes.size() == 1 && redStrides[0] == 1); }
  /// Elements after the reduced run, when there is exactly one reduced group.
  int64_t innerN() const { return redSizes.size() == 1 ? redStrides[0] : 1; }
};

View makeView(ArrayRef<int64_t> shape, ArrayRef<bool> mask) {
  View v;
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  int lastKind = -1; // 0 kept, 1 reduced
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1)
      continue;
    int kind = mask[d] ? 1 : 0;
    auto &sizes = kind ? v.redSizes : v.keptSizes;
    auto &strs = kind ? v.redStrides : v.keptStrides;
    if (kind == lastKind && strs.back() == shape[d] * strides[d]) {
      sizes.back() *= shape[d];
      strs.back() = strides[d];
    } else {
      sizes.push_back(shape[d]);
      strs.push_back(strides[d]);
    }
    lastKind = kind;
  }
  v.outN = numElements(v.keptSizes);
  v.R = numElements(v.redSizes);
  return v;
}

/// Thread: one thread per group. Warp/Block: 32 / kRowBlock threads per group. Column:
/// blocks of 32 x kColumnRows threads where threadIdx.x walks 32 consecutive groups
/// (coalesced when the innermost kept dimension is contiguous) and threadIdx.y splits
/// the reduction, combined through shared memory.
enum class Mode { Thread, Warp, Block, Column };
constexpr int64_t kColumnRows = 8;
constexpr int64_t kWarpRowsPerBlock = 8;
constexpr int64_t kRowBlock = 512;

Mode chooseMode(const View &v) {
  if (v.R <= 16)
    return Mode::Thread;
  if (v.contiguous())
    return v.R < 2048 ? Mode::Warp : Mode::Block;
  // Strided groups: one thread per group is coalesced across groups; with few groups and
  // long reductions, a block per group keeps the GPU busy instead.
  if (v.outN < 2048 && v.R >= 256)
    return Mode::Block;
  bool innerKept = !v.keptStrides.empty() && v.keptStrides.back() == 1;
  if (innerKept && v.R >= 64)
    return Mode::Column;
  return Mode::Thread;
}

using Combine = function_ref<SmallVector<Value>(ValueRange a, ValueRange b)>;

/// One group being processed by 1, 32 or kRowBlock cooperating threads.
struct Group {
  KernelBuilder &kb;
  const View &v;
  Mode mode;
  Value o;    // group (output) index
  Value base; // input offset of the group's first element
  Value lane; // this thread's rank in the group
  int64_t threads = 1;
  Value valid; // Column mode: whether this thread's group exists (null: always)
  Value col;   // Column mode: threadIdx.x

  /// Input offset of the group's r-th reduced element.
  Value offset(Value r) {
    if (v.redSizes.empty())
      return base;
    if (v.redSizes.size() == 1)
      return kb.add(base, kb.mulC(r, v.redStrides[0]));
    return kb.add(base, kb.linearize(kb.delinearize(r, v.redSizes), v.redStrides));
  }

  /// Folds `step` over this thread's share of the group, then combines across the group:
  /// every thread of the group gets the total.
  SmallVector<Value> reduce(ValueRange init,
                            function_ref<SmallVector<Value>(Value r, Value off, ValueRange acc)> step,
                            Combine combine) {
    // Cooperative modes keep kUnroll independent partials per thread, so that several
    // loads are in flight (a single chain is latency-bound), then a remainder loop.
    constexpr int64_t kUnroll = 4;
    int64_t chunk = kUnroll * threads;
    int64_t mainEnd = threads > 1 ? (v.R / chunk) * chunk : 0;
    SmallVector<Value> acc(init.begin(), init.end());
    if (mainEnd > 0) {
      size_t k = init.size();
      SmallVector<Value> inits;
      for (int64_t u = 0; u < kUnroll; ++u)
        inits.append(init.begin(), init.end());
      SmallVector<Value> parts = kb.forLoopCarry(
          lane, kb.idx(mainEnd), kb.idx(chunk), inits, [&](Value r, ValueRange a) {
            SmallVector<Value> next;
            for (int64_t u = 0; u < kUnroll; ++u) {
              Value ru = u == 0 ? r : kb.add(r, kb.idx(u * threads));
              SmallVector<Value> res = step(ru, offset(ru), a.slice(u * k, k));
              next.append(res.begin(), res.end());
            }
            return next;
          });
      acc.assign(parts.begin(), parts.begin() + k);
      for (int64_t u = 1; u < kUnroll; ++u)
        acc = combine(acc, ValueRange(parts).slice(u * k, k));
    }
    acc = kb.forLoopCarry(
        mainEnd > 0 ? kb.add(kb.idx(mainEnd), lane) : lane, kb.idx(v.R), kb.idx(threads), acc,
        [&](Value r, ValueRange a) { return step(r, offset(r), a); });
    return allReduce(acc, combine);
  }

  /// Rows that a warp can hold in registers (at most kCachedPerLane elements per lane),
  /// so that a softmax or a normalization reads its row from memory once instead of once
  /// per pass. Lane l holds elements l + 32 i.
  static constexpr int64_t kCachedPerLane = 32;
  bool fitsRegisters() const { return mode == Mode::Warp && v.contiguous() && v.R <= 32 * kCachedPerLane; }
  int64_t cachedCount() const { return (v.R + 31) / 32; }
  /// Whether cached element i may lie past the row (only the last one, when 32 does not
  /// divide the row).
  bool cachedTail(int64_t i) const { return i == cachedCount() - 1 && v.R % 32 != 0; }
  Value cachedIndex(int64_t i) { return kb.add(lane, kb.idx(32 * i)); }

  /// This lane's elements, all loads issued together; past the row it reloads the last
  /// element (in bounds; never reduced or stored).
  SmallVector<Value> loadCached(function_ref<Value(Value off)> load) {
    SmallVector<Value> vals;
    for (int64_t i = 0; i < cachedCount(); ++i) {
      Value r = cachedIndex(i);
      if (cachedTail(i))
        r = kb.min(r, kb.idx(v.R - 1));
      vals.push_back(load(offset(r)));
    }
    return vals;
  }

  /// Combines one value per cached element across the group; every thread gets the total.
  Value reduceCached(ArrayRef<Value> vals, Value init, Combine combine) {
    Value acc = init;
    for (int64_t i = 0; i < static_cast<int64_t>(vals.size()); ++i) {
      Value e = vals[i];
      if (cachedTail(i))
        e = kb.select(kb.ltC(cachedIndex(i), v.R), e, init);
      acc = combine({acc}, {e})[0];
    }
    return allReduce({acc}, combine)[0];
  }

  /// Runs `body` for each cached element that lies in the row.
  void forEachCached(function_ref<void(int64_t i, Value r, Value off)> body) {
    for (int64_t i = 0; i < cachedCount(); ++i) {
      Value r = cachedIndex(i);
      if (cachedTail(i))
        kb.ifThen(kb.ltC(r, v.R), [&] { body(i, r, offset(r)); });
      else
        body(i, r, offset(r));
    }
  }

  void forEach(function_ref<void(Value r, Value off)> body) {
    auto loop = [&] { kb.forLoop(lane, kb.idx(v.R), kb.idx(threads), [&](Value r) { body(r, offset(r)); }); };
    if (valid)
      kb.ifThen(valid, loop);
    else
      loop();
  }

  /// Runs `body` on one thread of the group.
  void leader(function_ref<void()> body) {
    if (threads == 1 && !valid)
      return body();
    Value cond = threads == 1 ? valid : A(kb).eqIdx(lane, kb.idx(0));
    if (valid && threads != 1)
      cond = A(kb).andI(cond, valid);
    kb.ifThen(cond, body);
  }

  SmallVector<Value> allReduce(SmallVector<Value> vals, Combine combine) {
    if (mode == Mode::Thread)
      return vals;
    if (mode == Mode::Column) {
      SmallVector<Value> bufs;
      for (Value e : vals) {
        bufs.push_back(kb.sharedBuffer(e.getType(), 32 * kColumnRows));
        kb.storeTo(bufs.back(), kb.add(kb.mulC(lane, 32), col), e);
      }
      kb.barrier();
      SmallVector<Value> total;
      for (int64_t w = 0; w < kColumnRows; ++w) {
        SmallVector<Value> other;
        for (Value buf : bufs)
          other.push_back(kb.loadFrom(buf, kb.add(kb.idx(w * 32), col)));
        total = w == 0 ? other : combine(total, other);
      }
      kb.barrier();
      return total;
    }
    auto butterfly = [&](SmallVector<Value> x) {
      for (int32_t s = 16; s >= 1; s /= 2) {
        SmallVector<Value> other;
        for (Value e : x)
          other.push_back(kb.shuffleXor(e, s));
        x = combine(x, other);
      }
      return x;
    };
    vals = butterfly(vals);
    if (mode == Mode::Warp)
      return vals;
    int64_t warps = threads / 32;
    SmallVector<Value> bufs;
    for (Value e : vals)
      bufs.push_back(kb.sharedBuffer(e.getType(), warps));
    Value warp = kb.divC(lane, 32), wl = kb.remC(lane, 32);
    kb.ifThen(A(kb).eqIdx(wl, kb.idx(0)), [&] {
      for (auto [buf, e] : llvm::zip(bufs, vals))
        kb.storeTo(buf, warp, e);
    });
    kb.barrier();
    SmallVector<Value> total;
    for (Value buf : bufs)
      total.push_back(kb.loadFrom(buf, kb.idx(0)));
    for (int64_t w = 1; w < warps; ++w) {
      SmallVector<Value> other;
      for (Value buf : bufs)
        other.push_back(kb.loadFrom(buf, kb.idx(w)));
      total = combine(total, other);
    }
    // The buffers may be written again (a reduction inside a loop): wait for every reader.
    kb.barrier();
    return total;
  }
};

/// Emits the kernel skeleton: geometry for `mode`, a guard on the group index, `body`.
Launch emitGroups(KernelBuilder &kb, const View &v, Mode mode, function_ref<void(Group &)> body) {
  Group g{kb, v, mode, Value(), Value(), Value(), 1, Value(), Value()};
  Launch l;
  l.kernel = kb.name().str();
  uint32_t block = 256;
  Value tid = kb.threadId(gpu::Dimension::x), bid = kb.blockId(gpu::Dimension::x);
  switch (mode) {
  case Mode::Thread:
    block = 256;
    g.o = kb.add(kb.mulC(bid, block), tid);
    g.lane = kb.idx(0);
    g.threads = 1;
    l.grid[0] = static_cast<uint32_t>(std::max<int64_t>(1, (v.outN + block - 1) / block));
    break;
  case Mode::Warp:
    block = 32 * kWarpRowsPerBlock;
    g.o = kb.add(kb.mulC(bid, kWarpRowsPerBlock), kb.divC(tid, 32));
    g.lane = kb.remC(tid, 32);
    g.threads = 32;
    l.grid[0] = static_cast<uint32_t>(std::max<int64_t>(1, (v.outN + kWarpRowsPerBlock - 1) / kWarpRowsPerBlock));
    break;
  case Mode::Column:
    block = 32;
    g.col = tid;
    g.o = kb.add(kb.mulC(bid, 32), tid);
    g.lane = kb.threadId(gpu::Dimension::y);
    g.threads = kColumnRows;
    g.valid = kb.ltC(g.o, v.outN);
    l.grid[0] = static_cast<uint32_t>((v.outN + 31) / 32);
    break;
  case Mode::Block:
    block = kRowBlock;
    g.o = bid;
    g.lane = tid;
    g.threads = kRowBlock;
    l.grid[0] = static_cast<uint32_t>(std::max<int64_t>(1, v.outN));
    break;
  }
  uint32_t blockY = mode == Mode::Column ? static_cast<uint32_t>(kColumnRows) : 1;
  l.block = {block, blockY, 1};
  if (mode == Mode::Column) {
    // No guard (barriers must stay uniform): out-of-range threads read the last group and
    // never write (Group::valid).
    Value clamped = kb.select(g.valid, g.o, kb.idx(v.outN - 1));
    g.base = kb.linearize(kb.delinearize(clamped, v.keptSizes), v.keptStrides);
    body(g);
  } else {
    auto run = [&] {
      g.base = kb.linearize(kb.delinearize(g.o, v.keptSizes), v.keptStrides);
      body(g);
    };
    if (mode == Mode::Block) // grid == outN: every thread is in range, barriers stay uniform
      run();
    else
      kb.ifThen(kb.ltC(g.o, v.outN), run);
  }
  kb.finish({block, blockY, 1});
  return l;
}

/// One thread per element over `n` elements.
Launch emitElementwise(KernelBuilder &kb, int64_t n, function_ref<void(Value i)> body) {
  constexpr uint32_t block = 256;
  Value i = kb.globalId(block);
  kb.ifThen(kb.ltC(i, n), [&] { body(i); });
  kb.finish({block, 1, 1});
  return linearLaunch(kb.name(), n, block);
}

/// Mask of a single axis, or of axes [from, rank).
SmallVector<bool> axisMask(int64_t rank, int64_t axis) {
  SmallVector<bool> m(rank, false);
  m[axis] = true;
  return m;
}
SmallVector<bool> trailingMask(int64_t rank, int64_t from) {
  SmallVector<bool> m(rank, false);
  for (int64_t d = from; d < rank; ++d)
    m[d] = true;
  return m;
}

LogicalResult tooBig(Operation *op, const View &v) {
  if (v.outN > std::numeric_limits<int32_t>::max() / 2 || v.R > std::numeric_limits<int32_t>::max())
    return op->emitOpError() << "reduction too large for one launch", failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Reduce*
//===----------------------------------------------------------------------===//

enum class RK { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

LogicalResult copyKernel(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  int64_t n = numElements(y);
  if (numElements(x) != n)
    return op->emitOpError() << "identity reduction with mismatched sizes", failure();
  KernelBuilder kb(km, "reduce_copy", {x, y}, op->getLoc());
  Launch l = emitElementwise(kb, n, [&](Value i) { kb.store(1, i, kb.load(0, i)); });
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

LogicalResult genReduce(RK kind, Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  Type elem = xt.getElementType();
  int64_t rank = xt.getRank();
  auto axesAttr = op->getAttrOfType<DenseI64ArrayAttr>("axes");
  auto noopAttr = op->getAttrOfType<IntegerAttr>("noop_with_empty_axes");
  bool noAxes = !axesAttr || axesAttr.empty();
  if (noopAttr && noopAttr.getInt() != 0 && noAxes)
    return copyKernel(op, km, launches);
  if (elem.isInteger(1))
    return op->emitOpError() << "reductions of bool tensors are not supported", failure();
  bool fp = isa<FloatType>(elem);
  if (!fp && (kind == RK::L2 || kind == RK::LogSum || kind == RK::LogSumExp))
    return op->emitOpError() << "this reduction of an integer tensor is not supported", failure();
  SmallVector<bool> mask(rank, noAxes);
  if (!noAxes)
    for (int64_t a : axesAttr.asArrayRef()) {
      std::optional<int64_t> n = normAxis(a, rank);
      if (!n)
        return op->emitOpError() << "axis " << a << " is out of range for rank " << rank, failure();
      mask[*n] = true;
    }
  View v = makeView(xt.getShape(), mask);
  if (v.outN != numElements(y))
    return op->emitOpError() << "result size does not match the reduction", failure();
  if (failed(tooBig(op, v)))
    return failure();
  bool uns = isUnsignedElem(elem);
  Type at = accType(elem);

  KernelBuilder kb(km, op->getName().stripDialect(), {x, y}, op->getLoc());
  A a(kb);
  auto sumCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    return {fp ? a.addf(p[0], q[0]) : a.addi(p[0], q[0])};
  };
  auto maxCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    if (fp)
      return {arith::MaximumFOp::create(kb.b(), kb.loc(), p[0], q[0]).getResult()};
    if (uns)
      return {arith::MaxUIOp::create(kb.b(), kb.loc(), p[0], q[0]).getResult()};
    return {arith::MaxSIOp::create(kb.b(), kb.loc(), p[0], q[0]).getResult()};
  };
  auto minCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    if (fp)
      return {arith::MinimumFOp::create(kb.b(), kb.loc(), p[0], q[0]).getResult()};
    if (uns)
      return {arith::MinUIOp::create(kb.b(), kb.loc(), p[0], q[0]).getResult()};
    return {arith::MinSIOp::create(kb.b(), kb.loc(), p[0], q[0]).getResult()};
  };
  auto prodCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    return {fp ? a.mulf(p[0], q[0]) : a.muli(p[0], q[0])};
  };
  Mode mode = chooseMode(v);
  Launch l = emitGroups(kb, v, mode, [&](Group &g) {
    Value lseMax;
    if (kind == RK::LogSumExp)
      lseMax = g.reduce({lowestAcc(kb, elem)},
                        [&](Value, Value off, ValueRange acc) -> SmallVector<Value> {
                          return maxCombine(acc, {loadAcc(kb, 0, off)});
                        },
                        maxCombine)[0];
    Value init;
    switch (kind) {
    case RK::Max: init = lowestAcc(kb, elem); break;
    case RK::Min: init = highestAcc(kb, elem); break;
    case RK::Prod: init = kb.constOf(at, 1); break;
    default: init = kb.constOf(at, 0); break;
    }
    Combine combine = kind == RK::Max    ? Combine(maxCombine)
                      : kind == RK::Min  ? Combine(minCombine)
                      : kind == RK::Prod ? Combine(prodCombine)
                                         : Combine(sumCombine);
    Value acc = g.reduce(
        {init},
        [&](Value, Value off, ValueRange acc) -> SmallVector<Value> {
          Value e = loadAcc(kb, 0, off);
          switch (kind) {
          case RK::L1:
            if (fp)
              e = a.absf(e);
            else if (!uns)
              e = a.sel(a.cmpi(arith::CmpIPredicate::slt, e, kb.constInt(at, 0)),
                        a.subi(kb.constInt(at, 0), e), e);
            break;
          case RK::L2:
          case RK::SumSquare: e = fp ? a.mulf(e, e) : a.muli(e, e); break;
          case RK::LogSumExp: e = a.exp(a.subf(e, lseMax)); break;
          default: break;
          }
          return combine(acc, {e});
        },
        combine)[0];
    g.leader([&] {
      Value r = acc;
      switch (kind) {
      case RK::Mean:
        if (fp) {
          r = a.divf(acc, kb.constFloat(at, static_cast<double>(v.R)));
        } else if (v.R == 0) {
          r = kb.constInt(at, 0);
        } else if (uns) {
          r = arith::DivUIOp::create(kb.b(), kb.loc(), acc, kb.constInt(at, v.R));
        } else {
          r = arith::DivSIOp::create(kb.b(), kb.loc(), acc, kb.constInt(at, v.R));
        }
        break;
      case RK::L2: r = a.sqrt(acc); break;
      case RK::LogSum: r = a.log(acc); break;
      case RK::LogSumExp: {
        // All -inf (or nothing) stays -inf; an infinite maximum is the result itself.
        Value isInf = a.cmpf(arith::CmpFPredicate::OEQ, a.absf(lseMax), kb.constFloat(at, INFINITY));
        r = a.sel(isInf, lseMax, a.addf(a.log(acc), lseMax));
        break;
      }
      default: break;
      }
      storeAcc(kb, 1, g.o, r);
    });
  });
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

//===----------------------------------------------------------------------===//
// ArgMax / ArgMin / Hardmax: (value, index) pairs with a total order
//===----------------------------------------------------------------------===//

/// Whether candidate (vb, ib) replaces (va, ia). `nanWins`: NaN is the extremum (ArgMax/
/// ArgMin, like NumPy); otherwise NaN loses to everything (Hardmax's strict `>` scan).
Value pairBetter(A &a, bool fp, bool uns, bool isMax, bool last, bool nanWins, Value va, Value ia,
                 Value vb, Value ib) {
  Value idxBetter = a.cmpi(last ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt, ib, ia);
  Value strictly, equal;
  if (fp) {
    strictly = a.cmpf(isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, vb, va);
    equal = a.cmpf(arith::CmpFPredicate::OEQ, vb, va);
  } else {
    arith::CmpIPredicate p = isMax ? (uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                                   : (uns ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
    strictly = a.cmpi(p, vb, va);
    equal = a.cmpi(arith::CmpIPredicate::eq, vb, va);
  }
  Value better = a.orI(strictly, a.andI(equal, idxBetter));
  if (!fp)
    return better;
  Value an = a.isNan(va), bn = a.isNan(vb);
  Value both = a.andI(an, bn);
  // both NaN: index rule; exactly one NaN: the NaN wins (nanWins) or loses.
  Value oneNan = nanWins ? a.andI(bn, a.notI(an)) : a.kb.constBool(false);
  Value anyNan = a.orI(an, bn);
  Value nanCase = a.sel(both, idxBetter, oneNan);
  return a.sel(anyNan, nanCase, better);
}

LogicalResult genArg(bool isMax, Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  Type elem = xt.getElementType();
  int64_t rank = xt.getRank();
  auto axisA = op->getAttrOfType<IntegerAttr>("axis");
  int64_t axisAttr = axisA ? axisA.getInt() : 0;
  std::optional<int64_t> axis = normAxis(axisAttr, rank);
  if (!axis)
    return op->emitOpError() << "axis " << axisAttr << " is out of range", failure();
  auto lastAttr = op->getAttrOfType<IntegerAttr>("select_last_index");
  bool last = lastAttr && lastAttr.getInt() != 0;
  if (xt.getShape()[*axis] == 0)
    return op->emitOpError() << "cannot take the index of an extremum over an empty axis", failure();
  if (elem.isInteger(1))
    return op->emitOpError() << "ArgMax/ArgMin of bool tensors are not supported", failure();
  View v = makeView(xt.getShape(), axisMask(rank, *axis));
  if (failed(tooBig(op, v)))
    return failure();
  bool fp = isa<FloatType>(elem), uns = isUnsignedElem(elem);
  KernelBuilder kb(km, op->getName().stripDialect(), {x, y}, op->getLoc());
  A a(kb);
  Type i64 = kb.b().getI64Type();
  auto combine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    Value take = pairBetter(a, fp, uns, isMax, last, /*nanWins=*/true, p[0], p[1], q[0], q[1]);
    return {a.sel(take, q[0], p[0]), a.sel(take, q[1], p[1])};
  };
  Launch l = emitGroups(kb, v, chooseMode(v), [&](Group &g) {
    // The identity loses to every real element: worst value, and an index that loses ties.
    Value worst = isMax ? lowestAcc(kb, elem) : highestAcc(kb, elem);
    Value worstIdx = kb.constInt(i64, last ? -1 : std::numeric_limits<int64_t>::max());
    SmallVector<Value> best = g.reduce(
        {worst, worstIdx},
        [&](Value r, Value off, ValueRange acc) {
          return combine(acc, {loadAcc(kb, 0, off), kb.fromIndex(r, i64)});
        },
        combine);
    g.leader([&] { kb.store(1, g.o, best[1]); });
  });
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax / LogSoftmax / Hardmax
//===----------------------------------------------------------------------===//

enum class SK { Softmax, LogSoftmax, Hardmax };

LogicalResult genSoftmax(SK kind, Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  Type elem = xt.getElementType();
  int64_t rank = xt.getRank();
  if (rank == 0)
    return op->emitOpError() << "needs a ranked input of rank >= 1", failure();
  auto axisAttr = op->getAttrOfType<IntegerAttr>("axis");
  int64_t ax = axisAttr ? axisAttr.getInt() : -1;
  std::optional<int64_t> axis = normAxis(ax, rank);
  if (!axis)
    return op->emitOpError() << "axis " << ax << " is out of range", failure();
  if (!isa<FloatType>(elem))
    return op->emitOpError() << "needs a float input", failure();
  View v = makeView(xt.getShape(), axisMask(rank, *axis));
  if (failed(tooBig(op, v)))
    return failure();
  Type at = accType(elem);
  KernelBuilder kb(km, op->getName().stripDialect(), {x, y}, op->getLoc());
  A a(kb);
  Type i64 = kb.b().getI64Type();
  auto maxCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    return {arith::MaximumFOp::create(kb.b(), kb.loc(), p[0], q[0]).getResult()};
  };
  auto sumCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> { return {a.addf(p[0], q[0])}; };
  auto argCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    Value take = pairBetter(a, true, false, true, false, /*nanWins=*/false, p[0], p[1], q[0], q[1]);
    return {a.sel(take, q[0], p[0]), a.sel(take, q[1], p[1])};
  };
  Launch l = emitGroups(kb, v, chooseMode(v), [&](Group &g) {
    if (kind == SK::Hardmax) {
      // The reference's scan starts at element 0: a leading NaN is never replaced. (Read
      // before the group's reduction, so before any thread of the group writes.)
      Value firstNan = a.isNan(loadAcc(kb, 0, g.base));
      SmallVector<Value> best = g.reduce(
          {kb.constFloat(at, -INFINITY), kb.constInt(i64, std::numeric_limits<int64_t>::max())},
          [&](Value r, Value off, ValueRange acc) {
            return argCombine(acc, {loadAcc(kb, 0, off), kb.fromIndex(r, i64)});
          },
          argCombine);
      Value arg = a.sel(firstNan, kb.constInt(i64, 0), best[1]);
      g.forEach([&](Value r, Value off) {
        Value hit = a.cmpi(arith::CmpIPredicate::eq, kb.fromIndex(r, i64), arg);
        storeAcc(kb, 1, off, a.sel(hit, kb.constFloat(at, 1.0), kb.constFloat(at, 0.0)));
      });
      return;
    }
    if (g.fitsRegisters()) {
      // One read of the row: max, exponentials and their sum from registers.
      SmallVector<Value> xs = g.loadCached([&](Value off) { return loadAcc(kb, 0, off); });
      Value mx = g.reduceCached(xs, kb.constFloat(at, -INFINITY), maxCombine);
      SmallVector<Value> ds, es;
      for (Value e : xs) {
        ds.push_back(a.subf(e, mx));
        es.push_back(a.exp(ds.back()));
      }
      Value sum = g.reduceCached(es, kb.constFloat(at, 0.0), sumCombine);
      Value logSum = kind == SK::LogSoftmax ? a.log(sum) : Value();
      g.forEachCached([&](int64_t i, Value, Value off) {
        storeAcc(kb, 1, off, kind == SK::Softmax ? a.divf(es[i], sum) : a.subf(ds[i], logSum));
      });
      return;
    }
    Value mx = g.reduce({kb.constFloat(at, -INFINITY)},
                        [&](Value, Value off, ValueRange acc) { return maxCombine(acc, {loadAcc(kb, 0, off)}); },
                        maxCombine)[0];
    Value sum = g.reduce({kb.constFloat(at, 0.0)},
                         [&](Value, Value off, ValueRange acc) {
                           return sumCombine(acc, {a.exp(a.subf(loadAcc(kb, 0, off), mx))});
                         },
                         sumCombine)[0];
    Value logSum = kind == SK::LogSoftmax ? a.log(sum) : Value();
    g.forEach([&](Value, Value off) {
      Value d = a.subf(loadAcc(kb, 0, off), mx);
      Value r = kind == SK::Softmax ? a.divf(a.exp(d), sum) : a.subf(d, logSum);
      storeAcc(kb, 1, off, r);
    });
  });
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

//===----------------------------------------------------------------------===//
// CumSum
//===----------------------------------------------------------------------===//

LogicalResult genCumSum(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto c = cast<k::CumSumOp>(op);
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  Type elem = xt.getElementType();
  int64_t rank = xt.getRank();
  std::optional<int64_t> axv = constScalarInt(op->getOperand(1));
  if (!axv)
    return op->emitOpError() << "axis must be a constant (one element)", failure();
  std::optional<int64_t> axis = normAxis(*axv, rank);
  if (!axis)
    return op->emitOpError() << "axis " << *axv << " is out of range for rank " << rank, failure();
  if (elem.isInteger(1))
    return op->emitOpError() << "CumSum of bool tensors is not supported", failure();
  bool exclusive = c.getExclusive() != 0, reverse = c.getReverse() != 0;
  View v = makeView(xt.getShape(), axisMask(rank, *axis));
  if (failed(tooBig(op, v)))
    return failure();
  bool fp = isa<FloatType>(elem);
  Type at = accType(elem);
  KernelBuilder kb(km, op->getName().stripDialect(), {x, y}, op->getLoc());
  A a(kb);
  // A serial scan per group: consecutive threads walk consecutive inner positions.
  Launch l = emitGroups(kb, v, Mode::Thread, [&](Group &g) {
    kb.forLoopCarry(kb.idx(0), kb.idx(v.R), kb.idx(1), {kb.constOf(at, 0)},
                    [&](Value step, ValueRange acc) -> SmallVector<Value> {
                      Value j = reverse ? kb.sub(kb.idx(v.R - 1), step) : step;
                      Value off = g.offset(j);
                      Value e = loadAcc(kb, 0, off);
                      Value next = fp ? a.addf(acc[0], e) : a.addi(acc[0], e);
                      storeAcc(kb, 1, off, exclusive ? acc[0] : next);
                      return {next};
                    });
  });
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

//===----------------------------------------------------------------------===//
// TopK: K rounds of selection per group, each taking the next element in a total order
// (value, then lower index; NaN after everything), so ties keep the lower index first.
//===----------------------------------------------------------------------===//

LogicalResult genTopK(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto t = cast<k::TopKOp>(op);
  Value x = op->getOperand(0), vals = op->getResult(0), inds = op->getResult(1);
  auto xt = tensorType(x);
  Type elem = xt.getElementType();
  int64_t rank = xt.getRank();
  int64_t ax = static_cast<int64_t>(t.getAxis());
  std::optional<int64_t> axis = normAxis(ax, rank);
  if (!axis)
    return op->emitOpError() << "axis " << ax << " is out of range for rank " << rank, failure();
  // K is a run-time input in many models; the static result shape holds it anyway.
  std::optional<int64_t> kv = constScalarInt(op->getOperand(1));
  if (!kv)
    kv = tensorType(vals).getShape()[*axis];
  int64_t len = xt.getShape()[*axis];
  if (*kv < 0 || *kv > len)
    return op->emitOpError() << "K = " << *kv << " is out of range for an axis of size " << len, failure();
  if (tensorType(vals).getShape()[*axis] != *kv)
    return op->emitOpError() << "result shape does not match K = " << *kv, failure();
  if (elem.isInteger(1))
    return op->emitOpError() << "TopK of bool tensors is not supported", failure();
  if (*kv > 256)
    return op->emitOpError() << "K = " << *kv << " is too large for the selection kernel", failure();
  bool largest = t.getLargest() != 0;
  int64_t K = *kv;
  int64_t innerN = 1;
  for (int64_t d = *axis + 1; d < rank; ++d)
    innerN *= xt.getShape()[d];
  View v = makeView(xt.getShape(), axisMask(rank, *axis));
  if (failed(tooBig(op, v)))
    return failure();
  bool fp = isa<FloatType>(elem), uns = isUnsignedElem(elem);
  KernelBuilder kb(km, op->getName().stripDialect(), {x, vals, inds}, op->getLoc());
  A a(kb);
  Type i64 = kb.b().getI64Type();
  // precedes(p, q): p comes before q in the output order.
  auto precedes = [&](Value vp, Value ip, Value vq, Value iq) -> Value {
    Value idxFirst = a.cmpi(arith::CmpIPredicate::slt, ip, iq);
    Value strictly, equal;
    if (fp) {
      strictly = a.cmpf(largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, vp, vq);
      equal = a.cmpf(arith::CmpFPredicate::OEQ, vp, vq);
    } else {
      arith::CmpIPredicate p = largest ? (uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                                       : (uns ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
      strictly = a.cmpi(p, vp, vq);
      equal = a.cmpi(arith::CmpIPredicate::eq, vp, vq);
    }
    Value ordered = a.orI(strictly, a.andI(equal, idxFirst));
    if (!fp)
      return ordered;
    Value pn = a.isNan(vp), qn = a.isNan(vq);
    Value anyNan = a.orI(pn, qn);
    Value nanCase = a.sel(a.andI(pn, qn), idxFirst, qn); // non-NaN before NaN
    return a.sel(anyNan, nanCase, ordered);
  };
  // Take q over p when q is a real candidate that comes first (index -1: none).
  auto firstOf = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
    Value qValid = a.cmpi(arith::CmpIPredicate::sge, q[1], kb.constInt(i64, 0));
    Value pNone = a.cmpi(arith::CmpIPredicate::slt, p[1], kb.constInt(i64, 0));
    Value take = a.andI(qValid, a.orI(pNone, precedes(q[0], q[1], p[0], p[1])));
    return {a.sel(take, q[0], p[0]), a.sel(take, q[1], p[1])};
  };
  // Every round (uniform across the group) selects the first element after the last one taken.
  Launch l = emitGroups(kb, v, chooseMode(v), [&](Group &g) {
    Value outer = kb.divC(g.o, innerN), inner = kb.remC(g.o, innerN);
    Value outBase = kb.add(kb.mulC(outer, K * innerN), inner);
    Value zeroV = kb.constOf(accType(elem), 0);
    Value none = kb.constInt(i64, -1);
    kb.forLoopCarry(
        kb.idx(0), kb.idx(K), kb.idx(1), {zeroV, none},
        [&](Value j, ValueRange prev) -> SmallVector<Value> {
          Value havePrev = a.cmpi(arith::CmpIPredicate::sge, prev[1], kb.constInt(i64, 0));
          SmallVector<Value> best = g.reduce(
              {zeroV, none},
              [&](Value r, Value off, ValueRange cur) -> SmallVector<Value> {
                Value e = loadAcc(kb, 0, off);
                Value ri = kb.fromIndex(r, i64);
                Value after = a.orI(a.notI(havePrev), precedes(prev[0], prev[1], e, ri));
                return firstOf(cur, {e, a.sel(after, ri, none)});
              },
              firstOf);
          g.leader([&] {
            Value dst = kb.add(outBase, kb.mulC(j, innerN));
            storeAcc(kb, 1, dst, best[0]);
            kb.store(2, dst, best[1]);
          });
          return best;
        });
  });
  l.buffers = {x, vals, inds};
  launches.push_back(std::move(l));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// Mean and (two-pass) variance of a group, in the accumulator type, on every thread.
std::pair<Value, Value> meanVar(KernelBuilder &kb, Group &g, Type at) {
  A a(kb);
  auto sumCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> { return {a.addf(p[0], q[0])}; };
  Value n = kb.constFloat(at, static_cast<double>(g.v.R));
  Value sum = g.reduce({kb.constFloat(at, 0.0)},
                       [&](Value, Value off, ValueRange acc) { return sumCombine(acc, {loadAcc(kb, 0, off)}); },
                       sumCombine)[0];
  Value mean = a.divf(sum, n);
  Value sq = g.reduce({kb.constFloat(at, 0.0)},
                      [&](Value, Value off, ValueRange acc) {
                        Value d = a.subf(loadAcc(kb, 0, off), mean);
                        return sumCombine(acc, {a.mulf(d, d)});
                      },
                      sumCombine)[0];
  return {mean, a.divf(sq, n)};
}

/// meanVar of a row held in registers (Group::loadCached).
std::pair<Value, Value> meanVarCached(KernelBuilder &kb, Group &g, ArrayRef<Value> xs, Type at) {
  A a(kb);
  auto sumCombine = [&](ValueRange p, ValueRange q) -> SmallVector<Value> { return {a.addf(p[0], q[0])}; };
  Value n = kb.constFloat(at, static_cast<double>(g.v.R));
  Value zero = kb.constFloat(at, 0.0);
  Value mean = a.divf(g.reduceCached(xs, zero, sumCombine), n);
  SmallVector<Value> sq;
  for (Value x : xs) {
    Value d = a.subf(x, mean);
    sq.push_back(a.mulf(d, d));
  }
  return {mean, a.divf(g.reduceCached(sq, zero, sumCombine), n)};
}

/// Broadcast strides of `operand` (right-aligned) against `shape`; 0 where it has size 1.
SmallVector<int64_t> bcastStrides(ArrayRef<int64_t> operand, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 0);
  SmallVector<int64_t> own = rowMajorStrides(operand);
  size_t shift = shape.size() - operand.size();
  for (size_t d = 0; d < operand.size(); ++d)
    if (operand[d] != 1)
      strides[d + shift] = own[d];
  return strides;
}

bool broadcastsTo(ArrayRef<int64_t> operand, ArrayRef<int64_t> shape) {
  if (operand.size() > shape.size())
    return false;
  for (size_t i = 0; i < operand.size(); ++i) {
    int64_t d = operand[operand.size() - 1 - i], n = shape[shape.size() - 1 - i];
    if (d != 1 && d != n)
      return false;
  }
  return true;
}

LogicalResult genLayerNorm(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto ln = cast<k::LayerNormalizationOp>(op);
  Value x = op->getOperand(0), scale = op->getOperand(1), bias = op->getOperand(2);
  bool hasBias = !isAbsent(bias);
  auto xt = tensorType(x);
  int64_t rank = xt.getRank();
  int64_t ax = static_cast<int64_t>(ln.getAxis());
  std::optional<int64_t> axis = normAxis(ax, rank);
  if (!axis)
    return op->emitOpError() << "axis " << ax << " is out of range for rank " << rank, failure();
  double eps = ln.getEpsilon().convertToFloat();
  ArrayRef<int64_t> normShape = xt.getShape().drop_front(*axis);
  if (!broadcastsTo(tensorType(scale).getShape(), normShape) ||
      (hasBias && !broadcastsTo(tensorType(bias).getShape(), normShape)))
    return op->emitOpError() << "Scale and B must broadcast to the normalized axes", failure();
  View v = makeView(xt.getShape(), trailingMask(rank, *axis));
  if (failed(tooBig(op, v)))
    return failure();
  for (unsigned i : {1u, 2u})
    if (hasResult(op, i) && numElements(op->getResult(i)) != v.outN)
      return op->emitOpError() << "result " << i << " must have " << v.outN << " elements", failure();
  SmallVector<Value> buffers{x, scale};
  int pBias = -1, pMean = -1, pInv = -1;
  if (hasBias) {
    pBias = buffers.size();
    buffers.push_back(bias);
  }
  int pY = buffers.size();
  buffers.push_back(op->getResult(0));
  if (hasResult(op, 1)) {
    pMean = buffers.size();
    buffers.push_back(op->getResult(1));
  }
  if (hasResult(op, 2)) {
    pInv = buffers.size();
    buffers.push_back(op->getResult(2));
  }
  Type at = accType(xt.getElementType());
  SmallVector<int64_t> norm(normShape);
  SmallVector<int64_t> sStr = bcastStrides(tensorType(scale).getShape(), norm);
  SmallVector<int64_t> bStr = hasBias ? bcastStrides(tensorType(bias).getShape(), norm) : sStr;
  bool sFull = numElements(scale) == v.R, bFull = hasBias && numElements(bias) == v.R;
  KernelBuilder kb(km, op->getName().stripDialect(), buffers, op->getLoc());
  A a(kb);
  auto paramOff = [&](Value r, bool full, ArrayRef<int64_t> strides) {
    return full ? r : kb.linearize(kb.delinearize(r, norm), strides);
  };
  auto loadF = [&](unsigned p, Value off) {
    Value e = loadAcc(kb, p, off);
    if (e.getType() != at) // Scale/B of another float width
      e = e.getType().getIntOrFloatBitWidth() > at.getIntOrFloatBitWidth()
              ? Value(arith::TruncFOp::create(kb.b(), kb.loc(), at, e))
              : Value(arith::ExtFOp::create(kb.b(), kb.loc(), at, e));
    return e;
  };
  auto storeF = [&](unsigned p, Value off, Value e) {
    Type pt = accType(kb.elementType(p));
    if (pt != at)
      e = pt.getIntOrFloatBitWidth() > at.getIntOrFloatBitWidth()
              ? Value(arith::ExtFOp::create(kb.b(), kb.loc(), pt, e))
              : Value(arith::TruncFOp::create(kb.b(), kb.loc(), pt, e));
    storeAcc(kb, p, off, e);
  };
  Launch l = emitGroups(kb, v, chooseMode(v), [&](Group &g) {
    // A row that fits in registers is read once (then mean, variance and the output come
    // from registers); otherwise once per pass.
    SmallVector<Value> xs;
    if (g.fitsRegisters())
      xs = g.loadCached([&](Value off) { return loadAcc(kb, 0, off); });
    auto [mean, var] = xs.empty() ? meanVar(kb, g, at) : meanVarCached(kb, g, xs, at);
    Value inv = a.divf(kb.constFloat(at, 1.0), a.sqrt(a.addf(var, kb.constFloat(at, eps))));
    auto normalize = [&](Value x, Value r, Value off) {
      Value e = a.mulf(a.mulf(a.subf(x, mean), inv), loadF(1, paramOff(r, sFull, sStr)));
      if (hasBias)
        e = a.addf(e, loadF(pBias, paramOff(r, bFull, bStr)));
      storeF(pY, off, e);
    };
    if (!xs.empty())
      g.forEachCached([&](int64_t i, Value r, Value off) { normalize(xs[i], r, off); });
    else
      g.forEach([&](Value r, Value off) { normalize(loadAcc(kb, 0, off), r, off); });
    if (pMean >= 0 || pInv >= 0)
      g.leader([&] {
        if (pMean >= 0)
          storeF(pMean, g.o, mean);
        if (pInv >= 0)
          storeF(pInv, g.o, inv);
      });
  });
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

LogicalResult genInstanceNorm(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto in = cast<k::InstanceNormalizationOp>(op);
  Value x = op->getOperand(0), s = op->getOperand(1), b = op->getOperand(2), y = op->getResult(0);
  auto xt = tensorType(x);
  int64_t rank = xt.getRank();
  if (rank < 2)
    return op->emitOpError() << "needs an input of rank >= 2", failure();
  int64_t c = xt.getShape()[1];
  if (numElements(s) != c || numElements(b) != c)
    return op->emitOpError() << "scale and B must have " << c << " elements", failure();
  double eps = in.getEpsilon().convertToFloat();
  View v = makeView(xt.getShape(), trailingMask(rank, 2));
  if (failed(tooBig(op, v)))
    return failure();
  Type at = accType(xt.getElementType());
  KernelBuilder kb(km, op->getName().stripDialect(), {x, s, b, y}, op->getLoc());
  A a(kb);
  Launch l = emitGroups(kb, v, chooseMode(v), [&](Group &g) {
    // Groups are (n, c) in order, whatever unit dims were dropped.
    Value ch = kb.remC(g.o, c);
    auto [mean, var] = meanVar(kb, g, at);
    Value sc = a.divf(loadAcc(kb, 1, ch), a.sqrt(a.addf(var, kb.constFloat(at, eps))));
    Value bi = loadAcc(kb, 2, ch);
    g.forEach([&](Value, Value off) {
      storeAcc(kb, 3, off, a.addf(a.mulf(a.subf(loadAcc(kb, 0, off), mean), sc), bi));
    });
  });
  l.buffers = {x, s, b, y};
  launches.push_back(std::move(l));
  return success();
}

LogicalResult genMVN(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto m = cast<k::MeanVarianceNormalizationOp>(op);
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  int64_t rank = xt.getRank();
  SmallVector<bool> mask(rank, false);
  for (int64_t ax : m.getAxes()) {
    std::optional<int64_t> n = normAxis(ax, rank);
    if (!n)
      return op->emitOpError() << "axis " << ax << " is out of range for rank " << rank, failure();
    mask[*n] = true;
  }
  View v = makeView(xt.getShape(), mask);
  if (failed(tooBig(op, v)))
    return failure();
  Type at = accType(xt.getElementType());
  KernelBuilder kb(km, op->getName().stripDialect(), {x, y}, op->getLoc());
  A a(kb);
  Launch l = emitGroups(kb, v, chooseMode(v), [&](Group &g) {
    auto [mean, var] = meanVar(kb, g, at);
    Value den = a.addf(a.sqrt(var), kb.constFloat(at, 1e-9));
    g.forEach([&](Value, Value off) {
      storeAcc(kb, 1, off, a.divf(a.subf(loadAcc(kb, 0, off), mean), den));
    });
  });
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

LogicalResult genBatchNorm(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto bn = cast<k::BatchNormalizationOp>(op);
  if (bn.getTrainingMode() != 0)
    return op->emitOpError() << "training mode is not supported", failure();
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  int64_t rank = xt.getRank();
  int64_t n = rank > 0 ? xt.getShape()[0] : 1, c = rank > 1 ? xt.getShape()[1] : 1;
  int64_t total = xt.getNumElements();
  int64_t inner = c && n ? total / (n * c) : 0;
  for (unsigned i = 1; i <= 4; ++i)
    if (numElements(op->getOperand(i)) != c)
      return op->emitOpError() << "per-channel operands must have " << c << " elements", failure();
  double eps = bn.getEpsilon().convertToFloat();
  SmallVector<Value> buffers{x, op->getOperand(1), op->getOperand(2), op->getOperand(3),
                             op->getOperand(4), y};
  Type at = accType(xt.getElementType());
  KernelBuilder kb(km, op->getName().stripDialect(), buffers, op->getLoc());
  A a(kb);
  Launch l = emitElementwise(kb, total, [&](Value i) {
    Value ch = kb.remC(kb.divC(i, inner), c);
    auto ld = [&](unsigned p) {
      Value e = loadAcc(kb, p, ch);
      if (e.getType() != at)
        e = e.getType().getIntOrFloatBitWidth() > at.getIntOrFloatBitWidth()
                ? Value(arith::TruncFOp::create(kb.b(), kb.loc(), at, e))
                : Value(arith::ExtFOp::create(kb.b(), kb.loc(), at, e));
      return e;
    };
    Value sc = a.divf(ld(1), a.sqrt(a.addf(ld(4), kb.constFloat(at, eps))));
    Value r = a.addf(a.mulf(a.subf(loadAcc(kb, 0, i), ld(3)), sc), ld(2));
    storeAcc(kb, 5, i, r);
  });
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

LogicalResult genLRN(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto lr = cast<k::LRNOp>(op);
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  int64_t rank = xt.getRank();
  if (rank < 2)
    return op->emitOpError() << "needs an input of rank >= 2", failure();
  double alpha = lr.getAlpha().convertToFloat(), beta = lr.getBeta().convertToFloat(),
         bias = lr.getBias().convertToFloat();
  int64_t size = static_cast<int64_t>(lr.getSize());
  if (size <= 0)
    return op->emitOpError() << "size must be positive", failure();
  int64_t c = xt.getShape()[1], inner = 1;
  for (int64_t d = 2; d < rank; ++d)
    inner *= xt.getShape()[d];
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  Type at = accType(xt.getElementType());
  KernelBuilder kb(km, op->getName().stripDialect(), {x, y}, op->getLoc());
  A a(kb);
  Launch l = emitElementwise(kb, xt.getNumElements(), [&](Value i) {
    Value ch = kb.remC(kb.divC(i, inner), c);
    Value planeBase = kb.sub(i, kb.mulC(ch, inner)); // element at channel 0
    // Channels [max(0, ch - lo), min(c - 1, ch + hi)].
    Value first = lo == 0 ? ch : kb.select(kb.ltC(ch, lo), kb.idx(0), kb.sub(ch, kb.idx(lo)));
    Value end = kb.min(kb.add(ch, kb.idx(hi + 1)), kb.idx(c));
    Value sq = kb.forLoopCarry(first, end, kb.idx(1), {kb.constFloat(at, 0.0)},
                               [&](Value cc, ValueRange acc) -> SmallVector<Value> {
                                 Value e = loadAcc(kb, 0, kb.add(planeBase, kb.mulC(cc, inner)));
                                 return {a.addf(acc[0], a.mulf(e, e))};
                               })[0];
    Value den = a.pow(a.addf(kb.constFloat(at, bias), a.mulf(kb.constFloat(at, alpha / static_cast<double>(size)), sq)),
                      kb.constFloat(at, beta));
    storeAcc(kb, 1, i, a.divf(loadAcc(kb, 0, i), den));
  });
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

//===----------------------------------------------------------------------===//
// NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss (input viewed as N x C x D)
//===----------------------------------------------------------------------===//

LogicalResult genLoss(bool softmax, Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), target = op->getOperand(1), weight = op->getOperand(2);
  bool hasWeight = !isAbsent(weight);
  auto xt = tensorType(x);
  if (xt.getRank() < 2)
    return op->emitOpError() << "input must have rank >= 2", failure();
  int64_t n = xt.getShape()[0], c = xt.getShape()[1];
  int64_t d = n * c != 0 ? xt.getNumElements() / (n * c) : 0;
  int64_t np = n * d;
  if (numElements(target) != np)
    return op->emitOpError() << "target must have N x d1 x ... elements", failure();
  if (hasWeight && numElements(weight) != c)
    return op->emitOpError() << "weight must have C = " << c << " elements", failure();
  StringRef reduction = op->getAttrOfType<StringAttr>("reduction")
                            ? op->getAttrOfType<StringAttr>("reduction").getValue()
                            : StringRef("mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return op->emitOpError() << "unknown reduction '" << reduction << "'", failure();
  std::optional<int64_t> ignore;
  if (auto a = op->getAttrOfType<IntegerAttr>("ignore_index"))
    ignore = a.getInt();
  bool withLogProb = softmax && hasResult(op, 1);
  if (withLogProb && numElements(op->getResult(1)) != xt.getNumElements())
    return op->emitOpError() << "log_prob must have the shape of scores", failure();
  if (np > std::numeric_limits<int32_t>::max() / 2)
    return op->emitOpError() << "loss too large for one launch", failure();
  Type at = accType(xt.getElementType());

  // The log-softmax along C at position (i, j): max and log-sum-exp, in `at`.
  auto rowStats = [&](KernelBuilder &kb, Value base) -> std::pair<Value, Value> {
    A a(kb);
    Value mx = kb.forLoopCarry(kb.idx(0), kb.idx(c), kb.idx(1), {kb.constFloat(at, -INFINITY)},
                               [&](Value t, ValueRange acc) -> SmallVector<Value> {
                                 Value e = loadAcc(kb, 0, kb.add(base, kb.mulC(t, d)));
                                 return {arith::MaximumFOp::create(kb.b(), kb.loc(), acc[0], e).getResult()};
                               })[0];
    Value sum = kb.forLoopCarry(kb.idx(0), kb.idx(c), kb.idx(1), {kb.constFloat(at, 0.0)},
                                [&](Value t, ValueRange acc) -> SmallVector<Value> {
                                  Value e = loadAcc(kb, 0, kb.add(base, kb.mulC(t, d)));
                                  return {a.addf(acc[0], a.exp(a.subf(e, mx)))};
                                })[0];
    return {mx, a.log(sum)};
  };

  if (withLogProb) {
    Value lp = op->getResult(1);
    KernelBuilder kb(km, "log_prob", {x, lp}, op->getLoc());
    A a(kb);
    Launch l = emitElementwise(kb, np, [&](Value p) {
      Value base = kb.add(kb.mulC(kb.divC(p, d), c * d), kb.remC(p, d));
      auto [mx, ls] = rowStats(kb, base);
      kb.forLoop(kb.idx(0), kb.idx(c), kb.idx(1), [&](Value t) {
        Value off = kb.add(base, kb.mulC(t, d));
        storeAcc(kb, 1, off, a.subf(a.subf(loadAcc(kb, 0, off), mx), ls));
      });
    });
    l.buffers = {x, lp};
    launches.push_back(std::move(l));
  }

  Value loss = op->getResult(0);
  SmallVector<Value> buffers{x, target};
  int pW = -1;
  if (hasWeight) {
    pW = buffers.size();
    buffers.push_back(weight);
  }
  unsigned pOut = buffers.size();
  buffers.push_back(loss);
  KernelBuilder kb(km, op->getName().stripDialect(), buffers, op->getLoc());
  A a(kb);
  Type i64 = kb.b().getI64Type();
  // (loss, weight) of position p; out-of-range targets (an error in the reference)
  // contribute nothing instead of reading out of bounds.
  auto at_ = [&](Value p) -> std::pair<Value, Value> {
    Value t = kb.load(1, p);
    if (t.getType() != i64)
      t = arith::ExtSIOp::create(kb.b(), kb.loc(), i64, t);
    Value valid = a.andI(a.cmpi(arith::CmpIPredicate::sge, t, kb.constInt(i64, 0)),
                         a.cmpi(arith::CmpIPredicate::slt, t, kb.constInt(i64, c)));
    if (ignore)
      valid = a.andI(valid, a.cmpi(arith::CmpIPredicate::ne, t, kb.constInt(i64, *ignore)));
    Value zero = kb.constFloat(at, 0.0);
    Value ti = kb.select(valid, kb.toIndex(t), kb.idx(0));
    Value base = kb.add(kb.mulC(kb.divC(p, d), c * d), kb.remC(p, d));
    Value logp = loadAcc(kb, 0, kb.add(base, kb.mulC(ti, d)));
    if (softmax) {
      auto [mx, ls] = rowStats(kb, base);
      logp = a.subf(a.subf(logp, mx), ls);
    }
    Value w = kb.constFloat(at, 1.0);
    if (hasWeight) {
      w = loadAcc(kb, pW, ti);
      if (w.getType() != at)
        w = w.getType().getIntOrFloatBitWidth() > at.getIntOrFloatBitWidth()
                ? Value(arith::TruncFOp::create(kb.b(), kb.loc(), at, w))
                : Value(arith::ExtFOp::create(kb.b(), kb.loc(), at, w));
    }
    w = a.sel(valid, w, zero);
    Value l = a.sel(valid, a.mulf(arith::NegFOp::create(kb.b(), kb.loc(), logp), w), zero);
    return {l, w};
  };
  Launch l;
  if (reduction == "none") {
    l = emitElementwise(kb, np, [&](Value p) { storeAcc(kb, pOut, p, at_(p).first); });
  } else {
    View v;
    v.outN = 1;
    v.R = np;
    v.redSizes = {np};
    v.redStrides = {1};
    bool mean = reduction == "mean";
    l = emitGroups(kb, v, Mode::Block, [&](Group &g) {
      auto sum2 = [&](ValueRange p, ValueRange q) -> SmallVector<Value> {
        return {a.addf(p[0], q[0]), a.addf(p[1], q[1])};
      };
      SmallVector<Value> tot = g.reduce(
          {kb.constFloat(at, 0.0), kb.constFloat(at, 0.0)},
          [&](Value r, Value, ValueRange acc) -> SmallVector<Value> {
            auto [lv, wv] = at_(r);
            return sum2(acc, {lv, wv});
          },
          sum2);
      g.leader([&] { storeAcc(kb, pOut, kb.idx(0), mean ? a.divf(tot[0], tot[1]) : tot[0]); });
    });
  }
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

} // namespace

void registerReductionGenerators(GeneratorTable &table) {
#define REDUCE(name, kind)                                                                          \
  table["kiln." name] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {           \
    return genReduce(RK::kind, op, km, l);                                                          \
  };
  REDUCE("reduce_sum", Sum)
  REDUCE("reduce_mean", Mean)
  REDUCE("reduce_max", Max)
  REDUCE("reduce_min", Min)
  REDUCE("reduce_prod", Prod)
  REDUCE("reduce_l1", L1)
  REDUCE("reduce_l2", L2)
  REDUCE("reduce_log_sum", LogSum)
  REDUCE("reduce_log_sum_exp", LogSumExp)
  REDUCE("reduce_sum_square", SumSquare)
#undef REDUCE
  table["kiln.arg_max"] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {
    return genArg(true, op, km, l);
  };
  table["kiln.arg_min"] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {
    return genArg(false, op, km, l);
  };
  table["kiln.softmax"] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {
    return genSoftmax(SK::Softmax, op, km, l);
  };
  table["kiln.log_softmax"] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {
    return genSoftmax(SK::LogSoftmax, op, km, l);
  };
  table["kiln.hardmax"] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {
    return genSoftmax(SK::Hardmax, op, km, l);
  };
  table["kiln.cum_sum"] = genCumSum;
  table["kiln.top_k"] = genTopK;
  table["kiln.layer_normalization"] = genLayerNorm;
  table["kiln.instance_normalization"] = genInstanceNorm;
  table["kiln.mean_variance_normalization"] = genMVN;
  table["kiln.batch_normalization"] = genBatchNorm;
  table["kiln.lrn"] = genLRN;
  table["kiln.negative_log_likelihood_loss"] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {
    return genLoss(false, op, km, l);
  };
  table["kiln.softmax_cross_entropy_loss"] = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &l) {
    return genLoss(true, op, km, l);
  };
}

} // namespace kiln::codegen
