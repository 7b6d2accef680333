// .npy reader/writer: round trip of every dtype, files as NumPy writes them, and clear errors for what is unsupported.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "tools/common/Npy.h"

using namespace kiln;

namespace {

// A .npy file as NumPy 1.x writes it, with the header given verbatim.
std::vector<uint8_t> rawNpy(const std::string& dict, const std::vector<uint8_t>& data, int major = 1) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  out.push_back(uint8_t(header.size()));
  out.push_back(uint8_t(header.size() >> 8));
  if (major != 1) {
    out.push_back(0);
    out.push_back(0);
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string parseError(const std::vector<uint8_t>& bytes) {
  npy::Array a;
  std::string error;
  if (npy::parse(bytes.data(), bytes.size(), a, error)) return "";
  return error;
}

}  // namespace

TEST_CASE("every dtype round-trips through serialize and parse") {
  const npy::DType all[] = {npy::DType::F16, npy::DType::F32, npy::DType::F64, npy::DType::I8,
                            npy::DType::I16, npy::DType::I32, npy::DType::I64, npy::DType::U8,
                            npy::DType::U16, npy::DType::U32, npy::DType::U64, npy::DType::Bool};
  std::mt19937 rng(7);
  for (npy::DType dtype : all) {
    CAPTURE(npy::descr(dtype));
    npy::Array a;
    a.dtype = dtype;
    a.shape = {2, 3, 5};
    a.data.resize(30 * npy::itemSize(dtype));
    for (auto& b : a.data) b = uint8_t(rng());
    if (dtype == npy::DType::Bool)
      for (auto& b : a.data) b &= 1;
    std::vector<uint8_t> bytes;
    std::string error;
    REQUIRE(npy::serialize(a, bytes, error));
    CHECK((bytes.size() - a.data.size()) % 64 == 0);  // data starts 64-byte aligned, like NumPy
    npy::Array b;
    REQUIRE_MESSAGE(npy::parse(bytes.data(), bytes.size(), b, error), error);
    CHECK(b.dtype == dtype);
    CHECK(b.shape == a.shape);
    CHECK(b.data == a.data);
  }
}

TEST_CASE("scalars, 1-d and empty arrays, and the header text") {
  npy::Array scalar;
  scalar.dtype = npy::DType::F64;
  const double pi = 3.25;
  scalar.data.assign(reinterpret_cast<const uint8_t*>(&pi), reinterpret_cast<const uint8_t*>(&pi) + 8);
  std::vector<uint8_t> bytes;
  std::string error;
  REQUIRE(npy::serialize(scalar, bytes, error));
  const std::string text(bytes.begin() + 10, bytes.end() - 8);
  CHECK(text.find("{'descr': '<f8', 'fortran_order': False, 'shape': (), }") == 0);
  CHECK(text.back() == '\n');

  npy::Array vec;
  vec.dtype = npy::DType::I32;
  vec.shape = {3};
  vec.data.resize(12, 1);
  REQUIRE(npy::serialize(vec, bytes, error));
  CHECK(std::string(bytes.begin() + 10, bytes.begin() + 70).find("'shape': (3,), }") != std::string::npos);

  npy::Array empty;
  empty.shape = {0, 4};
  REQUIRE(npy::serialize(empty, bytes, error));
  npy::Array back;
  REQUIRE(npy::parse(bytes.data(), bytes.size(), back, error));
  CHECK(back.shape == std::vector<int64_t>{0, 4});
  CHECK(back.elementCount() == 0);
}

TEST_CASE("files written by NumPy, v1 and v2, are read") {
  const std::vector<uint8_t> data = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0};
  for (int major : {1, 2, 3}) {
    CAPTURE(major);
    npy::Array a;
    std::string error;
    const auto bytes = rawNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", data, major);
    REQUIRE_MESSAGE(npy::parse(bytes.data(), bytes.size(), a, error), error);
    CHECK(a.dtype == npy::DType::I32);
    CHECK(a.shape == std::vector<int64_t>{2, 2});
    CHECK(a.data == data);
  }
  // Byte order '|' and '=' for single bytes, double quotes, keys in another order, 1-d Fortran.
  npy::Array a;
  std::string error;
  auto bytes = rawNpy("{\"shape\": (4,), \"fortran_order\": True, \"descr\": \"|u1\"}", {9, 8, 7, 6});
  REQUIRE_MESSAGE(npy::parse(bytes.data(), bytes.size(), a, error), error);
  CHECK(a.dtype == npy::DType::U8);
  bytes = rawNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", {1, 0});
  REQUIRE(npy::parse(bytes.data(), bytes.size(), a, error));
  CHECK(a.dtype == npy::DType::Bool);
  bytes = rawNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", {0x00, 0x3C});
  REQUIRE(npy::parse(bytes.data(), bytes.size(), a, error));
  CHECK(a.dtype == npy::DType::F16);
}

TEST_CASE("unsupported and broken files give clear errors") {
  const std::vector<uint8_t> four(4, 0);
  CHECK(parseError(rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::vector<uint8_t>(16)))
            .find("Fortran-order") != std::string::npos);
  CHECK(parseError(rawNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", four)).find("big-endian") !=
        std::string::npos);
  CHECK(parseError(rawNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", std::vector<uint8_t>(8)))
            .find("unsupported .npy dtype '<c8'") != std::string::npos);
  CHECK(parseError(rawNpy("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", std::vector<uint8_t>(12)))
            .find("unsupported .npy dtype") != std::string::npos);
  CHECK(parseError(rawNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", four))
            .find("structured") != std::string::npos);
  CHECK(parseError(rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", four))
            .find("truncated .npy file: shape needs 8 data bytes, found 4") != std::string::npos);
  CHECK(parseError(rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", std::vector<uint8_t>(8)))
            .find("extra bytes") != std::string::npos);
  CHECK(parseError(rawNpy("{'descr': '<f4', 'shape': (1,), }", four)).find("lacks") != std::string::npos);
  CHECK(parseError(rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2), }", four)).find("malformed") !=
        std::string::npos);
  CHECK(parseError({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0}).find("bad magic") != std::string::npos);
  CHECK(parseError({0x93, 'N', 'U'}).find("truncated") != std::string::npos);
  auto bytes = rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", four);
  bytes[6] = 4;
  CHECK(parseError(bytes).find("unsupported .npy format version 4.0") != std::string::npos);
  bytes = rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", four);
  bytes.resize(40);
  CHECK(parseError(bytes).find("header runs past the end") != std::string::npos);
}

TEST_CASE("serialize refuses data that does not match the shape") {
  npy::Array a;
  a.shape = {3};
  a.data.resize(8);
  std::vector<uint8_t> out;
  std::string error;
  CHECK_FALSE(npy::serialize(a, out, error));
  CHECK(error.find("does not match") != std::string::npos);
}

TEST_CASE("files on disk: write, read back, and a missing file") {
  const std::string path = std::string(KILN_TEST_TMP_DIR) + "/npy_test_roundtrip.npy";
  npy::Array a;
  a.dtype = npy::DType::F32;
  a.shape = {2};
  const float values[2] = {1.5f, -2.0f};
  a.data.assign(reinterpret_cast<const uint8_t*>(values), reinterpret_cast<const uint8_t*>(values) + 8);
  std::string error;
  REQUIRE_MESSAGE(npy::write(path, a, error), error);
  npy::Array b;
  REQUIRE_MESSAGE(npy::read(path, b, error), error);
  CHECK(b.data == a.data);
  std::remove(path.c_str());
  CHECK_FALSE(npy::read(path, b, error));
  CHECK(error.find("cannot open") != std::string::npos);
}

TEST_CASE("fuzz: mutated .npy files never crash the parser") {
  npy::Array a;
  a.dtype = npy::DType::I16;
  a.shape = {3, 4};
  a.data.resize(24, 5);
  std::vector<uint8_t> seed;
  std::string error;
  REQUIRE(npy::serialize(a, seed, error));
  std::mt19937_64 rng(99);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes = seed;
    const int kind = int(rng() % 3);
    if (kind == 0) bytes.resize(rng() % bytes.size());
    for (int n = 0, count = 1 + int(rng() % 4); kind != 0 && n < count; ++n) {
      const size_t at = rng() % std::min<size_t>(bytes.size(), kind == 1 ? 80 : bytes.size());
      bytes[at] = kind == 1 ? uint8_t(" ()',:0123456789{}TrueFalse<>|fiub"[rng() % 34]) : uint8_t(rng());
    }
    npy::Array out;
    if (npy::parse(bytes.data(), bytes.size(), out, error)) {
      ++accepted;
      REQUIRE(out.data.size() == out.elementCount() * npy::itemSize(out.dtype));
    } else {
      REQUIRE(!error.empty());
    }
  }
  MESSAGE("npy fuzz: " << accepted << " of 20000 accepted");
}
