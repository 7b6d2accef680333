"""Small helpers for lit tests that build ONNX models with python3-onnx and save them."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64
BOOL = TensorProto.BOOL


def tensor(name, elem, shape):
    """A value_info; shape entries may be ints, dim_param strings or None (unknown)."""
    return helper.make_tensor_value_info(name, elem, shape)


def const(name, array):
    """An initializer holding a numpy array."""
    return numpy_helper.from_array(np.asarray(array), name)


def node(op, inputs, outputs, name="", **attrs):
    return helper.make_node(op, inputs, outputs, name=name, **attrs)


def save(nodes, inputs, outputs, initializers=(), opset=17, value_info=(), path=None,
         ir_version=8):
    """Builds a model (opset `opset` of ai.onnx) and writes it to `path` or argv[1]."""
    graph = helper.make_graph(list(nodes), "test", list(inputs), list(outputs),
                              initializer=list(initializers), value_info=list(value_info))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="kiln-lit")
    model.ir_version = ir_version
    onnx.save(model, path or sys.argv[1])
    return model
