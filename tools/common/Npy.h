// Reads and writes NumPy .npy files (format v1/v2, little-endian, C order) for the kiln tools.
#ifndef KILN_TOOLS_COMMON_NPY_H
#define KILN_TOOLS_COMMON_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::npy {

enum class DType { F16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, Bool };

// A dense C-order array; data holds elementCount() * itemSize(dtype) little-endian bytes.
struct Array {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // empty for a scalar
  std::vector<uint8_t> data;

  uint64_t elementCount() const;
};

size_t itemSize(DType dtype);
// The .npy descr string, e.g. "<f4", "|b1".
const char* descr(DType dtype);
// Short name used in messages, e.g. "f32", "bool".
const char* name(DType dtype);
// Parses a descr ("<f4", "|u1", "=i8"...); false with a reason for anything else.
bool parseDescr(const std::string& descr, DType& out, std::string& error);

// Parses a whole .npy file held in memory. On failure returns false and sets error
// (truncated data, Fortran order, big-endian, unsupported dtype, malformed header...).
bool parse(const uint8_t* bytes, size_t size, Array& out, std::string& error);
bool read(const std::string& path, Array& out, std::string& error);

// Serializes as v1.0 (v2.0 when the header needs more than 64 KiB); the header is
// padded so the data starts on a 64-byte boundary, as NumPy does. Fails if the data
// size does not match the shape.
bool serialize(const Array& array, std::vector<uint8_t>& out, std::string& error);
bool write(const std::string& path, const Array& array, std::string& error);

}  // namespace kiln::npy

#endif  // KILN_TOOLS_COMMON_NPY_H
