#!/usr/bin/env bash
# GEMM tuning sweep on a GPU machine: the GEMM and convolution op chains, resnet50 and
# bert_base compiled under each tuning setting (KILN_GEMM, KILN_INDEX_BITS), each plan
# checked against PyTorch and timed with `kiln bench --mode device-io`, beside PyTorch's
# bare CUDA-graph replay.
#
# Usage (from the repository root; needs .gpu/kiln.xz from `scripts/gpu-check.sh --pack`):
#   scripts/gemm-sweep.sh [NAME ...]
# KILN_SWEEP_CONFIGS: the settings, space-separated: "default" (nothing set), an environment
# assignment such as KILN_INDEX_BITS=32, or else a KILN_GEMM value.
# KILN_BENCH_ITERS / KILN_BENCH_WARMUP: the timing loops (50 / 5).
# Writes ${OUT:-gemm-sweep}/sweep.md (median ms per plan; FAIL where the outputs differ from
# PyTorch by 1e-4 or more) and the logs beside it. Without a GPU (or with KILN_CUDA_LIBRARY
# naming the PTX emulator) it still exports, compiles and compares, and times nothing.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

names=("$@")
[[ ${#names[@]} -eq 0 ]] && names=(op_linear_768 op_mlp_3072 op_conv3x3_64x56 op_conv3x3_256x14
                                   op_conv3x3_512x7 op_conv1x1_2048x7 resnet50 bert_base)
read -r -a configs <<< "${KILN_SWEEP_CONFIGS:-default vector=0 prefetch=0 buffers=1 sms=66 sms=264 \
tile=128x128x8/8x8 tile=64x64x16/4x4 tile=32x32x16/2x2 KILN_INDEX_BITS=32}"
iters=${KILN_BENCH_ITERS:-50}
warmup=${KILN_BENCH_WARMUP:-5}
OUT=${OUT:-gemm-sweep}
mkdir -p "$OUT/models" "$OUT/logs"
OUT=$(cd "$OUT" && pwd)

kiln=${KILN:-$root/.gpu/bin/kiln}
if [[ -z "${KILN:-}" ]]; then
  mkdir -p "$(dirname "$kiln")"
  xz -dc .gpu/kiln.xz > "$kiln" && chmod +x "$kiln" || { echo "gemm-sweep: no .gpu/kiln.xz" >&2; exit 1; }
fi
median_of() { awk -v m="$1" '$1 == m { v = $3 } END { print (v == "" ? "-" : v) }' "$2" 2>/dev/null || echo -; }

python3 tests/models/export_public.py export "$OUT/models" "${names[@]}" > "$OUT/logs/export.log" 2>&1 ||
  echo "gemm-sweep: some exports failed (logs/export.log)" >&2

# Every (model, setting) compiles in parallel; settings reach the compiler only through KILN_GEMM.
jobs=()
for n in "${names[@]}"; do
  [[ -f "$OUT/models/$n/model.onnx" ]] || continue
  for i in "${!configs[@]}"; do jobs+=("$n $i"); done
done
compile_one() {
  local n=$1 i=$2 c=${configs[$2]}
  local env=()
  case "$c" in
    default) ;;
    KILN_*=*) env=("$c") ;;
    *) env=(KILN_GEMM="$c") ;;
  esac
  env "${env[@]}" "$kiln" compile "$OUT/models/$n/model.onnx" -o "$OUT/models/$n/c$i.kiln" \
    > "$OUT/logs/$n.c$i.compile.log" 2>&1
}
export -f compile_one
export OUT kiln
export KILN_SWEEP_CONFIGS_LIST="${configs[*]}"
printf '%s\n' "${jobs[@]}" | xargs -r -P "$(nproc)" -L 1 bash -c \
  'read -r -a configs <<< "$KILN_SWEEP_CONFIGS_LIST"; compile_one "$0" "$1"'

declare -A cell
for n in "${names[@]}"; do
  d=$OUT/models/$n
  [[ -f "$d/meta.json" ]] || continue
  inputs=()
  for in_name in $(python3 -c 'import json,sys;print(" ".join(json.load(open(sys.argv[1]))["inputs"]))' "$d/meta.json"); do
    inputs+=(--input "$in_name=$d/input_$in_name.npy")
  done
  python3 tests/models/export_public.py bench "$d" --warmup "$warmup" --iters "$iters" > "$OUT/logs/$n.torch.log" 2>&1
  cell[$n,torch]=$(median_of torch "$OUT/logs/$n.torch.log")
  for i in "${!configs[@]}"; do
    l=$OUT/logs/$n.c$i
    if [[ ! -f "$d/c$i.kiln" ]]; then cell[$n,$i]="compile failed"; continue; fi
    if ! "$kiln" run "$d/c$i.kiln" "${inputs[@]}" --output-dir "$d/c$i.out" > "$l.run.log" 2>&1; then
      cell[$n,$i]="run failed"; continue
    fi
    if ! python3 tests/models/export_public.py compare "$d" "$d/c$i.out" --rtol 1e-4 > "$l.compare.log" 2>&1; then
      cell[$n,$i]=FAIL; continue
    fi
    "$kiln" bench "$d/c$i.kiln" --mode device-io --warmup "$warmup" --iters "$iters" > "$l.bench.log" 2>&1
    cell[$n,$i]=$(median_of device-io "$l.bench.log")
  done
done

{
  echo "# GEMM sweep"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
  echo
  echo "Median ms per run, $iters runs after $warmup warm-up: kiln \`bench --mode device-io\` per"
  echo "setting (a bare value is a KILN_GEMM one); PyTorch (strict fp32) replaying a CUDA graph"
  echo "without host copies."
  echo "FAIL: outputs differ from PyTorch's by 1e-4 or more."
  echo
  header="| model | torch |"; rule="|---|---|"
  for c in "${configs[@]}"; do header+=" $c |"; rule+="---|"; done
  echo "$header"; echo "$rule"
  for n in "${names[@]}"; do
    row="| $n | ${cell[$n,torch]:--} |"
    for i in "${!configs[@]}"; do row+=" ${cell[$n,$i]:--} |"; done
    echo "$row"
  done
} > "$OUT/sweep.md"
cat "$OUT/sweep.md"
