// Walks an ONNX graph into one func.func of kiln ops: initializers become constants,
// inputs become arguments, each node is dispatched through the OpTable, and every
// result type is the model's value_info refined by kiln's shape inference.
#include "compiler/Import/OnnxImporter.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"
#include "compiler/Dialect/Kiln/IR/ShapeUtils.h"
#include "compiler/Import/NodeLocation.h"
#include "compiler/Import/OpTable.h"
#include "compiler/Import/TensorImport.h"
#include "kiln_onnx.pb.h"
#include "passes/FoldConstants.h"
#include "passes/InputValue.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <functional>
#include <set>

using namespace mlir;
using namespace ::kiln;

namespace {

/// The graphs a node carries in attributes (If's branches, Loop's body...).
SmallVector<const onnx::GraphProto *> subgraphsOf(const onnx::NodeProto &node) {
  SmallVector<const onnx::GraphProto *> graphs;
  for (const auto &attr : node.attribute()) {
    if (attr.has_g())
      graphs.push_back(&attr.g());
    for (const auto &g : attr.graphs())
      graphs.push_back(&g);
  }
  return graphs;
}

/// Names a node's subgraphs read from enclosing scopes: used inside, defined nowhere
/// inside (these are inputs of the node as much as its listed ones).
void outerReferences(const onnx::GraphProto &g, llvm::StringSet<> &out, int depth = 0) {
  if (depth > 64)
    return;
  llvm::StringSet<> defined;
  for (const auto &init : g.initializer())
    defined.insert(init.name());
  for (const auto &in : g.input())
    defined.insert(in.name());
  for (const auto &node : g.node())
    for (const std::string &o : node.output())
      defined.insert(o);
  auto use = [&](const std::string &name) {
    if (!name.empty() && !defined.contains(name))
      out.insert(name);
  };
  for (const auto &node : g.node()) {
    for (const std::string &i : node.input())
      use(i);
    for (const onnx::GraphProto *sub : subgraphsOf(node)) {
      llvm::StringSet<> inner;
      outerReferences(*sub, inner, depth + 1);
      for (const auto &name : inner)
        use(name.getKey().str());
    }
  }
  for (const auto &o : g.output())
    use(o.name());
}

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const onnx::ModelProto &model, StringRef modelDir,
                StringRef file, const ImportOptions &options)
      : ctx(ctx), model(model), graph(model.graph()), modelDir(modelDir), file(file),
        options(options), builder(&ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  LogicalResult readOpsets();
  LogicalResult checkSupport();
  /// The nodes in an order where every node comes after the producers of its inputs
  /// (exporters such as the fp16 converter append nodes after their users), keeping
  /// the file's order where it already is one; a cycle is an error naming its nodes.
  FailureOr<std::vector<int>> topologicalOrder(const onnx::GraphProto &g);
  static std::string whyUnsupported(llvm::StringRef opType);
  LogicalResult importNode(const onnx::NodeProto &node, size_t index);
  /// ONNX If: the taken branch inline when the condition folds here, else a kiln.if
  /// holding both branches (resolved by shape specialization).
  LogicalResult importIf(const onnx::NodeProto &node, size_t index);
  /// Imports a branch graph's initializers and nodes at the builder's insertion point,
  /// its names visible only inside it, and returns its outputs.
  FailureOr<SmallVector<Value>> importBranch(const onnx::GraphProto &branch, Location loc);
  /// Imports `g`'s nodes in dependency order.
  LogicalResult importNodes(const onnx::GraphProto &g);
  /// Names `value` in the current scope (a branch's names are undone when it ends).
  void define(const std::string &name, Value value);
  FailureOr<Attribute> importAttribute(const onnx::AttributeProto &attr, Location loc);
  /// The model's declared type for a value (value_info, graph outputs), if ranked.
  RankedTensorType declaredType(StringRef name, Location loc, bool &failed);
  /// Folds the producers of `operands` (recursively) whose inputs are all known at compile
  /// time into constants, updating `operands` and the value table. Returns whether any
  /// operand changed.
  bool foldProducers(SmallVectorImpl<Value> &operands);
  /// The declared type refined by the inferred one; an error when they disagree.
  FailureOr<RankedTensorType> refine(RankedTensorType declared, RankedTensorType inferred,
                                     StringRef name, Location loc);

  MLIRContext &ctx;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  StringRef modelDir, file;
  const ImportOptions &options;
  OpBuilder builder;
  llvm::StringMap<int64_t> opsets;
  llvm::StringMap<const onnx::TypeProto *> valueTypes;
  llvm::StringMap<Value> values;
  /// One undo log per branch being imported: the names it defined and what they
  /// named before (null when nothing).
  std::vector<std::vector<std::pair<std::string, Value>>> scopes;
  Value none;
};

LogicalResult GraphImporter::readOpsets() {
  for (const auto &opset : model.opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    opsets[domain] = opset.version();
  }
  // IR version 2 models predate opset_import and mean opset 1; later models that import
  // no ai.onnx opset may still use other domains (reported per node by checkSupport).
  if (!opsets.count(""))
    opsets[""] = model.ir_version() >= 3 ? 0 : 1;
  return success();
}

LogicalResult GraphImporter::checkSupport() {
  // Every unsupported node is named, up to a bound that keeps the output readable (and
  // bounded) for a hostile model of a million unknown nodes. Branch graphs of If are
  // checked too.
  constexpr size_t kMaxReported = 50;
  size_t bad = 0;
  std::function<void(const onnx::GraphProto &, int)> check = [&](const onnx::GraphProto &g, int depth) {
    for (auto [index, node] : llvm::enumerate(g.node())) {
      std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
      int64_t opset = domain.empty() ? opsets[domain] : 0;
      bool isIf = node.op_type() == "If";
      if (domain.empty() && opset != 0 && (isIf || findImportRule(node.op_type(), opset))) {
        if (isIf && depth < 64)
          for (const onnx::GraphProto *sub : subgraphsOf(node))
            check(*sub, depth + 1);
        continue;
      }
      if (bad++ >= kMaxReported)
        continue;
      Location loc = nodeLoc(ctx, file, node.name(), node.op_type(), index);
      if (!domain.empty())
        emitError(loc) << "unsupported operator " << node.op_type() << " of domain '" << domain
                       << "' (only the default ai.onnx domain is supported)";
      else if (opset == 0)
        emitError(loc) << "the model imports no ai.onnx opset, so " << node.op_type()
                       << " has no defined version";
      else
        emitError(loc) << "unsupported operator " << node.op_type() << " (opset " << opset << ")"
                       << whyUnsupported(node.op_type());
    }
  };
  check(graph, 0);
  if (bad > kMaxReported)
    emitError(FileLineColLoc::get(&ctx, file, 0, 0))
        << bad - kMaxReported << " more nodes are unsupported (only the first " << kMaxReported
        << " are listed)";
  return success(bad == 0);
}

/// Why kiln cannot compile ops of `opType` by design, for the unsupported-operator error
/// (empty for ops that are simply not implemented yet).
std::string GraphImporter::whyUnsupported(llvm::StringRef opType) {
  if (llvm::is_contained({"NonZero", "Unique", "Compress", "NonMaxSuppression", "StringSplit"}, opType))
    return ": its output's size depends on the input values, and kiln fixes every shape at "
           "compile time (run it outside the compiled model)";
  if (opType.starts_with("Sequence") || opType.starts_with("Optional") || opType == "SplitToSequence" ||
      opType == "ConcatFromSequence")
    return ": kiln compiles tensors only, not sequence or optional values";
  if (opType == "Loop")
    return ": a loop's trip count and carried shapes may depend on values (If is supported)";
  return "";
}

FailureOr<std::vector<int>> GraphImporter::topologicalOrder(const onnx::GraphProto &graph) {
  const int count = graph.node_size();
  llvm::StringMap<int> producer;
  for (int i = 0; i < count; ++i)
    for (const std::string &out : graph.node(i).output())
      if (!out.empty())
        producer.try_emplace(out, i);
  std::vector<std::vector<int>> users(count);
  std::vector<int> pending(count, 0);
  for (int i = 0; i < count; ++i) {
    llvm::SmallVector<int, 4> from;
    auto dependOn = [&](StringRef in) {
      auto it = in.empty() ? producer.end() : producer.find(in);
      if (it != producer.end() && it->second != i && !llvm::is_contained(from, it->second))
        from.push_back(it->second);
    };
    for (const std::string &in : graph.node(i).input())
      dependOn(in);
    // A node with subgraphs also waits for the values its subgraphs read.
    for (const onnx::GraphProto *sub : subgraphsOf(graph.node(i))) {
      llvm::StringSet<> outer;
      outerReferences(*sub, outer);
      for (const auto &name : outer)
        dependOn(name.getKey());
    }
    for (int p : from)
      users[p].push_back(i);
    pending[i] = static_cast<int>(from.size());
  }
  // Kahn's algorithm, always taking the earliest ready node: files already in order
  // keep their order exactly.
  std::vector<int> order;
  order.reserve(count);
  std::set<int> ready;
  for (int i = 0; i < count; ++i)
    if (pending[i] == 0)
      ready.insert(i);
  while (!ready.empty()) {
    int next = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(next);
    for (int u : users[next])
      if (--pending[u] == 0)
        ready.insert(u);
  }
  if (static_cast<int>(order.size()) == count)
    return order;
  // A node still pending lies on a cycle or after one: walk back through pending
  // producers until a node repeats, and report that loop.
  int start = 0;
  while (pending[start] == 0)
    ++start;
  auto pendingProducer = [&](int node) {
    for (const std::string &in : graph.node(node).input()) {
      auto it = in.empty() ? producer.end() : producer.find(in);
      if (it != producer.end() && pending[it->second] > 0)
        return it->second;
    }
    return -1;
  };
  std::vector<int> path;
  std::vector<int> seenAt(count, -1);
  int repeat = start;
  while (repeat >= 0 && seenAt[repeat] < 0) {
    seenAt[repeat] = static_cast<int>(path.size());
    path.push_back(repeat);
    repeat = pendingProducer(repeat);
  }
  if (repeat < 0) // cannot happen: every pending node waits on a pending producer
    repeat = path.front();
  std::vector<int> cycle(path.begin() + seenAt[repeat], path.end());
  std::reverse(cycle.begin(), cycle.end()); // producer before user
  const onnx::NodeProto &first = graph.node(cycle.front());
  auto diag = emitError(nodeLoc(ctx, file, first.name(), first.op_type(), cycle.front()))
              << "the graph has a cycle:";
  for (size_t i = 0; i < cycle.size() && i < 20; ++i) {
    const onnx::NodeProto &n = graph.node(cycle[i]);
    diag << " '" << (n.name().empty() ? "#" + std::to_string(cycle[i]) : n.name()) << "' (" << n.op_type()
         << ") ->";
  }
  diag << " '" << (first.name().empty() ? "#" + std::to_string(cycle.front()) : first.name()) << "'";
  return failure();
}

void GraphImporter::define(const std::string &name, Value value) {
  if (!scopes.empty()) {
    auto &log = scopes.back();
    if (llvm::none_of(log, [&](const auto &entry) { return entry.first == name; }))
      log.push_back({name, values.lookup(name)});
  }
  values[name] = value;
}

RankedTensorType GraphImporter::declaredType(StringRef name, Location loc, bool &failed) {
  auto it = valueTypes.find(name);
  if (it == valueTypes.end())
    return {};
  std::string error;
  RankedTensorType type = importTensorType(ctx, *it->second, error);
  if (!error.empty()) {
    emitError(loc) << "value '" << name << "': " << error;
    failed = true;
  }
  return type;
}

FailureOr<RankedTensorType> GraphImporter::refine(RankedTensorType declared,
                                                  RankedTensorType inferred, StringRef name,
                                                  Location loc) {
  if (!declared)
    return inferred;
  if (declared.getElementType() != inferred.getElementType() ||
      declared.getRank() != inferred.getRank() ||
      failed(verifyCompatibleShape(declared, inferred)))
    return emitError(loc) << "the model declares " << declared << " for '" << name
                          << "' but the node produces " << inferred;
  SmallVector<int64_t> dims;
  for (auto [d, i] : llvm::zip(declared.getShape(), inferred.getShape()))
    dims.push_back(ShapedType::isDynamic(d) ? i : d);
  return RankedTensorType::get(dims, inferred.getElementType());
}

FailureOr<Attribute> GraphImporter::importAttribute(const onnx::AttributeProto &attr,
                                                    Location loc) {
  using A = onnx::AttributeProto;
  auto type = attr.type();
  if (type == A::UNDEFINED) { // very old models leave the type out
    type = attr.has_f()             ? A::FLOAT
           : attr.has_i()           ? A::INT
           : attr.has_s()           ? A::STRING
           : attr.has_t()           ? A::TENSOR
           : attr.floats_size() > 0 ? A::FLOATS
           : attr.ints_size() > 0   ? A::INTS
           : attr.strings_size() > 0 ? A::STRINGS
                                    : A::UNDEFINED;
  }
  switch (type) {
  case A::FLOAT: return Attribute(builder.getF32FloatAttr(attr.f()));
  case A::INT: return Attribute(builder.getI64IntegerAttr(attr.i()));
  case A::STRING: return Attribute(builder.getStringAttr(attr.s()));
  case A::FLOATS: {
    SmallVector<float> v(attr.floats().begin(), attr.floats().end());
    return Attribute(builder.getDenseF32ArrayAttr(v));
  }
  case A::INTS: {
    SmallVector<int64_t> v(attr.ints().begin(), attr.ints().end());
    return Attribute(builder.getDenseI64ArrayAttr(v));
  }
  case A::STRINGS: {
    SmallVector<StringRef> v(attr.strings().begin(), attr.strings().end());
    return Attribute(builder.getStrArrayAttr(v));
  }
  case A::TENSOR: {
    std::string error;
    DenseElementsAttr value = importTensor(ctx, attr.t(), modelDir, error);
    if (!value)
      return emitError(loc) << "attribute '" << attr.name() << "': " << error;
    return Attribute(value);
  }
  default:
    return emitError(loc) << "attribute '" << attr.name() << "' of kind "
                          << A::AttributeType_Name(type) << " is not supported";
  }
}

bool GraphImporter::foldProducers(SmallVectorImpl<Value> &operands) {
  llvm::DenseMap<Value, Value> replaced;
  std::function<Value(Value)> fold = [&](Value v) -> Value {
    if (auto it = replaced.find(v); it != replaced.end())
      return it->second;
    Operation *def = v.getDefiningOp();
    if (!def || isa<mlir::kiln::ConstantOp, mlir::kiln::NoneOp>(def))
      return v;
    for (Value operand : def->getOperands())
      fold(operand); // folded producers replace their uses, def's operands included
    // Constant operands may pin result shapes that were unknown when `def` was imported.
    SmallVector<Type> inferred;
    if (auto infer = dyn_cast<mlir::kiln::InferShapesOpInterface>(def);
        infer && succeeded(infer.inferResultTypes(inferred)))
      for (auto [result, type] : llvm::zip(def->getResults(), inferred))
        if (auto ranked = dyn_cast<RankedTensorType>(type); ranked && ranked.hasStaticShape())
          result.setType(ranked);
    SmallVector<Value> results(def->getResults());
    SmallVector<Value> replacements;
    if (failed(mlir::kiln::foldToConstants(def, &replacements)) || replacements.empty())
      return v;
    for (auto [from, to] : llvm::zip(results, replacements))
      replaced[from] = to;
    return replaced.lookup(v);
  };
  bool changed = false;
  for (Value &operand : operands) {
    Value folded = fold(operand);
    changed |= folded != operand;
    operand = folded;
  }
  for (auto &entry : values)
    if (auto it = replaced.find(entry.second); it != replaced.end())
      entry.second = it->second;
  for (auto &log : scopes)
    for (auto &entry : log)
      if (auto it = replaced.find(entry.second); it != replaced.end())
        entry.second = it->second;
  return changed;
}

LogicalResult GraphImporter::importNodes(const onnx::GraphProto &g) {
  FailureOr<std::vector<int>> order = topologicalOrder(g);
  if (failed(order))
    return failure();
  for (int index : *order) {
    const onnx::NodeProto &node = g.node(index);
    if (failed(node.op_type() == "If" && node.domain().empty() ? importIf(node, index) : importNode(node, index)))
      return failure();
  }
  return success();
}

FailureOr<SmallVector<Value>> GraphImporter::importBranch(const onnx::GraphProto &branch, Location loc) {
  if (branch.input_size() > 0)
    return emitError(loc) << "branch graph '" << branch.name() << "' declares inputs; If branches take none",
           failure();
  scopes.emplace_back();
  llvm::StringMap<const onnx::TypeProto *> outerTypes = valueTypes;
  for (const auto &vi : branch.value_info())
    valueTypes[vi.name()] = &vi.type();
  for (const auto &out : branch.output())
    valueTypes[out.name()] = &out.type();
  bool ok = true;
  for (const auto &init : branch.initializer()) {
    std::string error;
    DenseElementsAttr value = importTensor(ctx, init, modelDir, error);
    if (!value) {
      emitError(valueLoc(ctx, file, init.name())) << "initializer '" << init.name() << "': " << error;
      ok = false;
      break;
    }
    define(init.name(), mlir::kiln::ConstantOp::create(builder, valueLoc(ctx, file, init.name()), value));
  }
  SmallVector<Value> outputs;
  if (ok)
    ok = succeeded(importNodes(branch));
  if (ok) {
    for (const auto &out : branch.output()) {
      Value v = values.lookup(out.name());
      if (!v) {
        emitError(loc) << "branch output '" << out.name() << "' is not produced by the branch or an enclosing graph";
        ok = false;
        break;
      }
      outputs.push_back(v);
    }
  }
  // The branch's names go out of scope.
  for (auto &[name, previous] : llvm::reverse(scopes.back())) {
    if (previous)
      values[name] = previous;
    else
      values.erase(name);
  }
  scopes.pop_back();
  valueTypes = std::move(outerTypes);
  if (!ok)
    return failure();
  return outputs;
}

LogicalResult GraphImporter::importIf(const onnx::NodeProto &node, size_t index) {
  Location loc = nodeLoc(ctx, file, node.name(), node.op_type(), index);
  const onnx::GraphProto *thenGraph = nullptr, *elseGraph = nullptr;
  for (const auto &attr : node.attribute()) {
    if (attr.name() == "then_branch" && attr.has_g())
      thenGraph = &attr.g();
    else if (attr.name() == "else_branch" && attr.has_g())
      elseGraph = &attr.g();
    else
      return emitError(loc) << "attribute '" << attr.name() << "' of If is not supported", failure();
  }
  if (!thenGraph || !elseGraph)
    return emitError(loc) << "If needs graph attributes then_branch and else_branch", failure();
  if (node.input_size() != 1 || node.input(0).empty())
    return emitError(loc) << "If takes one input, the condition; it has " << node.input_size(), failure();
  Value cond = values.lookup(node.input(0));
  if (!cond)
    return emitError(loc) << "input '" << node.input(0)
                          << "' is not produced by an earlier node, a graph input or an initializer",
           failure();
  auto condType = dyn_cast<RankedTensorType>(cond.getType());
  if (!condType || !condType.getElementType().isInteger(1) ||
      (condType.hasStaticShape() && condType.getNumElements() != 1))
    return emitError(loc) << "the condition must be one bool, got " << cond.getType(), failure();
  int outputs = node.output_size();
  if (thenGraph->output_size() != outputs || elseGraph->output_size() != outputs)
    return emitError(loc) << "the branches give " << thenGraph->output_size() << " and "
                          << elseGraph->output_size() << " outputs but the If has " << outputs,
           failure();
  // The declared type of each result, checked against what the branches give.
  auto bind = [&](ArrayRef<Value> results) -> LogicalResult {
    bool bad = false;
    for (int i = 0; i < outputs; ++i) {
      if (node.output(i).empty())
        continue;
      RankedTensorType declared = declaredType(node.output(i), loc, bad);
      auto type = dyn_cast<RankedTensorType>(results[i].getType());
      if (bad || !type)
        return failure();
      if (failed(refine(declared, type, node.output(i), loc)))
        return failure();
      define(node.output(i), results[i]);
    }
    return success();
  };

  // A condition that folds here (constants, --const values) selects its branch now.
  SmallVector<Value> operands{cond};
  foldProducers(operands);
  cond = operands[0];
  DenseElementsAttr value;
  if (matchPattern(cond, m_Constant(&value)) && value.getNumElements() == 1) {
    FailureOr<SmallVector<Value>> results =
        importBranch(*value.getValues<bool>().begin() ? *thenGraph : *elseGraph, loc);
    if (failed(results))
      return failure();
    return bind(*results);
  }

  // Otherwise both branches, until shape specialization knows the condition.
  SmallVector<Type> placeholders(outputs, UnrankedTensorType::get(builder.getF32Type()));
  auto op = mlir::kiln::IfOp::create(builder, loc, placeholders, cond);
  OpBuilder::InsertionGuard guard(builder);
  for (auto [region, graph] : {std::pair{&op.getThenBranch(), thenGraph}, {&op.getElseBranch(), elseGraph}}) {
    builder.setInsertionPointToStart(&region->emplaceBlock());
    FailureOr<SmallVector<Value>> results = importBranch(*graph, loc);
    if (failed(results))
      return failure();
    mlir::kiln::YieldOp::create(builder, loc, *results);
  }
  SmallVector<Type> inferred;
  if (failed(op.inferResultTypes(inferred)))
    return failure();
  for (auto [result, type] : llvm::zip(op.getResults(), inferred))
    result.setType(type);
  return bind(SmallVector<Value>(op.getResults()));
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, size_t index) {
  Location loc = nodeLoc(ctx, file, node.name(), node.op_type(), index);
  int64_t opset = opsets[""];
  const OpImportRule *rule = findImportRule(node.op_type(), opset);
  NodeImport n{node, opset, builder, loc, rule->opName, {}, {}, none};

  int numInputs = node.input_size();
  if (rule->maxNodeInputs >= 0 && numInputs > rule->maxNodeInputs)
    return n.error() << "has " << numInputs << " inputs; " << node.op_type() << "-"
                     << rule->sinceVersion << " takes at most " << rule->maxNodeInputs;
  int slots = rule->maxNodeInputs < 0 ? numInputs : rule->maxNodeInputs;
  for (int i = 0; i < slots; ++i) {
    const std::string name = i < numInputs ? node.input(i) : std::string();
    if (name.empty()) {
      n.operands.push_back(none);
      continue;
    }
    Value v = values.lookup(name);
    if (!v)
      return n.error() << "input '" << name
                       << "' is not produced by an earlier node, a graph input or an initializer";
    n.operands.push_back(v);
  }
  for (const auto &attr : node.attribute()) {
    auto value = importAttribute(attr, loc);
    if (failed(value))
      return failure();
    n.attributes.set(attr.name(), *value);
  }
  if (rule->hook && failed(rule->hook(n)))
    return failure();

  for (int i = 0; i < rule->requiredOperands; ++i)
    if (i >= static_cast<int>(n.operands.size()) || isa<NoneType>(n.operands[i].getType()))
      return n.error() << "input #" << i << " is required";
  if (rule->maxNodeInputs < 0 && n.operands.empty())
    return n.error() << "needs at least one input";

  std::optional<RegisteredOperationName> opName = RegisteredOperationName::lookup(n.opName, &ctx);
  if (!opName)
    return n.error() << "internal error: no registered op " << n.opName;
  ArrayRef<StringAttr> known = opName->getAttributeNames();
  for (NamedAttribute attr : n.attributes)
    if (!llvm::is_contained(known, attr.getName()))
      return n.error() << "attribute '" << attr.getName().getValue() << "' of " << node.op_type()
                       << "-" << rule->sinceVersion << " is not supported";
  for (StringRef required : llvm::split(StringRef(rule->requiredAttrs), ' '))
    if (!required.empty() && !n.attributes.get(required))
      return n.error() << "attribute '" << required << "' is required";
  if (failed(opName->verifyInherentAttrs(n.attributes, [&] { return n.error(); })))
    return failure();

  // Results: declared types where the model has them (placeholders otherwise), `none`
  // for optional outputs the node leaves out.
  int numResults = rule->numResults < 0 ? node.output_size() : rule->numResults;
  if (node.output_size() > numResults)
    return n.error() << "has " << node.output_size() << " outputs; kiln's " << n.opName
                     << " has " << numResults;
  if (numResults == 0)
    return n.error() << "has no outputs";
  SmallVector<Type> placeholders;
  SmallVector<RankedTensorType> declared;
  bool bad = false;
  for (int i = 0; i < numResults; ++i) {
    bool present = i < node.output_size() && !node.output(i).empty();
    RankedTensorType type = present ? declaredType(node.output(i), loc, bad) : nullptr;
    declared.push_back(type);
    placeholders.push_back(!present ? Type(NoneType::get(&ctx))
                           : type   ? Type(type)
                                    : Type(UnrankedTensorType::get(builder.getF32Type())));
  }
  if (bad)
    return failure();

  bool refolded = false;
  Operation *op;
create:
  OperationState state(loc, *opName);
  state.addOperands(n.operands);
  state.addAttributes(n.attributes);
  state.addTypes(placeholders);
  op = builder.create(state);

  SmallVector<Type> inferred;
  if (failed(cast<mlir::kiln::InferShapesOpInterface>(op).inferResultTypes(inferred)))
    return failure();
  if (inferred.size() != static_cast<size_t>(numResults))
    return n.error() << "internal error: shape inference returned " << inferred.size()
                     << " types for " << numResults << " results";
  for (int i = 0; i < numResults; ++i) {
    if (isa<NoneType>(placeholders[i]))
      continue;
    auto type = dyn_cast<RankedTensorType>(inferred[i]);
    if (!type) {
      // The rank depends on values computed at run time; the model's declaration, if
      // any, is all there is to go on until shape specialization folds them.
      auto unranked = dyn_cast<UnrankedTensorType>(inferred[i]);
      if (!unranked)
        return n.error() << "internal error: no tensor type inferred for output #" << i;
      if (!declared[i]) {
        // Fold the producers of the operands once (shape arithmetic on static inputs,
        // as PyTorch's exporter emits for attention reshapes) and infer again.
        if (!refolded && foldProducers(n.operands)) {
          refolded = true;
          op->erase();
          goto create;
        }
        return n.error() << "the rank of output '" << node.output(i)
                         << "' depends on values computed at run time and the model declares "
                            "no type for it";
      }
      if (declared[i].getElementType() != unranked.getElementType())
        return n.error() << "the model declares " << declared[i] << " for '" << node.output(i)
                         << "' but the node produces elements of type "
                         << unranked.getElementType();
      type = declared[i];
    }
    auto refined = refine(declared[i], type, node.output(i), loc);
    if (failed(refined))
      return failure();
    op->getResult(i).setType(*refined);
    define(node.output(i), op->getResult(i));
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  Location fileLoc = FileLineColLoc::get(&ctx, file, 0, 0);
  // Bounds on what a model declares, so that a hostile file fails in bounded time.
  constexpr int kMaxGraphEntries = 1 << 20;
  for (auto [count, what] : {std::pair{graph.node_size(), "nodes"}, {graph.initializer_size(), "initializers"},
                             {graph.input_size(), "inputs"}, {graph.output_size(), "outputs"},
                             {graph.value_info_size(), "value_info entries"}})
    if (count > kMaxGraphEntries) {
      emitError(fileLoc) << "the graph has " << count << " " << what << ", more than kiln's limit of "
                         << kMaxGraphEntries;
      return nullptr;
    }
  if (failed(readOpsets()) || failed(checkSupport()))
    return nullptr;
  for (const auto &vi : graph.value_info())
    valueTypes[vi.name()] = &vi.type();
  for (const auto &out : graph.output())
    valueTypes[out.name()] = &out.type();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  module->getOperation()->setAttr("kiln.source", builder.getStringAttr(file));
  module->getOperation()->setAttr("kiln.opset", builder.getI64IntegerAttr(opsets[""]));
  if (!model.producer_name().empty())
    module->getOperation()->setAttr(
        "kiln.producer",
        builder.getStringAttr(model.producer_name() + " " + model.producer_version()));

  // Graph inputs that are also initializers are constants with a default value: kiln
  // compiles them as constants, like every runtime does for inference.
  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());
  // Inputs pinned by --const: NAME=VALUE, checked against the inputs there are.
  llvm::StringMap<StringRef> pinned;
  bool ok = true;
  for (StringRef spec : options.consts) {
    auto [name, text] = spec.split('=');
    bool isInput = llvm::any_of(graph.input(), [&](const onnx::ValueInfoProto &in) {
      return in.name() == name && !initializerNames.contains(in.name());
    });
    if (name.empty() || !spec.contains('=')) {
      emitError(fileLoc) << "const: expected NAME=VALUE or NAME=FILE.npy, got '" << spec << "'";
      ok = false;
    } else if (!isInput) {
      auto diag = emitError(fileLoc) << "const: the model has no input named '" << name << "' (inputs:";
      int listed = 0;
      for (const auto &in : graph.input())
        if (!initializerNames.contains(in.name()) && listed++ < 32)
          diag << " '" << in.name() << "'";
      diag << ")";
      ok = false;
    } else if (!pinned.try_emplace(name, text).second) {
      emitError(fileLoc) << "const: input '" << name << "' is given twice";
      ok = false;
    }
  }
  // Shapes pinned by --shape; malformed specs and unknown names are left to shape
  // specialization, which reports them.
  llvm::StringMap<SmallVector<int64_t>> pinnedShapes;
  for (StringRef spec : options.shapes) {
    auto [name, dims] = spec.split('=');
    if (auto parsed = mlir::kiln::shape::parseDimsSpec(dims); parsed && spec.contains('='))
      pinnedShapes[name] = *parsed;
  }
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  SmallVector<std::pair<const onnx::ValueInfoProto *, RankedTensorType>> constants;
  for (const auto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    Location loc = valueLoc(ctx, file, input.name());
    std::string error;
    RankedTensorType type = importTensorType(ctx, input.type(), error);
    if (!type) {
      emitError(loc) << "graph input '" << input.name() << "': "
                     << (error.empty() ? "has no shape (kiln needs at least its rank)" : error);
      ok = false;
      continue;
    }
    if (pinned.count(input.name())) {
      constants.push_back({&input, type});
      continue;
    }
    if (auto it = pinnedShapes.find(input.name()); it != pinnedShapes.end()) {
      FailureOr<RankedTensorType> refined = mlir::kiln::shape::pinShape(loc, input.name(), type, it->second);
      if (failed(refined)) {
        ok = false;
        continue;
      }
      type = *refined;
    } else if (options.batch > 0 && type.getRank() > 0 && type.isDynamicDim(0)) {
      SmallVector<int64_t> dims(type.getShape());
      dims[0] = options.batch;
      type = RankedTensorType::get(dims, type.getElementType());
    }
    argTypes.push_back(type);
    args.push_back(&input);
  }
  if (!ok)
    return nullptr;

  auto func = func::FuncOp::create(builder, fileLoc, "main", builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  for (auto [i, input] : llvm::enumerate(args)) {
    func.setArgAttr(i, "kiln.name", builder.getStringAttr(input->name()));
    // Keep symbolic dims' names so shape pinning can refer to them.
    SmallVector<Attribute> dimParams;
    bool any = false;
    for (const auto &dim : input->type().tensor_type().shape().dim()) {
      dimParams.push_back(builder.getStringAttr(dim.dim_param()));
      any |= !dim.dim_param().empty();
    }
    if (any)
      func.setArgAttr(i, "kiln.dim_params", builder.getArrayAttr(dimParams));
    BlockArgument arg = body->getArgument(i);
    arg.setLoc(valueLoc(ctx, file, input->name()));
    values[input->name()] = arg;
  }
  for (auto [input, type] : constants) {
    Location loc = valueLoc(ctx, file, input->name());
    std::string error;
    DenseElementsAttr value = mlir::kiln::parseInputValue(pinned.lookup(input->name()), type, error);
    if (!value) {
      emitError(loc) << "const: input '" << input->name() << "': " << error;
      ok = false;
      continue;
    }
    values[input->name()] = mlir::kiln::ConstantOp::create(builder, loc, value);
  }
  if (!ok)
    return nullptr;
  none = mlir::kiln::NoneOp::create(builder, fileLoc);
  for (const auto &init : graph.initializer()) {
    Location loc = valueLoc(ctx, file, init.name());
    std::string error;
    DenseElementsAttr value = importTensor(ctx, init, modelDir, error);
    if (!value) {
      emitError(loc) << "initializer '" << init.name() << "': " << error;
      return nullptr;
    }
    values[init.name()] = mlir::kiln::ConstantOp::create(builder, loc, value);
  }

  if (failed(importNodes(graph)))
    return nullptr;

  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value v = values.lookup(output.name());
    if (!v) {
      emitError(valueLoc(ctx, file, output.name()))
          << "graph output '" << output.name() << "' is not produced by any node or input";
      return nullptr;
    }
    results.push_back(v);
  }
  if (results.empty()) {
    emitError(fileLoc) << "the graph has no outputs";
    return nullptr;
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, TypeRange(ValueRange(results))));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "kiln.name", builder.getStringAttr(output.name()));
  if (none.use_empty())
    none.getDefiningOp()->erase();

  if (failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> (::kiln::importOnnxModel)(MLIRContext &context, const onnx::ModelProto &model,
                                            StringRef modelDir, StringRef displayName,
                                            const ImportOptions &options) {
  loadImportDialects(context);
  return GraphImporter(context, model, modelDir, displayName, options).run();
}
