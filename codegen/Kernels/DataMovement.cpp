// Data-movement kernels (transpose, concat, split, slice, gather/scatter, pad, resize, ...):
// one thread per output element with every shape, stride and constant operand baked in;
// values are moved in their storage type, so every element type takes the same path.
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/IndexMaps.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"
#include "compiler/Reference/ResizeMath.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <cmath>
#include <optional>

using namespace mlir;

namespace kiln::codegen {
namespace {

constexpr uint32_t kBlock = 256;

//===----------------------------------------------------------------------===//
// Host-side helpers
//===----------------------------------------------------------------------===//

int64_t rankOf(Value v) { return static_cast<int64_t>(shapeOf(v).size()); }

int64_t normAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

double toDouble(APFloat f) {
  bool lost = false;
  f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return f.convertToDouble();
}


/// The first value of a constant operand as a double, or nullopt.
std::optional<double> constDouble(Value v) {
  DenseElementsAttr attr;
  if (isAbsent(v) || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() < 1)
    return std::nullopt;
  Type elem = attr.getElementType();
  if (isa<FloatType>(elem))
    return toDouble(*attr.getValues<APFloat>().begin());
  APInt i = *attr.getValues<APInt>().begin();
  bool zext = elem.isUnsignedInteger() || elem.isInteger(1);
  return zext ? static_cast<double>(i.getZExtValue()) : static_cast<double>(i.getSExtValue());
}

/// The attribute holding `v` (a double) in element type `elem`, rounded once for floats and
/// truncated with saturation for integers (the reference's setDouble).
TypedAttr storageAttrFromDouble(Type elem, double v) {
  Type storage = storageType(elem);
  if (auto ft = dyn_cast<FloatType>(elem)) {
    APFloat f(v);
    bool lost = false;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return FloatAttr::get(elem, f);
  }
  unsigned width = elem.getIntOrFloatBitWidth();
  if (width == 1)
    return IntegerAttr::get(storage, APInt(8, v != 0 ? 1 : 0));
  if (std::isnan(v))
    v = 0;
  v = std::trunc(v);
  bool uns = elem.isUnsignedInteger();
  APInt bits(width, 0);
  if (uns) {
    if (v <= 0)
      bits = APInt(width, 0);
    else if (v >= std::ldexp(1.0, static_cast<int>(width)))
      bits = APInt::getMaxValue(width);
    else
      bits = APInt(width, static_cast<uint64_t>(v));
  } else {
    if (v <= -std::ldexp(1.0, static_cast<int>(width) - 1))
      bits = APInt::getSignedMinValue(width);
    else if (v >= std::ldexp(1.0, static_cast<int>(width) - 1))
      bits = APInt::getSignedMaxValue(width);
    else
      bits = APInt(width, static_cast<uint64_t>(static_cast<int64_t>(v)), /*isSigned=*/true);
  }
  return IntegerAttr::get(storage, bits);
}

/// The storage-typed attribute of the first element of a constant, or null.
TypedAttr storageAttrOfConst(DenseElementsAttr attr) {
  Type elem = attr.getElementType();
  Type storage = storageType(elem);
  if (isa<FloatType>(elem))
    return FloatAttr::get(elem, *attr.getValues<APFloat>().begin());
  APInt bits = *attr.getValues<APInt>().begin();
  if (elem.isInteger(1))
    return IntegerAttr::get(storage, APInt(8, bits.isZero() ? 0 : 1));
  return IntegerAttr::get(storage, bits);
}

//===----------------------------------------------------------------------===//
// Kernel-side helpers (signed index arithmetic: coordinates may go negative)
//===----------------------------------------------------------------------===//

Value slt(KernelBuilder &kb, Value a, Value b) {
  return arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::slt, a, b);
}
Value sge(KernelBuilder &kb, Value a, Value b) {
  return arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::sge, a, b);
}
Value eqI(KernelBuilder &kb, Value a, Value b) {
  return arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::eq, a, b);
}
Value smax(KernelBuilder &kb, Value a, Value b) { return arith::MaxSIOp::create(kb.b(), kb.loc(), a, b); }
Value smin(KernelBuilder &kb, Value a, Value b) { return arith::MinSIOp::create(kb.b(), kb.loc(), a, b); }
Value andI(KernelBuilder &kb, Value a, Value b) { return arith::AndIOp::create(kb.b(), kb.loc(), a, b); }
Value orI(KernelBuilder &kb, Value a, Value b) { return arith::OrIOp::create(kb.b(), kb.loc(), a, b); }
Value notI(KernelBuilder &kb, Value a) {
  return arith::XOrIOp::create(kb.b(), kb.loc(), a, kb.constBool(true));
}
Value sremI(KernelBuilder &kb, Value a, Value b) { return arith::RemSIOp::create(kb.b(), kb.loc(), a, b); }
/// Adds a compile-time constant that may be negative.
Value addC(KernelBuilder &kb, Value a, int64_t c) { return c == 0 ? a : kb.add(a, kb.idx(c)); }

/// A raw storage load (no bool conversion): values are only moved.
Value loadRaw(KernelBuilder &kb, unsigned param, Value linear) {
  return kb.loadFrom(kb.param(param), linear);
}
void storeRaw(KernelBuilder &kb, unsigned param, Value linear, Value v) {
  kb.storeTo(kb.param(param), linear, v);
}

/// A storage-typed constant.
Value constAttr(KernelBuilder &kb, TypedAttr attr) {
  return arith::ConstantOp::create(kb.b(), kb.loc(), attr);
}

/// A loaded integer index (any integer or float storage), as a signed index value.
Value indexFromLoaded(KernelBuilder &kb, Value raw, Type elem) {
  if (isa<FloatType>(elem)) {
    Value f = toCompute(kb, raw, elem);
    Value i = arith::FPToSIOp::create(kb.b(), kb.loc(), kb.b().getI64Type(), f);
    return kb.toIndex(i);
  }
  if (elem.isUnsignedInteger() && elem.getIntOrFloatBitWidth() < 64) {
    Value z = arith::ExtUIOp::create(kb.b(), kb.loc(), kb.b().getI64Type(), raw);
    return kb.toIndex(z);
  }
  return kb.toIndex(raw);
}

/// ONNX index normalisation: negative counts from the end. Returns the index clamped to
/// [0, dim-1] (safe to read with) and whether the raw value was in range.
std::pair<Value, Value> normIndex(KernelBuilder &kb, Value v, int64_t dim) {
  Value zero = kb.idx(0);
  Value wrapped = kb.select(slt(kb, v, zero), addC(kb, v, dim), v);
  Value inRange = andI(kb, sge(kb, wrapped, zero), slt(kb, wrapped, kb.idx(dim)));
  Value clamped = smin(kb, smax(kb, wrapped, zero), kb.idx(std::max<int64_t>(dim - 1, 0)));
  return {clamped, inRange};
}

Value indexToF64(KernelBuilder &kb, Value index) {
  Value i = kb.fromIndex(index, kb.b().getI64Type());
  return arith::SIToFPOp::create(kb.b(), kb.loc(), kb.b().getF64Type(), i);
}

//===----------------------------------------------------------------------===//
// Strided views: out[c] = in[base + sum((c[d] % mod[d]) * stride[d])]
//===----------------------------------------------------------------------===//

struct View {
  SmallVector<int64_t> shape, strides, mods; // mods[d] == 0: no wrap
  int64_t base = 0;
};

View makeView(ArrayRef<int64_t> shape, ArrayRef<int64_t> strides, int64_t base = 0) {
  View v;
  v.shape.assign(shape.begin(), shape.end());
  v.strides.assign(strides.begin(), strides.end());
  v.mods.assign(shape.size(), 0);
  v.base = base;
  return v;
}

/// Drops size-1 dimensions and merges neighbours that stay affine.
void collapseView(View &v) {
  View r;
  r.base = v.base;
  for (size_t d = 0; d < v.shape.size(); ++d) {
    if (v.shape[d] == 1)
      continue;
    int64_t mod = v.mods[d] == v.shape[d] ? 0 : v.mods[d];
    if (!r.shape.empty() && mod == 0 && r.mods.back() == 0 &&
        r.strides.back() == v.strides[d] * v.shape[d]) {
      r.shape.back() *= v.shape[d];
      r.strides.back() = v.strides[d];
      continue;
    }
    r.shape.push_back(v.shape[d]);
    r.strides.push_back(v.strides[d]);
    r.mods.push_back(mod);
  }
  if (r.shape.empty()) {
    r.shape.push_back(1);
    r.strides.push_back(1);
    r.mods.push_back(0);
  }
  v = r;
}

Value viewOffset(KernelBuilder &kb, Value i, const View &v) {
  if (v.shape.size() == 1 && v.strides[0] == 1 && v.mods[0] == 0)
    return addC(kb, i, v.base);
  SmallVector<Value> coords = kb.delinearize(i, v.shape);
  Value off = kb.idx(v.base);
  for (size_t d = 0; d < coords.size(); ++d) {
    if (v.strides[d] == 0 || v.shape[d] == 1)
      continue;
    Value c = v.mods[d] ? kb.remC(coords[d], v.mods[d]) : coords[d];
    off = kb.add(off, kb.mulC(c, v.strides[d]));
  }
  return off;
}

/// One launch copying `src` viewed through `view` into the contiguous `dst`.
void emitViewCopy(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches, Value src,
                  Value dst, View view, StringRef name) {
  collapseView(view);
  int64_t n = numElements(dst);
  KernelBuilder kb(km, name, {src, dst}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] { storeRaw(kb, 1, i, loadRaw(kb, 0, viewOffset(kb, i, view))); });
  kb.finish({kBlock, 1, 1});
  Launch l = linearLaunch(kb.name(), n, kBlock);
  l.buffers = {src, dst};
  launches.push_back(std::move(l));
}

Launch finishLinear(KernelBuilder &kb, int64_t n, ArrayRef<Value> buffers) {
  kb.finish({kBlock, 1, 1});
  Launch l = linearLaunch(kb.name(), n, kBlock);
  l.buffers.assign(buffers.begin(), buffers.end());
  return l;
}

//===----------------------------------------------------------------------===//
// Copies and shape ops
//===----------------------------------------------------------------------===//

LogicalResult generateCopy(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (numElements(x) != numElements(y))
    return op->emitOpError("input and result sizes differ"), failure();
  emitViewCopy(op, km, launches, x, y, makeView({numElements(y)}, {1}), "copy");
  return success();
}

/// Writes compile-time values into a small result (kiln.shape, kiln.size).
LogicalResult emitConstants(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                            ArrayRef<int64_t> values) {
  Value y = op->getResult(0);
  Type elem = elemOf(y);
  if (static_cast<int64_t>(values.size()) != numElements(y))
    return op->emitOpError("result size does not match the input's shape"), failure();
  KernelBuilder kb(km, op->getName().stripDialect(), {y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  int64_t n = numElements(y);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value v = constAttr(kb, storageAttrFromDouble(elem, static_cast<double>(values[0])));
    for (size_t k = 1; k < values.size(); ++k)
      v = kb.select(eqI(kb, i, kb.idx(k)),
                    constAttr(kb, storageAttrFromDouble(elem, static_cast<double>(values[k]))), v);
    storeRaw(kb, 0, i, v);
  });
  launches.push_back(finishLinear(kb, n, {y}));
  return success();
}

LogicalResult generateShape(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  ArrayRef<int64_t> s = shapeOf(op->getOperand(0));
  int64_t rank = static_cast<int64_t>(s.size());
  auto clampBound = [&](int64_t v) { return std::clamp(normAxis(v, rank), int64_t(0), rank); };
  int64_t start = clampBound(intAttr(op, "start", 0));
  int64_t end = op->hasAttr("end") ? clampBound(intAttr(op, "end", rank)) : rank;
  SmallVector<int64_t> values;
  for (int64_t i = start; i < end; ++i)
    values.push_back(s[i]);
  return emitConstants(op, km, launches, values);
}

LogicalResult generateSize(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  return emitConstants(op, km, launches, {numElements(op->getOperand(0))});
}

//===----------------------------------------------------------------------===//
// Transpose: 32x32 shared-memory tiles when the innermost axis moves, a gather otherwise
//===----------------------------------------------------------------------===//

LogicalResult generateTranspose(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  FailureOr<StridedMap> map = transposeMap(op);
  if (failed(map))
    return failure();
  View v = makeView(shapeOf(y), map->strides);
  collapseView(v);
  int64_t r = static_cast<int64_t>(v.shape.size());
  int64_t q = r - 1, p = -1;
  for (int64_t d = 0; d < r; ++d)
    if (v.strides[d] == 1)
      p = d;
  // Tiles pay off only when both the read-contiguous and write-contiguous axes are long.
  if (r < 2 || p < 0 || p == q || v.strides[q] == 1 || v.shape[p] < 8 || v.shape[q] < 8) {
    emitViewCopy(op, km, launches, x, y, v, "transpose");
    return success();
  }
  SmallVector<int64_t> outStrides = rowMajorStrides(v.shape);
  SmallVector<int64_t> restShape, restIn, restOut;
  for (int64_t d = 0; d < r; ++d)
    if (d != p && d != q) {
      restShape.push_back(v.shape[d]);
      restIn.push_back(v.strides[d]);
      restOut.push_back(outStrides[d]);
    }
  constexpr int64_t kTile = 32, kRows = 8;
  int64_t tilesP = (v.shape[p] + kTile - 1) / kTile, tilesQ = (v.shape[q] + kTile - 1) / kTile;
  int64_t rest = product(restShape);
  int64_t blocks = tilesP * tilesQ * rest;
  if (blocks > std::numeric_limits<int32_t>::max())
    return op->emitOpError("transpose too large for one launch"), failure();

  KernelBuilder kb(km, "transpose_tiled", {x, y}, op->getLoc());
  Value tile = kb.sharedBuffer(storageType(elemOf(x)), kTile * (kTile + 1));
  Value bid = kb.blockId(gpu::Dimension::x);
  Value tx = kb.threadId(gpu::Dimension::x), ty = kb.threadId(gpu::Dimension::y);
  Value tq = kb.remC(bid, tilesQ);
  Value tp = kb.remC(kb.divC(bid, tilesQ), tilesP);
  Value rlin = kb.divC(bid, tilesQ * tilesP);
  Value inBase = kb.idx(0), outBase = kb.idx(0);
  if (!restShape.empty()) {
    SmallVector<Value> rc = kb.delinearize(rlin, restShape);
    inBase = kb.linearize(rc, restIn);
    outBase = kb.linearize(rc, restOut);
  }
  Value p0 = kb.mulC(tp, kTile), q0 = kb.mulC(tq, kTile);
  for (int64_t j = 0; j < kTile; j += kRows) {
    Value pi = kb.add(p0, tx);
    Value qi = kb.add(q0, addC(kb, ty, j));
    Value ok = andI(kb, kb.ltC(pi, v.shape[p]), kb.ltC(qi, v.shape[q]));
    kb.ifThen(ok, [&] {
      Value src = kb.add(inBase, kb.add(pi, kb.mulC(qi, v.strides[q])));
      Value val = loadRaw(kb, 0, src);
      kb.storeTo(tile, kb.add(kb.mulC(addC(kb, ty, j), kTile + 1), tx), val);
    });
  }
  kb.barrier();
  for (int64_t j = 0; j < kTile; j += kRows) {
    Value qi = kb.add(q0, tx);
    Value pi = kb.add(p0, addC(kb, ty, j));
    Value ok = andI(kb, kb.ltC(pi, v.shape[p]), kb.ltC(qi, v.shape[q]));
    kb.ifThen(ok, [&] {
      Value val = kb.loadFrom(tile, kb.add(kb.mulC(tx, kTile + 1), addC(kb, ty, j)));
      Value dst = kb.add(outBase, kb.add(qi, kb.mulC(pi, outStrides[p])));
      storeRaw(kb, 1, dst, val);
    });
  }
  kb.finish({static_cast<uint32_t>(kTile), static_cast<uint32_t>(kRows), 1});
  Launch l;
  l.kernel = kb.name();
  l.grid = {static_cast<uint32_t>(blocks), 1, 1};
  l.block = {static_cast<uint32_t>(kTile), static_cast<uint32_t>(kRows), 1};
  l.buffers = {x, y};
  launches.push_back(std::move(l));
  return success();
}

//===----------------------------------------------------------------------===//
// Concat and split
//===----------------------------------------------------------------------===//

LogicalResult generateConcat(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value y = op->getResult(0);
  int64_t rank = rankOf(y);
  int64_t axis = normAxis(intAttr(op, "axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return op->emitOpError("concat axis out of range"), failure();
  ArrayRef<int64_t> oshape = shapeOf(y);
  int64_t rowLen = product(oshape.drop_front(axis));
  SmallVector<Value> buffers;
  SmallVector<int64_t> lens, offs;
  int64_t at = 0;
  for (Value v : op->getOperands()) {
    int64_t len = product(shapeOf(v).drop_front(axis));
    if (numElements(v) != 0) {
      buffers.push_back(v);
      lens.push_back(len);
      offs.push_back(at);
    }
    at += len;
  }
  if (at != rowLen)
    return op->emitOpError("concat inputs do not add up to the result"), failure();
  if (buffers.size() == 1) {
    // A single non-empty input spans the whole row: a plain copy.
    emitViewCopy(op, km, launches, buffers[0], y, makeView({numElements(y)}, {1}), "concat");
    return success();
  }
  unsigned outParam = buffers.size();
  buffers.push_back(y);
  int64_t n = numElements(y);
  KernelBuilder kb(km, "concat", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  Type storage = storageType(elemOf(y));
  kb.ifThen(kb.ltC(i, n), [&] {
    Value row = kb.divC(i, rowLen), col = kb.remC(i, rowLen);
    std::function<Value(unsigned)> pick = [&](unsigned k) -> Value {
      auto loadK = [&, k]() {
        Value src = kb.add(kb.mulC(row, lens[k]), addC(kb, col, -offs[k]));
        return loadRaw(kb, k, src);
      };
      if (k + 1 == outParam)
        return loadK();
      return kb.ifThenElse(kb.ltC(col, offs[k + 1]), storage, loadK, [&, k] { return pick(k + 1); });
    };
    storeRaw(kb, outParam, i, pick(0));
  });
  launches.push_back(finishLinear(kb, n, buffers));
  return success();
}

LogicalResult generateSplit(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0);
  int64_t rank = rankOf(x);
  int64_t axis = normAxis(intAttr(op, "axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return op->emitOpError("split axis out of range"), failure();
  SmallVector<int64_t> xs = rowMajorStrides(shapeOf(x));
  int64_t at = 0;
  for (Value r : op->getResults()) {
    if (rankOf(r) != rank)
      return op->emitOpError("split result rank differs from the input"), failure();
    if (numElements(r) != 0)
      emitViewCopy(op, km, launches, x, r, makeView(shapeOf(r), xs, at * xs[axis]), "split");
    at += shapeOf(r)[axis];
  }
  if (at != shapeOf(x)[axis])
    return op->emitOpError("split sizes do not cover the axis"), failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Slice, expand, tile, depth/space
//===----------------------------------------------------------------------===//

LogicalResult generateSlice(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  FailureOr<StridedMap> map = sliceMap(op);
  if (failed(map))
    return failure();
  emitViewCopy(op, km, launches, x, y, makeView(map->shape, map->strides, map->base), "slice");
  return success();
}

LogicalResult generateExpand(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  FailureOr<StridedMap> map = expandMap(op);
  if (failed(map))
    return failure();
  emitViewCopy(op, km, launches, op->getOperand(0), op->getResult(0), makeView(map->shape, map->strides), "expand");
  return success();
}

LogicalResult generateTile(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  ArrayRef<int64_t> xshape = shapeOf(x), oshape = shapeOf(y);
  if (xshape.size() != oshape.size())
    return op->emitOpError("tile result rank differs from the input"), failure();
  for (size_t d = 0; d < xshape.size(); ++d)
    if (xshape[d] == 0 || oshape[d] % xshape[d] != 0)
      return op->emitOpError("tile result is not a whole repeat of the input"), failure();
  View v = makeView(oshape, rowMajorStrides(xshape));
  v.mods.assign(xshape.begin(), xshape.end());
  emitViewCopy(op, km, launches, x, y, v, "tile");
  return success();
}

LogicalResult generateDepthToSpace(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (rankOf(x) != 4)
    return op->emitOpError("depth_to_space needs a 4-D input"), failure();
  int64_t b = intAttr(op, "blocksize", 1);
  ArrayRef<int64_t> s = shapeOf(x);
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (b <= 0 || c % (b * b) != 0)
    return op->emitOpError("channels not divisible by blocksize^2"), failure();
  int64_t oc = c / (b * b);
  int64_t sN = c * h * w, sC, sB1, sB2;
  if (strAttr(op, "mode", "DCR") == "CRD") {
    sC = b * b * h * w;
    sB1 = b * h * w;
    sB2 = h * w;
  } else {
    sB1 = b * oc * h * w;
    sB2 = oc * h * w;
    sC = h * w;
  }
  emitViewCopy(op, km, launches, x, y, makeView({n, oc, h, b, w, b}, {sN, sC, w, sB1, 1, sB2}),
               "depth_to_space");
  return success();
}

LogicalResult generateSpaceToDepth(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (rankOf(x) != 4)
    return op->emitOpError("space_to_depth needs a 4-D input"), failure();
  int64_t b = intAttr(op, "blocksize", 1);
  ArrayRef<int64_t> s = shapeOf(x);
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (b <= 0 || h % b != 0 || w % b != 0)
    return op->emitOpError("spatial size not divisible by blocksize"), failure();
  emitViewCopy(op, km, launches, x, y,
               makeView({n, b, b, c, h / b, w / b}, {c * h * w, w, 1, h * w, b * w, b}),
               "space_to_depth");
  return success();
}

//===----------------------------------------------------------------------===//
// Gathers
//===----------------------------------------------------------------------===//

LogicalResult generateGather(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), ind = op->getOperand(1), y = op->getResult(0);
  int64_t rank = rankOf(x);
  int64_t axis = normAxis(intAttr(op, "axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return op->emitOpError("gather axis out of range"), failure();
  ArrayRef<int64_t> xshape = shapeOf(x);
  int64_t dim = xshape[axis], inner = product(xshape.drop_front(axis + 1));
  int64_t nIdx = numElements(ind);
  int64_t n = numElements(y);
  if (n != product(xshape.take_front(axis)) * nIdx * inner)
    return op->emitOpError("gather result size does not match"), failure();
  if (dim == 0)
    return op->emitOpError("gather from an empty axis"), failure();
  KernelBuilder kb(km, "gather", {x, ind, y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value e = kb.remC(i, inner);
    Value rest = kb.divC(i, inner);
    Value j = kb.remC(rest, nIdx);
    Value o = kb.divC(rest, nIdx);
    Value k = normIndex(kb, indexFromLoaded(kb, loadRaw(kb, 1, j), elemOf(ind)), dim).first;
    Value src = kb.add(kb.mulC(kb.add(kb.mulC(o, dim), k), inner), e);
    storeRaw(kb, 2, i, loadRaw(kb, 0, src));
  });
  launches.push_back(finishLinear(kb, n, {x, ind, y}));
  return success();
}

LogicalResult generateGatherElements(Operation *op, KernelModule &km,
                                     SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), ind = op->getOperand(1), y = op->getResult(0);
  int64_t rank = rankOf(x);
  int64_t axis = normAxis(intAttr(op, "axis", 0), rank);
  if (axis < 0 || axis >= rank || rankOf(ind) != rank)
    return op->emitOpError("gather_elements axis or index rank invalid"), failure();
  ArrayRef<int64_t> ishape = shapeOf(ind);
  SmallVector<int64_t> xs = rowMajorStrides(shapeOf(x));
  int64_t dim = shapeOf(x)[axis];
  int64_t n = numElements(y);
  KernelBuilder kb(km, "gather_elements", {x, ind, y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    SmallVector<Value> coords = kb.delinearize(i, ishape);
    coords[axis] = normIndex(kb, indexFromLoaded(kb, loadRaw(kb, 1, i), elemOf(ind)), dim).first;
    storeRaw(kb, 2, i, loadRaw(kb, 0, kb.linearize(coords, xs)));
  });
  launches.push_back(finishLinear(kb, n, {x, ind, y}));
  return success();
}

LogicalResult generateGatherND(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), ind = op->getOperand(1), y = op->getResult(0);
  ArrayRef<int64_t> xshape = shapeOf(x), ishape = shapeOf(ind);
  int64_t b = intAttr(op, "batch_dims", 0);
  if (ishape.empty())
    return op->emitOpError("gather_nd indices need a rank of at least 1"), failure();
  int64_t k = ishape.back();
  if (b < 0 || b + k > static_cast<int64_t>(xshape.size()))
    return op->emitOpError("gather_nd index tuples too long"), failure();
  int64_t tuplesPerBatch = product(ishape.drop_front(b).drop_back());
  int64_t sliceElems = product(xshape.drop_front(b + k));
  int64_t batchElems = product(xshape.drop_front(b));
  SmallVector<int64_t> xs = rowMajorStrides(xshape);
  int64_t n = numElements(y);
  if (n != product(xshape.take_front(b)) * tuplesPerBatch * sliceElems)
    return op->emitOpError("gather_nd result size does not match"), failure();
  KernelBuilder kb(km, "gather_nd", {x, ind, y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value e = kb.remC(i, sliceElems);
    Value t = kb.divC(i, sliceElems);
    Value bi = kb.divC(t, tuplesPerBatch);
    Value off = kb.add(kb.mulC(bi, batchElems), e);
    for (int64_t j = 0; j < k; ++j) {
      Value raw = loadRaw(kb, 1, addC(kb, kb.mulC(t, k), j));
      Value v = normIndex(kb, indexFromLoaded(kb, raw, elemOf(ind)), xshape[b + j]).first;
      off = kb.add(off, kb.mulC(v, xs[b + j]));
    }
    storeRaw(kb, 2, i, loadRaw(kb, 0, off));
  });
  launches.push_back(finishLinear(kb, n, {x, ind, y}));
  return success();
}

//===----------------------------------------------------------------------===//
// Scatters: copy data to the result, then apply the updates (atomically when reducing)
//===----------------------------------------------------------------------===//

LogicalResult checkReduction(Operation *op, StringRef reduction, Type elem) {
  if (reduction != "none" && reduction != "add" && reduction != "mul" && reduction != "max" &&
      reduction != "min")
    return op->emitOpError("unknown reduction '") << reduction << "'", failure();
  if (reduction != "none" && elem.isInteger(1))
    return op->emitOpError("scatter reductions on bool are not supported"), failure();
  return success();
}

/// The reference's combine of the current value `cur` with update `u` (storage types).
Value combineValues(KernelBuilder &kb, Value cur, Value u, StringRef reduction, Type elem) {
  Location loc = kb.loc();
  OpBuilder &b = kb.b();
  Value r;
  if (isa<FloatType>(elem)) {
    Value a = toCompute(kb, cur, elem), c = toCompute(kb, u, elem);
    if (reduction == "add")
      r = arith::AddFOp::create(b, loc, a, c);
    else if (reduction == "mul")
      r = arith::MulFOp::create(b, loc, a, c);
    else if (reduction == "max") // std::max(a, c): a < c ? c : a
      r = kb.select(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a, c), c, a);
    else // std::min(a, c): c < a ? c : a
      r = kb.select(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, c, a), c, a);
    return fromCompute(kb, r, elem);
  }
  bool uns = elem.isUnsignedInteger();
  if (reduction == "add")
    return arith::AddIOp::create(b, loc, cur, u);
  if (reduction == "mul")
    return arith::MulIOp::create(b, loc, cur, u);
  if (reduction == "max")
    return uns ? Value(arith::MaxUIOp::create(b, loc, cur, u)) : Value(arith::MaxSIOp::create(b, loc, cur, u));
  return uns ? Value(arith::MinUIOp::create(b, loc, cur, u)) : Value(arith::MinSIOp::create(b, loc, cur, u));
}

/// Combines update `u` into element `at` of param `out`: a plain store for "none", an
/// atomic read-modify-write otherwise. Integers use memref.generic_atomic_rmw; floats a
/// compare-and-swap loop on the bits (LLVM's cmpxchg takes integers only).
void emitCombine(KernelBuilder &kb, unsigned out, Value at, Value u, StringRef reduction, Type elem) {
  if (reduction == "none") {
    storeRaw(kb, out, at, u);
    return;
  }
  OpBuilder &b = kb.b();
  Location loc = kb.loc();
  if (!isa<FloatType>(elem)) {
    auto rmw = memref::GenericAtomicRMWOp::create(b, loc, kb.param(out), ValueRange{at});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&rmw.getAtomicBody().front());
    memref::AtomicYieldOp::create(b, loc, combineValues(kb, rmw.getCurrentValue(), u, reduction, elem));
    return;
  }
  b.getContext()->getOrLoadDialect<LLVM::LLVMDialect>();
  unsigned bits = elem.getIntOrFloatBitWidth();
  Type it = b.getIntegerType(bits);
  Value basePtr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, b.getIndexType(), kb.param(out));
  Value addr = kb.add(basePtr, kb.mulC(at, bits / 8));
  Value ptr = LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()),
                                       ValueRange{kb.fromIndex(addr, b.getI64Type())});
  Value init = LLVM::LoadOp::create(b, loc, it, ptr, bits / 8);
  scf::WhileOp::create(
      b, loc, TypeRange{it}, ValueRange{init},
      [&](OpBuilder &, Location, ValueRange args) {
        Value old = args[0];
        Value cur = arith::BitcastOp::create(b, loc, elem, old);
        Value next = arith::BitcastOp::create(b, loc, it, combineValues(kb, cur, u, reduction, elem));
        Value res = LLVM::AtomicCmpXchgOp::create(b, loc, ptr, old, next, LLVM::AtomicOrdering::monotonic,
                                                  LLVM::AtomicOrdering::monotonic);
        Value seen = LLVM::ExtractValueOp::create(b, loc, res, ArrayRef<int64_t>{0});
        Value ok = LLVM::ExtractValueOp::create(b, loc, res, ArrayRef<int64_t>{1});
        scf::ConditionOp::create(b, loc, notI(kb, ok), ValueRange{seen});
      },
      [&](OpBuilder &, Location, ValueRange args) { scf::YieldOp::create(b, loc, args); });
}

/// With reduction "none", an update that a later one overwrites is skipped, so duplicate
/// indices resolve to the last write deterministically as in the reference. The check
/// costs a scan over the later updates per thread; above this much total work it is left
/// out and duplicates (undefined in ONNX) resolve in an unspecified order.
constexpr int64_t kDedupWork = int64_t(1) << 26;

LogicalResult generateScatterND(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), ind = op->getOperand(1), u = op->getOperand(2), y = op->getResult(0);
  StringRef reduction = strAttr(op, "reduction", "none");
  if (failed(checkReduction(op, reduction, elemOf(x))))
    return failure();
  ArrayRef<int64_t> xshape = shapeOf(x), ishape = shapeOf(ind);
  if (ishape.empty())
    return op->emitOpError("scatter_nd indices need a rank of at least 1"), failure();
  int64_t k = ishape.back();
  if (k > static_cast<int64_t>(xshape.size()))
    return op->emitOpError("scatter_nd index tuples too long"), failure();
  int64_t tuples = product(ishape.drop_back());
  int64_t sliceElems = product(xshape.drop_front(k));
  SmallVector<int64_t> xs = rowMajorStrides(xshape);
  emitViewCopy(op, km, launches, x, y, makeView({numElements(y)}, {1}), "scatter_copy");
  int64_t n = tuples * sliceElems;
  if (n == 0 || numElements(u) != n)
    return n == 0 ? success() : (op->emitOpError("scatter_nd updates size does not match"), failure());
  KernelBuilder kb(km, "scatter_nd", {ind, u, y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  Type ie = elemOf(ind);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value e = kb.remC(i, sliceElems);
    Value t = kb.divC(i, sliceElems);
    Value off = e;
    Value valid = kb.constBool(true);
    SmallVector<Value> mine;
    for (int64_t j = 0; j < k; ++j) {
      std::pair<Value, Value> vk =
          normIndex(kb, indexFromLoaded(kb, loadRaw(kb, 0, addC(kb, kb.mulC(t, k), j)), ie), xshape[j]);
      mine.push_back(vk.first);
      valid = andI(kb, valid, vk.second);
      off = kb.add(off, kb.mulC(vk.first, xs[j]));
    }
    if (reduction == "none" && tuples > 1 &&
        double(tuples) * double(tuples) * double(std::max<int64_t>(k, 1)) * double(sliceElems) <= double(kDedupWork)) {
      // Skip when a later tuple addresses the same slice: the last write wins.
      Value later = kb.forLoopCarry(
          kb.add(t, kb.idx(1)), kb.idx(tuples), kb.idx(1), ValueRange{kb.constBool(false)},
          [&](Value t2, ValueRange acc) -> SmallVector<Value> {
            Value same = kb.constBool(true);
            for (int64_t j = 0; j < k; ++j) {
              Value raw = loadRaw(kb, 0, addC(kb, kb.mulC(t2, k), j));
              std::pair<Value, Value> vk2 = normIndex(kb, indexFromLoaded(kb, raw, ie), xshape[j]);
              same = andI(kb, same, andI(kb, vk2.second, eqI(kb, vk2.first, mine[j])));
            }
            return {orI(kb, acc[0], same)};
          })[0];
      valid = andI(kb, valid, notI(kb, later));
    }
    kb.ifThen(valid, [&] { emitCombine(kb, 2, off, loadRaw(kb, 1, i), reduction, elemOf(x)); });
  });
  launches.push_back(finishLinear(kb, n, {ind, u, y}));
  return success();
}

LogicalResult generateScatterElements(Operation *op, KernelModule &km,
                                      SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), ind = op->getOperand(1), u = op->getOperand(2), y = op->getResult(0);
  StringRef reduction = strAttr(op, "reduction", "none");
  if (failed(checkReduction(op, reduction, elemOf(x))))
    return failure();
  int64_t rank = rankOf(x);
  int64_t axis = normAxis(intAttr(op, "axis", 0), rank);
  if (axis < 0 || axis >= rank || rankOf(ind) != rank || shapeOf(u) != shapeOf(ind))
    return op->emitOpError("scatter_elements axis or operand shapes invalid"), failure();
  ArrayRef<int64_t> ishape = shapeOf(ind);
  SmallVector<int64_t> xs = rowMajorStrides(shapeOf(x)), is = rowMajorStrides(ishape);
  int64_t dim = shapeOf(x)[axis];
  emitViewCopy(op, km, launches, x, y, makeView({numElements(y)}, {1}), "scatter_copy");
  int64_t n = numElements(ind);
  if (n == 0)
    return success();
  KernelBuilder kb(km, "scatter_elements", {ind, u, y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  Type ie = elemOf(ind);
  kb.ifThen(kb.ltC(i, n), [&] {
    SmallVector<Value> coords = kb.delinearize(i, ishape);
    std::pair<Value, Value> kv = normIndex(kb, indexFromLoaded(kb, loadRaw(kb, 0, i), ie), dim);
    Value kIdx = kv.first, valid = kv.second;
    Value pos = coords[axis];
    coords[axis] = kIdx;
    Value off = kb.linearize(coords, xs);
    if (reduction == "none" && ishape[axis] > 1 && double(n) * double(ishape[axis]) <= double(kDedupWork)) {
      // Along the indices' axis, a later entry with the same target overwrites this one.
      Value later = kb.forLoopCarry(
          kb.add(pos, kb.idx(1)), kb.idx(ishape[axis]), kb.idx(1), ValueRange{kb.constBool(false)},
          [&](Value p2, ValueRange acc) -> SmallVector<Value> {
            Value i2 = kb.add(i, kb.mulC(kb.sub(p2, pos), is[axis]));
            std::pair<Value, Value> k2 = normIndex(kb, indexFromLoaded(kb, loadRaw(kb, 0, i2), ie), dim);
            return {orI(kb, acc[0], andI(kb, k2.second, eqI(kb, k2.first, kIdx)))};
          })[0];
      valid = andI(kb, valid, notI(kb, later));
    }
    kb.ifThen(valid, [&] { emitCombine(kb, 2, off, loadRaw(kb, 1, i), reduction, elemOf(x)); });
  });
  launches.push_back(finishLinear(kb, n, {ind, u, y}));
  return success();
}

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

LogicalResult generatePad(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0), cv = op->getOperand(2);
  int64_t rank = rankOf(x);
  auto pads = constInts(op->getOperand(1));
  if (!pads)
    return op->emitOpError("pads must be a constant"), failure();
  SmallVector<int64_t> axes;
  if (!isAbsent(op->getOperand(3))) {
    auto a = constInts(op->getOperand(3));
    if (!a)
      return op->emitOpError("pad axes must be a constant"), failure();
    axes = *a;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  if (pads->size() != 2 * axes.size())
    return op->emitOpError("pads does not hold two entries per axis"), failure();
  SmallVector<int64_t> begin(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = normAxis(axes[i], rank);
    if (a < 0 || a >= rank)
      return op->emitOpError("pad axis out of range"), failure();
    begin[a] = (*pads)[i];
  }
  StringRef mode = strAttr(op, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return op->emitOpError("unknown pad mode '") << mode << "'", failure();
  Type elem = elemOf(x);
  ArrayRef<int64_t> xshape = shapeOf(x), oshape = shapeOf(y);
  bool emptyInput = numElements(x) == 0;
  // The fill value: absent or empty means zero; a constant is baked; else loaded.
  TypedAttr fillAttr;
  bool runtimeFill = false;
  if (isAbsent(cv) || numElements(cv) == 0) {
    fillAttr = storageAttrFromDouble(elem, 0.0);
  } else {
    DenseElementsAttr attr;
    if (matchPattern(cv, m_Constant(&attr))) {
      if (attr.getElementType() == elem)
        fillAttr = storageAttrOfConst(attr);
      else
        fillAttr = storageAttrFromDouble(elem, *constDouble(cv));
    } else {
      runtimeFill = true;
    }
  }
  SmallVector<Value> buffers;
  int xParam = -1, cvParam = -1;
  if (!emptyInput) {
    xParam = buffers.size();
    buffers.push_back(x);
  }
  if (runtimeFill) {
    cvParam = buffers.size();
    buffers.push_back(cv);
  }
  unsigned outParam = buffers.size();
  buffers.push_back(y);
  SmallVector<int64_t> xs = rowMajorStrides(xshape);
  int64_t n = numElements(y);
  KernelBuilder kb(km, "pad", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value fill;
    if (runtimeFill) {
      Type from = elemOf(cv);
      Value v = toCompute(kb, kb.load(cvParam, kb.idx(0)), from);
      v = fromCompute(kb, castScalar(kb, v, from, elem), elem);
      if (v.getType().isInteger(1))
        v = arith::ExtUIOp::create(kb.b(), kb.loc(), kb.b().getI8Type(), v);
      fill = v;
    } else {
      fill = constAttr(kb, fillAttr);
    }
    if (emptyInput) {
      storeRaw(kb, outParam, i, fill);
      return;
    }
    SmallVector<Value> coords = kb.delinearize(i, oshape);
    Value inside = kb.constBool(true);
    Value off = kb.idx(0);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t dim = xshape[d];
      Value j = addC(kb, coords[d], -begin[d]);
      bool mayLeave = begin[d] > 0 || oshape[d] - begin[d] > dim;
      if (mayLeave) {
        if (mode == "constant") {
          inside = andI(kb, inside, andI(kb, sge(kb, j, kb.idx(0)), slt(kb, j, kb.idx(dim))));
        } else if (mode == "edge") {
          j = smin(kb, smax(kb, j, kb.idx(0)), kb.idx(dim - 1));
        } else if (mode == "wrap") {
          j = sremI(kb, kb.add(sremI(kb, j, kb.idx(dim)), kb.idx(dim)), kb.idx(dim));
        } else if (dim == 1) {
          j = kb.idx(0);
        } else {
          int64_t period = 2 * (dim - 1);
          j = sremI(kb, kb.add(sremI(kb, j, kb.idx(period)), kb.idx(period)), kb.idx(period));
          j = kb.select(sge(kb, j, kb.idx(dim)), kb.sub(kb.idx(period), j), j);
        }
      }
      off = kb.add(off, kb.mulC(j, xs[d]));
    }
    Type storage = storageType(elem);
    Value v = kb.ifThenElse(
        inside, storage, [&] { return loadRaw(kb, xParam, off); }, [&] { return fill; });
    storeRaw(kb, outParam, i, v);
  });
  launches.push_back(finishLinear(kb, n, buffers));
  return success();
}

//===----------------------------------------------------------------------===//
// Generated values: constant_of_shape, range, eye_like, one_hot, trilu
//===----------------------------------------------------------------------===//

LogicalResult generateConstantOfShape(Operation *op, KernelModule &km,
                                      SmallVectorImpl<Launch> &launches) {
  Value y = op->getResult(0);
  Type elem = elemOf(y);
  TypedAttr fill;
  Attribute rawValue = op->getAttr("value");
  if (rawValue && !isa<DenseElementsAttr>(rawValue))
    return op->emitOpError("value must be a dense elements attribute"), failure();
  if (auto value = dyn_cast_or_null<DenseElementsAttr>(rawValue)) {
    if (value.getElementType() != elem || value.getNumElements() != 1)
      return op->emitOpError("value does not match the result element type"), failure();
    fill = storageAttrOfConst(value);
  } else {
    fill = storageAttrFromDouble(elem, 0.0);
  }
  int64_t n = numElements(y);
  KernelBuilder kb(km, "constant_of_shape", {y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] { storeRaw(kb, 0, i, constAttr(kb, fill)); });
  launches.push_back(finishLinear(kb, n, {y}));
  return success();
}

LogicalResult generateRange(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value start = op->getOperand(0), delta = op->getOperand(2), y = op->getResult(0);
  Type elem = elemOf(y);
  bool isF = isa<FloatType>(elem);
  SmallVector<Value> buffers;
  int startParam = -1, deltaParam = -1;
  DenseElementsAttr sAttr, dAttr;
  bool sConst = matchPattern(start, m_Constant(&sAttr)), dConst = matchPattern(delta, m_Constant(&dAttr));
  if (!sConst) {
    startParam = buffers.size();
    buffers.push_back(start);
  }
  if (!dConst) {
    deltaParam = buffers.size();
    buffers.push_back(delta);
  }
  unsigned outParam = buffers.size();
  buffers.push_back(y);
  int64_t n = numElements(y);
  KernelBuilder kb(km, "range", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    OpBuilder &b = kb.b();
    Location loc = kb.loc();
    // Floats: start + i * delta in double, rounded once (the reference's arithmetic).
    auto scalar = [&](bool isConst, DenseElementsAttr attr, int param, Value operand) -> Value {
      Type oe = elemOf(operand);
      if (isF) {
        if (isConst)
          return kb.constFloat(b.getF64Type(), *constDouble(operand));
        Value v = toCompute(kb, loadRaw(kb, param, kb.idx(0)), oe);
        if (!v.getType().isF64())
          v = arith::ExtFOp::create(b, loc, b.getF64Type(), v);
        return v;
      }
      if (isConst)
        return kb.constInt(b.getI64Type(), static_cast<int64_t>(*constDouble(operand)));
      Value v = loadRaw(kb, param, kb.idx(0));
      if (v.getType().getIntOrFloatBitWidth() < 64)
        v = arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
      return v;
    };
    Value s = scalar(sConst, sAttr, startParam, start);
    Value d = scalar(dConst, dAttr, deltaParam, delta);
    Value r;
    if (isF) {
      Value fi = indexToF64(kb, i);
      r = arith::AddFOp::create(b, loc, s, arith::MulFOp::create(b, loc, fi, d));
      if (!elem.isF64())
        r = arith::TruncFOp::create(b, loc, elem, r);
    } else {
      Value ii = kb.fromIndex(i, b.getI64Type());
      r = arith::AddIOp::create(b, loc, s, arith::MulIOp::create(b, loc, ii, d));
      if (elem.getIntOrFloatBitWidth() < 64)
        r = arith::TruncIOp::create(b, loc, storageType(elem), r);
    }
    storeRaw(kb, outParam, i, r);
  });
  launches.push_back(finishLinear(kb, n, buffers));
  return success();
}

LogicalResult generateEyeLike(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value y = op->getResult(0);
  if (rankOf(y) != 2)
    return op->emitOpError("eye_like needs a 2-D result"), failure();
  Type elem = elemOf(y);
  int64_t k = intAttr(op, "k", 0);
  int64_t cols = shapeOf(y)[1];
  int64_t n = numElements(y);
  KernelBuilder kb(km, "eye_like", {y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value r = kb.divC(i, cols), c = kb.remC(i, cols);
    Value on = eqI(kb, c, addC(kb, r, k));
    Value v = kb.select(on, constAttr(kb, storageAttrFromDouble(elem, 1.0)),
                        constAttr(kb, storageAttrFromDouble(elem, 0.0)));
    storeRaw(kb, 0, i, v);
  });
  launches.push_back(finishLinear(kb, n, {y}));
  return success();
}

LogicalResult generateOneHot(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value ind = op->getOperand(0), values = op->getOperand(2), y = op->getResult(0);
  int64_t rank = rankOf(y);
  int64_t axis = normAxis(intAttr(op, "axis", -1), rank);
  if (axis < 0 || axis >= rank || numElements(values) != 2 || elemOf(values) != elemOf(y))
    return op->emitOpError("one_hot axis or values invalid"), failure();
  int64_t depth = shapeOf(y)[axis];
  ArrayRef<int64_t> is = shapeOf(ind);
  int64_t inner = product(is.drop_front(axis));
  int64_t n = numElements(y);
  KernelBuilder kb(km, "one_hot", {ind, values, y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value e = kb.remC(i, inner);
    Value rest = kb.divC(i, inner);
    Value d = kb.remC(rest, depth);
    Value o = kb.divC(rest, depth);
    Value v = indexFromLoaded(kb, loadRaw(kb, 0, kb.add(kb.mulC(o, inner), e)), elemOf(ind));
    v = kb.select(slt(kb, v, kb.idx(0)), addC(kb, v, depth), v);
    Value on = eqI(kb, v, d);
    Value src = kb.select(on, kb.idx(1), kb.idx(0));
    storeRaw(kb, 2, i, loadRaw(kb, 1, src));
  });
  launches.push_back(finishLinear(kb, n, {ind, values, y}));
  return success();
}

LogicalResult generateTrilu(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), kv = op->getOperand(1), y = op->getResult(0);
  int64_t rank = rankOf(x);
  if (rank < 2)
    return op->emitOpError("trilu needs a rank of at least 2"), failure();
  bool upper = intAttr(op, "upper", 1) != 0;
  int64_t rows = shapeOf(x)[rank - 2], cols = shapeOf(x)[rank - 1];
  SmallVector<Value> buffers{x};
  std::optional<int64_t> kConst = 0;
  int kParam = -1;
  if (!isAbsent(kv)) {
    auto c = constInts(kv);
    if (c && !c->empty()) {
      kConst = (*c)[0];
    } else {
      kConst.reset();
      kParam = buffers.size();
      buffers.push_back(kv);
    }
  }
  unsigned outParam = buffers.size();
  buffers.push_back(y);
  int64_t n = numElements(y);
  Type elem = elemOf(x);
  KernelBuilder kb(km, "trilu", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    Value c = kb.remC(i, cols), r = kb.remC(kb.divC(i, cols), rows);
    Value k = kConst ? kb.idx(*kConst) : kb.toIndex(loadRaw(kb, kParam, kb.idx(0)));
    Value diff = kb.sub(c, r);
    Value keep = upper ? sge(kb, diff, k) : sge(kb, k, diff);
    Value v = kb.select(keep, loadRaw(kb, 0, i), constAttr(kb, storageAttrFromDouble(elem, 0.0)));
    storeRaw(kb, outParam, i, v);
  });
  launches.push_back(finishLinear(kb, n, buffers));
  return success();
}

LogicalResult generateReverseSequence(Operation *op, KernelModule &km,
                                      SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), lens = op->getOperand(1), y = op->getResult(0);
  int64_t rank = rankOf(x);
  int64_t batchAxis = intAttr(op, "batch_axis", 1), timeAxis = intAttr(op, "time_axis", 0);
  if (batchAxis < 0 || batchAxis >= rank || timeAxis < 0 || timeAxis >= rank || batchAxis == timeAxis)
    return op->emitOpError("reverse_sequence axes invalid"), failure();
  ArrayRef<int64_t> xshape = shapeOf(x);
  SmallVector<int64_t> xs = rowMajorStrides(xshape);
  int64_t steps = xshape[timeAxis];
  int64_t n = numElements(y);
  KernelBuilder kb(km, "reverse_sequence", {x, lens, y}, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    SmallVector<Value> coords = kb.delinearize(i, xshape);
    Value len = indexFromLoaded(kb, loadRaw(kb, 1, coords[batchAxis]), elemOf(lens));
    len = smin(kb, smax(kb, len, kb.idx(0)), kb.idx(steps));
    Value t = coords[timeAxis];
    // Reversed: source time len - 1 - t.
    Value srcT = kb.sub(addC(kb, len, -1), t);
    Value src = kb.add(i, kb.mulC(kb.sub(srcT, t), xs[timeAxis]));
    src = kb.select(slt(kb, t, len), src, i);
    storeRaw(kb, 2, i, loadRaw(kb, 0, src));
  });
  launches.push_back(finishLinear(kb, n, {x, lens, y}));
  return success();
}

//===----------------------------------------------------------------------===//
// Resize: per output element, each axis maps its coordinate back (in double, with the
// reference's operations in the reference's order) and combines edge-clamped taps,
// innermost axis first, exactly as the reference's axis-by-axis passes do.
//===----------------------------------------------------------------------===//

// The per-axis coordinate math is the reference's own (ResizeMath.h): the host uses it to
// find identity axes, and emitTaps below emits the same operations in the same order.
using ref::ResizeAxis;
using ref::ResizeConfig;
using ref::resizeSourceCoord;
using ref::resizeTaps;

/// Whether every output coordinate of the axis reads exactly its own input coordinate
/// with weight 1 (all other taps weigh 0), so the axis can pass through.
bool isIdentityAxis(const ResizeConfig &c, const ResizeAxis &a) {
  if (a.inSize != a.outSize)
    return false;
  SmallVector<int64_t> idx;
  SmallVector<double> w;
  for (int64_t xo = 0; xo < a.outSize; ++xo) {
    std::optional<double> src = resizeSourceCoord(c, a, xo);
    if (!src)
      return false;
    resizeTaps(c, a, *src, idx, w);
    double own = 0;
    for (size_t t = 0; t < idx.size(); ++t) {
      int64_t j = std::clamp(idx[t], int64_t(0), a.inSize - 1);
      if (std::isnan(w[t]))
        return false;
      if (j == xo)
        own += w[t];
      else if (w[t] != 0)
        return false;
    }
    if (own != 1.0)
      return false;
    if (c.mode != "nearest") {
      // The weighted sum must reduce to one product by 1.0: exactly one non-zero tap.
      int nonzero = 0;
      for (double v : w)
        nonzero += v != 0;
      if (nonzero != 1)
        return false;
    }
  }
  return true;
}

struct GpuTaps {
  SmallVector<Value> idx; // clamped, index
  SmallVector<Value> w;   // f64
  Value outside;          // i1 (tf_crop_and_resize), or null
};

/// Per-axis values the kernel needs: constants when known at compile time, else loaded.
struct AxisValues {
  Value scale, roiStart, roiEnd; // f64
};

GpuTaps emitTaps(KernelBuilder &kb, const ResizeConfig &c, const ResizeAxis &a, const AxisValues &av,
                 Value xoIndex) {
  OpBuilder &b = kb.b();
  Location loc = kb.loc();
  Type f64 = b.getF64Type();
  auto cst = [&](double v) { return kb.constFloat(f64, v); };
  auto fadd = [&](Value p, Value q) -> Value { return arith::AddFOp::create(b, loc, p, q); };
  auto fsub = [&](Value p, Value q) -> Value { return arith::SubFOp::create(b, loc, p, q); };
  auto fmul = [&](Value p, Value q) -> Value { return arith::MulFOp::create(b, loc, p, q); };
  auto fdiv = [&](Value p, Value q) -> Value { return arith::DivFOp::create(b, loc, p, q); };
  auto fcmp = [&](arith::CmpFPredicate pr, Value p, Value q) -> Value {
    return arith::CmpFOp::create(b, loc, pr, p, q);
  };
  GpuTaps taps;
  Value x = indexToF64(kb, xoIndex);
  double inW = static_cast<double>(a.inSize);
  Value scale = av.scale;
  Value outW = fmul(scale, cst(inW)); // the reference uses scale * in, not the integer size
  Value outIsOne = fcmp(arith::CmpFPredicate::OEQ, outW, cst(1));
  StringRef m = c.ctm;
  Value xo;
  if (m == "align_corners") {
    xo = kb.select(outIsOne, cst(0.0), fdiv(fmul(x, cst(inW - 1)), fsub(outW, cst(1))));
  } else if (m == "asymmetric") {
    xo = fdiv(x, scale);
  } else if (m == "tf_crop_and_resize") {
    Value span = fsub(av.roiEnd, av.roiStart);
    Value one = fdiv(fmul(span, cst(inW - 1)), cst(2));
    Value many = fdiv(fmul(fmul(x, span), cst(inW - 1)), fsub(outW, cst(1)));
    Value o = kb.select(outIsOne, one, many);
    o = fadd(o, fmul(av.roiStart, cst(inW - 1)));
    taps.outside = orI(kb, fcmp(arith::CmpFPredicate::OLT, o, cst(0)),
                       fcmp(arith::CmpFPredicate::OGT, o, cst(inW - 1)));
    xo = o;
  } else if (m == "pytorch_half_pixel") {
    xo = kb.select(outIsOne, cst(-0.5), fsub(fdiv(fadd(x, cst(0.5)), scale), cst(0.5)));
  } else if (m == "half_pixel_symmetric") {
    Value adjustment = fdiv(cst(static_cast<double>(a.outSize)), outW);
    Value center = cst(inW / 2);
    Value offset = fmul(center, fsub(cst(1), adjustment));
    xo = fsub(fadd(offset, fdiv(fadd(x, cst(0.5)), scale)), cst(0.5));
  } else if (m == "tf_half_pixel_for_nn") {
    xo = fdiv(fadd(x, cst(0.5)), scale);
  } else {
    xo = fsub(fdiv(fadd(x, cst(0.5)), scale), cst(0.5));
  }
  Value fl = math::FloorOp::create(b, loc, xo);
  Value left = kb.toIndex(arith::FPToSIOp::create(b, loc, b.getI64Type(), fl));
  Value ratio = fsub(xo, fl);
  Value zeroRatio = fcmp(arith::CmpFPredicate::OEQ, ratio, cst(0));
  ratio = kb.select(zeroRatio, cst(1), ratio);
  left = kb.select(zeroRatio, addC(kb, left, -1), left);
  SmallVector<Value> raw;
  if (c.mode == "nearest") {
    Value isOne = fcmp(arith::CmpFPredicate::OEQ, ratio, cst(1));
    Value right;
    if (c.nearestMode == "round_prefer_ceil")
      right = fcmp(arith::CmpFPredicate::OGE, ratio, cst(0.5));
    else if (c.nearestMode == "floor")
      right = kb.constBool(false);
    else if (c.nearestMode == "ceil")
      right = kb.constBool(true);
    else
      right = fcmp(arith::CmpFPredicate::OGT, ratio, cst(0.5));
    right = orI(kb, isOne, right);
    raw.push_back(kb.select(right, addC(kb, left, 1), left));
    taps.w.push_back(cst(1.0));
  } else if (c.mode == "linear") {
    raw = {left, addC(kb, left, 1)};
    taps.w = {fsub(cst(1), ratio), ratio};
  } else {
    double A = c.cubicA;
    Value r = ratio, s = fsub(cst(1), ratio);
    auto outer = [&](Value t) { // ((A*(t+1) - 5A)*(t+1) + 8A)*(t+1) - 4A
      Value t1 = fadd(t, cst(1));
      return fsub(fmul(fadd(fmul(fsub(fmul(cst(A), t1), cst(5 * A)), t1), cst(8 * A)), t1), cst(4 * A));
    };
    auto innerW = [&](Value t) { // ((A+2)*t - (A+3))*t*t + 1
      return fadd(fmul(fmul(fsub(fmul(cst(A + 2), t), cst(A + 3)), t), t), cst(1));
    };
    raw = {addC(kb, left, -1), left, addC(kb, left, 1), addC(kb, left, 2)};
    taps.w = {outer(r), innerW(r), innerW(s), outer(s)};
  }
  if (c.excludeOutside) {
    Value sum = cst(0);
    for (size_t t = 0; t < raw.size(); ++t) {
      Value out = orI(kb, slt(kb, raw[t], kb.idx(0)), sge(kb, raw[t], kb.idx(a.inSize)));
      taps.w[t] = kb.select(out, cst(0), taps.w[t]);
      sum = fadd(sum, taps.w[t]);
    }
    for (Value &v : taps.w)
      v = fdiv(v, sum);
  }
  for (Value r : raw)
    taps.idx.push_back(smin(kb, smax(kb, r, kb.idx(0)), kb.idx(a.inSize - 1)));
  return taps;
}

LogicalResult generateResize(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), y = op->getResult(0);
  Value roi = op->getOperand(1), scales = op->getOperand(2), sizes = op->getOperand(3);
  int64_t rank = rankOf(x);
  std::string error;
  std::optional<ResizeConfig> config = ref::readResizeConfig(op, error);
  if (!config)
    return op->emitOpError(error), failure();
  const ResizeConfig &c = *config;
  bool useSizes = !isAbsent(sizes) && numElements(sizes) > 0;
  SmallVector<double> roiVals;
  SmallVector<int64_t> sizeVals;
  std::optional<SmallVector<double>> scaleVals;
  bool runtimeScales = false, runtimeRoi = false;
  if (useSizes) {
    auto s = constInts(sizes);
    if (!s || static_cast<int64_t>(s->size()) != rank)
      return op->emitOpError("resize sizes must be a constant with one entry per axis"), failure();
    sizeVals = *s;
  } else {
    if (isAbsent(scales) || numElements(scales) != rank)
      return op->emitOpError("resize needs one scale or size per axis"), failure();
    DenseElementsAttr attr;
    if (matchPattern(scales, m_Constant(&attr))) {
      scaleVals.emplace();
      for (APFloat f : attr.getValues<APFloat>())
        scaleVals->push_back(static_cast<double>(static_cast<float>(toDouble(f))));
    } else {
      runtimeScales = true; // the result type fixes the sizes; the scales are read on the GPU
    }
  }
  if (c.ctm == "tf_crop_and_resize") {
    if (isAbsent(roi) || numElements(roi) != 2 * rank)
      return op->emitOpError("tf_crop_and_resize needs a roi of 2 * rank values"), failure();
    DenseElementsAttr attr;
    if (matchPattern(roi, m_Constant(&attr))) {
      for (APFloat f : attr.getValues<APFloat>())
        roiVals.push_back(toDouble(f));
    } else {
      runtimeRoi = true;
    }
  }
  SmallVector<ResizeAxis> axes(rank);
  SmallVector<bool> identity(rank, false);
  for (int64_t d = 0; d < rank; ++d) {
    ResizeAxis &a = axes[d];
    a.inSize = shapeOf(x)[d];
    a.outSize = shapeOf(y)[d];
    if (a.inSize == 0)
      return op->emitOpError("resize of an empty axis"), failure();
    if (runtimeScales)
      continue;
    int64_t expected;
    if (useSizes) {
      expected = sizeVals[d];
      a.scale = static_cast<double>(expected) / static_cast<double>(a.inSize);
    } else {
      a.scale = (*scaleVals)[d];
      expected = static_cast<int64_t>(std::floor(a.scale * static_cast<double>(a.inSize)));
    }
    if (expected != a.outSize)
      return op->emitOpError("resize axis ") << d << " does not match the result type", failure();
    if (c.ctm == "tf_crop_and_resize") {
      if (runtimeRoi)
        continue;
      a.roiStart = roiVals[d];
      a.roiEnd = roiVals[rank + d];
    }
    identity[d] = isIdentityAxis(c, a);
  }
  SmallVector<Value> buffers{x};
  int scalesParam = -1, roiParam = -1;
  if (runtimeScales) {
    scalesParam = buffers.size();
    buffers.push_back(scales);
  }
  if (runtimeRoi) {
    roiParam = buffers.size();
    buffers.push_back(roi);
  }
  unsigned outParam = buffers.size();
  buffers.push_back(y);
  Type elem = elemOf(x);
  if (elemOf(y) != elem)
    return op->emitOpError("resize result element type differs from the input"), failure();
  ArrayRef<int64_t> xshape = shapeOf(x), oshape = shapeOf(y);
  SmallVector<int64_t> xs = rowMajorStrides(xshape);
  int64_t n = numElements(y);
  KernelBuilder kb(km, "resize", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, n), [&] {
    OpBuilder &b = kb.b();
    Location loc = kb.loc();
    Type f64 = b.getF64Type();
    auto loadF64 = [&](int param, Value operand, int64_t at) -> Value {
      Type e = elemOf(operand);
      Value v = toCompute(kb, loadRaw(kb, param, kb.idx(at)), e);
      return v.getType().isF64() ? v : Value(arith::ExtFOp::create(b, loc, f64, v));
    };
    SmallVector<Value> coords = kb.delinearize(i, oshape);
    SmallVector<GpuTaps> taps(rank);
    for (int64_t d = 0; d < rank; ++d) {
      if (identity[d])
        continue;
      AxisValues av;
      if (runtimeScales) // the reference rounds each scale to float first
        av.scale = arith::ExtFOp::create(
            b, loc, f64, Value(arith::TruncFOp::create(b, loc, b.getF32Type(), loadF64(scalesParam, scales, d))));
      else
        av.scale = kb.constFloat(f64, axes[d].scale);
      if (runtimeRoi) {
        av.roiStart = loadF64(roiParam, roi, d);
        av.roiEnd = loadF64(roiParam, roi, rank + d);
      } else {
        av.roiStart = kb.constFloat(f64, axes[d].roiStart);
        av.roiEnd = kb.constFloat(f64, axes[d].roiEnd);
      }
      taps[d] = emitTaps(kb, c, axes[d], av, coords[d]);
    }
    TypedAttr extrapAttr = storageAttrFromDouble(elem, c.extrapolation);
    if (c.mode == "nearest") {
      // One tap of weight 1 per axis: a pure copy (the reference's double round trip is
      // exact), or the extrapolation value when an axis falls outside the crop.
      Value off = kb.idx(0);
      Value outside;
      for (int64_t d = 0; d < rank; ++d) {
        Value j = identity[d] ? coords[d] : taps[d].idx[0];
        off = kb.add(off, kb.mulC(j, xs[d]));
        if (!identity[d] && taps[d].outside)
          outside = outside ? orI(kb, outside, taps[d].outside) : taps[d].outside;
      }
      Value v = loadRaw(kb, 0, off);
      if (outside)
        v = kb.select(outside, constAttr(kb, extrapAttr), v);
      storeRaw(kb, outParam, i, v);
      return;
    }
    // Linear/cubic: nested sums in double, innermost axis inside.
    auto toF64 = [&](Value raw) -> Value {
      if (isa<FloatType>(elem)) {
        Value v = toCompute(kb, raw, elem);
        return v.getType().isF64() ? v : Value(arith::ExtFOp::create(b, loc, f64, v));
      }
      if (elem.isInteger(1))
        return arith::UIToFPOp::create(b, loc, f64, raw);
      if (elem.isUnsignedInteger())
        return arith::UIToFPOp::create(b, loc, f64, raw);
      return arith::SIToFPOp::create(b, loc, f64, raw);
    };
    SmallVector<Value> at(rank);
    std::function<Value(int64_t)> level = [&](int64_t d) -> Value {
      if (d == rank) {
        Value off = kb.linearize(at, xs);
        return toF64(loadRaw(kb, 0, off));
      }
      if (identity[d]) {
        at[d] = coords[d];
        return level(d + 1);
      }
      Value sum = kb.constFloat(f64, 0.0);
      for (size_t t = 0; t < taps[d].idx.size(); ++t) {
        at[d] = taps[d].idx[t];
        Value inner = level(d + 1);
        sum = arith::AddFOp::create(b, loc, sum, arith::MulFOp::create(b, loc, taps[d].w[t], inner));
      }
      if (taps[d].outside)
        sum = kb.select(taps[d].outside, kb.constFloat(f64, c.extrapolation), sum);
      return sum;
    };
    Value v = level(0);
    Value out;
    if (isa<FloatType>(elem)) {
      out = elem.isF64() ? v : Value(arith::TruncFOp::create(b, loc, elem, v));
    } else if (elem.isInteger(1)) {
      Value nz = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, kb.constFloat(f64, 0));
      out = arith::ExtUIOp::create(b, loc, b.getI8Type(), nz);
    } else {
      // Truncate toward zero with saturation (NVPTX's cvt.rzi saturates; NaN gives 0).
      Type st = storageType(elem);
      out = elem.isUnsignedInteger() ? Value(arith::FPToUIOp::create(b, loc, st, v))
                                     : Value(arith::FPToSIOp::create(b, loc, st, v));
    }
    storeRaw(kb, outParam, i, out);
  });
  launches.push_back(finishLinear(kb, n, buffers));
  return success();
}

} // namespace

void registerDataMovementGenerators(GeneratorTable &table) {
  table["kiln.shape"] = generateShape;
  table["kiln.size"] = generateSize;
  table["kiln.flatten"] = generateCopy;
  table["kiln.squeeze"] = generateCopy;
  table["kiln.unsqueeze"] = generateCopy;
  table["kiln.transpose"] = generateTranspose;
  table["kiln.concat"] = generateConcat;
  table["kiln.split"] = generateSplit;
  table["kiln.slice"] = generateSlice;
  table["kiln.gather"] = generateGather;
  table["kiln.gather_elements"] = generateGatherElements;
  table["kiln.gather_nd"] = generateGatherND;
  table["kiln.scatter_nd"] = generateScatterND;
  table["kiln.scatter_elements"] = generateScatterElements;
  table["kiln.expand"] = generateExpand;
  table["kiln.tile"] = generateTile;
  table["kiln.pad"] = generatePad;
  table["kiln.constant_of_shape"] = generateConstantOfShape;
  table["kiln.range"] = generateRange;
  table["kiln.depth_to_space"] = generateDepthToSpace;
  table["kiln.space_to_depth"] = generateSpaceToDepth;
  table["kiln.trilu"] = generateTrilu;
  table["kiln.one_hot"] = generateOneHot;
  table["kiln.eye_like"] = generateEyeLike;
  table["kiln.reverse_sequence"] = generateReverseSequence;
  table["kiln.resize"] = generateResize;
}

} // namespace kiln::codegen
