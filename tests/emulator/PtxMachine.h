// Runs one kernel of a parsed PTX module on the CPU, thread by thread, with CUDA's
// block, warp-shuffle and barrier semantics and bounds-checked memory.
#ifndef KILN_TESTS_EMULATOR_PTXMACHINE_H
#define KILN_TESTS_EMULATOR_PTXMACHINE_H

#include "Ptx.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace kiln::emu {

/// The "device" memory a kernel may touch through global or generic addresses: the
/// driver's allocations and the modules' global variables (all host memory).
class MemoryMap {
public:
  void add(uint64_t begin, size_t bytes) { regions[begin] = begin + bytes; }
  void remove(uint64_t begin) { regions.erase(begin); }
  bool contains(uint64_t address, size_t bytes) const {
    auto it = regions.upper_bound(address);
    if (it == regions.begin())
      return false;
    --it;
    return address >= it->first && address + bytes <= it->second && address + bytes >= address;
  }

private:
  std::map<uint64_t, uint64_t> regions; // begin -> end
};

struct LaunchShape {
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  size_t dynamicShared = 0;
};

/// Runs `kernel` over the whole grid. `params` holds the kernel's parameter buffer laid
/// out as Function::params says. Returns "" on success, otherwise what went wrong
/// (out-of-bounds or misaligned access, divergent shuffle, deadlock...) with the thread
/// and the PTX line.
std::string runKernel(const Module &module, const Function &kernel, const LaunchShape &shape,
                      const uint8_t *params, const MemoryMap &memory);

} // namespace kiln::emu

#endif // KILN_TESTS_EMULATOR_PTXMACHINE_H
