// `kiln check model.onnx`: compiles the model, runs the plan on the GPU and compares every output
// with the CPU reference evaluator on the same random inputs.
#include "Commands.h"
#include "Diagnostics.h"
#include "Frontend.h"

#include "compiler/Reference/Evaluator.h"
#include "tools/common/PlanExec.h"

#ifdef KILN_HAVE_CODEGEN
#include "codegen/Driver/Codegen.h"
#endif

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <fmt/core.h>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>

using namespace mlir;

namespace {
namespace exec = ::kiln::exec;
namespace ref = ::kiln::ref;

struct CheckOptions {
  std::string model;
  std::string arch = "sm_90";
  double rtol = 1e-4;
  uint64_t seed = 0;
  ::kiln::PipelineOptions pipeline;
};

[[maybe_unused]] std::string nameOf(func::FuncOp func, unsigned i, bool result) {
  auto attr = result ? func.getResultAttrOfType<StringAttr>(i, "kiln.name")
                     : func.getArgAttrOfType<StringAttr>(i, "kiln.name");
  return attr ? attr.str() : std::string();
}

/// Index of the plan tensor named `name`, else `fallback` when in range, else -1.
[[maybe_unused]] long findByName(const std::vector<exec::TensorDesc> &tensors, const std::string &name,
                unsigned fallback) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!name.empty() && tensors[i].name == name)
      return long(i);
  return fallback < tensors.size() ? long(fallback) : -1;
}

struct Comparison {
  double maxAbs = 0, rel = 0;
  uint64_t nans = 0, mismatches = 0;
  bool ok = true;
};

[[maybe_unused]] Comparison compare(const exec::TensorDesc &t, const std::vector<uint8_t> &gpu,
                   const ref::Tensor &expected, double rtol) {
  Comparison c;
  const uint64_t n = t.elementCount();
  if (exec::isFloat(t.dtype)) {
    double diff2 = 0, ref2 = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const double g = exec::element(t.dtype, gpu.data(), i);
      const double r = expected.getDouble(int64_t(i));
      if (std::isnan(g) && !std::isnan(r)) {
        ++c.nans;
        continue;
      }
      if (std::isnan(r))
        continue; // the reference itself produced NaN here; nothing to compare
      const double d = std::fabs(g - r);
      c.maxAbs = std::max(c.maxAbs, d);
      diff2 += d * d;
      ref2 += r * r;
    }
    c.rel = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
    c.ok = c.nans == 0 && c.rel <= rtol;
  } else {
    for (uint64_t i = 0; i < n; ++i) {
      const double g = exec::element(t.dtype, gpu.data(), i);
      const double r = double(expected.getInt(int64_t(i)));
      if (g != r) {
        ++c.mismatches;
        c.maxAbs = std::max(c.maxAbs, std::fabs(g - r));
      }
    }
    c.ok = c.mismatches == 0;
  }
  return c;
}

int runCheck(const CheckOptions &opts) {
  // Find out first whether a GPU is usable, so machines without one skip in milliseconds.
  std::string error;
  kiln_status_t status = exec::probeGpu(error);
  if (exec::isNoGpu(status)) {
    fmt::print("SKIPPED: no GPU ({})\n", error);
    return 77;
  }
#ifndef KILN_HAVE_CODEGEN
  (void)opts;
  fmt::print(stderr, "kiln check: this kiln was built without the code generator\n");
  return 1;
#else

  MLIRContext context;
  ::kiln::cli::StderrDiagnostics diagnostics(context);
  OwningOpRef<ModuleOp> module =
      ::kiln::cli::loadModel(context, opts.model, ::kiln::Stage::Fused, opts.pipeline);
  if (!module)
    return 1;
  OwningOpRef<ModuleOp> lowered = module->clone();
  ::kiln::codegen::CodegenOptions codegen;
  codegen.arch = opts.arch;
  std::vector<uint8_t> plan;
  const auto compileStart = std::chrono::steady_clock::now();
  if (failed(::kiln::codegen::compileToPlan(*lowered, codegen, plan)))
    return 1;
  const double compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - compileStart).count();
  fmt::print("compiled {} for {}: {} bytes of plan in {:.2f} s\n", opts.model, opts.arch,
             plan.size(), compileSeconds);

  std::unique_ptr<exec::PlanExecutor> executor;
  status = exec::PlanExecutor::create(plan.data(), plan.size(), /*useCudaGraph=*/true, executor,
                                      error);
  if (exec::isNoGpu(status)) {
    fmt::print("SKIPPED: no GPU ({})\n", error);
    return 77;
  }
  if (status != KILN_STATUS_OK) {
    fmt::print(stderr, "kiln check: {}\n", error);
    return 1;
  }
  fmt::print("device: {} (sm_{})\n", executor->device().name, executor->device().sm);

  std::mt19937_64 rng(opts.seed);
  std::vector<std::vector<uint8_t>> inputs;
  for (const exec::TensorDesc &t : executor->inputs())
    inputs.push_back(exec::randomData(t.dtype, t.elementCount(), rng));
  if (!executor->setInputs(inputs, error) || executor->run(error) != KILN_STATUS_OK) {
    fmt::print(stderr, "kiln check: {}\n", error);
    return 1;
  }

  auto func = module->lookupSymbol<func::FuncOp>("main");
  if (!func) {
    fmt::print(stderr, "kiln check: {}: the static module has no @main\n", opts.model);
    return 1;
  }
  std::vector<ref::Tensor> refInputs;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto type = cast<RankedTensorType>(func.getArgument(i).getType());
    std::optional<ref::DType> dtype = ref::dtypeOf(type.getElementType());
    const std::string name = nameOf(func, i, false);
    const long index = findByName(executor->inputs(), name, i);
    if (!dtype || index < 0) {
      fmt::print(stderr, "kiln check: input #{} '{}' has no counterpart in the plan\n", i, name);
      return 1;
    }
    ref::Tensor t(*dtype, type.getShape());
    if (t.numBytes() != inputs[size_t(index)].size()) {
      fmt::print(stderr, "kiln check: input '{}' is {} bytes in the plan but {} in the model\n",
                 name, inputs[size_t(index)].size(), t.numBytes());
      return 1;
    }
    std::memcpy(t.bytes(), inputs[size_t(index)].data(), t.numBytes());
    refInputs.push_back(std::move(t));
  }
  FailureOr<std::vector<ref::Tensor>> expected = ref::evaluate(func, refInputs);
  if (failed(expected))
    return 1;

  bool allOk = true;
  fmt::print("{:<24} {:<20} {:>12} {:>12}  {}\n", "output", "shape", "max abs err", "rel err",
             "result");
  for (unsigned i = 0; i < expected->size(); ++i) {
    const std::string name = nameOf(func, i, true);
    const long index = findByName(executor->outputs(), name, i);
    if (index < 0) {
      fmt::print(stderr, "kiln check: output #{} '{}' has no counterpart in the plan\n", i, name);
      return 1;
    }
    const exec::TensorDesc &t = executor->outputs()[size_t(index)];
    const ref::Tensor &r = (*expected)[i];
    if (uint64_t(r.numElements()) != t.elementCount()) {
      fmt::print(stderr, "kiln check: output '{}' has {} elements on the GPU but {} in the reference\n",
                 t.name, t.elementCount(), r.numElements());
      return 1;
    }
    Comparison c = compare(t, executor->outputData()[size_t(index)], r, opts.rtol);
    std::string result = c.ok ? "ok" : "FAIL";
    if (c.nans)
      result += fmt::format(" ({} NaN)", c.nans);
    if (c.mismatches)
      result += fmt::format(" ({} of {} differ)", c.mismatches, t.elementCount());
    fmt::print("{:<24} {:<20} {:>12.3e} {:>12.3e}  {}\n", t.name, exec::describe(t), c.maxAbs,
               c.rel, result);
    allOk = allOk && c.ok;
  }
  fmt::print("{} (rtol {:g}, seed {})\n", allOk ? "PASSED" : "FAILED", opts.rtol, opts.seed);
  return allOk && diagnostics.errorCount() == 0 ? 0 : 1;
#endif
}
} // namespace

std::function<int()>(::kiln::cli::addCheckCommand)(CLI::App &app) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App *cmd = app.add_subcommand(
      "check", "Compile a model, run it on the GPU and compare each output with the CPU reference "
               "on the same random inputs; exits 77 with SKIPPED when no GPU is usable");
  cmd->add_option("model", opts->model, "The ONNX model (.onnx)")
      ->required()
      ->check(CLI::ExistingFile);
  ::kiln::cli::addShapeOptions(cmd, opts->pipeline);
  cmd->add_option("--arch", opts->arch, "Target GPU: sm_80, sm_86, sm_89 or sm_90 (default sm_90)")
      ->check(CLI::IsMember({"sm_80", "sm_86", "sm_89", "sm_90"}));
  cmd->add_option("--rtol", opts->rtol,
                  "Largest accepted relative error ||gpu - ref|| / ||ref|| per float output "
                  "(default 1e-4); integer and bool outputs must match exactly");
  cmd->add_option("--seed", opts->seed, "Seed of the random inputs (default 0)");
  return [opts]() -> int { return runCheck(*opts); };
}
