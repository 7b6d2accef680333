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


def vision(name):
    def make():
        return getattr(torchvision.models, name)(), torch.randn(1, 3, 224, 224)
    return make


def googlenet():
    # aux_logits only matter in training; init_weights keeps torchvision's own init.
    return torchvision.models.googlenet(aux_logits=False, init_weights=True), \
        torch.randn(1, 3, 224, 224)


MODELS = {
    "resnet18": vision("resnet18"),
    "resnet50": vision("resnet50"),
    "mobilenet_v2": vision("mobilenet_v2"),
    "squeezenet1_1": vision("squeezenet1_1"),
    "transformer_encoder": transformer_encoder,
    "googlenet": googlenet,
    "densenet121": vision("densenet121"),
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
                      output_names=["output"], do_constant_folding=True)


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
