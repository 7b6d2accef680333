// Tensor <-> .npy helpers for kiln-replay.
#include "Inputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace kiln::replay {
namespace {

float halfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  float value;
  if (exponent == 0) value = std::ldexp(float(mantissa), -24);
  else if (exponent == 31) value = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else value = std::ldexp(float(mantissa | 0x400u), int(exponent) - 25);
  return sign ? -value : value;
}

float bf16ToFloat(uint16_t b) {
  const uint32_t bits = uint32_t(b) << 16;
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

// Exact for the k/1024 values randomTensor produces (normal halves, |x| < 1).
uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
  if ((bits & 0x7FFFFFFFu) == 0) return sign;
  const int exponent = int((bits >> 23) & 0xFFu) - 127 + 15;
  return uint16_t(sign | uint16_t(exponent << 10) | uint16_t((bits >> 13) & 0x3FFu));
}

template <typename T>
T load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

// Value of element i as double, for summaries.
double element(kiln_dtype_t dtype, const uint8_t* data, uint64_t i) {
  switch (dtype) {
    case KILN_DTYPE_F32: return load<float>(data + i * 4);
    case KILN_DTYPE_F64: return load<double>(data + i * 8);
    case KILN_DTYPE_F16: return halfToFloat(load<uint16_t>(data + i * 2));
    case KILN_DTYPE_BF16: return bf16ToFloat(load<uint16_t>(data + i * 2));
    case KILN_DTYPE_I8: return load<int8_t>(data + i);
    case KILN_DTYPE_I16: return load<int16_t>(data + i * 2);
    case KILN_DTYPE_I32: return load<int32_t>(data + i * 4);
    case KILN_DTYPE_I64: return double(load<int64_t>(data + i * 8));
    case KILN_DTYPE_U8: case KILN_DTYPE_BOOL: return data[i];
    case KILN_DTYPE_U16: return load<uint16_t>(data + i * 2);
    case KILN_DTYPE_U32: return load<uint32_t>(data + i * 4);
    case KILN_DTYPE_U64: return double(load<uint64_t>(data + i * 8));
    default: return 0;
  }
}

bool isFloat(kiln_dtype_t dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64 || dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16;
}

}  // namespace

bool npyTypeFor(kiln_dtype_t dtype, npy::DType& out) {
  switch (dtype) {
    case KILN_DTYPE_F32: out = npy::DType::F32; return true;
    case KILN_DTYPE_F64: out = npy::DType::F64; return true;
    case KILN_DTYPE_F16: out = npy::DType::F16; return true;
    case KILN_DTYPE_BF16: out = npy::DType::U16; return true;
    case KILN_DTYPE_I8: out = npy::DType::I8; return true;
    case KILN_DTYPE_I16: out = npy::DType::I16; return true;
    case KILN_DTYPE_I32: out = npy::DType::I32; return true;
    case KILN_DTYPE_I64: out = npy::DType::I64; return true;
    case KILN_DTYPE_U8: out = npy::DType::U8; return true;
    case KILN_DTYPE_U16: out = npy::DType::U16; return true;
    case KILN_DTYPE_U32: out = npy::DType::U32; return true;
    case KILN_DTYPE_U64: out = npy::DType::U64; return true;
    case KILN_DTYPE_BOOL: out = npy::DType::Bool; return true;
    default: return false;
  }
}

std::string describe(const kiln_tensor_info_t& info) {
  std::string s = kiln_dtype_name(info.dtype);
  s += '[';
  for (uint32_t d = 0; d < info.rank; ++d) {
    if (d) s += ',';
    s += std::to_string(info.dims[d]);
  }
  return s + ']';
}

bool matches(const kiln_tensor_info_t& info, const npy::Array& array, std::string& error) {
  npy::DType expected;
  if (!npyTypeFor(info.dtype, expected)) {
    error = std::string("input '") + info.name + "' has a dtype kiln-replay cannot read";
    return false;
  }
  std::string shape = "[";
  for (size_t d = 0; d < array.shape.size(); ++d) shape += (d ? "," : "") + std::to_string(array.shape[d]);
  shape += "]";
  bool same = array.dtype == expected && array.shape.size() == info.rank;
  for (uint32_t d = 0; same && d < info.rank; ++d) same = array.shape[d] == info.dims[d];
  if (!same) {
    error = std::string("input '") + info.name + "' is " + describe(info) + " (as .npy " + npy::descr(expected) +
            ") but the file holds " + npy::name(array.dtype) + shape;
    return false;
  }
  return true;
}

std::vector<uint8_t> randomTensor(const kiln_tensor_info_t& info, uint64_t seed) {
  std::vector<uint8_t> data(info.byte_size);
  const size_t size = kiln_dtype_size(info.dtype);
  const uint64_t count = size ? info.byte_size / size : 0;
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
  for (uint64_t i = 0; i < count; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const int k = int(state >> 53) - 1024;  // [-1024, 1024)
    const float f = float(k) / 1024.0f;
    uint8_t* p = data.data() + i * size;
    const int64_t small = int64_t(state >> 62);  // [0, 4)
    switch (info.dtype) {
      case KILN_DTYPE_F32: std::memcpy(p, &f, 4); break;
      case KILN_DTYPE_F64: { const double d = f; std::memcpy(p, &d, 8); break; }
      case KILN_DTYPE_F16: { const uint16_t h = floatToHalf(f); std::memcpy(p, &h, 2); break; }
      case KILN_DTYPE_BF16: {
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        const uint16_t b = uint16_t(bits >> 16);
        std::memcpy(p, &b, 2);
        break;
      }
      case KILN_DTYPE_BOOL: *p = uint8_t(small & 1); break;
      default: std::memcpy(p, &small, size); break;  // little-endian: low bytes first
    }
  }
  return data;
}

std::string summarize(const kiln_tensor_info_t& info, const std::vector<uint8_t>& data) {
  const size_t size = kiln_dtype_size(info.dtype);
  const uint64_t count = size ? data.size() / size : 0;
  if (count == 0) return "empty";
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  uint64_t nan = 0, finite = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const double v = element(info.dtype, data.data(), i);
    if (std::isnan(v)) {
      ++nan;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    if (std::isfinite(v)) {
      sum += v;
      ++finite;
    }
  }
  char buf[256];
  if (isFloat(info.dtype))
    std::snprintf(buf, sizeof(buf), "min %.6g  max %.6g  mean %.6g%s", lo, hi, finite ? sum / double(finite) : 0.0,
                  nan ? ("  NaN " + std::to_string(nan)).c_str() : "");
  else
    std::snprintf(buf, sizeof(buf), "min %.0f  max %.0f", lo, hi);
  return buf;
}

std::string fileNameFor(const std::string& tensorName) {
  std::string out;
  for (char c : tensorName) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    out += safe ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

}  // namespace kiln::replay
