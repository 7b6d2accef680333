// `kiln inspect`'s view of a plan: the runtime's reader (kiln_plan_parse) and its validation, copied into C++ tables.
#ifndef KILN_TOOLS_KILN_PLANFILE_H
#define KILN_TOOLS_KILN_PLANFILE_H

#include "kiln/plan_format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::cli {

/// A plan that kiln_plan_parse accepted: exactly what the runtime would run. There is
/// no second parser here, so inspect cannot show a plan the runtime refuses.
struct PlanFile {
  kiln_plan_header_t header{};
  std::vector<kiln_plan_tensor_t> tensors; // inputs, then outputs
  std::vector<kiln_plan_kernel_t> kernels;
  std::vector<uint32_t> params; // kiln_plan_param_kind_t, ranges of it per kernel
  std::vector<kiln_plan_launch_t> launches;
  std::vector<kiln_plan_arg_t> args;
  std::vector<kiln_plan_debug_launch_t> debugLaunches; // empty without debug info
  std::vector<uint32_t> debugNames;
  std::string strings; // the STRINGS section, NULs included
  uint64_t codeSize = 0;
  uint64_t weightsSize = 0;

  /// The string at `ref` in the STRINGS section.
  std::string str(uint32_t ref) const;
  /// ONNX nodes of launch `index` from the debug sections (empty without them).
  std::vector<std::string> nodesOf(size_t index) const;
  /// Bytes of the distinct buffers launch `index` reads or writes (its pointer
  /// arguments' ranges, each counted once): a proxy for its global memory traffic.
  /// Zero for plans before format 1.2, whose arguments carry no size.
  uint64_t launchBytes(size_t index) const;
  /// The least any execution moves: the weights, the inputs and the outputs once.
  uint64_t floorBytes() const;

  /// Parses plan bytes with the runtime's reader; false with its one-line reason.
  static bool parse(const std::vector<uint8_t> &bytes, PlanFile &out, std::string &error);
  /// Reads and parses a file; also fills `bytes` with its contents.
  static bool load(const std::string &path, PlanFile &out, std::vector<uint8_t> &bytes,
                   std::string &error);
};

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_PLANFILE_H
