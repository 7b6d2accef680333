// The table of kernel generators, one register function per op family.
#include "codegen/Kernels/Generators.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

namespace kiln::codegen {

const GeneratorTable &generatorTable() {
  static const GeneratorTable table = [] {
    GeneratorTable t;
    registerElementwiseGenerators(t);
    registerReductionGenerators(t);
    registerDataMovementGenerators(t);
    registerContractionGenerators(t);
    registerPoolingGenerators(t);
    registerRecurrentGenerators(t);
    registerQuantizedGenerators(t);
    registerAlgebraGenerators(t);
    registerSignalGenerators(t);
    registerSamplingGenerators(t);
    t["kiln.fused"] = generateFused;
    return t;
  }();
  return table;
}

Generator generatorFor(mlir::Operation *op) {
  if (op->hasTrait<mlir::kiln::OpTrait::ElementwiseMap>())
    return elementwiseGenerator();
  auto it = generatorTable().find(op->getName().getStringRef());
  return it == generatorTable().end() ? nullptr : it->second;
}

} // namespace kiln::codegen
