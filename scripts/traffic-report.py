#!/usr/bin/env python3
"""Summarizes the memory traffic of kiln's kernels, as counted by the PTX emulator.

    KILN_CUDA_LIBRARY=build/tests/emulator/libkiln_ptx_emulator.so \\
    KILN_EMULATOR_STATS=stats.tsv kiln run model.kiln --output-dir out
    scripts/traffic-report.py stats.tsv [--top N]

One row per kernel (its launches summed), heaviest first by sectors moved:
  load%, store%   the fewest 32-byte sectors that hold what the warps asked for / the
                  sectors moved (100: coalesced or broadcast; 12.5: every lane of a
                  float access in its own sector)
  moved MB        sectors moved by all requests, loads + stores (L1/L2 traffic)
  distinct MB     distinct sectors touched per launch (the DRAM traffic with a perfect cache)
  reread          moved / distinct: how many times each byte passes through the caches
  bank            shared-memory wavefronts / conflict-free wavefronts (1.0: no conflicts)
  Minstr          thread instructions executed, in millions
  fma%            of those, float fmas (a GEMM's useful work; the rest is its overhead)
Exits 1 when FILE has no launches. CPU-side evidence of coalescing, not a timing.
"""
import argparse
import csv
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    kernels = {}
    for r in rows:
        k = kernels.setdefault(r["kernel"], {"launches": 0, "shape": f"{r['grid']} / {r['block']}"})
        k["launches"] += 1
        for key, value in r.items():
            if key not in ("kernel", "grid", "block"):
                k[key] = k.get(key, 0) + int(value)
    return kernels


def ratio(a, b):
    return a / b if b else None


def summarize(k):
    """The derived figures of one kernel (or of the total), None where undefined."""
    moved = 32 * (k["load_sectors"] + k["store_sectors"])
    distinct = 32 * (k["distinct_sectors_read"] + k["distinct_sectors_written"])
    wave = k["shared_load_wavefronts"] + k["shared_store_wavefronts"]
    ideal = k["shared_load_ideal"] + k["shared_store_ideal"]
    return {
        "load": ratio(k["load_ideal_sectors"], k["load_sectors"]),
        "store": ratio(k["store_ideal_sectors"], k["store_sectors"]),
        "moved": moved,
        "distinct": distinct,
        "reread": ratio(moved, distinct),
        "bank": ratio(wave, ideal),
        "instructions": k["thread_instructions"],
        "fma": ratio(k["float_fmas"], k["thread_instructions"]),
    }


def fmt(v, spec, scale=1.0):
    width = int(spec.split(".")[0])
    return format("-", f">{width}") if v is None else format(v * scale, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stats", help="the KILN_EMULATOR_STATS file")
    ap.add_argument("--top", type=int, default=0, help="show only the N heaviest kernels")
    args = ap.parse_args()
    try:
        kernels = read(args.stats)
    except OSError as e:
        print(f"{args.stats}: {e.strerror}", file=sys.stderr)
        return 1
    if not kernels:
        print(f"{args.stats}: no kernel launches recorded", file=sys.stderr)
        return 1
    rows = sorted(kernels.items(), key=lambda kv: -summarize(kv[1])["moved"])
    if args.top:
        rows = rows[: args.top]
    width = max(len(name) for name, _ in rows)
    head = f"{'kernel':<{width}}  {'n':>3}  {'load%':>6}  {'store%':>6}  {'moved MB':>9}  {'distinct MB':>11}  {'reread':>6}  {'bank':>5}  {'Minstr':>8}  {'fma%':>5}  grid / block"
    print(head)
    total = {}
    for name, k in kernels.items():
        for key, value in k.items():
            if key != "shape":
                total[key] = total.get(key, 0) + value
    for name, k in rows + [("total", dict(total, shape=""))]:
        s = summarize(k)
        print(f"{name:<{width}}  {k['launches']:>3}  {fmt(s['load'], '6.1f', 100)}  {fmt(s['store'], '6.1f', 100)}  "
              f"{s['moved'] / 1e6:>9.3f}  {s['distinct'] / 1e6:>11.3f}  {fmt(s['reread'], '6.2f')}  "
              f"{fmt(s['bank'], '5.2f')}  {s['instructions'] / 1e6:>8.2f}  {fmt(s['fma'], '5.1f', 100)}  {k['shape']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
