// Pooling kernels: MaxPool (with optional argmax Indices) and AveragePool with one thread
// per output element over an unrolled window; global pools with one warp per (n, c) plane.
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"
#include "codegen/Kernels/Window.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <limits>

using namespace mlir;

namespace kiln::codegen {
namespace {

/// Geometry with the reference's own padding rule (windowPads): explicit pads, SAME_*
/// derived pads (the odd unit at the end for UPPER, at the beginning for LOWER), none for VALID.
/// The output extents come from the result type (ceil_mode is already in it).
LogicalResult poolWindow(Operation *op, Value x, Value y, Window &w) {
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  if (xs.size() < 3 || ys.size() != xs.size())
    return op->emitOpError("pooling needs N x C x D1.. input and output of equal rank"), failure();
  size_t r = xs.size() - 2;
  w.in.assign(xs.begin() + 2, xs.end());
  w.out.assign(ys.begin() + 2, ys.end());
  w.kernel = arrayAttrOr(op, "kernel_shape", r, 1);
  w.strides = arrayAttrOr(op, "strides", r, 1);
  w.dilations = arrayAttrOr(op, "dilations", r, 1);
  windowPads(op, w);
  for (size_t d = 0; d < r; ++d)
    if (w.padBegin[d] < 0 || w.padEnd[d] < 0 || w.strides[d] <= 0 || w.dilations[d] <= 0 ||
        w.kernel[d] <= 0)
      return op->emitOpError("pooling with negative pads or non-positive kernel/strides/dilations"),
             failure();
  if (ys[0] != xs[0] || ys[1] != xs[1])
    return op->emitOpError("pooling changes the batch or channel count"), failure();
  return success();
}

/// One window element of output position `od` at kernel position `kd`.
struct Tap {
  Value inside;       // lies inside the input (null: always)
  Value insidePadded; // lies inside the input plus its pads (null: always)
  Value offset;       // row-major spatial offset in the input
  SmallVector<Value> coords;
};

Tap windowTap(KernelBuilder &kb, const Window &w, ArrayRef<Value> od, ArrayRef<Value> kd,
              ArrayRef<int64_t> kConst) {
  SmallVector<int64_t> inStr = rowMajorStrides(w.in);
  Tap tap;
  for (size_t d = 0; d < w.rank(); ++d) {
    int64_t pb = w.padBegin[d];
    Value tpos = kb.add(kb.mulC(od[d], w.strides[d]), kb.mulC(kd[d], w.dilations[d]));
    int64_t kMin = kConst.empty() ? 0 : kConst[d], kMax = kConst.empty() ? w.kernel[d] - 1 : kConst[d];
    int64_t tMax = (w.out[d] - 1) * w.strides[d] + kMax * w.dilations[d];
    // tpos is never negative; the input coordinate is tpos - pb.
    if (kMin * w.dilations[d] < pb)
      tap.inside = andI(kb, tap.inside,
                        arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::uge, tpos, kb.idx(pb)));
    if (tMax - pb >= w.in[d])
      tap.inside = andI(kb, tap.inside, kb.ltC(tpos, w.in[d] + pb));
    if (tMax - pb >= w.in[d] + w.padEnd[d])
      tap.insidePadded = andI(kb, tap.insidePadded, kb.ltC(tpos, w.in[d] + pb + w.padEnd[d]));
    Value coord = pb == 0 ? tpos : kb.sub(tpos, kb.idx(pb));
    tap.coords.push_back(coord);
    Value term = kb.mulC(coord, inStr[d]);
    tap.offset = tap.offset ? kb.add(tap.offset, term) : term;
  }
  if (!tap.offset)
    tap.offset = kb.idx(0);
  return tap;
}

/// Runs `body(tap, carried)` over every window element of `od`, unrolled with constant
/// kernel positions for small windows, in a loop otherwise.
SmallVector<Value> forEachTap(KernelBuilder &kb, const Window &w, ArrayRef<Value> od, SmallVector<Value> init,
                              llvm::function_ref<SmallVector<Value>(const Tap &, ValueRange)> body) {
  return forEachKernelPosition(
      kb, w, std::move(init),
      [&](Value, ArrayRef<Value> kd, ArrayRef<int64_t> kConst, ValueRange carried) {
        return body(windowTap(kb, w, od, kd, kConst), carried);
      });
}

LogicalResult generateMaxPool(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  Value indices;
  if (op->getNumResults() > 1 && isa<RankedTensorType>(op->getResult(1).getType()))
    indices = op->getResult(1);
  Type elem = elemOf(y);
  if (elemOf(x) != elem || elem.isInteger(1))
    return op->emitOpError("max_pool kernel needs a numeric input of the result type"), failure();
  if (indices && (!elemOf(indices).isInteger(64) || shapeOf(indices) != shapeOf(y)))
    return op->emitOpError("max_pool Indices must be int64 shaped like Y"), failure();
  Window w;
  if (failed(poolWindow(op, x, y, w)))
    return failure();
  bool columnMajor = intAttr(op, "storage_order", 0) == 1;
  int64_t planes = shapeOf(x)[0] * shapeOf(x)[1];
  int64_t isp = product(w.in), osp = product(w.out), total = planes * osp;
  Type acc = computeType(elem);
  bool isFloat = isa<FloatType>(acc);
  bool isUnsigned = elem.isUnsignedInteger();
  SmallVector<int64_t> colStr(w.rank(), 1);
  for (size_t d = 1; d < w.rank(); ++d)
    colStr[d] = colStr[d - 1] * w.in[d - 1];

  SmallVector<Value> buffers = {x, y};
  if (indices)
    buffers.push_back(indices);
  constexpr uint32_t kBlock = 256;
  KernelBuilder kb(km, "max_pool", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    Value p = kb.divC(i, osp), o = kb.remC(i, osp);
    SmallVector<Value> od = kb.delinearize(o, w.out);
    Value base = kb.mulC(p, isp);
    SmallVector<Value> init = {kb.constOf(acc, 0), kb.constBool(false), kb.idx(0)};
    SmallVector<Value> res = forEachTap(kb, w, od, init, [&](const Tap &tap, ValueRange cur) {
      Value best = cur[0], found = cur[1], bestIdx = cur[2];
      Value off = kb.add(base, tap.offset);
      if (tap.inside)
        off = kb.select(tap.inside, off, kb.idx(0));
      Value v = toCompute(kb, kb.load(0, off), elem);
      // The first non-NaN element starts the maximum, later ones replace it only when
      // strictly greater: ties keep the first in row-major window order.
      Value better, first;
      if (isFloat) {
        better = arith::CmpFOp::create(kb.b(), kb.loc(), arith::CmpFPredicate::OGT, v, best);
        first = arith::CmpFOp::create(kb.b(), kb.loc(), arith::CmpFPredicate::OEQ, v, v);
      } else {
        better = arith::CmpIOp::create(kb.b(), kb.loc(),
                                       isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
                                       v, best);
        first = kb.constBool(true);
      }
      Value take = kb.select(found, better, first);
      take = andI(kb, tap.inside, take);
      SmallVector<Value> next = {kb.select(take, v, best),
                                 arith::OrIOp::create(kb.b(), kb.loc(), found, take), bestIdx};
      if (indices) {
        Value pos = tap.offset;
        if (columnMajor) {
          pos = Value();
          for (size_t d = 0; d < w.rank(); ++d) {
            Value term = kb.mulC(tap.coords[d], colStr[d]);
            pos = pos ? kb.add(pos, term) : term;
          }
        }
        next[2] = kb.select(take, pos, bestIdx);
      }
      return next;
    });
    Value best = res[0];
    if (isFloat)
      best = kb.select(res[1], best, kb.constFloat(acc, std::numeric_limits<double>::quiet_NaN()));
    kb.store(1, i, fromCompute(kb, best, elem));
    if (indices) {
      Value flat = kb.add(base, res[2]);
      kb.store(2, i, kb.fromIndex(flat, kb.b().getI64Type()));
    }
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

LogicalResult generateAveragePool(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  Type elem = elemOf(y);
  if (elemOf(x) != elem || !isa<FloatType>(elem))
    return op->emitOpError("average_pool kernel needs a float input of the result type"), failure();
  Window w;
  if (failed(poolWindow(op, x, y, w)))
    return failure();
  bool includePad = intAttr(op, "count_include_pad", 0) != 0;
  int64_t planes = shapeOf(x)[0] * shapeOf(x)[1];
  int64_t isp = product(w.in), osp = product(w.out), total = planes * osp;
  Type acc = computeType(elem);

  SmallVector<Value> buffers = {x, y};
  constexpr uint32_t kBlock = 256;
  KernelBuilder kb(km, "average_pool", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    Value p = kb.divC(i, osp), o = kb.remC(i, osp);
    SmallVector<Value> od = kb.delinearize(o, w.out);
    Value base = kb.mulC(p, isp);
    Value zero = kb.constFloat(acc, 0.0), one = kb.constFloat(acc, 1.0);
    SmallVector<Value> init = {zero, zero};
    SmallVector<Value> res = forEachTap(kb, w, od, init, [&](const Tap &tap, ValueRange cur) {
      Value off = kb.add(base, tap.offset);
      if (tap.inside)
        off = kb.select(tap.inside, off, kb.idx(0));
      Value v = toCompute(kb, kb.load(0, off), elem);
      if (tap.inside)
        v = kb.select(tap.inside, v, zero);
      Value sum = arith::AddFOp::create(kb.b(), kb.loc(), cur[0], v);
      // Divisor: window elements inside the input, or inside input plus pads.
      Value counted = includePad ? tap.insidePadded : tap.inside;
      Value inc = counted ? kb.select(counted, one, zero) : one;
      Value count = arith::AddFOp::create(kb.b(), kb.loc(), cur[1], inc);
      return SmallVector<Value>{sum, count};
    });
    // A window with no element yields 0 / 0 = NaN, as the reference.
    Value avg = arith::DivFOp::create(kb.b(), kb.loc(), res[0], res[1]);
    kb.store(1, i, fromCompute(kb, avg, elem));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

/// Global pools: one warp per (n, c) plane, lanes striding over the plane (adjacent
/// reads), combined with butterfly shuffles; planes larger than kBlockPlane get a whole
/// block each, its warps' partial results combined through shared memory.
LogicalResult generateGlobalPool(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                                 bool isMax) {
  Value x = op->getOperand(0), y = op->getResult(0);
  Type elem = elemOf(y);
  if (elemOf(x) != elem || !isa<FloatType>(elem))
    return op->emitOpError("global pool kernel needs a float input of the result type"), failure();
  ArrayRef<int64_t> xs = shapeOf(x);
  if (xs.size() < 2)
    return op->emitOpError("global pool needs an N x C x ... input"), failure();
  int64_t planes = xs[0] * xs[1], sp = product(xs.drop_front(2));
  if (numElements(y) != planes)
    return op->emitOpError("global pool result must hold one value per channel"), failure();
  Type acc = computeType(elem);
  constexpr int64_t kWarps = 8, kWarp = 32, kBlockPlane = 2048;
  constexpr uint32_t kBlock = kWarps * kWarp;
  bool blockPerPlane = sp > kBlockPlane;
  SmallVector<Value> buffers = {x, y};
  KernelBuilder kb(km, isMax ? "global_max_pool" : "global_average_pool", buffers, op->getLoc());
  auto combine = [&](Value a, Value b) -> Value {
    if (isMax)
      return arith::MaximumFOp::create(kb.b(), kb.loc(), a, b); // NaN propagates
    return arith::AddFOp::create(kb.b(), kb.loc(), a, b);
  };
  Value init = kb.constFloat(acc, isMax ? -std::numeric_limits<double>::infinity() : 0.0);
  auto warpReduce = [&](Value v) {
    for (int32_t off = kWarp / 2; off > 0; off /= 2)
      v = combine(v, kb.shuffleXor(v, off));
    return v;
  };
  auto finalValue = [&](Value v) -> Value {
    if (!isMax)
      v = arith::DivFOp::create(kb.b(), kb.loc(), v, kb.constFloat(acc, static_cast<double>(sp)));
    return fromCompute(kb, v, elem);
  };
  Value t = kb.threadId(gpu::Dimension::x);
  Value lane = kb.remC(t, kWarp);
  if (blockPerPlane) {
    Value partials = kb.sharedBuffer(acc, kWarps);
    Value plane = kb.blockId(gpu::Dimension::x);
    Value base = kb.mulC(plane, sp);
    Value v = kb.forLoopCarry(t, kb.idx(sp), kb.idx(kBlock), ValueRange{init},
                              [&](Value j, ValueRange a) -> SmallVector<Value> {
                                Value e = toCompute(kb, kb.load(0, kb.add(base, j)), elem);
                                return {combine(a[0], e)};
                              })[0];
    v = warpReduce(v);
    Value warp = kb.divC(t, kWarp);
    kb.ifThen(kb.ltC(lane, 1), [&] { kb.storeTo(partials, warp, v); });
    kb.barrier();
    kb.ifThen(kb.ltC(t, kWarp), [&] {
      Value p = kb.ifThenElse(kb.ltC(lane, kWarps), acc, [&] { return kb.loadFrom(partials, lane); },
                              [&] { return init; });
      p = warpReduce(p);
      kb.ifThen(kb.ltC(lane, 1), [&] { kb.store(1, plane, finalValue(p)); });
    });
  } else {
    Value plane = kb.add(kb.mulC(kb.blockId(gpu::Dimension::x), kWarps), kb.divC(t, kWarp));
    // The guard is uniform across a warp, so every lane of a warp that shuffles is active.
    kb.ifThen(kb.ltC(plane, planes), [&] {
      Value base = kb.mulC(plane, sp);
      Value v = kb.forLoopCarry(lane, kb.idx(sp), kb.idx(kWarp), ValueRange{init},
                                [&](Value j, ValueRange a) -> SmallVector<Value> {
                                  Value e = toCompute(kb, kb.load(0, kb.add(base, j)), elem);
                                  return {combine(a[0], e)};
                                })[0];
      v = warpReduce(v);
      kb.ifThen(kb.ltC(lane, 1), [&] { kb.store(1, plane, finalValue(v)); });
    });
  }
  kb.finish({kBlock, 1, 1});
  Launch l;
  l.kernel = kb.name().str();
  l.block = {kBlock, 1, 1};
  l.grid = {static_cast<uint32_t>(blockPerPlane ? planes : (planes + kWarps - 1) / kWarps), 1, 1};
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

LogicalResult generateGlobalAveragePool(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  return generateGlobalPool(op, km, launches, /*isMax=*/false);
}
LogicalResult generateGlobalMaxPool(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  return generateGlobalPool(op, km, launches, /*isMax=*/true);
}

} // namespace

void registerPoolingGenerators(GeneratorTable &table) {
  table["kiln.max_pool"] = generateMaxPool;
  table["kiln.average_pool"] = generateAveragePool;
  table["kiln.global_average_pool"] = generateGlobalAveragePool;
  table["kiln.global_max_pool"] = generateGlobalMaxPool;
}

} // namespace kiln::codegen
