// `kiln inspect`'s plan tables, filled from the runtime's reader so that inspect and the runtime agree on every plan.
#include "PlanFile.h"

#include "kiln/plan_reader.h"

#include <fstream>
#include <iterator>
#include <set>
#include <tuple>

namespace kiln::cli {
namespace {

template <typename T>
std::vector<T> copyOf(const T *data, uint32_t count) {
  return count ? std::vector<T>(data, data + count) : std::vector<T>();
}

} // namespace

std::string PlanFile::str(uint32_t ref) const {
  if (ref >= strings.size())
    return "";
  return std::string(strings.c_str() + ref);
}

std::vector<std::string> PlanFile::nodesOf(size_t index) const {
  std::vector<std::string> names;
  if (index >= debugLaunches.size())
    return names;
  const kiln_plan_debug_launch_t &d = debugLaunches[index];
  for (uint32_t i = 0; i < d.name_count; ++i)
    names.push_back(str(debugNames[d.name_first + i]));
  return names;
}

uint64_t PlanFile::launchBytes(size_t index) const {
  const kiln_plan_launch_t &l = launches[index];
  std::set<std::tuple<uint32_t, uint64_t, uint64_t>> ranges;
  for (uint32_t a = 0; a < l.arg_count; ++a) {
    const kiln_plan_arg_t &arg = args[l.arg_first + a];
    if (arg.kind == KILN_PLAN_ARG_ARENA_PTR || arg.kind == KILN_PLAN_ARG_WEIGHT_PTR)
      ranges.insert({arg.kind, arg.value, arg.size});
  }
  uint64_t bytes = 0;
  for (const auto &r : ranges)
    bytes += std::get<2>(r);
  return bytes;
}

uint64_t PlanFile::floorBytes() const {
  uint64_t bytes = weightsSize;
  for (const kiln_plan_tensor_t &t : tensors)
    bytes += t.byte_size;
  return bytes;
}

bool PlanFile::parse(const std::vector<uint8_t> &bytes, PlanFile &out, std::string &error) {
  out = PlanFile();
  kiln_plan_view_t v;
  char err[1024];
  if (kiln_plan_parse(bytes.data(), bytes.size(), &v, err, sizeof(err)) != KILN_STATUS_OK) {
    error = err;
    return false;
  }
  out.header = v.header;
  out.tensors = copyOf(v.tensors, v.tensor_count);
  out.kernels = copyOf(v.kernels, v.kernel_count);
  out.params = copyOf(v.params, v.param_count);
  out.launches = copyOf(v.launches, v.launch_count);
  out.args = copyOf(v.args, v.arg_count);
  out.debugLaunches = copyOf(v.debug_launches, v.debug_launch_count);
  out.debugNames = copyOf(v.debug_names, v.debug_name_count);
  out.strings.assign(v.strings, v.strings_size);
  out.codeSize = v.code_size;
  out.weightsSize = v.weights_size;
  kiln_plan_view_release(&v);
  return true;
}

bool PlanFile::load(const std::string &path, PlanFile &out, std::vector<uint8_t> &bytes,
                    std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return parse(bytes, out, error);
}

} // namespace kiln::cli
