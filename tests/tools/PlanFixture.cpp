// Writes the plans and .npy inputs the `kiln` CLI tests use, and checks the outputs `kiln run` wrote.
#include <cstdio>
#include <cstring>
#include <string>

#include "TestPlans.h"
#include "tools/common/Npy.h"

using namespace kiln;

namespace {

constexpr uint32_t kN = 1000;

npy::Array floats(unsigned seed) {
  npy::Array a;
  a.dtype = npy::DType::F32;
  a.shape = {int64_t(kN)};
  a.data.resize(kN * 4);
  for (uint32_t i = 0; i < kN; ++i) {
    const float v = float((i * 37 + seed * 11) % 101) / 8.0f - 6.0f;
    std::memcpy(a.data.data() + i * 4, &v, 4);
  }
  return a;
}

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
    if (!test::vectorAddPlan(kN).writeFile(dir + "/vector_add.kiln", error)) return fail(error);
    if (!npy::write(dir + "/a.npy", floats(1), error) || !npy::write(dir + "/b.npy", floats(2), error))
      return fail(error);
    return 0;
  }
  if (mode == "check") {
    npy::Array c;
    if (!npy::read(dir + "/c.npy", c, error)) return fail(error);
    if (c.dtype != npy::DType::F32 || c.shape != std::vector<int64_t>{int64_t(kN)}) return fail("c.npy has the wrong type");
    const npy::Array a = floats(1), b = floats(2);
    for (uint32_t i = 0; i < kN; ++i) {
      float x, y, z;
      std::memcpy(&x, a.data.data() + i * 4, 4);
      std::memcpy(&y, b.data.data() + i * 4, 4);
      std::memcpy(&z, c.data.data() + i * 4, 4);
      if (z != x + y) return fail("c[" + std::to_string(i) + "] = " + std::to_string(z) + ", expected " + std::to_string(x + y));
    }
    std::printf("kiln run output matches a + b\n");
    return 0;
  }
  return fail("unknown mode " + mode);
}
