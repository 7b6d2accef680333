# Implicit-GEMM convolutions whose weights are constants and whose groups have a
# multiple of 16 input channels run their K dimension channels-innermost: the plan
# stores those weights as [M][kernel positions][Cg] (the original layout is not stored
# as well), and a k tile covers one kernel position, whose coordinates and bounds are
# worked out once per tile. Weights that arrive at run time, and groups of other sizes,
# keep the natural order. All of them match the reference on the emulator, also with
# k tiles 32 deep, which no longer fit inside one kernel position's 16 channels.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=plan | FileCheck %s
# The weights: 18432 + 9216 + 128 bytes (k, k8, b), each stored once and 256-aligned.
# CHECK: weights 27904 bytes
# REQUIRES: emulator
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_GEMM=tile=64x64x32/4x4 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefix=EMU
# EMU: PASSED
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(5)


def weights(name, *shape):
    return const(name, rng.standard_normal(shape).astype(np.float32))


save(
    [
        # Cg = 16, constant weights: channels innermost.
        node("Conv", ["x", "k", "b"], ["inner"], name="inner", pads=[1, 1, 1, 1]),
        # The same with weights given at run time: natural order.
        node("Conv", ["x", "kdyn"], ["dynamic"], name="dynamic", pads=[1, 1, 1, 1]),
        # Two groups of Cg = 8, strided and dilated: natural order.
        node("Conv", ["x", "k8"], ["grouped"], name="grouped", group=2, pads=[2, 2, 2, 2], strides=[2, 2],
             dilations=[2, 2]),
    ],
    [tensor("x", F32, [1, 16, 10, 10]), tensor("kdyn", F32, [32, 16, 3, 3])],
    [tensor(n, F32, None) for n in ["inner", "dynamic", "grouped"]],
    [weights("k", 32, 16, 3, 3), weights("b", 32), weights("k8", 32, 8, 3, 3)],
)
