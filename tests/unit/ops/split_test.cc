#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/ops/oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::BuiltinOperator;

void Build(OpModel& m, int32_t axis, const std::vector<int32_t>& shape, int num_splits) {
  m.AddConst<int32_t>(DType::kInt32, {}, {axis});
  m.AddInput(DType::kFloat32, shape);
  for (int k = 0; k < num_splits; ++k) m.AddOutput(DType::kFloat32);
  ::tflite::SplitOptionsT o;
  o.num_splits = num_splits;
  m.SetOptions(o);
}

TEST(Split, CutsColumnsIntoEqualParts) {
  OpModel m(BuiltinOperator::SPLIT);
  Build(m, 1, {2, 4}, 2);
  auto out = m.RunFloat({{0, 1, 2, 3, 4, 5, 6, 7}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(out.value()[0], (std::vector<float>{0, 1, 4, 5}));
  EXPECT_EQ(out.value()[1], (std::vector<float>{2, 3, 6, 7}));
  EXPECT_EQ(m.output_shape(1), (std::vector<int32_t>{2, 2}));
}

TEST(Split, NegativeAxisCountsFromTheEnd) {
  OpModel m(BuiltinOperator::SPLIT);
  Build(m, -2, {3, 2}, 3);
  auto out = m.RunFloat({{0, 1, 2, 3, 4, 5}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ(out.value()[2], (std::vector<float>{4, 5}));
  EXPECT_EQ(m.output_shape(2), (std::vector<int32_t>{1, 2}));
}

TEST(Split, MatchesTflite) {
  struct Case {
    std::vector<int32_t> shape;
    int32_t axis;
    int splits;
  };
  const std::vector<Case> cases = {
      {{12}, 0, 3}, {{4, 6}, 0, 2}, {{4, 6}, 1, 3}, {{4, 6}, -1, 6}, {{2, 6, 5}, 1, 2},
      {{1, 4, 4, 8}, 3, 4}, {{2, 3, 4, 5}, 0, 2}, {{2, 3, 4, 5}, 2, 1},
  };
  uint32_t seed = 1;
  int64_t compared = 0;
  for (const Case& c : cases) {
    OpModel m(BuiltinOperator::SPLIT);
    Build(m, c.axis, c.shape, c.splits);
    compared += ExpectMatchesOracle(m, {RandomFloats(c.shape, seed++)},
                                    ShapeString(c.shape) + " axis " + std::to_string(c.axis) + " into " +
                                        std::to_string(c.splits),
                                    0.0);
  }
  EXPECT_EQ(compared, 12 + 24 + 24 + 24 + 60 + 128 + 120 + 120);
}

TEST(Split, IndivisibleAxisIsAnError) {
  OpModel m(BuiltinOperator::SPLIT);
  Build(m, 1, {2, 5}, 2);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("SPLIT (op 0)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not divisible into 2"), std::string::npos) << s.message();
}

TEST(Split, NonConstantAxisIsAnError) {
  OpModel m(BuiltinOperator::SPLIT);
  m.AddInput(DType::kInt32, {});
  m.AddInput(DType::kFloat32, {2, 4});
  m.AddOutput(DType::kFloat32);
  m.AddOutput(DType::kFloat32);
  ::tflite::SplitOptionsT o;
  o.num_splits = 2;
  m.SetOptions(o);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("constant"), std::string::npos) << s.message();
}

TEST(Split, OutputCountMustEqualNumSplits) {
  OpModel m(BuiltinOperator::SPLIT);
  m.AddConst<int32_t>(DType::kInt32, {}, {0});
  m.AddInput(DType::kFloat32, {4});
  m.AddOutput(DType::kFloat32);
  ::tflite::SplitOptionsT o;
  o.num_splits = 2;
  m.SetOptions(o);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("expects 2 outputs"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace lithe::testing
