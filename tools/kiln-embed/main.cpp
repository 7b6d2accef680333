// kiln-embed PLAN.kiln -o DIR [--name NAME] [--plan-file] [--model MODEL.onnx]: the typed C API of a prebuilt plan.
#include "tools/common/CApiWriter.h"
#include "tools/common/Sha256.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

const char kUsage[] =
    "usage: kiln-embed PLAN.kiln -o DIR [--name NAME] [--plan-file] [--model MODEL.onnx]\n"
    "Writes DIR/NAME.h and DIR/NAME.c, the typed C API of the plan (see docs/embedding.md):\n"
    "  -o DIR         the directory to write (created if missing)\n"
    "  --name NAME    prefix of every generated symbol (default: the plan file's name)\n"
    "  --plan-file    load DIR/NAME.kiln (written too) beside the program instead of embedding the plan\n"
    "  --model FILE   the ONNX model the plan was compiled from, named and hashed in the header\n";

bool readFile(const std::string &path, std::vector<uint8_t> &bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return false;
  bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !f.bad();
}

} // namespace

int main(int argc, char **argv) {
  std::string plan, dir, model;
  kiln::embed::CApiOptions options;
  options.producer = "kiln-embed " KILN_VERSION;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *flag) -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "kiln-embed: %s needs a value\n%s", flag, kUsage);
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "-o") {
      dir = value("-o");
    } else if (a == "--name") {
      options.name = value("--name");
    } else if (a == "--plan-file") {
      options.planFile = true;
    } else if (a == "--model") {
      model = value("--model");
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "kiln-embed: unknown option '%s'\n%s", a.c_str(), kUsage);
      return 1;
    } else if (plan.empty()) {
      plan = a;
    } else {
      std::fprintf(stderr, "kiln-embed: one plan only ('%s' and '%s')\n%s", plan.c_str(), a.c_str(), kUsage);
      return 1;
    }
  }
  if (plan.empty() || dir.empty()) {
    std::fputs(kUsage, stderr);
    return 1;
  }
  if (options.name.empty())
    options.name = kiln::embed::defaultName(plan);
  std::vector<uint8_t> bytes, modelBytes;
  if (!readFile(plan, bytes)) {
    std::fprintf(stderr, "kiln-embed: cannot read '%s': %s\n", plan.c_str(), std::strerror(errno));
    return 1;
  }
  if (!model.empty()) {
    if (!readFile(model, modelBytes)) {
      std::fprintf(stderr, "kiln-embed: cannot read '%s': %s\n", model.c_str(), std::strerror(errno));
      return 1;
    }
    options.modelName = model.substr(model.find_last_of('/') == std::string::npos ? 0 : model.find_last_of('/') + 1);
    options.modelSha256 = kiln::embed::sha256Hex(modelBytes.data(), modelBytes.size());
  }
  kiln::embed::CApiFiles files;
  std::string error;
  if (!kiln::embed::generateCApi(bytes, options, files, error) ||
      !kiln::embed::writeCApi(dir, options, files, bytes, error)) {
    std::fprintf(stderr, "kiln-embed: %s: %s\n", plan.c_str(), error.c_str());
    return 1;
  }
  return 0;
}
