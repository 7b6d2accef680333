/* The generated C API end to end, on whatever libcuda KILN_CUDA_LIBRARY names (the PTX emulator in
 * CI): two models in one program (one with its plan embedded, one loading its plan file), outputs
 * checked against z = relu(x + y) computed here, errors reported through NAME_last_error, and two
 * threads running executions that share one model's weights, compared with serial runs. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "add_relu.h"
#include "add_relu_file.h"

#define N 6 /* add_relu_INPUT_x_ELEMENTS */
#define RUNS 8

static int failures = 0;

#define CHECK(cond, ...)                                        \
  do {                                                          \
    if (!(cond)) {                                              \
      fprintf(stderr, "FAILED %s:%d: ", __FILE__, __LINE__);   \
      fprintf(stderr, __VA_ARGS__);                             \
      fprintf(stderr, "\n");                                    \
      ++failures;                                               \
    }                                                           \
  } while (0)

static void fill(float* x, float* y, int seed) {
  for (int i = 0; i < N; ++i) {
    x[i] = (float)((i * 7 + seed * 13) % 11) - 5.25f;
    y[i] = (float)((i * 5 + seed * 3) % 7) - 2.5f;
  }
}

static int matches(const float* x, const float* y, const float* z) {
  for (int i = 0; i < N; ++i) {
    const float want = x[i] + y[i] > 0 ? x[i] + y[i] : 0;
    if (fabsf(z[i] - want) > 1e-6f) return 0;
  }
  return 1;
}

typedef struct worker {
  add_relu* model;
  int seed;
  float z[RUNS][N];
  kiln_status_t status;
} worker_t;

static void* work(void* arg) {
  worker_t* w = (worker_t*)arg;
  for (int r = 0; r < RUNS && w->status == KILN_STATUS_OK; ++r) {
    float x[N], y[N];
    fill(x, y, w->seed + r);
    add_relu_inputs in = {x, y};
    add_relu_outputs out = {w->z[r]};
    w->status = add_relu_run(w->model, &in, &out, KILN_MEMORY_HOST, NULL);
  }
  return NULL;
}

int main(void) {
  /* The macros describe the plan. */
  const int64_t dims[] = add_relu_INPUT_x_DIMS;
  CHECK(add_relu_INPUT_COUNT == 2 && add_relu_OUTPUT_COUNT == 1, "counts");
  CHECK(add_relu_INPUT_x_RANK == 2 && dims[0] == 2 && dims[1] == 3, "dims");
  CHECK(add_relu_OUTPUT_z_BYTES == N * sizeof(float) && add_relu_INPUT_y_DTYPE == KILN_DTYPE_F32, "bytes");
  CHECK(strcmp(add_relu_OUTPUT_z_NAME, "z") == 0, "name");

  add_relu* a = NULL;
  add_relu_file* b = NULL;
  kiln_status_t s = add_relu_create(NULL, &a);
  if (s != KILN_STATUS_OK) {
    fprintf(stderr, "add_relu_create: %s: %s\n", kiln_status_string(s), add_relu_last_error(NULL));
    return 1;
  }
  s = add_relu_file_create(NULL, &b);
  if (s != KILN_STATUS_OK) {
    fprintf(stderr, "add_relu_file_create: %s: %s\n", kiln_status_string(s), add_relu_file_last_error(NULL));
    return 1;
  }

  /* Both models, host memory: outputs are ready when run returns. */
  float x[N], y[N], z[N], z2[N];
  fill(x, y, 1);
  memset(z, 0xff, sizeof z);
  memset(z2, 0xff, sizeof z2);
  add_relu_inputs in = {x, y};
  add_relu_outputs out = {z};
  s = add_relu_run(a, &in, &out, KILN_MEMORY_HOST, NULL);
  CHECK(s == KILN_STATUS_OK, "add_relu_run: %s", add_relu_last_error(a));
  CHECK(matches(x, y, z), "add_relu output");
  add_relu_file_inputs in2 = {x, y};
  add_relu_file_outputs out2 = {z2};
  s = add_relu_file_run(b, &in2, &out2, KILN_MEMORY_HOST, NULL);
  CHECK(s == KILN_STATUS_OK, "add_relu_file_run: %s", add_relu_file_last_error(b));
  CHECK(matches(x, y, z2), "add_relu_file output");

  /* Errors: a NULL field is refused with a message naming it. */
  add_relu_inputs bad = {x, NULL};
  s = add_relu_run(a, &bad, &out, KILN_MEMORY_HOST, NULL);
  CHECK(s == KILN_STATUS_INVALID_ARGUMENT, "NULL input accepted");
  CHECK(strstr(add_relu_last_error(a), "input field 'y' is NULL") != NULL, "message: %s", add_relu_last_error(a));
  s = add_relu_run(a, &in, &out, KILN_MEMORY_HOST, NULL);
  CHECK(s == KILN_STATUS_OK && add_relu_last_error(a)[0] == 0, "a good run after a bad one");
  add_relu_file* missing = (add_relu_file*)&missing; /* must come back NULL */
  s = add_relu_file_create_from_file("/nonexistent/add_relu_file.kiln", NULL, &missing);
  CHECK(s == KILN_STATUS_IO_ERROR && missing == NULL, "missing plan file: %s", kiln_status_string(s));
  CHECK(strstr(add_relu_file_last_error(NULL), "/nonexistent/add_relu_file.kiln") != NULL, "message: %s",
        add_relu_file_last_error(NULL));

  /* Two executions sharing a's weights, on two threads at once, against serial runs. */
  worker_t w[2];
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].seed = 100 * (i + 1);
    s = add_relu_create_shared(a, NULL, &w[i].model);
    CHECK(s == KILN_STATUS_OK, "add_relu_create_shared: %s", add_relu_last_error(NULL));
    if (s != KILN_STATUS_OK) return 1;
  }
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, work, &w[i]);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  for (int i = 0; i < 2; ++i) {
    CHECK(w[i].status == KILN_STATUS_OK, "thread %d: %s", i, add_relu_last_error(w[i].model));
    for (int r = 0; r < RUNS; ++r) {
      float xs[N], ys[N], serial[N];
      fill(xs, ys, w[i].seed + r);
      add_relu_inputs si = {xs, ys};
      add_relu_outputs so = {serial};
      CHECK(add_relu_run(a, &si, &so, KILN_MEMORY_HOST, NULL) == KILN_STATUS_OK, "serial run");
      CHECK(memcmp(serial, w[i].z[r], sizeof serial) == 0 && matches(xs, ys, serial),
            "thread %d run %d differs from the serial run", i, r);
    }
  }
  /* The model that shares is destroyed first; the executions sharing it still run. */
  add_relu_destroy(a);
  s = add_relu_run(w[0].model, &in, &out, KILN_MEMORY_HOST, NULL);
  CHECK(s == KILN_STATUS_OK && matches(x, y, z), "run after the source was destroyed");
  for (int i = 0; i < 2; ++i) add_relu_destroy(w[i].model);
  add_relu_file_destroy(b);
  add_relu_destroy(NULL);

  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("generated API: 2 models, 2 threads x %d runs on shared weights: all outputs match\n", RUNS);
  return 0;
}
