// kiln-conformance: runs ONNX backend test folders through the whole CPU path (import,
// shape specialization, simplification, reference evaluation) and compares every output
// with ONNX's expected data; prints per-op counts and checks a list of tests that must pass.
// --backend ptx also compiles each test to PTX and assembles it with ptxas; --backend gpu
// runs the compiled plan on the GPU and compares its outputs too.
#include "codegen/Driver/Codegen.h"
#include "codegen/Plan/PlanWriter.h"
#include "codegen/Target/NvvmTarget.h"
#include "compiler/Import/OnnxImporter.h"
#include "compiler/Import/TensorImport.h"
#include "compiler/Pipeline/Pipeline.h"
#include "compiler/Reference/Evaluator.h"
#include "kiln_onnx.pb.h"
#include "tools/common/PlanExec.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace ref = kiln::ref;

namespace {

enum class Status { Passed, Failed, Unsupported };
const char *statusName(Status s) {
  return s == Status::Passed ? "passed" : s == Status::Failed ? "failed" : "unsupported";
}

struct Outcome {
  Status status;
  std::string reason; // empty when passed
};

enum class Backend { Reference, Ptx, Gpu };
Backend backend = Backend::Reference;

// ONNX's backend-test defaults.
constexpr double kRtol = 1e-3, kAtol = 1e-7;

bool readProto(const std::string &path, google::protobuf::MessageLite &message) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  return buffer && message.ParseFromArray((*buffer)->getBufferStart(),
                                          static_cast<int>((*buffer)->getBufferSize()));
}

std::string firstLine(const std::string &text) { return text.substr(0, text.find('\n')); }

/// A diagnostic that names something kiln does not support (as opposed to a bug).
bool namesUnsupported(const std::string &diags) {
  for (const char *marker : {"unsupported operator", "is not supported", "are not supported",
                             "supported only", "only tensor values are supported"})
    if (diags.find(marker) != std::string::npos)
      return true;
  return false;
}

std::string dimsText(llvm::ArrayRef<int64_t> dims) {
  std::string out;
  for (size_t i = 0; i < dims.size(); ++i)
    out += (i ? "x" : "") + std::to_string(dims[i]);
  return out;
}

/// Compares one output; returns "" when it matches.
std::string compare(const ref::Tensor &got, const ref::Tensor &want, size_t index) {
  std::string which = "output #" + std::to_string(index);
  if (got.dtype() != want.dtype())
    return which + " has element type " + ref::dtypeName(got.dtype()) + ", expected " +
           ref::dtypeName(want.dtype());
  if (got.shape() != want.shape())
    return which + " has shape " + dimsText(got.shape()) + ", expected " + dimsText(want.shape());
  for (int64_t e = 0, n = got.numElements(); e < n; ++e) {
    double g = got.getDouble(e), w = want.getDouble(e);
    bool ok = std::isnan(w) ? std::isnan(g)
              : std::isinf(w) ? g == w
                              : std::fabs(g - w) <= kAtol + kRtol * std::fabs(w);
    if (!ok) {
      std::ostringstream os;
      os << which << " element " << e << " is " << g << ", expected " << w;
      return os.str();
    }
  }
  return "";
}

/// ONNX's older test data stores bfloat16 tensors as uint16 bit patterns: read them as
/// the bfloat16 the model declares.
void bfloat16AsDeclared(onnx::TensorProto &t, const onnx::TypeProto &declared) {
  if (t.data_type() == onnx::TensorProto::UINT16 && declared.has_tensor_type() &&
      declared.tensor_type().elem_type() == onnx::TensorProto::BFLOAT16)
    t.set_data_type(onnx::TensorProto::BFLOAT16);
}

/// Inputs a user would pin with --const when kiln needs them at compile time: integer
/// and bool tensors (axes, sizes, flags), and single numbers (ratios, thresholds).
bool isControlTensor(const onnx::TensorProto &t) {
  using T = onnx::TensorProto;
  int64_t count = 1;
  for (int64_t d : t.dims())
    count *= d;
  switch (t.data_type()) {
  case T::FLOAT: case T::DOUBLE: case T::FLOAT16:
    return count == 1;
  case T::BOOL:
  case T::INT8: case T::INT16: case T::INT32: case T::INT64:
  case T::UINT8: case T::UINT16: case T::UINT32: case T::UINT64:
    return true;
  default:
    return false;
  }
}

/// A tensor as a --const literal: nested lists, or a bare number for a scalar.
std::string literalOf(const ref::Tensor &t) {
  llvm::ArrayRef<int64_t> shape = t.shape();
  std::string out;
  int64_t index = 0;
  std::function<void(size_t)> emit = [&](size_t d) {
    if (d == shape.size()) {
      if (ref::isFloat(t.dtype())) {
        char buf[40];
        std::snprintf(buf, sizeof(buf), "%.17g", t.getDouble(index++));
        out += buf;
      } else {
        out += std::to_string(t.getInt(index++));
      }
      return;
    }
    out += "[";
    for (int64_t i = 0; i < shape[d]; ++i) {
      if (i)
        out += ",";
      emit(d + 1);
    }
    out += "]";
  };
  emit(0);
  return out;
}

/// Runs one data set; with `freezeInts`, integer inputs are compiled in as constants
/// first (kiln needs axes, split sizes, window lengths... at compile time).
Outcome runDataSet(const onnx::ModelProto &model, const std::string &dir,
                   const std::string &data, bool freezeInts) {
    mlir::MLIRContext ctx;
    ctx.printOpOnDiagnostic(false);
    kiln::loadImportDialects(ctx);
    std::string diags;
    mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
      diags += d.str() + "\n";
      return mlir::success();
    });
    onnx::ModelProto copy = model;
    onnx::GraphProto *graph = copy.mutable_graph();
    std::set<std::string> initializers;
    for (const auto &init : graph->initializer())
      initializers.insert(init.name());

    // Inputs fed by the data set, in graph order (initializer-backed inputs are not fed).
    std::vector<onnx::TensorProto> fed;
    std::vector<int> fedIndex;
    for (int i = 0, k = 0; i < graph->input_size(); ++i) {
      if (initializers.count(graph->input(i).name()))
        continue;
      onnx::TensorProto t;
      if (!readProto(data + "/input_" + std::to_string(k++) + ".pb", t))
        return {Status::Failed, "cannot read input " + std::to_string(k - 1)};
      bfloat16AsDeclared(t, graph->input(i).type());
      fed.push_back(t);
      fedIndex.push_back(i);
    }

    // Integer inputs kiln needs at compile time are pinned the way a user pins them,
    // with --const NAME=VALUE (PipelineOptions::consts), instead of being fed.
    kiln::PipelineOptions options;
    if (freezeInts) {
      for (int j = static_cast<int>(fed.size()) - 1; j >= 0; --j) {
        if (!isControlTensor(fed[j]))
          continue;
        std::string error;
        mlir::DenseElementsAttr attr = kiln::importTensor(ctx, fed[j], dir, error);
        if (!attr)
          return {Status::Unsupported, "input: " + error};
        options.consts.push_back(graph->input(fedIndex[j]).name() + "=" + literalOf(ref::Tensor::fromAttr(attr)));
        fed.erase(fed.begin() + j);
        fedIndex.erase(fedIndex.begin() + j);
      }
    }
    for (size_t j = 0; j < fed.size(); ++j) {
      std::vector<int64_t> dims(fed[j].dims().begin(), fed[j].dims().end());
      options.shapes.push_back(graph->input(fedIndex[j]).name() + "=" + dimsText(dims));
    }
    mlir::OwningOpRef<mlir::ModuleOp> module =
        kiln::importOnnxModel(ctx, copy, dir, "model.onnx", {options.consts, options.shapes, options.batch});
    if (!module)
      return {namesUnsupported(diags) ? Status::Unsupported : Status::Failed,
              "import: " + firstLine(diags)};

    mlir::PassManager pm(&ctx);
    kiln::buildKilnPipeline(pm, options, kiln::Stage::Static);
    if (failed(pm.run(*module)))
      return {namesUnsupported(diags) ? Status::Unsupported : Status::Failed,
              "static: " + firstLine(diags)};

    auto func = module->lookupSymbol<mlir::func::FuncOp>("main");
    std::vector<ref::Tensor> inputs;
    for (const onnx::TensorProto &t : fed) {
      std::string error;
      mlir::DenseElementsAttr attr = kiln::importTensor(ctx, t, dir, error);
      if (!attr)
        return {Status::Unsupported, "input: " + error};
      inputs.push_back(ref::Tensor::fromAttr(attr));
    }
    mlir::FailureOr<std::vector<ref::Tensor>> outputs = ref::evaluate(func, inputs);
    if (failed(outputs))
      return {Status::Failed, "evaluate: " + firstLine(diags)};

    // The GPU path: fuse the same static module, compile it to a plan (and, for ptx,
    // assemble it).
    std::vector<std::vector<uint8_t>> gpuOutputs;
    if (backend != Backend::Reference) {
      mlir::PassManager fuse(&ctx);
      kiln::buildKilnPipeline(fuse, options, kiln::Stage::Fused, kiln::Stage::Static);
      if (failed(fuse.run(*module)))
        return {Status::Failed, "fused: " + firstLine(diags)};
      kiln::codegen::CodegenOptions codegen;
      codegen.cubin = backend == Backend::Ptx; // ptxas validates every kernel
      std::vector<uint8_t> plan;
      if (failed(kiln::codegen::compileToPlan(*module, codegen, plan)))
        return {Status::Failed, "codegen: " + firstLine(diags)};
      if (backend == Backend::Gpu) {
        std::unique_ptr<kiln::exec::PlanExecutor> exec;
        std::string error;
        if (kiln::exec::PlanExecutor::create(plan.data(), plan.size(), true, exec, error) != KILN_STATUS_OK)
          return {Status::Failed, "session: " + error};
        std::vector<std::vector<uint8_t>> bytes;
        for (const ref::Tensor &t : inputs)
          bytes.emplace_back(t.bytes(), t.bytes() + t.numBytes());
        if (!exec->setInputs(bytes, error) || exec->run(error) != KILN_STATUS_OK)
          return {Status::Failed, "gpu run: " + error};
        gpuOutputs = exec->outputData();
      }
    }

    for (size_t i = 0; i < outputs->size(); ++i) {
      onnx::TensorProto t;
      if (!readProto(data + "/output_" + std::to_string(i) + ".pb", t))
        return {Status::Failed, "cannot read output " + std::to_string(i)};
      if (static_cast<int>(i) < graph->output_size())
        bfloat16AsDeclared(t, graph->output(static_cast<int>(i)).type());
      std::string error;
      mlir::DenseElementsAttr attr = kiln::importTensor(ctx, t, dir, error);
      if (!attr)
        return {Status::Unsupported, "expected output: " + error};
      ref::Tensor want = ref::Tensor::fromAttr(attr);
      std::string mismatch = compare((*outputs)[i], want, i);
      if (!mismatch.empty())
        return {Status::Failed, llvm::sys::path::filename(data).str() + ": " + mismatch};
      if (backend == Backend::Gpu) {
        ref::Tensor got = want;
        if (i >= gpuOutputs.size() || gpuOutputs[i].size() != got.numBytes())
          return {Status::Failed, "gpu: output " + std::to_string(i) + " has the wrong size"};
        std::copy(gpuOutputs[i].begin(), gpuOutputs[i].end(), got.bytes());
        mismatch = compare(got, want, i);
        if (!mismatch.empty())
          return {Status::Failed, llvm::sys::path::filename(data).str() + ": gpu: " + mismatch};
      }
    }
  return {Status::Passed, ""};
}

/// Runs one test folder (model.onnx + test_data_set_*) through the CPU path.
Outcome runTest(const std::string &dir, std::set<std::string> &opTypes) {
  onnx::ModelProto model;
  if (!readProto(dir + "/model.onnx", model))
    return {Status::Failed, "cannot read model.onnx"};
  for (const auto &node : model.graph().node())
    opTypes.insert(node.op_type());

  std::vector<std::string> dataSets;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
      dataSets.push_back(it->path());
  std::sort(dataSets.begin(), dataSets.end());
  if (dataSets.empty())
    return {Status::Failed, "no test_data_set folder"};

  for (const std::string &data : dataSets) {
    Outcome outcome = runDataSet(model, dir, data, /*freezeInts=*/false);
    // A value kiln needs at compile time came from a graph input: pin the integer
    // inputs as constants, as a user would, and try again.
    // The GPU code generator needs more of them (slice bounds, K of TopK...) than the
    // reference evaluator, which reads them at run time.
    const std::string &why = outcome.reason;
    bool codegenNeedsConstant = why.rfind("codegen:", 0) == 0 && why.find("constant") != std::string::npos;
    if (outcome.status != Status::Passed &&
        (why.find("must be a constant") != std::string::npos || why.find("training mode") != std::string::npos ||
         why.find("computed at run time") != std::string::npos || codegenNeedsConstant))
      outcome = runDataSet(model, dir, data, /*freezeInts=*/true);
    if (outcome.status != Status::Passed)
      return outcome;
  }
  return {Status::Passed, ""};
}

int usage() {
  std::cerr << "usage: kiln-conformance [--backend reference|ptx|gpu] [--filter TEXT] [--expected FILE] "
               "[--write-expected FILE] [--write-reasons FILE] [--report FILE] DATA_DIR...\n"
               "--backend ptx also compiles every test to PTX and assembles it with ptxas; gpu also\n"
               "runs the plan on the GPU and compares its outputs (exit 77, SKIPPED, when unavailable).\n"
               "--filter runs only the test folders whose name contains TEXT.\n"
               "Runs every test folder under each DATA_DIR (e.g. "
               "/usr/share/libonnx-testdata/data/node) and prints\n"
               "'N passed, M failed, K unsupported' with a per-op table. --expected lists "
               "tests that must pass\n(any that does not fails the run); --write-expected "
               "rewrites that list, --write-reasons the\nlist of the others with their reasons; --report writes every result.\n";
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  std::string expectedPath, writeExpected, writeReasons, reportPath, backendName = "reference", filter;
  std::vector<std::string> dataDirs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string &into) {
      if (i + 1 >= argc)
        return false;
      into = argv[++i];
      return true;
    };
    if (arg == "--expected" ? !value(expectedPath)
        : arg == "--write-expected" ? !value(writeExpected)
        : arg == "--report" ? !value(reportPath)
        : arg == "--write-reasons" ? !value(writeReasons)
        : arg == "--backend" ? !value(backendName)
        : arg == "--filter" ? !value(filter)
        : (arg.rfind("-", 0) == 0 ? true : (dataDirs.push_back(arg), false)))
      return usage();
  }
  if (dataDirs.empty())
    return usage();
  if (backendName == "ptx") {
    backend = Backend::Ptx;
    if (kiln::codegen::findPtxas().empty()) {
      std::printf("SKIPPED: no ptxas (set KILN_PTXAS or CUDA_HOME)\n");
      return 77;
    }
  } else if (backendName == "gpu") {
    backend = Backend::Gpu;
    std::string error;
    kiln_status_t status = kiln::exec::probeGpu(error);
    if (status != KILN_STATUS_OK) {
      std::printf("SKIPPED: no usable GPU (%s)\n", error.c_str());
      return 77;
    }
    // Sessions retain the device's primary context; one session held for the whole run
    // keeps it alive so each test does not create and tear down a context.
    kiln::plan::PlanWriter empty;
    empty.setTargetSm(30);
    std::vector<uint8_t> bytes;
    static std::unique_ptr<kiln::exec::PlanExecutor> keepContext;
    if (empty.serialize(bytes, error))
      kiln::exec::PlanExecutor::create(bytes.data(), bytes.size(), false, keepContext, error);
  } else if (backendName != "reference") {
    return usage();
  }

  struct Row { std::string name; Outcome outcome; };
  std::vector<Row> rows;
  std::map<std::string, std::array<int, 3>> perOp;
  for (const std::string &root : dataDirs) {
    std::vector<std::string> tests;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(root, ec), end; it != end && !ec; it.increment(ec))
      if (llvm::sys::fs::exists(it->path() + "/model.onnx") &&
          llvm::sys::path::filename(it->path()).contains(filter))
        tests.push_back(it->path());
    if (ec || (tests.empty() && filter.empty())) {
      std::cerr << "kiln-conformance: no tests under " << root << "\n";
      return 2;
    }
    std::sort(tests.begin(), tests.end());
    std::string prefix = llvm::sys::path::filename(root).str();
    for (const std::string &dir : tests) {
      std::set<std::string> ops;
      Outcome outcome = runTest(dir, ops);
      if (backend != Backend::Reference && outcome.status == Status::Failed) {
        // Reported as they happen, so a run cut short still tells what failed.
        std::printf("FAIL %s/%s: %s\n", prefix.c_str(), llvm::sys::path::filename(dir).str().c_str(),
                    outcome.reason.c_str());
        std::fflush(stdout);
      }
      for (const std::string &op : ops)
        ++perOp[op][static_cast<int>(outcome.status)];
      rows.push_back({prefix + "/" + llvm::sys::path::filename(dir).str(), outcome});
    }
  }

  int counts[3] = {0, 0, 0};
  for (const Row &row : rows)
    ++counts[static_cast<int>(row.outcome.status)];
  std::printf("%-28s %7s %7s %12s\n", "op", "passed", "failed", "unsupported");
  for (const auto &[op, c] : perOp)
    std::printf("%-28s %7d %7d %12d\n", op.c_str(), c[0], c[1], c[2]);

  if (!reportPath.empty()) {
    std::ofstream report(reportPath);
    for (const Row &row : rows)
      report << row.name << "\t" << statusName(row.outcome.status) << "\t" << row.outcome.reason
             << "\n";
  }
  if (!writeExpected.empty()) {
    std::ofstream out(writeExpected);
    out << "# Tests that must pass through kiln's CPU path (import, static pipeline, reference\n"
           "# evaluator). Regenerate with kiln-conformance --write-expected after an improvement.\n";
    for (const Row &row : rows)
      if (row.outcome.status == Status::Passed)
        out << row.name << "\n";
  }

  if (!writeReasons.empty()) {
    std::ofstream out(writeReasons);
    out << "# Every test that does not pass kiln's CPU path, with why (status, then the first\n"
           "# diagnostic or mismatch). Regenerate with kiln-conformance --write-reasons.\n";
    for (const Row &row : rows)
      if (row.outcome.status != Status::Passed)
        out << row.name << "\t" << statusName(row.outcome.status) << "\t" << row.outcome.reason
            << "\n";
  }

  int regressions = 0;
  if (!expectedPath.empty()) {
    std::ifstream in(expectedPath);
    if (!in) {
      std::cerr << "kiln-conformance: cannot read " << expectedPath << "\n";
      return 2;
    }
    std::map<std::string, const Outcome *> byName;
    for (const Row &row : rows)
      byName[row.name] = &row.outcome;
    std::string line;
    std::set<std::string> listed;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#')
        continue;
      listed.insert(line);
      auto it = byName.find(line);
      if (it == byName.end()) {
        // A folder that is not under the data directories given is not checked here.
        continue;
      }
      if (it->second->status != Status::Passed) {
        std::printf("REGRESSION %s: %s\n", line.c_str(), it->second->reason.c_str());
        ++regressions;
      }
    }
    for (const Row &row : rows)
      if (row.outcome.status == Status::Passed && !listed.count(row.name))
        std::printf("newly passing (add it to %s): %s\n", expectedPath.c_str(), row.name.c_str());
  }
  std::printf("%d passed, %d failed, %d unsupported\n", counts[0], counts[1], counts[2]);
  if (regressions)
    std::printf("%d listed tests no longer pass\n", regressions);
  return regressions ? 1 : 0;
}
