#!/usr/bin/env python3
"""What fusion buys, model by model: kiln's plan with and without the fused stage.

For each model it compiles a fused and an unfused (--no-fuse) plan and records, from
`kiln compile --stats`: launches, kernels, arena, the bytes the launches' buffers hold
(a traffic proxy: each launch counts the distinct buffers it touches) against the floor
(weights, inputs and outputs once), and the compile time. With --gpu it also times both
plans with `kiln bench` (CUDA-graph replay, median) and, for models exported by
tests/models/export_public.py (a folder with model.onnx and meta.json), PyTorch on the
same GPU. It writes REPORT.md (a table) and, when matplotlib is there, fusion.png.

  bench/fusion.py --kiln build/bin/kiln --out bench-out MODEL.onnx|MODEL_DIR ... [--gpu]
                  [--batch 1] [--iters 50]

Without a GPU the numbers are proxies (launches, bytes), not speed.
"""
import argparse
import os
import re
import subprocess
import sys
import time

STATS = re.compile(r"onnx (\d+) ops, static (\d+) ops, fused (\d+) ops \((\d+) regions\); plan: (\d+) kernels, "
                   r"(\d+) launches, arena (\d+) bytes, (\d+) bytes over the launches' buffers \(floor (\d+)")


def compile_plan(kiln, onnx, plan, batch, fuse):
    cmd = [kiln, "compile", onnx, "-o", plan, "--stats"]
    if batch:
        cmd += ["--batch", str(batch)]
    if not fuse:
        cmd.append("--no-fuse")
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    m = STATS.search(proc.stderr)
    if not m:
        raise RuntimeError(f"no --stats line in:\n{proc.stderr}")
    v = [int(x) for x in m.groups()]
    return {"onnx": v[0], "static": v[1], "regions": v[3], "kernels": v[4], "launches": v[5], "arena": v[6],
            "moved": v[7], "floor": v[8], "seconds": seconds}


def median_ms(text, mode):
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == mode and len(parts) >= 3:
            return float(parts[2])
    return None


def bench_plan(kiln, plan, iters):
    proc = subprocess.run([kiln, "bench", plan, "--warmup", "10", "--iters", str(iters)], capture_output=True,
                          text=True)
    return median_ms(proc.stdout, "cuda-graph") if proc.returncode == 0 else None


def bench_torch(model_dir, iters):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "models", "export_public.py")
    proc = subprocess.run([sys.executable, script, "bench", model_dir, "--warmup", "10", "--iters", str(iters)],
                          capture_output=True, text=True)
    return median_ms(proc.stdout, "torch+copies") if proc.returncode == 0 else None


def mb(n):
    return f"{n / 1e6:.1f}"


def chart(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    names = [r["name"] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(max(8, 1.6 * len(rows)), 4))
    for ax, key, title in [(axes[0], "launches", "launches"), (axes[1], "moved", "MB over the launches' buffers")]:
        x = range(len(rows))
        scale = 1e6 if key == "moved" else 1
        ax.bar([i - 0.2 for i in x], [r["unfused"][key] / scale for r in rows], 0.4, label="--no-fuse")
        ax.bar([i + 0.2 for i in x], [r["fused"][key] / scale for r in rows], 0.4, label="fused")
        ax.set_xticks(list(x))
        ax.set_xticklabels(names, rotation=30, ha="right")
        ax.set_title(title)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", help="ONNX files, or export_public.py model folders")
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--gpu", action="store_true", help="also time both plans (and PyTorch where it can)")
    ap.add_argument("--iters", type=int, default=50)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows, failed = [], 0
    for model in args.models:
        folder = model if os.path.isdir(model) else None
        onnx = os.path.join(model, "model.onnx") if folder else model
        name = os.path.basename(os.path.normpath(model)) if folder else os.path.splitext(os.path.basename(model))[0]
        row = {"name": name}
        try:
            for key, fuse in (("fused", True), ("unfused", False)):
                plan = os.path.join(args.out, f"{name}.{key}.kiln")
                row[key] = compile_plan(args.kiln, onnx, plan, args.batch, fuse)
                if args.gpu:
                    row[key]["ms"] = bench_plan(args.kiln, plan, args.iters)
            if args.gpu and folder and os.path.exists(os.path.join(folder, "meta.json")):
                row["torch_ms"] = bench_torch(folder, args.iters)
        except RuntimeError as e:
            print(f"{name}: {e}", file=sys.stderr)
            failed += 1
            continue
        rows.append(row)
        print(f"{name}: launches {row['unfused']['launches']} -> {row['fused']['launches']}, "
              f"MB moved {mb(row['unfused']['moved'])} -> {mb(row['fused']['moved'])}", flush=True)

    lines = ["# Fusion: fused plan against --no-fuse", "",
             "Traffic is the bytes of the distinct buffers each launch touches, summed over the plan "
             "(a proxy, not a measurement); the floor is the weights, inputs and outputs once. "
             + ("Times are medians of CUDA-graph replays on this GPU." if args.gpu else
                "No GPU: no times."), "",
             "| model | static ops | regions | launches (no-fuse -> fused) | kernels | MB moved (no-fuse -> fused) "
             "| floor MB | arena MB (no-fuse -> fused) | compile s (fused) |"
             + (" kiln no-fuse ms | kiln fused ms | PyTorch ms | fused vs PyTorch |" if args.gpu else ""),
             "|---|---|---|---|---|---|---|---|---|" + ("---|---|---|---|" if args.gpu else "")]
    for r in rows:
        f, u = r["fused"], r["unfused"]
        line = (f"| {r['name']} | {f['static']} | {f['regions']} | {u['launches']} -> {f['launches']} | "
                f"{u['kernels']} -> {f['kernels']} | {mb(u['moved'])} -> {mb(f['moved'])} | {mb(f['floor'])} | "
                f"{mb(u['arena'])} -> {mb(f['arena'])} | {f['seconds']:.2f} |")
        if args.gpu:
            t = r.get("torch_ms")
            ratio = f"{t / f['ms']:.2f}x" if t and f.get("ms") else "-"
            fmt = lambda v: f"{v:.3f}" if v else "-"
            line += f" {fmt(u.get('ms'))} | {fmt(f.get('ms'))} | {fmt(t)} | {ratio} |"
        lines.append(line)
    if chart(rows, os.path.join(args.out, "fusion.png")):
        lines += ["", "![launches and bytes, fused against --no-fuse](fusion.png)"]
    else:
        lines += ["", "(no chart: python3-matplotlib is not installed)"]
    with open(os.path.join(args.out, "REPORT.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
