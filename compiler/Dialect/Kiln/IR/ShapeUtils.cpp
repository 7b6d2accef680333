// Implementation of the shape-inference helpers declared in ShapeUtils.h.
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::kiln;

FailureOr<RankedTensorType> shape::rankedOperand(Operation *op, Value v, StringRef what) {
  if (auto t = dyn_cast_or_null<RankedTensorType>(v ? v.getType() : Type()))
    return t;
  return op->emitOpError() << what << " must be a ranked tensor, got "
                           << (v ? v.getType() : Type());
}

static ElementsAttr constantElements(Value v) {
  if (shape::isAbsent(v))
    return {};
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return {};
  return dyn_cast<ElementsAttr>(attr);
}

std::optional<SmallVector<int64_t>> shape::constantInts(Value v) {
  ElementsAttr elements = constantElements(v);
  if (!elements || !isa<IntegerType>(elements.getElementType()))
    return std::nullopt;
  bool isUnsigned = elements.getElementType().isUnsignedInteger();
  SmallVector<int64_t> out;
  out.reserve(elements.getNumElements());
  for (const APInt &value : elements.getValues<APInt>())
    out.push_back(isUnsigned ? static_cast<int64_t>(value.getZExtValue()) : value.getSExtValue());
  return out;
}

std::optional<SmallVector<double>> shape::constantFloats(Value v) {
  ElementsAttr elements = constantElements(v);
  if (!elements || !isa<FloatType>(elements.getElementType()))
    return std::nullopt;
  SmallVector<double> out;
  out.reserve(elements.getNumElements());
  for (const APFloat &value : elements.getValues<APFloat>()) {
    APFloat wide = value;
    bool lost;
    wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    out.push_back(wide.convertToDouble());
  }
  return out;
}

FailureOr<int64_t> shape::normalizeAxis(Operation *op, int64_t axis, int64_t rank,
                                        StringRef what) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank)
    return op->emitOpError() << what << " " << axis << " is out of range for rank " << rank;
  return normalized;
}

FailureOr<SmallVector<int64_t>> shape::broadcastShapes(Operation *op,
                                                       ArrayRef<ArrayRef<int64_t>> shapes) {
  SmallVector<int64_t> result;
  for (ArrayRef<int64_t> s : shapes) {
    SmallVector<int64_t> next;
    if (!mlir::OpTrait::util::getBroadcastedShape(result, s, next)) {
      auto diag = op->emitOpError() << "operand shapes do not broadcast:";
      for (ArrayRef<int64_t> each : shapes) {
        diag << " [";
        llvm::interleave(
            each, diag,
            [&](int64_t d) {
              if (ShapedType::isDynamic(d))
                diag << "?";
              else
                diag << d;
            },
            "x");
        diag << "]";
      }
      return diag;
    }
    result = std::move(next);
  }
  return result;
}

int64_t shape::product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return kDynamic;
    p *= d;
  }
  return p;
}

shape::SlicedAxis shape::sliceAxis(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (dim == 0)
    return {0, 0};
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  int64_t distance;
  uint64_t stride;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    distance = end - start;
    stride = static_cast<uint64_t>(step);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    distance = start - end;
    stride = 0 - static_cast<uint64_t>(step); // |step| without overflow for INT64_MIN
  }
  if (distance <= 0)
    return {start, 0};
  return {start, static_cast<int64_t>(1 + static_cast<uint64_t>(distance - 1) / stride)};
}

std::optional<int64_t> shape::checkedNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d == 0)
      return 0;
  }
  for (int64_t d : shape)
    if (llvm::MulOverflow(n, d, n) || n > kMaxTensorElements)
      return std::nullopt;
  return n;
}

std::optional<SmallVector<int64_t>> shape::parseDimsSpec(StringRef text) {
  SmallVector<int64_t> dims;
  if (text.empty())
    return dims;
  SmallVector<StringRef> parts;
  text.split(parts, 'x');
  if (static_cast<int64_t>(parts.size()) > kMaxRank)
    return std::nullopt;
  for (StringRef part : parts) {
    int64_t size;
    if (part.getAsInteger(10, size) || size < 0)
      return std::nullopt;
    dims.push_back(size);
  }
  return dims;
}

FailureOr<RankedTensorType> shape::pinShape(Location loc, StringRef name, RankedTensorType type,
                                            ArrayRef<int64_t> pinned) {
  if (type.getRank() != static_cast<int64_t>(pinned.size())) {
    emitError(loc) << "input '" << name << "' has rank " << type.getRank() << " (" << type
                   << ") but its pinned shape has " << pinned.size() << " dimensions";
    return failure();
  }
  for (auto [d, pair] : llvm::enumerate(llvm::zip(type.getShape(), pinned))) {
    auto [model, pin] = pair;
    if (!ShapedType::isDynamic(model) && model != pin) {
      emitError(loc) << "input '" << name << "' dimension " << d << " is " << model << " in the model but was pinned to "
                     << pin;
      return failure();
    }
  }
  return RankedTensorType::get(pinned, type.getElementType());
}
