# Elementwise ops become one gpu.func each with sizes baked in: broadcast operands are read
# through baked strides (the [4,1] bias divides by the collapsed inner size), one-element
# constants are folded into the kernel, operands without broadcasting move four elements
# per thread through 128-bit vector accesses, identical ops share a kernel, and the plan
# reuses memory in place (all with --no-fuse; fused, the chain is one kernel).
# --dump-dir writes every stage.
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --no-fuse --emit=gpu | FileCheck %s
# CHECK: kiln.add %arg0, %{{.*}} {kiln.kernels = [@add_0]}
# CHECK: kiln.relu %{{.*}} {kiln.kernels = [@relu_0]}
# CHECK: kiln.mul %{{.*}} {kiln.kernels = [@mul_0]}
# CHECK: kiln.relu %{{.*}} {kiln.kernels = [@relu_0]}
# CHECK: gpu.module @kiln_kernels
# CHECK: gpu.func @add_0(%arg0: memref<96xf32>, %arg1: memref<4xf32>, %arg2: memref<96xf32>) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
# CHECK: arith.cmpi ult, %{{.*}}, %c96
# CHECK: gpu.func @relu_0(%arg0: memref<24xvector<4xf32>>, %arg1: memref<24xvector<4xf32>>)
# CHECK: arith.cmpi ult, %{{.*}}, %c24
# CHECK: vector.extract %{{.*}}[3] : f32 from vector<4xf32>
# CHECK: gpu.func @mul_0(%arg0: memref<24xvector<4xf32>>, %arg1: memref<24xvector<4xf32>>)
# CHECK: arith.constant 2.500000e-01 : f32
# CHECK-NOT: gpu.func
# RUN: kiln compile %t.onnx --no-fuse --emit=ptx | FileCheck %s --check-prefix=PTX
# PTX: .target sm_90
# PTX: .visible .entry add_0(
# PTX: .maxntid 256, 1, 1
# PTX: .visible .entry relu_0(
# PTX: ld.global.v4.b32
# PTX: st.global.v4.b32
# RUN: kiln compile %t.onnx --no-fuse --emit=ptx --arch sm_80 | FileCheck %s --check-prefix=SM80
# SM80: .target sm_80
# RUN: kiln compile %t.onnx --no-fuse --emit=plan | FileCheck %s --check-prefix=PLAN
# PLAN: // kiln plan: 4 launches, 3 kernels, arena 512 bytes (2560 without reuse, 4 in place), weights 16 bytes
# PLAN: add_0 grid(1,1,1) block(256,1,1) a@0 w@0 a@0  // add
# PLAN: relu_0 grid(1,1,1) block(256,1,1) a@0 a@0  // relu1
# RUN: rm -rf %t.dump && kiln compile %t.onnx --no-fuse -o %t.kiln --dump-dir %t.dump
# RUN: ls %t.dump | FileCheck %s --check-prefix=DUMP
# DUMP: fused.mlir
# DUMP: gpu.mlir
# DUMP: kernels.ptx
# DUMP: llvm.mlir
# DUMP: plan.txt
# DUMP: static.mlir
# RUN: kiln inspect %t.kiln | FileCheck %s --check-prefix=INSPECT
# INSPECT: launches: 4
# Fused (the default), the chain is one kernel: the bias read through its strides, the
# quarter baked in, nothing stored between the ops.
# RUN: kiln compile %t.onnx --emit=gpu | FileCheck %s --check-prefix=FUSED
# FUSED: kiln.fused "elementwise"(%arg0) {kiln.kernels = [@fused_add_relu_mul_0]}
# FUSED: gpu.func @fused_add_relu_mul_0(%arg0: memref<96xf32>, %arg1: memref<4xf32>, %arg2: memref<96xf32>)
# FUSED-COUNT-1: memref.store
# FUSED-NOT: gpu.func
# RUN: kiln compile %t.onnx -o %t.fused.kiln && kiln inspect %t.fused.kiln | FileCheck %s --check-prefix=INSPECT-FUSED
# INSPECT-FUSED: launches: 1
# INSPECT-FUSED: fused_add_relu_mul_0 {{.*}} add, relu1, scale, relu2
# RUN: %if emulator %{ env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx | FileCheck %s --check-prefix=EMU %}
# EMU: PASSED
import numpy as np
from onnx_builder import F32, const, node, save, tensor

save(
    [
        node("Add", ["x", "bias"], ["a"], name="add"),
        node("Relu", ["a"], ["r"], name="relu1"),
        node("Mul", ["r", "quarter"], ["m"], name="scale"),
        node("Relu", ["m"], ["y"], name="relu2"),
    ],
    [tensor("x", F32, [2, 4, 3, 4])],
    [tensor("y", F32, [2, 4, 3, 4])],
    [
        const("bias", np.arange(4, dtype=np.float32).reshape(4, 1, 1)),
        const("quarter", np.array(0.25, dtype=np.float32)),
    ],
)
