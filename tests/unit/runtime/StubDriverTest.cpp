// Against the CUDA toolkit's stub libcuda.so: every symbol the runtime needs resolves, and the stub is refused by name.
#include <doctest/doctest.h>

#include <string>

#include "TestPlans.h"
#include "kiln/runtime.h"

TEST_CASE("the toolkit's stub driver resolves every entry point and is reported as unusable") {
  const std::vector<uint8_t> plan = kiln::test::serialize(kiln::test::vectorAddPlan(16));
  kiln_session_t* session = nullptr;
  const kiln_status_t status = kiln_session_create_from_memory(plan.data(), plan.size(), nullptr, &session);
  const std::string message = kiln_thread_last_error();
  INFO(message);
  CHECK(session == nullptr);
  CHECK(status == KILN_STATUS_NO_DRIVER);
  // Had a symbol been misnamed, the message would say "lacks <symbol>" instead.
  CHECK(message.find("no usable CUDA driver: cuInit reported CUDA_ERROR_STUB_LIBRARY") != std::string::npos);
}
