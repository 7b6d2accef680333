// Runs one kernel of a parsed PTX module on the CPU, thread by thread, with CUDA's
// block, warp-shuffle and barrier semantics and bounds-checked memory.
#ifndef KILN_TESTS_EMULATOR_PTXMACHINE_H
#define KILN_TESTS_EMULATOR_PTXMACHINE_H

#include "Ptx.h"
#include "TrafficCounter.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::emu {

/// The "device" memory a kernel may touch through global or generic addresses: the
/// driver's allocations and the modules' global variables (all host memory), plus the
/// shadow state the race check keeps per byte of each region a kernel has written.
class MemoryMap {
public:
  /// Who last wrote and read one byte, and in which barrier interval.
  struct ByteShadow {
    uint32_t writer = 0, written = 0;   // global thread id, interval
    uint32_t reader = 0, readerBlock = 0, read = 0;
  };
  struct Region {
    uint64_t begin = 0, end = 0;
    std::vector<ByteShadow> shadow; // empty until a kernel first writes the region
  };

  void add(uint64_t begin, size_t bytes) { regions[begin] = Region{begin, begin + bytes, {}}; }
  void remove(uint64_t begin) { regions.erase(begin); }
  /// The region holding [address, address + bytes), or null.
  Region *find(uint64_t address, size_t bytes) {
    auto it = regions.upper_bound(address);
    if (it == regions.begin())
      return nullptr;
    --it;
    Region &r = it->second;
    return address >= r.begin && address + bytes <= r.end && address + bytes >= address ? &r : nullptr;
  }
  bool contains(uint64_t address, size_t bytes) { return find(address, bytes) != nullptr; }
  /// A new barrier interval, unique across launches (intervals only grow).
  uint32_t newInterval() { return ++interval; }

private:
  std::map<uint64_t, Region> regions; // by begin
  uint32_t interval = 0;
};

struct LaunchShape {
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  size_t dynamicShared = 0;
};

/// Runs `kernel` over the whole grid. `params` holds the kernel's parameter buffer laid
/// out as Function::params says. Returns "" on success, otherwise what went wrong
/// (out-of-bounds or misaligned access, a race, a divergent shuffle, a deadlock...) with
/// the thread and the PTX line. With `stats`, also adds the launch's memory traffic
/// (TrafficCounter.h) to it; that makes the run several times slower.
std::string runKernel(const Module &module, const Function &kernel, const LaunchShape &shape,
                      const uint8_t *params, MemoryMap &memory, LaunchStats *stats = nullptr);

} // namespace kiln::emu

#endif // KILN_TESTS_EMULATOR_PTXMACHINE_H
