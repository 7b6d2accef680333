// Host tensors of the reference evaluator: dtype mapping, fp16/bf16 rounding, element access, MLIR literals.
#include "compiler/Reference/Tensor.h"
#include "compiler/Reference/KernelUtil.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinDialect.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;

namespace kiln::ref {

std::optional<DType> dtypeOf(Type t) {
  if (t.isF16()) return DType::F16;
  if (t.isBF16()) return DType::BF16;
  if (t.isF32()) return DType::F32;
  if (t.isF64()) return DType::F64;
  auto it = dyn_cast<IntegerType>(t);
  if (!it) return std::nullopt;
  unsigned w = it.getWidth();
  if (w == 1) return it.isUnsigned() ? std::nullopt : std::optional<DType>(DType::Bool);
  bool u = it.isUnsigned();
  switch (w) {
  case 8: return u ? DType::U8 : DType::I8;
  case 16: return u ? DType::U16 : DType::I16;
  case 32: return u ? DType::U32 : DType::I32;
  case 64: return u ? DType::U64 : DType::I64;
  default: return std::nullopt;
  }
}

Type toMlirType(DType d, MLIRContext *ctx) {
  Builder b(ctx);
  switch (d) {
  case DType::F32: return b.getF32Type();
  case DType::F64: return b.getF64Type();
  case DType::F16: return b.getF16Type();
  case DType::BF16: return b.getBF16Type();
  case DType::I8: return b.getIntegerType(8);
  case DType::I16: return b.getIntegerType(16);
  case DType::I32: return b.getIntegerType(32);
  case DType::I64: return b.getIntegerType(64);
  case DType::U8: return b.getIntegerType(8, /*isSigned=*/false);
  case DType::U16: return b.getIntegerType(16, false);
  case DType::U32: return b.getIntegerType(32, false);
  case DType::U64: return b.getIntegerType(64, false);
  case DType::Bool: return b.getI1Type();
  }
  return b.getF32Type();
}

size_t byteSize(DType d) {
  return dispatch(d, [](auto tag) { return sizeof(typename Storage<decltype(tag)::value>::type); });
}

bool isFloat(DType d) {
  return d == DType::F16 || d == DType::BF16 || d == DType::F32 || d == DType::F64;
}

bool isUnsigned(DType d) {
  return d == DType::U8 || d == DType::U16 || d == DType::U32 || d == DType::U64;
}

const char *dtypeName(DType d) {
  switch (d) {
  case DType::F32: return "f32";
  case DType::F64: return "f64";
  case DType::F16: return "f16";
  case DType::BF16: return "bf16";
  case DType::I8: return "i8";
  case DType::I16: return "i16";
  case DType::I32: return "i32";
  case DType::I64: return "i64";
  case DType::U8: return "ui8";
  case DType::U16: return "ui16";
  case DType::U32: return "ui32";
  case DType::U64: return "ui64";
  case DType::Bool: return "i1";
  }
  return "?";
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0) {
    // Subnormal (or zero): mant * 2^-24 is exact in float.
    float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31)
    return llvm::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  return llvm::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

/// Rounds `q` (the kept bits) up per round-to-nearest-even given the dropped bits.
static uint32_t roundKept(uint32_t q, uint32_t dropped, unsigned shift) {
  uint32_t half = 1u << (shift - 1);
  if (dropped > half || (dropped == half && (q & 1)))
    ++q;
  return q;
}

uint16_t floatToHalf(float f) {
  uint32_t x = llvm::bit_cast<uint32_t>(f);
  uint16_t sign = (x >> 16) & 0x8000;
  uint32_t a = x & 0x7fffffff;
  if (a > 0x7f800000) // NaN: stay quiet, keep the top payload bits.
    return sign | 0x7e00 | ((a >> 13) & 0x3ff);
  if (a >= 0x477ff000) // >= 65520 rounds to infinity (ties to even go up here).
    return sign | 0x7c00;
  uint32_t e = a >> 23;
  if (e < 113) { // below 2^-14: a half subnormal, unit 2^-24.
    unsigned shift = 126 - e;
    if (shift > 24)
      return sign;
    uint32_t m = (a & 0x7fffff) | 0x800000;
    return sign | roundKept(m >> shift, m & ((1u << shift) - 1), shift);
  }
  uint32_t q = ((e - 112) << 10) | ((a & 0x7fffff) >> 13);
  return sign | roundKept(q, a & 0x1fff, 13); // a carry into the exponent is correct
}

float bf16ToFloat(uint16_t bits) { return llvm::bit_cast<float>(uint32_t(bits) << 16); }

uint16_t floatToBf16(float f) {
  uint32_t x = llvm::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffff) > 0x7f800000)
    return uint16_t((x >> 16) | 0x40);
  return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

/// double -> float rounding to odd, so that a second rounding to half or bf16 (which keep
/// far fewer bits) is the same as rounding the double directly.
float toFloatOdd(double d) {
  float f = static_cast<float>(d);
  if (std::isfinite(f) && static_cast<double>(f) != d) {
    uint32_t bits = llvm::bit_cast<uint32_t>(f);
    // Step toward d by truncation, then set the sticky bit.
    if (std::fabs(static_cast<double>(f)) > std::fabs(d))
      --bits;
    bits |= 1;
    f = llvm::bit_cast<float>(bits);
  }
  return f;
}

uint16_t doubleToHalf(double d) { return floatToHalf(toFloatOdd(d)); }
uint16_t doubleToBf16(double d) { return floatToBf16(toFloatOdd(d)); }


Tensor::Tensor(DType dtype, llvm::ArrayRef<int64_t> shape) : dtype_(dtype), shape_(shape) {
  bytes_.assign(static_cast<size_t>(numElements()) * byteSize(dtype), 0);
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape_)
    n *= d;
  return n;
}

llvm::SmallVector<int64_t> Tensor::strides() const {
  llvm::SmallVector<int64_t> s(shape_.size(), 1);
  for (int64_t i = rank() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape_[i + 1];
  return s;
}

double Tensor::getDouble(int64_t i) const {
  switch (dtype_) {
  case DType::F16: return halfToFloat(data<uint16_t>()[i]);
  case DType::BF16: return bf16ToFloat(data<uint16_t>()[i]);
  default:
    return dispatch(dtype_, [&](auto tag) {
      using T = typename Storage<decltype(tag)::value>::type;
      return static_cast<double>(data<T>()[i]);
    });
  }
}

void Tensor::setDouble(int64_t i, double v) {
  switch (dtype_) {
  case DType::F16: data<uint16_t>()[i] = doubleToHalf(v); return;
  case DType::BF16: data<uint16_t>()[i] = doubleToBf16(v); return;
  case DType::F32: data<float>()[i] = static_cast<float>(v); return;
  case DType::F64: data<double>()[i] = v; return;
  case DType::Bool: data<uint8_t>()[i] = v != 0; return;
  default:
    dispatch(dtype_, [&](auto tag) {
      using T = typename Storage<decltype(tag)::value>::type;
      if constexpr (std::is_integral_v<T>)
        data<T>()[i] = saturatingCast<T>(v);
    });
  }
}

int64_t Tensor::getInt(int64_t i) const {
  if (isFloat(dtype_))
    return saturatingCast<int64_t>(getDouble(i));
  return dispatch(dtype_, [&](auto tag) {
    using T = typename Storage<decltype(tag)::value>::type;
    return static_cast<int64_t>(data<T>()[i]);
  });
}

void Tensor::setInt(int64_t i, int64_t v) {
  switch (dtype_) {
  case DType::F16: data<uint16_t>()[i] = doubleToHalf(static_cast<double>(v)); return;
  case DType::BF16: data<uint16_t>()[i] = doubleToBf16(static_cast<double>(v)); return;
  case DType::F32: data<float>()[i] = static_cast<float>(v); return;
  case DType::F64: data<double>()[i] = static_cast<double>(v); return;
  case DType::Bool: data<uint8_t>()[i] = v != 0; return;
  default:
    dispatch(dtype_, [&](auto tag) {
      using T = typename Storage<decltype(tag)::value>::type;
      data<T>()[i] = static_cast<T>(v); // wraps, as ONNX integer casts do
    });
  }
}

Tensor Tensor::fromAttr(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  std::optional<DType> d = dtypeOf(type.getElementType());
  assert(d && "kiln.constant of an element type the verifier rejects");
  Tensor t(*d, type.getShape());
  int64_t n = t.numElements();
  size_t es = byteSize(*d);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (*d == DType::Bool) {
      auto values = dense.getValues<bool>();
      for (int64_t i = 0; i < n; ++i)
        t.bytes_[i] = values[i];
      return t;
    }
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      for (int64_t i = 0; i < n; ++i)
        copyBytes(t.bytes_.data() + i * es, raw.data(), es);
    } else {
      copyBytes(t.bytes_.data(), raw.data(), t.bytes_.size());
    }
    return t;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (AsmResourceBlob *blob = res.getRawHandle().getBlob()) {
      ArrayRef<char> raw = blob->getData();
      if (*d == DType::Bool) {
        for (int64_t i = 0; i < n && i < static_cast<int64_t>(raw.size()); ++i)
          t.bytes_[i] = raw[i] != 0;
      } else {
        copyBytes(t.bytes_.data(), raw.data(), std::min(raw.size(), t.bytes_.size()));
      }
    }
    return t;
  }
  // Any other ElementsAttr: go element by element.
  if (isFloat(*d)) {
    int64_t i = 0;
    for (APFloat v : attr.getValues<APFloat>())
      t.setDouble(i++, v.convertToDouble());
  } else {
    int64_t i = 0;
    for (APInt v : attr.getValues<APInt>())
      t.setInt(i++, isUnsigned(*d) ? static_cast<int64_t>(v.getZExtValue()) : v.getSExtValue());
  }
  return t;
}

DenseElementsAttr Tensor::toAttr(MLIRContext *ctx) const {
  auto type = RankedTensorType::get(shape_, toMlirType(dtype_, ctx));
  if (dtype_ == DType::Bool) {
    llvm::SmallVector<bool> values(bytes_.begin(), bytes_.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<bool>(values));
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(reinterpret_cast<const char *>(bytes_.data()), bytes_.size()));
}

} // namespace kiln::ref
