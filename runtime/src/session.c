/* Session lifetime: verify the plan, bring up driver and context, load kernels and weights (shared by a family of
 * sessions), allocate each session's arena, precompute launches. */
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
  const CUresult r = s->cu->cuCtxPushCurrent(s->model->context);
  return r == KILN_CUDA_SUCCESS ? KILN_STATUS_OK : kiln_fail_cuda(s, r, "making the session's context current");
}

void kiln_session_leave(kiln_session_t* s) {
  CUcontext previous;
  s->cu->cuCtxPopCurrent(&previous);
}

void kiln_describe_launch(const kiln_session_t* s, uint32_t launch, char* buf, size_t size) {
  const kiln_model_t* m = s->model;
  const uint32_t kernel = m->launches[launch].kernel;
  int n = snprintf(buf, size, "launch %u (kernel '%s'", launch, m->strings + m->kernel_names[kernel]);
  if (m->debug_launches && n >= 0 && (size_t)n < size) {
    const kiln_plan_debug_launch_t* d = &m->debug_launches[launch];
    for (uint32_t i = 0; i < d->name_count && n >= 0 && (size_t)n < size; ++i)
      n += snprintf(buf + n, size - (size_t)n, "%s%s", i ? ", " : ", ONNX nodes: ",
                    m->strings + m->debug_names[d->name_first + i]);
  }
  if (n >= 0 && (size_t)n < size) snprintf(buf + n, size - (size_t)n, ")");
}

static kiln_status_t copy_plan_tables(kiln_session_t* s, const kiln_plan_view_t* v) {
  kiln_model_t* m = s->model;
  m->input_count = v->input_count;
  m->output_count = v->output_count;
  m->launch_count = v->launch_count;
  m->arg_count = v->arg_count;
  m->kernel_count = v->kernel_count;
  m->arena_size = v->header.arena_size;
  m->arena_alignment = v->header.arena_alignment;
  m->strings = (char*)copy_array(v->strings, v->strings_size, 1);
  m->tensors = (kiln_plan_tensor_t*)copy_array(v->tensors, v->tensor_count, sizeof(kiln_plan_tensor_t));
  m->launches = (kiln_plan_launch_t*)copy_array(v->launches, v->launch_count, sizeof(kiln_plan_launch_t));
  m->args = (kiln_plan_arg_t*)copy_array(v->args, v->arg_count, sizeof(kiln_plan_arg_t));
  m->kernel_names = (uint32_t*)checked_calloc(v->kernel_count, sizeof(uint32_t));
  m->functions = (CUfunction*)checked_calloc(v->kernel_count, sizeof(CUfunction));
  m->modules = (CUmodule*)checked_calloc(v->kernel_count, sizeof(CUmodule));
  int ok = m->strings && m->tensors && m->launches && m->args && m->kernel_names && m->functions && m->modules;
  if (v->debug_launches || v->debug_names) {
    m->debug_launches = (kiln_plan_debug_launch_t*)copy_array(v->debug_launches, v->debug_launch_count,
                                                              sizeof(kiln_plan_debug_launch_t));
    m->debug_names = (uint32_t*)copy_array(v->debug_names, v->debug_name_count, sizeof(uint32_t));
    ok = ok && m->debug_launches && m->debug_names;
  }
  if (!ok) return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory creating the session");
  for (uint32_t k = 0; k < v->kernel_count; ++k) m->kernel_names[k] = v->kernels[k].name;
  return KILN_STATUS_OK;
}

static kiln_status_t init_driver(kiln_session_t* s) {
  char err[512];
  s->cu = s->model->cu = kiln_cuda_driver_load(err, sizeof(err));
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
  kiln_model_t* m = s->model;
  CUresult r;
  if (options->context) {
    m->context = (CUcontext)options->context;
    kiln_status_t status = kiln_session_enter(s);
    if (status != KILN_STATUS_OK) return status;
    *pushed = 1;
    if ((r = cu->cuCtxGetDevice(&m->device)) != KILN_CUDA_SUCCESS)
      return kiln_fail_cuda(s, r, "querying the device of the caller's context");
    m->ordinal = (int32_t)m->device;
    return KILN_STATUS_OK;
  }
  int count = 0;
  if ((r = cu->cuDeviceGetCount(&count)) != KILN_CUDA_SUCCESS)
    return kiln_fail_cuda(s, r, "counting CUDA devices");
  if (count == 0) return kiln_fail(s, KILN_STATUS_NO_DEVICE, "no CUDA device: the driver reports 0 devices");
  if (options->device_ordinal < 0 || options->device_ordinal >= count)
    return kiln_fail(s, KILN_STATUS_NO_DEVICE, "no CUDA device %d: the driver reports %d device%s",
                     options->device_ordinal, count, count == 1 ? "" : "s");
  m->ordinal = options->device_ordinal;
  if ((r = cu->cuDeviceGet(&m->device, m->ordinal)) != KILN_CUDA_SUCCESS)
    return kiln_fail_cuda(s, r, "opening the CUDA device");
  if ((r = cu->cuDevicePrimaryCtxRetain(&m->context, m->device)) != KILN_CUDA_SUCCESS)
    return kiln_fail_cuda(s, r, "retaining the device's primary context");
  m->owns_primary_context = 1;
  const kiln_status_t status = kiln_session_enter(s);
  *pushed = status == KILN_STATUS_OK;
  return status;
}

static kiln_status_t check_device(kiln_session_t* s, const kiln_plan_view_t* v, uint32_t* max_smem) {
  const kiln_cuda_driver_t* cu = s->cu;
  kiln_model_t* m = s->model;
  int major = 0, minor = 0, optin = 0;
  CUresult r;
  if ((r = cu->cuDeviceGetAttribute(&major, KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, m->device)) ||
      (r = cu->cuDeviceGetAttribute(&minor, KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, m->device)) ||
      (r = cu->cuDeviceGetAttribute(&optin, KILN_CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                                    m->device)) ||
      (r = cu->cuDeviceGetName(m->device_name, (int)sizeof(m->device_name), m->device)))
    return kiln_fail_cuda(s, r, "querying the CUDA device");
  m->device_name[sizeof(m->device_name) - 1] = 0;
  m->sm = (uint32_t)(major * 10 + minor);
  if (m->sm < v->header.target_sm)
    return kiln_fail(s, KILN_STATUS_UNSUPPORTED_DEVICE,
                     "the plan was compiled for sm_%u but device %d (%s) is sm_%u", v->header.target_sm,
                     m->ordinal, m->device_name, m->sm);
  for (uint32_t l = 0; l < v->launch_count; ++l) {
    const kiln_plan_launch_t* launch = &v->launches[l];
    if (launch->shared_mem_bytes > (uint32_t)optin)
      return kiln_fail(s, KILN_STATUS_UNSUPPORTED_DEVICE,
                       "launch %u needs %u bytes of shared memory but device %d (%s) allows %d", l,
                       launch->shared_mem_bytes, m->ordinal, m->device_name, optin);
    if (launch->shared_mem_bytes > max_smem[launch->kernel]) max_smem[launch->kernel] = launch->shared_mem_bytes;
  }
  return KILN_STATUS_OK;
}

/* A cubin is opaque to the plan reader, so its parameters are checked through the
 * driver (cuFuncGetParamInfo); a driver without that call JIT-compiles the PTX,
 * whose parameters the reader has checked, instead. */
static int use_cubin(const kiln_session_t* s, const kiln_plan_kernel_t* k) {
  return k->cubin_size != 0 && k->cubin_arch == s->model->sm && s->cu->cuFuncGetParamInfo != NULL;
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
           s->model->ordinal, s->model->device_name, s->model->sm);
  kiln_status_t status = kiln_fail_cuda(s, r, what);
  if (log[0]) {
    char first[KILN_ERROR_SIZE];
    memcpy(first, s->last_error, sizeof(first));
    status = kiln_fail(s, status, "%s; JIT log: %s", first, log);
  }
  return status;
}

static kiln_status_t load_kernels(kiln_session_t* s, const kiln_plan_view_t* v, const uint32_t* max_smem) {
  kiln_model_t* m = s->model;
  CUfunction* functions = m->functions;
  CUmodule* module_of = (CUmodule*)checked_calloc(v->kernel_count, sizeof(CUmodule));
  if (!module_of) return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory loading kernels");
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
      status = load_module(s, v, k, &m->modules[m->module_count]);
      if (status != KILN_STATUS_OK) break;
      module_of[k] = m->modules[m->module_count++];
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

static kiln_status_t upload_weights(kiln_session_t* s, const kiln_plan_view_t* v) {
  kiln_model_t* m = s->model;
  if (v->weights_size == 0) return KILN_STATUS_OK;
  CUresult r = s->cu->cuMemAlloc(&m->weights, (size_t)v->weights_size);
  if (r != KILN_CUDA_SUCCESS) {
    m->weights = 0;
    char what[160];
    snprintf(what, sizeof(what), "allocating %llu bytes of device memory for the weights",
             (unsigned long long)v->weights_size);
    return kiln_fail_cuda(s, r, what);
  }
  if ((r = s->cu->cuMemcpyHtoD(m->weights, v->weights, (size_t)v->weights_size)) != KILN_CUDA_SUCCESS)
    return kiln_fail_cuda(s, r, "uploading the weights");
  return KILN_STATUS_OK;
}

/* The caller's arena, or a fresh one (none when the plan needs none). */
static kiln_status_t open_arena(kiln_session_t* s, void* caller_arena) {
  const kiln_model_t* m = s->model;
  if (caller_arena || m->arena_size == 0) {
    s->arena_base = (CUdeviceptr)(uintptr_t)caller_arena;
    return KILN_STATUS_OK;
  }
  const uint64_t alignment = m->arena_alignment;
  const uint64_t slack = alignment > DEVICE_ALLOC_ALIGNMENT ? alignment - DEVICE_ALLOC_ALIGNMENT : 0;
  if (m->arena_size > SIZE_MAX - slack)
    return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "the plan's %llu-byte arena cannot be allocated",
                     (unsigned long long)m->arena_size);
  const uint64_t total = m->arena_size + slack;
  const CUresult r = s->cu->cuMemAlloc(&s->arena_allocation, (size_t)total);
  if (r != KILN_CUDA_SUCCESS) {
    s->arena_allocation = 0;
    char what[160];
    snprintf(what, sizeof(what), "allocating %llu bytes of device memory for the arena", (unsigned long long)total);
    return kiln_fail_cuda(s, r, what);
  }
  s->arena_base = (s->arena_allocation + alignment - 1) / alignment * alignment;
  return KILN_STATUS_OK;
}

/* Argument slots and launch records pointing at this session's arena and the shared weights. */
static void build_launches(kiln_session_t* s) {
  const kiln_model_t* m = s->model;
  for (uint32_t i = 0; i < m->arg_count; ++i) {
    const kiln_plan_arg_t* a = &m->args[i];
    kiln_arg_slot_t* slot = &s->slots[i];
    switch (a->kind) {
      case KILN_PLAN_ARG_ARENA_PTR: slot->pointer = s->arena_base + a->value; break;
      case KILN_PLAN_ARG_WEIGHT_PTR: slot->pointer = m->weights + a->value; break;
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
  for (uint32_t l = 0; l < m->launch_count; ++l) {
    const kiln_plan_launch_t* src = &m->launches[l];
    kiln_launch_record_t* dst = &s->launches[l];
    dst->function = m->functions[src->kernel];
    for (int d = 0; d < 3; ++d) {
      dst->grid[d] = src->grid[d];
      dst->block[d] = src->block[d];
    }
    dst->shared_mem_bytes = src->shared_mem_bytes;
    dst->params = s->params + src->arg_first;
  }
  s->launch_count = m->launch_count;
}

/* The per-execution half of a session, with the family's context current: its arena,
 * bindings, copy lists, launch arguments and capture stream. */
static kiln_status_t open_execution(kiln_session_t* s, const kiln_session_options_t* options) {
  const kiln_model_t* m = s->model;
  const size_t io = (size_t)m->input_count + m->output_count;
  s->bindings = (kiln_binding_t*)checked_calloc(io, sizeof(kiln_binding_t));
  s->slots = (kiln_arg_slot_t*)checked_calloc(m->arg_count, sizeof(kiln_arg_slot_t));
  s->params = (void**)checked_calloc(m->arg_count, sizeof(void*));
  s->launches = (kiln_launch_record_t*)checked_calloc(m->launch_count, sizeof(kiln_launch_record_t));
  int ok = s->bindings && s->slots && s->params && s->launches;
  for (int list = 0; list < KILN_COPY_LIST_COUNT; ++list) {
    s->copies[list] = (kiln_copy_t*)checked_calloc(io, sizeof(kiln_copy_t));
    ok = ok && s->copies[list];
  }
  if (!ok) return kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory creating the session");
  s->copies_dirty = 1;
  s->graph_dirty = 1;
  const kiln_status_t status = open_arena(s, options->arena);
  if (status != KILN_STATUS_OK) return status;
  build_launches(s);
  if (s->use_graph) {
    const CUresult r = s->cu->cuStreamCreate(&s->capture_stream, KILN_CU_STREAM_NON_BLOCKING);
    if (r != KILN_CUDA_SUCCESS) {
      s->capture_stream = NULL;
      return kiln_fail_cuda(s, r, "creating the graph-capture stream");
    }
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
  kiln_status_t status = KILN_STATUS_OK;
  if (!max_smem) status = kiln_fail(s, KILN_STATUS_OUT_OF_MEMORY, "out of host memory");
  if (status == KILN_STATUS_OK) status = check_device(s, v, max_smem);
  if (status == KILN_STATUS_OK) status = load_kernels(s, v, max_smem);
  if (status == KILN_STATUS_OK) status = check_block_limits(s, v, s->model->functions);
  if (status == KILN_STATUS_OK) status = upload_weights(s, v);
  free(max_smem);
  return status;
}

static int env_flag(const char* name) {
  const char* value = getenv(name);
  return value && *value && strcmp(value, "0") != 0;
}

/* A session of model, holding a reference to it; of a new, empty model when model is NULL. */
static kiln_session_t* new_session(kiln_model_t* model, const kiln_session_options_t* options) {
  kiln_session_t* s = (kiln_session_t*)calloc(1, sizeof(kiln_session_t));
  if (s && !model && (model = (kiln_model_t*)calloc(1, sizeof(kiln_model_t))) != NULL) {
    atomic_init(&model->refs, 1);
  } else if (s && model) {
    atomic_fetch_add_explicit(&model->refs, 1, memory_order_relaxed);
  }
  if (!s || !model) {
    free(s);
    kiln_fail(NULL, KILN_STATUS_OUT_OF_MEMORY, "out of host memory creating the session");
    return NULL;
  }
  s->model = model;
  s->cu = model->cu;
  s->sync_each_launch = env_flag("KILN_SYNC_LAUNCHES");
  s->use_graph = options->use_cuda_graph != 0 && !s->sync_each_launch;
  return s;
}

/* options->arena, when given, must hold the plan's arena at its alignment (a power of two). */
static kiln_status_t check_arena_option(const kiln_session_options_t* options, uint64_t bytes, uint32_t alignment) {
  if (!options->arena || (options->arena_bytes >= bytes && (uintptr_t)options->arena % alignment == 0))
    return KILN_STATUS_OK;
  return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT,
                   "options.arena (%llu bytes at %p) is %s: the plan's arena needs %llu bytes aligned to %u bytes",
                   (unsigned long long)options->arena_bytes, options->arena,
                   options->arena_bytes < bytes ? "too small" : "misaligned", (unsigned long long)bytes, alignment);
}

static kiln_status_t parse_plan(const void* data, size_t size, const char* source, kiln_plan_view_t* view) {
  char err[KILN_ERROR_SIZE - 256];
  const kiln_status_t status = kiln_plan_parse(data, size, view, err, sizeof(err));
  return status == KILN_STATUS_OK ? status : kiln_fail(NULL, status, "%s: %s", source, err);
}

static kiln_status_t create_session(const void* data, size_t size, const char* source,
                                    const kiln_session_options_t* options, kiln_session_t** out_session) {
  kiln_session_options_t opts;
  kiln_session_options_init(&opts);
  if (options) opts = *options;

  kiln_plan_view_t view;
  kiln_status_t status = parse_plan(data, size, source, &view);
  if (status != KILN_STATUS_OK) return status;
  kiln_session_t* s = NULL;
  if ((status = check_arena_option(&opts, view.header.arena_size, view.header.arena_alignment)) == KILN_STATUS_OK &&
      !(s = new_session(NULL, &opts)))
    status = KILN_STATUS_OUT_OF_MEMORY;
  int entered = 0;
  if (status == KILN_STATUS_OK) status = copy_plan_tables(s, &view);
  if (status == KILN_STATUS_OK) status = init_driver(s);
  if (status == KILN_STATUS_OK) status = open_context(s, &opts, &entered);
  if (status == KILN_STATUS_OK) status = load_on_device(s, &view);
  if (status == KILN_STATUS_OK) status = open_execution(s, &opts);
  if (entered) kiln_session_leave(s);
  kiln_plan_view_release(&view);
  if (status != KILN_STATUS_OK) {
    kiln_session_destroy(s);
    return status;
  }
  *out_session = s;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_create_shared(kiln_session_t* source, const kiln_session_options_t* options,
                                                  kiln_session_t** out_session) {
  if (!out_session) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "out_session is NULL");
  *out_session = NULL;
  if (!source) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "source session is NULL");
  kiln_session_options_t opts;
  kiln_session_options_init(&opts);
  if (options) opts = *options;
  kiln_model_t* m = source->model;
  if (opts.context && opts.context != (void*)m->context)
    return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT,
                     "options.context must be NULL or the source session's context in a shared session");
  kiln_status_t status = check_arena_option(&opts, m->arena_size, m->arena_alignment);
  if (status != KILN_STATUS_OK) return status;
  kiln_session_t* s = new_session(m, &opts);
  if (!s) return KILN_STATUS_OUT_OF_MEMORY;
  if ((status = kiln_session_enter(s)) == KILN_STATUS_OK) {
    status = open_execution(s, &opts);
    kiln_session_leave(s);
  }
  if (status != KILN_STATUS_OK) {
    kiln_session_destroy(s);
    return status;
  }
  *out_session = s;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_plan_arena_requirement(const void* data, size_t size, uint64_t* out_bytes,
                                                   uint64_t* out_alignment) {
  if (!data || !out_bytes || !out_alignment)
    return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "data, out_bytes or out_alignment is NULL");
  kiln_plan_view_t view;
  const kiln_status_t status = parse_plan(data, size, "plan in memory", &view);
  if (status != KILN_STATUS_OK) return status;
  *out_bytes = view.header.arena_size;
  *out_alignment = view.header.arena_alignment;
  kiln_plan_view_release(&view);
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_arena_requirement(const kiln_session_t* s, uint64_t* out_bytes,
                                                      uint64_t* out_alignment) {
  if (!s || !out_bytes || !out_alignment)
    return kiln_fail((kiln_session_t*)s, KILN_STATUS_INVALID_ARGUMENT, "session, out_bytes or out_alignment is NULL");
  *out_bytes = s->model->arena_size;
  *out_alignment = s->model->arena_alignment;
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

/* Raw driver calls in both: destroy must not overwrite the error that made creation fail. */
static void release_model(kiln_model_t* m) {
  const kiln_cuda_driver_t* cu = m->cu;
  if (cu && m->context && cu->cuCtxPushCurrent(m->context) == KILN_CUDA_SUCCESS) {
    if (m->weights) cu->cuMemFree(m->weights);
    for (uint32_t i = 0; i < m->module_count; ++i) cu->cuModuleUnload(m->modules[i]);
    CUcontext previous;
    cu->cuCtxPopCurrent(&previous);
  }
  if (cu && m->owns_primary_context) cu->cuDevicePrimaryCtxRelease(m->device);
  free(m->strings);
  free(m->tensors);
  free(m->launches);
  free(m->args);
  free(m->kernel_names);
  free(m->debug_launches);
  free(m->debug_names);
  free(m->modules);
  free(m->functions);
  free(m);
}

KILN_API void kiln_session_destroy(kiln_session_t* s) {
  if (!s) return;
  kiln_model_t* m = s->model;
  const kiln_cuda_driver_t* cu = s->cu;
  if (cu && m->context && cu->cuCtxPushCurrent(m->context) == KILN_CUDA_SUCCESS) {
    if (s->graph_exec) cu->cuGraphExecDestroy(s->graph_exec);
    if (s->graph) cu->cuGraphDestroy(s->graph);
    if (s->capture_stream) cu->cuStreamDestroy(s->capture_stream);
    if (s->arena_allocation) cu->cuMemFree(s->arena_allocation);
    CUcontext previous;
    cu->cuCtxPopCurrent(&previous);
  }
  free(s->bindings);
  for (int list = 0; list < KILN_COPY_LIST_COUNT; ++list) free(s->copies[list]);
  free(s->slots);
  free(s->params);
  free(s->launches);
  free(s);
  /* The last session of the family releases what they shared. */
  if (atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1) release_model(m);
}

KILN_API kiln_status_t kiln_session_device_info(const kiln_session_t* s, kiln_device_info_t* out_info) {
  if (!s || !out_info)
    return kiln_fail((kiln_session_t*)s, KILN_STATUS_INVALID_ARGUMENT, "session or out_info is NULL");
  memset(out_info, 0, sizeof(*out_info));
  memcpy(out_info->name, s->model->device_name, sizeof(out_info->name));
  out_info->name[sizeof(out_info->name) - 1] = 0;
  out_info->sm = s->model->sm;
  out_info->ordinal = s->model->ordinal;
  out_info->uses_cuda_graph = s->use_graph;
  return KILN_STATUS_OK;
}
