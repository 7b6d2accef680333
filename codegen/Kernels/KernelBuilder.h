// Building blocks for kernel generators: the gpu.module being filled, a builder for one
// gpu.func over flat memrefs, and the launch description each host op turns into.
#ifndef KILN_CODEGEN_KERNELS_KERNELBUILDER_H
#define KILN_CODEGEN_KERNELS_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::codegen {

/// Arena memory that an op's own launches pass between each other and nobody else reads
/// (split-K partial sums): `count` elements of `elem`. Buffers of one op with the same
/// `id` are the same bytes; they live only while the op runs.
struct ScratchBuffer {
  unsigned id = 0;
  mlir::Type elem;
  int64_t count = 0;
};

/// One kernel launch: the gpu.func to run, its launch shape, and what its parameters are
/// bound to: the host tensors in `buffers`, then the op's scratch buffers in `scratch`
/// (one flat memref parameter each, in that order).
struct Launch {
  std::string kernel;
  std::array<uint32_t, 3> grid{{1, 1, 1}};
  std::array<uint32_t, 3> block{{1, 1, 1}};
  uint32_t sharedBytes = 0; // dynamic shared memory (static shared memory lives in the PTX)
  llvm::SmallVector<mlir::Value> buffers;
  llvm::SmallVector<ScratchBuffer> scratch;
  /// Constant buffers the kernel reads in another layout: (buffer index, permutation);
  /// the plan stores that constant transposed, dimension d of the stored copy being
  /// dimension perm[d] of the tensor (Conv's weights with input channels innermost).
  std::vector<std::pair<unsigned, llvm::SmallVector<int64_t, 6>>> relayouts;
};

/// The gpu.module that receives every kernel of a model. Kernels are deduplicated by a key
/// (see KernelKey.h): ops that are alike share one gpu.func.
class KernelModule {
public:
  /// Creates `gpu.module @kiln_kernels` at the end of `host`.
  explicit KernelModule(mlir::ModuleOp host);
  mlir::gpu::GPUModuleOp module() const { return module_; }
  /// A symbol not used yet, derived from `base` ("add" -> "add_3").
  std::string uniqueName(llvm::StringRef base);

private:
  mlir::gpu::GPUModuleOp module_;
  llvm::StringMap<unsigned> counters_;
};

/// Element type a tensor of `elem` is stored as in memory: signless integers of the same
/// width (i1 -> i8, one byte per bool as in ONNX), floats unchanged.
mlir::Type storageType(mlir::Type elem);
/// Number of elements of a ranked static tensor value.
int64_t numElements(mlir::Value tensor);
/// Number of elements of a static shape.
int64_t numElements(llvm::ArrayRef<int64_t> shape);
/// Row-major strides of `shape`, in elements.
llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

/// Builds one `gpu.func ... kernel` whose parameters are `memref<N x storage>` for each
/// tensor in `tensors`. Arithmetic helpers work on `index` values unless named otherwise.
class KernelBuilder {
public:
  /// With `vectorWidth` > 1 every parameter is `memref<N/w x vector<w x storage>>`
  /// instead (each tensor must hold a multiple of w elements), so loads and stores are
  /// single wide accesses: arena and weight offsets are 256-byte aligned.
  KernelBuilder(KernelModule &km, llvm::StringRef baseName, llvm::ArrayRef<mlir::Value> tensors,
                mlir::Location loc, unsigned vectorWidth = 1);
  /// Parameters for `tensors`, then one for each of the op's scratch buffers.
  KernelBuilder(KernelModule &km, llvm::StringRef baseName, llvm::ArrayRef<mlir::Value> tensors,
                llvm::ArrayRef<ScratchBuffer> scratch, mlir::Location loc, unsigned vectorWidth = 1);

  mlir::OpBuilder &b() { return builder_; }
  mlir::Location loc() const { return loc_; }
  mlir::MLIRContext *ctx() { return builder_.getContext(); }
  mlir::gpu::GPUFuncOp func() { return func_; }
  llvm::StringRef name() const { return name_; }

  /// Parameter `i` (a flat memref) and the element type of the tensor bound to it.
  mlir::Value param(unsigned i) { return func_.getArgument(i); }
  mlir::Type elementType(unsigned i) const { return elementTypes_[i]; }

  // Index arithmetic.
  mlir::Value idx(int64_t v);
  mlir::Value add(mlir::Value a, mlir::Value b);
  mlir::Value sub(mlir::Value a, mlir::Value b);
  mlir::Value mul(mlir::Value a, mlir::Value b);
  mlir::Value div(mlir::Value a, mlir::Value b); // unsigned: indices are never negative
  mlir::Value rem(mlir::Value a, mlir::Value b);
  mlir::Value mulC(mlir::Value a, int64_t c); // folds c == 1 / c == 0
  mlir::Value divC(mlir::Value a, int64_t c);
  mlir::Value remC(mlir::Value a, int64_t c);
  mlir::Value lt(mlir::Value a, mlir::Value b); // unsigned <
  mlir::Value ltC(mlir::Value a, int64_t c);
  mlir::Value min(mlir::Value a, mlir::Value b);
  mlir::Value select(mlir::Value c, mlir::Value a, mlir::Value b);
  /// Index from an integer value (sign-extended) and back.
  mlir::Value toIndex(mlir::Value integer);
  mlir::Value fromIndex(mlir::Value index, mlir::Type intType);

  // Scalar constants.
  mlir::Value constInt(mlir::Type type, int64_t v);
  mlir::Value constFloat(mlir::Type type, double v);
  mlir::Value constBool(bool v);
  /// A constant of any element type (float or integer) holding `v`.
  mlir::Value constOf(mlir::Type type, double v);

  // Thread geometry (as index).
  mlir::Value threadId(mlir::gpu::Dimension d);
  mlir::Value blockId(mlir::gpu::Dimension d);
  /// blockIdx.x * blockDim.x + threadIdx.x, with blockDim.x known to be `blockSize`.
  mlir::Value globalId(int64_t blockSize);

  // Memory. load/store convert between storage (i8) and compute (i1) for bools.
  mlir::Value load(unsigned paramIndex, mlir::Value linear);
  void store(unsigned paramIndex, mlir::Value linear, mlir::Value value);
  mlir::Value loadFrom(mlir::Value memref, mlir::Value linear);
  void storeTo(mlir::Value memref, mlir::Value linear, mlir::Value value);
  /// A static shared-memory buffer of `count` elements (a workgroup attribution), its
  /// start aligned to `alignment` bytes, and always to at least 16.
  mlir::Value sharedBuffer(mlir::Type elem, int64_t count, unsigned alignment = 0);
  /// `width` consecutive elements from `linear` on, as one access of `alignment` bytes
  /// (the caller guarantees the address is that aligned).
  llvm::SmallVector<mlir::Value> loadConsecutive(mlir::Value memref, mlir::Value linear, unsigned width,
                                                 unsigned alignment);
  /// Stores `values` to consecutive elements from `linear` on, as one access of
  /// `alignment` bytes (the caller guarantees the address is that aligned).
  void storeConsecutive(mlir::Value memref, mlir::Value linear, mlir::ValueRange values, unsigned alignment);
  void barrier();
  /// Warp shuffle (xor or down), 32 lanes, all active.
  mlir::Value shuffleXor(mlir::Value v, int32_t offset);
  mlir::Value shuffleDown(mlir::Value v, int32_t offset);

  // Control flow.
  void ifThen(mlir::Value cond, llvm::function_ref<void()> body);
  mlir::Value ifThenElse(mlir::Value cond, mlir::Type type, llvm::function_ref<mlir::Value()> thenBody,
                         llvm::function_ref<mlir::Value()> elseBody);
  /// The same for several values of `types`.
  llvm::SmallVector<mlir::Value> ifThenElse(mlir::Value cond, mlir::TypeRange types,
                                            llvm::function_ref<llvm::SmallVector<mlir::Value>()> thenBody,
                                            llvm::function_ref<llvm::SmallVector<mlir::Value>()> elseBody);
  void forLoop(mlir::Value lb, mlir::Value ub, mlir::Value step,
               llvm::function_ref<void(mlir::Value iv)> body);
  void forLoop(int64_t lb, int64_t ub, int64_t step, llvm::function_ref<void(mlir::Value iv)> body);
  /// A loop carrying values; `body` returns the next values.
  llvm::SmallVector<mlir::Value>
  forLoopCarry(mlir::Value lb, mlir::Value ub, mlir::Value step, mlir::ValueRange init,
               llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value iv, mlir::ValueRange acc)> body);

  /// Splits a linear index into coordinates of `shape` (row-major); dims of size 1 give 0.
  llvm::SmallVector<mlir::Value> delinearize(mlir::Value linear, llvm::ArrayRef<int64_t> shape);
  /// sum(coords[d] * strides[d]), skipping zero strides.
  mlir::Value linearize(llvm::ArrayRef<mlir::Value> coords, llvm::ArrayRef<int64_t> strides);

  /// Ends the body with gpu.return and records the block size the kernel is launched with.
  void finish(std::array<uint32_t, 3> block);

private:
  mlir::OpBuilder builder_;
  mlir::Location loc_;
  mlir::gpu::GPUFuncOp func_;
  std::string name_;
  llvm::SmallVector<mlir::Type> elementTypes_;
};

/// A launch of `n` independent work items, one per thread, `block` threads per block.
Launch linearLaunch(llvm::StringRef kernel, int64_t n, uint32_t block = 256);
/// Ends `kb`'s kernel (blocks of `block` threads) and appends its launch over `n` work
/// items, bound to `buffers` and `scratch`: the close of every one-thread-per-item kernel.
void finishLinear(KernelBuilder &kb, llvm::ArrayRef<mlir::Value> buffers, int64_t n,
                  llvm::SmallVectorImpl<Launch> &launches, llvm::ArrayRef<ScratchBuffer> scratch = {},
                  uint32_t block = 256);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_KERNELBUILDER_H
