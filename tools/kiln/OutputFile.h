// Writes kiln's outputs so that a file that exists is complete: a temporary file in the target folder, renamed into place.
#ifndef KILN_TOOLS_KILN_OUTPUTFILE_H
#define KILN_TOOLS_KILN_OUTPUTFILE_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace kiln::cli {

/// Writes `bytes` to `path` ("-" is stdout). A file is written as a temporary file
/// next to `path` and renamed over it only once complete, so an interrupted compile
/// leaves either the old file or none, never a partial one; the temporary file is
/// removed on failure and on a fatal signal. False with a message on failure.
bool writeOutputFile(const std::string &path, llvm::StringRef bytes, std::string &error);

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_OUTPUTFILE_H
