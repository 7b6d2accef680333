// Test helpers for the data-movement, contraction and pooling reference tests: replay an
// ONNX backend node test (model.onnx plus its input_*.pb / output_*.pb) through the
// importer and the reference evaluator, and build tensors from computed value lists.
#ifndef KILN_TESTS_UNIT_REFERENCE_ONNXNODECHECK_H
#define KILN_TESTS_UNIT_REFERENCE_ONNXNODECHECK_H

#include "RefTestUtil.h"
#include <doctest/doctest.h>
#include "compiler/Import/OnnxImporter.h"
#include "compiler/Import/TensorImport.h"
#include "compiler/Reference/Evaluator.h"
#include "kiln_onnx.pb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::nodecheck {

/// An f32 tensor of `shape` holding `values`.
inline ref::Tensor f32(llvm::ArrayRef<int64_t> shape, const std::vector<double> &values) {
  ref::Tensor t(ref::DType::F32, shape);
  for (size_t i = 0; i < values.size(); ++i)
    t.setDouble(static_cast<int64_t>(i), values[i]);
  return t;
}

/// An integer tensor (I64 unless told otherwise) of `shape` holding `values`.
inline ref::Tensor ints(llvm::ArrayRef<int64_t> shape, const std::vector<int64_t> &values,
                        ref::DType dtype = ref::DType::I64) {
  ref::Tensor t(dtype, shape);
  for (size_t i = 0; i < values.size(); ++i)
    t.setInt(static_cast<int64_t>(i), values[i]);
  return t;
}

inline std::vector<double> values(const ref::Tensor &t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getDouble(i));
  return v;
}

inline bool readTensorFile(mlir::MLIRContext &ctx, const std::string &path, ref::Tensor &out,
                           std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(buf.str())) {
    error = "cannot parse " + path;
    return false;
  }
  mlir::DenseElementsAttr attr = kiln::importTensor(ctx, proto, "", error);
  if (!attr)
    return false;
  out = ref::Tensor::fromAttr(attr);
  return true;
}

inline const char *kOnnxNodeDir = "/usr/share/libonnx-testdata/data/node/";

/// Whether the ONNX backend test data is installed (tests that need it say so).
inline bool haveOnnxNodeData() { return std::ifstream(std::string(kOnnxNodeDir) + "test_slice/model.onnx").good(); }

inline bool readTensorProto(const std::string &path, onnx::TensorProto &proto,
                            std::string &error) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  if (!in || !proto.ParseFromString(buf.str())) {
    error = "cannot read " + path;
    return false;
  }
  return true;
}

/// Imports ONNX backend node test `name`, evaluates test_data_set_0's inputs with the
/// reference evaluator and compares every output with the stored one: exact dtype and
/// shape, and each element within `atol + rtol * |expected|`. Graph inputs listed in
/// `frozen` (by position) become initializers holding their test values, for operands
/// such as Squeeze-13's `axes` that kiln needs at compile time. Returns "" on success,
/// or what differs.
inline std::string checkOnnxNode(const std::string &name, std::vector<int> frozen = {},
                                 double rtol = 1e-5, double atol = 1e-6) {
  std::string dir = std::string(kOnnxNodeDir) + name + "/";
  std::string data = dir + "test_data_set_0/";
  mlir::MLIRContext ctx;
  kiln::loadImportDialects(ctx);
  std::string diags, error;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    diags += d.str() + "\n";
    return mlir::success();
  });
  onnx::ModelProto model;
  {
    std::ifstream in(dir + "model.onnx", std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in || !model.ParseFromString(buf.str()))
      return name + ": cannot read model.onnx";
  }
  onnx::GraphProto *graph = model.mutable_graph();
  std::vector<int> inputFiles;
  for (int i = 0; i < graph->input_size(); ++i)
    inputFiles.push_back(i);
  std::sort(frozen.rbegin(), frozen.rend());
  for (int idx : frozen) {
    onnx::TensorProto value;
    if (idx >= graph->input_size() ||
        !readTensorProto(data + "input_" + std::to_string(idx) + ".pb", value, error))
      return name + ": cannot freeze input " + std::to_string(idx) + " " + error;
    value.set_name(graph->input(idx).name());
    *graph->add_initializer() = value;
    graph->mutable_input()->DeleteSubrange(idx, 1);
    inputFiles.erase(inputFiles.begin() + idx);
  }
  mlir::OwningOpRef<mlir::ModuleOp> module = kiln::importOnnxModel(ctx, model, dir, "model.onnx");
  if (!module)
    return name + ": import failed: " + diags;
  auto funcs = module->getOps<mlir::func::FuncOp>();
  if (funcs.empty())
    return name + ": no function";
  mlir::func::FuncOp func = *funcs.begin();
  std::vector<ref::Tensor> inputs;
  if (func.getNumArguments() != inputFiles.size())
    return name + ": the function does not take the graph's inputs";
  for (int i : inputFiles) {
    ref::Tensor t;
    if (!readTensorFile(ctx, data + "input_" + std::to_string(i) + ".pb", t, error))
      return name + ": " + error;
    inputs.push_back(std::move(t));
  }
  mlir::FailureOr<std::vector<ref::Tensor>> out = ref::evaluate(func, inputs);
  if (failed(out))
    return name + ": evaluation failed: " + diags;
  for (size_t i = 0; i < out->size(); ++i) {
    ref::Tensor expected;
    if (!readTensorFile(ctx, data + "output_" + std::to_string(i) + ".pb", expected, error))
      return name + ": " + error;
    const ref::Tensor &got = (*out)[i];
    if (got.dtype() != expected.dtype() || got.shape() != expected.shape())
      return name + ": output " + std::to_string(i) + " has the wrong type or shape";
    for (int64_t e = 0; e < got.numElements(); ++e) {
      double g = got.getDouble(e), x = expected.getDouble(e);
      if (std::isnan(x) ? !std::isnan(g) : !(std::fabs(g - x) <= atol + rtol * std::fabs(x)))
        return name + ": output " + std::to_string(i) + " element " + std::to_string(e) +
               " is " + std::to_string(g) + ", expected " + std::to_string(x);
    }
  }
  return "";
}

/// Evaluates `func.func @f(<args>) -> (<results>) { <body> }` on `inputs`.
inline reftest::RunResult runFunc(const std::string &args, const std::string &results,
                                  const std::string &body, std::vector<ref::Tensor> inputs) {
  return reftest::run("func.func @f(" + args + ") -> (" + results + ") {\n" + body + "\n}",
                      std::move(inputs));
}

/// Replays ONNX backend node tests through the evaluator (SKIPPED without the data);
/// `frozen` lists graph inputs to import as constants (axes/split passed as inputs).
inline void checkNodes(std::initializer_list<const char *> names, std::vector<int> frozen = {}) {
  if (!haveOnnxNodeData()) {
    MESSAGE("SKIPPED: ONNX backend test data not installed");
    return;
  }
  for (const char *name : names) {
    std::string r = checkOnnxNode(name, frozen);
    CHECK_MESSAGE(r.empty(), r);
  }
}

} // namespace kiln::nodecheck

#endif // KILN_TESTS_UNIT_REFERENCE_ONNXNODECHECK_H
