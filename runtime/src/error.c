/* Error recording: per-session last error plus a thread-local copy for calls that have no session yet. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "session_internal.h"

static _Thread_local char g_thread_error[KILN_ERROR_SIZE];

kiln_status_t kiln_fail(kiln_session_t* session, kiln_status_t status, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(g_thread_error, sizeof(g_thread_error), fmt, args);
  va_end(args);
  if (session) memcpy(session->last_error, g_thread_error, sizeof(g_thread_error));
  return status;
}

kiln_status_t kiln_fail_cuda(kiln_session_t* session, CUresult result, const char* what) {
  char buf[32];
  const kiln_cuda_driver_t* cu = session ? session->cu : NULL;
  const char* name = kiln_cuda_error_name(cu, result, buf, sizeof(buf));
  const char* text = NULL;
  if (!cu || cu->cuGetErrorString(result, &text) != KILN_CUDA_SUCCESS || !text) text = "";
  const kiln_status_t status =
      result == KILN_CUDA_ERROR_OUT_OF_MEMORY ? KILN_STATUS_OUT_OF_MEMORY : KILN_STATUS_CUDA_ERROR;
  return kiln_fail(session, status, "%s: %s%s%s", what, name, *text ? ": " : "", text);
}

KILN_API const char* kiln_thread_last_error(void) { return g_thread_error; }

KILN_API const char* kiln_session_last_error(const kiln_session_t* session) {
  return session ? session->last_error : "session is NULL";
}
