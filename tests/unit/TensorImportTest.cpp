// TensorProto decoding: every storage form ONNX allows, and every way it can be corrupt.
#include "compiler/Import/TensorImport.h"
#include "kiln_onnx.pb.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <doctest/doctest.h>

using namespace mlir;

namespace {
onnx::TensorProto tensor(int dataType, std::initializer_list<int64_t> dims) {
  onnx::TensorProto t;
  t.set_data_type(dataType);
  for (int64_t d : dims)
    t.add_dims(d);
  return t;
}
std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}
} // namespace

TEST_CASE("float raw_data and float_data decode to the same literal") {
  MLIRContext ctx;
  std::string error;
  auto raw = tensor(onnx::TensorProto::FLOAT, {2, 2});
  float values[] = {1.5f, -2.0f, 3.25f, 0.0f};
  raw.set_raw_data(std::string(reinterpret_cast<char *>(values), sizeof(values)));
  auto typed = tensor(onnx::TensorProto::FLOAT, {2, 2});
  for (float v : values)
    typed.add_float_data(v);
  DenseElementsAttr a = ::kiln::importTensor(ctx, raw, ".", error);
  DenseElementsAttr b = ::kiln::importTensor(ctx, typed, ".", error);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a == b);
  CHECK(typeString(a.getType()) == "tensor<2x2xf32>");
  CHECK((*(a.getValues<float>().begin() + 2)) == 3.25f);
}

TEST_CASE("narrow integers, bools and fp16 come from int32_data") {
  MLIRContext ctx;
  std::string error;
  auto i8 = tensor(onnx::TensorProto::INT8, {3});
  for (int v : {-128, 0, 127})
    i8.add_int32_data(v);
  auto a = ::kiln::importTensor(ctx, i8, ".", error);
  REQUIRE(a);
  CHECK(typeString(a.getType()) == "tensor<3xi8>");
  CHECK(a.getValues<int8_t>()[0] == -128);
  CHECK(a.getValues<int8_t>()[2] == 127);

  auto u8 = tensor(onnx::TensorProto::UINT8, {1});
  u8.add_int32_data(200);
  auto u = ::kiln::importTensor(ctx, u8, ".", error);
  REQUIRE(u);
  CHECK(typeString(u.getType()) == "tensor<1xui8>");
  CHECK(u.getValues<uint8_t>()[0] == 200);

  auto b = tensor(onnx::TensorProto::BOOL, {3});
  for (int v : {1, 0, 1})
    b.add_int32_data(v);
  auto bools = ::kiln::importTensor(ctx, b, ".", error);
  REQUIRE(bools);
  CHECK(typeString(bools.getType()) == "tensor<3xi1>");
  CHECK(bools.getValues<bool>()[0]);
  CHECK(!bools.getValues<bool>()[1]);

  auto h = tensor(onnx::TensorProto::FLOAT16, {1});
  h.add_int32_data(0x3C00); // 1.0 in IEEE half
  auto half = ::kiln::importTensor(ctx, h, ".", error);
  REQUIRE(half);
  CHECK(typeString(half.getType()) == "tensor<1xf16>");
  CHECK((*half.getValues<APFloat>().begin()).convertToFloat() == 1.0f);
}

TEST_CASE("int64 and uint64 fields") {
  MLIRContext ctx;
  std::string error;
  auto i64 = tensor(onnx::TensorProto::INT64, {});
  i64.add_int64_data(-5);
  auto s = ::kiln::importTensor(ctx, i64, ".", error);
  REQUIRE(s);
  CHECK(typeString(s.getType()) == "tensor<i64>");
  CHECK(s.getValues<int64_t>()[0] == -5);
  auto u32 = tensor(onnx::TensorProto::UINT32, {1});
  u32.add_uint64_data(4000000000u);
  auto u = ::kiln::importTensor(ctx, u32, ".", error);
  REQUIRE(u);
  CHECK(u.getValues<uint32_t>()[0] == 4000000000u);
}

TEST_CASE("a data size that disagrees with the shape is an error") {
  MLIRContext ctx;
  std::string error;
  auto t = tensor(onnx::TensorProto::FLOAT, {4});
  t.set_raw_data(std::string(12, '\0'));
  CHECK(!::kiln::importTensor(ctx, t, ".", error));
  CHECK(error.find("12 bytes") != std::string::npos);
}

TEST_CASE("unsupported element types and bad dims are errors") {
  MLIRContext ctx;
  std::string error;
  CHECK(!::kiln::importTensor(ctx, tensor(onnx::TensorProto::STRING, {1}), ".", error));
  CHECK(error.find("STRING") != std::string::npos);
  error.clear();
  CHECK(!::kiln::importTensor(ctx, tensor(onnx::TensorProto::FLOAT, {-1}), ".", error));
  CHECK(!error.empty());
  error.clear();
  CHECK(!::kiln::importTensor(ctx, tensor(onnx::TensorProto::FLOAT, {1 << 30, 1 << 30, 1 << 30}),
                            ".", error));
  CHECK(error.find("too large") != std::string::npos);
}

TEST_CASE("external data is read relative to the model folder and never outside it") {
  MLIRContext ctx;
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("kiln-unit", dir));
  llvm::SmallString<128> file(dir);
  llvm::sys::path::append(file, "weights.bin");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(file, ec);
    REQUIRE(!ec);
    float values[] = {9.0f, 1.0f, 2.0f}; // the tensor is the last two floats
    os.write(reinterpret_cast<char *>(values), sizeof(values));
  }
  auto t = tensor(onnx::TensorProto::FLOAT, {2});
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char *k, const char *v) {
    auto *e = t.add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add("location", "weights.bin");
  add("offset", "4");
  add("length", "8");
  std::string error;
  auto a = ::kiln::importTensor(ctx, t, dir, error);
  REQUIRE_MESSAGE(a, error);
  CHECK(a.getValues<float>()[0] == 1.0f);
  CHECK(a.getValues<float>()[1] == 2.0f);

  t.mutable_external_data(1)->set_value("8"); // past the end of the file
  CHECK(!::kiln::importTensor(ctx, t, dir, error));
  CHECK(error.find("outside") != std::string::npos);

  t.mutable_external_data(0)->set_value("../weights.bin");
  CHECK(!::kiln::importTensor(ctx, t, dir, error));
  CHECK(error.find("inside the model's folder") != std::string::npos);
  llvm::sys::fs::remove_directories(dir);
}
