// `kiln compile --emit=dot`: the fused graph for Graphviz, each region a cluster
// labelled with its kernel, after kernel generation named the kernels.
#include "codegen/Driver/GraphDot.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <string>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::codegen {
namespace {

std::string escape(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string typeText(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  if (!r)
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << r.getElementType() << "[";
  for (auto [i, d] : llvm::enumerate(r.getShape()))
    os << (i ? "," : "") << d;
  os << "]";
  return s;
}

/// The ONNX node an op came from, when its location names one.
std::string onnxName(Location loc) {
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations())
      if (auto n = dyn_cast<NameLoc>(l))
        return n.getName().str();
  return "";
}

std::string kernelsOf(Operation *op) {
  std::string s;
  if (auto names = op->getAttrOfType<ArrayAttr>("kiln.kernels"))
    for (auto [i, a] : llvm::enumerate(names))
      s += (i ? ", " : "") + cast<FlatSymbolRefAttr>(a).getValue().str();
  return s;
}

bool skipped(Operation &op) { return isa<k::ConstantOp, k::NoneOp, k::YieldOp, func::ReturnOp>(op); }

class DotWriter {
public:
  explicit DotWriter(llvm::raw_ostream &os) : os_(os) {}

  void write(func::FuncOp func) {
    os_ << "digraph kiln {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n";
    Block &body = func.getBody().front();
    for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
      auto name = func.getArgAttrOfType<StringAttr>(i, "kiln.name");
      std::string id = "in" + std::to_string(i);
      os_ << "  " << id << " [shape=ellipse, label=\"" << escape(name ? name.str() : id) << "\\n"
          << typeText(arg.getType()) << "\"];\n";
      source_[arg] = id;
    }
    int cluster = 0;
    for (Operation &op : body) {
      if (skipped(op))
        continue;
      auto fused = dyn_cast<k::FusedOp>(op);
      if (!fused) {
        node(op, kernelsOf(&op));
        for (Value r : op.getResults())
          source_[r] = idOf(&op);
        continue;
      }
      Block &inner = fused.getBody().front();
      for (auto [arg, input] : llvm::zip(inner.getArguments(), fused.getInputs()))
        alias_[arg] = input;
      os_ << "  subgraph cluster_" << cluster++ << " {\n    style=rounded; color=\"#4a78b5\"; fontsize=10;\n"
          << "    label=\"" << escape(kernelsOf(&op)) << " (" << fused.getKind() << ")\";\n";
      for (Operation &member : inner)
        if (!skipped(member)) {
          os_ << "  ";
          node(member, "");
        }
      os_ << "  }\n";
      for (Operation &member : inner)
        if (!skipped(member))
          for (Value r : member.getResults())
            source_[r] = idOf(&member);
      auto yield = cast<k::YieldOp>(inner.getTerminator());
      for (auto [r, v] : llvm::zip(fused.getResults(), yield.getOperands()))
        source_[r] = source_.lookup(v);
    }
    // Edges, once every producer has an id.
    for (Operation &op : body) {
      if (auto fused = dyn_cast<k::FusedOp>(op)) {
        for (Operation &member : fused.getBody().front())
          if (!skipped(member))
            edgesInto(member);
        continue;
      }
      if (!skipped(op))
        edgesInto(op);
    }
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      auto name = func.getResultAttrOfType<StringAttr>(i, "kiln.name");
      std::string id = "out" + std::to_string(i);
      os_ << "  " << id << " [shape=ellipse, label=\"" << escape(name ? name.str() : id) << "\\n"
          << typeText(v.getType()) << "\"];\n";
      if (std::string from = source_.lookup(v); !from.empty())
        os_ << "  " << from << " -> " << id << ";\n";
    }
    os_ << "}\n";
  }

private:
  std::string idOf(Operation *op) {
    auto [it, inserted] = ids_.try_emplace(op, "");
    if (inserted)
      it->second = "n" + std::to_string(ids_.size());
    return it->second;
  }

  void node(Operation &op, const std::string &kernels) {
    std::string label = op.getName().stripDialect().str();
    if (std::string onnx = onnxName(op.getLoc()); !onnx.empty())
      label += "\\n" + escape(onnx);
    if (op.getNumResults() > 0)
      label += "\\n" + typeText(op.getResult(0).getType());
    if (!kernels.empty())
      label += "\\n[" + escape(kernels) + "]";
    os_ << "  " << idOf(&op) << " [label=\"" << label << "\"];\n";
  }

  void edgesInto(Operation &op) {
    for (Value v : op.getOperands()) {
      Value from = alias_.lookup(v) ? alias_.lookup(v) : v;
      std::string src = source_.lookup(from);
      if (!src.empty())
        os_ << "  " << src << " -> " << idOf(&op) << ";\n";
    }
  }

  llvm::raw_ostream &os_;
  llvm::DenseMap<Operation *, std::string> ids_;
  llvm::DenseMap<Value, std::string> source_; // value -> the node that produces it
  llvm::DenseMap<Value, Value> alias_;        // region argument -> the value it receives
};

} // namespace

void writeDot(ModuleOp module, llvm::raw_ostream &os) {
  for (auto func : module.getOps<func::FuncOp>())
    DotWriter(os).write(func);
}

} // namespace kiln::codegen
