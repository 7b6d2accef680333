// The back half of kiln: static-stage host function -> kernels (gpu stage) -> NVVM (llvm
// stage) -> PTX -> memory plan and .kiln artifact.
#include "codegen/Driver/Codegen.h"

#include "codegen/Driver/GraphDot.h"

#include "codegen/Kernels/Generators.h"
#include "codegen/Plan/MemoryPlanner.h"
#include "codegen/Plan/PlanWriter.h"
#include "codegen/Target/NvvmTarget.h"
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <limits>
#include <map>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {

std::optional<CodegenStage> parseCodegenStage(llvm::StringRef name) {
  if (name == "gpu") return CodegenStage::Gpu;
  if (name == "llvm") return CodegenStage::Llvm;
  if (name == "ptx") return CodegenStage::Ptx;
  if (name == "plan") return CodegenStage::Plan;
  if (name == "dot") return CodegenStage::Dot;
  return std::nullopt;
}

namespace {

constexpr int64_t kBakeLimit = 1024; // constant operands up to this size are part of a kernel's key

/// A launch together with the host op it came from.
struct HostLaunch {
  Launch launch;
  Operation *origin;
  int64_t step; // position of `origin` in the host function (1-based)
};

/// What the host side knows after kernel generation.
struct HostProgram {
  func::FuncOp func;
  std::vector<HostLaunch> launches;
  llvm::DenseMap<Value, Value> aliasOf; // reshape results -> the value whose bytes they view
  llvm::DenseMap<Operation *, int64_t> step;
};

Value rootOf(const HostProgram &p, Value v) {
  for (auto it = p.aliasOf.find(v); it != p.aliasOf.end(); it = p.aliasOf.find(v))
    v = it->second;
  return v;
}

bool isConstant(Value v) { return v.getDefiningOp<k::ConstantOp>() != nullptr; }

/// The bytes of `t` transposed: dimension d of the result is dimension perm[d] of `t`.
std::vector<uint8_t> permutedBytes(const ref::Tensor &t, ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> shape = t.shape();
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  const size_t elem = n ? t.numBytes() / static_cast<size_t>(n) : 0;
  SmallVector<int64_t> strides(shape.size(), 1), outShape;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  for (int64_t d : perm)
    outShape.push_back(shape[d]);
  std::vector<uint8_t> out(t.numBytes());
  SmallVector<int64_t> index(shape.size(), 0); // in the result's dimensions
  for (int64_t i = 0; i < n; ++i) {
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      src += index[d] * strides[perm[d]];
    std::memcpy(out.data() + static_cast<size_t>(i) * elem, t.bytes() + static_cast<size_t>(src) * elem, elem);
    for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// A key equal for ops that get identical kernels: name, attributes, operand and result
/// types, and the values of small constant operands (which generators may bake in); for
/// a fused region, its body as printed (small constants included, large ones elided).
std::string kernelKey(Operation *op) {
  std::string key;
  llvm::raw_string_ostream os(key);
  if (isa<k::FusedOp>(op))
    op->print(os, OpPrintingFlags().elideLargeElementsAttrs(kBakeLimit).useLocalScope());
  os << op->getName() << op->getAttrDictionary();
  for (Value v : op->getOperands()) {
    os << "|" << v.getType();
    DenseElementsAttr attr;
    if (matchPattern(v, m_Constant(&attr))) {
      os << "=const";
      if (attr.getNumElements() <= kBakeLimit)
        os << attr;
    }
  }
  for (Type t : op->getResultTypes())
    os << "->" << t;
  return key;
}

/// Where a buffer of a launch comes from, so a cached kernel can be bound to another op:
/// an operand, a result, or the index-th constant defined in a fused region's body.
struct Position {
  enum Kind { Operand, Result, BodyConstant } kind;
  unsigned index;
};

/// The constants a fused region's body defines, in order (empty for other ops).
SmallVector<Value> bodyConstants(Operation *op) {
  SmallVector<Value> constants;
  if (auto fused = dyn_cast<k::FusedOp>(op))
    for (auto c : fused.getBody().front().getOps<k::ConstantOp>())
      constants.push_back(c.getResult());
  return constants;
}

struct CachedKernels {
  llvm::SmallVector<Launch> launches;
  llvm::SmallVector<llvm::SmallVector<Position>> positions;
};

bool allResultsEmpty(Operation *op) {
  for (Value r : op->getResults()) {
    if (isa<NoneType>(r.getType()))
      continue; // an optional result the model does not ask for
    auto t = dyn_cast<RankedTensorType>(r.getType());
    if (!t || t.getNumElements() != 0)
      return false;
  }
  return op->getNumResults() > 0;
}

/// The ONNX node names `loc` carries (a fused region's location holds its ops' ones).
void collectNodeNames(Location loc, SmallVectorImpl<std::string> &names) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location l : fused.getLocations())
      collectNodeNames(l, names);
    return;
  }
  if (auto n = dyn_cast<NameLoc>(loc)) {
    std::string name = n.getName().str();
    if (!llvm::is_contained(names, name))
      names.push_back(name);
  }
}

/// The ONNX nodes an op computes: for a fused region, every node of its body.
SmallVector<std::string> nodeNames(Operation *op) {
  SmallVector<std::string> names;
  collectNodeNames(op->getLoc(), names);
  if (auto fused = dyn_cast<k::FusedOp>(op))
    for (Operation &inner : fused.getBody().front())
      if (!isa<k::ConstantOp, k::NoneOp, k::YieldOp>(inner))
        collectNodeNames(inner.getLoc(), names);
  if (names.empty())
    names.push_back(op->getName().stripDialect().str());
  return names;
}

/// Kernels with the same body, whatever op made them: ops that differ only in values a
/// generator does not bake in (a Conv's bias, say) still share one gpu.func, so the
/// PTX, LLVM's work and the driver's JIT shrink (resnet50: 94 kernels -> 46).
class KernelDedup {
public:
  /// The name of a kernel already kept with the body of `name`'s, which is then
  /// erased; else `name`, now kept.
  std::string canonical(KernelModule &km, llvm::StringRef name) {
    auto func = km.module().lookupSymbol<gpu::GPUFuncOp>(name);
    if (!func)
      return name.str();
    std::string text;
    llvm::raw_string_ostream os(text);
    func->print(os, OpPrintingFlags());
    // The body as printed, with the function's own symbol taken out of the first line.
    std::string symbol = ("@" + name).str();
    size_t at = text.find(symbol);
    if (at != std::string::npos)
      text.replace(at, symbol.size(), "@_");
    auto [it, inserted] = bodies_.try_emplace(text, name.str());
    if (!inserted)
      func->erase();
    return it->second;
  }

private:
  llvm::StringMap<std::string> bodies_;
};

LogicalResult generateKernels(ModuleOp module, HostProgram &program, KernelModule &km) {
  func::FuncOp func;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (func)
      return emitError(f.getLoc()) << "codegen expects one function, found several", failure();
    func = f;
  }
  if (!func)
    return emitError(module.getLoc()) << "codegen found no function to compile", failure();
  program.func = func;

  // Outputs that are constants get a copy into the arena: weights are not in the arena.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  OpBuilder b(ret);
  for (OpOperand &operand : ret->getOpOperands())
    if (isConstant(rootOf(program, operand.get())) || isConstant(operand.get()))
      operand.set(k::IdentityOp::create(b, ret.getLoc(), operand.get().getType(), operand.get()));

  llvm::StringMap<CachedKernels> cache;
  KernelDedup dedup;
  bool ok = true;
  int64_t step = 0;
  for (Operation &opRef : func.getBody().front()) {
    Operation *op = &opRef;
    program.step[op] = ++step;
    if (isa<func::ReturnOp, k::ConstantOp, k::NoneOp>(op))
      continue;
    if (isa<k::ReshapeOp, k::FlattenOp, k::SqueezeOp, k::UnsqueezeOp>(op) || (isa<k::IdentityOp>(op) && !llvm::any_of(op->getUsers(), [](Operation *u) {
                                    return isa<func::ReturnOp>(u);
                                  }))) {
      program.aliasOf[op->getResult(0)] = op->getOperand(0);
      continue;
    }
    for (Type t : op->getResultTypes())
      if (!isa<NoneType>(t) && (!isa<RankedTensorType>(t) || !cast<RankedTensorType>(t).hasStaticShape()))
        return op->emitOpError("reached code generation without a static shape"), failure();
    if (allResultsEmpty(op))
      continue;
    Generator gen = generatorFor(op);
    if (!gen) {
      op->emitError() << "no GPU kernel for " << op->getName() << " yet";
      ok = false;
      continue;
    }
    std::string key = kernelKey(op);
    auto hit = cache.find(key);
    SmallVector<Value> constants = bodyConstants(op);
    if (hit != cache.end()) {
      for (auto [launch, positions] : llvm::zip(hit->second.launches, hit->second.positions)) {
        Launch copy = launch;
        copy.buffers.clear();
        for (Position p : positions)
          copy.buffers.push_back(p.kind == Position::Result    ? op->getResult(p.index)
                                 : p.kind == Position::Operand ? op->getOperand(p.index)
                                                               : constants[p.index]);
        program.launches.push_back({copy, op, step});
      }
      continue;
    }
    SmallVector<Launch> launches;
    if (failed(gen(op, km, launches))) {
      ok = false;
      continue;
    }
    llvm::StringMap<std::string> renamed; // a kernel may be launched more than once
    for (Launch &l : launches) {
      auto [it, inserted] = renamed.try_emplace(l.kernel);
      if (inserted)
        it->second = dedup.canonical(km, l.kernel);
      l.kernel = it->second;
    }
    CachedKernels cached;
    for (Launch &l : launches) {
      SmallVector<Position> positions;
      llvm::SmallVector<bool> usedOperand(op->getNumOperands(), false);
      for (Value v : l.buffers) {
        std::optional<Position> pos;
        for (unsigned i = 0; i < op->getNumOperands() && !pos; ++i)
          if (op->getOperand(i) == v && !usedOperand[i]) {
            usedOperand[i] = true;
            pos = Position{Position::Operand, i};
          }
        // A kernel may read one operand through two parameters (both matmul operands
        // sliced from one buffer in a fused region).
        for (unsigned i = 0; i < op->getNumOperands() && !pos; ++i)
          if (op->getOperand(i) == v)
            pos = Position{Position::Operand, i};
        for (unsigned i = 0; i < op->getNumResults() && !pos; ++i)
          if (op->getResult(i) == v)
            pos = Position{Position::Result, i};
        for (unsigned i = 0; i < constants.size() && !pos; ++i)
          if (constants[i] == v)
            pos = Position{Position::BodyConstant, i};
        if (!pos)
          return op->emitOpError("kernel generator bound a value that is not an operand or result"), failure();
        positions.push_back(*pos);
      }
      cached.launches.push_back(l);
      cached.positions.push_back(positions);
      program.launches.push_back({l, op, step});
    }
    cache[key] = std::move(cached);
  }
  return success(ok);
}

uint32_t planDtype(Type elem) {
  if (elem.isF32()) return KILN_PLAN_DTYPE_F32;
  if (elem.isF16()) return KILN_PLAN_DTYPE_F16;
  if (elem.isBF16()) return KILN_PLAN_DTYPE_BF16;
  if (elem.isF64()) return KILN_PLAN_DTYPE_F64;
  if (elem.isInteger(1)) return KILN_PLAN_DTYPE_BOOL;
  if (auto i = dyn_cast<IntegerType>(elem)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 8: return u ? KILN_PLAN_DTYPE_U8 : KILN_PLAN_DTYPE_I8;
    case 16: return u ? KILN_PLAN_DTYPE_U16 : KILN_PLAN_DTYPE_I16;
    case 32: return u ? KILN_PLAN_DTYPE_U32 : KILN_PLAN_DTYPE_I32;
    case 64: return u ? KILN_PLAN_DTYPE_U64 : KILN_PLAN_DTYPE_I64;
    }
  }
  return 0;
}

uint64_t byteSize(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return static_cast<uint64_t>(t.getNumElements()) * kiln_plan_dtype_size(planDtype(t.getElementType()));
}

/// Whether the kernels of `op` may write result 0 over operand `i`: one thread reads
/// element e of the operand and then writes element e of the result, nothing else.
bool inPlaceSafe(Operation *op, unsigned i) {
  if (op->getNumResults() != 1 || op->getOperand(i).getType() != op->getResult(0).getType())
    return false;
  // Elementwise kernels index every same-shaped operand with the output's own index.
  if (op->hasTrait<k::OpTrait::ElementwiseMap>())
    return true;
  // So do fused regions, for operands only their elementwise ops read (a contraction
  // root reads its operands everywhere).
  if (auto fused = dyn_cast<k::FusedOp>(op))
    return llvm::all_of(fused.getBody().front().getArgument(i).getUsers(), [](Operation *user) {
      return user->hasTrait<k::OpTrait::ElementwiseMap>();
    });
  return false;
}

struct Layout {
  plan::MemoryPlan memory;
  llvm::DenseMap<Value, uint64_t> arenaOffset; // roots only
  llvm::DenseMap<std::pair<Operation *, unsigned>, uint64_t> scratchOffset; // (op, scratch id)
};

/// Lifetimes of every arena tensor (inputs, op results) and their placement.
Layout planArena(HostProgram &program) {
  func::FuncOp func = program.func;
  llvm::DenseMap<Value, size_t> index;
  std::vector<plan::BufferRequest> requests;
  std::vector<Value> values;
  auto request = [&](Value v, int64_t first) {
    index[v] = requests.size();
    requests.push_back({byteSize(v), first, first, -1});
    values.push_back(v);
  };
  for (BlockArgument arg : func.getArguments())
    request(arg, 0);
  constexpr int64_t kForever = std::numeric_limits<int64_t>::max();
  for (Operation &op : func.getBody().front()) {
    int64_t step = program.step[&op];
    for (Value operand : op.getOperands()) {
      Value root = rootOf(program, operand);
      auto it = index.find(root);
      if (it == index.end())
        continue;
      int64_t last = isa<func::ReturnOp>(op) ? kForever : step;
      requests[it->second].last = std::max(requests[it->second].last, last);
    }
    if (isa<k::ConstantOp, k::NoneOp, func::ReturnOp>(op))
      continue;
    for (Value r : op.getResults())
      if (!program.aliasOf.count(r) && isa<RankedTensorType>(r.getType()))
        request(r, step);
  }
  // Graph inputs stay intact until the end when they are also outputs (handled by kForever);
  // otherwise their bytes may be reused once read.
  for (Operation &op : func.getBody().front()) {
    if (op.getNumResults() != 1 || program.aliasOf.count(op.getResult(0)))
      continue;
    auto self = index.find(op.getResult(0));
    if (self == index.end())
      continue;
    for (unsigned i = 0; i < op.getNumOperands(); ++i) {
      auto it = index.find(rootOf(program, op.getOperand(i)));
      if (it == index.end() || !inPlaceSafe(&op, i))
        continue;
      if (requests[it->second].last == requests[self->second].first &&
          requests[it->second].bytes == requests[self->second].bytes) {
        requests[self->second].inPlaceOf = static_cast<int64_t>(it->second);
        break;
      }
    }
  }
  // An op's scratch buffers live only while its own launches run.
  llvm::DenseMap<std::pair<Operation *, unsigned>, size_t> scratchIndex;
  for (const HostLaunch &hl : program.launches)
    for (const ScratchBuffer &s : hl.launch.scratch) {
      auto [it, inserted] = scratchIndex.try_emplace({hl.origin, s.id}, requests.size());
      uint64_t bytes = static_cast<uint64_t>(s.count) * kiln_plan_dtype_size(planDtype(s.elem));
      if (inserted)
        requests.push_back({bytes, hl.step, hl.step, -1});
      requests[it->second].bytes = std::max(requests[it->second].bytes, bytes);
    }
  Layout layout;
  layout.memory = plan::planMemory(requests, 256);
  for (size_t i = 0; i < values.size(); ++i)
    layout.arenaOffset[values[i]] = layout.memory.offsets[i];
  for (auto [key, i] : scratchIndex)
    layout.scratchOffset[key] = layout.memory.offsets[i];
  return layout;
}

std::string tensorName(func::FuncOp func, unsigned i, bool result) {
  auto attr = result ? func.getResultAttrOfType<StringAttr>(i, "kiln.name")
                     : func.getArgAttrOfType<StringAttr>(i, "kiln.name");
  if (attr)
    return attr.str();
  return (result ? "output_" : "input_") + std::to_string(i);
}

plan::TensorSpec tensorSpec(Value v, std::string name, uint64_t offset) {
  auto t = cast<RankedTensorType>(v.getType());
  plan::TensorSpec spec;
  spec.name = std::move(name);
  spec.dtype = planDtype(t.getElementType());
  spec.dims.assign(t.getShape().begin(), t.getShape().end());
  spec.arenaOffset = offset;
  return spec;
}

LogicalResult writePlan(HostProgram &program, const std::string &ptx, const CodegenOptions &options,
                        const std::vector<uint8_t> &cubin, std::vector<uint8_t> &bytes,
                        llvm::raw_ostream *summary) {
  func::FuncOp func = program.func;
  Layout layout = planArena(program);
  plan::PlanWriter writer;
  writer.setTargetSm(*parseArch(options.arch));
  writer.setProducer(options.producer);
  writer.setArena(layout.memory.arenaBytes, 256);
  writer.setUnplannedArenaSize(layout.memory.unplannedBytes);

  for (Type t : func.getArgumentTypes())
    if (!planDtype(cast<RankedTensorType>(t).getElementType()))
      return emitError(func.getLoc()) << "graph input of type " << t << " cannot be stored in a plan", failure();
  for (auto [i, arg] : llvm::enumerate(func.getArguments()))
    writer.addInput(tensorSpec(arg, tensorName(func, i, false), layout.arenaOffset.lookup(arg)));
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands()))
    writer.addOutput(tensorSpec(v, tensorName(func, i, true), layout.arenaOffset.lookup(rootOf(program, v))));

  llvm::StringMap<uint32_t> kernelIndex;
  // Weights by constant and layout ("" natural, else the permutation it is stored in).
  std::map<std::pair<const void *, std::string>, uint64_t> weightOffset;
  for (HostLaunch &hl : program.launches) {
    auto [it, inserted] = kernelIndex.try_emplace(hl.launch.kernel, 0);
    if (inserted) {
      plan::KernelSpec spec;
      spec.name = hl.launch.kernel;
      spec.ptx = ptx;
      if (!cubin.empty()) {
        spec.cubin = cubin;
        spec.cubinArch = *parseArch(options.arch);
      }
      // Kernels take their buffers, then their scratch buffers, as bare pointers.
      spec.params.assign(hl.launch.buffers.size() + hl.launch.scratch.size(), KILN_PLAN_PARAM_POINTER);
      it->second = writer.addKernel(std::move(spec));
    }
    plan::LaunchSpec launch;
    launch.kernel = it->second;
    launch.grid = hl.launch.grid;
    launch.block = hl.launch.block;
    launch.sharedMemBytes = hl.launch.sharedBytes;
    for (std::string &name : nodeNames(hl.origin))
      launch.nodeNames.push_back(std::move(name));
    for (auto [index, v] : llvm::enumerate(hl.launch.buffers)) {
      Value root = rootOf(program, v);
      ArrayRef<int64_t> perm;
      for (auto &[buffer, p] : hl.launch.relayouts)
        if (buffer == index)
          perm = p;
      if (auto c = root.getDefiningOp<k::ConstantOp>()) {
        std::string layout;
        for (int64_t d : perm)
          layout += std::to_string(d) + ",";
        // By value: fused regions define their own copies of a shared constant.
        std::pair<const void *, std::string> key{c.getValue().getAsOpaquePointer(), layout};
        auto found = weightOffset.find(key);
        if (found == weightOffset.end()) {
          ref::Tensor t = ref::Tensor::fromAttr(cast<ElementsAttr>(c.getValue()));
          std::vector<uint8_t> bytes = perm.empty() ? std::vector<uint8_t>(t.bytes(), t.bytes() + t.numBytes())
                                                    : permutedBytes(t, perm);
          found = weightOffset.try_emplace(key, writer.addWeights(bytes.data(), bytes.size())).first;
        }
        launch.args.push_back(plan::Arg::weight(found->second, byteSize(root)));
      } else if (!perm.empty()) {
        return hl.origin->emitOpError("kernel wants a relayout of an operand that is not a constant"), failure();
      } else {
        auto off = layout.arenaOffset.find(root);
        if (off == layout.arenaOffset.end())
          return hl.origin->emitOpError("kernel operand has no storage"), failure();
        launch.args.push_back(plan::Arg::arena(off->second, byteSize(root)));
      }
    }
    for (const ScratchBuffer &s : hl.launch.scratch)
      launch.args.push_back(plan::Arg::arena(layout.scratchOffset.lookup({hl.origin, s.id}),
                                             static_cast<uint64_t>(s.count) * kiln_plan_dtype_size(planDtype(s.elem))));
    writer.addLaunch(std::move(launch));
  }

  std::string error;
  if (!writer.serialize(bytes, error))
    return emitError(func.getLoc()) << "cannot write the plan: " << error, failure();
  if (summary) {
    llvm::raw_ostream &os = *summary;
    os << "// kiln plan: " << writer.launches().size() << " launches, " << writer.kernels().size()
       << " kernels, arena " << layout.memory.arenaBytes << " bytes (" << layout.memory.unplannedBytes
       << " without reuse, " << layout.memory.inPlace << " in place), weights " << writer.weightsSize()
       << " bytes, " << bytes.size() << " bytes in all\n";
    for (const plan::TensorSpec &t : writer.inputs())
      os << "input  " << t.name << " @" << t.arenaOffset << "\n";
    for (const plan::TensorSpec &t : writer.outputs())
      os << "output " << t.name << " @" << t.arenaOffset << "\n";
    for (const plan::LaunchSpec &l : writer.launches()) {
      os << writer.kernels()[l.kernel].name << " grid(" << l.grid[0] << "," << l.grid[1] << "," << l.grid[2]
         << ") block(" << l.block[0] << "," << l.block[1] << "," << l.block[2] << ")";
      for (const plan::Arg &a : l.args)
        os << (a.kind == KILN_PLAN_ARG_WEIGHT_PTR ? " w@" : " a@") << a.value;
      os << "  //";
      for (size_t i = 0; i < l.nodeNames.size(); ++i)
        os << (i ? ", " : " ") << l.nodeNames[i];
      os << "\n";
    }
  }
  return success();
}

void dump(const CodegenOptions &options, llvm::StringRef file, llvm::function_ref<void(llvm::raw_ostream &)> fn) {
  if (options.dumpDir.empty())
    return;
  llvm::sys::fs::create_directories(options.dumpDir);
  llvm::SmallString<256> path(options.dumpDir);
  llvm::sys::path::append(path, file);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (!ec)
    fn(os);
}

void printModule(ModuleOp module, llvm::raw_ostream &os) {
  OpPrintingFlags flags;
  flags.elideLargeElementsAttrs(64);
  module->print(os, flags);
  os << "\n";
}

LogicalResult run(ModuleOp module, const CodegenOptions &options, CodegenStage stop, llvm::raw_ostream *os,
                  std::vector<uint8_t> *planBytes) {
  if (!parseArch(options.arch))
    return emitError(module.getLoc()) << "unsupported --arch '" << options.arch
                                      << "' (expected sm_80, sm_86, sm_89 or sm_90)",
           failure();
  registerTargetDialects(*module.getContext());
  HostProgram program;
  KernelModule km(module);
  if (failed(generateKernels(module, program, km)))
    return failure();
  // Each host op records its kernels, so the gpu stage reads as a program.
  for (HostLaunch &hl : program.launches) {
    SmallVector<Attribute> names;
    if (auto existing = hl.origin->getAttrOfType<ArrayAttr>("kiln.kernels"))
      names.append(existing.begin(), existing.end());
    names.push_back(FlatSymbolRefAttr::get(module.getContext(), hl.launch.kernel));
    hl.origin->setAttr("kiln.kernels", ArrayAttr::get(module.getContext(), names));
  }
  if (stop == CodegenStage::Dot) {
    writeDot(module, *os);
    return success();
  }
  dump(options, "gpu.mlir", [&](llvm::raw_ostream &o) { printModule(module, o); });
  if (stop == CodegenStage::Gpu) {
    printModule(module, *os);
    return success();
  }
  std::string libdevice = findLibdevice(options.libdevice);
  if (!libdevice.empty() && !llvm::sys::fs::exists(libdevice))
    return emitError(module.getLoc()) << "libdevice not found at '" << libdevice << "'", failure();
  if (failed(lowerToNvvm(module, options.arch, libdevice)))
    return failure();
  dump(options, "llvm.mlir", [&](llvm::raw_ostream &o) { printModule(module, o); });
  if (stop == CodegenStage::Llvm) {
    printModule(module, *os);
    return success();
  }
  FailureOr<std::string> ptx = serializeToPtx(module, !libdevice.empty());
  if (failed(ptx))
    return failure();
  dump(options, "kernels.ptx", [&](llvm::raw_ostream &o) { o << *ptx; });
  if (stop == CodegenStage::Ptx) {
    *os << *ptx;
    return success();
  }
  std::vector<uint8_t> cubin;
  std::vector<KernelResources> resources;
  if (options.cubin) {
    std::string ptxas = findPtxas();
    if (ptxas.empty())
      return emitError(module.getLoc()) << "--cubin needs ptxas: set KILN_PTXAS or CUDA_HOME", failure();
    std::string error;
    if (!assemblePtx(ptxas, *ptx, options.arch, cubin, resources, error))
      return emitError(module.getLoc()) << error, failure();
  }
  std::vector<uint8_t> local;
  std::vector<uint8_t> &bytes = planBytes ? *planBytes : local;
  std::string summary;
  llvm::raw_string_ostream summaryOs(summary);
  if (failed(writePlan(program, *ptx, options, cubin, bytes, &summaryOs)))
    return failure();
  // What ptxas reported for each kernel, so register pressure and spills show without a GPU.
  for (const KernelResources &r : resources)
    summaryOs << "// ptxas " << options.arch << " " << r.name << ": " << r.registers << " registers, "
              << r.sharedBytes << " bytes static shared, " << r.spillBytes << " bytes spilled\n";
  dump(options, "plan.txt", [&](llvm::raw_ostream &o) { o << summary; });
  if (stop == CodegenStage::Plan && os)
    *os << summary;
  return success();
}

} // namespace

LogicalResult compileToPlan(ModuleOp module, const CodegenOptions &options, std::vector<uint8_t> &plan) {
  return run(module, options, CodegenStage::Plan, nullptr, &plan);
}

LogicalResult emitStage(ModuleOp module, const CodegenOptions &options, CodegenStage stage,
                        llvm::raw_ostream &os) {
  return run(module, options, stage, &os, nullptr);
}

} // namespace kiln::codegen
