// Liveness-based arena placement (see MemoryPlanner.h).
#include "MemoryPlanner.h"

#include <algorithm>
#include <numeric>

namespace kiln::plan {

namespace {
uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct Live {
  uint64_t offset;
  uint64_t bytes;
  int64_t last;
  size_t index;
};
} // namespace

MemoryPlan planMemory(const std::vector<BufferRequest> &requests, uint64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].first < requests[b].first; });

  std::vector<Live> live; // kept sorted by offset
  std::vector<bool> claimed(requests.size(), false);
  for (size_t index : order) {
    const BufferRequest &r = requests[index];
    uint64_t bytes = alignUp(std::max<uint64_t>(r.bytes, 1), alignment);
    plan.unplannedBytes += r.bytes ? bytes : 0;
    live.erase(std::remove_if(live.begin(), live.end(), [&](const Live &l) { return l.last < r.first; }),
               live.end());
    if (r.bytes == 0)
      continue;

    // Take over the bytes of a tensor whose last read is this step.
    if (r.inPlaceOf >= 0 && !claimed[r.inPlaceOf]) {
      auto it = std::find_if(live.begin(), live.end(),
                             [&](const Live &l) { return l.index == static_cast<size_t>(r.inPlaceOf); });
      if (it != live.end() && it->last == r.first && it->bytes >= bytes) {
        claimed[r.inPlaceOf] = true;
        plan.offsets[index] = it->offset;
        it->index = index;
        it->last = r.last;
        ++plan.inPlace;
        continue;
      }
    }

    // Lowest gap between live tensors that fits.
    uint64_t offset = 0;
    for (const Live &l : live) {
      if (offset + bytes <= l.offset)
        break;
      offset = std::max(offset, alignUp(l.offset + l.bytes, alignment));
    }
    plan.offsets[index] = offset;
    Live entry{offset, bytes, r.last, index};
    live.insert(std::upper_bound(live.begin(), live.end(), entry,
                                 [](const Live &a, const Live &b) { return a.offset < b.offset; }),
                entry);
    plan.arenaBytes = std::max(plan.arenaBytes, offset + bytes);
  }
  return plan;
}

} // namespace kiln::plan
