// Shape inference of Einsum (and its equation parser) and Det.
#include "compiler/Dialect/Kiln/IR/Einsum.h"
#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"

#include <map>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::shape;

namespace {

struct Term {
  std::string letters; // in order, '.' standing for the ellipsis
  bool ellipsis = false;
};

bool parseTerm(StringRef text, Term &term, std::string &error) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (term.ellipsis || !text.substr(i).starts_with("...")) {
        error = "'" + text.str() + "' has a stray '.' or two ellipses";
        return false;
      }
      term.ellipsis = true;
      term.letters.push_back('.');
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      term.letters.push_back(c);
    } else {
      error = std::string("'") + c + "' is not a label (letters and '...' only)";
      return false;
    }
  }
  return true;
}

} // namespace

std::optional<EinsumSpec> mlir::kiln::parseEinsum(StringRef equation, ArrayRef<ArrayRef<int64_t>> shapes,
                                                  std::string &error) {
  std::string compact;
  for (char c : equation)
    if (c != ' ' && c != '\t')
      compact.push_back(c);
  StringRef eq(compact);
  auto [lhs, rhs] = eq.split("->");
  bool explicitOutput = eq.contains("->");
  SmallVector<StringRef> termTexts;
  lhs.split(termTexts, ',');
  if (termTexts.size() != shapes.size()) {
    error = "the equation has " + std::to_string(termTexts.size()) + " input terms for " +
            std::to_string(shapes.size()) + " inputs";
    return std::nullopt;
  }
  SmallVector<Term> terms(termTexts.size());
  std::map<char, int> letterCount;
  int ellipsisRank = 0;
  for (auto [i, text] : llvm::enumerate(termTexts)) {
    if (!parseTerm(text, terms[i], error))
      return std::nullopt;
    int64_t named = static_cast<int64_t>(terms[i].letters.size()) - (terms[i].ellipsis ? 1 : 0);
    int64_t rank = static_cast<int64_t>(shapes[i].size());
    if ((!terms[i].ellipsis && named != rank) || (terms[i].ellipsis && named > rank)) {
      error = "term '" + text.str() + "' names " + std::to_string(named) + " axes of an input of rank " +
              std::to_string(rank);
      return std::nullopt;
    }
    if (terms[i].ellipsis)
      ellipsisRank = std::max<int>(ellipsisRank, static_cast<int>(rank - named));
    for (char c : terms[i].letters)
      if (c != '.')
        ++letterCount[c];
  }
  EinsumSpec spec;
  spec.ellipsisRank = ellipsisRank;
  std::map<char, int> labelOf;
  for (auto &[c, count] : letterCount)
    labelOf[c] = ellipsisRank + static_cast<int>(labelOf.size());
  spec.sizes.assign(ellipsisRank + labelOf.size(), 1);
  SmallVector<bool> seen(spec.sizes.size(), false);
  // A letter's sizes must agree; ellipsis axes broadcast (1 against n gives n).
  auto setSize = [&](int label, int64_t size, bool broadcast) -> bool {
    int64_t &current = spec.sizes[label];
    if (!seen[label]) {
      seen[label] = true;
      current = size;
      return true;
    }
    if (broadcast && current == 1) {
      current = size;
      return true;
    }
    if ((broadcast && size == 1) || size == current)
      return true;
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(current)) {
      if (ShapedType::isDynamic(current))
        current = size;
      return true;
    }
    error = "label sizes " + std::to_string(current) + " and " + std::to_string(size) + " disagree";
    return false;
  };
  for (auto [i, term] : llvm::enumerate(terms)) {
    int64_t rank = static_cast<int64_t>(shapes[i].size());
    int64_t named = static_cast<int64_t>(term.letters.size()) - (term.ellipsis ? 1 : 0);
    int64_t covered = rank - named, axis = 0;
    SmallVector<int, 6> labels;
    for (char c : term.letters) {
      if (c == '.') {
        for (int64_t e = 0; e < covered; ++e, ++axis) {
          int label = static_cast<int>(ellipsisRank - covered + e);
          if (!setSize(label, shapes[i][axis], true))
            return std::nullopt;
          labels.push_back(label);
        }
        continue;
      }
      if (!setSize(labelOf[c], shapes[i][axis], false))
        return std::nullopt;
      labels.push_back(labelOf[c]);
      ++axis;
    }
    spec.inputLabels.push_back(labels);
  }
  SmallVector<bool> inOutput(spec.sizes.size(), false);
  if (explicitOutput) {
    Term out;
    if (!parseTerm(rhs, out, error))
      return std::nullopt;
    for (char c : out.letters) {
      if (c == '.') {
        for (int e = 0; e < ellipsisRank; ++e) {
          spec.outputLabels.push_back(e);
          inOutput[e] = true;
        }
        continue;
      }
      auto it = labelOf.find(c);
      if (it == labelOf.end()) {
        error = std::string("output label '") + c + "' is in no input";
        return std::nullopt;
      }
      if (inOutput[it->second]) {
        error = std::string("output label '") + c + "' appears twice";
        return std::nullopt;
      }
      spec.outputLabels.push_back(it->second);
      inOutput[it->second] = true;
    }
  } else {
    for (int e = 0; e < ellipsisRank; ++e) {
      spec.outputLabels.push_back(e);
      inOutput[e] = true;
    }
    for (auto &[c, count] : letterCount)
      if (count == 1) {
        spec.outputLabels.push_back(labelOf[c]);
        inOutput[labelOf[c]] = true;
      }
  }
  for (int label = 0; label < spec.labelCount(); ++label)
    if (!inOutput[label])
      spec.summed.push_back(label);
  return spec;
}

LogicalResult EinsumOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  SmallVector<ArrayRef<int64_t>> shapes;
  Type element = cast<RankedTensorType>(getInputs()[0].getType()).getElementType();
  for (Value v : getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getElementType() != element)
      return emitOpError() << "inputs must share one element type";
    shapes.push_back(t.getShape());
  }
  std::string error;
  std::optional<EinsumSpec> spec = parseEinsum(getEquation(), shapes, error);
  if (!spec)
    return emitOpError() << "equation '" << getEquation() << "': " << error;
  SmallVector<int64_t> shape;
  for (int label : spec->outputLabels)
    shape.push_back(spec->sizes[label]);
  resultTypes.push_back(tensorOf(shape, element));
  return success();
}

LogicalResult DetOp::inferResultTypes(SmallVectorImpl<Type> &resultTypes) {
  auto x = getX().getType();
  int64_t rank = x.getRank();
  if (rank < 2)
    return emitOpError() << "X must have rank 2 or more, got " << x;
  int64_t m = x.getDimSize(rank - 1), n = x.getDimSize(rank - 2);
  if (!ShapedType::isDynamic(m) && !ShapedType::isDynamic(n) && m != n)
    return emitOpError() << "the trailing matrices of " << x << " are not square";
  resultTypes.push_back(tensorOf(x.getShape().drop_back(2), x.getElementType()));
  return success();
}
