// RNN, GRU and LSTM: their verifiers and the result shapes X, W and the layout imply.
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::shape;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool known(int64_t d) { return !ShapedType::isDynamic(d); }

/// `have` and `want` agree where both are known.
bool agree(int64_t have, int64_t want) { return !known(have) || !known(want) || have == want; }

/// The activation functions ONNX's recurrent ops accept (compared case-insensitively).
bool knownActivation(StringRef name) {
  for (const char *n : {"relu", "tanh", "sigmoid", "affine", "leakyrelu", "thresholdedrelu", "scaledtanh",
                        "hardsigmoid", "elu", "softsign", "softplus"})
    if (name.equals_insensitive(n))
      return true;
  return false;
}

int64_t directionsOf(StringRef direction) { return direction == "bidirectional" ? 2 : 1; }

template <typename Op>
LogicalResult verifyRecurrent(Op op) {
  StringRef direction = op.getDirection();
  if (!llvm::is_contained({"forward", "reverse", "bidirectional"}, direction))
    return op.emitOpError() << "direction must be forward, reverse or bidirectional, got '" << direction << "'";
  if (op.getLayout() != 0 && op.getLayout() != 1)
    return op.emitOpError() << "layout must be 0 or 1, got " << op.getLayout();
  if (auto acts = op.getActivations()) {
    int64_t want = op.activationCount() * directionsOf(direction);
    if (static_cast<int64_t>(acts->size()) != want)
      return op.emitOpError() << "needs " << want << " activations (" << op.activationCount() << " per direction), got "
                              << acts->size();
    for (Attribute a : *acts)
      if (!knownActivation(cast<StringAttr>(a).getValue()))
        return op.emitOpError() << "unknown activation '" << cast<StringAttr>(a).getValue() << "'";
  }
  if (auto clip = op.getClip(); clip && !(clip->convertToDouble() > 0))
    return op.emitOpError() << "clip must be positive";
  return success();
}

/// Checks the operands against each other and gives Y, Y_h (and Y_c) their shapes.
template <typename Op>
LogicalResult inferRecurrent(Op op, SmallVectorImpl<Type> &resultTypes, ArrayRef<Value> stateOperands,
                             Value peepholes) {
  auto x = cast<RankedTensorType>(op.getX().getType());
  auto w = cast<RankedTensorType>(op.getW().getType());
  auto r = cast<RankedTensorType>(op.getR().getType());
  if (x.getRank() != 3 || w.getRank() != 3 || r.getRank() != 3)
    return op.emitOpError() << "X, W and R must have rank 3, got " << x << ", " << w << " and " << r;
  bool batchFirst = op.getLayout() == 1;
  int64_t seq = x.getDimSize(batchFirst ? 1 : 0), batch = x.getDimSize(batchFirst ? 0 : 1);
  int64_t input = x.getDimSize(2), gates = op.gateCount();
  int64_t dirs = directionsOf(op.getDirection());
  int64_t hidden = op.getHiddenSize() ? *op.getHiddenSize()
                   : known(w.getDimSize(1)) ? w.getDimSize(1) / gates
                                            : kDyn;
  if (known(hidden) && hidden <= 0)
    return op.emitOpError() << "hidden_size must be positive, got " << hidden;
  auto gateRows = known(hidden) ? gates * hidden : kDyn;
  if (!agree(w.getDimSize(0), dirs) || !agree(w.getDimSize(1), gateRows) || !agree(w.getDimSize(2), input))
    return op.emitOpError() << "W is " << w << " but " << dirs << " direction(s), " << gates
                            << " gates of hidden_size " << hidden << " and input size " << input << " need ["
                            << dirs << ", " << gateRows << ", " << input << "]";
  if (!agree(r.getDimSize(0), dirs) || !agree(r.getDimSize(1), gateRows) || !agree(r.getDimSize(2), hidden))
    return op.emitOpError() << "R is " << r << " but it needs [" << dirs << ", " << gateRows << ", " << hidden << "]";
  if (!isAbsent(op.getB())) {
    auto b = cast<RankedTensorType>(op.getB().getType());
    if (b.getRank() != 2 || !agree(b.getDimSize(0), dirs) || !agree(b.getDimSize(1), known(gateRows) ? 2 * gateRows : kDyn))
      return op.emitOpError() << "B is " << b << " but it needs [" << dirs << ", 2 x " << gateRows << "]";
  }
  if (!isAbsent(op.getSequenceLens())) {
    auto s = cast<RankedTensorType>(op.getSequenceLens().getType());
    if (s.getRank() != 1 || !agree(s.getDimSize(0), batch))
      return op.emitOpError() << "sequence_lens is " << s << " but it needs one length per batch entry (" << batch
                              << ")";
  }
  // States are [dirs, batch, hidden], or [batch, dirs, hidden] with layout 1.
  SmallVector<int64_t> state = batchFirst ? SmallVector<int64_t>{batch, dirs, hidden}
                                          : SmallVector<int64_t>{dirs, batch, hidden};
  for (Value v : stateOperands) {
    if (isAbsent(v))
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 3 || llvm::any_of(llvm::zip(t.getShape(), state), [](auto p) {
          return !agree(std::get<0>(p), std::get<1>(p));
        }))
      return op.emitOpError() << "an initial state is " << t << " but it needs the shape of Y_h";
  }
  if (peepholes && !isAbsent(peepholes)) {
    auto p = cast<RankedTensorType>(peepholes.getType());
    if (p.getRank() != 2 || !agree(p.getDimSize(0), dirs) || !agree(p.getDimSize(1), known(hidden) ? 3 * hidden : kDyn))
      return op.emitOpError() << "P is " << p << " but it needs [" << dirs << ", 3 x " << hidden << "]";
  }
  Type element = x.getElementType();
  SmallVector<int64_t> y = batchFirst ? SmallVector<int64_t>{batch, seq, dirs, hidden}
                                      : SmallVector<int64_t>{seq, dirs, batch, hidden};
  for (auto [i, result] : llvm::enumerate(op->getResults()))
    resultTypes.push_back(isa<NoneType>(result.getType()) ? Type(NoneType::get(op.getContext()))
                                                          : Type(tensorOf(i == 0 ? y : state, element)));
  return success();
}

} // namespace

int64_t RNNOp::gateCount() { return 1; }
int64_t RNNOp::activationCount() { return 1; }
int64_t GRUOp::gateCount() { return 3; }
int64_t GRUOp::activationCount() { return 2; }
int64_t LSTMOp::gateCount() { return 4; }
int64_t LSTMOp::activationCount() { return 3; }

LogicalResult RNNOp::verify() { return verifyRecurrent(*this); }
LogicalResult GRUOp::verify() { return verifyRecurrent(*this); }
LogicalResult LSTMOp::verify() {
  if (getInputForget() != 0 && getInputForget() != 1)
    return emitOpError() << "input_forget must be 0 or 1";
  return verifyRecurrent(*this);
}

LogicalResult RNNOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferRecurrent(*this, resultTypes, {getInitialH()}, Value());
}
LogicalResult GRUOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferRecurrent(*this, resultTypes, {getInitialH()}, Value());
}
LogicalResult LSTMOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferRecurrent(*this, resultTypes, {getInitialH(), getInitialC()}, getP());
}
