#!/usr/bin/env python3
"""Exports real architectures to ONNX with Debian's python3-torch (random weights, fixed seed).

Usage: export_models.py OUT_DIR [NAME ...]   (default: every model below)
Writes OUT_DIR/NAME.onnx, skipping files that already exist, and prints one line per model.
"""
import os
import sys

import torch
import torchvision


def transformer_encoder():
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                             dropout=0.1, batch_first=True)
    return torch.nn.TransformerEncoder(layer, num_layers=2), torch.randn(1, 16, 64)


class BertLike(torch.nn.Module):
    """BERT's structure at toy size: token + position embeddings, a padding mask from
    the ids (Equal/Where/Expand), post-LayerNorm attention blocks, erf GELU."""

    def __init__(self, vocab=1000, hidden=64, heads=4, layers=2, max_len=64):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, hidden)
        self.pos = torch.nn.Embedding(max_len, hidden)
        self.norm = torch.nn.LayerNorm(hidden)
        self.heads = heads
        self.blocks = torch.nn.ModuleList(torch.nn.ModuleDict({
            "qkv": torch.nn.Linear(hidden, 3 * hidden), "out": torch.nn.Linear(hidden, hidden),
            "ln1": torch.nn.LayerNorm(hidden), "ff1": torch.nn.Linear(hidden, 4 * hidden),
            "ff2": torch.nn.Linear(4 * hidden, hidden), "ln2": torch.nn.LayerNorm(hidden),
        }) for _ in range(layers))

    def forward(self, ids):
        b, n = ids.shape
        positions = torch.arange(n, device=ids.device).unsqueeze(0).expand(b, n)
        x = self.norm(self.tok(ids) + self.pos(positions))
        pad = (ids == 0)[:, None, None, :]
        for blk in self.blocks:
            q, k, v = blk["qkv"](x).view(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
            scores = q @ k.transpose(-1, -2) / (q.shape[-1] ** 0.5)
            scores = torch.where(pad, torch.full_like(scores, -1e4), scores)
            att = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, -1)
            x = blk["ln1"](x + blk["out"](att))
            x = blk["ln2"](x + blk["ff2"](torch.nn.functional.gelu(blk["ff1"](x))))
        return x


class Gpt2Like(torch.nn.Module):
    """GPT-2's structure at toy size: pre-LayerNorm blocks, fused QKV split in three,
    a causal mask sliced to the sequence length, tanh GELU with pow."""

    def __init__(self, vocab=1000, hidden=64, heads=4, layers=2, max_len=64):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, hidden)
        self.pos = torch.nn.Embedding(max_len, hidden)
        self.heads = heads
        self.register_buffer("causal", torch.tril(torch.ones(max_len, max_len)).bool()[None, None])
        self.blocks = torch.nn.ModuleList(torch.nn.ModuleDict({
            "ln1": torch.nn.LayerNorm(hidden), "qkv": torch.nn.Linear(hidden, 3 * hidden),
            "proj": torch.nn.Linear(hidden, hidden), "ln2": torch.nn.LayerNorm(hidden),
            "fc": torch.nn.Linear(hidden, 4 * hidden), "fc2": torch.nn.Linear(4 * hidden, hidden),
        }) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(hidden)

    @staticmethod
    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh((2.0 / torch.pi) ** 0.5 * (x + 0.044715 * torch.pow(x, 3.0))))

    def forward(self, ids):
        b, n = ids.shape
        x = self.tok(ids) + self.pos(torch.arange(n, device=ids.device))
        mask = self.causal[:, :, :n, :n]
        for blk in self.blocks:
            q, k, v = blk["qkv"](blk["ln1"](x)).split(x.shape[-1], dim=2)
            q, k, v = (t.view(b, n, self.heads, -1).transpose(1, 2) for t in (q, k, v))
            scores = (q @ k.transpose(-1, -2)) / (q.shape[-1] ** 0.5)
            scores = torch.where(mask, scores, torch.tensor(-1e4, dtype=scores.dtype))
            att = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, -1)
            x = x + blk["proj"](att)
            x = x + blk["fc2"](self.gelu_new(blk["fc"](blk["ln2"](x))))
        return self.ln_f(x)


def token_model(cls):
    def make():
        return cls(), torch.randint(1, 1000, (1, 16))
    make.dynamic_axes = {"input": {0: "batch", 1: "sequence"}}
    make.kiln_args = ["--shape", "input=1x16"]
    return make


def vision(name):
    def make():
        return getattr(torchvision.models, name)(), torch.randn(1, 3, 224, 224)
    return make


def googlenet():
    # aux_logits only matter in training; init_weights keeps torchvision's own init.
    return torchvision.models.googlenet(aux_logits=False, init_weights=True), \
        torch.randn(1, 3, 224, 224)


def vit_b_16():
    model = torchvision.models.vit_b_16()
    # torchvision starts the classifier head at zero, which would make the logits zero
    # whatever the encoder computes.
    torch.nn.init.normal_(model.heads.head.weight, std=0.02)
    torch.nn.init.normal_(model.heads.head.bias, std=0.02)
    return model, torch.randn(1, 3, 224, 224)


MODELS = {
    "resnet18": vision("resnet18"),
    "resnet50": vision("resnet50"),
    "mobilenet_v2": vision("mobilenet_v2"),
    "squeezenet1_1": vision("squeezenet1_1"),
    "transformer_encoder": transformer_encoder,
    "googlenet": googlenet,
    "densenet121": vision("densenet121"),
    "vit_b_16": vit_b_16,
    # Token models are exported with dynamic batch and sequence axes, so their shape
    # arithmetic stays in the graph for kiln to fold: compile them with --shape input=1x16.
    "bert_like": token_model(BertLike),
    "gpt2_like": token_model(Gpt2Like),
}


def randomize_batchnorm(model):
    # Fresh BatchNorm layers hold mean 0 / var 1, which would make folding trivially exact.
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


def export(name, path):
    torch.manual_seed(0)
    model, example = MODELS[name]()
    randomize_batchnorm(model)
    model.eval()
    # Export with autograd on: under no_grad, nn.TransformerEncoderLayer takes a fused
    # fast path (aten::_transformer_encoder_layer_fwd) that has no ONNX export.
    torch.onnx.export(model, example, path, opset_version=17, input_names=["input"],
                      output_names=["output"], do_constant_folding=True,
                      dynamic_axes=getattr(MODELS[name], "dynamic_axes", None))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        if name not in MODELS:
            print(f"unknown model {name}; known: {', '.join(MODELS)}", file=sys.stderr)
            return 2
        path = os.path.join(out, name + ".onnx")
        if not os.path.exists(path):
            tmp = path + ".tmp"
            export(name, tmp)
            os.replace(tmp, path)
        print(f"{name}: {path} ({os.path.getsize(path) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
