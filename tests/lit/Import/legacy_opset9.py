# Opset-9 forms are normalized to kiln's opset-17 form: Slice-1 and Pad-2 attributes and
# Clip-6 bounds become constant operands, Upsample becomes resize, Softmax-1 on the last
# axis keeps its meaning, Dropout-7's attributes go, Scatter becomes scatter_elements.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=onnx | FileCheck %s
# CHECK-LABEL: func.func @main
# CHECK: %[[STARTS:.*]] = kiln.constant dense<1> : tensor<1xi64>
# CHECK: %[[ENDS:.*]] = kiln.constant dense<3> : tensor<1xi64>
# CHECK: %[[AXES:.*]] = kiln.constant dense<1> : tensor<1xi64>
# CHECK: kiln.slice %{{.*}}, %[[STARTS]], %[[ENDS]], %[[AXES]], %{{.*}} : (tensor<2x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<2x2xf32>
# CHECK: %[[LO:.*]] = kiln.constant dense<0.000000e+00> : tensor<f32>
# CHECK: %[[HI:.*]] = kiln.constant dense<6.000000e+00> : tensor<f32>
# CHECK: kiln.clip %{{.*}}, %[[LO]], %[[HI]] : (tensor<2x2xf32>, tensor<f32>, tensor<f32>) -> tensor<2x2xf32>
# CHECK: kiln.pad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {mode = "edge"} : (tensor<2x2xf32>, tensor<4xi64>, tensor<f32>, none) -> tensor<2x4xf32>
# CHECK: kiln.softmax %{{.*}} {axis = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
# CHECK: kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4xf32>, none, none) -> (tensor<2x4xf32>, none)
# CHECK: kiln.resize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x1x2x4xf32>, none, tensor<4xf32>, none) -> tensor<1x1x4x8xf32>
# CHECK: kiln.scatter_elements
import numpy as np
from onnx_builder import F32, I64, const, node, save, tensor

save(
    [
        node("Slice", ["x"], ["s"], starts=[1], ends=[3], axes=[1]),
        node("Clip", ["s"], ["c"], min=0.0, max=6.0),
        node("Pad", ["c"], ["p"], pads=[0, 1, 0, 1], mode="edge"),
        node("Softmax", ["p"], ["sm"], axis=1),
        node("Dropout", ["sm"], ["d"], ratio=0.5),
        node("Reshape", ["d", "shape4"], ["d4"]),
        node("Upsample", ["d4", "scales"], ["u"], mode="nearest"),
        node("Scatter", ["x", "idx", "upd"], ["sc"], axis=1),
    ],
    [tensor("x", F32, [2, 4])],
    [tensor("u", F32, [1, 1, 4, 8]), tensor("sc", F32, [2, 4])],
    [
        const("shape4", np.array([1, 1, 2, 4], np.int64)),
        const("scales", np.array([1, 1, 2, 2], np.float32)),
        const("idx", np.array([[0], [3]], np.int64)),
        const("upd", np.array([[5.0], [6.0]], np.float32)),
    ],
    opset=9,
)
