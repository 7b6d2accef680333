// What one PTX instruction computes from its operand values, apart from memory and
// control flow: ALU operations and conversions, setp and testp, and atomics' new values.
#ifndef KILN_TESTS_EMULATOR_PTXARITHMETIC_H
#define KILN_TESTS_EMULATOR_PTXARITHMETIC_H

#include "Ptx.h"

#include <cstdint>
#include <string>

namespace kiln::emu {

/// A kernel fault or an instruction form the emulator does not implement; the
/// interpreter adds where it happened.
struct Fault {
  std::string what;
};

/// All ones in the low `bytes` bytes.
uint64_t mask(unsigned bytes);
/// The low `bytes` bytes of v, sign-extended.
int64_t sext(uint64_t v, unsigned bytes);
/// The register image of a value of type t: sign-extended for signed types,
/// zero-extended otherwise, 0 or 1 for .pred.
uint64_t norm(Type t, uint64_t v);

/// An ALU instruction or cvt on operand values a..d (0 where absent); `carry` is the
/// thread's carry flag, read by addc/subc/madc and written by .cc forms.
uint64_t evaluate(const Instr &in, uint64_t a, uint64_t b, uint64_t c, uint64_t d, bool &carry);
/// setp's comparison of a and b; `complement` receives its negation before combining.
bool compare(const Instr &in, uint64_t a, uint64_t b, bool &complement);
/// testp's floating-point class test.
bool testp(const Instr &in, uint64_t a);
/// The value atom or red stores, given the old value and operands b (and c for cas).
uint64_t atomicUpdate(const Instr &in, uint64_t old, uint64_t b, uint64_t c);

} // namespace kiln::emu

#endif // KILN_TESTS_EMULATOR_PTXARITHMETIC_H
