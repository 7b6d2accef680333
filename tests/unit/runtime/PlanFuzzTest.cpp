// Random corruption of valid plans must be rejected or accepted cleanly, never crash or read out of bounds.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>

#include "TestPlans.h"
#include "kiln/plan_reader.h"

using namespace kiln;

namespace {

// Reads everything an accepted view points at, so out-of-bounds references would
// fault (or trip AddressSanitizer) here rather than later in a session.
uint64_t touch(const kiln_plan_view_t& v) {
  uint64_t sum = 0;
  auto str = [&](uint32_t ref) { sum += std::strlen(kiln_plan_view_string(&v, ref)); };
  for (uint32_t i = 0; i < v.tensor_count; ++i) str(v.tensors[i].name);
  for (uint32_t i = 0; i < v.kernel_count; ++i) {
    const kiln_plan_kernel_t& k = v.kernels[i];
    str(k.name);
    sum += v.code[k.ptx_offset] + v.code[k.ptx_offset + k.ptx_size - 1];
    if (k.cubin_size) sum += v.code[k.cubin_offset] + v.code[k.cubin_offset + k.cubin_size - 1];
  }
  for (uint32_t i = 0; i < v.launch_count; ++i) {
    const kiln_plan_launch_t& l = v.launches[i];
    sum += v.kernels[l.kernel].ptx_size;
    for (uint32_t a = 0; a < l.arg_count; ++a) sum += v.args[l.arg_first + a].value;
  }
  for (uint32_t i = 0; i < v.debug_launch_count; ++i)
    for (uint32_t n = 0; n < v.debug_launches[i].name_count; ++n) str(v.debug_names[v.debug_launches[i].name_first + n]);
  if (v.weights_size) sum += v.weights[0] + v.weights[v.weights_size - 1];
  return sum;
}

void mutate(std::vector<uint8_t>& bytes, std::mt19937_64& rng) {
  auto pick = [&](uint64_t n) { return n ? rng() % n : 0; };
  switch (pick(6)) {
    case 0:  // a few random bit flips
      for (uint64_t i = 0, n = 1 + pick(4); i < n && !bytes.empty(); ++i) bytes[pick(bytes.size())] ^= uint8_t(1u << pick(8));
      break;
    case 1:  // truncation
      bytes.resize(pick(bytes.size()));
      break;
    case 2:  // random bytes overwritten
      for (uint64_t i = 0, n = 1 + pick(16); i < n && !bytes.empty(); ++i) bytes[pick(bytes.size())] = uint8_t(rng());
      break;
    case 3: {  // a random 32- or 64-bit field set to an interesting value
      static const uint64_t kValues[] = {0, 1, 2, 7, 8, 9, 15, 16, 255, 256, 4096, 0x7FFFFFFF, 0x80000000,
                                         0xFFFFFFFF, 0x100000000ull, ~0ull, ~0ull >> 1};
      const uint64_t value = kValues[pick(sizeof(kValues) / sizeof(kValues[0]))];
      const size_t width = pick(2) ? 8 : 4;
      if (bytes.size() >= width) std::memcpy(bytes.data() + (pick(bytes.size() - width + 1) & ~uint64_t(3)), &value, width);
      break;
    }
    case 4:  // garbage appended
      for (uint64_t i = 0, n = 1 + pick(64); i < n; ++i) bytes.push_back(uint8_t(rng()));
      break;
    default: {  // a table entry field inside a real section
      const uint32_t kind = 1 + uint32_t(pick(KILN_PLAN_SECTION_KIND_MAX));
      const test::SectionRef ref = test::findSection(bytes, kind);
      if (ref.section.size >= 4) {
        const uint64_t at = ref.section.offset + (pick(ref.section.size - 3) & ~uint64_t(3));
        const uint32_t value = pick(2) ? uint32_t(rng()) : uint32_t(pick(64));
        std::memcpy(bytes.data() + at, &value, 4);
      }
      break;
    }
  }
}

}  // namespace

TEST_CASE("fuzz: mutated plans never crash the reader") {
  const std::vector<std::vector<uint8_t>> seeds = {test::serialize(test::richPlan()),
                                                   test::serialize(test::vectorAddPlan(1000))};
  std::mt19937_64 rng(0x6B696C6E);
  long accepted = 0, rejected = 0;
  const int kIterations = 30000;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    std::vector<uint8_t> bytes = seeds[size_t(iteration) % seeds.size()];
    // Mutations to section contents are found by findSection, so apply them before any
    // change that could move the section table, and skip findSection on broken tables.
    const int rounds = 1 + int(rng() % 3);
    for (int r = 0; r < rounds; ++r) {
      if (bytes.size() < sizeof(kiln_plan_header_t)) break;
      const auto header = test::peek<kiln_plan_header_t>(bytes, 0);
      const bool tableIntact = header.section_table_offset == sizeof(kiln_plan_header_t) &&
                               header.section_count == 10 && header.section_entry_size == sizeof(kiln_plan_section_t);
      if (!tableIntact) break;
      bool sectionsInFile = true;
      uint32_t kinds = 0;
      for (uint32_t i = 0; i < 10; ++i) {
        const auto s = test::peek<kiln_plan_section_t>(bytes, sizeof(kiln_plan_header_t) + i * sizeof(kiln_plan_section_t));
        sectionsInFile = sectionsInFile && s.kind >= 1 && s.kind <= KILN_PLAN_SECTION_KIND_MAX &&
                         s.offset <= bytes.size() && s.size <= bytes.size() - s.offset;
        if (s.kind < 32) kinds |= 1u << s.kind;
      }
      if (!sectionsInFile || kinds != 0x7FEu) break;
      mutate(bytes, rng);
    }
    // Half the time fix the checksums so the semantic checks get fuzzed, not only CRC.
    if (rng() & 1) plan::resealPlan(bytes);
    kiln_plan_view_t v;
    char err[512];
    err[0] = 0;
    const kiln_status_t status = kiln_plan_parse(bytes.data(), bytes.size(), &v, err, sizeof(err));
    if (status == KILN_STATUS_OK) {
      ++accepted;
      touch(v);
    } else {
      ++rejected;
      INFO("iteration ", iteration);
      REQUIRE(std::strlen(err) > 0);
      REQUIRE((status == KILN_STATUS_INVALID_PLAN || status == KILN_STATUS_CHECKSUM_MISMATCH ||
               status == KILN_STATUS_UNSUPPORTED_VERSION));
    }
    kiln_plan_view_release(&v);
  }
  MESSAGE("fuzz: " << accepted << " accepted, " << rejected << " rejected");
  CHECK(rejected > kIterations / 2);
  CHECK(accepted + rejected == kIterations);
}

TEST_CASE("fuzz: every truncation of a valid plan is rejected") {
  const std::vector<uint8_t> bytes = test::serialize(test::richPlan());
  for (size_t size = 0; size < bytes.size(); ++size) {
    kiln_plan_view_t v;
    char err[256];
    const kiln_status_t status = kiln_plan_parse(bytes.data(), size, &v, err, sizeof(err));
    kiln_plan_view_release(&v);
    if (status != KILN_STATUS_INVALID_PLAN) {
      FAIL("truncation to ", size, " bytes gave status ", status);
      break;
    }
  }
}
