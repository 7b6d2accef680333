/* Session-independent API: status and dtype names, version, option defaults. */
#include <stdio.h>

#include "kiln/plan_format.h"
#include "kiln/runtime.h"

/* runtime.h repeats the plan's dtype numbers so API users need not see the file format. */
_Static_assert((unsigned)KILN_DTYPE_F32 == (unsigned)KILN_PLAN_DTYPE_F32 && (unsigned)KILN_DTYPE_U8 == (unsigned)KILN_PLAN_DTYPE_U8 &&
                   (unsigned)KILN_DTYPE_I8 == (unsigned)KILN_PLAN_DTYPE_I8 && (unsigned)KILN_DTYPE_U16 == (unsigned)KILN_PLAN_DTYPE_U16 &&
                   (unsigned)KILN_DTYPE_I16 == (unsigned)KILN_PLAN_DTYPE_I16 && (unsigned)KILN_DTYPE_I32 == (unsigned)KILN_PLAN_DTYPE_I32 &&
                   (unsigned)KILN_DTYPE_I64 == (unsigned)KILN_PLAN_DTYPE_I64 && (unsigned)KILN_DTYPE_BOOL == (unsigned)KILN_PLAN_DTYPE_BOOL &&
                   (unsigned)KILN_DTYPE_F16 == (unsigned)KILN_PLAN_DTYPE_F16 && (unsigned)KILN_DTYPE_F64 == (unsigned)KILN_PLAN_DTYPE_F64 &&
                   (unsigned)KILN_DTYPE_U32 == (unsigned)KILN_PLAN_DTYPE_U32 && (unsigned)KILN_DTYPE_U64 == (unsigned)KILN_PLAN_DTYPE_U64 &&
                   (unsigned)KILN_DTYPE_BF16 == (unsigned)KILN_PLAN_DTYPE_BF16,
               "runtime.h and plan_format.h disagree on dtype numbers");
_Static_assert(KILN_MAX_RANK == KILN_PLAN_MAX_RANK, "runtime.h and plan_format.h disagree on max rank");

_Static_assert(KILN_PLAN_VERSION_MAJOR == 1 && KILN_PLAN_VERSION_MINOR == 2,
               "update the format version in kiln_runtime_version");

KILN_API const char* kiln_status_string(kiln_status_t status) {
  switch (status) {
    case KILN_STATUS_OK: return "KILN_STATUS_OK";
    case KILN_STATUS_INVALID_ARGUMENT: return "KILN_STATUS_INVALID_ARGUMENT";
    case KILN_STATUS_IO_ERROR: return "KILN_STATUS_IO_ERROR";
    case KILN_STATUS_INVALID_PLAN: return "KILN_STATUS_INVALID_PLAN";
    case KILN_STATUS_CHECKSUM_MISMATCH: return "KILN_STATUS_CHECKSUM_MISMATCH";
    case KILN_STATUS_UNSUPPORTED_VERSION: return "KILN_STATUS_UNSUPPORTED_VERSION";
    case KILN_STATUS_NO_DRIVER: return "KILN_STATUS_NO_DRIVER";
    case KILN_STATUS_NO_DEVICE: return "KILN_STATUS_NO_DEVICE";
    case KILN_STATUS_UNSUPPORTED_DEVICE: return "KILN_STATUS_UNSUPPORTED_DEVICE";
    case KILN_STATUS_OUT_OF_MEMORY: return "KILN_STATUS_OUT_OF_MEMORY";
    case KILN_STATUS_CUDA_ERROR: return "KILN_STATUS_CUDA_ERROR";
    case KILN_STATUS_NOT_FOUND: return "KILN_STATUS_NOT_FOUND";
    case KILN_STATUS_NOT_BOUND: return "KILN_STATUS_NOT_BOUND";
    default: return "KILN_STATUS_UNKNOWN";
  }
}

KILN_API const char* kiln_runtime_version(void) {
  return KILN_RUNTIME_VERSION " (plan format 1.2)";
}

KILN_API const char* kiln_dtype_name(kiln_dtype_t dtype) {
  switch (dtype) {
    case KILN_DTYPE_F32: return "f32";
    case KILN_DTYPE_U8: return "u8";
    case KILN_DTYPE_I8: return "i8";
    case KILN_DTYPE_U16: return "u16";
    case KILN_DTYPE_I16: return "i16";
    case KILN_DTYPE_I32: return "i32";
    case KILN_DTYPE_I64: return "i64";
    case KILN_DTYPE_BOOL: return "bool";
    case KILN_DTYPE_F16: return "f16";
    case KILN_DTYPE_F64: return "f64";
    case KILN_DTYPE_U32: return "u32";
    case KILN_DTYPE_U64: return "u64";
    case KILN_DTYPE_BF16: return "bf16";
    default: return "?";
  }
}

KILN_API size_t kiln_dtype_size(kiln_dtype_t dtype) { return kiln_plan_dtype_size(dtype); }

KILN_API void kiln_session_options_init(kiln_session_options_t* out_options) {
  if (!out_options) return;
  out_options->device_ordinal = 0;
  out_options->use_cuda_graph = 1;
  out_options->context = NULL;
  out_options->arena = NULL;
  out_options->arena_bytes = 0;
}
