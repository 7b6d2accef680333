#!/usr/bin/env python3
"""Compares kiln's reference evaluation after all passes with PyTorch, per model.

Usage: check_reference.py [--gpu] KILN MODEL_DIR WORK_DIR NAME [NAME ...]
With --gpu the model is compiled to a .kiln plan and run on the GPU instead (exit 77,
SKIPPED, when there is no GPU).
For each model (exported by export_models.py into MODEL_DIR), runs
`kiln run --reference` on seeded random inputs, runs the same PyTorch model (rebuilt
with the same seed) on the inputs kiln wrote, and requires a relative error
||kiln - torch|| / ||torch|| below 1e-4. Prints one line per model; exits 1 on any
failure.
"""
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402

TOLERANCE = 1e-4


def main():
    args = sys.argv[1:]
    gpu = bool(args) and args[0] == "--gpu"
    if gpu:
        args = args[1:]
    if len(args) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    kiln, model_dir, work = args[:3]
    names = args[3:]
    if gpu:
        # Without a GPU there is nothing to compare (and no need for libdevice to compile).
        os.makedirs(work, exist_ok=True)
        probe = os.path.join(work, "probe_add_relu.onnx")
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools",
                                                     "make_add_relu_onnx.py"), probe], check=True)
        if subprocess.run([kiln, "check", probe], capture_output=True).returncode == 77:
            print("SKIPPED: no GPU")
            return 77
    failed = 0
    for name in names:
        out = os.path.join(work, name)
        onnx_path = os.path.join(model_dir, name + ".onnx")
        extra = getattr(export_models.MODELS[name], "kiln_args", [])
        if gpu:
            # Same seeded input as the reference path writes, through the GPU plan.
            proc = subprocess.run([kiln, "run", onnx_path, "--reference", "--seed", "1",
                                   "--output-dir", out + "-ref"] + extra,
                                  capture_output=True, text=True)
            if proc.returncode == 0:
                plan = os.path.join(work, name + ".kiln")
                proc = subprocess.run([kiln, "compile", onnx_path, "-o", plan] + extra,
                                      capture_output=True, text=True)
            if proc.returncode == 0:
                proc = subprocess.run([kiln, "run", plan, "--input",
                                       "input=" + os.path.join(out + "-ref", "input_input.npy"),
                                       "--output-dir", out], capture_output=True, text=True)
                if proc.returncode == 77:
                    print("SKIPPED: no GPU")
                    return 77
            in_dir = out + "-ref"
        else:
            proc = subprocess.run([kiln, "run", onnx_path, "--reference", "--seed", "1",
                                   "--output-dir", out] + extra, capture_output=True, text=True)
            in_dir = out
        if proc.returncode != 0:
            print(f"FAIL {name}: kiln run failed\n{proc.stderr}")
            failed += 1
            continue
        torch.manual_seed(0)
        model, _ = export_models.MODELS[name]()
        export_models.randomize_batchnorm(model)
        model.eval()
        x = torch.from_numpy(np.load(os.path.join(in_dir, "input_input.npy")))
        with torch.no_grad():
            expected = model(x).numpy().astype(np.float64)
        got = np.load(os.path.join(out, "output.npy")).astype(np.float64)
        if got.shape != expected.shape:
            print(f"FAIL {name}: shape {got.shape}, PyTorch {expected.shape}")
            failed += 1
            continue
        rel = np.linalg.norm(got - expected) / np.linalg.norm(expected)
        worst = np.abs(got - expected).max()
        ok = rel < TOLERANCE and np.linalg.norm(expected) > 0
        print(f"{'ok  ' if ok else 'FAIL'} {name}: relative error {rel:.3g}, max abs error "
              f"{worst:.3g} (tolerance {TOLERANCE:g})")
        failed += 0 if ok else 1
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
