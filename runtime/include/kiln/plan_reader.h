/* The one reader of .kiln plans: parses and fully validates a plan held in memory; the runtime, kiln inspect and kiln-replay all use it. */
#ifndef KILN_PLAN_READER_H
#define KILN_PLAN_READER_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/plan_format.h"
#include "kiln/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tables are copied into aligned, owned arrays (the file may sit at any address and
 * newer writers may use larger entries, older ones smaller: fields a plan predates
 * read as 0); blobs and strings point into the caller's buffer, which must outlive
 * the view. For plans before format 1.2, which record no parameter lists, the reader
 * fills params and each kernel's param_first/param_count from the kernel's PTX. */
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
  uint32_t* params; /* kiln_plan_param_kind_t, ranges of it per kernel */
  uint32_t param_count;
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

/* Validates every field, offset, size, checksum and padding byte of the size bytes at
 * data, and every launch against its kernel: one argument per parameter of the kind
 * the parameter takes, pointer ranges inside the arena or the weights, and the
 * parameters equal to those of the kernel's .entry in its PTX. On success fills *out
 * (release with kiln_plan_view_release). On failure *out is left empty (safe to
 * release) and err holds a one-line reason; the status is KILN_STATUS_INVALID_PLAN,
 * KILN_STATUS_CHECKSUM_MISMATCH, KILN_STATUS_UNSUPPORTED_VERSION or
 * KILN_STATUS_OUT_OF_MEMORY. Never reads outside [data, data + size). Thread-safe. */
KILN_API kiln_status_t kiln_plan_parse(const void* data, size_t size, kiln_plan_view_t* out, char* err,
                                       size_t err_size);

/* Frees the owned tables; the view becomes empty. NULL is a no-op. */
KILN_API void kiln_plan_view_release(kiln_plan_view_t* view);

/* The string at a ref that kiln_plan_parse has validated. */
static inline const char* kiln_plan_view_string(const kiln_plan_view_t* view, uint32_t ref) {
  return view->strings + ref;
}

/* Bytes a parameter of this kind takes in the kernel's parameter space (0 if unknown). */
static inline uint32_t kiln_plan_param_size(uint32_t kind) {
  switch (kind) {
    case KILN_PLAN_PARAM_POINTER: case KILN_PLAN_PARAM_I64: return 8;
    case KILN_PLAN_PARAM_I32: case KILN_PLAN_PARAM_F32: return 4;
    default: return 0;
  }
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_PLAN_READER_H */
