// Sample plans for the runtime tests.
#include "TestPlans.h"

#include <cstdio>
#include <cstdlib>

namespace kiln::test {

const float kRichWeights[6] = {0.5f, -1.25f, 3.0f, 0.125f, -0.75f, 8.0f};

const std::string& kernelsPtx() {
  static const std::string text = [] {
    std::string s;
    std::FILE* f = std::fopen(KILN_TEST_PTX_PATH, "rb");
    if (!f) {
      std::fprintf(stderr, "cannot open %s\n", KILN_TEST_PTX_PATH);
      std::abort();
    }
    char buf[4096];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, got);
    std::fclose(f);
    return s;
  }();
  return text;
}

namespace {
constexpr uint32_t P = KILN_PLAN_PARAM_POINTER, I32 = KILN_PLAN_PARAM_I32, I64 = KILN_PLAN_PARAM_I64,
                   F32 = KILN_PLAN_PARAM_F32;
}  // namespace

plan::KernelSpec testKernel(const std::string& name) {
  plan::KernelSpec k;
  k.name = name;
  k.ptx = kernelsPtx();
  if (name == "vector_add") k.params = {P, P, P, I32};
  else if (name == "scale_bias") k.params = {P, P, P, F32, I32};
  else if (name == "add_i64") k.params = {P, P, I64, I32};
  return k;
}

plan::PlanWriter vectorAddPlan(uint32_t n) {
  plan::PlanWriter w;
  w.setTargetSm(80);
  w.setProducer("kiln tests");
  const uint64_t bytes = uint64_t(n) * 4;
  const uint64_t stride = (bytes + 255) / 256 * 256;
  w.setArena(3 * stride + (n == 0 ? 256 : 0), 256);
  w.addInput({"a", KILN_PLAN_DTYPE_F32, {int64_t(n)}, 0});
  w.addInput({"b", KILN_PLAN_DTYPE_F32, {int64_t(n)}, stride});
  w.addOutput({"c", KILN_PLAN_DTYPE_F32, {int64_t(n)}, 2 * stride});
  const uint32_t kernel = w.addKernel(testKernel("vector_add"));
  plan::LaunchSpec launch;
  launch.kernel = kernel;
  launch.grid = {{(n + 255) / 256 ? (n + 255) / 256 : 1, 1, 1}};
  launch.block = {{256, 1, 1}};
  launch.args = {plan::Arg::arena(0, bytes), plan::Arg::arena(stride, bytes), plan::Arg::arena(2 * stride, bytes),
                 plan::Arg::i32(int32_t(n))};
  launch.nodeNames = {"Add_0"};
  w.addLaunch(launch);
  return w;
}

plan::PlanWriter richPlan() {
  plan::PlanWriter w;
  w.setTargetSm(80);
  w.setProducer("kiln tests");
  w.setArena(2048, 512);
  w.addInput({"x", KILN_PLAN_DTYPE_F32, {2, 3}, 0});
  w.addInput({"xi", KILN_PLAN_DTYPE_I64, {4}, 256});
  w.addOutput({"y", KILN_PLAN_DTYPE_F32, {2, 3}, 512});
  w.addOutput({"z", KILN_PLAN_DTYPE_I64, {4}, 768});
  const uint8_t padding[7] = {1, 2, 3, 4, 5, 6, 7};
  w.addWeights(padding, sizeof(padding));
  const uint64_t weights = w.addWeights(kRichWeights, sizeof(kRichWeights));
  const uint32_t scaleBias = w.addKernel(testKernel("scale_bias"));
  const uint32_t vectorAdd = w.addKernel(testKernel("vector_add"));
  const uint32_t addI64 = w.addKernel(testKernel("add_i64"));

  plan::LaunchSpec l0;
  l0.kernel = scaleBias;
  l0.block = {{32, 1, 1}};
  l0.args = {plan::Arg::arena(0, 24), plan::Arg::weight(weights, 24), plan::Arg::arena(1024, 24),
             plan::Arg::f32(kRichScale), plan::Arg::i32(6)};
  l0.nodeNames = {"Mul_1", "Add_2"};
  w.addLaunch(l0);

  plan::LaunchSpec l1;
  l1.kernel = vectorAdd;
  l1.grid = {{1, 1, 1}};
  l1.block = {{64, 1, 1}};
  l1.args = {plan::Arg::arena(1024, 24), plan::Arg::arena(0, 24), plan::Arg::arena(512, 24), plan::Arg::i32(6)};
  l1.nodeNames = {"Add_3"};
  w.addLaunch(l1);

  plan::LaunchSpec l2;
  l2.kernel = addI64;
  l2.block = {{4, 1, 1}};
  l2.args = {plan::Arg::arena(256, 32), plan::Arg::arena(768, 32), plan::Arg::i64(kRichOffset), plan::Arg::i32(4)};
  l2.nodeNames = {"Add_4"};
  w.addLaunch(l2);
  return w;
}

std::vector<uint8_t> serialize(const plan::PlanWriter& writer) {
  std::vector<uint8_t> bytes;
  std::string error;
  if (!writer.serialize(bytes, error)) {
    std::fprintf(stderr, "test plan does not serialize: %s\n", error.c_str());
    std::abort();
  }
  return bytes;
}

SectionRef findSection(const std::vector<uint8_t>& bytes, uint32_t kind) {
  const auto header = peek<kiln_plan_header_t>(bytes, 0);
  for (uint32_t i = 0; i < header.section_count; ++i) {
    SectionRef ref;
    ref.entryOffset = header.section_table_offset + uint64_t(i) * header.section_entry_size;
    ref.section = peek<kiln_plan_section_t>(bytes, ref.entryOffset);
    if (ref.section.kind == kind) return ref;
  }
  std::fprintf(stderr, "test plan has no section of kind %u\n", kind);
  std::abort();
}

std::vector<uint8_t> downgradeTo11(const std::vector<uint8_t>& bytes) {
  auto header = peek<kiln_plan_header_t>(bytes, 0);
  std::vector<kiln_plan_section_t> sections;
  std::vector<std::vector<uint8_t>> contents;
  for (uint32_t i = 0; i < header.section_count; ++i) {
    auto s = peek<kiln_plan_section_t>(bytes, header.section_table_offset + uint64_t(i) * header.section_entry_size);
    if (s.kind == KILN_PLAN_SECTION_PARAMS) continue;
    std::vector<uint8_t> data(bytes.begin() + long(s.offset), bytes.begin() + long(s.offset + s.size));
    const uint32_t oldSize = s.kind == KILN_PLAN_SECTION_KERNELS ? KILN_PLAN_KERNEL_SIZE_1_1
                             : s.kind == KILN_PLAN_SECTION_ARGS  ? KILN_PLAN_ARG_SIZE_1_1
                                                                 : 0;
    if (oldSize) {
      std::vector<uint8_t> shrunk;
      for (uint32_t e = 0; e < s.count; ++e)
        shrunk.insert(shrunk.end(), data.begin() + long(e) * s.entry_size,
                      data.begin() + long(e) * s.entry_size + oldSize);
      data = shrunk;
      s.entry_size = oldSize;
      s.size = data.size();
    }
    sections.push_back(s);
    contents.push_back(std::move(data));
  }
  header.version_minor = 1;
  header.section_count = uint32_t(sections.size());
  uint64_t offset = header.section_table_offset + sections.size() * sizeof(kiln_plan_section_t);
  for (auto& s : sections) {
    const uint64_t alignment = s.kind == KILN_PLAN_SECTION_WEIGHTS ? KILN_PLAN_WEIGHTS_ALIGNMENT : 16;
    offset = (offset + alignment - 1) / alignment * alignment;
    s.offset = offset;
    offset += s.size;
  }
  header.file_size = offset;
  std::vector<uint8_t> out(offset, 0);
  std::memcpy(out.data(), &header, sizeof(header));
  for (size_t i = 0; i < sections.size(); ++i) {
    std::memcpy(out.data() + header.section_table_offset + i * sizeof(kiln_plan_section_t), &sections[i],
                sizeof(kiln_plan_section_t));
    if (!contents[i].empty()) std::memcpy(out.data() + sections[i].offset, contents[i].data(), contents[i].size());
  }
  plan::resealPlan(out);
  return out;
}

}  // namespace kiln::test
