#!/bin/sh
# Proves a KILN_STATIC kiln binary is self-contained: only libc/libm/ld-linux NEEDED, stripped, and it runs with LLVM, MLIR and protobuf hidden.
#
# usage: check_static.sh KILN WORK_DIR PYTHON READELF MAX_BYTES
# Exit 0 pass, 1 fail, 77 skipped (hiding LLVM needs root and mount namespaces; the ELF checks
# still run first, so a non-root run can fail but never passes without having hidden LLVM).
set -eu

# The part that runs inside the private mount namespace: hide, prove it is hidden, run kiln.
if [ "${1:-}" = "--inside" ]; then
  kiln=$2 model=$3 out=$4
  libdir=/usr/lib/x86_64-linux-gnu
  if [ -d /usr/lib/llvm-22 ]; then
    if ! mount -t tmpfs -o ro,size=64k kiln-hide /usr/lib/llvm-22 2>"$out.mount"; then
      echo "SKIPPED: cannot mount a tmpfs in a private mount namespace: $(cat "$out.mount")"
      exit 77
    fi
    echo "hidden: /usr/lib/llvm-22 (empty tmpfs)"
  fi
  # Symlinks resolve to a file that the same globs match (libprotobuf.so -> .so.32.0.12) or into
  # llvm-22, which is gone now; binding over the resolved file covers both cases.
  for f in "$libdir"/libLLVM* "$libdir"/libMLIR* "$libdir"/libprotobuf*; do
    [ -e "$f" ] || continue
    target=$(readlink -f "$f")
    if [ -d "$target" ]; then
      mount -t tmpfs -o ro,size=64k kiln-hide "$target"
    elif [ -s "$target" ]; then
      mount --bind /dev/null "$target"
    else
      continue
    fi
    echo "hidden: $target"
  done
  # Nothing loadable may remain, or the run below would prove nothing.
  for f in /usr/lib/llvm-22/* "$libdir"/libLLVM* "$libdir"/libMLIR* "$libdir"/libprotobuf*; do
    if [ -e "$f" ] && [ -s "$(readlink -f "$f")" ]; then
      echo "FAIL: $f is still readable inside the namespace"
      exit 1
    fi
  done

  unset LD_LIBRARY_PATH LD_PRELOAD
  version=$("$kiln" --version) || { echo "FAIL: '$kiln --version' exited $? with LLVM hidden"; exit 1; }
  case $version in
    "kiln "*) echo "ok: $version" ;;
    *) echo "FAIL: unexpected --version output: $version"; exit 1 ;;
  esac
  if ! "$kiln" compile "$model" --emit=onnx >"$out" 2>"$out.stderr"; then
    echo "FAIL: kiln compile exited non-zero with LLVM hidden:"; cat "$out.stderr"; exit 1
  fi
  for op in kiln.conv kiln.relu; do
    if ! grep -q "= $op " "$out"; then
      echo "FAIL: no $op in the imported IR:"; cat "$out" "$out.stderr"; exit 1
    fi
  done
  echo "ok: kiln compile --emit=onnx produced kiln.conv and kiln.relu with LLVM, MLIR and protobuf hidden"
  exit 0
fi

if [ $# -ne 5 ]; then
  echo "usage: $0 KILN WORK_DIR PYTHON READELF MAX_BYTES" >&2
  exit 1
fi
kiln=$1 work=$2 python=$3 readelf=$4 max_bytes=$5
script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
mkdir -p "$work"
if [ ! -x "$kiln" ]; then
  echo "FAIL: $kiln does not exist or is not executable (build the kiln target first)"
  exit 1
fi

# (a) Dynamic dependencies: anything beyond glibc means the binary needs that library installed.
"$readelf" -d "$kiln" >"$work/dynamic.txt" || { echo "FAIL: readelf -d cannot read $kiln"; exit 1; }
needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' "$work/dynamic.txt")
offenders=$(printf '%s\n' "$needed" | grep -Ev '^(libc\.so\.6|libm\.so\.6|ld-linux-x86-64\.so\.2|)$' || true)
echo "NEEDED: $(printf '%s ' $needed)"
if [ -n "$offenders" ]; then
  echo "FAIL: $kiln needs shared libraries other than libc/libm/ld-linux:"
  printf '  %s\n' $offenders
  exit 1
fi
if grep -Eq '\((RPATH|RUNPATH)\)' "$work/dynamic.txt"; then
  echo "FAIL: $kiln carries a library search path:"; grep -E '\((RPATH|RUNPATH)\)' "$work/dynamic.txt"; exit 1
fi

# Stripped and within budget, so the shipped file is the small one.
"$readelf" -S -W "$kiln" >"$work/sections.txt" || { echo "FAIL: readelf -S cannot read $kiln"; exit 1; }
if grep -Eq ' \.(symtab|debug_[a-z]+) ' "$work/sections.txt"; then
  echo "FAIL: $kiln is not stripped:"; grep -E ' \.(symtab|debug_[a-z]+) ' "$work/sections.txt"; exit 1
fi
size=$(wc -c <"$kiln")
echo "size: $size bytes (budget $max_bytes)"
if [ "$size" -gt "$max_bytes" ]; then
  echo "FAIL: $kiln is $size bytes, over the budget of $max_bytes"
  exit 1
fi

# (b) Run it where LLVM is absent. A Conv+Relu model exercises protobuf parsing and the importer.
model=$work/conv_relu.onnx
"$python" - "$model" <<'PY'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
rng = np.random.RandomState(0)
w = numpy_helper.from_array(rng.randn(4, 3, 3, 3).astype(np.float32), "w")
b = numpy_helper.from_array(rng.randn(4).astype(np.float32), "b")
graph = helper.make_graph(
    [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv0", pads=[1, 1, 1, 1]),
     helper.make_node("Relu", ["c"], ["y"], name="relu0")],
    "conv_relu",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])],
    [w, b])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
PY

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: not root, so LLVM cannot be hidden in a mount namespace (ELF checks passed)"
  exit 77
fi
if ! command -v unshare >/dev/null 2>&1; then
  echo "SKIPPED: unshare (util-linux) is not installed (ELF checks passed)"
  exit 77
fi
if ! unshare --mount true 2>"$work/unshare.txt"; then
  echo "SKIPPED: unshare --mount is not permitted here: $(cat "$work/unshare.txt") (ELF checks passed)"
  exit 77
fi
# --propagation private keeps every mount inside the namespace, whatever the host's default is.
exec unshare --mount --propagation private sh "$script" --inside "$kiln" "$model" "$work/imported.mlir"
