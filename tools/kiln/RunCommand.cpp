// `kiln run`: runs a compiled plan (.kiln) on the GPU through the runtime, or evaluates an
// ONNX model on the CPU reference evaluator (--reference), with inputs from .npy files (or
// seeded random ones), and writes every output as .npy.
#include "Commands.h"
#include "Diagnostics.h"
#include "Frontend.h"

#include "compiler/Reference/Evaluator.h"
#include "tools/common/Npy.h"
#include "tools/common/PlanExec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <map>
#include <random>

using namespace mlir;
namespace ref = ::kiln::ref;
namespace npy = ::kiln::npy;
namespace exec = ::kiln::exec;

namespace {
struct RunOptions {
  std::string model;
  bool reference = false;
  std::vector<std::string> inputs; // name=file.npy
  std::string outputDir = ".";
  uint64_t seed = 0;
  ::kiln::PipelineOptions pipeline;
};

std::optional<ref::DType> fromNpy(npy::DType d) {
  switch (d) {
  case npy::DType::F16: return ref::DType::F16;
  case npy::DType::F32: return ref::DType::F32;
  case npy::DType::F64: return ref::DType::F64;
  case npy::DType::I8: return ref::DType::I8;
  case npy::DType::I16: return ref::DType::I16;
  case npy::DType::I32: return ref::DType::I32;
  case npy::DType::I64: return ref::DType::I64;
  case npy::DType::U8: return ref::DType::U8;
  case npy::DType::U16: return ref::DType::U16;
  case npy::DType::U32: return ref::DType::U32;
  case npy::DType::U64: return ref::DType::U64;
  case npy::DType::Bool: return ref::DType::Bool;
  }
  return std::nullopt;
}

// NumPy has no bfloat16: such tensors travel as uint16 arrays of their raw bits.
npy::DType toNpy(ref::DType d) {
  switch (d) {
  case ref::DType::F16: return npy::DType::F16;
  case ref::DType::F32: return npy::DType::F32;
  case ref::DType::F64: return npy::DType::F64;
  case ref::DType::I8: return npy::DType::I8;
  case ref::DType::I16: return npy::DType::I16;
  case ref::DType::I32: return npy::DType::I32;
  case ref::DType::I64: return npy::DType::I64;
  case ref::DType::U8: return npy::DType::U8;
  case ref::DType::U16: case ref::DType::BF16: return npy::DType::U16;
  case ref::DType::U32: return npy::DType::U32;
  case ref::DType::U64: return npy::DType::U64;
  case ref::DType::Bool: return npy::DType::Bool;
  }
  return npy::DType::U8;
}

/// Inputs without a file: floats uniform in [-1, 1), integers in [0, 8) (safe as
/// indices into most tables), bools fair coin flips — never all zeros.
ref::Tensor randomTensor(ref::DType dtype, ArrayRef<int64_t> shape, std::mt19937_64 &rng) {
  ref::Tensor t(dtype, shape);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int64_t> small(0, 7);
  for (int64_t i = 0, n = t.numElements(); i < n; ++i) {
    if (ref::isFloat(dtype))
      t.setDouble(i, real(rng));
    else if (dtype == ref::DType::Bool)
      t.setInt(i, small(rng) & 1);
    else
      t.setInt(i, small(rng));
  }
  return t;
}

/// A file name from a tensor name (ONNX names may hold '/', ':' and the like).
std::string fileNameFor(StringRef name) {
  std::string out;
  for (char c : name)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c
                                                                                              : '_';
  return out.empty() ? "unnamed" : out;
}

bool writeNpy(const ref::Tensor &t, const std::string &path, std::string &error) {
  npy::Array array;
  array.dtype = toNpy(t.dtype());
  array.shape.assign(t.shape().begin(), t.shape().end());
  array.data.assign(t.bytes(), t.bytes() + t.numBytes());
  return npy::write(path, array, error);
}

std::string describe(const ref::Tensor &t) {
  std::string text = fmt::format("{} [{}]", ref::dtypeName(t.dtype()), fmt::join(t.shape(), ", "));
  if (t.numElements() == 0)
    return text;
  double lo = t.getDouble(0), hi = lo, sum = 0;
  for (int64_t i = 0, n = t.numElements(); i < n; ++i) {
    double v = t.getDouble(i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  return text + fmt::format(" min {:.6g} max {:.6g} mean {:.6g}", lo, hi,
                            sum / static_cast<double>(t.numElements()));
}

bool parseInputSpecs(const std::vector<std::string> &specs,
                     std::map<std::string, std::string> &files) {
  for (const std::string &spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      fmt::print(stderr, "kiln run: --input expects name=file.npy, got '{}'\n", spec);
      return false;
    }
    files[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  return true;
}

bool writeRaw(const exec::TensorDesc &t, const std::vector<uint8_t> &data, const std::string &path) {
  npy::Array array;
  std::string error;
  if (!exec::toNpy(t, data, array, error) || !npy::write(path, array, error)) {
    fmt::print(stderr, "kiln run: {}: {}\n", path, error);
    return false;
  }
  return true;
}

/// A compiled plan on the GPU. No usable GPU is not a failure of the model: it prints
/// SKIPPED and exits 77 (ctest's skip code) so scripts and tests can tell it apart.
int runPlan(const RunOptions &opts) {
  std::map<std::string, std::string> files;
  if (!parseInputSpecs(opts.inputs, files))
    return 1;
  std::unique_ptr<exec::PlanExecutor> executor;
  std::string error;
  kiln_status_t status =
      exec::PlanExecutor::createFromFile(opts.model, /*useCudaGraph=*/true, executor, error);
  if (exec::isNoGpu(status)) {
    fmt::print("SKIPPED: no GPU ({})\n", error);
    return 77;
  }
  if (status != KILN_STATUS_OK) {
    fmt::print(stderr, "kiln run: {}\n", error);
    return 1;
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir)) {
    fmt::print(stderr, "kiln run: cannot create {}: {}\n", opts.outputDir, ec.message());
    return 1;
  }
  for (const auto &[name, file] : files) {
    bool known = false;
    for (const exec::TensorDesc &t : executor->inputs())
      known = known || t.name == name;
    if (known)
      continue;
    std::vector<std::string> names;
    for (const exec::TensorDesc &t : executor->inputs())
      names.push_back("'" + t.name + "'");
    fmt::print(stderr, "kiln run: the model has no input named '{}' (inputs: {})\n", name,
               fmt::join(names, ", "));
    return 1;
  }
  fmt::print("device: {} (sm_{})\n", executor->device().name, executor->device().sm);
  std::mt19937_64 rng(opts.seed);
  std::vector<std::vector<uint8_t>> inputs;
  for (const exec::TensorDesc &t : executor->inputs()) {
    auto file = files.find(t.name);
    if (file == files.end()) {
      inputs.push_back(exec::randomData(t.dtype, t.elementCount(), rng));
      std::string path = opts.outputDir + "/input_" + exec::fileNameFor(t.name) + ".npy";
      if (!writeRaw(t, inputs.back(), path))
        return 1;
      fmt::print("input  '{}': random {} {} (seed {}) -> {}\n", t.name, exec::describe(t),
                 exec::summarize(t.dtype, inputs.back()), opts.seed, path);
      continue;
    }
    npy::Array array;
    std::vector<uint8_t> data;
    if (!npy::read(file->second, array, error) || !exec::fromNpy(t, array, data, error)) {
      fmt::print(stderr, "kiln run: {}: {}\n", file->second, error);
      return 1;
    }
    fmt::print("input  '{}': {} {} <- {}\n", t.name, exec::describe(t),
               exec::summarize(t.dtype, data), file->second);
    inputs.push_back(std::move(data));
  }
  if (!executor->setInputs(inputs, error) ||
      (status = executor->run(error)) != KILN_STATUS_OK) {
    fmt::print(stderr, "kiln run: {}\n", error);
    return 1;
  }
  for (size_t i = 0; i < executor->outputs().size(); ++i) {
    const exec::TensorDesc &t = executor->outputs()[i];
    const std::vector<uint8_t> &data = executor->outputData()[i];
    std::string path = opts.outputDir + "/" + exec::fileNameFor(t.name) + ".npy";
    if (!writeRaw(t, data, path))
      return 1;
    fmt::print("output '{}': {} {} -> {}\n", t.name, exec::describe(t),
               exec::summarize(t.dtype, data), path);
  }
  return 0;
}

int runReference(const RunOptions &opts) {
  if (llvm::StringRef(opts.model).ends_with(".kiln"))
    return runPlan(opts);
  if (!opts.reference) {
    fmt::print(stderr, "kiln run: {}: an ONNX model runs on the CPU reference evaluator "
                       "(pass --reference); compile it to a .kiln plan to run it on the GPU\n",
               opts.model);
    return 1;
  }
  std::map<std::string, std::string> files;
  if (!parseInputSpecs(opts.inputs, files))
    return 1;

  MLIRContext context;
  ::kiln::cli::StderrDiagnostics diagnostics(context);
  OwningOpRef<ModuleOp> module =
      ::kiln::cli::loadModel(context, opts.model, ::kiln::Stage::Fused, opts.pipeline);
  if (!module)
    return 1;
  auto func = module->lookupSymbol<func::FuncOp>("main");

  std::mt19937_64 rng(opts.seed);
  std::vector<ref::Tensor> inputs;
  if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir)) {
    fmt::print(stderr, "kiln run: cannot create {}: {}\n", opts.outputDir, ec.message());
    return 1;
  }
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto type = cast<RankedTensorType>(func.getArgument(i).getType());
    auto nameAttr = func.getArgAttrOfType<StringAttr>(i, "kiln.name");
    std::string name = nameAttr ? nameAttr.str() : "#" + std::to_string(i);
    std::optional<ref::DType> dtype = ref::dtypeOf(type.getElementType());
    if (!dtype) {
      fmt::print(stderr, "kiln run: input '{}' has an unsupported element type\n", name);
      return 1;
    }
    auto file = files.find(name);
    if (file == files.end()) {
      inputs.push_back(randomTensor(*dtype, type.getShape(), rng));
      std::string path = opts.outputDir + "/input_" + fileNameFor(name) + ".npy", error;
      if (!writeNpy(inputs.back(), path, error)) {
        fmt::print(stderr, "kiln run: {}\n", error);
        return 1;
      }
      fmt::print("input  '{}': random {} (seed {}) -> {}\n", name, describe(inputs.back()),
                 opts.seed, path);
      continue;
    }
    npy::Array array;
    std::string error;
    if (!npy::read(file->second, array, error)) {
      fmt::print(stderr, "kiln run: {}: {}\n", file->second, error);
      return 1;
    }
    std::optional<ref::DType> given = fromNpy(array.dtype);
    bool rawBf16 = *dtype == ref::DType::BF16 && array.dtype == npy::DType::U16;
    if (!rawBf16 && given != dtype) {
      fmt::print(stderr, "kiln run: {}: input '{}' needs {} elements, the file holds {}\n",
                 file->second, name, ref::dtypeName(*dtype), npy::name(array.dtype));
      return 1;
    }
    if (ArrayRef<int64_t>(array.shape) != type.getShape()) {
      fmt::print(stderr, "kiln run: {}: input '{}' needs shape [{}], the file holds [{}]\n",
                 file->second, name, fmt::join(type.getShape(), ", "),
                 fmt::join(array.shape, ", "));
      return 1;
    }
    ref::Tensor t(*dtype, type.getShape());
    std::copy(array.data.begin(), array.data.end(), t.bytes());
    fmt::print("input  '{}': {} <- {}\n", name, describe(t), file->second);
    inputs.push_back(std::move(t));
    files.erase(file);
  }
  if (!files.empty()) {
    fmt::print(stderr, "kiln run: the model has no input named '{}'\n", files.begin()->first);
    return 1;
  }

  FailureOr<std::vector<ref::Tensor>> outputs = ref::evaluate(func, inputs);
  if (failed(outputs))
    return 1;
  for (auto [i, tensor] : llvm::enumerate(*outputs)) {
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, "kiln.name");
    std::string name = nameAttr ? nameAttr.str() : "output_" + std::to_string(i);
    std::string path = opts.outputDir + "/" + fileNameFor(name) + ".npy", error;
    if (!writeNpy(tensor, path, error)) {
      fmt::print(stderr, "kiln run: {}\n", error);
      return 1;
    }
    fmt::print("output '{}': {} -> {}\n", name, describe(tensor), path);
  }
  return diagnostics.errorCount() == 0 ? 0 : 1;
}
} // namespace

std::function<int()>(::kiln::cli::addRunCommand)(CLI::App &app) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App *cmd = app.add_subcommand(
      "run", "Run a compiled plan (.kiln) on the GPU, or an ONNX model on the CPU reference "
             "evaluator (--reference); exits 77 with SKIPPED when a plan needs a GPU and none is "
             "usable");
  cmd->add_option("model", opts->model, "A compiled plan (.kiln) or an ONNX model (.onnx)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_flag("--reference", opts->reference,
                "Evaluate an ONNX model on the CPU reference evaluator (exact ONNX semantics)");
  cmd->add_option("--input", opts->inputs,
                  "An input as name=file.npy (repeatable); inputs not given are random")
      ->take_all();
  cmd->add_option("--output-dir", opts->outputDir,
                  "Where to write each output (NAME.npy) and each generated input "
                  "(input_NAME.npy); default: the current folder");
  cmd->add_option("--seed", opts->seed, "Seed of the random inputs (default 0)");
  ::kiln::cli::addShapeOptions(cmd, opts->pipeline);
  return [opts]() -> int { return runReference(*opts); };
}
