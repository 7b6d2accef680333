// Shape inference of the signal-processing ops: DFT, STFT, the Hann, Hamming and Blackman windows, MelWeightMatrix.
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::shape;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// The single integer a scalar (or one-element) operand holds when it is a constant.
std::optional<int64_t> scalarInt(Value v) {
  if (isAbsent(v))
    return std::nullopt;
  auto values = constantInts(v);
  if (!values || values->size() != 1)
    return std::nullopt;
  return (*values)[0];
}

/// The element type an ONNX TensorProto.DataType number names (output_datatype).
FailureOr<Type> dataType(Operation *op, int64_t code) {
  MLIRContext *ctx = op->getContext();
  auto uint = [&](unsigned w) { return IntegerType::get(ctx, w, IntegerType::Unsigned); };
  switch (code) {
  case 1: return Type(Float32Type::get(ctx));
  case 2: return Type(uint(8));
  case 3: return Type(IntegerType::get(ctx, 8));
  case 4: return Type(uint(16));
  case 5: return Type(IntegerType::get(ctx, 16));
  case 6: return Type(IntegerType::get(ctx, 32));
  case 7: return Type(IntegerType::get(ctx, 64));
  case 10: return Type(Float16Type::get(ctx));
  case 11: return Type(Float64Type::get(ctx));
  case 12: return Type(uint(32));
  case 13: return Type(uint(64));
  case 16: return Type(BFloat16Type::get(ctx));
  default: return op->emitOpError() << "output_datatype " << code << " is not a numeric ONNX type";
  }
}

LogicalResult checkScalarOperand(Operation *op, Value v, StringRef what) {
  if (isAbsent(v))
    return success();
  auto t = cast<RankedTensorType>(v.getType());
  if (t.hasStaticShape() && t.getNumElements() != 1)
    return op->emitOpError() << what << " must be a single value, got " << t;
  return success();
}

template <typename WindowOp>
LogicalResult inferWindow(WindowOp op, SmallVectorImpl<Type> &resultTypes) {
  if (failed(checkScalarOperand(op, op.getSize(), "size")))
    return failure();
  auto element = dataType(op, static_cast<int64_t>(op.getOutputDatatype()));
  if (failed(element))
    return failure();
  std::optional<int64_t> size = scalarInt(op.getSize());
  if (size && *size < 0)
    return op.emitOpError() << "size must not be negative, got " << *size;
  resultTypes.push_back(tensorOf({size ? *size : kDyn}, *element));
  return success();
}

} // namespace

LogicalResult DFTOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getInput().getType();
  int64_t rank = x.getRank();
  if (rank < 3)
    return emitOpError() << "input must be [batch, n.., 1 or 2], got " << x;
  int64_t last = x.getDimSize(rank - 1);
  if (!ShapedType::isDynamic(last) && last != 1 && last != 2)
    return emitOpError() << "the last dimension must be 1 (real) or 2 (complex), got " << last;
  int64_t axis = static_cast<int64_t>(getAxis()) < 0 ? static_cast<int64_t>(getAxis()) + rank : static_cast<int64_t>(getAxis());
  if (axis < 1 || axis > rank - 2)
    return emitOpError() << "axis " << static_cast<int64_t>(getAxis()) << " must name a signal axis of " << x;
  if (failed(checkScalarOperand(*this, getDftLength(), "dft_length")))
    return failure();
  int64_t n = x.getDimSize(axis);
  if (!isAbsent(getDftLength())) {
    std::optional<int64_t> length = scalarInt(getDftLength());
    if (length && *length <= 0)
      return emitOpError() << "dft_length must be positive, got " << *length;
    n = length ? *length : kDyn;
  }
  SmallVector<int64_t> shape(x.getShape());
  shape[axis] = static_cast<int64_t>(getOnesided()) && !ShapedType::isDynamic(n) ? n / 2 + 1 : (static_cast<int64_t>(getOnesided()) ? kDyn : n);
  shape[rank - 1] = 2;
  resultTypes.push_back(tensorOf(shape, x.getElementType()));
  return success();
}

LogicalResult STFTOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto s = getSignal().getType();
  if (s.getRank() != 3)
    return emitOpError() << "signal must be [batch, length, 1 or 2], got " << s;
  if (failed(checkScalarOperand(*this, getFrameStep(), "frame_step")) ||
      failed(checkScalarOperand(*this, getFrameLength(), "frame_length")))
    return failure();
  int64_t frameLength = kDyn;
  if (!isAbsent(getWindow())) {
    auto w = cast<RankedTensorType>(getWindow().getType());
    if (w.getRank() != 1)
      return emitOpError() << "window must be 1-D, got " << w;
    frameLength = w.getDimSize(0);
  }
  if (!isAbsent(getFrameLength())) {
    std::optional<int64_t> length = scalarInt(getFrameLength());
    if (length && !ShapedType::isDynamic(frameLength) && *length != frameLength)
      return emitOpError() << "frame_length " << *length << " differs from the window's " << frameLength;
    if (length)
      frameLength = *length;
  } else if (isAbsent(getWindow())) {
    return emitOpError() << "needs a window or a frame_length";
  }
  std::optional<int64_t> step = scalarInt(getFrameStep());
  if (step && *step <= 0)
    return emitOpError() << "frame_step must be positive, got " << *step;
  if (!ShapedType::isDynamic(frameLength) && frameLength <= 0)
    return emitOpError() << "frame_length must be positive, got " << frameLength;
  int64_t length = s.getDimSize(1), frames = kDyn, bins = kDyn;
  if (step && !ShapedType::isDynamic(frameLength) && !ShapedType::isDynamic(length)) {
    if (length < frameLength)
      return emitOpError() << "the signal (" << length << " samples) is shorter than a frame (" << frameLength << ")";
    frames = (length - frameLength) / *step + 1;
  }
  if (!ShapedType::isDynamic(frameLength))
    bins = static_cast<int64_t>(getOnesided()) ? frameLength / 2 + 1 : frameLength;
  resultTypes.push_back(tensorOf({s.getDimSize(0), frames, bins, 2}, s.getElementType()));
  return success();
}

LogicalResult HannWindowOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferWindow(*this, resultTypes);
}
LogicalResult HammingWindowOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferWindow(*this, resultTypes);
}
LogicalResult BlackmanWindowOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  return inferWindow(*this, resultTypes);
}

LogicalResult MelWeightMatrixOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  for (auto [v, what] : {std::pair{getNumMelBins(), "num_mel_bins"}, {getDftLength(), "dft_length"},
                         {getSampleRate(), "sample_rate"}, {getLowerEdgeHertz(), "lower_edge_hertz"},
                         {getUpperEdgeHertz(), "upper_edge_hertz"}})
    if (failed(checkScalarOperand(*this, v, what)))
      return failure();
  auto element = dataType(*this, static_cast<int64_t>(getOutputDatatype()));
  if (failed(element))
    return failure();
  std::optional<int64_t> bins = scalarInt(getNumMelBins()), length = scalarInt(getDftLength());
  if ((bins && *bins <= 0) || (length && *length <= 0))
    return emitOpError() << "num_mel_bins and dft_length must be positive";
  resultTypes.push_back(tensorOf({length ? *length / 2 + 1 : kDyn, bins ? *bins : kDyn}, *element));
  return success();
}
