// Values for pinned inputs (`--const`): inline literals and .npy files, checked against the input's declared type.
#include "passes/InputValue.h"

#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"
#include "tools/common/Npy.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstring>
#include <optional>

using namespace mlir;
namespace npy = ::kiln::npy;

namespace mlir::kiln {
namespace {

constexpr int64_t kMaxInlineElements = int64_t(1) << 24;

/// One number of a literal, as written.
struct Number {
  StringRef text;
};

/// Parses `[[1, 2], [3, 4]]` and `5` into a flat list of numbers and the shape the
/// nesting gives: every number at one depth (the rank), every list at one depth of the
/// same length.
class LiteralParser {
public:
  explicit LiteralParser(StringRef text) : rest(text) {}

  bool parse(SmallVectorImpl<Number> &numbers, SmallVectorImpl<int64_t> &shape, std::string &error) {
    if (!value(0, numbers, error))
      return false;
    skipSpace();
    if (!rest.empty()) {
      error = "unexpected '" + rest.take_front(16).str() + "' after the value";
      return false;
    }
    shape.assign(lengths.begin(), lengths.end());
    return true;
  }

private:
  void skipSpace() { rest = rest.ltrim(" \t\r\n"); }

  bool notRectangular(std::string &error) {
    error = "the value is not rectangular (lists and numbers, or lists of different lengths, at one depth)";
    return false;
  }

  bool value(size_t depth, SmallVectorImpl<Number> &numbers, std::string &error) {
    skipSpace();
    if (depth > static_cast<size_t>(shape::kMaxRank)) {
      error = "lists nested deeper than kiln's rank limit of " + std::to_string(shape::kMaxRank);
      return false;
    }
    if (!rest.consume_front("[")) {
      StringRef token = rest.take_front(rest.find_first_of(",[] \t\r\n"));
      if (token.empty()) {
        error = rest.empty() ? "a value is missing" : "unexpected '" + rest.take_front(16).str() + "'";
        return false;
      }
      if (leafDepth && *leafDepth != depth)
        return notRectangular(error);
      leafDepth = depth;
      if (static_cast<int64_t>(numbers.size()) >= kMaxInlineElements) {
        error = "more than 2^24 numbers; give a .npy file instead";
        return false;
      }
      rest = rest.drop_front(token.size());
      numbers.push_back({token});
      return true;
    }
    if (leafDepth && depth >= *leafDepth)
      return notRectangular(error);
    int64_t count = 0;
    skipSpace();
    if (!rest.consume_front("]")) {
      for (;;) {
        if (!value(depth + 1, numbers, error))
          return false;
        ++count;
        skipSpace();
        if (rest.consume_front("]"))
          break;
        if (!rest.consume_front(",")) {
          error = rest.empty() ? "a ']' is missing" : "expected ',' or ']', got '" + rest.take_front(16).str() + "'";
          return false;
        }
      }
    }
    if (lengths.size() <= depth)
      lengths.resize(depth + 1, -1);
    if (lengths[depth] < 0)
      lengths[depth] = count;
    else if (lengths[depth] != count)
      return notRectangular(error);
    return true;
  }

  StringRef rest;
  SmallVector<int64_t> lengths; // of the lists at each depth
  std::optional<size_t> leafDepth;
};

std::optional<int64_t> parseInteger(StringRef text) {
  if (text.equals_insensitive("true"))
    return 1;
  if (text.equals_insensitive("false"))
    return 0;
  int64_t v;
  if (!text.getAsInteger(10, v))
    return v;
  return std::nullopt;
}

std::optional<double> parseDouble(StringRef text) {
  std::string s = text.lower();
  if (s == "nan" || s == "+nan" || s == "-nan")
    return std::nan("");
  if (s == "inf" || s == "+inf" || s == "infinity")
    return INFINITY;
  if (s == "-inf" || s == "-infinity")
    return -INFINITY;
  double v;
  if (!text.getAsDouble(v))
    return v;
  if (auto i = parseInteger(text))
    return static_cast<double>(*i);
  return std::nullopt;
}

std::string shapeText(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "a scalar";
  std::string out = "shape [";
  for (auto [i, d] : llvm::enumerate(shape))
    out += (i ? "," : "") + (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
  return out + "]";
}

/// The shape the value takes: the literal's or file's own, checked against the declared
/// one, or the declared one when a single number fills it.
std::optional<SmallVector<int64_t>> resolveShape(ArrayRef<int64_t> given, int64_t count, RankedTensorType declared,
                                                 std::string &error) {
  if (count == 1 && given.empty() && declared.hasStaticShape() && declared.getNumElements() == 1)
    return SmallVector<int64_t>(declared.getShape());
  if (static_cast<int64_t>(given.size()) != declared.getRank()) {
    error = "the value has " + shapeText(given) + " but the input is declared with " + shapeText(declared.getShape());
    return std::nullopt;
  }
  for (auto [g, d] : llvm::zip(given, declared.getShape()))
    if (!ShapedType::isDynamic(d) && g != d) {
      error = "the value has " + shapeText(given) + " but the input is declared with " +
              shapeText(declared.getShape());
      return std::nullopt;
    }
  return SmallVector<int64_t>(given);
}

DenseElementsAttr fromLiteral(StringRef text, RankedTensorType declared, std::string &error) {
  SmallVector<Number> numbers;
  SmallVector<int64_t> shape;
  LiteralParser parser(text);
  if (!parser.parse(numbers, shape, error))
    return {};
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  if (count != static_cast<int64_t>(numbers.size())) {
    error = "the value is not rectangular";
    return {};
  }
  auto resolved = resolveShape(shape, count, declared, error);
  if (!resolved)
    return {};
  Type element = declared.getElementType();
  auto type = RankedTensorType::get(*resolved, element);
  if (auto intType = dyn_cast<IntegerType>(element)) {
    unsigned width = intType.getWidth();
    SmallVector<APInt> values;
    for (const Number &n : numbers) {
      std::optional<int64_t> v = parseInteger(n.text);
      bool fits = v.has_value();
      if (fits && width == 1)
        fits = *v == 0 || *v == 1;
      else if (fits && width < 64)
        fits = intType.isUnsigned() ? (*v >= 0 && *v < (int64_t(1) << width))
                                    : (*v >= -(int64_t(1) << (width - 1)) && *v < (int64_t(1) << (width - 1)));
      else if (fits && intType.isUnsigned())
        fits = *v >= 0;
      if (!fits) {
        error = "'" + n.text.str() + "' is not " + (width == 1 ? "a bool (0, 1, true or false)" : "an integer") +
                " that fits the input's element type";
        return {};
      }
      values.push_back(APInt(width, static_cast<uint64_t>(*v), !intType.isUnsigned()));
    }
    return DenseElementsAttr::get(type, values);
  }
  auto floatType = dyn_cast<FloatType>(element);
  if (!floatType) {
    error = "inputs of this element type cannot be pinned";
    return {};
  }
  SmallVector<APFloat> values;
  for (const Number &n : numbers) {
    std::optional<double> v = parseDouble(n.text);
    if (!v) {
      error = "'" + n.text.str() + "' is not a number";
      return {};
    }
    APFloat f(*v);
    bool lost;
    f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f);
  }
  return DenseElementsAttr::get(type, values);
}

/// The npy dtype that holds `element`, if any.
std::optional<npy::DType> npyTypeOf(Type element) {
  if (element.isF16()) return npy::DType::F16;
  if (element.isF32()) return npy::DType::F32;
  if (element.isF64()) return npy::DType::F64;
  if (element.isInteger(1)) return npy::DType::Bool;
  if (auto i = dyn_cast<IntegerType>(element)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 8: return u ? npy::DType::U8 : npy::DType::I8;
    case 16: return u ? npy::DType::U16 : npy::DType::I16;
    case 32: return u ? npy::DType::U32 : npy::DType::I32;
    case 64: return u ? npy::DType::U64 : npy::DType::I64;
    }
  }
  return std::nullopt;
}

DenseElementsAttr fromNpy(StringRef path, RankedTensorType declared, std::string &error) {
  npy::Array array;
  if (!npy::read(path.str(), array, error))
    return {};
  std::optional<npy::DType> want = npyTypeOf(declared.getElementType());
  if (!want || *want != array.dtype) {
    std::string expected = want ? npy::name(*want) : "an element type .npy files cannot hold";
    error = std::string("the file holds ") + npy::name(array.dtype) + " but the input is " + expected;
    return {};
  }
  if (static_cast<int64_t>(array.shape.size()) > shape::kMaxRank) {
    error = "the file's rank is above kiln's limit";
    return {};
  }
  auto resolved = resolveShape(array.shape, static_cast<int64_t>(array.elementCount()), declared, error);
  if (!resolved)
    return {};
  auto type = RankedTensorType::get(*resolved, declared.getElementType());
  if (declared.getElementType().isInteger(1)) {
    SmallVector<bool> values;
    for (uint8_t b : array.data)
      values.push_back(b != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(reinterpret_cast<const char *>(array.data.data()), array.data.size()));
}

} // namespace

DenseElementsAttr parseInputValue(StringRef text, RankedTensorType declared, std::string &error) {
  text = text.trim();
  if (text.ends_with(".npy"))
    return fromNpy(text, declared, error);
  return fromLiteral(text, declared, error);
}

} // namespace mlir::kiln
