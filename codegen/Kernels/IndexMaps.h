// Transpose, Slice and Expand as index maps (result element -> source element), and contraction operands
// computed inside a fused region from one buffer through such maps, views and scalar-constant
// elementwise ops: the GEMM reads through the chain instead of a copy kernel writing it out.
#ifndef KILN_CODEGEN_KERNELS_INDEXMAPS_H
#define KILN_CODEGEN_KERNELS_INDEXMAPS_H

#include "codegen/Kernels/ElementwiseProgram.h"
#include "codegen/Kernels/KernelBuilder.h"

#include "mlir/IR/Operation.h"

#include <memory>
#include <optional>

namespace kiln::codegen {

/// Element c (coordinates in the result's shape) of a Transpose, Slice or Expand is element
/// base + sum(c[d] * strides[d]) of its input.
struct StridedMap {
  llvm::SmallVector<int64_t> shape; // the result's
  llvm::SmallVector<int64_t> strides;
  int64_t base = 0;
};
/// The values of a constant operand as integers (floats truncate), or nullopt.
std::optional<llvm::SmallVector<int64_t>> constInts(mlir::Value v);

/// The map of a kiln.transpose; errors are reported on op.
mlir::FailureOr<StridedMap> transposeMap(mlir::Operation *op);
/// The map of a kiln.slice with constant starts, ends, axes and steps; errors on op.
mlir::FailureOr<StridedMap> sliceMap(mlir::Operation *op);
/// The map of a kiln.expand (broadcast dimensions have stride 0); errors on op.
mlir::FailureOr<StridedMap> expandMap(mlir::Operation *op);

/// An operand of a region's root computed from `source` by `links`, innermost (closest to
/// the operand) first. Empty links: the operand is read as it is.
struct OperandChain {
  struct Link {
    mlir::Operation *op = nullptr;
    std::shared_ptr<StridedMap> map;                 // Transpose, Slice, Expand
    std::shared_ptr<ElementwiseProgram> elementwise; // an elementwise op on the loaded value
  };
  mlir::Value source;
  llvm::SmallVector<Link> links;
  /// Whether the operand's element i is the source's element i (views and elementwise only).
  bool identityIndex() const;
  /// Instructions per element the chain adds to a load (index arithmetic, elementwise ops).
  double cost() const;
};

/// Whether `op` can be a link of an operand chain (what kiln-fuse-regions puts in front of a
/// contraction root): Transpose, Slice or Expand with constant parameters, a view, or an elementwise
/// op whose other operands are one-element constants.
bool isChainLink(mlir::Operation *op);

/// The chain of `operand` inside its kiln.fused region (links are the ops of that region
/// between a body argument or outside value and the operand); errors on the failing op.
mlir::FailureOr<OperandChain> resolveOperandChain(mlir::Value operand);

/// Element `offset` (row-major in the operand's shape) of the operand, read from parameter
/// `param` (the chain's source) through the chain, in the compute type of `elem`.
mlir::Value loadThrough(KernelBuilder &kb, const OperandChain &chain, unsigned param, mlir::Value offset,
                        mlir::Type elem);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_INDEXMAPS_H
