// The committed model zoo (models/zoo/<dataset>/<model>.tflite, converted from PyTorch exports by
// lithe convert): lithe's accuracy evaluation on the full test set must reproduce PyTorch image for
// image. For each model, scripts/zoo/make_zoo.py committed PyTorch's top-1 class of every test image
// (<model>.torch_predictions.npy) and its accuracy (<model>.json); lithe::eval::Evaluate, fed
// pixel / 255 as the model was trained, must predict the same class for every image and so reach
// the same accuracy.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <ostream>
#include <string>
#include <vector>

#include "eval/accuracy.h"
#include "eval/dataset.h"
#include "format/npy.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "oracle/tflite_oracle.h"

namespace lithe::testing {
namespace {

struct Case {
  std::string dataset;  // folder under models/zoo/
  std::string model;
};

std::string ZooDir() { return std::string(LITHE_SOURCE_DIR) + "/models/zoo"; }

// The test split of the dataset the zoo used (see scripts/zoo/zoo_data.py).
Result<eval::Dataset> TestSet(const std::string& dataset) {
  if (dataset == "fashion_mnist") {
    const std::string d = "/usr/share/datasets/fashion-mnist/";
    auto ds = eval::LoadIdxDataset(d + "t10k-images-idx3-ubyte.gz", d + "t10k-labels-idx1-ubyte.gz");
    if (!ds.ok()) return ds.status().Prefixed("Fashion-MNIST (apt-get install dataset-fashion-mnist)");
    return ds;
  }
  const std::string d = CacheDir() + "/datasets/mnist/";
  auto ds = eval::LoadIdxDataset(d + "t10k-images-idx3-ubyte", d + "t10k-labels-idx1-ubyte");
  if (!ds.ok()) return ds.status().Prefixed("MNIST (run scripts/fetch_models.sh)");
  return ds;
}

// The number after "key": in the JSON text make_zoo.py writes (flat keys, one per line).
Result<double> JsonNumber(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const size_t at = json.find(needle);
  if (at == std::string::npos) return Status::Error("no \"" + key + "\"");
  const char* begin = json.c_str() + at + needle.size();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin) return Status::Error("\"" + key + "\" is not a number");
  return v;
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status::Error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The committed predictions, as int64 whatever the stored integer width.
Result<std::vector<int64_t>> ReadPredictions(const std::string& path) {
  auto a = ReadNpy(path);
  if (!a.ok()) return a.status();
  if (a->shape.size() != 1) return Status::Error(path + ": expected a 1-D array");
  std::vector<int64_t> out(static_cast<size_t>(a->shape[0]));
  if (a->type == DType::kInt32 && a->data.size() == out.size() * 4) {
    for (size_t i = 0; i < out.size(); ++i) {
      int32_t v;
      std::memcpy(&v, a->data.data() + 4 * i, 4);
      out[i] = v;
    }
  } else if (a->type == DType::kInt64 && a->data.size() == out.size() * 8) {
    std::memcpy(out.data(), a->data.data(), a->data.size());
  } else {
    return Status::Error(path + ": expected int32 or int64, got " + DTypeName(a->type));
  }
  return out;
}

// gtest prints the parameter of a failed test with this.
void PrintTo(const Case& c, std::ostream* os) { *os << c.dataset << "/" << c.model; }

class ZooModel : public ::testing::TestWithParam<Case> {};

TEST_P(ZooModel, LitheEvalReproducesPyTorchPredictionsOnTheWholeTestSet) {
  const Case& c = GetParam();
  const std::string base = ZooDir() + "/" + c.dataset + "/" + c.model;
  const std::string remake = " (committed; remake with /usr/bin/python3 scripts/zoo/make_zoo.py)";

  auto json = ReadText(base + ".json");
  ASSERT_TRUE(json.ok()) << json.status().message() << remake;
  auto torch_accuracy = JsonNumber(*json, "accuracy");
  auto torch_correct = JsonNumber(*json, "correct");
  ASSERT_TRUE(torch_accuracy.ok()) << base << ".json: " << torch_accuracy.status().message();
  ASSERT_TRUE(torch_correct.ok()) << base << ".json: " << torch_correct.status().message();
  auto torch_pred = ReadPredictions(base + ".torch_predictions.npy");
  ASSERT_TRUE(torch_pred.ok()) << torch_pred.status().message() << remake;
  auto ds = TestSet(c.dataset);
  ASSERT_TRUE(ds.ok()) << ds.status().message();
  ASSERT_EQ(static_cast<int64_t>(torch_pred->size()), ds->num_samples)
      << "the committed predictions are not for this test set";

  // The committed files agree with each other: the JSON's count is the predictions' hits.
  int64_t torch_hits = 0;
  for (int64_t i = 0; i < ds->num_samples; ++i) torch_hits += (*torch_pred)[i] == ds->labels[i];
  ASSERT_EQ(torch_hits, static_cast<int64_t>(*torch_correct)) << base << ".json disagrees with its predictions";

  auto model = Model::FromFile(base + ".tflite");
  ASSERT_TRUE(model.ok()) << model.status().message() << remake;
  auto interp = Interpreter::Create(*model);
  ASSERT_TRUE(interp.ok()) << interp.status().message();
  eval::EvalOptions options;  // pixel / 255, as the model was trained
  ASSERT_FLOAT_EQ(options.scale, 1.0f / 255.0f);
  ASSERT_EQ(options.offset, 0.0f);
  auto r = eval::Evaluate(**interp, *ds, options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const eval::Metrics& m = r->metrics;
  ASSERT_EQ(m.num_samples(), ds->num_samples);

  int64_t differ = 0;
  std::string first;
  for (int64_t i = 0; i < m.num_samples(); ++i) {
    if (m.predictions()[i] == (*torch_pred)[i]) continue;
    if (++differ <= 10)
      first += " #" + std::to_string(i) + ": lithe " + std::to_string(m.predictions()[i]) + ", torch " +
               std::to_string((*torch_pred)[i]) + ";";
  }
  EXPECT_EQ(differ, 0) << c.dataset << "/" << c.model << ": " << differ << " of " << m.num_samples()
                       << " predictions differ from PyTorch's, first:" << first;
  EXPECT_EQ(m.top1_correct(), static_cast<int64_t>(*torch_correct));
  EXPECT_NEAR(m.top1(), *torch_accuracy, 1e-12);
  std::printf("  %s/%s: lithe top-1 %.4f (%lld/%lld), PyTorch %.4f; %s\n", c.dataset.c_str(), c.model.c_str(),
              m.top1(), static_cast<long long>(m.top1_correct()), static_cast<long long>(m.num_samples()),
              *torch_accuracy, r->feed.ToString().c_str());
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (const char* ds : {"fashion_mnist", "mnist"})
    for (const char* m : {"cnn_tutorial", "mlp", "cnn_deep"}) cases.push_back({ds, m});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooModel, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.dataset + "_" + info.param.model;
                         });

}  // namespace
}  // namespace lithe::testing
