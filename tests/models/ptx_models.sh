#!/usr/bin/env bash
# Compiles every exported model to a .kiln plan with --cubin, so that ptxas assembles the
# PTX of every kernel (invalid PTX fails here, on machines without a GPU), and prints the
# compile time and plan summary of each. SKIPPED (77) when ptxas is not installed.
set -uo pipefail
kiln=$1
out=$2
shift 2
ptxas=${KILN_PTXAS:-${CUDA_HOME:-/usr/local/cuda}/bin/ptxas}
if [[ ! -x $ptxas ]] && ! ptxas=$(command -v ptxas); then
  echo "SKIPPED: no ptxas (set KILN_PTXAS or CUDA_HOME)"
  exit 77
fi
export KILN_PTXAS=$ptxas
fail=0
for model in "$@"; do
  args=()
  case $model in bert_like|gpt2_like) args=(--shape input=1x16) ;; esac
  start=$(date +%s%N)
  if ! log=$("$kiln" compile "$out/$model.onnx" "${args[@]}" --cubin -o "$out/$model.kiln" 2>&1); then
    echo "FAIL $model: kiln compile --cubin failed"
    echo "$log" | head -20
    fail=1
    continue
  fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  summary=$("$kiln" inspect "$out/$model.kiln" --no-device | grep -E '^(kernels|launches|arena):' | tr -s ' ' | tr '\n' ' ')
  printf 'ok   %-20s %3d.%03d s  %s\n' "$model" $((ms / 1000)) $((ms % 1000)) "$summary"
done
exit $fail
