// Parses the value given to `--const NAME=VALUE`: an inline literal or a .npy file, checked against the input's declared type.
#ifndef KILN_PASSES_INPUTVALUE_H
#define KILN_PASSES_INPUTVALUE_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::kiln {

/// The value `text` gives an input declared as `declared`, or null with `error` set.
///
/// `text` is a path ending in `.npy` (its dtype must be the input's element type), or an
/// inline literal: a number (`16000`, `-2`, `1e-5`, `nan`, `inf`, `true`), or a nested
/// list of them (`[0, 2]`, `[[1, 2], [3, 4]]`) whose nesting gives the shape. Either way
/// the shape must match the declared one (same rank; the declared static sizes), except
/// that a single number fills any declared shape of one element. Numbers must be exact
/// in the element type: an integer input takes integers in its range, a bool input 0, 1,
/// true or false. Bounded: at most 2^24 elements inline, ranks up to kiln's limit.
DenseElementsAttr parseInputValue(llvm::StringRef text, RankedTensorType declared, std::string &error);

} // namespace mlir::kiln

#endif // KILN_PASSES_INPUTVALUE_H
