// Builds and prints the locations that carry ONNX node names and op types.
#include "compiler/Import/NodeLocation.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

Location (::kiln::nodeLoc)(MLIRContext &ctx, StringRef file, StringRef nodeName, StringRef opType,
                       size_t index) {
  std::string name = nodeName.empty() ? "#" + std::to_string(index) : nodeName.str();
  Location fileLoc = FileLineColLoc::get(&ctx, file, 0, 0);
  Location typed = FusedLoc::get(&ctx, {fileLoc}, StringAttr::get(&ctx, opType));
  return NameLoc::get(StringAttr::get(&ctx, name), typed);
}

Location (::kiln::valueLoc)(MLIRContext &ctx, StringRef file, StringRef name) {
  return NameLoc::get(StringAttr::get(&ctx, name), FileLineColLoc::get(&ctx, file, 0, 0));
}

namespace {
struct Provenance {
  std::string file, name, opType;
  unsigned line = 0, col = 0;
};

void collect(Location loc, Provenance &p) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (p.name.empty())
      p.name = name.getName().str();
    collect(name.getChildLoc(), p);
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    if (auto type = dyn_cast_or_null<StringAttr>(fused.getMetadata()); type && p.opType.empty())
      p.opType = type.str();
    for (Location inner : fused.getLocations())
      collect(inner, p);
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    if (p.file.empty()) {
      p.file = file.getFilename().str();
      p.line = file.getLine();
      p.col = file.getColumn();
    }
  } else if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    collect(callSite.getCallee(), p);
  }
}
} // namespace

std::string (::kiln::describeLocation)(Location loc) {
  Provenance p;
  collect(loc, p);
  std::string out;
  llvm::raw_string_ostream os(out);
  if (!p.file.empty()) {
    os << p.file;
    if (p.line != 0)
      os << ":" << p.line << ":" << p.col;
    os << ": ";
  }
  if (!p.opType.empty()) {
    if (StringRef(p.name).starts_with("#"))
      os << "node " << p.name << " (" << p.opType << "): ";
    else
      os << "node '" << p.name << "' (" << p.opType << "): ";
  } else if (!p.name.empty()) {
    os << "value '" << p.name << "': ";
  }
  return out;
}

std::string (::kiln::formatDiagnostic)(const Diagnostic &diag) {
  std::string prefix = describeLocation(diag.getLocation());
  std::string message = diag.str();
  // emitOpError prefixes "'kiln.conv' op "; the node's op type already says that.
  if (prefix.find("node ") != std::string::npos && StringRef(message).starts_with("'kiln.")) {
    size_t cut = message.find("' op ");
    if (cut != std::string::npos)
      message = message.substr(cut + 5);
  }
  // Errors print bare, as `model.onnx: node 'n' (Op): message`; others say what they are.
  const char *severity = diag.getSeverity() == DiagnosticSeverity::Error     ? ""
                         : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning: "
                         : diag.getSeverity() == DiagnosticSeverity::Remark  ? "remark: "
                                                                             : "note: ";
  std::string out = prefix + severity + message;
  for (const Diagnostic &note : diag.getNotes())
    out += "\n  note: " + note.str();
  return out;
}
