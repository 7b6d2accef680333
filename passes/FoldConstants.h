// Constant folding of kiln ops through the reference evaluator's kernels.
#ifndef KILN_PASSES_FOLDCONSTANTS_H
#define KILN_PASSES_FOLDCONSTANTS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::kiln {

/// Replaces `op` by kiln.constant results when its value is known at compile time:
/// kiln.shape and kiln.size of a static tensor, and any op whose operands are all
/// constants (or none) and whose results are static, computed by its reference kernel.
/// Results over kFoldLimitElements are folded only when no constant operand has
/// another user, so weights are never duplicated, and results over kMaxFoldElements
/// never (they stay ops for the GPU), so folding is bounded in time and memory whatever
/// a model's constants say. Returns failure only when the kernel
/// reports a data error (emitted on `op`); an op that cannot be folded is left alone.
/// When `replacements` is given and `op` was folded, it receives the value that replaced
/// each result (null for an absent optional result); it stays empty otherwise.
LogicalResult foldToConstants(Operation *op, SmallVectorImpl<Value> *replacements = nullptr);

/// Largest result (in elements) that folding may create from shared constants.
constexpr int64_t kFoldLimitElements = 1 << 16;
/// Largest result (in elements) that folding creates at all: 64 MiB of f32.
constexpr int64_t kMaxFoldElements = 1 << 24;

} // namespace mlir::kiln

#endif // KILN_PASSES_FOLDCONSTANTS_H
