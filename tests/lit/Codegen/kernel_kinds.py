# Each op family gets the kernel shape it needs: a transpose that moves the innermost
# axis goes through shared-memory tiles, softmax and reductions combine with warp
# shuffles, MatMul and Conv run on the shared-memory tiled GEMM (Conv gathering its
# patches), depthwise Conv on a direct kernel; ptxas accepts all of them, and --cubin
# reports its register and shared-memory use per kernel.
# REQUIRES: libdevice, ptxas
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=gpu | FileCheck %s
# CHECK: kiln.transpose {{.*}}kiln.kernels = [@[[T:transpose[_a-z0-9]*]]]
# CHECK: kiln.softmax {{.*}}kiln.kernels = [@[[S:softmax[_a-z0-9]*]]]
# CHECK: kiln.matmul {{.*}}kiln.kernels = [@[[M:matmul[_a-z0-9]*]]]
# CHECK: gpu.func @[[T]](
# CHECK-SAME: workgroup
# CHECK: gpu.barrier
# CHECK: gpu.func @[[S]](
# CHECK: gpu.shuffle xor
# CHECK: gpu.func @[[M]](
# CHECK-SAME: workgroup
# CHECK: gpu.barrier
# RUN: kiln compile %t.onnx --emit=ptx | FileCheck %s --check-prefix=PTX
# PTX: .shared
# PTX: bar.sync
# PTX: shfl.sync.bfly
# RUN: kiln compile %t.onnx --emit=plan | FileCheck %s --check-prefix=PLAN
# PLAN: // kiln plan: {{[0-9]+}} launches
# PLAN-DAG: conv{{[_a-z0-9]*}} {{.*}}// conv
# PLAN-DAG: conv{{[_a-z0-9]*}} {{.*}}// depthwise
# PLAN-DAG: reduce_sum{{[_a-z0-9]*}} {{.*}}// rsum
# RUN: kiln compile %t.onnx --emit=plan --cubin | FileCheck %s --check-prefix=SASS
# SASS: // ptxas sm_90 {{[a-z_0-9]+}}: {{[0-9]+}} registers, {{[0-9]+}} bytes static shared, 0 bytes spilled
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(3)
save(
    [
        node("Transpose", ["x"], ["xt"], name="t", perm=[1, 0]),
        node("Softmax", ["xt"], ["s"], name="softmax", axis=-1),
        node("MatMul", ["s", "w"], ["m"], name="mm"),
        node("ReduceSum", ["m", "axes"], ["y"], name="rsum", keepdims=0),
        node("Conv", ["img", "k"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        node("Conv", ["c", "dk"], ["z"], name="depthwise", group=8, pads=[1, 1, 1, 1]),
    ],
    [tensor("x", F32, [64, 96]), tensor("img", F32, [1, 4, 16, 16])],
    [tensor("y", F32, [96]), tensor("z", F32, [1, 8, 16, 16])],
    [
        const("w", rng.standard_normal((64, 32)).astype(np.float32)),
        const("axes", np.array([1], dtype=np.int64)),
        const("k", rng.standard_normal((8, 4, 3, 3)).astype(np.float32)),
        const("dk", rng.standard_normal((8, 1, 3, 3)).astype(np.float32)),
    ],
)
