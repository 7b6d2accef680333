// Every kind of plan corruption is rejected with the right status and a message that says what is wrong.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "TestPlans.h"
#include "kiln/plan_reader.h"

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
  const auto args = test::findSection(bytes, KILN_PLAN_SECTION_ARGS).section;
  REQUIRE(args.size % 16 != 0);  // 13 entries of 24 bytes, then 8 bytes of padding
  bytes[args.offset + args.size] = 1;
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
         "argument 2 names arena bytes [2048, +24), outside the 2048-byte arena");
  expect(withEntry(A, 2, offsetof(kiln_plan_arg_t, value), uint64_t(2040)), KILN_STATUS_INVALID_PLAN,
         "argument 2 names arena bytes [2040, +24), outside the 2048-byte arena");
  expect(withEntry(A, 2, offsetof(kiln_plan_arg_t, size), uint64_t(1) << 63), KILN_STATUS_INVALID_PLAN,
         "outside the 2048-byte arena");
  expect(withEntry(A, 1, offsetof(kiln_plan_arg_t, value), uint64_t(10000)), KILN_STATUS_INVALID_PLAN,
         "argument 1 names weight bytes [10000, +24), outside the 280 bytes of weights");
  expect(withEntry(A, 1, offsetof(kiln_plan_arg_t, size), uint64_t(25)), KILN_STATUS_INVALID_PLAN,
         "argument 1 names weight bytes [256, +25), outside the 280 bytes of weights");
  expect(withEntry(A, 4, offsetof(kiln_plan_arg_t, size), uint64_t(4)), KILN_STATUS_INVALID_PLAN,
         "argument 4 is a scalar with a byte size");
  expect(withEntry(A, 0, offsetof(kiln_plan_arg_t, reserved), uint32_t(1)), KILN_STATUS_INVALID_PLAN,
         "argument 0 has a nonzero reserved field");
  expect(withEntry(A, 4, offsetof(kiln_plan_arg_t, value), uint64_t(1) << 32), KILN_STATUS_INVALID_PLAN,
         "32-bit scalar with nonzero high bits");
  expect(withEntry(A, 4, offsetof(kiln_plan_arg_t, kind), uint32_t(6)), KILN_STATUS_INVALID_PLAN,
         "argument 4 has unknown kind 6");
}

// The driver reads one value per parameter of the kernel from the array of argument
// pointers the runtime passes: a launch with fewer arguments than its kernel has
// parameters would make it read past that array (an out-of-bounds read on the host).
TEST_CASE("every launch matches its kernel's parameters, and they match the PTX") {
  const uint32_t L = KILN_PLAN_SECTION_LAUNCHES, K = KILN_PLAN_SECTION_KERNELS;
  // richPlan: launch 0 scale_bias(P,P,P,F32,I32), 1 vector_add(P,P,P,I32), 2 add_i64(P,P,I64,I32).
  expect(withEntry(L, 0, offsetof(kiln_plan_launch_t, arg_count), uint32_t(1)), KILN_STATUS_INVALID_PLAN,
         "launch 0 passes 1 arguments to kernel 'scale_bias', which has 5 parameters");
  expect(withEntry(L, 1, offsetof(kiln_plan_launch_t, arg_count), uint32_t(5)), KILN_STATUS_INVALID_PLAN,
         "launch 1 passes 5 arguments to kernel 'vector_add', which has 4 parameters");
  expect(withEntry(L, 0, offsetof(kiln_plan_launch_t, kernel), uint32_t(1)), KILN_STATUS_INVALID_PLAN,
         "launch 0 passes 5 arguments to kernel 'vector_add', which has 4 parameters");
  // Same count, other kinds: add_i64's third argument is an i64, vector_add's a pointer.
  expect(withEntry(L, 2, offsetof(kiln_plan_launch_t, kernel), uint32_t(1)), KILN_STATUS_INVALID_PLAN,
         "launch 2 argument 2 (kind 4) does not match parameter 2 of kernel 'vector_add' (kind 1)");
  // The plan's parameter lists must be the PTX's.
  expect(withEntry(K, 1, offsetof(kiln_plan_kernel_t, param_count), uint32_t(2)), KILN_STATUS_INVALID_PLAN,
         "kernel 1 ('vector_add') records 2 parameters but its PTX .entry declares 4");
  expect(withEntry(K, 0, offsetof(kiln_plan_kernel_t, param_first), uint32_t(100)), KILN_STATUS_INVALID_PLAN,
         "lie outside the 13-entry PARAMS section");
  // scale_bias's 4th parameter is a 4-byte .f32 in the PTX; a pointer kind takes 8.
  expect(withEntry(KILN_PLAN_SECTION_PARAMS, 3, 0, uint32_t(KILN_PLAN_PARAM_POINTER)), KILN_STATUS_INVALID_PLAN,
         "kernel 0 ('scale_bias') parameter 3 is 4 bytes in its PTX but of kind 1 in the plan");
  expect(withEntry(KILN_PLAN_SECTION_PARAMS, 3, 0, uint32_t(9)), KILN_STATUS_INVALID_PLAN,
         "parameter entry 3 has unknown kind 9");
  // A kernel whose name is not an entry of its PTX.
  std::vector<uint8_t> bytes = rich();
  const auto kernels = test::findSection(bytes, K).section;
  const auto strings = test::findSection(bytes, KILN_PLAN_SECTION_STRINGS).section;
  const auto k1 = test::peek<kiln_plan_kernel_t>(bytes, kernels.offset + kernels.entry_size);
  bytes[strings.offset + k1.name] = 'W';  // "Wector_add"
  plan::resealPlan(bytes);
  expect(bytes, KILN_STATUS_INVALID_PLAN, "kernel 1 ('Wector_add') has no .entry in its PTX");
}

TEST_CASE("reserved fields and padding cannot change unnoticed") {
  expect(withHeaderField(offsetof(kiln_plan_header_t, flags), uint32_t(1)), KILN_STATUS_INVALID_PLAN,
         "reserved header fields are not 0");
  expect(withHeaderField(offsetof(kiln_plan_header_t, reserved) + 7, uint8_t(1)), KILN_STATUS_INVALID_PLAN,
         "reserved header fields are not 0");
  // A byte of alignment padding between two sections, no checksum touched.
  std::vector<uint8_t> bytes = rich();
  const auto header = test::peek<kiln_plan_header_t>(bytes, 0);
  uint64_t gap = 0;
  for (uint64_t at = header.section_table_offset + uint64_t(header.section_count) * header.section_entry_size;
       at < bytes.size() && !gap; ++at) {
    bool inside = false;
    for (uint32_t i = 0; i < header.section_count; ++i) {
      const auto s = test::peek<kiln_plan_section_t>(bytes, header.section_table_offset + i * header.section_entry_size);
      inside = inside || (at >= s.offset && at < s.offset + s.size);
    }
    if (!inside) gap = at;
  }
  REQUIRE(gap != 0);
  bytes[gap] = 0x5a;
  expect(bytes, KILN_STATUS_INVALID_PLAN, "outside every section");
}

TEST_CASE("malformed PTX entry declarations are refused") {
  auto withPtx = [](const std::string& ptx, const std::vector<uint32_t>& params) {
    plan::PlanWriter w;
    w.setArena(256);
    plan::KernelSpec k;
    k.name = "k";
    k.ptx = ptx;
    k.params = params;
    w.addKernel(k);
    return test::serialize(w);
  };
  const uint32_t P = KILN_PLAN_PARAM_POINTER;
  CHECK(parse(withPtx(".visible .entry k(.param .u64 .ptr .global .align 16 a, .param .align 8 .b8 b[8])", {P, P}))
            .status == KILN_STATUS_OK);
  // Comments and strings are not code.
  expect(withPtx("// .entry k(.param .u64 a)\n/* .entry k( */ .file 1 \".entry k(\"\n.entry k(.param .u32 b)",
                 {P}),
         KILN_STATUS_INVALID_PLAN, "parameter 0 is 4 bytes in its PTX but of kind 1");
  expect(withPtx(".entry k(.param .u64 a, .param .u64 a)\n.entry k(.param .u64 a, .param .u64 b)", {P, P}),
         KILN_STATUS_INVALID_PLAN, "declares .entry 'k' twice");
  expect(withPtx(".entry k(.param .u64 a", {P}), KILN_STATUS_INVALID_PLAN, "malformed PTX");
  expect(withPtx(".entry k(.param .u64 .u32 a)", {P}), KILN_STATUS_INVALID_PLAN, "two types");
  expect(withPtx(".entry k(.param .align 8 .b8 a[0])", {P}), KILN_STATUS_INVALID_PLAN, "positive length");
  expect(withPtx(".entry k(.param .pred p)", {P}), KILN_STATUS_INVALID_PLAN, "unsupported qualifier");
  expect(withPtx(".entry (", {}), KILN_STATUS_INVALID_PLAN, ".entry without a name");
  CHECK(parse(withPtx(".entry k()", {})).status == KILN_STATUS_OK);
  CHECK(parse(withPtx(".entry k\n.maxntid 32\n{ ret; }", {})).status == KILN_STATUS_OK);
}

TEST_CASE("plans of format 1.1, which record no parameters, are still read and checked") {
  const std::vector<uint8_t> old = test::downgradeTo11(rich());
  kiln_plan_view_t v;
  char err[512] = {0};
  REQUIRE_MESSAGE(kiln_plan_parse(old.data(), old.size(), &v, err, sizeof(err)) == KILN_STATUS_OK, err);
  CHECK(v.header.version_minor == 1);
  REQUIRE(v.kernel_count == 3);
  REQUIRE(v.kernels[0].param_count == 5);  // scale_bias, from its PTX: .u64 x3, .f32, .u32
  CHECK(v.params[v.kernels[0].param_first + 3] == KILN_PLAN_PARAM_F32);
  CHECK(v.params[v.kernels[0].param_first + 4] == KILN_PLAN_PARAM_I32);
  CHECK(v.kernels[2].param_count == 4);
  CHECK(v.args[0].size == 0);  // 1.1 arguments have no sizes
  kiln_plan_view_release(&v);
  // And the old plan's launches are checked against those lists too.
  std::vector<uint8_t> bad = old;
  test::patchEntry(bad, KILN_PLAN_SECTION_LAUNCHES, 0, offsetof(kiln_plan_launch_t, arg_count), uint32_t(1));
  expect(bad, KILN_STATUS_INVALID_PLAN, "launch 0 passes 1 arguments to kernel 'scale_bias', which has 5 parameters");
  bad = old;
  test::patchEntry(bad, KILN_PLAN_SECTION_LAUNCHES, 2, offsetof(kiln_plan_launch_t, kernel), uint32_t(0));
  expect(bad, KILN_STATUS_INVALID_PLAN, "launch 2 passes 4 arguments to kernel 'scale_bias', which has 5 parameters");
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
    l.args = {plan::Arg::arena(1u << 20, 32), plan::Arg::arena(0, 32), plan::Arg::arena(0, 32), plan::Arg::i32(8)};
    w.addLaunch(l);
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("outside the") != std::string::npos);
  }
  SUBCASE("weight argument past the weights") {
    plan::PlanWriter w = test::vectorAddPlan(8);
    plan::LaunchSpec l;
    l.args = {plan::Arg::weight(0, 32), plan::Arg::arena(0, 32), plan::Arg::arena(0, 32), plan::Arg::i32(8)};
    w.addLaunch(l);
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("weight bytes [0, +32)") != std::string::npos);
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
    w.addKernel({"k", "ptx", {1, 2, 3}, 0, {}});
    CHECK_FALSE(w.serialize(out, error));
    CHECK(error.find("no cubin architecture") != std::string::npos);
  }
  CHECK(out.empty());
}
