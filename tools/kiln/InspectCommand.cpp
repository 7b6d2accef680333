// `kiln inspect model.kiln`: prints a plan's header, I/O, memory, and launch table (with per-kernel
// registers and shared/local memory when a GPU is usable).
#include "Commands.h"
#include "PlanFile.h"

#include "kiln/runtime.h"
#include "tools/common/PlanExec.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <cstring>
#include <memory>

namespace {
using ::kiln::cli::PlanFile;

struct InspectOptions {
  std::string plan;
  bool device = false;
  bool noDevice = false;
};

std::string humanBytes(uint64_t bytes) {
  if (bytes < 1024)
    return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024)
    return fmt::format("{:.1f} KiB", bytes / 1024.0);
  if (bytes < 1024ull * 1024 * 1024)
    return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
  return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024 * 1024));
}

std::string dims3(const uint32_t d[3]) { return fmt::format("{}x{}x{}", d[0], d[1], d[2]); }

std::string argText(const kiln_plan_arg_t &a) {
  switch (a.kind) {
  case KILN_PLAN_ARG_ARENA_PTR: return fmt::format("arena+{}", a.value);
  case KILN_PLAN_ARG_WEIGHT_PTR: return fmt::format("weight+{}", a.value);
  case KILN_PLAN_ARG_I32: return fmt::format("i32 {}", int32_t(uint32_t(a.value)));
  case KILN_PLAN_ARG_I64: return fmt::format("i64 {}", int64_t(a.value));
  case KILN_PLAN_ARG_F32: {
    const uint32_t bits = uint32_t(a.value);
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return fmt::format("f32 {}", f);
  }
  default: return fmt::format("kind{} {}", a.kind, a.value);
  }
}

int runInspect(const InspectOptions &opts) {
  PlanFile plan;
  std::vector<uint8_t> bytes;
  std::string error;
  if (!PlanFile::load(opts.plan, plan, bytes, error)) {
    fmt::print(stderr, "{}: error: {}\n", opts.plan, error);
    return 1;
  }
  const kiln_plan_header_t &h = plan.header;
  fmt::print("plan:      {} ({})\n", opts.plan, humanBytes(bytes.size()));
  fmt::print("format:    {}.{}\n", h.version_major, h.version_minor);
  fmt::print("producer:  {}\n", std::string(h.producer));
  fmt::print("target:    sm_{}\n", h.target_sm);

  for (const char *role : {"inputs", "outputs"}) {
    const uint32_t want = std::strcmp(role, "inputs") == 0 ? KILN_PLAN_TENSOR_INPUT : KILN_PLAN_TENSOR_OUTPUT;
    size_t width = 0;
    for (const kiln_plan_tensor_t &t : plan.tensors)
      if (t.role == want)
        width = std::max(width, plan.str(t.name).size());
    fmt::print("{}:\n", role);
    for (const kiln_plan_tensor_t &t : plan.tensors) {
      if (t.role != want)
        continue;
      std::vector<int64_t> dims(t.dims, t.dims + t.rank);
      std::string type = fmt::format("{}[{}]", kiln_dtype_name(t.dtype), fmt::join(dims, ","));
      fmt::print("  {:<{}}  {:<24} {:>10}  arena @{}\n", plan.str(t.name), width, type,
                 humanBytes(t.byte_size), t.arena_offset);
    }
  }

  fmt::print("arena:     {} ({} bytes, alignment {})\n", humanBytes(h.arena_size), h.arena_size,
             h.arena_alignment);
  if (h.unplanned_arena_size) {
    // unplanned_arena_size is every arena tensor (graph I/O included) side by side.
    const uint64_t unplanned = h.unplanned_arena_size;
    const double saved = unplanned ? 100.0 * (1.0 - double(h.arena_size) / double(unplanned)) : 0.0;
    fmt::print("           without reuse: {} (every tensor side by side; {:.1f}% saved)\n",
               humanBytes(unplanned), saved);
  } else {
    fmt::print("           without reuse: unknown (plan written before format 1.1)\n");
  }
  fmt::print("weights:   {} ({} bytes)\n", humanBytes(plan.weightsSize), plan.weightsSize);
  fmt::print("code:      {}\n", humanBytes(plan.codeSize));
  fmt::print("kernels:   {}\n", plan.kernels.size());
  fmt::print("launches:  {}\n", plan.launches.size());
  uint64_t moved = 0;
  for (size_t i = 0; i < plan.launches.size(); ++i)
    moved += plan.launchBytes(i);
  if (h.version_minor >= 2 || h.version_major > 1)
    fmt::print("traffic:   {} over the launches' buffers (floor: {} of weights, inputs and outputs)\n",
               humanBytes(moved), humanBytes(plan.floorBytes()));

  // Resource usage needs the driver to load the kernels; without a GPU, skip it
  // quietly unless --device asked for it.
  std::vector<::kiln::exec::KernelResources> resources;
  if (!opts.noDevice) {
    std::unique_ptr<::kiln::exec::PlanExecutor> exec;
    kiln_status_t status =
        ::kiln::exec::PlanExecutor::create(bytes.data(), bytes.size(), /*useCudaGraph=*/false, exec, error);
    if (status == KILN_STATUS_OK && exec->kernelResources(resources, error)) {
      fmt::print("device:    {} (sm_{})\n", exec->device().name, exec->device().sm);
    } else {
      resources.clear();
      if (opts.device) {
        fmt::print(stderr, "{}: error: --device: {}\n", opts.plan, error);
        return 1;
      }
    }
  }

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"#", "kernel", "grid", "block", "dyn smem"};
  if (!resources.empty())
    for (const char *c : {"regs", "static smem", "local"})
      header.push_back(c);
  header.push_back("bytes");
  header.push_back("args");
  header.push_back("onnx nodes");
  rows.push_back(header);
  for (size_t i = 0; i < plan.launches.size(); ++i) {
    const kiln_plan_launch_t &l = plan.launches[i];
    std::vector<std::string> row = {std::to_string(i), plan.str(plan.kernels[l.kernel].name),
                                    dims3(l.grid), dims3(l.block), std::to_string(l.shared_mem_bytes)};
    if (!resources.empty()) {
      const auto &r = resources[l.kernel];
      row.push_back(std::to_string(r.registers));
      row.push_back(std::to_string(r.staticSharedBytes));
      row.push_back(std::to_string(r.localBytes));
    }
    row.push_back(humanBytes(plan.launchBytes(i)));
    std::vector<std::string> args;
    for (uint32_t a = 0; a < l.arg_count; ++a)
      args.push_back(argText(plan.args[l.arg_first + a]));
    row.push_back(fmt::format("{}", fmt::join(args, ", ")));
    std::vector<std::string> nodes = plan.nodesOf(i);
    row.push_back(nodes.empty() ? "-" : fmt::format("{}", fmt::join(nodes, ", ")));
    rows.push_back(row);
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto &row : rows)
    for (size_t c = 0; c + 1 < row.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  for (const auto &row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c + 1 == row.size())
        line += row[c];
      else
        line += fmt::format("{:<{}}  ", row[c], widths[c]);
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    fmt::print("{}\n", line);
  }
  return 0;
}
} // namespace

std::function<int()>(::kiln::cli::addInspectCommand)(CLI::App &app) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App *cmd = app.add_subcommand(
      "inspect", "Describe a compiled plan: header, inputs/outputs, memory, and its launches");
  cmd->add_option("plan", opts->plan, "The compiled plan (.kiln)")->required();
  auto *device = cmd->add_flag(
      "--device", opts->device,
      "Load the kernels on the GPU and show registers, static shared and local (spill) bytes "
      "per kernel; fail if no GPU is usable (by default shown only when one is)");
  cmd->add_flag("--no-device", opts->noDevice, "Never touch the GPU")->excludes(device);
  return [opts]() -> int { return runInspect(*opts); };
}
