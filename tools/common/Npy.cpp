// .npy reading and writing: a strict parser for the header dict NumPy writes, plus the raw data.
#include "tools/common/Npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace kiln::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct DTypeInfo {
  DType dtype;
  char kind;  // numpy kind letter
  size_t size;
  const char* descr;
  const char* name;
};

constexpr DTypeInfo kTypes[] = {
    {DType::F16, 'f', 2, "<f2", "f16"}, {DType::F32, 'f', 4, "<f4", "f32"}, {DType::F64, 'f', 8, "<f8", "f64"},
    {DType::I8, 'i', 1, "|i1", "i8"},   {DType::I16, 'i', 2, "<i2", "i16"}, {DType::I32, 'i', 4, "<i4", "i32"},
    {DType::I64, 'i', 8, "<i8", "i64"}, {DType::U8, 'u', 1, "|u1", "u8"},   {DType::U16, 'u', 2, "<u2", "u16"},
    {DType::U32, 'u', 4, "<u4", "u32"}, {DType::U64, 'u', 8, "<u8", "u64"}, {DType::Bool, 'b', 1, "|b1", "bool"},
};

const DTypeInfo& info(DType dtype) {
  for (const DTypeInfo& t : kTypes)
    if (t.dtype == dtype) return t;
  return kTypes[1];
}

// A cursor over the header's Python-literal dict.
class HeaderParser {
 public:
  explicit HeaderParser(const std::string& text) : s_(text) {}

  bool parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape, std::string& error) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    if (!expect('{')) return fail("header is not a dict", error);
    while (true) {
      skipSpace();
      if (peek() == '}') break;
      std::string key;
      if (!readString(key)) return fail("malformed header key", error);
      if (!expect(':')) return fail("missing ':' after key '" + key + "'", error);
      if (key == "descr") {
        skipSpace();
        if (peek() != '\'' && peek() != '"')
          return fail("descr is not a plain type string (structured dtypes are not supported)", error);
        if (!readString(descr)) return fail("malformed descr", error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (!readBool(fortran)) return fail("fortran_order is not True or False", error);
        haveFortran = true;
      } else if (key == "shape") {
        if (!readShape(shape)) return fail("malformed shape", error);
        haveShape = true;
      } else {
        return fail("unexpected header key '" + key + "'", error);
      }
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') return fail("expected ',' or '}' in header", error);
    }
    ++pos_;
    if (!haveDescr || !haveFortran || !haveShape)
      return fail("header lacks descr, fortran_order or shape", error);
    skipSpace();
    if (pos_ != s_.size()) return fail("trailing characters after the header dict", error);
    return true;
  }

 private:
  static bool fail(const std::string& message, std::string& error) {
    error = "malformed .npy header: " + message;
    return false;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  bool expect(char c) {
    skipSpace();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool readString(std::string& out) {
    skipSpace();
    const char quote = peek();
    if (quote != '\'' && quote != '"') return false;
    const size_t end = s_.find(quote, pos_ + 1);
    if (end == std::string::npos) return false;
    out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return true;
  }
  bool readBool(bool& out) {
    skipSpace();
    if (s_.compare(pos_, 4, "True") == 0) {
      out = true;
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      out = false;
      pos_ += 5;
      return true;
    }
    return false;
  }
  bool readShape(std::vector<int64_t>& shape) {
    shape.clear();
    if (!expect('(')) return false;
    while (true) {
      skipSpace();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') return false;
      int64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (value > (INT64_MAX - 9) / 10) return false;
        value = value * 10 + (s_[pos_++] - '0');
      }
      // NumPy writes Python ints; old files may carry an 'L' suffix.
      if (peek() == 'L') ++pos_;
      shape.push_back(value);
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') return false;
    }
    ++pos_;
    return true;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

uint64_t elements(const std::vector<int64_t>& shape, bool& overflow) {
  uint64_t n = 1;
  overflow = false;
  for (int64_t d : shape) {
    if (d < 0) {
      overflow = true;
      return 0;
    }
    if (d != 0 && n > UINT64_MAX / static_cast<uint64_t>(d)) {
      overflow = true;
      return 0;
    }
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

}  // namespace

uint64_t Array::elementCount() const {
  bool overflow;
  return elements(shape, overflow);
}

size_t itemSize(DType dtype) { return info(dtype).size; }
const char* descr(DType dtype) { return info(dtype).descr; }
const char* name(DType dtype) { return info(dtype).name; }

bool parseDescr(const std::string& d, DType& out, std::string& error) {
  if (d.size() < 3) {
    error = "unsupported .npy dtype '" + d + "'";
    return false;
  }
  const char order = d[0];
  const char kind = d[1];
  const std::string digits = d.substr(2);
  size_t size = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || size > 1000) {
      error = "unsupported .npy dtype '" + d + "'";
      return false;
    }
    size = size * 10 + size_t(c - '0');
  }
  if (order == '>' && size > 1) {
    error = "big-endian .npy data ('" + d + "') is not supported; convert with arr.astype(arr.dtype.newbyteorder('<'))";
    return false;
  }
  if (order != '<' && order != '|' && order != '=' && order != '>') {
    error = "unsupported byte order in .npy dtype '" + d + "'";
    return false;
  }
  for (const DTypeInfo& t : kTypes) {
    if (t.kind == kind && t.size == size) {
      out = t.dtype;
      return true;
    }
  }
  error = "unsupported .npy dtype '" + d + "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)";
  return false;
}

bool parse(const uint8_t* bytes, size_t size, Array& out, std::string& error) {
  if (size < kMagicSize + 2 || std::memcmp(bytes, kMagic, kMagicSize) != 0) {
    error = size < kMagicSize + 2 ? "truncated .npy file (no complete magic)" : "not a .npy file (bad magic)";
    return false;
  }
  const uint8_t major = bytes[6], minor = bytes[7];
  size_t headerLength, prefix;
  if (major == 1) {
    prefix = 10;
    if (size < prefix) {
      error = "truncated .npy file (no header length)";
      return false;
    }
    headerLength = size_t(bytes[8]) | size_t(bytes[9]) << 8;
  } else if (major == 2 || major == 3) {
    // v3 differs from v2 only in allowing a UTF-8 header, which plain dtypes never need.
    prefix = 12;
    if (size < prefix) {
      error = "truncated .npy file (no header length)";
      return false;
    }
    headerLength = size_t(bytes[8]) | size_t(bytes[9]) << 8 | size_t(bytes[10]) << 16 | size_t(bytes[11]) << 24;
  } else {
    error = "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor);
    return false;
  }
  if (headerLength > size - prefix) {
    error = "truncated .npy file (header runs past the end)";
    return false;
  }
  const std::string header(reinterpret_cast<const char*>(bytes + prefix), headerLength);
  std::string descrText;
  bool fortran = false;
  std::vector<int64_t> shape;
  if (!HeaderParser(header).parse(descrText, fortran, shape, error)) return false;
  DType dtype;
  if (!parseDescr(descrText, dtype, error)) return false;
  bool overflow;
  const uint64_t count = elements(shape, overflow);
  const uint64_t itemBytes = itemSize(dtype);
  if (overflow || count > UINT64_MAX / itemBytes) {
    error = "malformed .npy header: shape is too large";
    return false;
  }
  if (fortran && shape.size() > 1) {
    // A 0-d or 1-d array is the same in either order; anything else would be transposed.
    error = "Fortran-order .npy arrays are not supported; save with np.ascontiguousarray(arr)";
    return false;
  }
  const uint64_t dataBytes = count * itemBytes;
  const size_t available = size - prefix - headerLength;
  if (dataBytes > available) {
    error = "truncated .npy file: shape needs " + std::to_string(dataBytes) + " data bytes, found " +
            std::to_string(available);
    return false;
  }
  if (dataBytes < available) {
    error = "malformed .npy file: " + std::to_string(available - dataBytes) + " extra bytes after the data";
    return false;
  }
  out.dtype = dtype;
  out.shape = std::move(shape);
  const uint8_t* data = bytes + prefix + headerLength;
  out.data.assign(data, data + dataBytes);
  return true;
}

bool read(const std::string& path, Array& out, std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  const bool failed = std::ferror(file);
  std::fclose(file);
  if (failed) {
    error = "cannot read '" + path + "'";
    return false;
  }
  if (!parse(bytes.data(), bytes.size(), out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

bool serialize(const Array& array, std::vector<uint8_t>& out, std::string& error) {
  bool overflow;
  const uint64_t count = elements(array.shape, overflow);
  if (overflow || count > UINT64_MAX / itemSize(array.dtype) || count * itemSize(array.dtype) != array.data.size()) {
    error = "array data size " + std::to_string(array.data.size()) + " does not match its shape and dtype";
    return false;
  }
  std::string header = "{'descr': '";
  header += descr(array.dtype);
  header += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < array.shape.size(); ++i) {
    header += std::to_string(array.shape[i]);
    if (array.shape.size() == 1 || i + 1 < array.shape.size()) header += ",";
    if (i + 1 < array.shape.size()) header += " ";
  }
  header += "), }";
  // Pad with spaces so magic + length + header + '\n' is a multiple of 64.
  const bool v2 = header.size() + 1 + 10 + 63 > 0xFFFF;
  const size_t prefix = v2 ? 12 : 10;
  const size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  const size_t length = header.size();
  const uint8_t lengthBytes[4] = {uint8_t(length), uint8_t(length >> 8), uint8_t(length >> 16), uint8_t(length >> 24)};
  // One allocation and plain copies (GCC 12 misreports chained vector inserts as overflows).
  out.assign(prefix + length + array.data.size(), 0);
  std::memcpy(out.data(), kMagic, kMagicSize);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  std::memcpy(out.data() + 8, lengthBytes, prefix - 8);
  std::memcpy(out.data() + prefix, header.data(), length);
  if (!array.data.empty()) std::memcpy(out.data() + prefix + length, array.data.data(), array.data.size());
  return true;
}

bool write(const std::string& path, const Array& array, std::string& error) {
  std::vector<uint8_t> bytes;
  if (!serialize(array, bytes, error)) return false;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) {
    error = "cannot create '" + path + "': " + std::strerror(errno);
    return false;
  }
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  if (std::fclose(file) != 0 || !ok) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace kiln::npy
