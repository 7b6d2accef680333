// Kernel-building helpers shared by every generator family.
#include "codegen/Kernels/KernelBuilder.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace kiln::codegen {

KernelModule::KernelModule(ModuleOp host) {
  host->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), UnitAttr::get(host.getContext()));
  OpBuilder b(host.getContext());
  b.setInsertionPointToEnd(host.getBody());
  module_ = gpu::GPUModuleOp::create(b, host.getLoc(), "kiln_kernels");
}

std::string KernelModule::uniqueName(llvm::StringRef base) {
  unsigned n = counters_[base]++;
  return (base + "_" + llvm::Twine(n)).str();
}

Type storageType(Type elem) {
  if (auto i = dyn_cast<IntegerType>(elem))
    return IntegerType::get(elem.getContext(), i.getWidth() == 1 ? 8 : i.getWidth());
  return elem;
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t numElements(Value tensor) {
  return numElements(cast<RankedTensorType>(tensor.getType()).getShape());
}

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

KernelBuilder::KernelBuilder(KernelModule &km, llvm::StringRef baseName, ArrayRef<Value> tensors,
                             Location loc, unsigned vectorWidth)
    : KernelBuilder(km, baseName, tensors, {}, loc, vectorWidth) {}

KernelBuilder::KernelBuilder(KernelModule &km, llvm::StringRef baseName, ArrayRef<Value> tensors,
                             ArrayRef<ScratchBuffer> scratch, Location loc, unsigned vectorWidth)
    : builder_(km.module().getContext()), loc_(loc), name_(km.uniqueName(baseName)) {
  SmallVector<Type> params;
  auto addParam = [&](Type elem, int64_t count) {
    elementTypes_.push_back(elem);
    Type storage = storageType(elem);
    int64_t n = std::max<int64_t>(1, count);
    if (vectorWidth > 1)
      params.push_back(MemRefType::get({n / vectorWidth}, VectorType::get({vectorWidth}, storage)));
    else
      params.push_back(MemRefType::get({n}, storage));
  };
  for (Value t : tensors) {
    auto type = cast<RankedTensorType>(t.getType());
    addParam(type.getElementType(), type.getNumElements());
  }
  for (const ScratchBuffer &s : scratch)
    addParam(s.elem, s.count);
  builder_.setInsertionPointToEnd(km.module().getBody());
  func_ = gpu::GPUFuncOp::create(builder_, loc_, name_, builder_.getFunctionType(params, {}));
  func_->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), builder_.getUnitAttr());
  builder_.setInsertionPointToStart(&func_.getBody().front());
}

Value KernelBuilder::idx(int64_t v) { return arith::ConstantIndexOp::create(builder_, loc_, v); }
Value KernelBuilder::add(Value a, Value b) { return arith::AddIOp::create(builder_, loc_, a, b); }
Value KernelBuilder::sub(Value a, Value b) { return arith::SubIOp::create(builder_, loc_, a, b); }
Value KernelBuilder::mul(Value a, Value b) { return arith::MulIOp::create(builder_, loc_, a, b); }
Value KernelBuilder::div(Value a, Value b) { return arith::DivUIOp::create(builder_, loc_, a, b); }
Value KernelBuilder::rem(Value a, Value b) { return arith::RemUIOp::create(builder_, loc_, a, b); }
Value KernelBuilder::mulC(Value a, int64_t c) {
  if (c == 1)
    return a;
  if (c == 0)
    return idx(0);
  return mul(a, idx(c));
}
Value KernelBuilder::divC(Value a, int64_t c) { return c == 1 ? a : div(a, idx(c)); }
Value KernelBuilder::remC(Value a, int64_t c) { return c == 1 ? idx(0) : rem(a, idx(c)); }
Value KernelBuilder::lt(Value a, Value b) {
  return arith::CmpIOp::create(builder_, loc_, arith::CmpIPredicate::ult, a, b);
}
Value KernelBuilder::ltC(Value a, int64_t c) { return lt(a, idx(c)); }
Value KernelBuilder::min(Value a, Value b) { return arith::MinUIOp::create(builder_, loc_, a, b); }
Value KernelBuilder::select(Value c, Value a, Value b) {
  return arith::SelectOp::create(builder_, loc_, c, a, b);
}
Value KernelBuilder::toIndex(Value integer) {
  Type t = integer.getType();
  if (t.isIndex())
    return integer;
  if (t.getIntOrFloatBitWidth() < 64)
    integer = arith::ExtSIOp::create(builder_, loc_, builder_.getI64Type(), integer);
  return arith::IndexCastOp::create(builder_, loc_, builder_.getIndexType(), integer);
}
Value KernelBuilder::fromIndex(Value index, Type intType) {
  return arith::IndexCastOp::create(builder_, loc_, intType, index);
}

Value KernelBuilder::constInt(Type type, int64_t v) {
  return arith::ConstantOp::create(builder_, loc_, builder_.getIntegerAttr(type, v));
}
Value KernelBuilder::constFloat(Type type, double v) {
  return arith::ConstantOp::create(builder_, loc_, builder_.getFloatAttr(type, v));
}
Value KernelBuilder::constBool(bool v) { return constInt(builder_.getI1Type(), v ? 1 : 0); }
Value KernelBuilder::constOf(Type type, double v) {
  if (isa<FloatType>(type))
    return constFloat(type, v);
  if (type.isIndex())
    return idx(static_cast<int64_t>(v));
  return constInt(IntegerType::get(ctx(), type.getIntOrFloatBitWidth()), static_cast<int64_t>(v));
}

Value KernelBuilder::threadId(gpu::Dimension d) { return gpu::ThreadIdOp::create(builder_, loc_, d); }
Value KernelBuilder::blockId(gpu::Dimension d) { return gpu::BlockIdOp::create(builder_, loc_, d); }
Value KernelBuilder::globalId(int64_t blockSize) {
  return add(mulC(blockId(gpu::Dimension::x), blockSize), threadId(gpu::Dimension::x));
}

Value KernelBuilder::loadFrom(Value memref, Value linear) {
  Value v = memref::LoadOp::create(builder_, loc_, memref, ValueRange{linear});
  return v;
}
void KernelBuilder::storeTo(Value memref, Value linear, Value value) {
  memref::StoreOp::create(builder_, loc_, value, memref, ValueRange{linear});
}
Value KernelBuilder::load(unsigned paramIndex, Value linear) {
  Value v = loadFrom(param(paramIndex), linear);
  if (elementTypes_[paramIndex].isInteger(1))
    v = arith::CmpIOp::create(builder_, loc_, arith::CmpIPredicate::ne, v,
                              constInt(v.getType(), 0));
  return v;
}
void KernelBuilder::store(unsigned paramIndex, Value linear, Value value) {
  if (value.getType().isInteger(1))
    value = arith::ExtUIOp::create(builder_, loc_, builder_.getI8Type(), value);
  storeTo(param(paramIndex), linear, value);
}

Value KernelBuilder::sharedBuffer(Type elem, int64_t count, unsigned alignment) {
  auto space = gpu::AddressSpaceAttr::get(ctx(), gpu::AddressSpace::Workgroup);
  auto type = MemRefType::get({count}, elem, MemRefLayoutAttrInterface{}, space);
  Value buffer = func_.addWorkgroupAttribution(type, loc_);
  // At least 16 bytes: LLVM's load/store vectorizer merges adjacent accesses of an
  // unrolled loop into 8- and 16-byte ones at offsets aligned from the buffer's start,
  // which must then really be aligned (a 20-byte buffer at align 4 faulted in the GRU).
  func_.setWorkgroupAttributionAttr(func_.getNumWorkgroupAttributions() - 1, "llvm.align",
                                    builder_.getI64IntegerAttr(std::max(alignment, 16u)));
  return buffer;
}

SmallVector<Value> KernelBuilder::loadConsecutive(Value memref, Value linear, unsigned width, unsigned alignment) {
  Type elem = cast<MemRefType>(memref.getType()).getElementType();
  if (width == 1)
    return {loadFrom(memref, linear)};
  auto type = VectorType::get({static_cast<int64_t>(width)}, elem);
  Value v = vector::LoadOp::create(builder_, loc_, type, memref, ValueRange{linear}, /*nontemporal=*/false,
                                   llvm::MaybeAlign(alignment));
  SmallVector<Value> parts;
  for (unsigned i = 0; i < width; ++i)
    parts.push_back(vector::ExtractOp::create(builder_, loc_, v, static_cast<int64_t>(i)));
  return parts;
}
void KernelBuilder::storeConsecutive(Value memref, Value linear, ValueRange values, unsigned alignment) {
  if (values.size() == 1)
    return storeTo(memref, linear, values[0]);
  auto type = VectorType::get({static_cast<int64_t>(values.size())}, values[0].getType());
  Value v = vector::FromElementsOp::create(builder_, loc_, type, values);
  vector::StoreOp::create(builder_, loc_, v, memref, ValueRange{linear}, /*nontemporal=*/false,
                          llvm::MaybeAlign(alignment));
}
void KernelBuilder::barrier() { gpu::BarrierOp::create(builder_, loc_); }
Value KernelBuilder::shuffleXor(Value v, int32_t offset) {
  return gpu::ShuffleOp::create(builder_, loc_, v, offset, 32, gpu::ShuffleMode::XOR).getResult(0);
}
Value KernelBuilder::shuffleDown(Value v, int32_t offset) {
  return gpu::ShuffleOp::create(builder_, loc_, v, offset, 32, gpu::ShuffleMode::DOWN).getResult(0);
}

void KernelBuilder::ifThen(Value cond, llvm::function_ref<void()> body) {
  auto ifOp = scf::IfOp::create(builder_, loc_, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(builder_);
  builder_.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  body();
}

Value KernelBuilder::ifThenElse(Value cond, Type type, llvm::function_ref<Value()> thenBody,
                                llvm::function_ref<Value()> elseBody) {
  return ifThenElse(
      cond, TypeRange{type}, [&] { return SmallVector<Value>{thenBody()}; },
      [&] { return SmallVector<Value>{elseBody()}; })[0];
}

SmallVector<Value> KernelBuilder::ifThenElse(Value cond, TypeRange types,
                                             llvm::function_ref<SmallVector<Value>()> thenBody,
                                             llvm::function_ref<SmallVector<Value>()> elseBody) {
  auto ifOp = scf::IfOp::create(builder_, loc_, types, cond, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(builder_, loc_, ValueRange{thenBody()});
    builder_.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(builder_, loc_, ValueRange{elseBody()});
  }
  return SmallVector<Value>(ifOp.getResults());
}

void KernelBuilder::forLoop(Value lb, Value ub, Value step, llvm::function_ref<void(Value)> body) {
  auto loop = scf::ForOp::create(builder_, loc_, lb, ub, step);
  OpBuilder::InsertionGuard guard(builder_);
  builder_.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVar());
}

void KernelBuilder::forLoop(int64_t lb, int64_t ub, int64_t step, llvm::function_ref<void(Value)> body) {
  forLoop(idx(lb), idx(ub), idx(step), body);
}

SmallVector<Value> KernelBuilder::forLoopCarry(
    Value lb, Value ub, Value step, ValueRange init,
    llvm::function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(builder_, loc_, lb, ub, step, init);
  {
    OpBuilder::InsertionGuard guard(builder_);
    Block *block = loop.getBody();
    if (!block->empty() && block->back().hasTrait<OpTrait::IsTerminator>())
      block->back().erase();
    builder_.setInsertionPointToEnd(block);
    SmallVector<Value> next = body(loop.getInductionVar(), loop.getRegionIterArgs());
    scf::YieldOp::create(builder_, loc_, next);
  }
  return SmallVector<Value>(loop.getResults());
}

SmallVector<Value> KernelBuilder::delinearize(Value linear, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  SmallVector<Value> coords;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) {
      coords.push_back(idx(0));
      continue;
    }
    Value c = divC(linear, strides[d]);
    if (d != 0)
      c = remC(c, shape[d]);
    coords.push_back(c);
  }
  return coords;
}

Value KernelBuilder::linearize(ArrayRef<Value> coords, ArrayRef<int64_t> strides) {
  Value sum;
  for (size_t d = 0; d < coords.size(); ++d) {
    if (strides[d] == 0)
      continue;
    Value term = mulC(coords[d], strides[d]);
    sum = sum ? add(sum, term) : term;
  }
  return sum ? sum : idx(0);
}

void KernelBuilder::finish(std::array<uint32_t, 3> block) {
  gpu::ReturnOp::create(builder_, loc_);
  func_.setKnownBlockSizeAttr(builder_.getDenseI32ArrayAttr(
      {static_cast<int32_t>(block[0]), static_cast<int32_t>(block[1]), static_cast<int32_t>(block[2])}));
}

Launch linearLaunch(llvm::StringRef kernel, int64_t n, uint32_t block) {
  Launch l;
  l.kernel = kernel.str();
  l.block = {block, 1, 1};
  int64_t blocks = (n + block - 1) / block;
  l.grid = {static_cast<uint32_t>(std::max<int64_t>(1, blocks)), 1, 1};
  return l;
}

void finishLinear(KernelBuilder &kb, ArrayRef<Value> buffers, int64_t n, SmallVectorImpl<Launch> &launches,
                  ArrayRef<ScratchBuffer> scratch, uint32_t block) {
  kb.finish({block, 1, 1});
  Launch l = linearLaunch(kb.name(), n, block);
  l.buffers.assign(buffers.begin(), buffers.end());
  l.scratch.assign(scratch.begin(), scratch.end());
  launches.push_back(std::move(l));
}

} // namespace kiln::codegen
