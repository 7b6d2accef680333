// Reference kernels of ONNX's recurrent layers (RNN, GRU, LSTM), step by step in double.
#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/Recurrent.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <cmath>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {

double Activation::apply(double x) const {
  switch (kind) {
  case Kind::Relu: return x > 0 ? x : 0;
  case Kind::Tanh: return std::tanh(x);
  case Kind::Sigmoid: return 1 / (1 + std::exp(-x));
  case Kind::Affine: return alpha * x + beta;
  case Kind::LeakyRelu: return x >= 0 ? x : alpha * x;
  case Kind::ThresholdedRelu: return x > alpha ? x : 0;
  case Kind::ScaledTanh: return alpha * std::tanh(beta * x);
  case Kind::HardSigmoid: return std::max(0.0, std::min(1.0, alpha * x + beta));
  case Kind::Elu: return x >= 0 ? x : alpha * std::expm1(x);
  case Kind::Softsign: return x / (1 + std::fabs(x));
  case Kind::Softplus: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
  return x;
}

std::vector<Activation> recurrentActivations(Operation *op, int64_t perDirection, int64_t directions) {
  static const char *const kDefaults[3][3] = {{"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
  std::vector<std::string> names;
  if (auto acts = op->getAttrOfType<ArrayAttr>("activations")) {
    for (Attribute a : acts)
      names.push_back(cast<StringAttr>(a).getValue().lower());
  } else {
    for (int64_t d = 0; d < directions; ++d)
      for (int64_t i = 0; i < perDirection; ++i)
        names.push_back(StringRef(kDefaults[perDirection - 1][i]).lower());
  }
  ArrayRef<float> alphas, betas;
  if (auto a = op->getAttrOfType<DenseF32ArrayAttr>("activation_alpha"))
    alphas = a.asArrayRef();
  if (auto b = op->getAttrOfType<DenseF32ArrayAttr>("activation_beta"))
    betas = b.asArrayRef();
  // As onnxruntime does: each function that takes alpha (beta) consumes the next
  // value of the list, or its ONNX operator's default when the list is used up.
  size_t nextAlpha = 0, nextBeta = 0;
  auto take = [](ArrayRef<float> list, size_t &next, double fallback) {
    return next < list.size() ? static_cast<double>(list[next++]) : fallback;
  };
  std::vector<Activation> out;
  for (const std::string &name : names) {
    using K = Activation::Kind;
    Activation a;
    if (name == "relu") a.kind = K::Relu;
    else if (name == "tanh") a.kind = K::Tanh;
    else if (name == "sigmoid") a.kind = K::Sigmoid;
    else if (name == "affine") a = {K::Affine, take(alphas, nextAlpha, 1.0), take(betas, nextBeta, 0.0)};
    else if (name == "leakyrelu") a = {K::LeakyRelu, take(alphas, nextAlpha, 0.01), 0};
    else if (name == "thresholdedrelu") a = {K::ThresholdedRelu, take(alphas, nextAlpha, 1.0), 0};
    else if (name == "scaledtanh") a = {K::ScaledTanh, take(alphas, nextAlpha, 1.0), take(betas, nextBeta, 1.0)};
    else if (name == "hardsigmoid") a = {K::HardSigmoid, take(alphas, nextAlpha, 0.2), take(betas, nextBeta, 0.5)};
    else if (name == "elu") a = {K::Elu, take(alphas, nextAlpha, 1.0), 0};
    else if (name == "softsign") a.kind = K::Softsign;
    else if (name == "softplus") a.kind = K::Softplus;
    out.push_back(a);
  }
  return out;
}

RecurrentGeometry recurrentGeometry(Operation *op, int64_t gates) {
  RecurrentGeometry g;
  auto x = cast<RankedTensorType>(op->getOperand(0).getType());
  auto w = cast<RankedTensorType>(op->getOperand(1).getType());
  g.batchFirst = op->getAttrOfType<IntegerAttr>("layout") && op->getAttrOfType<IntegerAttr>("layout").getInt() == 1;
  g.seq = x.getDimSize(g.batchFirst ? 1 : 0);
  g.batch = x.getDimSize(g.batchFirst ? 0 : 1);
  g.input = x.getDimSize(2);
  g.directions = w.getDimSize(0);
  g.hidden = w.getDimSize(1) / gates;
  g.gates = gates;
  auto direction = op->getAttrOfType<StringAttr>("direction");
  g.reverseOnly = direction && direction.getValue() == "reverse";
  return g;
}

namespace {

bool present(Operation *op, unsigned result) { return !isa<NoneType>(op->getResult(result).getType()); }

/// Runs every direction and batch entry through `cell`, which updates the hidden state
/// `h` (and LSTM's `c`) from input step `x`, gate inputs computed with `gateInput`.
LogicalResult runRecurrent(Operation *op, Operands in, Results out, int64_t gates, int64_t perDirection) {
  RecurrentGeometry g = recurrentGeometry(op, gates);
  std::vector<Activation> acts = recurrentActivations(op, perDirection, g.directions);
  const Tensor &x = *in[0], &w = *in[1], &r = *in[2];
  const Tensor *bias = in[3], *lens = in[4], *h0 = in[5];
  bool lstm = isa<k::LSTMOp>(op), gru = isa<k::GRUOp>(op);
  const Tensor *c0 = lstm ? in[6] : nullptr, *peep = lstm ? in[7] : nullptr;
  std::optional<double> clip;
  if (auto c = op->getAttrOfType<FloatAttr>("clip"))
    clip = c.getValueAsDouble();
  bool linearBeforeReset = gru && cast<k::GRUOp>(op).getLinearBeforeReset() != 0;
  bool inputForget = lstm && cast<k::LSTMOp>(op).getInputForget() != 0;
  const int64_t H = g.hidden, I = g.input, G = gates * H;
  auto clipped = [&](double v) { return clip ? std::max(-*clip, std::min(*clip, v)) : v; };

  for (int64_t d = 0; d < g.directions; ++d) {
    bool reverse = g.reverseOnly || d == 1;
    const Activation *act = &acts[d * perDirection];
    for (int64_t b = 0; b < g.batch; ++b) {
      int64_t length = lens ? lens->getInt(b) : g.seq;
      if (length < 0 || length > g.seq)
        return op->emitOpError() << "sequence_lens[" << b << "] = " << length << " is outside [0, " << g.seq << "]";
      std::vector<double> h(H, 0), c(H, 0), gate(G), next(H), recur(H);
      for (int64_t j = 0; j < H; ++j) {
        int64_t s = g.stateIndex(d, b, j);
        if (h0)
          h[j] = h0->getDouble(s);
        if (c0)
          c[j] = c0->getDouble(s);
      }
      auto wb = [&](int64_t row) { return bias ? bias->getDouble(d * 2 * G + row) : 0.0; };
      auto rb = [&](int64_t row) { return bias ? bias->getDouble(d * 2 * G + G + row) : 0.0; };
      for (int64_t step = 0; step < length; ++step) {
        int64_t t = reverse ? length - 1 - step : step;
        // X W^T + b_W for every gate row, and H R^T + b_R (GRU's h gate apart).
        for (int64_t row = 0; row < G; ++row) {
          double xv = wb(row), hv = rb(row);
          for (int64_t k = 0; k < I; ++k)
            xv += x.getDouble(g.inputIndex(t, b, k)) * w.getDouble((d * G + row) * I + k);
          bool hGate = gru && row >= 2 * H;
          if (!hGate || linearBeforeReset)
            for (int64_t k = 0; k < H; ++k)
              hv += h[k] * r.getDouble((d * G + row) * H + k);
          gate[row] = hGate ? xv : xv + hv;
          if (hGate && linearBeforeReset)
            recur[row - 2 * H] = hv; // H Rh^T + Rbh, which r then scales
        }
        if (gru) {
          std::vector<double> z(H), rr(H);
          for (int64_t j = 0; j < H; ++j) {
            z[j] = act[0].apply(clipped(gate[j]));
            rr[j] = act[0].apply(clipped(gate[H + j]));
          }
          for (int64_t j = 0; j < H; ++j) {
            double pre = gate[2 * H + j];
            if (linearBeforeReset) {
              pre += rr[j] * recur[j];
            } else {
              double hr = rb(2 * H + j);
              for (int64_t k = 0; k < H; ++k)
                hr += rr[k] * h[k] * r.getDouble((d * G + 2 * H + j) * H + k);
              pre += hr;
            }
            double hh = act[1].apply(clipped(pre));
            next[j] = (1 - z[j]) * hh + z[j] * h[j];
          }
          h.swap(next);
        } else if (lstm) {
          // Gate rows: i, o, f, c; peepholes: i, o, f.
          auto p = [&](int64_t which, int64_t j) { return peep ? peep->getDouble(d * 3 * H + which * H + j) : 0.0; };
          for (int64_t j = 0; j < H; ++j) {
            double i = act[0].apply(clipped(gate[j] + p(0, j) * c[j]));
            double f = inputForget ? 1 - i : act[0].apply(clipped(gate[2 * H + j] + p(2, j) * c[j]));
            double cc = act[1].apply(clipped(gate[3 * H + j]));
            c[j] = f * c[j] + i * cc;
            double o = act[0].apply(clipped(gate[H + j] + p(1, j) * c[j]));
            next[j] = o * act[2].apply(c[j]);
          }
          h.swap(next);
        } else {
          for (int64_t j = 0; j < H; ++j)
            h[j] = act[0].apply(clipped(gate[j]));
        }
        if (present(op, 0))
          for (int64_t j = 0; j < H; ++j)
            out[0].setDouble(g.outputIndex(t, d, b, j), h[j]);
      }
      // Steps past the length leave Y zero (results arrive zero-filled).
      for (int64_t j = 0; j < H; ++j) {
        if (present(op, 1))
          out[1].setDouble(g.stateIndex(d, b, j), h[j]);
        if (lstm && present(op, 2))
          out[2].setDouble(g.stateIndex(d, b, j), c[j]);
      }
    }
  }
  return success();
}

LogicalResult rnn(Operation *op, Operands in, Results out) { return runRecurrent(op, in, out, 1, 1); }
LogicalResult gru(Operation *op, Operands in, Results out) { return runRecurrent(op, in, out, 3, 2); }
LogicalResult lstm(Operation *op, Operands in, Results out) { return runRecurrent(op, in, out, 4, 3); }

} // namespace

void registerRecurrentKernels(KernelTable &table) {
  table["kiln.rnn"] = rnn;
  table["kiln.gru"] = gru;
  table["kiln.lstm"] = lstm;
}

} // namespace kiln::ref
