/* Kernel introspection: the driver's view (registers, shared and local memory) of each loaded kernel. */
#include <stdio.h>
#include <string.h>

#include "session_internal.h"

#define MUTABLE(s) ((kiln_session_t*)(s)) /* query errors are still recorded on the session */

KILN_API kiln_status_t kiln_session_kernel_count(const kiln_session_t* s, size_t* out_count) {
  if (!s || !out_count) return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "session or out_count is NULL");
  *out_count = s->model->kernel_count;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_kernel_info(const kiln_session_t* s, size_t index, kiln_kernel_info_t* out_info) {
  if (!s || !out_info) return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "session or out_info is NULL");
  if (index >= s->model->kernel_count)
    return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "kernel index %zu is out of range (%u kernels)", index,
                     s->model->kernel_count);
  memset(out_info, 0, sizeof(*out_info));
  const kiln_model_t* m = s->model;
  const char* name = m->strings + m->kernel_names[index];
  out_info->name = name;
  if (!m->functions[index])
    return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "kernel '%s' is not loaded", name);

  static const struct {
    unsigned int attribute;
    size_t field;
    const char* what;
  } kQueries[] = {
      {KILN_CU_FUNC_ATTRIBUTE_NUM_REGS, offsetof(kiln_kernel_info_t, registers_per_thread), "registers"},
      {KILN_CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, offsetof(kiln_kernel_info_t, static_shared_bytes), "shared memory"},
      {KILN_CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, offsetof(kiln_kernel_info_t, local_bytes), "local memory"},
      {KILN_CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, offsetof(kiln_kernel_info_t, max_threads_per_block),
       "max threads per block"},
  };
  kiln_status_t status = kiln_session_enter(MUTABLE(s));
  if (status != KILN_STATUS_OK) return status;
  for (size_t q = 0; q < sizeof(kQueries) / sizeof(kQueries[0]) && status == KILN_STATUS_OK; ++q) {
    int value = 0;
    const CUresult r = s->cu->cuFuncGetAttribute(&value, kQueries[q].attribute, m->functions[index]);
    if (r != KILN_CUDA_SUCCESS) {
      char what[320];
      snprintf(what, sizeof(what), "kernel '%s': querying its %s", name, kQueries[q].what);
      status = kiln_fail_cuda(MUTABLE(s), r, what);
    } else {
      const int32_t v32 = (int32_t)value;
      memcpy((char*)out_info + kQueries[q].field, &v32, sizeof(v32));
    }
  }
  kiln_session_leave(MUTABLE(s));
  return status;
}
