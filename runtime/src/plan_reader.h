/* Parses and fully validates a plan held in memory; the session trusts nothing it did not pass. */
#ifndef KILN_RUNTIME_PLAN_READER_H
#define KILN_RUNTIME_PLAN_READER_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/plan_format.h"
#include "kiln/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tables are copied into aligned, owned arrays (the file may sit at any address and
 * newer writers may use larger entries); blobs and strings point into the caller's
 * buffer, which must outlive the view. */
typedef struct kiln_plan_view {
  kiln_plan_header_t header;
  const char* strings;
  uint64_t strings_size;
  kiln_plan_tensor_t* tensors; /* inputs first, then outputs */
  uint32_t tensor_count;
  uint32_t input_count;
  uint32_t output_count;
  kiln_plan_kernel_t* kernels;
  uint32_t kernel_count;
  kiln_plan_launch_t* launches;
  uint32_t launch_count;
  kiln_plan_arg_t* args;
  uint32_t arg_count;
  kiln_plan_debug_launch_t* debug_launches; /* NULL when the plan has no debug info */
  uint32_t debug_launch_count;
  uint32_t* debug_names;
  uint32_t debug_name_count;
  const uint8_t* code;
  uint64_t code_size;
  const uint8_t* weights;
  uint64_t weights_size;
} kiln_plan_view_t;

/* Validates every field, offset, size and checksum of the size bytes at data. On
 * success fills *out (release with kiln_plan_view_release). On failure *out is left
 * empty (safe to release) and err holds a one-line reason; the status is
 * KILN_STATUS_INVALID_PLAN, KILN_STATUS_CHECKSUM_MISMATCH, KILN_STATUS_UNSUPPORTED_VERSION
 * or KILN_STATUS_OUT_OF_MEMORY. Never reads outside [data, data + size). Thread-safe. */
kiln_status_t kiln_plan_parse(const void* data, size_t size, kiln_plan_view_t* out, char* err,
                              size_t err_size);

/* Frees the owned tables; the view becomes empty. NULL is a no-op. */
void kiln_plan_view_release(kiln_plan_view_t* view);

/* The string at a ref that kiln_plan_parse has validated. */
static inline const char* kiln_plan_view_string(const kiln_plan_view_t* view, uint32_t ref) {
  return view->strings + ref;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_PLAN_READER_H */
