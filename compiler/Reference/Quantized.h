// Rounding and indexing rules of ONNX's quantization ops, shared by their reference kernels.
#ifndef KILN_REFERENCE_QUANTIZED_H
#define KILN_REFERENCE_QUANTIZED_H

#include "compiler/Reference/Tensor.h"

namespace kiln::ref {

/// `v` rounded half to even and saturated to uint8 (`to` U8) or int8; NaN gives 0.
int64_t quantizeValue(double v, DType to);

/// The index along `axis` of element `linear` of a row-major tensor of `shape`.
int64_t sliceOf(llvm::ArrayRef<int64_t> shape, int64_t axis, int64_t linear);

} // namespace kiln::ref

#endif // KILN_REFERENCE_QUANTIZED_H
