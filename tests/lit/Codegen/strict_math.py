# Single-instruction math is emitted directly, not through libdevice: square roots are
# IEEE (sqrt.rn, never sqrt.approx), rounding ops are cvt instructions, and no libdevice
# function is left to link, so these kernels compile without the CUDA toolkit.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --no-fuse --emit=ptx | FileCheck %s
# CHECK-NOT: .extern .func __nv_
# CHECK-DAG: sqrt.rn.f32
# CHECK-DAG: abs.f32
# CHECK-DAG: cvt.rmi.f32.f32
# CHECK-DAG: cvt.rpi.f32.f32
# CHECK-DAG: cvt.rni.f32.f32
# CHECK-DAG: div.rn.f32
# CHECK-NOT: .approx
import numpy as np
from onnx_builder import F32, node, save, tensor

save(
    [
        node("Sqrt", ["x"], ["s"], name="sqrt"),
        node("Abs", ["s"], ["a"], name="abs"),
        node("Floor", ["a"], ["f"], name="floor"),
        node("Ceil", ["f"], ["c"], name="ceil"),
        node("Round", ["c"], ["r"], name="round"),
        node("Div", ["r", "x"], ["y"], name="div"),
    ],
    [tensor("x", F32, [4, 32])],
    [tensor("y", F32, [4, 32])],
)
