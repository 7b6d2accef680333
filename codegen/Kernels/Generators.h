// The kernel generators: each turns one kiln op of the static stage into GPU kernel launches.
#ifndef KILN_CODEGEN_KERNELS_GENERATORS_H
#define KILN_CODEGEN_KERNELS_GENERATORS_H

#include "codegen/Kernels/KernelBuilder.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"

namespace kiln::codegen {

/// Builds the kernels for `op` into `km` and appends their launches, in execution order,
/// to `launches`. Every operand and result has a static ranked tensor type; operands
/// defined by `kiln.none` are absent optionals. Small constant operands (axes, shapes,
/// scalars) may be read at compile time and baked into the kernel; a generator that
/// does so must not bind them as buffers. An unsupported form is an emitOpError and
/// failure. Results with zero elements never reach a generator.
using Generator = mlir::LogicalResult (*)(mlir::Operation *op, KernelModule &km,
                                          llvm::SmallVectorImpl<Launch> &launches);

/// Generators by op name ("kiln.add"); one register function per family file.
using GeneratorTable = llvm::StringMap<Generator>;
void registerElementwiseGenerators(GeneratorTable &table);   // Elementwise.cpp
void registerReductionGenerators(GeneratorTable &table);     // Reduction.cpp (reductions, softmax, norms)
void registerDataMovementGenerators(GeneratorTable &table);  // DataMovement.cpp
void registerContractionGenerators(GeneratorTable &table);   // Contraction.cpp (MatMul, Gemm, Conv, ConvTranspose)
void registerPoolingGenerators(GeneratorTable &table);       // Pool.cpp
void registerRecurrentGenerators(GeneratorTable &table);     // Recurrent.cpp (RNN, GRU, LSTM)
void registerQuantizedGenerators(GeneratorTable &table);     // Quantized.cpp
void registerAlgebraGenerators(GeneratorTable &table);       // Algebra.cpp (Einsum, Det)
void registerSignalGenerators(GeneratorTable &table);        // Signal.cpp (DFT, STFT, MelWeightMatrix)
void registerSamplingGenerators(GeneratorTable &table);      // Sampling.cpp (GridSample, RoiAlign, MaxUnpool)
/// All of the above, built once.
const GeneratorTable &generatorTable();

/// The generator of `op`: generateElementwise (Elementwise.cpp) for every op with the
/// ElementwiseMap trait, kiln.fused's (Fused.cpp), else the table's; null when none.
Generator generatorFor(mlir::Operation *op);
Generator elementwiseGenerator(); // Elementwise.cpp

class ElementwiseProgram;
/// Conv, Gemm and MatMul (Contraction.cpp) with an optional epilogue: when given, the
/// result is not stored but handed to `epilogue` as its seed, element by element, and
/// the kernels bind the epilogue's buffers after their own operands.
mlir::LogicalResult generateContraction(mlir::Operation *op, KernelModule &km, llvm::SmallVectorImpl<Launch> &launches,
                                        ElementwiseProgram *epilogue);
/// kiln.fused (Fused.cpp): one region, one kernel (two with split-K), by its kind.
mlir::LogicalResult generateFused(mlir::Operation *op, KernelModule &km, llvm::SmallVectorImpl<Launch> &launches);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_GENERATORS_H
