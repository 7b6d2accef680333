// The tiled SIMT GEMM (see Gemm.h): tile and split-K choice, the KILN_GEMM tuning knobs,
// the matrix-vector, tiled and split-sum kernels.
#include "codegen/Kernels/Gemm.h"

#include "codegen/Kernels/Window.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <limits>
#include <optional>

using namespace mlir;

namespace kiln::codegen {

Value addS(KernelBuilder &kb, Value a, Value b) {
  if (isa<FloatType>(a.getType()))
    return arith::AddFOp::create(kb.b(), kb.loc(), a, b);
  return arith::AddIOp::create(kb.b(), kb.loc(), a, b);
}
Value mulS(KernelBuilder &kb, Value a, Value b) {
  if (isa<FloatType>(a.getType()))
    return arith::MulFOp::create(kb.b(), kb.loc(), a, b);
  return arith::MulIOp::create(kb.b(), kb.loc(), a, b);
}
Value madd(KernelBuilder &kb, Value acc, Value a, Value b) {
  if (isa<FloatType>(acc.getType()))
    return math::FmaOp::create(kb.b(), kb.loc(), a, b, acc);
  return addS(kb, acc, mulS(kb, a, b));
}

namespace {

/// Stores the finished dot product of (b, row, col) through the spec's epilogue.
void storeResult(KernelBuilder &kb, const GemmSpec &s, Value b, Value row, Value col, Value acc) {
  if (s.storeOut)
    return s.storeOut(kb, s.outOffset(kb, b, row, col), {s.finish(kb, b, row, col, acc)});
  kb.store(s.out, s.outOffset(kb, b, row, col), s.finish(kb, b, row, col, acc));
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The widest vector (4, 2 or 1 elements) a micro-tile side of `n` splits into.
int64_t vectorWidth(int64_t n) { return n % 4 == 0 ? 4 : n % 2 == 0 ? 2 : 1; }

struct TileConfig {
  int64_t bm, bn, bk, tm, tn;
};
constexpr int64_t kGemmThreads = 256;

/// How GEMMs are tiled. The defaults are the heuristics below; KILN_GEMM overrides them
/// for tuning runs on a GPU machine, where kiln cannot be rebuilt (the knobs to compare
/// there, not options for users): comma-separated `tile=BMxBNxBK/TMxTN` (every GEMM, in
/// place of the estimated choice), `sms=N` (the SMs the choice plans for; default 132,
/// an H100), `splits=N` (exactly N slices of K when there are enough k tiles; 1 turns
/// split-K off), `prefetch=0|1` (load the next k tile into registers while computing
/// the current one; default 1), `buffers=1|2` (with prefetching, two shared-memory
/// buffers per operand, one barrier per k tile instead of two, where they fit 48 KiB;
/// default 2) and `vector=0|1` (each thread's micro-tile rows and
/// columns in chunks of 4 adjacent ones, read from shared memory and stored as 4-wide
/// vectors; default 1; 0 is the strided micro-tile with scalar accesses).
struct GemmTuning {
  std::optional<TileConfig> tiles;
  int64_t sms = 132;
  std::optional<int64_t> splits;
  bool prefetch = true;
  int64_t buffers = 2;
  bool vector = true;
  std::string error; // a malformed KILN_GEMM, reported by every GEMM
};

std::string checkTiles(const TileConfig &c) {
  const int64_t T = kGemmThreads;
  bool ok = c.bm > 0 && c.bn > 0 && c.bk > 0 && c.tm > 0 && c.tn > 0 && T % c.bm == 0 && T % c.bn == 0 &&
            T % c.bk == 0 && c.bm % c.tm == 0 && c.bn % c.tn == 0 && (c.bm / c.tm) * (c.bn / c.tn) == T &&
            c.bm * c.bk % T == 0 && c.bn * c.bk % T == 0 &&
            (c.bm + 1 + c.bn + 1) * c.bk * 8 <= 48 * 1024;
  if (ok)
    return "";
  return "tile " + std::to_string(c.bm) + "x" + std::to_string(c.bn) + "x" + std::to_string(c.bk) + "/" +
         std::to_string(c.tm) + "x" + std::to_string(c.tn) +
         " does not fit the kernel: BM, BN and BK must divide 256, (BM/TM)*(BN/TN) = 256 threads, and "
         "both tiles must fit 48 KiB of shared memory";
}

GemmTuning parseGemmTuning(llvm::StringRef text) {
  GemmTuning t;
  SmallVector<StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    auto [key, value] = item.trim().split('=');
    int64_t n = 0;
    if (key == "tile") {
      SmallVector<StringRef> v;
      auto [tile, micro] = value.split('/');
      tile.split(v, 'x');
      micro.split(v, 'x');
      TileConfig c{};
      if (v.size() != 5 || v[0].getAsInteger(10, c.bm) || v[1].getAsInteger(10, c.bn) ||
          v[2].getAsInteger(10, c.bk) || v[3].getAsInteger(10, c.tm) || v[4].getAsInteger(10, c.tn)) {
        t.error = "KILN_GEMM: tile=" + value.str() + " is not BMxBNxBK/TMxTN";
        return t;
      }
      if (std::string e = checkTiles(c); !e.empty()) {
        t.error = "KILN_GEMM: " + e;
        return t;
      }
      t.tiles = c;
    } else if (key == "sms" && !value.getAsInteger(10, n) && n > 0) {
      t.sms = n;
    } else if (key == "splits" && !value.getAsInteger(10, n) && n > 0) {
      t.splits = n;
    } else if (key == "buffers" && (value == "1" || value == "2")) {
      t.buffers = value == "2" ? 2 : 1;
    } else if (key == "prefetch" && (value == "0" || value == "1")) {
      t.prefetch = value == "1";
    } else if (key == "vector" && (value == "0" || value == "1")) {
      t.vector = value == "1";
    } else {
      t.error = "KILN_GEMM: cannot read '" + item.str() +
                "' (expected tile=BMxBNxBK/TMxTN, sms=N, splits=N, prefetch=0|1, buffers=1|2 or vector=0|1)";
      return t;
    }
  }
  return t;
}

const GemmTuning &gemmTuning() {
  static const GemmTuning tuning = [] {
    const char *env = std::getenv("KILN_GEMM");
    if (!env || !*env)
      return GemmTuning{};
    llvm::errs() << "kiln: KILN_GEMM=" << env << " overrides the GEMM heuristics (for tuning only)\n";
    return parseGemmTuning(env);
  }();
  return tuning;
}

/// The share of a thread's instructions that are fmas in the tiled kernel with tiles
/// `c`: per k tile it issues BK*TM*TN fmas, BK*(TM/wA + TN/wB) shared-memory reads, its
/// share of the staging (about 4 instructions per element for the load, the shared
/// store and addressing, plus the spec's gather cost) and about 10 for the loop and
/// barriers. Fitted to the emulator's counts (scripts/traffic-report.py's fma%): within
/// 2 points on MatMuls from 32x32/2x2 to 128x128/8x8 tiles and on 3x3 convolutions.
double fmaShare(const TileConfig &c, bool vector, const GemmSpec &s) {
  auto width = [&](int64_t n) -> double { return vector ? vectorWidth(n) : 1; };
  double fmas = static_cast<double>(c.bk * c.tm * c.tn);
  double reads = c.bk * (c.tm / width(c.tm) + c.tn / width(c.tn));
  double staging = static_cast<double>(c.bm * c.bk) / kGemmThreads * (4 + s.aStageCost) +
                   static_cast<double>(c.bn * c.bk) / kGemmThreads * (4 + s.bStageCost);
  return fmas / (fmas + reads + staging + 10);
}

/// Estimated time of a GEMM tiled as `c` in `splits` k slices, in SM cycles of a GPU
/// like an H100 (`sms` SMs of 128 fp32 lanes; about 1750 bytes of DRAM and 5000 of L2
/// bandwidth per cycle; a launch about 4000 cycles): blocks run in waves of one per SM,
/// each block's fmas at the tile's fma share of the issue slots; operand tiles are read
/// through L2 once per block; split partial sums go to memory and back, plus a launch.
/// A model to rank tilings, not a prediction: it trades small tiles (more blocks, more
/// overhead per fma, more operand traffic) against split-K (partial sums) and against
/// idle SMs in the last wave.
double estimateCycles(const TileConfig &c, double share, int64_t splits, const GemmSpec &s, int64_t sms) {
  int64_t tilesM = ceilDiv(s.M, c.bm), tilesN = ceilDiv(s.N, c.bn), tilesK = ceilDiv(s.K, c.bk);
  int64_t blocks = s.batch * tilesM * tilesN * splits;
  double blockFmas = static_cast<double>(c.bm * c.bn * c.bk * ceilDiv(tilesK, splits));
  double compute = static_cast<double>(ceilDiv(blocks, sms)) * blockFmas / (128.0 * share);
  double operandBytes =
      4.0 * s.batch * (static_cast<double>(s.M) * s.K * tilesN + static_cast<double>(s.K) * s.N * tilesM);
  double cycles = compute + operandBytes / 5000.0;
  if (splits > 1)
    cycles += 2.0 * 4.0 * splits * s.batch * s.M * s.N / 1750.0 + 4000.0;
  return cycles;
}

/// The tiling and the number of k slices (1: no split-K) of a GEMM: the pair with the
/// least estimated time among the candidates for its shape. Each slice keeps at least
/// kMinSliceTiles k tiles.
std::pair<TileConfig, int64_t> chooseTiling(const GemmSpec &s, bool vector) {
  constexpr int64_t kMinSliceTiles = 8, kMaxSplits = 16;
  const GemmTuning &tuning = gemmTuning();
  SmallVector<TileConfig> candidates;
  if (tuning.tiles)
    candidates = {*tuning.tiles};
  else if (s.M <= 16)
    candidates = {{16, 64, 16, 1, 4}, {16, 32, 16, 1, 2}};
  else if (s.N <= 16)
    candidates = {{64, 16, 16, 4, 1}, {32, 16, 16, 2, 1}};
  else
    candidates = {{128, 128, 8, 8, 8}, {128, 64, 8, 8, 4}, {64, 128, 8, 4, 8}, {64, 64, 16, 4, 4},
                  {64, 32, 16, 4, 2},  {32, 64, 16, 2, 4}, {32, 32, 16, 2, 2}};
  std::optional<std::pair<TileConfig, int64_t>> best;
  double bestCycles = 0;
  for (const TileConfig &c : candidates) {
    double share = fmaShare(c, vector, s);
    int64_t tilesK = ceilDiv(s.K, c.bk);
    int64_t most = tuning.splits ? *tuning.splits : kMaxSplits;
    most = std::max<int64_t>(1, std::min(most, tilesK / kMinSliceTiles));
    for (int64_t tried = tuning.splits ? most : 1; tried <= most; ++tried) {
      // Equal slices: the same number of k tiles in each (the last may end early on K).
      int64_t splits = ceilDiv(tilesK, ceilDiv(tilesK, tried));
      double cycles = estimateCycles(c, share, splits, s, tuning.sms);
      if (!best || cycles < bestCycles) {
        best = {c, splits};
        bestCycles = cycles;
      }
    }
  }
  return *best;
}

/// Matrix-vector products (M == 1 with B's columns contiguous along k): one warp per
/// output column, lanes striding along k (adjacent reads of A and of B's column) and
/// combined with butterfly shuffles. The tiled kernel would stage 15 empty rows of A.
void emitGemv(KernelModule &km, StringRef name, ArrayRef<Value> buffers, Location loc, const GemmSpec &s,
              SmallVectorImpl<Launch> &launches) {
  using gpu::Dimension;
  constexpr int64_t kWarps = 8, kWarp = 32;
  KernelBuilder kb(km, name, buffers, loc);
  int64_t outputs = s.batch * s.N;
  Value t = kb.threadId(Dimension::x);
  Value lane = kb.remC(t, kWarp);
  Value w = kb.add(kb.mulC(kb.blockId(Dimension::x), kWarps), kb.divC(t, kWarp));
  // The guard is uniform across a warp, so every lane of a shuffling warp is active.
  kb.ifThen(kb.ltC(w, outputs), [&] {
    Value bi = s.batch == 1 ? kb.idx(0) : kb.divC(w, s.N);
    Value col = s.batch == 1 ? w : kb.remC(w, s.N);
    Value row = kb.idx(0);
    Value acc = kb.forLoopCarry(lane, kb.idx(s.K), kb.idx(kWarp), ValueRange{kb.constOf(s.acc, 0)},
                                [&](Value k, ValueRange a) -> SmallVector<Value> {
                                  return {madd(kb, a[0], s.loadA(kb, bi, row, k), s.loadB(kb, bi, k, kb.idx(0), col))};
                                })[0];
    for (int32_t off = kWarp / 2; off > 0; off /= 2)
      acc = addS(kb, acc, kb.shuffleXor(acc, off));
    kb.ifThen(kb.ltC(lane, 1), [&] { storeResult(kb, s, bi, row, col, acc); });
  });
  kb.finish({kWarps * kWarp, 1, 1});
  Launch l;
  l.kernel = kb.name().str();
  l.grid = {static_cast<uint32_t>(ceilDiv(outputs, kWarps)), 1, 1};
  l.block = {kWarps * kWarp, 1, 1};
  l.buffers.assign(buffers.begin(), buffers.end());
  launches.push_back(std::move(l));
}

/// The tiled GEMM kernel. With `splits` > 1, block (split, tile) sums k tiles
/// [split * slice, (split + 1) * slice) only and writes its raw partial sums to the
/// scratch parameter (split-major, then b, row, col); emitSplitSum finishes them.
void emitTiledKernel(KernelBuilder &kb, const GemmSpec &s, const TileConfig &c, int64_t splits, bool vectorized) {
  using gpu::Dimension;
  const int64_t T = kGemmThreads;
  int64_t tilesM = ceilDiv(s.M, c.bm), tilesN = ceilDiv(s.N, c.bn), tilesK = ceilDiv(s.K, c.bk);
  int64_t blocks = s.batch * tilesM * tilesN, slice = ceilDiv(tilesK, splits);
  // Micro-tile layout. Strided: a thread's rows are ty + i*(BM/TM) and its columns
  // tx + j*(BN/TN), scalar shared-memory reads, one padding element per tile row against
  // bank conflicts. Vector: rows and columns come in chunks of W = 4 (or 2) adjacent
  // ones, chunk c of thread tx starting at column (c*(BN/TN) + tx)*W, each chunk read as
  // one W-wide access. Adjacent lanes then read adjacent 16-byte words (no bank
  // conflicts) and store adjacent chunks; a thread's W columns side by side instead
  // would put the lanes' stores TN elements apart, across that many sectors. Tile rows
  // are padded by 4 elements and 16-byte aligned.
  const int64_t wA = vectorized ? vectorWidth(c.tm) : 1, wB = vectorized ? vectorWidth(c.tn) : 1;
  unsigned elemBytes = s.acc.getIntOrFloatBitWidth() / 8;
  int64_t pad = vectorized ? 4 : 1;
  int64_t ldA = c.bm + pad, ldB = c.bn + pad;
  // With prefetching, two buffers of each tile: tile kt is multiplied from one while
  // tile kt + 1 is stored to the other, so one barrier per k tile suffices.
  const int64_t sizeA = c.bk * ldA, sizeB = c.bk * ldB;
  const bool prefetch = gemmTuning().prefetch;
  const bool twoBuffers =
      prefetch && gemmTuning().buffers == 2 && 2 * (sizeA + sizeB) * static_cast<int64_t>(elemBytes) <= 48 * 1024;
  Value as = kb.sharedBuffer(s.acc, (twoBuffers ? 2 : 1) * sizeA, vectorized ? 16 : 0);
  Value bs = kb.sharedBuffer(s.acc, (twoBuffers ? 2 : 1) * sizeB, vectorized ? 16 : 0);
  Value zero = kb.constOf(s.acc, 0);

  Value t = kb.threadId(Dimension::x);
  Value block = kb.blockId(Dimension::x);
  Value bid = splits == 1 ? block : kb.remC(block, blocks);
  Value tn = kb.remC(bid, tilesN);
  Value tm = kb.remC(kb.divC(bid, tilesN), tilesM);
  Value bi = s.batch == 1 ? kb.idx(0) : kb.divC(bid, tilesN * tilesM);
  Value row0 = kb.mulC(tm, c.bm), col0 = kb.mulC(tn, c.bn);
  int64_t tCols = c.bn / c.tn, tRows = c.bm / c.tm;
  Value tx = kb.remC(t, tCols), ty = kb.divC(t, tCols);

  bool rowEdge = s.M % c.bm != 0, colEdge = s.N % c.bn != 0, kEdge = s.K % c.bk != 0;

  // Staging coordinates of this thread: element t + r*T of the tile, walked along the
  // operand's contiguous dimension so that a warp's global reads are adjacent. A tile
  // is loaded into registers (A's elements, then B's) and then stored to shared memory,
  // so that with prefetching the loads of the next tile overlap the current one's math.
  int64_t perA = c.bm * c.bk / T, perB = c.bk * c.bn / T;
  auto coordA = [&](int64_t r) -> std::pair<Value, Value> { // (m, k) in the tile
    if (s.aKContig)
      return {kb.add(kb.divC(t, c.bk), kb.idx(r * (T / c.bk))), kb.remC(t, c.bk)};
    return {kb.remC(t, c.bm), kb.add(kb.divC(t, c.bm), kb.idx(r * (T / c.bm)))};
  };
  auto coordB = [&](int64_t r) -> std::pair<Value, Value> { // (n, k) in the tile
    if (s.bNContig)
      return {kb.remC(t, c.bn), kb.add(kb.divC(t, c.bn), kb.idx(r * (T / c.bn)))};
    return {kb.add(kb.divC(t, c.bk), kb.idx(r * (T / c.bk))), kb.remC(t, c.bk)};
  };
  // Elements past an edge of A or B are staged as zeros. They are loaded from the
  // clamped, in-bounds position and replaced by a select rather than skipped in a
  // branch, so that what neighbouring elements share (a Conv tap's coordinates for one
  // column) is computed once, outside any branch.
  auto clamp = [&](Value i, bool edge, int64_t n) { return edge ? kb.min(i, kb.idx(n - 1)) : i; };
  auto zeroOutside = [&](Value cond, Value v) { return cond ? kb.select(cond, v, zero) : v; };
  auto loadTile = [&](Value kt) {
    Value k0 = kb.mulC(kt, c.bk);
    SmallVector<Value> v;
    for (int64_t r = 0; r < perA; ++r) {
      auto [m, k] = coordA(r);
      Value row = kb.add(row0, m), kk = kb.add(k0, k);
      Value cond;
      if (rowEdge)
        cond = andI(kb, cond, kb.ltC(row, s.M));
      if (kEdge)
        cond = andI(kb, cond, kb.ltC(kk, s.K));
      v.push_back(zeroOutside(cond, s.loadA(kb, bi, clamp(row, rowEdge, s.M), clamp(kk, kEdge, s.K))));
    }
    for (int64_t r = 0; r < perB; ++r) {
      auto [n, k] = coordB(r);
      Value col = kb.add(col0, n), kk = kb.add(k0, k);
      Value cond;
      if (colEdge)
        cond = andI(kb, cond, kb.ltC(col, s.N));
      if (kEdge)
        cond = andI(kb, cond, kb.ltC(kk, s.K));
      Value at = clamp(col, colEdge, s.N);
      Value e = s.kGroup % c.bk == 0 && !kEdge ? s.loadB(kb, bi, k0, k, at)
                                               : s.loadB(kb, bi, clamp(kk, kEdge, s.K), kb.idx(0), at);
      v.push_back(zeroOutside(cond, e));
    }
    return v;
  };
  // `buffer`: which of two buffers (0 or 1; null with one); where it starts.
  auto bufferStart = [&](Value buffer, int64_t size) { return buffer ? kb.mulC(buffer, size) : kb.idx(0); };
  auto storeTile = [&](ArrayRef<Value> v, Value buffer) {
    Value baseA = bufferStart(buffer, sizeA), baseB = bufferStart(buffer, sizeB);
    for (int64_t r = 0; r < perA; ++r) {
      auto [m, k] = coordA(r);
      kb.storeTo(as, kb.add(baseA, kb.add(kb.mulC(k, ldA), m)), v[r]);
    }
    for (int64_t r = 0; r < perB; ++r) {
      auto [n, k] = coordB(r);
      kb.storeTo(bs, kb.add(baseB, kb.add(kb.mulC(k, ldB), n)), v[perA + r]);
    }
  };

  SmallVector<Value> rowOff, colOff;
  auto chunked = [&](Value thread, int64_t i, int64_t w, int64_t threads) {
    return kb.add(kb.mulC(thread, w), kb.idx((i / w) * threads * w + i % w));
  };
  for (int64_t i = 0; i < c.tm; ++i)
    rowOff.push_back(vectorized ? chunked(ty, i, wA, tRows) : kb.add(ty, kb.idx(i * tRows)));
  for (int64_t j = 0; j < c.tn; ++j)
    colOff.push_back(vectorized ? chunked(tx, j, wB, tCols) : kb.add(tx, kb.idx(j * tCols)));
  // The micro-tile's products over the k tile in shared memory.
  auto multiply = [&](ValueRange acc, Value buffer) {
    Value baseA = bufferStart(buffer, sizeA), baseB = bufferStart(buffer, sizeB);
    SmallVector<Value> next(acc.begin(), acc.end());
    for (int64_t kk = 0; kk < c.bk; ++kk) {
      SmallVector<Value> a, b;
      for (int64_t i = 0; i < c.tm; i += wA)
        a.append(kb.loadConsecutive(as, kb.add(baseA, kb.add(rowOff[i], kb.idx(kk * ldA))), wA, wA * elemBytes));
      for (int64_t j = 0; j < c.tn; j += wB)
        b.append(kb.loadConsecutive(bs, kb.add(baseB, kb.add(colOff[j], kb.idx(kk * ldB))), wB, wB * elemBytes));
      for (int64_t i = 0; i < c.tm; ++i)
        for (int64_t j = 0; j < c.tn; ++j)
          next[i * c.tn + j] = madd(kb, next[i * c.tn + j], a[i], b[j]);
    }
    return next;
  };

  // The k tiles of this block: all of them, or its split's slice (never empty).
  Value split = splits == 1 ? Value() : kb.divC(block, blocks);
  Value kFirst = splits == 1 ? kb.idx(0) : kb.mulC(split, slice);
  Value kEnd = splits == 1 ? kb.idx(tilesK) : kb.min(kb.add(kFirst, kb.idx(slice)), kb.idx(tilesK));
  SmallVector<Value> accs(c.tm * c.tn, zero);
  if (!prefetch) {
    accs = kb.forLoopCarry(kFirst, kEnd, kb.idx(1), accs, [&](Value kt, ValueRange acc) {
      storeTile(loadTile(kt), Value());
      kb.barrier();
      SmallVector<Value> next = multiply(acc, Value());
      kb.barrier();
      return next;
    });
  } else if (tilesK > 0) {
    // Tile kt + 1 is read from global memory while tile kt is multiplied (the branch is
    // uniform: every thread of the block agrees whether there is a next tile). With two
    // buffers, tile kt + 1 goes to the one tile kt is not in, and the barrier after it
    // both publishes it and ends every read of tile kt's buffer, which the next
    // iteration overwrites; with one, a barrier must also come before the store.
    storeTile(loadTile(kFirst), twoBuffers ? kb.idx(0) : Value());
    kb.barrier();
    SmallVector<Type> staged(perA + perB, s.acc);
    accs = kb.forLoopCarry(kFirst, kEnd, kb.idx(1), accs, [&](Value kt, ValueRange acc) {
      Value next = kb.add(kt, kb.idx(1));
      Value more = kb.lt(next, kEnd);
      Value current = twoBuffers ? kb.remC(kb.sub(kt, kFirst), 2) : Value();
      SmallVector<Value> ahead = kb.ifThenElse(
          more, staged, [&] { return loadTile(next); },
          [&] { return SmallVector<Value>(perA + perB, zero); });
      SmallVector<Value> sums = multiply(acc, current);
      if (!twoBuffers)
        kb.barrier();
      kb.ifThen(more, [&] { storeTile(ahead, twoBuffers ? kb.sub(kb.idx(1), current) : Value()); });
      kb.barrier();
      return sums;
    });
  }

  // Results: a vector chunk of columns is one store when the output (or the partial
  // sums) keeps them adjacent and aligned; N % W == 0 also puts a chunk wholly inside
  // or wholly outside the matrix, so one column's bound guards it.
  int64_t outputs = s.batch * s.M * s.N;
  unsigned partials = kb.func().getNumArguments() - 1; // the scratch parameter when split
  int64_t wOut = vectorized && wB > 1 && s.N % wB == 0 && (splits > 1 || s.quadColumns) ? wB : 1;
  for (int64_t i = 0; i < c.tm; ++i) {
    Value row = kb.add(row0, rowOff[i]);
    for (int64_t j = 0; j < c.tn; j += wOut) {
      Value col = kb.add(col0, colOff[j]);
      Value cond;
      if (rowEdge)
        cond = andI(kb, cond, kb.ltC(row, s.M));
      if (colEdge)
        cond = andI(kb, cond, kb.ltC(col, s.N));
      ArrayRef<Value> acc = ArrayRef<Value>(accs).slice(i * c.tn + j, wOut);
      auto store = [&] {
        if (splits > 1) {
          Value e = kb.add(kb.mulC(kb.add(kb.mulC(bi, s.M), row), s.N), col);
          kb.storeConsecutive(kb.param(partials), kb.add(kb.mulC(split, outputs), e), acc, wOut * elemBytes);
          return;
        }
        if (wOut == 1)
          return storeResult(kb, s, bi, row, col, acc[0]);
        SmallVector<Value> values;
        for (int64_t u = 0; u < wOut; ++u)
          values.push_back(s.finish(kb, bi, row, kb.add(col, kb.idx(u)), acc[u]));
        if (s.storeOut)
          return s.storeOut(kb, s.outOffset(kb, bi, row, col), values);
        unsigned bytes = values[0].getType().getIntOrFloatBitWidth() / 8;
        kb.storeConsecutive(kb.param(s.out), s.outOffset(kb, bi, row, col), values, wOut * bytes);
      };
      if (cond)
        kb.ifThen(cond, store);
      else
        store();
    }
  }
  kb.finish({static_cast<uint32_t>(T), 1, 1});
}

/// The second half of a split-K GEMM: one thread per output element sums its `splits`
/// partial sums in split order (the same order on every run, unlike atomics) and
/// stores the result through the epilogue.
void emitSplitSum(KernelBuilder &kb, const GemmSpec &s, int64_t splits, uint32_t blockSize) {
  int64_t outputs = s.batch * s.M * s.N;
  unsigned partials = kb.func().getNumArguments() - 1;
  Value e = kb.globalId(blockSize);
  kb.ifThen(kb.ltC(e, outputs), [&] {
    Value sum = kb.loadFrom(kb.param(partials), e);
    for (int64_t p = 1; p < splits; ++p)
      sum = addS(kb, sum, kb.loadFrom(kb.param(partials), kb.add(e, kb.idx(p * outputs))));
    SmallVector<Value> at = kb.delinearize(e, {s.batch, s.M, s.N});
    storeResult(kb, s, at[0], at[1], at[2], sum);
  });
  kb.finish({blockSize, 1, 1});
}

} // namespace

LogicalResult emitGemm(Operation *op, KernelModule &km, StringRef name, ArrayRef<Value> buffers,
                       const GemmSpec &s, SmallVectorImpl<Launch> &launches) {
  if (const std::string &error = gemmTuning().error; !error.empty())
    return op->emitOpError(error), failure();
  unsigned accBits = s.acc.getIntOrFloatBitWidth();
  if (s.M == 1 && !s.bNContig && (accBits == 32 || accBits == 64) &&
      s.batch * s.N <= std::numeric_limits<int32_t>::max()) {
    emitGemv(km, name, buffers, op->getLoc(), s, launches);
    return success();
  }
  bool vector = gemmTuning().vector && s.acc.getIntOrFloatBitWidth() == 32;
  auto [c, splits] = chooseTiling(s, vector);
  int64_t blocks = s.batch * ceilDiv(s.M, c.bm) * ceilDiv(s.N, c.bn);
  if (blocks * splits > std::numeric_limits<int32_t>::max())
    return op->emitOpError("contraction needs more than 2^31 thread blocks"), failure();
  SmallVector<ScratchBuffer> scratch;
  if (splits > 1)
    scratch.push_back({0, s.acc, splits * s.batch * s.M * s.N});

  KernelBuilder kb(km, name, buffers, scratch, op->getLoc());
  emitTiledKernel(kb, s, c, splits, vector);
  Launch l;
  l.kernel = kb.name().str();
  l.grid = {static_cast<uint32_t>(blocks * splits), 1, 1};
  l.block = {static_cast<uint32_t>(kGemmThreads), 1, 1};
  l.buffers.assign(buffers.begin(), buffers.end());
  l.scratch = scratch;
  launches.push_back(l);
  if (splits == 1)
    return success();

  constexpr uint32_t kSumBlock = 256;
  KernelBuilder sum(km, (name + "_split_sum").str(), buffers, scratch, op->getLoc());
  emitSplitSum(sum, s, splits, kSumBlock);
  Launch finish = linearLaunch(sum.name(), s.batch * s.M * s.N, kSumBlock);
  finish.buffers.assign(buffers.begin(), buffers.end());
  finish.scratch = scratch;
  launches.push_back(std::move(finish));
  return success();
}

} // namespace kiln::codegen
