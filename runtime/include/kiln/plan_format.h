/* The .kiln frozen-plan file layout: the only contract between codegen (writer) and runtime (reader). */
#ifndef KILN_PLAN_FORMAT_H
#define KILN_PLAN_FORMAT_H

/*
 * Plain C99 (also valid C++). Every struct is fixed-width, little-endian, naturally
 * aligned and free of implicit padding, so that a file can be read with memcpy on
 * any little-endian host. docs/plan-format.md is the human-readable version of this
 * header; keep both in step.
 *
 * File = header | section table | sections. All offsets are bytes from the start of
 * the file unless a field says otherwise. Every section carries a CRC-32C checksum.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "kiln plans are little-endian and are read with memcpy; big-endian hosts are not supported"
#endif

/* C99 has no _Static_assert: a negative array size stops the build instead. */
#define KILN_PLAN_STATIC_ASSERT(cond, name) typedef char kiln_plan_static_assert_##name[(cond) ? 1 : -1]

/* ---------------------------------------------------------------- versioning */

#define KILN_PLAN_MAGIC "KILNPLAN" /* 8 bytes, no terminating NUL in the file */
#define KILN_PLAN_MAGIC_SIZE 8

/* A reader accepts exactly its major version and any minor version. Minor versions
 * only add optional sections, append fields to table entries (entry_size grows) or
 * give meaning to reserved fields whose zero value keeps the old behaviour. */
#define KILN_PLAN_VERSION_MAJOR 1u
#define KILN_PLAN_VERSION_MINOR 2u

/* Sections start on this boundary so that tables can be mapped straight into memory. */
#define KILN_PLAN_SECTION_ALIGNMENT 16u
/* The weights section, and each weight inside it, start on this boundary (the
 * alignment cuMemAlloc guarantees, so the device copy keeps it). */
#define KILN_PLAN_WEIGHTS_ALIGNMENT 256u

#define KILN_PLAN_MAX_RANK 8u
#define KILN_PLAN_PRODUCER_SIZE 40u

/* ---------------------------------------------------------------- header */

typedef struct kiln_plan_header {
  char magic[8];                  /* KILN_PLAN_MAGIC; version fields stay at offset 8 forever */
  uint32_t version_major;         /* KILN_PLAN_VERSION_MAJOR of the writer */
  uint32_t version_minor;         /* KILN_PLAN_VERSION_MINOR of the writer */
  uint32_t header_size;           /* sizeof(kiln_plan_header_t) of the writer (>= 128) */
  uint32_t header_crc32c;         /* CRC-32C of header_size bytes with this field zeroed */
  uint64_t file_size;             /* total bytes; catches truncation before anything else */
  uint64_t section_table_offset;  /* file offset of section_count entries */
  uint32_t section_count;
  uint32_t section_entry_size;    /* sizeof(kiln_plan_section_t) of the writer (>= 32) */
  uint32_t section_table_crc32c;  /* CRC-32C of the section table bytes */
  uint32_t target_sm;             /* SM the PTX was generated for, e.g. 90 for sm_90 */
  uint64_t arena_size;            /* bytes of the activation arena (I/O + intermediates) */
  uint32_t arena_alignment;       /* power of two <= 4096: alignment of the arena base */
  uint32_t flags;                 /* reserved, 0 */
  char producer[KILN_PLAN_PRODUCER_SIZE]; /* NUL-terminated, e.g. "kiln 0.1.0" */
  uint64_t unplanned_arena_size;  /* since 1.1: bytes the intermediates would take with no
                                     reuse (sum of their sizes), for reports; 0 = unknown */
  uint8_t reserved[8];            /* 0 */
} kiln_plan_header_t;

KILN_PLAN_STATIC_ASSERT(sizeof(kiln_plan_header_t) == 128, header_size);
KILN_PLAN_STATIC_ASSERT(offsetof(kiln_plan_header_t, version_major) == 8, header_version_offset);
KILN_PLAN_STATIC_ASSERT(offsetof(kiln_plan_header_t, file_size) == 24, header_file_size_offset);
KILN_PLAN_STATIC_ASSERT(offsetof(kiln_plan_header_t, arena_size) == 56, header_arena_offset);
KILN_PLAN_STATIC_ASSERT(offsetof(kiln_plan_header_t, producer) == 72, header_producer_offset);

/* ---------------------------------------------------------------- sections */

typedef enum kiln_plan_section_kind {
  KILN_PLAN_SECTION_STRINGS = 1,        /* NUL-terminated UTF-8 strings; ref = byte offset */
  KILN_PLAN_SECTION_TENSORS = 2,        /* kiln_plan_tensor_t: graph inputs then outputs */
  KILN_PLAN_SECTION_KERNELS = 3,        /* kiln_plan_kernel_t */
  KILN_PLAN_SECTION_LAUNCHES = 4,       /* kiln_plan_launch_t, in execution order */
  KILN_PLAN_SECTION_ARGS = 5,           /* kiln_plan_arg_t, referenced by launches */
  KILN_PLAN_SECTION_CODE = 6,           /* blob: PTX texts (NUL-terminated) and cubins */
  KILN_PLAN_SECTION_WEIGHTS = 7,        /* blob: constant tensors, uploaded once */
  KILN_PLAN_SECTION_DEBUG_LAUNCHES = 8, /* optional kiln_plan_debug_launch_t, one per launch */
  KILN_PLAN_SECTION_DEBUG_NAMES = 9,    /* optional uint32_t string refs used by DEBUG_LAUNCHES */
  KILN_PLAN_SECTION_PARAMS = 10         /* since 1.2: uint32_t kiln_plan_param_kind_t, by kernels */
} kiln_plan_section_kind_t;

/* Sections 1..7 are required (may be empty), and 10 from version 1.2 on; 8 and 9 come
 * together or not at all. Readers skip kinds they do not know after checking their
 * bounds and checksum. */
#define KILN_PLAN_SECTION_KIND_MAX 10u

typedef struct kiln_plan_section {
  uint32_t kind;        /* kiln_plan_section_kind_t; each kind at most once */
  uint32_t crc32c;      /* CRC-32C of the section's size bytes */
  uint64_t offset;      /* file offset, multiple of KILN_PLAN_SECTION_ALIGNMENT
                           (KILN_PLAN_WEIGHTS_ALIGNMENT for WEIGHTS) */
  uint64_t size;        /* bytes; for tables exactly count * entry_size */
  uint32_t count;       /* entries for tables, 0 for blobs */
  uint32_t entry_size;  /* writer's sizeof(entry) for tables (readers accept larger), 0 for blobs */
} kiln_plan_section_t;

KILN_PLAN_STATIC_ASSERT(sizeof(kiln_plan_section_t) == 32, section_size);

/* ---------------------------------------------------------------- tensors */

/* Values are ONNX TensorProto.DataType numbers so the importer can pass them through. */
typedef enum kiln_plan_dtype {
  KILN_PLAN_DTYPE_F32 = 1,
  KILN_PLAN_DTYPE_U8 = 2,
  KILN_PLAN_DTYPE_I8 = 3,
  KILN_PLAN_DTYPE_U16 = 4,
  KILN_PLAN_DTYPE_I16 = 5,
  KILN_PLAN_DTYPE_I32 = 6,
  KILN_PLAN_DTYPE_I64 = 7,
  KILN_PLAN_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  KILN_PLAN_DTYPE_F16 = 10,
  KILN_PLAN_DTYPE_F64 = 11,
  KILN_PLAN_DTYPE_U32 = 12,
  KILN_PLAN_DTYPE_U64 = 13,
  KILN_PLAN_DTYPE_BF16 = 16
} kiln_plan_dtype_t;

/* Bytes per element of a dtype, 0 for values that are not a kiln_plan_dtype_t. */
static inline uint32_t kiln_plan_dtype_size(uint32_t dtype) {
  switch (dtype) {
    case KILN_PLAN_DTYPE_U8: case KILN_PLAN_DTYPE_I8: case KILN_PLAN_DTYPE_BOOL: return 1;
    case KILN_PLAN_DTYPE_U16: case KILN_PLAN_DTYPE_I16: case KILN_PLAN_DTYPE_F16:
    case KILN_PLAN_DTYPE_BF16: return 2;
    case KILN_PLAN_DTYPE_F32: case KILN_PLAN_DTYPE_I32: case KILN_PLAN_DTYPE_U32: return 4;
    case KILN_PLAN_DTYPE_F64: case KILN_PLAN_DTYPE_I64: case KILN_PLAN_DTYPE_U64: return 8;
    default: return 0;
  }
}

typedef enum kiln_plan_tensor_role {
  KILN_PLAN_TENSOR_INPUT = 1,
  KILN_PLAN_TENSOR_OUTPUT = 2
} kiln_plan_tensor_role_t;

/* A graph input or output. All inputs come before all outputs, each group in ONNX
 * graph order; the runtime's input/output indices are positions within the group. */
typedef struct kiln_plan_tensor {
  uint32_t name;                       /* string ref, non-empty, unique within its role */
  uint32_t role;                       /* kiln_plan_tensor_role_t */
  uint32_t dtype;                      /* kiln_plan_dtype_t */
  uint32_t rank;                       /* <= KILN_PLAN_MAX_RANK */
  int64_t dims[KILN_PLAN_MAX_RANK];    /* dims[0..rank) >= 0, the rest 0 */
  uint64_t byte_size;                  /* product(dims) * dtype size */
  uint64_t arena_offset;               /* where the tensor lives in the arena; multiple of
                                          the dtype size; offset + byte_size <= arena_size */
} kiln_plan_tensor_t;

KILN_PLAN_STATIC_ASSERT(sizeof(kiln_plan_tensor_t) == 96, tensor_size);
KILN_PLAN_STATIC_ASSERT(offsetof(kiln_plan_tensor_t, byte_size) == 80, tensor_byte_size_offset);

/* ---------------------------------------------------------------- kernels */

/* The kind of one kernel parameter. A launch's arguments must match its kernel's
 * parameters one for one, and the parameters must match the .entry of the kernel's
 * PTX (and of its cubin, as the driver reports it): otherwise the driver would read
 * parameter values past the end of the arguments the runtime passes. */
typedef enum kiln_plan_param_kind {
  KILN_PLAN_PARAM_POINTER = 1, /* 64-bit device pointer; argument ARENA_PTR or WEIGHT_PTR */
  KILN_PLAN_PARAM_I32 = 2,     /* argument I32 */
  KILN_PLAN_PARAM_I64 = 3,     /* argument I64 */
  KILN_PLAN_PARAM_F32 = 4      /* argument F32 */
} kiln_plan_param_kind_t;

typedef struct kiln_plan_kernel {
  uint32_t name;          /* string ref: the PTX .entry name */
  uint32_t cubin_arch;    /* SM of the cubin (e.g. 90), 0 when there is none */
  uint64_t ptx_offset;    /* offset into the CODE section */
  uint64_t ptx_size;      /* bytes including the terminating NUL (last byte must be 0) */
  uint64_t cubin_offset;  /* offset into the CODE section, 0 when cubin_size is 0 */
  uint64_t cubin_size;    /* 0 when there is no cubin */
  uint32_t param_first;   /* since 1.2: first entry of the PARAMS section */
  uint32_t param_count;   /* since 1.2: the .entry's parameters, in declaration order */
} kiln_plan_kernel_t;

KILN_PLAN_STATIC_ASSERT(sizeof(kiln_plan_kernel_t) == 48, kernel_size);
/* Kernel entries of plans before 1.2 end before param_first. */
#define KILN_PLAN_KERNEL_SIZE_1_1 40u

/* ---------------------------------------------------------------- launches */

typedef struct kiln_plan_launch {
  uint32_t kernel;            /* index into the kernel table */
  uint32_t grid[3];           /* each >= 1; grid[1], grid[2] <= 65535 */
  uint32_t block[3];          /* each >= 1; product <= 1024 */
  uint32_t shared_mem_bytes;  /* dynamic shared memory */
  uint32_t arg_first;         /* first entry in the argument table */
  uint32_t arg_count;         /* equals the kernel's parameter count; argument i is for
                                 parameter i */
} kiln_plan_launch_t;

KILN_PLAN_STATIC_ASSERT(sizeof(kiln_plan_launch_t) == 40, launch_size);

typedef enum kiln_plan_arg_kind {
  KILN_PLAN_ARG_ARENA_PTR = 1,  /* value = byte offset into the arena (< arena_size); passed as a 64-bit device pointer */
  KILN_PLAN_ARG_WEIGHT_PTR = 2, /* value = byte offset into WEIGHTS (< its size); passed as a 64-bit device pointer */
  KILN_PLAN_ARG_I32 = 3,        /* value = two's-complement bits in the low 32 bits; high 32 bits 0 */
  KILN_PLAN_ARG_I64 = 4,        /* value = two's-complement 64-bit integer */
  KILN_PLAN_ARG_F32 = 5         /* value = IEEE-754 binary32 bits in the low 32 bits; high 32 bits 0 */
} kiln_plan_arg_kind_t;

typedef struct kiln_plan_arg {
  uint32_t kind;      /* kiln_plan_arg_kind_t */
  uint32_t reserved;  /* 0 */
  uint64_t value;
  uint64_t size;      /* since 1.2: for ARENA_PTR and WEIGHT_PTR, the bytes from value on
                         that the kernel may access (value + size within the arena or
                         the weights); 0 for scalars */
} kiln_plan_arg_t;

KILN_PLAN_STATIC_ASSERT(sizeof(kiln_plan_arg_t) == 24, arg_size);
/* Argument entries of plans before 1.2 end before size. */
#define KILN_PLAN_ARG_SIZE_1_1 16u

/* ---------------------------------------------------------------- debug */

/* Provenance of launch i (entry i): the ONNX nodes fused into it, as a range of
 * string refs in the DEBUG_NAMES section. */
typedef struct kiln_plan_debug_launch {
  uint32_t name_first;
  uint32_t name_count;
} kiln_plan_debug_launch_t;

KILN_PLAN_STATIC_ASSERT(sizeof(kiln_plan_debug_launch_t) == 8, debug_launch_size);

/* ---------------------------------------------------------------- checksums */

/* CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final
 * XOR 0xFFFFFFFF. CRC-32C("123456789") == 0xE3069283. Chainable: pass the previous
 * result as crc, or 0 to start. */
#define KILN_PLAN_CRC32C_POLY 0x82F63B78u
#define KILN_PLAN_CRC32C_CHECK 0xE3069283u

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_PLAN_FORMAT_H */
