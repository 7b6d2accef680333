// Every kind of plan corruption is rejected with the right status and a message that says what is wrong.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "TestPlans.h"
#include "plan_reader.h"

using namespace kiln;

namespace {

struct Outcome {
  kiln_status_t status;
  std::string message;
};

Outcome parse(const std::vector<uint8_t>& bytes) {
  kiln_plan_view_t v;
  char err[512] = {0};
  const kiln_status_t status = kiln_plan_parse(bytes.data(), bytes.size(), &v, err, sizeof(err));
  kiln_plan_view_release(&v);
  return {status, err};
}

void expect(const std::vector<uint8_t>& bytes, kiln_status_t status, const std::string& fragment) {
  const Outcome o = parse(bytes);
  CAPTURE(o.message);
  CHECK(o.status == status);
  CHECK(o.message.find(fragment) != std::string::npos);
}

std::vector<uint8_t> rich() { return test::serialize(test::richPlan()); }

template <typename T>
std::vector<uint8_t> withHeaderField(size_t field, T value, bool reseal = true) {
  std::vector<uint8_t> bytes = rich();
  test::poke(bytes, field, value);
  if (reseal) plan::resealPlan(bytes);
  return bytes;
}

template <typename T>
std::vector<uint8_t> withEntry(uint32_t kind, uint32_t index, size_t field, T value) {
  std::vector<uint8_t> bytes = rich();
  test::patchEntry(bytes, kind, index, field, value);
  return bytes;
}

template <typename T>
std::vector<uint8_t> withSectionField(uint32_t kind, size_t field, T value) {
  std::vector<uint8_t> bytes = rich();
  test::poke(bytes, test::findSection(bytes, kind).entryOffset + field, value);
  plan::resealPlan(bytes);
  return bytes;
}

}  // namespace

TEST_CASE("the unmodified plan is accepted") { CHECK(parse(rich()).status == KILN_STATUS_OK); }

TEST_CASE("not a plan, or the wrong version") {
  std::vector<uint8_t> bytes = rich();
  bytes[0] = 'X';
  expect(bytes, KILN_STATUS_INVALID_PLAN, "bad magic");
  expect(withHeaderField(offsetof(kiln_plan_header_t, version_major), uint32_t(2), false),
         KILN_STATUS_UNSUPPORTED_VERSION, "unsupported plan format version 2.");
  expect(withHeaderField(offsetof(kiln_plan_header_t, version_major), uint32_t(0)), KILN_STATUS_UNSUPPORTED_VERSION,
         "reads version 1.x");
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!', '!', '!', '!'};
  expect(text, KILN_STATUS_INVALID_PLAN, "bad magic");
}

TEST_CASE("truncated and padded files") {
  const std::vector<uint8_t> full = rich();
  for (size_t keep : {size_t(0), size_t(5), size_t(12), size_t(100), size_t(200), full.size() / 2, full.size() - 1}) {
    CAPTURE(keep);
    const std::vector<uint8_t> cut(full.begin(), full.begin() + long(keep));
    expect(cut, KILN_STATUS_INVALID_PLAN, "truncated");
  }
  std::vector<uint8_t> padded = full;
  padded.push_back(0);
  expect(padded, KILN_STATUS_INVALID_PLAN, "trailing bytes");
}

TEST_CASE("checksums catch flipped bits") {
  std::vector<uint8_t> bytes = rich();
  bytes[offsetof(kiln_plan_header_t, producer)] ^= 1;
  expect(bytes, KILN_STATUS_CHECKSUM_MISMATCH, "header checksum mismatch");

  bytes = rich();
  bytes[test::findSection(bytes, KILN_PLAN_SECTION_WEIGHTS).section.offset + 260] ^= 0x10;
  expect(bytes, KILN_STATUS_CHECKSUM_MISMATCH, "section WEIGHTS checksum mismatch");

  bytes = rich();
  bytes[test::findSection(bytes, KILN_PLAN_SECTION_CODE).section.offset + 40] ^= 0x01;
  expect(bytes, KILN_STATUS_CHECKSUM_MISMATCH, "section CODE checksum mismatch");

  bytes = rich();
  bytes[test::findSection(bytes, KILN_PLAN_SECTION_LAUNCHES).entryOffset + offsetof(kiln_plan_section_t, count)] ^= 1;
  expect(bytes, KILN_STATUS_CHECKSUM_MISMATCH, "section table checksum mismatch");
}

TEST_CASE("alignment padding, which no checksum covers, must be zero") {
  // The vector-add plan has no weights, so the file ends in padding up to the
  // 256-byte-aligned (empty) WEIGHTS section.
  std::vector<uint8_t> bytes = test::serialize(test::vectorAddPlan(16));
  const auto code = test::findSection(bytes, KILN_PLAN_SECTION_CODE).section;
  REQUIRE(code.offset + code.size < bytes.size());
  bytes.back() = 0x55;
  expect(bytes, KILN_STATUS_INVALID_PLAN,
         "nonzero byte at offset " + std::to_string(bytes.size() - 1) + " outside every section");
  bytes = rich();
  const auto kernels = test::findSection(bytes, KILN_PLAN_SECTION_KERNELS).section;
  REQUIRE(kernels.size % 16 != 0);  // 3 entries of 40 bytes, then 8 bytes of padding
  bytes[kernels.offset + kernels.size] = 1;
  expect(bytes, KILN_STATUS_INVALID_PLAN, "outside every section");
}

TEST_CASE("header fields out of range") {
  expect(withHeaderField(offsetof(kiln_plan_header_t, arena_alignment), uint32_t(48)), KILN_STATUS_INVALID_PLAN,
         "arena alignment 48");
  expect(withHeaderField(offsetof(kiln_plan_header_t, target_sm), uint32_t(0)), KILN_STATUS_INVALID_PLAN, "target SM");
  expect(withHeaderField(offsetof(kiln_plan_header_t, header_size), uint32_t(64)), KILN_STATUS_INVALID_PLAN,
         "header size 64");
  expect(withHeaderField(offsetof(kiln_plan_header_t, section_table_offset), uint64_t(1) << 40),
         KILN_STATUS_INVALID_PLAN, "section table");
  expect(withHeaderField(offsetof(kiln_plan_header_t, section_count), uint32_t(100000)), KILN_STATUS_INVALID_PLAN,
         "100000 sections");
  std::vector<uint8_t> bytes = rich();
  for (size_t i = 0; i < KILN_PLAN_PRODUCER_SIZE; ++i) bytes[offsetof(kiln_plan_header_t, producer) + i] = 'p';
  plan::resealPlan(bytes);
  expect(bytes, KILN_STATUS_INVALID_PLAN, "producer");
}

TEST_CASE("sections out of range, misaligned, overlapping, duplicated or missing") {
  expect(withSectionField(KILN_PLAN_SECTION_CODE, offsetof(kiln_plan_section_t, offset), uint64_t(1) << 60),
         KILN_STATUS_INVALID_PLAN, "lies outside");
  expect(withSectionField(KILN_PLAN_SECTION_CODE, offsetof(kiln_plan_section_t, size), ~uint64_t(0)),
         KILN_STATUS_INVALID_PLAN, "lies outside");
  const uint64_t weights = test::findSection(rich(), KILN_PLAN_SECTION_WEIGHTS).section.offset;
  expect(withSectionField(KILN_PLAN_SECTION_WEIGHTS, offsetof(kiln_plan_section_t, offset), weights - 16),
         KILN_STATUS_INVALID_PLAN, "not a multiple of 256");
  const uint64_t tensors = test::findSection(rich(), KILN_PLAN_SECTION_TENSORS).section.offset;
  expect(withSectionField(KILN_PLAN_SECTION_KERNELS, offsetof(kiln_plan_section_t, offset), tensors),
         KILN_STATUS_INVALID_PLAN, "overlap");
  expect(withSectionField(KILN_PLAN_SECTION_KERNELS, offsetof(kiln_plan_section_t, offset), uint64_t(0)),
         KILN_STATUS_INVALID_PLAN, "overlaps the header");
  expect(withSectionField(KILN_PLAN_SECTION_CODE, offsetof(kiln_plan_section_t, kind), uint32_t(KILN_PLAN_SECTION_ARGS)),
         KILN_STATUS_INVALID_PLAN, "section ARGS appears twice");
  expect(withSectionField(KILN_PLAN_SECTION_CODE, offsetof(kiln_plan_section_t, kind), uint32_t(50)),
         KILN_STATUS_INVALID_PLAN, "required section CODE is missing");
  expect(withSectionField(KILN_PLAN_SECTION_DEBUG_NAMES, offsetof(kiln_plan_section_t, kind), uint32_t(50)),
         KILN_STATUS_INVALID_PLAN, "must come together");
  expect(withSectionField(KILN_PLAN_SECTION_LAUNCHES, offsetof(kiln_plan_section_t, entry_size), uint32_t(20)),
         KILN_STATUS_INVALID_PLAN, "entry size 20");
  expect(withSectionField(KILN_PLAN_SECTION_LAUNCHES, offsetof(kiln_plan_section_t, count), uint32_t(2)),
         KILN_STATUS_INVALID_PLAN, "not 2 entries");
}

TEST_CASE("string table and tensor table errors") {
  const uint64_t strings = test::findSection(rich(), KILN_PLAN_SECTION_STRINGS).section.offset;
  std::vector<uint8_t> bytes = rich();
  bytes[strings] = 'q';
  plan::resealPlan(bytes);
  expect(bytes, KILN_STATUS_INVALID_PLAN, "string table");

  const uint32_t T = KILN_PLAN_SECTION_TENSORS;
  expect(withEntry(T, 0, offsetof(kiln_plan_tensor_t, name), uint32_t(99999)), KILN_STATUS_INVALID_PLAN,
         "tensor 0 has an invalid or empty name");
  expect(withEntry(T, 0, offsetof(kiln_plan_tensor_t, name), uint32_t(0)), KILN_STATUS_INVALID_PLAN,
         "invalid or empty name");
  expect(withEntry(T, 1, offsetof(kiln_plan_tensor_t, dtype), uint32_t(8)), KILN_STATUS_INVALID_PLAN,
         "tensor 'xi' has unknown dtype 8");
  expect(withEntry(T, 1, offsetof(kiln_plan_tensor_t, rank), uint32_t(9)), KILN_STATUS_INVALID_PLAN, "rank 9");
  expect(withEntry(T, 1, offsetof(kiln_plan_tensor_t, role), uint32_t(3)), KILN_STATUS_INVALID_PLAN, "unknown role 3");
  expect(withEntry(T, 3, offsetof(kiln_plan_tensor_t, role), uint32_t(KILN_PLAN_TENSOR_INPUT)),
         KILN_STATUS_INVALID_PLAN, "inputs must precede outputs");
  expect(withEntry(T, 0, offsetof(kiln_plan_tensor_t, dims) + 8, int64_t(-3)), KILN_STATUS_INVALID_PLAN,
         "negative dimension");
  expect(withEntry(T, 0, offsetof(kiln_plan_tensor_t, dims) + 16, int64_t(2)), KILN_STATUS_INVALID_PLAN,
         "beyond its rank");
  expect(withEntry(T, 0, offsetof(kiln_plan_tensor_t, byte_size), uint64_t(20)), KILN_STATUS_INVALID_PLAN,
         "byte size 20 does not match");
  expect(withEntry(T, 2, offsetof(kiln_plan_tensor_t, arena_offset), uint64_t(2040)), KILN_STATUS_INVALID_PLAN,
         "tensor 'y' (offset 2040, 24 bytes) lies outside the 2048-byte arena");
  expect(withEntry(T, 2, offsetof(kiln_plan_tensor_t, arena_offset), uint64_t(514)), KILN_STATUS_INVALID_PLAN,
         "not a multiple of its element size");
  expect(withEntry(T, 0, offsetof(kiln_plan_tensor_t, dims), int64_t(1) << 62), KILN_STATUS_INVALID_PLAN,
         "overflows");
  const auto bytesOf = rich();
  const auto x = test::peek<kiln_plan_tensor_t>(bytesOf, test::findSection(bytesOf, T).section.offset);
  expect(withEntry(T, 1, offsetof(kiln_plan_tensor_t, name), x.name), KILN_STATUS_INVALID_PLAN, "two inputs named 'x'");
}

TEST_CASE("kernel table errors") {
  const uint32_t K = KILN_PLAN_SECTION_KERNELS;
  expect(withEntry(K, 1, offsetof(kiln_plan_kernel_t, ptx_size), uint64_t(1) << 40), KILN_STATUS_INVALID_PLAN,
         "kernel 1 ('vector_add') PTX");
  expect(withEntry(K, 1, offsetof(kiln_plan_kernel_t, ptx_size), uint64_t(test::kernelsPtx().size())),
         KILN_STATUS_INVALID_PLAN, "not NUL-terminated");
  expect(withEntry(K, 1, offsetof(kiln_plan_kernel_t, cubin_arch), uint32_t(90)), KILN_STATUS_INVALID_PLAN,
         "has no cubin");
  expect(withEntry(K, 0, offsetof(kiln_plan_kernel_t, cubin_size), uint64_t(64)), KILN_STATUS_INVALID_PLAN,
         "cubin for SM 0");
  std::vector<uint8_t> bytes = rich();
  test::patchEntry(bytes, K, 0, offsetof(kiln_plan_kernel_t, cubin_arch), uint32_t(90));
  test::patchEntry(bytes, K, 0, offsetof(kiln_plan_kernel_t, cubin_size), uint64_t(1) << 33);
  expect(bytes, KILN_STATUS_INVALID_PLAN, "cubin (offset 0, 8589934592 bytes) lies outside");
}

TEST_CASE("launch table errors") {
  const uint32_t L = KILN_PLAN_SECTION_LAUNCHES;
  expect(withEntry(L, 1, offsetof(kiln_plan_launch_t, kernel), uint32_t(9)), KILN_STATUS_INVALID_PLAN,
         "launch 1 uses kernel 9 but the plan has 3 kernels");
  expect(withEntry(L, 0, offsetof(kiln_plan_launch_t, grid), uint32_t(0)), KILN_STATUS_INVALID_PLAN, "invalid grid");
  expect(withEntry(L, 0, offsetof(kiln_plan_launch_t, grid) + 4, uint32_t(70000)), KILN_STATUS_INVALID_PLAN,
         "invalid grid");
  expect(withEntry(L, 0, offsetof(kiln_plan_launch_t, block), uint32_t(2048)), KILN_STATUS_INVALID_PLAN,
         "block (2048,1,1)");
  expect(withEntry(L, 2, offsetof(kiln_plan_launch_t, arg_count), uint32_t(100)), KILN_STATUS_INVALID_PLAN,
         "launch 2 arguments [9, +100) lie outside the 13-entry argument table");
  expect(withEntry(L, 2, offsetof(kiln_plan_launch_t, arg_first), uint32_t(0xFFFFFFFF)), KILN_STATUS_INVALID_PLAN,
         "lie outside");
}

TEST_CASE("argument table errors") {
  const uint32_t A = KILN_PLAN_SECTION_ARGS;
  expect(withEntry(A, 2, offsetof(kiln_plan_arg_t, value), uint64_t(2048)), KILN_STATUS_INVALID_PLAN,
         "argument 2 points at arena offset 2048, past the 2048-byte arena");
  expect(withEntry(A, 1, offsetof(kiln_plan_arg_t, value), uint64_t(10000)), KILN_STATUS_INVALID_PLAN,
         "argument 1 points at weight offset 10000, past the 280 bytes of weights");
  expect(withEntry(A, 4, offsetof(kiln_plan_arg_t, value), uint64_t(1) << 32), KILN_STATUS_INVALID_PLAN,
         "32-bit scalar with nonzero high bits");
  expect(withEntry(A, 4, offsetof(kiln_plan_arg_t, kind), uint32_t(6)), KILN_STATUS_INVALID_PLAN,
         "argument 4 has unknown kind 6");
}

TEST_CASE("debug table errors") {
  expect(withEntry(KILN_PLAN_SECTION_DEBUG_LAUNCHES, 2, offsetof(kiln_plan_debug_launch_t, name_count), uint32_t(50)),
         KILN_STATUS_INVALID_PLAN, "debug names of launch 2");
  expect(withEntry(KILN_PLAN_SECTION_DEBUG_NAMES, 0, 0, uint32_t(1) << 30), KILN_STATUS_INVALID_PLAN,
         "debug name 0 has an invalid string ref");
  // Debug info for 2 of the 3 launches: the dropped entry's bytes are zeroed so only
  // the count disagrees.
  std::vector<uint8_t> bytes = rich();
  const test::SectionRef debug = test::findSection(bytes, KILN_PLAN_SECTION_DEBUG_LAUNCHES);
  std::memset(bytes.data() + debug.section.offset + 16, 0, 8);
  test::poke(bytes, debug.entryOffset + offsetof(kiln_plan_section_t, size), uint64_t(16));
  test::poke(bytes, debug.entryOffset + offsetof(kiln_plan_section_t, count), uint32_t(2));
  plan::resealPlan(bytes);
  expect(bytes, KILN_STATUS_INVALID_PLAN, "debug info covers 2 launches but the plan has 3");
}

TEST_CASE("the writer refuses plans the reader would reject") {
  std::vector<uint8_t> out;
  std::string error;
  SUBCASE("kernel index") {
    plan::PlanWriter w = test::vectorAddPlan(8);
    plan::LaunchSpec l;
    l.kernel = 4;
    w.addLaunch(l);
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("launch 1 uses kernel 4 but there are 1 kernels") != std::string::npos);
  }
  SUBCASE("argument past the arena") {
    plan::PlanWriter w = test::vectorAddPlan(8);
    plan::LaunchSpec l;
    l.args = {plan::Arg::arena(1u << 20)};
    w.addLaunch(l);
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("past the") != std::string::npos);
  }
  SUBCASE("weight argument past the weights") {
    plan::PlanWriter w = test::vectorAddPlan(8);
    plan::LaunchSpec l;
    l.args = {plan::Arg::weight(0)};
    w.addLaunch(l);
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("weight offset 0") != std::string::npos);
  }
  SUBCASE("tensor outside the arena") {
    plan::PlanWriter w = test::vectorAddPlan(8);
    w.addOutput({"big", KILN_PLAN_DTYPE_F64, {1000}, 0});
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("output 'big'") != std::string::npos);
  }
  SUBCASE("duplicate names") {
    plan::PlanWriter w = test::vectorAddPlan(8);
    w.addInput({"a", KILN_PLAN_DTYPE_F32, {1}, 0});
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("two inputs named 'a'") != std::string::npos);
  }
  SUBCASE("bad weight alignment") {
    plan::PlanWriter w;
    const float one = 1;
    w.addWeights(&one, 4, 512);
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("weight alignment 512") != std::string::npos);
  }
  SUBCASE("cubin without architecture") {
    plan::PlanWriter w;
    w.addKernel({"k", "ptx", {1, 2, 3}, 0});
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("no cubin architecture") != std::string::npos);
  }
  CHECK(out.empty());
}
