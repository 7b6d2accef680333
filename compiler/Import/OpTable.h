// The importer's dispatch table: (ONNX op_type, since_version) -> kiln op, with the
// arity rules and the hooks that normalize older opset forms.
#ifndef KILN_IMPORT_OPTABLE_H
#define KILN_IMPORT_OPTABLE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <vector>

namespace onnx {
class NodeProto;
}

namespace kiln {

/// One node on its way to becoming a kiln op: hooks may rewrite its operands,
/// attributes and target op before it is created.
struct NodeImport {
  const onnx::NodeProto &node;
  int64_t opset;
  mlir::OpBuilder &builder;
  mlir::Location loc;
  llvm::StringRef opName;                  // e.g. "kiln.conv"
  llvm::SmallVector<mlir::Value> operands; // `none` values for absent inputs
  mlir::NamedAttrList attributes;          // ONNX attributes, converted generically
  mlir::Value none;                        // the function's kiln.none value

  mlir::InFlightDiagnostic error() const { return mlir::emitError(loc); }
  /// A kiln.constant holding `values` (0-d when `scalar`, else 1-D) of element type i64.
  mlir::Value constantI64(llvm::ArrayRef<int64_t> values, bool scalar = false);
  /// A 0-d kiln.constant of `elementType` holding `value`.
  mlir::Value scalarOf(mlir::Type elementType, double value);
  /// Removes attribute `name` and returns it (null when absent).
  mlir::Attribute take(llvm::StringRef name);
  /// Moves the constant integer operand at `index` into attribute `attr` and drops the
  /// operand; a `none` operand drops silently. Fails when it is not a constant.
  mlir::LogicalResult operandToAttr(unsigned index, llvm::StringRef attr);
};

using ImportHook = mlir::LogicalResult (*)(NodeImport &);

struct OpImportRule {
  const char *onnxType;
  int sinceVersion;       // applies to opsets >= this (until the next rule of the type)
  const char *opName;     // the kiln op it becomes
  int maxNodeInputs;      // ONNX inputs this version takes (-1: variadic)
  int requiredOperands;   // leading kiln operands that must not be `none`
  int numResults;         // kiln results (-1: one per node output, for Split)
  const char *requiredAttrs; // space-separated attribute names the op cannot do without
  ImportHook hook;        // normalizes this version's form, or null
};

/// The rule for `opType` in `opset`, or null when kiln does not support it there.
const OpImportRule *findImportRule(llvm::StringRef opType, int64_t opset);

/// Every rule, for tests that check the table against the registered ops.
llvm::ArrayRef<OpImportRule> allImportRules();

} // namespace kiln

#endif // KILN_IMPORT_OPTABLE_H
