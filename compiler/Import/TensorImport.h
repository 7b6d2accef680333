// Conversion of ONNX element types, tensor types and tensor literals into MLIR.
#ifndef KILN_IMPORT_TENSORIMPORT_H
#define KILN_IMPORT_TENSORIMPORT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LLVM.h"
#include <string>

namespace onnx {
class TensorProto;
class TypeProto;
} // namespace onnx

namespace kiln {

/// The MLIR element type of an ONNX TensorProto.DataType code, or null with `error`
/// set (strings, complex and 8-bit floats are not supported).
mlir::Type importElementType(mlir::MLIRContext &ctx, int dataType, std::string &error);

/// The name of an ONNX data type code, for messages ("FLOAT", "STRING", ...).
llvm::StringRef dataTypeName(int dataType);

/// A tensor TypeProto as a ranked tensor type (dim_param and missing dims are dynamic).
/// Returns null without an error when the shape is absent (rank unknown), and null
/// with `error` set when the type cannot be represented.
mlir::RankedTensorType importTensorType(mlir::MLIRContext &ctx, const onnx::TypeProto &type,
                                        std::string &error);

/// The literal of a TensorProto (raw_data, typed fields, or external data stored
/// relative to `modelDir`), or null with `error` set.
mlir::DenseElementsAttr importTensor(mlir::MLIRContext &ctx, const onnx::TensorProto &tensor,
                                     llvm::StringRef modelDir, std::string &error);

} // namespace kiln

#endif // KILN_IMPORT_TENSORIMPORT_H
