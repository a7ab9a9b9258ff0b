// The TFLite writer and atomic file writes: what is kept, what is refused, what is left behind.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>

#include "format/file_util.h"
#include "format/format_options.h"
#include "format/tflite_writer.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "tflite_generated.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lithe-writer-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string rm = "rm -rf '" + dir_ + "'";
    if (std::system(rm.c_str()) != 0) {}
  }
  std::string dir_;
};

using WriteFileAtomicTest = ScratchDir;

TEST_F(WriteFileAtomicTest, MissingDirectoryIsAnErrorAndCreatesNothing) {
  const uint8_t data[4] = {1, 2, 3, 4};
  Status s = WriteFileAtomic(dir_ + "/no_such_dir/model.tflite", data, sizeof(data));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no_such_dir/model.tflite"), std::string::npos) << s.message();
  EXPECT_TRUE(ListDir(dir_).empty());
}

TEST_F(WriteFileAtomicTest, FailedRenameRemovesTheTemporaryFile) {
  // The target is a directory: the temporary file is written, the rename over it fails.
  ASSERT_EQ(mkdir((dir_ + "/target").c_str(), 0755), 0);
  const uint8_t data[4] = {1, 2, 3, 4};
  Status s = WriteFileAtomic(dir_ + "/target", data, sizeof(data));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(ListDir(dir_), std::vector<std::string>{"target"});
  EXPECT_TRUE(ListDir(dir_ + "/target").empty());
}

TEST_F(WriteFileAtomicTest, ReplacesAnExistingFileWhole) {
  const std::string path = dir_ + "/f.bin";
  const uint8_t a[3] = {1, 2, 3}, b[2] = {9, 8};
  ASSERT_TRUE(WriteFileAtomic(path, a, sizeof(a)).ok());
  ASSERT_TRUE(WriteFileAtomic(path, b, sizeof(b)).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 2);
  EXPECT_EQ(ListDir(dir_), std::vector<std::string>{"f.bin"});
}

using WriteTfliteFileTest = ScratchDir;

TEST_F(WriteTfliteFileTest, GraphErrorLeavesTheExistingFileAsItWas) {
  const std::string path = dir_ + "/m.tflite";
  const uint8_t old[5] = {5, 5, 5, 5, 5};
  ASSERT_TRUE(WriteFileAtomic(path, old, sizeof(old)).ok());
  Graph empty;  // no subgraphs: refused
  Status s = WriteTfliteFile(empty, path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("without subgraphs"), std::string::npos) << s.message();
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 5);
  EXPECT_EQ(ListDir(dir_), std::vector<std::string>{"m.tflite"});
}

std::shared_ptr<const Model> Load(const std::vector<uint8_t>& bytes) {
  auto m = Model::FromBuffer(bytes.data(), bytes.size());
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : nullptr;
}

// y = x + c: input 0, constant 1, output 2, with constant data owned by the test.
Graph AddGraph(const std::vector<float>& c) {
  Graph g;
  Subgraph sg;
  TensorInfo x, k, y;
  x.name = "x";
  x.shape = {1, 2};
  k.name = "c";
  k.shape = {2};
  k.data = reinterpret_cast<const uint8_t*>(c.data());
  k.bytes = c.size() * sizeof(float);
  y.name = "y";
  y.shape = {1, 2};
  sg.tensors = {x, k, y};
  Node n;
  n.builtin_code = static_cast<int>(::tflite::BuiltinOperator::ADD);
  n.op_name = "ADD";
  n.inputs = {0, 1};
  n.outputs = {2};
  sg.nodes.push_back(n);
  sg.inputs = {0};
  sg.outputs = {2};
  g.subgraphs.push_back(std::move(sg));
  return g;
}

TEST(TfliteWriter, GraphNotFromAFileGetsBuffersAndRuns) {
  const std::vector<float> c = {10, 20};
  Graph g = AddGraph(c);
  auto fo = std::make_shared<FormatOptions>();
  ::tflite::AddOptionsT add;
  add.fused_activation_function = ::tflite::ActivationFunctionType::RELU;
  fo->builtin.Set(add);
  g.subgraphs[0].nodes[0].format_options = fo;
  auto bytes = WriteTflite(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto model = Load(*bytes);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->graph().subgraphs[0].tensors[1].buffer, 1);  // a new buffer after the sentinel
  auto interp = Interpreter::Create(model);
  ASSERT_TRUE(interp.ok()) << interp.status().message();
  ASSERT_TRUE((*interp)->AllocateTensors().ok());
  const float in[2] = {1, -30};
  ASSERT_TRUE((*interp)->SetInput(0, in, sizeof(in)).ok());
  ASSERT_TRUE((*interp)->Invoke().ok());
  float out[2] = {};
  ASSERT_TRUE((*interp)->GetOutput(0, out, sizeof(out)).ok());
  EXPECT_EQ(out[0], 11.0f);
  EXPECT_EQ(out[1], 0.0f);  // the RELU of the options
}

TEST(TfliteWriter, TwoTensorsClaimingOneBufferWithDifferentDataIsAnError) {
  const std::vector<float> c = {10, 20}, d = {1, 2};
  Graph g = AddGraph(c);
  TensorInfo other = g.subgraphs[0].tensors[1];
  other.name = "d";
  other.data = reinterpret_cast<const uint8_t*>(d.data());
  g.subgraphs[0].tensors[1].buffer = 3;
  other.buffer = 3;
  g.subgraphs[0].tensors.push_back(other);
  auto bytes = WriteTflite(g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("share buffer 3"), std::string::npos) << bytes.status().message();
  // Equal data may share a buffer (converters deduplicate constants).
  g.subgraphs[0].tensors[3].data = reinterpret_cast<const uint8_t*>(c.data());
  EXPECT_TRUE(WriteTflite(g).ok());
}

TEST(TfliteWriter, UnknownOptionsTypeIsRefusedNotDropped) {
  const std::vector<float> c = {10, 20};
  Graph g = AddGraph(c);
  auto fo = std::make_shared<FormatOptions>();
  fo->builtin.type = static_cast<::tflite::BuiltinOptions>(250);  // a later schema's option table
  g.subgraphs[0].nodes[0].format_options = fo;
  auto bytes = WriteTflite(g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("op 0 (ADD): builtin options of type 250"), std::string::npos)
      << bytes.status().message();
}

TEST(TfliteWriter, OutOfRangeTensorIndexIsAnError) {
  const std::vector<float> c = {10, 20};
  Graph g = AddGraph(c);
  g.subgraphs[0].nodes[0].inputs[1] = 7;
  auto bytes = WriteTflite(g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("input tensor index 7 out of range"), std::string::npos)
      << bytes.status().message();
}

TEST(TfliteWriter, KeepsQuantizationSignaturesMetadataAndOptionFields) {
  OpModel m(::tflite::BuiltinOperator::ADD);
  m.AddInput(DType::kInt8, {1, 2}, {0.5f}, {-3});
  m.AddConst<int8_t>(DType::kInt8, {2}, {4, -5}, {0.25f, 0.125f}, {1, 2}, 0);
  m.AddOutput(DType::kInt8, {1, 2}, {1.0f}, {7});
  ::tflite::AddOptionsT add;
  add.fused_activation_function = ::tflite::ActivationFunctionType::RELU6;
  add.pot_scale_int16 = false;  // a non-default field lithe does not interpret
  m.SetOptions(add);
  m.tensor(0).shape_signature = {-1, 2};
  auto sig = std::make_unique<::tflite::SignatureDefT>();
  sig->signature_key = "serving_default";
  auto in = std::make_unique<::tflite::TensorMapT>();
  in->name = "in";
  in->tensor_index = 0;
  sig->inputs.push_back(std::move(in));
  m.model().signature_defs.push_back(std::move(sig));
  auto meta_buffer = std::make_unique<::tflite::BufferT>();
  meta_buffer->data = {'h', 'i'};
  m.model().buffers.push_back(std::move(meta_buffer));
  auto md = std::make_unique<::tflite::MetadataT>();
  md->name = "min_runtime_version";
  md->buffer = static_cast<uint32_t>(m.model().buffers.size() - 1);
  m.model().metadata.push_back(std::move(md));
  m.model().description = "unit test";

  const std::vector<uint8_t> original = m.Build();
  auto a = Load(original);
  ASSERT_NE(a, nullptr);
  auto written = WriteTflite(a->graph());
  ASSERT_TRUE(written.ok()) << written.status().message();
  auto b = Load(*written);
  ASSERT_NE(b, nullptr);
  const Graph& g = b->graph();
  EXPECT_EQ(g.description, "unit test");
  const TensorInfo& t0 = g.subgraphs[0].tensors[0];
  EXPECT_EQ(t0.shape_signature, (std::vector<int32_t>{-1, 2}));
  EXPECT_EQ(t0.quant.scale, std::vector<float>{0.5f});
  EXPECT_EQ(t0.quant.zero_point, std::vector<int64_t>{-3});
  const TensorInfo& t1 = g.subgraphs[0].tensors[1];
  EXPECT_EQ(t1.quant.scale, (std::vector<float>{0.25f, 0.125f}));
  EXPECT_EQ(t1.quant.zero_point, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(t1.bytes, 2u);
  EXPECT_EQ(static_cast<int8_t>(t1.data[1]), -5);
  ASSERT_EQ(g.signatures.size(), 1u);
  EXPECT_EQ(g.signatures[0].key, "serving_default");
  ASSERT_EQ(g.signatures[0].inputs.size(), 1u);
  EXPECT_EQ(g.signatures[0].inputs[0].name, "in");
  ASSERT_EQ(g.metadata.size(), 1u);
  EXPECT_EQ(g.metadata[0].name, "min_runtime_version");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(g.metadata[0].data), g.metadata[0].bytes), "hi");
  const auto* opts = g.subgraphs[0].nodes[0].format_options->builtin.AsAddOptions();
  ASSERT_NE(opts, nullptr);
  EXPECT_EQ(opts->fused_activation_function, ::tflite::ActivationFunctionType::RELU6);
  EXPECT_FALSE(opts->pot_scale_int16);
}

TEST(TfliteWriter, UninterpretedOptionTablesKeepTheirFields) {
  // LOCAL_RESPONSE_NORMALIZATION: lithe has no kernel for it, the writer still keeps its fields.
  OpModel m(::tflite::BuiltinOperator::LOCAL_RESPONSE_NORMALIZATION);
  m.AddInput(DType::kFloat32, {1, 1, 1, 4});
  m.AddOutput(DType::kFloat32, {1, 1, 1, 4});
  ::tflite::LocalResponseNormalizationOptionsT lrn;
  lrn.radius = 2;
  lrn.bias = 1.5f;
  lrn.alpha = 0.25f;
  lrn.beta = 0.75f;
  m.SetOptions(lrn);
  auto a = Load(m.Build());
  ASSERT_NE(a, nullptr);
  auto written = WriteTflite(a->graph());
  ASSERT_TRUE(written.ok()) << written.status().message();
  const ::tflite::Model* raw = ::tflite::GetModel(written->data());
  const auto* o = raw->subgraphs()->Get(0)->operators()->Get(0)->builtin_options_as_LocalResponseNormalizationOptions();
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->radius(), 2);
  EXPECT_EQ(o->bias(), 1.5f);
  EXPECT_EQ(o->alpha(), 0.25f);
  EXPECT_EQ(o->beta(), 0.75f);
}

TEST(TfliteWriter, LargeOpCodesFillBothCodeFields) {
  // GELU is 150: beyond the byte-sized field, which holds the placeholder 127.
  OpModel m(::tflite::BuiltinOperator::GELU, 2);
  m.AddInput(DType::kFloat32, {2});
  m.AddOutput(DType::kFloat32, {2});
  auto a = Load(m.Build());
  ASSERT_NE(a, nullptr);
  auto written = WriteTflite(a->graph());
  ASSERT_TRUE(written.ok()) << written.status().message();
  const ::tflite::OperatorCode* oc = ::tflite::GetModel(written->data())->operator_codes()->Get(0);
  EXPECT_EQ(oc->builtin_code(), ::tflite::BuiltinOperator::GELU);
  EXPECT_EQ(oc->deprecated_builtin_code(), 127);
  EXPECT_EQ(oc->version(), 2);
  EXPECT_TRUE(::tflite::ModelBufferHasIdentifier(written->data()));
}

}  // namespace
}  // namespace lithe::testing
