# A Conv + Relu + Gemm graph: initializers become constants, node names become
# locations, declared output types refine the inferred ones.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=onnx --locations | FileCheck %s
# RUN: kiln compile %t.onnx --emit=onnx --locations | FileCheck %s --check-prefix=FILE
# FILE: #loc = loc("{{.*}}.onnx":0:0)
# RUN: kiln compile %t.onnx --emit=onnx --print-weights | FileCheck %s --check-prefix=WEIGHTS

# CHECK: module attributes {kiln.opset = 17 : i64, kiln.producer = "kiln-lit
# CHECK-LABEL: func.func @main(
# CHECK-SAME: %[[X:.*]]: tensor<?x3x8x8xf32> {kiln.dim_params = ["batch", "", "", ""], kiln.name = "image"}
# CHECK-SAME: -> (tensor<?x10xf32> {kiln.name = "logits"})
# CHECK-DAG: %[[W:.*]] = kiln.constant dense_resource<__elided__> : tensor<4x3x3x3xf32>
# CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.000000e-01, 2.000000e-01, 3.000000e-01, 4.000000e-01]> : tensor<4xf32>
# CHECK: %[[C:.*]] = kiln.conv %[[X]], %[[W]], %[[B]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32> loc(#[[CONV:.*]])
# CHECK: %[[R:.*]] = kiln.relu %[[C]] : (tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
# CHECK: %[[F:.*]] = kiln.flatten %[[R]] : (tensor<?x4x4x4xf32>) -> tensor<?x64xf32>
# CHECK: %[[G:.*]] = kiln.gemm %[[F]], %{{.*}}, %{{.*}} {transB = 1 : i64} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
# CHECK: return %[[G]] : tensor<?x10xf32>
# CHECK: #[[TYPE:.*]] = loc(fused<"Conv">[#loc])
# CHECK: #[[CONV]] = loc("conv1"(#[[TYPE]]))

# WEIGHTS: kiln.constant dense<{{.*}}> : tensor<4x3x3x3xf32>
import numpy as np
from onnx_builder import F32, const, node, save, tensor

rng = np.random.default_rng(0)
save(
    [
        node("Conv", ["image", "w", "b"], ["c"], name="conv1", pads=[1, 1, 1, 1], strides=[2, 2]),
        node("Relu", ["c"], ["r"], name="relu1"),
        node("Flatten", ["r"], ["f"], name="flat", axis=1),
        node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
    ],
    [tensor("image", F32, ["batch", 3, 8, 8])],
    [tensor("logits", F32, ["batch", 10])],
    [
        const("w", rng.standard_normal((4, 3, 3, 3)).astype(np.float32)),
        const("b", np.array([0.1, 0.2, 0.3, 0.4], np.float32)),
        const("fc_w", rng.standard_normal((10, 64)).astype(np.float32)),
        const("fc_b", rng.standard_normal(10).astype(np.float32)),
    ],
)
