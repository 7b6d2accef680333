// Builds a kiln.reshape to a static type with its shape as a constant operand; shared by the
// passes that turn data movement into reshapes.
#ifndef KILN_PASSES_STATICRESHAPE_H
#define KILN_PASSES_STATICRESHAPE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::kiln {

/// `data` reshaped to the static `type` (kiln.constant shape + kiln.reshape at `loc`).
Value createStaticReshape(OpBuilder &builder, Location loc, Value data, RankedTensorType type);

} // namespace mlir::kiln

#endif // KILN_PASSES_STATICRESHAPE_H
