# Every unsupported node is reported at once, by name, op type and opset; exit status 1.
# RUN: %python %s %t.onnx
# RUN: not kiln compile %t.onnx --emit=onnx 2>&1 | FileCheck %s
# CHECK-DAG: .onnx: node 'nz' (NonZero): unsupported operator NonZero (opset 17)
# CHECK-DAG: .onnx: node 'uq' (Unique): unsupported operator Unique (opset 17)
# CHECK-DAG: .onnx: node 'ms' (FusedMatMul): unsupported operator FusedMatMul of domain 'com.microsoft'
# CHECK-NOT: Relu
from onnx import helper
from onnx_builder import F32, I64, node, save, tensor

save(
    [
        node("Relu", ["x"], ["r"], name="relu"),
        node("NonZero", ["r"], ["nz_out"], name="nz"),
        node("Unique", ["r"], ["uq_out"], name="uq"),
        helper.make_node("FusedMatMul", ["r", "r"], ["ms_out"], name="ms", domain="com.microsoft"),
    ],
    [tensor("x", F32, [4])],
    [tensor("nz_out", I64, [1, None]), tensor("uq_out", F32, [None]), tensor("ms_out", F32, [4])],
)
