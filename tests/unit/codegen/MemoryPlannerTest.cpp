// Arena placement from lifetimes: reuse after death, no overlap while live, in-place takeover.
#include "codegen/Plan/MemoryPlanner.h"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

using kiln::plan::BufferRequest;
using kiln::plan::planMemory;

namespace {
bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn) { return a < b + bn && b < a + an; }

/// Checks that tensors live at the same step never share bytes (in-place pairs excepted).
void checkDisjoint(const std::vector<BufferRequest> &r, const kiln::plan::MemoryPlan &p) {
  for (size_t i = 0; i < r.size(); ++i)
    for (size_t j = i + 1; j < r.size(); ++j) {
      bool together = r[i].first <= r[j].last && r[j].first <= r[i].last;
      bool inPlace = r[j].inPlaceOf == static_cast<int64_t>(i) || r[i].inPlaceOf == static_cast<int64_t>(j);
      if (together && !inPlace && r[i].bytes && r[j].bytes)
        CHECK_FALSE(overlap(p.offsets[i], r[i].bytes, p.offsets[j], r[j].bytes));
    }
}
} // namespace

TEST_CASE("a chain reuses the bytes of dead tensors") {
  // x -> a -> b -> c: a and c can share, b sits beside them.
  std::vector<BufferRequest> r = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 99}};
  auto p = planMemory(r, 256);
  checkDisjoint(r, p);
  CHECK(p.unplannedBytes == 4 * 1024);
  CHECK(p.arenaBytes == 2 * 1024);
  CHECK(p.offsets[0] == p.offsets[2]);
  CHECK(p.offsets[1] == p.offsets[3]);
  for (uint64_t o : p.offsets)
    CHECK(o % 256 == 0);
}

TEST_CASE("in place takes over an operand that dies at the same step") {
  std::vector<BufferRequest> r = {{512, 0, 1}, {512, 1, 2, 0}, {512, 2, 99, 1}};
  auto p = planMemory(r, 256);
  CHECK(p.inPlace == 2);
  CHECK(p.arenaBytes == 512);
  CHECK(p.offsets[0] == p.offsets[1]);
  CHECK(p.offsets[1] == p.offsets[2]);
}

TEST_CASE("in place is refused when the operand lives on or is too small") {
  std::vector<BufferRequest> r = {{512, 0, 5}, {512, 1, 2, 0}, {256, 2, 3}, {1024, 3, 9, 2}};
  auto p = planMemory(r, 256);
  CHECK(p.inPlace == 0);
  checkDisjoint(r, p);
}

TEST_CASE("a gap between live tensors is filled first-fit") {
  // t0 [0,9] and t2 [0,9] stay; t1 [0,1] dies; t3 fits where t1 was.
  std::vector<BufferRequest> r = {{256, 0, 9}, {256, 0, 1}, {256, 0, 9}, {256, 2, 9}};
  auto p = planMemory(r, 256);
  checkDisjoint(r, p);
  CHECK(p.offsets[3] == p.offsets[1]);
  CHECK(p.arenaBytes == 3 * 256);
}

TEST_CASE("zero-byte tensors take no space") {
  std::vector<BufferRequest> r = {{0, 0, 3}, {100, 0, 3}};
  auto p = planMemory(r, 256);
  CHECK(p.arenaBytes == 256);
  CHECK(p.unplannedBytes == 256);
}

TEST_CASE("random lifetimes never overlap") {
  uint64_t seed = 12345;
  auto next = [&] { seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; return seed >> 33; };
  for (int round = 0; round < 50; ++round) {
    std::vector<BufferRequest> r;
    for (int i = 0; i < 40; ++i) {
      int64_t first = static_cast<int64_t>(next() % 30);
      r.push_back({1 + next() % 5000, first, first + static_cast<int64_t>(next() % 10), -1});
    }
    auto p = planMemory(r, 256);
    checkDisjoint(r, p);
    CHECK(p.arenaBytes <= p.unplannedBytes);
  }
}
