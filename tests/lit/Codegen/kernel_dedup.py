# Ops whose kernels come out the same share one: two Convs that differ only in their bias
# values (loaded at run time, not baked in) launch one kernel twice, while two Adds of
# different one-element constants (baked into the code) keep a kernel each.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --no-fuse --emit=plan | FileCheck %s
# CHECK: // kiln plan: 4 launches, 3 kernels
# CHECK: conv_[[C:[0-9]+]] grid({{.*}}// c1
# CHECK-NEXT: conv_[[C]] grid({{.*}}// c2
# CHECK-NEXT: add_[[A1:[0-9]+]] grid({{.*}}// plus_one
# CHECK-NOT: add_[[A1]] grid
# CHECK-NEXT: add_{{[0-9]+}} grid({{.*}}// plus_two
# RUN: kiln compile %t.onnx --no-fuse --emit=gpu | FileCheck %s --check-prefix=GPU
# GPU-COUNT-3: gpu.func @
# GPU-NOT: gpu.func @
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(5)
save(
    [
        node("Conv", ["x", "k1", "b1"], ["y1"], name="c1", pads=[1, 1, 1, 1]),
        node("Conv", ["y1", "k2", "b2"], ["y2"], name="c2", pads=[1, 1, 1, 1]),
        node("Add", ["y2", "one"], ["y3"], name="plus_one"),
        node("Add", ["y3", "two"], ["y"], name="plus_two"),
    ],
    [tensor("x", F32, [1, 8, 6, 6])],
    [tensor("y", F32, [1, 8, 6, 6])],
    [
        const("k1", rng.standard_normal((8, 8, 3, 3)).astype(np.float32)),
        const("b1", rng.standard_normal(8).astype(np.float32)),
        const("k2", rng.standard_normal((8, 8, 3, 3)).astype(np.float32)),
        const("b2", rng.standard_normal(8).astype(np.float32)),
        const("one", np.array([1.0], dtype=np.float32)),
        const("two", np.array([2.0], dtype=np.float32)),
    ],
)
