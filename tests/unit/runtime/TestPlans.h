// Sample plans for the runtime tests, built with the real PlanWriter, plus byte-patching helpers.
#ifndef KILN_TESTS_UNIT_RUNTIME_TESTPLANS_H
#define KILN_TESTS_UNIT_RUNTIME_TESTPLANS_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codegen/Plan/PlanWriter.h"

namespace kiln::test {

// kernels.ptx (vector_add, scale_bias, add_i64), read from the source tree.
const std::string& kernelsPtx();

// One of kernels.ptx's kernels with its parameter list (vector_add, scale_bias or
// add_i64; any other name gets the PTX and no parameters).
plan::KernelSpec testKernel(const std::string& name);

// c = a + b over n floats; a, b, c at 256-aligned arena offsets; one launch of
// 256-thread blocks. target_sm 80.
plan::PlanWriter vectorAddPlan(uint32_t n);

// Exercises every table and argument kind:
//   inputs  x f32[2,3] (arena 0), xi i64[4] (arena 256)
//   outputs y f32[2,3] (arena 512), z i64[4] (arena 768)
//   launch 0 scale_bias(x, weight w, t, 2.5f, 6) -> t at arena 1024   (nodes Mul_1, Add_2)
//   launch 1 vector_add(t, x, y, 6)                                    (node Add_3)
//   launch 2 add_i64(xi, z, -7, 4)                                     (node Add_4)
// Weights: 7 zero-padding bytes then w (6 floats) at offset 256. All three kernels
// share kernels.ptx, so the file stores it once.
plan::PlanWriter richPlan();
extern const float kRichWeights[6];
constexpr float kRichScale = 2.5f;
constexpr int64_t kRichOffset = -7;

std::vector<uint8_t> serialize(const plan::PlanWriter& writer);

// The same plan laid out as format 1.1 wrote it: no PARAMS section, 40-byte kernel
// and 16-byte argument entries, version_minor 1; checksums resealed.
std::vector<uint8_t> downgradeTo11(const std::vector<uint8_t>& bytes);

// File offset of the section-table entry of the section of `kind`, and its contents.
struct SectionRef {
  uint64_t entryOffset = 0;
  kiln_plan_section_t section{};
};
SectionRef findSection(const std::vector<uint8_t>& bytes, uint32_t kind);

template <typename T>
void poke(std::vector<uint8_t>& bytes, uint64_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}
template <typename T>
T peek(const std::vector<uint8_t>& bytes, uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// Writes value into entry `index` of table section `kind` at byte `field` (e.g.
// offsetof(kiln_plan_launch_t, kernel)), then reseals the checksums so only the
// semantic check can catch it.
template <typename T>
void patchEntry(std::vector<uint8_t>& bytes, uint32_t kind, uint32_t index, size_t field, T value) {
  const SectionRef ref = findSection(bytes, kind);
  poke(bytes, ref.section.offset + uint64_t(index) * ref.section.entry_size + field, value);
  plan::resealPlan(bytes);
}

}  // namespace kiln::test

#endif  // KILN_TESTS_UNIT_RUNTIME_TESTPLANS_H
