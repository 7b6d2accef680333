/* The session object shared by the runtime's source files; opaque to API users. */
#ifndef KILN_RUNTIME_SESSION_INTERNAL_H
#define KILN_RUNTIME_SESSION_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "cuda_driver.h"
#include "kiln/plan_format.h"
#include "kiln/runtime.h"

#define KILN_ERROR_SIZE 2048

/* Everything a launch needs, resolved at load time so that the run path is a flat
 * loop of cuLaunchKernel calls with no per-op decisions. */
typedef struct kiln_launch_record {
  CUfunction function;
  unsigned int grid[3];
  unsigned int block[3];
  unsigned int shared_mem_bytes;
  void** params; /* arg_count pointers into the session's argument slots */
} kiln_launch_record_t;

/* Storage for one kernel parameter: cuLaunchKernel reads sizeof(param) bytes from here. */
typedef union kiln_arg_slot {
  CUdeviceptr pointer;
  int32_t i32;
  int64_t i64;
  float f32;
} kiln_arg_slot_t;

typedef struct kiln_binding {
  int kind; /* 0 when unbound, else kiln_memory_kind_t */
  void* pointer;
} kiln_binding_t;

/* One I/O copy between caller memory and the tensor's place in the arena. */
typedef struct kiln_copy {
  CUdeviceptr arena;
  void* pointer; /* host pointer, or CUdeviceptr value for device bindings */
  size_t bytes;
  uint32_t tensor; /* index into tensors, for error messages */
} kiln_copy_t;

typedef enum kiln_copy_list {
  KILN_COPY_HOST_IN,
  KILN_COPY_DEVICE_IN,
  KILN_COPY_DEVICE_OUT,
  KILN_COPY_HOST_OUT,
  KILN_COPY_LIST_COUNT
} kiln_copy_list_t;

/* What the sessions of one family (kiln_session_create_shared) share: driver, context,
 * loaded kernels, the device copy of the weights and the plan's tables. Immutable once
 * created, except for the reference count; released with the family's last session. */
typedef struct kiln_model {
  atomic_uint refs;
  const kiln_cuda_driver_t* cu;
  CUcontext context;
  int owns_primary_context;
  CUdevice device;
  int32_t ordinal;
  uint32_t sm;
  char device_name[128];

  /* Copied from the plan, which the caller may free after creation. */
  char* strings;
  kiln_plan_tensor_t* tensors; /* inputs, then outputs */
  uint32_t input_count;
  uint32_t output_count;
  kiln_plan_launch_t* launches; /* kernel, shape and argument range of each launch */
  uint32_t launch_count;
  kiln_plan_arg_t* args;
  uint32_t arg_count;
  uint32_t* kernel_names; /* string refs, per kernel */
  uint32_t kernel_count;
  kiln_plan_debug_launch_t* debug_launches; /* NULL without debug info */
  uint32_t* debug_names;
  uint64_t arena_size;
  uint32_t arena_alignment;

  CUmodule* modules;
  uint32_t module_count;
  CUfunction* functions; /* per kernel, owned by the loaded modules */
  CUdeviceptr weights;   /* the weights' cuMemAlloc; 0 when the plan has none */
} kiln_model_t;

/* One execution of a model: its arena, bindings, launch arguments and graph. */
struct kiln_session {
  kiln_model_t* model;
  const kiln_cuda_driver_t* cu; /* model->cu, for the error path */
  int use_graph;
  int sync_each_launch; /* $KILN_SYNC_LAUNCHES: locate asynchronous faults, at a cost */

  kiln_binding_t* bindings; /* input_count + output_count */
  uint32_t bound_inputs;
  kiln_copy_t* copies[KILN_COPY_LIST_COUNT]; /* each sized for input_count + output_count */
  uint32_t copy_count[KILN_COPY_LIST_COUNT];
  int copies_dirty;

  CUdeviceptr arena_allocation; /* the arena's cuMemAlloc; 0 when the caller provided it */
  CUdeviceptr arena_base;       /* aligned */
  kiln_arg_slot_t* slots;
  void** params;
  kiln_launch_record_t* launches;
  uint32_t launch_count;

  CUstream capture_stream; /* capture cannot happen on the legacy default stream */
  CUgraph graph;
  CUgraphExec graph_exec;
  int graph_dirty;

  char last_error[KILN_ERROR_SIZE];
};

/* Records a failure on the calling thread and, when session is non-NULL, on the
 * session; returns status so callers can `return kiln_fail(...)`. */
kiln_status_t kiln_fail(kiln_session_t* session, kiln_status_t status, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Turns a CUDA driver failure into a status (OUT_OF_MEMORY or CUDA_ERROR) and a
 * message "<what>: <CUDA error name>: <description>". */
kiln_status_t kiln_fail_cuda(kiln_session_t* session, CUresult result, const char* what);

/* Makes the session's (family's) context current on this thread for the duration of a call. */
kiln_status_t kiln_session_enter(kiln_session_t* session);
void kiln_session_leave(kiln_session_t* session);

/* Names a launch for error messages: kernel name and, with debug info, its ONNX nodes. */
void kiln_describe_launch(const kiln_session_t* session, uint32_t launch, char* buf, size_t size);

#endif /* KILN_RUNTIME_SESSION_INTERNAL_H */
