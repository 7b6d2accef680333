/* A CPU stand-in for libcuda.so.1 so the runtime's whole session path can be tested on machines without a GPU. */
/*
 * Loaded by the runtime through KILN_CUDA_LIBRARY. "Device" memory is host memory,
 * streams execute immediately, stream capture records operations into a graph that
 * cuGraphLaunch replays, and kernels are emulated by entry-point name (the kernels of
 * kernels.ptx). It enforces the rules the real driver would: no capture on the legacy
 * stream, no host copies inside a capture, balanced context pushes, freed resources.
 * Tests steer and inspect it through the mock_cuda_* functions in MockCuda.h.
 */
#include "MockCuda.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned int CUresult;
typedef unsigned long long CUdeviceptr;

#define EXPORT __attribute__((visibility("default")))

enum {
  SUCCESS = 0,
  ERROR_INVALID_VALUE = 1,
  ERROR_OUT_OF_MEMORY = 2,
  ERROR_NOT_INITIALIZED = 3,
  ERROR_NO_DEVICE = 100,
  ERROR_INVALID_DEVICE = 101,
  ERROR_INVALID_IMAGE = 200,
  ERROR_INVALID_CONTEXT = 201,
  ERROR_INVALID_PTX = 218,
  ERROR_INVALID_HANDLE = 400,
  ERROR_NOT_FOUND = 500,
  ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
  ERROR_STREAM_CAPTURE_UNSUPPORTED = 900,
  ERROR_STREAM_CAPTURE_INVALIDATED = 901
};

typedef struct mock_function {
  char name[64];
} mock_function_t;

typedef struct mock_module {
  int is_cubin;
  char* text;
  mock_function_t* functions[16]; /* freed with the module, as the real driver does */
  int function_count;
} mock_module_t;

typedef enum op_kind { OP_LAUNCH, OP_DTOD } op_kind_t;

typedef struct mock_op {
  op_kind_t kind;
  const mock_function_t* function;
  unsigned int grid[3], block[3], smem;
  void* params_copy;  /* values of the parameters, captured at record time */
  void** params;      /* pointers into params_copy, as the kernel sees them */
  CUdeviceptr dst, src;
  size_t bytes;
} mock_op_t;

typedef struct mock_graph {
  mock_op_t* ops;
  size_t count, capacity;
} mock_graph_t;

typedef struct mock_stream {
  int capturing;
  mock_graph_t* capture;
} mock_stream_t;

static mock_cuda_config_t g_config = {1, 90, 227 * 1024, 0};
static mock_cuda_counters_t g_counters;
static int g_initialized;
static int g_context_token; /* the address is the one fake primary context */

EXPORT void mock_cuda_configure(const mock_cuda_config_t* config) { g_config = *config; }
EXPORT void mock_cuda_reset(void) {
  mock_cuda_config_t defaults = {1, 90, 227 * 1024, 0};
  g_config = defaults;
  memset(&g_counters, 0, sizeof(g_counters));
}
EXPORT void mock_cuda_get_counters(mock_cuda_counters_t* out) { *out = g_counters; }
EXPORT void* mock_cuda_primary_context(void) { return &g_context_token; }

/* ---------------------------------------------------------------- kernels */

static unsigned int thread_count(const mock_op_t* op) {
  return op->grid[0] * op->grid[1] * op->grid[2] * op->block[0] * op->block[1] * op->block[2];
}

#define PARAM(op, i, type) (*(type*)(op)->params[i])
#define PTR(op, i, type) ((type*)(uintptr_t)PARAM(op, i, CUdeviceptr))

static int param_sizes(const char* name, size_t* sizes);
static int param_count(const char* name) {
  size_t sizes[8];
  return param_sizes(name, sizes);
}

static CUresult run_kernel(const mock_op_t* op) {
  const char* name = op->function->name;
  const unsigned int threads = thread_count(op);
  ++g_counters.kernels_executed;
  if (param_count(name) > 0) g_counters.last_pointer_arg = PARAM(op, 0, CUdeviceptr);
  if (strcmp(name, "vector_add") == 0) {
    const float* a = PTR(op, 0, float);
    const float* b = PTR(op, 1, float);
    float* c = PTR(op, 2, float);
    const uint32_t n = PARAM(op, 3, uint32_t);
    for (uint32_t i = 0; i < n && i < threads; ++i) c[i] = a[i] + b[i];
    return SUCCESS;
  }
  if (strcmp(name, "scale_bias") == 0) {
    const float* x = PTR(op, 0, float);
    const float* w = PTR(op, 1, float);
    float* y = PTR(op, 2, float);
    const float scale = PARAM(op, 3, float);
    const uint32_t n = PARAM(op, 4, uint32_t);
    for (uint32_t i = 0; i < n && i < threads; ++i) y[i] = fmaf(x[i], scale, w[i]);
    return SUCCESS;
  }
  if (strcmp(name, "add_i64") == 0) {
    const int64_t* x = PTR(op, 0, int64_t);
    int64_t* y = PTR(op, 1, int64_t);
    const int64_t k = PARAM(op, 2, int64_t);
    const uint32_t n = PARAM(op, 3, uint32_t);
    for (uint32_t i = 0; i < n && i < threads; ++i) y[i] = x[i] + k;
    return SUCCESS;
  }
  return SUCCESS; /* unknown kernels do nothing, like an empty PTX body */
}

/* Parameter sizes per kernel, so a recorded launch can copy the values. */
static int param_sizes(const char* name, size_t* sizes) {
  if (strcmp(name, "vector_add") == 0) {
    sizes[0] = sizes[1] = sizes[2] = 8;
    sizes[3] = 4;
    return 4;
  }
  if (strcmp(name, "scale_bias") == 0) {
    sizes[0] = sizes[1] = sizes[2] = 8;
    sizes[3] = sizes[4] = 4;
    return 5;
  }
  if (strcmp(name, "add_i64") == 0) {
    sizes[0] = sizes[1] = sizes[2] = 8;
    sizes[3] = 4;
    return 4;
  }
  return 0;
}

static CUresult execute(const mock_op_t* op) {
  if (op->kind == OP_DTOD) {
    memmove((void*)(uintptr_t)op->dst, (const void*)(uintptr_t)op->src, op->bytes);
    ++g_counters.dtod_copies;
    return SUCCESS;
  }
  return run_kernel(op);
}

static CUresult record(mock_stream_t* stream, const mock_op_t* op) {
  mock_graph_t* g = stream->capture;
  if (g->count == g->capacity) {
    g->capacity = g->capacity ? g->capacity * 2 : 8;
    g->ops = (mock_op_t*)realloc(g->ops, g->capacity * sizeof(mock_op_t));
  }
  g->ops[g->count++] = *op;
  return SUCCESS;
}

static void free_graph(mock_graph_t* g) {
  if (!g) return;
  for (size_t i = 0; i < g->count; ++i) {
    free(g->ops[i].params_copy);
    free(g->ops[i].params);
  }
  free(g->ops);
  free(g);
}

static mock_graph_t* clone_graph(const mock_graph_t* src) {
  mock_graph_t* g = (mock_graph_t*)calloc(1, sizeof(mock_graph_t));
  g->count = g->capacity = src->count;
  g->ops = (mock_op_t*)calloc(src->count ? src->count : 1, sizeof(mock_op_t));
  for (size_t i = 0; i < src->count; ++i) {
    mock_op_t op = src->ops[i];
    if (op.kind == OP_LAUNCH) {
      size_t sizes[8];
      const int n = param_sizes(op.function->name, sizes);
      op.params_copy = malloc(64);
      memcpy(op.params_copy, src->ops[i].params_copy, 64);
      op.params = (void**)calloc(8, sizeof(void*));
      size_t at = 0;
      for (int p = 0; p < n; ++p, at += 8) op.params[p] = (char*)op.params_copy + at;
    }
    g->ops[i] = op;
  }
  return g;
}

/* ---------------------------------------------------------------- driver API */

EXPORT CUresult cuInit(unsigned int flags) {
  if (flags != 0) return ERROR_INVALID_VALUE;
  if (g_config.device_count == 0) return ERROR_NO_DEVICE;
  g_initialized = 1;
  return SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int* version) {
  *version = 13000;
  return SUCCESS;
}

EXPORT CUresult cuGetErrorName(CUresult error, const char** name) {
  switch (error) {
    case SUCCESS: *name = "CUDA_SUCCESS"; return SUCCESS;
    case ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; return SUCCESS;
    case ERROR_OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return SUCCESS;
    case ERROR_NOT_INITIALIZED: *name = "CUDA_ERROR_NOT_INITIALIZED"; return SUCCESS;
    case ERROR_NO_DEVICE: *name = "CUDA_ERROR_NO_DEVICE"; return SUCCESS;
    case ERROR_INVALID_DEVICE: *name = "CUDA_ERROR_INVALID_DEVICE"; return SUCCESS;
    case ERROR_INVALID_IMAGE: *name = "CUDA_ERROR_INVALID_IMAGE"; return SUCCESS;
    case ERROR_INVALID_CONTEXT: *name = "CUDA_ERROR_INVALID_CONTEXT"; return SUCCESS;
    case ERROR_INVALID_PTX: *name = "CUDA_ERROR_INVALID_PTX"; return SUCCESS;
    case ERROR_INVALID_HANDLE: *name = "CUDA_ERROR_INVALID_HANDLE"; return SUCCESS;
    case ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; return SUCCESS;
    case ERROR_LAUNCH_OUT_OF_RESOURCES: *name = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"; return SUCCESS;
    case ERROR_STREAM_CAPTURE_UNSUPPORTED: *name = "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"; return SUCCESS;
    case ERROR_STREAM_CAPTURE_INVALIDATED: *name = "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"; return SUCCESS;
    default: *name = NULL; return ERROR_INVALID_VALUE;
  }
}

EXPORT CUresult cuGetErrorString(CUresult error, const char** text) {
  *text = error == SUCCESS ? "no error" : "mock driver error";
  return SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int* count) {
  if (!g_initialized) return ERROR_NOT_INITIALIZED;
  *count = g_config.device_count;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGet(int* device, int ordinal) {
  if (ordinal < 0 || ordinal >= g_config.device_count) return ERROR_INVALID_DEVICE;
  *device = ordinal;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int* value, unsigned int attribute, int device) {
  if (device < 0 || device >= g_config.device_count) return ERROR_INVALID_DEVICE;
  switch (attribute) {
    case 75: *value = g_config.sm / 10; return SUCCESS;
    case 76: *value = g_config.sm % 10; return SUCCESS;
    case 97: *value = g_config.max_shared_optin; return SUCCESS;
    default: return ERROR_INVALID_VALUE;
  }
}

EXPORT CUresult cuDeviceGetName(char* name, int length, int device) {
  snprintf(name, (size_t)length, "Mock GPU %d", device);
  return SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(void** context, int device) {
  if (device < 0 || device >= g_config.device_count) return ERROR_INVALID_DEVICE;
  *context = &g_context_token;
  ++g_counters.primary_retained;
  return SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  (void)device;
  --g_counters.primary_retained;
  return SUCCESS;
}

EXPORT CUresult cuCtxPushCurrent_v2(void* context) {
  if (!context) return ERROR_INVALID_CONTEXT;
  ++g_counters.context_depth;
  return SUCCESS;
}

EXPORT CUresult cuCtxPopCurrent_v2(void** context) {
  if (g_counters.context_depth == 0) return ERROR_INVALID_CONTEXT;
  --g_counters.context_depth;
  if (context) *context = &g_context_token;
  return SUCCESS;
}

EXPORT CUresult cuCtxGetDevice(int* device) {
  if (g_counters.context_depth == 0) return ERROR_INVALID_CONTEXT;
  *device = 0;
  return SUCCESS;
}

EXPORT CUresult cuModuleLoadDataEx(void** module, const void* image, unsigned int count, unsigned int* options,
                                   void** values) {
  if (g_counters.context_depth == 0) return ERROR_INVALID_CONTEXT;
  const char* text = (const char*)image;
  char* log = NULL;
  size_t log_size = 0;
  for (unsigned int i = 0; i < count; ++i) {
    if (options[i] == 5) log = (char*)values[i];
    if (options[i] == 6) log_size = (size_t)(uintptr_t)values[i];
  }
  const int is_cubin = memcmp(text, "\x7f" "ELF", 4) == 0;
  if (!is_cubin && strstr(text, "MOCK_INVALID_PTX")) {
    if (log && log_size) snprintf(log, log_size, "ptxas fatal   : mock syntax error on line 3");
    return ERROR_INVALID_PTX;
  }
  mock_module_t* m = (mock_module_t*)calloc(1, sizeof(mock_module_t));
  m->is_cubin = is_cubin;
  m->text = strdup(is_cubin ? text + 4 : text); /* mock cubins are "\x7fELF" + NUL-terminated names */
  *module = m;
  ++g_counters.live_modules;
  if (is_cubin) ++g_counters.cubin_loads;
  else ++g_counters.ptx_loads;
  return SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
  mock_module_t* m = (mock_module_t*)module;
  char entry[96];
  snprintf(entry, sizeof(entry), m->is_cubin ? "%s" : ".entry %s(", name);
  if (!strstr(m->text, entry)) return ERROR_NOT_FOUND;
  for (int i = 0; i < m->function_count; ++i) {
    if (strcmp(m->functions[i]->name, name) == 0) {
      *function = m->functions[i];
      return SUCCESS;
    }
  }
  if (m->function_count == 16) return ERROR_OUT_OF_MEMORY;
  mock_function_t* f = (mock_function_t*)calloc(1, sizeof(mock_function_t));
  snprintf(f->name, sizeof(f->name), "%s", name);
  m->functions[m->function_count++] = f;
  *function = f;
  return SUCCESS;
}

EXPORT CUresult cuModuleUnload(void* module) {
  mock_module_t* m = (mock_module_t*)module;
  for (int i = 0; i < m->function_count; ++i) free(m->functions[i]);
  free(m->text);
  free(m);
  --g_counters.live_modules;
  return SUCCESS;
}

EXPORT CUresult cuFuncSetAttribute(void* function, unsigned int attribute, int value) {
  (void)function;
  if (attribute != 8 || value > g_config.max_shared_optin) return ERROR_INVALID_VALUE;
  ++g_counters.smem_attributes_set;
  return SUCCESS;
}

EXPORT CUresult cuFuncGetAttribute(int* value, unsigned int attribute, void* function) {
  if (!value || !function) return ERROR_INVALID_VALUE;
  const int n = (int)strlen(((const mock_function_t*)function)->name);
  switch (attribute) {
    case 0: *value = 1024; break;       /* MAX_THREADS_PER_BLOCK */
    case 1: *value = 16 * n; break;     /* SHARED_SIZE_BYTES */
    case 3: *value = 8 * (n % 4); break; /* LOCAL_SIZE_BYTES */
    case 4: *value = 8 + n; break;      /* NUM_REGS */
    default: return ERROR_INVALID_VALUE;
  }
  ++g_counters.function_attribute_queries;
  return SUCCESS;
}

/* The parameters of kernels.ptx's kernels, as the driver reports them from a cubin. */
EXPORT CUresult cuFuncGetParamInfo(void* function, size_t index, size_t* offset, size_t* size) {
  if (!function) return ERROR_INVALID_VALUE;
  const char* name = ((const mock_function_t*)function)->name;
  static const struct {
    const char* name;
    size_t count, sizes[5];
  } kKernels[] = {{"vector_add", 4, {8, 8, 8, 4}}, {"scale_bias", 5, {8, 8, 8, 4, 4}}, {"add_i64", 4, {8, 8, 8, 4}}};
  for (size_t k = 0; k < sizeof(kKernels) / sizeof(kKernels[0]); ++k) {
    if (strcmp(kKernels[k].name, name) != 0) continue;
    if (index >= kKernels[k].count) return ERROR_INVALID_VALUE;
    size_t at = 0;
    for (size_t i = 0; i < index; ++i) at += kKernels[k].sizes[i];
    if (offset) *offset = at;
    if (size) *size = kKernels[k].sizes[index];
    return SUCCESS;
  }
  return ERROR_INVALID_VALUE;
}

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
  if (bytes == 0) return ERROR_INVALID_VALUE;
  void* p = aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!p) return ERROR_OUT_OF_MEMORY;
  *pointer = (CUdeviceptr)(uintptr_t)p;
  ++g_counters.live_allocations;
  return SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
  free((void*)(uintptr_t)pointer);
  --g_counters.live_allocations;
  return SUCCESS;
}

EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
  memcpy((void*)(uintptr_t)dst, src, bytes);
  ++g_counters.htod_copies;
  ++g_counters.htod_sync_copies;
  g_counters.htod_sync_bytes += (long)bytes;
  return SUCCESS;
}

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, void* stream) {
  if (stream && ((mock_stream_t*)stream)->capturing) return ERROR_STREAM_CAPTURE_UNSUPPORTED;
  memcpy((void*)(uintptr_t)dst, src, bytes);
  ++g_counters.htod_copies;
  return SUCCESS;
}

EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, void* stream) {
  if (stream && ((mock_stream_t*)stream)->capturing) return ERROR_STREAM_CAPTURE_UNSUPPORTED;
  memcpy(dst, (const void*)(uintptr_t)src, bytes);
  ++g_counters.dtoh_copies;
  return SUCCESS;
}

EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void* stream) {
  mock_op_t op;
  memset(&op, 0, sizeof(op));
  op.kind = OP_DTOD;
  op.dst = dst;
  op.src = src;
  op.bytes = bytes;
  if (stream && ((mock_stream_t*)stream)->capturing) return record((mock_stream_t*)stream, &op);
  return execute(&op);
}

EXPORT CUresult cuLaunchKernel(void* function, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                               unsigned int by, unsigned int bz, unsigned int smem, void* stream, void** params,
                               void** extra) {
  if (g_counters.context_depth == 0) return ERROR_INVALID_CONTEXT;
  if (!function || extra) return ERROR_INVALID_VALUE;
  ++g_counters.launch_calls;
  if (g_config.fail_launch_call && g_counters.launch_calls == g_config.fail_launch_call)
    return ERROR_LAUNCH_OUT_OF_RESOURCES;
  mock_op_t op;
  memset(&op, 0, sizeof(op));
  op.kind = OP_LAUNCH;
  op.function = (const mock_function_t*)function;
  op.grid[0] = gx, op.grid[1] = gy, op.grid[2] = gz;
  op.block[0] = bx, op.block[1] = by, op.block[2] = bz;
  op.smem = smem;
  if (stream && ((mock_stream_t*)stream)->capturing) {
    /* Like the real driver, capture copies the parameter values, not the pointers. */
    size_t sizes[8];
    const int n = param_sizes(op.function->name, sizes);
    op.params_copy = calloc(1, 64);
    op.params = (void**)calloc(8, sizeof(void*));
    for (int p = 0; p < n; ++p) {
      memcpy((char*)op.params_copy + 8 * p, params[p], sizes[p]);
      op.params[p] = (char*)op.params_copy + 8 * p;
    }
    return record((mock_stream_t*)stream, &op);
  }
  op.params = params;
  return execute(&op);
}

EXPORT CUresult cuStreamCreate(void** stream, unsigned int flags) {
  (void)flags;
  *stream = calloc(1, sizeof(mock_stream_t));
  ++g_counters.live_streams;
  return SUCCESS;
}

EXPORT CUresult cuStreamDestroy_v2(void* stream) {
  mock_stream_t* s = (mock_stream_t*)stream;
  free_graph(s->capture);
  free(s);
  --g_counters.live_streams;
  return SUCCESS;
}

EXPORT CUresult cuStreamSynchronize(void* stream) {
  if (stream && ((mock_stream_t*)stream)->capturing) return ERROR_STREAM_CAPTURE_UNSUPPORTED;
  ++g_counters.synchronizations;
  return SUCCESS;
}

EXPORT CUresult cuStreamBeginCapture_v2(void* stream, unsigned int mode) {
  (void)mode;
  if (!stream) return ERROR_STREAM_CAPTURE_UNSUPPORTED; /* the legacy stream cannot be captured */
  mock_stream_t* s = (mock_stream_t*)stream;
  if (s->capturing) return ERROR_INVALID_VALUE;
  s->capturing = 1;
  s->capture = (mock_graph_t*)calloc(1, sizeof(mock_graph_t));
  ++g_counters.captures;
  return SUCCESS;
}

EXPORT CUresult cuStreamEndCapture(void* stream, void** graph) {
  mock_stream_t* s = (mock_stream_t*)stream;
  if (!s || !s->capturing) return ERROR_INVALID_VALUE;
  s->capturing = 0;
  *graph = s->capture;
  s->capture = NULL;
  ++g_counters.live_graphs;
  return SUCCESS;
}

EXPORT CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long flags) {
  (void)flags;
  *exec = clone_graph((const mock_graph_t*)graph);
  ++g_counters.live_graph_execs;
  return SUCCESS;
}

EXPORT CUresult cuGraphLaunch(void* exec, void* stream) {
  if (stream && ((mock_stream_t*)stream)->capturing) return ERROR_STREAM_CAPTURE_UNSUPPORTED;
  const mock_graph_t* g = (const mock_graph_t*)exec;
  ++g_counters.graph_launches;
  for (size_t i = 0; i < g->count; ++i) {
    const CUresult r = execute(&g->ops[i]);
    if (r != SUCCESS) return r;
  }
  return SUCCESS;
}

EXPORT CUresult cuGraphExecDestroy(void* exec) {
  free_graph((mock_graph_t*)exec);
  --g_counters.live_graph_execs;
  return SUCCESS;
}

EXPORT CUresult cuGraphDestroy(void* graph) {
  free_graph((mock_graph_t*)graph);
  --g_counters.live_graphs;
  return SUCCESS;
}
