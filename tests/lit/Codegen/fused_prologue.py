# Operand prologues: a MatMul or Gemm reads its operands through the Slice, Reshape,
# Transpose and scalar-constant ops that produce them in its region, so multi-head
# attention's head split, key transpose, query scaling and head merge launch no copy
# kernel. Odd sizes (12 tokens, 3 heads of 5), a strided slice, a transposed Gemm
# operand and a broadcast (Expand) one, as grouped-query attention shares keys; on the PTX emulator every output matches the reference evaluator, fused and not.
# REQUIRES: emulator
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=fused | FileCheck %s --check-prefix=FUSED
# FUSED: kiln.fused "contraction"
# FUSED: kiln.slice
# FUSED: kiln.transpose
# FUSED: kiln.div
# FUSED: kiln.matmul
# RUN: kiln compile %t.onnx --emit=plan | FileCheck %s
# Four launches for attention (scores, softmax, context, output projection), one for the
# strided-slice matmul and one for the expanded one; no slice, transpose, expand or div kernel.
# CHECK: // kiln plan: 6 launches
# CHECK: matmul_{{[0-9]+}} {{.*}}// q, k, {{.*}}scores
# CHECK: softmax_{{[0-9]+}}
# CHECK: matmul_{{[0-9]+}} {{.*}}// v, {{.*}}context
# CHECK: gemm_{{[0-9]+}} {{.*}}// merge_t, merge, out_proj
# CHECK: matmul_{{[0-9]+}} {{.*}}// every_other, {{.*}}strided_mm
# CHECK: matmul_{{[0-9]+}} {{.*}}// shared_keys, {{.*}}grouped_mm
# RUN: kiln compile %t.onnx --emit=plan | FileCheck %s --check-prefix=COPIES
# COPIES-NOT: {{^(slice|transpose|expand|div|reshape)_}}
# RUN: kiln compile %t.onnx --emit=plan --no-fuse | FileCheck %s --check-prefix=NOFUSE
# NOFUSE: // kiln plan: 16 launches
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_GEMM=splits=2 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 --no-fuse | FileCheck %s --check-prefix=EMU
# EMU: PASSED
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(5)
S, H, D = 12, 3, 5
E = H * D


def w(*shape):
    return rng.uniform(-0.5, 0.5, shape).astype(np.float32)


def i64(*v):
    return np.array(v, np.int64)


save(
    [
        node("Slice", ["qkv", "s0", "s1", "ax1"], ["q"], name="q"),
        node("Slice", ["qkv", "s1", "s2", "ax1"], ["k"], name="k"),
        node("Slice", ["qkv", "s2", "s3", "ax1"], ["v"], name="v"),
        node("Reshape", ["q", "heads"], ["qh"], name="q_heads"),
        node("Reshape", ["k", "heads"], ["kh"], name="k_heads"),
        node("Reshape", ["v", "heads"], ["vh"], name="v_heads"),
        node("Transpose", ["qh"], ["qt"], name="q_t", perm=[1, 0, 2]),
        node("Transpose", ["kh"], ["kt"], name="k_t", perm=[1, 2, 0]),
        node("Transpose", ["vh"], ["vt"], name="v_t", perm=[1, 0, 2]),
        node("Div", ["qt", "scale"], ["qs"], name="q_scale"),
        node("MatMul", ["qs", "kt"], ["sc"], name="scores"),
        node("Softmax", ["sc"], ["p"], name="softmax", axis=-1),
        node("MatMul", ["p", "vt"], ["ctx"], name="context"),
        node("Transpose", ["ctx"], ["ct"], name="merge_t", perm=[1, 0, 2]),
        node("Reshape", ["ct", "merged"], ["cm"], name="merge"),
        node("Gemm", ["cm", "wo", "bo"], ["y"], name="out_proj", transB=1),
        # A strided slice (every other column) feeding a matmul.
        node("Slice", ["u", "c0", "c_end", "ax1", "two"], ["uh"], name="every_other"),
        node("MatMul", ["uh", "wu"], ["z"], name="strided_mm"),
        # One key matrix broadcast over three heads.
        node("Expand", ["kv", "eshape"], ["kve"], name="shared_keys"),
        node("MatMul", ["a3", "kve"], ["z2"], name="grouped_mm"),
    ],
    [tensor("qkv", F32, [S, 3 * E]), tensor("u", F32, [7, 18]), tensor("kv", F32, [1, 5, 6]),
     tensor("a3", F32, [3, 4, 5])],
    [tensor("y", F32, [S, E]), tensor("z", F32, [7, 6]), tensor("z2", F32, [3, 4, 6])],
    [
        const("s0", i64(0)), const("s1", i64(E)), const("s2", i64(2 * E)), const("s3", i64(3 * E)),
        const("ax1", i64(1)), const("heads", i64(S, H, D)), const("merged", i64(S, E)),
        const("scale", np.array(np.sqrt(D), np.float32)), const("wo", w(E, E)), const("bo", w(E)),
        const("c0", i64(1)), const("c_end", i64(18)), const("two", i64(2)), const("wu", w(9, 6)),
        const("eshape", i64(3, 5, 6)),
    ],
)
