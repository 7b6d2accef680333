/* Public C API of the kiln runtime: load a frozen plan (.kiln) and run it on a CUDA stream. */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

/*
 * Conventions
 * - Objects are opaque handles created by kiln_<object>_create_* and released by
 *   kiln_<object>_destroy. Results come back through out_ parameters; every function
 *   that can fail returns a kiln_status_t (KILN_STATUS_OK == 0).
 * - On failure, kiln_session_last_error(session) describes the last failed call on
 *   that session, and kiln_thread_last_error() describes the last failed call made
 *   on the calling thread (the only way to learn why a session could not be created).
 * - Thread compatibility: a session is thread-compatible, not thread-safe. Calls on
 *   one session must be serialized by the caller (and a session must not run on two
 *   streams at once: all runs share one arena). Different sessions may be used from
 *   different threads concurrently. Functions that take no session are thread-safe.
 * - Several executions of one model: kiln_session_create_shared makes another session
 *   of the same loaded model (a "family") that shares the source's context, kernels
 *   and device copy of the weights and has its own arena, bindings and CUDA graph.
 *   Sessions of one family may run concurrently from different threads, each on its
 *   own stream; each one stays thread-compatible. The family's shared state is owned
 *   jointly and released with the last of its sessions, destroyed in any order.
 * - Arenas: a session allocates its activation arena, or uses device memory the caller
 *   provides (kiln_session_options_t.arena), which the caller keeps owning; its size
 *   and alignment come from kiln_plan_arena_requirement before loading, or
 *   kiln_session_arena_requirement after.
 * - CUDA handles cross this API as void* (CUstream, CUcontext) and device memory as
 *   void* holding the CUdeviceptr value, so that callers need not include cuda.h.
 * - The runtime loads libcuda.so.1 with dlopen when the first session is created; it
 *   has no link-time dependency on CUDA. The environment variable KILN_CUDA_LIBRARY
 *   overrides the library path (used by tests and for unusual installs).
 * - KILN_SYNC_LAUNCHES=1 in the environment when a session is created makes that
 *   session run without a CUDA graph and synchronize after every launch, so an
 *   asynchronous fault (illegal address...) is reported with the launch, kernel and
 *   ONNX nodes that caused it. For debugging only: it is slow.
 */

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

typedef int32_t kiln_status_t;

enum {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1,    /* NULL pointer, index out of range, size mismatch */
  KILN_STATUS_IO_ERROR = 2,            /* the plan file could not be opened or read */
  KILN_STATUS_INVALID_PLAN = 3,        /* not a plan, truncated, or inconsistent contents */
  KILN_STATUS_CHECKSUM_MISMATCH = 4,   /* a CRC-32C in the plan does not match its bytes */
  KILN_STATUS_UNSUPPORTED_VERSION = 5, /* plan format major version unknown to this runtime */
  KILN_STATUS_NO_DRIVER = 6,           /* libcuda.so.1 missing or lacking a needed symbol */
  KILN_STATUS_NO_DEVICE = 7,           /* no CUDA device, or the ordinal does not exist */
  KILN_STATUS_UNSUPPORTED_DEVICE = 8,  /* the device is older than the plan's target SM or lacks shared memory */
  KILN_STATUS_OUT_OF_MEMORY = 9,       /* host or device allocation failed */
  KILN_STATUS_CUDA_ERROR = 10,         /* any other CUDA driver error (message names it) */
  KILN_STATUS_NOT_FOUND = 11,          /* no input/output of that name */
  KILN_STATUS_NOT_BOUND = 12           /* run() with an input that has no binding */
};

/* Static English name of a status code ("KILN_STATUS_INVALID_PLAN"); never NULL.
 * Thread-safe. The string is owned by the library. */
KILN_API const char* kiln_status_string(kiln_status_t status);

/* Message of the last failed kiln call on the calling thread, "" if none.
 * Thread-safe (thread-local storage). Valid until the next failing kiln call on
 * this thread; owned by the library. */
KILN_API const char* kiln_thread_last_error(void);

/* Version of the runtime library, e.g. "0.1.0 (plan format 1.0)". Thread-safe; static. */
KILN_API const char* kiln_runtime_version(void);

/* ---------------------------------------------------------------- tensors */

/* Element types; the numbers equal ONNX TensorProto.DataType and KILN_PLAN_DTYPE_*. */
typedef uint32_t kiln_dtype_t;
enum {
  KILN_DTYPE_F32 = 1,
  KILN_DTYPE_U8 = 2,
  KILN_DTYPE_I8 = 3,
  KILN_DTYPE_U16 = 4,
  KILN_DTYPE_I16 = 5,
  KILN_DTYPE_I32 = 6,
  KILN_DTYPE_I64 = 7,
  KILN_DTYPE_BOOL = 9,
  KILN_DTYPE_F16 = 10,
  KILN_DTYPE_F64 = 11,
  KILN_DTYPE_U32 = 12,
  KILN_DTYPE_U64 = 13,
  KILN_DTYPE_BF16 = 16
};

/* Short name ("f32", "bf16", "bool"), or "?" for an unknown value. Thread-safe; static. */
KILN_API const char* kiln_dtype_name(kiln_dtype_t dtype);
/* Bytes per element, 0 for an unknown value. Thread-safe. */
KILN_API size_t kiln_dtype_size(kiln_dtype_t dtype);

#define KILN_MAX_RANK 8

typedef struct kiln_tensor_info {
  const char* name;             /* owned by the session; valid until it is destroyed */
  kiln_dtype_t dtype;
  uint32_t rank;
  int64_t dims[KILN_MAX_RANK];  /* dims[rank..] are 0 */
  uint64_t byte_size;           /* exactly the bytes a binding must provide */
} kiln_tensor_info_t;

typedef enum kiln_memory_kind {
  KILN_MEMORY_HOST = 1,   /* pointer into host memory (pageable or pinned) */
  KILN_MEMORY_DEVICE = 2  /* CUdeviceptr value cast to void*, in the session's context */
} kiln_memory_kind_t;

/* ---------------------------------------------------------------- sessions */

typedef struct kiln_session kiln_session_t;

typedef struct kiln_session_options {
  int32_t device_ordinal;  /* CUDA device to use when context is NULL (default 0) */
  int32_t use_cuda_graph;  /* nonzero (default): capture the launches once and replay the graph */
  void* context;           /* caller-owned CUcontext to run in, or NULL (default) to retain
                              the device's primary context. A caller-owned context must
                              outlive the session; the runtime never destroys it. */
  void* arena;             /* caller-owned device memory (CUdeviceptr value cast to void*) for
                              the session's activations, or NULL (default): the session
                              allocates its own arena. It must hold at least the plan's arena
                              bytes at the plan's arena alignment (kiln_plan_arena_requirement),
                              else creation fails with KILN_STATUS_INVALID_ARGUMENT. The
                              session then allocates device memory only for the weights. The
                              caller keeps ownership; the memory must outlive the session, and
                              no two sessions may use it at the same time (runs overwrite it).
                              A plan whose arena is 0 bytes needs none (NULL is fine). */
  uint64_t arena_bytes;    /* size of arena in bytes; ignored when arena is NULL (default 0) */
} kiln_session_options_t;

/* Fills *out_options with the defaults. Thread-safe. */
KILN_API void kiln_session_options_init(kiln_session_options_t* out_options);

/* Reads, verifies and loads the plan at path: loads the driver, compiles or loads
 * every kernel, uploads the weights and allocates the device arena (unless
 * options->arena provides it; an unfit one is refused before CUDA is touched).
 * options may be NULL for defaults. On success *out_session owns all of that and the
 * caller owns *out_session (release it with kiln_session_destroy). On failure
 * *out_session is NULL and kiln_thread_last_error() says why. The plan is verified
 * before CUDA is touched, so corrupt files are reported the same with or without a
 * GPU. Thread-safe. */
KILN_API kiln_status_t kiln_session_create_from_file(const char* path,
                                                     const kiln_session_options_t* options,
                                                     kiln_session_t** out_session);

/* Same as kiln_session_create_from_file for a plan already in memory. The buffer is
 * only read during the call; the caller keeps ownership and may free it afterwards.
 * Any alignment is accepted. Thread-safe. */
KILN_API kiln_status_t kiln_session_create_from_memory(const void* data, size_t size,
                                                       const kiln_session_options_t* options,
                                                       kiln_session_t** out_session);

/* Creates another execution of source's loaded model: the new session shares source's
 * CUDA context (and its primary-context retain), loaded kernels and device copy of the
 * weights (nothing is uploaded or loaded again), and has its own arena (allocated, or
 * options->arena), bindings, launch arguments, capture stream and CUDA graph. options
 * may be NULL for defaults; use_cuda_graph, arena and arena_bytes are honored, context
 * must be NULL or source's context (else KILN_STATUS_INVALID_ARGUMENT), and
 * device_ordinal is ignored (the family runs on source's device). source may itself be
 * a shared session. The new session is used and destroyed like any other; the family's
 * shared state is released with its last session, whichever that is. Sessions of one
 * family may be used concurrently from different threads on different streams. source
 * must not be in the middle of a call on another thread while this runs. On failure
 * *out_session is NULL and kiln_thread_last_error() says why. */
KILN_API kiln_status_t kiln_session_create_shared(kiln_session_t* source, const kiln_session_options_t* options,
                                                  kiln_session_t** out_session);

/* The arena a plan in memory needs: bytes and alignment (a power of two) of the device
 * memory that kiln_session_options_t.arena must provide. Verifies the plan like session
 * creation does but touches no CUDA; failures (KILN_STATUS_INVALID_PLAN,
 * KILN_STATUS_CHECKSUM_MISMATCH...) are described by kiln_thread_last_error().
 * Thread-safe. */
KILN_API kiln_status_t kiln_plan_arena_requirement(const void* data, size_t size, uint64_t* out_bytes,
                                                   uint64_t* out_alignment);

/* The same for a loaded session's plan. Thread-compatible. */
KILN_API kiln_status_t kiln_session_arena_requirement(const kiln_session_t* session, uint64_t* out_bytes,
                                                      uint64_t* out_alignment);

/* Releases what the session owns: its graph, capture stream and (unless the caller
 * provided it) arena. The last session of a family (the session and those created from
 * it with kiln_session_create_shared) also releases the shared modules, weights and (if
 * one was retained) the primary context; sessions of a family may be destroyed in any
 * order. Waits for nothing: the caller must make sure no run of this session is still
 * in flight (kiln_session_synchronize). NULL is a no-op. Not to be called concurrently
 * with any other call on the same session. */
KILN_API void kiln_session_destroy(kiln_session_t* session);

/* Message of the last failed call on this session, "" if none. Owned by the session;
 * valid until the next call on it. Thread-compatible. */
KILN_API const char* kiln_session_last_error(const kiln_session_t* session);

typedef struct kiln_device_info {
  char name[128];          /* e.g. "NVIDIA H100 80GB HBM3" */
  uint32_t sm;             /* compute capability as major*10+minor, e.g. 90 */
  int32_t ordinal;
  int32_t uses_cuda_graph; /* whether runs replay a captured graph */
} kiln_device_info_t;

/* Describes the device the session runs on. Thread-compatible. */
KILN_API kiln_status_t kiln_session_device_info(const kiln_session_t* session,
                                                kiln_device_info_t* out_info);

/* Number of graph inputs / outputs of the plan. Thread-compatible. */
KILN_API kiln_status_t kiln_session_input_count(const kiln_session_t* session, size_t* out_count);
KILN_API kiln_status_t kiln_session_output_count(const kiln_session_t* session, size_t* out_count);

/* Describes input / output `index` (< count). out_info->name is owned by the session.
 * Thread-compatible. */
KILN_API kiln_status_t kiln_session_input_info(const kiln_session_t* session, size_t index,
                                               kiln_tensor_info_t* out_info);
KILN_API kiln_status_t kiln_session_output_info(const kiln_session_t* session, size_t index,
                                                kiln_tensor_info_t* out_info);

/* Index of the input / output called name, or KILN_STATUS_NOT_FOUND. Thread-compatible. */
KILN_API kiln_status_t kiln_session_find_input(const kiln_session_t* session, const char* name,
                                               size_t* out_index);
KILN_API kiln_status_t kiln_session_find_output(const kiln_session_t* session, const char* name,
                                                size_t* out_index);

/* Binds input `index` to caller memory of byte_size bytes (must equal the input's
 * byte_size). The memory stays owned by the caller and is read by every later run,
 * so it must stay valid until the binding is replaced or the session destroyed.
 * Rebinding a device pointer to a new address makes the next run re-capture its
 * graph; host rebinding is free. Thread-compatible. */
KILN_API kiln_status_t kiln_session_bind_input(kiln_session_t* session, size_t index,
                                               kiln_memory_kind_t kind, const void* data,
                                               size_t byte_size);
KILN_API kiln_status_t kiln_session_bind_input_by_name(kiln_session_t* session, const char* name,
                                                       kiln_memory_kind_t kind, const void* data,
                                                       size_t byte_size);

/* Binds output `index` to caller memory that every later run writes. Same ownership
 * and re-capture rules as kiln_session_bind_input. Unbound outputs are not copied
 * out. Thread-compatible. */
KILN_API kiln_status_t kiln_session_bind_output(kiln_session_t* session, size_t index,
                                                kiln_memory_kind_t kind, void* data,
                                                size_t byte_size);
KILN_API kiln_status_t kiln_session_bind_output_by_name(kiln_session_t* session, const char* name,
                                                        kiln_memory_kind_t kind, void* data,
                                                        size_t byte_size);

/* Enqueues one inference on stream (a CUstream, NULL for the legacy default stream):
 * copies bound inputs into the arena, runs every launch (as one CUDA graph unless
 * disabled), and copies bound outputs out. Asynchronous: host outputs are complete
 * only after kiln_session_synchronize (or any other sync on stream). Every input
 * must be bound. Host input buffers may be reused once this returns only if they are
 * pageable; pinned ones are read asynchronously. Thread-compatible. */
KILN_API kiln_status_t kiln_session_run(kiln_session_t* session, void* stream);

/* Waits until all work on stream (NULL = legacy default stream) has finished and
 * reports any asynchronous CUDA error. Thread-compatible. */
KILN_API kiln_status_t kiln_session_synchronize(kiln_session_t* session, void* stream);

/* ---------------------------------------------------------------- kernels */

/* Resource usage of one compiled kernel as the driver loaded it on the session's
 * device (the numbers ptxas or the JIT chose), for reports and tuning. */
typedef struct kiln_kernel_info {
  const char* name;               /* PTX .entry name; owned by the session, valid until it is destroyed */
  int32_t registers_per_thread;   /* CU_FUNC_ATTRIBUTE_NUM_REGS */
  int32_t static_shared_bytes;    /* CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES (excludes dynamic shared memory) */
  int32_t local_bytes;            /* CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES per thread: spills and local arrays */
  int32_t max_threads_per_block;  /* CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: the launchable limit */
} kiln_kernel_info_t;

/* Number of kernels in the plan (entries of its kernel table; launches refer to
 * them by index and several launches may share one). Thread-compatible. */
KILN_API kiln_status_t kiln_session_kernel_count(const kiln_session_t* session, size_t* out_count);

/* Describes kernel `index` (< count) by asking the driver (cuFuncGetAttribute) in the
 * session's context. out_info->name is owned by the session. Failures (index out of
 * range, a driver error) are recorded on the session like any other call.
 * Thread-compatible: serialize with the session's other calls. */
KILN_API kiln_status_t kiln_session_kernel_info(const kiln_session_t* session, size_t index,
                                                kiln_kernel_info_t* out_info);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
