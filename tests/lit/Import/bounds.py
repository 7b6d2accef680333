# Sizes a model only declares are bounded: a shape operand declared with 2^24 or 2^31
# elements (Expand, Reshape, Tile, ConstantOfShape) would make a result of that rank,
# a Range past 2^32 elements would be folded into that many, a declared rank of 33
# would pass into every later stage. Each must fail with exit 1 in under a second and
# a message under 1 KB that names the node and the bound, at every stage (Range's
# length is only computed once constants fold, from the static stage on). A model of
# many unsupported nodes lists the first 50 and counts the rest.
# RUN: %python %s %t
import os
import subprocess
import sys
import time

import numpy as np
from onnx_builder import F32, I64, const, node, save, tensor

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def model(name, nodes, inputs, outputs, inits=()):
    path = os.path.join(out, name + ".onnx")
    save(nodes, inputs, outputs, inits, path=path)
    return path


cases = []
for n in (1 << 24, 1 << 31):
    y = [tensor("y", F32, None)]
    cases += [
        (model(f"expand_{n}", [node("Expand", ["x", "s"], ["y"], name="ex")],
               [tensor("x", F32, [1]), tensor("s", I64, [n])], y),
         "node 'ex' (Expand): shape has %d entries, more than the 32" % n),
        (model(f"reshape_{n}", [node("Reshape", ["x", "s"], ["y"], name="rs")],
               [tensor("x", F32, [1]), tensor("s", I64, [n])], y),
         "node 'rs' (Reshape): shape has %d entries, more than the 32" % n),
        (model(f"tile_{n}", [node("Tile", ["x", "r"], ["y"], name="tl")],
               [tensor("x", F32, [1]), tensor("r", I64, [n])], y),
         "node 'tl' (Tile): repeats has %d entries, more than the 32" % n),
        (model(f"constant_of_shape_{n}", [node("ConstantOfShape", ["s"], ["y"], name="cs")],
               [tensor("s", I64, [n])], y),
         "node 'cs' (ConstantOfShape): input has %d entries, more than the 32" % n),
        (model(f"pad_{n}", [node("Pad", ["x", "p"], ["y"], name="pd")],
               [tensor("x", F32, [1]), tensor("p", I64, [n])], y),
         "node 'pd' (Pad): pads has %d entries, more than the 64" % n),
    ]
for limit in (1 << 33, 1 << 62):
    cases.append((model(f"range_{limit}", [node("Range", ["a", "b", "c"], ["y"], name="rg")], [],
                        [tensor("y", I64, None)],
                        [const("a", np.array(0, np.int64)), const("b", np.array(limit, np.int64)),
                         const("c", np.array(1, np.int64))]),
                  "node 'rg' (Range): result 'tensor<%dxi64>' has more than 2^32 elements" % limit))
cases.append((model("rank33", [node("Relu", ["x"], ["y"], name="r")], [tensor("x", F32, [1] * 33)],
                    [tensor("y", F32, None)]),
               "graph input 'x': rank 33 is above kiln's limit of 32"))
cases.append((model("unsupported", [node("Frob", ["x"], [f"y{i}"], name=f"f{i}") for i in range(60)],
                    [tensor("x", F32, [1])], [tensor(f"y{i}", F32, None) for i in range(60)]),
               "10 more nodes are unsupported (only the first 50 are listed)"))

failures = 0
for path, expected in cases:
    for stage in ("onnx", "static", "plan") if "range" not in path else ("static", "plan"):
        start = time.monotonic()
        p = subprocess.run(["kiln", "compile", path, "--emit=" + stage, "-o", os.devnull],
                           capture_output=True, text=True, timeout=60)
        seconds = time.monotonic() - start
        problems = []
        if p.returncode != 1:
            problems.append(f"exit {p.returncode}, not 1")
        if expected not in p.stderr:
            problems.append(f"message lacks {expected!r}")
        limit = 1024 if "unsupported" not in path else 8192
        if len(p.stderr) >= limit:
            problems.append(f"message of {len(p.stderr)} bytes")
        if seconds >= 1.0:
            problems.append(f"took {seconds:.2f} s")
        status = "FAIL" if problems else "ok"
        print(f"{status} {os.path.basename(path)} --emit={stage}: {seconds:.2f} s, {len(p.stderr)} bytes"
              + (": " + "; ".join(problems) + "\n" + p.stderr[:2000] if problems else ""))
        failures += bool(problems)
sys.exit(1 if failures else 0)
