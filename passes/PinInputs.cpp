// kiln-pin-inputs: replaces graph inputs by constants given as name=VALUE (kiln's --const), so that shapes and branches depending on them fold.
#include "passes/InputValue.h"
#include "passes/Passes.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "kiln-pin-inputs"

namespace mlir::kiln {
#define GEN_PASS_DEF_PININPUTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

std::string inputName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, "kiln.name"))
    return name.getValue().str();
  return "#" + std::to_string(index);
}

struct PinInputsPass : kiln::impl::PinInputsPassBase<PinInputsPass> {
  using PinInputsPassBase::PinInputsPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (values.empty())
      return;
    llvm::StringMap<unsigned> byName;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      byName[inputName(func, i)] = i;

    bool ok = true;
    llvm::BitVector erase(func.getNumArguments());
    OpBuilder builder = OpBuilder::atBlockBegin(&func.getBody().front());
    for (StringRef spec : values) {
      auto [name, text] = spec.split('=');
      if (name.empty() || !spec.contains('=')) {
        emitError(func.getLoc()) << "const: expected NAME=VALUE or NAME=FILE.npy, got '" << spec << "'";
        ok = false;
        continue;
      }
      auto it = byName.find(name);
      if (it == byName.end()) {
        auto diag = emitError(func.getLoc()) << "const: the model has no input named '" << name << "' (inputs:";
        for (unsigned i = 0; i < func.getNumArguments() && i < 32; ++i)
          diag << " '" << inputName(func, i) << "'";
        diag << ")";
        ok = false;
        continue;
      }
      if (erase.test(it->second)) {
        emitError(func.getLoc()) << "const: input '" << name << "' is given twice";
        ok = false;
        continue;
      }
      BlockArgument arg = func.getArgument(it->second);
      auto declared = dyn_cast<RankedTensorType>(arg.getType());
      std::string error;
      DenseElementsAttr value = declared ? parseInputValue(text, declared, error) : DenseElementsAttr();
      if (!value) {
        emitError(arg.getLoc()) << "const: input '" << name << "': "
                                << (declared ? error : "is not a ranked tensor");
        ok = false;
        continue;
      }
      Value constant = ConstantOp::create(builder, arg.getLoc(), value);
      arg.replaceAllUsesWith(constant);
      erase.set(it->second);
    }
    if (!ok)
      return signalPassFailure();
    if (failed(func.eraseArguments(erase)))
      return signalPassFailure();
    // A value may be more static than its input was declared (a dynamic size now
    // known); a returned one changes the result type.
    Operation *terminator = func.getBody().back().getTerminator();
    func.setType(FunctionType::get(func.getContext(), func.getBody().getArgumentTypes(),
                                   terminator->getOperandTypes()));
  }
};

} // namespace
