// libFuzzer target: any bytes through the one plan reader (kiln_plan_parse); accepted plans are walked entirely.
#include "kiln/plan_reader.h"

#include "codegen/Plan/PlanWriter.h"

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

// Half of the mutants are resealed (every checksum recomputed, as a hostile writer
// would), so the checks behind the checksums see the mutations; the other half keep
// their stale checksums and exercise those.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t maxSize, unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, maxSize);
  if (seed % 2 == 0) {
    std::vector<uint8_t> bytes(data, data + size);
    if (kiln::plan::resealPlan(bytes))
      std::memcpy(data, bytes.data(), size);
  }
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln_plan_view_t v;
  char err[512];
  if (kiln_plan_parse(data, size, &v, err, sizeof(err)) == KILN_STATUS_OK) {
    // Everything the runtime would index must be in bounds: touch it all (ASan checks).
    volatile uint64_t sink = 0;
    for (uint32_t i = 0; i < v.tensor_count; ++i)
      sink += std::strlen(kiln_plan_view_string(&v, v.tensors[i].name)) + v.tensors[i].byte_size;
    for (uint32_t k = 0; k < v.kernel_count; ++k) {
      const kiln_plan_kernel_t &kernel = v.kernels[k];
      sink += std::strlen(kiln_plan_view_string(&v, kernel.name));
      sink += std::strlen(reinterpret_cast<const char *>(v.code + kernel.ptx_offset));
      for (uint32_t p = 0; p < kernel.param_count; ++p)
        sink += v.params[kernel.param_first + p];
      if (kernel.cubin_size)
        sink += v.code[kernel.cubin_offset + kernel.cubin_size - 1];
    }
    for (uint32_t l = 0; l < v.launch_count; ++l) {
      const kiln_plan_launch_t &launch = v.launches[l];
      const kiln_plan_kernel_t &kernel = v.kernels[launch.kernel];
      // What the runtime passes the driver: one argument per parameter.
      for (uint32_t a = 0; a < kernel.param_count; ++a)
        sink += v.args[launch.arg_first + a].value;
    }
    for (uint32_t d = 0; d < v.debug_launch_count; ++d)
      for (uint32_t n = 0; n < v.debug_launches[d].name_count; ++n)
        sink += std::strlen(kiln_plan_view_string(&v, v.debug_names[v.debug_launches[d].name_first + n]));
    if (v.weights_size)
      sink += v.weights[v.weights_size - 1];
    (void)sink;
  } else if (err[0] == 0) {
    __builtin_trap(); // a refusal must say why
  }
  kiln_plan_view_release(&v);
  return 0;
}
