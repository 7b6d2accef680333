// The emulator's interpreter: every thread of a block runs until it reaches a barrier, a
// shuffle or its end; shuffles are resolved per warp and barriers per block.
#include "PtxMachine.h"

#include "PtxArithmetic.h"
#include "TrafficCounter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <sstream>
#include <vector>

namespace kiln::emu {
namespace {


// ---------------------------------------------------------------------- threads

enum class Stop : uint8_t { Running, Barrier, Shuffle, Exited };

struct Frame {
  const Function *fn;
  uint64_t *regs;
  uint8_t *local;
  uint8_t *scratch;
  const uint8_t *params;
  uint32_t pc = 0;
  bool carry = false;
  int depth = 0;
};

struct ThreadState {
  Frame frame;
  Stop stop = Stop::Running;
  unsigned linear = 0;
};

class Machine {
public:
  Machine(const Module &m, const Function &k, const LaunchShape &s, const uint8_t *params, MemoryMap &mem,
          LaunchStats *stats)
      : module(m), kernel(k), shape(s), params(params), memory(mem), stats(stats) {}

  std::string run();

private:
  const Module &module;
  const Function &kernel;
  const LaunchShape &shape;
  const uint8_t *params;
  MemoryMap &memory;
  LaunchStats *stats;
  // Traffic counting (only when stats are wanted): each of the kernel's memory
  // instructions gets a dense index, and each thread counts its executions of each, so
  // the counter can tell which lanes' accesses form one warp request.
  std::unique_ptr<TrafficCounter> traffic;
  std::vector<int32_t> memoryInstruction; // by pc of the kernel's code; -1 if none
  std::vector<uint32_t> issues;           // [thread][memory instruction]
  uint32_t memoryInstructions = 0;

  unsigned threadsPerBlock = 0;
  unsigned ctaid[3] = {0, 0, 0};
  std::vector<uint8_t> shared;
  // Race detection on shared memory: per byte, the thread that last wrote it and the
  // barrier interval (epoch) it wrote in, and likewise its reader (kManyReaders when
  // several threads read it). Reading or overwriting a byte another thread wrote in the
  // same interval, or overwriting one another thread read in it, is a race: the emulator
  // runs threads one after another, so without this check a missing bar.sync would go
  // unnoticed.
  std::vector<uint32_t> sharedWriter, sharedEpoch, sharedReader, sharedReadEpoch;
  uint32_t epoch = 0;        // the running block's current barrier interval
  uint32_t launchStart = 0;  // the intervals of this launch are above it
  uint32_t blockLinear = 0;
  static constexpr uint32_t kManyReaders = UINT32_MAX;
  std::vector<uint64_t> registers;
  std::vector<uint8_t> locals, scratches;
  std::vector<ThreadState> threads;
  uint64_t steps = 0;
  uint64_t fmas = 0; // floating-point fma instructions executed
  static constexpr uint64_t kMaxSteps = 20'000'000'000ull;

  const ThreadState *current = nullptr;

  uint64_t value(const Frame &f, Slot s) const { return s >= 0 ? f.regs[s] : f.fn->constants[~s]; }
  void write(Frame &f, Slot s, uint64_t v) {
    if (s >= 0)
      f.regs[s] = v;
  }

  std::string where(const Frame &f, const Instr &in) const {
    std::ostringstream os;
    os << "kernel " << kernel.name;
    if (f.fn != &kernel)
      os << " (in " << f.fn->name << ")";
    os << ", block (" << ctaid[0] << "," << ctaid[1] << "," << ctaid[2] << ")";
    if (current)
      os << ", thread " << threadName(current->linear);
    os << ", PTX line " << in.line;
    return os.str();
  }

  std::string threadName(unsigned t) const {
    return "(" + std::to_string(t % shape.block[0]) + "," + std::to_string(t / shape.block[0] % shape.block[1]) +
           "," + std::to_string(t / (shape.block[0] * shape.block[1])) + ")";
  }

  enum class Access { Read, Write, Atomic };

  void countTraffic(const Frame &f, bool shared, uint64_t address, unsigned bytes, Access access) {
    if (!traffic || f.fn != &kernel) // accesses inside called functions are not counted
      return;
    int32_t m = memoryInstruction[f.pc];
    uint32_t issue = issues[static_cast<size_t>(current->linear) * memoryInstructions + static_cast<uint32_t>(m)]++;
    using K = TrafficCounter::Kind;
    K kind = shared ? (access == Access::Read ? K::SharedLoad : K::SharedStore)
                    : (access == Access::Read ? K::GlobalLoad : K::GlobalStore);
    traffic->record(current->linear / 32, static_cast<uint32_t>(m), issue, kind, address, bytes);
  }

  void checkSharedRace(uint64_t offset, unsigned bytes, Access access) {
    if (access == Access::Atomic)
      return;
    const uint32_t me = current->linear;
    for (uint64_t i = offset; i < offset + bytes; ++i) {
      if (sharedEpoch[i] == epoch && sharedWriter[i] != me)
        throw Fault{std::string("shared-memory race: ") + (access == Access::Read ? "reading" : "overwriting") +
                    " shared byte " + std::to_string(i) + ", which thread " + threadName(sharedWriter[i]) +
                    " wrote since the last barrier"};
      if (access == Access::Read) {
        if (sharedReadEpoch[i] != epoch) {
          sharedReadEpoch[i] = epoch;
          sharedReader[i] = me;
        } else if (sharedReader[i] != me) {
          sharedReader[i] = kManyReaders;
        }
        continue;
      }
      if (sharedReadEpoch[i] == epoch && sharedReader[i] != me) {
        std::string readers =
            sharedReader[i] == kManyReaders ? "other threads" : "thread " + threadName(sharedReader[i]);
        throw Fault{"shared-memory race: overwriting shared byte " + std::to_string(i) + ", which " + readers +
                    " read since the last barrier"};
      }
      sharedEpoch[i] = epoch;
      sharedWriter[i] = me;
    }
  }

  /// Global memory: within one launch, blocks run in no fixed order and the threads of a
  /// block are ordered only by barriers. A byte that one thread writes and another reads
  /// or overwrites (or that one reads and another overwrites) in the same launch is a race
  /// unless both threads are in one block and a barrier separates the two accesses.
  void checkGlobalRace(MemoryMap::Region &region, uint64_t address, unsigned bytes, Access access) {
    if (access == Access::Atomic)
      return;
    if (region.shadow.empty()) {
      if (access == Access::Read)
        return; // no kernel has written this region: nothing to race with yet
      region.shadow.resize(region.end - region.begin);
    }
    const uint32_t me = blockLinear * threadsPerBlock + current->linear;
    for (uint64_t i = 0; i < bytes; ++i) {
      MemoryMap::ByteShadow &b = region.shadow[address + i - region.begin];
      bool writtenNow = b.written > launchStart, readNow = b.read > launchStart;
      if (writtenNow && b.writer != me && (b.writer / threadsPerBlock != blockLinear || b.written == epoch))
        globalRace(access == Access::Read ? "reading" : "overwriting", address + i, "wrote", b.writer, b.written);
      if (access == Access::Read) {
        if (!readNow) {
          b.reader = me;
          b.readerBlock = blockLinear;
        } else {
          if (b.readerBlock != blockLinear)
            b.readerBlock = kManyReaders;
          if (b.read != epoch)
            b.reader = me; // earlier readers of this block are ordered before us by a barrier
          else if (b.reader != me)
            b.reader = kManyReaders;
        }
        b.read = epoch;
        continue;
      }
      if (readNow && (b.readerBlock != blockLinear || (b.read == epoch && b.reader != me)))
        globalRace("overwriting", address + i, "read", b.readerBlock == kManyReaders ? kManyReaders : b.reader,
                   b.read);
      b.writer = me;
      b.written = epoch;
    }
  }

  [[noreturn]] void globalRace(const char *what, uint64_t address, const char *did, uint32_t other,
                               uint32_t interval) {
    std::ostringstream os;
    os << "global-memory race: " << what << " byte 0x" << std::hex << address << std::dec << ", which ";
    if (other == kManyReaders)
      os << "several threads";
    else
      os << "thread " << threadName(other % threadsPerBlock) << " of block " << other / threadsPerBlock;
    bool sameBlock = other != kManyReaders && other / threadsPerBlock == blockLinear;
    os << " " << did << (sameBlock && interval == epoch ? " since the last barrier" : " earlier in this launch")
       << " (blocks of one launch run in no fixed order)";
    throw Fault{os.str()};
  }

  uint8_t *address(Frame &f, const Instr &in, unsigned bytes, const char *what, Access access) {
    uint64_t a = value(f, in.src[0]) + static_cast<uint64_t>(in.offset);
    auto bad = [&](const char *why) {
      std::ostringstream os;
      os << why << " " << what << " of " << bytes << " bytes at 0x" << std::hex << a;
      throw Fault{os.str()};
    };
    if (a % bytes != 0)
      bad("misaligned");
    switch (in.space) {
    case Space::Shared:
      if (a + bytes > shared.size() || a + bytes < a)
        bad("out-of-bounds shared");
      checkSharedRace(a, bytes, access);
      countTraffic(f, true, a, bytes, access);
      return shared.data() + a;
    case Space::Local:
      if (a + bytes > f.fn->localBytes || a + bytes < a)
        bad("out-of-bounds local");
      return f.local + a;
    case Space::Param:
      if (in.paramScratch) {
        if (a + bytes > f.fn->scratchBytes)
          bad("out-of-bounds param");
        return f.scratch + a;
      }
      if (a + bytes > f.fn->paramBytes)
        bad("out-of-bounds param");
      return const_cast<uint8_t *>(f.params) + a;
    case Space::Global: case Space::Const: {
      MemoryMap::Region *region = memory.find(a, bytes);
      if (!region)
        bad("out-of-bounds global");
      checkGlobalRace(*region, a, bytes, access);
      countTraffic(f, false, a, bytes, access);
      return reinterpret_cast<uint8_t *>(a);
    }
    case Space::Generic: {
      uint64_t sharedBase = reinterpret_cast<uintptr_t>(shared.data());
      uint64_t localBase = reinterpret_cast<uintptr_t>(f.local);
      if (a >= sharedBase && a + bytes <= sharedBase + shared.size()) {
        checkSharedRace(a - sharedBase, bytes, access);
        countTraffic(f, true, a - sharedBase, bytes, access);
        return reinterpret_cast<uint8_t *>(a);
      }
      if (f.fn->localBytes && a >= localBase && a + bytes <= localBase + f.fn->localBytes)
        return reinterpret_cast<uint8_t *>(a);
      MemoryMap::Region *region = memory.find(a, bytes);
      if (!region)
        bad("out-of-bounds generic");
      checkGlobalRace(*region, a, bytes, access);
      countTraffic(f, false, a, bytes, access);
      return reinterpret_cast<uint8_t *>(a);
    }
    }
    return nullptr;
  }

  Stop execute(Frame &f);
  void executeCall(Frame &f, const Instr &in);
  uint64_t atomic(Frame &f, const Instr &in);
  void resolveShuffles(unsigned warp, unsigned lanes);
  void runBlock();
};

uint64_t Machine::atomic(Frame &f, const Instr &in) {
  unsigned bytes = typeBytes(in.type);
  if (bytes != 4 && bytes != 8)
    throw Fault{"unsupported atomic width"};
  uint8_t *p = address(f, in, bytes, "atomic", Access::Atomic);
  uint64_t old = 0;
  std::memcpy(&old, p, bytes);
  uint64_t b = value(f, in.src[1]), c = in.src[2] != kNoSlot ? value(f, in.src[2]) : 0;
  uint64_t r = atomicUpdate(in, old, b, c);
  std::memcpy(p, &r, bytes);
  return norm(in.type, old);
}
// ---------------------------------------------------------------------- control

void Machine::executeCall(Frame &f, const Instr &in) {
  const Function &callee = module.functions[static_cast<size_t>(in.target)];
  if (!callee.defined)
    throw Fault{"call to '" + callee.name + "', which has no body"};
  if (callee.usesSync)
    throw Fault{"call to '" + callee.name + "', which synchronizes: not supported by the emulator"};
  if (f.depth >= 64)
    throw Fault{"call depth over 64"};
  if (in.callArgs.size() != callee.params.size())
    throw Fault{"call to '" + callee.name + "' with the wrong number of arguments"};
  std::vector<uint64_t> regs(callee.registerNames.size(), 0);
  std::vector<uint8_t> local(callee.localBytes), scratch(callee.scratchBytes), args(callee.paramBytes);
  for (size_t i = 0; i < callee.params.size(); ++i) {
    auto [offset, size] = callee.params[i];
    if (static_cast<size_t>(in.callArgs[i]) + size > f.fn->scratchBytes)
      throw Fault{"call argument outside the caller's .param variables"};
    std::memcpy(args.data() + offset, f.scratch + in.callArgs[i], size);
  }
  Frame inner{&callee, regs.data(), local.data(), scratch.data(), args.data()};
  inner.depth = f.depth + 1;
  if (execute(inner) != Stop::Exited)
    throw Fault{"called function did not return"};
  if (in.callResult != kNoSlot) {
    if (static_cast<size_t>(in.callResult) + callee.retvalBytes > f.fn->scratchBytes)
      throw Fault{"call result outside the caller's .param variables"};
    std::memcpy(f.scratch + in.callResult, scratch.data(), callee.retvalBytes);
  }
}

Stop Machine::execute(Frame &f) {
  const std::vector<Instr> &code = f.fn->code;
  while (true) {
    if (f.pc >= code.size())
      return Stop::Exited; // falling off the end returns
    const Instr &in = code[f.pc];
    if (++steps > kMaxSteps)
      throw Fault{"more than 2e10 instructions: the kernel does not seem to finish"};
    try {
      if (in.guard != kNoSlot && (value(f, in.guard) != 0) == in.predNegated) {
        ++f.pc;
        continue;
      }
      switch (in.op) {
      case Op::Bra:
        f.pc = static_cast<uint32_t>(in.target);
        continue;
      case Op::Ret: case Op::Exit:
        if (in.op == Op::Exit && f.depth > 0)
          throw Fault{"exit inside a called function is not supported by the emulator"};
        return Stop::Exited;
      case Op::Bar:
        if (f.depth > 0)
          throw Fault{"barrier inside a called function"};
        if (value(f, in.src[0]) != 0)
          throw Fault{"only barrier 0 is supported by the emulator"};
        return Stop::Barrier;
      case Op::Shfl:
        if (in.type != Type::B32)
          throw Fault{"shfl.sync needs .b32"};
        return Stop::Shuffle;
      case Op::Membar:
        break;
      case Op::Call:
        executeCall(f, in);
        break;
      case Op::Mov:
        if (in.vectorWidth > 1) {
          unsigned part = typeBytes(in.type) / in.vectorWidth;
          if (in.dst != kNoSlot) { // pack
            uint64_t r = 0;
            for (unsigned i = 0; i < in.vectorWidth; ++i)
              r |= (value(f, in.vec[i]) & mask(part)) << (8 * part * i);
            write(f, in.dst, r);
          } else { // unpack
            uint64_t v = value(f, in.src[0]);
            for (unsigned i = 0; i < in.vectorWidth; ++i)
              write(f, in.vec[i], (v >> (8 * part * i)) & mask(part));
          }
        } else {
          write(f, in.dst, norm(in.type, value(f, in.src[0])));
        }
        break;
      case Op::Setp: {
        bool q, r = compare(in, value(f, in.src[0]), value(f, in.src[1]), q);
        if (in.boolOp != BoolOp::None) {
          bool c = value(f, in.src[2]) != 0;
          auto combine = [&](bool v) {
            return in.boolOp == BoolOp::And ? v && c : in.boolOp == BoolOp::Or ? v || c : v != c;
          };
          r = combine(r);
          q = combine(q);
        }
        write(f, in.dst, r);
        if (in.dst2 != kNoSlot)
          write(f, in.dst2, q);
        break;
      }
      case Op::Selp:
        write(f, in.dst, norm(in.type, value(f, in.src[2]) ? value(f, in.src[0]) : value(f, in.src[1])));
        break;
      case Op::Testp:
        write(f, in.dst, testp(in, value(f, in.src[0])));
        break;
      case Op::Cvta: {
        uint64_t v = value(f, in.src[0]);
        uint64_t base = in.space == Space::Shared  ? reinterpret_cast<uintptr_t>(shared.data())
                        : in.space == Space::Local ? reinterpret_cast<uintptr_t>(f.local)
                                                   : 0;
        if (in.space == Space::Param)
          throw Fault{"cvta of the param space is not supported"};
        write(f, in.dst, in.toSpace ? v - base : v + base);
        break;
      }
      case Op::Ld: {
        unsigned bytes = typeBytes(in.type);
        uint8_t *p = address(f, in, bytes * in.vectorWidth, "load", Access::Read);
        for (unsigned i = 0; i < in.vectorWidth; ++i) {
          uint64_t v = 0;
          std::memcpy(&v, p + i * bytes, bytes);
          write(f, in.vec[i], norm(in.type, v));
        }
        break;
      }
      case Op::St: {
        unsigned bytes = typeBytes(in.type);
        uint8_t *p = address(f, in, bytes * in.vectorWidth, "store", Access::Write);
        for (unsigned i = 0; i < in.vectorWidth; ++i) {
          uint64_t v = value(f, in.vec[i]);
          std::memcpy(p + i * bytes, &v, bytes);
        }
        break;
      }
      case Op::Atom:
        write(f, in.dst, atomic(f, in));
        break;
      case Op::Red:
        atomic(f, in);
        break;
      default: {
        fmas += in.op == Op::Fma && isFloat(in.type);
        auto operand = [&](int i) { return in.src[i] != kNoSlot ? value(f, in.src[i]) : 0; };
        write(f, in.dst, evaluate(in, operand(0), operand(1), operand(2), operand(3), f.carry));
        break;
      }
      }
    } catch (Fault &fault) {
      if (fault.what.find(", PTX line ") == std::string::npos)
        fault.what += " (" + where(f, in) + ")";
      throw;
    }
    ++f.pc;
  }
}

void Machine::resolveShuffles(unsigned warp, unsigned lanes) {
  ThreadState *w = &threads[warp * 32];
  unsigned arrived = 0, exited = 0;
  for (unsigned l = 0; l < lanes; ++l) {
    if (w[l].stop == Stop::Shuffle)
      arrived |= 1u << l;
    else if (w[l].stop == Stop::Exited)
      exited |= 1u << l;
  }
  if (!arrived)
    return;
  const Instr *first = nullptr;
  for (unsigned l = 0; l < lanes; ++l) {
    if (!(arrived >> l & 1))
      continue;
    current = &w[l];
    const Instr &in = w[l].frame.fn->code[w[l].frame.pc];
    if (!first)
      first = &in;
    if (&in != first)
      throw Fault{"lanes of one warp wait at different shfl.sync instructions (" + where(w[l].frame, in) + ")"};
  }
  unsigned waiting = 0; // lanes neither at this shuffle nor exited
  for (unsigned l = 0; l < lanes; ++l)
    if (!(arrived >> l & 1) && !(exited >> l & 1))
      waiting |= 1u << l;
  if (waiting)
    throw Fault{"a warp reached shfl.sync while some of its lanes wait at a barrier (" +
                where(w[__builtin_ctz(arrived)].frame, *first) + ")"};
  const Instr &in = *first;
  uint32_t values[32] = {};
  for (unsigned l = 0; l < lanes; ++l)
    if (arrived >> l & 1)
      values[l] = static_cast<uint32_t>(value(w[l].frame, in.src[0]));
  for (unsigned l = 0; l < lanes; ++l) {
    if (!(arrived >> l & 1))
      continue;
    Frame &f = w[l].frame;
    current = &w[l];
    uint32_t membermask = static_cast<uint32_t>(value(f, in.src[3]));
    if ((membermask & ~arrived) != 0)
      throw Fault{"shfl.sync's member mask names lanes that exited or do not exist (" + where(f, in) + ")"};
    int b = static_cast<int>(value(f, in.src[1]) & 31);
    uint32_t c = static_cast<uint32_t>(value(f, in.src[2]));
    int clamp = static_cast<int>(c & 31), segmask = static_cast<int>((c >> 8) & 31);
    int lane = static_cast<int>(l);
    int maxLane = (lane & segmask) | (clamp & ~segmask), minLane = lane & segmask;
    int j = lane;
    bool inRange;
    switch (in.shfl) {
    case ShflMode::Up: j = lane - b; inRange = j >= maxLane; break;
    case ShflMode::Down: j = lane + b; inRange = j <= maxLane; break;
    case ShflMode::Bfly: j = lane ^ b; inRange = j <= maxLane; break;
    default: j = minLane | (b & ~segmask); inRange = j <= maxLane; break;
    }
    if (!inRange)
      j = lane;
    if (j < 0 || j >= static_cast<int>(lanes) || !(arrived >> j & 1))
      throw Fault{"shfl.sync reads lane " + std::to_string(j) + ", which is not taking part (" + where(f, in) + ")"};
    write(f, in.dst, values[j]);
    if (in.dst2 != kNoSlot)
      write(f, in.dst2, inRange);
  }
  for (unsigned l = 0; l < lanes; ++l)
    if (arrived >> l & 1) {
      w[l].stop = Stop::Running;
      ++w[l].frame.pc;
    }
}

void Machine::runBlock() {
  const unsigned n = threadsPerBlock;
  const size_t nregs = kernel.registerNames.size();
  std::fill(registers.begin(), registers.end(), 0);
  std::fill(locals.begin(), locals.end(), 0);
  std::fill(scratches.begin(), scratches.end(), 0);
  // Shared memory starts as garbage on a GPU; a NaN pattern makes reads of unwritten
  // words visible instead of silently reading zeros.
  std::fill(shared.begin(), shared.end(), 0xff);
  std::fill(issues.begin(), issues.end(), 0);
  epoch = memory.newInterval();
  for (unsigned t = 0; t < n; ++t) {
    ThreadState &ts = threads[t];
    ts.linear = t;
    ts.stop = Stop::Running;
    ts.frame = Frame{&kernel, registers.data() + t * nregs, locals.data() + t * kernel.localBytes,
                     scratches.data() + t * kernel.scratchBytes, params};
    unsigned tid[3] = {t % shape.block[0], t / shape.block[0] % shape.block[1],
                       t / (shape.block[0] * shape.block[1])};
    for (auto [slot, which] : kernel.specialRegs) {
      uint64_t v = 0;
      switch (which) {
      case SpecialReg::TidX: v = tid[0]; break;
      case SpecialReg::TidY: v = tid[1]; break;
      case SpecialReg::TidZ: v = tid[2]; break;
      case SpecialReg::NtidX: v = shape.block[0]; break;
      case SpecialReg::NtidY: v = shape.block[1]; break;
      case SpecialReg::NtidZ: v = shape.block[2]; break;
      case SpecialReg::CtaidX: v = ctaid[0]; break;
      case SpecialReg::CtaidY: v = ctaid[1]; break;
      case SpecialReg::CtaidZ: v = ctaid[2]; break;
      case SpecialReg::NctaidX: v = shape.grid[0]; break;
      case SpecialReg::NctaidY: v = shape.grid[1]; break;
      case SpecialReg::NctaidZ: v = shape.grid[2]; break;
      case SpecialReg::LaneId: v = t % 32; break;
      case SpecialReg::WarpId: v = t / 32; break;
      }
      ts.frame.regs[slot] = v;
    }
  }
  const unsigned warps = (n + 31) / 32;
  while (true) {
    for (unsigned t = 0; t < n; ++t) {
      if (threads[t].stop != Stop::Running)
        continue;
      current = &threads[t];
      threads[t].stop = execute(threads[t].frame);
    }
    for (unsigned w = 0; w < warps; ++w)
      resolveShuffles(w, std::min(32u, n - w * 32));
    bool anyRunning = false, anyBarrier = false, anyShuffle = false;
    for (unsigned t = 0; t < n; ++t) {
      anyRunning |= threads[t].stop == Stop::Running;
      anyBarrier |= threads[t].stop == Stop::Barrier;
      anyShuffle |= threads[t].stop == Stop::Shuffle;
    }
    if (anyRunning)
      continue;
    if (anyShuffle)
      throw Fault{"deadlock: a shuffle cannot complete"};
    if (!anyBarrier) { // every thread exited
      if (traffic)
        traffic->endBlock();
      return;
    }
    // Every live thread waits at bar.sync 0 (exited threads count as arrived).
    epoch = memory.newInterval();
    for (unsigned t = 0; t < n; ++t)
      if (threads[t].stop == Stop::Barrier) {
        threads[t].stop = Stop::Running;
        ++threads[t].frame.pc;
      }
  }
}

std::string Machine::run() {
  for (int d = 0; d < 3; ++d)
    if (shape.grid[d] == 0 || shape.block[d] == 0)
      return "launch of kernel " + kernel.name + " with an empty grid or block";
  threadsPerBlock = shape.block[0] * shape.block[1] * shape.block[2];
  if (threadsPerBlock > kernel.maxThreads)
    return "launch of kernel " + kernel.name + " with " + std::to_string(threadsPerBlock) +
           " threads per block, over its limit of " + std::to_string(kernel.maxThreads);
  size_t sharedBytes = shape.dynamicShared ? kernel.dynamicSharedOffset + shape.dynamicShared : kernel.sharedBytes;
  shared.assign(sharedBytes, 0);
  sharedWriter.assign(sharedBytes, 0);
  sharedEpoch.assign(sharedBytes, 0);
  sharedReader.assign(sharedBytes, 0);
  sharedReadEpoch.assign(sharedBytes, 0);
  registers.assign(static_cast<size_t>(threadsPerBlock) * kernel.registerNames.size(), 0);
  locals.assign(static_cast<size_t>(threadsPerBlock) * kernel.localBytes, 0);
  scratches.assign(static_cast<size_t>(threadsPerBlock) * kernel.scratchBytes, 0);
  threads.assign(threadsPerBlock, ThreadState{});
  launchStart = memory.newInterval();
  if (stats) {
    traffic = std::make_unique<TrafficCounter>(*stats);
    memoryInstruction.assign(kernel.code.size(), -1);
    for (size_t pc = 0; pc < kernel.code.size(); ++pc) {
      Op op = kernel.code[pc].op;
      if (op == Op::Ld || op == Op::St || op == Op::Atom || op == Op::Red)
        memoryInstruction[pc] = static_cast<int32_t>(memoryInstructions++);
    }
    issues.assign(static_cast<size_t>(threadsPerBlock) * memoryInstructions, 0);
  }
  try {
    for (ctaid[2] = 0; ctaid[2] < shape.grid[2]; ++ctaid[2])
      for (ctaid[1] = 0; ctaid[1] < shape.grid[1]; ++ctaid[1])
        for (ctaid[0] = 0; ctaid[0] < shape.grid[0]; ++ctaid[0]) {
          blockLinear = (ctaid[2] * shape.grid[1] + ctaid[1]) * shape.grid[0] + ctaid[0];
          runBlock();
        }
  } catch (const Fault &fault) {
    return fault.what;
  }
  if (stats) {
    traffic->endLaunch();
    stats->threadInstructions += steps;
    stats->floatFmas += fmas;
  }
  return "";
}

} // namespace

std::string runKernel(const Module &module, const Function &kernel, const LaunchShape &shape,
                      const uint8_t *params, MemoryMap &memory, LaunchStats *stats) {
  return Machine(module, kernel, shape, params, memory, stats).run();
}

} // namespace kiln::emu
