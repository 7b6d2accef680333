// Contraction kernels: MatMul, Gemm and Conv on one shared-memory tiled GEMM (Conv as an
// implicit GEMM that gathers input patches while staging tiles); depthwise Conv and
// ConvTranspose as direct kernels with one thread per output element.
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"
#include "codegen/Kernels/Window.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>

using namespace mlir;

namespace kiln::codegen {
namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

Value cmpI(KernelBuilder &kb, arith::CmpIPredicate p, Value a, Value b) {
  return arith::CmpIOp::create(kb.b(), kb.loc(), p, a, b);
}
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
/// acc + a * b in the accumulator type; floats as one fused multiply-add (one rounding,
/// as cuBLAS's SIMT kernels; without it LLVM keeps mul.rn + add.rn apart).
Value madd(KernelBuilder &kb, Value acc, Value a, Value b) {
  if (isa<FloatType>(acc.getType()))
    return math::FmaOp::create(kb.b(), kb.loc(), a, b, acc);
  return addS(kb, acc, mulS(kb, a, b));
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

bool supportedElement(Type t) {
  if (t.isInteger(1))
    return false;
  return isa<FloatType>(t) || isa<IntegerType>(t);
}

//===----------------------------------------------------------------------===//
// The tiled GEMM
//===----------------------------------------------------------------------===//

/// Y[b] (M x N) = A[b] (M x K) * B[b] (K x N), each block computing a BM x BN tile with
/// BM/TM x BN/TN threads, each thread a TM x TN register micro-tile at rows
/// ty + i*(BM/TM) and columns tx + j*(BN/TN) (so that shared-memory reads are broadcast
/// along A and consecutive along B, and stores are consecutive along N). A and B tiles
/// of depth BK are staged in shared memory, k-major, with one padding column against
/// bank conflicts. Operand access goes through callbacks, which is what lets Conv gather
/// input patches as B; they get the builder of the kernel being emitted, whose first
/// parameters are the op's buffers in the order the caller gave them.
struct GemmSpec {
  int64_t batch = 1, M = 0, N = 0, K = 0;
  Type acc;             // accumulator (compute) type
  bool aKContig = true; // consecutive k of a row of A are adjacent in memory
  bool bNContig = true; // consecutive n of a row of B are adjacent in memory
  std::function<Value(KernelBuilder &kb, Value b, Value row, Value k)> loadA;
  std::function<Value(KernelBuilder &kb, Value b, Value k, Value col)> loadB;
  /// Stores the finished dot product of (b, row, col), applying any epilogue.
  std::function<void(KernelBuilder &kb, Value b, Value row, Value col, Value acc)> store;
};

struct TileConfig {
  int64_t bm, bn, bk, tm, tn;
};
constexpr int64_t kGemmThreads = 256;

/// How GEMMs are tiled. The defaults are the heuristics below; KILN_GEMM overrides them
/// for tuning runs on a GPU machine, where kiln cannot be rebuilt (the knobs to compare
/// there, not options for users): comma-separated `tile=BMxBNxBK/TMxTN` (every GEMM, in
/// place of the size-based choice), `want=BLOCKS` (the blocks a GEMM should have before
/// it stops taking smaller tiles or more K slices; default 128, about one per SM of a
/// large GPU), `splits=N` (exactly N slices of K when there are enough k tiles; 1
/// turns split-K off) and `prefetch=0|1` (load the next k tile into registers while
/// computing the current one; default 1).
struct GemmTuning {
  std::optional<TileConfig> tiles;
  int64_t wantBlocks = 128;
  std::optional<int64_t> splits;
  bool prefetch = true;
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
    } else if (key == "want" && !value.getAsInteger(10, n) && n > 0) {
      t.wantBlocks = n;
    } else if (key == "splits" && !value.getAsInteger(10, n) && n > 0) {
      t.splits = n;
    } else if (key == "prefetch" && (value == "0" || value == "1")) {
      t.prefetch = value == "1";
    } else {
      t.error = "KILN_GEMM: cannot read '" + item.str() +
                "' (expected tile=BMxBNxBK/TMxTN, want=N, splits=N or prefetch=0|1)";
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

/// The largest tile that still gives about one block per SM of a large GPU; small
/// problems get smaller tiles (more blocks) rather than leave most of the GPU idle.
TileConfig chooseTiles(int64_t batch, int64_t m, int64_t n) {
  const GemmTuning &tuning = gemmTuning();
  if (tuning.tiles)
    return *tuning.tiles;
  SmallVector<TileConfig> candidates;
  if (m <= 16)
    candidates = {{16, 64, 16, 1, 4}, {16, 32, 16, 1, 2}};
  else if (n <= 16)
    candidates = {{64, 16, 16, 4, 1}, {32, 16, 16, 2, 1}};
  else
    candidates = {{64, 64, 16, 4, 4}, {64, 32, 16, 4, 2}, {32, 32, 16, 2, 2}};
  for (const TileConfig &c : candidates)
    if (batch * ceilDiv(m, c.bm) * ceilDiv(n, c.bn) >= tuning.wantBlocks)
      return c;
  return candidates.back();
}

/// Split-K: how many slices of the k tiles the blocks of a GEMM that is short of the
/// wanted blocks divide among themselves (1: no split). Each slice keeps at least
/// kMinSliceTiles tiles, so that the partial sums written and summed again (one pass
/// over splits x M x N) stay small beside the slice's own work.
int64_t chooseSplits(int64_t blocks, int64_t tilesK) {
  constexpr int64_t kMinSliceTiles = 8, kMaxSplits = 16;
  const GemmTuning &tuning = gemmTuning();
  int64_t splits = 1;
  if (tuning.splits)
    splits = std::min(*tuning.splits, tilesK / kMinSliceTiles);
  else if (blocks < tuning.wantBlocks)
    splits = std::min({ceilDiv(tuning.wantBlocks, blocks), tilesK / kMinSliceTiles, kMaxSplits});
  if (splits < 2)
    return 1;
  // Equal slices: the same number of k tiles in each (the last may end early on K).
  return ceilDiv(tilesK, ceilDiv(tilesK, splits));
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
                                  return {madd(kb, a[0], s.loadA(kb, bi, row, k), s.loadB(kb, bi, k, col))};
                                })[0];
    for (int32_t off = kWarp / 2; off > 0; off /= 2)
      acc = addS(kb, acc, kb.shuffleXor(acc, off));
    kb.ifThen(kb.ltC(lane, 1), [&] { s.store(kb, bi, row, col, acc); });
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
void emitTiledKernel(KernelBuilder &kb, const GemmSpec &s, const TileConfig &c, int64_t splits) {
  using gpu::Dimension;
  const int64_t T = kGemmThreads;
  int64_t tilesM = ceilDiv(s.M, c.bm), tilesN = ceilDiv(s.N, c.bn), tilesK = ceilDiv(s.K, c.bk);
  int64_t blocks = s.batch * tilesM * tilesN, slice = ceilDiv(tilesK, splits);
  int64_t ldA = c.bm + 1, ldB = c.bn + 1;
  Value as = kb.sharedBuffer(s.acc, c.bk * ldA);
  Value bs = kb.sharedBuffer(s.acc, c.bk * ldB);
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
  auto guarded = [&](Value cond, llvm::function_ref<Value()> load) {
    return cond ? kb.ifThenElse(cond, s.acc, load, [&] { return zero; }) : load();
  };
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
      v.push_back(guarded(cond, [&] { return s.loadA(kb, bi, row, kk); }));
    }
    for (int64_t r = 0; r < perB; ++r) {
      auto [n, k] = coordB(r);
      Value col = kb.add(col0, n), kk = kb.add(k0, k);
      Value cond;
      if (colEdge)
        cond = andI(kb, cond, kb.ltC(col, s.N));
      if (kEdge)
        cond = andI(kb, cond, kb.ltC(kk, s.K));
      v.push_back(guarded(cond, [&] { return s.loadB(kb, bi, kk, col); }));
    }
    return v;
  };
  auto storeTile = [&](ArrayRef<Value> v) {
    for (int64_t r = 0; r < perA; ++r) {
      auto [m, k] = coordA(r);
      kb.storeTo(as, kb.add(kb.mulC(k, ldA), m), v[r]);
    }
    for (int64_t r = 0; r < perB; ++r) {
      auto [n, k] = coordB(r);
      kb.storeTo(bs, kb.add(kb.mulC(k, ldB), n), v[perA + r]);
    }
  };

  SmallVector<Value> rowOff, colOff;
  for (int64_t i = 0; i < c.tm; ++i)
    rowOff.push_back(kb.add(ty, kb.idx(i * tRows)));
  for (int64_t j = 0; j < c.tn; ++j)
    colOff.push_back(kb.add(tx, kb.idx(j * tCols)));
  // The micro-tile's products over the k tile in shared memory.
  auto multiply = [&](ValueRange acc) {
    SmallVector<Value> next(acc.begin(), acc.end());
    for (int64_t kk = 0; kk < c.bk; ++kk) {
      SmallVector<Value> a, b;
      for (int64_t i = 0; i < c.tm; ++i)
        a.push_back(kb.loadFrom(as, kb.add(rowOff[i], kb.idx(kk * ldA))));
      for (int64_t j = 0; j < c.tn; ++j)
        b.push_back(kb.loadFrom(bs, kb.add(colOff[j], kb.idx(kk * ldB))));
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
  if (!gemmTuning().prefetch) {
    accs = kb.forLoopCarry(kFirst, kEnd, kb.idx(1), accs, [&](Value kt, ValueRange acc) {
      storeTile(loadTile(kt));
      kb.barrier();
      SmallVector<Value> next = multiply(acc);
      kb.barrier();
      return next;
    });
  } else if (tilesK > 0) {
    // Tile kt + 1 is read from global memory while tile kt is multiplied; the last
    // tile, with nothing left to prefetch, is multiplied after the loop.
    storeTile(loadTile(kFirst));
    kb.barrier();
    Value last = kb.sub(kEnd, kb.idx(1));
    accs = kb.forLoopCarry(kFirst, last, kb.idx(1), accs, [&](Value kt, ValueRange acc) {
      SmallVector<Value> ahead = loadTile(kb.add(kt, kb.idx(1)));
      SmallVector<Value> next = multiply(acc);
      kb.barrier();
      storeTile(ahead);
      kb.barrier();
      return next;
    });
    accs = multiply(accs);
  }

  int64_t outputs = s.batch * s.M * s.N;
  unsigned partials = kb.func().getNumArguments() - 1; // the scratch parameter when split
  for (int64_t i = 0; i < c.tm; ++i) {
    Value row = kb.add(row0, rowOff[i]);
    for (int64_t j = 0; j < c.tn; ++j) {
      Value col = kb.add(col0, colOff[j]);
      Value cond;
      if (rowEdge)
        cond = andI(kb, cond, kb.ltC(row, s.M));
      if (colEdge)
        cond = andI(kb, cond, kb.ltC(col, s.N));
      Value acc = accs[i * c.tn + j];
      auto store = [&] {
        if (splits == 1)
          return s.store(kb, bi, row, col, acc);
        Value e = kb.add(kb.mulC(kb.add(kb.mulC(bi, s.M), row), s.N), col);
        kb.store(partials, kb.add(kb.mulC(split, outputs), e), acc);
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
    s.store(kb, at[0], at[1], at[2], sum);
  });
  kb.finish({blockSize, 1, 1});
}

/// Emits the kernels of a GEMM over `buffers` (bound in this order) and appends their
/// launches: a matrix-vector kernel, one tiled kernel, or a split-K tiled kernel and
/// the kernel that sums its slices.
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
  TileConfig c = chooseTiles(s.batch, s.M, s.N);
  int64_t blocks = s.batch * ceilDiv(s.M, c.bm) * ceilDiv(s.N, c.bn);
  int64_t splits = chooseSplits(blocks, ceilDiv(s.K, c.bk));
  if (blocks * splits > std::numeric_limits<int32_t>::max())
    return op->emitOpError("contraction needs more than 2^31 thread blocks"), failure();
  SmallVector<ScratchBuffer> scratch;
  if (splits > 1)
    scratch.push_back({0, s.acc, splits * s.batch * s.M * s.N});

  KernelBuilder kb(km, name, buffers, scratch, op->getLoc());
  emitTiledKernel(kb, s, c, splits);
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

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

LogicalResult generateMatMul(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
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
  s.aKContig = true;
  s.bNContig = n > 1;

  auto base = [&](KernelBuilder &kb, Value bi, ArrayRef<int64_t> strides, int64_t matrix) -> Value {
    if (fold || batches == 1)
      return kb.idx(0);
    return kb.mulC(kb.linearize(kb.delinearize(bi, batch), strides), matrix);
  };
  s.loadA = [&](KernelBuilder &kb, Value bi, Value row, Value kk) {
    Value off = kb.add(base(kb, bi, aStride, m * k), kb.add(kb.mulC(row, k), kk));
    return loadC(kb, 0, off, elem);
  };
  s.loadB = [&](KernelBuilder &kb, Value bi, Value kk, Value col) {
    Value off = kb.add(base(kb, bi, bStride, k * n), kb.add(kb.mulC(kk, n), col));
    return loadC(kb, 1, off, elem);
  };
  s.store = [&](KernelBuilder &kb, Value bi, Value row, Value col, Value acc) {
    Value r = s.batch == 1 ? row : kb.add(kb.mulC(bi, m), row);
    kb.store(2, kb.add(kb.mulC(r, n), col), fromCompute(kb, acc, elem));
  };
  return emitGemm(op, km, "matmul", {a, b, y}, s, launches);
}

//===----------------------------------------------------------------------===//
// Gemm
//===----------------------------------------------------------------------===//

LogicalResult generateGemm(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
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

  SmallVector<Value> buffers = {a, b};
  if (hasC)
    buffers.push_back(cv);
  buffers.push_back(y);
  unsigned yParam = buffers.size() - 1;

  GemmSpec s;
  s.acc = acc;
  s.M = m;
  s.N = n;
  s.K = k;
  s.aKContig = !ta || m == 1;
  s.bNContig = !tb && n > 1;
  s.loadA = [&](KernelBuilder &kb, Value, Value row, Value kk) {
    Value off = ta ? kb.add(kb.mulC(kk, m), row) : kb.add(kb.mulC(row, k), kk);
    return loadC(kb, 0, off, elem);
  };
  s.loadB = [&](KernelBuilder &kb, Value, Value kk, Value col) {
    Value off = tb ? kb.add(kb.mulC(col, k), kk) : kb.add(kb.mulC(kk, n), col);
    return loadC(kb, 1, off, elem);
  };
  s.store = [&](KernelBuilder &kb, Value, Value row, Value col, Value v) {
    if (alpha != 1.0)
      v = mulS(kb, v, kb.constFloat(acc, alpha));
    if (hasC) {
      Value c = loadC(kb, 2, kb.add(kb.mulC(row, cRow), kb.mulC(col, cCol)), elem);
      if (beta != 1.0)
        c = mulS(kb, c, kb.constFloat(acc, beta));
      v = addS(kb, v, c);
    }
    kb.store(yParam, kb.add(kb.mulC(row, n), col), fromCompute(kb, v, elem));
  };
  return emitGemm(op, km, "gemm", buffers, s, launches);
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

/// Input position of output position `od` and kernel position `kd` of a Conv: whether it
/// lies inside the input (null when it always does) and its spatial offset there.
/// `kConst` holds the kernel coordinates when they are compile-time constants (else
/// empty), which lets interior taps drop their checks.
std::pair<Value, Value> convTap(KernelBuilder &kb, const Window &w, ArrayRef<Value> od,
                                ArrayRef<Value> kd, ArrayRef<int64_t> kConst) {
  SmallVector<int64_t> inStr = rowMajorStrides(w.in);
  Value inside, offset;
  for (size_t d = 0; d < w.rank(); ++d) {
    int64_t pb = w.padBegin[d];
    Value tpos = kb.add(kb.mulC(od[d], w.strides[d]), kb.mulC(kd[d], w.dilations[d]));
    int64_t kMin = kConst.empty() ? 0 : kConst[d], kMax = kConst.empty() ? w.kernel[d] - 1 : kConst[d];
    // tpos is never negative: the input coordinate is tpos - pb.
    if (kMin * w.dilations[d] < pb)
      inside = andI(kb, inside, cmpI(kb, arith::CmpIPredicate::uge, tpos, kb.idx(pb)));
    if ((w.out[d] - 1) * w.strides[d] + kMax * w.dilations[d] - pb >= w.in[d])
      inside = andI(kb, inside, kb.ltC(tpos, w.in[d] + pb));
    Value coord = pb == 0 ? tpos : kb.sub(tpos, kb.idx(pb));
    Value term = kb.mulC(coord, inStr[d]);
    offset = offset ? kb.add(offset, term) : term;
  }
  return {inside, offset ? offset : kb.idx(0)};
}

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

/// Direct Conv: one thread per output element, looping over the input channels of its
/// group and the kernel taps. Used for depthwise convolutions, whose per-output work is
/// one kernel window.
LogicalResult emitDirectConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                             const Window &w, int64_t groups, Value x, Value wt, Value bias, Value y) {
  Type elem = elemOf(y);
  Type acc = computeType(elem);
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t nb = xs[0], c = xs[1], mo = ys[1], cg = c / groups, mg = mo / groups;
  int64_t isp = product(w.in), osp = product(w.out), ksp = product(w.kernel);
  SmallVector<Value> buffers = {x, wt};
  if (bias)
    buffers.push_back(bias);
  buffers.push_back(y);
  unsigned yParam = buffers.size() - 1;
  int64_t total = numElements(y);
  constexpr uint32_t kBlock = 256;
  KernelBuilder kb(km, "conv_direct", buffers, op->getLoc());
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
    kb.store(yParam, i, fromCompute(kb, sum, elem));
  });
  kb.finish({kBlock, 1, 1});
  Launch l = linearLaunch(kb.name(), total, kBlock);
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

/// Implicit-GEMM Conv, per group: Y[n, g*Mg + m, o] = sum_k W[g*Mg + m, k] * P[k, (n, o)]
/// where P is the input patch matrix (k = (ci, kernel position)), gathered on the fly.
/// Columns run over output positions, so stores and (for unit strides) patch reads are
/// adjacent across threads.
LogicalResult emitGemmConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches,
                           const Window &w, int64_t groups, Value x, Value wt, Value bias, Value y) {
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
  buffers.push_back(y);
  unsigned yParam = buffers.size() - 1;

  GemmSpec s;
  s.acc = computeType(elem);
  s.batch = groups;
  s.M = mg;
  s.N = nb * osp;
  s.K = cg * ksp;
  s.aKContig = true;
  s.bNContig = true;
  s.loadA = [&](KernelBuilder &kb, Value g, Value row, Value kk) {
    Value off = kb.add(kb.mulC(kb.add(kb.mulC(g, mg), row), s.K), kk);
    return loadC(kb, 1, off, elem);
  };
  s.loadB = [&](KernelBuilder &kb, Value g, Value kk, Value col) {
    Value n = kb.divC(col, osp), o = kb.remC(col, osp);
    Value ci = kb.divC(kk, ksp);
    Value chan = kb.add(kb.mulC(n, c), kb.add(kb.mulC(g, cg), ci));
    Value base = kb.mulC(chan, isp);
    if (pointwise)
      return loadC(kb, 0, kb.add(base, o), elem);
    SmallVector<Value> od = kb.delinearize(o, w.out);
    SmallVector<Value> kd = kb.delinearize(kb.remC(kk, ksp), w.kernel);
    auto [inside, off] = convTap(kb, w, od, kd, {});
    return loadOrZero(kb, 0, inside, kb.add(base, off), elem);
  };
  s.store = [&](KernelBuilder &kb, Value g, Value row, Value col, Value v) {
    Value m = kb.add(kb.mulC(g, mg), row);
    if (bias)
      v = addS(kb, v, loadC(kb, 2, m, elem));
    Value n = kb.divC(col, osp), o = kb.remC(col, osp);
    Value off = kb.add(kb.mulC(kb.add(kb.mulC(n, mo), m), osp), o);
    kb.store(yParam, off, fromCompute(kb, v, elem));
  };
  return emitGemm(op, km, "conv", buffers, s, launches);
}

LogicalResult generateConv(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  Value x = op->getOperand(0), wt = op->getOperand(1), b = op->getOperand(2), y = op->getResult(0);
  Value bias = isAbsent(b) ? Value() : b;
  Type elem = elemOf(y);
  if (!isa<FloatType>(elem) || elemOf(x) != elem || elemOf(wt) != elem || (bias && elemOf(bias) != elem))
    return op->emitOpError("conv kernel supports float operands of the result type"), failure();
  ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(wt), ys = shapeOf(y);
  if (xs.size() < 3 || ws.size() != xs.size() || ys.size() != xs.size())
    return op->emitOpError("conv needs N x C x D1.. operands of equal rank"), failure();
  size_t r = xs.size() - 2;
  Window w;
  w.in.assign(xs.begin() + 2, xs.end());
  w.out.assign(ys.begin() + 2, ys.end());
  w.kernel.assign(ws.begin() + 2, ws.end());
  w.strides = arrayAttrOr(op, "strides", r, 1);
  w.dilations = arrayAttrOr(op, "dilations", r, 1);
  windowPads(op, w);
  for (size_t d = 0; d < r; ++d)
    if (w.padBegin[d] < 0 || w.strides[d] <= 0 || w.dilations[d] <= 0)
      return op->emitOpError("conv with negative pads or non-positive strides/dilations"), failure();
  int64_t groups = intAttr(op, "group", 1);
  int64_t c = xs[1], m = ws[0], cg = ws[1];
  if (groups <= 0 || c != cg * groups || m % groups != 0 || ys[1] != m || ys[0] != xs[0] ||
      (bias && numElements(bias) != m))
    return op->emitOpError("conv channels do not match group ") << groups, failure();
  if (cg == 1)
    return emitDirectConv(op, km, launches, w, groups, x, wt, bias, y);
  return emitGemmConv(op, km, launches, w, groups, x, wt, bias, y);
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
  kb.finish({kBlock, 1, 1});
  Launch l = linearLaunch(kb.name(), total, kBlock);
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

} // namespace

void registerContractionGenerators(GeneratorTable &table) {
  table["kiln.matmul"] = generateMatMul;
  table["kiln.gemm"] = generateGemm;
  table["kiln.conv"] = generateConv;
  table["kiln.conv_transpose"] = generateConvTranspose;
}

} // namespace kiln::codegen
