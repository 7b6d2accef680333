// Shape inference for the shape-manipulation and data-movement ops (Shape, Reshape, Slice,
// Gather, Pad, Resize...) and the ops that generate tensors (Range, ConstantOfShape, EyeLike).
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::shape;

namespace {

bool isDynamic(int64_t dim) { return ShapedType::isDynamic(dim); }

Type i64Type(MLIRContext *ctx) { return IntegerType::get(ctx, 64); }

/// "[2, -1, 3]", for messages about integer lists held in operands or attributes.
std::string listToString(ArrayRef<int64_t> values) {
  std::string out = "[";
  for (auto [i, v] : llvm::enumerate(values))
    out += (i ? ", " : "") + std::to_string(v);
  return out + "]";
}

// Dimensions and attribute values come from model files, so size arithmetic is checked
// rather than trusted. A zero dimension makes a product zero even when the other factor
// is unknown.
FailureOr<int64_t> mulDims(Operation *op, int64_t a, int64_t b) {
  if (a == 0 || b == 0)
    return int64_t(0);
  if (isDynamic(a) || isDynamic(b))
    return kDynamic;
  int64_t result;
  if (llvm::MulOverflow(a, b, result))
    return op->emitOpError() << "size " << a << " * " << b << " overflows int64";
  return result;
}

FailureOr<int64_t> addDims(Operation *op, int64_t a, int64_t b) {
  if (isDynamic(a) || isDynamic(b))
    return kDynamic;
  int64_t result;
  if (llvm::AddOverflow(a, b, result))
    return op->emitOpError() << "size " << a << " + " << b << " overflows int64";
  return result;
}

FailureOr<int64_t> productOf(Operation *op, ArrayRef<int64_t> dims) {
  int64_t product = 1;
  for (int64_t d : dims) {
    auto next = mulDims(op, product, d);
    if (failed(next))
      return failure();
    product = *next;
  }
  return product;
}

/// The more precise of two dimensions that must be equal; nullopt when they conflict.
std::optional<int64_t> mergeDims(int64_t a, int64_t b) {
  if (isDynamic(a))
    return b;
  if (isDynamic(b) || a == b)
    return a;
  return std::nullopt;
}

/// A 1-D operand listing one integer per axis: a shape, pads, repeats, slice bounds...
struct IntList {
  int64_t length;                             // kDynamic when unknown
  std::optional<SmallVector<int64_t>> values; // set when the operand is a constant
};

/// A 1-D operand listing one entry per dimension (or `perDim` per dimension, as pads
/// do), so its declared length is bounded by kMaxRank before any result is built from it.
FailureOr<IntList> intList(Operation *op, Value v, StringRef what, int64_t perDim = 1) {
  auto type = rankedOperand(op, v, what);
  if (failed(type))
    return failure();
  if (type->getRank() != 1)
    return op->emitOpError() << what << " must be a 1-D tensor, got " << *type;
  int64_t length = type->getDimSize(0);
  if (!isDynamic(length) && length > perDim * kMaxRank)
    return op->emitOpError() << what << " has " << length << " entries, more than the " << perDim * kMaxRank
                             << " that tensors of kiln's largest rank (" << kMaxRank << ") need";
  return IntList{length, constantInts(v)};
}

/// `axes` normalized into [0, rank); out-of-range and repeated axes are errors.
FailureOr<SmallVector<int64_t>> normalizeAxes(Operation *op, ArrayRef<int64_t> axes, int64_t rank,
                                              StringRef what = "axis") {
  SmallVector<int64_t> normalized;
  SmallVector<bool> seen(rank, false);
  for (int64_t axis : axes) {
    auto a = normalizeAxis(op, axis, rank, what);
    if (failed(a))
      return failure();
    if (seen[*a])
      return op->emitOpError() << what << " " << axis << " is listed twice";
    seen[*a] = true;
    normalized.push_back(*a);
  }
  return normalized;
}

RankedTensorType allDynamic(int64_t rank, Type element) {
  return tensorOf(SmallVector<int64_t>(rank, kDynamic), element);
}

/// Size of one sliced axis under ONNX's clamping rules (Slice-13), dynamic when the axis is.
int64_t slicedSize(int64_t dim, int64_t start, int64_t end, int64_t step) {
  return isDynamic(dim) ? kDynamic : sliceAxis(dim, start, end, step).count;
}

LogicalResult checkRank4AndBlocksize(Operation *op, RankedTensorType input, int64_t blocksize) {
  if (input.getRank() != 4)
    return op->emitOpError() << "input must be 4-D (N x C x H x W), got " << input;
  if (blocksize <= 0)
    return op->emitOpError() << "blocksize must be positive, got " << blocksize;
  return success();
}

/// An optional operand that is absent, or present with a statically empty shape (exporters
/// write an empty initializer for an unused Resize input instead of leaving it out).
bool isAbsentOrEmpty(Value v) {
  if (isAbsent(v))
    return true;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && type.getNumElements() == 0;
}

} // namespace

//===----------------------------------------------------------------------===//
// Shape queries
//===----------------------------------------------------------------------===//

LogicalResult ShapeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  int64_t rank = getData().getType().getRank();
  auto clampBound = [&](int64_t bound) {
    if (bound < 0)
      bound += rank;
    return std::clamp<int64_t>(bound, 0, rank);
  };
  int64_t start = clampBound(static_cast<int64_t>(getStart()));
  int64_t end = clampBound(getEnd() ? static_cast<int64_t>(*getEnd()) : rank);
  resultTypes.push_back(tensorOf({std::max<int64_t>(end - start, 0)}, i64Type(getContext())));
  return success();
}

LogicalResult SizeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  resultTypes.push_back(tensorOf({}, i64Type(getContext())));
  return success();
}

//===----------------------------------------------------------------------===//
// Reshaping
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  Type element = data.getElementType();
  auto list = intList(*this, getShape(), "shape");
  if (failed(list))
    return failure();
  if (!list->values) {
    if (isDynamic(list->length)) {
      // The rank depends on values unknown here; callers fall back on declared types.
      resultTypes.push_back(UnrankedTensorType::get(element));
      return success();
    }
    resultTypes.push_back(allDynamic(list->length, element));
    return success();
  }

  ArrayRef<int64_t> requested = *list->values;
  bool allowZero = getAllowzero() != 0;
  int64_t rank = data.getRank();
  SmallVector<int64_t> result;
  SmallVector<bool> copied(requested.size(), false);
  std::optional<size_t> inferredAt;
  for (auto [i, dim] : llvm::enumerate(requested)) {
    if (dim == -1) {
      if (inferredAt)
        return emitOpError() << "shape " << listToString(requested) << " has more than one -1 (at "
                             << *inferredAt << " and " << i << ")";
      inferredAt = i;
      result.push_back(kDynamic);
    } else if (dim < -1) {
      return emitOpError() << "shape[" << i << "] = " << dim << " is negative";
    } else if (dim == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= rank)
        return emitOpError() << "shape[" << i << "] = 0 copies input dimension " << i
                             << " but the input has rank " << rank;
      copied[i] = true;
      result.push_back(data.getDimSize(i));
    } else {
      result.push_back(dim);
    }
  }

  if (inferredAt) {
    for (auto [i, dim] : llvm::enumerate(result))
      if (i != *inferredAt && dim == 0)
        return emitOpError() << "cannot infer the -1 in shape " << listToString(requested)
                             << ": dimension " << i << " is 0, so any size fits";
    // A dimension copied by 0 is a factor on both sides and cancels, so the -1 stays static
    // when only copied dimensions (typically the batch) are dynamic.
    SmallVector<int64_t> inputFactors, outputFactors;
    for (auto [i, dim] : llvm::enumerate(data.getShape()))
      if (i >= copied.size() || !copied[i])
        inputFactors.push_back(dim);
    for (auto [i, dim] : llvm::enumerate(result))
      if (i != *inferredAt && !copied[i])
        outputFactors.push_back(dim);
    auto total = productOf(*this, inputFactors);
    auto known = productOf(*this, outputFactors);
    if (failed(total) || failed(known))
      return failure();
    if (!isDynamic(*total)) {
      if (*total % *known != 0)
        return emitOpError() << "cannot reshape " << data << " to shape " << listToString(requested)
                             << ": the element count is not a multiple of " << *known;
      result[*inferredAt] = *total / *known;
    }
  } else {
    auto total = productOf(*this, data.getShape());
    auto count = productOf(*this, result);
    if (failed(total) || failed(count))
      return failure();
    if (!isDynamic(*total) && !isDynamic(*count) && *total != *count)
      return emitOpError() << "cannot reshape " << data << " (" << *total << " elements) to shape "
                           << listToString(requested) << " (" << *count << " elements)";
  }
  resultTypes.push_back(tensorOf(result, element));
  return success();
}

LogicalResult FlattenOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto input = getInput().getType();
  int64_t rank = input.getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < -rank || axis > rank)
    return emitOpError() << "axis " << axis << " is out of range [" << -rank << ", " << rank
                         << "] for rank " << rank;
  if (axis < 0)
    axis += rank;
  auto outer = productOf(*this, input.getShape().take_front(axis));
  auto inner = productOf(*this, input.getShape().drop_front(axis));
  if (failed(outer) || failed(inner))
    return failure();
  resultTypes.push_back(tensorOf({*outer, *inner}, input.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  int64_t rank = data.getRank();
  SmallVector<int64_t> perm;
  if (auto attr = getPerm()) {
    perm.assign(attr->begin(), attr->end());
    if (static_cast<int64_t>(perm.size()) != rank)
      return emitOpError() << "perm " << listToString(perm) << " has " << perm.size()
                           << " entries but the input has rank " << rank;
    SmallVector<bool> seen(rank, false);
    for (int64_t p : perm) {
      if (p < 0 || p >= rank)
        return emitOpError() << "perm " << listToString(perm) << " holds " << p
                             << ", out of range [0, " << rank << ")";
      if (seen[p])
        return emitOpError() << "perm " << listToString(perm) << " lists axis " << p << " twice";
      seen[p] = true;
    }
  } else {
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  }
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(data.getDimSize(p));
  resultTypes.push_back(tensorOf(shape, data.getElementType()));
  return success();
}

LogicalResult SqueezeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  int64_t rank = data.getRank();
  SmallVector<bool> drop(rank, false);
  if (auto axes = getAxes()) {
    auto normalized = normalizeAxes(*this, *axes, rank);
    if (failed(normalized))
      return failure();
    for (int64_t a : *normalized) {
      int64_t dim = data.getDimSize(a);
      if (!isDynamic(dim) && dim != 1)
        return emitOpError() << "cannot squeeze axis " << a << " of size " << dim;
      drop[a] = true;
    }
  } else {
    for (int64_t i = 0; i < rank; ++i) {
      if (data.isDynamicDim(i))
        return emitOpError() << "without axes, the result rank depends on dynamic dimension " << i
                             << " of " << data;
      drop[i] = data.getDimSize(i) == 1;
    }
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      shape.push_back(data.getDimSize(i));
  resultTypes.push_back(tensorOf(shape, data.getElementType()));
  return success();
}

LogicalResult UnsqueezeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  int64_t resultRank = data.getRank() + static_cast<int64_t>(getAxes().size());
  auto normalized = normalizeAxes(*this, getAxes(), resultRank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> shape(resultRank, 1);
  SmallVector<bool> inserted(resultRank, false);
  for (int64_t a : *normalized)
    inserted[a] = true;
  int64_t next = 0;
  for (int64_t i = 0; i < resultRank; ++i)
    if (!inserted[i])
      shape[i] = data.getDimSize(next++);
  resultTypes.push_back(tensorOf(shape, data.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Concat, Split, Slice
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  auto first = rankedOperand(*this, getInputs()[0], "input #0");
  if (failed(first))
    return failure();
  int64_t rank = first->getRank();
  auto axis = normalizeAxis(*this, static_cast<int64_t>(getAxis()), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first->getShape());
  for (auto [i, v] : llvm::enumerate(getInputs().drop_front())) {
    auto type = rankedOperand(*this, v, "input #" + std::to_string(i + 1));
    if (failed(type))
      return failure();
    if (type->getRank() != rank)
      return emitOpError() << "input #" << i + 1 << " " << *type << " has rank " << type->getRank()
                           << " but input #0 has rank " << rank;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *axis) {
        auto sum = addDims(*this, shape[d], type->getDimSize(d));
        if (failed(sum))
          return failure();
        shape[d] = *sum;
      } else if (auto merged = mergeDims(shape[d], type->getDimSize(d))) {
        shape[d] = *merged;
      } else {
        return emitOpError() << "input #" << i + 1 << " " << *type << " differs from input #0 "
                             << *first << " in dimension " << d << ", which is not the axis";
      }
    }
  }
  resultTypes.push_back(tensorOf(shape, first->getElementType()));
  return success();
}

LogicalResult SplitOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto input = getInput().getType();
  auto axis = normalizeAxis(*this, static_cast<int64_t>(getAxis()), input.getRank());
  if (failed(axis))
    return failure();
  int64_t parts = getNumResults();
  if (parts == 0)
    return emitOpError() << "needs at least one result";
  int64_t dim = input.getDimSize(*axis);
  SmallVector<int64_t> sizes;
  if (auto split = getSplit()) {
    if (static_cast<int64_t>(split->size()) != parts)
      return emitOpError() << "split " << listToString(*split) << " has " << split->size()
                           << " entries but the op has " << parts << " results";
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0)
        return emitOpError() << "split " << listToString(*split) << " holds a negative size";
      auto next = addDims(*this, sum, s);
      if (failed(next))
        return failure();
      sum = *next;
    }
    if (!isDynamic(dim) && sum != dim)
      return emitOpError() << "split " << listToString(*split) << " sums to " << sum << " but axis "
                           << *axis << " has size " << dim;
    sizes.assign(split->begin(), split->end());
  } else if (isDynamic(dim)) {
    sizes.assign(parts, kDynamic);
  } else {
    // Split-13 (opset 17) has no uneven last chunk; that arrived with num_outputs in opset 18.
    if (dim % parts != 0)
      return emitOpError() << "axis " << *axis << " of size " << dim << " cannot be split into "
                           << parts << " equal parts";
    sizes.assign(parts, dim / parts);
  }
  for (int64_t size : sizes) {
    SmallVector<int64_t> shape(input.getShape());
    shape[*axis] = size;
    resultTypes.push_back(tensorOf(shape, input.getElementType()));
  }
  return success();
}

LogicalResult SliceOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  int64_t rank = data.getRank();
  Type element = data.getElementType();
  auto starts = intList(*this, getStarts(), "starts");
  auto ends = intList(*this, getEnds(), "ends");
  if (failed(starts) || failed(ends))
    return failure();
  std::optional<IntList> axes, steps;
  if (!isAbsent(getAxes())) {
    auto list = intList(*this, getAxes(), "axes");
    if (failed(list))
      return failure();
    axes = *list;
  }
  if (!isAbsent(getSteps())) {
    auto list = intList(*this, getSteps(), "steps");
    if (failed(list))
      return failure();
    steps = *list;
  }

  int64_t count = starts->length;
  std::pair<StringRef, IntList *> lists[] = {
      {"ends", &*ends}, {"axes", axes ? &*axes : nullptr}, {"steps", steps ? &*steps : nullptr}};
  for (auto [name, list] : lists) {
    if (!list || isDynamic(list->length))
      continue;
    if (!isDynamic(count) && list->length != count)
      return emitOpError() << name << " has " << list->length << " entries but "
                           << (isDynamic(starts->length) ? "another bound" : "starts") << " has "
                           << count;
    count = list->length;
  }

  if (steps && steps->values)
    for (auto [i, step] : llvm::enumerate(*steps->values))
      if (step == 0)
        return emitOpError() << "steps[" << i << "] is 0";

  SmallVector<int64_t> sliced;
  if (axes) {
    if (!axes->values) {
      resultTypes.push_back(allDynamic(rank, element));
      return success();
    }
    auto normalized = normalizeAxes(*this, *axes->values, rank, "slice axis");
    if (failed(normalized))
      return failure();
    sliced = std::move(*normalized);
  } else {
    if (isDynamic(count)) {
      resultTypes.push_back(allDynamic(rank, element));
      return success();
    }
    if (count > rank)
      return emitOpError() << "slices " << count << " axes but the input has rank " << rank;
    for (int64_t i = 0; i < count; ++i)
      sliced.push_back(i);
  }

  bool exact = starts->values && ends->values && (!steps || steps->values);
  SmallVector<int64_t> shape(data.getShape());
  for (auto [i, axis] : llvm::enumerate(sliced)) {
    if (!exact) {
      shape[axis] = kDynamic;
      continue;
    }
    int64_t step = steps ? (*steps->values)[i] : 1;
    shape[axis] = slicedSize(shape[axis], (*starts->values)[i], (*ends->values)[i], step);
  }
  resultTypes.push_back(tensorOf(shape, element));
  return success();
}

//===----------------------------------------------------------------------===//
// Gathers
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  auto axis = normalizeAxis(*this, static_cast<int64_t>(getAxis()), data.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(data.getShape().take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(*axis + 1));
  resultTypes.push_back(tensorOf(shape, data.getElementType()));
  return success();
}

LogicalResult GatherElementsOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  if (indices.getRank() != data.getRank())
    return emitOpError() << "indices " << indices << " must have the rank of data " << data;
  auto axis = normalizeAxis(*this, static_cast<int64_t>(getAxis()), data.getRank());
  if (failed(axis))
    return failure();
  for (int64_t d = 0; d < data.getRank(); ++d) {
    int64_t have = indices.getDimSize(d), bound = data.getDimSize(d);
    if (d != *axis && !isDynamic(have) && !isDynamic(bound) && have > bound)
      return emitOpError() << "indices " << indices << " exceed data " << data << " in dimension "
                           << d << ", which is not the axis";
  }
  resultTypes.push_back(tensorOf(indices.getShape(), data.getElementType()));
  return success();
}

LogicalResult GatherNDOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  int64_t r = data.getRank(), q = indices.getRank();
  int64_t batchDims = static_cast<int64_t>(getBatchDims());
  if (r < 1 || q < 1)
    return emitOpError() << "data " << data << " and indices " << indices
                         << " must both have rank >= 1";
  if (batchDims < 0 || batchDims >= std::min(r, q))
    return emitOpError() << "batch_dims " << batchDims << " must be in [0, " << std::min(r, q)
                         << ")";
  int64_t k = indices.getDimSize(q - 1);
  if (isDynamic(k)) {
    // The rank depends on values unknown here; callers fall back on declared types.
    resultTypes.push_back(UnrankedTensorType::get(data.getElementType()));
    return success();
  }
  if (k < 1 || k > r - batchDims)
    return emitOpError() << "index tuples have length " << k << " but must have length in [1, "
                         << r - batchDims << "] (data rank " << r << " minus batch_dims)";
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < q - 1; ++i) {
    int64_t dim = indices.getDimSize(i);
    if (i < batchDims) {
      auto merged = mergeDims(dim, data.getDimSize(i));
      if (!merged)
        return emitOpError() << "batch dimension " << i << " of indices " << indices
                             << " differs from data " << data;
      dim = *merged;
    }
    shape.push_back(dim);
  }
  llvm::append_range(shape, data.getShape().drop_front(batchDims + k));
  resultTypes.push_back(tensorOf(shape, data.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Expand, Tile, Pad
//===----------------------------------------------------------------------===//

LogicalResult ExpandOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto input = getInput().getType();
  Type element = input.getElementType();
  auto list = intList(*this, getShape(), "shape");
  if (failed(list))
    return failure();
  if (list->values) {
    for (auto [i, dim] : llvm::enumerate(*list->values))
      if (dim < 0)
        return emitOpError() << "shape[" << i << "] = " << dim << " is negative";
    auto shape = broadcastShapes(*this, {input.getShape(), *list->values});
    if (failed(shape))
      return failure();
    resultTypes.push_back(tensorOf(*shape, element));
    return success();
  }
  if (isDynamic(list->length)) {
    // The rank depends on values unknown here; callers fall back on declared types.
    resultTypes.push_back(UnrankedTensorType::get(element));
    return success();
  }
  // Each unknown target dimension must be 1 or equal the input's, so an input dimension
  // other than 1 survives; where the target alone has the axis, it is unknown.
  int64_t rank = input.getRank(), length = list->length;
  int64_t resultRank = std::max(rank, length);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < resultRank; ++i) {
    int64_t inputAxis = i - (resultRank - rank);
    bool inTarget = i >= resultRank - length;
    int64_t dim = inputAxis >= 0 ? input.getDimSize(inputAxis) : kDynamic;
    if (inTarget && (isDynamic(dim) || dim == 1))
      dim = kDynamic;
    shape.push_back(dim);
  }
  resultTypes.push_back(tensorOf(shape, element));
  return success();
}

LogicalResult TileOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto input = getInput().getType();
  int64_t rank = input.getRank();
  auto list = intList(*this, getRepeats(), "repeats");
  if (failed(list))
    return failure();
  if (!isDynamic(list->length) && list->length != rank)
    return emitOpError() << "repeats has " << list->length << " entries but the input has rank "
                         << rank;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t repeat = list->values ? (*list->values)[i] : kDynamic;
    if (!isDynamic(repeat) && repeat < 0)
      return emitOpError() << "repeats[" << i << "] = " << repeat << " is negative";
    auto dim = mulDims(*this, input.getDimSize(i), repeat);
    if (failed(dim))
      return failure();
    shape.push_back(*dim);
  }
  resultTypes.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult PadOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto data = getData().getType();
  int64_t rank = data.getRank();
  Type element = data.getElementType();
  if (!llvm::is_contained({"constant", "reflect", "edge", "wrap"}, getMode()))
    return emitOpError() << "mode must be constant, reflect, edge or wrap, got '" << getMode()
                         << "'";
  if (!isAbsent(getConstantValue())) {
    auto value = rankedOperand(*this, getConstantValue(), "constant_value");
    if (failed(value))
      return failure();
    if (value->hasStaticShape() && value->getNumElements() != 1)
      return emitOpError() << "constant_value must hold one element, got " << *value;
    if (value->getElementType() != element)
      return emitOpError() << "constant_value " << *value << " must have the data's element type "
                           << element;
  }
  auto pads = intList(*this, getPads(), "pads", 2);
  if (failed(pads))
    return failure();

  SmallVector<int64_t> padded;
  if (isAbsent(getAxes())) {
    for (int64_t i = 0; i < rank; ++i)
      padded.push_back(i);
  } else {
    auto axes = intList(*this, getAxes(), "axes");
    if (failed(axes))
      return failure();
    if (!axes->values) {
      if (!isDynamic(axes->length) && !isDynamic(pads->length) && pads->length != 2 * axes->length)
        return emitOpError() << "pads has " << pads->length << " entries but " << axes->length
                             << " axes need " << 2 * axes->length;
      resultTypes.push_back(allDynamic(rank, element));
      return success();
    }
    auto normalized = normalizeAxes(*this, *axes->values, rank);
    if (failed(normalized))
      return failure();
    padded = std::move(*normalized);
  }
  int64_t count = padded.size();
  if (!isDynamic(pads->length) && pads->length != 2 * count)
    return emitOpError() << "pads has " << pads->length << " entries but " << count
                         << " padded axes need " << 2 * count;

  SmallVector<int64_t> shape(data.getShape());
  for (auto [i, axis] : llvm::enumerate(padded)) {
    if (!pads->values) {
      shape[axis] = kDynamic;
      continue;
    }
    int64_t begin = (*pads->values)[i], end = (*pads->values)[i + count];
    auto withBegin = addDims(*this, shape[axis], begin);
    if (failed(withBegin))
      return failure();
    auto size = addDims(*this, *withBegin, end);
    if (failed(size))
      return failure();
    if (!isDynamic(*size) && *size < 0)
      return emitOpError() << "pads (" << begin << ", " << end << ") on axis " << axis
                           << " of size " << shape[axis] << " leave a negative size " << *size;
    shape[axis] = *size;
  }
  resultTypes.push_back(tensorOf(shape, element));
  return success();
}

//===----------------------------------------------------------------------===//
// Generators
//===----------------------------------------------------------------------===//

LogicalResult ConstantOfShapeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  Type element = Float32Type::get(getContext());
  if (auto value = getValueAttr())
    element = value.getElementType();
  auto list = intList(*this, getInput(), "input");
  if (failed(list))
    return failure();
  if (list->values) {
    for (auto [i, dim] : llvm::enumerate(*list->values))
      if (dim < 0)
        return emitOpError() << "shape[" << i << "] = " << dim << " is negative";
    resultTypes.push_back(tensorOf(*list->values, element));
    return success();
  }
  if (isDynamic(list->length)) {
    // The rank depends on values unknown here; callers fall back on declared types.
    resultTypes.push_back(UnrankedTensorType::get(element));
    return success();
  }
  resultTypes.push_back(allDynamic(list->length, element));
  return success();
}

LogicalResult RangeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto start = getStart().getType();
  Type element = start.getElementType();
  for (auto [name, v] : {std::pair<StringRef, Value>{"start", getStart()},
                         {"limit", getLimit()},
                         {"delta", getDelta()}}) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() != 0)
      return emitOpError() << name << " must be a 0-d tensor, got " << type;
    if (type.getElementType() != element)
      return emitOpError() << "start, limit and delta must have one element type, got " << element
                           << " and " << type.getElementType();
  }

  int64_t length = kDynamic;
  if (isa<IntegerType>(element)) {
    auto s = constantInts(getStart()), l = constantInts(getLimit()), d = constantInts(getDelta());
    if (d && (*d)[0] == 0)
      return emitOpError() << "delta is 0";
    if (s && l && d) {
      // 128 bits hold limit - start for any int64 operands.
      APInt distance = APInt(128, (*l)[0], /*isSigned=*/true) - APInt(128, (*s)[0], true);
      APInt n =
          llvm::APIntOps::RoundingSDiv(distance, APInt(128, (*d)[0], true), APInt::Rounding::UP);
      if (n.isNegative())
        length = 0;
      else if (n.getActiveBits() > 63)
        return emitOpError() << "the length (limit - start) / delta overflows int64";
      else
        length = n.getSExtValue();
    }
  } else if (auto floatType = dyn_cast<FloatType>(element)) {
    auto s = constantFloats(getStart()), l = constantFloats(getLimit()),
         d = constantFloats(getDelta());
    if (d && (*d)[0] == 0.0)
      return emitOpError() << "delta is 0";
    if (s && l && d) {
      // ONNX defines the length in the element type: ceil((limit - start) / delta) computed in
      // float32 for float32 operands, which can differ from double near integers.
      auto inType = [&](double x) {
        APFloat value(x);
        bool lost;
        value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
        return value;
      };
      APFloat n = inType((*l)[0]);
      n.subtract(inType((*s)[0]), APFloat::rmNearestTiesToEven);
      n.divide(inType((*d)[0]), APFloat::rmNearestTiesToEven);
      if (!n.isFinite())
        return emitOpError() << "the length (limit - start) / delta is not finite";
      n.roundToIntegral(APFloat::rmTowardPositive);
      if (n.isNegative() || n.isZero()) {
        length = 0;
      } else {
        APSInt count(64, /*isUnsigned=*/false);
        bool exact;
        if (n.convertToInteger(count, APFloat::rmTowardZero, &exact) != APFloat::opOK)
          return emitOpError() << "the length (limit - start) / delta overflows int64";
        length = count.getExtValue();
      }
    }
  }
  resultTypes.push_back(tensorOf({length}, element));
  return success();
}

LogicalResult DepthToSpaceOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto input = getInput().getType();
  int64_t blocksize = static_cast<int64_t>(getBlocksize());
  if (failed(checkRank4AndBlocksize(*this, input, blocksize)))
    return failure();
  if (getMode() != "DCR" && getMode() != "CRD")
    return emitOpError() << "mode must be DCR or CRD, got '" << getMode() << "'";
  auto square = mulDims(*this, blocksize, blocksize);
  if (failed(square))
    return failure();
  int64_t channels = input.getDimSize(1);
  if (!isDynamic(channels) && channels % *square != 0)
    return emitOpError() << "channels " << channels
                         << " are not divisible by blocksize^2 = " << *square;
  auto height = mulDims(*this, input.getDimSize(2), blocksize);
  auto width = mulDims(*this, input.getDimSize(3), blocksize);
  if (failed(height) || failed(width))
    return failure();
  int64_t outChannels = isDynamic(channels) ? kDynamic : channels / *square;
  resultTypes.push_back(
      tensorOf({input.getDimSize(0), outChannels, *height, *width}, input.getElementType()));
  return success();
}

LogicalResult SpaceToDepthOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto input = getInput().getType();
  int64_t blocksize = static_cast<int64_t>(getBlocksize());
  if (failed(checkRank4AndBlocksize(*this, input, blocksize)))
    return failure();
  SmallVector<int64_t> shape(input.getShape());
  for (int64_t axis : {2, 3}) {
    int64_t dim = input.getDimSize(axis);
    if (!isDynamic(dim) && dim % blocksize != 0)
      return emitOpError() << "spatial dimension " << axis << " of size " << dim
                           << " is not divisible by blocksize " << blocksize;
    shape[axis] = isDynamic(dim) ? kDynamic : dim / blocksize;
  }
  auto square = mulDims(*this, blocksize, blocksize);
  if (failed(square))
    return failure();
  auto channels = mulDims(*this, input.getDimSize(1), *square);
  if (failed(channels))
    return failure();
  shape[1] = *channels;
  resultTypes.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult OneHotOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto indices = getIndices().getType();
  auto depthType = getDepth().getType();
  auto values = getValues().getType();
  if (depthType.getRank() > 1 || (depthType.hasStaticShape() && depthType.getNumElements() != 1))
    return emitOpError() << "depth must be a scalar or a 1-element 1-D tensor, got " << depthType;
  if (values.getRank() != 1 || (!values.isDynamicDim(0) && values.getDimSize(0) != 2))
    return emitOpError() << "values must be a 1-D tensor of two elements (off, on), got " << values;
  int64_t rank = indices.getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < -(rank + 1) || axis > rank)
    return emitOpError() << "axis " << axis << " is out of range [" << -(rank + 1) << ", " << rank
                         << "] for indices of rank " << rank;
  if (axis < 0)
    axis += rank + 1;

  int64_t depth = kDynamic;
  if (auto ints = constantInts(getDepth())) {
    depth = (*ints)[0];
  } else if (auto floats = constantFloats(getDepth())) {
    // ONNX casts a non-integer depth to int64 (truncation) before use.
    double value = (*floats)[0];
    if (!std::isfinite(value) || std::fabs(value) >= 9.2e18)
      return emitOpError() << "depth " << value << " is not a representable size";
    depth = static_cast<int64_t>(value);
  }
  if (!isDynamic(depth) && depth < 1)
    return emitOpError() << "depth must be positive, got " << depth;

  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + axis, depth);
  resultTypes.push_back(tensorOf(shape, values.getElementType()));
  return success();
}

LogicalResult EyeLikeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto input = getInput().getType();
  if (input.getRank() != 2)
    return emitOpError() << "input must be 2-D, got " << input;
  Type element = getDtype().value_or(input.getElementType());
  if (!TensorType::isValidElementType(element))
    return emitOpError() << "dtype " << element << " is not a tensor element type";
  resultTypes.push_back(tensorOf(input.getShape(), element));
  return success();
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType();
  int64_t rank = x.getRank();
  Type element = x.getElementType();
  if (!llvm::is_contained({"nearest", "linear", "cubic"}, getMode()))
    return emitOpError() << "mode must be nearest, linear or cubic, got '" << getMode() << "'";
  StringRef coordinates = getCoordinateTransformationMode();
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                           "tf_crop_and_resize", "half_pixel_symmetric", "tf_half_pixel_for_nn"},
                          coordinates))
    return emitOpError() << "coordinate_transformation_mode must be half_pixel, "
                            "pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize, "
                            "half_pixel_symmetric or (Resize-11) tf_half_pixel_for_nn, got '"
                         << coordinates << "'";
  if (!llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
                          getNearestMode()))
    return emitOpError() << "nearest_mode must be round_prefer_floor, round_prefer_ceil, floor or "
                            "ceil, got '"
                         << getNearestMode() << "'";

  // Each present list is 1-D with one entry per axis (two for roi).
  auto checkList = [&](Value v, StringRef what, int64_t entries) -> LogicalResult {
    if (isAbsentOrEmpty(v))
      return success();
    auto type = rankedOperand(*this, v, what);
    if (failed(type))
      return failure();
    if (type->getRank() != 1 || (!type->isDynamicDim(0) && type->getDimSize(0) != entries))
      return emitOpError() << what << " must be a 1-D tensor of " << entries
                           << " elements for an input of rank " << rank << ", got " << *type;
    return success();
  };
  if (failed(checkList(getRoi(), "roi", 2 * rank)) ||
      failed(checkList(getScales(), "scales", rank)) ||
      failed(checkList(getSizes(), "sizes", rank)))
    return failure();
  if (coordinates == "tf_crop_and_resize" && isAbsentOrEmpty(getRoi()))
    return emitOpError() << "coordinate_transformation_mode tf_crop_and_resize needs roi";

  // An operand of unknown length may still be empty at run time; whichever of scales and
  // sizes is statically non-empty decides, and only two statically decided ones conflict.
  auto maybeUsed = [](Value v) { return !isAbsentOrEmpty(v); };
  auto surelyUsed = [](Value v) {
    return !isAbsentOrEmpty(v) && cast<RankedTensorType>(v.getType()).hasStaticShape();
  };
  bool scalesUsed = maybeUsed(getScales()), sizesUsed = maybeUsed(getSizes());
  if (!scalesUsed && !sizesUsed)
    return emitOpError() << "needs one of scales and sizes";
  if (surelyUsed(getScales()) && surelyUsed(getSizes()))
    return emitOpError() << "takes only one of scales and sizes";
  if (scalesUsed && sizesUsed) {
    if (!surelyUsed(getScales()) && !surelyUsed(getSizes())) {
      resultTypes.push_back(allDynamic(rank, element));
      return success();
    }
    scalesUsed = surelyUsed(getScales());
  }

  SmallVector<int64_t> shape(rank, kDynamic);
  if (scalesUsed) {
    if (auto scales = constantFloats(getScales())) {
      for (auto [i, scale] : llvm::enumerate(*scales)) {
        if (!(scale > 0.0) || !std::isfinite(scale))
          return emitOpError() << "scales[" << i << "] = " << scale
                               << " must be positive and finite";
        int64_t dim = x.getDimSize(i);
        if (isDynamic(dim))
          continue;
        // ONNX and onnxruntime compute the size in float32, and floor(dim * scale) there can
        // differ from the double product (10 * 0.7f is exactly 7 in float32, 6.99... in double).
        float size = std::floor(static_cast<float>(dim) * static_cast<float>(scale));
        if (!(size < 9.2e18f))
          return emitOpError() << "scaled size of axis " << i << " overflows int64";
        shape[i] = static_cast<int64_t>(size);
      }
    }
  } else if (auto sizes = constantInts(getSizes())) {
    for (auto [i, size] : llvm::enumerate(*sizes)) {
      if (size < 0)
        return emitOpError() << "sizes[" << i << "] = " << size << " is negative";
      shape[i] = size;
    }
  }
  resultTypes.push_back(tensorOf(shape, element));
  return success();
}
