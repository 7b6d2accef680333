// Static placement of every arena tensor from its lifetime: the memory-planning core,
// free of MLIR so it can be tested on plain numbers.
#ifndef KILN_CODEGEN_PLAN_MEMORYPLANNER_H
#define KILN_CODEGEN_PLAN_MEMORYPLANNER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln::plan {

/// A tensor that needs arena memory, live from step `first` (when it is written) to step
/// `last` (its final read) inclusive. Tensors live at the same step never overlap, except
/// that a tensor may take over the bytes of `inPlaceOf` (another request's index) when
/// that one's last read is this one's first step: the kernel writing this tensor reads
/// each element of the other before writing the same bytes.
struct BufferRequest {
  uint64_t bytes = 0;
  int64_t first = 0;
  int64_t last = 0;
  int64_t inPlaceOf = -1;
};

struct MemoryPlan {
  std::vector<uint64_t> offsets; // one per request, multiples of the alignment
  uint64_t arenaBytes = 0;       // end of the highest placement
  uint64_t unplannedBytes = 0;   // sum of the aligned sizes (what no reuse would need)
  unsigned inPlace = 0;          // requests that took over another's bytes
};

/// Greedy placement in order of first step: in-place when allowed, else the lowest
/// offset where the tensor fits between the tensors still live.
MemoryPlan planMemory(const std::vector<BufferRequest> &requests, uint64_t alignment = 256);

} // namespace kiln::plan

#endif // KILN_CODEGEN_PLAN_MEMORYPLANNER_H
