// Elementwise ops over one index space, computed per element: one elementwise op, a
// fused elementwise region, or the epilogue a root kernel (GEMM, Conv) applies to its
// result as it stores it. The one place that turns ElementwiseMap ops into per-element
// code, with ScalarOps' semantics.
#ifndef KILN_CODEGEN_KERNELS_ELEMENTWISEPROGRAM_H
#define KILN_CODEGEN_KERNELS_ELEMENTWISEPROGRAM_H

#include "codegen/Kernels/KernelBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace kiln::codegen {

class ElementwiseProgram {
public:
  /// `ops` are ElementwiseMap ops and views (reshape, flatten, squeeze, unsqueeze) in
  /// program order, each with a result of the same number of elements, laid out alike:
  /// element i of every value is the i-th in row-major order. Values they read that none
  /// of them defines are the inputs: `seed` (a value the caller supplies per element: a
  /// root kernel's result), one-element constants (baked into the kernel), and buffers,
  /// read with broadcasting against the shape of the op that reads them. `outputs`
  /// (results of `ops`, or `seed`) are stored, each at the element's own index.
  ElementwiseProgram(llvm::ArrayRef<mlir::Operation *> ops, llvm::ArrayRef<mlir::Value> outputs,
                     int64_t numElements, mlir::Value seed = {});

  /// Whether `op` is a view the program passes through (its result is its operand's
  /// elements in the same order).
  static bool isView(mlir::Operation *op);

  /// Appends the input buffers, then the outputs, to a kernel's `buffers`; their
  /// parameters follow whatever `buffers` already held.
  void bind(llvm::SmallVectorImpl<mlir::Value> &buffers);

  /// True when every buffer is read and written at the element's own index (nothing
  /// broadcast), so the caller may use vector accesses.
  bool contiguous() const;
  /// Elements in the index space.
  int64_t numElements() const { return count_; }
  /// The buffers the program binds, inputs then outputs.
  llvm::ArrayRef<mlir::Value> buffers() const { return buffers_; }
  unsigned numInputBuffers() const { return inputBuffers_; }
  /// The parameter of buffer `i` (after bind).
  unsigned param(unsigned i) const { return firstParam_ + i; }
  /// "_relu", "_add_relu"...: the first ops' names, for kernel names.
  std::string nameSuffix() const;

  /// The values of the outputs, storage-ready in their element types (bools as i1), for
  /// one element: `seedValue` is the seed's value there (in its compute type), and
  /// `loadInput(buffer, view)` reads input buffer `buffer`'s element as seen by the ops
  /// of one result shape (view; 0 when contiguous()), as KernelBuilder::load does.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  compute(KernelBuilder &kb, mlir::Value seedValue,
          llvm::function_ref<mlir::Value(unsigned buffer, unsigned view)> loadInput) const;

  /// compute() for the element at `linear`, reading each input through its broadcast
  /// strides, then stores every output there.
  mlir::LogicalResult emitAt(KernelBuilder &kb, mlir::Value linear, mlir::Value seedValue = {}) const;
  /// emitAt for the seeds.size() consecutive elements from `linear` (a multiple of
  /// their count): inputs read at the elements' own index are loaded, and every output
  /// stored, as one vector (buffers start 256-byte aligned).
  mlir::LogicalResult emitRun(KernelBuilder &kb, mlir::Value linear, llvm::ArrayRef<mlir::Value> seeds) const;

private:
  /// How one input buffer is read by ops of one result shape: that shape and the
  /// buffer's broadcast strides over it, unit dimensions dropped and mergeable ones
  /// merged.
  struct View {
    llvm::SmallVector<int64_t> readerShape; // as the ops have it (the lookup key)
    llvm::SmallVector<int64_t> shape, strides;
    bool contiguous = false;
  };
  struct Input {
    mlir::Value value;
    mlir::DenseElementsAttr baked; // a one-element constant
    int buffer = -1;               // index into buffers_
    llvm::SmallVector<View, 1> views;
  };
  Input *inputFor(mlir::Value v);
  const Input *inputFor(mlir::Value v) const;
  static unsigned viewFor(const Input &in, llvm::ArrayRef<int64_t> readerShape);

  llvm::SmallVector<mlir::Operation *> ops_;
  llvm::SmallVector<mlir::Value> outputs_;
  mlir::Value seed_;
  llvm::SmallVector<Input> inputs_;
  llvm::SmallVector<mlir::Value> buffers_;
  unsigned inputBuffers_ = 0;
  unsigned firstParam_ = 0;
  int64_t count_ = 0;
};

/// The loop kernel of `program` (Elementwise.cpp): one thread per element, or per 16
/// bytes with vector accesses when nothing broadcasts.
mlir::LogicalResult emitElementwiseLoop(KernelModule &km, llvm::StringRef name, mlir::Location loc,
                                        ElementwiseProgram &program, llvm::SmallVectorImpl<Launch> &launches);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_ELEMENTWISEPROGRAM_H
