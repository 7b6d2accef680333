// Kernels of ONNX's quantization ops: (De)QuantizeLinear, DynamicQuantizeLinear, and
// MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv as direct kernels with exact
// int32 accumulation (one thread per output), rescaled as the reference evaluator does.
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"
#include "codegen/Kernels/Window.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {
namespace {

constexpr uint32_t kBlock = 256;

/// A scale or zero point bound as buffer `param` (or absent: -1), read for `slice` when
/// it holds one value per slice, else element 0.
struct QuantParam {
  int param = -1;
  bool perSlice = false;
  double dflt = 0;

  Value load(KernelBuilder &kb, Value slice, Type as) const {
    if (param < 0)
      return kb.constOf(as, dflt);
    Value v = kb.load(param, perSlice ? slice : kb.idx(0));
    Type elem = kb.elementType(param);
    if (isa<FloatType>(as))
      return castScalar(kb, toCompute(kb, v, elem), elem, as);
    return castScalar(kb, v, elem, as);
  }
};

/// Binds `v` (unless absent) and describes it as a parameter.
QuantParam bindParam(SmallVectorImpl<Value> &buffers, Value v, double dflt) {
  QuantParam p;
  p.dflt = dflt;
  if (isAbsent(v))
    return p;
  buffers.push_back(v);
  p.param = static_cast<int>(buffers.size() - 1);
  p.perSlice = numElements(v) != 1;
  return p;
}

/// roundeven(v) saturated to the quantized type `to` (int8 or uint8), NaN to 0, as an
/// integer of that type: the reference evaluator's quantizeValue.
Value saturate(KernelBuilder &kb, Value v, Type to) {
  OpBuilder &b = kb.b();
  Location loc = kb.loc();
  Type f = v.getType();
  bool isU8 = to.isUnsignedInteger();
  Value r = math::RoundEvenOp::create(b, loc, v);
  Value lo = kb.constFloat(f, isU8 ? 0 : -128), hi = kb.constFloat(f, isU8 ? 255 : 127);
  Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, r, lo);
  r = kb.select(below, lo, r);
  Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, r, hi);
  r = kb.select(above, hi, r);
  Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, v, v);
  r = kb.select(nan, kb.constFloat(f, 0), r);
  Type i8 = b.getI8Type();
  return isU8 ? Value(arith::FPToUIOp::create(b, loc, i8, r)) : Value(arith::FPToSIOp::create(b, loc, i8, r));
}

/// Index along `axis` of element `linear` of a tensor of `shape`.
Value sliceIndex(KernelBuilder &kb, ArrayRef<int64_t> shape, int64_t axis, Value linear) {
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d)
    inner *= shape[d];
  return kb.remC(kb.divC(linear, inner), shape[axis]);
}

int64_t axisOf(Operation *op, int64_t rank) {
  int64_t axis = intAttr(op, "axis", 1);
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// QuantizeLinear, DequantizeLinear
//===----------------------------------------------------------------------===//

LogicalResult generateQuantize(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto q = cast<k::QuantizeLinearOp>(op);
  Value x = q.getX(), y = q.getY();
  SmallVector<Value> buffers = {x};
  QuantParam scale = bindParam(buffers, q.getYScale(), 1), zero = bindParam(buffers, q.getYZeroPoint(), 0);
  buffers.push_back(y);
  unsigned out = buffers.size() - 1;
  int64_t n = numElements(y), axis = axisOf(op, shapeOf(x).size());
  Type f32 = Float32Type::get(op->getContext()), xe = elemOf(x), ye = elemOf(y);
  KernelBuilder kb(km, "quantize_linear", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value s = scale.perSlice || zero.perSlice ? sliceIndex(kb, shapeOf(x), axis, i) : kb.idx(0);
    Value v = castScalar(kb, toCompute(kb, kb.load(0, i), xe), xe, f32);
    v = arith::DivFOp::create(kb.b(), kb.loc(), v, scale.load(kb, s, f32));
    v = arith::AddFOp::create(kb.b(), kb.loc(), math::RoundEvenOp::create(kb.b(), kb.loc(), v), zero.load(kb, s, f32));
    kb.store(out, i, saturate(kb, v, ye));
  });
  finishLinear(kb, buffers, n, launches);
  return success();
}

LogicalResult generateDequantize(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto dq = cast<k::DequantizeLinearOp>(op);
  Value x = dq.getX(), y = dq.getY();
  SmallVector<Value> buffers = {x};
  QuantParam scale = bindParam(buffers, dq.getXScale(), 1), zero = bindParam(buffers, dq.getXZeroPoint(), 0);
  buffers.push_back(y);
  unsigned out = buffers.size() - 1;
  int64_t n = numElements(y), axis = axisOf(op, shapeOf(x).size());
  Type i64 = IntegerType::get(op->getContext(), 64), f32 = Float32Type::get(op->getContext());
  Type xe = elemOf(x), ye = elemOf(y);
  KernelBuilder kb(km, "dequantize_linear", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value s = scale.perSlice || zero.perSlice ? sliceIndex(kb, shapeOf(x), axis, i) : kb.idx(0);
    Value diff = arith::SubIOp::create(kb.b(), kb.loc(), castScalar(kb, kb.load(0, i), xe, i64), zero.load(kb, s, i64));
    Value v = arith::MulFOp::create(kb.b(), kb.loc(), castScalar(kb, diff, i64, f32), scale.load(kb, s, f32));
    kb.store(out, i, fromCompute(kb, castScalar(kb, v, f32, computeType(ye)), ye));
  });
  finishLinear(kb, buffers, n, launches);
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

/// Two kernels: one block finds min(x, 0) and max(x, 0) and writes the scale and zero
/// point; then every element is quantized with them.
LogicalResult generateDynamicQuantize(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto dq = cast<k::DynamicQuantizeLinearOp>(op);
  Value x = dq.getX(), y = dq.getY(), ys = dq.getYScale(), yz = dq.getYZeroPoint();
  int64_t n = numElements(x);
  Type f32 = Float32Type::get(op->getContext()), u8 = elemOf(y);
  {
    SmallVector<Value> buffers = {x, ys, yz};
    KernelBuilder kb(km, "dynamic_quantize_range", buffers, op->getLoc());
    Value t = kb.threadId(gpu::Dimension::x);
    Value zero = kb.constFloat(f32, 0);
    auto minMax = [&](bool isMax, Value a, Value b) {
      Value lt = arith::CmpFOp::create(kb.b(), kb.loc(), arith::CmpFPredicate::OLT, isMax ? a : b, isMax ? b : a);
      return kb.select(lt, b, a);
    };
    SmallVector<Value> range = kb.forLoopCarry(t, kb.idx(n), kb.idx(kBlock), {zero, zero},
                                               [&](Value i, ValueRange acc) -> SmallVector<Value> {
                                                 Value v = kb.load(0, i);
                                                 return {minMax(false, acc[0], v), minMax(true, acc[1], v)};
                                               });
    Value lows = kb.sharedBuffer(f32, kBlock), highs = kb.sharedBuffer(f32, kBlock);
    kb.storeTo(lows, t, range[0]);
    kb.storeTo(highs, t, range[1]);
    kb.barrier();
    for (int64_t stride = kBlock / 2; stride > 0; stride /= 2) {
      kb.ifThen(kb.ltC(t, stride), [&] {
        Value other = kb.add(t, kb.idx(stride));
        kb.storeTo(lows, t, minMax(false, kb.loadFrom(lows, t), kb.loadFrom(lows, other)));
        kb.storeTo(highs, t, minMax(true, kb.loadFrom(highs, t), kb.loadFrom(highs, other)));
      });
      kb.barrier();
    }
    kb.ifThen(kb.ltC(t, 1), [&] {
      OpBuilder &b = kb.b();
      Location loc = kb.loc();
      Value lo = kb.loadFrom(lows, kb.idx(0)), hi = kb.loadFrom(highs, kb.idx(0));
      Value scale = arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, hi, lo), kb.constFloat(f32, 255));
      Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, scale, zero);
      Value zp = math::RoundEvenOp::create(b, loc, arith::SubFOp::create(b, loc, zero, arith::DivFOp::create(b, loc, lo, scale)));
      zp = kb.select(isZero, zero, zp);
      kb.store(1, kb.idx(0), scale);
      kb.store(2, kb.idx(0), saturate(kb, zp, u8));
    });
    kb.finish({kBlock, 1, 1});
    Launch l;
    l.kernel = kb.name().str();
    l.block = {kBlock, 1, 1};
    l.buffers = buffers;
    launches.push_back(std::move(l));
  }
  SmallVector<Value> buffers = {x, ys, yz, y};
  KernelBuilder kb(km, "dynamic_quantize_apply", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    OpBuilder &b = kb.b();
    Location loc = kb.loc();
    Value scale = kb.load(1, kb.idx(0));
    Value zp = arith::UIToFPOp::create(b, loc, f32, kb.load(2, kb.idx(0)));
    Value q = math::RoundEvenOp::create(b, loc, arith::DivFOp::create(b, loc, kb.load(0, i), scale));
    Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, scale, kb.constFloat(f32, 0));
    q = kb.select(isZero, kb.constFloat(f32, 0), q);
    kb.store(3, i, saturate(kb, arith::AddFOp::create(b, loc, q, zp), u8));
  });
  finishLinear(kb, buffers, n, launches);
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulInteger, QLinearMatMul
//===----------------------------------------------------------------------===//

/// The rescaling of the QLinear ops: round(acc * float(sa * sb / sy)) + zy, the product
/// in f64 (exact for any int32 sum), saturated.
Value requantize(KernelBuilder &kb, Value acc, Value sa, Value sb, Value sy, Value zy, Type to) {
  OpBuilder &b = kb.b();
  Location loc = kb.loc();
  Type f64 = b.getF64Type();
  Value multiplier = arith::DivFOp::create(b, loc, arith::MulFOp::create(b, loc, sa, sb), sy);
  Value v = arith::MulFOp::create(b, loc, arith::SIToFPOp::create(b, loc, f64, acc),
                                  arith::ExtFOp::create(b, loc, f64, multiplier));
  v = arith::AddFOp::create(b, loc, math::RoundEvenOp::create(b, loc, v), arith::ExtFOp::create(b, loc, f64, zy));
  return saturate(kb, v, to);
}

LogicalResult generateIntegerMatMul(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  bool qlinear = isa<k::QLinearMatMulOp>(op);
  Value a = op->getOperand(0), b = op->getOperand(qlinear ? 3 : 1), y = op->getResult(0);
  std::string error;
  std::optional<ref::util::MatMulGeometry> g = ref::util::matmulGeometry(shapeOf(a), shapeOf(b), error);
  if (!g)
    return op->emitOpError(error), failure();
  SmallVector<Value> buffers = {a, b};
  QuantParam az, bz, as, bs, ysc, yz;
  if (qlinear) {
    as = bindParam(buffers, op->getOperand(1), 1);
    az = bindParam(buffers, op->getOperand(2), 0);
    bs = bindParam(buffers, op->getOperand(4), 1);
    bz = bindParam(buffers, op->getOperand(5), 0);
    ysc = bindParam(buffers, op->getOperand(6), 1);
    yz = bindParam(buffers, op->getOperand(7), 0);
  } else {
    az = bindParam(buffers, op->getOperand(2), 0);
    bz = bindParam(buffers, op->getOperand(3), 0);
  }
  buffers.push_back(y);
  unsigned out = buffers.size() - 1;
  int64_t m = g->m, k = g->k, n = g->n, total = numElements(y);
  Type i32 = IntegerType::get(op->getContext(), 32), f32 = Float32Type::get(op->getContext());
  Type ae = elemOf(a), be = elemOf(b);
  KernelBuilder kb(km, qlinear ? "qlinear_matmul" : "matmul_integer", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    Value t = kb.divC(i, m * n), row = kb.remC(kb.divC(i, n), m), col = kb.remC(i, n);
    SmallVector<Value> pos = kb.delinearize(t, g->batch);
    Value aBase = kb.mulC(kb.linearize(pos, g->aStride), m * k), bBase = kb.mulC(kb.linearize(pos, g->bStride), k * n);
    Value za = az.load(kb, row, i32), zb = bz.load(kb, col, i32);
    Value acc = kb.forLoopCarry(kb.idx(0), kb.idx(k), kb.idx(1), {kb.constInt(i32, 0)},
                                [&](Value j, ValueRange c) -> SmallVector<Value> {
                                  OpBuilder &bb = kb.b();
                                  Location loc = kb.loc();
                                  Value av = castScalar(kb, kb.load(0, kb.add(aBase, kb.add(kb.mulC(row, k), j))), ae, i32);
                                  Value bv = castScalar(kb, kb.load(1, kb.add(bBase, kb.add(kb.mulC(j, n), col))), be, i32);
                                  Value prod = arith::MulIOp::create(bb, loc, arith::SubIOp::create(bb, loc, av, za),
                                                                     arith::SubIOp::create(bb, loc, bv, zb));
                                  return {arith::AddIOp::create(bb, loc, c[0], prod)};
                                })[0];
    if (!qlinear) {
      kb.store(out, i, acc);
      return;
    }
    kb.store(out, i, requantize(kb, acc, as.load(kb, row, f32), bs.load(kb, col, f32), ysc.load(kb, kb.idx(0), f32),
                                yz.load(kb, kb.idx(0), f32), elemOf(y)));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

//===----------------------------------------------------------------------===//
// ConvInteger, QLinearConv
//===----------------------------------------------------------------------===//

LogicalResult generateIntegerConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  bool qlinear = isa<k::QLinearConvOp>(op);
  Value x = op->getOperand(0), wt = op->getOperand(qlinear ? 3 : 1), y = op->getResult(0);
  Window w = convWindow(op, x, wt, y);
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t groups = intAttr(op, "group", 1);
  int64_t nb = xs[0], c = xs[1], mo = ys[1], cg = c / groups, mg = mo / groups;
  int64_t isp = product(w.in), osp = product(w.out), ksp = product(w.kernel), total = numElements(y);
  SmallVector<Value> buffers = {x, wt};
  QuantParam xz, wz, xsc, wsc, ysc, yz;
  int bias = -1;
  if (qlinear) {
    xsc = bindParam(buffers, op->getOperand(1), 1);
    xz = bindParam(buffers, op->getOperand(2), 0);
    wsc = bindParam(buffers, op->getOperand(4), 1);
    wz = bindParam(buffers, op->getOperand(5), 0);
    ysc = bindParam(buffers, op->getOperand(6), 1);
    yz = bindParam(buffers, op->getOperand(7), 0);
    if (!isAbsent(op->getOperand(8))) {
      buffers.push_back(op->getOperand(8));
      bias = static_cast<int>(buffers.size() - 1);
    }
  } else {
    xz = bindParam(buffers, op->getOperand(2), 0);
    wz = bindParam(buffers, op->getOperand(3), 0);
  }
  buffers.push_back(y);
  unsigned out = buffers.size() - 1;
  Type i32 = IntegerType::get(op->getContext(), 32), f32 = Float32Type::get(op->getContext());
  Type xe = elemOf(x), we = elemOf(wt);
  KernelBuilder kb(km, qlinear ? "qlinear_conv" : "conv_integer", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    SmallVector<Value> co = kb.delinearize(i, {nb, mo, osp});
    Value n = co[0], m = co[1], o = co[2];
    SmallVector<Value> od = kb.delinearize(o, w.out);
    Value g = kb.divC(m, mg);
    Value zx = xz.load(kb, kb.idx(0), i32), zw = wz.load(kb, m, i32);
    Value acc = kb.forLoopCarry(kb.idx(0), kb.idx(cg), kb.idx(1), {kb.constInt(i32, 0)},
                                [&](Value ci, ValueRange carried) -> SmallVector<Value> {
      Value xBase = kb.mulC(kb.add(kb.mulC(n, c), kb.add(kb.mulC(g, cg), ci)), isp);
      Value wBase = kb.mulC(kb.add(kb.mulC(m, cg), ci), ksp);
      return forEachKernelPosition(kb, w, {carried[0]},
                                   [&](Value kk, ArrayRef<Value> kd, ArrayRef<int64_t> kConst,
                                       ValueRange a) -> SmallVector<Value> {
        OpBuilder &bb = kb.b();
        Location loc = kb.loc();
        auto [inside, off] = convTap(kb, w, od, kd, kConst);
        Value xi = inside ? kb.select(inside, kb.add(xBase, off), kb.idx(0)) : kb.add(xBase, off);
        // Padding holds the zero point: (x - x_zp) is then 0.
        Value xv = arith::SubIOp::create(bb, loc, castScalar(kb, kb.load(0, xi), xe, i32), zx);
        if (inside)
          xv = kb.select(inside, xv, kb.constInt(i32, 0));
        Value wv = arith::SubIOp::create(bb, loc, castScalar(kb, kb.load(1, kb.add(wBase, kk)), we, i32), zw);
        return {arith::AddIOp::create(bb, loc, a[0], arith::MulIOp::create(bb, loc, xv, wv))};
      });
    })[0];
    if (bias >= 0)
      acc = arith::AddIOp::create(kb.b(), kb.loc(), acc, kb.load(bias, m));
    if (!qlinear) {
      kb.store(out, i, acc);
      return;
    }
    kb.store(out, i, requantize(kb, acc, xsc.load(kb, kb.idx(0), f32), wsc.load(kb, m, f32), ysc.load(kb, kb.idx(0), f32),
                                yz.load(kb, kb.idx(0), f32), elemOf(y)));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

} // namespace

void registerQuantizedGenerators(GeneratorTable &table) {
  table["kiln.quantize_linear"] = generateQuantize;
  table["kiln.dequantize_linear"] = generateDequantize;
  table["kiln.dynamic_quantize_linear"] = generateDynamicQuantize;
  table["kiln.matmul_integer"] = generateIntegerMatMul;
  table["kiln.qlinear_matmul"] = generateIntegerMatMul;
  table["kiln.conv_integer"] = generateIntegerConv;
  table["kiln.qlinear_conv"] = generateIntegerConv;
}

} // namespace kiln::codegen
