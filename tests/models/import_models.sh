#!/usr/bin/env bash
# Exports resnet18, resnet50, mobilenet_v2, squeezenet1_1 and a two-layer
# nn.TransformerEncoder, imports each with `kiln compile --emit=onnx`, and checks that the
# IR verified and holds the ops each architecture is made of.
set -euo pipefail
kiln=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$here/export_models.py" "$out" 2> >(grep -v -i warn >&2)

fail=0
expect() { # model, then op names that must appear
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
  echo "ok   $model: $(grep -c '= kiln\.' <<<"$ir") kiln ops"
}
expect resnet18 conv relu max_pool add global_average_pool flatten gemm
expect resnet50 conv relu max_pool add global_average_pool flatten gemm
expect mobilenet_v2 conv clip add global_average_pool flatten gemm
expect squeezenet1_1 conv relu max_pool concat global_average_pool flatten
expect transformer_encoder matmul add softmax layer_normalization transpose reshape
exit $fail
