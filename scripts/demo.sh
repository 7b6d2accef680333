#!/usr/bin/env bash
# Quickstart (a): installs dependencies, builds kiln, exports torchvision's resnet50 with
# Debian's python3-torch (random weights, fixed seed), compiles it to a .kiln plan (every
# stage dumped beside it) and inspects the plan, then checks the plan against the reference
# evaluator: on the GPU, or without one on the PTX emulator (tests/emulator). Idempotent:
# reruns reuse the build and the model.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"

out=$root/examples/out
mkdir -p "$out"
/usr/bin/python3 "$root/tests/models/export_models.py" "$out" resnet50 2> >(grep -vi warn >&2)
model=$out/resnet50.onnx
plan=$out/resnet50.kiln
kiln=$root/build/bin/kiln
echo
echo "$ kiln compile $model -o $plan --dump-dir $out/resnet50.stages --stats"
time "$kiln" compile "$model" -o "$plan" --dump-dir "$out/resnet50.stages" --stats
echo
echo "stages in $out/resnet50.stages: $(ls "$out/resnet50.stages" | tr '\n' ' ')"
echo
echo "$ kiln inspect $plan | head -24"
{ "$kiln" inspect "$plan" --no-device || true; } | head -24
echo
echo "$ kiln check $model   # GPU against the CPU reference evaluator"
status=0
"$kiln" check "$model" || status=$?
if [[ $status == 77 ]]; then
  emulator=$root/build/tests/emulator/libkiln_ptx_emulator.so
  echo "(no GPU here: for timings, copy $plan and a runtime build to a GPU machine, or see"
  echo " scripts/gpu-check.sh. The same plan now runs on the CPU through the PTX emulator,"
  echo " which executes every generated kernel, bounds- and race-checked: about 2 minutes.)"
  echo
  echo "$ KILN_CUDA_LIBRARY=$emulator kiln check $model"
  KILN_CUDA_LIBRARY=$emulator "$kiln" check "$model"
elif [[ $status != 0 ]]; then
  exit $status
fi
