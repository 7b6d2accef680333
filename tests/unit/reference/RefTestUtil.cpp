// Test helpers of the reference-evaluator unit tests (see RefTestUtil.h).
#include "RefTestUtil.h"

#include "compiler/Import/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

namespace kiln::reftest {

static std::string shapeStr(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Tensor make(DType dtype, std::vector<int64_t> shape, std::initializer_list<double> values) {
  return makeFrom(dtype, std::move(shape), std::vector<double>(values));
}

Tensor makeFrom(DType dtype, std::vector<int64_t> shape, const std::vector<double> &values) {
  Tensor t(dtype, shape);
  REQUIRE_MESSAGE(static_cast<int64_t>(values.size()) == t.numElements(),
                  "value count does not match shape " << shapeStr(shape));
  int64_t i = 0;
  for (double v : values)
    t.setDouble(i++, v);
  return t;
}

Tensor makeInt(DType dtype, std::vector<int64_t> shape, std::initializer_list<int64_t> values) {
  Tensor t(dtype, shape);
  REQUIRE_MESSAGE(static_cast<int64_t>(values.size()) == t.numElements(),
                  "value count does not match shape " << shapeStr(shape));
  int64_t i = 0;
  for (int64_t v : values)
    t.setInt(i++, v);
  return t;
}

RunResult run(const std::string &ir, std::vector<Tensor> inputs, const std::string &entry) {
  RunResult result;
  mlir::MLIRContext ctx;
  kiln::loadImportDialects(ctx);
  llvm::raw_string_ostream diag(result.diagnostics);
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    diag << d << "\n";
    for (mlir::Diagnostic &note : d.getNotes())
      diag << "  note: " << note << "\n";
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceString<mlir::ModuleOp>(ir, &ctx);
  if (!module)
    return result;
  mlir::func::FuncOp func;
  for (auto f : module->getOps<mlir::func::FuncOp>())
    if (entry.empty() || f.getSymName() == entry) {
      func = f;
      break;
    }
  if (!func) {
    diag << "no func named '" << entry << "'\n";
    return result;
  }
  mlir::FailureOr<std::vector<Tensor>> out = ref::evaluate(func, inputs);
  if (succeeded(out)) {
    result.ok = true;
    result.outputs = std::move(*out);
  }
  return result;
}

Tensor runOne(const std::string &ir, std::vector<Tensor> inputs) {
  RunResult r = run(ir, std::move(inputs));
  INFO("diagnostics: " << r.diagnostics);
  CHECK(r.ok);
  CHECK(r.outputs.size() == 1);
  if (!r.ok || r.outputs.size() != 1)
    return Tensor();
  return std::move(r.outputs[0]);
}

static bool sameHeader(const Tensor &got, DType dtype, const std::vector<int64_t> &shape) {
  INFO("got " << ref::dtypeName(got.dtype()) << shapeStr(got.shape()) << ", want "
              << ref::dtypeName(dtype) << shapeStr(shape));
  bool ok = got.dtype() == dtype && got.shape() == llvm::ArrayRef<int64_t>(shape);
  CHECK(ok);
  return ok;
}

void checkClose(const Tensor &got, DType dtype, std::vector<int64_t> shape,
                std::initializer_list<double> want, double tol) {
  checkCloseTo(got, dtype, std::move(shape), std::vector<double>(want), tol);
}

void checkCloseTo(const Tensor &got, DType dtype, std::vector<int64_t> shape,
                  const std::vector<double> &want, double tol) {
  if (!sameHeader(got, dtype, shape))
    return;
  REQUIRE(static_cast<int64_t>(want.size()) == got.numElements());
  int64_t i = 0;
  for (double w : want) {
    double g = got.getDouble(i);
    bool ok;
    if (std::isnan(w))
      ok = std::isnan(g);
    else if (std::isinf(w))
      ok = g == w;
    else
      ok = std::fabs(g - w) <= tol * std::max(1.0, std::fabs(w));
    INFO("element " << i << ": got " << g << ", want " << w);
    CHECK(ok);
    ++i;
  }
}

void checkInts(const Tensor &got, DType dtype, std::vector<int64_t> shape,
               std::initializer_list<int64_t> want) {
  if (!sameHeader(got, dtype, shape))
    return;
  REQUIRE(static_cast<int64_t>(want.size()) == got.numElements());
  int64_t i = 0;
  for (int64_t w : want) {
    INFO("element " << i);
    CHECK(got.getInt(i) == w);
    ++i;
  }
}

void checkFails(const RunResult &r, const std::string &needle) {
  INFO("diagnostics: " << r.diagnostics);
  CHECK_FALSE(r.ok);
  CHECK(r.diagnostics.find(needle) != std::string::npos);
}

} // namespace kiln::reftest
