// Temporary-file-and-rename output for `kiln compile`, so a plan that exists is complete.
#include "OutputFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::cli {

bool writeOutputFile(const std::string &path, llvm::StringRef bytes, std::string &error) {
  if (path == "-") {
    llvm::outs() << bytes;
    llvm::outs().flush();
    return true;
  }
  // Devices and pipes (/dev/null, a FIFO) are written in place: renaming over them
  // would replace them.
  llvm::sys::fs::file_status status;
  if (!llvm::sys::fs::status(path, status) && llvm::sys::fs::exists(status) &&
      !llvm::sys::fs::is_regular_file(status)) {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec) {
      os << bytes;
      os.flush();
      if (os.has_error())
        ec = os.error();
      os.clear_error();
    }
    if (ec)
      error = "cannot write '" + path + "': " + ec.message();
    return !ec;
  }
  llvm::SmallString<256> model(llvm::sys::path::parent_path(path));
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(path).str() + ".tmp-%%%%%%%%");
  int fd = -1;
  llvm::SmallString<256> temporary;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, temporary)) {
    error = "cannot create a temporary file next to '" + path + "': " + ec.message();
    return false;
  }
  llvm::sys::RemoveFileOnSignal(temporary);
  bool ok;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << bytes;
    os.flush();
    ok = !os.has_error();
    if (!ok)
      error = "cannot write '" + path + "': " + os.error().message();
    os.clear_error();
  }
  if (ok) {
    if (std::error_code ec = llvm::sys::fs::rename(temporary, path)) {
      error = "cannot replace '" + path + "': " + ec.message();
      ok = false;
    }
  }
  if (!ok)
    llvm::sys::fs::remove(temporary);
  llvm::sys::DontRemoveFileOnSignal(temporary);
  return ok;
}

} // namespace kiln::cli
