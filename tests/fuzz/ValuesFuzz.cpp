// libFuzzer target: the --shape and --const parsers, on a fixed model and on declared types the input picks.
//
// Input: lines. "s NAME=..." is a --shape, "c NAME=..." a --const, for a model with
// inputs x (f32 [?, ?]), k (i64 [1]), shape (i64 [2]), flag (bool []), scale (f16 [2, 2])
// feeding TopK and Reshape; the static stage then runs. "v <type> TEXT" parses TEXT
// directly for a declared type picked by <type> (0-9).
#include "compiler/Import/OnnxImporter.h"
#include "compiler/Pipeline/Pipeline.h"
#include "kiln_onnx.pb.h"
#include "passes/InputValue.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace {

onnx::ModelProto makeModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto *g = model.mutable_graph();
  auto input = [&](const char *name, int type, std::vector<int64_t> dims) {
    onnx::ValueInfoProto *v = g->add_input();
    v->set_name(name);
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    auto *shape = t->mutable_shape();
    for (int64_t d : dims) {
      if (d < 0)
        shape->add_dim()->set_dim_param("n");
      else
        shape->add_dim()->set_dim_value(d);
    }
  };
  input("x", onnx::TensorProto::FLOAT, {-1, -1});
  input("k", onnx::TensorProto::INT64, {1});
  input("shape", onnx::TensorProto::INT64, {2});
  input("flag", onnx::TensorProto::BOOL, {});
  input("scale", onnx::TensorProto::FLOAT16, {2, 2});
  auto node = [&](const char *op, std::vector<const char *> in, std::vector<const char *> out) {
    onnx::NodeProto *n = g->add_node();
    n->set_op_type(op);
    n->set_name(op);
    for (const char *i : in)
      n->add_input(i);
    for (const char *o : out) {
      n->add_output(o);
      g->add_output()->set_name(o);
    }
  };
  node("TopK", {"x", "k"}, {"top", "where"});
  node("Reshape", {"x", "shape"}, {"reshaped"});
  node("Not", {"flag"}, {"notflag"});
  node("Identity", {"scale"}, {"scaled"});
  return model;
}

mlir::RankedTensorType declaredType(mlir::MLIRContext &context, char which) {
  using namespace mlir;
  auto dyn = ShapedType::kDynamic;
  switch (which) {
  case '0': return RankedTensorType::get({}, Float32Type::get(&context));
  case '1': return RankedTensorType::get({dyn}, IntegerType::get(&context, 64));
  case '2': return RankedTensorType::get({2, dyn}, IntegerType::get(&context, 8));
  case '3': return RankedTensorType::get({3}, IntegerType::get(&context, 16, IntegerType::Unsigned));
  case '4': return RankedTensorType::get({1}, IntegerType::get(&context, 1));
  case '5': return RankedTensorType::get({2, 2}, Float16Type::get(&context));
  case '6': return RankedTensorType::get({dyn, dyn, dyn}, BFloat16Type::get(&context));
  case '7': return RankedTensorType::get({1, 1}, Float64Type::get(&context));
  case '8': return RankedTensorType::get({4}, IntegerType::get(&context, 32));
  default: return RankedTensorType::get({dyn}, IntegerType::get(&context, 64, IntegerType::Unsigned));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096)
    return 0;
  static const onnx::ModelProto model = makeModel();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  bool errors = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    errors |= d.getSeverity() == mlir::DiagnosticSeverity::Error;
    return mlir::success();
  });
  kiln::ImportOptions import;
  kiln::PipelineOptions options;
  bool direct = false;
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    if (line.consume_front("s "))
      options.shapes.push_back(line.str());
    else if (line.consume_front("c ")) {
      // Only inline values: a fuzzer should not read arbitrary files.
      if (!line.ends_with(".npy"))
        import.consts.push_back(line.str());
    } else if (line.consume_front("v ") && !line.empty()) {
      direct = true;
      std::string error;
      mlir::DenseElementsAttr value =
          mlir::kiln::parseInputValue(line.drop_front(), declaredType(context, line.front()), error);
      if (!value && error.empty())
        __builtin_trap(); // a refusal must say why
    }
  }
  if (direct && options.shapes.empty() && import.consts.empty())
    return 0;
  mlir::OwningOpRef<mlir::ModuleOp> module = kiln::importOnnxModel(context, model, "/nonexistent", "fuzz.onnx", import);
  if (!module) {
    if (!errors)
      __builtin_trap();
    return 0;
  }
  mlir::PassManager pm(&context);
  kiln::buildKilnPipeline(pm, options, kiln::Stage::Static);
  if (failed(pm.run(*module)) && !errors)
    __builtin_trap();
  return 0;
}
