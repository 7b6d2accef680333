// Helpers for the reference-evaluator unit tests: parse kiln IR, build tensors, run, compare.
#ifndef KILN_TESTS_UNIT_REFERENCE_REFTESTUTIL_H
#define KILN_TESTS_UNIT_REFERENCE_REFTESTUTIL_H

#include "compiler/Reference/Evaluator.h"
#include "compiler/Reference/Tensor.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace kiln::reftest {

using ref::DType;
using ref::Tensor;

/// A tensor of `dtype` and `shape` filled row-major from `values` (through setDouble, so
/// integers truncate and f16/bf16 round); the value count must match the shape.
Tensor make(DType dtype, std::vector<int64_t> shape, std::initializer_list<double> values);
/// Same through setInt, for exact 64-bit integers (wraps to narrower types).
Tensor makeInt(DType dtype, std::vector<int64_t> shape, std::initializer_list<int64_t> values);
/// The same from computed value lists (large or generated data).
Tensor makeFrom(DType dtype, std::vector<int64_t> shape, const std::vector<double> &values);
/// Shorthands for the common f32 case.
inline Tensor f32(std::vector<int64_t> shape, std::initializer_list<double> values) {
  return make(DType::F32, std::move(shape), values);
}

struct RunResult {
  bool ok = false;
  std::vector<Tensor> outputs;
  std::string diagnostics; // every diagnostic emitted while parsing and evaluating
};

/// Parses `ir` (one or more func.func, optionally inside a module) in a fresh context
/// with the import dialects loaded, and evaluates the func named `entry` (or the first
/// func) on `inputs`. A parse error gives ok == false with the parser's message.
RunResult run(const std::string &ir, std::vector<Tensor> inputs, const std::string &entry = "");

/// Runs and expects success with exactly one output, which is returned (a default
/// tensor, with a failed doctest check, otherwise).
Tensor runOne(const std::string &ir, std::vector<Tensor> inputs);

/// Doctest checks: same dtype and shape, and every element within
/// |got - want| <= tol * max(1, |want|) (NaN matches NaN, infinities match exactly).
void checkClose(const Tensor &got, DType dtype, std::vector<int64_t> shape,
                std::initializer_list<double> want, double tol = 1e-6);
void checkCloseTo(const Tensor &got, DType dtype, std::vector<int64_t> shape,
                  const std::vector<double> &want, double tol = 1e-6);
/// Exact integer comparison (through getInt).
void checkInts(const Tensor &got, DType dtype, std::vector<int64_t> shape,
               std::initializer_list<int64_t> want);
/// Doctest check that `r` failed and that its diagnostics contain `needle`.
void checkFails(const RunResult &r, const std::string &needle);

} // namespace kiln::reftest

#endif // KILN_TESTS_UNIT_REFERENCE_REFTESTUTIL_H
