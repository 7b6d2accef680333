// The subcommands of the kiln CLI: each registers its options on a CLI11 app and runs.
#ifndef KILN_TOOLS_KILN_COMMANDS_H
#define KILN_TOOLS_KILN_COMMANDS_H

#include <CLI/CLI.hpp>
#include <functional>

namespace kiln::cli {

/// Adds `kiln compile` to `app`; the returned callback runs it and gives the exit code.
std::function<int()> addCompileCommand(CLI::App &app);

/// Adds `kiln run` to `app`.
std::function<int()> addRunCommand(CLI::App &app);

/// Adds `kiln inspect` (describe a .kiln plan) to `app`.
std::function<int()> addInspectCommand(CLI::App &app);

/// Adds `kiln bench` (time a .kiln plan on the GPU) to `app`.
std::function<int()> addBenchCommand(CLI::App &app);

/// Adds `kiln check` (GPU vs CPU reference on one model) to `app`.
std::function<int()> addCheckCommand(CLI::App &app);

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_COMMANDS_H
