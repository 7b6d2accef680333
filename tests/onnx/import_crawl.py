#!/usr/bin/env python3
"""Imports every ONNX backend node-test model with `kiln compile --emit=onnx`.

Each model must either import into verified IR (exit 0) or be rejected cleanly (exit 1)
with diagnostics in kiln's format that name what is unsupported. A crash, an abort, a
timeout or an unexplained rejection fails the run. Prints the counts and, with
--report FILE, writes one line per rejected model with its first diagnostic.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys

UNSUPPORTED = re.compile(r"unsupported operator (\S+)")
# Rejections that name a limitation rather than an unsupported operator.
LIMITATION = re.compile(r"is not supported|are not supported|supported only|must be a constant|"
                        r"only tensor values are supported")


def run(kiln, model_dir):
    model = os.path.join(model_dir, "model.onnx")
    try:
        proc = subprocess.run([kiln, "compile", model, "--emit=onnx", "-o", os.devnull],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return model_dir, "timeout", ""
    err = proc.stderr.strip()
    if proc.returncode == 0:
        return model_dir, "imported", err
    if proc.returncode != 1:
        return model_dir, f"crash (exit {proc.returncode})", err
    if UNSUPPORTED.search(err):
        return model_dir, "unsupported", err
    if LIMITATION.search(err):
        return model_dir, "limitation", err
    return model_dir, "rejected", err


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--report", help="write the rejected models and their reasons here")
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    dirs = sorted(os.path.join(args.data, d) for d in os.listdir(args.data)
                  if os.path.exists(os.path.join(args.data, d, "model.onnx")))
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        results = list(pool.map(lambda d: run(args.kiln, d), dirs))

    counts = collections.Counter(kind for _, kind, _ in results)
    missing = collections.Counter()
    bad = []
    lines = []
    for model_dir, kind, err in results:
        name = os.path.basename(model_dir)
        if kind == "unsupported":
            for op in set(UNSUPPORTED.findall(err)):
                missing[op] += 1
        if kind != "imported":
            first = err.splitlines()[0] if err else "(no diagnostic)"
            lines.append(f"{name}\t{kind}\t{first}")
        if kind not in ("imported", "unsupported", "limitation"):
            bad.append((name, kind, err))
            print(f"FAIL {name}: {kind}\n{err}", file=sys.stderr)
        elif kind != "imported" and not err.startswith(model_dir.split("/node/")[0]):
            # Diagnostics must be in kiln's `file: node 'n' (Op): message` format.
            if "model.onnx: " not in err:
                bad.append((name, "unformatted diagnostic", err))
                print(f"FAIL {name}: diagnostic not in kiln's format:\n{err}", file=sys.stderr)

    if args.report:
        with open(args.report, "w") as f:
            f.write("\n".join(lines) + "\n")
    print(f"node-test import: {len(results)} models, {counts['imported']} imported, "
          f"{counts['unsupported']} with unsupported ops, {counts['limitation']} rejected for "
          f"a stated limitation, {len(bad)} bad")
    print("unsupported ops (models):", ", ".join(f"{op} {n}" for op, n in missing.most_common()))
    print(f"{len(results) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
