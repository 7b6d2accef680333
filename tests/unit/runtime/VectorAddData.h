// The inputs and the check of the vector-add plan (test::vectorAddPlan) as .npy files,
// shared by the kiln-replay and `kiln run` fixtures.
#ifndef KILN_TESTS_UNIT_RUNTIME_VECTORADDDATA_H
#define KILN_TESTS_UNIT_RUNTIME_VECTORADDDATA_H

#include <cstdint>
#include <string>

#include "tools/common/Npy.h"

namespace kiln::test {

// n float32 values in [-6, 6.5] that vary with `seed` (exact in binary, so a + b is exact).
npy::Array vectorAddInput(uint32_t n, unsigned seed);

// Whether the .npy at `path` holds f32[n] equal to vectorAddInput(n, 1) + vectorAddInput(n, 2);
// on failure `error` names the first wrong element.
bool checkVectorAddOutput(const std::string& path, uint32_t n, std::string& error);

}  // namespace kiln::test

#endif  // KILN_TESTS_UNIT_RUNTIME_VECTORADDDATA_H
