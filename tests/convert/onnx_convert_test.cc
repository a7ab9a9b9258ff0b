// What `lithe convert` does to small ONNX graphs built here: layouts (transposes removed, NHWC
// inside), batch norm folded, activations fused, and errors that name the node. Converted files
// run in lithe and in TensorFlow Lite 2.9 with the same results. (Op semantics against ONNX's
// own expected outputs are in onnx_node_test.cc.)
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <map>
#include <random>

#include "convert/onnx_import.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "oracle/tflite_oracle.h"

namespace lithe::testing {
namespace {

using convert::ConvertOnnx;

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 13) {
    m_.set_ir_version(8);
    m_.set_producer_name("lithe-test");
    auto* o = m_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    g_ = m_.mutable_graph();
    g_->set_name("test");
  }
  void Input(const std::string& name, const std::vector<int64_t>& dims) {
    auto* v = g_->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void Output(const std::string& name) { g_->add_output()->set_name(name); }
  void Init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float f : v) t->add_float_data(f);
  }
  void InitI64(const std::string& name, const std::vector<int64_t>& dims,
               const std::vector<int64_t>& v) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t x : v) t->add_int64_data(x);
  }
  // Random float initializer.
  void InitRandom(const std::string& name, const std::vector<int64_t>& dims, float lo, float hi) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::vector<float> v(n);
    std::uniform_real_distribution<float> u(lo, hi);
    for (float& x : v) x = u(rng_);
    Init(name, dims, v);
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs, const std::string& name = "") {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + std::to_string(g_->node_size()) : name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return n;
  }
  static void Ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void Int(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void Str(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  std::vector<uint8_t> Bytes() const {
    std::string s = m_.SerializeAsString();
    return std::vector<uint8_t>(s.begin(), s.end());
  }

 private:
  onnx::ModelProto m_;
  onnx::GraphProto* g_;
  std::mt19937 rng_{7};
};

struct Converted {
  std::vector<uint8_t> tflite;
  std::map<std::string, int> ops;  // op name -> count
  std::vector<std::vector<int32_t>> input_shapes, output_shapes;
};

Result<Converted> Convert(const OnnxBuilder& b, convert::OnnxConvertOptions o = {}) {
  const std::vector<uint8_t> onnx = b.Bytes();
  LITHE_ASSIGN_OR_RETURN(std::vector<uint8_t> t, ConvertOnnx(onnx.data(), onnx.size(), o));
  Converted c;
  c.tflite = std::move(t);
  LITHE_ASSIGN_OR_RETURN(auto model, Model::FromBuffer(c.tflite.data(), c.tflite.size()));
  LITHE_ASSIGN_OR_RETURN(auto interp, Interpreter::Create(model));
  LITHE_RETURN_IF_ERROR(interp->AllocateTensors());
  for (const auto& n : interp->node_details()) c.ops[n.op_name]++;
  for (int i = 0; i < interp->num_inputs(); ++i) c.input_shapes.push_back(interp->input_details(i).shape);
  for (int i = 0; i < interp->num_outputs(); ++i) c.output_shapes.push_back(interp->output_details(i).shape);
  return c;
}

std::vector<float> RandomVector(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

// Runs the converted model in lithe on one float input; returns output 0.
Result<std::vector<float>> RunLithe(const std::vector<uint8_t>& tflite, const std::vector<float>& in) {
  LITHE_ASSIGN_OR_RETURN(auto model, Model::FromBuffer(tflite.data(), tflite.size()));
  LITHE_ASSIGN_OR_RETURN(auto interp, Interpreter::Create(model));
  LITHE_RETURN_IF_ERROR(interp->AllocateTensors());
  LITHE_RETURN_IF_ERROR(interp->SetInput(0, in.data(), in.size() * sizeof(float)));
  LITHE_RETURN_IF_ERROR(interp->Invoke());
  size_t n = 1;
  for (int32_t d : interp->output_details(0).shape) n *= d;
  std::vector<float> out(n);
  LITHE_RETURN_IF_ERROR(interp->GetOutput(0, out.data(), n * sizeof(float)));
  return out;
}

Result<std::vector<float>> RunTflite(const std::vector<uint8_t>& tflite, const std::vector<float>& in,
                                     const std::vector<int32_t>& shape) {
  LITHE_ASSIGN_OR_RETURN(auto oracle, TfliteOracle::Load());
  OracleTensor t;
  t.shape = shape;
  t.data.resize(in.size() * 4);
  std::memcpy(t.data.data(), in.data(), t.data.size());
  LITHE_ASSIGN_OR_RETURN(auto outs, oracle->Run(tflite, {t}));
  std::vector<float> out(outs[0].data.size() / 4);
  std::memcpy(out.data(), outs[0].data.data(), outs[0].data.size());
  return out;
}

double MaxDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
  return m;
}

// Conv -> BatchNormalization -> Relu, with or without an Identity that stops folding.
OnnxBuilder ConvBnRelu(bool fold) {
  OnnxBuilder b;
  b.Input("x", {1, 3, 9, 9});
  b.InitRandom("w", {4, 3, 3, 3}, -0.5f, 0.5f);
  b.InitRandom("bias", {4}, -0.5f, 0.5f);
  b.InitRandom("gamma", {4}, 0.5f, 1.5f);
  b.InitRandom("beta", {4}, -0.5f, 0.5f);
  b.InitRandom("mean", {4}, -0.5f, 0.5f);
  b.InitRandom("var", {4}, 0.5f, 2.0f);
  auto* conv = b.Node("Conv", {"x", "w", "bias"}, {"c"});
  OnnxBuilder::Ints(conv, "pads", {1, 1, 1, 1});
  std::string bn_in = "c";
  if (!fold) {
    b.Node("Identity", {"c"}, {"c_id"});
    bn_in = "c_id";
  }
  b.Node("BatchNormalization", {bn_in, "gamma", "beta", "mean", "var"}, {"bn"});
  b.Node("Relu", {"bn"}, {"y"});
  b.Output("y");
  return b;
}

TEST(OnnxConvert, BatchNormFoldsIntoConvAndReluFuses) {
  auto folded = Convert(ConvBnRelu(true));
  ASSERT_TRUE(folded.ok()) << folded.status().message();
  EXPECT_EQ(folded->ops["CONV_2D"], 1);
  EXPECT_EQ(folded->ops.count("MUL"), 0u);
  EXPECT_EQ(folded->ops.count("ADD"), 0u);
  EXPECT_EQ(folded->ops.count("RELU"), 0u);  // fused into the conv
  // NCHW in and out: one transpose each way.
  EXPECT_EQ(folded->ops["TRANSPOSE"], 2);
  EXPECT_EQ(folded->input_shapes[0], (std::vector<int32_t>{1, 3, 9, 9}));
  EXPECT_EQ(folded->output_shapes[0], (std::vector<int32_t>{1, 4, 9, 9}));

  auto unfolded = Convert(ConvBnRelu(false));
  ASSERT_TRUE(unfolded.ok()) << unfolded.status().message();
  EXPECT_EQ(unfolded->ops["MUL"], 1);  // batch norm as x * scale + shift
  EXPECT_EQ(unfolded->ops["ADD"], 1);

  const auto in = RandomVector(3 * 81, 1);
  auto a = RunLithe(folded->tflite, in);
  auto b = RunLithe(unfolded->tflite, in);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(MaxDiff(*a, *b), 1e-5);
  double max_abs = 0;
  for (float v : *a) max_abs = std::max<double>(max_abs, std::fabs(v));
  EXPECT_GT(max_abs, 0.1);  // not all zero after the relu

  auto t = RunTflite(folded->tflite, in, {1, 3, 9, 9});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_LT(MaxDiff(*a, *t), 1e-5);
}

TEST(OnnxConvert, TransposeToNhwcAfterConvCostsNothing) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 5, 5});
  b.InitRandom("w", {3, 2, 1, 1}, -1, 1);
  b.Node("Conv", {"x", "w"}, {"c"});
  OnnxBuilder::Ints(b.Node("Transpose", {"c"}, {"y"}), "perm", {0, 2, 3, 1});
  b.Output("y");
  auto c = Convert(b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ops["TRANSPOSE"], 1);  // only the NCHW input
  EXPECT_EQ(c->output_shapes[0], (std::vector<int32_t>{1, 5, 5, 3}));

  // --nhwc: 4-D inputs and outputs are NHWC, so a conv alone needs no transpose at all.
  OnnxBuilder plain;
  plain.Input("x", {1, 2, 5, 5});
  plain.InitRandom("w", {3, 2, 1, 1}, -1, 1);
  plain.Node("Conv", {"x", "w"}, {"y"});
  plain.Output("y");
  convert::OnnxConvertOptions nhwc;
  nhwc.nhwc_io = true;
  auto d = Convert(plain, nhwc);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->ops.count("TRANSPOSE"), 0u);
  EXPECT_EQ(d->input_shapes[0], (std::vector<int32_t>{1, 5, 5, 2}));
}

TEST(OnnxConvert, FlattenAfterGlobalPoolNeedsNoTranspose) {
  OnnxBuilder b;
  b.Input("x", {1, 4, 6, 6});
  b.InitRandom("w", {8, 4, 3, 3}, -1, 1);
  b.InitRandom("fc", {5, 8}, -1, 1);
  b.InitRandom("fcb", {5}, -1, 1);
  b.Node("Conv", {"x", "w"}, {"c"});
  b.Node("GlobalAveragePool", {"c"}, {"p"});
  b.Node("Flatten", {"p"}, {"f"});
  auto* gemm = b.Node("Gemm", {"f", "fc", "fcb"}, {"y"});
  OnnxBuilder::Int(gemm, "transB", 1);
  b.Output("y");
  auto c = Convert(b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ops["TRANSPOSE"], 1);  // the input only: [1,1,1,8] NHWC is [1,8,1,1] in bytes
  EXPECT_EQ(c->ops["FULLY_CONNECTED"], 1);
  const auto in = RandomVector(4 * 36, 2);
  auto a = RunLithe(c->tflite, in);
  auto t = RunTflite(c->tflite, in, {1, 4, 6, 6});
  ASSERT_TRUE(a.ok() && t.ok());
  EXPECT_LT(MaxDiff(*a, *t), 1e-5);
}

TEST(OnnxConvert, ClipBecomesRelu6OrMinMax) {
  for (auto [lo, hi, op] : {std::tuple<float, float, const char*>{0, 6, "RELU6"},
                            {-1, 1, "RELU_N1_TO_1"},
                            {-0.25f, 0.5f, "MINIMUM"}}) {
    OnnxBuilder b;
    b.Input("x", {2, 7});
    b.Init("lo", {}, {lo});
    b.Init("hi", {}, {hi});
    b.Node("Clip", {"x", "lo", "hi"}, {"y"});
    b.Output("y");
    auto c = Convert(b);
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c->ops[op], 1) << op;
    auto in = RandomVector(14, 3);
    for (float& v : in) v *= 8;
    auto out = RunLithe(c->tflite, in);
    ASSERT_TRUE(out.ok()) << out.status().message();
    for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ((*out)[i], std::clamp(in[i], lo, hi));
  }
}

TEST(OnnxConvert, ErrorsNameTheNodeOpAndOpset) {
  OnnxBuilder b;
  b.Input("x", {1, 4});
  b.Node("Relu", {"x"}, {"r"}, "first");
  b.Node("NonZero", {"r"}, {"y"}, "the_culprit");
  b.Output("y");
  const auto bytes = b.Bytes();
  auto r = ConvertOnnx(bytes.data(), bytes.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("node 1 'the_culprit' (NonZero, opset 13)"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("not supported"), std::string::npos);
}

TEST(OnnxConvert, NonConstantWeightsAndBadAttributesAreErrors) {
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.Input("w", {2, 2, 3, 3});
    b.Node("Conv", {"x", "w"}, {"y"}, "conv");
    b.Output("y");
    const auto bytes = b.Bytes();
    auto r = ConvertOnnx(bytes.data(), bytes.size());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("'conv' (Conv"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("must be a constant"), std::string::npos) << r.status().message();
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4});
    b.InitRandom("w", {2, 2, 3, 3}, -1, 1);
    OnnxBuilder::Ints(b.Node("Conv", {"x", "w"}, {"y"}, "conv"), "strides", {0, 1});
    b.Output("y");
    const auto bytes = b.Bytes();
    auto r = ConvertOnnx(bytes.data(), bytes.size());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("stride 0 is invalid"), std::string::npos) << r.status().message();
  }
  {
    OnnxBuilder b(18);  // opset above what lithe accepts
    b.Input("x", {1});
    b.Node("Relu", {"x"}, {"y"});
    b.Output("y");
    const auto bytes = b.Bytes();
    auto r = ConvertOnnx(bytes.data(), bytes.size());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("opset 18 is not supported"), std::string::npos);
  }
  {
    const std::vector<uint8_t> junk = {0x08, 0xff, 0xff, 0x12, 0x99};
    auto r = ConvertOnnx(junk.data(), junk.size());
    ASSERT_FALSE(r.ok());
  }
}

TEST(OnnxConvert, PyTorchPaddingBecomesAnExplicitPad) {
  // Stride 2, pads 1 on an even size: PyTorch pads both sides, TFLite's SAME only the end.
  OnnxBuilder b;
  b.Input("x", {1, 2, 8, 8});
  b.InitRandom("w", {3, 2, 3, 3}, -1, 1);
  auto* conv = b.Node("Conv", {"x", "w"}, {"y"});
  OnnxBuilder::Ints(conv, "pads", {1, 1, 1, 1});
  OnnxBuilder::Ints(conv, "strides", {2, 2});
  b.Output("y");
  auto c = Convert(b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ops["PAD"], 1);
  EXPECT_EQ(c->output_shapes[0], (std::vector<int32_t>{1, 3, 4, 4}));
  // Odd size: the same pads are TFLite's SAME, no PAD.
  OnnxBuilder o;
  o.Input("x", {1, 2, 9, 9});
  o.InitRandom("w", {3, 2, 3, 3}, -1, 1);
  auto* conv2 = o.Node("Conv", {"x", "w"}, {"y"});
  OnnxBuilder::Ints(conv2, "pads", {1, 1, 1, 1});
  OnnxBuilder::Ints(conv2, "strides", {2, 2});
  o.Output("y");
  auto d = Convert(o);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->ops.count("PAD"), 0u);
  // Both agree with TFLite 2.9 on the converted file.
  for (const auto* conv_case : {&*c, &*d}) {
    const std::vector<int32_t> shape = conv_case->input_shapes[0];
    const auto in = RandomVector(shape[1] * shape[2] * shape[3], 4);
    auto a = RunLithe(conv_case->tflite, in);
    auto t = RunTflite(conv_case->tflite, in, shape);
    ASSERT_TRUE(a.ok() && t.ok());
    EXPECT_LT(MaxDiff(*a, *t), 1e-5);
  }
}

TEST(OnnxConvert, GroupedConvBecomesSplitConvsConcatThatTfliteRuns) {
  // group 2, 4 -> 6 channels, 3x3, pads 1, stride 2 on 7x7; checked against a direct loop.
  const int64_t C = 4, M = 6, G = 2, H = 7, K = 3, S = 2, P = 1, OH = (H + 2 * P - K) / S + 1;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> w(M * (C / G) * K * K), bias(M);
  for (float& v : w) v = u(rng);
  for (float& v : bias) v = u(rng);
  OnnxBuilder b;
  b.Input("x", {1, C, H, H});
  b.Init("w", {M, C / G, K, K}, w);
  b.Init("b", {M}, bias);
  auto* conv = b.Node("Conv", {"x", "w", "b"}, {"y"});
  OnnxBuilder::Int(conv, "group", G);
  OnnxBuilder::Ints(conv, "pads", {P, P, P, P});
  OnnxBuilder::Ints(conv, "strides", {S, S});
  b.Output("y");
  auto c = Convert(b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ops["SPLIT"], 1);
  EXPECT_EQ(c->ops["CONV_2D"], G);
  EXPECT_EQ(c->ops["CONCATENATION"], 1);
  const auto in = RandomVector(C * H * H, 6);
  std::vector<float> want(M * OH * OH);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OH; ++ox) {
        double acc = bias[m];
        const int64_t g = m / (M / G);
        for (int64_t ci = 0; ci < C / G; ++ci)
          for (int64_t ky = 0; ky < K; ++ky)
            for (int64_t kx = 0; kx < K; ++kx) {
              const int64_t iy = oy * S - P + ky, ix = ox * S - P + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= H) continue;
              acc += double(in[((g * (C / G) + ci) * H + iy) * H + ix]) * w[((m * (C / G) + ci) * K + ky) * K + kx];
            }
        want[(m * OH + oy) * OH + ox] = static_cast<float>(acc);
      }
  auto a = RunLithe(c->tflite, in);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_LT(MaxDiff(*a, want), 1e-5);
  auto t = RunTflite(c->tflite, in, {1, C, H, H});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_LT(MaxDiff(*t, want), 1e-5);
}

TEST(OnnxConvert, ShapeArithmeticOfViewIsComputedAtConversion) {
  // PyTorch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
  OnnxBuilder b;
  b.Input("x", {2, 3, 4, 5});
  b.Node("Shape", {"x"}, {"s"});
  b.InitI64("zero", {}, {0});
  OnnxBuilder::Int(b.Node("Gather", {"s", "zero"}, {"n"}), "axis", 0);
  b.InitI64("axes", {1}, {0});
  b.Node("Unsqueeze", {"n", "axes"}, {"n1"});
  b.InitI64("minus1", {1}, {-1});
  OnnxBuilder::Int(b.Node("Concat", {"n1", "minus1"}, {"shape"}), "axis", 0);
  b.Node("Reshape", {"x", "shape"}, {"y"});
  b.Output("y");
  auto c = Convert(b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ops.size(), 1u);
  EXPECT_EQ(c->ops["RESHAPE"], 1);
  EXPECT_EQ(c->output_shapes[0], (std::vector<int32_t>{2, 60}));
  const auto in = RandomVector(120, 9);
  auto out = RunLithe(c->tflite, in);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, in);
}

TEST(OnnxConvert, OneDimensionalConvMatchesTheSameConvIn2D) {
  // Conv1d(k=3, stride 2, pads 1/2, dilation 2) then MaxPool1d, against the same thing written
  // as 2-D over [N, C, 1, L].
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> w(4 * 3 * 3), bias(4);
  for (float& v : w) v = u(rng);
  for (float& v : bias) v = u(rng);
  auto build = [&](bool two_d) {
    OnnxBuilder b;
    b.Input("x", two_d ? std::vector<int64_t>{1, 3, 1, 20} : std::vector<int64_t>{1, 3, 20});
    b.Init("w", two_d ? std::vector<int64_t>{4, 3, 1, 3} : std::vector<int64_t>{4, 3, 3}, w);
    b.Init("b", {4}, bias);
    auto* conv = b.Node("Conv", {"x", "w", "b"}, {"c"});
    OnnxBuilder::Ints(conv, "strides", two_d ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{2});
    OnnxBuilder::Ints(conv, "dilations", two_d ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{2});
    OnnxBuilder::Ints(conv, "pads", two_d ? std::vector<int64_t>{0, 1, 0, 2} : std::vector<int64_t>{1, 2});
    auto* pool = b.Node("MaxPool", {"c"}, {"y"});
    OnnxBuilder::Ints(pool, "kernel_shape", two_d ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{2});
    OnnxBuilder::Ints(pool, "strides", two_d ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{2});
    b.Output("y");
    return b;
  };
  auto one = Convert(build(false));
  auto two = Convert(build(true));
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(one->output_shapes[0], (std::vector<int32_t>{1, 4, 5}));
  EXPECT_EQ(two->output_shapes[0], (std::vector<int32_t>{1, 4, 1, 5}));
  const auto in = RandomVector(60, 5);
  auto a = RunLithe(one->tflite, in);
  auto b = RunLithe(two->tflite, in);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  auto t = RunTflite(one->tflite, in, {1, 3, 20});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_LT(MaxDiff(*a, *t), 1e-5);
}

}  // namespace
}  // namespace lithe::testing
