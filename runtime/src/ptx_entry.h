/* Reads the parameter lists of the .entry kernels in a PTX text, so a plan's launches can be checked against the code the driver will run. */
#ifndef KILN_RUNTIME_PTX_ENTRY_H
#define KILN_RUNTIME_PTX_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/* More parameters than this do not fit the 32 KiB of kernel parameter space with
 * 8-byte values, and are refused. */
#define KILN_PTX_MAX_PARAMS 4096u

typedef struct kiln_ptx_param {
  uint32_t size;   /* bytes: element type size times the array length */
  uint8_t pointer; /* declared with .ptr */
  uint8_t floating; /* element type .f16, .f32 or .f64 */
} kiln_ptx_param_t;

typedef struct kiln_ptx_cursor {
  const char* p;
  const char* end;
} kiln_ptx_cursor_t;

/* Starts a walk over the .entry directives of the `size` bytes at ptx. */
void kiln_ptx_begin(kiln_ptx_cursor_t* cursor, const char* ptx, size_t size);

/* Finds the next .entry outside comments and strings. Returns 1 with its name
 * (not NUL-terminated: name_length bytes) and parameters (at most max_params written,
 * *param_count set to the full count); 0 when there are no more; -1 when the entry's
 * declaration is malformed or has more than max_params parameters (err says which). */
int kiln_ptx_next_entry(kiln_ptx_cursor_t* cursor, const char** name, size_t* name_length,
                        kiln_ptx_param_t* params, uint32_t max_params, uint32_t* param_count,
                        char* err, size_t err_size);

#endif /* KILN_RUNTIME_PTX_ENTRY_H */
