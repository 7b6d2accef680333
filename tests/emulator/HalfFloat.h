// IEEE half and bfloat16 conversions with round-to-nearest-even, for the emulator's cvt.
#ifndef KILN_TESTS_EMULATOR_HALFFLOAT_H
#define KILN_TESTS_EMULATOR_HALFFLOAT_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace kiln::emu {

/// Rounds a double to the nearest half (ties to even), straight from double so that no
/// intermediate rounding to float can change the result.
inline uint16_t doubleToHalf(double x) {
  uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (std::isnan(x))
    return sign | 0x7e00;
  double a = std::fabs(x);
  if (a >= 65520.0) // halfway between the largest half (65504) and 2^16 rounds to infinity
    return sign | 0x7c00;
  if (a < std::ldexp(1.0, -14)) {
    // Subnormal: multiples of 2^-24.
    double q = std::nearbyint(a * std::ldexp(1.0, 24)); // exact scaling; default rounding is to even
    return sign | static_cast<uint16_t>(q);
  }
  int e;
  double m = std::frexp(a, &e); // a = m * 2^e, m in [0.5, 1)
  double q = std::nearbyint(m * 2048.0); // 11 significant bits
  if (q == 2048.0) {
    q = 1024.0;
    ++e;
  }
  int exponent = e - 1 + 15;
  if (exponent >= 31)
    return sign | 0x7c00;
  return sign | static_cast<uint16_t>((exponent << 10) | (static_cast<int>(q) - 1024));
}

inline double halfToDouble(uint16_t h) {
  int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double v = exponent == 0    ? std::ldexp(mantissa, -24)
             : exponent == 31 ? (mantissa ? NAN : INFINITY)
                              : std::ldexp(mantissa + 1024, exponent - 25);
  return (h & 0x8000) ? -v : v;
}

inline uint16_t doubleToBfloat(double x) {
  if (std::isnan(x))
    return std::signbit(x) ? 0xffc0 : 0x7fc0;
  // Round the double to 8 significant bits directly (ties to even), then take the top
  // half of the float, which the rounded value fits exactly unless it overflows.
  double a = std::fabs(x);
  uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (a == 0 || std::isinf(a))
    return sign | (a == 0 ? 0 : 0x7f80);
  int e;
  std::frexp(a, &e);
  int quantum = std::max(e - 8, -133); // bfloat subnormals are multiples of 2^-133
  double q = std::ldexp(std::nearbyint(std::ldexp(a, -quantum)), quantum);
  if (q >= std::ldexp(1.0, 128))
    return sign | 0x7f80;
  float f = static_cast<float>(q);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return sign | static_cast<uint16_t>((bits >> 16) & 0x7fff);
}

inline double bfloatToDouble(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

} // namespace kiln::emu

#endif // KILN_TESTS_EMULATOR_HALFFLOAT_H
