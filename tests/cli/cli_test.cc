// The `lithe` executable as a user runs it: exit codes, one-line errors, files written.
#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include <sys/wait.h>

#include <algorithm>
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
std::string TestDir() { return testing::TestDir("cli"); }
Output Lithe(const std::string& args) { return RunLithe(args, TestDir()); }

const std::string kModel = ModelsDir() + "/face_detection_short_range.tflite";

TEST(Cli, RunWithRandomSeedWritesNpyOutputsAndJson) {
  const std::string dir = TestDir() + "/lithe_run_out";
  Output o = Lithe("run " + kModel + " --random-seed 3 -o " + dir);
  ASSERT_EQ(o.code, 0) << o.err;
  auto a = ReadNpy(dir + "/output_0.npy");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->type, DType::kFloat32);
  EXPECT_EQ(a->shape, (std::vector<int32_t>{1, 896, 16}));
  auto b = ReadNpy(dir + "/output_1.npy");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->shape, (std::vector<int32_t>{1, 896, 1}));
  std::ifstream j(dir + "/outputs.json");
  std::stringstream js;
  js << j.rdbuf();
  EXPECT_NE(js.str().find("\"regressors\""), std::string::npos) << js.str();
  EXPECT_NE(js.str().find("\"float32\""), std::string::npos);
}

TEST(Cli, RunWithGivenInputEqualsRunWithSameRandomInput) {
  // --random-seed N fills input i from RandomTensorData(seed N + i): the same data given as
  // a .npy file must give byte-identical outputs.
  const std::string dir = TestDir();
  ASSERT_EQ(Lithe("run " + kModel + " --random-seed 5 -o " + dir + "/r1").code, 0);
  const std::vector<uint8_t> x = RandomTensorData(DType::kFloat32, 128 * 128 * 3, 5);
  ASSERT_TRUE(WriteNpy(dir + "/x.npy", DType::kFloat32, {1, 128, 128, 3}, x.data(), x.size()).ok());
  Output o = Lithe("run " + kModel + " -i input=" + dir + "/x.npy -o " + dir + "/r2");
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* f : {"/output_0.npy", "/output_1.npy"}) {
    auto a = ReadNpy(dir + "/r1" + f), b = ReadNpy(dir + "/r2" + f);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->data, b->data) << f;
  }
}

TEST(Cli, MissingInputWithoutSeedIsAnErrorNamingTheInput) {
  Output o = Lithe("run " + kModel + " -o " + TestDir() + "/x");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("input 0 ('input')"), std::string::npos) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

TEST(Cli, InputOfWrongDtypeOrShapeIsAnErrorSayingWhatWasExpected) {
  const std::string f = TestDir() + "/int_input.npy";
  std::vector<int32_t> v(128 * 128 * 3);
  ASSERT_TRUE(WriteNpy(f, DType::kInt32, {1, 128, 128, 3}, v.data(), v.size() * 4).ok());
  Output o = Lithe("run " + kModel + " -i 0=" + f + " -o " + TestDir() + "/x");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("expects float32"), std::string::npos) << o.err;
  const std::string g = TestDir() + "/small_input.npy";
  std::vector<float> w(64 * 64 * 3);
  ASSERT_TRUE(WriteNpy(g, DType::kFloat32, {1, 64, 64, 3}, w.data(), w.size() * 4).ok());
  o = Lithe("run " + kModel + " -i input=" + g + " -o " + TestDir() + "/x");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("expects shape [1, 128, 128, 3]"), std::string::npos) << o.err;
}

TEST(Cli, InspectReportsIoOpsWeightsAndArenaAgainstLowerBound) {
  Output o = Lithe("inspect " + kModel);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("CONV_2D: 21"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("float16: 74 tensors"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("lower bound"), std::string::npos) << o.out;
  Output j = Lithe("inspect --json " + kModel);
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_NE(j.out.find("\"arena_bytes\""), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"shape\": [1, 128, 128, 3]"), std::string::npos) << j.out;
}

TEST(Cli, MalformedModelIsOneLineErrorAndNonZeroExit) {
  const std::string f = TestDir() + "/garbage.tflite";
  std::ofstream(f) << "this is not a model at all";
  Output o = Lithe("inspect " + f);
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("TFL3"), std::string::npos) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

}  // namespace
}  // namespace lithe::testing
