// Runs hand-written PTX through hand-built plans on a real GPU; exits 77 (skipped) when there is none.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "TestPlans.h"
#include "kiln/runtime.h"

using namespace kiln;

namespace {

constexpr int kSkipped = 77;
int failures = 0;

#define EXPECT(cond, ...)                                  \
  do {                                                     \
    if (!(cond)) {                                         \
      ++failures;                                          \
      std::fprintf(stderr, "FAILED: %s: ", #cond);         \
      std::fprintf(stderr, __VA_ARGS__);                   \
      std::fprintf(stderr, "\n");                          \
    }                                                      \
  } while (0)

std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

kiln_session_t* open(const std::vector<uint8_t>& plan, bool graph) {
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.use_cuda_graph = graph;
  kiln_session_t* s = nullptr;
  const kiln_status_t status = kiln_session_create_from_memory(plan.data(), plan.size(), &options, &s);
  EXPECT(status == KILN_STATUS_OK, "%s: %s", kiln_status_string(status), kiln_thread_last_error());
  return s;
}

void vectorAdd(bool graph) {
  // Not a multiple of the block size, so the bounds check in the kernel matters.
  const uint32_t n = (1u << 20) + 3;
  kiln_session_t* s = open(test::serialize(test::vectorAddPlan(n)), graph);
  if (!s) return;
  std::vector<float> a = randomFloats(n, 1), b = randomFloats(n, 2);
  for (int run = 0; run < 3; ++run) {
    if (run == 2) a = randomFloats(n, 3);  // same buffer, new contents: the graph must see them
    std::vector<float> c(n, std::nanf(""));
    EXPECT(kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, a.data(), n * 4) == KILN_STATUS_OK, "bind a");
    EXPECT(kiln_session_bind_input(s, 1, KILN_MEMORY_HOST, b.data(), n * 4) == KILN_STATUS_OK, "bind b");
    EXPECT(kiln_session_bind_output(s, 0, KILN_MEMORY_HOST, c.data(), n * 4) == KILN_STATUS_OK, "bind c");
    const kiln_status_t status = kiln_session_run(s, nullptr);
    EXPECT(status == KILN_STATUS_OK, "run: %s", kiln_session_last_error(s));
    EXPECT(kiln_session_synchronize(s, nullptr) == KILN_STATUS_OK, "sync: %s", kiln_session_last_error(s));
    size_t wrong = 0;
    for (uint32_t i = 0; i < n; ++i) wrong += c[i] != a[i] + b[i];
    EXPECT(wrong == 0, "vector add (graph=%d, run %d): %zu of %u elements wrong", graph, run, wrong, n);
  }
  kiln_session_destroy(s);
}

void richPlan(bool graph) {
  kiln_session_t* s = open(test::serialize(test::richPlan()), graph);
  if (!s) return;
  const std::vector<float> x = randomFloats(6, 4);
  const int64_t xi[4] = {int64_t(1) << 40, -5, 0, 123456789012345};
  std::vector<float> y(6, std::nanf(""));
  int64_t z[4] = {-1, -1, -1, -1};
  kiln_session_bind_input_by_name(s, "x", KILN_MEMORY_HOST, x.data(), 24);
  kiln_session_bind_input_by_name(s, "xi", KILN_MEMORY_HOST, xi, 32);
  kiln_session_bind_output_by_name(s, "y", KILN_MEMORY_HOST, y.data(), 24);
  kiln_session_bind_output_by_name(s, "z", KILN_MEMORY_HOST, z, 32);
  EXPECT(kiln_session_run(s, nullptr) == KILN_STATUS_OK, "run: %s", kiln_session_last_error(s));
  EXPECT(kiln_session_synchronize(s, nullptr) == KILN_STATUS_OK, "sync: %s", kiln_session_last_error(s));
  for (int i = 0; i < 6; ++i) {
    const float expected = std::fmaf(x[i], test::kRichScale, test::kRichWeights[i]) + x[i];
    EXPECT(y[i] == expected, "y[%d] = %g, expected %g (graph=%d)", i, y[i], expected, graph);
  }
  for (int i = 0; i < 4; ++i)
    EXPECT(z[i] == xi[i] + test::kRichOffset, "z[%d] = %lld (graph=%d)", i, (long long)z[i], graph);
  kiln_session_destroy(s);
}

}  // namespace

int main() {
  // Probe with the smallest plan: no driver or no device means this machine cannot run the test.
  const std::vector<uint8_t> probe = test::serialize(test::vectorAddPlan(4));
  kiln_session_t* s = nullptr;
  const kiln_status_t status = kiln_session_create_from_memory(probe.data(), probe.size(), nullptr, &s);
  if (status == KILN_STATUS_NO_DRIVER || status == KILN_STATUS_NO_DEVICE) {
    std::printf("SKIPPED: no CUDA device (%s)\n", kiln_thread_last_error());
    return kSkipped;
  }
  if (status != KILN_STATUS_OK) {
    std::fprintf(stderr, "FAILED: creating a session: %s: %s\n", kiln_status_string(status), kiln_thread_last_error());
    return 1;
  }
  kiln_device_info_t device;
  kiln_session_device_info(s, &device);
  std::printf("device %d: %s (sm_%u)\n", device.ordinal, device.name, device.sm);
  // The driver's view of each kernel: every kernel uses some registers and can run
  // the block size its launch asks for.
  size_t kernels = 0;
  EXPECT(kiln_session_kernel_count(s, &kernels) == KILN_STATUS_OK && kernels == 1, "kernel count %zu", kernels);
  for (size_t k = 0; k < kernels; ++k) {
    kiln_kernel_info_t info;
    EXPECT(kiln_session_kernel_info(s, k, &info) == KILN_STATUS_OK, "kernel info: %s", kiln_session_last_error(s));
    std::printf("kernel %s: %d registers, %d B static shared, %d B local, max %d threads/block\n", info.name,
                info.registers_per_thread, info.static_shared_bytes, info.local_bytes, info.max_threads_per_block);
    EXPECT(info.registers_per_thread > 0 && info.registers_per_thread <= 255, "registers %d",
           info.registers_per_thread);
    EXPECT(info.max_threads_per_block >= 256 && info.max_threads_per_block <= 1024, "max threads %d",
           info.max_threads_per_block);
    EXPECT(info.static_shared_bytes >= 0 && info.local_bytes >= 0, "shared %d local %d", info.static_shared_bytes,
           info.local_bytes);
  }
  kiln_session_destroy(s);

  for (bool graph : {true, false}) {
    vectorAdd(graph);
    richPlan(graph);
  }
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("PASSED: vector add and rich plan, with and without CUDA graphs\n");
  return 0;
}
