# ONNX If. A condition that folds at import (constants, a --const input) imports the
# taken branch only, nested Ifs included; one that folds once shapes are pinned stays a
# kiln.if until the static stage; one that stays unknown runs both branches and
# selects with Where when that is safe and both give one shape, else it is an error
# naming the inputs the condition depends on.
# RUN: %python %s %t.const.onnx const
# RUN: kiln compile %t.const.onnx --emit=onnx | FileCheck %s --check-prefix=CONST
# CONST-NOT: kiln.if
# CONST: kiln.neg
# CONST-NOT: kiln.if
# RUN: %python %s %t.rate.onnx rate
# RUN: kiln compile %t.rate.onnx --emit=onnx --const rate=16000 | FileCheck %s --check-prefix=RATE16
# RATE16-NOT: kiln.if
# RATE16: kiln.relu
# RATE16-NOT: kiln.abs
# RUN: kiln compile %t.rate.onnx --emit=onnx --const rate=8000 | FileCheck %s --check-prefix=RATE8
# RATE8-NOT: kiln.relu
# RATE8: kiln.abs
# RATE8-NOT: kiln.relu
# RUN: not kiln compile %t.rate.onnx --emit=static 2>&1 | FileCheck %s --check-prefix=RATEDYN
# RATEDYN: node 'choose' (If): the condition of this If is not known at compile time, and its branches read indices or divide integers, so kiln cannot run both and select: it depends on input 'rate'; pin it with --const NAME=VALUE
# RUN: %python %s %t.shape.onnx shape
# RUN: kiln compile %t.shape.onnx --emit=onnx | FileCheck %s --check-prefix=SHAPE
# SHAPE: kiln.if
# RUN: not kiln compile %t.shape.onnx --emit=static 2>&1 | FileCheck %s --check-prefix=SHAPEDYN
# SHAPEDYN: (If): the condition of this If is not known at compile time and its branches give result #0 as 'tensor<?x4xf32>' and 'tensor<?x4xf32>', so kiln cannot run both and select: it depends on the shape of 'x'; pin it with --shape NAME=D0xD1x...
# --shape applies at import too, so the If is resolved there.
# RUN: kiln compile %t.shape.onnx --emit=onnx --shape x=1x4 | FileCheck %s --check-prefix=SHAPEIMPORT
# SHAPEIMPORT-NOT: kiln.if
# SHAPEIMPORT: kiln.sigmoid
# RUN: kiln compile %t.shape.onnx --emit=static --shape x=1x4 | FileCheck %s --check-prefix=SHAPE1
# SHAPE1-NOT: kiln.if
# SHAPE1: kiln.sigmoid
# SHAPE1-NOT: kiln.tanh
# RUN: kiln compile %t.shape.onnx --emit=static --shape x=3x4 | FileCheck %s --check-prefix=SHAPE3
# SHAPE3-NOT: kiln.sigmoid
# SHAPE3: kiln.tanh
# RUN: %python %s %t.select.onnx select
# RUN: kiln compile %t.select.onnx --emit=static | FileCheck %s --check-prefix=SELECT
# SELECT-NOT: kiln.if
# SELECT: kiln.where
# RUN: %python %s %t.ranks.onnx ranks
# RUN: not kiln compile %t.ranks.onnx --emit=static 2>&1 | FileCheck %s --check-prefix=RANKS
# RANKS: node 'choose' (If): the condition of this If is not known at compile time and its branches give result #0 as 'tensor<4xf32>' and 'tensor<1xf32>', so kiln cannot run both and select: it depends on input 'x'; pin it with --const NAME=VALUE
# REQUIRES: emulator
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.select.onnx --rtol 1e-6 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.shape.onnx --shape x=3x4 --rtol 1e-6 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.rate.onnx --const rate=8000 --rtol 1e-6 | FileCheck %s --check-prefix=EMU
# EMU: PASSED
import sys

import numpy as np
from onnx import TensorProto, helper
from onnx_builder import F32, I64, const, node, save, tensor

path, case = sys.argv[1], sys.argv[2]


def graph(name, nodes, outputs, inits=()):
    return helper.make_graph(nodes, name, [], outputs, initializer=list(inits))


out = lambda name, shape=None: tensor(name, F32, shape)  # noqa: E731

if case == "const":
    # if (2 > 1) { if (false) abs(x) else neg(x) } else relu(x)
    inner = node("If", ["f"], ["ti"], name="inner",
                 then_branch=graph("a", [node("Abs", ["x"], ["ta"])], [out("ta")]),
                 else_branch=graph("b", [node("Neg", ["x"], ["tb"])], [out("tb")]))
    save([node("Greater", ["two", "one"], ["c"], name="gt"),
          node("If", ["c"], ["y"], name="outer",
               then_branch=graph("t", [inner], [out("ti")], [const("f", np.array(False))]),
               else_branch=graph("e", [node("Relu", ["x"], ["te"])], [out("te")]))],
         [tensor("x", F32, [4])], [tensor("y", F32, [4])],
         [const("two", np.array(2, np.int64)), const("one", np.array(1, np.int64))], path=path)
elif case == "rate":
    # A sample rate selects the branch; one branch reads indices (Gather).
    save([node("Equal", ["rate", "r16k"], ["c"], name="is16k"),
          node("If", ["c"], ["y"], name="choose",
               then_branch=graph("t", [node("Relu", ["x"], ["t"])], [out("t")]),
               else_branch=graph("e", [node("Gather", ["x", "idx"], ["g"]), node("Abs", ["g"], ["e"])],
                                 [out("e")], [const("idx", np.array([3, 2, 1, 0], np.int64))]))],
         [tensor("x", F32, [4]), tensor("rate", I64, [])], [tensor("y", F32, [4])],
         [const("r16k", np.array(16000, np.int64))], path=path)
elif case == "shape":
    # The condition is the batch size, known once --shape pins it.
    save([node("Shape", ["x"], ["s"], name="shape"),
          node("Gather", ["s", "zero"], ["n"], name="batch", axis=0),
          node("Equal", ["n", "one"], ["c"], name="single"),
          node("If", ["c"], ["y"], name="choose",
               then_branch=graph("t", [node("Sigmoid", ["x"], ["t"])], [out("t")]),
               else_branch=graph("e", [node("Tanh", ["x"], ["e"])], [out("e")]))],
         [tensor("x", F32, ["n", 4])], [tensor("y", F32, ["n", 4])],
         [const("zero", np.array(0, np.int64)), const("one", np.array(1, np.int64))], path=path)
elif case == "select":
    # The condition depends on the data: both branches run, Where selects.
    save([node("ReduceSum", ["x"], ["s"], name="sum", keepdims=0),
          node("Greater", ["s", "zero"], ["c"], name="positive"),
          node("If", ["c"], ["y"], name="choose",
               then_branch=graph("t", [node("Mul", ["x", "x"], ["t"])], [out("t", [2, 3])]),
               else_branch=graph("e", [node("Neg", ["x"], ["e"])], [out("e", [2, 3])]))],
         [tensor("x", F32, [2, 3])], [tensor("y", F32, [2, 3])],
         [const("zero", np.array(0, np.float32))], path=path)
else:
    save([node("ReduceSum", ["x"], ["s"], name="sum", keepdims=1),
          node("Greater", ["s", "zero"], ["c"], name="positive"),
          node("If", ["c"], ["y"], name="choose",
               then_branch=graph("t", [node("Relu", ["x"], ["t"])], [out("t")]),
               else_branch=graph("e", [node("Identity", ["s"], ["e"])], [out("e")]))],
         [tensor("x", F32, [4])], [tensor("y", F32, None)],
         [const("zero", np.array(0, np.float32))], path=path)
