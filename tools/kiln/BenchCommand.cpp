// `kiln bench model.kiln`: per-iteration latency of a plan on the GPU, replayed as a CUDA graph
// and launched one kernel at a time with host inputs and outputs, then replayed with them in
// device memory; each mode from its own session.
#include "Commands.h"

#include "tools/common/PlanExec.h"

#include <fmt/core.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>

namespace {
namespace exec = ::kiln::exec;

struct BenchOptions {
  std::string plan;
  int warmup = 20;
  int iters = 200;
  uint64_t seed = 0;
  std::vector<std::string> modes; // empty: all
};

struct Stats {
  double min = 0, median = 0, p99 = 0, mean = 0;
};

Stats summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Stats s;
  const size_t n = ms.size();
  s.min = ms.front();
  s.median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  // Nearest-rank percentile.
  const size_t rank = size_t(std::ceil(0.99 * double(n)));
  s.p99 = ms[std::min(n, std::max<size_t>(rank, 1)) - 1];
  for (double v : ms)
    s.mean += v / double(n);
  return s;
}

enum class Mode { Graph, NoGraph, DeviceIO };

/// The device-I/O mode: moves the executor's I/O to device memory and checks that a run
/// there gives the outputs the host-I/O run just gave (the same plan on the same inputs).
struct DeviceIO {
  std::unique_ptr<exec::DeviceMemory> memory;
  std::vector<std::vector<uint8_t>> hostOutputs;

  bool start(exec::PlanExecutor &executor, std::string &error) {
    if (executor.run(error) != KILN_STATUS_OK)
      return false;
    hostOutputs = executor.outputData();
    memory = exec::DeviceMemory::open(executor.device().ordinal, error);
    return memory && executor.useDeviceIO(*memory, error);
  }
  bool check(exec::PlanExecutor &executor, std::string &error) {
    if (!executor.fetchOutputs(error))
      return false;
    for (size_t i = 0; i < hostOutputs.size(); ++i)
      if (executor.outputData()[i] != hostOutputs[i]) {
        error = "output '" + executor.outputs()[i].name +
                "' differs between host and device I/O on the same inputs";
        return false;
      }
    return true;
  }
};

/// Returns 0, 1 (failure) or 77 (no GPU).
int benchOne(const BenchOptions &opts, Mode mode, bool announce, Stats &out) {
  std::unique_ptr<exec::PlanExecutor> executor;
  std::string error;
  kiln_status_t status = exec::PlanExecutor::createFromFile(opts.plan, mode != Mode::NoGraph, executor, error);
  if (exec::isNoGpu(status)) {
    fmt::print("SKIPPED: no GPU ({})\n", error);
    return 77;
  }
  if (status != KILN_STATUS_OK) {
    fmt::print(stderr, "kiln bench: {}\n", error);
    return 1;
  }
  if (announce)
    fmt::print("device: {} (sm_{})\n", executor->device().name, executor->device().sm);
  std::mt19937_64 rng(opts.seed);
  std::vector<std::vector<uint8_t>> inputs;
  for (const exec::TensorDesc &t : executor->inputs())
    inputs.push_back(exec::randomData(t.dtype, t.elementCount(), rng));
  DeviceIO device;
  if (!executor->setInputs(inputs, error) || (mode == Mode::DeviceIO && !device.start(*executor, error))) {
    fmt::print(stderr, "kiln bench: {}\n", error);
    return 1;
  }
  // The first run captures the graph (or JIT-warms the kernels); it is part of warm-up.
  for (int i = 0; i < std::max(1, opts.warmup); ++i)
    if (executor->runTimed(error) != KILN_STATUS_OK) {
      fmt::print(stderr, "kiln bench: {}\n", error);
      return 1;
    }
  std::vector<double> ms;
  ms.reserve(size_t(opts.iters));
  for (int i = 0; i < opts.iters; ++i) {
    const auto start = std::chrono::steady_clock::now();
    status = executor->runTimed(error);
    const auto end = std::chrono::steady_clock::now();
    if (status != KILN_STATUS_OK) {
      fmt::print(stderr, "kiln bench: {}\n", error);
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  if (mode == Mode::DeviceIO && !device.check(*executor, error)) {
    fmt::print(stderr, "kiln bench: {}\n", error);
    return 1;
  }
  out = summarize(std::move(ms));
  return 0;
}

int runBench(const BenchOptions &opts) {
  if (opts.iters < 1 || opts.warmup < 0) {
    fmt::print(stderr, "kiln bench: --iters must be >= 1 and --warmup >= 0\n");
    return 1;
  }
  struct Timed {
    const char *name;
    Mode mode;
    Stats stats;
  };
  std::vector<Timed> timed;
  for (auto [name, mode] : {std::pair<const char *, Mode>{"cuda-graph", Mode::Graph},
                            std::pair<const char *, Mode>{"no-graph", Mode::NoGraph},
                            std::pair<const char *, Mode>{"device-io", Mode::DeviceIO}}) {
    if (!opts.modes.empty() && std::find(opts.modes.begin(), opts.modes.end(), name) == opts.modes.end())
      continue;
    timed.push_back({name, mode, {}});
    if (int rc = benchOne(opts, mode, timed.size() == 1, timed.back().stats))
      return rc;
  }
  fmt::print("{} iterations after {} warm-up, wall time of run + synchronize per iteration; "
             "cuda-graph and no-graph copy inputs and outputs from and to host memory, "
             "device-io replays the graph with them in device memory:\n",
             opts.iters, opts.warmup);
  fmt::print("{:<12} {:>10} {:>10} {:>10} {:>10}\n", "mode", "min ms", "median ms", "p99 ms",
             "mean ms");
  for (const Timed &t : timed)
    fmt::print("{:<12} {:>10.4f} {:>10.4f} {:>10.4f} {:>10.4f}\n", t.name, t.stats.min, t.stats.median,
               t.stats.p99, t.stats.mean);
  return 0;
}
} // namespace

std::function<int()>(::kiln::cli::addBenchCommand)(CLI::App &app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App *cmd = app.add_subcommand(
      "bench", "Time a compiled plan on the GPU: min/median/p99 latency with and without CUDA-graph "
               "replay (inputs and outputs in host memory), and replayed with them in device memory "
               "(whose outputs must equal the host run's); exits 77 with SKIPPED when no GPU is usable");
  cmd->add_option("plan", opts->plan, "The compiled plan (.kiln)")->required();
  cmd->add_option("--warmup", opts->warmup, "Untimed runs before timing (default 20)");
  cmd->add_option("--iters", opts->iters, "Timed runs (default 200)");
  cmd->add_option("--seed", opts->seed, "Seed of the random inputs (default 0)");
  cmd->add_option("--mode", opts->modes, "Time only this mode (repeatable; default all three)")
      ->check(CLI::IsMember({"cuda-graph", "no-graph", "device-io"}));
  return [opts]() -> int { return runBench(*opts); };
}
