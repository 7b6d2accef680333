#!/usr/bin/env python3
"""Seeded, randomized sweep of the shapes a specialized kernel can get, on the PTX emulator.

kiln bakes every size into its kernels, so a kernel that is right on the shapes of the
models in the tests can still be wrong on others (a staging loop whose thread count does
not divide the block, a tile edge, a split-K remainder). This draws random cases from
each kernel family's shape space, builds one ONNX model per batch of cases (one node and
one output per case), and runs `kiln check` on it with KILN_CUDA_LIBRARY pointing at the
emulator: every kernel runs bounds- and race-checked and each output must match the CPU
reference evaluator.

Case i of family F under seed S is drawn from its own generator (S, F, i), so any case
can be replayed alone:  kernel_sweep.py --seed S --family F --case i --keep DIR

  kernel_sweep.py --kiln build/bin/kiln --emulator build/tests/emulator/libkiln_ptx_emulator.so
                  [--seed 1] [--cases 12] [--long] [--family depthwise ...] [--jobs 2]

--cases N draws N cases per family (CI uses a few minutes' worth); --long draws 25 times
as many and relaxes the per-case size budget (a local soak, an hour or more).
"""
import argparse
import concurrent.futures
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lit", "lib"))
from onnx_builder import F32, I64, const, node, save, tensor  # noqa: E402

# Sizes around the edges kernels are cut at: warps, vector widths, tiles, blocks.
EDGES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257,
         511, 512, 513, 1023, 1024, 1025]


class Case:
    """One node (or a few) reading its own inputs and writing one output."""

    def __init__(self, params, nodes, inputs, output, initializers=(), work=0, out_elem=F32):
        self.params = params
        self.out_elem = out_elem
        self.nodes = nodes
        self.inputs = inputs  # [(name, shape)]
        self.output = output
        self.initializers = list(initializers)
        self.work = work  # rough multiply-adds or elements, for batching


def log_uniform(rng, lo, hi):
    """An integer in [lo, hi], uniform in log scale (small sizes are as likely as large)."""
    return int(min(hi, max(lo, round(math.exp(rng.uniform(math.log(lo), math.log(hi + 1)))))))


def size_near_edges(rng, lo, hi):
    """Half the time an edge size (a tile or warp boundary), else log-uniform."""
    edges = [e for e in EDGES if lo <= e <= hi]
    if edges and rng.random() < 0.5:
        return int(rng.choice(edges))
    return log_uniform(rng, lo, hi)


def weights(rng, prefix, shape):
    return const(prefix, rng.standard_normal(shape).astype(np.float32))


# ----------------------------------------------------------------- convolutions


def conv_out(size, k, s, d, pb, pe):
    return (size + pb + pe - d * (k - 1) - 1) // s + 1


def draw_window(rng, rank, sizes, kmax=7, smax=3, dmax=3, pmax=3):
    """Kernel, strides, dilations and pads that give every output dimension >= 1."""
    for _ in range(100):
        k = [int(rng.integers(1, kmax + 1)) for _ in range(rank)]
        s = [int(rng.integers(1, smax + 1)) for _ in range(rank)]
        d = [int(rng.integers(1, dmax + 1)) if rng.random() < 0.3 else 1 for _ in range(rank)]
        pads = [int(rng.integers(0, pmax + 1)) for _ in range(2 * rank)]
        outs = [conv_out(sizes[i], k[i], s[i], d[i], pads[i], pads[i + rank]) for i in range(rank)]
        if all(o >= 1 for o in outs):
            return k, s, d, pads, outs
    return [1] * rank, [1] * rank, [1] * rank, [0] * (2 * rank), list(sizes)


def conv_case(rng, tag, budget, groups_mode):
    """Depthwise (one channel per group), depth-multiplier or grouped 2-D Conv."""
    n = 1 if rng.random() < 0.8 else 2
    # Half the cases pick the plane first (wide planes, few channels), half the
    # channels first (many channels, small planes); sizes from 1 to 300, odd ones as
    # likely as even, within the budget.
    plane_first = rng.random() < 0.5
    if plane_first:
        h, w = size_near_edges(rng, 1, 300), size_near_edges(rng, 1, 300)
        max_channels = max(1, budget // (n * h * w))
    else:
        max_channels = 1024
    if groups_mode == "depthwise":
        c = log_uniform(rng, 1, min(1024, max_channels))
        groups, mult = c, 1
    elif groups_mode == "multiplier":
        c = log_uniform(rng, 1, min(256, max_channels))
        groups, mult = c, int(rng.integers(2, 4))
    else:
        cg = int(rng.choice([2, 3, 4, 8, 16, 32])) if rng.random() < 0.7 else log_uniform(rng, 2, 48)
        groups = log_uniform(rng, 2, 32)
        c = groups * cg
        mult = log_uniform(rng, 1, 16)
    m = groups * mult
    max_plane = max(1, budget // (n * max(c, m)))
    if not plane_first:
        h = size_near_edges(rng, 1, 300)
        w = size_near_edges(rng, 1, 300)
    h = min(h, max_plane)
    w = min(w, max(1, max_plane // h))
    if rng.random() < 0.5:
        h, w = w, h
    if rng.random() < 0.5:
        # The windows mobile networks use: odd kernels, stride 1 or 2, "same" padding.
        kk = int(rng.choice([3, 3, 5, 7]))
        st = int(rng.choice([1, 1, 2]))
        k, s, d, pads = [kk, kk], [st, st], [1, 1], [kk // 2] * 4
        outs = [conv_out(sz, kk, st, 1, kk // 2, kk // 2) for sz in (h, w)]
    else:
        k, s, d, pads, outs = draw_window(rng, 2, [h, w])
    attrs = dict(group=groups, kernel_shape=k, strides=s, dilations=d)
    auto = str(rng.choice(["SAME_UPPER", "SAME_LOWER", "VALID"]))
    valid_outs = [conv_out(sz, k[i], s[i], d[i], 0, 0) for i, sz in enumerate((h, w))]
    if rng.random() < 0.1 and all(x == 1 for x in d) and (auto != "VALID" or min(valid_outs) >= 1):
        attrs["auto_pad"] = auto
        outs = valid_outs if auto == "VALID" else [-(-sz // s[i]) for i, sz in enumerate((h, w))]
    else:
        attrs["pads"] = pads
    cg = c // groups
    inputs = [f"x{tag}", f"w{tag}"]
    inits = [weights(rng, f"w{tag}", [m, cg] + k)]
    if rng.random() < 0.6:
        inputs.append(f"b{tag}")
        inits.append(weights(rng, f"b{tag}", [m]))
    params = dict(kind=groups_mode, x=[n, c, h, w], m=m, **attrs)
    work = n * m * outs[0] * outs[1] * cg * k[0] * k[1]
    return Case(params, [node("Conv", inputs, [f"y{tag}"], name=f"conv{tag}", **attrs)],
                [(f"x{tag}", [n, c, h, w])], f"y{tag}", inits, work)


def family_depthwise(rng, tag, budget):
    return conv_case(rng, tag, budget, "depthwise")


def family_grouped_conv(rng, tag, budget):
    return conv_case(rng, tag, budget, "multiplier" if rng.random() < 0.3 else "grouped")


def family_conv(rng, tag, budget):
    """Dense Conv (implicit GEMM), 1-D to 3-D, with channel counts around 16."""
    rank = int(rng.choice([1, 2, 2, 2, 3]))
    n = 1 if rng.random() < 0.8 else 2
    c = size_near_edges(rng, 1, 96)
    m = size_near_edges(rng, 1, 96)
    side = max(1, int((budget / (n * max(c, m))) ** (1.0 / rank)))
    sizes = [min(size_near_edges(rng, 1, 64), side) for _ in range(rank)]
    k, s, d, pads, outs = draw_window(rng, rank, sizes, kmax=5)
    attrs = dict(kernel_shape=k, strides=s, dilations=d, pads=pads)
    inits = [weights(rng, f"w{tag}", [m, c] + k)]
    inputs = [f"x{tag}", f"w{tag}"]
    if rng.random() < 0.5:
        inputs.append(f"b{tag}")
        inits.append(weights(rng, f"b{tag}", [m]))
    work = n * m * math.prod(outs) * c * math.prod(k)
    return Case(dict(kind="conv", x=[n, c] + sizes, m=m, **attrs),
                [node("Conv", inputs, [f"y{tag}"], name=f"conv{tag}", **attrs)],
                [(f"x{tag}", [n, c] + sizes)], f"y{tag}", inits, work)


# ----------------------------------------------------------------- GEMM


def family_gemm(rng, tag, budget):
    """MatMul (batched, broadcast) and Gemm (transposes, alpha, beta, C broadcasts), at
    tile-edge sizes and with deep K so that split-K is taken."""
    deep = rng.random() < 0.35
    m = size_near_edges(rng, 1, 64 if deep else 300)
    n = size_near_edges(rng, 1, 64 if deep else 300)
    k = size_near_edges(rng, 256, 8192) if deep else size_near_edges(rng, 1, 600)
    k = max(1, min(k, budget // max(1, m * n)))
    if rng.random() < 0.5:
        batch = [] if rng.random() < 0.5 else [int(rng.integers(1, 4))]
        if batch and rng.random() < 0.3:
            batch = [int(rng.integers(1, 3))] + batch
        b_batch = batch if rng.random() < 0.5 else []
        a_shape, b_shape = batch + [m, k], b_batch + [k, n]
        if rng.random() < 0.2 and m > 0:
            a_shape = [k]  # a vector times a matrix
        inputs = [(f"a{tag}", a_shape)]
        nodes_inputs = [f"a{tag}"]
        inits = []
        if rng.random() < 0.5:
            inits.append(weights(rng, f"b{tag}", b_shape))
        else:
            inputs.append((f"b{tag}", b_shape))
        nodes_inputs.append(f"b{tag}")
        work = max(1, math.prod(batch)) * m * n * k
        return Case(dict(kind="matmul", a=a_shape, b=b_shape),
                    [node("MatMul", nodes_inputs, [f"y{tag}"], name=f"mm{tag}")], inputs, f"y{tag}",
                    inits, work)
    ta, tb = int(rng.integers(0, 2)), int(rng.integers(0, 2))
    attrs = dict(transA=ta, transB=tb)
    if rng.random() < 0.3:
        attrs["alpha"] = float(rng.choice([0.5, -1.25, 2.0]))
    if rng.random() < 0.3:
        attrs["beta"] = float(rng.choice([0.0, 0.5, -2.0]))
    a_shape = [k, m] if ta else [m, k]
    b_shape = [n, k] if tb else [k, n]
    inits = [weights(rng, f"b{tag}", b_shape)]
    names = [f"a{tag}", f"b{tag}"]
    c_kind = int(rng.integers(0, 5))
    c_shape = [None, [], [n], [m, 1], [m, n]][c_kind]
    if c_shape is not None:
        inits.append(weights(rng, f"c{tag}", c_shape))
        names.append(f"c{tag}")
    return Case(dict(kind="gemm", a=a_shape, b=b_shape, c=c_shape, **attrs),
                [node("Gemm", names, [f"y{tag}"], name=f"gemm{tag}", **attrs)], [(f"a{tag}", a_shape)],
                f"y{tag}", inits, m * n * k)


# ----------------------------------------------------------------- rows and reductions


def row_shape(rng, budget, row_max=8192):
    """A shape of rank 1 to 4 whose chosen axis has a length near a warp or block edge."""
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(0, rank))
    row = size_near_edges(rng, 1, row_max)
    shape = []
    rest = max(1, budget // row)
    for d in range(rank):
        if d == axis:
            shape.append(row)
        else:
            v = min(log_uniform(rng, 1, 64), rest)
            rest = max(1, rest // v)
            shape.append(v)
    return shape, axis


def family_reduce(rng, tag, budget):
    op = str(rng.choice(["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceL1", "ReduceL2",
                         "ReduceSumSquare", "ReduceLogSumExp", "ArgMax", "ArgMin"]))
    shape, axis = row_shape(rng, budget)
    rank = len(shape)
    keep = int(rng.integers(0, 2))
    if op.startswith("Arg"):
        attrs = dict(axis=axis, keepdims=keep)
        if rng.random() < 0.3:
            attrs["select_last_index"] = 1
    else:
        axes = sorted({axis} | {int(a) for a in range(rank) if rng.random() < 0.3})
        attrs = dict(axes=axes, keepdims=keep)
    nodes = [node(op, [f"x{tag}"], [f"y{tag}"], name=f"red{tag}", **attrs)]
    return Case(dict(kind=op, x=shape, **attrs), nodes, [(f"x{tag}", shape)], f"y{tag}", [], math.prod(shape),
                I64 if op.startswith("Arg") else F32)


def family_softmax(rng, tag, budget):
    op = str(rng.choice(["Softmax", "LogSoftmax", "LayerNormalization"]))
    shape, axis = row_shape(rng, budget)
    rank = len(shape)
    inits = []
    if op == "LayerNormalization":
        axis = int(rng.integers(0, rank))
        norm = shape[axis:]
        names = [f"x{tag}", f"s{tag}"]
        inits.append(weights(rng, f"s{tag}", norm))
        if rng.random() < 0.6:
            names.append(f"b{tag}")
            inits.append(weights(rng, f"b{tag}", norm))
        attrs = dict(axis=axis - rank if rng.random() < 0.5 else axis,
                     epsilon=float(rng.choice([1e-5, 1e-12, 1e-3])))
        nodes = [node(op, names, [f"y{tag}"], name=f"ln{tag}", **attrs)]
    else:
        attrs = dict(axis=axis - rank if rng.random() < 0.5 else axis)
        nodes = [node(op, [f"x{tag}"], [f"y{tag}"], name=f"sm{tag}", **attrs)]
    return Case(dict(kind=op, x=shape, **attrs), nodes, [(f"x{tag}", shape)], f"y{tag}", inits,
                3 * math.prod(shape))


# ----------------------------------------------------------------- data movement and pooling


def family_transpose(rng, tag, budget):
    rank = int(rng.integers(2, 6))
    shape = []
    rest = budget
    for _ in range(rank):
        v = min(size_near_edges(rng, 1, 80 if rank > 2 else 700), max(1, rest))
        rest = max(1, rest // v)
        shape.append(v)
    perm = [int(p) for p in rng.permutation(rank)]
    if perm == sorted(perm):
        perm = perm[1:] + perm[:1]
    return Case(dict(kind="transpose", x=shape, perm=perm),
                [node("Transpose", [f"x{tag}"], [f"y{tag}"], name=f"tr{tag}", perm=perm)],
                [(f"x{tag}", shape)], f"y{tag}", [], math.prod(shape))


def family_pool(rng, tag, budget):
    op = str(rng.choice(["MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"]))
    rank = int(rng.choice([1, 2, 2, 2, 3]))
    n = 1 if rng.random() < 0.8 else 2
    c = log_uniform(rng, 1, 256)
    side = max(1, int((budget / (n * c)) ** (1.0 / rank)))
    sizes = [min(size_near_edges(rng, 1, 300), side) for _ in range(rank)]
    shape = [n, c] + sizes
    if op.startswith("Global"):
        return Case(dict(kind=op, x=shape), [node(op, [f"x{tag}"], [f"y{tag}"], name=f"pool{tag}")],
                    [(f"x{tag}", shape)], f"y{tag}", [], math.prod(shape))
    for _ in range(100):
        k = [int(rng.integers(1, min(7, sz + 3) + 1)) for sz in sizes]
        s = [int(rng.integers(1, 4)) for _ in range(rank)]
        d = [int(rng.integers(1, 3)) if op == "MaxPool" and rng.random() < 0.3 else 1 for _ in range(rank)]
        # ONNX wants every pad smaller than its kernel extent.
        pads = [int(rng.integers(0, min(3, d[i % rank] * (k[i % rank] - 1)) + 1)) for i in range(2 * rank)]
        outs = [conv_out(sizes[i], k[i], s[i], d[i], pads[i], pads[i + rank]) for i in range(rank)]
        if all(o >= 1 for o in outs):
            break
    else:
        k, s, d, pads = [1] * rank, [1] * rank, [1] * rank, [0] * (2 * rank)
    attrs = dict(kernel_shape=k, strides=s, pads=pads)
    if op == "MaxPool" and any(x != 1 for x in d):
        attrs["dilations"] = d
    if rng.random() < 0.3:
        attrs["ceil_mode"] = 1
    if op == "AveragePool" and rng.random() < 0.5:
        attrs["count_include_pad"] = 1
    return Case(dict(kind=op, x=shape, **attrs), [node(op, [f"x{tag}"], [f"y{tag}"], name=f"pool{tag}", **attrs)],
                [(f"x{tag}", shape)], f"y{tag}", [], math.prod(shape) * math.prod(k))


# Per-case size budgets (elements or multiply-adds): the emulator interprets every thread.
FAMILIES = {
    "depthwise": (family_depthwise, 300_000),
    "grouped_conv": (family_grouped_conv, 200_000),
    "conv": (family_conv, 60_000),
    "gemm": (family_gemm, 3_000_000),
    "reduce": (family_reduce, 200_000),
    "softmax": (family_softmax, 200_000),
    "transpose": (family_transpose, 300_000),
    "pool": (family_pool, 200_000),
}
FAMILY_INDEX = {name: i for i, name in enumerate(FAMILIES)}


def draw(seed, family, index, scale):
    generator, budget = FAMILIES[family]
    rng = np.random.default_rng([seed, FAMILY_INDEX[family], index])
    return generator(rng, f"_{family}_{index}", budget * scale)


def build_model(cases, path):
    nodes, inputs, outputs, inits = [], [], [], []
    for case in cases:
        nodes += case.nodes
        inputs += [tensor(name, F32, shape) for name, shape in case.inputs]
        outputs.append(tensor(case.output, case.out_elem, None))
        inits += case.initializers
    save(nodes, inputs, outputs, inits, path=path)


def run_check(args, model, seed):
    env = dict(os.environ, KILN_CUDA_LIBRARY=args.emulator)
    cmd = [args.kiln, "check", model, "--rtol", str(args.rtol), "--seed", str(seed)]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.timeout)
        out = p.stdout + p.stderr
        code = p.returncode
    except subprocess.TimeoutExpired as e:
        out, code = f"timed out after {args.timeout} s\n{e.stdout or ''}", -1
    return code, out, time.monotonic() - start


def batches(cases, max_work, max_cases=12):
    batch, work = [], 0
    for key, case in cases:
        if batch and (work + case.work > max_work or len(batch) >= max_cases):
            yield batch
            batch, work = [], 0
        batch.append((key, case))
        work += case.work
    if batch:
        yield batch


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--emulator", required=True, help="libkiln_ptx_emulator.so")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=12, help="cases per family")
    ap.add_argument("--long", action="store_true", help="25x the cases and 4x the size budget")
    ap.add_argument("--family", action="append", choices=sorted(FAMILIES), help="only these families")
    ap.add_argument("--case", type=int, action="append", help="only these case indices")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--keep", help="write failing models and their logs here")
    ap.add_argument("--list", action="store_true", help="print the cases and exit")
    args = ap.parse_args()
    if not os.path.exists(args.emulator):
        print(f"kernel_sweep: emulator not found: {args.emulator}", file=sys.stderr)
        return 2

    count = args.cases * (25 if args.long else 1)
    scale = 4 if args.long else 1
    families = args.family or list(FAMILIES)
    cases = []
    for family in families:
        for i in (args.case if args.case else range(count)):
            cases.append(((family, i), draw(args.seed, family, i, scale)))
    if args.list:
        for (family, i), case in cases:
            print(f"{family}:{i} work={case.work} {json.dumps(case.params)}")
        return 0

    # Batch cases of one family into models of bounded work; a failing batch is rerun
    # one case at a time to name the failing cases.
    by_family = {}
    for key, case in cases:
        by_family.setdefault(key[0], []).append((key, case))
    jobs = []
    for family, items in by_family.items():
        max_work = FAMILIES[family][1] * scale * 3
        jobs += list(batches(items, max_work))

    workdir = tempfile.mkdtemp(prefix="kiln-sweep-")
    failures = []
    start = time.monotonic()

    def run_batch(batch, single=False):
        name = "_".join(f"{f}{i}" for (f, i), _ in batch[:3]) + ("_etc" if len(batch) > 3 else "")
        path = os.path.join(workdir, name + (".single" if single else "") + ".onnx")
        build_model([c for _, c in batch], path)
        code, out, secs = run_check(args, path, args.seed)
        return batch, path, code, out, secs

    def report(batch, path, code, out):
        for (family, i), case in batch:
            failures.append((family, i, case, out))
            print(f"FAIL {family}:{i} {json.dumps(case.params)}")
        print("  " + "\n  ".join(out.strip().splitlines()[-8:]))
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            base = os.path.join(args.keep, os.path.basename(path)[:-5])
            os.replace(path, base + ".onnx")
            with open(base + ".log", "w") as f:
                f.write(out)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_batch, b) for b in jobs]
        retries = []
        for fut in concurrent.futures.as_completed(futures):
            batch, path, code, out, secs = fut.result()
            if code == 77:
                print(f"kernel_sweep: kiln check skipped (is {args.emulator} the emulator?)\n{out}")
                return 1
            tag = ", ".join(f"{f}:{i}" for (f, i), _ in batch)
            if code == 0:
                print(f"ok   {tag} ({secs:.1f} s)")
            elif len(batch) == 1:
                report(batch, path, code, out)
            else:
                print(f"..   {tag}: failed as a batch, rerunning one by one")
                retries += [pool.submit(run_batch, [item], True) for item in batch]
        for fut in concurrent.futures.as_completed(retries):
            batch, path, code, out, secs = fut.result()
            (family, i), _ = batch[0]
            if code == 0:
                print(f"ok   {family}:{i} alone ({secs:.1f} s)")
            else:
                report(batch, path, code, out)

    elapsed = time.monotonic() - start
    print(f"kernel_sweep: seed {args.seed}, {len(cases)} cases in {len(jobs)} models, "
          f"{len(failures)} failing, {elapsed:.0f} s")
    if failures:
        print("replay one case with: kernel_sweep.py --kiln K --emulator E --seed "
              f"{args.seed} --family FAMILY --case INDEX --keep DIR")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
