# A form the GPU code generator does not handle is a diagnostic naming the ONNX node, and
# kiln exits 1 without writing a plan; every such node is reported at once.
# RUN: %python %s %t.onnx
# RUN: not kiln compile %t.onnx -o %t.kiln 2>&1 | FileCheck %s
# CHECK: node 'drop1' (Dropout): training mode has no GPU kernel (only inference Dropout is compiled)
# CHECK: node 'drop2' (Dropout): training mode has no GPU kernel
# RUN: not test -e %t.kiln
import numpy as np
from onnx_builder import F32, const, node, save, tensor

save(
    [
        node("Dropout", ["x", "ratio", "train"], ["d"], name="drop1"),
        node("Relu", ["d"], ["r"], name="relu"),
        node("Dropout", ["r", "ratio", "train"], ["y"], name="drop2"),
    ],
    [tensor("x", F32, [2, 8])],
    [tensor("y", F32, [2, 8])],
    [
        const("ratio", np.array(0.5, dtype=np.float32)),
        const("train", np.array(True)),
    ],
)
