/* Session I/O: describing the plan's inputs and outputs and binding caller memory to them. */
#include <string.h>

#include "session_internal.h"

#define MUTABLE(s) ((kiln_session_t*)(s)) /* query errors are still recorded on the session */

KILN_API kiln_status_t kiln_session_input_count(const kiln_session_t* s, size_t* out_count) {
  if (!s || !out_count) return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "session or out_count is NULL");
  *out_count = s->model->input_count;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_output_count(const kiln_session_t* s, size_t* out_count) {
  if (!s || !out_count) return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "session or out_count is NULL");
  *out_count = s->model->output_count;
  return KILN_STATUS_OK;
}

/* Number of inputs or outputs. */
static uint32_t count_of(const kiln_session_t* s, int output) {
  return output ? s->model->output_count : s->model->input_count;
}

/* Position in the model's tensors and the session's bindings of input or output `index`, or -1. */
static long slot_of(const kiln_session_t* s, int output, size_t index) {
  if (index >= count_of(s, output)) return -1;
  return (long)(output ? s->model->input_count + index : index);
}

static kiln_status_t describe(const kiln_session_t* s, int output, size_t index, kiln_tensor_info_t* out_info) {
  if (!s || !out_info) return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "session or out_info is NULL");
  const long slot = slot_of(s, output, index);
  if (slot < 0)
    return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "%s index %zu is out of range (%u %ss)",
                     output ? "output" : "input", index, count_of(s, output), output ? "output" : "input");
  const kiln_plan_tensor_t* t = &s->model->tensors[slot];
  out_info->name = s->model->strings + t->name;
  out_info->dtype = t->dtype;
  out_info->rank = t->rank;
  memcpy(out_info->dims, t->dims, sizeof(out_info->dims));
  out_info->byte_size = t->byte_size;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_input_info(const kiln_session_t* s, size_t index, kiln_tensor_info_t* out_info) {
  return describe(s, 0, index, out_info);
}

KILN_API kiln_status_t kiln_session_output_info(const kiln_session_t* s, size_t index, kiln_tensor_info_t* out_info) {
  return describe(s, 1, index, out_info);
}

static kiln_status_t find(const kiln_session_t* s, int output, const char* name, size_t* out_index) {
  if (!s || !name || !out_index)
    return kiln_fail(MUTABLE(s), KILN_STATUS_INVALID_ARGUMENT, "session, name or out_index is NULL");
  const uint32_t first = output ? s->model->input_count : 0;
  const uint32_t count = count_of(s, output);
  for (uint32_t i = 0; i < count; ++i) {
    if (strcmp(s->model->strings + s->model->tensors[first + i].name, name) == 0) {
      *out_index = i;
      return KILN_STATUS_OK;
    }
  }
  return kiln_fail(MUTABLE(s), KILN_STATUS_NOT_FOUND, "the plan has no %s named '%s'", output ? "output" : "input",
                   name);
}

KILN_API kiln_status_t kiln_session_find_input(const kiln_session_t* s, const char* name, size_t* out_index) {
  return find(s, 0, name, out_index);
}

KILN_API kiln_status_t kiln_session_find_output(const kiln_session_t* s, const char* name, size_t* out_index) {
  return find(s, 1, name, out_index);
}

static kiln_status_t bind(kiln_session_t* s, int output, size_t index, kiln_memory_kind_t kind, void* data,
                          size_t byte_size) {
  if (!s) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "session is NULL");
  const char* role = output ? "output" : "input";
  const long slot = slot_of(s, output, index);
  if (slot < 0)
    return kiln_fail(s, KILN_STATUS_INVALID_ARGUMENT, "%s index %zu is out of range (%u %ss)", role, index,
                     count_of(s, output), role);
  const kiln_plan_tensor_t* t = &s->model->tensors[slot];
  const char* name = s->model->strings + t->name;
  if (kind != KILN_MEMORY_HOST && kind != KILN_MEMORY_DEVICE)
    return kiln_fail(s, KILN_STATUS_INVALID_ARGUMENT, "%s '%s': unknown memory kind %d", role, name, (int)kind);
  if (byte_size != t->byte_size)
    return kiln_fail(s, KILN_STATUS_INVALID_ARGUMENT, "%s '%s' needs %llu bytes but %zu were bound", role, name,
                     (unsigned long long)t->byte_size, byte_size);
  if (!data && byte_size != 0)
    return kiln_fail(s, KILN_STATUS_INVALID_ARGUMENT, "%s '%s': data pointer is NULL", role, name);
  kiln_binding_t* b = &s->bindings[slot];
  /* Device copies are baked into the captured graph; host copies stay outside it. */
  if ((b->kind == KILN_MEMORY_DEVICE || kind == KILN_MEMORY_DEVICE) && (b->kind != (int)kind || b->pointer != data))
    s->graph_dirty = 1;
  if (!output && b->kind == 0) ++s->bound_inputs;
  b->kind = (int)kind;
  b->pointer = data;
  s->copies_dirty = 1;
  return KILN_STATUS_OK;
}

KILN_API kiln_status_t kiln_session_bind_input(kiln_session_t* s, size_t index, kiln_memory_kind_t kind,
                                               const void* data, size_t byte_size) {
  return bind(s, 0, index, kind, (void*)data, byte_size);
}

KILN_API kiln_status_t kiln_session_bind_output(kiln_session_t* s, size_t index, kiln_memory_kind_t kind, void* data,
                                                size_t byte_size) {
  return bind(s, 1, index, kind, data, byte_size);
}

KILN_API kiln_status_t kiln_session_bind_input_by_name(kiln_session_t* s, const char* name, kiln_memory_kind_t kind,
                                                       const void* data, size_t byte_size) {
  size_t index = 0;
  const kiln_status_t status = find(s, 0, name, &index);
  return status != KILN_STATUS_OK ? status : bind(s, 0, index, kind, (void*)data, byte_size);
}

KILN_API kiln_status_t kiln_session_bind_output_by_name(kiln_session_t* s, const char* name, kiln_memory_kind_t kind,
                                                        void* data, size_t byte_size) {
  size_t index = 0;
  const kiln_status_t status = find(s, 1, name, &index);
  return status != KILN_STATUS_OK ? status : bind(s, 1, index, kind, data, byte_size);
}
