// The (op_type, since_version) table and the hooks that turn older opset forms
// (attributes that later became inputs, renamed ops) into kiln's opset-17 form.
#include "compiler/Import/OpTable.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"
#include "compiler/Import/TensorImport.h"
#include "kiln_onnx.pb.h"

#include "llvm/ADT/StringMap.h"
#include <limits>

using namespace mlir;
using namespace ::kiln;

//===----------------------------------------------------------------------===//
// NodeImport helpers
//===----------------------------------------------------------------------===//

Value NodeImport::constantI64(ArrayRef<int64_t> values, bool scalar) {
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(values.size());
  auto type = RankedTensorType::get(shape, builder.getI64Type());
  return mlir::kiln::ConstantOp::create(builder, loc, DenseElementsAttr::get(type, values));
}

Value NodeImport::scalarOf(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute element;
  if (auto f = dyn_cast<FloatType>(elementType)) {
    APFloat v(value);
    bool lost;
    v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    element = FloatAttr::get(f, v);
  } else {
    element = IntegerAttr::get(elementType, static_cast<int64_t>(value));
  }
  return mlir::kiln::ConstantOp::create(builder, loc, DenseElementsAttr::get(type, element));
}

Attribute NodeImport::take(StringRef name) {
  Attribute a = attributes.get(name);
  if (a)
    attributes.erase(name);
  return a;
}

LogicalResult NodeImport::operandToAttr(unsigned index, StringRef attr) {
  if (index >= operands.size())
    return success();
  Value v = operands[index];
  operands.erase(operands.begin() + index);
  if (mlir::kiln::shape::isAbsent(v))
    return success();
  auto values = mlir::kiln::shape::constantInts(v);
  if (!values)
    return error() << "input #" << index << " ('" << attr
                   << "') must be a constant: kiln needs it at compile time";
  attributes.set(attr, builder.getDenseI64ArrayAttr(*values));
  return success();
}

//===----------------------------------------------------------------------===//
// Hooks
//===----------------------------------------------------------------------===//

namespace {

Type elementOf(Value v) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    return t.getElementType();
  return {};
}

// Constant: value / value_float(s) / value_int(s) -> `value`.
LogicalResult importConstant(NodeImport &n) {
  NamedAttrList original = n.attributes;
  n.attributes = NamedAttrList();
  if (std::distance(original.begin(), original.end()) != 1)
    return n.error() << "Constant needs exactly one value attribute";
  NamedAttribute only = original.begin()[0];
  StringRef name = only.getName();
  Attribute a = only.getValue();
  Builder &b = n.builder;
  ElementsAttr value;
  // The attribute's kind must match its name; a model that says value_int but holds a
  // list (or anything else) is malformed and gets an error, not a misread.
  auto kindError = [&](StringRef kind) {
    return n.error() << "Constant attribute '" << name << "' must be " << kind;
  };
  if (name == "value") {
    value = dyn_cast<ElementsAttr>(a);
  } else if (name == "value_float") {
    auto f = dyn_cast<FloatAttr>(a);
    if (!f)
      return kindError("a float");
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), f.getValue());
  } else if (name == "value_floats") {
    auto floats = dyn_cast<DenseF32ArrayAttr>(a);
    if (!floats)
      return kindError("a list of floats");
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(floats.size())}, b.getF32Type()),
        floats.asArrayRef());
  } else if (name == "value_int") {
    auto i = dyn_cast<IntegerAttr>(a);
    if (!i)
      return kindError("an integer");
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), i.getInt());
  } else if (name == "value_ints") {
    auto ints = dyn_cast<DenseI64ArrayAttr>(a);
    if (!ints)
      return kindError("a list of integers");
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(ints.size())}, b.getI64Type()),
        ints.asArrayRef());
  }
  if (!value)
    return n.error() << "Constant attribute '" << name
                     << "' is not supported (strings and sparse tensors are not)";
  n.attributes.set("value", value);
  return success();
}

// Cast's `to` (an ONNX data type code; a type name in Cast-1) -> a type attribute.
LogicalResult importDataTypeAttr(NodeImport &n, StringRef attr) {
  Attribute a = n.take(attr);
  if (!a)
    return success();
  int code = -1;
  if (auto i = dyn_cast<IntegerAttr>(a)) {
    code = static_cast<int>(i.getInt());
  } else if (auto s = dyn_cast<StringAttr>(a)) {
    for (int c = 0; c <= 16; ++c)
      if (dataTypeName(c) == s.getValue())
        code = c;
  }
  std::string error;
  Type type = importElementType(*n.builder.getContext(), code, error);
  if (!type)
    return n.error() << attr << ": " << error;
  n.attributes.set(attr, TypeAttr::get(type));
  return success();
}
LogicalResult importCast(NodeImport &n) {
  n.take("saturate");
  return importDataTypeAttr(n, "to");
}
LogicalResult importEyeLike(NodeImport &n) { return importDataTypeAttr(n, "dtype"); }

// ReduceSum-13, Squeeze-13, Unsqueeze-13: constant `axes` input -> attribute.
LogicalResult axesInputToAttr(NodeImport &n) { return n.operandToAttr(1, "axes"); }
// Split-13: constant `split` input -> attribute.
LogicalResult splitInputToAttr(NodeImport &n) { return n.operandToAttr(1, "split"); }

// Slice-1: starts/ends/axes attributes -> constant inputs.
LogicalResult sliceAttrsToInputs(NodeImport &n) {
  auto ints = [&](StringRef name) -> std::optional<ArrayRef<int64_t>> {
    if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(n.attributes.get(name)))
      return a.asArrayRef();
    return std::nullopt;
  };
  auto starts = ints("starts"), ends = ints("ends"), axes = ints("axes");
  if (!starts || !ends)
    return n.error() << "Slice-1 needs 'starts' and 'ends'";
  Value s = n.constantI64(*starts), e = n.constantI64(*ends);
  Value a = axes ? n.constantI64(*axes) : n.none;
  n.take("starts");
  n.take("ends");
  n.take("axes");
  n.operands = {n.operands[0], s, e, a, n.none};
  return success();
}

// Clip-6: min/max attributes -> scalar inputs of the input's element type.
LogicalResult clipAttrsToInputs(NodeImport &n) {
  Type element = elementOf(n.operands[0]);
  if (!element)
    return n.error() << "Clip needs an input";
  auto bound = [&](StringRef name) -> Value {
    if (auto f = dyn_cast_or_null<FloatAttr>(n.take(name)))
      return n.scalarOf(element, f.getValueAsDouble());
    return n.none;
  };
  Value lo = bound("min"), hi = bound("max");
  n.operands = {n.operands[0], lo, hi};
  return success();
}

// Pad-2: pads/value attributes -> inputs.
LogicalResult padAttrsToInputs(NodeImport &n) {
  Type element = elementOf(n.operands[0]);
  auto pads = dyn_cast_or_null<DenseI64ArrayAttr>(n.take("pads"));
  if (!element || !pads)
    return n.error() << "Pad-2 needs an input and 'pads'";
  double value = 0;
  if (auto f = dyn_cast_or_null<FloatAttr>(n.take("value")))
    value = f.getValueAsDouble();
  n.operands = {n.operands[0], n.constantI64(pads.asArrayRef()), n.scalarOf(element, value),
                n.none};
  return success();
}

// Dropout-1..10: inference-only attributes go; ratio/training_mode inputs are absent.
LogicalResult legacyDropout(NodeImport &n) {
  n.take("ratio");
  n.take("is_test");
  n.take("consumed_inputs");
  n.operands.resize(1);
  n.operands.append({n.none, n.none});
  return success();
}

// Softmax/LogSoftmax/Hardmax before opset 13 flatten the input to 2-D at `axis`
// (default 1). That equals the opset-13 op only when `axis` is the last axis.
LogicalResult legacySoftmax(NodeImport &n) {
  auto type = dyn_cast<RankedTensorType>(n.operands[0].getType());
  if (!type)
    return n.error() << "needs an input";
  int64_t axis = 1;
  if (auto a = dyn_cast_or_null<IntegerAttr>(n.attributes.get("axis")))
    axis = a.getInt();
  int64_t rank = type.getRank();
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized != rank - 1)
    return n.error() << "opset-" << n.opset << " semantics (the input coerced to 2-D at axis "
                     << axis << ") are supported only when axis is the last of rank " << rank
                     << "; re-export the model with opset 13 or later";
  n.attributes.set("axis", n.builder.getI64IntegerAttr(normalized));
  return success();
}

// Upsample-7/9 and Resize-10: nearest/linear resize with asymmetric coordinates.
LogicalResult upsampleToResize(NodeImport &n) {
  Value scales;
  if (auto attr = dyn_cast_or_null<DenseF32ArrayAttr>(n.take("scales"))) {
    auto floats = attr.asArrayRef();
    auto type = RankedTensorType::get({static_cast<int64_t>(floats.size())},
                                      n.builder.getF32Type());
    scales = mlir::kiln::ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(type, floats));
  } else if (n.operands.size() > 1) {
    scales = n.operands[1];
  }
  if (!scales || mlir::kiln::shape::isAbsent(scales))
    return n.error() << "needs scales";
  std::string mode = "nearest";
  if (auto m = dyn_cast_or_null<StringAttr>(n.take("mode")))
    mode = m.getValue() == "bilinear" ? "linear" : m.getValue().str();
  n.opName = "kiln.resize";
  n.operands = {n.operands[0], n.none, scales, n.none};
  n.attributes.set("mode", n.builder.getStringAttr(mode));
  n.attributes.set("coordinate_transformation_mode", n.builder.getStringAttr("asymmetric"));
  n.attributes.set("nearest_mode", n.builder.getStringAttr("floor"));
  return success();
}

// BatchNormalization-6/7/9: only the inference form (one output, spatial=1).
LogicalResult legacyBatchNorm(NodeImport &n) {
  if (n.node.output_size() > 1)
    return n.error() << "training-mode BatchNormalization (more than one output) is not supported";
  if (auto spatial = dyn_cast_or_null<IntegerAttr>(n.take("spatial")); spatial && spatial.getInt() != 1)
    return n.error() << "BatchNormalization with spatial=0 is not supported";
  n.take("is_test");
  n.take("consumed_inputs");
  return success();
}

// TopK-1: attribute k -> a one-element input.
LogicalResult topKAttrToInput(NodeImport &n) {
  auto k = dyn_cast_or_null<IntegerAttr>(n.take("k"));
  if (!k)
    return n.error() << "TopK-1 needs 'k'";
  n.operands = {n.operands[0], n.constantI64({k.getInt()})};
  return success();
}

// Reshape-1: attribute shape -> input.
LogicalResult reshapeAttrToInput(NodeImport &n) {
  auto shape = dyn_cast_or_null<DenseI64ArrayAttr>(n.take("shape"));
  if (!shape)
    return n.error() << "Reshape-1 needs 'shape'";
  n.take("consumed_inputs");
  n.operands = {n.operands[0], n.constantI64(shape.asArrayRef())};
  return success();
}

// Gemm-6: the legacy `broadcast` flag is implied by later semantics.
LogicalResult legacyGemm(NodeImport &n) {
  n.take("broadcast");
  return success();
}

// DFT-20: the axis became an optional input (default -2); it must be a constant.
LogicalResult dftAxisInputToAttr(NodeImport &n) {
  int64_t axis = -2;
  if (n.operands.size() > 2) {
    Value v = n.operands[2];
    n.operands.pop_back();
    if (!mlir::kiln::shape::isAbsent(v)) {
      auto values = mlir::kiln::shape::constantInts(v);
      if (!values || values->size() != 1)
        return n.error() << "DFT's axis input must be a constant scalar: kiln needs it at compile time";
      axis = (*values)[0];
    }
  }
  n.attributes.set("axis", n.builder.getI64IntegerAttr(axis));
  return success();
}

// GridSample-20 renamed its modes (linear, cubic) and allowed N-d grids; kiln samples 2-d.
LogicalResult gridSampleModes(NodeImport &n) {
  if (auto mode = dyn_cast_or_null<StringAttr>(n.attributes.get("mode"))) {
    StringRef m = mode.getValue();
    StringRef renamed = m == "linear" ? "bilinear" : m == "cubic" ? "bicubic" : m;
    n.attributes.set("mode", n.builder.getStringAttr(renamed));
  }
  return success();
}

// RoiAlign-10 had no coordinate_transformation_mode: it behaved as output_half_pixel.
LogicalResult legacyRoiAlign(NodeImport &n) {
  n.attributes.set("coordinate_transformation_mode", n.builder.getStringAttr("output_half_pixel"));
  return success();
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

// Shorthands: U = unary, B = binary, V = variadic.
#define U(TYPE, SINCE, NAME) {TYPE, SINCE, NAME, 1, 1, 1, "", nullptr}
#define B(TYPE, SINCE, NAME) {TYPE, SINCE, NAME, 2, 2, 1, "", nullptr}
#define V(TYPE, SINCE, NAME) {TYPE, SINCE, NAME, -1, 1, 1, "", nullptr}

const OpImportRule kRules[] = {
    // Elementwise unary (version 1 forms carried the obsolete consumed_inputs).
    U("Abs", 6, "kiln.abs"), U("Neg", 6, "kiln.neg"), U("Sign", 9, "kiln.sign"),
    U("Relu", 6, "kiln.relu"), U("Ceil", 6, "kiln.ceil"), U("Floor", 6, "kiln.floor"),
    U("Round", 11, "kiln.round"), U("Sqrt", 6, "kiln.sqrt"), U("Exp", 6, "kiln.exp"),
    U("Log", 6, "kiln.log"), U("Erf", 9, "kiln.erf"), U("Tanh", 6, "kiln.tanh"),
    U("Sigmoid", 6, "kiln.sigmoid"), U("Sin", 7, "kiln.sin"), U("Cos", 7, "kiln.cos"),
    U("Tan", 7, "kiln.tan"), U("Asin", 7, "kiln.asin"), U("Acos", 7, "kiln.acos"),
    U("Atan", 7, "kiln.atan"), U("Sinh", 9, "kiln.sinh"), U("Cosh", 9, "kiln.cosh"),
    U("Asinh", 9, "kiln.asinh"), U("Acosh", 9, "kiln.acosh"), U("Atanh", 9, "kiln.atanh"),
    U("Reciprocal", 6, "kiln.reciprocal"), U("Softplus", 1, "kiln.softplus"),
    U("Softsign", 1, "kiln.softsign"), U("HardSwish", 14, "kiln.hard_swish"),
    U("Not", 1, "kiln.not"), U("Identity", 1, "kiln.identity"),
    U("LeakyRelu", 6, "kiln.leaky_relu"), U("Elu", 6, "kiln.elu"), U("Selu", 6, "kiln.selu"),
    U("Celu", 12, "kiln.celu"), U("HardSigmoid", 6, "kiln.hard_sigmoid"),
    U("ThresholdedRelu", 10, "kiln.thresholded_relu"), U("Shrink", 9, "kiln.shrink"),
    U("IsNaN", 9, "kiln.is_nan"), U("IsInf", 10, "kiln.is_inf"),
    {"Cast", 6, "kiln.cast", 1, 1, 1, "to", importCast},
    {"CastLike", 15, "kiln.cast_like", 2, 2, 1, "", nullptr},
    {"Clip", 6, "kiln.clip", 1, 1, 1, "", clipAttrsToInputs},
    {"Clip", 11, "kiln.clip", 3, 1, 1, "", nullptr},

    // Elementwise binary with NumPy broadcasting (opset 7+), variadic, select.
    B("Add", 7, "kiln.add"), B("Sub", 7, "kiln.sub"), B("Mul", 7, "kiln.mul"),
    B("Div", 7, "kiln.div"), B("Mod", 10, "kiln.mod"), B("Pow", 7, "kiln.pow"),
    {"BitShift", 11, "kiln.bit_shift", 2, 2, 1, "direction", nullptr},
    B("And", 7, "kiln.and"), B("Or", 7, "kiln.or"), B("Xor", 7, "kiln.xor"),
    B("PRelu", 7, "kiln.prelu"), B("Equal", 7, "kiln.equal"), B("Less", 7, "kiln.less"),
    B("LessOrEqual", 12, "kiln.less_or_equal"), B("Greater", 7, "kiln.greater"),
    B("GreaterOrEqual", 12, "kiln.greater_or_equal"),
    V("Max", 6, "kiln.max"), V("Min", 6, "kiln.min"), V("Sum", 6, "kiln.sum"),
    V("Mean", 6, "kiln.mean"),
    {"Where", 9, "kiln.where", 3, 3, 1, "", nullptr},

    // Reductions and rows.
    U("ReduceSum", 1, "kiln.reduce_sum"),
    {"ReduceSum", 13, "kiln.reduce_sum", 2, 1, 1, "", axesInputToAttr},
    U("ReduceMean", 1, "kiln.reduce_mean"), U("ReduceMax", 1, "kiln.reduce_max"),
    U("ReduceMin", 1, "kiln.reduce_min"), U("ReduceProd", 1, "kiln.reduce_prod"),
    U("ReduceL1", 1, "kiln.reduce_l1"), U("ReduceL2", 1, "kiln.reduce_l2"),
    U("ReduceLogSum", 1, "kiln.reduce_log_sum"),
    U("ReduceLogSumExp", 1, "kiln.reduce_log_sum_exp"),
    U("ReduceSumSquare", 1, "kiln.reduce_sum_square"),
    U("ArgMax", 1, "kiln.arg_max"), U("ArgMin", 1, "kiln.arg_min"),
    {"Softmax", 1, "kiln.softmax", 1, 1, 1, "", legacySoftmax},
    U("Softmax", 13, "kiln.softmax"),
    {"LogSoftmax", 1, "kiln.log_softmax", 1, 1, 1, "", legacySoftmax},
    U("LogSoftmax", 13, "kiln.log_softmax"),
    {"Hardmax", 1, "kiln.hardmax", 1, 1, 1, "", legacySoftmax},
    U("Hardmax", 13, "kiln.hardmax"),
    {"CumSum", 11, "kiln.cum_sum", 2, 2, 1, "", nullptr},
    {"TopK", 1, "kiln.top_k", 1, 2, 2, "", topKAttrToInput},
    {"TopK", 10, "kiln.top_k", 2, 2, 2, "", nullptr},

    // Normalization.
    {"LayerNormalization", 17, "kiln.layer_normalization", 3, 2, 3, "", nullptr},
    {"BatchNormalization", 6, "kiln.batch_normalization", 5, 5, 3, "", legacyBatchNorm},
    {"BatchNormalization", 14, "kiln.batch_normalization", 5, 5, 3, "", nullptr},
    {"InstanceNormalization", 6, "kiln.instance_normalization", 3, 3, 1, "", nullptr},
    {"LRN", 1, "kiln.lrn", 1, 1, 1, "size", nullptr},
    U("MeanVarianceNormalization", 9, "kiln.mean_variance_normalization"),
    {"Dropout", 1, "kiln.dropout", 1, 1, 2, "", legacyDropout},
    {"Dropout", 12, "kiln.dropout", 3, 1, 2, "", nullptr},

    // Quantization (the axis attribute of Quantize/DequantizeLinear since 13).
    {"QuantizeLinear", 10, "kiln.quantize_linear", 3, 2, 1, "", nullptr},
    {"DequantizeLinear", 10, "kiln.dequantize_linear", 3, 2, 1, "", nullptr},
    {"DynamicQuantizeLinear", 11, "kiln.dynamic_quantize_linear", 1, 1, 3, "", nullptr},
    {"MatMulInteger", 10, "kiln.matmul_integer", 4, 2, 1, "", nullptr},
    {"ConvInteger", 10, "kiln.conv_integer", 4, 2, 1, "", nullptr},
    {"QLinearMatMul", 10, "kiln.qlinear_matmul", 8, 8, 1, "", nullptr},
    {"QLinearConv", 10, "kiln.qlinear_conv", 9, 8, 1, "", nullptr},

    // Recurrent layers (layout since 14).
    {"RNN", 7, "kiln.rnn", 6, 3, 2, "", nullptr},
    {"GRU", 7, "kiln.gru", 6, 3, 2, "", nullptr},
    {"LSTM", 7, "kiln.lstm", 8, 3, 3, "", nullptr},

    // Linear algebra, signal processing, sampling.
    {"Einsum", 12, "kiln.einsum", -1, 1, 1, "equation", nullptr},
    U("Det", 11, "kiln.det"),
    {"DFT", 17, "kiln.dft", 2, 1, 1, "", nullptr},
    {"DFT", 20, "kiln.dft", 3, 1, 1, "", dftAxisInputToAttr},
    {"STFT", 17, "kiln.stft", 4, 2, 1, "", nullptr},
    U("HannWindow", 17, "kiln.hann_window"), U("HammingWindow", 17, "kiln.hamming_window"),
    U("BlackmanWindow", 17, "kiln.blackman_window"),
    {"MelWeightMatrix", 17, "kiln.mel_weight_matrix", 5, 5, 1, "", nullptr},
    B("GridSample", 16, "kiln.grid_sample"),
    {"GridSample", 20, "kiln.grid_sample", 2, 2, 1, "", gridSampleModes},
    {"RoiAlign", 10, "kiln.roi_align", 3, 3, 1, "", legacyRoiAlign},
    {"RoiAlign", 16, "kiln.roi_align", 3, 3, 1, "", nullptr},
    {"MaxUnpool", 9, "kiln.max_unpool", 3, 2, 1, "kernel_shape", nullptr},

    // Contractions, convolutions, pooling.
    B("MatMul", 1, "kiln.matmul"),
    {"Gemm", 6, "kiln.gemm", 3, 3, 1, "", legacyGemm},
    {"Gemm", 7, "kiln.gemm", 3, 3, 1, "", nullptr},
    {"Gemm", 11, "kiln.gemm", 3, 2, 1, "", nullptr},
    {"Conv", 1, "kiln.conv", 3, 2, 1, "", nullptr},
    {"ConvTranspose", 1, "kiln.conv_transpose", 3, 2, 1, "", nullptr},
    {"MaxPool", 1, "kiln.max_pool", 1, 1, 2, "kernel_shape", nullptr},
    {"AveragePool", 1, "kiln.average_pool", 1, 1, 1, "kernel_shape", nullptr},
    U("GlobalAveragePool", 1, "kiln.global_average_pool"),
    U("GlobalMaxPool", 1, "kiln.global_max_pool"),

    // Shapes and data movement.
    U("Shape", 1, "kiln.shape"), U("Size", 1, "kiln.size"),
    {"Reshape", 1, "kiln.reshape", 1, 2, 1, "", reshapeAttrToInput},
    B("Reshape", 5, "kiln.reshape"),
    U("Flatten", 1, "kiln.flatten"), U("Transpose", 1, "kiln.transpose"),
    U("Squeeze", 1, "kiln.squeeze"),
    {"Squeeze", 13, "kiln.squeeze", 2, 1, 1, "", axesInputToAttr},
    {"Unsqueeze", 1, "kiln.unsqueeze", 1, 1, 1, "axes", nullptr},
    {"Unsqueeze", 13, "kiln.unsqueeze", 2, 1, 1, "axes", axesInputToAttr},
    {"Concat", 4, "kiln.concat", -1, 1, 1, "axis", nullptr},
    {"Split", 2, "kiln.split", 1, 1, -1, "", nullptr},
    {"Split", 13, "kiln.split", 2, 1, -1, "", splitInputToAttr},
    {"Slice", 1, "kiln.slice", 1, 3, 1, "", sliceAttrsToInputs},
    {"Slice", 10, "kiln.slice", 5, 3, 1, "", nullptr},
    B("Gather", 1, "kiln.gather"), B("GatherElements", 11, "kiln.gather_elements"),
    B("GatherND", 11, "kiln.gather_nd"),
    {"ScatterND", 11, "kiln.scatter_nd", 3, 3, 1, "", nullptr},
    {"ScatterElements", 11, "kiln.scatter_elements", 3, 3, 1, "", nullptr},
    {"Scatter", 9, "kiln.scatter_elements", 3, 3, 1, "", nullptr},
    B("Expand", 8, "kiln.expand"), B("Tile", 6, "kiln.tile"),
    {"Pad", 2, "kiln.pad", 1, 2, 1, "", padAttrsToInputs},
    {"Pad", 11, "kiln.pad", 4, 2, 1, "", nullptr},
    U("ConstantOfShape", 9, "kiln.constant_of_shape"),
    {"Range", 11, "kiln.range", 3, 3, 1, "", nullptr},
    {"DepthToSpace", 1, "kiln.depth_to_space", 1, 1, 1, "blocksize", nullptr},
    {"SpaceToDepth", 1, "kiln.space_to_depth", 1, 1, 1, "blocksize", nullptr},
    {"Trilu", 14, "kiln.trilu", 2, 1, 1, "", nullptr},
    {"OneHot", 9, "kiln.one_hot", 3, 3, 1, "", nullptr},
    {"EyeLike", 9, "kiln.eye_like", 1, 1, 1, "", importEyeLike},
    {"ReverseSequence", 10, "kiln.reverse_sequence", 2, 2, 1, "", nullptr},
    {"Upsample", 7, "kiln.resize", 1, 1, 1, "", upsampleToResize},
    {"Upsample", 9, "kiln.resize", 2, 1, 1, "", upsampleToResize},
    {"Resize", 10, "kiln.resize", 2, 1, 1, "", upsampleToResize},
    {"Resize", 11, "kiln.resize", 4, 1, 1, "", nullptr},
    {"Constant", 1, "kiln.constant", 0, 0, 1, "", importConstant},

    // Losses.
    {"NegativeLogLikelihoodLoss", 12, "kiln.negative_log_likelihood_loss", 3, 2, 1, "", nullptr},
    {"SoftmaxCrossEntropyLoss", 12, "kiln.softmax_cross_entropy_loss", 3, 2, 2, "", nullptr},
};
#undef U
#undef B
#undef V

} // namespace

const OpImportRule *::kiln::findImportRule(StringRef opType, int64_t opset) {
  // Rules of one type are listed in ascending since_version.
  const OpImportRule *best = nullptr;
  for (const OpImportRule &rule : kRules)
    if (opType == rule.onnxType && rule.sinceVersion <= opset)
      best = &rule;
  return best;
}

ArrayRef<OpImportRule> (::kiln::allImportRules)() { return kRules; }
