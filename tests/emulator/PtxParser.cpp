// Parses the PTX that LLVM's NVPTX back end writes into the emulator's decoded form;
// anything it does not understand is an error naming the line, never a guess.
#include "Ptx.h"

#include <cctype>
#include <cstring>
#include <functional>
#include <stdexcept>

namespace kiln::emu {

unsigned typeBytes(Type t) {
  switch (t) {
  case Type::Pred: case Type::B8: case Type::U8: case Type::S8: return 1;
  case Type::B16: case Type::U16: case Type::S16: case Type::F16: case Type::BF16: return 2;
  case Type::B32: case Type::U32: case Type::S32: case Type::F32: case Type::F16x2: case Type::BF16x2: return 4;
  case Type::B64: case Type::U64: case Type::S64: case Type::F64: return 8;
  case Type::None: return 0;
  }
  return 0;
}

bool isSigned(Type t) { return t == Type::S8 || t == Type::S16 || t == Type::S32 || t == Type::S64; }
bool isFloat(Type t) {
  return t == Type::F16 || t == Type::F32 || t == Type::F64 || t == Type::BF16 || t == Type::F16x2 ||
         t == Type::BF16x2;
}

const Function *Module::find(const std::string &name) const {
  auto it = functionIndex.find(name);
  return it == functionIndex.end() ? nullptr : &functions[it->second];
}

namespace {

struct ParseError : std::runtime_error {
  int line;
  ParseError(int line, const std::string &what) : std::runtime_error(what), line(line) {}
};

struct Token {
  enum Kind { Ident, Number, Punct, String, End } kind;
  std::string text;
  int line;
};

std::vector<Token> tokenize(const std::string &s) {
  std::vector<Token> out;
  int line = 1;
  size_t i = 0, n = s.size();
  auto identStart = [](char c) {
    return std::isalpha((unsigned char)c) || c == '_' || c == '$' || c == '%' || c == '.';
  };
  auto identChar = [](char c) { return std::isalnum((unsigned char)c) || c == '_' || c == '$' || c == '.'; };
  while (i < n) {
    char c = s[i];
    if (c == '\n') { ++line; ++i; continue; }
    if (std::isspace((unsigned char)c)) { ++i; continue; }
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      i += 2;
      while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/')) line += s[i++] == '\n';
      i += 2;
      continue;
    }
    size_t start = i;
    if (c == '"') {
      ++i;
      while (i < n && s[i] != '"') ++i;
      ++i;
      out.push_back({Token::String, s.substr(start, i - start), line});
    } else if (std::isdigit((unsigned char)c)) {
      while (i < n && (std::isalnum((unsigned char)s[i]) || s[i] == '.')) ++i;
      out.push_back({Token::Number, s.substr(start, i - start), line});
    } else if (identStart(c)) {
      ++i;
      // "shared::cta" style qualifiers stay inside one token.
      while (i < n && (identChar(s[i]) || (s[i] == ':' && i + 1 < n && s[i + 1] == ':') ||
                       (s[i] == ':' && i > 0 && s[i - 1] == ':')))
        ++i;
      out.push_back({Token::Ident, s.substr(start, i - start), line});
    } else {
      ++i;
      out.push_back({Token::Punct, std::string(1, c), line});
    }
  }
  out.push_back({Token::End, "", line});
  return out;
}

bool parseTypeName(const std::string &name, Type &t) {
  static const std::map<std::string, Type> kTypes = {
      {"pred", Type::Pred}, {"b8", Type::B8},   {"b16", Type::B16}, {"b32", Type::B32}, {"b64", Type::B64},
      {"u8", Type::U8},     {"u16", Type::U16}, {"u32", Type::U32}, {"u64", Type::U64}, {"s8", Type::S8},
      {"s16", Type::S16},   {"s32", Type::S32}, {"s64", Type::S64}, {"f16", Type::F16}, {"f32", Type::F32},
      {"f64", Type::F64},   {"bf16", Type::BF16}, {"f16x2", Type::F16x2}, {"bf16x2", Type::BF16x2}};
  auto it = kTypes.find(name);
  if (it == kTypes.end())
    return false;
  t = it->second;
  return true;
}

size_t alignUp(size_t v, size_t a) { return a ? (v + a - 1) / a * a : v; }

/// Where a named symbol lives, as seen from inside one function.
struct Symbol {
  enum Kind { Address, InputParam, ScratchParam, DynamicShared } kind;
  uint64_t value = 0; // Address: the value `mov` yields (host pointer or space offset); params: offset
  Space space = Space::Global;
};

class Parser {
public:
  Parser(const std::string &text, Module &m) : toks(tokenize(text)), m(m) {}

  void parseModule() {
    while (peek().kind != Token::End) {
      const Token &t = peek();
      if (t.text == ".version" || t.text == ".target" || t.text == ".address_size") {
        int line = t.line;
        while (peek().kind != Token::End && peek().line == line) ++pos;
      } else if (t.text == ".visible" || t.text == ".weak" || t.text == ".extern") {
        bool ext = t.text == ".extern";
        ++pos;
        if (peek().text == ".entry" || peek().text == ".func")
          parseFunction();
        else
          parseVariable(/*inFunction=*/nullptr, ext);
      } else if (t.text == ".entry" || t.text == ".func") {
        parseFunction();
      } else if (t.text == ".global" || t.text == ".const" || t.text == ".shared") {
        parseVariable(nullptr, false);
      } else if (t.text == ";") {
        ++pos;
      } else {
        throw ParseError(t.line, "unexpected '" + t.text + "' at module level");
      }
    }
  }

private:
  std::vector<Token> toks;
  size_t pos = 0;
  Module &m;
  std::map<std::string, Symbol> moduleSymbols;

  // Per-function state.
  Function *fn = nullptr;
  std::map<std::string, Symbol> localSymbols;
  std::map<uint64_t, Slot> constantSlots;
  std::map<std::string, int32_t> labels;
  std::vector<std::pair<size_t, std::string>> pendingBranches;
  std::vector<size_t> dynamicSharedConstants;

  const Token &peek(size_t ahead = 0) const { return toks[std::min(pos + ahead, toks.size() - 1)]; }
  const Token &next() { return toks[std::min(pos++, toks.size() - 1)]; }
  bool accept(const std::string &text) {
    if (peek().text != text || peek().kind == Token::String)
      return false;
    ++pos;
    return true;
  }
  void expect(const std::string &text) {
    if (!accept(text))
      throw ParseError(peek().line, "expected '" + text + "' but found '" + peek().text + "'");
  }
  [[noreturn]] void fail(const std::string &what) { throw ParseError(peek().line, what); }

  uint64_t parseNumber(const std::string &text, int line) {
    std::string t = text;
    if (!t.empty() && (t.back() == 'U' || t.back() == 'u'))
      t.pop_back();
    try {
      if (t.size() == 10 && (t.rfind("0f", 0) == 0 || t.rfind("0F", 0) == 0))
        return std::stoull(t.substr(2), nullptr, 16);
      if (t.size() == 18 && (t.rfind("0d", 0) == 0 || t.rfind("0D", 0) == 0))
        return std::stoull(t.substr(2), nullptr, 16);
      if (t.rfind("0x", 0) == 0 || t.rfind("0X", 0) == 0)
        return std::stoull(t.substr(2), nullptr, 16);
      size_t used = 0;
      uint64_t v = std::stoull(t, &used, 10);
      if (used == t.size())
        return v;
    } catch (const std::exception &) {
    }
    throw ParseError(line, "cannot read the number '" + text + "'");
  }

  int64_t parseSignedNumber() {
    bool negative = accept("-");
    const Token &t = next();
    if (t.kind != Token::Number)
      throw ParseError(t.line, "expected a number but found '" + t.text + "'");
    uint64_t v = parseNumber(t.text, t.line);
    return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  }

  void skipTo(const std::string &text) {
    while (peek().kind != Token::End && peek().text != text)
      ++pos;
    expect(text);
  }

  // ------------------------------------------------------------------ declarations

  struct Decl {
    Type type = Type::None;
    size_t align = 0, count = 1, vector = 1;
    bool unsized = false;
    std::string name;
    std::vector<uint64_t> init;
  };

  Decl parseDecl() {
    Decl d;
    while (peek().kind == Token::Ident && peek().text[0] == '.') {
      std::string q = next().text.substr(1);
      Type t;
      if (q == "align")
        d.align = static_cast<size_t>(parseSignedNumber());
      else if (q == "v2" || q == "v4")
        d.vector = q == "v2" ? 2 : 4;
      else if (q == "ptr" || q == "global" || q == "shared" || q == "const" || q == "local")
        continue; // .ptr .global .align N on kernel parameters: pointer attributes only
      else if (parseTypeName(q, t))
        d.type = t;
      else
        fail("unsupported declaration qualifier '." + q + "'");
    }
    if (d.type == Type::None)
      fail("declaration without a type");
    const Token &name = next();
    if (name.kind != Token::Ident)
      throw ParseError(name.line, "expected a name in a declaration");
    d.name = name.text;
    if (accept("[")) {
      if (accept("]")) {
        d.unsized = true;
      } else {
        d.count = static_cast<size_t>(parseSignedNumber());
        expect("]");
      }
    }
    if (accept("=")) {
      if (accept("{")) {
        while (!accept("}")) {
          d.init.push_back(static_cast<uint64_t>(parseSignedNumber()));
          accept(",");
        }
      } else {
        d.init.push_back(static_cast<uint64_t>(parseSignedNumber()));
      }
    }
    size_t elem = typeBytes(d.type) * d.vector;
    d.align = std::max(d.align, elem);
    return d;
  }

  size_t declBytes(const Decl &d) const { return typeBytes(d.type) * d.vector * d.count; }

  void parseVariable(Function *inFunction, bool isExtern) {
    const Token &spaceTok = next();
    std::string space = spaceTok.text;
    Decl d = parseDecl();
    expect(";");
    size_t bytes = declBytes(d);
    std::map<std::string, Symbol> &symbols = inFunction ? localSymbols : moduleSymbols;
    if (space == ".global" || space == ".const") {
      if (isExtern)
        throw ParseError(spaceTok.line, "external " + space + " variable '" + d.name + "' is not supported");
      GlobalVar g;
      g.name = d.name;
      g.space = space == ".global" ? Space::Global : Space::Const;
      g.align = d.align;
      g.init.assign(bytes, 0);
      size_t elem = typeBytes(d.type);
      if (d.init.size() * elem > bytes)
        throw ParseError(spaceTok.line, "too many initializers for '" + d.name + "'");
      for (size_t i = 0; i < d.init.size(); ++i)
        std::memcpy(g.init.data() + i * elem, &d.init[i], elem);
      auto storage = std::make_unique<uint8_t[]>(std::max<size_t>(bytes, 1));
      std::memcpy(storage.get(), g.init.data(), bytes);
      uint64_t address = reinterpret_cast<uintptr_t>(storage.get());
      m.globals.push_back(std::move(g));
      m.globalStorage.push_back(std::move(storage));
      symbols[d.name] = {Symbol::Address, address, Space::Global};
    } else if (space == ".shared") {
      if (isExtern || d.unsized) {
        symbols[d.name] = {Symbol::DynamicShared, 0, Space::Shared};
      } else if (inFunction) {
        inFunction->sharedBytes = alignUp(inFunction->sharedBytes, d.align);
        symbols[d.name] = {Symbol::Address, inFunction->sharedBytes, Space::Shared};
        inFunction->sharedBytes += bytes;
      } else {
        m.moduleSharedBytes = alignUp(m.moduleSharedBytes, d.align);
        symbols[d.name] = {Symbol::Address, m.moduleSharedBytes, Space::Shared};
        m.moduleSharedBytes += bytes;
      }
    } else if (space == ".local" && inFunction) {
      inFunction->localBytes = alignUp(inFunction->localBytes, d.align);
      symbols[d.name] = {Symbol::Address, inFunction->localBytes, Space::Local};
      inFunction->localBytes += bytes;
    } else if (space == ".param" && inFunction) {
      inFunction->scratchBytes = alignUp(inFunction->scratchBytes, d.align);
      symbols[d.name] = {Symbol::ScratchParam, inFunction->scratchBytes, Space::Param};
      inFunction->scratchBytes += bytes;
    } else {
      throw ParseError(spaceTok.line, "unsupported variable in state space " + space);
    }
  }

  Function &functionNamed(const std::string &name) {
    auto it = m.functionIndex.find(name);
    if (it != m.functionIndex.end())
      return m.functions[it->second];
    m.functionIndex[name] = m.functions.size();
    m.functions.emplace_back();
    m.functions.back().name = name;
    return m.functions.back();
  }

  void parseFunction() {
    bool isEntry = next().text == ".entry";
    // The return value comes before the name: .func (.param .b64 func_retval0) name(...)
    std::vector<Decl> retvals;
    if (!isEntry && accept("(")) {
      while (!accept(")")) {
        expect(".param");
        retvals.push_back(parseDecl());
        accept(",");
      }
    }
    std::string name = next().text;
    std::vector<Decl> params;
    if (accept("(")) {
      while (!accept(")")) {
        expect(".param");
        params.push_back(parseDecl());
        accept(",");
      }
    }
    // functionNamed may reallocate the vector; take the index, not a reference, across it.
    size_t index = m.functionIndex.count(name) ? m.functionIndex[name] : (functionNamed(name), m.functionIndex[name]);
    fn = &m.functions[index];
    fn->isEntry = isEntry;
    fn->params.clear();
    fn->paramBytes = 0;
    localSymbols.clear();
    for (const Decl &p : params) {
      fn->paramBytes = alignUp(fn->paramBytes, p.align);
      fn->params.push_back({fn->paramBytes, declBytes(p)});
      localSymbols[p.name] = {Symbol::InputParam, fn->paramBytes, Space::Param};
      fn->paramBytes += declBytes(p);
    }
    fn->scratchBytes = 0;
    for (const Decl &r : retvals) {
      localSymbols[r.name] = {Symbol::ScratchParam, fn->scratchBytes, Space::Param};
      fn->scratchBytes += declBytes(r);
    }
    fn->retvalBytes = fn->scratchBytes;
    // Performance directives.
    while (peek().kind == Token::Ident && peek().text[0] == '.') {
      std::string d = next().text;
      if (d == ".maxntid" || d == ".reqntid") {
        uint64_t product = 1;
        do
          product *= static_cast<uint64_t>(parseSignedNumber());
        while (accept(","));
        fn->maxThreads = static_cast<unsigned>(std::min<uint64_t>(product, 1024));
      } else if (d == ".minnctapersm" || d == ".maxnreg" || d == ".maxnctapersm") {
        parseSignedNumber();
      } else if (d == ".noreturn") {
      } else if (d == ".pragma") {
        next();
        expect(";");
      } else {
        fail("unsupported function directive " + d);
      }
    }
    if (accept(";"))
      return; // a prototype
    expect("{");
    fn->defined = true;
    fn->code.clear();
    fn->constants.clear();
    fn->registers.clear();
    fn->registerNames.clear();
    fn->specialRegs.clear();
    fn->sharedBytes = m.moduleSharedBytes;
    fn->localBytes = 0;
    constantSlots.clear();
    labels.clear();
    pendingBranches.clear();
    dynamicSharedConstants.clear();
    parseBody();
    fn = &m.functions[index];
    for (auto &[at, label] : pendingBranches) {
      auto it = labels.find(label);
      if (it == labels.end())
        throw ParseError(fn->code[at].line, "branch to unknown label '" + label + "'");
      fn->code[at].target = it->second;
    }
    fn->dynamicSharedOffset = alignUp(fn->sharedBytes, 16);
    for (size_t c : dynamicSharedConstants)
      fn->constants[c] = fn->dynamicSharedOffset;
    fn = nullptr;
  }

  void parseBody() {
    int depth = 0;
    while (true) {
      const Token &t = peek();
      if (t.kind == Token::End)
        fail("unterminated function body");
      if (t.text == "{") {
        ++pos;
        ++depth;
      } else if (t.text == "}") {
        ++pos;
        if (depth-- == 0)
          return;
      } else if (t.text == ".reg") {
        skipTo(";");
      } else if (t.text == ".pragma") {
        skipTo(";");
      } else if (t.text == ".local" || t.text == ".shared" || t.text == ".param") {
        parseVariable(fn, false);
      } else if (t.kind == Token::Ident && peek(1).text == ":") {
        labels[t.text] = static_cast<int32_t>(fn->code.size());
        pos += 2;
      } else {
        parseInstruction();
      }
    }
  }

  // ------------------------------------------------------------------ operands

  Slot constant(uint64_t value) {
    auto it = constantSlots.find(value);
    if (it != constantSlots.end())
      return it->second;
    Slot s = ~static_cast<Slot>(fn->constants.size());
    fn->constants.push_back(value);
    constantSlots[value] = s;
    return s;
  }

  Slot reg(const std::string &name) {
    auto it = fn->registers.find(name);
    if (it != fn->registers.end())
      return it->second;
    Slot s = static_cast<Slot>(fn->registerNames.size());
    fn->registers[name] = s;
    fn->registerNames.push_back(name);
    static const std::map<std::string, SpecialReg> kSpecial = {
        {"%tid.x", SpecialReg::TidX},     {"%tid.y", SpecialReg::TidY},     {"%tid.z", SpecialReg::TidZ},
        {"%ntid.x", SpecialReg::NtidX},   {"%ntid.y", SpecialReg::NtidY},   {"%ntid.z", SpecialReg::NtidZ},
        {"%ctaid.x", SpecialReg::CtaidX}, {"%ctaid.y", SpecialReg::CtaidY}, {"%ctaid.z", SpecialReg::CtaidZ},
        {"%nctaid.x", SpecialReg::NctaidX}, {"%nctaid.y", SpecialReg::NctaidY},
        {"%nctaid.z", SpecialReg::NctaidZ}, {"%laneid", SpecialReg::LaneId}, {"%warpid", SpecialReg::WarpId}};
    auto special = kSpecial.find(name);
    if (special != kSpecial.end())
      fn->specialRegs.push_back({s, special->second});
    else if (name.find('.') != std::string::npos)
      fail("unsupported special register '" + name + "'");
    return s;
  }

  const Symbol *symbol(const std::string &name) const {
    auto it = localSymbols.find(name);
    if (it != localSymbols.end())
      return &it->second;
    it = moduleSymbols.find(name);
    return it == moduleSymbols.end() ? nullptr : &it->second;
  }

  Slot symbolValue(const Symbol &s, const std::string &name) {
    if (s.kind == Symbol::InputParam || s.kind == Symbol::ScratchParam)
      fail("taking the address of parameter '" + name + "' is not supported");
    if (s.kind == Symbol::DynamicShared) {
      // Patched once the function's static shared size is known.
      Slot c = ~static_cast<Slot>(fn->constants.size());
      dynamicSharedConstants.push_back(fn->constants.size());
      fn->constants.push_back(0);
      return c;
    }
    return constant(s.value);
  }

  struct Operand {
    enum Kind { Value, Address, Vector, Sink, Pair } kind = Value;
    Slot slot = kNoSlot, slot2 = kNoSlot;
    int64_t offset = 0;
    std::vector<Slot> vec;
    const Symbol *param = nullptr; // [param] addresses
  };

  /// A register, an immediate or a symbol's address.
  Slot valueOperand(const Token &t, bool negative) {
    if (t.kind == Token::Number) {
      uint64_t v = parseNumber(t.text, t.line);
      return constant(negative ? 0 - v : v);
    }
    if (negative)
      throw ParseError(t.line, "unexpected '-' before '" + t.text + "'");
    if (t.kind != Token::Ident)
      throw ParseError(t.line, "unexpected '" + t.text + "' in an operand");
    if (t.text == "_")
      return kNoSlot;
    if (const Symbol *s = symbol(t.text))
      return symbolValue(*s, t.text);
    if (m.functionIndex.count(t.text))
      throw ParseError(t.line, "function addresses are not supported");
    return reg(t.text);
  }

  Operand parseOperand() {
    Operand o;
    if (accept("[")) {
      o.kind = Operand::Address;
      const Token &t = next();
      if (t.kind == Token::Number) {
        o.slot = constant(0);
        o.offset = static_cast<int64_t>(parseNumber(t.text, t.line));
      } else {
        const Symbol *s = t.kind == Token::Ident ? symbol(t.text) : nullptr;
        if (s && (s->kind == Symbol::InputParam || s->kind == Symbol::ScratchParam)) {
          o.param = s;
          o.slot = constant(0);
          o.offset = static_cast<int64_t>(s->value);
        } else {
          o.slot = valueOperand(t, false);
        }
        if (peek().text == "+" || peek().text == "-") {
          bool minus = next().text == "-";
          int64_t v = parseSignedNumber();
          o.offset += minus ? -v : v;
        }
      }
      expect("]");
      return o;
    }
    if (accept("{")) {
      o.kind = Operand::Vector;
      while (!accept("}")) {
        o.vec.push_back(valueOperand(next(), false));
        accept(",");
      }
      return o;
    }
    bool negative = accept("-");
    const Token &t = next();
    o.slot = valueOperand(t, negative);
    if (t.text == "_")
      o.kind = Operand::Sink;
    if (accept("|")) {
      o.kind = Operand::Pair;
      o.slot2 = valueOperand(next(), false);
    }
    return o;
  }

  // ------------------------------------------------------------------ instructions

  void decodeModifiers(Instr &in, const std::vector<std::string> &parts, std::vector<Type> &types, int line) {
    static const std::map<std::string, Op> kOps = {
        {"mov", Op::Mov},     {"add", Op::Add},     {"sub", Op::Sub},       {"mul", Op::Mul},
        {"mad", Op::Mad},     {"fma", Op::Fma},     {"div", Op::Div},       {"rem", Op::Rem},
        {"neg", Op::Neg},     {"abs", Op::Abs},     {"min", Op::Min},       {"max", Op::Max},
        {"copysign", Op::Copysign}, {"rcp", Op::Rcp}, {"sqrt", Op::Sqrt},   {"rsqrt", Op::Rsqrt},
        {"ex2", Op::Ex2},     {"lg2", Op::Lg2},     {"sin", Op::Sin},       {"cos", Op::Cos},
        {"tanh", Op::Tanh},   {"and", Op::And},     {"or", Op::Or},         {"xor", Op::Xor},
        {"not", Op::Not},     {"cnot", Op::Cnot},   {"shl", Op::Shl},       {"shr", Op::Shr},
        {"shf", Op::Shf},     {"prmt", Op::Prmt},   {"bfe", Op::Bfe},       {"bfi", Op::Bfi},
        {"popc", Op::Popc},   {"clz", Op::Clz},     {"brev", Op::Brev},     {"setp", Op::Setp},
        {"selp", Op::Selp},   {"cvt", Op::Cvt},     {"cvta", Op::Cvta},     {"ld", Op::Ld},
        {"st", Op::St},       {"atom", Op::Atom},   {"red", Op::Red},       {"bra", Op::Bra},
        {"ret", Op::Ret},     {"exit", Op::Exit},   {"call", Op::Call},     {"bar", Op::Bar},
        {"barrier", Op::Bar}, {"shfl", Op::Shfl},   {"membar", Op::Membar}, {"fence", Op::Membar},
        {"testp", Op::Testp}, {"addc", Op::Add},    {"subc", Op::Sub},      {"madc", Op::Mad}};
    const std::string &base = parts[0];
    auto op = kOps.find(base);
    if (op == kOps.end())
      throw ParseError(line, "unsupported PTX instruction '" + base + "'");
    in.op = op->second;
    in.carryIn = base == "addc" || base == "subc" || base == "madc";
    static const std::map<std::string, Round> kRound = {{"rn", Round::Rn},   {"rz", Round::Rz},   {"rm", Round::Rm},
                                                        {"rp", Round::Rp},   {"rni", Round::Rni}, {"rzi", Round::Rzi},
                                                        {"rmi", Round::Rmi}, {"rpi", Round::Rpi}};
    static const std::map<std::string, Cmp> kCmp = {
        {"eq", Cmp::Eq},   {"ne", Cmp::Ne},   {"lt", Cmp::Lt},   {"le", Cmp::Le},   {"gt", Cmp::Gt},
        {"ge", Cmp::Ge},   {"lo", Cmp::Lo},   {"ls", Cmp::Ls},   {"hi", Cmp::Hi},   {"hs", Cmp::Hs},
        {"equ", Cmp::Equ}, {"neu", Cmp::Neu}, {"ltu", Cmp::Ltu}, {"leu", Cmp::Leu}, {"gtu", Cmp::Gtu},
        {"geu", Cmp::Geu}, {"num", Cmp::Num}, {"nan", Cmp::Nan}};
    static const std::map<std::string, Space> kSpace = {{"global", Space::Global}, {"shared", Space::Shared},
                                                        {"shared::cta", Space::Shared}, {"local", Space::Local},
                                                        {"param", Space::Param},   {"const", Space::Const}};
    static const std::map<std::string, AtomOp> kAtom = {
        {"add", AtomOp::Add}, {"min", AtomOp::Min}, {"max", AtomOp::Max}, {"exch", AtomOp::Exch},
        {"cas", AtomOp::Cas}, {"and", AtomOp::And}, {"or", AtomOp::Or},   {"xor", AtomOp::Xor},
        {"inc", AtomOp::Inc}, {"dec", AtomOp::Dec}};
    static const std::map<std::string, TestKind> kTest = {
        {"finite", TestKind::Finite}, {"infinite", TestKind::Infinite}, {"number", TestKind::Number},
        {"notanumber", TestKind::NotANumber}, {"normal", TestKind::Normal}, {"subnormal", TestKind::Subnormal}};
    static const std::vector<std::string> kIgnored = {
        "nc", "volatile", "relaxed", "acquire", "release", "acq_rel", "sys", "gpu", "cta", "uni",
        "aligned", "sync", "weak", "sc", "gl", "L1::no_allocate", "ca", "cg", "cs", "lu", "cv", "wb", "wt"};
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string &p = parts[i];
      Type t;
      if (parseTypeName(p, t)) {
        types.push_back(t);
      } else if (kRound.count(p) && in.op != Op::Setp) {
        in.round = kRound.at(p);
      } else if (p == "ftz") {
        in.ftz = true;
      } else if (p == "sat") {
        in.sat = true;
      } else if (p == "approx" || p == "full") {
        in.approx = true;
      } else if (p == "NaN") {
        in.nan = true;
      } else if (p == "cc") {
        in.carryOut = true;
      } else if (in.op == Op::Setp && kCmp.count(p) && in.cmp == Cmp::None) {
        in.cmp = kCmp.at(p);
      } else if (in.op == Op::Setp && (p == "and" || p == "or" || p == "xor")) {
        in.boolOp = p == "and" ? BoolOp::And : p == "or" ? BoolOp::Or : BoolOp::Xor;
      } else if ((in.op == Op::Mul || in.op == Op::Mad) && (p == "lo" || p == "hi" || p == "wide")) {
        in.mul = p == "lo" ? MulMode::Lo : p == "hi" ? MulMode::Hi : MulMode::Wide;
      } else if ((in.op == Op::Atom || in.op == Op::Red) && kAtom.count(p)) {
        in.atom = kAtom.at(p);
      } else if (in.op == Op::Shfl && (p == "up" || p == "down" || p == "bfly" || p == "idx")) {
        in.shfl = p == "up"     ? ShflMode::Up
                  : p == "down" ? ShflMode::Down
                  : p == "bfly" ? ShflMode::Bfly
                                : ShflMode::Idx;
      } else if (in.op == Op::Shf && (p == "l" || p == "r" || p == "wrap" || p == "clamp")) {
        if (p == "l") in.shfLeft = true;
        if (p == "wrap") in.shfWrap = true;
      } else if (in.op == Op::Testp && kTest.count(p)) {
        in.test = kTest.at(p);
      } else if (kSpace.count(p)) {
        in.space = kSpace.at(p);
      } else if (p == "to" && in.op == Op::Cvta) {
        in.toSpace = true;
      } else if (p == "v2" || p == "v4") {
        in.vectorWidth = p == "v2" ? 2 : 4;
      } else if (std::find(kIgnored.begin(), kIgnored.end(), p) != kIgnored.end()) {
      } else {
        throw ParseError(line, "unsupported PTX modifier '." + p + "' in '" + base + "'");
      }
    }
  }

  void parseInstruction() {
    Instr in;
    in.line = peek().line;
    if (accept("@")) {
      in.predNegated = accept("!");
      in.guard = valueOperand(next(), false);
    }
    const Token &opTok = next();
    if (opTok.kind != Token::Ident)
      throw ParseError(opTok.line, "expected an instruction but found '" + opTok.text + "'");
    std::vector<std::string> parts;
    size_t start = 0;
    const std::string &text = opTok.text;
    for (size_t i = 0; i <= text.size(); ++i)
      if (i == text.size() || (text[i] == '.' && !(i > 0 && text[i - 1] == ':'))) {
        parts.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    std::vector<Type> types;
    decodeModifiers(in, parts, types, in.line);
    if (in.op == Op::Cvt) {
      if (types.size() != 2)
        throw ParseError(in.line, "cvt needs a destination and a source type");
      in.type = types[0];
      in.srcType = types[1];
    } else if (!types.empty()) {
      in.type = types.back();
    }
    if (in.op == Op::Call) {
      parseCall(in);
      return;
    }
    if (in.op == Op::Bra) {
      const Token &label = next();
      if (label.kind != Token::Ident)
        throw ParseError(label.line, "bra needs a label");
      pendingBranches.push_back({fn->code.size(), label.text});
      expect(";");
      fn->code.push_back(std::move(in));
      return;
    }
    std::vector<Operand> ops;
    if (peek().text != ";") {
      do
        ops.push_back(parseOperand());
      while (accept(","));
    }
    expect(";");
    assignOperands(in, ops);
    if (in.op == Op::Bar || in.op == Op::Shfl)
      fn->usesSync = true;
    fn->code.push_back(std::move(in));
  }

  void parseCall(Instr &in) {
    // call.uni (retval0), name, (param0, param1);
    if (accept("(")) {
      const Token &r = next();
      const Symbol *s = symbol(r.text);
      if (!s || s->kind != Symbol::ScratchParam)
        throw ParseError(r.line, "call result '" + r.text + "' is not a .param variable");
      in.callResult = static_cast<Slot>(s->value);
      expect(")");
      expect(",");
    }
    const Token &callee = next();
    auto known = m.functionIndex.find(callee.text);
    if (known == m.functionIndex.end()) // declaring it here would move the function being parsed
      throw ParseError(callee.line, "call to undeclared function '" + callee.text + "'");
    in.target = static_cast<int32_t>(known->second);
    if (accept(",")) {
      expect("(");
      while (!accept(")")) {
        const Token &a = next();
        const Symbol *s = symbol(a.text);
        if (!s || s->kind != Symbol::ScratchParam)
          throw ParseError(a.line, "call argument '" + a.text + "' is not a .param variable");
        in.callArgs.push_back(static_cast<Slot>(s->value));
        accept(",");
      }
    }
    expect(";");
    fn->code.push_back(std::move(in));
  }

  void need(const Instr &in, const std::vector<Operand> &ops, size_t n) {
    if (ops.size() != n)
      throw ParseError(in.line, "expected " + std::to_string(n) + " operands, found " + std::to_string(ops.size()));
  }

  Slot value(const Instr &in, const Operand &o) {
    if (o.kind != Operand::Value && o.kind != Operand::Sink)
      throw ParseError(in.line, "expected a register or an immediate operand");
    return o.slot;
  }

  void address(Instr &in, const Operand &o) {
    if (o.kind != Operand::Address)
      throw ParseError(in.line, "expected an address operand");
    in.src[0] = o.slot;
    in.offset = o.offset;
    if (o.param) {
      if (in.space != Space::Param)
        throw ParseError(in.line, "a .param variable accessed outside the param space");
      in.paramScratch = o.param->kind == Symbol::ScratchParam;
    } else if (in.space == Space::Param) {
      throw ParseError(in.line, "param-space access through a register is not supported");
    }
  }

  void vectorOrValue(Instr &in, const Operand &o) {
    if (o.kind == Operand::Vector) {
      if (o.vec.size() != in.vectorWidth)
        throw ParseError(in.line, "vector operand has the wrong number of elements");
      for (size_t i = 0; i < o.vec.size(); ++i)
        in.vec[i] = o.vec[i];
    } else {
      if (in.vectorWidth != 1)
        throw ParseError(in.line, "expected a vector operand");
      in.vec[0] = value(in, o);
    }
  }

  void assignOperands(Instr &in, std::vector<Operand> &ops) {
    switch (in.op) {
    case Op::Ret: case Op::Exit: case Op::Membar:
      need(in, ops, 0);
      return;
    case Op::Bar:
      if (ops.empty() || ops.size() > 2)
        throw ParseError(in.line, "bar needs a barrier number");
      if (ops.size() == 2)
        throw ParseError(in.line, "bar with a thread count is not supported");
      in.src[0] = value(in, ops[0]);
      return;
    case Op::Ld:
      need(in, ops, 2);
      if (ops[0].kind == Operand::Vector) {
        if (ops[0].vec.size() != in.vectorWidth)
          throw ParseError(in.line, "vector operand has the wrong number of elements");
        for (size_t i = 0; i < ops[0].vec.size(); ++i)
          in.vec[i] = ops[0].vec[i];
      } else {
        in.vec[0] = value(in, ops[0]);
      }
      address(in, ops[1]);
      return;
    case Op::St:
      need(in, ops, 2);
      address(in, ops[0]);
      vectorOrValue(in, ops[1]);
      return;
    case Op::Atom:
      if (ops.size() != (in.atom == AtomOp::Cas ? 4u : 3u))
        throw ParseError(in.line, "wrong number of atom operands");
      in.dst = value(in, ops[0]);
      address(in, ops[1]);
      in.src[1] = value(in, ops[2]);
      if (ops.size() == 4)
        in.src[2] = value(in, ops[3]);
      return;
    case Op::Red:
      need(in, ops, 2);
      address(in, ops[0]);
      in.src[1] = value(in, ops[1]);
      return;
    case Op::Mov:
      need(in, ops, 2);
      if (ops[0].kind == Operand::Vector || ops[1].kind == Operand::Vector) {
        const Operand &v = ops[0].kind == Operand::Vector ? ops[0] : ops[1];
        if (ops[0].kind == ops[1].kind || v.vec.size() < 2 || v.vec.size() > 4)
          throw ParseError(in.line, "unsupported vector mov");
        in.vectorWidth = static_cast<uint8_t>(v.vec.size());
        for (size_t i = 0; i < v.vec.size(); ++i)
          in.vec[i] = v.vec[i];
        if (ops[0].kind == Operand::Vector)
          in.src[0] = value(in, ops[1]); // unpack
        else
          in.dst = value(in, ops[0]);    // pack
        return;
      }
      in.dst = value(in, ops[0]);
      in.src[0] = value(in, ops[1]);
      return;
    case Op::Setp:
      if (ops.size() != 3 && ops.size() != 4)
        throw ParseError(in.line, "wrong number of setp operands");
      if (ops[0].kind == Operand::Pair) {
        in.dst = ops[0].slot;
        in.dst2 = ops[0].slot2;
      } else {
        in.dst = value(in, ops[0]);
      }
      in.src[0] = value(in, ops[1]);
      in.src[1] = value(in, ops[2]);
      if (ops.size() == 4) {
        if (in.boolOp == BoolOp::None)
          throw ParseError(in.line, "setp with a predicate operand needs .and, .or or .xor");
        in.src[2] = value(in, ops[3]);
      }
      return;
    case Op::Shfl:
      need(in, ops, 5);
      if (ops[0].kind == Operand::Pair) {
        in.dst = ops[0].slot;
        in.dst2 = ops[0].slot2;
      } else {
        in.dst = value(in, ops[0]);
      }
      for (int i = 0; i < 4; ++i)
        in.src[i] = value(in, ops[i + 1]);
      return;
    default:
      break;
    }
    // Plain ALU forms: d, a[, b[, c[, e]]]
    if (ops.size() < 2 || ops.size() > 5)
      throw ParseError(in.line, "wrong number of operands");
    in.dst = value(in, ops[0]);
    for (size_t i = 1; i < ops.size(); ++i)
      in.src[i - 1] = value(in, ops[i]);
  }
};

} // namespace

std::unique_ptr<Module> parsePtx(const std::string &text, std::string &error) {
  auto m = std::make_unique<Module>();
  try {
    Parser(text, *m).parseModule();
  } catch (const ParseError &e) {
    error = "line " + std::to_string(e.line) + ": " + e.what();
    return nullptr;
  }
  return m;
}

} // namespace kiln::emu
