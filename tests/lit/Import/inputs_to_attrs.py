# Opset-13 constant `axes`/`split` inputs become attributes; a non-constant one is an
# error that names the node.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=onnx | FileCheck %s
# RUN: %python %s %t.bad.onnx dynamic-axes
# RUN: not kiln compile %t.bad.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=ERR
# CHECK: kiln.unsqueeze %{{.*}} {axes = array<i64: 0>} : (tensor<2x6xf32>) -> tensor<1x2x6xf32>
# CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 2>} : (tensor<1x2x6xf32>) -> tensor<1x2x1xf32>
# CHECK: kiln.squeeze %{{.*}} {axes = array<i64: 0, 2>} : (tensor<1x2x1xf32>) -> tensor<2xf32>
# CHECK: kiln.split %{{.*}} {axis = 1 : i64, split = array<i64: 2, 4>} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x4xf32>)
# ERR: node 'sq' (Squeeze): input #1 ('axes') must be a constant: kiln needs it at compile time
import sys

import numpy as np
from onnx_builder import F32, I64, const, node, save, tensor

dynamic = len(sys.argv) > 2
inputs = [tensor("x", F32, [2, 6])]
if dynamic:
    inputs.append(tensor("sq_axes", I64, [2]))
inits = [const("u_axes", np.array([0], np.int64)), const("r_axes", np.array([2], np.int64)),
         const("split", np.array([2, 4], np.int64))]
if not dynamic:
    inits.append(const("sq_axes", np.array([0, 2], np.int64)))
save(
    [
        node("Unsqueeze", ["x", "u_axes"], ["u"]),
        node("ReduceSum", ["u", "r_axes"], ["r"]),
        node("Squeeze", ["r", "sq_axes"], ["s"], name="sq"),
        node("Split", ["x", "split"], ["a", "b"], axis=1),
    ],
    inputs,
    [tensor("s", F32, [2]), tensor("a", F32, [2, 2]), tensor("b", F32, [2, 4])],
    inits,
    opset=13,
    path=sys.argv[1],
)
