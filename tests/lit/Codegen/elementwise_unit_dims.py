# Unit dimensions do not count as broadcasting: a batch of 1 (or any size-1 dimension)
# in the operands and the result leaves an elementwise op contiguous, so it moves four
# elements per thread through 128-bit accesses like any other; a real broadcast against
# unit dimensions still reads through strides. Outputs match the reference on the
# emulator.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --no-fuse --emit=gpu | FileCheck %s
# CHECK: gpu.func @relu_0(%arg0: memref<128xvector<4xf32>>, %arg1: memref<128xvector<4xf32>>)
# CHECK: gpu.func @add_0(%arg0: memref<128xvector<4xf32>>, %arg1: memref<128xvector<4xf32>>, %arg2: memref<128xvector<4xf32>>)
# CHECK: gpu.func @mul_0(%arg0: memref<512xf32>, %arg1: memref<32xf32>, %arg2: memref<512xf32>)
# CHECK: arith.divui %{{.*}}, %c16
# RUN: kiln compile %t.onnx --no-fuse --emit=plan | FileCheck %s --check-prefix=PLAN
# PLAN: relu_0 grid(1,1,1)
# PLAN: add_0 grid(1,1,1)
# PLAN: mul_0 grid(2,1,1)
# RUN: %if emulator %{ env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --no-fuse | FileCheck %s --check-prefix=EMU %}
# EMU: PASSED
from onnx_builder import F32, node, save, tensor

save(
    [
        node("Relu", ["x"], ["r"], name="relu"),
        node("Add", ["r", "x"], ["a"], name="add"),
        node("Mul", ["a", "s"], ["y"], name="mul"),
    ],
    [tensor("x", F32, [1, 32, 1, 16]), tensor("s", F32, [32, 1, 1])],
    [tensor("y", F32, [1, 32, 1, 16])],
)
