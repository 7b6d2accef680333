/* Compile-time proof that the runtime's hand-written CUDA declarations match cuda.h; built only where cuda.h exists. */
#include <cuda.h>

/* cuda.h's CUresult is an enum; the runtime's is the unsigned int it is laid out as. */
#define CUresult kiln_abi_check_result_t
#include "cuda_driver.h"
#undef CUresult

_Static_assert(sizeof(kiln_abi_check_result_t) == sizeof(CUresult), "CUresult size");
_Static_assert(KILN_CUDA_SUCCESS == CUDA_SUCCESS, "CUDA_SUCCESS");
_Static_assert(KILN_CUDA_ERROR_OUT_OF_MEMORY == CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY");
_Static_assert(KILN_CUDA_ERROR_NO_DEVICE == CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE");
_Static_assert(KILN_CUDA_ERROR_INVALID_DEVICE == CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE");
_Static_assert(KILN_CUDA_ERROR_STUB_LIBRARY == CUDA_ERROR_STUB_LIBRARY, "CUDA_ERROR_STUB_LIBRARY");
_Static_assert(KILN_CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER == CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER, "newer driver");
_Static_assert(KILN_CUDA_ERROR_SYSTEM_DRIVER_MISMATCH == CUDA_ERROR_SYSTEM_DRIVER_MISMATCH, "driver mismatch");
_Static_assert(KILN_CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE == CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE, "compat");
_Static_assert(KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "cc major");
_Static_assert(KILN_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "cc minor");
_Static_assert(KILN_CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN ==
                   CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, "smem optin");
_Static_assert(KILN_CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
               "dynamic smem attribute");
_Static_assert(KILN_CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK == CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, "max threads");
_Static_assert(KILN_CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES == CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, "static smem");
_Static_assert(KILN_CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES == CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, "local bytes");
_Static_assert(KILN_CU_FUNC_ATTRIBUTE_NUM_REGS == CU_FUNC_ATTRIBUTE_NUM_REGS, "registers");
_Static_assert(KILN_CU_JIT_INFO_LOG_BUFFER == CU_JIT_INFO_LOG_BUFFER, "jit info log");
_Static_assert(KILN_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES == CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, "jit info log size");
_Static_assert(KILN_CU_JIT_ERROR_LOG_BUFFER == CU_JIT_ERROR_LOG_BUFFER, "jit error log");
_Static_assert(KILN_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, "jit error log size");
_Static_assert(KILN_CU_STREAM_NON_BLOCKING == CU_STREAM_NON_BLOCKING, "stream flags");
_Static_assert(KILN_CU_STREAM_CAPTURE_MODE_THREAD_LOCAL == CU_STREAM_CAPTURE_MODE_THREAD_LOCAL, "capture mode");

/* Each assignment fails to compile (-Werror=incompatible-pointer-types) if a
 * signature differs. cuda.h's versioning macros rename the table's members and the
 * functions alike (cuMemAlloc -> cuMemAlloc_v2), so the _v2 entry points are what is
 * compared, which are the names cuda_driver.c resolves. */
int kiln_abi_check(kiln_cuda_driver_t* t);
int kiln_abi_check(kiln_cuda_driver_t* t) {
  t->cuInit = cuInit;
  t->cuDriverGetVersion = cuDriverGetVersion;
  t->cuGetErrorName = cuGetErrorName;
  t->cuGetErrorString = cuGetErrorString;
  t->cuDeviceGetCount = cuDeviceGetCount;
  t->cuDeviceGet = cuDeviceGet;
  t->cuDeviceGetAttribute = cuDeviceGetAttribute;
  t->cuDeviceGetName = cuDeviceGetName;
  t->cuDevicePrimaryCtxRetain = cuDevicePrimaryCtxRetain;
  t->cuDevicePrimaryCtxRelease = cuDevicePrimaryCtxRelease;
  t->cuCtxPushCurrent = cuCtxPushCurrent;
  t->cuCtxPopCurrent = cuCtxPopCurrent;
  t->cuCtxGetDevice = cuCtxGetDevice;
  t->cuModuleLoadDataEx = cuModuleLoadDataEx;
  t->cuModuleGetFunction = cuModuleGetFunction;
  t->cuModuleUnload = cuModuleUnload;
  t->cuFuncSetAttribute = cuFuncSetAttribute;
  t->cuFuncGetAttribute = cuFuncGetAttribute;
  t->cuMemAlloc = cuMemAlloc;
  t->cuMemFree = cuMemFree;
  t->cuMemcpyHtoD = cuMemcpyHtoD;
  t->cuMemcpyHtoDAsync = cuMemcpyHtoDAsync;
  t->cuMemcpyDtoHAsync = cuMemcpyDtoHAsync;
  t->cuMemcpyDtoDAsync = cuMemcpyDtoDAsync;
  t->cuLaunchKernel = cuLaunchKernel;
  t->cuStreamCreate = cuStreamCreate;
  t->cuStreamDestroy = cuStreamDestroy;
  t->cuStreamSynchronize = cuStreamSynchronize;
  t->cuStreamBeginCapture = cuStreamBeginCapture;
  t->cuStreamEndCapture = cuStreamEndCapture;
  t->cuGraphInstantiateWithFlags = cuGraphInstantiateWithFlags;
  t->cuGraphLaunch = cuGraphLaunch;
  t->cuGraphExecDestroy = cuGraphExecDestroy;
  t->cuGraphDestroy = cuGraphDestroy;
  return 0;
}
