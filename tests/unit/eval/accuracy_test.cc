#include "eval/accuracy.h"

#include <gtest/gtest.h>

#include <cstring>

#include "util/op_model.h"

namespace lithe::eval {
namespace {

using ::lithe::testing::OpModel;
using ::tflite::BuiltinOperator;

TEST(Metrics, HandComputedTopOneTopFiveConfusionAndTies) {
  // Six classes, one sample each. Ties go to the lower class index.
  Metrics m(6);
  const float a[] = {0.1f, 0.5f, 0.9f, 0.2f, 0.0f, 0.3f};  // label 2: top-1 hit
  const float b[] = {0, 1, 2, 3, 4, 5};                     // label 0: five classes above it, top-5 miss
  const float c[] = {5, 4, 3, 2, 1, 0};                     // label 1: predicted 0, one above, top-5 hit
  const float d[] = {1, 1, 1, 1, 0, 0};                     // label 3: tie, predicted 0; 0,1,2 rank above
  const float e[] = {1, 1, 1, 1, 1, 1};                     // label 4: 4 above, top-5 hit
  const float f[] = {1, 1, 1, 1, 1, 1};                     // label 5: 5 above, top-5 miss
  m.Add(2, a);
  m.Add(0, b);
  m.Add(1, c);
  m.Add(3, d);
  m.Add(4, e);
  m.Add(5, f);
  EXPECT_EQ(m.num_samples(), 6);
  EXPECT_EQ(m.top_k(), 5);
  EXPECT_EQ(m.top1_correct(), 1);
  EXPECT_EQ(m.top5_correct(), 4);
  EXPECT_DOUBLE_EQ(m.top1(), 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.top5(), 4.0 / 6.0);
  EXPECT_EQ(m.predictions(), (std::vector<int32_t>{2, 5, 0, 0, 0, 0}));
  EXPECT_EQ(m.class_count(), std::vector<int64_t>(6, 1));
  EXPECT_EQ(m.class_correct(), (std::vector<int64_t>{0, 0, 1, 0, 0, 0}));
  // Rows are true classes; each row has its one sample in the predicted column.
  const int expected_pred[6] = {5, 0, 2, 0, 0, 0};
  for (int t = 0; t < 6; ++t)
    for (int p = 0; p < 6; ++p) EXPECT_EQ(m.confusion(t, p), p == expected_pred[t] ? 1 : 0) << t << "," << p;
}

TEST(Metrics, FewerThanFiveClassesMakeTopKAllClasses) {
  Metrics m(3);
  const float s[] = {3, 2, 1};
  m.Add(2, s);
  EXPECT_EQ(m.top_k(), 3);
  EXPECT_EQ(m.top1_correct(), 0);
  EXPECT_EQ(m.top5_correct(), 1);
  EXPECT_DOUBLE_EQ(Metrics(4).top1(), 0.0);  // no samples
}

// A float dataset of 4-value samples with the given labels.
Dataset FloatDataset(const std::vector<std::vector<float>>& samples, const std::vector<int32_t>& labels,
                     std::vector<int32_t> sample_shape = {4}) {
  Dataset ds;
  ds.name = "test";
  ds.type = DType::kFloat32;
  ds.sample_shape = std::move(sample_shape);
  ds.num_samples = static_cast<int64_t>(samples.size());
  for (const auto& s : samples) {
    const auto b = testing::FloatBytes(s);
    ds.data.insert(ds.data.end(), b.begin(), b.end());
  }
  ds.labels = labels;
  for (int32_t l : labels) ds.num_classes = std::max(ds.num_classes, l + 1);
  return ds;
}

// Scores x0, x1, x2 + x3 for three classes.
std::vector<uint8_t> ClassifierModel(std::vector<int32_t> input_shape, std::vector<int32_t> signature = {}) {
  OpModel m(BuiltinOperator::FULLY_CONNECTED);
  const int in = m.AddInput(DType::kFloat32, std::move(input_shape));
  if (!signature.empty()) m.tensor(in).shape_signature = signature;
  m.AddConst<float>(DType::kFloat32, {3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(::tflite::FullyConnectedOptionsT());
  return m.Build();
}

std::unique_ptr<Interpreter> Load(const std::vector<uint8_t>& bytes) {
  auto model = Model::FromBuffer(bytes.data(), bytes.size());
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return nullptr;
  auto interp = Interpreter::Create(*model);
  EXPECT_TRUE(interp.ok()) << interp.status().message();
  return interp.ok() ? std::move(interp).value() : nullptr;
}

const std::vector<std::vector<float>> kSamples = {
    {1, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 1, 1}, {3, 0, 1, 1}, {0, 1, 0, 0.5f}};
const std::vector<int32_t> kLabels = {0, 1, 2, 2, 0};
const std::vector<int32_t> kPredicted = {0, 1, 2, 0, 1};  // scores (3, 0, 2) and (0, 1, 0.5) miss

EvalOptions Identity() {
  EvalOptions o;
  o.scale = 1.0f;
  o.offset = 0.0f;
  return o;
}

TEST(Evaluate, RunsEverySampleThroughAFullyConnectedClassifier) {
  auto interp = Load(ClassifierModel({1, 4}));
  ASSERT_NE(interp, nullptr);
  int64_t last_progress = 0;
  EvalOptions o = Identity();
  o.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 5);
    last_progress = done;
  };
  auto r = Evaluate(*interp, FloatDataset(kSamples, kLabels), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->metrics.predictions(), kPredicted);
  EXPECT_EQ(r->metrics.top1_correct(), 3);
  EXPECT_EQ(r->metrics.top5_correct(), 5);  // three classes: top-5 is top-3
  EXPECT_EQ(r->metrics.class_count(), (std::vector<int64_t>{2, 1, 2}));
  EXPECT_EQ(r->metrics.class_correct(), (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(r->metrics.confusion(2, 0), 1);
  EXPECT_EQ(r->metrics.confusion(0, 1), 1);
  EXPECT_EQ(last_progress, 5);
  EXPECT_EQ(r->feed.batch, 1);
  EXPECT_EQ(r->feed.num_classes, 3);
  EXPECT_EQ(r->feed.ToString(), "input 't0' float32 [1, 4], 1 sample per Invoke; output 't2' float32 [1, 3] (3 classes)");
}

TEST(Evaluate, ScaleAndOffsetAreAppliedBeforeFeeding) {
  // x * -1 + 0 reverses every score's order: sample 0 scores (-1, 0, 0) and predicts class 1.
  auto interp = Load(ClassifierModel({1, 4}));
  ASSERT_NE(interp, nullptr);
  EvalOptions o = Identity();
  o.scale = -1.0f;
  o.limit = 2;
  auto r = Evaluate(*interp, FloatDataset(kSamples, kLabels), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->metrics.predictions(), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(r->metrics.num_samples(), 2);
}

TEST(Evaluate, AnyInputShapeWithTheSampleElementCountIsFedInOrder) {
  // A [2, 2] sample into a [1, 2, 2] input: fully connected flattens it back to 4 values.
  auto interp = Load(ClassifierModel({1, 2, 2}));
  ASSERT_NE(interp, nullptr);
  auto r = Evaluate(*interp, FloatDataset(kSamples, kLabels, {2, 2}), Identity());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->metrics.predictions(), kPredicted);
}

TEST(Evaluate, DynamicBatchDimRunsSeveralSamplesPerInvokeWithTheSameResults) {
  auto interp = Load(ClassifierModel({1, 4}, {-1, 4}));
  ASSERT_NE(interp, nullptr);
  EvalOptions o = Identity();
  o.max_batch = 2;  // batches of 2, 2 and a last one padded
  auto r = Evaluate(*interp, FloatDataset(kSamples, kLabels), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->feed.batch, 2);
  EXPECT_EQ(r->feed.input_shape, (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(r->metrics.predictions(), kPredicted);
}

TEST(Evaluate, FixedBatchLargerThanOneIsFilledAndTheRestPadded) {
  auto interp = Load(ClassifierModel({3, 4}));
  ASSERT_NE(interp, nullptr);
  auto r = Evaluate(*interp, FloatDataset(kSamples, kLabels), Identity());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->feed.batch, 3);
  EXPECT_EQ(r->metrics.predictions(), kPredicted);
  EXPECT_EQ(r->metrics.num_samples(), 5);
}

TEST(Evaluate, Int8InputIsQuantizedWithItsScaleAndZeroPoint) {
  // DEQUANTIZE returns what was fed: scale 0.5, zero point -1. Sample (1.1, 1.2, 0) quantizes to
  // (round(2.2) - 1, round(2.4) - 1, -1) = (1, 1, -1): a tie, so class 0 (float would say 1).
  // Sample (100, 0, 0.7) clamps 100 to 127 and rounds 1.4 to 1: (127, -1, 0), class 0.
  OpModel m(BuiltinOperator::DEQUANTIZE);
  m.AddInput(DType::kInt8, {1, 3}, {0.5f}, {-1});
  m.AddOutput(DType::kFloat32);
  auto interp = Load(m.Build());
  ASSERT_NE(interp, nullptr);
  Dataset ds = FloatDataset({{1.1f, 1.2f, 0}, {100, 0, 0.7f}, {0, 0.2f, 1.3f}}, {1, 0, 2}, {3});
  auto r = Evaluate(*interp, ds, Identity());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->feed.quantized);
  EXPECT_EQ(r->feed.quant_zero_point, -1);
  EXPECT_EQ(r->metrics.predictions(), (std::vector<int32_t>{0, 0, 2}));
  const Tensor* t = interp->tensor(interp->input_details(0).index);
  EXPECT_EQ(std::vector<int8_t>(t->data_as<int8_t>(), t->data_as<int8_t>() + 3), (std::vector<int8_t>{-1, -1, 2}));
  EXPECT_NE(r->feed.ToString().find("quantized q = round(value / 0.5) + -1"), std::string::npos) << r->feed.ToString();
}

TEST(Evaluate, QuantizedUint8ScoresAreRankedByTheirValues) {
  // uint8 in and out (RESHAPE keeps the dtype): scores are q - zero_point.
  OpModel m(BuiltinOperator::RESHAPE);
  m.AddInput(DType::kUInt8, {1, 3}, {1.0f / 255.0f}, {0});
  m.AddConst<int32_t>(DType::kInt32, {2}, {1, 3});
  m.AddOutput(DType::kUInt8, {1, 3}, {1.0f / 255.0f}, {0});
  auto interp = Load(m.Build());
  ASSERT_NE(interp, nullptr);
  Dataset ds;
  ds.name = "test";
  ds.type = DType::kUInt8;
  ds.sample_shape = {3};
  ds.num_samples = 2;
  ds.data = {10, 200, 30, 255, 0, 254};
  ds.labels = {1, 2};
  ds.num_classes = 3;
  auto r = Evaluate(*interp, ds, EvalOptions());  // default scale 1/255: q equals the pixel
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->metrics.predictions(), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(r->metrics.top1_correct(), 1);
}

TEST(Evaluate, SampleSizeMismatchIsAnErrorNamingBothShapes) {
  auto interp = Load(ClassifierModel({1, 4}));
  ASSERT_NE(interp, nullptr);
  auto r = Evaluate(*interp, FloatDataset({{1, 2, 3}}, {0}, {3}), Identity());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("input 't0' (shape [1, 4], 4 values)"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("sample has shape [3] (3 values)"), std::string::npos) << r.status().message();
}

TEST(Evaluate, TooFewClassScoresIsAnError) {
  auto interp = Load(ClassifierModel({1, 4}));
  ASSERT_NE(interp, nullptr);
  auto r = Evaluate(*interp, FloatDataset({{1, 0, 0, 0}}, {3}), Identity());  // label 3, model scores 3
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("scores 3 classes; the dataset has 4 (labels up to 3)"), std::string::npos)
      << r.status().message();
}

TEST(Evaluate, OutputThatIsNotOneRowOfScoresIsAnError) {
  // ADD of [1, 4] and a [2, 1] constant broadcasts to [2, 4]: two rows for one sample.
  OpModel m(BuiltinOperator::ADD);
  m.AddInput(DType::kFloat32, {1, 4});
  m.AddConst<float>(DType::kFloat32, {2, 1}, {0, 1});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(::tflite::AddOptionsT());
  auto interp = Load(m.Build());
  ASSERT_NE(interp, nullptr);
  auto r = Evaluate(*interp, FloatDataset({{1, 0, 0, 0}}, {0}), Identity());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("output 't2' (shape [2, 4]) is not one row of class scores"), std::string::npos)
      << r.status().message();
}

TEST(Evaluate, ModelsWithSeveralInputsAreRefused) {
  OpModel m(BuiltinOperator::ADD);
  m.AddInput(DType::kFloat32, {1, 4});
  m.AddInput(DType::kFloat32, {1, 4});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(::tflite::AddOptionsT());
  auto interp = Load(m.Build());
  ASSERT_NE(interp, nullptr);
  auto r = Evaluate(*interp, FloatDataset({{1, 0, 0, 0}}, {0}), Identity());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("2 inputs; eval needs exactly one"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace lithe::eval
