# Constant nodes in every value_* form, a graph input that is also an initializer (a
# constant, not an argument), external data, and value_info refining inferred types.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t/model.onnx
# RUN: kiln compile %t/model.onnx --emit=onnx --print-weights | FileCheck %s
# CHECK-LABEL: func.func @main(%{{.*}}: tensor<?x4xf32> {kiln.name = "x"}) -> (tensor<3x4xf32> {kiln.name = "y"}, tensor<3xi64> {kiln.name = "ints"}, tensor<f32> {kiln.name = "f"}, tensor<4xf32> {kiln.name = "ext_out"})
# CHECK-DAG: kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
# CHECK-DAG: kiln.constant dense<[4, 5, 6]> : tensor<3xi64>
# CHECK-DAG: kiln.constant dense<2.500000e+00> : tensor<f32>
# CHECK-DAG: kiln.constant dense<[1.000000e+01, 2.000000e+01, 3.000000e+01, 4.000000e+01]> : tensor<4xf32>
# CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
import os
import sys

import numpy as np
import onnx
from onnx import external_data_helper
from onnx_builder import F32, I64, const, node, save, tensor

path = sys.argv[1]
ext = const("ext", np.array([10, 20, 30, 40], np.float32))
model = save(
    [
        node("Constant", [], ["ints"], value_ints=[4, 5, 6]),
        node("Constant", [], ["f"], value_float=2.5),
        node("Add", ["x", "bias"], ["y"]),
        node("Identity", ["ext"], ["ext_out"]),
    ],
    # `bias` is both a graph input and an initializer (IR < 4 style).
    [tensor("x", F32, [None, 4]), tensor("bias", F32, [4])],
    [tensor("y", F32, [3, 4]), tensor("ints", I64, [3]), tensor("f", F32, []),
     tensor("ext_out", F32, [4])],
    [const("bias", np.array([1, 2, 3, 4], np.float32)), ext],
    path=path,
)
external_data_helper.convert_model_to_external_data(
    model, all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
onnx.save(model, path)
assert os.path.exists(os.path.join(os.path.dirname(path), "weights.bin"))
