// Moves tensors between the runtime and .npy arrays for kiln-replay: dtype mapping, shape checks, random inputs, summaries.
#ifndef KILN_TOOLS_REPLAY_INPUTS_H
#define KILN_TOOLS_REPLAY_INPUTS_H

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/runtime.h"
#include "tools/common/Npy.h"

namespace kiln::replay {

// "f32[1,3,224,224]"
std::string describe(const kiln_tensor_info_t& info);

// Checks dtype and shape of a user-supplied array against the plan's input.
bool matches(const kiln_tensor_info_t& info, const npy::Array& array, std::string& error);

// Deterministic non-zero-mean data: floats uniform in [-1, 1), integers in [0, 4),
// booleans 0/1. Never zeros, so a run that ignores its input cannot pass unnoticed.
std::vector<uint8_t> randomTensor(const kiln_tensor_info_t& info, uint64_t seed);

// One line for the console: min/max/mean (and NaN count) for floats, min/max for integers.
std::string summarize(const kiln_tensor_info_t& info, const std::vector<uint8_t>& data);

// A file name derived from a tensor name: anything but [A-Za-z0-9._-] becomes '_'.
std::string fileNameFor(const std::string& tensorName);

}  // namespace kiln::replay

#endif  // KILN_TOOLS_REPLAY_INPUTS_H
