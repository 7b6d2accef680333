/* Resolves the CUDA driver API from libcuda.so.1 at run time so the runtime has no link-time CUDA dependency. */
#include "cuda_driver.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct symbol_entry {
  size_t offset;
  const char* name;
} symbol_entry_t;

/* Versioned names are the ones cuda.h maps the plain names to on 64-bit hosts;
 * binding them explicitly keeps the runtime on the ABI it was written against. */
#define KILN_SYMBOL(field, symbol) {offsetof(kiln_cuda_driver_t, field), symbol}
static const symbol_entry_t kSymbols[] = {
    KILN_SYMBOL(cuInit, "cuInit"),
    KILN_SYMBOL(cuDriverGetVersion, "cuDriverGetVersion"),
    KILN_SYMBOL(cuGetErrorName, "cuGetErrorName"),
    KILN_SYMBOL(cuGetErrorString, "cuGetErrorString"),
    KILN_SYMBOL(cuDeviceGetCount, "cuDeviceGetCount"),
    KILN_SYMBOL(cuDeviceGet, "cuDeviceGet"),
    KILN_SYMBOL(cuDeviceGetAttribute, "cuDeviceGetAttribute"),
    KILN_SYMBOL(cuDeviceGetName, "cuDeviceGetName"),
    KILN_SYMBOL(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
    KILN_SYMBOL(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"),
    KILN_SYMBOL(cuCtxPushCurrent, "cuCtxPushCurrent_v2"),
    KILN_SYMBOL(cuCtxPopCurrent, "cuCtxPopCurrent_v2"),
    KILN_SYMBOL(cuCtxGetDevice, "cuCtxGetDevice"),
    KILN_SYMBOL(cuModuleLoadDataEx, "cuModuleLoadDataEx"),
    KILN_SYMBOL(cuModuleGetFunction, "cuModuleGetFunction"),
    KILN_SYMBOL(cuModuleUnload, "cuModuleUnload"),
    KILN_SYMBOL(cuFuncSetAttribute, "cuFuncSetAttribute"),
    KILN_SYMBOL(cuFuncGetAttribute, "cuFuncGetAttribute"),
    KILN_SYMBOL(cuMemAlloc, "cuMemAlloc_v2"),
    KILN_SYMBOL(cuMemFree, "cuMemFree_v2"),
    KILN_SYMBOL(cuMemcpyHtoD, "cuMemcpyHtoD_v2"),
    KILN_SYMBOL(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2"),
    KILN_SYMBOL(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2"),
    KILN_SYMBOL(cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2"),
    KILN_SYMBOL(cuLaunchKernel, "cuLaunchKernel"),
    KILN_SYMBOL(cuStreamCreate, "cuStreamCreate"),
    KILN_SYMBOL(cuStreamDestroy, "cuStreamDestroy_v2"),
    KILN_SYMBOL(cuStreamSynchronize, "cuStreamSynchronize"),
    KILN_SYMBOL(cuStreamBeginCapture, "cuStreamBeginCapture_v2"),
    KILN_SYMBOL(cuStreamEndCapture, "cuStreamEndCapture"),
    KILN_SYMBOL(cuGraphInstantiateWithFlags, "cuGraphInstantiateWithFlags"),
    KILN_SYMBOL(cuGraphLaunch, "cuGraphLaunch"),
    KILN_SYMBOL(cuGraphExecDestroy, "cuGraphExecDestroy"),
    KILN_SYMBOL(cuGraphDestroy, "cuGraphDestroy"),
};
/* Entry points newer drivers have; the runtime works without them. */
static const symbol_entry_t kOptionalSymbols[] = {
    KILN_SYMBOL(cuFuncGetParamInfo, "cuFuncGetParamInfo"),
};
#undef KILN_SYMBOL

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static kiln_cuda_driver_t g_driver;
static int g_loaded;

static int resolve(void* library, kiln_cuda_driver_t* table, const char* path, char* err,
                   size_t err_size) {
  for (size_t i = 0; i < sizeof(kSymbols) / sizeof(kSymbols[0]); ++i) {
    void* symbol = dlsym(library, kSymbols[i].name);
    if (!symbol) {
      snprintf(err, err_size,
               "no CUDA driver: %s lacks %s (the NVIDIA driver is too old; CUDA 11.4 or newer is needed)",
               path, kSymbols[i].name);
      return 0;
    }
    /* POSIX guarantees data and function pointers have the same representation. */
    memcpy((char*)table + kSymbols[i].offset, &symbol, sizeof(symbol));
  }
  for (size_t i = 0; i < sizeof(kOptionalSymbols) / sizeof(kOptionalSymbols[0]); ++i) {
    void* symbol = dlsym(library, kOptionalSymbols[i].name);
    memcpy((char*)table + kOptionalSymbols[i].offset, &symbol, sizeof(symbol));
  }
  return 1;
}

const kiln_cuda_driver_t* kiln_cuda_driver_load(char* err, size_t err_size) {
  pthread_mutex_lock(&g_lock);
  if (!g_loaded) {
    const char* path = getenv("KILN_CUDA_LIBRARY");
    if (!path || !*path) path = "libcuda.so.1";
    void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char* why = dlerror();
      snprintf(err, err_size,
               "no CUDA driver: could not load %s (%s); install the NVIDIA driver or set KILN_CUDA_LIBRARY",
               path, why ? why : "unknown dlopen error");
    } else if (!resolve(library, &g_driver, path, err, err_size)) {
      dlclose(library);
    } else {
      g_loaded = 1;
    }
  }
  const kiln_cuda_driver_t* result = g_loaded ? &g_driver : NULL;
  pthread_mutex_unlock(&g_lock);
  return result;
}

/* For drivers that cannot name their own errors (the toolkit's stub library, or a
 * driver too broken to answer): the results a session most often meets. */
static const char* known_error_name(CUresult result) {
  switch (result) {
    case 1: return "CUDA_ERROR_INVALID_VALUE";
    case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
    case 3: return "CUDA_ERROR_NOT_INITIALIZED";
    case 34: return "CUDA_ERROR_STUB_LIBRARY";
    case 36: return "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER";
    case 100: return "CUDA_ERROR_NO_DEVICE";
    case 101: return "CUDA_ERROR_INVALID_DEVICE";
    case 209: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
    case 218: return "CUDA_ERROR_INVALID_PTX";
    case 222: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
    case 700: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case 701: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    case 719: return "CUDA_ERROR_LAUNCH_FAILED";
    case 803: return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
    case 804: return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
    default: return NULL;
  }
}

const char* kiln_cuda_error_name(const kiln_cuda_driver_t* cu, CUresult result, char* buf,
                                 size_t buf_size) {
  const char* name = NULL;
  if (cu && cu->cuGetErrorName(result, &name) == KILN_CUDA_SUCCESS && name) return name;
  if ((name = known_error_name(result)) != NULL) return name;
  snprintf(buf, buf_size, "CUDA error %u", result);
  return buf;
}
