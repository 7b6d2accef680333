# Nodes out of topological order (the fp16 converter appends its Cast nodes after their
# users; onnxruntime accepts such graphs) are imported in dependency order, keeping the
# file's order where it already is one. A real cycle is an error naming its nodes.
# RUN: %python %s %t.sorted.onnx sorted
# RUN: kiln compile %t.sorted.onnx --emit=onnx | FileCheck %s
# CHECK: kiln.cast
# CHECK: kiln.relu
# CHECK: kiln.add
# RUN: %python %s %t.cycle.onnx cycle
# RUN: not kiln compile %t.cycle.onnx --emit=onnx 2>&1 | FileCheck %s --check-prefix=CYCLE
# CYCLE: node 'a' (Relu): the graph has a cycle: 'a' (Relu) -> 'b' (Neg) -> 'c' (Abs) -> 'a'
# RUN: %python %s %t.dropout.onnx dropout
# RUN: kiln compile %t.dropout.onnx --emit=static | FileCheck %s --check-prefix=DROPOUT
# DROPOUT-NOT: kiln.dropout
# DROPOUT: return %arg0, %{{.*}} : tensor<2x3xf32>, tensor<2x3xi1>
import sys

import numpy as np
from onnx import TensorProto
from onnx_builder import F32, const, node, save, tensor

path, case = sys.argv[1], sys.argv[2]
if case == "sorted":
    # add reads the relu that comes after it, which reads a cast after that.
    save([node("Add", ["r", "h"], ["y"], name="add"), node("Relu", ["h"], ["r"], name="relu"),
          node("Cast", ["x"], ["h"], name="cast", to=TensorProto.FLOAT)],
         [tensor("x", TensorProto.FLOAT16, [4])], [tensor("y", F32, [4])], path=path)
elif case == "cycle":
    save([node("Identity", ["x"], ["i"], name="in"), node("Abs", ["n"], ["c"], name="c"),
          node("Relu", ["c"], ["a"], name="a"), node("Neg", ["a"], ["n"], name="b"),
          node("Add", ["i", "a"], ["y"], name="out")],
         [tensor("x", F32, [4])], [tensor("y", F32, [4])], path=path)
else:
    save([node("Dropout", ["x", "ratio", "training"], ["y", "mask"], name="drop")],
         [tensor("x", F32, [2, 3])], [tensor("y", F32, [2, 3]), tensor("mask", TensorProto.BOOL, [2, 3])],
         [const("ratio", np.array(0, np.float32)), const("training", np.array(True))], path=path)
