// Shared sessions (one loaded model, several executions) and caller arenas on the PTX emulator: concurrent runs
// from two threads, destruction in any order, and caller-provided arena memory.
#include <doctest/doctest.h>

#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "TestPlans.h"
#include "kiln/runtime.h"

using namespace kiln;

namespace {

// The emulator is the library the runtime loads ($KILN_CUDA_LIBRARY, set by ctest); the
// tests call it directly for device memory, streams and its context stack.
struct Emulator {
  void* handle = nullptr;
  unsigned (*memAlloc)(unsigned long long*, size_t) = nullptr;
  unsigned (*memFree)(unsigned long long) = nullptr;
  unsigned (*streamCreate)(void**, unsigned) = nullptr;
  unsigned (*streamDestroy)(void*) = nullptr;
  unsigned (*primaryCtxRetain)(void**, int) = nullptr;
  unsigned (*ctxPush)(void*) = nullptr;
  unsigned (*ctxPop)(void**) = nullptr;

  Emulator() {
    const char* path = std::getenv("KILN_CUDA_LIBRARY");
    REQUIRE_MESSAGE(path, "KILN_CUDA_LIBRARY must name the PTX emulator");
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(handle, dlerror());
    resolve(memAlloc, "cuMemAlloc_v2");
    resolve(memFree, "cuMemFree_v2");
    resolve(streamCreate, "cuStreamCreate");
    resolve(streamDestroy, "cuStreamDestroy_v2");
    resolve(primaryCtxRetain, "cuDevicePrimaryCtxRetain");
    resolve(ctxPush, "cuCtxPushCurrent_v2");
    resolve(ctxPop, "cuCtxPopCurrent_v2");
  }
  template <typename F>
  void resolve(F& f, const char* name) {
    void* symbol = dlsym(handle, name);
    REQUIRE_MESSAGE(symbol != nullptr, name);
    f = reinterpret_cast<F>(symbol);
  }
};

Emulator& emulator() {
  static Emulator instance;
  return instance;
}

kiln_session_t* create(const std::vector<uint8_t>& plan, bool graph = true, void* arena = nullptr,
                       uint64_t arenaBytes = 0) {
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.use_cuda_graph = graph ? 1 : 0;
  options.arena = arena;
  options.arena_bytes = arenaBytes;
  kiln_session_t* session = nullptr;
  const kiln_status_t status = kiln_session_create_from_memory(plan.data(), plan.size(), &options, &session);
  INFO(kiln_thread_last_error());
  REQUIRE(status == KILN_STATUS_OK);
  return session;
}

kiln_session_t* share(kiln_session_t* source, bool graph = true, void* arena = nullptr, uint64_t arenaBytes = 0) {
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.use_cuda_graph = graph ? 1 : 0;
  options.arena = arena;
  options.arena_bytes = arenaBytes;
  kiln_session_t* session = nullptr;
  const kiln_status_t status = kiln_session_create_shared(source, &options, &session);
  INFO(kiln_thread_last_error());
  REQUIRE(status == KILN_STATUS_OK);
  return session;
}

bool contains(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

// One inference of the rich plan (weights, three kernels, f32/i32/i64 arguments): its
// inputs from a seed, the outputs it produced, and the outputs computed here.
struct RichRun {
  std::vector<float> x = std::vector<float>(6);
  int64_t xi[4] = {};
  std::vector<float> y = std::vector<float>(6, std::nanf(""));
  int64_t z[4] = {-1, -1, -1, -1};

  explicit RichRun(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
    for (float& v : x) v = dist(rng);
    for (int64_t& v : xi) v = (int64_t(rng()) << 20) - int64_t(rng());
  }
  // Binds and runs on stream; returns "" or what failed.
  std::string run(kiln_session_t* s, void* stream) {
    if (kiln_session_bind_input_by_name(s, "x", KILN_MEMORY_HOST, x.data(), 24) ||
        kiln_session_bind_input_by_name(s, "xi", KILN_MEMORY_HOST, xi, 32) ||
        kiln_session_bind_output_by_name(s, "y", KILN_MEMORY_HOST, y.data(), 24) ||
        kiln_session_bind_output_by_name(s, "z", KILN_MEMORY_HOST, z, 32) || kiln_session_run(s, stream) ||
        kiln_session_synchronize(s, stream))
      return kiln_session_last_error(s);
    return "";
  }
  bool correct() const {
    for (int i = 0; i < 6; ++i)
      if (y[i] != std::fmaf(x[i], test::kRichScale, test::kRichWeights[i]) + x[i]) return false;
    for (int i = 0; i < 4; ++i)
      if (z[i] != xi[i] + test::kRichOffset) return false;
    return true;
  }
  bool sameOutputs(const RichRun& other) const {
    return std::memcmp(y.data(), other.y.data(), 24) == 0 && std::memcmp(z, other.z, 32) == 0;
  }
};

struct VectorAddRun {
  std::vector<float> a, b, c;
  VectorAddRun(size_t n, unsigned seed) : a(n), b(n), c(n, std::nanf("")) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
    for (float& v : a) v = dist(rng);
    for (float& v : b) v = dist(rng);
  }
  std::string run(kiln_session_t* s, void* stream) {
    const size_t bytes = a.size() * 4;
    if (kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, a.data(), bytes) ||
        kiln_session_bind_input(s, 1, KILN_MEMORY_HOST, b.data(), bytes) ||
        kiln_session_bind_output(s, 0, KILN_MEMORY_HOST, c.data(), bytes) || kiln_session_run(s, stream) ||
        kiln_session_synchronize(s, stream))
      return kiln_session_last_error(s);
    return "";
  }
  bool correct() const {
    for (size_t i = 0; i < c.size(); ++i)
      if (c[i] != a[i] + b[i]) return false;
    return true;
  }
};

}  // namespace

TEST_CASE("the emulator's context stack is per thread, as the driver's") {
  Emulator& emu = emulator();
  void* context = nullptr;
  REQUIRE(emu.primaryCtxRetain(&context, 0) == 0);
  REQUIRE(emu.ctxPush(context) == 0);
  unsigned otherPop = 0;
  std::thread([&] {
    void* previous = nullptr;
    otherPop = emu.ctxPop(&previous);  // nothing pushed on this thread
  }).join();
  CHECK(otherPop == 201u);  // CUDA_ERROR_INVALID_CONTEXT
  void* previous = nullptr;
  CHECK(emu.ctxPop(&previous) == 0);
  CHECK(emu.ctxPop(&previous) == 201u);
}

TEST_CASE("sessions of one family run concurrently on their own streams and match serial runs") {
  Emulator& emu = emulator();
  constexpr int kThreads = 2;
  constexpr int kRichRuns = 160;
  constexpr int kVectorRuns = 20;
  constexpr int kVectorEvery = kRichRuns / kVectorRuns;
  constexpr uint32_t kN = 1000;
  const std::vector<uint8_t> richPlan = test::serialize(test::richPlan());
  const std::vector<uint8_t> vectorPlan = test::serialize(test::vectorAddPlan(kN));
  kiln_session_t* richSource = create(richPlan);
  kiln_session_t* vectorSource = create(vectorPlan, false);

  // Serial references on the sources, each checked against values computed here.
  std::vector<std::vector<RichRun>> richSerial(kThreads);
  std::vector<std::vector<VectorAddRun>> vectorSerial(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kRichRuns; ++i) {
      richSerial[t].emplace_back(unsigned(1000 * t + i));
      REQUIRE(richSerial[t].back().run(richSource, nullptr) == "");
      REQUIRE(richSerial[t].back().correct());
    }
    for (int i = 0; i < kVectorRuns; ++i) {
      vectorSerial[t].emplace_back(kN, unsigned(5000 + 1000 * t + i));
      REQUIRE(vectorSerial[t].back().run(vectorSource, nullptr) == "");
      REQUIRE(vectorSerial[t].back().correct());
    }
  }

  // Each thread: its own shared sessions (graphs on for one thread, off for the other)
  // and its own stream, the same plans, different inputs.
  std::vector<kiln_session_t*> rich(kThreads), vector(kThreads);
  std::vector<void*> streams(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    rich[t] = share(richSource, t == 0);
    vector[t] = share(vectorSource, t == 0);
    REQUIRE(emu.streamCreate(&streams[t], 1) == 0);
  }
  std::vector<std::string> errors(kThreads);
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRichRuns && errors[t].empty(); ++i) {
        RichRun run(unsigned(1000 * t + i));
        errors[t] = run.run(rich[t], streams[t]);
        mismatches[t] += !run.correct() || !run.sameOutputs(richSerial[t][size_t(i)]);
        if (i % kVectorEvery == 0 && errors[t].empty()) {
          VectorAddRun v(kN, unsigned(5000 + 1000 * t + i / kVectorEvery));
          errors[t] = v.run(vector[t], streams[t]);
          mismatches[t] += v.c != vectorSerial[t][size_t(i / kVectorEvery)].c;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    CAPTURE(t);
    CHECK(errors[t] == "");
    CHECK(mismatches[t] == 0);
    kiln_device_info_t device;
    REQUIRE(kiln_session_device_info(rich[t], &device) == KILN_STATUS_OK);
    CHECK(device.uses_cuda_graph == (t == 0 ? 1 : 0));
    kiln_session_destroy(rich[t]);
    kiln_session_destroy(vector[t]);
    CHECK(emu.streamDestroy(streams[t]) == 0);
  }
  kiln_session_destroy(richSource);
  kiln_session_destroy(vectorSource);
}

TEST_CASE("sessions of one family may be destroyed in any order, the source first") {
  const std::vector<uint8_t> plan = test::serialize(test::richPlan());
  kiln_session_t* source = create(plan);
  kiln_session_t* a = share(source);
  kiln_session_t* b = share(a, false);
  kiln_session_destroy(source);
  RichRun first(1), second(2);
  REQUIRE(first.run(a, nullptr) == "");
  REQUIRE(second.run(b, nullptr) == "");
  CHECK(first.correct());
  CHECK(second.correct());
  // The kernels are the shared ones, still loaded, as the driver describes them.
  kiln_kernel_info_t info;
  REQUIRE(kiln_session_kernel_info(b, 0, &info) == KILN_STATUS_OK);
  CHECK(std::string(info.name) == "scale_bias");
  CHECK(info.registers_per_thread > 0);
  kiln_session_t* c = share(b);  // a family outlives its source
  kiln_session_destroy(b);
  RichRun third(3), fourth(4);
  REQUIRE(third.run(a, nullptr) == "");
  REQUIRE(fourth.run(c, nullptr) == "");
  CHECK(third.correct());
  CHECK(fourth.correct());
  kiln_session_destroy(a);
  RichRun fifth(5);
  REQUIRE(fifth.run(c, nullptr) == "");
  CHECK(fifth.correct());
  kiln_session_destroy(c);
}

TEST_CASE("a caller arena of exactly the required size gives the same outputs") {
  Emulator& emu = emulator();
  constexpr uint32_t kN = 1000;
  const std::vector<uint8_t> plan = test::serialize(test::vectorAddPlan(kN));
  uint64_t bytes = 0, alignment = 0;
  REQUIRE(kiln_plan_arena_requirement(plan.data(), plan.size(), &bytes, &alignment) == KILN_STATUS_OK);
  CHECK(bytes == 3 * 4096);
  CHECK(alignment == 256);
  unsigned long long arena = 0;
  REQUIRE(emu.memAlloc(&arena, bytes) == 0);  // cuMemAlloc aligns to 256
  REQUIRE(arena % alignment == 0);

  for (bool graph : {true, false}) {
    CAPTURE(graph);
    kiln_session_t* own = create(plan, graph);
    kiln_session_t* s = create(plan, graph, reinterpret_cast<void*>(arena), bytes);
    uint64_t sessionBytes = 0, sessionAlignment = 0;
    REQUIRE(kiln_session_arena_requirement(s, &sessionBytes, &sessionAlignment) == KILN_STATUS_OK);
    CHECK(sessionBytes == bytes);
    CHECK(sessionAlignment == alignment);
    VectorAddRun expected(kN, 11), run(kN, 11);
    REQUIRE(expected.run(own, nullptr) == "");
    REQUIRE(run.run(s, nullptr) == "");
    CHECK(run.correct());
    CHECK(run.c == expected.c);
    // The output went through the caller's memory (device memory is host memory here).
    const float* c = reinterpret_cast<const float*>(arena + 2 * 4096);
    CHECK(std::memcmp(c, run.c.data(), kN * 4) == 0);
    kiln_session_destroy(s);
    kiln_session_destroy(own);
  }

  // A shared session on the caller's arena, its source on its own.
  kiln_session_t* source = create(plan);
  kiln_session_t* shared = share(source, true, reinterpret_cast<void*>(arena), bytes);
  VectorAddRun a(kN, 21), b(kN, 22);
  REQUIRE(a.run(source, nullptr) == "");
  REQUIRE(b.run(shared, nullptr) == "");
  CHECK(a.correct());
  CHECK(b.correct());
  CHECK(std::memcmp(reinterpret_cast<const float*>(arena + 2 * 4096), b.c.data(), kN * 4) == 0);

  // Too small by one byte, or not aligned: refused, with what the plan needs.
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  kiln_session_t* refused = reinterpret_cast<kiln_session_t*>(0x1);
  options.arena = reinterpret_cast<void*>(arena);
  options.arena_bytes = bytes - 1;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &refused) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(refused == nullptr);
  CHECK(contains(kiln_thread_last_error(), "is too small: the plan's arena needs 12288 bytes aligned to 256 bytes"));
  CHECK(kiln_session_create_shared(source, &options, &refused) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "is too small"));
  options.arena = reinterpret_cast<void*>(arena + 1);
  options.arena_bytes = bytes;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &refused) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "is misaligned"));
  CHECK(kiln_session_create_shared(source, &options, &refused) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "is misaligned: the plan's arena needs 12288 bytes aligned to 256 bytes"));
  CHECK(refused == nullptr);

  kiln_session_destroy(source);
  kiln_session_destroy(shared);
  CHECK(emu.memFree(arena) == 0);  // the caller's, still allocated after its sessions
}

TEST_CASE("a caller arena with the plan's 512-byte alignment, for a plan with weights") {
  Emulator& emu = emulator();
  const std::vector<uint8_t> plan = test::serialize(test::richPlan());
  kiln_session_t* source = create(plan);
  uint64_t bytes = 0, alignment = 0;
  REQUIRE(kiln_session_arena_requirement(source, &bytes, &alignment) == KILN_STATUS_OK);
  uint64_t planBytes = 0, planAlignment = 0;
  REQUIRE(kiln_plan_arena_requirement(plan.data(), plan.size(), &planBytes, &planAlignment) == KILN_STATUS_OK);
  CHECK(bytes == planBytes);
  CHECK(alignment == planAlignment);
  CHECK(alignment == 512);
  unsigned long long block = 0;
  REQUIRE(emu.memAlloc(&block, bytes + alignment) == 0);
  const unsigned long long arena = (block + alignment - 1) / alignment * alignment;
  // 256-aligned but not 512-aligned is not enough.
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.arena = reinterpret_cast<void*>(arena + 256);
  options.arena_bytes = bytes;
  kiln_session_t* refused = nullptr;
  CHECK(kiln_session_create_shared(source, &options, &refused) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "misaligned"));

  kiln_session_t* shared = share(source, false, reinterpret_cast<void*>(arena), bytes);
  RichRun run(7), reference(7);
  REQUIRE(run.run(shared, nullptr) == "");
  REQUIRE(reference.run(source, nullptr) == "");
  CHECK(run.correct());
  CHECK(run.sameOutputs(reference));
  CHECK(std::memcmp(reinterpret_cast<const void*>(arena + 512), run.y.data(), 24) == 0);  // y at arena offset 512
  kiln_session_destroy(source);
  kiln_session_destroy(shared);
  CHECK(emu.memFree(block) == 0);
}
