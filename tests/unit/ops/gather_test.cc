#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "unit/ops/oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::BuiltinOperator;

::tflite::GatherOptionsT Options(int axis, int batch_dims = 0) {
  ::tflite::GatherOptionsT o;
  o.axis = axis;
  o.batch_dims = batch_dims;
  return o;
}

TEST(Gather, PicksRowsByConstantIndices) {
  OpModel m(BuiltinOperator::GATHER);
  m.AddInput(DType::kFloat32, {3, 2});
  m.AddConst<int32_t>(DType::kInt32, {4}, {2, 0, 2, 1});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(0));
  auto out = m.RunFloat({{0, 1, 10, 11, 20, 21}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value()[0], (std::vector<float>{20, 21, 0, 1, 20, 21, 10, 11}));
  EXPECT_EQ(m.output_shape(0), (std::vector<int32_t>{4, 2}));
}

TEST(Gather, AlongTheLastAxisWithInt64IndicesOfRank2) {
  // params [2, 3], axis -1, indices [[2, 0]] (int64): output [2, 1, 2].
  OpModel m(BuiltinOperator::GATHER);
  m.AddInput(DType::kFloat32, {2, 3});
  m.AddConst<int64_t>(DType::kInt64, {1, 2}, {2, 0});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(-1));
  auto out = m.RunFloat({{0, 1, 2, 3, 4, 5}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value()[0], (std::vector<float>{2, 0, 5, 3}));
  EXPECT_EQ(m.output_shape(0), (std::vector<int32_t>{2, 1, 2}));
}

TEST(Gather, ScalarIndexDropsTheAxis) {
  OpModel m(BuiltinOperator::GATHER);
  m.AddInput(DType::kFloat32, {2, 3});
  m.AddConst<int32_t>(DType::kInt32, {}, {1});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(1));
  auto out = m.RunFloat({{0, 1, 2, 3, 4, 5}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out.value()[0], (std::vector<float>{1, 4}));
  EXPECT_EQ(m.output_shape(0), (std::vector<int32_t>{2}));
}

TEST(Gather, RuntimeIndicesOutOfRangeGiveZeros) {
  OpModel m(BuiltinOperator::GATHER);
  m.AddInput(DType::kFloat32, {3});
  m.AddInput(DType::kInt32, {3});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(0));
  int32_t idx[3] = {1, 7, -1};
  std::vector<uint8_t> idx_bytes(reinterpret_cast<uint8_t*>(idx), reinterpret_cast<uint8_t*>(idx) + sizeof idx);
  auto out = m.Run({FloatBytes({5, 6, 7}), idx_bytes});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(BytesToFloats(out.value()[0]), (std::vector<float>{6, 0, 0}));
}

OracleTensor IntTensor(DType type, std::vector<int32_t> shape, const std::vector<int64_t>& v) {
  OracleTensor t;
  t.type = type;
  t.shape = std::move(shape);
  const size_t size = type == DType::kInt32 ? 4 : 8;
  t.data.resize(v.size() * size);
  for (size_t i = 0; i < v.size(); ++i) {
    if (type == DType::kInt32) {
      const int32_t x = static_cast<int32_t>(v[i]);
      std::memcpy(t.data.data() + i * 4, &x, 4);
    } else {
      std::memcpy(t.data.data() + i * 8, &v[i], 8);
    }
  }
  return t;
}

TEST(Gather, MatchesTflite) {
  struct Case {
    std::vector<int32_t> params;
    int axis, batch_dims;
    std::vector<int32_t> indices_shape;
  };
  const std::vector<Case> cases = {
      {{10}, 0, 0, {4}},          {{5, 3}, 0, 0, {2, 3}},        {{5, 3}, 1, 0, {4}},
      {{2, 6, 4}, 1, 0, {3}},     {{2, 6, 4}, -1, 0, {2, 2}},    {{3, 4, 5, 2}, 2, 0, {}},
      {{2, 5, 3}, 1, 1, {2, 4}},  {{2, 3, 5, 2}, 2, 1, {2, 3}},  {{2, 3, 5, 2}, 2, 2, {2, 3, 4}},
  };
  uint32_t seed = 1;
  int64_t compared = 0;
  for (DType index_type : {DType::kInt32, DType::kInt64}) {
    for (const Case& c : cases) {
      const int rank = static_cast<int>(c.params.size());
      const int axis = c.axis < 0 ? c.axis + rank : c.axis;
      int64_t n = 1;
      for (int32_t d : c.indices_shape) n *= d;
      std::vector<int64_t> idx(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = (i * 7 + 3) % c.params[static_cast<size_t>(axis)];
      for (bool constant : {true, false}) {
        OpModel m(BuiltinOperator::GATHER, c.batch_dims != 0 ? 5 : 1);
        m.AddInput(DType::kFloat32, c.params);
        const OracleTensor it = IntTensor(index_type, c.indices_shape, idx);
        std::vector<OracleTensor> inputs = {RandomFloats(c.params, seed++)};
        if (constant) {
          m.AddConstBytes(index_type, c.indices_shape, it.data);
        } else {
          m.AddInput(index_type, c.indices_shape);
          inputs.push_back(it);
        }
        m.AddOutput(DType::kFloat32);
        m.SetOptions(Options(c.axis, c.batch_dims));
        compared += ExpectMatchesOracle(m, inputs,
                                        "params " + ShapeString(c.params) + " axis " + std::to_string(c.axis) +
                                            " batch_dims " + std::to_string(c.batch_dims) + " indices " +
                                            ShapeString(c.indices_shape) + (constant ? " constant" : ""),
                                        0.0);
      }
    }
  }
  EXPECT_GT(compared, 4 * 100);
}

Status PrepareError(std::vector<int32_t> params, std::vector<int32_t> idx_shape, std::vector<int32_t> idx, int axis,
                    int batch_dims = 0) {
  OpModel m(BuiltinOperator::GATHER);
  m.AddInput(DType::kFloat32, params);
  m.AddConst<int32_t>(DType::kInt32, idx_shape, idx);
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(axis, batch_dims));
  Status s = m.Prepare();
  EXPECT_FALSE(s.ok());
  return s;
}

TEST(Gather, BadOperandsAreErrorsNamingTheProblem) {
  EXPECT_NE(PrepareError({3, 2}, {2}, {0, 3}, 0).message().find("index 3 (element 1"), std::string::npos);
  EXPECT_NE(PrepareError({3, 2}, {1}, {-1}, 0).message().find("index -1"), std::string::npos);
  EXPECT_NE(PrepareError({3, 2}, {1}, {0}, 2).message().find("axis 2 is out of range"), std::string::npos);
  EXPECT_NE(PrepareError({3, 2}, {2, 1}, {0, 0}, 1, 1).message().find("differ in batch dim 0"), std::string::npos);
  EXPECT_NE(PrepareError({3, 2}, {3, 1}, {0, 0, 0}, 0, 1).message().find("must not exceed axis"), std::string::npos);
}

}  // namespace
}  // namespace lithe::testing
