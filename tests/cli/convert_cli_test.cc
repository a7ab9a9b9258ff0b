// `lithe convert` as a user runs it: the ops it claims, a conversion that writes a file lithe
// and TensorFlow Lite 2.9 run alike, errors that leave no file behind, and .tflite round trips.
#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "format/npy.h"
#include "lithe/random.h"
#include "oracle/tflite_oracle.h"

namespace lithe::testing {
namespace {

using Output = CliOutput;
std::string TestDir() { return testing::TestDir("convert_cli", true); }
Output Lithe(const std::string& args, const std::string& dir) { return RunLithe(args, dir); }

const std::string kZoo = std::string(LITHE_SOURCE_DIR) + "/models/zoo/fashion_mnist/";

TEST(ConvertCli, ListOpsNamesTheClaimedOps) {
  const std::string dir = TestDir();
  Output o = Lithe("convert --list-ops", dir);
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* op : {"Conv", "ConvTranspose", "Gemm", "BatchNormalization", "Resize", "Softmax"})
    EXPECT_NE(o.out.find("  " + std::string(op) + "\n"), std::string::npos) << op;
}

TEST(ConvertCli, ConvertsTheZooCnnAndTfliteRunsIt) {
  const std::string dir = TestDir();
  const std::string out = dir + "/cnn.tflite";
  Output o = Lithe("convert " + kZoo + "cnn_deep.onnx -o " + out, dir);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("input  input [1, 28, 28] float32"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("output logits [1, 10] float32"), std::string::npos) << o.out;
  // lithe's outputs on a seeded input equal TensorFlow Lite 2.9's on the same file.
  Output r = Lithe("run " + out + " --random-seed 5 -o " + dir + "/run", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  auto mine = ReadNpy(dir + "/run/output_0.npy");
  ASSERT_TRUE(mine.ok());
  auto bytes = ReadFileBytes(out);
  auto oracle = TfliteOracle::Load();
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(oracle.ok()) << oracle.status().message();
  OracleTensor in;
  in.shape = {1, 28, 28};
  in.data = RandomTensorData(DType::kFloat32, 28 * 28, 5);  // what run --random-seed 5 feeds input 0
  auto ref = (*oracle)->Run(*bytes, {in});
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  ASSERT_EQ(ref->size(), 1u);
  ASSERT_EQ((*ref)[0].data.size(), mine->data.size());
  const float* a = reinterpret_cast<const float*>(mine->data.data());
  const float* b = reinterpret_cast<const float*>((*ref)[0].data.data());
  double max_ref = 0, max_diff = 0;
  for (size_t i = 0; i < 10; ++i) {
    max_ref = std::max<double>(max_ref, std::fabs(b[i]));
    max_diff = std::max<double>(max_diff, std::fabs(a[i] - b[i]));
  }
  EXPECT_GT(max_ref, 0.1);
  EXPECT_LE(max_diff, 1e-4 * (max_ref + 1));
}

TEST(ConvertCli, AFailedConversionLeavesNoFile) {
  const std::string dir = TestDir();
  const std::string bad = dir + "/bad.onnx";
  std::ofstream(bad) << "this is not a protobuf";
  const std::string out = dir + "/out.tflite";
  Output o = Lithe("convert " + bad + " -o " + out, dir);
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("lithe: convert: "), std::string::npos) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // An existing file stays as it was.
  std::ofstream(out) << "old";
  o = Lithe("convert " + bad + " -o " + out, dir);
  EXPECT_EQ(o.code, 1);
  std::ifstream f(out);
  std::string content;
  f >> content;
  EXPECT_EQ(content, "old");
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST(ConvertCli, TfliteInputIsWrittenBackUnchangedInMeaning) {
  const std::string dir = TestDir();
  const std::string model = ModelsDir() + "/face_detection_short_range.tflite";
  const std::string out = dir + "/copy.tflite";
  Output o = Lithe("convert " + model + " -o " + out, dir);
  ASSERT_EQ(o.code, 0) << o.err;
  Output a = Lithe("run " + model + " --random-seed 2 -o " + dir + "/a", dir);
  Output b = Lithe("run " + out + " --random-seed 2 -o " + dir + "/b", dir);
  ASSERT_EQ(a.code, 0);
  ASSERT_EQ(b.code, 0) << b.err;
  for (const char* f : {"/output_0.npy", "/output_1.npy"}) {
    auto x = ReadNpy(dir + "/a" + f);
    auto y = ReadNpy(dir + "/b" + f);
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(x->data, y->data) << f;
  }
}

}  // namespace
}  // namespace lithe::testing
