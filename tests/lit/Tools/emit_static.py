# --emit=static pins shapes and simplifies: the batch is set, Identity and Dropout go,
# BatchNormalization folds into the Conv, Flatten becomes a static reshape. A shape that
# stays dynamic or a bad --shape is an error naming the node or input.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=static --batch 2 | FileCheck %s
# RUN: kiln compile %t.onnx --emit=static --shape x=2x3x8x8 | FileCheck %s
# CHECK-LABEL: func.func @main(%{{.*}}: tensor<2x3x8x8xf32> {kiln.dim_params = ["N", "", "", ""], kiln.name = "x"}) -> (tensor<2x256xf32> {kiln.name = "y"})
# CHECK: kiln.conv {{.*}} -> tensor<2x4x8x8xf32>
# CHECK-NOT: kiln.batch_normalization
# CHECK-NOT: kiln.identity
# CHECK-NOT: kiln.dropout
# CHECK-NOT: kiln.flatten
# CHECK: kiln.reshape {{.*}} -> tensor<2x256xf32>
# RUN: not kiln compile %t.onnx --emit=static 2>&1 | FileCheck %s --check-prefix=DYN
# DYN: value 'x': input 'x' is still dynamic in dimension 0 ('tensor<?x3x8x8xf32>'): pin it with `--shape x=D0xD1x...` or `--batch N`
# RUN: not kiln compile %t.onnx --emit=static --shape nope=1x3x8x8 2>&1 | FileCheck %s --check-prefix=NAME
# NAME: nope
# The pins apply at import too (what depends on shapes can fold there), so the onnx
# stage shows them, op by op as in the model.
# RUN: kiln compile %t.onnx --emit=onnx --batch 2 | FileCheck %s --check-prefix=STAGE
# STAGE: func.func @main(%{{.*}}: tensor<2x3x8x8xf32>
# STAGE: kiln.identity
# STAGE: kiln.batch_normalization
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(1)
save(
    [
        node("Identity", ["x"], ["xi"], name="id"),
        node("Conv", ["xi", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        node("BatchNormalization", ["c", "s", "b", "m", "v"], ["bn"], name="bn"),
        node("Relu", ["bn"], ["r"], name="relu"),
        node("Dropout", ["r"], ["d"], name="drop"),
        node("Flatten", ["d"], ["y"], name="flat"),
    ],
    [tensor("x", F32, ["N", 3, 8, 8])],
    [tensor("y", F32, ["N", 256])],
    [
        const("w", rng.standard_normal((4, 3, 3, 3)).astype(np.float32)),
        const("s", rng.uniform(0.5, 1.5, 4).astype(np.float32)),
        const("b", rng.uniform(-0.5, 0.5, 4).astype(np.float32)),
        const("m", rng.uniform(-0.5, 0.5, 4).astype(np.float32)),
        const("v", rng.uniform(0.5, 1.5, 4).astype(np.float32)),
    ],
)
