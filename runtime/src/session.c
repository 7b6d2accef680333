/* Session lifetime: verify the plan, bring up driver and context, load kernels, allocate the arena, precompute launches. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln/plan_reader.h"
#include "session_internal.h"

#define JIT_LOG_SIZE 8192u
/* cuMemAlloc returns addresses aligned at least this much. */
#define DEVICE_ALLOC_ALIGNMENT 256u

static void* checked_calloc(size_t count, size_t size) { return calloc(count ? count : 1, size); }

static void* copy_array(const void* src, size_t count, size_t size) {
  void* dst = checked_calloc(count, size);
  if (dst && count) memcpy(dst, src, count * size);
  return dst;
}

kiln_status_t kiln_session_enter(kiln_session_t* s) {
  const CUresult r = s->cu->cuCtxPushCurrent(s->context);
  return r == KILN_CUDA_SUCCESS ? KILN_STATUS_OK : kiln_fail_cuda(s, r, "making the session's context current");
}

void kiln_session_leave(kiln_session_t* s) {
  CUcontext previous;
  s->cu->cuCtxPopCurrent(&previous);
}

void kiln_describe_launch(const kiln_session_t* s, uint32_t launch, char* buf, size_t size) {
  const uint32_t kernel = s->kernel_of_launch[launch];
  int n = snprintf(buf, size, "launch %u (kernel '%s'", launch, s->strings + s->kernel_names[kernel]);
  if (s->debug_launches && n >= 0 && (size_t)n < size) {
    const kiln_plan_debug_launch_t* d = &s->debug_launches[launch];
    for (uint32_t i = 0; i < d->name_count && n >= 0 && (size_t)n < size; ++i)
      n += snprintf(buf + n, size - (size_t)n, "%s%s", i ? ", " : ", ONNX nodes: ",
                    s->strings + s->debug_names[d->name_first + i]);
  }
  if (n >= 0 && (size_t)n < size) snprintf(buf + n, size - (size_t)n, ")");
}

static kiln_status_t copy_plan_tables(kiln_session_t* s, const kiln_plan_view_t* v) {
  s->input_count = v->input_count;
  s->output_count = v->output_count;
  s->launch_count = v->launch_count;
  s->kernel_count = v->kernel_count;
  const size_t io = (size_t)v->input_count + v->output_count;
  s->strings = (char*)copy_array(v->strings, v->strings_size, 1);
  s->tensors = (kiln_plan_tensor_t*)copy_array(v->tensors, v->tensor_count, sizeof(kiln_plan_tensor_t));
  s->kernel_names = (uint32_t*)checked_calloc(v->kernel_count, sizeof(uint32_t));
  s->kernel_of_launch = (uint32_t*)checked_calloc(v->launch_count, sizeof(uint32_t));
  s->bindings = (kiln_binding_t*)checked_calloc(io, sizeof(kiln_binding_t));
  int ok = s->strings && s->tensors && s->kernel_names && s->kernel_of_launch && s->bindings;
  for (int list = 0; list < KILN_COPY_LIST_COUNT; ++list) {
    s->copies[list] = (kiln_copy_t*)checked_calloc(io, sizeof(kiln_copy_t));
    ok = ok && s->copies[list];
  }
  if (v->debug_launches || v->debug_names) {
    s->debug_launches = (kiln_plan_debug_launch_t*)copy_array(v->debug_launches, v->debug_launch_count,
                                                              sizeof(kiln_plan_debug_launch_t));
    s->debug_names = (uint32_t*)copy_array(v->debug_names, v->debug_name_count, sizeof(uint32_t));
    ok = ok && s->debug_launches && s->debug_names;
  }
  if (!ok) return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory creating the session");
  for (uint32_t k = 0; k < v->kernel_count; ++k) s->kernel_names[k] = v->kernels[k].name;
  for (uint32_t l = 0; l < v->launch_count; ++l) s->kernel_of_launch[l] = v->launches[l].kernel;
  s->copies_dirty = 1;
  s->graph_dirty = 1;
  return KILN_STATUS_OK;
}

static kiln_status_t init_driver(kiln_session_t* s) {
  char err[512];
  s->cu = kiln_cuda_driver_load(err, sizeof(err));
  if (!s->cu) return kiln_fail(s, KILN_STATUS_NO_DRIVER, "%s", err);
  const CUresult r = s->cu->cuInit(0);
  if (r == KILN_CUDA_SUCCESS) return KILN_STATUS_OK;
  char buf[32];
  const char* name = kiln_cuda_error_name(s->cu, r, buf, sizeof(buf));
  if (r == KILN_CUDA_ERROR_NO_DEVICE)
    return kiln_fail(s, KILN_STATUS_NO_DEVICE, "no CUDA device: cuInit reported %s", name);
  if (r == KILN_CUDA_ERROR_STUB_LIBRARY || r == KILN_CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER ||
      r == KILN_CUDA_ERROR_SYSTEM_DRIVER_MISMATCH || r == KILN_CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE)
    return kiln_fail(s, KILN_STATUS_NO_DRIVER, "no usable CUDA driver: cuInit reported %s", name);
  return kiln_fail_cuda(s, r, "initializing the CUDA driver (cuInit)");
}

/* Leaves the context current on success; the caller pops it. */
static kiln_status_t open_context(kiln_session_t* s, const kiln_session_options_t* options, int* pushed) {
  const kiln_cuda_driver_t* cu = s->cu;
  CUresult r;
  if (options->context) {
    s->context = (CUcontext)options->context;
    kiln_status_t status = kiln_session_enter(s);
    if (status != KILN_STATUS_OK) return status;
    *pushed = 1;
    if ((r = cu->cuCtxGetDevice(&s->device)) != KILN_CUDA_SUCCESS)
      return kiln_fail_cuda(s, r, "querying the device of the caller's context");
    s->ordinal = (int32_t)s->device;
    return KILN_STATUS_OK;
  }
  int count = 0;
  if ((r = cu->cuDeviceGetCount(&count)) != KILN_CUDA_SUCCESS)
    return kiln_fail_cuda(s, r, "counting CUDA devices");
  if (count == 0) return kiln_fail(s, KILN_STATUS_NO_DEVICE, "no CUDA device: the driver reports 0 devices");
  if (options->device_ordinal < 0 || options->device_ordinal >= count)
    return kiln_fail(s, KILN_STATUS_NO_DEVICE, "no CUDA device %d: the driver reports %d device%s",
                     options->device_ordinal, count, count == 1 ? "" : "s");
  s->ordinal = options->device_ordinal;
  if ((r = cu->cuDeviceGet(&s->device, s->ordinal)) != KILN_CUDA_SUCCESS)
    return kiln_fail_cuda(s, r, "opening the CUDA device");
  if ((r = cu->cuDevicePrimaryCtxRetain(&s->context, s->device)) != KILN_CUDA_SUCCESS)
    return kiln_fail_cuda(s, r, "retaining the device's primary context");
  s->owns_primary_context = 1;
  const kiln_status_t status = kiln_session_enter(s);
  *pushed = status == KILN_STATUS_OK;
  return status;
}

static kiln_status_t check_device(kiln_session_t* s, const kiln_plan_view_t* v, uint32_t* max_smem) {
  const kiln_cuda_driver_t* cu = s->cu;
  int major = 0, minor = 0, optin = 0;
  CUresult r;
  if ((r = cu->cuDeviceGetAttribute(&major, KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, s->device)) ||
      (r = cu->cuDeviceGetAttribute(&minor, KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, s->device)) ||
      (r = cu->cuDeviceGetAttribute(&optin, KILN_CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                                    s->device)) ||
      (r = cu->cuDeviceGetName(s->device_name, (int)sizeof(s->device_name), s->device)))
    return kiln_fail_cuda(s, r, "querying the CUDA device");
  s->device_name[sizeof(s->device_name) - 1] = 0;
  s->sm = (uint32_t)(major * 10 + minor);
  if (s->sm < v->header.target_sm)
    return kiln_fail(s, KILN_STATUS_UNSUPPORTED_DEVICE,
                     "the plan was compiled for sm_%u but device %d (%s) is sm_%u", v->header.target_sm,
                     s->ordinal, s->device_name, s->sm);
  for (uint32_t l = 0; l < v->launch_count; ++l) {
    const kiln_plan_launch_t* launch = &v->launches[l];
    if (launch->shared_mem_bytes > (uint32_t)optin)
      return kiln_fail(s, KILN_STATUS_UNSUPPORTED_DEVICE,
                       "launch %u needs %u bytes of shared memory but device %d (%s) allows %d", l,
                       launch->shared_mem_bytes, s->ordinal, s->device_name, optin);
    if (launch->shared_mem_bytes > max_smem[launch->kernel]) max_smem[launch->kernel] = launch->shared_mem_bytes;
  }
  return KILN_STATUS_OK;
}

/* A cubin is opaque to the plan reader, so its parameters are checked through the
 * driver (cuFuncGetParamInfo); a driver without that call JIT-compiles the PTX,
 * whose parameters the reader has checked, instead. */
static int use_cubin(const kiln_session_t* s, const kiln_plan_kernel_t* k) {
  return k->cubin_size != 0 && k->cubin_arch == s->sm && s->cu->cuFuncGetParamInfo != NULL;
}

/* The loaded function takes exactly the parameters the plan's launches pass. */
static kiln_status_t check_cubin_params(kiln_session_t* s, const kiln_plan_view_t* v, uint32_t k, CUfunction f) {
  const kiln_plan_kernel_t* kernel = &v->kernels[k];
  const char* name = v->strings + kernel->name;
  for (uint32_t i = 0; i <= kernel->param_count; ++i) {
    size_t offset = 0, size = 0;
    const CUresult r = s->cu->cuFuncGetParamInfo(f, i, &offset, &size);
    if (i == kernel->param_count) {
      if (r == KILN_CUDA_SUCCESS)
        return kiln_fail(s, KILN_STATUS_INVALID_PLAN, "kernel '%s': its cubin has more than the %u parameters the plan records",
                         name, kernel->param_count);
    } else if (r != KILN_CUDA_SUCCESS || size != kiln_plan_param_size(v->params[kernel->param_first + i])) {
      return kiln_fail(s, KILN_STATUS_INVALID_PLAN,
                       "kernel '%s': parameter %u of its cubin does not match the plan (%s)", name, i,
                       r == KILN_CUDA_SUCCESS ? "size differs" : "missing");
    }
  }
  return KILN_STATUS_OK;
}

static kiln_status_t load_module(kiln_session_t* s, const kiln_plan_view_t* v, uint32_t index, CUmodule* out) {
  const kiln_plan_kernel_t* k = &v->kernels[index];
  const int cubin = use_cubin(s, k);
  const uint8_t* image = v->code + (cubin ? k->cubin_offset : k->ptx_offset);
  void* aligned_copy = NULL;
  /* The caller's buffer may sit at any address; ELF images want natural alignment. */
  if (cubin && ((uintptr_t)image % 16) != 0) {
    aligned_copy = malloc((size_t)k->cubin_size);
    if (!aligned_copy) return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory loading a cubin");
    memcpy(aligned_copy, image, (size_t)k->cubin_size);
    image = (const uint8_t*)aligned_copy;
  }
  char log[JIT_LOG_SIZE];
  log[0] = 0;
  unsigned int options[2] = {KILN_CU_JIT_ERROR_LOG_BUFFER, KILN_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void* values[2] = {log, (void*)(uintptr_t)sizeof(log)};
  const CUresult r = s->cu->cuModuleLoadDataEx(out, image, 2, options, values);
  free(aligned_copy);
  if (r == KILN_CUDA_SUCCESS) return KILN_STATUS_OK;
  log[sizeof(log) - 1] = 0;
  char what[512];
  snprintf(what, sizeof(what), "loading kernel '%s' (%s for sm_%u) on device %d (%s, sm_%u)",
           v->strings + k->name, cubin ? "cubin" : "PTX", cubin ? k->cubin_arch : v->header.target_sm,
           s->ordinal, s->device_name, s->sm);
  kiln_status_t status = kiln_fail_cuda(s, r, what);
  if (log[0]) {
    char first[KILN_ERROR_SIZE];
    memcpy(first, s->last_error, sizeof(first));
    status = kiln_fail(s, status, "%s; JIT log: %s", first, log);
  }
  return status;
}

static kiln_status_t load_kernels(kiln_session_t* s, const kiln_plan_view_t* v, const uint32_t* max_smem,
                                  CUfunction* functions) {
  s->modules = (CUmodule*)checked_calloc(v->kernel_count, sizeof(CUmodule));
  CUmodule* module_of = (CUmodule*)checked_calloc(v->kernel_count, sizeof(CUmodule));
  if (!s->modules || !module_of) {
    free(module_of);
    return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory loading kernels");
  }
  kiln_status_t status = KILN_STATUS_OK;
  for (uint32_t k = 0; k < v->kernel_count && status == KILN_STATUS_OK; ++k) {
    const kiln_plan_kernel_t* kernel = &v->kernels[k];
    const int cubin = use_cubin(s, kernel);
    /* Kernels that share one PTX module (same bytes) share one loaded CUmodule. */
    for (uint32_t j = 0; j < k && !module_of[k]; ++j) {
      const kiln_plan_kernel_t* other = &v->kernels[j];
      if (use_cubin(s, other) != cubin) continue;
      if (cubin ? other->cubin_offset == kernel->cubin_offset && other->cubin_size == kernel->cubin_size
                : other->ptx_offset == kernel->ptx_offset && other->ptx_size == kernel->ptx_size)
        module_of[k] = module_of[j];
    }
    if (!module_of[k]) {
      status = load_module(s, v, k, &s->modules[s->module_count]);
      if (status != KILN_STATUS_OK) break;
      module_of[k] = s->modules[s->module_count++];
    }
    const char* name = v->strings + kernel->name;
    CUresult r = s->cu->cuModuleGetFunction(&functions[k], module_of[k], name);
    char what[384];
    if (r != KILN_CUDA_SUCCESS) {
      snprintf(what, sizeof(what), "kernel '%s': entry point not found in its module", name);
      status = kiln_fail_cuda(s, r, what);
    } else if (cubin && (status = check_cubin_params(s, v, k, functions[k])) != KILN_STATUS_OK) {
      break;
    } else if (max_smem[k] > KILN_CUDA_DEFAULT_DYNAMIC_SMEM_LIMIT &&
               (r = s->cu->cuFuncSetAttribute(functions[k], KILN_CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                              (int)max_smem[k])) != KILN_CUDA_SUCCESS) {
      snprintf(what, sizeof(what), "kernel '%s': enabling %u bytes of dynamic shared memory", name, max_smem[k]);
      status = kiln_fail_cuda(s, r, what);
    }
  }
  free(module_of);
  return status;
}

static kiln_status_t allocate_memory(kiln_session_t* s, const kiln_plan_view_t* v) {
  const uint64_t weights_padded =
      (v->weights_size + DEVICE_ALLOC_ALIGNMENT - 1) / DEVICE_ALLOC_ALIGNMENT * DEVICE_ALLOC_ALIGNMENT;
  const uint64_t alignment = v->header.arena_alignment;
  const uint64_t slack = alignment > DEVICE_ALLOC_ALIGNMENT ? alignment - DEVICE_ALLOC_ALIGNMENT : 0;
  const uint64_t arena = v->header.arena_size;
  if (arena > SIZE_MAX - weights_padded - slack)
    return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "the plan's %llu-byte arena cannot be allocated",
                     (unsigned long long)arena);
  uint64_t total = weights_padded + arena + slack;
  if (total == 0) total = DEVICE_ALLOC_ALIGNMENT; /* cuMemAlloc rejects 0 bytes */
  CUresult r = s->cu->cuMemAlloc(&s->allocation, (size_t)total);
  if (r != KILN_CUDA_SUCCESS) {
    char what[160];
    snprintf(what, sizeof(what), "allocating %llu bytes of device memory for weights and arena",
             (unsigned long long)total);
    return kiln_fail_cuda(s, r, what);
  }
  s->weights_base = s->allocation;
  s->arena_base = (s->allocation + weights_padded + alignment - 1) / alignment * alignment;
  if (v->weights_size && (r = s->cu->cuMemcpyHtoD(s->weights_base, v->weights, (size_t)v->weights_size)))
    return kiln_fail_cuda(s, r, "uploading the weights");
  return KILN_STATUS_OK;
}

static kiln_status_t build_launches(kiln_session_t* s, const kiln_plan_view_t* v, const CUfunction* functions) {
  s->slots = (kiln_arg_slot_t*)checked_calloc(v->arg_count, sizeof(kiln_arg_slot_t));
  s->params = (void**)checked_calloc(v->arg_count, sizeof(void*));
  s->launches = (kiln_launch_record_t*)checked_calloc(v->launch_count, sizeof(kiln_launch_record_t));
  if (!s->slots || !s->params || !s->launches)
    return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory preparing launches");
  for (uint32_t i = 0; i < v->arg_count; ++i) {
    const kiln_plan_arg_t* a = &v->args[i];
    kiln_arg_slot_t* slot = &s->slots[i];
    switch (a->kind) {
      case KILN_PLAN_ARG_ARENA_PTR: slot->pointer = s->arena_base + a->value; break;
      case KILN_PLAN_ARG_WEIGHT_PTR: slot->pointer = s->weights_base + a->value; break;
      case KILN_PLAN_ARG_I32: slot->i32 = (int32_t)(uint32_t)a->value; break;
      case KILN_PLAN_ARG_I64: slot->i64 = (int64_t)a->value; break;
      case KILN_PLAN_ARG_F32: {
        const uint32_t bits = (uint32_t)a->value;
        memcpy(&slot->f32, &bits, sizeof(bits));
        break;
      }
      default: break; /* kiln_plan_parse rejected every other kind */
    }
    s->params[i] = slot;
  }
  for (uint32_t l = 0; l < v->launch_count; ++l) {
    const kiln_plan_launch_t* src = &v->launches[l];
    kiln_launch_record_t* dst = &s->launches[l];
    dst->function = functions[src->kernel];
    for (int d = 0; d < 3; ++d) {
      dst->grid[d] = src->grid[d];
      dst->block[d] = src->block[d];
    }
    dst->shared_mem_bytes = src->shared_mem_bytes;
    dst->params = s->params + src->arg_first;
  }
  return KILN_STATUS_OK;
}

/* Each launch's block within what its loaded kernel allows (a kernel may be built for
 * fewer threads than the device's 1024), reported before any launch. */
static kiln_status_t check_block_limits(kiln_session_t* s, const kiln_plan_view_t* v, const CUfunction* functions) {
  int* limit = (int*)checked_calloc(v->kernel_count, sizeof(int));
  if (!limit) return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory");
  kiln_status_t status = KILN_STATUS_OK;
  for (uint32_t l = 0; l < v->launch_count && status == KILN_STATUS_OK; ++l) {
    const kiln_plan_launch_t* launch = &v->launches[l];
    int* max = &limit[launch->kernel];
    CUresult r;
    if (*max == 0 && (r = s->cu->cuFuncGetAttribute(max, KILN_CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
                                                    functions[launch->kernel])) != KILN_CUDA_SUCCESS) {
      status = kiln_fail_cuda(s, r, "querying a kernel's thread limit");
      break;
    }
    const uint64_t threads = (uint64_t)launch->block[0] * launch->block[1] * launch->block[2];
    if (threads > (uint64_t)(*max > 0 ? *max : 0))
      status = kiln_fail(s, KILN_STATUS_INVALID_PLAN, "launch %u has %llu threads per block but kernel '%s' allows %d",
                         l, (unsigned long long)threads, v->strings + v->kernels[launch->kernel].name, *max);
  }
  free(limit);
  return status;
}

static kiln_status_t load_on_device(kiln_session_t* s, const kiln_plan_view_t* v) {
  uint32_t* max_smem = (uint32_t*)checked_calloc(v->kernel_count, sizeof(uint32_t));
  CUfunction* functions = (CUfunction*)checked_calloc(v->kernel_count, sizeof(CUfunction));
  kiln_status_t status = KILN_STATUS_OK;
  if (!max_smem || !functions) status = kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory");
  if (status == KILN_STATUS_OK) status = check_device(s, v, max_smem);
  if (status == KILN_STATUS_OK) status = load_kernels(s, v, max_smem, functions);
  if (status == KILN_STATUS_OK) status = check_block_limits(s, v, functions);
  if (status == KILN_STATUS_OK) status = allocate_memory(s, v);
  if (status == KILN_STATUS_OK) status = build_launches(s, v, functions);
  if (status == KILN_STATUS_OK && s->use_graph) {
    const CUresult r = s->cu->cuStreamCreate(&s->capture_stream, KILN_CU_STREAM_NON_BLOCKING);
    if (r != KILN_CUDA_SUCCESS) status = kiln_fail_cuda(s, r, "creating the graph-capture stream");
  }
  free(max_smem);
  s->functions = functions; /* kept for kiln_session_kernel_info; NULL entries if loading failed */
  return status;
}

static int env_flag(const char* name) {
  const char* value = getenv(name);
  return value && *value && strcmp(value, "0") != 0;
}

static kiln_status_t create_session(const void* data, size_t size, const char* source,
                                    const kiln_session_options_t* options, kiln_session_t** out_session) {
  kiln_session_options_t opts;
  kiln_session_options_init(&opts);
  if (options) opts = *options;

  kiln_plan_view_t view;
  char err[KILN_ERROR_SIZE - 256];
  kiln_status_t status = kiln_plan_parse(data, size, &view, err, sizeof(err));
  if (status != KILN_STATUS_OK) return kiln_fail(NULL, status, "%s: %s", source, err);

  kiln_session_t* s = (kiln_session_t*)calloc(1, sizeof(kiln_session_t));
  if (!s) {
    kiln_plan_view_release(&view);
    return kiln_fail(NULL, KILN_STATUS_OUT_OF_MEMORY, "out of host memory creating the session");
  }
  s->sync_each_launch = env_flag("KILN_SYNC_LAUNCHES");
  s->use_graph = opts.use_cuda_graph != 0 && !s->sync_each_launch;
  int entered = 0;
  status = copy_plan_tables(s, &view);
  if (status == KILN_STATUS_OK) status = init_driver(s);
  if (status == KILN_STATUS_OK) status = open_context(s, &opts, &entered);
  if (status == KILN_STATUS_OK) status = load_on_device(s, &view);
  if (entered) kiln_session_leave(s);
  kiln_plan_view_release(&view);
  if (status != KILN_STATUS_OK) {
    kiln_session_destroy(s);
    return status;
  }
  *out_session = s;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_create_from_memory(const void* data, size_t size,
                                                       const kiln_session_options_t* options,
                                                       kiln_session_t** out_session) {
  if (!out_session) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "out_session is NULL");
  *out_session = NULL;
  if (!data) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "plan data is NULL");
  return create_session(data, size, "plan in memory", options, out_session);
}

static kiln_status_t read_file(const char* path, uint8_t** out_data, size_t* out_size) {
  FILE* file = fopen(path, "rb");
  if (!file) return kiln_fail(NULL, KILN_STATUS_IO_ERROR, "cannot open '%s': %s", path, strerror(errno));
  uint8_t* data = NULL;
  size_t size = 0, capacity = 0;
  kiln_status_t status = KILN_STATUS_OK;
  /* Reading in growing chunks also works for pipes and files that have no size. */
  for (;;) {
    if (size == capacity) {
      const size_t grown = capacity ? capacity * 2 : (size_t)1 << 20;
      uint8_t* bigger = grown > capacity ? (uint8_t*)realloc(data, grown) : NULL;
      if (!bigger) {
        status = kiln_fail(NULL, KILN_STATUS_OUT_OF_MEMORY, "out of host memory reading '%s'", path);
        break;
      }
      data = bigger;
      capacity = grown;
    }
    const size_t got = fread(data + size, 1, capacity - size, file);
    size += got;
    if (got == 0) {
      if (ferror(file)) status = kiln_fail(NULL, KILN_STATUS_IO_ERROR, "cannot read '%s': %s", path, strerror(errno));
      break;
    }
  }
  fclose(file);
  if (status != KILN_STATUS_OK) {
    free(data);
    return status;
  }
  *out_data = data;
  *out_size = size;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_create_from_file(const char* path, const kiln_session_options_t* options,
                                                     kiln_session_t** out_session) {
  if (!out_session) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "out_session is NULL");
  *out_session = NULL;
  if (!path) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "path is NULL");
  uint8_t* data = NULL;
  size_t size = 0;
  kiln_status_t status = read_file(path, &data, &size);
  if (status != KILN_STATUS_OK) return status;
  status = create_session(data, size, path, options, out_session);
  free(data);
  return status;
}

KILN_API void kiln_session_destroy(kiln_session_t* s) {
  if (!s) return;
  const kiln_cuda_driver_t* cu = s->cu;
  /* Raw driver calls: destroy must not overwrite the error that made creation fail. */
  if (cu && s->context && cu->cuCtxPushCurrent(s->context) == KILN_CUDA_SUCCESS) {
    if (s->graph_exec) cu->cuGraphExecDestroy(s->graph_exec);
    if (s->graph) cu->cuGraphDestroy(s->graph);
    if (s->capture_stream) cu->cuStreamDestroy(s->capture_stream);
    if (s->allocation) cu->cuMemFree(s->allocation);
    for (uint32_t i = 0; i < s->module_count; ++i) cu->cuModuleUnload(s->modules[i]);
    CUcontext previous;
    cu->cuCtxPopCurrent(&previous);
  }
  if (cu && s->owns_primary_context) cu->cuDevicePrimaryCtxRelease(s->device);
  free(s->strings);
  free(s->tensors);
  free(s->kernel_of_launch);
  free(s->kernel_names);
  free(s->functions);
  free(s->debug_launches);
  free(s->debug_names);
  free(s->bindings);
  for (int list = 0; list < KILN_COPY_LIST_COUNT; ++list) free(s->copies[list]);
  free(s->modules);
  free(s->slots);
  free(s->params);
  free(s->launches);
  free(s);
}

KILN_API kiln_status_t kiln_session_device_info(const kiln_session_t* s, kiln_device_info_t* out_info) {
  if (!s || !out_info)
    return kiln_fail((kiln_session_t*)s, KILN_STATUS_INVALID_ARGUMENT, "session or out_info is NULL");
  memset(out_info, 0, sizeof(*out_info));
  memcpy(out_info->name, s->device_name, sizeof(out_info->name));
  out_info->name[sizeof(out_info->name) - 1] = 0;
  out_info->sm = s->sm;
  out_info->ordinal = s->ordinal;
  out_info->uses_cuda_graph = s->use_graph;
  return KILN_STATUS_OK;
}
