// Lowering of kiln's gpu.module through NVVM to PTX with LLVM's NVPTX backend, plus ptxas.
#include "codegen/Target/NvvmTarget.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"

#include <cstdlib>
#include <set>

using namespace mlir;

namespace kiln::codegen {

void registerTargetDialects(MLIRContext &context) {
  DialectRegistry registry;
  registry.insert<arith::ArithDialect, cf::ControlFlowDialect, func::FuncDialect, gpu::GPUDialect,
                  index::IndexDialect, LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  NVVM::NVVMDialect, scf::SCFDialect, ub::UBDialect, vector::VectorDialect>();
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  context.appendDialectRegistry(registry);
  context.loadDialect<arith::ArithDialect, cf::ControlFlowDialect, gpu::GPUDialect, LLVM::LLVMDialect,
                      math::MathDialect, memref::MemRefDialect, NVVM::NVVMDialect, scf::SCFDialect,
                      vector::VectorDialect>();
}

std::optional<unsigned> parseArch(llvm::StringRef arch) {
  for (unsigned sm : {80u, 86u, 89u, 90u})
    if (arch == ("sm_" + llvm::Twine(sm)).str())
      return sm;
  return std::nullopt;
}

namespace {
bool exists(const std::string &p) { return !p.empty() && llvm::sys::fs::exists(p); }

std::string fromRoots(llvm::StringRef relative) {
  for (const char *var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (const char *root = std::getenv(var)) {
      std::string p = (llvm::Twine(root) + "/" + relative).str();
      if (exists(p))
        return p;
    }
  std::string p = ("/usr/local/cuda/" + relative).str();
  return exists(p) ? p : std::string();
}
} // namespace

std::string findLibdevice(llvm::StringRef explicitPath) {
  if (!explicitPath.empty())
    return explicitPath.str();
  if (const char *p = std::getenv("KILN_LIBDEVICE"))
    return p;
  return fromRoots("nvvm/libdevice/libdevice.10.bc");
}

std::string findPtxas() {
  if (const char *p = std::getenv("KILN_PTXAS"))
    return p;
  std::string p = fromRoots("bin/ptxas");
  if (!p.empty())
    return p;
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  return {};
}

namespace {
/// libdevice functions that are single PTX instructions (fma.rn, sqrt.rn, abs, cvt.rm/rp/rni)
/// become LLVM intrinsics after the NVVM conversion (which maps the math dialect to
/// libdevice calls): the same instructions, without making every model need the CUDA
/// toolkit's libdevice.
void libdeviceCallsToIntrinsics(ModuleOp module) {
  SmallVector<LLVM::CallOp> calls;
  module.walk([&](LLVM::CallOp call) {
    if (auto callee = call.getCallee(); callee && callee->starts_with("__nv_"))
      calls.push_back(call);
  });
  llvm::SmallPtrSet<Operation *, 8> decls;
  for (LLVM::CallOp call : calls) {
    StringRef name = *call.getCallee();
    StringRef base = name.drop_front(5);
    if (base.ends_with("f") && base != "f")
      base = base.drop_back(); // __nv_sqrtf -> sqrt, __nv_sqrt -> sqrt
    if (call.getNumResults() != 1)
      continue;
    OpBuilder b(call);
    Location loc = call.getLoc();
    Type t = call.getResult().getType();
    ValueRange args = call.getArgOperands();
    Value r;
    if (base == "fma" && args.size() == 3)
      r = LLVM::FMAOp::create(b, loc, args[0], args[1], args[2],
                              LLVM::FastmathFlagsAttr::get(b.getContext(), LLVM::FastmathFlags::none));
    else if (args.size() != 1)
      continue;
    else if (base == "sqrt")
      r = LLVM::SqrtOp::create(b, loc, t, args[0]);
    else if (base == "fabs")
      r = LLVM::FAbsOp::create(b, loc, t, args[0]);
    else if (base == "floor")
      r = LLVM::FFloorOp::create(b, loc, t, args[0]);
    else if (base == "ceil")
      r = LLVM::FCeilOp::create(b, loc, t, args[0]);
    else if (base == "rint")
      r = LLVM::RoundEvenOp::create(b, loc, t, args[0]);
    if (!r)
      continue;
    if (Operation *decl = SymbolTable::lookupNearestSymbolFrom(call, call.getCalleeAttr()))
      decls.insert(decl);
    call.getResult().replaceAllUsesWith(r);
    call.erase();
  }
  for (Operation *decl : decls)
    if (SymbolTable::symbolKnownUseEmpty(decl, decl->getParentOp()))
      decl->erase();
}
} // namespace

namespace {
/// The bit width of index arithmetic in the kernels: 64, or 32 with KILN_INDEX_BITS=32 (a
/// tuning knob like KILN_GEMM, for timing both on a GPU machine: not an option for users).
/// 32 bits are used only when every kernel parameter holds fewer than 2^27 elements, so
/// that offsets, thread indices and the intermediate terms of index arithmetic (a small
/// multiple of a tensor's size at most) stay far below 2^31. Data-dependent indices (Gather
/// and the like) are then narrowed to 32 bits before the kernels' range checks.
unsigned indexBits(ModuleOp module) {
  const char *env = std::getenv("KILN_INDEX_BITS");
  if (!env || llvm::StringRef(env) != "32")
    return 64;
  constexpr int64_t kLimit = int64_t(1) << 27;
  int64_t largest = 0;
  module.walk([&](gpu::GPUFuncOp func) {
    for (Type t : func.getArgumentTypes())
      if (auto m = dyn_cast<MemRefType>(t)) {
        int64_t n = m.getNumElements();
        if (auto v = dyn_cast<VectorType>(m.getElementType()))
          n *= v.getNumElements();
        largest = std::max(largest, n);
      }
  });
  if (largest >= kLimit) {
    llvm::errs() << "kiln: KILN_INDEX_BITS=32 ignored: a kernel parameter holds " << largest
                 << " elements (the limit is 2^27)\n";
    return 64;
  }
  // A pointer taken as an integer index (the float atomics of scatter reductions) would
  // lose its upper half.
  bool pointerAsIndex = false;
  module.walk([&](memref::ExtractAlignedPointerAsIndexOp) { pointerAsIndex = true; });
  if (pointerAsIndex) {
    llvm::errs() << "kiln: KILN_INDEX_BITS=32 ignored: a kernel computes a pointer as an index\n";
    return 64;
  }
  llvm::errs() << "kiln: KILN_INDEX_BITS=32: kernels index in 32 bits (for tuning only)\n";
  return 32;
}
} // namespace

LogicalResult lowerToNvvm(ModuleOp module, llvm::StringRef arch, llvm::StringRef libdevice) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  GpuNVVMAttachTargetOptions target;
  target.chip = arch.str();
  target.optLevel = 3;
  if (!libdevice.empty())
    target.linkLibs.push_back(libdevice.str());
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &gpu = pm.nest<gpu::GPUModuleOp>();
  gpu.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  nvvm.indexBitwidth = indexBits(module);
  gpu.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  gpu.addPass(createCanonicalizerPass());
  gpu.addPass(createCSEPass());
  gpu.addPass(createReconcileUnrealizedCastsPass());
  if (failed(pm.run(module)))
    return failure();
  libdeviceCallsToIntrinsics(module);
  return success();
}

FailureOr<std::string> serializeToPtx(ModuleOp module, bool haveLibdevice) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  GpuModuleToBinaryPassOptions options;
  options.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(options));
  // The serializer also looks for libdevice in its own CUDA path and reports an error
  // when there is none, even for kernels that need no math library; whether libdevice
  // was needed is decided below from the PTX, with a message that says what to do.
  ScopedDiagnosticHandler quiet(module.getContext(), [&](Diagnostic &d) {
    std::string text = d.str();
    bool toolkitLookup = llvm::StringRef(text).starts_with("CUDA path:") ||
                         llvm::StringRef(text).starts_with("LibDevice path:");
    return success(toolkitLookup && !haveLibdevice);
  });
  if (failed(pm.run(module)))
    return failure();
  std::string ptx;
  module.walk([&](gpu::BinaryOp bin) {
    for (Attribute a : bin.getObjects())
      ptx += cast<gpu::ObjectAttr>(a).getObject().getValue().str();
  });
  // Calls into libdevice that were not linked stay as external declarations.
  std::set<std::string> missing;
  llvm::Regex externNv("\\.extern \\.func[^(]*\\(?[^)]*\\)? *(__nv_[A-Za-z0-9_]+)");
  llvm::StringRef rest(ptx);
  llvm::SmallVector<llvm::StringRef> groups;
  while (externNv.match(rest, &groups)) {
    missing.insert(groups[1].str());
    rest = rest.substr(rest.find(groups[0]) + groups[0].size());
  }
  if (!missing.empty()) {
    std::string names;
    for (const std::string &n : missing)
      names += (names.empty() ? "" : ", ") + n;
    return emitError(module.getLoc()) << "the kernels call libdevice math functions (" << names << ") but "
           << (haveLibdevice ? "linking libdevice did not provide them"
                             : "libdevice.10.bc was not found: pass --libdevice PATH, set KILN_LIBDEVICE "
                               "or CUDA_HOME, or install the CUDA toolkit in /usr/local/cuda"),
           failure();
  }
  return ptx;
}

bool assemblePtx(const std::string &ptxas, const std::string &ptx, llvm::StringRef arch,
                 std::vector<uint8_t> &cubin, std::vector<KernelResources> &resources, std::string &error) {
  llvm::SmallString<128> in, out, log;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("kiln", "ptx", fd, in) ||
      llvm::sys::fs::createTemporaryFile("kiln", "cubin", out) ||
      llvm::sys::fs::createTemporaryFile("kiln", "log", log)) {
    error = "cannot create temporary files for ptxas";
    return false;
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << ptx;
  }
  std::string archFlag = ("-arch=" + arch).str();
  std::string outPath = out.str().str();
  llvm::SmallVector<llvm::StringRef> args = {ptxas, archFlag, "-O3", "-v", in, "-o", outPath};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(), log.str()};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0, &execError);
  auto logText = llvm::MemoryBuffer::getFile(log);
  std::string text = logText ? (*logText)->getBuffer().str() : std::string();
  bool ok = rc == 0;
  if (!ok)
    error = "ptxas failed (" + (execError.empty() ? "exit " + std::to_string(rc) : execError) + "):\n" + text;
  if (ok) {
    auto bin = llvm::MemoryBuffer::getFile(out, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    if (!bin) {
      error = "ptxas wrote no cubin";
      ok = false;
    } else {
      cubin.assign((*bin)->getBufferStart(), (*bin)->getBufferEnd());
    }
    // "Compiling entry function 'k' for 'sm_90'" then "Used N registers, ... S bytes smem".
    llvm::StringRef rest(text);
    KernelResources current;
    while (!rest.empty()) {
      auto [line, tail] = rest.split('\n');
      rest = tail;
      size_t q = line.find("Compiling entry function '");
      if (q != llvm::StringRef::npos) {
        llvm::StringRef name = line.substr(q + 26);
        current = KernelResources{name.take_until([](char c) { return c == '\''; }).str()};
        continue;
      }
      size_t spill = line.find("bytes spill stores");
      if (spill != llvm::StringRef::npos) {
        llvm::StringRef num = line.substr(0, spill).rtrim().rsplit(' ').second;
        num.getAsInteger(10, current.spillBytes);
      }
      size_t used = line.find("Used ");
      if (used != llvm::StringRef::npos && !current.name.empty()) {
        llvm::StringRef tailText = line.substr(used + 5);
        tailText.take_until([](char c) { return c == ' '; }).getAsInteger(10, current.registers);
        size_t smem = tailText.find(" bytes smem");
        if (smem != llvm::StringRef::npos) {
          llvm::StringRef before = tailText.substr(0, smem);
          before.rsplit(' ').second.getAsInteger(10, current.sharedBytes);
        }
        resources.push_back(current);
        current = KernelResources{};
      }
    }
  }
  llvm::sys::fs::remove(in);
  llvm::sys::fs::remove(out);
  llvm::sys::fs::remove(log);
  return ok;
}

} // namespace kiln::codegen
