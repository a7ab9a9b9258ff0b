#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "unit/ops/oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::BuiltinOperator;

std::vector<float> RunUnary(BuiltinOperator op, std::vector<int32_t> shape, std::vector<float> x) {
  OpModel m(op);
  m.AddInput(DType::kFloat32, shape);
  m.AddOutput(DType::kFloat32);
  auto out = m.RunFloat({x});
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok()) return {};
  EXPECT_EQ(m.output_shape(0), shape);
  return out.value()[0];
}

TEST(Exp, RaisesEToEachElement) {
  const float inf = std::numeric_limits<float>::infinity();
  auto y = RunUnary(BuiltinOperator::EXP, {2, 3}, {0, 1, -1, 100, -inf, 0.5f});
  ASSERT_EQ(y.size(), 6u);
  EXPECT_EQ(y[0], 1.f);
  EXPECT_FLOAT_EQ(y[1], 2.7182817f);
  EXPECT_FLOAT_EQ(y[2], 0.36787945f);
  EXPECT_EQ(y[3], inf);  // overflows
  EXPECT_EQ(y[4], 0.f);
  EXPECT_FLOAT_EQ(y[5], 1.6487213f);
}

TEST(Exp, MatchesTflite) {
  int64_t compared = 0;
  uint32_t seed = 1;
  for (const std::vector<int32_t>& shape :
       std::vector<std::vector<int32_t>>{{5}, {3, 7}, {2, 4, 4, 3}, {64, 1100}}) {
    OpModel m(BuiltinOperator::EXP);
    m.AddInput(DType::kFloat32, shape);
    m.AddOutput(DType::kFloat32);
    compared += ExpectMatchesOracle(m, {RandomFloats(shape, seed++, -10.f, 10.f)}, ShapeString(shape), 1e-6);
  }
  EXPECT_EQ(compared, 5 + 21 + 96 + 64 * 1100);
}

TEST(LogSoftmax, SubtractsTheLogOfTheSumOfExps) {
  // Row [0, log 3 ... ]: take [1, 2, 3]: log-sum-exp = 3 + log(e^-2 + e^-1 + 1) = 3.4076059.
  auto y = RunUnary(BuiltinOperator::LOG_SOFTMAX, {2, 3}, {1, 2, 3, 0, 0, 0});
  ASSERT_EQ(y.size(), 6u);
  EXPECT_NEAR(y[0], 1 - 3.4076059f, 1e-6);
  EXPECT_NEAR(y[1], 2 - 3.4076059f, 1e-6);
  EXPECT_NEAR(y[2], 3 - 3.4076059f, 1e-6);
  for (int i = 3; i < 6; ++i) EXPECT_NEAR(y[i], -std::log(3.f), 1e-6);  // uniform row
}

TEST(LogSoftmax, LargeValuesDoNotOverflow) {
  auto y = RunUnary(BuiltinOperator::LOG_SOFTMAX, {2}, {1000, 1000});
  ASSERT_EQ(y.size(), 2u);
  EXPECT_NEAR(y[0], -std::log(2.f), 1e-6);
  EXPECT_NEAR(y[1], -std::log(2.f), 1e-6);
}

TEST(LogSoftmax, MatchesTflite) {
  int64_t compared = 0;
  uint32_t seed = 10;
  for (const std::vector<int32_t>& shape :
       std::vector<std::vector<int32_t>>{{1}, {10}, {3, 7}, {2, 3, 1000}, {1, 4, 4, 9}, {256, 200}}) {
    OpModel m(BuiltinOperator::LOG_SOFTMAX);
    m.AddInput(DType::kFloat32, shape);
    m.AddOutput(DType::kFloat32);
    compared += ExpectMatchesOracle(m, {RandomFloats(shape, seed++, -8.f, 8.f)}, ShapeString(shape));
  }
  EXPECT_EQ(compared, 1 + 10 + 21 + 6000 + 144 + 256 * 200);
}

TEST(LogSoftmax, ScalarInputIsAnError) {
  OpModel m(BuiltinOperator::LOG_SOFTMAX);
  m.AddInput(DType::kFloat32, {});
  m.AddOutput(DType::kFloat32);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("LOG_SOFTMAX (op 0)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("rank"), std::string::npos) << s.message();
}

TEST(Exp, NonFloatInputIsAnError) {
  OpModel m(BuiltinOperator::EXP);
  m.AddInput(DType::kInt32, {2});
  m.AddOutput(DType::kInt32);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("EXP (op 0)"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace lithe::testing
