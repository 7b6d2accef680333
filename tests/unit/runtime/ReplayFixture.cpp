// Writes a plan and .npy inputs for the kiln-replay tests, and checks the outputs kiln-replay wrote.
#include <cstdio>
#include <string>

#include "TestPlans.h"
#include "VectorAddData.h"
#include "tools/common/Npy.h"

using namespace kiln;

namespace {

constexpr uint32_t kN = 1000;

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
    if (!npy::write(dir + "/a.npy", test::vectorAddInput(kN, 1), error) || !npy::write(dir + "/b.npy", test::vectorAddInput(kN, 2), error)) return fail(error);
    npy::Array wrong = test::vectorAddInput(kN, 3);
    wrong.shape = {10, 100};
    if (!npy::write(dir + "/wrong_shape.npy", wrong, error)) return fail(error);
    return 0;
  }
  if (mode == "check") {
    if (!test::checkVectorAddOutput(dir + "/out/c.npy", kN, error)) return fail(error);
    std::printf("replay output matches a + b\n");
    return 0;
  }
  return fail("unknown mode " + mode);
}
