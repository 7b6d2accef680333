// Tests of the reference Tensor: dtype mapping, fp16/bf16 rounding, element access and MLIR literals.
#include "RefTestUtil.h"

#include "compiler/Import/OnnxImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/bit.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace kiln::ref;
using kiln::reftest::make;
using kiln::reftest::makeInt;

TEST_CASE("dtype mapping round-trips MLIR element types") {
  mlir::MLIRContext ctx;
  mlir::Builder b(&ctx);
  CHECK(dtypeOf(b.getI1Type()) == DType::Bool);
  CHECK(dtypeOf(b.getIntegerType(8, false)) == DType::U8);
  CHECK(dtypeOf(b.getIntegerType(8)) == DType::I8);
  CHECK(dtypeOf(b.getIntegerType(64, true)) == DType::I64);
  CHECK(dtypeOf(b.getBF16Type()) == DType::BF16);
  CHECK(dtypeOf(b.getF16Type()) == DType::F16);
  CHECK_FALSE(dtypeOf(b.getIntegerType(4)).has_value());
  CHECK_FALSE(dtypeOf(b.getF80Type()).has_value());
  for (DType d : {DType::F32, DType::U8, DType::I8, DType::U16, DType::I16, DType::I32,
                  DType::I64, DType::Bool, DType::F16, DType::F64, DType::U32, DType::U64,
                  DType::BF16})
    CHECK(dtypeOf(toMlirType(d, &ctx)) == d);
  CHECK(toMlirType(DType::U32, &ctx).isUnsignedInteger(32));
  CHECK(toMlirType(DType::I32, &ctx).isSignlessInteger(32));
  CHECK(byteSize(DType::BF16) == 2);
  CHECK(byteSize(DType::Bool) == 1);
  CHECK(byteSize(DType::U64) == 8);
  CHECK(isFloat(DType::BF16));
  CHECK_FALSE(isFloat(DType::I8));
  CHECK(isUnsigned(DType::U16));
  CHECK_FALSE(isUnsigned(DType::Bool));
  CHECK(std::string(dtypeName(DType::U8)) == "ui8");
}

TEST_CASE("f16 conversion rounds to nearest even, with subnormals, inf and NaN") {
  CHECK(floatToHalf(1.0f) == 0x3c00);
  CHECK(floatToHalf(-2.0f) == 0xc000);
  CHECK(floatToHalf(-0.0f) == 0x8000);
  CHECK(floatToHalf(65504.0f) == 0x7bff);
  CHECK(floatToHalf(65519.0f) == 0x7bff);
  CHECK(floatToHalf(65520.0f) == 0x7c00); // the tie above the largest half goes to inf
  CHECK(floatToHalf(1e6f) == 0x7c00);
  CHECK(floatToHalf(-INFINITY) == 0xfc00);
  CHECK(floatToHalf(std::ldexp(1.0f, -24)) == 0x0001); // smallest subnormal
  CHECK(floatToHalf(std::ldexp(1.0f, -25)) == 0x0000); // tie to even (0)
  CHECK(floatToHalf(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(floatToHalf(std::ldexp(3.0f, -25)) == 0x0002); // 1.5 units ties to even 2
  CHECK(floatToHalf(std::ldexp(1.0f, -14)) == 0x0400); // smallest normal
  CHECK(floatToHalf(std::ldexp(1023.5f, -24)) == 0x0400); // subnormal rounding carries into normal
  CHECK(floatToHalf(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);     // tie, even stays
  CHECK(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02); // tie, odd rounds up
  CHECK(floatToHalf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3c01);
  uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
  CHECK((nan & 0x7c00) == 0x7c00);
  CHECK((nan & 0x03ff) != 0);
  CHECK(halfToFloat(0x3555) == doctest::Approx(0.333251953125).epsilon(1e-12));
  CHECK(halfToFloat(0x0001) == std::ldexp(1.0f, -24));
  CHECK(halfToFloat(0x8400) == -std::ldexp(1.0f, -14));
  CHECK(std::isinf(halfToFloat(0x7c00)));
  CHECK(std::isnan(halfToFloat(0x7e00)));
}

TEST_CASE("every non-NaN f16 survives a round trip through float") {
  int mismatches = 0;
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
      continue;
    if (floatToHalf(halfToFloat(static_cast<uint16_t>(h))) != h)
      ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("bf16 conversion rounds to nearest even") {
  CHECK(floatToBf16(1.0f) == 0x3f80);
  CHECK(bf16ToFloat(0x3f80) == 1.0f);
  CHECK(floatToBf16(llvm::bit_cast<float>(0x3f808000u)) == 0x3f80); // tie, even
  CHECK(floatToBf16(llvm::bit_cast<float>(0x3f818000u)) == 0x3f82); // tie, odd -> up
  CHECK(floatToBf16(llvm::bit_cast<float>(0x3f808001u)) == 0x3f81);
  CHECK(floatToBf16(3.4e38f) == 0x7f80); // rounds past the largest bf16
  CHECK(std::isnan(bf16ToFloat(floatToBf16(std::nanf("")))));
  CHECK(bf16ToFloat(floatToBf16(-1.5f)) == -1.5f);
}

TEST_CASE("setDouble rounds once to f16 (no double rounding)") {
  Tensor t(DType::F16, {1});
  // Just above the tie between 1 and 1 + 2^-10: float would round to the tie itself.
  t.setDouble(0, 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40));
  CHECK(t.getDouble(0) == 1.0 + std::ldexp(1.0, -10));
  t.setDouble(0, 0.1);
  CHECK(t.data<uint16_t>()[0] == 0x2e66);
}

TEST_CASE("converting element access truncates, saturates and wraps") {
  Tensor i32(DType::I32, {5});
  i32.setDouble(0, -2.7);
  i32.setDouble(1, 2.9);
  i32.setDouble(2, 1e10);
  i32.setDouble(3, std::nan(""));
  i32.setDouble(4, -1e300);
  CHECK(i32.data<int32_t>()[0] == -2);
  CHECK(i32.data<int32_t>()[1] == 2);
  CHECK(i32.data<int32_t>()[2] == std::numeric_limits<int32_t>::max());
  CHECK(i32.data<int32_t>()[3] == 0);
  CHECK(i32.data<int32_t>()[4] == std::numeric_limits<int32_t>::min());
  Tensor u8 = makeInt(DType::U8, {3}, {300, -1, 7});
  CHECK(u8.data<uint8_t>()[0] == 44);
  CHECK(u8.data<uint8_t>()[1] == 255);
  CHECK(u8.getInt(2) == 7);
  u8.setDouble(0, -5.0);
  CHECK(u8.data<uint8_t>()[0] == 0);
  Tensor b = make(DType::Bool, {3}, {0.5, 0.0, -3.0});
  CHECK(b.getInt(0) == 1);
  CHECK(b.getInt(1) == 0);
  CHECK(b.getInt(2) == 1);
  Tensor f = make(DType::F32, {2}, {-3.75, 1e20});
  CHECK(f.getInt(0) == -3);
  CHECK(f.getInt(1) == std::numeric_limits<int64_t>::max());
  Tensor u64(DType::U64, {1});
  u64.setInt(0, -1);
  CHECK(u64.data<uint64_t>()[0] == std::numeric_limits<uint64_t>::max());
  CHECK(u64.getDouble(0) == 18446744073709551616.0);
}

TEST_CASE("shape, strides and zero fill") {
  Tensor t(DType::F64, {2, 3, 4});
  CHECK(t.numElements() == 24);
  CHECK(t.numBytes() == 24 * 8);
  CHECK(t.strides() == llvm::SmallVector<int64_t>{12, 4, 1});
  CHECK(t.getDouble(23) == 0.0);
  Tensor s(DType::I8, {});
  CHECK(s.numElements() == 1);
  CHECK(s.rank() == 0);
  Tensor e(DType::F32, {3, 0});
  CHECK(e.numElements() == 0);
}

TEST_CASE("fromAttr and toAttr for dense, splat, bool, unsigned and f16 literals") {
  mlir::MLIRContext ctx;
  kiln::loadImportDialects(ctx);
  mlir::Builder b(&ctx);

  auto i32Type = mlir::RankedTensorType::get({2, 2}, b.getIntegerType(32));
  auto dense = mlir::DenseElementsAttr::get(i32Type, llvm::ArrayRef<int32_t>{1, -2, 3, -4});
  Tensor t = Tensor::fromAttr(llvm::cast<mlir::ElementsAttr>(dense));
  CHECK(t.dtype() == DType::I32);
  CHECK(t.getInt(1) == -2);
  CHECK(t.getInt(3) == -4);
  CHECK(t.toAttr(&ctx) == dense);

  auto splatType = mlir::RankedTensorType::get({3}, b.getF32Type());
  auto splat = mlir::DenseElementsAttr::get(splatType, 2.5f);
  Tensor s = Tensor::fromAttr(llvm::cast<mlir::ElementsAttr>(splat));
  CHECK(s.getDouble(0) == 2.5);
  CHECK(s.getDouble(2) == 2.5);
  CHECK(s.toAttr(&ctx) == splat);

  auto boolType = mlir::RankedTensorType::get({5}, b.getI1Type());
  auto bools = mlir::DenseElementsAttr::get(boolType, llvm::ArrayRef<bool>{true, false, true, true, false});
  Tensor bt = Tensor::fromAttr(llvm::cast<mlir::ElementsAttr>(bools));
  CHECK(bt.dtype() == DType::Bool);
  CHECK(bt.getInt(0) == 1);
  CHECK(bt.getInt(1) == 0);
  CHECK(bt.getInt(3) == 1);
  CHECK(bt.toAttr(&ctx) == bools);
  auto boolSplat = mlir::DenseElementsAttr::get(boolType, true);
  Tensor bs = Tensor::fromAttr(llvm::cast<mlir::ElementsAttr>(boolSplat));
  CHECK(bs.getInt(4) == 1);

  auto u8Type = mlir::RankedTensorType::get({2}, b.getIntegerType(8, false));
  auto u8 = mlir::DenseElementsAttr::get(u8Type, llvm::ArrayRef<uint8_t>{250, 3});
  Tensor ut = Tensor::fromAttr(llvm::cast<mlir::ElementsAttr>(u8));
  CHECK(ut.dtype() == DType::U8);
  CHECK(ut.getInt(0) == 250);
  CHECK(ut.toAttr(&ctx) == u8);

  auto f16Type = mlir::RankedTensorType::get({2}, b.getF16Type());
  auto f16 = mlir::DenseElementsAttr::get(
      f16Type, llvm::ArrayRef<llvm::APFloat>{llvm::APFloat(llvm::APFloat::IEEEhalf(), "1.5"),
                                            llvm::APFloat(llvm::APFloat::IEEEhalf(), "-0.25")});
  Tensor ht = Tensor::fromAttr(llvm::cast<mlir::ElementsAttr>(f16));
  CHECK(ht.dtype() == DType::F16);
  CHECK(ht.getDouble(0) == 1.5);
  CHECK(ht.getDouble(1) == -0.25);
  CHECK(ht.toAttr(&ctx) == f16);
}
