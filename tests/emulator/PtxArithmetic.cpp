// What one PTX instruction computes from its operand values: ALU operations, conversions,
// comparisons and the value an atomic stores. Directed rounding switches the FPU mode.
#include "PtxArithmetic.h"

#include "HalfFloat.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>

namespace kiln::emu {

uint64_t mask(unsigned bytes) { return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1; }
int64_t sext(uint64_t v, unsigned bytes) {
  if (bytes >= 8)
    return static_cast<int64_t>(v);
  unsigned shift = 64 - 8 * bytes;
  return static_cast<int64_t>(v << shift) >> shift;
}
/// The register image of a value of type t: sign-extended for signed types, zero-extended otherwise.
uint64_t norm(Type t, uint64_t v) {
  if (t == Type::Pred)
    return v != 0;
  unsigned b = typeBytes(t);
  return isSigned(t) ? static_cast<uint64_t>(sext(v, b)) : v & mask(b);
}


namespace {

/// The bits of one type reinterpreted as another of the same size.
template <typename To, typename From> To bitCast(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}
float asF32(uint64_t v) { return bitCast<float>(static_cast<uint32_t>(v)); }
double asF64(uint64_t v) { return bitCast<double>(v); }
uint64_t fromF32(float f) { return bitCast<uint32_t>(f); }
uint64_t fromF64(double d) { return bitCast<uint64_t>(d); }

float ftz(float x) { return std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(0.0f, x) : x; }

/// Sets the FPU rounding mode for one operation; rn (the default) costs nothing.
class RoundingScope {
public:
  explicit RoundingScope(Round r) {
    int mode = r == Round::Rz || r == Round::Rzi ? FE_TOWARDZERO
               : r == Round::Rm || r == Round::Rmi ? FE_DOWNWARD
               : r == Round::Rp || r == Round::Rpi ? FE_UPWARD
                                                    : FE_TONEAREST;
    if (mode != FE_TONEAREST) {
      saved = std::fegetround();
      std::fesetround(mode);
    }
  }
  ~RoundingScope() {
    if (saved != -1)
      std::fesetround(saved);
  }

private:
  int saved = -1;
};

template <typename F> F roundToIntegral(F x, Round r) {
  switch (r) {
  case Round::Rzi: return std::trunc(x);
  case Round::Rmi: return std::floor(x);
  case Round::Rpi: return std::ceil(x);
  default: return std::nearbyint(x); // rni: ties to even under the default mode
  }
}

/// PTX min/max: a NaN operand yields the other one (both NaN: NaN) unless .NaN, and
/// -0 orders below +0.
template <typename F> F minMax(F a, F b, bool isMax, bool propagateNan) {
  if (std::isnan(a) || std::isnan(b)) {
    if (propagateNan || (std::isnan(a) && std::isnan(b)))
      return std::numeric_limits<F>::quiet_NaN();
    return std::isnan(a) ? b : a;
  }
  if (a == b && a == 0)
    return (std::signbit(a) != isMax) ? a : b;
  return isMax ? std::max(a, b) : std::min(a, b);
}

bool compareFloat(Cmp c, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (c) {
  case Cmp::Eq: return !unordered && a == b;
  case Cmp::Ne: return !unordered && a != b;
  case Cmp::Lt: return !unordered && a < b;
  case Cmp::Le: return !unordered && a <= b;
  case Cmp::Gt: return !unordered && a > b;
  case Cmp::Ge: return !unordered && a >= b;
  case Cmp::Equ: return unordered || a == b;
  case Cmp::Neu: return unordered || a != b;
  case Cmp::Ltu: return unordered || a < b;
  case Cmp::Leu: return unordered || a <= b;
  case Cmp::Gtu: return unordered || a > b;
  case Cmp::Geu: return unordered || a >= b;
  case Cmp::Num: return !unordered;
  case Cmp::Nan: return unordered;
  default: throw Fault{"unsupported floating-point comparison"};
  }
}

template <typename T> bool compareInt(Cmp c, T a, T b) {
  switch (c) {
  case Cmp::Eq: return a == b;
  case Cmp::Ne: return a != b;
  case Cmp::Lt: case Cmp::Lo: return a < b;
  case Cmp::Le: case Cmp::Ls: return a <= b;
  case Cmp::Gt: case Cmp::Hi: return a > b;
  case Cmp::Ge: case Cmp::Hs: return a >= b;
  default: throw Fault{"unsupported integer comparison"};
  }
}

/// Reads a floating-point register of type t as a double (exact for every PTX float type).
double readFloat(Type t, uint64_t v) {
  switch (t) {
  case Type::F16: return halfToDouble(static_cast<uint16_t>(v));
  case Type::BF16: return bfloatToDouble(static_cast<uint16_t>(v));
  case Type::F32: return asF32(v);
  case Type::F64: return asF64(v);
  default: throw Fault{"not a scalar floating-point type"};
  }
}

/// Rounds a double to float type t under rounding mode r.
uint64_t writeFloat(Type t, double x, Round r) {
  switch (t) {
  case Type::F16:
    if (r != Round::Rn && r != Round::Default)
      throw Fault{"only round-to-nearest conversions to f16 are supported"};
    return doubleToHalf(x);
  case Type::BF16:
    if (r != Round::Rn && r != Round::Default)
      throw Fault{"only round-to-nearest conversions to bf16 are supported"};
    return doubleToBfloat(x);
  case Type::F32: {
    RoundingScope scope(r);
    volatile double in = x;
    return fromF32(static_cast<float>(in));
  }
  case Type::F64: return fromF64(x);
  default: throw Fault{"not a scalar floating-point type"};
  }
}

/// Float to integer: PTX saturates to the destination range and turns NaN into 0.
uint64_t floatToInt(Type dst, double x, Round r) {
  if (std::isnan(x))
    return 0;
  x = roundToIntegral(x, r == Round::Default ? Round::Rzi : r);
  unsigned bytes = typeBytes(dst);
  if (isSigned(dst)) {
    double lo = -std::ldexp(1.0, 8 * bytes - 1), hi = std::ldexp(1.0, 8 * bytes - 1);
    if (x < lo)
      return norm(dst, static_cast<uint64_t>(1) << (8 * bytes - 1));
    if (x >= hi)
      return norm(dst, (static_cast<uint64_t>(1) << (8 * bytes - 1)) - 1);
    return norm(dst, static_cast<uint64_t>(static_cast<int64_t>(x)));
  }
  if (x <= 0)
    return 0;
  if (x >= std::ldexp(1.0, 8 * bytes))
    return mask(bytes);
  return static_cast<uint64_t>(x);
}
uint64_t convert(const Instr &in, uint64_t a, uint64_t b) {
  Type d = in.type, s = in.srcType;
  if (d == Type::F16x2 || d == Type::BF16x2) {
    // cvt.rn.f16x2.f32 d, a, b: a goes to the upper half.
    if (!isFloat(s) || in.src[1] == kNoSlot)
      throw Fault{"unsupported packed conversion"};
    Type half = d == Type::F16x2 ? Type::F16 : Type::BF16;
    return (writeFloat(half, readFloat(s, a), in.round) << 16) | writeFloat(half, readFloat(s, b), in.round);
  }
  if (!isFloat(d) && !isFloat(s)) {
    unsigned sb = typeBytes(s);
    int64_t sv = isSigned(s) ? sext(a, sb) : static_cast<int64_t>(a & mask(sb));
    if (in.sat) {
      unsigned db = typeBytes(d);
      if (isSigned(d)) {
        int64_t lo = db >= 8 ? INT64_MIN : -(int64_t(1) << (8 * db - 1));
        int64_t hi = db >= 8 ? INT64_MAX : (int64_t(1) << (8 * db - 1)) - 1;
        if (!isSigned(s) && (a & mask(sb)) > static_cast<uint64_t>(hi))
          return norm(d, static_cast<uint64_t>(hi));
        return norm(d, static_cast<uint64_t>(std::clamp(sv, lo, hi)));
      }
      if (isSigned(s) && sv < 0)
        return 0;
      return std::min<uint64_t>(static_cast<uint64_t>(sv), mask(db));
    }
    return norm(d, static_cast<uint64_t>(sv));
  }
  if (isFloat(d) && !isFloat(s)) {
    unsigned sb = typeBytes(s);
    if (d == Type::F32 || d == Type::F64) {
      RoundingScope scope(in.round);
      volatile int64_t sv = sext(a, sb);
      volatile uint64_t uv = a & mask(sb);
      if (d == Type::F32)
        return fromF32(isSigned(s) ? static_cast<float>(sv) : static_cast<float>(uv));
      return fromF64(isSigned(s) ? static_cast<double>(sv) : static_cast<double>(uv));
    }
    double v = isSigned(s) ? static_cast<double>(sext(a, sb)) : static_cast<double>(a & mask(sb));
    return writeFloat(d, v, in.round);
  }
  double x = readFloat(s, a);
  if (in.ftz && s == Type::F32)
    x = ftz(static_cast<float>(x));
  if (!isFloat(d))
    return floatToInt(d, x, in.round);
  if (in.round == Round::Rni || in.round == Round::Rzi || in.round == Round::Rmi || in.round == Round::Rpi)
    x = roundToIntegral(x, in.round);
  uint64_t r = writeFloat(d, x, in.round == Round::Default || in.round >= Round::Rni ? Round::Rn : in.round);
  if (in.sat) {
    double v = readFloat(d, r);
    v = std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 1.0);
    r = writeFloat(d, v, Round::Rn);
  }
  if (in.ftz && d == Type::F32)
    r = fromF32(ftz(asF32(r)));
  return r;
}

template <typename F> F floatOp(const Instr &in, F a, F b, F c) {
  RoundingScope scope(in.round);
  volatile F x = a, y = b, z = c;
  switch (in.op) {
  case Op::Add: return x + y;
  case Op::Sub: return x - y;
  case Op::Mul: return x * y;
  case Op::Fma: case Op::Mad: return std::fma(static_cast<F>(x), static_cast<F>(y), static_cast<F>(z));
  case Op::Div: return x / y;
  case Op::Neg: return -x;
  case Op::Abs: return std::fabs(static_cast<F>(x));
  case Op::Min: return minMax<F>(x, y, false, in.nan);
  case Op::Max: return minMax<F>(x, y, true, in.nan);
  case Op::Copysign: return std::copysign(static_cast<F>(y), static_cast<F>(x));
  case Op::Rcp: return F(1) / x;
  case Op::Sqrt: return std::sqrt(static_cast<F>(x));
  case Op::Rsqrt: return F(1) / std::sqrt(static_cast<F>(x));
  case Op::Ex2: return std::exp2(static_cast<F>(x));
  case Op::Lg2: return std::log2(static_cast<F>(x));
  case Op::Sin: return std::sin(static_cast<F>(x));
  case Op::Cos: return std::cos(static_cast<F>(x));
  case Op::Tanh: return std::tanh(static_cast<F>(x));
  default: throw Fault{"unsupported floating-point operation"};
  }
}

} // namespace

uint64_t evaluate(const Instr &in, uint64_t a, uint64_t b, uint64_t c, uint64_t d, bool &carry) {
  Type t = in.type;
  if (in.op == Op::Cvt)
    return convert(in, a, b);
  if (t == Type::F32) {
    float x = asF32(a), y = asF32(b), z = asF32(c);
    if (in.ftz)
      x = ftz(x), y = ftz(y), z = ftz(z);
    float r = floatOp<float>(in, x, y, z);
    if (in.sat)
      r = std::isnan(r) ? 0.0f : std::clamp(r, 0.0f, 1.0f);
    if (in.ftz)
      r = ftz(r);
    if (std::isnan(r) && in.op != Op::Neg && in.op != Op::Abs && in.op != Op::Copysign)
      return 0x7fffffffu; // a GPU's f32 arithmetic yields the canonical NaN, not x86's 0xffc00000
    return fromF32(r);
  }
  if (t == Type::F64)
    return fromF64(floatOp<double>(in, asF64(a), asF64(b), asF64(c)));
  if (isFloat(t))
    throw Fault{"arithmetic on f16/bf16 registers is not supported by the emulator"};

  unsigned bytes = typeBytes(t);
  bool s = isSigned(t);
  uint64_t m = mask(bytes);
  int64_t sa = sext(a, bytes), sb = sext(b, bytes);
  uint64_t ua = a & m, ub = b & m;
  unsigned bits = 8 * bytes;
  switch (in.op) {
  case Op::Add: case Op::Sub: {
    uint64_t carryIn = in.carryIn && carry ? 1 : 0;
    if (in.sat && s && bytes == 4) {
      int64_t r = in.op == Op::Add ? sa + sb : sa - sb;
      return norm(t, static_cast<uint64_t>(std::clamp<int64_t>(r, INT32_MIN, INT32_MAX)));
    }
    if (in.op == Op::Add) {
      unsigned __int128 r = static_cast<unsigned __int128>(ua) + ub + carryIn;
      if (in.carryOut)
        carry = (r >> bits) & 1;
      return norm(t, static_cast<uint64_t>(r));
    }
    // sub.cc sets CF on borrow; subc subtracts the borrow.
    unsigned __int128 r = static_cast<unsigned __int128>(ua) - ub - carryIn;
    if (in.carryOut)
      carry = (r >> bits) & 1;
    return norm(t, static_cast<uint64_t>(r));
  }
  case Op::Mul: case Op::Mad: {
    __int128 product = s ? static_cast<__int128>(sa) * sb
                         : static_cast<__int128>(static_cast<unsigned __int128>(ua) * ub);
    if (in.mul == MulMode::Wide) {
      Type wide = s ? (bytes == 2 ? Type::S32 : Type::S64) : (bytes == 2 ? Type::U32 : Type::U64);
      uint64_t r = static_cast<uint64_t>(product);
      if (in.op == Op::Mad)
        r += c;
      return norm(wide, r);
    }
    uint64_t part = in.mul == MulMode::Hi ? static_cast<uint64_t>(product >> bits) : static_cast<uint64_t>(product);
    if (in.op == Op::Mul)
      return norm(t, part);
    unsigned __int128 r = static_cast<unsigned __int128>(part & m) + (c & m) + (in.carryIn ? carry : 0);
    if (in.carryOut)
      carry = (r >> bits) & 1;
    return norm(t, static_cast<uint64_t>(r));
  }
  case Op::Div:
    if (ub == 0)
      return norm(t, s ? ~0ull : m); // undefined in PTX; must not trap the emulator
    if (s) {
      if (sb == -1)
        return norm(t, 0 - static_cast<uint64_t>(sa));
      return norm(t, static_cast<uint64_t>(sa / sb));
    }
    return ua / ub;
  case Op::Rem:
    if (ub == 0)
      return norm(t, a);
    if (s)
      return norm(t, sb == -1 ? 0 : static_cast<uint64_t>(sa % sb));
    return ua % ub;
  case Op::Neg: return norm(t, 0 - ua);
  case Op::Abs: return norm(t, sa < 0 ? 0 - static_cast<uint64_t>(sa) : static_cast<uint64_t>(sa));
  case Op::Min: return s ? norm(t, static_cast<uint64_t>(std::min(sa, sb))) : std::min(ua, ub);
  case Op::Max: return s ? norm(t, static_cast<uint64_t>(std::max(sa, sb))) : std::max(ua, ub);
  case Op::And: return t == Type::Pred ? (a && b) : norm(t, a & b);
  case Op::Or: return t == Type::Pred ? (a || b) : norm(t, a | b);
  case Op::Xor: return t == Type::Pred ? ((a != 0) != (b != 0)) : norm(t, a ^ b);
  case Op::Not: return t == Type::Pred ? !a : norm(t, ~a);
  case Op::Cnot: return norm(t, ua == 0 ? 1 : 0);
  case Op::Shl: {
    uint64_t n = b & 0xffffffffu;
    return n >= bits ? 0 : norm(t, ua << n);
  }
  case Op::Shr: {
    uint64_t n = b & 0xffffffffu;
    if (s)
      return norm(t, static_cast<uint64_t>(sa >> std::min<uint64_t>(n, bits - 1)));
    return n >= bits ? 0 : ua >> n;
  }
  case Op::Shf: {
    uint64_t n = in.shfWrap ? (c & 31) : std::min<uint64_t>(c & 0xffffffffu, 32);
    uint64_t pair = ((b & 0xffffffffu) << 32) | (a & 0xffffffffu);
    return in.shfLeft ? static_cast<uint32_t>((pair << n) >> 32) : static_cast<uint32_t>(pair >> n);
  }
  case Op::Prmt: {
    uint64_t bytesAB = ((b & 0xffffffffu) << 32) | (a & 0xffffffffu);
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) {
      unsigned sel = (c >> (4 * i)) & 0xf;
      uint32_t byte = (bytesAB >> (8 * (sel & 7))) & 0xff;
      if (sel & 8)
        byte = (byte & 0x80) ? 0xff : 0;
      r |= byte << (8 * i);
    }
    return r;
  }
  case Op::Bfe: {
    unsigned pos = b & 0xff, len = c & 0xff, msb = bits - 1;
    uint64_t sbit = 0;
    if (s && len)
      sbit = (ua >> std::min(pos + len - 1, msb)) & 1;
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; ++i) {
      uint64_t bit = (i < len && pos + i <= msb) ? (ua >> (pos + i)) & 1 : sbit;
      r |= bit << i;
    }
    return norm(t, r);
  }
  case Op::Bfi: {
    unsigned pos = c & 0xff, len = d & 0xff;
    uint64_t r = ub;
    for (unsigned i = 0; i < len && pos + i < bits; ++i)
      r = (r & ~(1ull << (pos + i))) | (((ua >> i) & 1) << (pos + i));
    return norm(t, r);
  }
  case Op::Popc: return static_cast<uint64_t>(__builtin_popcountll(ua));
  case Op::Clz: return ua == 0 ? bits : static_cast<uint64_t>(__builtin_clzll(ua) - (64 - bits));
  case Op::Brev: {
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; ++i)
      r |= ((ua >> i) & 1) << (bits - 1 - i);
    return r;
  }
  default: throw Fault{"unsupported integer operation"};
  }
}

bool compare(const Instr &in, uint64_t a, uint64_t b, bool &complement) {
  Type t = in.type;
  bool r;
  if (isFloat(t)) {
    double x = readFloat(t, a), y = readFloat(t, b);
    if (in.ftz && t == Type::F32)
      x = ftz(static_cast<float>(x)), y = ftz(static_cast<float>(y));
    r = compareFloat(in.cmp, x, y);
  } else if (isSigned(t)) {
    r = compareInt<int64_t>(in.cmp, sext(a, typeBytes(t)), sext(b, typeBytes(t)));
  } else {
    r = compareInt<uint64_t>(in.cmp, a & mask(typeBytes(t)), b & mask(typeBytes(t)));
  }
  complement = !r;
  return r;
}

bool testp(const Instr &in, uint64_t a) {
  double x = readFloat(in.type, a);
  int k = std::fpclassify(in.type == Type::F32 ? static_cast<float>(x) : x);
  return in.test == TestKind::Finite       ? std::isfinite(x)
         : in.test == TestKind::Infinite   ? std::isinf(x)
         : in.test == TestKind::Number     ? !std::isnan(x)
         : in.test == TestKind::NotANumber ? std::isnan(x)
         : in.test == TestKind::Normal     ? k == FP_NORMAL
                                           : k == FP_SUBNORMAL;
}

uint64_t atomicUpdate(const Instr &in, uint64_t old, uint64_t b, uint64_t c) {
  unsigned bytes = typeBytes(in.type);
  Type t = in.type;
  uint64_t r;
  switch (in.atom) {
  case AtomOp::Add:
    r = t == Type::F32 ? fromF32(asF32(old) + asF32(b)) : t == Type::F64 ? fromF64(asF64(old) + asF64(b)) : old + b;
    break;
  case AtomOp::Min: case AtomOp::Max: {
    bool isMax = in.atom == AtomOp::Max;
    if (isFloat(t))
      throw Fault{"floating-point atomic min/max is not supported by the emulator"};
    bool less = isSigned(t) ? sext(old, bytes) < sext(b, bytes) : (old & mask(bytes)) < (b & mask(bytes));
    r = (less == isMax) ? b : old;
    break;
  }
  case AtomOp::Exch: r = b; break;
  case AtomOp::Cas: r = (old & mask(bytes)) == (b & mask(bytes)) ? c : old; break;
  case AtomOp::And: r = old & b; break;
  case AtomOp::Or: r = old | b; break;
  case AtomOp::Xor: r = old ^ b; break;
  case AtomOp::Inc: r = (old & mask(bytes)) >= (b & mask(bytes)) ? 0 : old + 1; break;
  case AtomOp::Dec: r = ((old & mask(bytes)) == 0 || (old & mask(bytes)) > (b & mask(bytes))) ? b : old - 1; break;
  default: throw Fault{"unsupported atomic operation"};
  }
  return r;
}

} // namespace kiln::emu
