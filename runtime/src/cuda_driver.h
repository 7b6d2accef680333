/* The few CUDA driver API types and entry points the runtime uses, resolved from libcuda.so.1 with dlopen. */
#ifndef KILN_RUNTIME_CUDA_DRIVER_H
#define KILN_RUNTIME_CUDA_DRIVER_H

/* Declared here instead of including cuda.h so that the runtime builds and links
 * without a CUDA toolkit. The struct tags and integer types match cuda.h exactly
 * (tests/unit/runtime/CudaAbiCheck.c compares them when cuda.h is available);
 * enum parameters are unsigned int, which is how GCC and Clang lay out cuda.h's
 * non-negative enums. */

#include <stddef.h>

typedef unsigned int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st* CUcontext;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;
typedef struct CUstream_st* CUstream;
typedef struct CUgraph_st* CUgraph;
typedef struct CUgraphExec_st* CUgraphExec;

#define KILN_CUDA_SUCCESS 0u
#define KILN_CUDA_ERROR_OUT_OF_MEMORY 2u
#define KILN_CUDA_ERROR_NO_DEVICE 100u
#define KILN_CUDA_ERROR_INVALID_DEVICE 101u
/* cuInit results that mean "this driver cannot be used here", as opposed to "no GPU". */
#define KILN_CUDA_ERROR_STUB_LIBRARY 34u
#define KILN_CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER 36u
#define KILN_CUDA_ERROR_SYSTEM_DRIVER_MISMATCH 803u
#define KILN_CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE 804u

#define KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR 75u
#define KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR 76u
#define KILN_CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN 97u
#define KILN_CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK 0u
#define KILN_CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES 1u
#define KILN_CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES 3u
#define KILN_CU_FUNC_ATTRIBUTE_NUM_REGS 4u
#define KILN_CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES 8u
#define KILN_CU_JIT_INFO_LOG_BUFFER 3u
#define KILN_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES 4u
#define KILN_CU_JIT_ERROR_LOG_BUFFER 5u
#define KILN_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES 6u
#define KILN_CU_STREAM_NON_BLOCKING 1u
#define KILN_CU_STREAM_CAPTURE_MODE_THREAD_LOCAL 1u

/* Kernels dynamic shared memory above this needs an explicit opt-in attribute. */
#define KILN_CUDA_DEFAULT_DYNAMIC_SMEM_LIMIT (48u * 1024u)

/* One function pointer per entry point; the symbol names (with their _v2 suffixes)
 * are listed once in cuda_driver.c. */
typedef struct kiln_cuda_driver {
  CUresult (*cuInit)(unsigned int flags);
  CUresult (*cuDriverGetVersion)(int* version);
  CUresult (*cuGetErrorName)(CUresult error, const char** name);
  CUresult (*cuGetErrorString)(CUresult error, const char** text);
  CUresult (*cuDeviceGetCount)(int* count);
  CUresult (*cuDeviceGet)(CUdevice* device, int ordinal);
  CUresult (*cuDeviceGetAttribute)(int* value, unsigned int attribute, CUdevice device);
  CUresult (*cuDeviceGetName)(char* name, int length, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext* context, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device);
  CUresult (*cuCtxPushCurrent)(CUcontext context);
  CUresult (*cuCtxPopCurrent)(CUcontext* context);
  CUresult (*cuCtxGetDevice)(CUdevice* device);
  CUresult (*cuModuleLoadDataEx)(CUmodule* module, const void* image, unsigned int option_count,
                                 unsigned int* options, void** option_values);
  CUresult (*cuModuleGetFunction)(CUfunction* function, CUmodule module, const char* name);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuFuncSetAttribute)(CUfunction function, unsigned int attribute, int value);
  CUresult (*cuFuncGetAttribute)(int* value, unsigned int attribute, CUfunction function);
  CUresult (*cuMemAlloc)(CUdeviceptr* pointer, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr pointer);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr dst, const void* src, size_t bytes);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream);
  CUresult (*cuMemcpyDtoHAsync)(void* dst, CUdeviceptr src, size_t bytes, CUstream stream);
  CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned int grid_x, unsigned int grid_y,
                             unsigned int grid_z, unsigned int block_x, unsigned int block_y,
                             unsigned int block_z, unsigned int shared_mem_bytes, CUstream stream,
                             void** params, void** extra);
  CUresult (*cuStreamCreate)(CUstream* stream, unsigned int flags);
  CUresult (*cuStreamDestroy)(CUstream stream);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuStreamBeginCapture)(CUstream stream, unsigned int mode);
  CUresult (*cuStreamEndCapture)(CUstream stream, CUgraph* graph);
  CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec* exec, CUgraph graph, unsigned long long flags);
  CUresult (*cuGraphLaunch)(CUgraphExec exec, CUstream stream);
  CUresult (*cuGraphExecDestroy)(CUgraphExec exec);
  CUresult (*cuGraphDestroy)(CUgraph graph);
  /* Optional (drivers from CUDA 12.4 on; NULL before): the offset and size of a
   * kernel's parameter `index`, CUDA_ERROR_INVALID_VALUE past the last one. */
  CUresult (*cuFuncGetParamInfo)(CUfunction function, size_t index, size_t* offset, size_t* size);
} kiln_cuda_driver_t;

/* Loads libcuda.so.1 (or $KILN_CUDA_LIBRARY) and resolves every entry point, once
 * per process; a failed attempt is retried on the next call. Returns the table, or
 * NULL with a message in err ("no CUDA driver: ..."). Thread-safe. The table is
 * never unloaded. */
const kiln_cuda_driver_t* kiln_cuda_driver_load(char* err, size_t err_size);

/* "CUDA_ERROR_INVALID_PTX" for a result, or "CUDA error <n>" in buf when the driver
 * does not know it. */
const char* kiln_cuda_error_name(const kiln_cuda_driver_t* cu, CUresult result, char* buf,
                                 size_t buf_size);

#endif /* KILN_RUNTIME_CUDA_DRIVER_H */
