#!/usr/bin/env bash
# Seed corpora for the fuzzers: SEEDS_DIR KILN PYTHON SOURCE_DIR. Node-test models for
# the importer, plans compiled from some of them for the plan reader, .npy files of
# every dtype, and --shape/--const lines.
set -euo pipefail
seeds=$1 kiln=$2 python=$3 src=$4
node=/usr/share/libonnx-testdata/data/node
rm -rf "$seeds"
mkdir -p "$seeds"/{import,plan,npy,values}
for dir in "$node"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/model.onnx" ] && cp "$dir/model.onnx" "$seeds/import/$name.onnx"
done
"$python" "$src/tests/tools/make_add_relu_onnx.py" "$seeds/import/add_relu.onnx"
# Plans: a spread of kernels (elementwise, GEMM, conv, reductions, data movement).
for name in test_add test_relu test_matmul_2d test_gemm_all_attributes test_conv_with_strides_padding \
            test_reduce_sum_keepdims_example test_softmax_axis_1 test_transpose_all_permutations_3 \
            test_maxpool_2d_pads test_concat_3d_axis_0 test_gather_0 test_split_equal_parts_1d; do
  [ -f "$node/$name/model.onnx" ] && "$kiln" compile "$node/$name/model.onnx" -o "$seeds/plan/$name.kiln" \
    >/dev/null 2>&1 || true
done
"$kiln" compile "$seeds/import/add_relu.onnx" -o "$seeds/plan/add_relu.kiln" >/dev/null
"$python" - "$seeds/npy" <<'PY'
import sys, numpy as np
d = sys.argv[1]
arrays = {
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3), "f64": np.array(1.5), "f16": np.ones((2, 2), np.float16),
    "i64": np.array([[-1, 2]], np.int64), "i32": np.zeros((0, 3), np.int32), "u8": np.arange(5, dtype=np.uint8),
    "bool": np.array([True, False]), "i8": np.array(-3, np.int8), "u64": np.array([2**63], np.uint64),
    "fortran": np.asfortranarray(np.ones((2, 3), np.float32)), "bigendian": np.arange(3, dtype=">i4"),
}
for name, a in arrays.items():
    np.save(f"{d}/{name}.npy", a)
PY
printf 's x=2x6\nc k=3\nc shape=[3,4]\n' > "$seeds/values/topk"
printf 's x=1x4\nc k=[2]\nc shape=[2, 2]\nc flag=true\nc scale=[[1.5,-inf],[nan,1e-3]]\n' > "$seeds/values/all"
printf 'v1 [1,2,3]\nv5 [[0.5,2],[3,4]]\nv2 [[1,2],[3,4]]\nv4 false\nv0 -2.5e-3\n' > "$seeds/values/direct"
printf 's x=0x0\nc k=[[1]]\nc shape=[-1,0]\n' > "$seeds/values/odd"
echo "seeds: $(ls "$seeds/import" | wc -l) models, $(ls "$seeds/plan" | wc -l) plans, $(ls "$seeds/npy" | wc -l) npy files, $(ls "$seeds/values" | wc -l) spec files"
