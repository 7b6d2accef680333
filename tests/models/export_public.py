#!/usr/bin/env python3
"""The public model set for scripts/gpu-check.sh: export to ONNX with PyTorch's reference outputs,
compare kiln's outputs with them, and time PyTorch on the same GPU.

Usage:
  export_public.py export OUT_DIR [NAME ...]      writes OUT_DIR/NAME/{model.onnx, meta.json,
                                                  input_<in>.npy, torch_<out>.npy}
  export_public.py compare MODEL_DIR KILN_OUT_DIR [--rtol 1e-4]
                                                  ||kiln - torch|| / ||torch|| per output; exit 1
                                                  if any is >= rtol or has a NaN
  export_public.py bench MODEL_DIR [--warmup 20] [--iters 200]
                                                  PyTorch eager fp32 replayed as a CUDA graph:
                                                  min/median/p99 ms per iteration
  export_public.py list                           the names of every model and op chain
Models (random weights, seed 0, eval mode, batch 1): resnet50, mobilenet_v2, vit_b_16 (torchvision,
224x224), bert_base (transformers BertModel(BertConfig())) and gpt2 (GPT2Model(GPT2Config())) at
128 tokens. Exported with the TorchScript exporter (dynamo=False), opset 17. Reference outputs are
computed on the GPU in strict fp32 (TF32 off), so kiln's default strict-fp32 plans must agree to
well under 1e-4.
Op chains (OPS, names op_*): one op repeated at a shape the public models run it at, each copy
with its own weights, so that the time of one kind of kernel can be set beside PyTorch's. A
chain amortizes the host copies of the timed span; `kiln bench`'s device-io mode and the bare
PyTorch replay leave them out.
"""
import argparse
import inspect
import json
import os
import sys
import time

import numpy as np
import torch

NAMES = ["resnet50", "mobilenet_v2", "vit_b_16", "bert_base", "gpt2"]
SEQ = 128
SEED = 0


class LogOfSoftmax(torch.nn.Module):
    """log(softmax(x)) over the last axis, as two ops: a chain of plain softmaxes converges
    to uniform rows that any kernel would match, while this one keeps each row's spread
    (x - logsumexp(x) is unchanged by another pass)."""

    def forward(self, x):
        return torch.log(torch.softmax(x, dim=-1))


def _ops():
    """name -> (layers of the chain, input shape)."""
    nn = torch.nn
    conv = nn.Conv2d
    return {
        # bert_base / gpt2 at 128 tokens: attention projections and the MLP.
        "op_linear_768": (lambda: [nn.Linear(768, 768) for _ in range(8)], [SEQ, 768]),
        "op_mlp_3072": (lambda: [l for _ in range(4) for l in (nn.Linear(768, 3072), nn.Linear(3072, 768))],
                        [SEQ, 768]),
        # resnet50 at batch 1: 3x3 convolutions of each stage, and a 1x1 bottleneck pair.
        "op_conv3x3_64x56": (lambda: [conv(64, 64, 3, padding=1) for _ in range(8)], [1, 64, 56, 56]),
        "op_conv3x3_256x14": (lambda: [conv(256, 256, 3, padding=1) for _ in range(8)], [1, 256, 14, 14]),
        "op_conv3x3_512x7": (lambda: [conv(512, 512, 3, padding=1) for _ in range(8)], [1, 512, 7, 7]),
        "op_conv1x1_2048x7": (lambda: [l for _ in range(4) for l in (conv(512, 2048, 1), conv(2048, 512, 1))],
                              [1, 512, 7, 7]),
        # mobilenet_v2's depthwise convolutions.
        "op_depthwise_144x56": (lambda: [conv(144, 144, 3, padding=1, groups=144) for _ in range(8)],
                                [1, 144, 56, 56]),
        # Rows as in ../shared/baselines/h100.md.
        "op_softmax_4096x1024": (lambda: [LogOfSoftmax() for _ in range(8)], [4096, 1024]),
        "op_layernorm_4096x1024": (lambda: [nn.LayerNorm(1024) for _ in range(8)], [4096, 1024]),
        "op_gelu_4096x1024": (lambda: [nn.GELU() for _ in range(8)], [4096, 1024]),
    }


OPS = list(_ops())


# PyTorch 2 defaults to the dynamo exporter; 1.x (Debian's, for trying these scripts on a
# CPU machine) has only the TorchScript one and no such argument.
TORCHSCRIPT_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def strict_fp32():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")


def no_mha_fastpath():
    # nn.MultiheadAttention's inference fast path (aten::_native_multi_head_attention, used by
    # vit_b_16 in eval mode) has no ONNX export.
    try:
        torch.backends.mha.set_fastpath_enabled(False)
    except AttributeError:
        pass


class Outputs(torch.nn.Module):
    """Makes a model return a plain tuple of tensors (no dicts, no caches)."""

    def __init__(self, model, keys, full_mask=False):
        super().__init__()
        self.model = model
        self.keys = keys
        self.full_mask = full_mask

    def forward(self, *args):
        if self.full_mask:
            # An explicit all-ones mask keeps transformers off its packed-sequence detection,
            # which uses aten::diff (not exportable at opset 17).
            out = self.model(*args, attention_mask=torch.ones_like(args[0]))
        else:
            out = self.model(*args)
        if isinstance(out, torch.Tensor):
            return out
        return tuple(out[k] for k in self.keys)


def eager(config):
    # Plain matmul/softmax attention exports op by op on every transformers version.
    for attr in ("attn_implementation", "_attn_implementation"):
        try:
            setattr(config, attr, "eager")
        except Exception:
            pass
    return config


def build(name, for_export=True):
    """(module, example inputs, input names, output names). for_export=False keeps
    transformers' default (fastest) attention, for timing PyTorch at its best."""
    g = torch.Generator().manual_seed(SEED)
    if name in OPS:
        layers, shape = _ops()[name]
        x = torch.rand(*shape, generator=g) * 2 - 1
        return torch.nn.Sequential(*layers()), (x,), ["input"], ["output"]
    if name in ("resnet50", "mobilenet_v2", "vit_b_16"):
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
        if name == "vit_b_16":
            # torchvision starts the classifier head at zero, which would make the logits
            # (the only output) zero whatever the encoder computes.
            with torch.no_grad():
                head = model.heads.head
                head.weight.copy_(torch.randn(head.weight.shape, generator=g) * 0.02)
                head.bias.copy_(torch.randn(head.bias.shape, generator=g) * 0.02)
        x = torch.rand(1, 3, 224, 224, generator=g) * 2 - 1
        return model, (x,), ["input"], ["logits"]
    if name == "bert_base":
        from transformers import BertConfig, BertModel
        config = eager(BertConfig()) if for_export else BertConfig()
        model = Outputs(BertModel(config), ["last_hidden_state", "pooler_output"])
        ids = torch.randint(0, config.vocab_size, (1, SEQ), generator=g, dtype=torch.int64)
        return model, (ids,), ["input_ids"], ["last_hidden_state", "pooler_output"]
    if name == "gpt2":
        from transformers import GPT2Config, GPT2Model
        config = eager(GPT2Config()) if for_export else GPT2Config()
        config.use_cache = False
        model = Outputs(GPT2Model(config), ["last_hidden_state"], full_mask=True)
        ids = torch.randint(0, config.vocab_size, (1, SEQ), generator=g, dtype=torch.int64)
        return model, (ids,), ["input_ids"], ["last_hidden_state"]
    raise SystemExit(f"unknown model {name!r} (known: {', '.join(NAMES + OPS)})")


def export(out_dir, names):
    strict_fp32()
    no_mha_fastpath()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        print("warning: no CUDA device; PyTorch reference outputs computed on the CPU", file=sys.stderr)
    failed = []
    for name in names:
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        try:
            torch.manual_seed(SEED)
            model, inputs, in_names, out_names = build(name)
            model = model.eval()
            start = time.perf_counter()
            with torch.no_grad():
                torch.onnx.export(model, inputs, os.path.join(d, "model.onnx"), opset_version=17,
                                  input_names=in_names, output_names=out_names,
                                  do_constant_folding=True, **TORCHSCRIPT_EXPORTER)
            export_s = time.perf_counter() - start
            for n, x in zip(in_names, inputs):
                np.save(os.path.join(d, f"input_{n}.npy"), x.numpy())
            model = model.to(device)
            with torch.no_grad():
                out = model(*[x.to(device) for x in inputs])
            if isinstance(out, torch.Tensor):
                out = (out,)
            for n, y in zip(out_names, out):
                np.save(os.path.join(d, f"torch_{n}.npy"), y.float().cpu().numpy())
            meta = {"name": name, "inputs": in_names, "outputs": out_names,
                    "input_shapes": [list(x.shape) for x in inputs],
                    "torch": torch.__version__, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
                    "export_seconds": export_s}
            with open(os.path.join(d, "meta.json"), "w") as f:
                json.dump(meta, f, indent=1)
            size = os.path.getsize(os.path.join(d, "model.onnx"))
            print(f"{name}: exported {size / 1e6:.1f} MB in {export_s:.1f} s -> {d}")
        except Exception as e:  # keep going: one model's failure must not hide the others
            failed.append(name)
            print(f"{name}: FAILED to export: {type(e).__name__}: {e}", file=sys.stderr)
    return 1 if failed else 0


def file_name_for(tensor):
    """The file `kiln run` writes for an output (same rule as tools/common/PlanExec.cpp)."""
    keep = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    out = "".join(c if c in keep else "_" for c in tensor)
    return out or "unnamed"


def compare(model_dir, kiln_dir, rtol):
    with open(os.path.join(model_dir, "meta.json")) as f:
        meta = json.load(f)
    ok = True
    for n in meta["outputs"]:
        ref = np.load(os.path.join(model_dir, f"torch_{n}.npy")).astype(np.float64)
        path = os.path.join(kiln_dir, file_name_for(n) + ".npy")
        if not os.path.exists(path):
            print(f"{n}: MISSING {path}")
            ok = False
            continue
        got = np.load(path).astype(np.float64)
        if got.shape != ref.shape:
            print(f"{n}: SHAPE kiln {list(got.shape)} vs torch {list(ref.shape)}")
            ok = False
            continue
        nans = int(np.isnan(got).sum())
        diff = got - ref
        rel = float(np.linalg.norm(diff) / max(np.linalg.norm(ref), 1e-30))
        max_abs = float(np.nanmax(np.abs(diff))) if diff.size else 0.0
        # An all-zero reference would make any kiln output "match" to rel 0: refuse it.
        good = nans == 0 and rel < rtol and bool(np.any(ref != 0))
        ok = ok and good
        print(f"{n}: shape {list(got.shape)} max_abs {max_abs:.3e} rel {rel:.3e} nan {nans} "
              f"{'ok' if good else 'FAIL'}")
    return 0 if ok else 1


def bench(model_dir, warmup, iters):
    """Wall time per iteration around copy-in + graph replay + copy-out + synchronize, the
    same span `kiln bench` measures, plus the replay alone."""
    strict_fp32()
    with open(os.path.join(model_dir, "meta.json")) as f:
        meta = json.load(f)
    if not torch.cuda.is_available():
        print("SKIPPED: no GPU")
        return 77
    torch.manual_seed(SEED)
    model, _, _, _ = build(meta["name"], for_export=False)
    model = model.eval().cuda()
    host = [torch.from_numpy(np.load(os.path.join(model_dir, f"input_{n}.npy"))) for n in meta["inputs"]]
    static = [x.cuda() for x in host]
    graph = None
    with torch.no_grad():
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                out = model(*static)
        torch.cuda.current_stream().wait_stream(side)
        try:
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                out = model(*static)
            graph = g
        except Exception as e:  # some models copy host scalars while running: time them eagerly
            print(f"note: CUDA graph capture failed ({type(e).__name__}: {str(e).splitlines()[0]}); "
                  "timing eager launches", file=sys.stderr)
            torch.cuda.synchronize()
            out = model(*static)
    outs = (out,) if isinstance(out, torch.Tensor) else tuple(out)
    mode = "cuda-graph" if graph is not None else "eager"

    def one(with_copies):
        nonlocal outs
        if with_copies:
            for s, h in zip(static, host):
                s.copy_(h)
        if graph is not None:
            graph.replay()
        else:
            with torch.no_grad():
                o = model(*static)
            outs = (o,) if isinstance(o, torch.Tensor) else tuple(o)
        if with_copies:
            for o in outs:
                o.cpu()
        torch.cuda.synchronize()

    results = {}
    for label, with_copies in (("torch+copies", True), ("torch", False)):
        for _ in range(warmup):
            one(with_copies)
        ms = []
        for _ in range(iters):
            t0 = time.perf_counter()
            one(with_copies)
            ms.append((time.perf_counter() - t0) * 1e3)
        ms.sort()
        p99 = ms[min(len(ms), max(1, int(np.ceil(0.99 * len(ms))))) - 1]
        results[label] = (ms[0], float(np.median(ms)), p99)
    print(f"{iters} iterations after {warmup} warm-up on {torch.cuda.get_device_name()} "
          f"(torch {torch.__version__}, strict fp32):")
    print(f"mode: {mode}")
    print(f"{'mode':<20} {'min ms':>10} {'median ms':>10} {'p99 ms':>10}")
    for label, (lo, med, p99) in results.items():
        print(f"{label:<20} {lo:>10.4f} {med:>10.4f} {p99:>10.4f}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("out_dir")
    e.add_argument("names", nargs="*", default=NAMES)
    c = sub.add_parser("compare")
    c.add_argument("model_dir")
    c.add_argument("kiln_dir")
    c.add_argument("--rtol", type=float, default=1e-4)
    b = sub.add_parser("bench")
    b.add_argument("model_dir")
    b.add_argument("--warmup", type=int, default=20)
    b.add_argument("--iters", type=int, default=200)
    sub.add_parser("list")
    a = p.parse_args()
    if a.cmd == "list":
        print(" ".join(NAMES + OPS))
        return 0
    if a.cmd == "export":
        return export(a.out_dir, a.names or NAMES)
    if a.cmd == "compare":
        return compare(a.model_dir, a.kiln_dir, a.rtol)
    return bench(a.model_dir, a.warmup, a.iters)


if __name__ == "__main__":
    sys.exit(main())
