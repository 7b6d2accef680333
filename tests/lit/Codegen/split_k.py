# GEMMs too small in M x N to occupy a large GPU split their k tiles among several
# blocks (split-K): the tiled kernel writes partial sums to scratch memory of the arena
# and a second kernel adds them in a fixed order and applies the epilogue (Gemm's
# alpha, beta and C, Conv's bias). Run on the PTX emulator, every output must match
# the reference evaluator: unequal last slices, a K that is not a multiple of the tile
# depth, batched and grouped products, and integer accumulation included.
# REQUIRES: emulator
# RUN: %python %s %t.onnx
# RUN: kiln compile %t.onnx --emit=plan | FileCheck %s
# mm: 4 tiles of 32 x 32, K = 2048 in 16 slices of 8 tiles; the sum is one thread per output.
# CHECK: matmul_[[MM:[0-9]+]] grid(64,1,1) block(256,1,1) a@{{[0-9]+}} w@{{[0-9]+}} a@{{[0-9]+}} a@[[WS:[0-9]+]]  // mm
# CHECK-NEXT: matmul_split_sum_[[MM]] grid(12,1,1) block(256,1,1) a@{{[0-9]+}} w@{{[0-9]+}} a@{{[0-9]+}} a@[[WS]]  // mm
# mm_odd: K = 1000 is 63 tiles, 7 slices of 9 (the last tile half full).
# CHECK: matmul_{{[0-9]+}} grid(14,1,1) {{.*}}// mm_odd
# CHECK-NEXT: matmul_split_sum_{{[0-9]+}} grid(4,1,1) {{.*}}// mm_odd
# CHECK: gemm_{{[0-9]+}} grid(36,1,1) {{.*}}// gemm
# CHECK-NEXT: gemm_split_sum_{{[0-9]+}} {{.*}}// gemm
# CHECK: conv_{{[0-9]+}} grid(64,1,1) {{.*}}// conv
# CHECK-NEXT: conv_split_sum_{{[0-9]+}} {{.*}}// conv
# CHECK: conv_{{[0-9]+}} grid(8,1,1) {{.*}}// grouped
# CHECK-NEXT: conv_split_sum_{{[0-9]+}} {{.*}}// grouped
# CHECK: matmul_{{[0-9]+}} grid(24,1,1) {{.*}}// folded
# CHECK-NEXT: matmul_split_sum_{{[0-9]+}} {{.*}}// folded
# CHECK: matmul_{{[0-9]+}} grid(12,1,1) {{.*}}// batched
# CHECK-NEXT: matmul_split_sum_{{[0-9]+}} {{.*}}// batched
# CHECK: matmul_{{[0-9]+}} grid(8,1,1) {{.*}}// int
# CHECK-NEXT: matmul_split_sum_{{[0-9]+}} {{.*}}// int
# Large enough to fill the GPU: no split.
# CHECK: matmul_{{[0-9]+}} grid(128,1,1) {{.*}}// wide
# CHECK-NOT: split_sum
# RUN: env KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 | FileCheck %s --check-prefix=EMU
# KNOB: KILN_GEMM=tile=128x64x16/8x4,splits=3 overrides the GEMM heuristics (for tuning only)
# I32: KILN_INDEX_BITS=32: kernels index in 32 bits (for tuning only)
# EMU: PASSED
# The tuning knobs (KILN_GEMM) give other kernels that must compute the same: without
# prefetching, with one shared-memory buffer per operand (two barriers per k tile; the
# default's two buffers must keep the emulator's race check quiet), with large tiles in three slices, with shallow k tiles and no split,
# with 4x4 micro-tiles everywhere (4-wide vector stores of results and of partial sums
# wherever N % 4 == 0: mm, gemm, conv8, folded, wide), and with the strided scalar
# micro-tile (vector=0). The emulator faults on a misaligned vector access.
# RUN: env KILN_GEMM=prefetch=0 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_GEMM=buffers=1 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_GEMM=tile=128x64x16/8x4,splits=3 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefixes=KNOB,EMU
# RUN: env KILN_GEMM=tile=32x128x8/2x8,splits=1 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_GEMM=tile=64x64x16/4x4 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_GEMM=vector=0 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefix=EMU
# RUN: env KILN_INDEX_BITS=32 KILN_CUDA_LIBRARY=%emulator kiln check %t.onnx --rtol 1e-5 2>&1 | FileCheck %s --check-prefixes=I32,EMU
# RUN: env KILN_GEMM=tile=64x64x16/4x4 kiln compile %t.onnx --emit=ptx 2>&1 | FileCheck %s --check-prefix=VEC
# VEC: .shared .align 16
# VEC: ld.shared.v4.b32
# VEC: st.global.v4.b32
# RUN: env KILN_GEMM=vector=0 kiln compile %t.onnx --emit=ptx 2>&1 | FileCheck %s --check-prefix=SCALAR
# SCALAR-NOT: ld.shared.v{{[24]}}
# SCALAR-NOT: st.global.v{{[24]}}
# RUN: env KILN_GEMM=tile=128x64x16/8x4,splits=3 kiln compile %t.onnx --emit=plan 2>&1 | FileCheck %s --check-prefix=BIG
# BIG: matmul_{{[0-9]+}} grid(3,1,1) {{.*}}// mm
# BIG-NEXT: matmul_split_sum_{{[0-9]+}} {{.*}}// mm
# RUN: env KILN_GEMM=tile=100x64x16/4x4 not kiln compile %t.onnx --emit=plan 2>&1 | FileCheck %s --check-prefix=BAD
# BAD: node 'mm' (MatMul): KILN_GEMM: tile 100x64x16/4x4 does not fit the kernel
# RUN: env KILN_GEMM=tiles=64 not kiln compile %t.onnx --emit=plan 2>&1 | FileCheck %s --check-prefix=BADKEY
# BADKEY: node 'mm' (MatMul): KILN_GEMM: cannot read 'tiles=64' (expected tile=BMxBNxBK/TMxTN, sms=N, splits=N, prefetch=0|1, buffers=1|2 or vector=0|1)
import numpy as np
from onnx_builder import F32, const, node, save, tensor
from onnx import TensorProto

I32 = TensorProto.INT32
rng = np.random.default_rng(7)


def weights(name, *shape):
    return const(name, rng.standard_normal(shape).astype(np.float32))


save(
    [
        node("MatMul", ["a", "w1"], ["mm"], name="mm"),
        node("MatMul", ["b", "w2"], ["mm_odd"], name="mm_odd"),
        node("Gemm", ["c", "w3", "bias3"], ["gemm"], name="gemm", transB=1, alpha=0.5, beta=2.0),
        node("Conv", ["x", "k4", "bias4"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
        node("Conv", ["x2", "k5"], ["grouped"], name="grouped", group=2, pads=[1, 1, 1, 1]),
        node("MatMul", ["d", "w6"], ["folded"], name="folded"),
        node("MatMul", ["e", "f"], ["batched"], name="batched"),
        node("MatMul", ["i", "j"], ["int"], name="int"),
        node("Conv", ["x3", "k8", "bias8"], ["conv8"], name="conv8", pads=[1, 1, 1, 1]),
        node("MatMul", ["g", "w9"], ["wide"], name="wide"),
    ],
    [
        tensor("a", F32, [64, 2048]),
        tensor("b", F32, [40, 1000]),
        tensor("c", F32, [32, 1536]),
        tensor("x", F32, [1, 256, 7, 7]),
        tensor("x2", F32, [1, 128, 5, 5]),
        tensor("d", F32, [3, 24, 512]),
        tensor("e", F32, [2, 20, 768]),
        tensor("f", F32, [2, 768, 20]),
        tensor("i", I32, [24, 1024]),
        tensor("j", I32, [1024, 8]),
        tensor("x3", F32, [1, 32, 8, 8]),
        tensor("g", F32, [512, 64]),
    ],
    [
        tensor("mm", F32, [64, 48]),
        tensor("mm_odd", F32, [40, 24]),
        tensor("gemm", F32, [32, 80]),
        tensor("conv", F32, [1, 64, 7, 7]),
        tensor("grouped", F32, [1, 32, 5, 5]),
        tensor("folded", F32, [3, 24, 40]),
        tensor("batched", F32, [2, 20, 20]),
        tensor("int", I32, [24, 8]),
        tensor("conv8", F32, [1, 48, 8, 8]),
        tensor("wide", F32, [512, 1024]),
    ],
    [
        weights("w1", 2048, 48),
        weights("w2", 1000, 24),
        weights("w3", 80, 1536),
        weights("bias3", 80),
        weights("k4", 64, 256, 3, 3),
        weights("bias4", 64),
        weights("k5", 32, 64, 3, 3),
        weights("w6", 512, 40),
        weights("k8", 48, 32, 3, 3),
        weights("bias8", 48),
        weights("w9", 64, 1024),
    ],
)
