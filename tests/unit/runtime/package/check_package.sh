#!/usr/bin/env bash
# Installs this build into a temporary prefix, builds tests/unit/runtime/package against it with a
# prebuilt plan, runs it on the PTX emulator, and checks the pkg-config file.
# usage: check_package.sh BUILD_DIR PLAN EMULATOR WORK_DIR
set -euo pipefail
build=$1 plan=$2 emulator=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/lib/cmake/kiln/kilnConfig.cmake"
test -x "$work/prefix/bin/kiln-embed"
if ls "$work/prefix/lib" | grep -qi "mlir\|llvm\|KilnPasses\|KilnDialect"; then
  echo "FAILED: the install holds compiler libraries: $(ls "$work/prefix/lib")"; exit 1
fi
cmake -S "$here" -B "$work/app" -DCMAKE_PREFIX_PATH="$work/prefix" -DPLAN="$plan" >/dev/null
cmake --build "$work/app"
KILN_CUDA_LIBRARY=$emulator "$work/app/vadd"
if command -v pkg-config >/dev/null; then
  flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs kiln-runtime)
  echo "pkg-config: $flags"
  case "$flags" in
    *"-I$work/prefix/lib/pkgconfig/../../include"*"-lkiln_runtime"*) ;;
    *) echo "FAILED: pkg-config flags do not point into the prefix"; exit 1 ;;
  esac
fi
