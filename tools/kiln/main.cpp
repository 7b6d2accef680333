// kiln: the command-line entry point; dispatches to the subcommands.
#include "Commands.h"

#include <fmt/core.h>

int main(int argc, char **argv) {
  CLI::App app{"kiln: an ahead-of-time compiler from ONNX models to specialized GPU kernels"};
  app.set_version_flag("--version", std::string("kiln ") + KILN_VERSION);
  app.require_subcommand(1);
  std::function<int()> compile = ::kiln::cli::addCompileCommand(app);
  std::function<int()> run = ::kiln::cli::addRunCommand(app);
  std::function<int()> inspect = ::kiln::cli::addInspectCommand(app);
  std::function<int()> bench = ::kiln::cli::addBenchCommand(app);
  std::function<int()> check = ::kiln::cli::addCheckCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // CLI11 prints help/version and usage errors itself; usage errors exit 1.
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }
  if (app.got_subcommand("compile"))
    return compile();
  if (app.got_subcommand("run"))
    return run();
  if (app.got_subcommand("inspect"))
    return inspect();
  if (app.got_subcommand("bench"))
    return bench();
  if (app.got_subcommand("check"))
    return check();
  return 1;
}
