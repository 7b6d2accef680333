// Einsum equations: parsed once into labels per input axis and per output axis, for shape inference, the reference evaluator and codegen alike.
#ifndef KILN_DIALECT_KILN_IR_EINSUM_H
#define KILN_DIALECT_KILN_IR_EINSUM_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::kiln {

/// An Einsum with every label numbered: labels 0..ellipsisRank-1 are the broadcast
/// (ellipsis) axes, then one per letter. `sizes` holds each label's size (dynamic when
/// unknown), the largest of the broadcast sizes for ellipsis axes.
struct EinsumSpec {
  llvm::SmallVector<llvm::SmallVector<int, 6>> inputLabels; // per input, per axis
  llvm::SmallVector<int, 6> outputLabels;                   // per output axis
  llvm::SmallVector<int64_t, 8> sizes;                      // per label
  llvm::SmallVector<int, 6> summed;                         // labels not in the output
  int ellipsisRank = 0;
  int labelCount() const { return static_cast<int>(sizes.size()); }
};

/// Parses `equation` for inputs of `shapes` ("ij,jk->ik", "...ii->...i", implicit
/// outputs without "->"); nullopt with `error` set when it does not fit them.
std::optional<EinsumSpec> parseEinsum(llvm::StringRef equation, llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes,
                                      std::string &error);

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_EINSUM_H
