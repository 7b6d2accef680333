# Depthwise 2-D convolutions (one channel per group) with unit column stride stage
# zero-padded bands of input rows in shared memory and compute runs of 4 adjacent
# outputs from there: several planes per block when planes are small, bands of rows
# when they are large. Every case matches the reference evaluator on the emulator:
# row strides, dilations, asymmetric and SAME pads, bands that do not divide the
# output, rows that runs of 4 do not divide, a batch of two, planes spread over a
# partial last block, no bias, and bands 162 and 72 words wide, which a staging
# loop of 192 or 96 lanes once wrote twice (a shared-memory race on PP-OCRv4's
# 160x160 planes). Column strides of 2, depth multipliers and 1-D convolutions keep
# the direct kernel.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=plan | FileCheck %s
# CHECK: conv_depthwise_{{[0-9]+}} grid(288,1,1) block(256,1,1) {{.*}}// s1
# CHECK: conv_direct_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// s2
# CHECK: conv_depthwise_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// dilated
# CHECK: conv_depthwise_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// asym
# CHECK: conv_depthwise_{{[0-9]+}} grid(3,1,1) {{.*}}// small
# CHECK: conv_depthwise_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// same
# CHECK: conv_direct_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// multiplier
# CHECK: conv_direct_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// line
# CHECK: conv_depthwise_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// wide
# CHECK: conv_depthwise_{{[0-9]+}} grid({{[0-9]+}},1,1) {{.*}}// band72
# REQUIRES: emulator
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 | FileCheck %s --check-prefix=EMU
# EMU: PASSED
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(11)


def weights(name, *shape):
    return const(name, rng.standard_normal(shape).astype(np.float32))


save(
    [
        # 2 x 72 planes of 40 x 40: bands of 26 rows (2 per plane).
        node("Conv", ["a", "ka", "ba"], ["s1"], name="s1", group=72, pads=[1, 1, 1, 1]),
        node("Conv", ["a", "ka", "ba"], ["s2"], name="s2", group=72, pads=[1, 1, 1, 1], strides=[2, 2]),
        node("Conv", ["a", "kd"], ["dilated"], name="dilated", group=72, pads=[4, 4, 4, 4], dilations=[2, 2]),
        node("Conv", ["a", "kx"], ["asym"], name="asym", group=72, pads=[0, 2, 1, 0], strides=[2, 1]),
        # 50 planes of 7 x 7: 20 planes per block, the last block partial.
        node("Conv", ["b", "kb", "bb"], ["small"], name="small", group=50, pads=[1, 1, 1, 1]),
        node("Conv", ["b", "kb"], ["same"], name="same", group=50, auto_pad="SAME_UPPER"),
        node("Conv", ["b", "km"], ["multiplier"], name="multiplier", group=50, pads=[1, 1, 1, 1]),
        node("Conv", ["c", "kl"], ["line"], name="line", group=8, pads=[1, 1]),
        node("Conv", ["d", "kw", "bw"], ["wide"], name="wide", group=4, pads=[1, 1, 1, 1]),
        node("Conv", ["e", "kw"], ["band72"], name="band72", group=4, pads=[1, 1, 1, 1]),
    ],
    [tensor("a", F32, [2, 72, 40, 40]), tensor("b", F32, [1, 50, 7, 7]), tensor("c", F32, [1, 8, 30]),
     tensor("d", F32, [1, 4, 24, 160]), tensor("e", F32, [1, 4, 9, 70])],
    [tensor(n, F32, None) for n in ["s1", "s2", "dilated", "asym", "small", "same", "multiplier", "line", "wide",
                                    "band72"]],
    [
        weights("ka", 72, 1, 3, 3),
        weights("ba", 72),
        weights("kd", 72, 1, 5, 5),
        weights("kx", 72, 1, 2, 4),
        weights("kb", 50, 1, 3, 3),
        weights("bb", 50),
        weights("km", 100, 1, 3, 3),
        weights("kl", 8, 1, 3),
        weights("kw", 4, 1, 3, 3),
        weights("bw", 4),
    ],
)
