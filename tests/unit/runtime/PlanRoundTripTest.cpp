// PlanWriter -> plan reader round trip: every table, the layout rules and the checksums.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "TestPlans.h"
#include "crc32c.h"
#include "kiln/plan_reader.h"

using namespace kiln;

namespace {

struct View {
  kiln_plan_view_t v{};
  char err[512] = {0};
  kiln_status_t status;
  explicit View(const std::vector<uint8_t>& bytes) { status = kiln_plan_parse(bytes.data(), bytes.size(), &v, err, sizeof(err)); }
  ~View() { kiln_plan_view_release(&v); }
  std::string str(uint32_t ref) const { return kiln_plan_view_string(&v, ref); }
};

}  // namespace

TEST_CASE("CRC-32C matches the check value and agrees between writer and runtime") {
  const char* digits = "123456789";
  CHECK(kiln_crc32c(0, digits, 9) == KILN_PLAN_CRC32C_CHECK);
  CHECK(plan::crc32c(0, digits, 9) == KILN_PLAN_CRC32C_CHECK);
  // Chaining and the slicing-by-8 path (long, unaligned input) must agree with the bytewise writer.
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 131 + 7);
  const uint32_t whole = plan::crc32c(0, data.data() + 3, 997);
  CHECK(kiln_crc32c(0, data.data() + 3, 997) == whole);
  CHECK(kiln_crc32c(kiln_crc32c(0, data.data() + 3, 500), data.data() + 503, 497) == whole);
}

TEST_CASE("rich plan round-trips through the reader") {
  const plan::PlanWriter writer = test::richPlan();
  const std::vector<uint8_t> bytes = test::serialize(writer);
  View view(bytes);
  REQUIRE_MESSAGE(view.status == KILN_STATUS_OK, view.err);
  const kiln_plan_view_t& v = view.v;

  SUBCASE("header") {
    CHECK(std::memcmp(v.header.magic, "KILNPLAN", 8) == 0);
    CHECK(v.header.version_major == KILN_PLAN_VERSION_MAJOR);
    CHECK(v.header.version_minor == KILN_PLAN_VERSION_MINOR);
    CHECK(v.header.header_size == sizeof(kiln_plan_header_t));
    CHECK(v.header.file_size == bytes.size());
    CHECK(v.header.target_sm == 80);
    CHECK(v.header.arena_size == 2048);
    CHECK(v.header.arena_alignment == 512);
    CHECK(std::string(v.header.producer) == "kiln tests");
  }
  SUBCASE("tensors") {
    REQUIRE(v.tensor_count == 4);
    CHECK(v.input_count == 2);
    CHECK(v.output_count == 2);
    const kiln_plan_tensor_t& x = v.tensors[0];
    CHECK(view.str(x.name) == "x");
    CHECK(x.role == KILN_PLAN_TENSOR_INPUT);
    CHECK(x.dtype == KILN_PLAN_DTYPE_F32);
    CHECK(x.rank == 2);
    CHECK(x.dims[0] == 2);
    CHECK(x.dims[1] == 3);
    CHECK(x.dims[2] == 0);
    CHECK(x.byte_size == 24);
    CHECK(x.arena_offset == 0);
    CHECK(view.str(v.tensors[1].name) == "xi");
    CHECK(v.tensors[1].dtype == KILN_PLAN_DTYPE_I64);
    CHECK(v.tensors[1].byte_size == 32);
    CHECK(v.tensors[1].arena_offset == 256);
    CHECK(view.str(v.tensors[2].name) == "y");
    CHECK(v.tensors[2].role == KILN_PLAN_TENSOR_OUTPUT);
    CHECK(v.tensors[2].arena_offset == 512);
    CHECK(view.str(v.tensors[3].name) == "z");
    CHECK(v.tensors[3].arena_offset == 768);
  }
  SUBCASE("kernels share one PTX copy, NUL-terminated") {
    REQUIRE(v.kernel_count == 3);
    CHECK(view.str(v.kernels[0].name) == "scale_bias");
    CHECK(view.str(v.kernels[1].name) == "vector_add");
    CHECK(view.str(v.kernels[2].name) == "add_i64");
    for (uint32_t k = 0; k < 3; ++k) {
      CHECK(v.kernels[k].ptx_offset == v.kernels[0].ptx_offset);
      CHECK(v.kernels[k].ptx_size == test::kernelsPtx().size() + 1);
      CHECK(v.kernels[k].cubin_size == 0);
      CHECK(v.kernels[k].cubin_arch == 0);
    }
    CHECK(v.code_size == test::kernelsPtx().size() + 1);
    CHECK(std::string(reinterpret_cast<const char*>(v.code + v.kernels[0].ptx_offset)) == test::kernelsPtx());
  }
  SUBCASE("launches and arguments") {
    REQUIRE(v.launch_count == 3);
    REQUIRE(v.arg_count == 13);
    const kiln_plan_launch_t& l0 = v.launches[0];
    CHECK(l0.kernel == 0);
    CHECK(l0.grid[0] == 1);
    CHECK(l0.block[0] == 32);
    CHECK(l0.block[1] == 1);
    CHECK(l0.arg_first == 0);
    CHECK(l0.arg_count == 5);
    CHECK(v.args[0].kind == KILN_PLAN_ARG_ARENA_PTR);
    CHECK(v.args[0].value == 0);
    CHECK(v.args[1].kind == KILN_PLAN_ARG_WEIGHT_PTR);
    CHECK(v.args[1].value == 256);
    CHECK(v.args[3].kind == KILN_PLAN_ARG_F32);
    float scale;
    const uint32_t bits = uint32_t(v.args[3].value);
    std::memcpy(&scale, &bits, 4);
    CHECK(scale == test::kRichScale);
    CHECK(v.args[4].kind == KILN_PLAN_ARG_I32);
    CHECK(v.args[4].value == 6);
    CHECK(v.launches[1].arg_first == 5);
    CHECK(v.launches[2].arg_first == 9);
    CHECK(v.args[11].kind == KILN_PLAN_ARG_I64);
    CHECK(int64_t(v.args[11].value) == test::kRichOffset);
  }
  SUBCASE("weights keep their alignment and bytes") {
    CHECK(v.weights_size == 256 + sizeof(test::kRichWeights));
    CHECK(std::memcmp(v.weights + 256, test::kRichWeights, sizeof(test::kRichWeights)) == 0);
    CHECK(v.weights[0] == 1);
    CHECK(v.weights[6] == 7);
    CHECK(v.weights[7] == 0);  // alignment padding is zero
  }
  SUBCASE("debug provenance") {
    REQUIRE(v.debug_launch_count == 3);
    CHECK(v.debug_launches[0].name_count == 2);
    CHECK(view.str(v.debug_names[v.debug_launches[0].name_first]) == "Mul_1");
    CHECK(view.str(v.debug_names[v.debug_launches[0].name_first + 1]) == "Add_2");
    CHECK(view.str(v.debug_names[v.debug_launches[2].name_first]) == "Add_4");
  }
  SUBCASE("layout: aligned sections inside the file, valid checksums") {
    const auto header = test::peek<kiln_plan_header_t>(bytes, 0);
    CHECK(header.section_table_offset == sizeof(kiln_plan_header_t));
    CHECK(header.section_count == 10);
    for (uint32_t i = 0; i < header.section_count; ++i) {
      const auto s = test::peek<kiln_plan_section_t>(bytes, header.section_table_offset + i * sizeof(kiln_plan_section_t));
      CAPTURE(s.kind);
      CHECK(s.offset % (s.kind == KILN_PLAN_SECTION_WEIGHTS ? 256 : 16) == 0);
      CHECK(s.offset + s.size <= bytes.size());
      CHECK(plan::crc32c(0, bytes.data() + s.offset, s.size) == s.crc32c);
    }
    CHECK((reinterpret_cast<uintptr_t>(v.weights) - reinterpret_cast<uintptr_t>(bytes.data())) % 256 == 0);
  }
}

TEST_CASE("cubins and identical-PTX deduplication") {
  plan::PlanWriter w = test::vectorAddPlan(10);
  const std::vector<uint8_t> cubin = {0x7f, 'E', 'L', 'F', 'v', 'e', 'c', 0};
  w.addKernel({"other", ".version 8.0\n.target sm_80\n.visible .entry other()\n{\n  ret;\n}\n", cubin, 90, {}});
  plan::KernelSpec again = test::testKernel("scale_bias");
  again.cubin = cubin;
  again.cubinArch = 90;
  w.addKernel(again);
  const std::vector<uint8_t> bytes = test::serialize(w);
  View view(bytes);
  REQUIRE_MESSAGE(view.status == KILN_STATUS_OK, view.err);
  REQUIRE(view.v.kernel_count == 3);
  const kiln_plan_kernel_t* k = view.v.kernels;
  CHECK(k[2].ptx_offset == k[0].ptx_offset);    // same PTX stored once
  CHECK(k[1].ptx_offset != k[0].ptx_offset);
  CHECK(k[2].cubin_offset == k[1].cubin_offset);  // same cubin stored once
  CHECK(k[1].cubin_arch == 90);
  CHECK(k[1].cubin_size == cubin.size());
  CHECK(k[1].cubin_offset % 16 == 0);
  CHECK(std::memcmp(view.v.code + k[1].cubin_offset, cubin.data(), cubin.size()) == 0);
}

TEST_CASE("empty plan: no tensors, kernels or weights") {
  plan::PlanWriter w;
  const std::vector<uint8_t> bytes = test::serialize(w);
  View view(bytes);
  REQUIRE_MESSAGE(view.status == KILN_STATUS_OK, view.err);
  CHECK(view.v.tensor_count == 0);
  CHECK(view.v.launch_count == 0);
  CHECK(view.v.weights_size == 0);
  CHECK(view.v.header.target_sm == 90);
  CHECK(test::findSection(bytes, KILN_PLAN_SECTION_WEIGHTS).section.offset % 256 == 0);
}

TEST_CASE("plan in an unaligned buffer parses the same") {
  const std::vector<uint8_t> bytes = test::serialize(test::richPlan());
  std::vector<uint8_t> shifted(bytes.size() + 3);
  std::memcpy(shifted.data() + 3, bytes.data(), bytes.size());
  kiln_plan_view_t v;
  char err[256];
  REQUIRE(kiln_plan_parse(shifted.data() + 3, bytes.size(), &v, err, sizeof(err)) == KILN_STATUS_OK);
  CHECK(v.tensors[1].arena_offset == 256);
  CHECK(v.args[11].value == uint64_t(test::kRichOffset));
  kiln_plan_view_release(&v);
}

TEST_CASE("a newer minor version with larger entries and unknown sections is still read") {
  // Rebuild the rich plan by hand with 8 extra bytes per launch entry and one extra
  // section of unknown kind: what a 1.1 writer might produce.
  const std::vector<uint8_t> original = test::serialize(test::richPlan());
  auto header = test::peek<kiln_plan_header_t>(original, 0);
  std::vector<kiln_plan_section_t> sections(header.section_count);
  std::memcpy(sections.data(), original.data() + header.section_table_offset, sections.size() * sizeof(kiln_plan_section_t));
  sections.push_back({77, 0, 0, 5, 0, 0});

  std::vector<uint8_t> out(sizeof(header) + sections.size() * sizeof(kiln_plan_section_t), 0);
  auto append = [&](const uint8_t* data, size_t size, uint64_t alignment) {
    out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
    const uint64_t offset = out.size();
    out.insert(out.end(), data, data + size);
    return offset;
  };
  for (auto& s : sections) {
    std::vector<uint8_t> body(original.begin() + long(s.offset), original.begin() + long(s.offset + s.size));
    if (s.kind == KILN_PLAN_SECTION_LAUNCHES) {
      std::vector<uint8_t> wide;
      for (uint32_t i = 0; i < s.count; ++i) {
        wide.insert(wide.end(), body.begin() + i * 40, body.begin() + (i + 1) * 40);
        wide.insert(wide.end(), 8, 0xAB);
      }
      body = wide;
      s.entry_size = 48;
      s.size = body.size();
    }
    if (s.kind == 77) body = {'h', 'e', 'l', 'l', 'o'};
    s.offset = append(body.data(), body.size(), s.kind == KILN_PLAN_SECTION_WEIGHTS ? 256 : 16);
  }
  header.version_minor = 7;
  header.section_count = uint32_t(sections.size());
  header.file_size = out.size();
  std::memcpy(out.data(), &header, sizeof(header));
  std::memcpy(out.data() + sizeof(header), sections.data(), sections.size() * sizeof(kiln_plan_section_t));
  REQUIRE(plan::resealPlan(out));

  View view(out);
  REQUIRE_MESSAGE(view.status == KILN_STATUS_OK, view.err);
  CHECK(view.v.header.version_minor == 7);
  REQUIRE(view.v.launch_count == 3);
  CHECK(view.v.launches[1].kernel == 1);
  CHECK(view.v.launches[2].arg_first == 9);
  CHECK(view.v.launches[2].block[0] == 4);
}
