#!/usr/bin/env python3
"""Malformed-model robustness: `kiln compile` on mutated ONNX models must never crash.

Takes the ONNX backend node-test models, applies one structured mutation to each copy
(a dropped or dangling input, an attribute of the wrong type or a wild value, a broken
shape or element type, a truncated initializer, another op type, a reordered graph, an
odd opset, ...) and compiles every mutant through the whole pipeline to a plan
(`kiln compile --emit=plan`). Each must compile (exit 0) or be rejected with a
diagnostic (exit 1 and a message on stderr); a signal, an abort, another exit code, a
rejection with no diagnostic or a timeout fails the run. Mutations are drawn from a
fixed seed, so a failure reproduces; failing mutants are kept in --keep DIR.
"""
import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OP_TYPES = ["Add", "Relu", "Conv", "MatMul", "Gemm", "Reshape", "Transpose", "Concat", "Slice",
            "Gather", "ReduceSum", "Softmax", "MaxPool", "Resize", "Pad", "Where", "Cast",
            "Expand", "Split", "TopK", "LayerNormalization", "BatchNormalization", "Einsum"]
DTYPES = [TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL,
          TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.UINT8, TensorProto.STRING,
          TensorProto.UNDEFINED, 99]
WILD_INTS = [0, -1, -2, -7, 2, 3, 1 << 20, 1 << 40, -(1 << 62), (1 << 63) - 1]


def value_infos(g):
    return list(g.input) + list(g.output) + list(g.value_info)


def tensor_type(vi):
    return vi.type.tensor_type if vi.type.HasField("tensor_type") else None


def pick(rng, items):
    """A random element of `items`, or None when it is empty."""
    return rng.choice(items) if items else None


def node_input(m, rng):
    """A random node that has inputs and the index of one of them, or (None, None)."""
    n = pick(rng, [n for n in m.graph.node if n.input])
    return (n, rng.randrange(len(n.input))) if n else (None, None)


def m_drop_input(m, rng):
    n, i = node_input(m, rng)
    if not n:
        return None
    del n.input[i]
    return f"{n.op_type}: dropped input {i}"


def m_dangling_input(m, rng):
    n, i = node_input(m, rng)
    if not n:
        return None
    n.input[i] = "no_such_value"
    return f"{n.op_type}: input {i} names no value"


def m_extra_input(m, rng):
    n = rng.choice(m.graph.node)
    n.input.extend([m.graph.input[0].name if m.graph.input else "x"] * rng.choice([1, 3]))
    return f"{n.op_type}: extra inputs"


def m_attr_type(m, rng):
    n = pick(rng, [n for n in m.graph.node if n.attribute])
    if n is None:
        return None
    a = rng.choice(n.attribute)
    name = a.name
    n.attribute.remove(a)
    choice = rng.randrange(5)
    if choice == 0:
        n.attribute.append(helper.make_attribute(name, 1.5))
    elif choice == 1:
        n.attribute.append(helper.make_attribute(name, "bogus"))
    elif choice == 2:
        n.attribute.append(helper.make_attribute(name, [rng.choice(WILD_INTS) for _ in range(rng.randrange(0, 7))]))
    elif choice == 3:
        n.attribute.append(helper.make_attribute(name, rng.choice(WILD_INTS)))
    else:
        n.attribute.append(helper.make_attribute(name, helper.make_tensor("t", TensorProto.FLOAT, [2], [1.0, 2.0])))
    return f"{n.op_type}: attribute {name} replaced (kind {choice})"


def m_attr_value(m, rng):
    def is_int(a):
        return a.type in (onnx.AttributeProto.INT, onnx.AttributeProto.INTS)
    n = pick(rng, [n for n in m.graph.node if any(map(is_int, n.attribute))])
    if n is None:
        return None
    a = rng.choice([a for a in n.attribute if is_int(a)])
    if a.type == onnx.AttributeProto.INT:
        a.i = rng.choice(WILD_INTS)
    elif a.ints:
        a.ints[rng.randrange(len(a.ints))] = rng.choice(WILD_INTS)
    else:
        a.ints.extend([rng.choice(WILD_INTS)])
    return f"{n.op_type}: attribute {a.name} = wild value"


def m_unknown_attr(m, rng):
    n = rng.choice(m.graph.node)
    n.attribute.append(helper.make_attribute("kiln_fuzz_unknown", 3))
    return f"{n.op_type}: unknown attribute"


def m_shape(m, rng):
    vi = pick(rng, [vi for vi in value_infos(m.graph) if tensor_type(vi) and tensor_type(vi).HasField("shape")])
    if vi is None:
        return None
    shape = tensor_type(vi).shape
    choice = rng.randrange(4)
    if choice == 0 and shape.dim:
        shape.dim[rng.randrange(len(shape.dim))].dim_value = rng.choice([0, -3, 1 << 40, 7])
    elif choice == 1 and shape.dim:
        del shape.dim[rng.randrange(len(shape.dim))]
    elif choice == 2:
        shape.dim.add().dim_value = rng.choice([1, 5])
    else:
        if not shape.dim:
            return None
        shape.dim[rng.randrange(len(shape.dim))].dim_param = "fuzz_dim"
    return f"{vi.name}: shape mutated (kind {choice})"


def m_dtype(m, rng):
    vi = pick(rng, [vi for vi in value_infos(m.graph) if tensor_type(vi)])
    if vi is None:
        return None
    tensor_type(vi).elem_type = rng.choice(DTYPES)
    return f"{vi.name}: element type {tensor_type(vi).elem_type}"


def m_initializer(m, rng):
    inits = list(m.graph.initializer)
    if not inits:
        # Turn a graph input into an initializer with too little data.
        if not m.graph.input:
            return None
        vi = m.graph.input[0]
        t = m.graph.initializer.add()
        t.name = vi.name
        t.data_type = TensorProto.FLOAT
        t.dims.extend([4, 4])
        t.raw_data = b"\0" * 12
        return f"{vi.name}: initializer with short raw data"
    t = rng.choice(inits)
    choice = rng.randrange(4)
    if choice == 0:
        if t.raw_data:
            t.raw_data = t.raw_data[: len(t.raw_data) // 2]
        else:
            t.dims.append(3)
    elif choice == 1:
        t.dims.extend([rng.choice([0, 2, 1 << 33])])
    elif choice == 2:
        t.data_type = rng.choice(DTYPES)
    else:
        t.data_location = TensorProto.EXTERNAL
        t.external_data.add(key="location", value="../../etc/passwd")
    return f"initializer {t.name}: mutated (kind {choice})"


def m_op_type(m, rng):
    n = rng.choice(m.graph.node)
    old = n.op_type
    n.op_type = rng.choice(OP_TYPES)
    return f"{old} -> {n.op_type}"


def m_reverse(m, rng):
    if len(m.graph.node) < 2:
        return None
    nodes = list(m.graph.node)[::-1]
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    return "nodes reversed"


def m_cycle(m, rng):
    n = m.graph.node[0]
    if not n.input or not n.output:
        return None
    n.input[0] = m.graph.node[-1].output[0] if m.graph.node[-1].output else n.output[0]
    return f"{n.op_type}: reads a later (or its own) output"


def m_duplicate_output(m, rng):
    if len(m.graph.node) < 2 or not m.graph.node[0].output or not m.graph.node[1].output:
        n = m.graph.node[0]
        if not n.output:
            return None
        n.output.append(n.output[0])
        return f"{n.op_type}: one output twice"
    m.graph.node[1].output[0] = m.graph.node[0].output[0]
    return "two nodes define one value"


def m_opset(m, rng):
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = rng.choice([1, 5, 9, 99])
    return f"opset {[o.version for o in m.opset_import]}"


def m_domain(m, rng):
    n = rng.choice(m.graph.node)
    n.domain = rng.choice(["com.microsoft", "kiln.fuzz"])
    return f"{n.op_type}: domain {n.domain}"


def m_graph_io(m, rng):
    choice = rng.randrange(3)
    if choice == 0 and m.graph.output:
        del m.graph.output[:]
        return "no graph outputs"
    if choice == 1 and m.graph.output:
        m.graph.output[0].name = "no_such_output"
        return "graph output names no value"
    if m.graph.input:
        m.graph.input.append(m.graph.input[0])
        return "graph input listed twice"
    return None


def m_int_values(m, rng):
    """A wild value in an integer initializer or Constant (shapes, axes, pads, K, sizes)."""
    tensors = [t for t in m.graph.initializer if t.data_type in (TensorProto.INT64, TensorProto.INT32)]
    for n in m.graph.node:
        if n.op_type == "Constant":
            tensors += [a.t for a in n.attribute if a.type == onnx.AttributeProto.TENSOR
                        and a.t.data_type in (TensorProto.INT64, TensorProto.INT32)]
    t = pick(rng, [t for t in tensors if numpy_helper.to_array(t).size > 0])
    if t is None:
        return None
    arr = numpy_helper.to_array(t).copy()
    flat = arr.reshape(-1)
    i = rng.randrange(flat.size)
    info = np.iinfo(arr.dtype)
    flat[i] = max(info.min, min(info.max, rng.choice(WILD_INTS)))
    t.CopyFrom(numpy_helper.from_array(arr, t.name))
    return f"{t.name}[{i}] = {flat[i]}"


MUTATIONS = [m_drop_input, m_dangling_input, m_extra_input, m_attr_type, m_attr_value, m_unknown_attr,
             m_shape, m_dtype, m_initializer, m_op_type, m_reverse, m_cycle, m_duplicate_output,
             m_opset, m_domain, m_graph_io, m_int_values, m_int_values, m_int_values]


def make_mutants(data, count, seed, out_dir):
    rng = random.Random(seed)
    models = sorted(os.path.join(data, d, "model.onnx") for d in os.listdir(data)
                    if os.path.isfile(os.path.join(data, d, "model.onnx")))
    mutants = []
    attempts = 0
    while len(mutants) < count and attempts < count * 10:
        attempts += 1
        src = rng.choice(models)
        m = onnx.load(src)
        if not m.graph.node:
            continue
        mutate = rng.choice(MUTATIONS)
        what = mutate(m, rng)
        if what is None:
            continue
        path = os.path.join(out_dir, f"m{len(mutants):04d}.onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        mutants.append((path, f"{os.path.basename(os.path.dirname(src))}: {mutate.__name__[2:]}: {what}"))
    return mutants


def compile_one(kiln, path, what):
    try:
        proc = subprocess.run([kiln, "compile", path, "--emit=plan", "-o", os.devnull],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return path, what, "timeout", ""
    err = proc.stderr
    if proc.returncode == 0:
        return path, what, "compiled", err
    if proc.returncode == 1 and err.strip():
        return path, what, "rejected", err
    return path, what, f"exit {proc.returncode}", err


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="copy failing mutants here")
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        print(f"SKIPPED: no ONNX backend node tests at {args.data}")
        return 77

    with tempfile.TemporaryDirectory(prefix="kiln-mutants-") as tmp:
        mutants = make_mutants(args.data, args.count, args.seed, tmp)
        counts = {}
        failures = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
            for path, what, status, err in pool.map(lambda pw: compile_one(args.kiln, *pw), mutants):
                key = status if status in ("compiled", "rejected") else "FAILED"
                counts[key] = counts.get(key, 0) + 1
                if key == "FAILED":
                    failures.append((path, what, status, err))
        for path, what, status, err in failures:
            tail = "\n    ".join(err.strip().splitlines()[-6:])
            print(f"FAIL {os.path.basename(path)} ({what}): {status}\n    {tail}")
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                shutil.copy(path, args.keep)
        print(f"{len(mutants)} mutants (seed {args.seed}): {counts.get('compiled', 0)} compiled, "
              f"{counts.get('rejected', 0)} rejected with a diagnostic, {counts.get('FAILED', 0)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
