// Classification accuracy of a model on a labelled dataset: top-1, top-5, per class, confusion
// matrix and every sample's top-1 prediction.
//
//   auto ds = lithe::eval::LoadDataset("fashion-mnist");
//   auto interp = lithe::Interpreter::Create(*lithe::Model::FromFile("classifier.tflite"));
//   lithe::eval::EvalOptions opt;                       // value = pixel / 255 by default
//   auto r = lithe::eval::Evaluate(**interp, *ds, opt);
//   // r->metrics.top1(), r->feed.ToString() ("float32 [1, 28, 28, 1], 1 sample per Invoke")
//
// The sample is fed in the model input's own shape: any shape with the sample's element count
// ([1,28,28], [1,28,28,1], [1,784], [1,1,28,28] all take a 28x28 image in the same order). A
// dynamic batch dim (-1 in the shape signature) is resized to a batch of up to max_batch samples.
// Int8/uint8 inputs are quantized with the input's scale and zero point. The class scores are the
// output's last dim (logits or probabilities; only their order matters).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eval/dataset.h"
#include "lithe/interpreter.h"

namespace lithe::eval {

// Counts for one model. Ties are broken toward the lower class index (as numpy's argmax does):
// class j ranks above the true class t when s[j] > s[t], or s[j] == s[t] and j < t. A sample is a
// top-k hit when fewer than k classes rank above its true class.
class Metrics {
 public:
  Metrics() = default;
  explicit Metrics(int num_classes);
  // One sample: its true label (in [0, num_classes)) and num_classes scores.
  void Add(int label, const float* scores);

  int num_classes() const { return num_classes_; }
  int top_k() const { return num_classes_ < 5 ? num_classes_ : 5; }  // k of "top-5" (< 5 classes: all)
  int64_t num_samples() const { return static_cast<int64_t>(predictions_.size()); }
  int64_t top1_correct() const { return top1_correct_; }
  int64_t top5_correct() const { return top5_correct_; }
  double top1() const;  // fraction in [0, 1]; 0 without samples
  double top5() const;
  // Per true class: samples and top-1 hits.
  const std::vector<int64_t>& class_count() const { return class_count_; }
  const std::vector<int64_t>& class_correct() const { return class_correct_; }
  // confusion(t, p): samples of true class t predicted as p.
  int64_t confusion(int true_class, int predicted) const {
    return confusion_[static_cast<size_t>(true_class) * num_classes_ + predicted];
  }
  const std::vector<int32_t>& predictions() const { return predictions_; }

 private:
  int num_classes_ = 0;
  int64_t top1_correct_ = 0, top5_correct_ = 0;
  std::vector<int64_t> class_count_, class_correct_, confusion_;
  std::vector<int32_t> predictions_;
};

struct EvalOptions {
  // value = stored * scale + offset, then fed (quantized first for int8/uint8 inputs).
  float scale = 1.0f / 255.0f;
  float offset = 0.0f;
  int64_t limit = -1;   // evaluate the first `limit` samples only (-1: all)
  int max_batch = 32;   // samples per Invoke when the batch dim is dynamic
  // Called after each Invoke with (samples done, total).
  std::function<void(int64_t, int64_t)> progress;
};

// How the samples were fed, for the report.
struct FeedInfo {
  std::string input_name;
  DType input_type = DType::kFloat32;
  std::vector<int32_t> input_shape;  // as fed (batch included)
  int batch = 1;                     // samples per Invoke
  bool quantized = false;            // int8/uint8 input: q = round(value / scale) + zero_point
  float quant_scale = 0.0f;
  int64_t quant_zero_point = 0;
  std::string output_name;
  DType output_type = DType::kFloat32;
  std::vector<int32_t> output_shape;
  int num_classes = 0;
  std::string ToString() const;
};

struct EvalResult {
  FeedInfo feed;
  Metrics metrics;
};

// Checks that the model fits the dataset (one input taking a sample, class scores in output 0
// with at least as many classes as the labels need), then runs every sample.
Result<EvalResult> Evaluate(Interpreter& interp, const Dataset& ds, const EvalOptions& options);

}  // namespace lithe::eval
