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

struct Out {
  std::vector<float> values;
  std::vector<int32_t> shape;
};

Out RunMinMax(BuiltinOperator op, std::vector<int32_t> sa, std::vector<float> a, std::vector<int32_t> sb,
              std::vector<float> b) {
  OpModel m(op);
  m.AddInput(DType::kFloat32, sa);
  m.AddInput(DType::kFloat32, sb);
  m.AddOutput(DType::kFloat32);
  auto out = m.RunFloat({a, b});
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok()) return {};
  return {out.value()[0], m.output_shape(0)};
}

TEST(MinimumMaximum, MaximumTakesTheLargerElement) {
  auto y = RunMinMax(BuiltinOperator::MAXIMUM, {2, 2}, {1, -5, 3, 0}, {2, 2}, {2, -6, 3, -0.5f});
  EXPECT_EQ(y.values, (std::vector<float>{2, -5, 3, 0}));
  EXPECT_EQ(y.shape, (std::vector<int32_t>{2, 2}));
}

TEST(MinimumMaximum, MinimumBroadcastsARowAcrossRows) {
  // [2, 3] with [3]: the row [0, 5, -1] is compared with each row.
  auto y = RunMinMax(BuiltinOperator::MINIMUM, {2, 3}, {1, 2, 3, -4, 6, -2}, {3}, {0, 5, -1});
  EXPECT_EQ(y.values, (std::vector<float>{0, 2, -1, -4, 5, -2}));
  EXPECT_EQ(y.shape, (std::vector<int32_t>{2, 3}));
}

TEST(MinimumMaximum, BothOperandsBroadcast) {
  // [2, 1] with [1, 3] gives [2, 3].
  auto y = RunMinMax(BuiltinOperator::MAXIMUM, {2, 1}, {0, 10}, {1, 3}, {-1, 5, 20});
  EXPECT_EQ(y.values, (std::vector<float>{0, 5, 20, 10, 10, 20}));
  EXPECT_EQ(y.shape, (std::vector<int32_t>{2, 3}));
}

TEST(MinimumMaximum, ConstantScalarOperand) {
  OpModel m(BuiltinOperator::MAXIMUM);
  m.AddInput(DType::kFloat32, {4});
  m.AddConst<float>(DType::kFloat32, {}, {0.5f});
  m.AddOutput(DType::kFloat32);
  auto out = m.RunFloat({{-1, 0.25f, 0.75f, 2}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value()[0], (std::vector<float>{0.5f, 0.5f, 0.75f, 2}));
}

TEST(MinimumMaximum, NanInTheFirstOperandGivesTheSecondAndViceVersaGivesNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto mx = RunMinMax(BuiltinOperator::MAXIMUM, {2}, {nan, 1}, {2}, {1, nan});
  ASSERT_EQ(mx.values.size(), 2u);
  EXPECT_EQ(mx.values[0], 1);
  EXPECT_TRUE(std::isnan(mx.values[1]));
  auto mn = RunMinMax(BuiltinOperator::MINIMUM, {2}, {nan, 1}, {2}, {1, nan});
  ASSERT_EQ(mn.values.size(), 2u);
  EXPECT_EQ(mn.values[0], 1);
  EXPECT_TRUE(std::isnan(mn.values[1]));
}

TEST(MinimumMaximum, MatchesTfliteIncludingNan) {
  // The NaN rule above, checked against TensorFlow Lite itself.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (BuiltinOperator op : {BuiltinOperator::MAXIMUM, BuiltinOperator::MINIMUM}) {
    OpModel m(op);
    m.AddInput(DType::kFloat32, {4});
    m.AddInput(DType::kFloat32, {4});
    m.AddOutput(DType::kFloat32);
    EXPECT_EQ(ExpectMatchesOracle(m, {FloatTensor({4}, {nan, 1, nan, -2}), FloatTensor({4}, {1, nan, nan, 3})},
                                  ::tflite::EnumNameBuiltinOperator(op)),
              4);
  }
}

TEST(MinimumMaximum, MatchesTfliteOnBroadcastShapes) {
  const std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> shapes = {
      {{7}, {7}},
      {{3, 5}, {3, 5}},
      {{2, 3, 4}, {4}},
      {{2, 3, 4}, {3, 1}},
      {{1, 8, 8, 3}, {1, 1, 1, 3}},
      {{2, 1, 5, 1}, {1, 4, 1, 6}},
      {{4, 1}, {1, 9}},
      {{}, {2, 3}},
      {{2, 3, 1, 4}, {2, 3, 5, 4}},
      {{1, 2, 3, 4, 5}, {1, 1, 3, 1, 5}},
      {{64, 48, 16}, {64, 48, 16}},  // large enough to be split across threads
      {{64, 48, 16}, {48, 1}},
  };
  uint32_t seed = 1;
  int64_t compared = 0;
  for (BuiltinOperator op : {BuiltinOperator::MAXIMUM, BuiltinOperator::MINIMUM}) {
    for (const auto& [sa, sb] : shapes) {
      OpModel m(op);
      m.AddInput(DType::kFloat32, sa);
      m.AddInput(DType::kFloat32, sb);
      m.AddOutput(DType::kFloat32);
      compared += ExpectMatchesOracle(m, {RandomFloats(sa, seed), RandomFloats(sb, seed + 1)},
                                      std::string(::tflite::EnumNameBuiltinOperator(op)) + " " + ShapeString(sa) +
                                          " vs " + ShapeString(sb),
                                      0.0);
      seed += 2;
    }
  }
  EXPECT_GT(compared, 2 * 2 * 64 * 48 * 16);
}

TEST(MinimumMaximum, ShapesThatDoNotBroadcastAreAnError) {
  OpModel m(BuiltinOperator::MINIMUM);
  m.AddInput(DType::kFloat32, {2, 3});
  m.AddInput(DType::kFloat32, {4});
  m.AddOutput(DType::kFloat32);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("MINIMUM"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("do not broadcast"), std::string::npos) << s.message();
}

TEST(MinimumMaximum, NonFloatInputIsAnError) {
  OpModel m(BuiltinOperator::MAXIMUM);
  m.AddInput(DType::kInt32, {2});
  m.AddInput(DType::kInt32, {2});
  m.AddOutput(DType::kInt32);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("float32 only"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace lithe::testing
