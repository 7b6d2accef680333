# Problems in a model are diagnostics that name the node, never crashes.
# RUN: %python %s %t.missing.onnx missing-input
# RUN: not kiln compile %t.missing.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=MISSING
# MISSING: node 'conv' (Conv): input #1 is required
# RUN: %python %s %t.attr.onnx bad-attr
# RUN: not kiln compile %t.attr.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=ATTR
# ATTR: node 'conv' (Conv): attribute 'frobnicate' of Conv-1 is not supported
# RUN: %python %s %t.kind.onnx attr-kind
# RUN: not kiln compile %t.kind.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=KIND
# KIND: node 'conv' (Conv): {{.*}}strides
# RUN: %python %s %t.shape.onnx channels
# RUN: not kiln compile %t.shape.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=SHAPE
# SHAPE: node 'conv' (Conv): X has 3 channels but W expects 2 x group 1
# RUN: %python %s %t.decl.onnx declared
# RUN: not kiln compile %t.decl.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=DECL
# DECL: node 'conv' (Conv): the model declares 'tensor<1x4x9x9xf32>' for 'y' but the node produces 'tensor<1x4x6x6xf32>'
# RUN: %python %s %t.undef.onnx undefined
# RUN: not kiln compile %t.undef.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=UNDEF
# UNDEF: node 'conv' (Conv): input 'nowhere' is not produced by an earlier node, a graph input or an initializer
# RUN: %python %s %t.noshape.onnx no-shape
# RUN: not kiln compile %t.noshape.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=NOSHAPE
# NOSHAPE: value 'x': graph input 'x': has no shape (kiln needs at least its rank)
import sys

import numpy as np
from onnx import helper
from onnx_builder import F32, const, node, save, tensor

case = sys.argv[2]
w = const("w", np.ones((4, 2 if case == "channels" else 3, 3, 3), np.float32))
attrs = {}
inputs = ["x", "w"]
if case == "missing-input":
    inputs = ["x", ""]
if case == "bad-attr":
    attrs["frobnicate"] = 1
if case == "attr-kind":
    attrs["strides"] = 2.0  # a FLOAT where INTS is required
if case == "undefined":
    inputs = ["x", "nowhere"]
out_shape = [1, 4, 9, 9] if case == "declared" else [1, 4, 6, 6]
x = helper.make_tensor_value_info("x", F32, None) if case == "no-shape" else tensor("x", F32, [1, 3, 8, 8])
save([node("Conv", inputs, ["y"], name="conv", **attrs)], [x], [tensor("y", F32, out_shape)],
     [w], path=sys.argv[1])
