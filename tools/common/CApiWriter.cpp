// The generated C API: a header with one struct field and one set of macros per model input and output, and a
// source file that embeds (or loads) the plan and drives the runtime's session calls by index.
#include "tools/common/CApiWriter.h"

#include "kiln/plan_reader.h"
#include "tools/common/Sha256.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::embed {
namespace {

// C11 and C++17 keywords and the alternative tokens: none can be a field or a prefix.
const std::set<std::string> &keywords() {
  static const std::set<std::string> k = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
      "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
      "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
      "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
      "_Static_assert", "_Thread_local", "alignas", "alignof", "and", "and_eq", "asm", "bitand", "bitor", "bool",
      "catch", "char16_t", "char32_t", "class", "compl", "const_cast", "constexpr", "decltype", "delete",
      "dynamic_cast", "explicit", "export", "false", "friend", "mutable", "namespace", "new", "noexcept", "not",
      "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "reinterpret_cast",
      "static_assert", "static_cast", "template", "this", "thread_local", "throw", "true", "try", "typeid",
      "typename", "using", "virtual", "wchar_t", "xor", "xor_eq"};
  return k;
}

bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool reservedPrefix(const std::string &s) {
  return s.size() >= 2 && s[0] == '_' && (s[1] == '_' || std::isupper(static_cast<unsigned char>(s[1])));
}

const char *dtypeMacro(uint32_t dtype) {
  switch (dtype) {
  case KILN_PLAN_DTYPE_F32: return "KILN_DTYPE_F32";
  case KILN_PLAN_DTYPE_U8: return "KILN_DTYPE_U8";
  case KILN_PLAN_DTYPE_I8: return "KILN_DTYPE_I8";
  case KILN_PLAN_DTYPE_U16: return "KILN_DTYPE_U16";
  case KILN_PLAN_DTYPE_I16: return "KILN_DTYPE_I16";
  case KILN_PLAN_DTYPE_I32: return "KILN_DTYPE_I32";
  case KILN_PLAN_DTYPE_I64: return "KILN_DTYPE_I64";
  case KILN_PLAN_DTYPE_BOOL: return "KILN_DTYPE_BOOL";
  case KILN_PLAN_DTYPE_F16: return "KILN_DTYPE_F16";
  case KILN_PLAN_DTYPE_F64: return "KILN_DTYPE_F64";
  case KILN_PLAN_DTYPE_U32: return "KILN_DTYPE_U32";
  case KILN_PLAN_DTYPE_U64: return "KILN_DTYPE_U64";
  case KILN_PLAN_DTYPE_BF16: return "KILN_DTYPE_BF16";
  default: return nullptr;
  }
}

// A C string literal for arbitrary text (ONNX names may hold quotes, backslashes, '?', UTF-8).
std::string cString(const std::string &s) {
  std::string out = "\"";
  char buf[8];
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '?' || c < 0x20 || c >= 0x7f) {
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Text safe inside a /* */ comment.
std::string commentSafe(std::string s) {
  for (size_t i = 0; (i = s.find("*/", i)) != std::string::npos;)
    s.replace(i, 2, "* /");
  for (char &c : s)
    if (c == '\n' || c == '\r')
      c = ' ';
  return s;
}

struct Tensor {
  std::string onnx;
  std::string field;
  uint32_t dtype;
  std::vector<int64_t> dims;
  uint64_t bytes;
  uint64_t elements() const {
    uint64_t n = 1;
    for (int64_t d : dims)
      n *= static_cast<uint64_t>(d);
    return n;
  }
  std::string type() const {
    std::string t = kiln_dtype_name(dtype);
    t += "[";
    for (size_t i = 0; i < dims.size(); ++i)
      t += (i ? "x" : "") + std::to_string(dims[i]);
    return t + "]";
  }
};

std::string str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string str(const char *fmt, ...) {
  va_list a;
  va_start(a, fmt);
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, a);
  va_end(a);
  return buf;
}

void tensorMacros(std::string &h, const std::string &name, const char *role, size_t index, const Tensor &t) {
  std::string p = name + "_" + role + "_" + t.field;
  h += "/* " + std::string(role == std::string("INPUT") ? "input" : "output") + " " + std::to_string(index) + ": " +
       commentSafe(t.onnx) + " */\n";
  h += "#define " + p + "_NAME " + cString(t.onnx) + "\n";
  h += "#define " + p + "_INDEX " + std::to_string(index) + "\n";
  h += "#define " + p + "_DTYPE " + dtypeMacro(t.dtype) + "\n";
  h += "#define " + p + "_RANK " + std::to_string(t.dims.size()) + "\n";
  std::string dims;
  for (size_t i = 0; i < t.dims.size(); ++i)
    dims += (i ? ", " : "") + std::to_string(t.dims[i]);
  h += "#define " + p + "_DIMS {" + (dims.empty() ? "0" : dims) + "}" +
       (t.dims.empty() ? " /* rank 0: a scalar */" : "") + "\n";
  h += "#define " + p + "_ELEMENTS " + std::to_string(t.elements()) + "ull\n";
  h += "#define " + p + "_BYTES " + std::to_string(t.bytes) + "ull\n";
}

// The plan as one string literal of 3-digit octal escapes and plain characters, 96
// source characters a line: compilers parse one literal far faster than an initializer
// list of numbers, and an escape of exactly three digits never swallows a following digit.
void planLiteral(std::string &c, const std::vector<uint8_t> &plan) {
  c.reserve(c.size() + plan.size() * 4 + plan.size() / 16);
  std::string line = "  \"";
  char buf[8];
  for (uint8_t b : plan) {
    if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\' && b != '?') {
      line += static_cast<char>(b);
    } else {
      std::snprintf(buf, sizeof buf, "\\%03o", b);
      line += buf;
    }
    if (line.size() >= 96) {
      c += line + "\"\n";
      line = "  \"";
    }
  }
  if (line.size() > 3 || plan.empty())
    c += line + "\"\n";
}

} // namespace

bool isValidName(const std::string &name, std::string &why) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) ||
      !std::all_of(name.begin(), name.end(), isIdentChar)) {
    why = "'" + name + "' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)";
    return false;
  }
  if (reservedPrefix(name) || keywords().count(name) || name.rfind("kiln_", 0) == 0) {
    why = "'" + name + "' is reserved (a keyword, a name starting with __, _ and a capital, or kiln_)";
    return false;
  }
  return true;
}

std::string defaultName(const std::string &path) {
  std::string stem = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  if (size_t dot = stem.find('.'); dot != std::string::npos && dot > 0)
    stem = stem.substr(0, dot);
  for (char &ch : stem)
    if (!isIdentChar(ch))
      ch = '_';
  std::string why;
  if (!isValidName(stem, why))
    stem = "model_" + stem;
  return isValidName(stem, why) ? stem : "model";
}

std::vector<std::string> fieldNames(const std::vector<std::string> &onnxNames) {
  std::vector<std::string> out;
  std::set<std::string> taken;
  for (const std::string &onnx : onnxNames) {
    std::string f = onnx;
    for (char &ch : f)
      if (!isIdentChar(ch))
        ch = '_';
    if (f.empty() || std::isdigit(static_cast<unsigned char>(f[0])))
      f = "_" + f;
    if (keywords().count(f) || reservedPrefix(f))
      f = "x" + f;
    std::string unique = f;
    for (int n = 2; taken.count(unique); ++n)
      unique = f + "_" + std::to_string(n);
    taken.insert(unique);
    out.push_back(unique);
  }
  return out;
}

bool generateCApi(const std::vector<uint8_t> &plan, const CApiOptions &o, CApiFiles &out, std::string &error) {
  if (!isValidName(o.name, error)) {
    error = "--name: " + error;
    return false;
  }
  kiln_plan_view_t v;
  char err[512];
  if (kiln_plan_parse(plan.data(), plan.size(), &v, err, sizeof err) != KILN_STATUS_OK) {
    error = std::string("the plan is invalid: ") + err;
    return false;
  }
  std::vector<Tensor> inputs, outputs;
  std::vector<std::string> inNames, outNames;
  for (uint32_t i = 0; i < v.tensor_count; ++i) {
    const kiln_plan_tensor_t &t = v.tensors[i];
    Tensor x{kiln_plan_view_string(&v, t.name), "", t.dtype, {t.dims, t.dims + t.rank}, t.byte_size};
    if (!dtypeMacro(t.dtype)) {
      kiln_plan_view_release(&v);
      error = "tensor '" + x.onnx + "' has a dtype the C API cannot name";
      return false;
    }
    (i < v.input_count ? inputs : outputs).push_back(x);
    (i < v.input_count ? inNames : outNames).push_back(x.onnx);
  }
  std::vector<std::string> inFields = fieldNames(inNames), outFields = fieldNames(outNames);
  for (size_t i = 0; i < inputs.size(); ++i)
    inputs[i].field = inFields[i];
  for (size_t i = 0; i < outputs.size(); ++i)
    outputs[i].field = outFields[i];
  const kiln_plan_header_t header = v.header;
  const uint32_t kernels = v.kernel_count, launches = v.launch_count;
  const uint64_t weights = v.weights_size;
  kiln_plan_view_release(&v);

  const std::string &n = o.name;
  std::string upper = n;
  for (char &ch : upper)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string signature = n + "_run(";
  for (size_t i = 0; i < inputs.size(); ++i)
    signature += (i ? ", " : "") + inputs[i].field + ": " + inputs[i].type();
  signature += ") -> ";
  for (size_t i = 0; i < outputs.size(); ++i)
    signature += (i ? ", " : "") + outputs[i].field + ": " + outputs[i].type();
  const std::string planSha = sha256Hex(plan.data(), plan.size());

  // ------------------------------------------------------------------ header
  std::string &h = out.header;
  h = "/* " + n + ".h: the typed C API of one compiled model, generated by " + commentSafe(o.producer) +
      ". Do not edit.\n *\n";
  h += " *   model      " +
       (o.modelName.empty() ? std::string("(generated from a plan; source model unknown)")
                            : commentSafe(o.modelName) + ", sha256 " + o.modelSha256) +
       "\n";
  h += " *   plan       sha256 " + planSha + ", " + std::to_string(plan.size()) + " bytes, " +
       (o.planFile ? "loaded from " + n + ".kiln beside the program" : "embedded in " + n + ".c") + "\n";
  h += " *   signature  " + commentSafe(signature) + "\n";
  h += str(" *   memory     arena %llu bytes (alignment %u), weights %llu bytes\n",
           (unsigned long long)header.arena_size, header.arena_alignment, (unsigned long long)weights);
  h += str(" *   target     sm_%u, %u kernels, %u launches, plan format %u.%u\n", header.target_sm, kernels, launches,
           header.version_major, header.version_minor);
  h += " *\n"
       " * Fields are the ONNX names with every character outside [A-Za-z0-9_] replaced by '_';\n"
       " * a name that is then empty or starts with a digit gets a leading '_', a C/C++ keyword or\n"
       " * reserved name a leading 'x', and a repeat of an earlier field \"_2\", \"_3\"... Each field's\n"
       " * ONNX name is its _NAME macro. Every symbol starts with \"" + n + "_\".\n"
       " * Ownership, threads and streams: docs/embedding.md; in short, one " + n + " object is\n"
       " * thread-compatible (serialize calls on it), and objects made by " + n + "_create_shared share\n"
       " * the weights and kernels and may run concurrently on different threads and streams.\n"
       " */\n";
  h += "#ifndef KILN_GENERATED_" + upper + "_H\n#define KILN_GENERATED_" + upper + "_H\n\n";
  h += "#include <stddef.h>\n\n#include \"kiln/runtime.h\"\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h += "#define " + n + "_INPUT_COUNT " + std::to_string(inputs.size()) + "\n";
  h += "#define " + n + "_OUTPUT_COUNT " + std::to_string(outputs.size()) + "\n";
  h += "#define " + n + "_ARENA_BYTES " + std::to_string(header.arena_size) + "ull\n";
  h += "#define " + n + "_ARENA_ALIGNMENT " + std::to_string(header.arena_alignment) + "u\n";
  h += "#define " + n + "_WEIGHT_BYTES " + std::to_string(weights) + "ull\n";
  h += "#define " + n + "_TARGET_SM " + std::to_string(header.target_sm) + "\n";
  h += "#define " + n + "_PLAN_SHA256 \"" + planSha + "\"\n\n";
  for (size_t i = 0; i < inputs.size(); ++i)
    tensorMacros(h, n, "INPUT", i, inputs[i]);
  for (size_t i = 0; i < outputs.size(); ++i)
    tensorMacros(h, n, "OUTPUT", i, outputs[i]);
  h += "\n/* One loaded model: a runtime session (its arena, bindings and CUDA graph), alone or sharing\n"
       " * the weights and kernels of the object it was created from. Opaque. */\n";
  h += "typedef struct " + n + " " + n + ";\n\n";
  auto fields = [&](const std::vector<Tensor> &ts, const char *type) {
    std::string s;
    for (const Tensor &t : ts)
      s += str("  %s %s; /* %s: %s, %llu bytes */\n", type, t.field.c_str(), commentSafe(t.onnx).c_str(),
               t.type().c_str(), (unsigned long long)t.bytes);
    if (ts.empty())
      s += "  const void* unused_; /* the model has none; C needs a member */\n";
    return s;
  };
  h += "/* Input and output buffers: all host memory or all device memory (CUdeviceptr values cast\n"
       " * to pointers), as " + n + "_run's kind says, each exactly its _BYTES long. */\n";
  h += "typedef struct " + n + "_inputs {\n" + fields(inputs, "const void*") + "} " + n + "_inputs;\n";
  h += "typedef struct " + n + "_outputs {\n" + fields(outputs, "void*") + "} " + n + "_outputs;\n\n";
  if (o.planFile) {
    h += "/* Loads the model from " + n + ".kiln in the directory of the running program (its\n"
         " * /proc/self/exe), else the current directory. See " + n + "_create_from_file. */\n";
  } else {
    h += "/* Loads the model from the plan embedded in " + n + ".c: loads the CUDA driver, the kernels and\n"
         " * the weights and allocates the arena (or takes options->arena). options may be NULL for\n"
         " * the defaults. On failure *out is NULL and " + n + "_last_error(NULL) says why. */\n";
  }
  h += "kiln_status_t " + n + "_create(const kiln_session_options_t* options, " + n + "** out);\n";
  if (o.planFile) {
    h += "/* Loads the model from the plan file at path; it must be the plan this header was generated\n"
         " * from (its inputs and outputs are checked). */\n";
    h += "kiln_status_t " + n + "_create_from_file(const char* path, const kiln_session_options_t* options, " + n +
         "** out);\n";
  }
  h += "/* Another execution of source's model: shares its weights, kernels and context, has its own\n"
       " * arena (allocated, or options->arena), so the two may run at once on different threads and\n"
       " * streams. Either may be destroyed first. */\n";
  h += "kiln_status_t " + n + "_create_shared(" + n + "* source, const kiln_session_options_t* options, " + n +
       "** out);\n";
  h += "/* Runs the model once. Host memory (KILN_MEMORY_HOST): returns when the outputs are written.\n"
       " * Device memory (KILN_MEMORY_DEVICE): enqueues on stream (a CUstream, NULL for the legacy\n"
       " * default stream) and returns; the outputs are ready when the stream reaches that point.\n"
       " * Every field must be non-NULL (except for tensors of 0 bytes). */\n";
  h += "kiln_status_t " + n + "_run(" + n + "* m, const " + n + "_inputs* in, " + n + "_outputs* out,\n" +
       std::string(n.size() + 19, ' ') + "kiln_memory_kind_t kind, void* stream);\n";
  h += "/* Why the last failed call on m failed (\"\" if none); with m NULL, the last failure on this\n"
       " * thread (a failed " + n + "_create). Owned by m or the library. */\n";
  h += "const char* " + n + "_last_error(const " + n + "* m);\n";
  h += "/* Releases m (NULL is a no-op). No run on m may still be in flight. */\n";
  h += "void " + n + "_destroy(" + n + "* m);\n";
  h += "/* m's runtime session, for the rest of the C API (kernel info, device info...). Owned by m. */\n";
  h += "kiln_session_t* " + n + "_session(" + n + "* m);\n";
  if (!o.planFile) {
    h += "/* The embedded plan's bytes (for kiln_plan_arena_requirement, or to write it out). */\n";
    h += "const void* " + n + "_plan(size_t* out_size);\n";
  }
  h += "\n#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* KILN_GENERATED_" + upper + "_H */\n";

  // ------------------------------------------------------------------ source
  std::string &c = out.source;
  c = "/* " + n + ".c: generated by " + commentSafe(o.producer) + " with " + n + ".h. Do not edit. */\n";
  if (o.planFile)
    c += "#define _POSIX_C_SOURCE 200809L /* readlink */\n";
  c += "#include \"" + n + ".h\"\n\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n";
  if (o.planFile)
    c += "#include <unistd.h>\n";
  c += "\nstruct " + n + " {\n  kiln_session_t* session;\n  char error[512]; /* this file's own checks */\n};\n\n";
  if (!o.planFile) {
    c += str("/* The .kiln plan, %zu bytes (the literal's terminating NUL is not part of it). */\n", plan.size());
    c += "static const unsigned char " + n + "_plan_bytes[" + std::to_string(plan.size() + 1) + "] =\n";
    planLiteral(c, plan);
    c += ";\n\nconst void* " + n + "_plan(size_t* out_size) {\n  if (out_size) *out_size = sizeof " + n +
         "_plan_bytes - 1;\n  return " + n + "_plan_bytes;\n}\n\n";
  }
  // The loaded plan must be the one this header describes (a plan file can be swapped).
  c += "static int " + n + "_check_tensor(kiln_session_t* s, int output, size_t index, const char* name,\n"
       "                    kiln_dtype_t dtype, uint64_t bytes, char* error, size_t size) {\n"
       "  kiln_tensor_info_t info;\n"
       "  kiln_status_t status = output ? kiln_session_output_info(s, index, &info)\n"
       "                                : kiln_session_input_info(s, index, &info);\n"
       "  if (status == KILN_STATUS_OK && strcmp(info.name, name) == 0 && info.dtype == dtype &&\n"
       "      info.byte_size == bytes)\n"
       "    return 1;\n"
       "  snprintf(error, size, \"the plan does not match " + n + ".h: %s %zu should be '%s', %s, %llu bytes\",\n"
       "           output ? \"output\" : \"input\", index, name, kiln_dtype_name(dtype), (unsigned long long)bytes);\n"
       "  return 0;\n}\n\n";
  c += "static kiln_status_t " + n + "_adopt(kiln_session_t* session, " + n + "** out) {\n";
  c += "  " + n + "* m = NULL;\n  size_t inputs = 0, outputs = 0;\n  char error[400]; /* room for the prefix in the 512-byte thread error */\n";
  c += "  kiln_session_input_count(session, &inputs);\n  kiln_session_output_count(session, &outputs);\n";
  c += "  int ok = inputs == " + n + "_INPUT_COUNT && outputs == " + n + "_OUTPUT_COUNT;\n";
  c += "  if (!ok)\n    snprintf(error, sizeof error, \"the plan does not match " + n +
       ".h: %zu inputs and %zu outputs\", inputs, outputs);\n";
  for (int role = 0; role < 2; ++role) {
    const std::vector<Tensor> &ts = role ? outputs : inputs;
    for (const Tensor &t : ts) {
      std::string p = n + (role ? "_OUTPUT_" : "_INPUT_") + t.field;
      c += "  ok = ok && " + n + "_check_tensor(session, " + std::to_string(role) + ", " + p + "_INDEX, " + p +
           "_NAME, " + p + "_DTYPE, " + p + "_BYTES, error, sizeof error);\n";
    }
  }
  c += "  if (ok && !(m = (" + n + "*)calloc(1, sizeof *m))) {\n"
       "    snprintf(error, sizeof error, \"out of host memory\");\n    ok = 0;\n  }\n";
  c += "  if (!ok) {\n    kiln_session_destroy(session);\n"
       "    snprintf(" + n + "_thread_error, sizeof " + n + "_thread_error, \"" + n + ": %s\", error);\n"
       "    return KILN_STATUS_INVALID_PLAN;\n  }\n";
  c += "  m->session = session;\n  *out = m;\n  return KILN_STATUS_OK;\n}\n\n";
  // Thread-local own error for failures that have no object yet.
  std::string pre = "static _Thread_local char " + n + "_thread_error[512];\n\n";
  c.insert(c.find("static int " + n + "_check_tensor"), pre);

  c += "kiln_status_t " + n + "_create(const kiln_session_options_t* options, " + n + "** out) {\n";
  c += "  if (!out) return KILN_STATUS_INVALID_ARGUMENT;\n  *out = NULL;\n  " + n + "_thread_error[0] = 0;\n";
  if (o.planFile) {
    c += "  char path[4096];\n  ssize_t len = readlink(\"/proc/self/exe\", path, sizeof path - 1);\n"
         "  size_t dir = 0;\n"
         "  if (len > 0) {\n    path[len] = 0;\n    char* slash = strrchr(path, '/');\n"
         "    if (slash) dir = (size_t)(slash - path) + 1;\n  }\n"
         "  if (dir + sizeof \"" + n + ".kiln\" > sizeof path) dir = 0;\n"
         "  memcpy(path + dir, \"" + n + ".kiln\", sizeof \"" + n + ".kiln\");\n"
         "  return " + n + "_create_from_file(path, options, out);\n}\n\n";
    c += "kiln_status_t " + n + "_create_from_file(const char* path, const kiln_session_options_t* options, " + n +
         "** out) {\n";
    c += "  if (!out) return KILN_STATUS_INVALID_ARGUMENT;\n  *out = NULL;\n  " + n + "_thread_error[0] = 0;\n";
    c += "  kiln_session_t* session = NULL;\n"
         "  kiln_status_t status = kiln_session_create_from_file(path, options, &session);\n";
  } else {
    c += "  kiln_session_t* session = NULL;\n"
         "  kiln_status_t status = kiln_session_create_from_memory(" + n + "_plan_bytes, sizeof " + n +
         "_plan_bytes - 1,\n                                                         options, &session);\n";
  }
  c += "  return status != KILN_STATUS_OK ? status : " + n + "_adopt(session, out);\n}\n\n";
  c += "kiln_status_t " + n + "_create_shared(" + n + "* source, const kiln_session_options_t* options, " + n +
       "** out) {\n";
  c += "  if (!out) return KILN_STATUS_INVALID_ARGUMENT;\n  *out = NULL;\n  " + n + "_thread_error[0] = 0;\n";
  c += "  kiln_session_t* session = NULL;\n"
       "  kiln_status_t status = kiln_session_create_shared(source ? source->session : NULL, options, &session);\n"
       "  return status != KILN_STATUS_OK ? status : " + n + "_adopt(session, out);\n}\n\n";
  c += "static kiln_status_t " + n + "_fail(" + n + "* m, const char* what) {\n"
       "  snprintf(m->error, sizeof m->error, \"" + n + "_run: %s\", what);\n"
       "  return KILN_STATUS_INVALID_ARGUMENT;\n}\n\n";
  c += "kiln_status_t " + n + "_run(" + n + "* m, const " + n + "_inputs* in, " + n + "_outputs* out,\n" +
       std::string(n.size() + 19, ' ') + "kiln_memory_kind_t kind, void* stream) {\n";
  c += "  if (!m) return KILN_STATUS_INVALID_ARGUMENT;\n  m->error[0] = 0;\n";
  c += "  if (!in || !out) return " + n + "_fail(m, \"inputs or outputs is NULL\");\n";
  c += "  kiln_status_t s = KILN_STATUS_OK;\n";
  for (int role = 0; role < 2; ++role) {
    const std::vector<Tensor> &ts = role ? outputs : inputs;
    for (const Tensor &t : ts) {
      std::string p = n + (role ? "_OUTPUT_" : "_INPUT_") + t.field;
      std::string ptr = (role ? "out->" : "in->") + t.field;
      if (t.bytes)
        c += "  if (!" + ptr + ") return " + n + "_fail(m, " +
             cString(std::string(role ? "output" : "input") + " field '" + t.field + "' is NULL") + ");\n";
      c += std::string("  if ((s = kiln_session_bind_") + (role ? "output" : "input") + "(m->session, " + p +
           "_INDEX, kind, " + ptr + ", " + p + "_BYTES)) != KILN_STATUS_OK) return s;\n";
    }
  }
  c += "  if ((s = kiln_session_run(m->session, stream)) != KILN_STATUS_OK) return s;\n";
  c += "  return kind == KILN_MEMORY_HOST ? kiln_session_synchronize(m->session, stream) : KILN_STATUS_OK;\n}\n\n";
  c += "const char* " + n + "_last_error(const " + n + "* m) {\n"
       "  if (!m) return " + n + "_thread_error[0] ? " + n + "_thread_error : kiln_thread_last_error();\n"
       "  return m->error[0] ? m->error : kiln_session_last_error(m->session);\n}\n\n";
  c += "void " + n + "_destroy(" + n + "* m) {\n  if (!m) return;\n  kiln_session_destroy(m->session);\n"
       "  free(m);\n}\n\n";
  c += "kiln_session_t* " + n + "_session(" + n + "* m) { return m ? m->session : NULL; }\n";
  return true;
}

namespace {
bool writeFile(const std::string &path, const void *data, size_t size, std::string &error) {
  std::string temporary = path + ".tmp-XXXXXX";
  int fd = mkstemp(temporary.data());
  if (fd < 0) {
    error = "cannot create a temporary file next to '" + path + "': " + std::strerror(errno);
    return false;
  }
  const char *p = static_cast<const char *>(data);
  size_t left = size;
  while (left) {
    ssize_t w = ::write(fd, p, left);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      error = "cannot write '" + path + "': " + std::strerror(errno);
      ::close(fd);
      ::unlink(temporary.c_str());
      return false;
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  // mkstemp makes the file 0600; generated sources are ordinary files.
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  if (::close(fd) != 0 || std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    ::unlink(temporary.c_str());
    return false;
  }
  return true;
}
} // namespace

bool writeCApi(const std::string &dir, const CApiOptions &options, const CApiFiles &files,
               const std::vector<uint8_t> &plan, std::string &error) {
  // mkdir -p
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      std::string part = dir.substr(0, i);
      if (::mkdir(part.c_str(), 0777) != 0 && errno != EEXIST) {
        error = "cannot create directory '" + part + "': " + std::strerror(errno);
        return false;
      }
    }
  }
  std::string base = dir + "/" + options.name;
  return writeFile(base + ".h", files.header.data(), files.header.size(), error) &&
         writeFile(base + ".c", files.source.data(), files.source.size(), error) &&
         (!options.planFile || writeFile(base + ".kiln", plan.data(), plan.size(), error));
}

} // namespace kiln::embed
