// Reads a ModelProto from disk with protobuf's size limits lifted (weights can exceed
// the 64 MB default) and hands it to the graph importer.
#include "compiler/Import/OnnxImporter.h"

#include "kiln_onnx.pb.h"

#include "compiler/Dialect/Kiln/IR/KilnDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

using namespace mlir;

void (::kiln::loadImportDialects)(MLIRContext &context) {
  context.loadDialect<mlir::kiln::KilnDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp> (::kiln::importOnnxFile)(MLIRContext &context, StringRef path,
                                               const ImportOptions &options) {
  loadImportDialects(context);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                                   /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(fileLoc) << "cannot read model: " << buffer.getError().message();
    return nullptr;
  }
  onnx::ModelProto model;
  google::protobuf::io::ArrayInputStream raw((*buffer)->getBufferStart(),
                                             static_cast<int>((*buffer)->getBufferSize()));
  google::protobuf::io::CodedInputStream stream(&raw);
  stream.SetTotalBytesLimit(INT32_MAX);
  if ((*buffer)->getBufferSize() > INT32_MAX || !model.ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage()) {
    emitError(fileLoc) << "not a valid ONNX model (protobuf parse failed)";
    return nullptr;
  }
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  return importOnnxModel(context, model, dir, path, options);
}
