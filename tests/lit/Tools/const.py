# --const NAME=VALUE|FILE.npy pins an input's value at compile time on compile, run
# --reference and check: the input leaves the plan, and the shapes that depend on it
# (TopK's k, Reshape's target shape) fold to static ones.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
# RUN: kiln compile %t/model.onnx --const k=2 --const shape=%t/shape.npy --emit=static | FileCheck %s --check-prefix=STATIC
# STATIC: func.func @main(%arg0: tensor<2x6xf32> {kiln.name = "x"}) -> (tensor<2x2xf32> {kiln.name = "top"}, tensor<2x2xi64> {kiln.name = "where"}, tensor<3x4xf32> {kiln.name = "reshaped"})
# RUN: kiln compile %t/model.onnx --const k=2 --const 'shape=[3, 4]' -o %t/model.kiln
# RUN: kiln inspect %t/model.kiln --no-device | FileCheck %s --check-prefix=PLAN
# PLAN: inputs:
# PLAN-NEXT: x f32[2,6]
# PLAN-NEXT: outputs:
# RUN: kiln run %t/model.onnx --reference --const k=2 --const 'shape=[3,4]' --input x=%t/x.npy --output-dir %t/out
# RUN: %python %s %t check
# RUN: not kiln compile %t/model.onnx --const k=2.5 --const 'shape=[3,4]' -o %t/bad.kiln 2>&1 | FileCheck %s --check-prefix=BAD
# BAD: model.onnx: value 'k': const: input 'k': '2.5' is not an integer that fits the input's element type
# RUN: not kiln compile %t/model.onnx --const q=2 -o %t/bad.kiln 2>&1 | FileCheck %s --check-prefix=NAME
# NAME: model.onnx: const: the model has no input named 'q' (inputs: 'x' 'k' 'shape')
# RUN: not kiln compile %t/model.onnx --const 'shape=[3,4]' -o %t/bad.kiln 2>&1 | FileCheck %s --check-prefix=MISSING
# MISSING: node 'topk' (TopK): {{.*}}k
# RUN: kiln compile %t/model.onnx --const k=2 --emit=onnx | FileCheck %s --check-prefix=IMPORT
# IMPORT: kiln.constant dense<2> : tensor<1xi64>
# REQUIRES: emulator
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t/model.onnx --const k=2 --const 'shape=[3,4]' | FileCheck %s --check-prefix=EMU
# EMU: PASSED
import os
import sys

import numpy as np
from onnx_builder import F32, I64, node, save, tensor

d = sys.argv[1]
x = np.arange(12, dtype=np.float32).reshape(2, 6)[:, ::-1] * np.float32(0.5)
if len(sys.argv) > 2:
    out = os.path.join(d, "out")
    top = np.load(os.path.join(out, "top.npy"))
    where = np.load(os.path.join(out, "where.npy"))
    reshaped = np.load(os.path.join(out, "reshaped.npy"))
    order = np.argsort(-x, axis=1, kind="stable")[:, :2]
    assert np.array_equal(where, order), (where, order)
    assert np.array_equal(top, np.take_along_axis(x, order, axis=1)), top
    assert np.array_equal(reshaped, x.reshape(3, 4)), reshaped
    sys.exit(0)
np.save(os.path.join(d, "x.npy"), np.ascontiguousarray(x))
np.save(os.path.join(d, "shape.npy"), np.array([3, 4], np.int64))
save(
    [node("TopK", ["x", "k"], ["top", "where"], name="topk"),
     node("Reshape", ["x", "shape"], ["reshaped"], name="reshape")],
    [tensor("x", F32, [2, 6]), tensor("k", I64, [1]), tensor("shape", I64, [2])],
    [tensor("top", F32, None), tensor("where", I64, None), tensor("reshaped", F32, None)],
    path=os.path.join(d, "model.onnx"),
)
