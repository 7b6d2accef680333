// DFT, STFT and MelWeightMatrix as direct kernels, one thread per output value, with the
// reference evaluator's f64 sums; the windows always fold at compile time (their size
// must be a constant for the shape to be static, and they have no other input).
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
constexpr double kPi = 3.14159265358979323846;

/// The integer a scalar constant operand holds (these ops need theirs at compile time:
/// they give the result's shape).
std::optional<int64_t> constantInt(Value v) {
  DenseElementsAttr attr;
  if (isAbsent(v) || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

/// A loaded value of tensor element type `elem` in f64, and an f64 back to `elem`.
Value widen(KernelBuilder &kb, Value v, Type elem) {
  return castScalar(kb, toCompute(kb, v, elem), elem, kb.b().getF64Type());
}
Value narrow(KernelBuilder &kb, Value v, Type elem) {
  return fromCompute(kb, castScalar(kb, v, kb.b().getF64Type(), computeType(elem)), elem);
}

/// The window ops fold once their size is a constant; a size fed at run time would make
/// the result's shape depend on a value.
LogicalResult windowNeedsConstant(Operation *op, KernelModule &, SmallVectorImpl<Launch> &) {
  return op->emitOpError("size must be a constant, so that the window folds at compile time "
                         "(pin the input with --const NAME=N)"),
         failure();
}

/// acc + (xr + i xi) * exp(i angle), as (re, im) in the compute type.
std::pair<Value, Value> rotateAdd(KernelBuilder &kb, Value re, Value im, Value xr, Value xi, Value angle) {
  OpBuilder &b = kb.b();
  Location loc = kb.loc();
  Value c = math::CosOp::create(b, loc, angle), s = math::SinOp::create(b, loc, angle);
  Value r = arith::SubFOp::create(b, loc, arith::MulFOp::create(b, loc, xr, c), arith::MulFOp::create(b, loc, xi, s));
  Value i = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, xr, s), arith::MulFOp::create(b, loc, xi, c));
  return {arith::AddFOp::create(b, loc, re, r), arith::AddFOp::create(b, loc, im, i)};
}

/// sign * 2 pi * ((k * t) mod n) / n: the product is reduced as an integer first, so
/// the angle stays in [0, 2 pi) however long the signal.
Value twiddle(KernelBuilder &kb, Value kk, Value t, int64_t n, double sign, Type f) {
  Value phase = kb.remC(kb.mul(kk, t), n);
  Value asFloat = arith::UIToFPOp::create(kb.b(), kb.loc(), f, kb.fromIndex(phase, kb.b().getI64Type()));
  return arith::MulFOp::create(kb.b(), kb.loc(), asFloat, kb.constFloat(f, sign * 2 * kPi / static_cast<double>(n)));
}

LogicalResult generateDFT(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto d = cast<k::DFTOp>(op);
  Value x = d.getInput(), y = d.getOutput();
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t rank = xs.size(), axis = static_cast<int64_t>(d.getAxis()) < 0 ? static_cast<int64_t>(d.getAxis()) + rank : static_cast<int64_t>(d.getAxis());
  int64_t have = xs[axis], count = ys[axis];
  std::optional<int64_t> length = isAbsent(d.getDftLength()) ? std::optional<int64_t>(have) : constantInt(d.getDftLength());
  if (!length)
    return op->emitOpError("dft_length must be a constant"), failure();
  int64_t n = *length, xc = xs.back();
  int64_t inner = 1;
  for (int64_t a = axis + 1; a < rank - 1; ++a)
    inner *= xs[a];
  double sign = static_cast<int64_t>(d.getInverse()) ? 1 : -1, scale = static_cast<int64_t>(d.getInverse()) ? 1.0 / static_cast<double>(n) : 1.0;
  // Sums and twiddles in f64, as the reference evaluator computes them: an f32 sum of n
  // rotated terms drifts by n ulps of the largest term, far beyond ONNX's tolerance
  // for the near-zero bins.
  Type elem = elemOf(y), f = Float64Type::get(op->getContext());
  int64_t total = numElements(y) / 2;
  SmallVector<Value> buffers = {x, y};
  KernelBuilder kb(km, "dft", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    // i = (outer, k, inner)
    Value in = kb.remC(i, inner), kk = kb.remC(kb.divC(i, inner), count), o = kb.divC(i, inner * count);
    Value zero = kb.constFloat(f, 0);
    SmallVector<Value> sums = kb.forLoopCarry(kb.idx(0), kb.idx(std::min(n, have)), kb.idx(1), {zero, zero},
                                              [&](Value t, ValueRange acc) -> SmallVector<Value> {
      Value base = kb.mulC(kb.add(kb.mulC(kb.add(kb.mulC(o, have), t), inner), in), xc);
      Value xr = widen(kb, kb.load(0, base), elem);
      Value xi = xc == 2 ? widen(kb, kb.load(0, kb.add(base, kb.idx(1))), elem) : zero;
      auto [re, im] = rotateAdd(kb, acc[0], acc[1], xr, xi, twiddle(kb, kk, t, n, sign, f));
      return {re, im};
    });
    Value at = kb.mulC(i, 2);
    Value s = kb.constFloat(f, scale);
    kb.store(1, at, narrow(kb, arith::MulFOp::create(kb.b(), kb.loc(), sums[0], s), elem));
    kb.store(1, kb.add(at, kb.idx(1)), narrow(kb, arith::MulFOp::create(kb.b(), kb.loc(), sums[1], s), elem));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

LogicalResult generateSTFT(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto st = cast<k::STFTOp>(op);
  Value s = st.getSignal(), w = st.getWindow(), y = st.getOutput();
  ArrayRef<int64_t> ss = shapeOf(s), ys = shapeOf(y);
  std::optional<int64_t> step = constantInt(st.getFrameStep());
  if (!step)
    return op->emitOpError("frame_step must be a constant"), failure();
  bool windowed = !isAbsent(w);
  int64_t length = ss[1], sc = ss[2], frames = ys[1], bins = ys[2];
  std::optional<int64_t> frameLength = windowed ? std::optional<int64_t>(shapeOf(w)[0]) : constantInt(st.getFrameLength());
  if (!frameLength)
    return op->emitOpError("frame_length must be a constant"), failure();
  int64_t fl = *frameLength, total = numElements(y) / 2;
  Type elem = elemOf(y), f = Float64Type::get(op->getContext()); // f64 sums, as DFT's
  SmallVector<Value> buffers = {s};
  if (windowed)
    buffers.push_back(w);
  buffers.push_back(y);
  unsigned out = buffers.size() - 1;
  KernelBuilder kb(km, "stft", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    Value kk = kb.remC(i, bins), frame = kb.remC(kb.divC(i, bins), frames), b = kb.divC(i, bins * frames);
    Value zero = kb.constFloat(f, 0);
    // Frames never run past the signal: frames = (length - fl) / step + 1.
    SmallVector<Value> sums = kb.forLoopCarry(kb.idx(0), kb.idx(std::min(fl, length)), kb.idx(1), {zero, zero},
                                              [&](Value t, ValueRange acc) -> SmallVector<Value> {
      Value pos = kb.add(kb.mulC(frame, *step), t);
      Value base = kb.mulC(kb.add(kb.mulC(b, length), pos), sc);
      Value wt = windowed ? widen(kb, kb.load(1, t), kb.elementType(1)) : kb.constFloat(f, 1);
      Value xr = arith::MulFOp::create(kb.b(), kb.loc(), widen(kb, kb.load(0, base), elem), wt);
      Value xi = sc == 2 ? Value(arith::MulFOp::create(kb.b(), kb.loc(), widen(kb, kb.load(0, kb.add(base, kb.idx(1))), elem), wt))
                         : zero;
      auto [re, im] = rotateAdd(kb, acc[0], acc[1], xr, xi, twiddle(kb, kk, t, fl, -1, f));
      return {re, im};
    });
    Value at = kb.mulC(i, 2);
    kb.store(out, at, narrow(kb, sums[0], elem));
    kb.store(out, kb.add(at, kb.idx(1)), narrow(kb, sums[1], elem));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

/// MelWeightMatrix when its edge frequencies are run-time inputs (sizes must be
/// constants): output (row j, bin i) of bin i's triangle, the reference's rule in f64.
LogicalResult generateMel(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  auto m = cast<k::MelWeightMatrixOp>(op);
  std::optional<int64_t> bins = constantInt(m.getNumMelBins()), dftLength = constantInt(m.getDftLength());
  if (!bins || !dftLength)
    return op->emitOpError("num_mel_bins and dft_length must be constants"), failure();
  Value y = m.getOutput();
  int64_t rows = shapeOf(y)[0], total = numElements(y);
  SmallVector<Value> buffers = {m.getSampleRate(), m.getLowerEdgeHertz(), m.getUpperEdgeHertz(), y};
  Type elem = elemOf(y);
  KernelBuilder kb(km, "mel_weight_matrix", buffers, op->getLoc());
  Value i = kb.globalId(kBlock);
  kb.ifThen(kb.ltC(i, total), [&] {
    OpBuilder &b = kb.b();
    Location loc = kb.loc();
    Type f64 = b.getF64Type(), i64 = b.getI64Type();
    Value j = kb.divC(i, *bins), bin = kb.remC(i, *bins);
    auto asF64 = [&](unsigned param) { return castScalar(kb, toCompute(kb, kb.load(param, kb.idx(0)), kb.elementType(param)), kb.elementType(param), f64); };
    Value rate = asF64(0), lower = asF64(1), upper = asF64(2);
    auto mel = [&](Value hz) {
      Value ratio = arith::AddFOp::create(b, loc, kb.constFloat(f64, 1), arith::DivFOp::create(b, loc, hz, kb.constFloat(f64, 700)));
      return arith::MulFOp::create(b, loc, kb.constFloat(f64, 2595), math::Log10Op::create(b, loc, ratio));
    };
    Value lowMel = mel(lower);
    Value step = arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, mel(upper), lowMel),
                                       kb.constFloat(f64, static_cast<double>(*bins + 2)));
    auto point = [&](Value which) { // the FFT bin of mel point `which`, as an f64 integer
      Value m = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, arith::UIToFPOp::create(b, loc, f64, kb.fromIndex(which, i64)), step), lowMel);
      Value hz = arith::MulFOp::create(b, loc, kb.constFloat(f64, 700),
                                       arith::SubFOp::create(b, loc, math::PowFOp::create(b, loc, kb.constFloat(f64, 10), arith::DivFOp::create(b, loc, m, kb.constFloat(f64, 2595))), kb.constFloat(f64, 1)));
      return math::FloorOp::create(b, loc, arith::DivFOp::create(b, loc, arith::MulFOp::create(b, loc, kb.constFloat(f64, static_cast<double>(*dftLength + 1)), hz), rate));
    };
    Value left = point(bin), center = point(kb.add(bin, kb.idx(1))), right = point(kb.add(bin, kb.idx(2)));
    Value jf = arith::UIToFPOp::create(b, loc, f64, kb.fromIndex(j, i64));
    auto cmp = [&](arith::CmpFPredicate p, Value x, Value y2) { return arith::CmpFOp::create(b, loc, p, x, y2); };
    Value zero = kb.constFloat(f64, 0);
    Value rising = arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, jf, left), arith::SubFOp::create(b, loc, center, left));
    Value falling = arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, right, jf), arith::SubFOp::create(b, loc, right, center));
    Value v = zero;
    v = kb.select(arith::AndIOp::create(b, loc, cmp(arith::CmpFPredicate::OGE, jf, left), cmp(arith::CmpFPredicate::OLT, jf, center)), rising, v);
    v = kb.select(arith::AndIOp::create(b, loc, cmp(arith::CmpFPredicate::OGT, jf, center), cmp(arith::CmpFPredicate::OLT, jf, right)), falling, v);
    v = kb.select(cmp(arith::CmpFPredicate::OEQ, jf, center), kb.constFloat(f64, 1), v);
    (void)rows;
    kb.store(3, i, fromCompute(kb, castScalar(kb, v, f64, computeType(elem)), elem));
  });
  finishLinear(kb, buffers, total, launches);
  return success();
}

} // namespace

void registerSignalGenerators(GeneratorTable &table) {
  table["kiln.dft"] = generateDFT;
  table["kiln.stft"] = generateSTFT;
  table["kiln.mel_weight_matrix"] = generateMel;
  for (const char *window : {"kiln.hann_window", "kiln.hamming_window", "kiln.blackman_window"})
    table[window] = windowNeedsConstant;
}

} // namespace kiln::codegen
