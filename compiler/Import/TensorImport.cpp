// ONNX TensorProto/TypeProto -> MLIR types and DenseElementsAttr literals, including
// external data files, with every size checked against the declared shape.
#include "compiler/Import/TensorImport.h"

#include "kiln_onnx.pb.h"

#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <cstring>

using namespace mlir;

namespace {
// ONNX TensorProto.DataType codes.
enum DataType {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7,
  kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11, kUint32 = 12, kUint64 = 13,
  kComplex64 = 14, kComplex128 = 15, kBFloat16 = 16
};

// Tensors beyond this many elements are certainly corrupt dims, not real weights: the
// dialect's limit for any static tensor.
constexpr int64_t kMaxElements = mlir::kiln::shape::kMaxTensorElements;
} // namespace

StringRef (::kiln::dataTypeName)(int dataType) {
  static const char *names[] = {"UNDEFINED", "FLOAT",  "UINT8",     "INT8",       "UINT16",
                                "INT16",     "INT32",  "INT64",     "STRING",     "BOOL",
                                "FLOAT16",   "DOUBLE", "UINT32",    "UINT64",     "COMPLEX64",
                                "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
                                "FLOAT8E5M2", "FLOAT8E5M2FNUZ"};
  if (dataType >= 0 && dataType < static_cast<int>(std::size(names)))
    return names[dataType];
  return "UNKNOWN";
}

Type (::kiln::importElementType)(MLIRContext &ctx, int dataType, std::string &error) {
  auto uint = [&](unsigned w) { return IntegerType::get(&ctx, w, IntegerType::Unsigned); };
  auto sint = [&](unsigned w) { return IntegerType::get(&ctx, w); };
  switch (dataType) {
  case kFloat: return Float32Type::get(&ctx);
  case kDouble: return Float64Type::get(&ctx);
  case kFloat16: return Float16Type::get(&ctx);
  case kBFloat16: return BFloat16Type::get(&ctx);
  case kUint8: return uint(8);
  case kUint16: return uint(16);
  case kUint32: return uint(32);
  case kUint64: return uint(64);
  case kInt8: return sint(8);
  case kInt16: return sint(16);
  case kInt32: return sint(32);
  case kInt64: return sint(64);
  case kBool: return sint(1);
  default:
    error = ("element type " + dataTypeName(dataType) + " (" + std::to_string(dataType) +
             ") is not supported")
                .str();
    return {};
  }
}

RankedTensorType (::kiln::importTensorType)(MLIRContext &ctx, const onnx::TypeProto &type,
                                        std::string &error) {
  if (!type.has_tensor_type()) {
    error = "only tensor values are supported (not sequences, maps, optionals or sparse tensors)";
    return {};
  }
  const auto &tensor = type.tensor_type();
  Type element = importElementType(ctx, tensor.elem_type(), error);
  if (!element)
    return {};
  if (!tensor.has_shape())
    return {};
  if (tensor.shape().dim_size() > mlir::kiln::shape::kMaxRank) {
    error = "rank " + std::to_string(tensor.shape().dim_size()) + " is above kiln's limit of " +
            std::to_string(mlir::kiln::shape::kMaxRank);
    return {};
  }
  SmallVector<int64_t> dims;
  int64_t known = 1; // product of the known dimensions
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value()) {
      int64_t d = dim.dim_value();
      if (d < 0) {
        error = "negative dimension " + std::to_string(d);
        return {};
      }
      if (d > 0 && known > kMaxElements / d) {
        error = "dimension " + std::to_string(d) + " makes the tensor too large";
        return {};
      }
      known *= d;
      dims.push_back(d);
    } else {
      dims.push_back(ShapedType::kDynamic);
    }
  }
  return RankedTensorType::get(dims, element);
}

namespace {
// Reads `length` bytes at `offset` of an external data file (ONNX external_data keys).
bool readExternal(const onnx::TensorProto &tensor, StringRef modelDir, uint64_t expected,
                  std::vector<char> &out, std::string &error) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : tensor.external_data()) {
    auto parse = [&](uint64_t &into) {
      if (StringRef(entry.value()).getAsInteger(10, into)) {
        error = "external data " + entry.key() + " '" + entry.value() + "' is not a number";
        return false;
      }
      return true;
    };
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset") {
      if (!parse(offset))
        return false;
    } else if (entry.key() == "length") {
      uint64_t l;
      if (!parse(l))
        return false;
      length = l;
    }
  }
  if (location.empty()) {
    error = "external data has no location";
    return false;
  }
  // ONNX requires locations relative to the model's folder; refuse escapes.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::any_of(llvm::make_range(llvm::sys::path::begin(location), llvm::sys::path::end(location)),
                   [](StringRef part) { return part == ".."; })) {
    error = "external data location '" + location + "' must stay inside the model's folder";
    return false;
  }
  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read external data file '" + std::string(path) + "': " +
            buffer.getError().message();
    return false;
  }
  uint64_t size = (*buffer)->getBufferSize();
  uint64_t len = length.value_or(offset <= size ? size - offset : 0);
  if (offset > size || len > size - offset) {
    error = "external data [" + std::to_string(offset) + ", +" + std::to_string(len) +
            ") lies outside '" + location + "' (" + std::to_string(size) + " bytes)";
    return false;
  }
  // Checked before copying: the tensor's shape, not the file, bounds what is read.
  if (len != expected) {
    error = "external data holds " + std::to_string(len) + " bytes but the tensor's shape needs " +
            std::to_string(expected);
    return false;
  }
  const char *start = (*buffer)->getBufferStart() + offset;
  out.assign(start, start + len);
  return true;
}

// Packs ONNX's typed repeated fields into little-endian bytes of `width` per element.
template <typename Range>
std::vector<char> packInts(const Range &values, unsigned width) {
  std::vector<char> out(values.size() * width);
  size_t i = 0;
  for (auto v : values) {
    uint64_t bits = static_cast<uint64_t>(v);
    std::memcpy(out.data() + i * width, &bits, width); // x86-64 and aarch64 are little-endian
    ++i;
  }
  return out;
}

template <typename T, typename Range>
std::vector<char> packAs(const Range &values) {
  std::vector<char> out(values.size() * sizeof(T));
  size_t i = 0;
  for (auto v : values) {
    T t = static_cast<T>(v);
    std::memcpy(out.data() + i++ * sizeof(T), &t, sizeof(T));
  }
  return out;
}
} // namespace

DenseElementsAttr (::kiln::importTensor)(MLIRContext &ctx, const onnx::TensorProto &tensor,
                                     StringRef modelDir, std::string &error) {
  static_assert(llvm::endianness::native == llvm::endianness::little,
                "kiln reads ONNX's little-endian tensor data directly");
  Type element = importElementType(ctx, tensor.data_type(), error);
  if (!element)
    return {};
  if (tensor.has_segment()) {
    error = "segmented tensors are not supported";
    return {};
  }
  if (tensor.dims_size() > mlir::kiln::shape::kMaxRank) {
    error = "rank " + std::to_string(tensor.dims_size()) + " is above kiln's limit of " +
            std::to_string(mlir::kiln::shape::kMaxRank);
    return {};
  }
  SmallVector<int64_t> dims;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || (d > 0 && count > kMaxElements / d)) {
      error = "tensor dimension " + std::to_string(d) + " is invalid or too large";
      return {};
    }
    dims.push_back(d);
    count *= d;
  }
  auto type = RankedTensorType::get(dims, element);
  unsigned width = element.isInteger(1) ? 1 : element.getIntOrFloatBitWidth() / 8;

  std::vector<char> bytes;
  bool external = tensor.data_location() == onnx::TensorProto::EXTERNAL;
  if (external) {
    if (!readExternal(tensor, modelDir, static_cast<uint64_t>(count) * width, bytes, error))
      return {};
  } else if (tensor.has_raw_data()) {
    bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    switch (tensor.data_type()) {
    case kFloat: bytes = packAs<float>(tensor.float_data()); break;
    case kDouble: bytes = packAs<double>(tensor.double_data()); break;
    case kInt64: bytes = packAs<int64_t>(tensor.int64_data()); break;
    case kUint32: bytes = packInts(tensor.uint64_data(), 4); break;
    case kUint64: bytes = packAs<uint64_t>(tensor.uint64_data()); break;
    // int32_data holds every narrower type, fp16/bf16 as their bit patterns.
    case kInt32: bytes = packInts(tensor.int32_data(), 4); break;
    case kInt16: case kUint16: case kFloat16: case kBFloat16:
      bytes = packInts(tensor.int32_data(), 2); break;
    case kInt8: case kUint8: case kBool: bytes = packInts(tensor.int32_data(), 1); break;
    default: break;
    }
  }
  if (bytes.size() != static_cast<size_t>(count) * width) {
    error = "tensor of shape " + std::to_string(count) + " elements x " + std::to_string(width) +
            " bytes has " + std::to_string(bytes.size()) + " bytes of data";
    return {};
  }
  if (element.isInteger(1)) {
    SmallVector<bool> values(bytes.begin(), bytes.end());
    for (auto [i, b] : llvm::enumerate(bytes))
      values[i] = b != 0;
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(bytes.data(), bytes.size()));
}
