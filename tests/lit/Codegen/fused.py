# Fused regions become one kernel each, and nothing inside a region reaches memory: the
# plan's tensors are the graph's inputs and outputs and nothing else (arena bytes
# "without reuse"). Conv (implicit GEMM, with split-K forced, depthwise from shared
# memory, direct), Gemm and MatMul take their elementwise epilogues: bias, residual
# adds, ReLU6, HardSwish, x * sigmoid(x), GELU (erf), a view (reshape) in between; an
# elementwise region computes bools and selects with them. On the PTX emulator every
# output matches the reference evaluator, fused and not.
# REQUIRES: emulator
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=fused | FileCheck %s --check-prefix=FUSED
# FUSED-COUNT-5: kiln.fused "contraction"
# FUSED: kiln.fused "elementwise"
# FUSED-NOT: kiln.fused
# RUN: env KILN_GEMM=splits=1 kiln compile %t.onnx --emit=plan | FileCheck %s
# Without split-K, the tensors side by side are the 5 inputs (16384 + 8192 + 16384 + 768
# + 512 bytes, each rounded up to 256) and the 6 outputs (8192 + 16384 + 4096 + 768 +
# 768 + 16384): 88832 bytes, no intermediate. One launch per region.
# CHECK: // kiln plan: 6 launches, 6 kernels, arena {{[0-9]+}} bytes (88832 without reuse
# CHECK: conv_add_relu_{{[0-9]+}} {{.*}}// conv
# CHECK: conv_depthwise_clip_{{[0-9]+}} {{.*}}// dw
# CHECK: conv_direct_hard_swish_{{[0-9]+}} {{.*}}// dw2
# CHECK: gemm_add_sigmoid_mul_{{[0-9]+}} {{.*}}// fc
# CHECK: matmul_div_erf_add_{{[0-9]+}} {{.*}}// mm
# CHECK: fused_less_where_{{[0-9]+}} {{.*}}// less
# With split-K the sum kernel applies the epilogue: still nothing else in the arena
# but the partial sums (scratch).
# RUN: env KILN_GEMM=splits=4 kiln compile %t.onnx --emit=plan | FileCheck %s --check-prefix=SPLIT
# SPLIT: conv_add_relu_{{[0-9]+}} {{.*}}// conv
# SPLIT-NEXT: conv_add_relu_split_sum_{{[0-9]+}} {{.*}}// conv
# The fused graph for Graphviz: regions as clusters labelled with their kernels.
# RUN: kiln compile %t.onnx --emit=dot | FileCheck %s --check-prefix=DOT
# DOT: digraph kiln {
# DOT: in0 [shape=ellipse, label="x\nf32[1,64,8,8]"];
# DOT: subgraph cluster_0 {
# DOT: label="conv_add_relu_0{{.*}} (contraction)";
# DOT: n1 [label="conv\nconv\nf32[1,32,8,8]"];
# DOT: n3 [label="relu\nrelu\nf32[1,32,8,8]"];
# DOT: subgraph cluster_5 {
# DOT: label="fused_less_where_0 (elementwise)";
# DOT: in0 -> n1;
# DOT: n1 -> n2;
# DOT: in1 -> n2;
# DOT: out0 [shape=ellipse, label="y1\nf32[1,32,8,8]"];
# DOT: n3 -> out0;
# RUN: kiln compile %t.onnx --emit=plan --no-fuse | FileCheck %s --check-prefix=NOFUSE
# NOFUSE: // kiln plan: 20 launches
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_GEMM=splits=4 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 --no-fuse | FileCheck %s --check-prefix=EMU
# EMU: PASSED
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(3)


def w(*shape):
    return rng.uniform(-0.5, 0.5, shape).astype(np.float32)


save(
    [
        # Implicit-GEMM conv + bias + residual + ReLU.
        node("Conv", ["x", "w1", "b1"], ["c1"], name="conv", pads=[1, 1, 1, 1]),
        node("Add", ["c1", "r1"], ["a1"], name="res"),
        node("Relu", ["a1"], ["y1"], name="relu"),
        # Depthwise 3x3 (shared-memory bands) + ReLU6.
        node("Conv", ["x", "wd", "bd"], ["c2"], name="dw", group=64, pads=[1, 1, 1, 1]),
        node("Clip", ["c2", "zero", "six"], ["y2"], name="relu6"),
        # Depthwise with column stride 2 (the direct kernel) + HardSwish.
        node("Conv", ["x", "wd"], ["c3"], name="dw2", group=64, strides=[2, 2], pads=[1, 1, 1, 1]),
        node("HardSwish", ["c3"], ["y3"], name="hswish"),
        # Gemm + reshape + residual + x * sigmoid(x).
        node("Gemm", ["f", "wf", "bf"], ["g"], name="fc", transB=1),
        node("Reshape", ["g", "shape"], ["gr"], name="view"),
        node("Add", ["gr", "res3"], ["s"], name="fc_res"),
        node("Sigmoid", ["s"], ["sg"], name="sig"),
        node("Mul", ["s", "sg"], ["y4"], name="silu"),
        # MatMul + GELU (erf form).
        node("MatMul", ["m", "wm"], ["mm"], name="mm"),
        node("Div", ["mm", "sqrt2"], ["d"], name="gelu_div"),
        node("Erf", ["d"], ["e"], name="gelu_erf"),
        node("Add", ["e", "one"], ["e1"], name="gelu_add"),
        node("Mul", ["mm", "e1"], ["p"], name="gelu_mul"),
        node("Mul", ["p", "half"], ["y5"], name="gelu_half"),
        # An elementwise region with a bool in the middle.
        node("Less", ["r", "zero"], ["neg"], name="less"),
        node("Where", ["neg", "zero", "r"], ["y6"], name="select"),
    ],
    [tensor("x", F32, [1, 64, 8, 8]), tensor("r1", F32, [1, 32, 8, 8]), tensor("r", F32, [1, 64, 8, 8]), tensor("f", F32, [6, 32]),
     tensor("m", F32, [6, 16])],
    [tensor("y1", F32, [1, 32, 8, 8]), tensor("y2", F32, [1, 64, 8, 8]), tensor("y3", F32, [1, 64, 4, 4]),
     tensor("y4", F32, [2, 3, 24]), tensor("y5", F32, [6, 24]), tensor("y6", F32, [1, 64, 8, 8])],
    [
        const("w1", w(32, 64, 3, 3)), const("b1", w(32)),
        const("wd", w(64, 1, 3, 3)), const("bd", w(64)),
        const("zero", np.array(0, np.float32)), const("six", np.array(6, np.float32)),
        const("wf", w(24, 32)), const("bf", w(24)), const("shape", np.array([2, 3, 24], np.int64)),
        const("res3", w(3, 24)),
        const("wm", w(16, 24)), const("sqrt2", np.array(np.sqrt(2), np.float32)),
        const("one", np.array(1, np.float32)), const("half", np.array(0.5, np.float32)),
    ],
)
