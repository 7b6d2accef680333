// Writes a plan and .npy inputs for the kiln-replay tests, and checks the outputs kiln-replay wrote.
#include <cstdio>
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
  std::fprintf(stderr, "replay_fixture: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return fail("usage: replay_fixture write|check DIR");
  const std::string mode = argv[1], dir = argv[2];
  std::string error;
  if (mode == "write") {
    if (!test::vectorAddPlan(kN).writeFile(dir + "/model.kiln", error)) return fail(error);
    if (!npy::write(dir + "/a.npy", floats(1), error) || !npy::write(dir + "/b.npy", floats(2), error)) return fail(error);
    npy::Array wrong = floats(3);
    wrong.shape = {10, 100};
    if (!npy::write(dir + "/wrong_shape.npy", wrong, error)) return fail(error);
    return 0;
  }
  if (mode == "check") {
    npy::Array c;
    if (!npy::read(dir + "/out/c.npy", c, error)) return fail(error);
    if (c.dtype != npy::DType::F32 || c.shape != std::vector<int64_t>{int64_t(kN)}) return fail("c.npy has the wrong type");
    const npy::Array a = floats(1), b = floats(2);
    for (uint32_t i = 0; i < kN; ++i) {
      float x, y, z;
      std::memcpy(&x, a.data.data() + i * 4, 4);
      std::memcpy(&y, b.data.data() + i * 4, 4);
      std::memcpy(&z, c.data.data() + i * 4, 4);
      if (z != x + y) return fail("c[" + std::to_string(i) + "] = " + std::to_string(z) + ", expected " + std::to_string(x + y));
    }
    std::printf("replay output matches a + b\n");
    return 0;
  }
  return fail("unknown mode " + mode);
}
