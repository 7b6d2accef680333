// Tensor <-> .npy helpers for kiln-replay.
#include "Inputs.h"

#include "tools/common/PlanExec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace kiln::replay {

using exec::element;
using exec::isFloat;
using exec::npyTypeFor;

namespace {

// Exact for the k/1024 values randomTensor produces (normal halves, |x| < 1).
uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
  if ((bits & 0x7FFFFFFFu) == 0) return sign;
  const int exponent = int((bits >> 23) & 0xFFu) - 127 + 15;
  return uint16_t(sign | uint16_t(exponent << 10) | uint16_t((bits >> 13) & 0x3FFu));
}

}  // namespace

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
