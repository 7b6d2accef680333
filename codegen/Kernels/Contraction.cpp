// Contraction kernels: MatMul, Gemm and Conv on the tiled GEMM of Gemm.h (Conv as an
// implicit GEMM that gathers input patches while staging tiles); depthwise 2-D Conv
// with unit column stride from input bands staged in shared memory; other depthwise
// Conv and ConvTranspose as direct kernels with one thread per output element.
#include "codegen/Kernels/ElementwiseProgram.h"
#include "codegen/Kernels/IndexMaps.h"
#include "codegen/Kernels/Gemm.h"
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"
#include "codegen/Kernels/Window.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/MathExtras.h"

#include <cassert>

using namespace mlir;

namespace kiln::codegen {
namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

Value cmpI(KernelBuilder &kb, arith::CmpIPredicate p, Value a, Value b) {
  return arith::CmpIOp::create(kb.b(), kb.loc(), p, a, b);
}

/// Loads element `offset` of parameter `param` (a tensor of element type `elem`) in its
/// compute type.
Value loadC(KernelBuilder &kb, unsigned param, Value offset, Type elem) {
  return toCompute(kb, kb.load(param, offset), elem);
}
/// Like loadC, but yields zero where `inside` is false (reading element 0 instead of an
/// address outside the tensor); `inside` null means always inside.
Value loadOrZero(KernelBuilder &kb, unsigned param, Value inside, Value offset, Type elem) {
  if (!inside)
    return loadC(kb, param, offset, elem);
  Value safe = kb.select(inside, offset, kb.idx(0));
  Value v = loadC(kb, param, safe, elem);
  return kb.select(inside, v, kb.constOf(computeType(elem), 0));
}

/// Where a kernel's result goes: its buffer, or a fused epilogue (which binds its own
/// buffers after the kernel's operands and stores the region's outputs).
struct Sink {
  ElementwiseProgram *epilogue = nullptr;
  unsigned param = 0; // the result's parameter, without an epilogue
  Type elem;
  mutable LogicalResult status = success();

  /// Appends the result (or the epilogue's buffers) to `buffers`.
  void bind(SmallVectorImpl<Value> &buffers, Value result) {
    elem = elemOf(result);
    if (epilogue)
      return epilogue->bind(buffers);
    buffers.push_back(result);
    param = buffers.size() - 1;
  }
  /// Stores `values` (the result's elements, storage-ready) at elements offset,
  /// offset + 1...: one, or a vector run from a multiple of its length.
  void store(KernelBuilder &kb, Value offset, ArrayRef<Value> values) const {
    if (!epilogue) {
      if (values.size() == 1)
        return kb.store(param, offset, values[0]);
      unsigned bytes = (values[0].getType().getIntOrFloatBitWidth() + 7) / 8;
      return kb.storeConsecutive(kb.param(param), offset, values, values.size() * bytes);
    }
    SmallVector<Value> seeds;
    for (Value v : values)
      seeds.push_back(toCompute(kb, v, elem));
    if (failed(epilogue->emitRun(kb, offset, seeds)))
      status = failure();
  }
  std::string name(StringRef base) const { return (base + (epilogue ? epilogue->nameSuffix() : "")).str(); }
  void routeGemm(GemmSpec &s) const {
    s.out = param;
    if (epilogue)
      s.storeOut = [this](KernelBuilder &kb, Value offset, ArrayRef<Value> values) { store(kb, offset, values); };
  }
};

bool supportedElement(Type t) {
  if (t.isInteger(1))
    return false;
  return isa<FloatType>(t) || isa<IntegerType>(t);
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

LogicalResult generateMatMul(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches, Sink sink) {
  Value a = op->getOperand(0), b = op->getOperand(1), y = op->getResult(0);
  Type elem = elemOf(y);
  if (!supportedElement(elem) || elemOf(a) != elem || elemOf(b) != elem)
    return op->emitOpError("matmul kernel supports numeric (non-bool) operands of the result type"),
           failure();
  ArrayRef<int64_t> as = shapeOf(a), bsh = shapeOf(b);
  if (as.empty() || bsh.empty())
    return op->emitOpError("matmul of a scalar"), failure();
  std::string error;
  std::optional<ref::util::MatMulGeometry> g = ref::util::matmulGeometry(as, bsh, error);
  if (!g)
    return op->emitOpError(error), failure();
  int64_t m = g->m, k = g->k, n = g->n, batches = g->batches;
  ArrayRef<int64_t> batch = g->batch, aStride = g->aStride, bStride = g->bStride;
  if (batches * m * n != numElements(y))
    return op->emitOpError("matmul result size does not match its operands"), failure();

  GemmSpec s;
  s.acc = computeType(elem);
  s.K = k;
  s.N = n;
  // A batched operand times a shared B is one tall GEMM: rows of every batch are adjacent.
  bool fold = g->aBatches == batches && g->bBatches == 1;
  s.batch = fold ? 1 : batches;
  s.M = fold ? batches * m : m;
  // Operands computed in the region by Transpose/Slice/views/scalar ops are read through them.
  FailureOr<OperandChain> ca = resolveOperandChain(a), cb = resolveOperandChain(b);
  if (failed(ca) || failed(cb))
    return failure();
  s.aKContig = ca->identityIndex();
  s.bNContig = n > 1 && cb->identityIndex();
  s.aStageCost = ca->cost();
  s.bStageCost = cb->cost();

  auto base = [&](KernelBuilder &kb, Value bi, ArrayRef<int64_t> strides, int64_t matrix) -> Value {
    if (fold || batches == 1)
      return kb.idx(0);
    return kb.mulC(kb.linearize(kb.delinearize(bi, batch), strides), matrix);
  };
  s.loadA = [&](KernelBuilder &kb, Value bi, Value row, Value kk) {
    Value off = kb.add(base(kb, bi, aStride, m * k), kb.add(kb.mulC(row, k), kk));
    return loadThrough(kb, *ca, 0, off, elem);
  };
  s.loadB = [&](KernelBuilder &kb, Value bi, Value k0, Value kIn, Value col) {
    Value off = kb.add(base(kb, bi, bStride, k * n), kb.add(kb.mulC(kb.add(k0, kIn), n), col));
    return loadThrough(kb, *cb, 1, off, elem);
  };
  SmallVector<Value> buffers = {ca->source, cb->source};
  sink.bind(buffers, y);
  sink.routeGemm(s);
  s.outOffset = [&](KernelBuilder &kb, Value bi, Value row, Value col) {
    Value r = s.batch == 1 ? row : kb.add(kb.mulC(bi, m), row);
    return kb.add(kb.mulC(r, n), col);
  };
  s.finish = [&](KernelBuilder &kb, Value, Value, Value, Value acc) { return fromCompute(kb, acc, elem); };
  s.quadColumns = n % 4 == 0;
  if (failed(emitGemm(op, km, sink.name("matmul"), buffers, s, launches)))
    return failure();
  return sink.status;
}

//===----------------------------------------------------------------------===//
// Gemm
//===----------------------------------------------------------------------===//

LogicalResult generateGemm(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches, Sink sink) {
  Value a = op->getOperand(0), b = op->getOperand(1), cv = op->getOperand(2), y = op->getResult(0);
  bool hasC = !isAbsent(cv);
  Type elem = elemOf(y);
  if (!supportedElement(elem) || elemOf(a) != elem || elemOf(b) != elem ||
      (hasC && elemOf(cv) != elem))
    return op->emitOpError("gemm kernel supports numeric (non-bool) operands of the result type"),
           failure();
  bool ta = intAttr(op, "transA", 0) != 0, tb = intAttr(op, "transB", 0) != 0;
  double alpha = floatAttr(op, "alpha", 1.0), beta = floatAttr(op, "beta", 1.0);
  ArrayRef<int64_t> as = shapeOf(a), bsh = shapeOf(b);
  if (as.size() != 2 || bsh.size() != 2)
    return op->emitOpError("gemm operands must be matrices"), failure();
  int64_t m = ta ? as[1] : as[0], k = ta ? as[0] : as[1];
  int64_t kb2 = tb ? bsh[1] : bsh[0], n = tb ? bsh[0] : bsh[1];
  if (k != kb2 || numElements(y) != m * n)
    return op->emitOpError("gemm operand shapes do not match"), failure();
  int64_t cRow = 0, cCol = 0;
  if (hasC) {
    ArrayRef<int64_t> cs = shapeOf(cv);
    if (cs.size() > 2)
      return op->emitOpError("gemm C has rank above 2"), failure();
    int64_t cr = cs.size() == 2 ? cs[0] : 1, cc = cs.empty() ? 1 : cs.back();
    if ((cr != 1 && cr != m) || (cc != 1 && cc != n))
      return op->emitOpError("gemm C does not broadcast to the result"), failure();
    cCol = cc == 1 ? 0 : 1;
    cRow = cr == 1 ? 0 : cc;
  }
  Type acc = computeType(elem);
  bool isFloat = isa<FloatType>(acc);
  if (!isFloat && (alpha != 1.0 || (hasC && beta != 1.0)))
    return op->emitOpError("integer gemm with alpha or beta other than 1 is not supported"), failure();

  FailureOr<OperandChain> ca = resolveOperandChain(a), cb = resolveOperandChain(b);
  if (failed(ca) || failed(cb))
    return failure();
  SmallVector<Value> buffers = {ca->source, cb->source};
  if (hasC)
    buffers.push_back(cv);
  sink.bind(buffers, y);

  GemmSpec s;
  s.acc = acc;
  s.M = m;
  s.N = n;
  s.K = k;
  s.aKContig = (!ta || m == 1) && ca->identityIndex();
  s.bNContig = !tb && n > 1 && cb->identityIndex();
  s.aStageCost = ca->cost();
  s.bStageCost = cb->cost();
  s.loadA = [&](KernelBuilder &kb, Value, Value row, Value kk) {
    Value off = ta ? kb.add(kb.mulC(kk, m), row) : kb.add(kb.mulC(row, k), kk);
    return loadThrough(kb, *ca, 0, off, elem);
  };
  s.loadB = [&](KernelBuilder &kb, Value, Value k0, Value kIn, Value col) {
    Value kk = kb.add(k0, kIn);
    Value off = tb ? kb.add(kb.mulC(col, k), kk) : kb.add(kb.mulC(kk, n), col);
    return loadThrough(kb, *cb, 1, off, elem);
  };
  sink.routeGemm(s);
  s.outOffset = [&](KernelBuilder &kb, Value, Value row, Value col) { return kb.add(kb.mulC(row, n), col); };
  s.finish = [&](KernelBuilder &kb, Value, Value row, Value col, Value v) {
    if (alpha != 1.0)
      v = mulS(kb, v, kb.constFloat(acc, alpha));
    if (hasC) {
      Value c = loadC(kb, 2, kb.add(kb.mulC(row, cRow), kb.mulC(col, cCol)), elem);
      if (beta != 1.0)
        c = mulS(kb, c, kb.constFloat(acc, beta));
      v = addS(kb, v, c);
    }
    return fromCompute(kb, v, elem);
  };
  s.quadColumns = n % 4 == 0;
  if (failed(emitGemm(op, km, sink.name("gemm"), buffers, s, launches)))
    return failure();
  return sink.status;
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

/// acc plus the sum over `cg` input channels (a loop unless there is one) of a per-channel
/// term, `channel(ci, acc)`.
Value sumChannels(KernelBuilder &kb, int64_t cg, Value acc,
                  llvm::function_ref<Value(Value ci, Value acc)> channel) {
  if (cg == 1)
    return channel(kb.idx(0), acc);
  return kb.forLoopCarry(kb.idx(0), kb.idx(cg), kb.idx(1), ValueRange{acc},
                         [&](Value ci, ValueRange a) -> SmallVector<Value> {
                           return {channel(ci, a[0])};
                         })[0];
}

/// acc plus x[xBase + offset] * w[wBase + kk] over every kernel position kk of the window,
/// where `tap(kd, kConst)` gives the position's (inside, input spatial offset); a tap
/// outside the input reads 0.
Value sumWindowProducts(
    KernelBuilder &kb, const Window &w, Type elem, Value acc, Value xBase, Value wBase,
    llvm::function_ref<std::pair<Value, Value>(ArrayRef<Value> kd, ArrayRef<int64_t> kConst)> tap) {
  return forEachKernelPosition(kb, w, {acc},
                               [&](Value kk, ArrayRef<Value> kd, ArrayRef<int64_t> kConst,
                                   ValueRange a) -> SmallVector<Value> {
                                 auto [inside, off] = tap(kd, kConst);
                                 Value xv = loadOrZero(kb, 0, inside, kb.add(xBase, off), elem);
                                 Value wv = loadC(kb, 1, kb.add(wBase, kk), elem);
                                 return {madd(kb, a[0], xv, wv)};
                               })[0];
}

/// Depthwise 2-D Conv (one input and one output channel per group) with unit column
/// stride. A block takes `planes` consecutive (image, channel) planes and a band of
/// output rows, stages the input rows the band reads into shared memory with coalesced
/// reads (zeros where the window leaves the image, so the taps need no bounds checks),
/// then each thread computes runs of adjacent outputs from there, the plane's taps in
/// registers. The direct kernel reads every tap from global memory with its own bounds
/// checks instead: 120 to 130 PTX instructions and 7 trips through the cache per output
/// of mobilenet_v2's stride-1 layers, as the emulator counts them. With a column stride
/// of 2 staging takes 4 input words per output: a version with de-interleaved columns
/// moved fewer bytes but issued up to twice the direct kernel's instructions on 14x14
/// and 7x7 planes. So this returns false, emitting nothing, for column strides other
/// than 1, and when a band of one row does not fit the shared memory it allows itself.
bool emitDepthwiseConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches, const Window &w,
                       Value x, Value wt, Value bias, Value y, const Sink &sink) {
  Type elem = elemOf(y), acc = computeType(elem);
  int64_t total = shapeOf(x)[0] * shapeOf(x)[1], channels = shapeOf(x)[1];
  int64_t H = w.in[0], W = w.in[1], OH = w.out[0], OW = w.out[1], KH = w.kernel[0], KW = w.kernel[1];
  int64_t sy = w.strides[0], sx = w.strides[1], dy = w.dilations[0], dx = w.dilations[1];
  int64_t py = w.padBegin[0], px = w.padBegin[1];
  if (sx != 1)
    return false;
  // The shared band: every input column a row of outputs reads (padding included) and
  // the rows `band` output rows read.
  int64_t sw = OW + (KW - 1) * dx;
  auto rowsOf = [&](int64_t band) { return (band - 1) * sy + (KH - 1) * dy + 1; };
  constexpr int64_t kThreads = 256, kOutputsPerBlock = 1024, kMaxShared = 32 * 1024;
  const int64_t bytes = acc.getIntOrFloatBitWidth() / 8;
  int64_t band = OH, planes = 1;
  if (OH * OW >= kOutputsPerBlock)
    band = std::min(OH, (kOutputsPerBlock + OW - 1) / OW);
  else
    planes = std::min<int64_t>({total, std::max<int64_t>(1, kOutputsPerBlock / (OH * OW)), 32});
  // One spare row at the end: a run of outputs past a row's end reads on into it.
  auto sharedBytes = [&] { return (planes * rowsOf(band) + 1) * sw * bytes; };
  while (sharedBytes() > kMaxShared && (planes > 1 || band > 1)) {
    if (planes > 1)
      planes = (planes + 1) / 2;
    else
      band = (band + 1) / 2;
  }
  if (sharedBytes() > kMaxShared)
    return false;
  const int64_t rows = rowsOf(band), planeTile = rows * sw, bands = (OH + band - 1) / band;
  const int64_t groupsOfPlanes = (total + planes - 1) / planes;

  SmallVector<Value> buffers = {x, wt};
  if (bias)
    buffers.push_back(bias);
  Sink out = sink;
  out.bind(buffers, y);
  KernelBuilder kb(km, out.name("conv_depthwise"), buffers, op->getLoc());
  Value tile = kb.sharedBuffer(acc, planes * planeTile + sw);
  Value t = kb.threadId(gpu::Dimension::x), bid = kb.blockId(gpu::Dimension::x);
  Value bandIndex = kb.remC(bid, bands), firstPlane = kb.mulC(kb.divC(bid, bands), planes);
  Value oy0 = kb.mulC(bandIndex, band);
  // Staging: the threads walk the band's rows `perPass` at a time, each row's columns
  // `lanes` at a time (consecutive threads, consecutive columns: coalesced). Positions
  // are kept non-negative (tile position = input position + pad), so unsigned bounds
  // suffice. `lanes` must divide the block: with 192 lanes (a 162-wide band) threads
  // 192..255 started on row 1 while threads 0..63 reached it too, two threads
  // storing one word between barriers (the race PP-OCRv4's 160x160 planes hit).
  const int64_t lanes = std::min<int64_t>(kThreads, llvm::PowerOf2Ceil(std::max<int64_t>(sw, 32)));
  const int64_t perPass = kThreads / lanes;
  assert(perPass * lanes == kThreads && "staging rows must partition the block's threads");
  Value lane = kb.remC(t, lanes);
  kb.forLoop(kb.divC(t, lanes), kb.idx(planes * rows), kb.idx(perPass), [&](Value pr) {
    Value p = kb.divC(pr, rows), r = kb.remC(pr, rows);
    Value plane = kb.add(firstPlane, p);
    Value ty = kb.add(kb.mulC(oy0, sy), r); // input row + py
    Value rowInside = kb.ltC(plane, total);
    if (py > 0)
      rowInside = andI(kb, rowInside, cmpI(kb, arith::CmpIPredicate::uge, ty, kb.idx(py)));
    rowInside = andI(kb, rowInside, kb.ltC(ty, H + py));
    Value rowOff = kb.add(kb.mulC(plane, H * W), kb.mulC(kb.sub(ty, kb.idx(py)), W));
    Value tileRow = kb.add(kb.mulC(p, planeTile), kb.mulC(r, sw));
    kb.forLoop(lane, kb.idx(sw), kb.idx(lanes), [&](Value col) {
      Value inside = rowInside;
      if (px > 0)
        inside = andI(kb, inside, cmpI(kb, arith::CmpIPredicate::uge, col, kb.idx(px)));
      if (sw - px > W)
        inside = andI(kb, inside, kb.ltC(col, W + px));
      Value v = loadOrZero(kb, 0, inside, kb.sub(kb.add(rowOff, col), kb.idx(px)), elem);
      kb.storeTo(tile, kb.add(tileRow, col), v);
    });
  });
  kb.barrier();
  // Compute: each thread takes runs of `run` adjacent outputs of a row (of any of the
  // block's planes: small planes would leave most threads idle one plane at a time),
  // loading each tile word the run's windows share once (6 words per tile row for 4
  // outputs of a 3-wide window, against 12). A run past the row's end reads words of
  // the next row or of the spare row at the end, and does not store them.
  const int64_t run = std::min<int64_t>(4, OW), runsPerRow = (OW + run - 1) / run;
  const int64_t perPlane = band * runsPerRow;
  const bool vectorStore = run == 4 && OW % 4 == 0 && acc == elem;
  kb.forLoop(t, kb.idx(planes * perPlane), kb.idx(kThreads), [&](Value item) {
    Value p = kb.divC(item, perPlane), inPlane = kb.remC(item, perPlane);
    Value plane = kb.add(firstPlane, p);
    Value ly = kb.divC(inPlane, runsPerRow), ox0 = kb.mulC(kb.remC(inPlane, runsPerRow), run);
    Value oy = kb.add(oy0, ly);
    kb.ifThen(andI(kb, kb.ltC(plane, total), kb.ltC(oy, OH)), [&] {
      Value m = kb.remC(plane, channels);
      Value base = kb.add(kb.mulC(p, planeTile), kb.add(kb.mulC(ly, sy * sw), ox0));
      SmallVector<Value> sums(run, kb.constOf(acc, 0));
      for (int64_t ky = 0; ky < KH; ++ky) {
        SmallVector<Value> words; // ox0 + j of this tile row
        for (int64_t j = 0; j < run + (KW - 1) * dx; ++j)
          words.push_back(kb.loadFrom(tile, kb.add(base, kb.idx(ky * dy * sw + j))));
        for (int64_t kx = 0; kx < KW; ++kx) {
          Value tap = loadC(kb, 1, kb.add(kb.mulC(m, KH * KW), kb.idx(ky * KW + kx)), elem);
          for (int64_t v = 0; v < run; ++v)
            sums[v] = madd(kb, sums[v], words[v + kx * dx], tap);
        }
      }
      Value b = bias ? loadC(kb, 2, m, elem) : Value();
      Value at = kb.add(kb.mulC(plane, OH * OW), kb.add(kb.mulC(oy, OW), ox0));
      SmallVector<Value> results;
      for (Value sum : sums)
        results.push_back(fromCompute(kb, b ? addS(kb, sum, b) : sum, elem));
      if (vectorStore) {
        out.store(kb, at, results);
        return;
      }
      for (int64_t v = 0; v < run; ++v) {
        auto store = [&] { out.store(kb, kb.add(at, kb.idx(v)), results[v]); };
        if (OW % run != 0)
          kb.ifThen(kb.ltC(kb.add(ox0, kb.idx(v)), OW), store);
        else
          store();
      }
    });
  });
  kb.finish({static_cast<uint32_t>(kThreads), 1, 1});
  Launch l;
  l.kernel = kb.name().str();
  l.grid = {static_cast<uint32_t>(groupsOfPlanes * bands), 1, 1};
  l.block = {static_cast<uint32_t>(kThreads), 1, 1};
  l.buffers = buffers;
  launches.push_back(std::move(l));
  sink.status = out.status;
  return true;
}

/// Direct Conv: one thread per output element, looping over the input channels of its
/// group and the kernel taps. Used for depthwise convolutions, whose per-output work is
/// one kernel window.
LogicalResult emitDirectConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                             const Window &w, int64_t groups, Value x, Value wt, Value bias, Value y, Sink sink) {
  Type elem = elemOf(y);
  Type acc = computeType(elem);
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t nb = xs[0], c = xs[1], mo = ys[1], cg = c / groups, mg = mo / groups;
  int64_t isp = product(w.in), osp = product(w.out), ksp = product(w.kernel);
  SmallVector<Value> buffers = {x, wt};
  if (bias)
    buffers.push_back(bias);
  sink.bind(buffers, y);
  int64_t total = numElements(y);
  constexpr uint32_t kBlock = 256;
  KernelBuilder kb(km, sink.name("conv_direct"), buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    SmallVector<Value> co = kb.delinearize(i, {nb, mo, osp});
    Value n = co[0], m = co[1], o = co[2];
    SmallVector<Value> od = kb.delinearize(o, w.out);
    Value g = kb.divC(m, mg);
    auto channel = [&](Value ci, Value accIn) -> Value {
      Value xBase = kb.mulC(kb.add(kb.mulC(n, c), kb.add(kb.mulC(g, cg), ci)), isp);
      Value wBase = kb.mulC(kb.add(kb.mulC(m, cg), ci), ksp);
      return sumWindowProducts(kb, w, elem, accIn, xBase, wBase,
                               [&](ArrayRef<Value> kd, ArrayRef<int64_t> kConst) {
                                 return convTap(kb, w, od, kd, kConst);
                               });
    };
    Value sum = sumChannels(kb, cg, kb.constOf(acc, 0), channel);
    if (bias)
      sum = addS(kb, sum, loadC(kb, 2, m, elem));
    sink.store(kb, i, fromCompute(kb, sum, elem));
  });
  finishLinear(kb, buffers, total, launches);
  return sink.status;
}

/// Implicit-GEMM Conv, per group: Y[n, g*Mg + m, o] = sum_k W[g*Mg + m, k] * P[k, (n, o)]
/// where P is the input patch matrix (k = (ci, kernel position)), gathered on the fly.
/// Columns run over output positions, so stores and (for unit strides) patch reads are
/// adjacent across threads.
LogicalResult emitGemmConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                           const Window &w, int64_t groups, Value x, Value wt, Value bias, Value y, Sink sink) {
  Type elem = elemOf(y);
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t nb = xs[0], c = xs[1], mo = ys[1], cg = c / groups, mg = mo / groups;
  int64_t isp = product(w.in), osp = product(w.out), ksp = product(w.kernel);
  bool pointwise = isp == osp && llvm::all_of(w.kernel, [](int64_t v) { return v == 1; }) &&
                   llvm::all_of(w.strides, [](int64_t v) { return v == 1; }) &&
                   llvm::all_of(w.padBegin, [](int64_t v) { return v == 0; });
  SmallVector<Value> buffers = {x, wt};
  if (bias)
    buffers.push_back(bias);
  sink.bind(buffers, y);

  GemmSpec s;
  s.acc = computeType(elem);
  s.batch = groups;
  s.M = mg;
  s.N = nb * osp;
  s.K = cg * ksp;
  s.aKContig = true;
  s.bNContig = true;
  // K order. Natural (the weights' own): k = ci * taps + tap, so every staged element
  // works out its tap's coordinates and bounds. Channels innermost, when the weights are
  // a constant the plan can store as [M][taps][Cg] and Cg is a multiple of 16 (of any
  // k tile's depth): k = tap * Cg + ci, a k tile holds one tap, and the tap's
  // coordinates and bounds are worked out once per tile and column
  // (GemmSpec::kGroup), leaving each element an add and a load.
  const bool channelsInner = !pointwise && cg % 16 == 0 && matchPattern(wt, m_Constant());
  // Fitted to the emulator's instruction counts: a 1x1 patch is a load at a computed
  // offset, a padded window adds tap coordinates and bounds.
  s.bStageCost = pointwise ? 6 : channelsInner ? 10 : 28;
  s.kGroup = channelsInner ? cg : 1;
  s.loadA = [&](KernelBuilder &kb, Value g, Value row, Value kk) {
    Value off = kb.add(kb.mulC(kb.add(kb.mulC(g, mg), row), s.K), kk);
    return loadC(kb, 1, off, elem);
  };
  s.loadB = [&](KernelBuilder &kb, Value g, Value k0, Value kIn, Value col) {
    Value n = kb.divC(col, osp), o = kb.remC(col, osp);
    Value tap, ci;
    if (channelsInner) {
      tap = kb.divC(k0, cg);
      ci = kb.add(kb.remC(k0, cg), kIn);
    } else {
      Value kk = kb.add(k0, kIn);
      tap = kb.remC(kk, ksp);
      ci = kb.divC(kk, ksp);
    }
    Value chan = kb.add(kb.mulC(n, c), kb.add(kb.mulC(g, cg), ci));
    Value base = kb.mulC(chan, isp);
    if (pointwise)
      return loadC(kb, 0, kb.add(base, o), elem);
    SmallVector<Value> od = kb.delinearize(o, w.out);
    SmallVector<Value> kd = kb.delinearize(tap, w.kernel);
    auto [inside, off] = convTap(kb, w, od, kd, {});
    return loadOrZero(kb, 0, inside, kb.add(base, off), elem);
  };
  sink.routeGemm(s);
  s.outOffset = [&](KernelBuilder &kb, Value g, Value row, Value col) {
    Value m = kb.add(kb.mulC(g, mg), row);
    Value n = kb.divC(col, osp), o = kb.remC(col, osp);
    return kb.add(kb.mulC(kb.add(kb.mulC(n, mo), m), osp), o);
  };
  s.finish = [&](KernelBuilder &kb, Value g, Value row, Value, Value v) {
    if (bias)
      v = addS(kb, v, loadC(kb, 2, kb.add(kb.mulC(g, mg), row), elem));
    return fromCompute(kb, v, elem);
  };
  s.quadColumns = osp % 4 == 0; // a run of 4 columns stays in one image
  size_t first = launches.size();
  if (failed(emitGemm(op, km, sink.name("conv"), buffers, s, launches)) || failed(sink.status))
    return failure();
  if (channelsInner) {
    // The tiled kernel reads the weights as [M][kernel positions][Cg].
    SmallVector<int64_t> perm{0};
    for (size_t d = 0; d < w.rank(); ++d)
      perm.push_back(static_cast<int64_t>(d) + 2);
    perm.push_back(1);
    for (size_t i = first; i < launches.size(); ++i)
      launches[i].relayouts.push_back({1, perm});
  }
  return success();
}

LogicalResult generateConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches, Sink sink) {
  Value x = op->getOperand(0), wt = op->getOperand(1), b = op->getOperand(2), y = op->getResult(0);
  Value bias = isAbsent(b) ? Value() : b;
  Type elem = elemOf(y);
  if (!isa<FloatType>(elem) || elemOf(x) != elem || elemOf(wt) != elem || (bias && elemOf(bias) != elem))
    return op->emitOpError("conv kernel supports float operands of the result type"), failure();
  ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(wt), ys = shapeOf(y);
  if (xs.size() < 3 || ws.size() != xs.size() || ys.size() != xs.size())
    return op->emitOpError("conv needs N x C x D1.. operands of equal rank"), failure();
  size_t r = xs.size() - 2;
  Window w = convWindow(op, x, wt, y);
  for (size_t d = 0; d < r; ++d)
    if (w.padBegin[d] < 0 || w.strides[d] <= 0 || w.dilations[d] <= 0)
      return op->emitOpError("conv with negative pads or non-positive strides/dilations"), failure();
  int64_t groups = intAttr(op, "group", 1);
  int64_t c = xs[1], m = ws[0], cg = ws[1];
  if (groups <= 0 || c != cg * groups || m % groups != 0 || ys[1] != m || ys[0] != xs[0] ||
      (bias && numElements(bias) != m))
    return op->emitOpError("conv channels do not match group ") << groups, failure();
  if (cg == 1 && m == c && r == 2 && product(w.kernel) <= kUnrollTaps &&
      emitDepthwiseConv(op, km, launches, w, x, wt, bias, y, sink))
    return sink.status;
  if (cg == 1)
    return emitDirectConv(op, km, launches, w, groups, x, wt, bias, y, sink);
  return emitGemmConv(op, km, launches, w, groups, x, wt, bias, y, sink);
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

/// ConvTranspose as a gather: output position o receives input position i along a
/// dimension where i * stride - padBegin + k * dilation == o.
LogicalResult generateConvTranspose(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), wt = op->getOperand(1), b = op->getOperand(2), y = op->getResult(0);
  Value bias = isAbsent(b) ? Value() : b;
  Type elem = elemOf(y);
  if (!isa<FloatType>(elem) || elemOf(x) != elem || elemOf(wt) != elem || (bias && elemOf(bias) != elem))
    return op->emitOpError("conv_transpose kernel supports float operands of the result type"), failure();
  ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(wt), ys = shapeOf(y);
  if (xs.size() < 3 || ws.size() != xs.size() || ys.size() != xs.size())
    return op->emitOpError("conv_transpose needs N x C x D1.. operands of equal rank"), failure();
  size_t r = xs.size() - 2;
  Window w;
  w.in.assign(xs.begin() + 2, xs.end());
  w.out.assign(ys.begin() + 2, ys.end());
  w.kernel.assign(ws.begin() + 2, ws.end());
  w.strides = arrayAttrOr(op, "strides", r, 1);
  w.dilations = arrayAttrOr(op, "dilations", r, 1);
  int64_t groups = intAttr(op, "group", 1);
  int64_t nb = xs[0], c = xs[1], mg = ws[1], mo = mg * groups;
  if (groups <= 0 || ws[0] != c || c % groups != 0 || ys[1] != mo || ys[0] != nb ||
      (bias && numElements(bias) != mo))
    return op->emitOpError("conv_transpose channels do not match group ") << groups, failure();
  for (size_t d = 0; d < r; ++d)
    if (w.strides[d] <= 0 || w.dilations[d] <= 0)
      return op->emitOpError("conv_transpose with non-positive strides or dilations"), failure();
  int64_t cg = c / groups;
  w.padBegin = ref::util::convTransposePadBegin(op, w.in, w.kernel, w.strides, w.dilations, w.out);
  int64_t isp = product(w.in), osp = product(w.out), ksp = product(w.kernel);
  SmallVector<int64_t> inStr = rowMajorStrides(w.in);
  Type acc = computeType(elem);

  SmallVector<Value> buffers = {x, wt};
  if (bias)
    buffers.push_back(bias);
  buffers.push_back(y);
  unsigned yParam = buffers.size() - 1;
  int64_t total = numElements(y);
  constexpr uint32_t kBlock = 256;
  KernelBuilder kb(km, "conv_transpose", buffers, op->getLoc());
  auto scmp = [&](arith::CmpIPredicate p, Value a, Value bv) { return cmpI(kb, p, a, bv); };
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    SmallVector<Value> co = kb.delinearize(i, {nb, mo, osp});
    Value n = co[0], m = co[1], o = co[2];
    SmallVector<Value> od = kb.delinearize(o, w.out);
    Value g = kb.divC(m, mg), mm = kb.remC(m, mg);
    // (inside, input spatial offset) of kernel position kd; signed arithmetic since
    // o + padBegin - k * dilation may be negative.
    auto tap = [&](ArrayRef<Value> kd, ArrayRef<int64_t> kConst) -> std::pair<Value, Value> {
      Value inside, offset;
      for (size_t d = 0; d < r; ++d) {
        Value tpos = kb.sub(kb.add(od[d], kb.idx(w.padBegin[d])), kb.mulC(kd[d], w.dilations[d]));
        bool nonNeg = !kConst.empty() && w.padBegin[d] - kConst[d] * w.dilations[d] >= 0;
        if (!nonNeg)
          inside = andI(kb, inside, scmp(arith::CmpIPredicate::sge, tpos, kb.idx(0)));
        Value coord = tpos;
        if (w.strides[d] > 1) {
          Value st = kb.idx(w.strides[d]);
          Value rem = arith::RemSIOp::create(kb.b(), kb.loc(), tpos, st);
          inside = andI(kb, inside, scmp(arith::CmpIPredicate::eq, rem, kb.idx(0)));
          coord = arith::DivSIOp::create(kb.b(), kb.loc(), tpos, st);
        }
        inside = andI(kb, inside, scmp(arith::CmpIPredicate::slt, coord, kb.idx(w.in[d])));
        Value term = kb.mulC(coord, inStr[d]);
        offset = offset ? kb.add(offset, term) : term;
      }
      return {inside, offset ? offset : kb.idx(0)};
    };
    auto channel = [&](Value ci, Value accIn) -> Value {
      Value xc = kb.add(kb.mulC(g, cg), ci);
      Value xBase = kb.mulC(kb.add(kb.mulC(n, c), xc), isp);
      Value wBase = kb.mulC(kb.add(kb.mulC(xc, mg), mm), ksp);
      return sumWindowProducts(kb, w, elem, accIn, xBase, wBase, tap);
    };
    Value sum = sumChannels(kb, cg, kb.constOf(acc, 0), channel);
    if (bias)
      sum = addS(kb, sum, loadC(kb, 2, m, elem));
    kb.store(yParam, i, fromCompute(kb, sum, elem));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

} // namespace

LogicalResult generateContraction(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                                  ElementwiseProgram *epilogue) {
  Sink sink;
  sink.epilogue = epilogue;
  if (isa<mlir::kiln::MatMulOp>(op))
    return generateMatMul(op, km, launches, sink);
  if (isa<mlir::kiln::GemmOp>(op))
    return generateGemm(op, km, launches, sink);
  if (isa<mlir::kiln::ConvOp>(op))
    return generateConv(op, km, launches, sink);
  return op->emitOpError("has no kernel that takes a fused epilogue"), failure();
}

void registerContractionGenerators(GeneratorTable &table) {
  auto plain = [](Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
    return generateContraction(op, km, launches, nullptr);
  };
  table["kiln.matmul"] = plain;
  table["kiln.gemm"] = plain;
  table["kiln.conv"] = plain;
  table["kiln.conv_transpose"] = generateConvTranspose;
}

} // namespace kiln::codegen
