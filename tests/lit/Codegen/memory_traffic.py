# The kernels' memory accesses are coalesced and conflict-free, as the PTX emulator
# counts them (KILN_EMULATOR_STATS, scripts/traffic-report.py): for each op below, the
# share of the moved 32-byte sectors that the warps needed, the shared-memory bank
# conflicts, how often data passes through memory, and a GEMM's share of fma
# instructions must stay within the bounds in EXPECT. The bounds sit just under what the
# kernels reach today, so a change that scatters a kernel's accesses, reads a softmax
# row three times again or loses the GEMM's vector micro-tiles fails here, on a machine
# without a GPU. The second model runs one GEMM with the largest tile (forced: the
# choice would take it only for GEMMs too big to emulate quickly).
# REQUIRES: emulator
# RUN: %python %s build %t.onnx %t.big.onnx
# RUN: kiln compile %t.onnx --emit=plan > %t.plan
# RUN: rm -f %t.tsv %t.big.tsv
# RUN: env KILN_CUDA_LIBRARY=%emulator KILN_EMULATOR_STATS=%t.tsv kiln check %t.onnx | FileCheck %s --check-prefix=EMU
# RUN: %python %s check ops %t.plan %t.tsv %S/../../../scripts/traffic-report.py | FileCheck %s --check-prefix=OPS
# RUN: env KILN_GEMM=tile=128x128x8/8x8 kiln compile %t.big.onnx --emit=plan > %t.big.plan
# RUN: env KILN_GEMM=tile=128x128x8/8x8 KILN_CUDA_LIBRARY=%emulator KILN_EMULATOR_STATS=%t.big.tsv kiln check %t.big.onnx 2>&1 | FileCheck %s --check-prefix=EMU
# RUN: %python %s check big %t.big.plan %t.big.tsv %S/../../../scripts/traffic-report.py | FileCheck %s --check-prefix=BIG
# EMU: PASSED
# OPS-NOT: FAIL
# OPS: ok: 16 ops
# BIG-NOT: FAIL
# BIG: ok: 1 ops
import importlib.util
import sys

import numpy as np

# node -> {metric: (">=" | "<=", bound)}; metrics as traffic-report.py's summarize():
# load/store efficiency in %, bank conflict factor, reread (moved / distinct), fma in %.
EXPECT = {
    "ops": {
        "add": {"load": (">=", 99), "store": (">=", 99)},
        "transpose2d": {"load": (">=", 99), "store": (">=", 99), "bank": ("<=", 1.0)},
        "transpose_heads": {"load": (">=", 99), "store": (">=", 99), "reread": ("<=", 1.0)},
        # Rows shifted by 3 elements straddle one sector more than they fill.
        "pad": {"load": (">=", 80), "store": (">=", 99)},
        "slice": {"load": (">=", 99), "store": (">=", 99)},
        "concat": {"load": (">=", 99), "store": (">=", 99), "reread": ("<=", 1.0)},
        "gather": {"load": (">=", 99), "store": (">=", 99)},
        # One read of each row (held in registers), one write.
        "softmax": {"load": (">=", 99), "store": (">=", 99), "reread": ("<=", 1.0)},
        "log_softmax": {"load": (">=", 99), "store": (">=", 99), "reread": ("<=", 1.0)},
        # x read once and y written once; Scale and B again for every row (from cache).
        "layernorm": {"load": (">=", 99), "store": (">=", 99), "reread": ("<=", 2.0)},
        "reduce_rows": {"load": (">=", 99), "store": (">=", 99)},
        "reduce_cols": {"load": (">=", 99), "store": (">=", 99), "bank": ("<=", 1.0)},
        # Small GEMMs take small tiles (more blocks); their staging stores of A, 16 deep,
        # meet a 2-way bank conflict on 1 access in 18.
        "matmul": {"load": (">=", 99), "store": (">=", 99), "bank": ("<=", 1.06), "fma": (">=", 48)},
        "conv3x3": {"load": (">=", 84), "store": (">=", 99), "bank": ("<=", 1.06), "fma": (">=", 33)},
        # Depthwise: input rows staged once in shared memory (the direct kernel moved
        # 7.7 times the distinct bytes), runs of 4 outputs per thread.
        "depthwise": {"load": (">=", 85), "store": (">=", 99), "reread": ("<=", 1.6), "fma": (">=", 17)},
        # Direct windows: each lane reads its own taps, 2 apart.
        "maxpool": {"load": (">=", 40), "store": (">=", 99)},
    },
    "big": {
        "matmul_big": {"load": (">=", 99), "store": (">=", 99), "bank": ("<=", 1.0), "fma": (">=", 82)},
    },
}


def build(path, big_path):
    from onnx_builder import F32, const, node, save, tensor
    rng = np.random.default_rng(3)
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    nodes = [
        node("Add", ["a", "bias"], ["add"], name="add"),
        node("Transpose", ["a"], ["transpose2d"], name="transpose2d", perm=[1, 0]),
        node("Transpose", ["q"], ["transpose_heads"], name="transpose_heads", perm=[0, 2, 1, 3]),
        node("Slice", ["a", "starts", "ends", "axes"], ["slice"], name="slice"),
        node("Concat", ["a", "a2"], ["concat"], name="concat", axis=1),
        node("Gather", ["emb", "ids"], ["gather"], name="gather", axis=0),
        node("Softmax", ["att"], ["softmax"], name="softmax", axis=-1),
        node("LogSoftmax", ["att2"], ["log_softmax"], name="log_softmax", axis=-1),
        node("LayerNormalization", ["h", "g", "b"], ["layernorm"], name="layernorm", axis=-1),
        node("ReduceMean", ["a3"], ["reduce_rows"], name="reduce_rows", axes=[1], keepdims=0),
        node("ReduceSum", ["a4", "ax0"], ["reduce_cols"], name="reduce_cols", keepdims=0),
        node("MatMul", ["m", "w"], ["matmul"], name="matmul"),
        node("Conv", ["img", "k3", "kb"], ["conv3x3"], name="conv3x3", pads=[1, 1, 1, 1]),
        node("Conv", ["img2", "kdw"], ["depthwise"], name="depthwise", pads=[1, 1, 1, 1], group=32),
        node("MaxPool", ["img3"], ["maxpool"], name="maxpool", kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 1, 1]),
        node("Pad", ["a5", "pads"], ["pad"], name="pad"),
    ]
    inputs = [tensor("a", F32, [64, 256]), tensor("a2", F32, [64, 128]), tensor("a3", F32, [64, 256]),
              tensor("a4", F32, [64, 256]), tensor("a5", F32, [64, 256]), tensor("q", F32, [1, 64, 12, 64]),
              tensor("emb", F32, [512, 256]), tensor("att", F32, [4, 64, 200]),
              tensor("att2", F32, [4, 64, 200]), tensor("h", F32, [64, 768]),
              tensor("m", F32, [256, 256]), tensor("img", F32, [1, 32, 28, 28]),
              tensor("img2", F32, [1, 32, 28, 28]), tensor("img3", F32, [1, 32, 28, 28])]
    outputs = [tensor(n.output[0], F32, None) for n in nodes]
    consts = [const("bias", r(256)), const("starts", np.array([16])), const("ends", np.array([240])),
              const("axes", np.array([1])), const("ids", rng.integers(0, 512, (2, 64)).astype(np.int64)),
              const("g", r(768)), const("b", r(768)), const("ax0", np.array([0])), const("w", r(256, 512)),
              const("k3", r(64, 32, 3, 3)), const("kb", r(64)), const("kdw", r(32, 1, 3, 3)),
              const("pads", np.array([0, 3, 0, 5]))]
    save(nodes, inputs, outputs, consts, path=path)
    save([node("MatMul", ["m", "w"], ["y"], name="matmul_big")], [tensor("m", F32, [256, 256])],
         [tensor("y", F32, [256, 512])], [const("w", r(256, 512))], path=big_path)


def check(which, plan_path, stats_path, report_path):
    spec = importlib.util.spec_from_file_location("traffic_report", report_path)
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    kernels = report.read(stats_path)
    launches = {}  # node -> kernels launched for it
    for line in open(plan_path):
        if "//" in line and not line.startswith("//"):
            launches.setdefault(line.split("//")[1].strip(), []).append(line.split()[0])
    failures = 0
    for name, bounds in EXPECT[which].items():
        if name not in launches:
            print(f"FAIL {name}: no launch in the plan")
            failures += 1
            continue
        # The op's main kernel: the one that moves the most (a split-K GEMM's partial
        # sums are finished by a second, elementwise kernel).
        k = max((kernels[n] for n in launches[name]), key=lambda k: report.summarize(k)["moved"])
        s = report.summarize(k)
        for metric, (op, bound) in bounds.items():
            value = s[metric]
            if value is not None and metric in ("load", "store", "fma"):
                value *= 100
            ok = value is not None and (value >= bound if op == ">=" else value <= bound + 1e-9)
            if not ok:
                print(f"FAIL {name}: {metric} {value} is not {op} {bound}")
                failures += 1
    print(f"ok: {len(EXPECT[which])} ops" if not failures else f"FAIL: {failures} bounds missed")


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(*sys.argv[2:4])
    else:
        check(*sys.argv[2:6])
