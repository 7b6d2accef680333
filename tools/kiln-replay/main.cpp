// kiln-replay: loads a .kiln plan with the runtime alone, runs it on .npy (or random) inputs, writes outputs, benchmarks.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "Inputs.h"
#include "tools/common/PlanExec.h"
#include "kiln/runtime.h"
#include "tools/common/Npy.h"

namespace {

const char kUsage[] =
    "usage: kiln-replay MODEL.kiln [options]\n"
    "\n"
    "Runs a compiled kiln plan on the GPU using only the kiln runtime.\n"
    "\n"
    "options:\n"
    "  --input NAME=FILE.npy  value of input NAME (repeatable); inputs not given get\n"
    "                         deterministic random values (floats in [-1,1), ints in [0,4))\n"
    "  --output-dir DIR       where to write one OUTPUT_NAME.npy per output (default: .)\n"
    "  --no-output            do not write outputs\n"
    "  --no-graph             launch kernels one by one instead of replaying a CUDA graph\n"
    "  --bench N              after the first run, time N more runs (after warm-up) and print\n"
    "                         min/median/p99 latency (host clock, each run synchronized)\n"
    "  --device N             CUDA device ordinal (default 0)\n"
    "  -h, --help             show this help\n"
    "\n"
    "bf16 tensors are read and written as uint16 .npy arrays holding the raw bits.\n"
    "Environment: KILN_CUDA_LIBRARY overrides the path of libcuda.so.1;\n"
    "KILN_SYNC_LAUNCHES=1 synchronizes after every launch to locate a faulting kernel.\n"
    "Exit status: 0 on success, 1 on any error.\n";

struct Options {
  std::string model;
  std::map<std::string, std::string> inputs;  // name -> .npy path
  std::string outputDir = ".";
  bool writeOutputs = true;
  bool useGraph = true;
  long bench = 0;
  int device = 0;
};

int error(const std::string& message) {
  std::fprintf(stderr, "kiln-replay: error: %s\n", message.c_str());
  return 1;
}

bool parseInt(const char* text, long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && errno == 0;
}

// Returns -1 to continue, otherwise the exit status.
int parseArgs(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--input") {
      const char* v = value();
      if (!v) return error("--input needs NAME=FILE.npy");
      const char* eq = std::strchr(v, '=');
      if (!eq || eq == v || !eq[1]) return error(std::string("--input expects NAME=FILE.npy, got '") + v + "'");
      const std::string name(v, eq);
      if (!options.inputs.emplace(name, eq + 1).second) return error("input '" + name + "' given twice");
    } else if (arg == "--output-dir") {
      const char* v = value();
      if (!v || !*v) return error("--output-dir needs a directory");
      options.outputDir = v;
    } else if (arg == "--no-output") {
      options.writeOutputs = false;
    } else if (arg == "--no-graph") {
      options.useGraph = false;
    } else if (arg == "--bench") {
      const char* v = value();
      if (!v || !parseInt(v, options.bench) || options.bench < 1 || options.bench > 10000000)
        return error("--bench needs a positive run count");
    } else if (arg == "--device") {
      long device;
      const char* v = value();
      if (!v || !parseInt(v, device) || device < 0 || device > 1024) return error("--device needs an ordinal >= 0");
      options.device = int(device);
    } else if (!arg.empty() && arg[0] == '-') {
      std::fputs(kUsage, stderr);
      return error("unknown option '" + arg + "'");
    } else if (options.model.empty()) {
      options.model = arg;
    } else {
      return error("more than one model given ('" + options.model + "' and '" + arg + "')");
    }
  }
  if (options.model.empty()) {
    std::fputs(kUsage, stderr);
    return error("no model given");
  }
  return -1;
}

struct Tensor {
  kiln_tensor_info_t info;
  std::vector<uint8_t> data;
};

double percentile(std::vector<double> sorted, double p) {
  const size_t index = std::min(sorted.size() - 1, size_t(p * double(sorted.size() - 1) + 0.5));
  return sorted[index];
}

int bench(kiln_session_t* session, long runs) {
  const long warmup = std::max(10L, runs / 10);
  for (long i = 0; i < warmup; ++i)
    if (kiln_session_run(session, nullptr) != KILN_STATUS_OK || kiln_session_synchronize(session, nullptr) != KILN_STATUS_OK)
      return error(std::string("warm-up run failed: ") + kiln_session_last_error(session));
  std::vector<double> ms;
  ms.reserve(size_t(runs));
  for (long i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (kiln_session_run(session, nullptr) != KILN_STATUS_OK || kiln_session_synchronize(session, nullptr) != KILN_STATUS_OK)
      return error(std::string("benchmark run failed: ") + kiln_session_last_error(session));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double t : ms) sum += t;
  std::printf("bench: %ld runs after %ld warm-up: min %.4f ms  median %.4f ms  p99 %.4f ms  mean %.4f ms\n", runs,
              warmup, ms.front(), percentile(ms, 0.5), percentile(ms, 0.99), sum / double(runs));
  return 0;
}

int replay(const Options& options) {
  kiln_session_options_t sessionOptions;
  kiln_session_options_init(&sessionOptions);
  sessionOptions.device_ordinal = options.device;
  sessionOptions.use_cuda_graph = options.useGraph ? 1 : 0;
  kiln_session_t* session = nullptr;
  if (kiln_session_create_from_file(options.model.c_str(), &sessionOptions, &session) != KILN_STATUS_OK)
    return error(std::string("cannot load '") + options.model + "': " + kiln_thread_last_error());
  // From here on every exit path destroys the session.
  struct Guard {
    kiln_session_t* s;
    ~Guard() { kiln_session_destroy(s); }
  } guard{session};

  kiln_device_info_t device;
  kiln_session_device_info(session, &device);
  std::printf("%s on device %d (%s, sm_%u), CUDA graph %s\n", options.model.c_str(), device.ordinal, device.name,
              device.sm, device.uses_cuda_graph ? "on" : "off");

  size_t inputCount = 0, outputCount = 0;
  kiln_session_input_count(session, &inputCount);
  kiln_session_output_count(session, &outputCount);
  for (const auto& given : options.inputs) {
    size_t index;
    if (kiln_session_find_input(session, given.first.c_str(), &index) != KILN_STATUS_OK) {
      std::string names;
      for (size_t i = 0; i < inputCount; ++i) {
        kiln_tensor_info_t info;
        kiln_session_input_info(session, i, &info);
        names += std::string(i ? ", " : "") + "'" + info.name + "'";
      }
      return error("the model has no input '" + given.first + "' (inputs: " + names + ")");
    }
  }

  std::vector<Tensor> inputs(inputCount), outputs(outputCount);
  for (size_t i = 0; i < inputCount; ++i) {
    Tensor& t = inputs[i];
    kiln_session_input_info(session, i, &t.info);
    const auto given = options.inputs.find(t.info.name);
    std::string source;
    if (given != options.inputs.end()) {
      kiln::npy::Array array;
      std::string why;
      if (!kiln::npy::read(given->second, array, why) || !kiln::replay::matches(t.info, array, why)) return error(why);
      t.data = std::move(array.data);
      source = given->second;
    } else {
      t.data = kiln::replay::randomTensor(t.info, i + 1);
      source = "random, seed " + std::to_string(i + 1);
    }
    std::printf("input  %zu: %-24s %-24s %10llu bytes  (%s)\n", i, t.info.name, kiln::replay::describe(t.info).c_str(),
                (unsigned long long)t.info.byte_size, source.c_str());
    if (kiln_session_bind_input(session, i, KILN_MEMORY_HOST, t.data.data(), t.data.size()) != KILN_STATUS_OK)
      return error(kiln_session_last_error(session));
  }
  for (size_t i = 0; i < outputCount; ++i) {
    Tensor& t = outputs[i];
    kiln_session_output_info(session, i, &t.info);
    // Poisoned (all-ones bytes: NaN for floats) so an output the plan never writes is visible.
    t.data.assign(t.info.byte_size, 0xFF);
    std::printf("output %zu: %-24s %-24s %10llu bytes\n", i, t.info.name, kiln::replay::describe(t.info).c_str(),
                (unsigned long long)t.info.byte_size);
    if (kiln_session_bind_output(session, i, KILN_MEMORY_HOST, t.data.data(), t.data.size()) != KILN_STATUS_OK)
      return error(kiln_session_last_error(session));
  }

  if (kiln_session_run(session, nullptr) != KILN_STATUS_OK || kiln_session_synchronize(session, nullptr) != KILN_STATUS_OK)
    return error(std::string("run failed: ") + kiln_session_last_error(session));

  if (options.writeOutputs) {
    std::error_code ec;
    std::filesystem::create_directories(options.outputDir, ec);
    if (ec) return error("cannot create output directory '" + options.outputDir + "': " + ec.message());
  }
  for (const Tensor& t : outputs) {
    std::string line = std::string("  ") + t.info.name + ": " + kiln::replay::summarize(t.info, t.data);
    if (options.writeOutputs) {
      kiln::npy::Array array;
      if (!kiln::exec::npyTypeFor(t.info.dtype, array.dtype)) return error("output has an unsupported dtype");
      array.shape.assign(t.info.dims, t.info.dims + t.info.rank);
      array.data = t.data;
      const std::string path = options.outputDir + "/" + kiln::replay::fileNameFor(t.info.name) + ".npy";
      std::string why;
      if (!kiln::npy::write(path, array, why)) return error(why);
      line += "  -> " + path;
    }
    std::printf("%s\n", line.c_str());
  }
  return options.bench ? bench(session, options.bench) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const int status = parseArgs(argc, argv, options);
  if (status >= 0) return status;
  return replay(options);
}
