// ONNX models converted by lithe::convert, run three ways on the same seeded random inputs:
// the ONNX file in ONNX Runtime 1.30 (tests/oracle/ort/run.mjs, the reference), and the converted
// .tflite in lithe and in TensorFlow Lite 2.9. For every output, both
//   max|lithe - ORT| <= 1e-4 * (max|ORT| + 1)   and   max|TFLite - ORT| <= 1e-4 * (max|ORT| + 1),
// and also, relative to the output's own scale, max|diff| <= 1e-3 * max|ORT| (and max|ORT| > 0),
// so that an output of tiny magnitude, where the "+ 1" alone would accept anything, is still
// checked. (export_torchvision.py sets the untrained models' BatchNorm statistics from one batch
// so their logits are of order 1; with torchvision's initial statistics mobilenet_v2's are ~1e-9.)
// Rounding differences scale with the values (measured: at most ~1e-5 of max|ORT| here).
//
// Models: untrained torchvision mobilenet_v2 and resnet18 (made by scripts/setup.sh with
// scripts/zoo/export_torchvision.py into .cache/zoo/; not committed) and the six committed zoo
// models (models/zoo/, made by scripts/zoo/make_zoo.py).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "convert/onnx_import.h"
#include "format/file_util.h"
#include "format/npy.h"
#include "models/model_test_util.h"

namespace lithe::testing {
namespace {

namespace fs = std::filesystem;

// A temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/lithe-convert-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs ONNX Runtime (node tests/oracle/ort/run.mjs) on the .onnx model; outputs in graph order.
Result<std::vector<OracleTensor>> RunOrt(const std::string& onnx_path, const std::vector<OracleTensor>& inputs) {
  TempDir dir;
  if (!dir.ok()) return Status::Error("mkdtemp failed");
  std::vector<std::string> argv_s = {"node", std::string(LITHE_SOURCE_DIR) + "/tests/oracle/ort/run.mjs", onnx_path,
                                     dir.path() + "/out"};
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = dir.path() + "/in_" + std::to_string(i) + ".npy";
    LITHE_RETURN_IF_ERROR(WriteNpy(p, inputs[i].type, inputs[i].shape, inputs[i].data.data(), inputs[i].data.size()));
    argv_s.push_back(p);
  }
  std::fflush(nullptr);
  const pid_t pid = fork();  // fork/exec rather than system(): no shell quoting of paths
  if (pid < 0) return Status::Error("fork failed");
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    execvp("node", argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return Status::Error("waitpid failed");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Status::Error("ONNX Runtime oracle failed (exit " +
                         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                         "; its message is above; node and scripts/fetch_models.sh are needed)");
  std::vector<OracleTensor> outs;
  for (int k = 0;; ++k) {
    const std::string p = dir.path() + "/out/output_" + std::to_string(k) + ".npy";
    if (access(p.c_str(), R_OK) != 0) break;
    auto a = ReadNpy(p);
    if (!a.ok()) return a.status();
    outs.push_back({a->type, a->shape, std::move(a->data)});
  }
  if (outs.empty()) return Status::Error("ONNX Runtime oracle wrote no outputs");
  return outs;
}

// In CI (the CI variable set) a missing input file fails the test instead of skipping it.
bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::string(ci) != "0" && std::string(ci) != "false";
}

struct Case {
  std::string name;       // test name
  std::string onnx;       // path
  bool generated;         // made by setup (may be absent locally), not committed
  std::vector<int32_t> input_shape, output_shape;
};

std::vector<Case> Cases() {
  const std::string zoo = std::string(LITHE_SOURCE_DIR) + "/models/zoo/";
  std::vector<Case> cases = {
      {"mobilenet_v2", CacheDir() + "/zoo/mobilenet_v2.onnx", true, {1, 3, 224, 224}, {1, 1000}},
      {"resnet18", CacheDir() + "/zoo/resnet18.onnx", true, {1, 3, 224, 224}, {1, 1000}},
  };
  for (const char* ds : {"fashion_mnist", "mnist"})
    for (const char* m : {"cnn_tutorial", "mlp", "cnn_deep"})
      cases.push_back({std::string(ds) + "_" + m, zoo + ds + "/" + m + ".onnx", false, {1, 28, 28}, {1, 10}});
  return cases;
}

// max|diff| <= kScaleRel * max|ref|, the check relative to the output's own scale.
constexpr double kScaleRel = 1e-3;

// gtest prints the parameter of a failed test with this.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ConvertedModel : public ::testing::TestWithParam<Case> {};

TEST_P(ConvertedModel, LitheAndTfliteMatchOnnxRuntimeOnSeededInputs) {
  const Case& c = GetParam();
  if (!fs::exists(c.onnx)) {
    const std::string how = c.generated ? "make it with: /usr/bin/python3 scripts/zoo/export_torchvision.py .cache/zoo "
                                          "(scripts/setup.sh does)"
                                        : "it is committed; remake it with: /usr/bin/python3 scripts/zoo/make_zoo.py";
    if (c.generated && !InCi()) GTEST_SKIP() << c.onnx << " is missing; " << how;
    FAIL() << c.onnx << " is missing; " << how;
  }
  auto tflite = convert::ConvertOnnxFile(c.onnx);
  ASSERT_TRUE(tflite.ok()) << "lithe convert: " << tflite.status().message();

  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string tflite_path = dir.path() + "/" + c.name + ".tflite";
  ASSERT_TRUE(WriteFileAtomic(tflite_path, tflite->data(), tflite->size()).ok());
  auto oracle = TfliteOracle::Load();
  ASSERT_TRUE(oracle.ok()) << oracle.status().message();

  for (uint64_t seed : {1u, 2u}) {
    auto inputs = RandomInputs(tflite_path, seed);
    ASSERT_TRUE(inputs.ok()) << inputs.status().message();
    ASSERT_EQ(inputs->size(), 1u);
    // The converted model keeps the ONNX input's layout, so the same bytes feed all three.
    ASSERT_EQ((*inputs)[0].shape, c.input_shape);

    auto ort = RunOrt(c.onnx, *inputs);
    ASSERT_TRUE(ort.ok()) << ort.status().message();
    auto lithe = RunLithe(tflite_path, *inputs);
    ASSERT_TRUE(lithe.ok()) << "lithe: " << lithe.status().message();
    auto tfl = (*oracle)->Run(*tflite, *inputs);
    ASSERT_TRUE(tfl.ok()) << "TensorFlow Lite: " << tfl.status().message();
    ASSERT_EQ(ort->size(), 1u);
    ASSERT_EQ(lithe->size(), ort->size());
    ASSERT_EQ(tfl->size(), ort->size());
    EXPECT_EQ((*ort)[0].shape, c.output_shape);

    for (size_t k = 0; k < ort->size(); ++k) {
      const Comparison l = CompareOutputs((*lithe)[k], (*ort)[k]);
      const Comparison t = CompareOutputs((*tfl)[k], (*ort)[k]);
      EXPECT_TRUE(l.ok) << c.name << " output " << k << " seed " << seed << ": lithe vs ONNX Runtime: " << l.message;
      EXPECT_TRUE(t.ok) << c.name << " output " << k << " seed " << seed
                        << ": TensorFlow Lite vs ONNX Runtime: " << t.message;
      EXPECT_GT(l.max_abs_ref, 0.0) << c.name << ": ONNX Runtime's output is all zeros";
      EXPECT_LE(l.max_abs_diff, kScaleRel * l.max_abs_ref)
          << c.name << " output " << k << " seed " << seed << ": lithe vs ONNX Runtime, relative to max|ORT| "
          << l.max_abs_ref;
      EXPECT_LE(t.max_abs_diff, kScaleRel * t.max_abs_ref)
          << c.name << " output " << k << " seed " << seed
          << ": TensorFlow Lite vs ONNX Runtime, relative to max|ORT| " << t.max_abs_ref;
      std::printf("  %s output %zu seed %lu: max|ref| %.3g, max|lithe - ORT| %.3g, max|TFLite - ORT| %.3g\n",
                  c.name.c_str(), k, static_cast<unsigned long>(seed), l.max_abs_ref, l.max_abs_diff,
                  t.max_abs_diff);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, ConvertedModel, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace lithe::testing
