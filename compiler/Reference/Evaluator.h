// The reference evaluator: a plain C++ CPU interpreter of kiln ops with ONNX semantics,
// the oracle for tests and `kiln run --reference`.
#ifndef KILN_REFERENCE_EVALUATOR_H
#define KILN_REFERENCE_EVALUATOR_H

#include "compiler/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

namespace kiln::ref {

/// Computes one op. `operands` has one entry per op operand (nullptr for a `none`
/// operand). `results` arrives with one Tensor per op result, already allocated
/// (zero-filled) with the result's static type (a default Tensor for a `none` result);
/// the kernel fills them. Data-dependent errors (an index out of range, say) are
/// emitted on `op` with emitOpError and return failure.
using Operands = llvm::ArrayRef<const Tensor *>;
using Results = llvm::MutableArrayRef<Tensor>;
using Kernel = mlir::LogicalResult (*)(mlir::Operation *op, Operands operands, Results results);

/// Kernels by op name ("kiln.add"). Each family file contributes a register function.
using KernelTable = llvm::StringMap<Kernel>;
void registerElementwiseKernels(KernelTable &table);   // Elementwise.cpp
void registerReductionKernels(KernelTable &table);     // Reduction.cpp
void registerNormalizationKernels(KernelTable &table); // Normalization.cpp
void registerDataMovementKernels(KernelTable &table);  // DataMovement.cpp
void registerContractionKernels(KernelTable &table);   // Contraction.cpp (MatMul, Gemm, Conv, ConvTranspose)
void registerPoolingKernels(KernelTable &table);       // Pooling.cpp
void registerRecurrentKernels(KernelTable &table);     // Recurrent.cpp (RNN, GRU, LSTM)
void registerQuantizedKernels(KernelTable &table);     // Quantized.cpp
void registerAlgebraKernels(KernelTable &table);       // Algebra.cpp (Einsum, Det)
void registerSignalKernels(KernelTable &table);        // Signal.cpp (DFT, STFT, windows, MelWeightMatrix)
void registerSamplingKernels(KernelTable &table);      // Sampling.cpp (GridSample, RoiAlign, MaxUnpool)
void registerFusedKernels(KernelTable &table);         // Evaluator.cpp (kiln.fused: its body)
/// All of the above (built once).
const KernelTable &kernelTable();

/// Evaluates `func` (kiln ops over static shapes) on `inputs`, one per argument, whose
/// dtypes and shapes must match the arguments. Returns one tensor per function result.
/// Unsupported ops, dynamic shapes and data-dependent errors are emitted as diagnostics
/// on the offending op; the result is then failure.
mlir::FailureOr<std::vector<Tensor>> evaluate(mlir::func::FuncOp func,
                                              llvm::ArrayRef<Tensor> inputs);

} // namespace kiln::ref

#endif // KILN_REFERENCE_EVALUATOR_H
