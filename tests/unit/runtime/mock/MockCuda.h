/* Controls and counters of the mock CUDA driver (libkiln_mock_cuda.so), reached by tests through dlsym. */
/* cuFuncGetAttribute answers, per kernel name of length n: registers 8 + n, static
 * shared bytes 16 * n, local bytes 8 * (n % 4), max threads per block 1024. */
#ifndef KILN_TESTS_MOCK_CUDA_H
#define KILN_TESTS_MOCK_CUDA_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mock_cuda_config {
  int device_count;      /* 0 makes cuInit fail with CUDA_ERROR_NO_DEVICE */
  int sm;                /* compute capability as major*10+minor */
  int max_shared_optin;  /* CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
  long fail_launch_call; /* the n-th cuLaunchKernel call (1-based) fails; 0 = never */
} mock_cuda_config_t;

typedef struct mock_cuda_counters {
  long launch_calls;       /* cuLaunchKernel calls, captured or not */
  long kernels_executed;   /* kernels actually run, directly or by graph replay */
  long captures;
  long graph_launches;
  long htod_copies;
  long dtoh_copies;
  long dtod_copies;
  long synchronizations;
  long ptx_loads;
  long cubin_loads;
  long smem_attributes_set;
  long live_allocations;
  long live_modules;
  long live_streams;
  long live_graphs;
  long live_graph_execs;
  long primary_retained;
  long context_depth;
  long function_attribute_queries;
  long htod_sync_copies;   /* synchronous cuMemcpyHtoD calls: weight uploads */
  long htod_sync_bytes;
  unsigned long long last_pointer_arg; /* parameter 0 (a pointer in every test kernel) of the last kernel run */
} mock_cuda_counters_t;

typedef void (*mock_cuda_configure_fn)(const mock_cuda_config_t*);
typedef void (*mock_cuda_reset_fn)(void);
typedef void (*mock_cuda_get_counters_fn)(mock_cuda_counters_t*);
typedef void* (*mock_cuda_primary_context_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_TESTS_MOCK_CUDA_H */
