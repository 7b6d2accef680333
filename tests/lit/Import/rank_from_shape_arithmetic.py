# A Reshape whose target shape is computed from the shapes of static inputs (as PyTorch's
# exporter writes attention reshapes) and whose output type the model does not declare:
# the importer folds the shape arithmetic to constants to learn the output's rank. When
# the shape really depends on a dynamic dimension, that is still a clear error.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=onnx | FileCheck %s
# CHECK: kiln.constant dense<[2, 3, -1]> : tensor<3xi64>
# CHECK: kiln.reshape %arg0, %{{.*}} : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
# RUN: %python %s %t.dyn.onnx dynamic
# RUN: not kiln compile %t.dyn.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=DYN
# DYN: node 'reshape' (Reshape): the rank of output 'r' depends on values computed at run time and the model declares no type for it
import sys

import numpy as np
from onnx_builder import F32, const, node, save, tensor

y_shape = ["N", 2] if len(sys.argv) > 2 else [1, 2]
save(
    [
        node("Shape", ["x"], ["sx"]),
        node("Shape", ["y"], ["sy"]),
        node("Gather", ["sy", "one"], ["n"], axis=0),
        node("Unsqueeze", ["n", "zero1"], ["n1"]),
        node("Slice", ["sx", "zero1", "n1"], ["head"]),
        node("Concat", ["head", "minus1"], ["shape"], axis=0),
        node("Reshape", ["x", "shape"], ["r"], name="reshape"),
        node("Relu", ["r"], ["out"]),
    ],
    [tensor("x", F32, [2, 3, 4]), tensor("y", F32, y_shape)],
    [tensor("out", F32, None)],
    [
        const("one", np.array(1, dtype=np.int64)),
        const("zero1", np.array([0], dtype=np.int64)),
        const("minus1", np.array([-1], dtype=np.int64)),
    ],
    path=sys.argv[1],
)
