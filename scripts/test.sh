#!/usr/bin/env bash
# Quickstart (b), and what CI runs: installs dependencies, builds every flavour and runs
# every test. The main ctest run comes last so that its summary ends the output; any
# failure makes the script exit non-zero.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"

echo "== runtime-only flavour (a C/C++ compiler only: no LLVM, no CUDA)"
"$root/scripts/build.sh" "$root/build-runtime" -DKILN_RUNTIME_ONLY=ON
ctest --test-dir "$root/build-runtime" --output-on-failure -j2

echo "== static flavour (a self-contained kiln that needs only libc and libm)"
cmake -S "$root" -B "$root/build-static" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKILN_STATIC=ON >/dev/null
ninja -C "$root/build-static" -j"${KILN_JOBS:-$(nproc)}" kiln
ctest --test-dir "$root/build-static" --output-on-failure -R static-binary

echo "== sanitize flavour (clang, ASan+UBSan): unit, runtime, tools and lit tests, and each fuzzer for a bounded time"
CC=clang-22 CXX=clang++-22 "$root/scripts/build.sh" "$root/build-sanitize" \
  -DKILN_SANITIZE=address,undefined -DKILN_FUZZ=ON
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$root/build-sanitize" --output-on-failure -j2 -L "unit|runtime|tools|lit|fuzz"

echo "== developer flavour: every test"
"$root/scripts/build.sh" "$root/build"
ctest --test-dir "$root/build" --output-on-failure -j2
