// The decoded form of a PTX module that the CPU emulator executes: functions as flat
// instruction lists whose operands are all register slots.
#ifndef KILN_TESTS_EMULATOR_PTX_H
#define KILN_TESTS_EMULATOR_PTX_H

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::emu {

enum class Type : uint8_t {
  None, Pred, B8, B16, B32, B64, U8, U16, U32, U64, S8, S16, S32, S64, F16, F32, F64, BF16, F16x2, BF16x2
};
/// Width in bytes (1 for .pred).
unsigned typeBytes(Type t);
bool isSigned(Type t);
bool isFloat(Type t);

enum class Space : uint8_t { Generic, Global, Shared, Local, Param, Const };

enum class Op : uint8_t {
  Mov, Add, Sub, Mul, Mad, Fma, Div, Rem, Neg, Abs, Min, Max, Copysign,
  Rcp, Sqrt, Rsqrt, Ex2, Lg2, Sin, Cos, Tanh,
  And, Or, Xor, Not, Cnot, Shl, Shr, Shf, Prmt, Bfe, Bfi, Popc, Clz, Brev,
  Setp, Selp, Cvt, Cvta, Ld, St, Atom, Red,
  Bra, Ret, Exit, Call, Bar, Shfl, Membar, Testp
};

enum class Round : uint8_t { Default, Rn, Rz, Rm, Rp, Rni, Rzi, Rmi, Rpi };
enum class Cmp : uint8_t { None, Eq, Ne, Lt, Le, Gt, Ge, Lo, Ls, Hi, Hs, Equ, Neu, Ltu, Leu, Gtu, Geu, Num, Nan };
enum class MulMode : uint8_t { None, Lo, Hi, Wide };
enum class ShflMode : uint8_t { None, Up, Down, Bfly, Idx };
enum class AtomOp : uint8_t { None, Add, Min, Max, Exch, Cas, And, Or, Xor, Inc, Dec };
enum class BoolOp : uint8_t { None, And, Or, Xor };
enum class TestKind : uint8_t { None, Finite, Infinite, Number, NotANumber, Normal, Subnormal };

/// An operand index: >= 0 is a per-thread register slot, < 0 is ~index into the
/// function's constant table (immediates and symbol addresses).
using Slot = int32_t;
constexpr Slot kNoSlot = INT32_MIN;

struct Instr {
  Op op = Op::Mov;
  Type type = Type::None;  // the operation's type (destination type for cvt)
  Type srcType = Type::None; // cvt's source type
  Space space = Space::Generic;
  Round round = Round::Default;
  Cmp cmp = Cmp::None;
  MulMode mul = MulMode::None;
  ShflMode shfl = ShflMode::None;
  AtomOp atom = AtomOp::None;
  BoolOp boolOp = BoolOp::None; // setp's combining operation
  TestKind test = TestKind::None;
  bool ftz = false, sat = false, nan = false, approx = false, carryIn = false, carryOut = false;
  bool toSpace = false;    // cvta.to.<space> (generic to space) instead of cvta.<space>
  bool paramScratch = false; // ld/st.param of a body .param variable or the return value, not an input
  bool shfLeft = false, shfWrap = false;
  bool predNegated = false;
  uint8_t vectorWidth = 1; // ld/st .v2/.v4; mov pack/unpack width
  Slot guard = kNoSlot;    // @%p / @!%p
  Slot dst = kNoSlot, dst2 = kNoSlot; // dst2: setp's second predicate, shfl's predicate
  Slot src[4] = {kNoSlot, kNoSlot, kNoSlot, kNoSlot};
  Slot vec[4] = {kNoSlot, kNoSlot, kNoSlot, kNoSlot}; // ld/st vector registers, mov pack/unpack parts
  int64_t offset = 0;      // address = value of src[0] + offset
  int32_t target = -1;     // bra: instruction index; call: callee function index
  std::vector<Slot> callArgs; // call: the caller's .param variables (as constant slots holding scratch offsets)
  Slot callResult = kNoSlot;
  int line = 0;            // line in the PTX text, for error messages
};

enum class SpecialReg : uint8_t { TidX, TidY, TidZ, NtidX, NtidY, NtidZ, CtaidX, CtaidY, CtaidZ,
                                  NctaidX, NctaidY, NctaidZ, LaneId, WarpId };

struct Function {
  std::string name;
  bool isEntry = false;
  bool defined = false;
  std::vector<Instr> code;
  std::vector<uint64_t> constants;                          // see Slot
  std::vector<std::pair<Slot, SpecialReg>> specialRegs;     // register slots filled per thread
  std::map<std::string, Slot> registers;
  std::vector<std::string> registerNames;                   // slot -> name
  size_t paramBytes = 0;                                    // bytes of .param inputs
  std::vector<std::pair<size_t, size_t>> params;            // (offset, size) of each input
  size_t retvalBytes = 0;
  size_t scratchBytes = 0;                                  // .param variables declared in the body (call sequences)
  size_t localBytes = 0;                                    // .local variables
  size_t sharedBytes = 0;                                   // static .shared variables, module-level ones included
  size_t dynamicSharedOffset = 0;                           // where .extern .shared starts
  unsigned maxThreads = 1024;                               // .maxntid / .reqntid product
  bool usesSync = false;                                    // contains bar or shfl (cannot be called)
};

struct GlobalVar {
  std::string name;
  Space space = Space::Global;
  size_t align = 1;
  std::vector<uint8_t> init;  // initial bytes (zero-filled when declared without one)
};

struct Module {
  std::vector<Function> functions;
  std::map<std::string, size_t> functionIndex;
  std::vector<GlobalVar> globals; // .global and .const; their storage is owned by the module
  std::vector<std::unique_ptr<uint8_t[]>> globalStorage;
  size_t moduleSharedBytes = 0;   // module-level .shared variables, laid out first in every kernel
  const Function* find(const std::string &name) const;
};

/// Parses LLVM-NVPTX-style PTX into a module. On a syntax error or an instruction the
/// emulator does not implement, returns null and describes it (with the line) in `error`.
std::unique_ptr<Module> parsePtx(const std::string &text, std::string &error);

} // namespace kiln::emu

#endif // KILN_TESTS_EMULATOR_PTX_H
