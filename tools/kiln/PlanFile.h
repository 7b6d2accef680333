// Reads a .kiln plan into plain C++ tables for `kiln inspect`, verifying its checksums and cross-references.
#ifndef KILN_TOOLS_KILN_PLANFILE_H
#define KILN_TOOLS_KILN_PLANFILE_H

#include "kiln/plan_format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::cli {

/// A parsed plan. Table entries are copied out of the file (entries larger than this
/// build's structs, from newer minor versions, are truncated to the known fields).
struct PlanFile {
  kiln_plan_header_t header{};
  std::vector<kiln_plan_section_t> sections;
  std::vector<kiln_plan_tensor_t> tensors; // inputs, then outputs
  std::vector<kiln_plan_kernel_t> kernels;
  std::vector<kiln_plan_launch_t> launches;
  std::vector<kiln_plan_arg_t> args;
  std::vector<kiln_plan_debug_launch_t> debugLaunches; // empty without debug info
  std::vector<uint32_t> debugNames;
  std::string strings; // the STRINGS section, NULs included
  uint64_t codeSize = 0;
  uint64_t weightsSize = 0;

  /// The string at `ref` in the STRINGS section ("" when out of range).
  std::string str(uint32_t ref) const;
  /// ONNX nodes of launch `index` from the debug sections (empty without them).
  std::vector<std::string> nodesOf(size_t index) const;

  /// Parses plan bytes; false with a one-line reason for anything malformed
  /// (bad magic, unsupported version, truncation, checksum mismatch, bad reference).
  static bool parse(const std::vector<uint8_t> &bytes, PlanFile &out, std::string &error);
  /// Reads and parses a file; also fills `bytes` with its contents.
  static bool load(const std::string &path, PlanFile &out, std::vector<uint8_t> &bytes,
                   std::string &error);
};

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_PLANFILE_H
