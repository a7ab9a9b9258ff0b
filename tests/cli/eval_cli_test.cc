// `lithe eval` as a user runs it: exact accuracy numbers on small made-up models and datasets,
// one-line errors, and Fashion-MNIST predictions checked image by image against TensorFlow Lite.
#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "flatbuffers/flatbuffers.h"
#include "format/npy.h"
#include "oracle/tflite_oracle.h"
#include "tflite_generated.h"

namespace lithe::testing {
namespace {

using Output = CliOutput;
std::string TestDir() { return testing::TestDir("eval_cli"); }
Output Lithe(const std::string& args) { return RunLithe(args, TestDir()); }

// A one-op FULLY_CONNECTED classifier: scores = W x + b, W of shape [classes, inputs].
std::vector<uint8_t> FcModel(const std::vector<int32_t>& input_shape, int classes, const std::vector<float>& w,
                             const std::vector<float>& bias = {}) {
  ::tflite::ModelT m;
  m.version = 3;
  m.buffers.push_back(std::make_unique<::tflite::BufferT>());
  auto code = std::make_unique<::tflite::OperatorCodeT>();
  code->builtin_code = ::tflite::BuiltinOperator::FULLY_CONNECTED;
  code->deprecated_builtin_code = static_cast<int8_t>(::tflite::BuiltinOperator::FULLY_CONNECTED);
  code->version = 1;
  m.operator_codes.push_back(std::move(code));
  auto sg = std::make_unique<::tflite::SubGraphT>();
  auto tensor = [&](const std::string& name, std::vector<int32_t> shape, const std::vector<float>& data) {
    auto t = std::make_unique<::tflite::TensorT>();
    t->type = ::tflite::TensorType::FLOAT32;
    t->shape = std::move(shape);
    t->name = name;
    if (!data.empty()) {
      auto b = std::make_unique<::tflite::BufferT>();
      const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
      b->data.assign(p, p + data.size() * sizeof(float));
      m.buffers.push_back(std::move(b));
      t->buffer = static_cast<uint32_t>(m.buffers.size() - 1);
    }
    sg->tensors.push_back(std::move(t));
    return static_cast<int32_t>(sg->tensors.size() - 1);
  };
  const int32_t inputs = static_cast<int32_t>(w.size()) / classes;
  const int32_t x = tensor("pixels", input_shape, {});
  const int32_t wt = tensor("weights", {classes, inputs}, w);
  std::vector<int32_t> op_inputs = {x, wt};
  if (!bias.empty()) op_inputs.push_back(tensor("bias", {classes}, bias));
  const int32_t y = tensor("scores", {1, classes}, {});
  sg->inputs = {x};
  sg->outputs = {y};
  auto op = std::make_unique<::tflite::OperatorT>();
  op->opcode_index = 0;
  op->inputs = op_inputs;
  op->outputs = {y};
  op->builtin_options.Set(::tflite::FullyConnectedOptionsT());
  sg->operators.push_back(std::move(op));
  m.subgraphs.push_back(std::move(sg));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(::tflite::Model::Pack(fbb, &m), ::tflite::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  ASSERT_TRUE(f.good()) << path;
}

// Model A scores (x0, x1, x2 + x3); model B scores (x3, x1, x2).
const std::vector<float> kWeightsA = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1};
const std::vector<float> kWeightsB = {0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0};
const std::vector<float> kX = {1, 0, 0, 0, /**/ 0, 2, 0, 0, /**/ 0, 0, 1, 1, /**/ 3, 0, 1, 1, /**/ 0, 1, 0, 0.5f};
const std::vector<int64_t> kY = {0, 1, 2, 2, 0};
// A predicts 0 1 2 0 1 (3 of 5); B predicts 0 (tie) 1 0 0 1 (2 of 5).

// Writes the two models and the npy dataset into `dir`.
void WriteToyFiles(const std::string& dir) {
  WriteFile(dir + "/a.tflite", FcModel({1, 4}, 3, kWeightsA));
  WriteFile(dir + "/b.tflite", FcModel({1, 2, 2}, 3, kWeightsB));
  ASSERT_TRUE(WriteNpy(dir + "/x.npy", DType::kFloat32, {5, 4}, kX.data(), kX.size() * 4).ok());
  ASSERT_TRUE(WriteNpy(dir + "/y.npy", DType::kInt64, {5}, kY.data(), kY.size() * 8).ok());
}

// The text after `"key": ` up to the end of its value (a number or a bracketed list).
std::string JsonField(const std::string& json, const std::string& key, size_t from = 0) {
  const size_t k = json.find("\"" + key + "\": ", from);
  if (k == std::string::npos) return "<missing " + key + ">";
  size_t p = k + key.size() + 4, e = p;
  if (json[p] == '[') {
    int depth = 0;
    for (; e < json.size(); ++e) {
      depth += json[e] == '[' ? 1 : json[e] == ']' ? -1 : 0;
      if (depth == 0) break;
    }
    return json.substr(p, e + 1 - p);
  }
  while (e < json.size() && json[e] != ',' && json[e] != '}' && json[e] != '\n') ++e;
  return json.substr(p, e - p);
}

TEST(EvalCli, NpyDatasetJsonHasExactCountsConfusionAndPredictions) {
  const std::string dir = TestDir();
  WriteToyFiles(dir);
  Output o = Lithe("eval " + dir + "/a.tflite " + dir + "/b.tflite --dataset npy:" + dir + "/x.npy," + dir +
                   "/y.npy --json");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "");  // no progress bar when stderr is not a terminal
  const std::string& j = o.out;
  const size_t b = j.find("\"model\": \"" + dir + "/b.tflite\"");
  ASSERT_NE(b, std::string::npos) << j;
  EXPECT_EQ(JsonField(j, "top1_correct"), "3") << j;
  EXPECT_EQ(JsonField(j, "top1"), "0.6");
  EXPECT_EQ(JsonField(j, "top5_correct"), "5");
  EXPECT_EQ(JsonField(j, "top5_k"), "3");
  EXPECT_EQ(JsonField(j, "predictions"), "[0,1,2,0,1]");
  EXPECT_EQ(JsonField(j, "confusion"), "[[1, 1, 0], [0, 1, 0], [1, 0, 1]]");
  EXPECT_EQ(JsonField(j, "delta_top1_points"), "0.000000");
  EXPECT_EQ(JsonField(j, "top1_correct", b), "2");
  EXPECT_EQ(JsonField(j, "predictions", b), "[0,1,0,0,1]");
  EXPECT_EQ(JsonField(j, "confusion", b), "[[1, 1, 0], [0, 1, 0], [2, 0, 0]]");
  EXPECT_EQ(JsonField(j, "delta_top1_points", b), "-20.000000");
  EXPECT_EQ(JsonField(j, "shape_fed", b), "[1, 2, 2]");
  // Per class for model A: class 0 has 2 samples, 1 right.
  EXPECT_NE(j.find("{\"class\": 0, \"name\": \"0\", \"count\": 2, \"correct\": 1, \"accuracy\": 0.5}"),
            std::string::npos) << j;
  // Float samples are fed as stored unless told otherwise, and the report says so.
  EXPECT_EQ(JsonField(j, "scale"), "1");
  EXPECT_EQ(JsonField(j, "offset"), "0");
  EXPECT_EQ(JsonField(j, "stored_dtype"), "\"float32\"");
}

TEST(EvalCli, TextReportShowsPreprocessingAccuracyDeltaPerClassAndConfusion) {
  const std::string dir = TestDir();
  WriteToyFiles(dir);
  Output o = Lithe("eval " + dir + "/a.tflite " + dir + "/b.tflite --dataset npy:" + dir + "/x.npy," + dir + "/y.npy");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string& t = o.out;
  EXPECT_NE(t.find("preprocessing: value = x * 1 + 0 (stored float32)"), std::string::npos) << t;
  EXPECT_NE(t.find("fed: input 'pixels' float32 [1, 4], 1 sample per Invoke; output 'scores' float32 [1, 3] (3 classes)"),
            std::string::npos) << t;
  // Columns are padded with spaces: compare with runs of spaces squeezed to one.
  std::string sq;
  for (char ch : t)
    if (!(ch == ' ' && !sq.empty() && sq.back() == ' ')) sq += ch;
  EXPECT_NE(sq.find("top-1 accuracy 60.00% 40.00% (-20.00)"), std::string::npos) << t;
  EXPECT_NE(sq.find("top-3 accuracy 100.00% 100.00% (+0.00)"), std::string::npos) << t;
  EXPECT_NE(sq.find("\n 2 (2) 50.00% 0.00% (-50.00)"), std::string::npos) << t;
  EXPECT_NE(t.find("confusion matrix, model 2 (rows: true class, columns: predicted):"), std::string::npos) << t;
  EXPECT_NE(sq.find("\n 2 2 0 0\n"), std::string::npos) << t;  // model 2, true class 2
}

TEST(EvalCli, IdxPixelsAreScaledToZeroOneByDefaultAndScaleOffsetChangeIt) {
  const std::string dir = TestDir();
  // Two 2x2 images; the model's bias 0.5 on class 2 wins only when pixels stay below ~0.5.
  auto idx = [](std::vector<uint8_t> header, const std::vector<uint8_t>& data) {
    header.insert(header.end(), data.begin(), data.end());
    return header;
  };
  WriteFile(dir + "/images", idx({0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2}, {255, 0, 0, 0, 0, 100, 0, 0}));
  WriteFile(dir + "/labels", idx({0, 0, 8, 1, 0, 0, 0, 2}, {0, 2}));
  WriteFile(dir + "/m.tflite", FcModel({1, 4}, 3, kWeightsA, {0, 0, 0.5f}));
  const std::string ds = " --dataset idx:" + dir + "/images," + dir + "/labels --json";
  Output o = Lithe("eval " + dir + "/m.tflite" + ds);
  ASSERT_EQ(o.code, 0) << o.err;
  // Image 1: x1 = 100/255 = 0.39 < 0.5: class 2. Both right.
  EXPECT_EQ(JsonField(o.out, "predictions"), "[0,2]") << o.out;
  EXPECT_EQ(JsonField(o.out, "scale"), "0.00392156886");
  o = Lithe("eval " + dir + "/m.tflite" + ds + " --scale 1 --offset -10");
  ASSERT_EQ(o.code, 0) << o.err;
  // x - 10: image 0 scores (245, -10, -19.5), image 1 scores (-10, 90, -19.5).
  EXPECT_EQ(JsonField(o.out, "predictions"), "[0,1]") << o.out;
  EXPECT_EQ(JsonField(o.out, "offset"), "-10");
  o = Lithe("eval " + dir + "/m.tflite --dataset idx:" + dir + "/images," + dir + "/labels");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("preprocessing: value = pixel * 0.00392157 + 0 (stored uint8 0..255 -> [0, 1])"),
            std::string::npos) << o.out;
}

TEST(EvalCli, ErrorsAreOneLineWithNonZeroExit) {
  const std::string dir = TestDir();
  WriteToyFiles(dir);
  const std::vector<float> x3 = {1, 2, 3};
  const std::vector<int64_t> y1 = {0};
  ASSERT_TRUE(WriteNpy(dir + "/x3.npy", DType::kFloat32, {1, 3}, x3.data(), 12).ok());
  ASSERT_TRUE(WriteNpy(dir + "/y1.npy", DType::kInt64, {1}, y1.data(), 8).ok());
  const std::string model = dir + "/a.tflite";
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {model + " --dataset npy:" + dir + "/none.npy," + dir + "/y.npy", "none.npy: cannot open"},
      {model + " --dataset idx:" + dir + "/none," + dir + "/none2", "none: cannot open"},
      {model + " --dataset npy:" + dir + "/x3.npy," + dir + "/y1.npy",
       "input 'pixels' (shape [1, 4], 4 values) does not take one sample: a dataset sample has shape [3] (3 values)"},
      {model + " --dataset cifar10", "unknown dataset 'cifar10'"},
      {model, "usage: lithe eval MODEL..."},
      {"--dataset npy:" + dir + "/x.npy," + dir + "/y.npy", "usage: lithe eval MODEL..."},
      {model + " --dataset npy:" + dir + "/x.npy," + dir + "/y.npy --limit 0", "--limit takes a positive integer"},
      {model + " --dataset npy:" + dir + "/x.npy," + dir + "/y.npy --scale abc", "--scale takes a finite number"},
      {dir + "/missing.tflite --dataset npy:" + dir + "/x.npy," + dir + "/y.npy", "missing.tflite"},
  };
  for (const Case& c : cases) {
    Output o = Lithe("eval " + c.args);
    EXPECT_EQ(o.code, 1) << c.args;
    EXPECT_TRUE(o.out.empty()) << c.args;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    EXPECT_NE(o.err.find(c.message), std::string::npos) << c.args << "\n" << o.err;
  }
}

// Reads a gzip'd IDX file with the system's gzip (this test does not link zlib).
std::vector<uint8_t> Gunzip(const std::string& path) {
  std::vector<uint8_t> out;
  FILE* p = popen(("gzip -dc " + path).c_str(), "r");
  if (p == nullptr) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.insert(out.end(), buf, buf + n);
  pclose(p);
  return out;
}

TEST(EvalCli, FashionMnistPredictionsMatchTensorFlowLiteImageByImage) {
  const std::string root = "/usr/share/datasets/fashion-mnist/";
  const std::vector<uint8_t> images = Gunzip(root + "t10k-images-idx3-ubyte.gz");
  const std::vector<uint8_t> labels = Gunzip(root + "t10k-labels-idx1-ubyte.gz");
  if (images.size() != 16 + 10000 * 784u || labels.size() != 8 + 10000u)
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  auto oracle = TfliteOracle::Load();
  if (!oracle.ok()) GTEST_SKIP() << oracle.status().message();

  // A nearest-centroid classifier from images 1000..2999: class c scores x.m_c - |m_c|^2 / 2,
  // with x and the centroids m_c in [0, 1].
  constexpr int kPixels = 784, kClasses = 10, kEval = 400;
  std::vector<double> sum(kClasses * kPixels);
  std::vector<int> count(kClasses);
  for (int i = 1000; i < 3000; ++i) {
    const int c = labels[8 + i];
    ++count[c];
    for (int k = 0; k < kPixels; ++k) sum[c * kPixels + k] += images[16 + i * kPixels + k] / 255.0;
  }
  std::vector<float> w(kClasses * kPixels), bias(kClasses);
  for (int c = 0; c < kClasses; ++c) {
    double norm = 0;
    for (int k = 0; k < kPixels; ++k) {
      const double m = sum[c * kPixels + k] / count[c];
      w[c * kPixels + k] = static_cast<float>(m);
      norm += m * m;
    }
    bias[c] = static_cast<float>(-norm / 2);
  }
  const std::string dir = TestDir();
  const std::vector<uint8_t> model = FcModel({1, 28, 28, 1}, kClasses, w, bias);
  WriteFile(dir + "/centroids.tflite", model);

  // TensorFlow Lite's prediction for each of the first kEval test images.
  std::vector<int> expected;
  int correct = 0;
  for (int i = 0; i < kEval; ++i) {
    OracleTensor in;
    in.shape = {1, 28, 28, 1};
    std::vector<float> x(kPixels);
    for (int k = 0; k < kPixels; ++k) x[k] = images[16 + i * kPixels + k] * (1.0f / 255.0f);
    in.data.assign(reinterpret_cast<uint8_t*>(x.data()), reinterpret_cast<uint8_t*>(x.data()) + x.size() * 4);
    auto out = (*oracle)->Run(model, {in});
    ASSERT_TRUE(out.ok()) << out.status().message();
    const float* s = reinterpret_cast<const float*>((*out)[0].data.data());
    const int best = static_cast<int>(std::max_element(s, s + kClasses) - s);
    expected.push_back(best);
    correct += best == labels[8 + i];
  }
  std::string expected_json = "[";
  for (int i = 0; i < kEval; ++i) expected_json += (i ? "," : "") + std::to_string(expected[i]);
  expected_json += "]";

  Output o = Lithe("eval " + dir + "/centroids.tflite --dataset fashion-mnist --limit " + std::to_string(kEval) + " --json");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(JsonField(o.out, "predictions"), expected_json);
  EXPECT_EQ(JsonField(o.out, "top1_correct"), std::to_string(correct));
  EXPECT_EQ(JsonField(o.out, "evaluated"), std::to_string(kEval));
  // Nearest centroid is a real, if weak, classifier: far above chance (10%).
  EXPECT_GT(correct, kEval / 2) << correct;
  EXPECT_NE(o.out.find("\"Ankle boot\""), std::string::npos);
}

}  // namespace
}  // namespace lithe::testing
