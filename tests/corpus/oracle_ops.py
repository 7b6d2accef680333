#!/usr/bin/env python3
"""Operator forms the ONNX node tests leave out, checked against onnxruntime.

The node tests cover a few forms of each op; kiln implements every attribute. This
builds small models of the other forms (bidirectional LSTMs with peepholes, clip,
sequence lengths and input_forget; GRU with linear_before_reset and custom
activations; RNN with parameterized activations; per-axis and int8 quantization,
grouped and padded integer convolutions, batched QLinearMatMul, Einsum forms, DFT and
STFT options, GridSample and RoiAlign modes...) and requires
kiln's reference evaluator and its GPU path (the PTX emulator with --emulator) to
match onnxruntime on random inputs: relative error < 1e-4 (float) or exactly
(integers; quantized outputs within one step, as rounding a product that lands on
.5 may differ between float orders).

  oracle_ops.py --kiln build/bin/kiln --work DIR [--emulator libkiln_ptx_emulator.so]
                [--cache DIR] [--case NAME ...]
"""
import argparse
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

F32, I64, I32, U8, I8 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32, TensorProto.UINT8, TensorProto.INT8


def model(path, nodes, inputs, outputs, inits, opset=17):
    g = helper.make_graph(nodes, "oracle", inputs, outputs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    import onnx
    onnx.save(m, path)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def recurrent(rng, op, gates, seq, batch, inp, hidden, direction="forward", layout=0, bias=True, lens=None,
              initial=True, peep=False, extra=None):
    dirs = 2 if direction == "bidirectional" else 1
    x_shape = [batch, seq, inp] if layout else [seq, batch, inp]
    state = [batch, dirs, hidden] if layout else [dirs, batch, hidden]
    inits = [const("W", rng.uniform(-0.6, 0.6, (dirs, gates * hidden, inp)).astype(np.float32)),
             const("R", rng.uniform(-0.6, 0.6, (dirs, gates * hidden, hidden)).astype(np.float32))]
    names = ["X", "W", "R"]
    names.append("B" if bias else "")
    if bias:
        inits.append(const("B", rng.uniform(-0.3, 0.3, (dirs, 2 * gates * hidden)).astype(np.float32)))
    names.append("lens" if lens is not None else "")
    if lens is not None:
        inits.append(const("lens", np.array(lens, np.int32)))
    inputs = [vi("X", F32, x_shape)]
    data = {"X": rng.uniform(-1, 1, x_shape).astype(np.float32)}
    names.append("h0" if initial else "")
    if initial:
        inputs.append(vi("h0", F32, state))
        data["h0"] = rng.uniform(-0.5, 0.5, state).astype(np.float32)
    outputs = [vi("Y", F32, None), vi("Y_h", F32, None)]
    outs = ["Y", "Y_h"]
    if op == "LSTM":
        names.append("c0" if initial else "")
        if initial:
            inputs.append(vi("c0", F32, state))
            data["c0"] = rng.uniform(-0.5, 0.5, state).astype(np.float32)
        names.append("P" if peep else "")
        if peep:
            inits.append(const("P", rng.uniform(-0.5, 0.5, (dirs, 3 * hidden)).astype(np.float32)))
        outputs.append(vi("Y_c", F32, None))
        outs.append("Y_c")
    while names and names[-1] == "":
        names.pop()
    attrs = dict(hidden_size=hidden, direction=direction, **(extra or {}))
    if layout:
        attrs["layout"] = 1
    return [helper.make_node(op, names, outs, name=op.lower(), **attrs)], inputs, outputs, inits, data


def quant_cases(rng):
    cases = {}
    x = rng.uniform(-3, 3, (2, 3, 4)).astype(np.float32)
    cases["quantize_per_axis_int8"] = (
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], axis=1)],
        [vi("x", F32, [2, 3, 4])], [vi("y", I8, None)],
        [const("s", np.array([0.02, 0.05, 0.1], np.float32)), const("z", np.array([-3, 0, 7], np.int8))], {"x": x})
    q = rng.integers(0, 256, (3, 5), dtype=np.uint8)
    cases["dequantize_per_axis_uint8"] = (
        [helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=0)],
        [vi("q", U8, [3, 5])], [vi("y", F32, None)],
        [const("s", np.array([0.5, 0.25, 2.0], np.float32)), const("z", np.array([128, 3, 200], np.uint8))], {"q": q})
    cases["dynamic_quantize"] = (
        [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])],
        [vi("x", F32, [4, 7])], [vi("y", U8, None), vi("s", F32, None), vi("z", U8, None)], [],
        {"x": rng.uniform(-2, 5, (4, 7)).astype(np.float32)})
    a = rng.integers(0, 256, (2, 5, 6), dtype=np.uint8)
    cases["matmul_integer_batched_zero_points"] = (
        [helper.make_node("MatMulInteger", ["a", "b", "za", "zb"], ["y"])],
        [vi("a", U8, [2, 5, 6])], [vi("y", I32, None)],
        [const("b", rng.integers(0, 256, (6, 4), dtype=np.uint8)), const("za", np.array(12, np.uint8)),
         const("zb", np.array([1, 2, 250, 128], np.uint8))], {"a": a})
    xc = rng.integers(0, 256, (1, 4, 7, 6), dtype=np.uint8)
    cases["conv_integer_grouped_padded"] = (
        [helper.make_node("ConvInteger", ["x", "w", "zx", "zw"], ["y"], group=2, pads=[1, 2, 1, 0], strides=[2, 1])],
        [vi("x", U8, [1, 4, 7, 6])], [vi("y", I32, None)],
        [const("w", rng.integers(0, 256, (4, 2, 3, 3), dtype=np.uint8)), const("zx", np.array(100, np.uint8)),
         const("zw", np.array(128, np.uint8))], {"x": xc})
    cases["qlinear_matmul_int8_batched"] = (
        [helper.make_node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"], ["y"])],
        [vi("a", I8, [3, 4, 8])], [vi("y", I8, None)],
        [const("sa", np.array(0.03, np.float32)), const("za", np.array(-2, np.int8)),
         const("b", rng.integers(-128, 128, (8, 5), dtype=np.int8)), const("sb", np.array(0.02, np.float32)),
         const("zb", np.array(1, np.int8)), const("sy", np.array(0.05, np.float32)), const("zy", np.array(-4, np.int8))],
        {"a": rng.integers(-128, 128, (3, 4, 8), dtype=np.int8)})
    cases["qlinear_conv_per_channel_bias"] = (
        [helper.make_node("QLinearConv", ["x", "sx", "zx", "w", "sw", "zw", "sy", "zy", "bias"], ["y"], pads=[1, 1, 1, 1])],
        [vi("x", U8, [1, 3, 6, 6])], [vi("y", U8, None)],
        [const("sx", np.array(0.02, np.float32)), const("zx", np.array(120, np.uint8)),
         const("w", rng.integers(0, 256, (4, 3, 3, 3), dtype=np.uint8)),
         const("sw", np.array([0.01, 0.02, 0.015, 0.03], np.float32)), const("zw", np.array([128, 127, 126, 130], np.uint8)),
         const("sy", np.array(0.4, np.float32)), const("zy", np.array(128, np.uint8)),
         const("bias", rng.integers(-500, 500, (4,), dtype=np.int32))],
        {"x": rng.integers(0, 256, (1, 3, 6, 6), dtype=np.uint8)})
    return cases


def signal_sampling_cases(rng):
    """Einsum forms, Det, DFT/STFT options, MelWeightMatrix with run-time edges, GridSample
    modes and paddings, RoiAlign max/avg with both coordinate rules, MaxUnpool's
    output_shape (where onnxruntime and PyTorch place indices in the output's own frame)."""
    cases = {}

    def f32(*shape, lo=-1.0, hi=1.0):
        return rng.uniform(lo, hi, shape).astype(np.float32)

    for name, eq, shapes in [("einsum_batch_matmul", "bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
                             ("einsum_batch_diagonal", "bii->bi", [(3, 4, 4)]),
                             ("einsum_outer_ellipsis", "...i,...j->...ij", [(2, 3), (2, 4)]),
                             ("einsum_implicit_trace_sum", "ij,jk", [(3, 4), (4, 2)]),
                             ("einsum_full_sum", "ijk->", [(2, 3, 4)])]:
        names = [f"x{i}" for i in range(len(shapes))]
        cases[name] = ([helper.make_node("Einsum", names, ["y"], equation=eq)],
                       [vi(n, F32, list(sh)) for n, sh in zip(names, shapes)], [vi("y", F32, None)], [],
                       {n: f32(*sh) for n, sh in zip(names, shapes)})
    cases["det_batched"] = ([helper.make_node("Det", ["x"], ["y"])], [vi("x", F32, [2, 3, 4, 4])],
                            [vi("y", F32, None)], [], {"x": f32(2, 3, 4, 4, lo=-2, hi=2)})
    cases["dft_onesided_padded"] = (
        [helper.make_node("DFT", ["x", "n"], ["y"], axis=1, onesided=1)], [vi("x", F32, [2, 10, 1])],
        [vi("y", F32, None)], [const("n", np.array(12, np.int64))], {"x": f32(2, 10, 1)})
    cases["dft_inverse_complex_truncated"] = (
        [helper.make_node("DFT", ["x", "n"], ["y"], axis=1, inverse=1)], [vi("x", F32, [1, 9, 3, 2])],
        [vi("y", F32, None)], [const("n", np.array(7, np.int64))], {"x": f32(1, 9, 3, 2)})
    cases["stft_hann_onesided"] = (
        [helper.make_node("STFT", ["s", "step", "w"], ["y"], onesided=1)], [vi("s", F32, [2, 64, 1])],
        [vi("y", F32, None)],
        [const("step", np.array(6, np.int64)),
         const("w", (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(16) / 16)).astype(np.float32))], {"s": f32(2, 64, 1)})
    cases["mel_weight_matrix_runtime_edges"] = (
        [helper.make_node("MelWeightMatrix", ["bins", "len", "rate", "lo", "hi"], ["y"])],
        [vi("lo", F32, []), vi("hi", F32, [])], [vi("y", F32, None)],
        [const("bins", np.array(8, np.int64)), const("len", np.array(64, np.int64)),
         const("rate", np.array(16000, np.int64))],
        {"lo": np.array(100.0, np.float32), "hi": np.array(7000.0, np.float32)})
    x = f32(2, 3, 5, 6)
    for mode, pad, align in [("bilinear", "zeros", 0), ("nearest", "border", 0), ("bicubic", "reflection", 1),
                             ("bilinear", "reflection", 0), ("bicubic", "zeros", 0)]:
        cases[f"grid_sample_{mode}_{pad}_align{align}"] = (
            [helper.make_node("GridSample", ["x", "g"], ["y"], mode=mode, padding_mode=pad, align_corners=align)],
            [vi("x", F32, [2, 3, 5, 6]), vi("g", F32, [2, 4, 7, 2])], [vi("y", F32, None)], [],
            {"x": x, "g": f32(2, 4, 7, 2, lo=-1.3, hi=1.3)})
    img = f32(2, 3, 12, 10, lo=0, hi=4)
    rois = np.array([[0.5, 1.0, 7.5, 9.0], [2.0, 0.0, 9.5, 6.0], [0.0, 0.0, 9.0, 11.0]], np.float32)
    for mode, ctm, ratio in [("max", "half_pixel", 2), ("avg", "output_half_pixel", 0), ("avg", "half_pixel", 3)]:
        cases[f"roi_align_{mode}_{ctm}_ratio{ratio}"] = (
            [helper.make_node("RoiAlign", ["x", "rois", "idx"], ["y"], mode=mode, coordinate_transformation_mode=ctm,
                              sampling_ratio=ratio, output_height=3, output_width=4, spatial_scale=0.8)],
            [vi("x", F32, [2, 3, 12, 10])], [vi("y", F32, None)],
            [const("rois", rois), const("idx", np.array([1, 0, 1], np.int64))], {"x": img})
    cases["max_unpool_output_shape"] = (
        [helper.make_node("MaxUnpool", ["x", "i", "shape"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
        [vi("x", F32, [1, 2, 2, 2])], [vi("y", F32, None)],
        [const("i", rng.permutation(50)[:8].reshape(1, 2, 2, 2).astype(np.int64)),
         const("shape", np.array([1, 2, 5, 5], np.int64))], {"x": f32(1, 2, 2, 2)})
    return cases


def cases():
    rng = np.random.default_rng(7)
    out = {}
    out["lstm_bidirectional_peepholes_clip_lens"] = recurrent(
        rng, "LSTM", 4, 5, 3, 4, 6, direction="bidirectional", lens=[5, 2, 4], peep=True, extra=dict(clip=1.5))
    # onnxruntime refuses layout 1 (batch first); the node tests' *_batchwise cover it.
    out["lstm_reverse_input_forget"] = recurrent(
        rng, "LSTM", 4, 4, 2, 3, 5, direction="reverse", extra=dict(input_forget=1))
    out["lstm_activations_alpha_beta"] = recurrent(
        rng, "LSTM", 4, 3, 2, 3, 4, extra=dict(activations=["HardSigmoid", "LeakyRelu", "ScaledTanh"],
                                              activation_alpha=[0.3, 0.05, 0.9], activation_beta=[0.45, 1.2]))
    out["gru_bidirectional_linear_before_reset"] = recurrent(
        rng, "GRU", 3, 4, 2, 3, 5, direction="bidirectional", lens=[4, 3], extra=dict(linear_before_reset=1))
    out["gru_activations_no_initial_state"] = recurrent(
        rng, "GRU", 3, 3, 2, 4, 3, initial=False,
        extra=dict(activations=["Sigmoid", "Softsign"]))
    out["rnn_bidirectional_activations"] = recurrent(
        rng, "RNN", 1, 6, 2, 3, 4, direction="bidirectional",
        extra=dict(activations=["Relu", "Affine"], activation_alpha=[0.7], activation_beta=[0.1]))
    out["rnn_elu_clip_lens"] = recurrent(
        rng, "RNN", 1, 5, 3, 2, 4, lens=[1, 5, 3], bias=False, extra=dict(activations=["Elu"], activation_alpha=[0.5],
                                                                         clip=0.8))
    out.update(quant_cases(rng))
    out.update(signal_sampling_cases(rng))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--emulator")
    ap.add_argument("--cache", default=os.environ.get("KILN_CORPUS_CACHE", os.path.expanduser("~/.cache/kiln/corpus")))
    ap.add_argument("--case", action="append")
    args = ap.parse_args()
    ort = corpus.fetch(args.cache)
    os.makedirs(args.work, exist_ok=True)
    env = dict(os.environ)
    if args.emulator:
        env["KILN_CUDA_LIBRARY"] = args.emulator
    failures, skipped = 0, False
    all_cases = cases()
    for name in args.case or sorted(all_cases):
        nodes, inputs, outputs, inits, data = all_cases[name]
        folder = os.path.join(args.work, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "model.onnx")
        model(path, nodes, inputs, outputs, inits)
        input_args = []
        for n, a in data.items():
            f = os.path.join(folder, n + ".npy")
            np.save(f, a)
            input_args += ["--input", f"{n}={f}"]
        problems = []
        try:
            want = corpus.run_ort(ort, path, data, os.path.join(folder, "ort"))
            code, out, _ = corpus.run([args.kiln, "run", path, "--reference", "--output-dir",
                                       os.path.join(folder, "ref")] + input_args)
            if code != 0:
                raise RuntimeError(f"kiln run --reference failed:\n{out}")
            paths = {"reference": corpus.kiln_outputs(out)}
            plan = os.path.join(folder, "model.kiln")
            code, out, _ = corpus.run([args.kiln, "compile", path, "-o", plan])
            if code != 0:
                raise RuntimeError(f"kiln compile failed:\n{out}")
            code, out, _ = corpus.run([args.kiln, "run", plan, "--output-dir", os.path.join(folder, "gpu")] + input_args,
                                      env=env)
            if code == 77:
                skipped = True
            elif code != 0:
                raise RuntimeError(f"kiln run failed:\n{out}")
            else:
                paths["gpu"] = corpus.kiln_outputs(out)
            for path_name, outs in paths.items():
                if len(outs) != len(want):
                    raise RuntimeError(f"{path_name}: {len(outs)} outputs, onnxruntime {len(want)}")
                for i, (got, expected) in enumerate(zip(outs, want)):
                    if got.shape != expected.shape:
                        problems.append(f"{path_name} output {i}: shape {got.shape} vs {expected.shape}")
                    elif np.issubdtype(expected.dtype, np.floating):
                        rel, max_abs, problem = corpus.compare(got, expected)
                        if problem:
                            problems.append(f"{path_name} output {i}: rel {rel:.2e} max abs {max_abs:.2e}")
                    else:
                        diff = np.abs(got.astype(np.int64) - expected.astype(np.int64))
                        limit = 1 if name.startswith("qlinear") else 0
                        if diff.max(initial=0) > limit:
                            problems.append(f"{path_name} output {i}: integers differ by up to {diff.max()}")
        except RuntimeError as e:
            problems.append(str(e))
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok':4} {name}" + "".join("\n     " + p[:3000] for p in problems), flush=True)
    print(f"oracle_ops: {len(args.case or all_cases)} cases, {failures} failing")
    return 1 if failures else (77 if skipped else 0)


if __name__ == "__main__":
    sys.exit(main())
