#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/ops/oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::BuiltinOperator;

void Build(OpModel& m, const std::vector<int32_t>& shape, const std::vector<int32_t>& begin,
           const std::vector<int32_t>& size) {
  m.AddInput(DType::kFloat32, shape);
  m.AddConst<int32_t>(DType::kInt32, {static_cast<int32_t>(begin.size())}, begin);
  m.AddConst<int32_t>(DType::kInt32, {static_cast<int32_t>(size.size())}, size);
  m.AddOutput(DType::kFloat32);
}

TEST(Slice, TakesABlock) {
  // Rows 1..2, columns 1..2 of a 3x4 matrix.
  OpModel m(BuiltinOperator::SLICE);
  Build(m, {3, 4}, {1, 1}, {2, 2});
  auto out = m.RunFloat({{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value()[0], (std::vector<float>{5, 6, 9, 10}));
  EXPECT_EQ(m.output_shape(0), (std::vector<int32_t>{2, 2}));
}

TEST(Slice, SizeMinusOneRunsToTheEndAndInt64OperandsWork) {
  OpModel m(BuiltinOperator::SLICE);
  m.AddInput(DType::kFloat32, {2, 3});
  m.AddConst<int64_t>(DType::kInt64, {2}, {1, 1});
  m.AddConst<int64_t>(DType::kInt64, {2}, {-1, -1});
  m.AddOutput(DType::kFloat32);
  auto out = m.RunFloat({{0, 1, 2, 3, 4, 5}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value()[0], (std::vector<float>{4, 5}));
  EXPECT_EQ(m.output_shape(0), (std::vector<int32_t>{1, 2}));
}

TEST(Slice, MatchesTflite) {
  struct Case {
    std::vector<int32_t> shape, begin, size;
  };
  const std::vector<Case> cases = {
      {{10}, {3}, {4}},
      {{10}, {0}, {-1}},
      {{4, 6}, {1, 2}, {3, 3}},
      {{4, 6}, {0, 5}, {-1, 1}},
      {{2, 5, 7}, {1, 0, 2}, {1, -1, 4}},
      {{1, 8, 8, 3}, {0, 2, 3, 1}, {1, 4, 5, 2}},
      {{2, 3, 4, 5, 6}, {1, 1, 0, 2, 3}, {1, 2, 4, 3, -1}},
      {{3, 4}, {1, 2}, {0, 2}},  // an empty slice
  };
  uint32_t seed = 1;
  int64_t compared = 0;
  for (const Case& c : cases) {
    OpModel m(BuiltinOperator::SLICE, c.shape.size() > 4 ? 5 : 1);
    Build(m, c.shape, c.begin, c.size);
    compared += ExpectMatchesOracle(m, {RandomFloats(c.shape, seed++)},
                                    ShapeString(c.shape) + " begin " + ShapeString(c.begin) + " size " +
                                        ShapeString(c.size),
                                    0.0);
  }
  EXPECT_EQ(compared, 4 + 10 + 9 + 4 + 1 * 5 * 4 + 4 * 5 * 2 + 2 * 4 * 3 * 3 + 0);
}

TEST(Slice, OutOfRangeBeginOrSizeIsAnError) {
  struct Bad {
    std::vector<int32_t> begin, size;
    std::string expect;
  };
  for (const Bad& b : std::vector<Bad>{{{0, 4}, {1, 1}, "begin 4"},
                                       {{-1, 0}, {1, 1}, "begin -1"},
                                       {{1, 1}, {2, 2}, "size 2"},
                                       {{0, 0}, {1, -2}, "size -2"},
                                       {{0}, {1}, "one entry per input dim"}}) {
    OpModel m(BuiltinOperator::SLICE);
    Build(m, {2, 3}, b.begin, b.size);
    Status s = m.Prepare();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("SLICE (op 0)"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(b.expect), std::string::npos) << s.message();
  }
}

TEST(Slice, NonConstantBeginIsAnError) {
  OpModel m(BuiltinOperator::SLICE);
  m.AddInput(DType::kFloat32, {2, 3});
  m.AddInput(DType::kInt32, {2});
  m.AddConst<int32_t>(DType::kInt32, {2}, {1, 1});
  m.AddOutput(DType::kFloat32);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("constant"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace lithe::testing
