// Replays every ONNX backend node test of an op family (by name prefix) through the importer and the reference evaluator.
#ifndef KILN_TESTS_UNIT_REFERENCE_NODEREPLAY_H
#define KILN_TESTS_UNIT_REFERENCE_NODEREPLAY_H

#include "OnnxNodeCheck.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace kiln::reftest {

/// Runs the node tests whose directory name starts with "test_" + a prefix and contains
/// none of `excluded`, and checks that exactly `expectedCount` were found (so that a
/// changed data set or a bad prefix cannot silently shrink the replay). Inputs that
/// kiln needs at compile time (a reduce op's `axes`) are frozen to their test values,
/// as an exporter's constants would be. Prints SKIPPED when the data is not installed.
inline void replayOnnxNodes(const std::vector<std::string> &prefixes,
                            const std::vector<std::string> &excluded, size_t expectedCount) {
  if (!nodecheck::haveOnnxNodeData()) {
    MESSAGE("SKIPPED: ONNX backend test data not installed");
    return;
  }
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(nodecheck::kOnnxNodeDir)) {
    std::string name = entry.path().filename().string();
    bool selected = std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string &p) {
      return name.rfind("test_" + p, 0) == 0;
    });
    bool skipped = std::any_of(excluded.begin(), excluded.end(), [&](const std::string &e) {
      return name.find(e) != std::string::npos;
    });
    if (selected && !skipped)
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  CHECK(names.size() == expectedCount);
  for (const std::string &name : names) {
    std::string r = nodecheck::checkOnnxNode(name);
    if (r.find("must be a constant") != std::string::npos)
      r = nodecheck::checkOnnxNode(name, {1});
    CHECK_MESSAGE(r.empty(), r);
  }
}

} // namespace kiln::reftest

#endif // KILN_TESTS_UNIT_REFERENCE_NODEREPLAY_H
