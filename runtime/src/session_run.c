/* The run path: I/O copies around a flat launch loop, captured once into a CUDA graph and replayed. */
#include <stdio.h>
#include <string.h>

#include "session_internal.h"

/* Sorts bindings into the four copy lists; runs only after a binding changed. */
static void rebuild_copies(kiln_session_t* s) {
  const kiln_model_t* m = s->model;
  for (int list = 0; list < KILN_COPY_LIST_COUNT; ++list) s->copy_count[list] = 0;
  const uint32_t io = m->input_count + m->output_count;
  for (uint32_t i = 0; i < io; ++i) {
    const kiln_binding_t* b = &s->bindings[i];
    const kiln_plan_tensor_t* t = &m->tensors[i];
    if (!b->kind || t->byte_size == 0) continue;
    const int output = i >= m->input_count;
    const int host = b->kind == KILN_MEMORY_HOST;
    const int list = output ? (host ? KILN_COPY_HOST_OUT : KILN_COPY_DEVICE_OUT)
                            : (host ? KILN_COPY_HOST_IN : KILN_COPY_DEVICE_IN);
    kiln_copy_t* c = &s->copies[list][s->copy_count[list]++];
    c->arena = s->arena_base + t->arena_offset;
    c->pointer = b->pointer;
    c->bytes = (size_t)t->byte_size;
    c->tensor = i;
  }
  s->copies_dirty = 0;
}

static kiln_status_t copy_failed(kiln_session_t* s, CUresult r, int list, const kiln_copy_t* c) {
  const int output = list == KILN_COPY_HOST_OUT || list == KILN_COPY_DEVICE_OUT;
  const char* name = s->model->strings + s->model->tensors[c->tensor].name;
  char what[384];
  snprintf(what, sizeof(what), "copying %s '%s' %s %s memory", output ? "output" : "input", name,
           output ? "to" : "from", list == KILN_COPY_HOST_IN || list == KILN_COPY_HOST_OUT ? "host" : "device");
  return kiln_fail_cuda(s, r, what);
}

static kiln_status_t copy_in(kiln_session_t* s, int list, CUstream stream) {
  const kiln_cuda_driver_t* cu = s->cu;
  for (uint32_t i = 0; i < s->copy_count[list]; ++i) {
    const kiln_copy_t* c = &s->copies[list][i];
    const CUresult r = list == KILN_COPY_HOST_IN ? cu->cuMemcpyHtoDAsync(c->arena, c->pointer, c->bytes, stream)
                                                 : cu->cuMemcpyDtoDAsync(c->arena, (CUdeviceptr)c->pointer, c->bytes, stream);
    if (r != KILN_CUDA_SUCCESS) return copy_failed(s, r, list, c);
  }
  return KILN_STATUS_OK;
}

static kiln_status_t copy_out(kiln_session_t* s, int list, CUstream stream) {
  const kiln_cuda_driver_t* cu = s->cu;
  for (uint32_t i = 0; i < s->copy_count[list]; ++i) {
    const kiln_copy_t* c = &s->copies[list][i];
    const CUresult r = list == KILN_COPY_HOST_OUT ? cu->cuMemcpyDtoHAsync(c->pointer, c->arena, c->bytes, stream)
                                                  : cu->cuMemcpyDtoDAsync((CUdeviceptr)c->pointer, c->arena, c->bytes, stream);
    if (r != KILN_CUDA_SUCCESS) return copy_failed(s, r, list, c);
  }
  return KILN_STATUS_OK;
}

static kiln_status_t launch_failed(kiln_session_t* s, uint32_t launch, CUresult r, const char* when) {
  char what[1024];
  kiln_describe_launch(s, launch, what, sizeof(what) - 64);
  snprintf(what + strlen(what), 64, " %s", when);
  return kiln_fail_cuda(s, r, what);
}

/* Everything that may live in the graph: device-pointer copies and the launches. */
static kiln_status_t enqueue_device_work(kiln_session_t* s, CUstream stream) {
  kiln_status_t status = copy_in(s, KILN_COPY_DEVICE_IN, stream);
  if (status != KILN_STATUS_OK) return status;
  const kiln_launch_record_t* launches = s->launches;
  const uint32_t n = s->launch_count;
  CUresult (*launch)(CUfunction, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int,
                     unsigned int, CUstream, void**, void**) = s->cu->cuLaunchKernel;
  if (!s->sync_each_launch) {
    for (uint32_t i = 0; i < n; ++i) {
      const kiln_launch_record_t* l = &launches[i];
      const CUresult r = launch(l->function, l->grid[0], l->grid[1], l->grid[2], l->block[0], l->block[1],
                                l->block[2], l->shared_mem_bytes, stream, l->params, NULL);
      if (r != KILN_CUDA_SUCCESS) return launch_failed(s, i, r, "failed to launch");
    }
  } else {
    for (uint32_t i = 0; i < n; ++i) {
      const kiln_launch_record_t* l = &launches[i];
      CUresult r = launch(l->function, l->grid[0], l->grid[1], l->grid[2], l->block[0], l->block[1], l->block[2],
                          l->shared_mem_bytes, stream, l->params, NULL);
      if (r != KILN_CUDA_SUCCESS) return launch_failed(s, i, r, "failed to launch");
      if ((r = s->cu->cuStreamSynchronize(stream)) != KILN_CUDA_SUCCESS)
        return launch_failed(s, i, r, "failed while running");
    }
  }
  return copy_out(s, KILN_COPY_DEVICE_OUT, stream);
}

static void drop_graph(kiln_session_t* s) {
  if (s->graph_exec) s->cu->cuGraphExecDestroy(s->graph_exec);
  if (s->graph) s->cu->cuGraphDestroy(s->graph);
  s->graph_exec = NULL;
  s->graph = NULL;
}

static kiln_status_t capture_graph(kiln_session_t* s) {
  const kiln_cuda_driver_t* cu = s->cu;
  drop_graph(s);
  CUresult r = cu->cuStreamBeginCapture(s->capture_stream, KILN_CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
  if (r != KILN_CUDA_SUCCESS) return kiln_fail_cuda(s, r, "starting CUDA graph capture");
  kiln_status_t status = enqueue_device_work(s, s->capture_stream);
  CUgraph graph = NULL;
  r = cu->cuStreamEndCapture(s->capture_stream, &graph);
  if (status != KILN_STATUS_OK) {
    if (graph) cu->cuGraphDestroy(graph);
    return status;
  }
  if (r != KILN_CUDA_SUCCESS) return kiln_fail_cuda(s, r, "finishing CUDA graph capture");
  s->graph = graph;
  if ((r = cu->cuGraphInstantiateWithFlags(&s->graph_exec, graph, 0)) != KILN_CUDA_SUCCESS) {
    s->graph_exec = NULL;
    drop_graph(s);
    return kiln_fail_cuda(s, r, "instantiating the CUDA graph");
  }
  s->graph_dirty = 0;
  return KILN_STATUS_OK;
}

static kiln_status_t run_entered(kiln_session_t* s, CUstream stream) {
  if (s->copies_dirty) rebuild_copies(s);
  kiln_status_t status = copy_in(s, KILN_COPY_HOST_IN, stream);
  if (status != KILN_STATUS_OK) return status;
  /* An empty graph buys nothing and not every driver instantiates one. */
  const int graph = s->use_graph && (s->launch_count || s->copy_count[KILN_COPY_DEVICE_IN] ||
                                     s->copy_count[KILN_COPY_DEVICE_OUT]);
  if (graph) {
    if ((s->graph_dirty || !s->graph_exec) && (status = capture_graph(s)) != KILN_STATUS_OK) return status;
    const CUresult r = s->cu->cuGraphLaunch(s->graph_exec, stream);
    if (r != KILN_CUDA_SUCCESS) return kiln_fail_cuda(s, r, "launching the CUDA graph");
  } else if ((status = enqueue_device_work(s, stream)) != KILN_STATUS_OK) {
    return status;
  }
  return copy_out(s, KILN_COPY_HOST_OUT, stream);
}

KILN_API kiln_status_t kiln_session_run(kiln_session_t* s, void* stream) {
  if (!s) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "session is NULL");
  const kiln_model_t* m = s->model;
  if (s->bound_inputs != m->input_count) {
    for (uint32_t i = 0; i < m->input_count; ++i)
      if (!s->bindings[i].kind)
        return kiln_fail(s, KILN_STATUS_NOT_BOUND, "input '%s' is not bound", m->strings + m->tensors[i].name);
  }
  kiln_status_t status = kiln_session_enter(s);
  if (status != KILN_STATUS_OK) return status;
  status = run_entered(s, (CUstream)stream);
  kiln_session_leave(s);
  return status;
}

KILN_API kiln_status_t kiln_session_synchronize(kiln_session_t* s, void* stream) {
  if (!s) return kiln_fail(NULL, KILN_STATUS_INVALID_ARGUMENT, "session is NULL");
  kiln_status_t status = kiln_session_enter(s);
  if (status != KILN_STATUS_OK) return status;
  const CUresult r = s->cu->cuStreamSynchronize((CUstream)stream);
  if (r != KILN_CUDA_SUCCESS)
    status = kiln_fail_cuda(s, r,
                            "waiting for the stream (an asynchronous kernel fault; set KILN_SYNC_LAUNCHES=1 to "
                            "find the launch)");
  kiln_session_leave(s);
  return status;
}
