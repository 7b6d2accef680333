// What the reference evaluator and the GPU kernels of RNN, GRU and LSTM share: activation functions with their alpha and beta, and index geometry.
#ifndef KILN_REFERENCE_RECURRENT_H
#define KILN_REFERENCE_RECURRENT_H

#include "mlir/IR/Operation.h"

#include <cstdint>
#include <vector>

namespace kiln::ref {

/// One of the activation functions ONNX's recurrent ops take, with its parameters.
struct Activation {
  enum class Kind { Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu,
                    Softsign, Softplus };
  Kind kind = Kind::Tanh;
  double alpha = 0, beta = 0;
  double apply(double x) const;
};

/// The op's activations, `perDirection` per direction (the ONNX defaults when it names
/// none): each function that takes alpha or beta consumes the next value of
/// activation_alpha / activation_beta, or its operator's default once they run out.
std::vector<Activation> recurrentActivations(mlir::Operation *op, int64_t perDirection, int64_t directions);

/// Sizes and element offsets of a recurrent op with static shapes.
struct RecurrentGeometry {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, directions = 1, gates = 1;
  bool batchFirst = false;  // layout 1
  bool reverseOnly = false; // direction "reverse" (bidirectional: direction 1 is reverse)

  int64_t inputIndex(int64_t t, int64_t b, int64_t k) const {
    return ((batchFirst ? b * seq + t : t * batch + b) * input) + k;
  }
  int64_t outputIndex(int64_t t, int64_t d, int64_t b, int64_t j) const {
    return (batchFirst ? (b * seq + t) * directions + d : (t * directions + d) * batch + b) * hidden + j;
  }
  int64_t stateIndex(int64_t d, int64_t b, int64_t j) const {
    return (batchFirst ? b * directions + d : d * batch + b) * hidden + j;
  }
};
RecurrentGeometry recurrentGeometry(mlir::Operation *op, int64_t gates);

} // namespace kiln::ref

#endif // KILN_REFERENCE_RECURRENT_H
