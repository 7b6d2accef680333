// Writes the plans and .npy inputs the `kiln` CLI tests use, and checks the outputs `kiln run` wrote.
#include <cstddef>
#include <cstdio>
#include <string>

#include "TestPlans.h"
#include "VectorAddData.h"
#include "tools/common/Npy.h"

using namespace kiln;

namespace {

constexpr uint32_t kN = 1000;

int fail(const std::string& message) {
  std::fprintf(stderr, "plan_fixture: %s\n", message.c_str());
  return 1;
}

bool writeBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return fail("usage: plan_fixture write|check DIR");
  const std::string mode = argv[1], dir = argv[2];
  std::string error;
  if (mode == "write") {
    // rich.kiln: every table and argument kind, debug names, and a 1.1 unplanned size.
    plan::PlanWriter rich = test::richPlan();
    rich.setProducer("kiln test fixture");
    rich.setUnplannedArenaSize(4096);
    std::vector<uint8_t> bytes;
    if (!rich.serialize(bytes, error) || !writeBytes(dir + "/rich.kiln", bytes)) return fail(error);
    // corrupt.kiln: one flipped byte in the last section (its checksum no longer matches).
    std::vector<uint8_t> corrupt = bytes;
    corrupt[corrupt.size() - 1] ^= 0x5A;
    // truncated.kiln: cut in half.
    std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + long(bytes.size() / 2));
    if (!writeBytes(dir + "/corrupt.kiln", corrupt) || !writeBytes(dir + "/truncated.kiln", truncated) ||
        !writeBytes(dir + "/not_a_plan.kiln", std::vector<uint8_t>(200, 'x')))
      return fail("cannot write " + dir);
    // Launches that do not match their kernels, and a nonzero padding byte, each with
    // every checksum recomputed so only the reader's checks can refuse them.
    const uint32_t L = KILN_PLAN_SECTION_LAUNCHES;
    std::vector<uint8_t> fewArgs = bytes, manyArgs = bytes, otherKernel = bytes, padding = bytes;
    test::patchEntry(fewArgs, L, 0, offsetof(kiln_plan_launch_t, arg_count), uint32_t(1));
    test::patchEntry(manyArgs, L, 1, offsetof(kiln_plan_launch_t, arg_count), uint32_t(5));
    test::patchEntry(otherKernel, L, 0, offsetof(kiln_plan_launch_t, kernel), uint32_t(2));
    const test::SectionRef args = test::findSection(padding, KILN_PLAN_SECTION_ARGS);
    padding[args.section.offset + args.section.size] = 0x5A;  // args end 8 bytes before the next section
    if (!writeBytes(dir + "/few_args.kiln", fewArgs) || !writeBytes(dir + "/many_args.kiln", manyArgs) ||
        !writeBytes(dir + "/other_kernel.kiln", otherKernel) || !writeBytes(dir + "/padding.kiln", padding))
      return fail("cannot write " + dir);
    if (!test::vectorAddPlan(kN).writeFile(dir + "/vector_add.kiln", error)) return fail(error);
    if (!npy::write(dir + "/a.npy", test::vectorAddInput(kN, 1), error) || !npy::write(dir + "/b.npy", test::vectorAddInput(kN, 2), error))
      return fail(error);
    return 0;
  }
  if (mode == "check") {
    if (!test::checkVectorAddOutput(dir + "/c.npy", kN, error)) return fail(error);
    std::printf("kiln run output matches a + b\n");
    return 0;
  }
  return fail("unknown mode " + mode);
}
