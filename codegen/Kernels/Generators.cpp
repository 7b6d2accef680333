// The table of kernel generators, one register function per op family.
#include "codegen/Kernels/Generators.h"

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
    return t;
  }();
  return table;
}

} // namespace kiln::codegen
