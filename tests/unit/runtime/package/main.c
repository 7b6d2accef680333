/* c = a + b through the generated API of the vector-add test plan (1000 floats). */
#include <stdio.h>

#include "vadd.h"

int main(void) {
  static float a[vadd_INPUT_a_ELEMENTS], b[vadd_INPUT_b_ELEMENTS], c[vadd_OUTPUT_c_ELEMENTS];
  for (int i = 0; i < (int)vadd_INPUT_a_ELEMENTS; ++i) {
    a[i] = 0.5f * i;
    b[i] = 1000.0f - i;
    c[i] = -1.0f;
  }
  vadd* m = NULL;
  if (vadd_create(NULL, &m) != KILN_STATUS_OK) {
    fprintf(stderr, "vadd_create: %s\n", vadd_last_error(NULL));
    return 1;
  }
  vadd_inputs in = {a, b};
  vadd_outputs out = {c};
  if (vadd_run(m, &in, &out, KILN_MEMORY_HOST, NULL) != KILN_STATUS_OK) {
    fprintf(stderr, "vadd_run: %s\n", vadd_last_error(m));
    return 1;
  }
  for (int i = 0; i < (int)vadd_OUTPUT_c_ELEMENTS; ++i)
    if (c[i] != a[i] + b[i]) {
      fprintf(stderr, "c[%d] = %g, expected %g\n", i, c[i], a[i] + b[i]);
      return 1;
    }
  vadd_destroy(m);
  printf("package: vadd from a prebuilt plan, 1000 outputs correct\n");
  return 0;
}
