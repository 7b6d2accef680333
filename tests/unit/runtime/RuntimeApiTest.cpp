// The C API without a GPU: argument checks, status strings, plan errors and a clean "no CUDA driver" failure.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "TestPlans.h"
#include "kiln/runtime.h"

using namespace kiln;

namespace {

// ctest sets KILN_CUDA_LIBRARY to a path that does not exist; make sure of it even
// when the binary is run by hand, before the first session creation.
const bool kNoDriver = [] {
  setenv("KILN_CUDA_LIBRARY", "/nonexistent/libcuda.so.1", 1);
  return true;
}();

bool contains(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

}  // namespace

TEST_CASE("status, dtype and version strings") {
  CHECK(kNoDriver);
  CHECK(std::string(kiln_status_string(KILN_STATUS_OK)) == "KILN_STATUS_OK");
  CHECK(std::string(kiln_status_string(KILN_STATUS_INVALID_PLAN)) == "KILN_STATUS_INVALID_PLAN");
  CHECK(std::string(kiln_status_string(KILN_STATUS_NO_DRIVER)) == "KILN_STATUS_NO_DRIVER");
  CHECK(std::string(kiln_status_string(KILN_STATUS_NOT_BOUND)) == "KILN_STATUS_NOT_BOUND");
  CHECK(std::string(kiln_status_string(12345)) == "KILN_STATUS_UNKNOWN");
  for (kiln_status_t s = 0; s <= KILN_STATUS_NOT_BOUND; ++s) CHECK(std::string(kiln_status_string(s)) != "KILN_STATUS_UNKNOWN");
  CHECK(std::string(kiln_dtype_name(KILN_DTYPE_BF16)) == "bf16");
  CHECK(std::string(kiln_dtype_name(KILN_DTYPE_BOOL)) == "bool");
  CHECK(std::string(kiln_dtype_name(8)) == "?");
  CHECK(kiln_dtype_size(KILN_DTYPE_F64) == 8);
  CHECK(kiln_dtype_size(KILN_DTYPE_F16) == 2);
  CHECK(kiln_dtype_size(KILN_DTYPE_BOOL) == 1);
  CHECK(kiln_dtype_size(0) == 0);
  CHECK(contains(kiln_runtime_version(), "plan format 1.2"));
}

TEST_CASE("options default to device 0, CUDA graphs on, primary context") {
  kiln_session_options_t options;
  options.device_ordinal = 5;
  options.use_cuda_graph = 0;
  options.context = &options;
  kiln_session_options_init(&options);
  CHECK(options.device_ordinal == 0);
  CHECK(options.use_cuda_graph == 1);
  CHECK(options.context == nullptr);
  CHECK(options.arena == nullptr);
  CHECK(options.arena_bytes == 0);
  kiln_session_options_init(nullptr);  // must not crash
}

TEST_CASE("a plan's arena requirement is read without a driver") {
  uint64_t bytes = 0, alignment = 0;
  std::vector<uint8_t> plan = test::serialize(test::richPlan());
  REQUIRE(kiln_plan_arena_requirement(plan.data(), plan.size(), &bytes, &alignment) == KILN_STATUS_OK);
  CHECK(bytes == 2048);
  CHECK(alignment == 512);
  plan = test::serialize(test::vectorAddPlan(1000));
  REQUIRE(kiln_plan_arena_requirement(plan.data(), plan.size(), &bytes, &alignment) == KILN_STATUS_OK);
  CHECK(bytes == 3 * 4096);
  CHECK(alignment == 256);

  CHECK(kiln_plan_arena_requirement(nullptr, plan.size(), &bytes, &alignment) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "NULL"));
  CHECK(kiln_plan_arena_requirement(plan.data(), plan.size(), nullptr, &alignment) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_plan_arena_requirement(plan.data(), plan.size(), &bytes, nullptr) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_arena_requirement(nullptr, &bytes, &alignment) == KILN_STATUS_INVALID_ARGUMENT);

  std::vector<uint8_t> corrupt = plan;
  corrupt[3] ^= 0x20;
  bytes = alignment = 7;
  CHECK(kiln_plan_arena_requirement(corrupt.data(), corrupt.size(), &bytes, &alignment) == KILN_STATUS_INVALID_PLAN);
  CHECK(contains(kiln_thread_last_error(), "plan in memory: not a kiln plan (bad magic"));
  CHECK((bytes == 7 && alignment == 7));
  corrupt = plan;
  corrupt[test::findSection(corrupt, KILN_PLAN_SECTION_CODE).section.offset + 10] ^= 1;
  CHECK(kiln_plan_arena_requirement(corrupt.data(), corrupt.size(), &bytes, &alignment) ==
        KILN_STATUS_CHECKSUM_MISMATCH);
  CHECK(contains(kiln_thread_last_error(), "section CODE checksum mismatch"));
  CHECK(kiln_plan_arena_requirement(plan.data(), 100, &bytes, &alignment) == KILN_STATUS_INVALID_PLAN);
}

TEST_CASE("a caller arena that cannot hold the plan's arena is refused before CUDA is touched") {
  const std::vector<uint8_t> plan = test::serialize(test::richPlan());  // 2048 bytes, aligned to 512
  alignas(4096) static uint8_t storage[8192];
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  kiln_session_t* session = reinterpret_cast<kiln_session_t*>(0x1);
  options.arena = storage;
  options.arena_bytes = 2047;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &session) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(session == nullptr);
  CHECK(contains(kiln_thread_last_error(), "options.arena (2047 bytes at "));
  CHECK(contains(kiln_thread_last_error(), "is too small: the plan's arena needs 2048 bytes aligned to 512 bytes"));
  options.arena = storage + 256;
  options.arena_bytes = 4096;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &session) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "is misaligned: the plan's arena needs 2048 bytes aligned to 512 bytes"));
  // A fitting arena gets as far as the (missing) driver.
  options.arena = storage + 512;
  options.arena_bytes = 2048;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &session) == KILN_STATUS_NO_DRIVER);
  // NULL asks the session to allocate its own, whatever arena_bytes says.
  options.arena = nullptr;
  options.arena_bytes = 1;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), &options, &session) == KILN_STATUS_NO_DRIVER);
}

TEST_CASE("shared-session creation argument checks") {
  kiln_session_t* session = reinterpret_cast<kiln_session_t*>(0x1);
  CHECK(kiln_session_create_shared(nullptr, nullptr, &session) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(session == nullptr);
  CHECK(contains(kiln_thread_last_error(), "source session is NULL"));
  CHECK(kiln_session_create_shared(nullptr, nullptr, nullptr) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "out_session is NULL"));
}

TEST_CASE("creation argument checks") {
  const std::vector<uint8_t> plan = test::serialize(test::vectorAddPlan(16));
  kiln_session_t* session = reinterpret_cast<kiln_session_t*>(0x1);
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), nullptr, nullptr) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "out_session is NULL"));
  CHECK(kiln_session_create_from_memory(nullptr, 10, nullptr, &session) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(session == nullptr);
  session = reinterpret_cast<kiln_session_t*>(0x1);
  CHECK(kiln_session_create_from_file(nullptr, nullptr, &session) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(session == nullptr);
  CHECK(kiln_session_create_from_file("/nonexistent/model.kiln", nullptr, &session) == KILN_STATUS_IO_ERROR);
  CHECK(contains(kiln_thread_last_error(), "cannot open '/nonexistent/model.kiln'"));
  CHECK(contains(kiln_thread_last_error(), "No such file"));
}

TEST_CASE("corrupt plans are reported before CUDA is touched") {
  std::vector<uint8_t> plan = test::serialize(test::vectorAddPlan(16));
  plan[3] ^= 0x20;
  kiln_session_t* session = nullptr;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), nullptr, &session) == KILN_STATUS_INVALID_PLAN);
  CHECK(session == nullptr);
  CHECK(contains(kiln_thread_last_error(), "plan in memory: not a kiln plan (bad magic"));

  plan = test::serialize(test::vectorAddPlan(16));
  plan[test::findSection(plan, KILN_PLAN_SECTION_CODE).section.offset + 10] ^= 1;
  const std::string path = std::string(KILN_TEST_TMP_DIR) + "/api_test_corrupt.kiln";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  std::fwrite(plan.data(), 1, plan.size(), f);
  std::fclose(f);
  CHECK(kiln_session_create_from_file(path.c_str(), nullptr, &session) == KILN_STATUS_CHECKSUM_MISMATCH);
  CHECK(contains(kiln_thread_last_error(), path + ": section CODE checksum mismatch"));
  std::remove(path.c_str());
}

TEST_CASE("a valid plan without a CUDA driver fails cleanly with NO_DRIVER") {
  const std::vector<uint8_t> plan = test::serialize(test::vectorAddPlan(16));
  kiln_session_t* session = reinterpret_cast<kiln_session_t*>(0x1);
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), nullptr, &session) == KILN_STATUS_NO_DRIVER);
  CHECK(session == nullptr);
  const std::string message = kiln_thread_last_error();
  CHECK(contains(message, "no CUDA driver: could not load /nonexistent/libcuda.so.1"));
  CHECK(contains(message, "KILN_CUDA_LIBRARY"));
  // A second attempt retries the load and fails the same way.
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), nullptr, &session) == KILN_STATUS_NO_DRIVER);
}

TEST_CASE("a library that is not a CUDA driver is refused by name") {
  setenv("KILN_CUDA_LIBRARY", "libc.so.6", 1);
  const std::vector<uint8_t> plan = test::serialize(test::vectorAddPlan(16));
  kiln_session_t* session = nullptr;
  CHECK(kiln_session_create_from_memory(plan.data(), plan.size(), nullptr, &session) == KILN_STATUS_NO_DRIVER);
  CHECK(contains(kiln_thread_last_error(), "libc.so.6 lacks cuInit"));
  setenv("KILN_CUDA_LIBRARY", "/nonexistent/libcuda.so.1", 1);
}

TEST_CASE("NULL sessions and arguments are rejected, not dereferenced") {
  size_t count = 99;
  kiln_tensor_info_t info;
  kiln_device_info_t device;
  float data[4];
  CHECK(kiln_session_input_count(nullptr, &count) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_output_count(nullptr, &count) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(count == 99);
  CHECK(kiln_session_input_info(nullptr, 0, &info) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_output_info(nullptr, 0, &info) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_find_input(nullptr, "a", &count) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_find_output(nullptr, "c", &count) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_bind_input(nullptr, 0, KILN_MEMORY_HOST, data, sizeof(data)) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_bind_output(nullptr, 0, KILN_MEMORY_HOST, data, sizeof(data)) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_bind_input_by_name(nullptr, "a", KILN_MEMORY_HOST, data, sizeof(data)) ==
        KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_bind_output_by_name(nullptr, "c", KILN_MEMORY_HOST, data, sizeof(data)) ==
        KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_run(nullptr, nullptr) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_synchronize(nullptr, nullptr) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(kiln_session_device_info(nullptr, &device) == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(contains(kiln_thread_last_error(), "NULL"));
  CHECK(std::string(kiln_session_last_error(nullptr)) == "session is NULL");
  kiln_session_destroy(nullptr);
}

TEST_CASE("the thread-local error belongs to the thread that failed") {
  kiln_session_t* session = nullptr;
  CHECK(kiln_session_create_from_file("/nonexistent/main-thread.kiln", nullptr, &session) == KILN_STATUS_IO_ERROR);
  std::string other;
  std::thread worker([&] {
    kiln_session_t* s = nullptr;
    kiln_session_create_from_file("/nonexistent/worker-thread.kiln", nullptr, &s);
    other = kiln_thread_last_error();
  });
  worker.join();
  CHECK(contains(other, "worker-thread"));
  CHECK(contains(kiln_thread_last_error(), "main-thread"));
}
