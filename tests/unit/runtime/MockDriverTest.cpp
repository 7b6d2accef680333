// The whole session path (context, modules, arena, argument slots, graph capture, copies, errors) against the mock CUDA driver.
#include <doctest/doctest.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "TestPlans.h"
#include "kiln/runtime.h"
#include "mock/MockCuda.h"

using namespace kiln;

namespace {

// The mock is the library the runtime loads ($KILN_CUDA_LIBRARY, set by ctest);
// dlopen of the same path returns the same instance, so its counters are shared.
struct Mock {
  void* handle = nullptr;
  mock_cuda_configure_fn configure = nullptr;
  mock_cuda_reset_fn reset = nullptr;
  mock_cuda_get_counters_fn getCounters = nullptr;
  mock_cuda_primary_context_fn primaryContext = nullptr;
  unsigned (*memAlloc)(unsigned long long*, size_t) = nullptr;
  unsigned (*memFree)(unsigned long long) = nullptr;

  Mock() {
    const char* path = std::getenv("KILN_CUDA_LIBRARY");
    REQUIRE_MESSAGE(path, "KILN_CUDA_LIBRARY must name the mock driver");
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(handle, dlerror());
    configure = reinterpret_cast<mock_cuda_configure_fn>(dlsym(handle, "mock_cuda_configure"));
    reset = reinterpret_cast<mock_cuda_reset_fn>(dlsym(handle, "mock_cuda_reset"));
    getCounters = reinterpret_cast<mock_cuda_get_counters_fn>(dlsym(handle, "mock_cuda_get_counters"));
    primaryContext = reinterpret_cast<mock_cuda_primary_context_fn>(dlsym(handle, "mock_cuda_primary_context"));
    memAlloc = reinterpret_cast<decltype(memAlloc)>(dlsym(handle, "cuMemAlloc_v2"));
    memFree = reinterpret_cast<decltype(memFree)>(dlsym(handle, "cuMemFree_v2"));
    REQUIRE((configure && reset && getCounters && primaryContext && memAlloc && memFree));
    reset();
  }
  mock_cuda_counters_t counters() const {
    mock_cuda_counters_t c;
    getCounters(&c);
    return c;
  }
  void set(int devices, int sm, int optin = 227 * 1024, long failLaunch = 0) {
    const mock_cuda_config_t config = {devices, sm, optin, failLaunch};
    configure(&config);
  }
};

Mock& mock() {
  static Mock instance;
  instance.reset();
  return instance;
}

// Everything a session acquired must be released, and every context push popped.
void checkBalanced(const Mock& m) {
  const mock_cuda_counters_t c = m.counters();
  CHECK(c.live_allocations == 0);
  CHECK(c.live_modules == 0);
  CHECK(c.live_streams == 0);
  CHECK(c.live_graphs == 0);
  CHECK(c.live_graph_execs == 0);
  CHECK(c.primary_retained == 0);
  CHECK(c.context_depth == 0);
}

kiln_session_t* create(const std::vector<uint8_t>& plan, bool graph = true, void* context = nullptr) {
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.use_cuda_graph = graph ? 1 : 0;
  options.context = context;
  kiln_session_t* session = nullptr;
  const kiln_status_t status = kiln_session_create_from_memory(plan.data(), plan.size(), &options, &session);
  INFO(kiln_thread_last_error());
  REQUIRE(status == KILN_STATUS_OK);
  REQUIRE(session);
  return session;
}

kiln_status_t createStatus(const std::vector<uint8_t>& plan) {
  kiln_session_t* session = nullptr;
  const kiln_status_t status = kiln_session_create_from_memory(plan.data(), plan.size(), nullptr, &session);
  if (session) kiln_session_destroy(session);
  return status;
}

bool contains(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

struct VectorAddRun {
  std::vector<float> a, b, c;
  explicit VectorAddRun(size_t n) : a(randomFloats(n, 1)), b(randomFloats(n, 2)), c(n, std::nanf("")) {}
  void bind(kiln_session_t* s) {
    REQUIRE(kiln_session_bind_input_by_name(s, "a", KILN_MEMORY_HOST, a.data(), a.size() * 4) == KILN_STATUS_OK);
    REQUIRE(kiln_session_bind_input(s, 1, KILN_MEMORY_HOST, b.data(), b.size() * 4) == KILN_STATUS_OK);
    REQUIRE(kiln_session_bind_output_by_name(s, "c", KILN_MEMORY_HOST, c.data(), c.size() * 4) == KILN_STATUS_OK);
  }
  void check() const {
    for (size_t i = 0; i < c.size(); ++i)
      if (c[i] != a[i] + b[i]) FAIL("c[", i, "] = ", c[i], ", expected ", a[i] + b[i]);
  }
};

}  // namespace

TEST_CASE("vector add through a captured CUDA graph, replayed on later runs") {
  Mock& m = mock();
  const uint32_t n = 1000;
  kiln_session_t* s = create(test::serialize(test::vectorAddPlan(n)));
  kiln_device_info_t device;
  REQUIRE(kiln_session_device_info(s, &device) == KILN_STATUS_OK);
  CHECK(std::string(device.name) == "Mock GPU 0");
  CHECK(device.sm == 90);
  CHECK(device.uses_cuda_graph == 1);
  CHECK(m.counters().ptx_loads == 1);
  CHECK(m.counters().live_allocations == 1);  // one arena for everything

  VectorAddRun run(n);
  run.bind(s);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  REQUIRE(kiln_session_synchronize(s, nullptr) == KILN_STATUS_OK);
  run.check();
  mock_cuda_counters_t c = m.counters();
  CHECK(c.captures == 1);
  CHECK(c.graph_launches == 1);
  CHECK(c.kernels_executed == 1);
  CHECK(c.htod_copies == 2);
  CHECK(c.dtoh_copies == 1);

  // New host data, same buffers: replay without re-capture.
  run.a = randomFloats(n, 3);
  std::fill(run.c.begin(), run.c.end(), std::nanf(""));
  REQUIRE(kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, run.a.data(), n * 4) == KILN_STATUS_OK);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  run.check();
  c = m.counters();
  CHECK(c.captures == 1);
  CHECK(c.graph_launches == 2);
  CHECK(c.context_depth == 0);
  kiln_session_destroy(s);
  checkBalanced(m);
}

TEST_CASE("vector add with graphs disabled launches directly") {
  Mock& m = mock();
  kiln_session_t* s = create(test::serialize(test::vectorAddPlan(777)), false);
  kiln_device_info_t device;
  kiln_session_device_info(s, &device);
  CHECK(device.uses_cuda_graph == 0);
  VectorAddRun run(777);
  run.bind(s);
  for (int i = 0; i < 3; ++i) REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  run.check();
  CHECK(m.counters().captures == 0);
  CHECK(m.counters().graph_launches == 0);
  CHECK(m.counters().launch_calls == 3);
  kiln_session_destroy(s);
  checkBalanced(m);
}

TEST_CASE("every argument kind reaches the kernels: weights, f32, i32, i64, arena offsets") {
  Mock& m = mock();
  for (bool graph : {true, false}) {
    CAPTURE(graph);
    kiln_session_t* s = create(test::serialize(test::richPlan()), graph);
    size_t inputs = 0, outputs = 0;
    kiln_session_input_count(s, &inputs);
    kiln_session_output_count(s, &outputs);
    CHECK(inputs == 2);
    CHECK(outputs == 2);
    kiln_tensor_info_t info;
    REQUIRE(kiln_session_input_info(s, 1, &info) == KILN_STATUS_OK);
    CHECK(std::string(info.name) == "xi");
    CHECK(info.dtype == KILN_DTYPE_I64);
    CHECK(info.rank == 1);
    CHECK(info.dims[0] == 4);
    CHECK(info.byte_size == 32);
    REQUIRE(kiln_session_output_info(s, 0, &info) == KILN_STATUS_OK);
    CHECK(std::string(info.name) == "y");
    CHECK(info.rank == 2);
    CHECK(info.dims[1] == 3);

    const std::vector<float> x = randomFloats(6, 5);
    const int64_t xi[4] = {int64_t(1) << 40, -5, 0, 123456789012345};
    std::vector<float> y(6, std::nanf(""));
    int64_t z[4] = {-1, -1, -1, -1};
    REQUIRE(kiln_session_bind_input_by_name(s, "x", KILN_MEMORY_HOST, x.data(), 24) == KILN_STATUS_OK);
    REQUIRE(kiln_session_bind_input_by_name(s, "xi", KILN_MEMORY_HOST, xi, 32) == KILN_STATUS_OK);
    REQUIRE(kiln_session_bind_output_by_name(s, "y", KILN_MEMORY_HOST, y.data(), 24) == KILN_STATUS_OK);
    REQUIRE(kiln_session_bind_output_by_name(s, "z", KILN_MEMORY_HOST, z, 32) == KILN_STATUS_OK);
    REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
    REQUIRE(kiln_session_synchronize(s, nullptr) == KILN_STATUS_OK);
    for (int i = 0; i < 6; ++i) CHECK(y[i] == std::fmaf(x[i], test::kRichScale, test::kRichWeights[i]) + x[i]);
    for (int i = 0; i < 4; ++i) CHECK(z[i] == xi[i] + test::kRichOffset);
    CHECK(m.counters().ptx_loads == 1);  // three kernels, one shared module
    kiln_session_destroy(s);
    checkBalanced(m);
    m.reset();
  }
}

TEST_CASE("device-pointer bindings are copied inside the graph; moving them re-captures") {
  Mock& m = mock();
  const uint32_t n = 64;
  kiln_session_t* s = create(test::serialize(test::vectorAddPlan(n)));
  unsigned long long dA = 0, dA2 = 0, dC = 0;
  REQUIRE(m.memAlloc(&dA, n * 4) == 0);
  REQUIRE(m.memAlloc(&dA2, n * 4) == 0);
  REQUIRE(m.memAlloc(&dC, n * 4) == 0);
  float* a = reinterpret_cast<float*>(dA);
  float* a2 = reinterpret_cast<float*>(dA2);
  float* c = reinterpret_cast<float*>(dC);
  const std::vector<float> b = randomFloats(n, 9);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = float(i) * 0.5f;
    a2[i] = -float(i);
    c[i] = std::nanf("");
  }
  REQUIRE(kiln_session_bind_input(s, 0, KILN_MEMORY_DEVICE, a, n * 4) == KILN_STATUS_OK);
  REQUIRE(kiln_session_bind_input(s, 1, KILN_MEMORY_HOST, b.data(), n * 4) == KILN_STATUS_OK);
  REQUIRE(kiln_session_bind_output(s, 0, KILN_MEMORY_DEVICE, c, n * 4) == KILN_STATUS_OK);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  for (uint32_t i = 0; i < n; ++i) REQUIRE(c[i] == a[i] + b[i]);
  CHECK(m.counters().captures == 1);
  CHECK(m.counters().dtod_copies == 2);  // replayed from the graph
  CHECK(m.counters().htod_copies == 1);  // outside the graph

  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  CHECK(m.counters().captures == 1);
  REQUIRE(kiln_session_bind_input(s, 0, KILN_MEMORY_DEVICE, a, n * 4) == KILN_STATUS_OK);  // same pointer
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  CHECK(m.counters().captures == 1);

  REQUIRE(kiln_session_bind_input(s, 0, KILN_MEMORY_DEVICE, a2, n * 4) == KILN_STATUS_OK);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  CHECK(m.counters().captures == 2);
  for (uint32_t i = 0; i < n; ++i) REQUIRE(c[i] == a2[i] + b[i]);

  // Switching a binding from device to host memory also changes the graph.
  std::vector<float> hostA(n, 1.0f);
  REQUIRE(kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, hostA.data(), n * 4) == KILN_STATUS_OK);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  CHECK(m.counters().captures == 3);
  for (uint32_t i = 0; i < n; ++i) REQUIRE(c[i] == 1.0f + b[i]);
  kiln_session_destroy(s);
  m.memFree(dA);
  m.memFree(dA2);
  m.memFree(dC);
  checkBalanced(m);
}

TEST_CASE("binding errors and unbound inputs") {
  Mock& m = mock();
  kiln_session_t* s = create(test::serialize(test::vectorAddPlan(16)));
  float buf[16] = {0};
  size_t index = 99;
  CHECK(kiln_session_find_input(s, "b", &index) == KILN_STATUS_OK);
  CHECK(index == 1);
  CHECK(kiln_session_find_output(s, "c", &index) == KILN_STATUS_OK);
  CHECK(index == 0);
  CHECK(kiln_session_find_input(s, "c", &index) == KILN_STATUS_NOT_FOUND);
  CHECK(contains(kiln_session_last_error(s), "no input named 'c'"));
  CHECK(kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, buf, 60) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_session_last_error(s), "input 'a' needs 64 bytes but 60 were bound"));
  CHECK(kiln_session_bind_input(s, 2, KILN_MEMORY_HOST, buf, 64) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_session_last_error(s), "input index 2 is out of range (2 inputs)"));
  CHECK(kiln_session_bind_output(s, 0, KILN_MEMORY_HOST, nullptr, 64) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_bind_output(s, 0, static_cast<kiln_memory_kind_t>(7), buf, 64) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_bind_input_by_name(s, "zz", KILN_MEMORY_HOST, buf, 64) == KILN_STATUS_NOT_FOUND);
  kiln_tensor_info_t info;
  CHECK(kiln_session_output_info(s, 1, &info) == KILN_STATUS_INVALID_ARGUMENT);

  REQUIRE(kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, buf, 64) == KILN_STATUS_OK);
  CHECK(kiln_session_run(s, nullptr) == KILN_STATUS_NOT_BOUND);
  CHECK(contains(kiln_session_last_error(s), "input 'b' is not bound"));
  CHECK(m.counters().launch_calls == 0);
  // Unbound outputs are allowed: the run computes and copies nothing out.
  REQUIRE(kiln_session_bind_input(s, 1, KILN_MEMORY_HOST, buf, 64) == KILN_STATUS_OK);
  CHECK(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  CHECK(m.counters().dtoh_copies == 0);
  kiln_session_destroy(s);
  checkBalanced(m);
}

TEST_CASE("a failing launch names the launch, kernel, ONNX nodes and CUDA error") {
  Mock& m = mock();
  for (bool graph : {true, false}) {
    CAPTURE(graph);
    m.reset();
    m.set(1, 90, 227 * 1024, 2);
    kiln_session_t* s = create(test::serialize(test::richPlan()), graph);
    float x[6] = {1, 2, 3, 4, 5, 6}, y[6];
    int64_t xi[4] = {1, 2, 3, 4}, z[4];
    kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, x, 24);
    kiln_session_bind_input(s, 1, KILN_MEMORY_HOST, xi, 32);
    kiln_session_bind_output(s, 0, KILN_MEMORY_HOST, y, 24);
    kiln_session_bind_output(s, 1, KILN_MEMORY_HOST, z, 32);
    CHECK(kiln_session_run(s, nullptr) == KILN_STATUS_CUDA_ERROR);
    const std::string message = kiln_session_last_error(s);
    CHECK(contains(message, "launch 1 (kernel 'vector_add', ONNX nodes: Add_3) failed to launch"));
    CHECK(contains(message, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"));
    CHECK(m.counters().context_depth == 0);
    // The failure is not sticky in the runtime: the next run captures and succeeds.
    CHECK(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
    CHECK(z[3] == 4 + test::kRichOffset);
    kiln_session_destroy(s);
    checkBalanced(m);
  }
}

TEST_CASE("PTX that does not load reports the CUDA error, kernel and JIT log") {
  Mock& m = mock();
  plan::PlanWriter w = test::vectorAddPlan(8);
  w.addKernel({"broken", ".version 8.0\n.target sm_80\n.visible .entry broken()\nMOCK_INVALID_PTX\n", {}, 0, {}});
  CHECK(createStatus(test::serialize(w)) == KILN_STATUS_CUDA_ERROR);
  const std::string message = kiln_thread_last_error();
  CHECK(contains(message, "loading kernel 'broken' (PTX for sm_80) on device 0 (Mock GPU 0, sm_90)"));
  CHECK(contains(message, "CUDA_ERROR_INVALID_PTX"));
  CHECK(contains(message, "JIT log: ptxas fatal   : mock syntax error on line 3"));
  checkBalanced(m);  // the partly built session released what it had

  // A kernel whose PTX has no such entry is refused before the driver is asked.
  plan::PlanWriter missing = test::vectorAddPlan(8);
  missing.addKernel({"not_in_module", test::kernelsPtx(), {}, 0, {}});
  CHECK(createStatus(test::serialize(missing)) == KILN_STATUS_INVALID_PLAN);
  CHECK(contains(kiln_thread_last_error(), "kernel 1 ('not_in_module') has no .entry in its PTX"));
  checkBalanced(m);
}

TEST_CASE("device selection: no device, bad ordinal, too old, too little shared memory") {
  Mock& m = mock();
  const std::vector<uint8_t> plan = test::serialize(test::vectorAddPlan(8));
  m.set(0, 90);
  CHECK(createStatus(plan) == KILN_STATUS_NO_DEVICE);
  CHECK(contains(kiln_thread_last_error(), "no CUDA device: cuInit reported CUDA_ERROR_NO_DEVICE"));

  m.set(2, 90);
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.device_ordinal = 2;
  kiln_session_t* s = nullptr;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &s) == KILN_STATUS_NO_DEVICE);
  CHECK(contains(kiln_thread_last_error(), "no CUDA device 2: the driver reports 2 devices"));
  options.device_ordinal = 1;
  REQUIRE(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &s) == KILN_STATUS_OK);
  kiln_device_info_t device;
  kiln_session_device_info(s, &device);
  CHECK(device.ordinal == 1);
  CHECK(std::string(device.name) == "Mock GPU 1");
  kiln_session_destroy(s);

  m.set(1, 75);
  CHECK(createStatus(plan) == KILN_STATUS_UNSUPPORTED_DEVICE);
  CHECK(contains(kiln_thread_last_error(), "the plan was compiled for sm_80 but device 0 (Mock GPU 0) is sm_75"));

  m.set(1, 90, 100 * 1024);
  plan::PlanWriter big = test::vectorAddPlan(8);
  plan::LaunchSpec l = big.launches()[0];
  l.sharedMemBytes = 150 * 1024;
  big.addLaunch(l);
  CHECK(createStatus(test::serialize(big)) == KILN_STATUS_UNSUPPORTED_DEVICE);
  CHECK(contains(kiln_thread_last_error(), "launch 1 needs 153600 bytes of shared memory but device 0"));
  checkBalanced(m);
}

TEST_CASE("dynamic shared memory above 48 KiB is opted into once per kernel") {
  Mock& m = mock();
  plan::PlanWriter w = test::vectorAddPlan(8);
  plan::LaunchSpec l = w.launches()[0];
  l.sharedMemBytes = 64 * 1024;
  w.addLaunch(l);
  l.sharedMemBytes = 96 * 1024;
  w.addLaunch(l);
  kiln_session_t* s = create(test::serialize(w));
  CHECK(m.counters().smem_attributes_set == 1);
  kiln_session_destroy(s);
  checkBalanced(m);
}

TEST_CASE("a cubin is used only on the device it was built for") {
  Mock& m = mock();
  // Mock cubins are "\x7fELF" followed by the entry names.
  const std::string image = std::string("\x7f" "ELF") + "vector_add";
  plan::PlanWriter withCubin;
  withCubin.setTargetSm(80);
  withCubin.setArena(3 * 256, 256);
  withCubin.addInput({"a", KILN_PLAN_DTYPE_F32, {32}, 0});
  withCubin.addInput({"b", KILN_PLAN_DTYPE_F32, {32}, 256});
  withCubin.addOutput({"c", KILN_PLAN_DTYPE_F32, {32}, 512});
  const auto* imageBytes = reinterpret_cast<const uint8_t*>(image.c_str());
  plan::KernelSpec kernel = test::testKernel("vector_add");
  kernel.cubin.assign(imageBytes, imageBytes + image.size() + 1);
  kernel.cubinArch = 90;
  withCubin.addKernel(kernel);
  plan::LaunchSpec launch;
  launch.block = {{32, 1, 1}};
  launch.args = {plan::Arg::arena(0, 128), plan::Arg::arena(256, 128), plan::Arg::arena(512, 128), plan::Arg::i32(32)};
  withCubin.addLaunch(launch);
  std::vector<uint8_t> bytes = test::serialize(withCubin);

  kiln_session_t* s = create(bytes);
  CHECK(m.counters().cubin_loads == 1);
  CHECK(m.counters().ptx_loads == 0);
  VectorAddRun run(32);
  run.bind(s);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  run.check();
  kiln_session_destroy(s);

  m.set(1, 100);
  s = create(bytes);
  CHECK(m.counters().cubin_loads == 1);
  CHECK(m.counters().ptx_loads == 1);
  kiln_session_destroy(s);

  // The cubin works from an unaligned buffer too (the runtime realigns it).
  m.reset();
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  kiln_session_t* t = nullptr;
  REQUIRE(kiln_session_create_from_memory(shifted.data() + 1, bytes.size(), nullptr, &t) == KILN_STATUS_OK);
  CHECK(m.counters().cubin_loads == 1);
  kiln_session_destroy(t);
  checkBalanced(m);
}

// A cubin is opaque to the plan reader: the driver's account of its parameters must
// agree with the plan's, or the launches would pass it the wrong number of values.
TEST_CASE("a cubin whose parameters differ from the plan's is refused before any launch") {
  Mock& m = mock();
  const std::string image = std::string("\x7f" "ELF") + "add_i64";
  plan::PlanWriter w;
  w.setTargetSm(90);
  w.setArena(512, 256);
  plan::KernelSpec k;
  k.name = "add_i64";  // the mock driver's cubin add_i64 takes (u64, u64, s64, u32)
  k.ptx = ".visible .entry add_i64(.param .u64 .ptr a, .param .u64 .ptr b, .param .s64 c, .param .u32 n, "
          ".param .u32 extra)\n{\n ret;\n}\n";
  k.params = {KILN_PLAN_PARAM_POINTER, KILN_PLAN_PARAM_POINTER, KILN_PLAN_PARAM_I64, KILN_PLAN_PARAM_I32,
              KILN_PLAN_PARAM_I32};
  const auto* imageBytes = reinterpret_cast<const uint8_t*>(image.c_str());
  k.cubin.assign(imageBytes, imageBytes + image.size() + 1);
  k.cubinArch = 90;
  w.addKernel(k);
  plan::LaunchSpec l;
  l.args = {plan::Arg::arena(0, 8), plan::Arg::arena(256, 8), plan::Arg::i64(1), plan::Arg::i32(1), plan::Arg::i32(2)};
  w.addLaunch(l);
  CHECK(createStatus(test::serialize(w)) == KILN_STATUS_INVALID_PLAN);
  CHECK(contains(kiln_thread_last_error(), "kernel 'add_i64': parameter 4 of its cubin does not match the plan (missing)"));
  CHECK(m.counters().cubin_loads == 1);
  CHECK(m.counters().launch_calls == 0);
  checkBalanced(m);
}

TEST_CASE("a caller-owned context is used and never released") {
  Mock& m = mock();
  kiln_session_t* s = create(test::serialize(test::vectorAddPlan(8)), true, m.primaryContext());
  CHECK(m.counters().primary_retained == 0);
  VectorAddRun run(8);
  run.bind(s);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  run.check();
  kiln_session_destroy(s);
  checkBalanced(m);
}

TEST_CASE("plans from a file, and KILN_SYNC_LAUNCHES turning graphs off") {
  Mock& m = mock();
  const std::string path = std::string(KILN_TEST_TMP_DIR) + "/mock_vector_add.kiln";
  std::string error;
  REQUIRE(test::vectorAddPlan(100).writeFile(path, error));
  setenv("KILN_SYNC_LAUNCHES", "1", 1);
  kiln_session_t* s = nullptr;
  REQUIRE(kiln_session_create_from_file(path.c_str(), nullptr, &s) == KILN_STATUS_OK);
  unsetenv("KILN_SYNC_LAUNCHES");
  kiln_device_info_t device;
  kiln_session_device_info(s, &device);
  CHECK(device.uses_cuda_graph == 0);
  VectorAddRun run(100);
  run.bind(s);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  run.check();
  CHECK(m.counters().synchronizations == 1);  // one per launch
  kiln_session_destroy(s);
  std::remove(path.c_str());
  checkBalanced(m);
}

TEST_CASE("a plan with no launches runs as pure copies") {
  Mock& m = mock();
  plan::PlanWriter w;
  w.setArena(256);
  w.addInput({"in", KILN_PLAN_DTYPE_I32, {4}, 0});
  w.addOutput({"out", KILN_PLAN_DTYPE_I32, {4}, 0});  // identity: same arena bytes
  kiln_session_t* s = create(test::serialize(w));
  const int32_t in[4] = {4, 3, 2, 1};
  int32_t out[4] = {0, 0, 0, 0};
  kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, in, 16);
  kiln_session_bind_output(s, 0, KILN_MEMORY_HOST, out, 16);
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  CHECK(out[0] == 4);
  CHECK(out[3] == 1);
  CHECK(m.counters().captures == 0);
  kiln_session_destroy(s);
  checkBalanced(m);
}

TEST_CASE("fuzz: mutated-but-valid plans load and unload cleanly") {
  Mock& m = mock();
  const std::vector<uint8_t> seed = test::serialize(test::richPlan());
  std::mt19937_64 rng(1234);
  int loaded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> bytes = seed;
    for (int n = 0, count = 1 + int(rng() % 3); n < count; ++n) {
      const uint64_t at = sizeof(kiln_plan_header_t) + 9 * sizeof(kiln_plan_section_t) +
                          rng() % (bytes.size() - sizeof(kiln_plan_header_t) - 9 * sizeof(kiln_plan_section_t));
      bytes[at] = rng() & 1 ? uint8_t(rng()) : uint8_t(rng() % 8);
    }
    plan::resealPlan(bytes);
    kiln_session_t* s = nullptr;
    if (kiln_session_create_from_memory(bytes.data(), bytes.size(), nullptr, &s) == KILN_STATUS_OK) {
      ++loaded;
      kiln_session_destroy(s);
    } else {
      REQUIRE(s == nullptr);
      REQUIRE(std::strlen(kiln_thread_last_error()) > 0);
    }
    const mock_cuda_counters_t c = m.counters();
    REQUIRE(c.live_allocations == 0);
    REQUIRE(c.live_modules == 0);
    REQUIRE(c.context_depth == 0);
    REQUIRE(c.primary_retained == 0);
  }
  MESSAGE("mock fuzz: " << loaded << " of 3000 mutated plans loaded");
}

TEST_CASE("kernel info reports the driver's registers, shared, local memory and thread limit per kernel") {
  Mock& m = mock();
  kiln_session_t* s = create(test::serialize(test::richPlan()));
  // Creation asks each kernel once for its thread limit, to check the launches' blocks.
  CHECK(m.counters().function_attribute_queries == 3);
  size_t count = 0;
  REQUIRE(kiln_session_kernel_count(s, &count) == KILN_STATUS_OK);
  REQUIRE(count == 3);
  std::vector<std::string> names;
  for (size_t k = 0; k < count; ++k) {
    kiln_kernel_info_t info;
    REQUIRE(kiln_session_kernel_info(s, k, &info) == KILN_STATUS_OK);
    REQUIRE(info.name);
    const int n = static_cast<int>(std::strlen(info.name));
    names.push_back(info.name);
    // The mock's answers are functions of the name length (MockCuda.h).
    CHECK(info.registers_per_thread == 8 + n);
    CHECK(info.static_shared_bytes == 16 * n);
    CHECK(info.local_bytes == 8 * (n % 4));
    CHECK(info.max_threads_per_block == 1024);
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"add_i64", "scale_bias", "vector_add"});
  CHECK(m.counters().function_attribute_queries == 3 + 12);
  CHECK(m.counters().context_depth == 0);

  kiln_kernel_info_t info;
  CHECK(kiln_session_kernel_info(s, 3, &info) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_session_last_error(s), "kernel index 3 is out of range (3 kernels)"));
  CHECK(kiln_session_kernel_info(s, 0, nullptr) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_kernel_count(s, nullptr) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_kernel_count(nullptr, &count) == KILN_STATUS_INVALID_ARGUMENT);
  kiln_session_destroy(s);
  checkBalanced(m);
}

namespace {

// Runs the rich plan on s with inputs derived from seed and checks its outputs; returns
// the first argument of the last kernel run: add_i64's input xi, at arena offset 256.
unsigned long long runRich(Mock& m, kiln_session_t* s, int seed) {
  const std::vector<float> x = randomFloats(6, unsigned(seed));
  const int64_t xi[4] = {seed, -seed, int64_t(seed) << 33, 7};
  std::vector<float> y(6, std::nanf(""));
  int64_t z[4] = {-1, -1, -1, -1};
  REQUIRE(kiln_session_bind_input(s, 0, KILN_MEMORY_HOST, x.data(), 24) == KILN_STATUS_OK);
  REQUIRE(kiln_session_bind_input(s, 1, KILN_MEMORY_HOST, xi, 32) == KILN_STATUS_OK);
  REQUIRE(kiln_session_bind_output(s, 0, KILN_MEMORY_HOST, y.data(), 24) == KILN_STATUS_OK);
  REQUIRE(kiln_session_bind_output(s, 1, KILN_MEMORY_HOST, z, 32) == KILN_STATUS_OK);
  INFO(kiln_session_last_error(s));
  REQUIRE(kiln_session_run(s, nullptr) == KILN_STATUS_OK);
  for (int i = 0; i < 6; ++i) CHECK(y[i] == std::fmaf(x[i], test::kRichScale, test::kRichWeights[i]) + x[i]);
  for (int i = 0; i < 4; ++i) CHECK(z[i] == xi[i] + test::kRichOffset);
  return m.counters().last_pointer_arg;
}

}  // namespace

TEST_CASE("shared sessions load the kernels and upload the weights once, each with its own arena") {
  Mock& m = mock();
  const std::vector<uint8_t> plan = test::serialize(test::richPlan());
  const uint64_t weightBytes = test::findSection(plan, KILN_PLAN_SECTION_WEIGHTS).section.size;
  kiln_session_t* source = create(plan);
  mock_cuda_counters_t c = m.counters();
  CHECK(c.ptx_loads == 1);
  CHECK(c.htod_sync_copies == 1);
  CHECK(c.htod_sync_bytes == long(weightBytes));
  CHECK(c.live_allocations == 2);  // weights, arena
  CHECK(c.primary_retained == 1);
  CHECK(c.live_streams == 1);

  kiln_session_t* a = nullptr;
  kiln_session_t* b = nullptr;
  REQUIRE(kiln_session_create_shared(source, nullptr, &a) == KILN_STATUS_OK);
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.use_cuda_graph = 0;
  options.device_ordinal = 3;             // ignored
  options.context = m.primaryContext();  // the source's context is allowed
  REQUIRE(kiln_session_create_shared(a, &options, &b) == KILN_STATUS_OK);  // from a shared one, too
  c = m.counters();
  CHECK(c.ptx_loads == 1);
  CHECK(c.live_modules == 1);
  CHECK(c.htod_sync_copies == 1);
  CHECK(c.htod_sync_bytes == long(weightBytes));
  CHECK(c.live_allocations == 4);  // one more arena each
  CHECK(c.primary_retained == 1);
  CHECK(c.live_streams == 2);  // b runs without a graph
  CHECK(c.function_attribute_queries == 3);
  CHECK(c.context_depth == 0);

  kiln_device_info_t device;
  REQUIRE(kiln_session_device_info(b, &device) == KILN_STATUS_OK);
  CHECK(std::string(device.name) == "Mock GPU 0");
  CHECK(device.ordinal == 0);
  CHECK(device.uses_cuda_graph == 0);
  size_t count = 0;
  REQUIRE(kiln_session_kernel_count(b, &count) == KILN_STATUS_OK);
  CHECK(count == 3);
  kiln_kernel_info_t kernel;
  REQUIRE(kiln_session_kernel_info(b, 2, &kernel) == KILN_STATUS_OK);
  CHECK(std::string(kernel.name) == "add_i64");
  kiln_tensor_info_t tensor;
  REQUIRE(kiln_session_output_info(a, 1, &tensor) == KILN_STATUS_OK);
  CHECK(std::string(tensor.name) == "z");
  uint64_t bytes = 0, alignment = 0;
  REQUIRE(kiln_session_arena_requirement(b, &bytes, &alignment) == KILN_STATUS_OK);
  CHECK((bytes == 2048 && alignment == 512));

  // Each session's kernels see its own arena, 512-aligned.
  const unsigned long long xiSource = runRich(m, source, 1);
  const unsigned long long xiA = runRich(m, a, 2);
  const unsigned long long xiB = runRich(m, b, 3);
  CHECK(xiSource != xiA);
  CHECK(xiSource != xiB);
  CHECK(xiA != xiB);
  for (unsigned long long xi : {xiSource, xiA, xiB}) CHECK((xi - 256) % 512 == 0);
  CHECK(runRich(m, source, 4) == xiSource);

  // The source may go first; the others keep the shared kernels and weights.
  kiln_session_destroy(source);
  c = m.counters();
  CHECK(c.live_modules == 1);
  CHECK(c.live_allocations == 3);
  CHECK(c.primary_retained == 1);
  CHECK(runRich(m, a, 5) == xiA);
  CHECK(runRich(m, b, 6) == xiB);
  kiln_session_destroy(a);
  CHECK(runRich(m, b, 7) == xiB);
  CHECK(m.counters().live_allocations == 2);
  kiln_session_destroy(b);
  checkBalanced(m);
}

TEST_CASE("shared sessions: a foreign context or an unfit arena is refused") {
  Mock& m = mock();
  kiln_session_t* source = create(test::serialize(test::richPlan()));
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  int otherContext = 0;
  options.context = &otherContext;
  kiln_session_t* s = reinterpret_cast<kiln_session_t*>(0x1);
  CHECK(kiln_session_create_shared(source, &options, &s) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(s == nullptr);
  CHECK(contains(kiln_thread_last_error(), "options.context must be NULL or the source session's context"));
  options.context = nullptr;
  options.arena = reinterpret_cast<void*>(uintptr_t(4096 + 1));
  options.arena_bytes = 1 << 20;
  CHECK(kiln_session_create_shared(source, &options, &s) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "is misaligned: the plan's arena needs 2048 bytes aligned to 512 bytes"));
  CHECK(m.counters().live_allocations == 2);
  runRich(m, source, 1);
  kiln_session_destroy(source);
  checkBalanced(m);
}

TEST_CASE("a caller arena: only the weights are allocated, the kernels use the caller's memory") {
  Mock& m = mock();
  const std::vector<uint8_t> plan = test::serialize(test::richPlan());
  uint64_t bytes = 0, alignment = 0;
  REQUIRE(kiln_plan_arena_requirement(plan.data(), plan.size(), &bytes, &alignment) == KILN_STATUS_OK);
  unsigned long long block = 0;
  REQUIRE(m.memAlloc(&block, bytes + alignment) == 0);
  const unsigned long long arena = (block + alignment - 1) / alignment * alignment;
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.arena = reinterpret_cast<void*>(arena);
  options.arena_bytes = bytes;  // exactly enough

  kiln_session_t* s = nullptr;
  REQUIRE(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &s) == KILN_STATUS_OK);
  CHECK(m.counters().live_allocations == 2);  // the caller's block and the weights
  uint64_t sessionBytes = 0, sessionAlignment = 0;
  REQUIRE(kiln_session_arena_requirement(s, &sessionBytes, &sessionAlignment) == KILN_STATUS_OK);
  CHECK(sessionBytes == bytes);
  CHECK(sessionAlignment == alignment);
  CHECK(runRich(m, s, 1) == arena + 256);

  // A shared session with its own allocated arena, then one on the caller's arena
  // once the first is gone (the caller must not let two use it at once).
  kiln_session_t* shared = nullptr;
  REQUIRE(kiln_session_create_shared(s, nullptr, &shared) == KILN_STATUS_OK);
  CHECK(m.counters().live_allocations == 3);
  CHECK(runRich(m, shared, 2) != arena + 256);
  kiln_session_destroy(s);
  kiln_session_t* onCallerArena = nullptr;
  REQUIRE(kiln_session_create_shared(shared, &options, &onCallerArena) == KILN_STATUS_OK);
  CHECK(m.counters().live_allocations == 3);
  CHECK(runRich(m, onCallerArena, 3) == arena + 256);
  kiln_session_destroy(shared);
  kiln_session_destroy(onCallerArena);
  CHECK(m.counters().live_allocations == 1);  // the caller still owns its block
  m.memFree(block);
  checkBalanced(m);
}

TEST_CASE("a plan without weights or arena allocates nothing") {
  Mock& m = mock();
  plan::PlanWriter w;
  w.setArena(0);
  kiln_session_t* s = create(test::serialize(w));
  CHECK(m.counters().live_allocations == 0);
  kiln_session_t* shared = nullptr;
  REQUIRE(kiln_session_create_shared(s, nullptr, &shared) == KILN_STATUS_OK);
  CHECK(m.counters().live_allocations == 0);
  REQUIRE(kiln_session_run(shared, nullptr) == KILN_STATUS_OK);
  kiln_session_destroy(s);
  kiln_session_destroy(shared);
  checkBalanced(m);
}
