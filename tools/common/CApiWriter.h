// Generates a model's typed C API (NAME.h, NAME.c) from a .kiln plan: what `kiln compile --emit=c` and kiln-embed write.
#ifndef KILN_TOOLS_COMMON_CAPIWRITER_H
#define KILN_TOOLS_COMMON_CAPIWRITER_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::embed {

struct CApiOptions {
  std::string name;        // prefix of every generated symbol; a C identifier (isValidName)
  bool planFile = false;   // load NAME.kiln from beside the program instead of embedding the plan
  std::string modelName;   // the source model's file name, for the opening comment ("" if unknown)
  std::string modelSha256; // its SHA-256 in hex ("" if unknown, e.g. generated from a plan)
  std::string producer;    // the generating tool and version, e.g. "kiln 0.1.0"
};

struct CApiFiles {
  std::string header; // NAME.h
  std::string source; // NAME.c
};

/// Whether `name` can prefix C symbols: [A-Za-z_][A-Za-z0-9_]*, not starting with "__"
/// or "_" and an upper-case letter (reserved), not a C or C++ keyword. Else false with why.
bool isValidName(const std::string &name, std::string &why);

/// A valid default name from a file path's stem (characters outside [A-Za-z0-9_] become '_').
std::string defaultName(const std::string &path);

/// C field names for ONNX tensor names, in order: every character outside [A-Za-z0-9_]
/// becomes '_'; a name that is empty or starts with a digit gets a leading '_'; one
/// that is a C or C++ keyword or starts with "__" or "_" and an upper-case letter
/// gets a trailing '_'... see the definition; a name taken by an earlier one gets
/// "_2", "_3"... until it is unique.
std::vector<std::string> fieldNames(const std::vector<std::string> &onnxNames);

/// NAME.h and NAME.c for the plan `plan` (validated with the runtime's reader).
/// False with a one-line reason if the plan or the options are invalid.
bool generateCApi(const std::vector<uint8_t> &plan, const CApiOptions &options, CApiFiles &out,
                  std::string &error);

/// Writes DIR/NAME.h, DIR/NAME.c and, with options.planFile, DIR/NAME.kiln (creating
/// DIR), each as a temporary file renamed into place. False with a message on failure.
bool writeCApi(const std::string &dir, const CApiOptions &options, const CApiFiles &files,
               const std::vector<uint8_t> &plan, std::string &error);

} // namespace kiln::embed

#endif // KILN_TOOLS_COMMON_CAPIWRITER_H
