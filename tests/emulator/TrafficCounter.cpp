// Groups a block's recorded accesses into warp requests and counts their sectors and
// bank wavefronts.
#include "TrafficCounter.h"

#include <algorithm>
#include <tuple>

namespace kiln::emu {

void TrafficCounter::endBlock() {
  auto request = [](const Access &a) { return std::make_tuple(a.warp, a.instruction, a.issue); };
  std::sort(accesses.begin(), accesses.end(),
            [&](const Access &a, const Access &b) { return request(a) < request(b); });
  for (size_t i = 0; i < accesses.size();) {
    size_t j = i + 1;
    while (j < accesses.size() && request(accesses[j]) == request(accesses[i]))
      ++j;
    countRequest(&accesses[i], &accesses[j]);
    i = j;
  }
  accesses.clear();
}

void TrafficCounter::distinctUnits(const Access *begin, const Access *end, uint64_t unit) {
  scratch.clear();
  for (const Access *a = begin; a != end; ++a)
    for (uint64_t u = a->address / unit; u <= (a->address + a->bytes - 1) / unit; ++u)
      scratch.push_back(u);
  std::sort(scratch.begin(), scratch.end());
  scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
}

void TrafficCounter::countRequest(const Access *begin, const Access *end) {
  const Kind kind = begin->kind;
  if (kind == Kind::SharedLoad || kind == Kind::SharedStore) {
    // Banks are 4 bytes wide and 32 to a row; a request takes as many wavefronts as the
    // most distinct words any one bank must deliver (lanes reading one word share it).
    distinctUnits(begin, end, 4);
    unsigned perBank[32] = {};
    unsigned most = 0;
    for (uint64_t w : scratch)
      most = std::max(most, ++perBank[w % 32]);
    LaunchStats::Shared &s = kind == Kind::SharedLoad ? stats.sharedLoad : stats.sharedStore;
    s.requests += 1;
    s.wavefronts += most;
    s.ideal += (scratch.size() + 31) / 32;
    return;
  }
  // Distinct bytes: merge the lanes' byte ranges.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  ranges.reserve(static_cast<size_t>(end - begin));
  for (const Access *a = begin; a != end; ++a)
    ranges.emplace_back(a->address, a->address + a->bytes);
  std::sort(ranges.begin(), ranges.end());
  uint64_t bytes = 0, covered = 0;
  for (auto [lo, hi] : ranges) {
    lo = std::max(lo, covered);
    if (hi > lo) {
      bytes += hi - lo;
      covered = hi;
    }
  }
  distinctUnits(begin, end, 32);
  bool load = kind == Kind::GlobalLoad;
  LaunchStats::Global &g = load ? stats.load : stats.store;
  g.requests += 1;
  g.sectors += scratch.size();
  g.ideal += (bytes + 31) / 32;
  g.bytes += bytes;
  (load ? sectorsRead : sectorsWritten).insert(scratch.begin(), scratch.end());
}

void TrafficCounter::endLaunch() {
  stats.distinctSectorsRead += sectorsRead.size();
  stats.distinctSectorsWritten += sectorsWritten.size();
  sectorsRead.clear();
  sectorsWritten.clear();
}

} // namespace kiln::emu
