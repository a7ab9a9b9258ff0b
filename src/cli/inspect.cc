// lithe inspect MODEL [--json] [--nodes] [--threads N] [--backend auto|ref|cpu] [--allow-precision-loss]
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/cli.h"
#include "cli/runtime_flags.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"

namespace lithe::cli {

namespace {

struct DTypeTally {
  int tensors = 0;
  size_t bytes = 0;
};

std::string QuantText(const Quantization& q) {
  if (q.empty()) return "";
  std::ostringstream o;
  if (q.per_axis())
    o << "per-axis(" << q.axis << ", " << q.scale.size() << " scales)";
  else
    o << "scale=" << q.scale[0] << " zero_point=" << q.zero_point[0];
  return o.str();
}

std::string QuantJson(const Quantization& q) {
  std::ostringstream o;
  o << "{\"scale\": [";
  for (size_t i = 0; i < q.scale.size(); ++i) o << (i ? ", " : "") << q.scale[i];
  o << "], \"zero_point\": [";
  for (size_t i = 0; i < q.zero_point.size(); ++i) o << (i ? ", " : "") << q.zero_point[i];
  o << "], \"axis\": " << q.axis << "}";
  return o.str();
}

std::string MiB(size_t b) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f MiB", b / 1048576.0);
  return buf;
}

}  // namespace

int Inspect(const std::vector<std::string>& args) {
  std::string path;
  bool json = false, nodes = false;
  InterpreterOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string flag_error;
    if (ParseRuntimeFlag(args, &i, &options, &flag_error)) {
      if (!flag_error.empty()) return Fail("inspect: " + flag_error);
      continue;
    }
    if (a == "--json") json = true;
    else if (a == "--nodes") nodes = true;
    else if (!a.empty() && a[0] == '-') return Fail("inspect: unknown option " + a);
    else if (path.empty()) path = a;
    else return Fail("inspect: more than one model given");
  }
  if (path.empty())
    return Fail(std::string("inspect: usage: lithe inspect MODEL [--json] [--nodes] ") + RuntimeFlagsUsage());
  auto model = Model::FromFile(path);
  if (!model.ok()) return Fail(model.status().message());
  const Graph& g = (*model)->graph();
  const Subgraph& sg = g.subgraphs[0];

  std::map<std::string, int> op_counts;
  for (const Node& n : sg.nodes) op_counts[n.op_name + (n.version > 1 ? " v" + std::to_string(n.version) : "")]++;
  std::map<std::string, DTypeTally> weights, activations;
  for (const TensorInfo& t : sg.tensors) {
    auto& tally = t.is_constant() ? weights[DTypeName(t.type)] : activations[DTypeName(t.type)];
    tally.tensors++;
    tally.bytes += t.bytes;
  }

  auto interp = Interpreter::Create(*model, options);
  Status alloc = interp.ok() ? (*interp)->AllocateTensors() : interp.status();
  std::map<std::string, int> backends;
  std::vector<NodeDetails> details;
  std::map<std::string, int> declined;  // "OP: reason" -> nodes
  if (alloc.ok()) details = (*interp)->node_details();
  for (const NodeDetails& d : details) {
    backends[d.backend]++;
    if (d.backend == "ref" && !d.note.empty()) declined[d.op_name + ": " + d.note]++;
  }

  auto io = [&](bool inputs) {
    std::vector<TensorDetails> v;
    const int n = inputs ? static_cast<int>(sg.inputs.size()) : static_cast<int>(sg.outputs.size());
    for (int i = 0; i < n; ++i) {
      if (interp.ok())
        v.push_back(inputs ? (*interp)->input_details(i) : (*interp)->output_details(i));
    }
    return v;
  };
  const auto inputs = io(true), outputs = io(false);

  if (json) {
    std::ostringstream o;
    o << "{\n  \"model\": " << JsonString(path) << ",\n  \"bytes\": " << (*model)->size()
      << ",\n  \"description\": " << JsonString(g.description) << ",\n  \"subgraphs\": " << g.subgraphs.size();
    for (int pass = 0; pass < 2; ++pass) {
      o << ",\n  \"" << (pass == 0 ? "inputs" : "outputs") << "\": [";
      const auto& v = pass == 0 ? inputs : outputs;
      for (size_t i = 0; i < v.size(); ++i)
        o << (i ? ", " : "") << "\n    {\"name\": " << JsonString(v[i].name) << ", \"index\": " << v[i].index
          << ", \"shape\": " << JsonShape(v[i].shape) << ", \"shape_signature\": " << JsonShape(v[i].shape_signature)
          << ", \"dtype\": " << JsonString(DTypeName(v[i].type)) << ", \"quantization\": " << QuantJson(v[i].quant) << "}";
      o << "\n  ]";
    }
    o << ",\n  \"ops\": {";
    bool first = true;
    for (const auto& [name, c] : op_counts) o << (first ? "" : ", ") << JsonString(name) << ": " << c, first = false;
    o << "},\n  \"num_ops\": " << sg.nodes.size() << ",\n  \"num_tensors\": " << sg.tensors.size();
    for (int pass = 0; pass < 2; ++pass) {
      o << ",\n  \"" << (pass == 0 ? "weights" : "activations") << "_by_dtype\": {";
      first = true;
      for (const auto& [t, tally] : pass == 0 ? weights : activations)
        o << (first ? "" : ", ") << JsonString(t) << ": {\"tensors\": " << tally.tensors << ", \"bytes\": " << tally.bytes << "}",
            first = false;
      o << "}";
    }
    o << ",\n  \"signatures\": [";
    for (size_t i = 0; i < g.signatures.size(); ++i) o << (i ? ", " : "") << JsonString(g.signatures[i].key);
    o << "],\n  \"metadata\": [";
    for (size_t i = 0; i < g.metadata.size(); ++i) o << (i ? ", " : "") << JsonString(g.metadata[i].name);
    o << "]";
    if (alloc.ok()) {
      const ArenaStats& s = (*interp)->arena_stats();
      o << ",\n  \"memory\": {\"arena_bytes\": " << s.arena_bytes << ", \"lower_bound_bytes\": " << s.lower_bound_bytes
        << ", \"decoded_weight_bytes\": " << s.persistent_bytes << "},\n  \"backends\": {";
      first = true;
      for (const auto& [b, c] : backends) o << (first ? "" : ", ") << JsonString(b) << ": " << c, first = false;
      o << "},\n  \"runtime\": " << JsonString(DescribeRuntime(options)) << ",\n  \"nodes\": [";
      for (size_t i = 0; i < details.size(); ++i)
        o << (i ? "," : "") << "\n    {\"index\": " << details[i].index << ", \"op\": " << JsonString(details[i].op_name)
          << ", \"backend\": " << JsonString(details[i].backend) << ", \"note\": " << JsonString(details[i].note) << "}";
      o << "\n  ]";
    } else {
      o << ",\n  \"error\": " << JsonString(alloc.message());
    }
    o << "\n}\n";
    std::cout << o.str();
  } else {
    std::cout << "model: " << path << " (" << (*model)->size() << " bytes, schema v" << g.version << ", "
              << g.subgraphs.size() << " subgraph" << (g.subgraphs.size() > 1 ? "s" : "") << ")\n";
    if (!g.description.empty()) std::cout << "description: " << g.description << "\n";
    for (int pass = 0; pass < 2; ++pass) {
      std::cout << (pass == 0 ? "inputs:\n" : "outputs:\n");
      for (const TensorDetails& d : pass == 0 ? inputs : outputs)
        std::cout << "  [" << d.index << "] " << d.name << "  " << DTypeName(d.type) << " "
                  << JsonShape(d.shape_signature) << (d.quant.empty() ? "" : " " + QuantText(d.quant)) << "\n";
    }
    std::cout << "ops (" << sg.nodes.size() << "):\n";
    for (const auto& [name, c] : op_counts) std::cout << "  " << name << ": " << c << "\n";
    std::cout << "weights by dtype:\n";
    for (const auto& [t, tally] : weights)
      std::cout << "  " << t << ": " << tally.tensors << " tensors, " << tally.bytes << " bytes\n";
    std::cout << "activations by dtype:\n";
    for (const auto& [t, tally] : activations) std::cout << "  " << t << ": " << tally.tensors << " tensors\n";
    if (!g.signatures.empty()) {
      std::cout << "signatures:";
      for (const auto& s : g.signatures) std::cout << " " << s.key;
      std::cout << "\n";
    }
    if (!g.metadata.empty()) {
      std::cout << "metadata:";
      for (const auto& m : g.metadata) std::cout << " " << m.name;
      std::cout << "\n";
    }
    if (alloc.ok()) {
      const ArenaStats& s = (*interp)->arena_stats();
      std::cout << "memory: arena " << s.arena_bytes << " bytes (" << MiB(s.arena_bytes) << "), lower bound "
                << s.lower_bound_bytes << " bytes (" << MiB(s.lower_bound_bytes) << "); weights decoded at load "
                << s.persistent_bytes << " bytes\n";
      std::cout << "kernels:";
      for (const auto& [b, c] : backends) std::cout << " " << b << "=" << c;
      std::cout << "  (const: computed once at AllocateTensors)\n";
      std::cout << "runtime: " << DescribeRuntime(options) << "\n";
      for (const auto& [why, c] : declined) std::cout << "  on ref: " << c << " x " << why << "\n";
      if (nodes) {
        std::cout << "nodes:\n";
        for (const NodeDetails& d : details)
          std::cout << "  " << d.index << "  " << d.op_name << "  " << d.backend << (d.note.empty() ? "" : "  (" + d.note + ")")
                    << "\n";
      }
    }
  }
  if (!alloc.ok()) return Fail(alloc.message());
  return 0;
}

}  // namespace lithe::cli
