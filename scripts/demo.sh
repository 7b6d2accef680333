#!/usr/bin/env bash
# Quickstart (a): installs dependencies, builds kiln, exports torchvision's resnet50 with
# Debian's python3-torch (random weights, fixed seed) and compiles it, printing what it
# produced. Idempotent: reruns reuse the build and the exported model.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"

out=$root/examples/out
mkdir -p "$out"
/usr/bin/python3 "$root/tests/models/export_models.py" "$out" resnet50 2> >(grep -vi warn >&2)
model=$out/resnet50.onnx
ir=$out/resnet50.onnx.mlir
echo
echo "$ kiln compile $model --emit=onnx -o $ir --stats"
"$root/build/bin/kiln" compile "$model" --emit=onnx -o "$ir" --stats
echo
echo "wrote $ir ($(wc -l <"$ir") lines); its first ops:"
grep -m 6 -E "kiln\.(conv|relu|max_pool)" "$ir" | cut -c1-160
