#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "unit/ops/oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::BuiltinOperator;

::tflite::ReducerOptionsT Keep(bool keep_dims) {
  ::tflite::ReducerOptionsT o;
  o.keep_dims = keep_dims;
  return o;
}

void Build(OpModel& m, const std::vector<int32_t>& shape, const std::vector<int32_t>& axes, bool keep_dims) {
  m.AddInput(DType::kFloat32, shape);
  m.AddConst<int32_t>(DType::kInt32, {static_cast<int32_t>(axes.size())}, axes);
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Keep(keep_dims));
}

std::vector<float> RunReduce(BuiltinOperator op, std::vector<int32_t> shape, std::vector<float> x,
                             std::vector<int32_t> axes, bool keep_dims, std::vector<int32_t>* out_shape) {
  OpModel m(op);
  Build(m, shape, axes, keep_dims);
  auto out = m.RunFloat({x});
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok()) return {};
  *out_shape = m.output_shape(0);
  return out.value()[0];
}

TEST(Reduce, SumOverTheLastAxis) {
  std::vector<int32_t> shape;
  auto y = RunReduce(BuiltinOperator::SUM, {2, 3}, {1, 2, 3, 4, 5, 6}, {1}, false, &shape);
  EXPECT_EQ(y, (std::vector<float>{6, 15}));
  EXPECT_EQ(shape, (std::vector<int32_t>{2}));
}

TEST(Reduce, SumOverTheFirstAxisKeepingDims) {
  std::vector<int32_t> shape;
  auto y = RunReduce(BuiltinOperator::SUM, {2, 3}, {1, 2, 3, 4, 5, 6}, {0}, true, &shape);
  EXPECT_EQ(y, (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(shape, (std::vector<int32_t>{1, 3}));
}

TEST(Reduce, MaxWithNegativeAndRepeatedAxes) {
  // Axes {-1, 1, 1} on [2, 2, 2] reduce dims 1 and 2 (each once).
  std::vector<int32_t> shape;
  auto y = RunReduce(BuiltinOperator::REDUCE_MAX, {2, 2, 2}, {1, -2, 7, 3, -8, -1, -5, -4}, {-1, 1, 1}, false,
                     &shape);
  EXPECT_EQ(y, (std::vector<float>{7, -1}));
  EXPECT_EQ(shape, (std::vector<int32_t>{2}));
}

TEST(Reduce, MaxOfAllNegativeValuesIsNotClampedAtZero) {
  std::vector<int32_t> shape;
  auto y = RunReduce(BuiltinOperator::REDUCE_MAX, {4}, {-3, -2.5f, -7, -2.75f}, {0}, false, &shape);
  EXPECT_EQ(y, (std::vector<float>{-2.5f}));
  EXPECT_EQ(shape, (std::vector<int32_t>{}));
}

TEST(Reduce, MaxSkipsNanAndAnEmptyReductionIsLowestFloat) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<int32_t> shape;
  auto y = RunReduce(BuiltinOperator::REDUCE_MAX, {2, 2}, {nan, 1, 2, nan}, {1}, false, &shape);
  EXPECT_EQ(y, (std::vector<float>{1, 2}));
  auto e = RunReduce(BuiltinOperator::REDUCE_MAX, {2, 0}, {}, {1}, false, &shape);
  EXPECT_EQ(e, (std::vector<float>{-FLT_MAX, -FLT_MAX}));
  EXPECT_EQ(shape, (std::vector<int32_t>{2}));
  auto s = RunReduce(BuiltinOperator::SUM, {2, 0}, {}, {1}, false, &shape);
  EXPECT_EQ(s, (std::vector<float>{0, 0}));
}

TEST(Reduce, MatchesTfliteOverAxesAndKeepDims) {
  struct Case {
    std::vector<int32_t> shape, axes;
  };
  const std::vector<Case> cases = {
      {{7}, {0}},
      {{3, 5}, {0}},
      {{3, 5}, {1}},
      {{3, 5}, {0, 1}},
      {{2, 3, 4}, {1}},
      {{2, 3, 4}, {0, 2}},
      {{2, 3, 4}, {-1}},
      {{2, 3, 4}, {2, -1}},
      {{1, 8, 8, 16}, {1, 2}},  // global pooling
      {{2, 1, 5, 3}, {1, 3}},
      {{2, 3, 4, 5, 2}, {0, 3}},
  };
  uint32_t seed = 1;
  int64_t compared = 0;
  for (BuiltinOperator op : {BuiltinOperator::SUM, BuiltinOperator::REDUCE_MAX}) {
    for (bool keep : {false, true}) {
      for (const Case& c : cases) {
        OpModel m(op);
        Build(m, c.shape, c.axes, keep);
        compared += ExpectMatchesOracle(m, {RandomFloats(c.shape, seed++)},
                                        std::string(::tflite::EnumNameBuiltinOperator(op)) + " " +
                                            ShapeString(c.shape) + " axes " + ShapeString(c.axes) +
                                            (keep ? " keep_dims" : ""));
      }
    }
  }
  EXPECT_GT(compared, 2 * 2 * 16);
}

TEST(Reduce, MaxMatchesTfliteWithNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  OpModel m(BuiltinOperator::REDUCE_MAX);
  Build(m, {3, 3}, {1}, false);
  EXPECT_EQ(ExpectMatchesOracle(m, {FloatTensor({3, 3}, {nan, 1, 2, 3, nan, 4, -1, -2, nan})}), 3);
}

TEST(Reduce, NonConstantAxesAreAnError) {
  OpModel m(BuiltinOperator::SUM);
  m.AddInput(DType::kFloat32, {2, 3});
  m.AddInput(DType::kInt32, {1});
  m.AddOutput(DType::kFloat32);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("SUM (op 0)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("constant"), std::string::npos) << s.message();
}

TEST(Reduce, AxisOutOfRangeIsAnError) {
  OpModel m(BuiltinOperator::REDUCE_MAX);
  Build(m, {2, 3}, {2}, false);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("REDUCE_MAX (op 0): axis 2 is out of range"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace lithe::testing
