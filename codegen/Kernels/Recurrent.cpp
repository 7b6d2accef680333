// RNN, GRU and LSTM as one kernel each: a block per (direction, batch entry) runs the
// whole time loop, the state in shared memory, one barrier-separated phase per step part.
#include "codegen/Kernels/Gemm.h"
#include "codegen/Kernels/Generators.h"
#include "codegen/Kernels/OpAccess.h"
#include "codegen/Kernels/ScalarOps.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Reference/Recurrent.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {
namespace {

/// A static sequence length lets the loop run inside one kernel: sequence lengths are
/// static, so there is no launch per step. Threads split the gate rows of a step; with
/// batch 1 and one direction that is one block, which suits the small hidden sizes of
/// the recurrent layers models ship (silero-vad: 64) and keeps the state on chip.
LogicalResult generateRecurrent(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches, int64_t gates,
                                int64_t perDirection) {
  const bool lstm = isa<k::LSTMOp>(op), gru = isa<k::GRUOp>(op);
  ref::RecurrentGeometry g = ref::recurrentGeometry(op, gates);
  std::vector<ref::Activation> acts = ref::recurrentActivations(op, perDirection, g.directions);
  Type elem = elemOf(op->getOperand(0));
  Type acc = computeType(elem);
  const int64_t H = g.hidden, I = g.input, G = gates * H, S = g.seq, B = g.batch, D = g.directions;
  std::optional<double> clip;
  if (auto c = op->getAttrOfType<FloatAttr>("clip"))
    clip = c.getValueAsDouble();
  const bool linearBeforeReset = gru && cast<k::GRUOp>(op).getLinearBeforeReset() != 0;
  const bool inputForget = lstm && cast<k::LSTMOp>(op).getInputForget() != 0;

  // Parameters: the present operands, then the present results.
  SmallVector<Value> buffers;
  auto bind = [&](Value v) -> int {
    if (isAbsent(v) || isa<NoneType>(v.getType()))
      return -1;
    buffers.push_back(v);
    return static_cast<int>(buffers.size() - 1);
  };
  const int X = bind(op->getOperand(0)), W = bind(op->getOperand(1)), R = bind(op->getOperand(2));
  const int Bias = bind(op->getOperand(3)), Lens = bind(op->getOperand(4)), H0 = bind(op->getOperand(5));
  const int C0 = lstm ? bind(op->getOperand(6)) : -1, P = lstm ? bind(op->getOperand(7)) : -1;
  const int Y = bind(op->getResult(0)), YH = bind(op->getResult(1)), YC = lstm ? bind(op->getResult(2)) : -1;

  const int64_t threads = std::min<int64_t>(256, std::max<int64_t>(32, llvm::alignTo(G, 32)));
  KernelBuilder kb(km, op->getName().stripDialect(), buffers, op->getLoc());
  Value t = kb.threadId(gpu::Dimension::x), bid = kb.blockId(gpu::Dimension::x);
  Value d = kb.divC(bid, B), b = kb.remC(bid, B);
  Value hs = kb.sharedBuffer(acc, H), gs = kb.sharedBuffer(acc, G), aux = kb.sharedBuffer(acc, H);
  Value cs = lstm ? kb.sharedBuffer(acc, H) : Value();
  Value zero = kb.constOf(acc, 0), one = kb.constOf(acc, 1);
  auto load = [&](int param, Value index) { return toCompute(kb, kb.load(param, index), elem); };
  auto clipped = [&](Value v) {
    if (!clip)
      return v;
    Value lo = kb.constOf(acc, -*clip), hi = kb.constOf(acc, *clip);
    Value c1 = arith::CmpFOp::create(kb.b(), kb.loc(), arith::CmpFPredicate::OLT, hi, v);
    v = kb.select(c1, hi, v);
    Value c2 = arith::CmpFOp::create(kb.b(), kb.loc(), arith::CmpFPredicate::OLT, v, lo);
    return kb.select(c2, lo, v);
  };
  auto act = [&](int64_t which, Value direction, Value v) {
    // Each direction may name its own functions: pick direction 1's where they differ.
    Value forward = emitActivation(kb, acts[which], v);
    if (D == 1)
      return forward;
    Value backward = emitActivation(kb, acts[perDirection + which], v);
    return kb.select(kb.ltC(direction, 1), forward, backward);
  };
  // State index, output index and input index, as the reference evaluator's geometry.
  auto stateIndex = [&](Value j) {
    return g.batchFirst ? kb.add(kb.mulC(kb.add(kb.mulC(b, D), d), H), j)
                        : kb.add(kb.mulC(kb.add(kb.mulC(d, B), b), H), j);
  };
  auto outputIndex = [&](Value tp, Value j) {
    Value row = g.batchFirst ? kb.add(kb.mulC(kb.add(kb.mulC(b, S), tp), D), d)
                             : kb.add(kb.mulC(kb.add(kb.mulC(tp, D), d), B), b);
    return kb.add(kb.mulC(row, H), j);
  };
  auto inputRow = [&](Value tp) {
    return kb.mulC(g.batchFirst ? kb.add(kb.mulC(b, S), tp) : kb.add(kb.mulC(tp, B), b), I);
  };

  // Sequence length of this batch entry (a uniform loop bound within the block).
  Value length = kb.idx(S);
  if (Lens >= 0) {
    Value raw = kb.toIndex(kb.load(Lens, b));
    length = kb.min(raw, kb.idx(S)); // lengths past S are clamped, as S is all there is
  }
  // Initial state.
  kb.forLoop(t, kb.idx(H), kb.idx(threads), [&](Value j) {
    kb.storeTo(hs, j, H0 >= 0 ? load(H0, stateIndex(j)) : zero);
    if (lstm)
      kb.storeTo(cs, j, C0 >= 0 ? load(C0, stateIndex(j)) : zero);
  });
  kb.barrier();
  Value reverse = g.reverseOnly ? kb.constBool(true) : arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::eq, d, kb.idx(1));
  kb.forLoop(kb.idx(0), length, kb.idx(1), [&](Value step) {
    Value tp = kb.select(reverse, kb.sub(kb.sub(length, kb.idx(1)), step), step);
    Value xRow = inputRow(tp);
    // Phase A: X W^T + b_W and H R^T + b_R for every gate row.
    kb.forLoop(t, kb.idx(G), kb.idx(threads), [&](Value row) {
      Value wRow = kb.mulC(kb.add(kb.mulC(d, G), row), I);
      Value rRow = kb.mulC(kb.add(kb.mulC(d, G), row), H);
      Value xv = Bias >= 0 ? load(Bias, kb.add(kb.mulC(d, 2 * G), row)) : zero;
      xv = kb.forLoopCarry(kb.idx(0), kb.idx(I), kb.idx(1), {xv}, [&](Value kk, ValueRange a) -> SmallVector<Value> {
        return {madd(kb, a[0], load(X, kb.add(xRow, kk)), load(W, kb.add(wRow, kk)))};
      })[0];
      auto recurrent = [&] {
        Value hv = Bias >= 0 ? load(Bias, kb.add(kb.mulC(d, 2 * G), kb.add(kb.idx(G), row))) : zero;
        return kb.forLoopCarry(kb.idx(0), kb.idx(H), kb.idx(1), {hv}, [&](Value kk, ValueRange a) -> SmallVector<Value> {
          return {madd(kb, a[0], kb.loadFrom(hs, kk), load(R, kb.add(rRow, kk)))};
        })[0];
      };
      if (!gru) {
        kb.storeTo(gs, row, addS(kb, xv, recurrent()));
        return;
      }
      // GRU's h gate combines its recurrent part with r later.
      Value hGate = arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::uge, row, kb.idx(2 * H));
      kb.ifThen(hGate, [&] {
        kb.storeTo(gs, row, xv);
        if (linearBeforeReset)
          kb.storeTo(aux, kb.sub(row, kb.idx(2 * H)), recurrent());
      });
      kb.ifThen(arith::CmpIOp::create(kb.b(), kb.loc(), arith::CmpIPredicate::ult, row, kb.idx(2 * H)),
                [&] { kb.storeTo(gs, row, addS(kb, xv, recurrent())); });
    });
    kb.barrier();
    // Phase B: the cell.
    if (gru) {
      kb.forLoop(t, kb.idx(2 * H), kb.idx(threads), [&](Value j) {
        kb.storeTo(gs, j, act(0, d, clipped(kb.loadFrom(gs, j))));
      });
      kb.barrier();
    }
    kb.forLoop(t, kb.idx(H), kb.idx(threads), [&](Value j) {
      Value h = kb.loadFrom(hs, j), next;
      if (gru) {
        Value z = kb.loadFrom(gs, j), r = kb.loadFrom(gs, kb.add(kb.idx(H), j));
        Value pre = kb.loadFrom(gs, kb.add(kb.idx(2 * H), j));
        if (linearBeforeReset) {
          pre = addS(kb, pre, mulS(kb, r, kb.loadFrom(aux, j)));
        } else {
          Value row = kb.add(kb.idx(2 * H), j);
          Value rRow = kb.mulC(kb.add(kb.mulC(d, G), row), H);
          Value hr = Bias >= 0 ? load(Bias, kb.add(kb.mulC(d, 2 * G), kb.add(kb.idx(G), row))) : zero;
          hr = kb.forLoopCarry(kb.idx(0), kb.idx(H), kb.idx(1), {hr}, [&](Value kk, ValueRange a) -> SmallVector<Value> {
            Value rh = mulS(kb, kb.loadFrom(gs, kb.add(kb.idx(H), kk)), kb.loadFrom(hs, kk));
            return {madd(kb, a[0], rh, load(R, kb.add(rRow, kk)))};
          })[0];
          pre = addS(kb, pre, hr);
        }
        Value hh = act(1, d, clipped(pre));
        // (1 - z) * hh + z * h
        next = addS(kb, mulS(kb, arith::SubFOp::create(kb.b(), kb.loc(), one, z), hh), mulS(kb, z, h));
      } else if (lstm) {
        auto peep = [&](int64_t which) {
          return P >= 0 ? load(P, kb.add(kb.mulC(d, 3 * H), kb.add(kb.idx(which * H), j))) : zero;
        };
        Value c = kb.loadFrom(cs, j);
        Value i = act(0, d, clipped(addS(kb, kb.loadFrom(gs, j), mulS(kb, peep(0), c))));
        Value f = inputForget ? Value(arith::SubFOp::create(kb.b(), kb.loc(), one, i))
                              : act(0, d, clipped(addS(kb, kb.loadFrom(gs, kb.add(kb.idx(2 * H), j)), mulS(kb, peep(2), c))));
        Value cc = act(1, d, clipped(kb.loadFrom(gs, kb.add(kb.idx(3 * H), j))));
        Value cNew = addS(kb, mulS(kb, f, c), mulS(kb, i, cc));
        Value o = act(0, d, clipped(addS(kb, kb.loadFrom(gs, kb.add(kb.idx(H), j)), mulS(kb, peep(1), cNew))));
        kb.storeTo(cs, j, cNew);
        next = mulS(kb, o, act(2, d, cNew));
      } else {
        next = act(0, d, clipped(kb.loadFrom(gs, j)));
      }
      kb.storeTo(aux, j, next);
    });
    kb.barrier();
    // Phase C: the new state, and Y at this step's position.
    kb.forLoop(t, kb.idx(H), kb.idx(threads), [&](Value j) {
      Value v = kb.loadFrom(aux, j);
      kb.storeTo(hs, j, v);
      if (Y >= 0)
        kb.store(Y, outputIndex(tp, j), fromCompute(kb, v, elem));
    });
    kb.barrier();
  });
  // Steps past this entry's length leave Y zero; the last state goes out.
  if (Y >= 0)
    kb.forLoop(kb.add(kb.mulC(length, H), t), kb.idx(S * H), kb.idx(threads), [&](Value e) {
      kb.store(Y, outputIndex(kb.divC(e, H), kb.remC(e, H)), fromCompute(kb, zero, elem));
    });
  kb.forLoop(t, kb.idx(H), kb.idx(threads), [&](Value j) {
    if (YH >= 0)
      kb.store(YH, stateIndex(j), fromCompute(kb, kb.loadFrom(hs, j), elem));
    if (YC >= 0)
      kb.store(YC, stateIndex(j), fromCompute(kb, kb.loadFrom(cs, j), elem));
  });
  kb.finish({static_cast<uint32_t>(threads), 1, 1});
  Launch l;
  l.kernel = kb.name().str();
  l.grid = {static_cast<uint32_t>(D * B), 1, 1};
  l.block = {static_cast<uint32_t>(threads), 1, 1};
  l.buffers = buffers;
  launches.push_back(std::move(l));
  return success();
}

LogicalResult generateRNN(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  return generateRecurrent(op, km, launches, 1, 1);
}
LogicalResult generateGRU(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  return generateRecurrent(op, km, launches, 3, 2);
}
LogicalResult generateLSTM(Operation *op, KernelModule &km, SmallVectorImpl<Launch> &launches) {
  return generateRecurrent(op, km, launches, 4, 3);
}

} // namespace

void registerRecurrentGenerators(GeneratorTable &table) {
  table["kiln.rnn"] = generateRNN;
  table["kiln.gru"] = generateGRU;
  table["kiln.lstm"] = generateLSTM;
}

} // namespace kiln::codegen
