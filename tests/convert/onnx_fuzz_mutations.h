// The ONNX fuzz test's material: deterministic randomness, two seed models built through the
// protobuf API the way PyTorch exports them (a CNN and an MLP), and the structural mutations
// applied to them and to any model (attributes, initializers, shapes, graph structure).
// Header-only, for tests/convert/onnx_fuzz_test.cc.
#pragma once

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace lithe::testing::onnx_fuzz {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {  // splitmix64
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }

 private:
  uint64_t s_;
};

inline uint64_t SeedOf(const std::string& s) {  // FNV-1a
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// ---- Seed models -----------------------------------------------------------------------------

inline void AddValueInfo(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

inline void AddFloatInit(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims, Rng* rng) {
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    n *= d;
  }
  std::string raw(static_cast<size_t>(n) * 4, '\0');
  for (int64_t i = 0; i < n; ++i) {
    const float v = static_cast<float>(static_cast<double>(rng->Below(2001)) / 1000.0 - 1.0) * 0.5f;
    std::memcpy(&raw[static_cast<size_t>(i) * 4], &v, 4);
  }
  t->set_raw_data(raw);
}

inline void AddInt64Init(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& values) {
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) t->add_int64_data(v);
}

inline onnx::NodeProto* AddNode(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                         std::vector<std::string> out) {
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(op + "_" + std::to_string(g->node_size()));
  for (auto& s : in) n->add_input(s);
  for (auto& s : out) n->add_output(s);
  return n;
}

inline onnx::AttributeProto* Attr(onnx::NodeProto* n, const std::string& name) {
  for (auto& a : *n->mutable_attribute())
    if (a.name() == name) return &a;
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  return a;
}
inline void SetInt(onnx::NodeProto* n, const std::string& name, int64_t v) {
  onnx::AttributeProto* a = Attr(n, name);
  a->clear_ints();
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void SetInts(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  onnx::AttributeProto* a = Attr(n, name);
  a->set_type(onnx::AttributeProto::INTS);
  a->clear_ints();
  for (int64_t x : v) a->add_ints(x);
}

inline onnx::ModelProto NewModel(int opset) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("lithe onnx_fuzz_test");
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  return m;
}

// Conv -> Relu -> MaxPool -> Flatten -> Gemm -> Softmax, weights as initializers.
inline onnx::ModelProto CnnModel() {
  Rng rng(1);
  onnx::ModelProto m = NewModel(13);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("cnn");
  AddValueInfo(g->add_input(), "x", {1, 3, 8, 8});
  AddFloatInit(g, "W", {4, 3, 3, 3}, &rng);
  AddFloatInit(g, "B", {4}, &rng);
  AddFloatInit(g, "W2", {10, 64}, &rng);
  AddFloatInit(g, "B2", {10}, &rng);
  onnx::NodeProto* conv = AddNode(g, "Conv", {"x", "W", "B"}, {"c"});
  SetInts(conv, "kernel_shape", {3, 3});
  SetInts(conv, "pads", {1, 1, 1, 1});
  SetInts(conv, "strides", {1, 1});
  SetInts(conv, "dilations", {1, 1});
  SetInt(conv, "group", 1);
  AddNode(g, "Relu", {"c"}, {"r"});
  onnx::NodeProto* pool = AddNode(g, "MaxPool", {"r"}, {"p"});
  SetInts(pool, "kernel_shape", {2, 2});
  SetInts(pool, "strides", {2, 2});
  SetInt(AddNode(g, "Flatten", {"p"}, {"f"}), "axis", 1);
  SetInt(AddNode(g, "Gemm", {"f", "W2", "B2"}, {"y"}), "transB", 1);
  SetInt(AddNode(g, "Softmax", {"y"}, {"z"}), "axis", 1);
  AddValueInfo(g->add_output(), "z", {1, 10});
  return m;
}

// Reshape (int64 shape initializer) -> MatMul -> Add -> Relu -> Concat -> Transpose.
inline onnx::ModelProto MlpModel() {
  Rng rng(2);
  onnx::ModelProto m = NewModel(13);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("mlp");
  AddValueInfo(g->add_input(), "x", {1, 1, 4, 4});
  AddInt64Init(g, "shape", {1, 16});
  AddFloatInit(g, "W", {16, 8}, &rng);
  AddFloatInit(g, "b", {8}, &rng);
  AddNode(g, "Reshape", {"x", "shape"}, {"h"});
  AddNode(g, "MatMul", {"h", "W"}, {"m"});
  AddNode(g, "Add", {"m", "b"}, {"a"});
  AddNode(g, "Relu", {"a"}, {"r"});
  SetInt(AddNode(g, "Concat", {"r", "r"}, {"c"}), "axis", 1);
  SetInts(AddNode(g, "Transpose", {"c"}, {"t"}), "perm", {1, 0});
  AddValueInfo(g->add_output(), "t", {16, 1});
  return m;
}

// ---- Structural variants of the built CNN and MLP --------------------------------------------

using Mutation = std::pair<std::string, std::function<void(onnx::ModelProto&)>>;

inline onnx::NodeProto* FindNode(onnx::ModelProto& m, const std::string& op) {
  for (auto& n : *m.mutable_graph()->mutable_node())
    if (n.op_type() == op) return &n;
  return nullptr;
}
inline onnx::TensorProto* FindInit(onnx::ModelProto& m, const std::string& name) {
  for (auto& t : *m.mutable_graph()->mutable_initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

inline std::vector<Mutation> CnnMutations() {
  std::vector<Mutation> v;
  auto conv = [](const char* attr, std::vector<int64_t> vals) {
    return [attr, vals](onnx::ModelProto& m) { SetInts(FindNode(m, "Conv"), attr, vals); };
  };
  for (auto& [name, vals] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"empty", {}}, {"huge", {1 << 30, 1 << 30}}, {"negative", {-3, 3}}, {"zero", {0, 0}},
           {"rank3", {3, 3, 3}}, {"int64max", {INT64_MAX, 1}}}) {
    v.push_back({"conv kernel_shape " + name, conv("kernel_shape", vals)});
    v.push_back({"conv strides " + name, conv("strides", vals)});
    v.push_back({"conv dilations " + name, conv("dilations", vals)});
    v.push_back({"pool kernel_shape " + name,
                 [vals = vals](onnx::ModelProto& m) { SetInts(FindNode(m, "MaxPool"), "kernel_shape", vals); }});
    v.push_back({"pool strides " + name,
                 [vals = vals](onnx::ModelProto& m) { SetInts(FindNode(m, "MaxPool"), "strides", vals); }});
  }
  for (auto& [name, vals] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"negative", {-1, -1, -1, -1}}, {"huge", {1 << 30, 0, 1 << 30, 0}}, {"short", {1}},
           {"long", {1, 1, 1, 1, 1, 1}}, {"int64min", {INT64_MIN, 0, 0, 0}}}) {
    v.push_back({"conv pads " + name, conv("pads", vals)});
    v.push_back({"pool pads " + name,
                 [vals = vals](onnx::ModelProto& m) { SetInts(FindNode(m, "MaxPool"), "pads", vals); }});
  }
  for (int64_t g : {int64_t{0}, int64_t{-1}, int64_t{2}, int64_t{3}, int64_t{4}, int64_t{1} << 40})
    v.push_back({"conv group " + std::to_string(g), [g](onnx::ModelProto& m) { SetInt(FindNode(m, "Conv"), "group", g); }});
  v.push_back({"conv auto_pad garbage", [](onnx::ModelProto& m) {
                 onnx::AttributeProto* a = Attr(FindNode(m, "Conv"), "auto_pad");
                 a->set_type(onnx::AttributeProto::STRING);
                 a->set_s("SIDEWAYS");
               }});
  v.push_back({"conv kernel_shape as float", [](onnx::ModelProto& m) {
                 onnx::AttributeProto* a = Attr(FindNode(m, "Conv"), "kernel_shape");
                 a->clear_ints();
                 a->set_type(onnx::AttributeProto::FLOAT);
                 a->set_f(3.5f);
               }});
  for (int64_t axis : {-100, -3, 2, 5, 100}) {
    v.push_back({"flatten axis " + std::to_string(axis), [axis](onnx::ModelProto& m) { SetInt(FindNode(m, "Flatten"), "axis", axis); }});
    v.push_back({"softmax axis " + std::to_string(axis), [axis](onnx::ModelProto& m) { SetInt(FindNode(m, "Softmax"), "axis", axis); }});
  }
  v.push_back({"gemm transB 0 (shape mismatch)", [](onnx::ModelProto& m) { SetInt(FindNode(m, "Gemm"), "transB", 0); }});
  v.push_back({"gemm transA 1", [](onnx::ModelProto& m) { SetInt(FindNode(m, "Gemm"), "transA", 1); }});
  // Initializers whose data disagrees with their dims or dtype.
  v.push_back({"W raw_data short", [](onnx::ModelProto& m) { auto* t = FindInit(m, "W"); t->set_raw_data(t->raw_data().substr(0, 10)); }});
  v.push_back({"W raw_data long", [](onnx::ModelProto& m) { auto* t = FindInit(m, "W"); t->set_raw_data(t->raw_data() + "abcd"); }});
  v.push_back({"W raw_data empty", [](onnx::ModelProto& m) { FindInit(m, "W")->clear_raw_data(); }});
  v.push_back({"W float_data too few", [](onnx::ModelProto& m) {
                 auto* t = FindInit(m, "W");
                 t->clear_raw_data();
                 for (int i = 0; i < 7; ++i) t->add_float_data(1.0f);
               }});
  v.push_back({"W both raw and float_data", [](onnx::ModelProto& m) { FindInit(m, "W")->add_float_data(1.0f); }});
  v.push_back({"W dims[0] + 1", [](onnx::ModelProto& m) { auto* t = FindInit(m, "W"); t->set_dims(0, t->dims(0) + 1); }});
  v.push_back({"W rank 2", [](onnx::ModelProto& m) { auto* t = FindInit(m, "W"); t->clear_dims(); t->add_dims(4); t->add_dims(27); }});
  v.push_back({"W dims negative", [](onnx::ModelProto& m) { FindInit(m, "W")->set_dims(1, -3); }});
  v.push_back({"W dims huge", [](onnx::ModelProto& m) { FindInit(m, "W")->set_dims(1, int64_t{1} << 40); }});
  v.push_back({"W dims zero", [](onnx::ModelProto& m) { FindInit(m, "W")->set_dims(0, 0); }});
  v.push_back({"W rank 12", [](onnx::ModelProto& m) { auto* t = FindInit(m, "W"); for (int i = 0; i < 8; ++i) t->add_dims(1); }});
  v.push_back({"W dtype DOUBLE", [](onnx::ModelProto& m) { FindInit(m, "W")->set_data_type(onnx::TensorProto::DOUBLE); }});
  v.push_back({"W dtype UNDEFINED", [](onnx::ModelProto& m) { FindInit(m, "W")->set_data_type(0); }});
  v.push_back({"W dtype 999", [](onnx::ModelProto& m) { FindInit(m, "W")->set_data_type(999); }});
  v.push_back({"W external data", [](onnx::ModelProto& m) { FindInit(m, "W")->set_data_location(onnx::TensorProto::EXTERNAL); }});
  v.push_back({"W without name", [](onnx::ModelProto& m) { FindInit(m, "W")->clear_name(); }});
  v.push_back({"B twice", [](onnx::ModelProto& m) { *m.mutable_graph()->add_initializer() = *FindInit(m, "B"); }});
  v.push_back({"B removed", [](onnx::ModelProto& m) { m.mutable_graph()->mutable_initializer()->DeleteSubrange(1, 1); }});
  v.push_back({"B 5 values", [](onnx::ModelProto& m) { auto* t = FindInit(m, "B"); t->set_dims(0, 5); t->set_raw_data(t->raw_data() + "0000"); }});
  // Graph structure.
  v.push_back({"conv input missing", [](onnx::ModelProto& m) { FindNode(m, "Conv")->mutable_input()->RemoveLast(); FindNode(m, "Conv")->mutable_input()->RemoveLast(); }});
  v.push_back({"conv no inputs", [](onnx::ModelProto& m) { FindNode(m, "Conv")->clear_input(); }});
  v.push_back({"conv input empty name", [](onnx::ModelProto& m) { FindNode(m, "Conv")->set_input(1, ""); }});
  v.push_back({"conv extra inputs", [](onnx::ModelProto& m) { for (int i = 0; i < 5; ++i) FindNode(m, "Conv")->add_input("x"); }});
  v.push_back({"relu reads unknown value", [](onnx::ModelProto& m) { FindNode(m, "Relu")->set_input(0, "nowhere"); }});
  v.push_back({"relu no outputs", [](onnx::ModelProto& m) { FindNode(m, "Relu")->clear_output(); }});
  v.push_back({"output never produced", [](onnx::ModelProto& m) { AddValueInfo(m.mutable_graph()->add_output(), "ghost", {1}); }});
  v.push_back({"no outputs", [](onnx::ModelProto& m) { m.mutable_graph()->clear_output(); }});
  v.push_back({"no nodes", [](onnx::ModelProto& m) { m.mutable_graph()->clear_node(); }});
  v.push_back({"cycle conv <- relu", [](onnx::ModelProto& m) { FindNode(m, "Conv")->set_input(0, "r"); }});
  v.push_back({"self loop relu", [](onnx::ModelProto& m) { FindNode(m, "Relu")->set_input(0, "r"); }});
  v.push_back({"value produced twice", [](onnx::ModelProto& m) { FindNode(m, "Flatten")->set_output(0, "r"); }});
  v.push_back({"output is the graph input", [](onnx::ModelProto& m) { FindNode(m, "Relu")->set_output(0, "x"); }});
  v.push_back({"nodes reversed", [](onnx::ModelProto& m) {
                 auto* nodes = m.mutable_graph()->mutable_node();
                 std::reverse(nodes->begin(), nodes->end());
               }});
  v.push_back({"unknown op type", [](onnx::ModelProto& m) { FindNode(m, "Relu")->set_op_type("FrobnicateV9"); }});
  v.push_back({"claimed op in another domain", [](onnx::ModelProto& m) { FindNode(m, "Relu")->set_domain("com.example"); }});
  v.push_back({"relu turned into conv", [](onnx::ModelProto& m) { FindNode(m, "Relu")->set_op_type("Conv"); }});
  v.push_back({"gemm turned into conv", [](onnx::ModelProto& m) { FindNode(m, "Gemm")->set_op_type("Conv"); }});
  v.push_back({"conv turned into gemm", [](onnx::ModelProto& m) { FindNode(m, "Conv")->set_op_type("Gemm"); }});
  // Graph input shapes and types.
  auto input_dims = [](std::vector<int64_t> dims) {
    return [dims](onnx::ModelProto& m) {
      auto* shape = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
      shape->clear_dim();
      for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
    };
  };
  v.push_back({"input dim 0", input_dims({1, 3, 0, 8})});
  v.push_back({"input dim negative", input_dims({1, 3, -8, 8})});
  v.push_back({"input dim huge", input_dims({1, 3, int64_t{1} << 40, 8})});
  v.push_back({"input dims big product", input_dims({1 << 20, 3, 1 << 20, 1 << 20})});
  v.push_back({"input batch 7", input_dims({7, 3, 8, 8})});
  v.push_back({"input rank 3", input_dims({3, 8, 8})});
  v.push_back({"input rank 0", input_dims({})});
  v.push_back({"input rank 40", input_dims(std::vector<int64_t>(40, 1))});
  v.push_back({"input wrong channels", input_dims({1, 5, 8, 8})});
  v.push_back({"input smaller than kernel", input_dims({1, 3, 1, 1})});
  v.push_back({"input symbolic dim", [](onnx::ModelProto& m) {
                 m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("N");
               }});
  v.push_back({"input no shape", [](onnx::ModelProto& m) { m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->clear_shape(); }});
  v.push_back({"input no type", [](onnx::ModelProto& m) { m.mutable_graph()->mutable_input(0)->clear_type(); }});
  v.push_back({"input dtype STRING", [](onnx::ModelProto& m) { m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::STRING); }});
  v.push_back({"input dtype 999", [](onnx::ModelProto& m) { m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(999); }});
  v.push_back({"input listed twice", [](onnx::ModelProto& m) { *m.mutable_graph()->add_input() = m.graph().input(0); }});
  v.push_back({"initializer also an input", [](onnx::ModelProto& m) { AddValueInfo(m.mutable_graph()->add_input(), "W", {4, 3, 3, 3}); }});
  v.push_back({"initializer input with other shape", [](onnx::ModelProto& m) { AddValueInfo(m.mutable_graph()->add_input(), "W", {2, 2}); }});
  v.push_back({"opset 0", [](onnx::ModelProto& m) { m.mutable_opset_import(0)->set_version(0); }});
  v.push_back({"opset 1000", [](onnx::ModelProto& m) { m.mutable_opset_import(0)->set_version(1000); }});
  v.push_back({"opset negative", [](onnx::ModelProto& m) { m.mutable_opset_import(0)->set_version(-5); }});
  v.push_back({"no opset_import", [](onnx::ModelProto& m) { m.clear_opset_import(); }});
  v.push_back({"no graph", [](onnx::ModelProto& m) { m.clear_graph(); }});
  return v;
}

inline std::vector<Mutation> MlpMutations() {
  std::vector<Mutation> v;
  for (auto& [name, vals] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"-1 -1", {-1, -1}}, {"zero", {0, 16}}, {"zero product", {0, 0}}, {"wrong product", {3, 7}},
           {"negative", {-4, -4}}, {"huge", {int64_t{1} << 40, 1}}, {"rank 12", std::vector<int64_t>(12, 1)},
           {"empty", {}}, {"int64 extremes", {INT64_MIN, INT64_MAX}}}) {
    v.push_back({"reshape shape " + name, [vals = vals](onnx::ModelProto& m) {
                   auto* t = FindInit(m, "shape");
                   t->clear_int64_data();
                   t->set_dims(0, static_cast<int64_t>(vals.size()));
                   for (int64_t x : vals) t->add_int64_data(x);
                 }});
  }
  v.push_back({"reshape shape as float", [](onnx::ModelProto& m) {
                 auto* t = FindInit(m, "shape");
                 t->clear_int64_data();
                 t->set_data_type(onnx::TensorProto::FLOAT);
                 t->add_float_data(1);
                 t->add_float_data(16);
               }});
  v.push_back({"reshape shape is a graph input", [](onnx::ModelProto& m) {
                 m.mutable_graph()->mutable_initializer()->DeleteSubrange(0, 1);
                 auto* in = m.mutable_graph()->add_input();
                 in->set_name("shape");
                 auto* tt = in->mutable_type()->mutable_tensor_type();
                 tt->set_elem_type(onnx::TensorProto::INT64);
                 tt->mutable_shape()->add_dim()->set_dim_value(2);
               }});
  v.push_back({"reshape allowzero 1", [](onnx::ModelProto& m) { SetInt(FindNode(m, "Reshape"), "allowzero", 1); }});
  for (int64_t axis : {-3, 2, 9, -100}) {
    v.push_back({"concat axis " + std::to_string(axis), [axis](onnx::ModelProto& m) { SetInt(FindNode(m, "Concat"), "axis", axis); }});
  }
  v.push_back({"concat no axis", [](onnx::ModelProto& m) { FindNode(m, "Concat")->clear_attribute(); }});
  v.push_back({"concat one input", [](onnx::ModelProto& m) { FindNode(m, "Concat")->mutable_input()->RemoveLast(); }});
  v.push_back({"concat 200 inputs", [](onnx::ModelProto& m) { for (int i = 0; i < 198; ++i) FindNode(m, "Concat")->add_input("r"); }});
  for (auto& [name, vals] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"repeated", {0, 0}}, {"out of range", {0, 5}}, {"negative", {-1, 0}}, {"short", {0}},
           {"long", {0, 1, 2}}, {"huge", {int64_t{1} << 40, 0}}}) {
    v.push_back({"transpose perm " + name, [vals = vals](onnx::ModelProto& m) { SetInts(FindNode(m, "Transpose"), "perm", vals); }});
  }
  v.push_back({"matmul W rank 3", [](onnx::ModelProto& m) { auto* t = FindInit(m, "W"); t->set_dims(0, 2); t->add_dims(8); t->set_dims(1, 8); }});
  v.push_back({"matmul W inner mismatch", [](onnx::ModelProto& m) {
                 auto* t = FindInit(m, "W");
                 t->set_dims(0, 8);
                 t->set_dims(1, 16);
               }});
  v.push_back({"add b not broadcastable", [](onnx::ModelProto& m) {
                 auto* t = FindInit(m, "b");
                 t->set_dims(0, 3);
                 t->set_raw_data(t->raw_data().substr(0, 12));
               }});
  v.push_back({"add b scalar", [](onnx::ModelProto& m) {
                 auto* t = FindInit(m, "b");
                 t->clear_dims();
                 t->set_raw_data(t->raw_data().substr(0, 4));
               }});
  v.push_back({"add both inputs constant", [](onnx::ModelProto& m) { FindNode(m, "Add")->set_input(0, "b"); }});
  v.push_back({"graph output is an initializer", [](onnx::ModelProto& m) { m.mutable_graph()->mutable_output(0)->set_name("W"); }});
  v.push_back({"graph output is the input", [](onnx::ModelProto& m) { m.mutable_graph()->mutable_output(0)->set_name("x"); }});
  return v;
}

// Mutations derived from any model: every int attribute, graph input dims, initializers,
// node inputs and outputs, node order.
inline std::vector<Mutation> GenericMutations(const onnx::ModelProto& base) {
  std::vector<Mutation> v;
  const auto& g = base.graph();
  for (int ni = 0; ni < g.node_size(); ++ni) {
    const auto& node = g.node(ni);
    const std::string where = "node " + std::to_string(ni) + " " + node.op_type();
    for (int ai = 0; ai < node.attribute_size(); ++ai) {
      const auto& a = node.attribute(ai);
      if (a.type() == onnx::AttributeProto::INT) {
        for (int64_t x : {int64_t{0}, int64_t{-1}, int64_t{2147483647}, -(int64_t{1} << 40)})
          v.push_back({where + " " + a.name() + "=" + std::to_string(x),
                       [ni, ai, x](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(ni)->mutable_attribute(ai)->set_i(x); }});
      } else if (a.type() == onnx::AttributeProto::INTS) {
        v.push_back({where + " " + a.name() + " cleared",
                     [ni, ai](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(ni)->mutable_attribute(ai)->clear_ints(); }});
        v.push_back({where + " " + a.name() + " x100", [ni, ai](onnx::ModelProto& m) {
                       for (int k = 0; k < 100; ++k) m.mutable_graph()->mutable_node(ni)->mutable_attribute(ai)->add_ints(1);
                     }});
        for (int k = 0; k < a.ints_size() && k < 4; ++k)
          for (int64_t x : {int64_t{0}, int64_t{-7}, int64_t{1} << 31})
            v.push_back({where + " " + a.name() + "[" + std::to_string(k) + "]=" + std::to_string(x),
                         [ni, ai, k, x](onnx::ModelProto& m) {
                           m.mutable_graph()->mutable_node(ni)->mutable_attribute(ai)->set_ints(k, x);
                         }});
      } else if (a.type() == onnx::AttributeProto::FLOAT) {
        for (float x : {0.0f, -1.0f, 1e30f, NAN})
          v.push_back({where + " " + a.name() + "=" + std::to_string(x),
                       [ni, ai, x](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(ni)->mutable_attribute(ai)->set_f(x); }});
      }
    }
    if (node.input_size() > 0) {
      v.push_back({where + " last input removed", [ni](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(ni)->mutable_input()->RemoveLast(); }});
      v.push_back({where + " input 0 unknown", [ni](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(ni)->set_input(0, "no_such_value"); }});
    }
    if (node.output_size() > 0 && ni + 1 < g.node_size())
      v.push_back({where + " output reused by next node", [ni](onnx::ModelProto& m) {
                     auto* next = m.mutable_graph()->mutable_node(ni + 1);
                     if (next->output_size() > 0) next->set_output(0, m.graph().node(ni).output(0));
                   }});
    if (ni > 0)
      v.push_back({where + " moved first", [ni](onnx::ModelProto& m) {
                     auto* nodes = m.mutable_graph()->mutable_node();
                     std::rotate(nodes->begin(), nodes->begin() + ni, nodes->begin() + ni + 1);
                   }});
  }
  for (int ii = 0; ii < g.input_size(); ++ii) {
    const int rank = g.input(ii).type().tensor_type().shape().dim_size();
    for (int d = 0; d < rank && d < 4; ++d)
      for (int64_t x : {int64_t{0}, int64_t{-2}, int64_t{1} << 33})
        v.push_back({"input " + std::to_string(ii) + " dim " + std::to_string(d) + "=" + std::to_string(x),
                     [ii, d, x](onnx::ModelProto& m) {
                       m.mutable_graph()->mutable_input(ii)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(d)->set_dim_value(x);
                     }});
    v.push_back({"input " + std::to_string(ii) + " rank 9", [ii](onnx::ModelProto& m) {
                   auto* s = m.mutable_graph()->mutable_input(ii)->mutable_type()->mutable_tensor_type()->mutable_shape();
                   while (s->dim_size() < 9) s->add_dim()->set_dim_value(1);
                 }});
  }
  for (int ti = 0; ti < g.initializer_size() && ti < 12; ++ti) {
    const std::string where = "initializer " + std::to_string(ti);
    v.push_back({where + " data halved", [ti](onnx::ModelProto& m) {
                   auto* t = m.mutable_graph()->mutable_initializer(ti);
                   if (t->has_raw_data()) t->set_raw_data(t->raw_data().substr(0, t->raw_data().size() / 2));
                   else if (t->float_data_size() > 0) t->mutable_float_data()->Truncate(t->float_data_size() / 2);
                   else if (t->int64_data_size() > 0) t->mutable_int64_data()->Truncate(t->int64_data_size() / 2);
                 }});
    v.push_back({where + " dims cleared", [ti](onnx::ModelProto& m) { m.mutable_graph()->mutable_initializer(ti)->clear_dims(); }});
    v.push_back({where + " dim 0 doubled", [ti](onnx::ModelProto& m) {
                   auto* t = m.mutable_graph()->mutable_initializer(ti);
                   if (t->dims_size() > 0) t->set_dims(0, t->dims(0) * 2);
                 }});
    v.push_back({where + " dim negative", [ti](onnx::ModelProto& m) { m.mutable_graph()->mutable_initializer(ti)->add_dims(-1); }});
    v.push_back({where + " dtype INT8", [ti](onnx::ModelProto& m) { m.mutable_graph()->mutable_initializer(ti)->set_data_type(onnx::TensorProto::INT8); }});
  }
  return v;
}

}  // namespace lithe::testing::onnx_fuzz
