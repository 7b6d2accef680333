#!/usr/bin/env bash
# Exports resnet18, resnet50, mobilenet_v2, squeezenet1_1 and a two-layer
# nn.TransformerEncoder, imports each with `kiln compile --emit=onnx`, and checks that the
# IR verified and holds the ops each architecture is made of; then that `--emit=static`
# leaves no dynamic dimension and no Shape/Identity/BatchNormalization/Dropout op.
set -euo pipefail
kiln=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$here/export_models.py" "$out" 2> >(grep -v -i warn >&2)

fail=0
expect() { # model, then op names that must appear (KILN_ARGS: extra static-stage options)
  local model=$1; shift
  local ir
  if ! ir=$("$kiln" compile "$out/$model.onnx" --emit=onnx 2>&1); then
    echo "FAIL $model: import failed"; echo "$ir" | head -20; fail=1; return
  fi
  for op in "$@"; do
    if ! grep -q "= kiln.$op " <<<"$ir"; then
      echo "FAIL $model: no kiln.$op in the IR"; fail=1
    fi
  done
  local static
  if ! static=$("$kiln" compile "$out/$model.onnx" --emit=static ${KILN_ARGS:-} 2>&1); then
    echo "FAIL $model: --emit=static failed"; echo "$static" | head -20; fail=1; return
  fi
  if grep -qE 'tensor<([0-9]+x)*\?' <<<"$static"; then
    echo "FAIL $model: a dynamic dimension is left after --emit=static"; fail=1
  fi
  if grep -qE '= kiln\.(shape|identity|batch_normalization|dropout) ' <<<"$static"; then
    echo "FAIL $model: shape/identity/batch_normalization/dropout left after --emit=static"; fail=1
  fi
  echo "ok   $model: $(grep -c '= kiln\.' <<<"$ir") kiln ops imported, $(grep -c '= kiln\.' <<<"$static") static"
}
expect resnet18 conv relu max_pool add global_average_pool flatten gemm
expect resnet50 conv relu max_pool add global_average_pool flatten gemm
expect mobilenet_v2 conv clip add global_average_pool flatten gemm
expect squeezenet1_1 conv relu max_pool concat global_average_pool flatten
expect transformer_encoder matmul add softmax layer_normalization transpose reshape
expect vit_b_16 conv matmul softmax layer_normalization erf concat gemm
# Exported with dynamic batch and sequence: their shape subgraphs must fold away.
KILN_ARGS="--shape input=1x16" expect bert_like gather shape equal where erf softmax layer_normalization
KILN_ARGS="--shape input=1x16" expect gpt2_like gather shape split pow tanh slice where softmax
exit $fail
