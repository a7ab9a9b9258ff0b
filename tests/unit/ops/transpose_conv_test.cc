#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/ops/oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::ActivationFunctionType;
using ::tflite::BuiltinOperator;
using ::tflite::Padding;

::tflite::TransposeConvOptionsT Options(Padding padding, int stride_w, int stride_h,
                                        ActivationFunctionType act = ActivationFunctionType::NONE) {
  ::tflite::TransposeConvOptionsT o;
  o.padding = padding;
  o.stride_w = stride_w;
  o.stride_h = stride_h;
  o.fused_activation_function = act;
  return o;
}

// A TRANSPOSE_CONV with constant output_shape and weights (and bias when given); the input is
// the only graph input. Version 3 when there is a bias, as the converter writes it.
struct Case {
  std::vector<int32_t> out_shape;
  std::vector<int32_t> w_shape;
  std::vector<float> w;
  std::vector<int32_t> in_shape;
  std::vector<float> bias;  // empty: no bias input
  ::tflite::TransposeConvOptionsT options;
};

void Build(OpModel& m, const Case& c) {
  m.AddConst<int32_t>(DType::kInt32, {4}, c.out_shape);
  m.AddConst<float>(DType::kFloat32, c.w_shape, c.w);
  m.AddInput(DType::kFloat32, c.in_shape);
  if (!c.bias.empty()) m.AddConst<float>(DType::kFloat32, {static_cast<int32_t>(c.bias.size())}, c.bias);
  m.AddOutput(DType::kFloat32);
  m.SetOptions(c.options);
}

std::vector<float> RunCase(const Case& c, const std::vector<float>& input, int version = 3) {
  OpModel m(BuiltinOperator::TRANSPOSE_CONV, version);
  Build(m, c);
  auto out = m.RunFloat({input});
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok()) return {};
  EXPECT_EQ(m.output_shape(0), c.out_shape);
  return out.value()[0];
}

TEST(TransposeConv, Stride2Valid2x2ExpandsEachPixelIntoAWeightedBlockPlusBias) {
  // Each input value v becomes the 2x2 block v * [[1, 2], [3, 4]]; the bias is added to all.
  auto y = RunCase({{1, 4, 4, 1}, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 2, 2, 1}, {10}, Options(Padding::VALID, 2, 2)},
               {1, 2, 3, 4});
  EXPECT_EQ(y, (std::vector<float>{11, 12, 12, 14,  //
                                   13, 14, 16, 18,  //
                                   13, 16, 14, 18,  //
                                   19, 22, 22, 26}));
}

TEST(TransposeConv, SamePaddingIsComputedFromTheOutputSize) {
  // Output width 3, filter 3, stride 1: TFLite pads (ceil(3/1) - 1) * 1 + 3 - 3 = 2, one before.
  // out[x] = sum over ix of in[ix] * w[x + 1 - ix]: [1*10 + 2*1, 1*100 + 2*10 + 3*1, 2*100 + 3*10].
  auto y = RunCase({{1, 1, 3, 1}, {1, 1, 3, 1}, {1, 10, 100}, {1, 1, 3, 1}, {}, Options(Padding::SAME, 1, 1)},
               {1, 2, 3}, 1);
  EXPECT_EQ(y, (std::vector<float>{12, 123, 230}));
}

TEST(TransposeConv, OutputsNoTapReachesHoldOnlyTheBias) {
  // Output 1x5 from a 1x2 input with a 1x2 filter, stride 2, VALID: columns 0..3 are covered,
  // column 4 is not (VALID allows up to stride - 1 extra columns, like output_padding).
  const Case c{{1, 1, 5, 1}, {1, 1, 2, 1}, {1, 2}, {1, 1, 2, 1}, {0.5f}, Options(Padding::VALID, 2, 1)};
  auto y = RunCase(c, {3, 4});
  EXPECT_EQ(y, (std::vector<float>{3.5f, 6.5f, 4.5f, 8.5f, 0.5f}));
  OpModel m(BuiltinOperator::TRANSPOSE_CONV, 3);
  Build(m, c);
  EXPECT_EQ(ExpectMatchesOracle(m, {FloatTensor({1, 1, 2, 1}, {3, 4})}), 5);
}

TEST(TransposeConv, FusedReluClampsAfterTheBias) {
  // Version 4's fused activation (TFLite 2.9 has none): [-1*1 + 0.5, 2*1 + 0.5] -> RELU.
  auto y = RunCase({{1, 1, 2, 1}, {1, 1, 1, 1}, {1}, {1, 1, 2, 1}, {0.5f},
                Options(Padding::VALID, 1, 1, ActivationFunctionType::RELU)},
               {-1, 2}, 4);
  EXPECT_EQ(y, (std::vector<float>{0, 2.5f}));
}

// The natural output size of a transpose convolution (TF's conv2d_transpose).
int32_t NaturalSize(bool same, int32_t in, int32_t k, int32_t s) { return same ? in * s : (in - 1) * s + k; }

TEST(TransposeConv, MatchesTfliteOverStridesPaddingsKernelsAndBatches) {
  int cases = 0;
  int64_t compared = 0;
  uint32_t seed = 1;
  for (int stride : {1, 2, 3}) {
    for (bool same : {true, false}) {
      for (int k = 1; k <= 5; ++k) {
        // Square and non-square kernels, odd sizes, batch 1 and 2, with and without bias.
        const int kh = k, kw = k == 5 ? 2 : k;
        const int batch = 1 + (k % 2), in_h = 3 + k % 3, in_w = 4 + (k + stride) % 3;
        const int in_c = 1 + (k + stride) % 4, out_c = 1 + (k * 2 + stride) % 5;
        const bool bias = (k + stride) % 2 == 0;
        Case c;
        c.out_shape = {batch, NaturalSize(same, in_h, kh, stride), NaturalSize(same, in_w, kw, stride), out_c};
        c.w_shape = {out_c, kh, kw, in_c};
        c.w = TensorFloats(RandomFloats(c.w_shape, seed++));
        c.in_shape = {batch, in_h, in_w, in_c};
        if (bias) c.bias = TensorFloats(RandomFloats({out_c}, seed++));
        c.options = Options(same ? Padding::SAME : Padding::VALID, stride, stride);
        OpModel m(BuiltinOperator::TRANSPOSE_CONV, bias ? 3 : 1);
        Build(m, c);
        const std::string what = "stride " + std::to_string(stride) + (same ? " SAME" : " VALID") + " kernel " +
                                 std::to_string(kh) + "x" + std::to_string(kw) + " input " +
                                 ShapeString(c.in_shape) + " out_c " + std::to_string(out_c) +
                                 (bias ? " bias" : "");
        compared += ExpectMatchesOracle(m, {RandomFloats(c.in_shape, seed++)}, what);
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 30);
  EXPECT_GT(compared, 10000);
}

TEST(TransposeConv, MatchesTfliteWithUnequalStridesAndOutputSizesOtherThanTheNaturalOne) {
  // Every output size here is one TensorFlow Lite's kernel accepts for the input (see
  // ref::TransposeConvInputSize), though not always the natural in * s or (in - 1) * s + k.
  struct Shape {
    bool same;
    int sh, sw, kh, kw;
    std::vector<int32_t> in, out;
  };
  const std::vector<Shape> shapes = {
      {true, 2, 3, 3, 2, {1, 5, 4, 3}, {1, 10, 12, 2}},
      {false, 3, 1, 4, 3, {2, 3, 5, 2}, {2, 10, 7, 3}},
      {true, 2, 2, 3, 3, {1, 4, 4, 2}, {1, 7, 8, 2}},    // SAME, one row short of 2x
      {false, 2, 2, 3, 3, {1, 4, 4, 2}, {1, 10, 9, 2}},  // VALID with one extra row (bias only)
      {false, 3, 3, 2, 2, {1, 3, 2, 1}, {1, 10, 6, 1}},  // filter smaller than the stride: gaps
      {true, 3, 2, 5, 4, {2, 3, 3, 4}, {2, 7, 5, 3}},
      {true, 5, 5, 8, 8, {1, 1, 1, 2}, {1, 1, 1, 2}},    // one output pixel, filter centre taps
  };
  uint32_t seed = 100;
  for (const Shape& s : shapes) {
    Case c;
    c.out_shape = s.out;
    c.w_shape = {s.out[3], s.kh, s.kw, s.in[3]};
    c.w = TensorFloats(RandomFloats(c.w_shape, seed++));
    c.in_shape = s.in;
    c.bias = TensorFloats(RandomFloats({s.out[3]}, seed++));
    c.options = Options(s.same ? Padding::SAME : Padding::VALID, s.sw, s.sh);
    OpModel m(BuiltinOperator::TRANSPOSE_CONV, 3);
    Build(m, c);
    EXPECT_GT(ExpectMatchesOracle(m, {RandomFloats(c.in_shape, seed++)},
                                  "input " + ShapeString(s.in) + " output " + ShapeString(s.out)),
              0);
  }
}

TEST(TransposeConv, OutputShapeTheInputDoesNotFitIsAnError) {
  // SAME, stride 2, 3x3: a 4x4 input gives 7 or 8 rows; 9 needs an input of 5 (TensorFlow Lite
  // 2.9 computes undefined values here).
  OpModel m(BuiltinOperator::TRANSPOSE_CONV);
  Build(m, {{1, 9, 8, 1}, {1, 3, 3, 1}, std::vector<float>(9, 1.f), {1, 4, 4, 1}, {}, Options(Padding::SAME, 2, 2)});
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("output_shape [1, 9, 8, 1] does not fit the input [1, 4, 4, 1]"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("an output height of 9 needs an input height of 5, the input has 4"), std::string::npos)
      << s.message();
}

TEST(TransposeConv, MatchesTfliteWhenWeightsAreAGraphInput) {
  // Weights not constant: lithe repacks them on every Invoke.
  OpModel m(BuiltinOperator::TRANSPOSE_CONV, 3);
  m.AddConst<int32_t>(DType::kInt32, {4}, {2, 8, 5, 3});
  m.AddInput(DType::kFloat32, {3, 3, 2, 2});
  m.AddInput(DType::kFloat32, {2, 4, 3, 2});
  m.AddConst<float>(DType::kFloat32, {3}, {0.25f, -0.5f, 1});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(Padding::SAME, 2, 2));
  EXPECT_EQ(ExpectMatchesOracle(m, {RandomFloats({3, 3, 2, 2}, 7), RandomFloats({2, 4, 3, 2}, 8)}), 2 * 8 * 5 * 3);
}

Status PrepareError(OpModel& m) {
  Status s = m.Prepare();
  EXPECT_FALSE(s.ok());
  return s;
}

TEST(TransposeConv, NonConstantOutputShapeIsAnError) {
  OpModel m(BuiltinOperator::TRANSPOSE_CONV);
  m.AddInput(DType::kInt32, {4});
  m.AddConst<float>(DType::kFloat32, {1, 2, 2, 1}, {1, 2, 3, 4});
  m.AddInput(DType::kFloat32, {1, 2, 2, 1});
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(Padding::VALID, 2, 2));
  Status s = PrepareError(m);
  EXPECT_NE(s.message().find("TRANSPOSE_CONV"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("output_shape"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not a constant"), std::string::npos) << s.message();
}

TEST(TransposeConv, InconsistentOperandsAreErrorsNamingTheProblem) {
  struct Bad {
    Case c;
    std::string expect;
  };
  const auto valid = Options(Padding::VALID, 2, 2);
  const std::vector<Bad> bad = {
      {{{1, 4, 4, 1}, {1, 2, 2, 2}, std::vector<float>(8, 1), {1, 2, 2, 1}, {}, valid}, "input depth"},
      {{{1, 4, 4, 1}, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 2, 2, 1}, {1, 2}, valid}, "bias"},
      {{{2, 4, 4, 1}, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 2, 2, 1}, {}, valid}, "batch"},
      {{{1, 4, 4, 3}, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 2, 2, 1}, {}, valid}, "depth 3"},
      {{{1, -4, 4, 1}, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 2, 2, 1}, {}, valid}, "negative"},
  };
  for (const Bad& b : bad) {
    OpModel m(BuiltinOperator::TRANSPOSE_CONV, 3);
    Build(m, b.c);
    Status s = PrepareError(m);
    EXPECT_NE(s.message().find(b.expect), std::string::npos) << s.message();
  }
}

TEST(TransposeConv, ZeroStrideIsAnError) {
  OpModel m(BuiltinOperator::TRANSPOSE_CONV);
  Build(m, {{1, 4, 4, 1}, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 2, 2, 1}, {}, Options(Padding::VALID, 0, 2)});
  Status s = PrepareError(m);
  EXPECT_NE(s.message().find("stride"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace lithe::testing
