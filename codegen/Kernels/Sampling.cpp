// GridSample, RoiAlign and MaxUnpool kernels, one thread per output value, with the
// coordinate rules of the reference evaluator (compiler/Reference/Sampling.h).
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {
namespace {

constexpr uint32_t kBlock = 256;

/// Float arithmetic at the builder's point, with the compare-and-select helpers the
/// coordinate rules need.
struct F {
  KernelBuilder &kb;
  Type t;
  OpBuilder &b() { return kb.b(); }
  Location loc() { return kb.loc(); }
  Value c(double v) { return kb.constFloat(t, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b(), loc(), x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b(), loc(), x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b(), loc(), x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b(), loc(), x, y); }
  Value floor(Value x) { return math::FloorOp::create(b(), loc(), x); }
  Value abs(Value x) { return math::AbsFOp::create(b(), loc(), x); }
  Value lt(Value x, Value y) { return arith::CmpFOp::create(b(), loc(), arith::CmpFPredicate::OLT, x, y); }
  Value ge(Value x, Value y) { return arith::CmpFOp::create(b(), loc(), arith::CmpFPredicate::OGE, x, y); }
  /// std::max / std::min.
  Value max(Value x, Value y) { return kb.select(lt(x, y), y, x); }
  Value min(Value x, Value y) { return kb.select(lt(y, x), y, x); }
  Value toSigned(Value x) { return arith::FPToSIOp::create(b(), loc(), b().getI64Type(), x); }
};

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

LogicalResult generateGridSample(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto g = cast<k::GridSampleOp>(op);
  Value x = g.getX(), grid = g.getGrid(), y = g.getY();
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t c = xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3], total = numElements(y);
  bool align = static_cast<int64_t>(g.getAlignCorners()) != 0;
  StringRef mode = g.getMode(), padding = g.getPaddingMode();
  Type elem = elemOf(y);
  SmallVector<Value> buffers = {x, grid, y};
  KernelBuilder kb(km, "grid_sample", buffers, op->getLoc());
  F f{kb, computeType(elem)};
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    SmallVector<Value> co = kb.delinearize(i, ys);
    Value b = co[0], ch = co[1], oy = co[2], ox = co[3];
    Value gi = kb.mulC(kb.add(kb.mulC(kb.add(kb.mulC(b, ho), oy), wo), ox), 2);
    Value gx = toCompute(kb, kb.load(1, gi), elem), gy = toCompute(kb, kb.load(1, kb.add(gi, kb.idx(1))), elem);
    Value plane = kb.mulC(kb.add(kb.mulC(b, c), ch), h * w);
    auto unnormalize = [&](Value coord, int64_t size) {
      return align ? f.mul(f.mul(f.add(coord, f.c(1)), f.c(0.5)), f.c(static_cast<double>(size - 1)))
                   : f.mul(f.sub(f.mul(f.add(coord, f.c(1)), f.c(static_cast<double>(size))), f.c(1)), f.c(0.5));
    };
    auto clip = [&](Value v, int64_t size) { return f.min(f.c(static_cast<double>(size - 1)), f.max(v, f.c(0))); };
    auto reflect = [&](Value v, int64_t twiceLow, int64_t twiceHigh) {
      if (twiceLow == twiceHigh)
        return f.c(0);
      double low = static_cast<double>(twiceLow) / 2, span = static_cast<double>(twiceHigh - twiceLow) / 2;
      Value d = f.abs(f.sub(v, f.c(low)));
      Value extra = arith::RemFOp::create(kb.b(), kb.loc(), d, f.c(span));
      Value flips = f.floor(f.div(d, f.c(span)));
      Value even = arith::CmpFOp::create(kb.b(), kb.loc(), arith::CmpFPredicate::OEQ,
                                         f.sub(flips, f.mul(f.c(2), f.floor(f.mul(flips, f.c(0.5))))), f.c(0));
      return kb.select(even, f.add(extra, f.c(low)), f.add(f.sub(f.c(span), extra), f.c(low)));
    };
    auto pad = [&](Value v, int64_t size) {
      if (padding == "border")
        return clip(v, size);
      if (padding == "reflection")
        return clip(align ? reflect(v, 0, 2 * (size - 1)) : reflect(v, -1, 2 * size - 1), size);
      return v;
    };
    // X at integer position (yy, xx) given as floats; 0 outside.
    auto at = [&](Value yy, Value xx) {
      Value yi = f.toSigned(yy), xi = f.toSigned(xx);
      OpBuilder &bb = kb.b();
      Location loc = kb.loc();
      auto inRange = [&](Value v, int64_t size) {
        Value ge0 = arith::CmpIOp::create(bb, loc, arith::CmpIPredicate::sge, v, kb.constInt(bb.getI64Type(), 0));
        Value lt = arith::CmpIOp::create(bb, loc, arith::CmpIPredicate::slt, v, kb.constInt(bb.getI64Type(), size));
        return arith::AndIOp::create(bb, loc, ge0, lt);
      };
      Value inside = arith::AndIOp::create(bb, loc, inRange(yi, h), inRange(xi, w));
      Value offset = kb.add(plane, kb.add(kb.mulC(kb.toIndex(yi), w), kb.toIndex(xi)));
      Value v = toCompute(kb, kb.load(0, kb.select(inside, offset, kb.idx(0))), elem);
      return kb.select(inside, v, f.c(0));
    };
    Value v;
    if (mode == "bicubic") {
      Value ix = unnormalize(gx, w), iy = unnormalize(gy, h);
      Value x0 = f.floor(ix), y0 = f.floor(iy);
      auto coeffs = [&](Value t) {
        constexpr double A = -0.75;
        auto nearC = [&](Value z) { return f.add(f.mul(f.mul(f.sub(f.mul(f.c(A + 2), z), f.c(A + 3)), z), z), f.c(1)); };
        auto farC = [&](Value z) {
          return f.sub(f.mul(f.add(f.mul(f.sub(f.mul(f.c(A), z), f.c(5 * A)), z), f.c(8 * A)), z), f.c(4 * A));
        };
        return SmallVector<Value>{farC(f.add(t, f.c(1))), nearC(t), nearC(f.sub(f.c(1), t)), farC(f.sub(f.c(2), t))};
      };
      SmallVector<Value> cx = coeffs(f.sub(ix, x0)), cy = coeffs(f.sub(iy, y0));
      v = f.c(0);
      for (int a = 0; a < 4; ++a) {
        Value row = f.c(0);
        for (int bcol = 0; bcol < 4; ++bcol) {
          Value px = pad(f.add(x0, f.c(bcol - 1)), w), py = pad(f.add(y0, f.c(a - 1)), h);
          row = f.add(row, f.mul(cx[bcol], at(py, px)));
        }
        v = f.add(v, f.mul(cy[a], row));
      }
    } else {
      Value ix = pad(unnormalize(gx, w), w), iy = pad(unnormalize(gy, h), h);
      if (mode == "nearest") {
        v = at(math::RoundEvenOp::create(kb.b(), kb.loc(), iy), math::RoundEvenOp::create(kb.b(), kb.loc(), ix));
      } else {
        Value x0 = f.floor(ix), y0 = f.floor(iy), x1 = f.add(x0, f.c(1)), y1 = f.add(y0, f.c(1));
        Value fx = f.sub(ix, x0), fy = f.sub(iy, y0), gx1 = f.sub(f.c(1), fx), gy1 = f.sub(f.c(1), fy);
        v = f.add(f.add(f.mul(at(y0, x0), f.mul(gx1, gy1)), f.mul(at(y0, x1), f.mul(fx, gy1))),
                  f.add(f.mul(at(y1, x0), f.mul(gx1, fy)), f.mul(at(y1, x1), f.mul(fx, fy))));
      }
    }
    kb.store(2, i, fromCompute(kb, v, elem));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

LogicalResult generateRoiAlign(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto r = cast<k::RoiAlignOp>(op);
  Value x = r.getX(), rois = r.getRois(), indices = r.getBatchIndices(), y = r.getY();
  ArrayRef<int64_t> xs = shapeOf(x);
  int64_t n = xs[0], c = xs[1], h = xs[2], w = xs[3], ph = static_cast<int64_t>(r.getOutputHeight()), pw = static_cast<int64_t>(r.getOutputWidth());
  int64_t total = numElements(y), ratio = static_cast<int64_t>(r.getSamplingRatio());
  double scale = r.getSpatialScale().convertToDouble();
  bool halfPixel = r.getCoordinateTransformationMode() == "half_pixel", isMax = r.getMode() == "max";
  Type elem = elemOf(y);
  SmallVector<Value> buffers = {x, rois, indices, y};
  KernelBuilder kb(km, "roi_align", buffers, op->getLoc());
  F f{kb, computeType(elem)};
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    Value px = kb.remC(i, pw), py = kb.remC(kb.divC(i, pw), ph), ch = kb.remC(kb.divC(i, pw * ph), c);
    Value roi = kb.divC(i, pw * ph * c);
    // A batch index outside [0, N) reads image 0 (the reference rejects it).
    Value b = kb.toIndex(kb.load(2, roi));
    b = kb.select(kb.ltC(b, n), b, kb.idx(0));
    Value plane = kb.mulC(kb.add(kb.mulC(b, c), ch), h * w);
    auto box = [&](int64_t k) {
      return f.sub(f.mul(toCompute(kb, kb.load(1, kb.add(kb.mulC(roi, 4), kb.idx(k))), elem), f.c(scale)),
                   f.c(halfPixel ? 0.5 : 0));
    };
    Value x1 = box(0), y1 = box(1), width = f.sub(box(2), x1), height = f.sub(box(3), y1);
    if (!halfPixel) {
      width = f.max(width, f.c(1));
      height = f.max(height, f.c(1));
    }
    Value binH = f.div(height, f.c(static_cast<double>(ph))), binW = f.div(width, f.c(static_cast<double>(pw)));
    auto gridOf = [&](Value extent, int64_t bins) -> Value {
      if (ratio > 0)
        return kb.idx(ratio);
      Value cells = math::CeilOp::create(kb.b(), kb.loc(), f.div(extent, f.c(static_cast<double>(bins))));
      cells = f.max(cells, f.c(0));
      return kb.toIndex(f.toSigned(cells));
    };
    Value gridH = gridOf(height, ph), gridW = gridOf(width, pw);
    Value gridHF = arith::SIToFPOp::create(kb.b(), kb.loc(), f.t, kb.fromIndex(gridH, kb.b().getI64Type()));
    Value gridWF = arith::SIToFPOp::create(kb.b(), kb.loc(), f.t, kb.fromIndex(gridW, kb.b().getI64Type()));
    Value pyF = arith::UIToFPOp::create(kb.b(), kb.loc(), f.t, kb.fromIndex(py, kb.b().getI64Type()));
    Value pxF = arith::UIToFPOp::create(kb.b(), kb.loc(), f.t, kb.fromIndex(px, kb.b().getI64Type()));
    Value count = f.max(f.mul(gridHF, gridWF), f.c(1));
    Value negInf = f.c(-std::numeric_limits<double>::infinity());
    Value first = kb.constBool(true);
    SmallVector<Value> acc = kb.forLoopCarry(kb.idx(0), kb.mul(gridH, gridW), kb.idx(1), {f.c(0), negInf, first},
                                             [&](Value s, ValueRange a) -> SmallVector<Value> {
      Value iyF = arith::UIToFPOp::create(kb.b(), kb.loc(), f.t, kb.fromIndex(kb.div(s, gridW), kb.b().getI64Type()));
      Value ixF = arith::UIToFPOp::create(kb.b(), kb.loc(), f.t, kb.fromIndex(kb.rem(s, gridW), kb.b().getI64Type()));
      Value sy = f.add(f.add(y1, f.mul(pyF, binH)), f.div(f.mul(f.add(iyF, f.c(0.5)), binH), gridHF));
      Value sx = f.add(f.add(x1, f.mul(pxF, binW)), f.div(f.mul(f.add(ixF, f.c(0.5)), binW), gridWF));
      Value outside = arith::OrIOp::create(kb.b(), kb.loc(),
          arith::OrIOp::create(kb.b(), kb.loc(), f.lt(sy, f.c(-1)), f.lt(f.c(static_cast<double>(h)), sy)),
          arith::OrIOp::create(kb.b(), kb.loc(), f.lt(sx, f.c(-1)), f.lt(f.c(static_cast<double>(w)), sx)));
      sy = f.max(sy, f.c(0));
      sx = f.max(sx, f.c(0));
      auto corner = [&](Value v, int64_t size) { // (low, high, position) along one axis
        Value low = f.floor(v);
        Value atEnd = f.ge(low, f.c(static_cast<double>(size - 1)));
        Value last = f.c(static_cast<double>(size - 1));
        return std::tuple<Value, Value, Value>{kb.select(atEnd, last, low), kb.select(atEnd, last, f.add(low, f.c(1))),
                                               kb.select(atEnd, last, v)};
      };
      auto [y0, y1c, yy] = corner(sy, h);
      auto [x0, x1c, xx] = corner(sx, w);
      Value ly = f.sub(yy, y0), lx = f.sub(xx, x0), hy = f.sub(f.c(1), ly), hx = f.sub(f.c(1), lx);
      auto val = [&](Value a0, Value b0) {
        Value off = kb.add(plane, kb.add(kb.mulC(kb.toIndex(f.toSigned(a0)), w), kb.toIndex(f.toSigned(b0))));
        return toCompute(kb, kb.load(0, kb.select(outside, kb.idx(0), off)), elem);
      };
      Value zero = f.c(0);
      Value w1 = kb.select(outside, zero, f.mul(hy, hx)), w2 = kb.select(outside, zero, f.mul(hy, lx));
      Value w3 = kb.select(outside, zero, f.mul(ly, hx)), w4 = kb.select(outside, zero, f.mul(ly, lx));
      Value t1 = f.mul(w1, val(y0, x0)), t2 = f.mul(w2, val(y0, x1c)), t3 = f.mul(w3, val(y1c, x0)),
            t4 = f.mul(w4, val(y1c, x1c));
      if (!isMax)
        return {f.add(a[0], f.add(f.add(t1, t2), f.add(t3, t4))), a[1], a[2]};
      Value m = f.max(f.max(t1, t2), f.max(t3, t4));
      Value best = kb.select(a[2], m, f.max(a[1], m));
      return {a[0], best, kb.constBool(false)};
    });
    Value v = isMax ? kb.select(acc[2], f.c(0), acc[1]) : f.div(acc[0], count);
    kb.store(3, i, fromCompute(kb, v, elem));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

//===----------------------------------------------------------------------===//
// MaxUnpool
//===----------------------------------------------------------------------===//

/// Three launches, so that repeated indices resolve deterministically to the last
/// input element, as the reference's sequential writes do: every output's position is
/// set to -1, each input element offers its position to its index with an atomic max,
/// then every output reads the element that won (0 where none did).
LogicalResult generateMaxUnpool(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), ind = op->getOperand(1), y = op->getResult(0);
  int64_t in = numElements(x), total = numElements(y);
  Type i64 = IntegerType::get(op->getContext(), 64);
  SmallVector<Value> buffers = {x, ind, y};
  SmallVector<ScratchBuffer> scratch = {{0, i64, total}};
  const unsigned winner = buffers.size();
  {
    KernelBuilder kb(km, "max_unpool_clear", buffers, scratch, op->getLoc());
    Value i = kb.globalId(kBlock);
    kb.ifThen(kb.ltC(i, total), [&] { kb.storeTo(kb.param(winner), i, kb.constInt(i64, -1)); });
    finishLinear(kb, buffers, total, launches, scratch);
  }
  {
    KernelBuilder kb(km, "max_unpool_claim", buffers, scratch, op->getLoc());
    Value i = kb.globalId(kBlock);
    kb.ifThen(kb.ltC(i, in), [&] {
      Value at = kb.load(1, i);
      OpBuilder &b = kb.b();
      Location loc = kb.loc();
      Value inside = arith::AndIOp::create(
          b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, at, kb.constInt(i64, 0)),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, at, kb.constInt(i64, total)));
      kb.ifThen(inside, [&] {
        memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::maxs, kb.fromIndex(i, i64), kb.param(winner),
                                    ValueRange{kb.toIndex(at)});
      });
    });
    finishLinear(kb, buffers, in, launches, scratch);
  }
  KernelBuilder kb(km, "max_unpool_gather", buffers, scratch, op->getLoc());
  Value i = kb.globalId(kBlock);
  Type elem = elemOf(y);
  kb.ifThen(kb.ltC(i, total), [&] {
    Value from = kb.loadFrom(kb.param(winner), i);
    Value claimed = arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::sge, from, kb.constInt(i64, 0));
    Value v = kb.load(0, kb.select(claimed, kb.toIndex(from), kb.idx(0)));
    kb.store(2, i, kb.select(claimed, v, fromCompute(kb, kb.constOf(computeType(elem), 0), elem)));
  });
  finishLinear(kb, buffers, total, launches, scratch);
  return success();
}

} // namespace

void registerSamplingGenerators(GeneratorTable &table) {
  table["kiln.grid_sample"] = generateGridSample;
  table["kiln.roi_align"] = generateRoiAlign;
  table["kiln.max_unpool"] = generateMaxUnpool;
}

} // namespace kiln::codegen
