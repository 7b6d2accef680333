// Memory-traffic counters for one kernel launch, as a profiler would report them: global
// requests and the 32-byte sectors they move, shared-memory bank wavefronts, and the
// distinct sectors a launch touches. They let a CPU-only machine see whether a kernel's
// accesses are coalesced and conflict-free, though not how fast it runs.
#ifndef KILN_TESTS_EMULATOR_TRAFFICCOUNTER_H
#define KILN_TESTS_EMULATOR_TRAFFICCOUNTER_H

#include <cstdint>
#include <unordered_set>
#include <vector>

namespace kiln::emu {

struct LaunchStats {
  /// Warp-level global (or generic-to-global) accesses and the 32-byte sectors they
  /// move. `bytes` counts the distinct bytes the lanes of each request asked for, and
  /// `ideal` the fewest sectors that could hold them (1 for a broadcast), so
  /// ideal / sectors is the requests' efficiency: 1 when coalesced, 1/8 when every lane
  /// of a float access hits its own sector. Atomics count as stores.
  struct Global {
    uint64_t requests = 0, sectors = 0, ideal = 0, bytes = 0;
  } load, store;
  /// Distinct sectors read and written over the whole launch: what the kernel would move
  /// from and to DRAM if every repeated access hit in cache.
  uint64_t distinctSectorsRead = 0, distinctSectorsWritten = 0;
  /// Warp-level shared-memory accesses and the bank wavefronts they take; `ideal` is what
  /// the same bytes would take without bank conflicts.
  struct Shared {
    uint64_t requests = 0, wavefronts = 0, ideal = 0;
  } sharedLoad, sharedStore;
  /// Instructions executed, summed over threads, and how many of them were float fmas
  /// (in a GEMM, the useful ones).
  uint64_t threadInstructions = 0, floatFmas = 0;
};

/// Collects one block's accesses and folds them into a LaunchStats when the block ends.
/// The lanes of a warp run one after another in the emulator, so accesses are grouped
/// into warp requests by (warp, instruction, how many times this lane has executed it):
/// the n-th execution of an instruction by each lane is the warp's n-th issue of it, even
/// when a guard makes some lanes skip it.
class TrafficCounter {
public:
  enum class Kind : uint8_t { GlobalLoad, GlobalStore, SharedLoad, SharedStore };

  explicit TrafficCounter(LaunchStats &stats) : stats(stats) {}
  void record(uint32_t warp, uint32_t instruction, uint32_t issue, Kind kind, uint64_t address, uint32_t bytes) {
    accesses.push_back({warp, instruction, issue, kind, address, bytes});
  }
  /// Ends a block: counts its requests and forgets them.
  void endBlock();
  /// Ends the launch: adds the distinct-sector counts.
  void endLaunch();

private:
  struct Access {
    uint32_t warp, instruction, issue;
    Kind kind;
    uint64_t address;
    uint32_t bytes;
  };
  void countRequest(const Access *begin, const Access *end);
  /// Leaves in `scratch`, sorted, the distinct `unit`-byte units (4: bank words, 32:
  /// sectors) the accesses touch.
  void distinctUnits(const Access *begin, const Access *end, uint64_t unit);

  LaunchStats &stats;
  std::vector<Access> accesses;
  std::unordered_set<uint64_t> sectorsRead, sectorsWritten;
  std::vector<uint64_t> scratch;
};

} // namespace kiln::emu

#endif // KILN_TESTS_EMULATOR_TRAFFICCOUNTER_H
