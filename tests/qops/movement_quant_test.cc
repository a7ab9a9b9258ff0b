// Data-movement ops on int8 / uint8 / int16 against TensorFlow Lite 2.9 (bit-exact, max_diff 0):
// RESHAPE, SQUEEZE, TRANSPOSE, CONCATENATION, PAD, PADV2, STRIDED_SLICE, SLICE, SPLIT, GATHER,
// DEPTH_TO_SPACE, SPACE_TO_DEPTH; plus the quantization checks TFLite makes (CONCATENATION int8,
// PADV2's constant).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "quant_oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::BuiltinOperator;

const DType kTypes[] = {DType::kInt8, DType::kUInt8, DType::kInt16};

// A zero point valid for `type`, including the range's ends.
int64_t Zp(DType type, uint32_t k) {
  if (type == DType::kInt16) return 0;
  const int64_t lo = type == DType::kInt8 ? -128 : 0;
  const int64_t choices[] = {lo, lo + 255, lo + 100, lo + 3};
  return choices[k % 4];
}

OracleTensor Bytes(DType type, std::vector<int32_t> shape, uint32_t seed) { return RandomInts(type, shape, seed); }

std::string Name(const char* op, DType type, int i) {
  return std::string(op) + " " + DTypeName(type) + " case " + std::to_string(i);
}

TEST(MovementQuant, ReshapeAndSqueezeCopyQuantizedValues) {
  int64_t compared = 0;
  for (DType type : kTypes) {
    {
      OpModel m(BuiltinOperator::RESHAPE);
      m.AddInput(type, {2, 3, 4}, {0.05f}, {Zp(type, 1)});
      m.AddConst<int32_t>(DType::kInt32, {3}, {4, -1, 2});
      m.AddOutput(type, {}, {0.05f}, {Zp(type, 1)});
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, {2, 3, 4}, 1)}, Name("RESHAPE", type, 0), 0);
    }
    {
      OpModel m(BuiltinOperator::SQUEEZE);
      m.AddInput(type, {1, 5, 1, 3}, {0.02f}, {Zp(type, 2)});
      m.AddOutput(type, {}, {0.02f}, {Zp(type, 2)});
      ::tflite::SqueezeOptionsT o;
      o.squeeze_dims = {0, -2};
      m.SetOptions(o);
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, {1, 5, 1, 3}, 2)}, Name("SQUEEZE", type, 0), 0);
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(MovementQuant, TransposeMatchesTflite) {
  std::mt19937 rng(3);
  int64_t compared = 0;
  for (DType type : kTypes) {
    for (int i = 0; i < 6; ++i) {
      const int rank = 2 + i % 4;
      std::vector<int32_t> shape, perm;
      for (int d = 0; d < rank; ++d) {
        shape.push_back(std::uniform_int_distribution<int>(1, 5)(rng));
        perm.push_back(d);
      }
      std::shuffle(perm.begin(), perm.end(), rng);
      OpModel m(BuiltinOperator::TRANSPOSE);
      m.AddInput(type, shape, {0.1f}, {Zp(type, i)});
      m.AddConst<int32_t>(DType::kInt32, {rank}, perm);
      m.AddOutput(type, {}, {0.1f}, {Zp(type, i)});
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, shape, 10 + i)}, Name("TRANSPOSE", type, i), 0);
    }
  }
  EXPECT_GT(compared, 0);
}

// Larger random shapes than above, float32 too: channel counts 1-3 against long spatial dims
// (NCHW <-> NHWC, where the copy loop order changes), and paddings of zero on trailing dims
// (copied as whole runs) or on every dim.
TEST(MovementQuant, TransposeAndPadOnLargerShapesMatchTflite) {
  std::mt19937 rng(17);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int64_t compared = 0;
  for (DType type : {DType::kFloat32, DType::kInt8}) {
    for (int i = 0; i < 12; ++i) {
      const int rank = 2 + i % 3;
      std::vector<int32_t> shape, perm;
      for (int d = 0; d < rank; ++d) {
        shape.push_back(d == rank - 1 || i % 2 == 0 ? pick(1, 3) : pick(5, 40));
        perm.push_back(d);
      }
      std::shuffle(perm.begin(), perm.end(), rng);
      const OracleTensor x = type == DType::kFloat32 ? RandomFloats(shape, 30 + i) : Bytes(type, shape, 30 + i);
      const std::string name = Name("TRANSPOSE", type, i) + " shape " + ShapeString(shape);
      OpModel t(BuiltinOperator::TRANSPOSE);
      if (type == DType::kFloat32) {
        t.AddInput(type, shape);
        t.AddConst<int32_t>(DType::kInt32, {rank}, perm);
        t.AddOutput(type, {});
      } else {
        t.AddInput(type, shape, {0.1f}, {Zp(type, i)});
        t.AddConst<int32_t>(DType::kInt32, {rank}, perm);
        t.AddOutput(type, {}, {0.1f}, {Zp(type, i)});
      }
      compared += ExpectQuantizedMatchesOracle(t, {x}, name, 0, /*float_tol=*/0);

      std::vector<int32_t> pads;
      const int last_padded = pick(0, rank - 1);
      for (int d = 0; d < rank; ++d) {
        pads.push_back(d <= last_padded ? pick(0, 3) : 0);
        pads.push_back(d <= last_padded ? pick(0, 3) : 0);
      }
      OpModel p(BuiltinOperator::PAD);
      if (type == DType::kFloat32) {
        p.AddInput(type, shape);
        p.AddConst<int32_t>(DType::kInt32, {rank, 2}, pads);
        p.AddOutput(type, {});
      } else {
        p.AddInput(type, shape, {0.1f}, {Zp(type, i)});
        p.AddConst<int32_t>(DType::kInt32, {rank, 2}, pads);
        p.AddOutput(type, {}, {0.1f}, {Zp(type, i)});
      }
      compared += ExpectQuantizedMatchesOracle(p, {x}, Name("PAD", type, i) + " shape " + ShapeString(shape), 0,
                                               /*float_tol=*/0);
    }
  }
  EXPECT_GT(compared, 0);
}

// Concatenation of `n` inputs along `axis` with the given per-input parameters.
int64_t RunConcat(DType type, const std::vector<std::vector<int32_t>>& shapes, int axis,
                  const std::vector<std::pair<float, int64_t>>& in_q, std::pair<float, int64_t> out_q, uint32_t seed,
                  const std::string& what) {
  OpModel m(BuiltinOperator::CONCATENATION);
  std::vector<OracleTensor> inputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    m.AddInput(type, shapes[i], {in_q[i].first}, {in_q[i].second});
    inputs.push_back(Bytes(type, shapes[i], seed + static_cast<uint32_t>(i)));
  }
  m.AddOutput(type, {}, {out_q.first}, {out_q.second});
  ::tflite::ConcatenationOptionsT o;
  o.axis = axis;
  m.SetOptions(o);
  return ExpectQuantizedMatchesOracle(m, inputs, what, 0);
}

TEST(MovementQuant, ConcatenationMatchesTflite) {
  std::mt19937 rng(4);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int64_t compared = 0;
  for (DType type : kTypes) {
    for (int i = 0; i < 8; ++i) {
      const int rank = pick(1, 4);
      std::vector<int32_t> base;
      for (int d = 0; d < rank; ++d) base.push_back(pick(1, 4));
      const int axis = pick(-rank, rank - 1);
      const int n = pick(1, 4);
      std::vector<std::vector<int32_t>> shapes;
      for (int k = 0; k < n; ++k) {
        std::vector<int32_t> s = base;
        s[(axis + rank) % rank] = pick(1, 3);
        shapes.push_back(s);
      }
      const std::pair<float, int64_t> out_q{0.05f, Zp(type, i)};
      std::vector<std::pair<float, int64_t>> in_q(n, out_q);
      // int8 requires equal parameters; int16 and uint8 may differ (int16: scales only).
      if (type != DType::kInt8)
        for (int k = 0; k < n; ++k)
          if (pick(0, 1)) in_q[k] = {std::uniform_real_distribution<float>(0.01f, 0.2f)(rng), Zp(type, pick(0, 3))};
      compared += RunConcat(type, shapes, axis, in_q, out_q, 100 * i, Name("CONCATENATION", type, i));
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(MovementQuant, ConcatenationInt8RejectsInputWithOtherParameters) {
  OpModel m(BuiltinOperator::CONCATENATION);
  m.AddInput(DType::kInt8, {1, 2}, {0.1f}, {0});
  m.AddInput(DType::kInt8, {1, 2}, {0.2f}, {0});
  m.AddOutput(DType::kInt8, {}, {0.1f}, {0});
  ::tflite::ConcatenationOptionsT o;
  o.axis = 1;
  m.SetOptions(o);
  Status s = m.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("input 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("does not rescale"), std::string::npos) << s.message();
}

TEST(MovementQuant, ConcatenationRejectsMissingQuantizationMixedDtypesAndActivation) {
  {
    OpModel m(BuiltinOperator::CONCATENATION);
    m.AddInput(DType::kInt8, {1, 2}, {0.1f}, {0});
    m.AddInput(DType::kInt8, {1, 2});
    m.AddOutput(DType::kInt8, {}, {0.1f}, {0});
    EXPECT_FALSE(m.Prepare().ok());
  }
  {
    OpModel m(BuiltinOperator::CONCATENATION);
    m.AddInput(DType::kInt8, {1, 2}, {0.1f}, {0});
    m.AddInput(DType::kInt16, {1, 2}, {0.1f}, {0});
    m.AddOutput(DType::kInt8, {}, {0.1f}, {0});
    EXPECT_FALSE(m.Prepare().ok());
  }
  {
    OpModel m(BuiltinOperator::CONCATENATION);
    m.AddInput(DType::kInt8, {1, 2}, {0.1f}, {0});
    m.AddOutput(DType::kInt8, {}, {0.1f}, {0});
    ::tflite::ConcatenationOptionsT o;
    o.fused_activation_function = ::tflite::ActivationFunctionType::RELU;
    m.SetOptions(o);
    EXPECT_FALSE(m.Prepare().ok());
  }
}

TEST(MovementQuant, PadFillsWithOutputZeroPoint) {
  int64_t compared = 0;
  for (DType type : kTypes) {
    for (int i = 0; i < 4; ++i) {
      OpModel m(BuiltinOperator::PAD);
      const std::vector<int32_t> shape = {1, 3, 2, 2};
      m.AddInput(type, shape, {0.1f}, {Zp(type, i)});
      m.AddConst<int32_t>(DType::kInt32, {4, 2}, {0, 1, i, 1, 2, 0, 1, i});
      m.AddOutput(type, {}, {0.1f}, {Zp(type, i)});
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, shape, 20 + i)}, Name("PAD", type, i), 0);
    }
  }
  EXPECT_GT(compared, 0);
}

template <class T>
int64_t RunPadV2(DType type, int64_t zp, T value, uint32_t seed) {
  OpModel m(BuiltinOperator::PADV2);
  const std::vector<int32_t> shape = {2, 3};
  m.AddInput(type, shape, {0.1f}, {zp});
  m.AddConst<int32_t>(DType::kInt32, {2, 2}, {1, 0, 2, 1});
  m.AddConst<T>(type, {}, {value}, {0.1f}, {zp});
  m.AddOutput(type, {}, {0.1f}, {zp});
  return ExpectQuantizedMatchesOracle(m, {Bytes(type, shape, seed)}, std::string("PADV2 ") + DTypeName(type), 0);
}

TEST(MovementQuant, PadV2FillsWithQuantizedConstant) {
  int64_t compared = 0;
  compared += RunPadV2<int8_t>(DType::kInt8, -5, int8_t{-77}, 1);
  compared += RunPadV2<uint8_t>(DType::kUInt8, 200, uint8_t{13}, 2);
  compared += RunPadV2<int16_t>(DType::kInt16, 0, int16_t{-1234}, 3);
  EXPECT_GT(compared, 0);
  // Without constant_values: the output's zero point.
  OpModel m(BuiltinOperator::PADV2);
  m.AddInput(DType::kInt8, {2, 2}, {0.1f}, {9});
  m.AddConst<int32_t>(DType::kInt32, {2, 2}, {1, 1, 1, 1});
  m.AddOutput(DType::kInt8, {}, {0.1f}, {9});
  EXPECT_GT(ExpectQuantizedMatchesOracle(m, {Bytes(DType::kInt8, {2, 2}, 4)}, "PADV2 no constant", 0), 0);
}

TEST(MovementQuant, PadV2RejectsConstantWithOtherParameters) {
  for (int variant = 0; variant < 3; ++variant) {
    OpModel m(BuiltinOperator::PADV2);
    m.AddInput(DType::kInt8, {2}, {0.1f}, {3});
    m.AddConst<int32_t>(DType::kInt32, {1, 2}, {1, 1});
    if (variant == 0) m.AddConst<int8_t>(DType::kInt8, {}, {1}, {0.2f}, {3});
    if (variant == 1) m.AddConst<int8_t>(DType::kInt8, {}, {1}, {0.1f}, {4});
    if (variant == 2) m.AddConst<int8_t>(DType::kInt8, {}, {1});
    m.AddOutput(DType::kInt8, {}, {0.1f}, {3});
    Status s = m.Prepare();
    ASSERT_FALSE(s.ok()) << variant;
    EXPECT_NE(s.message().find("constant_values"), std::string::npos) << s.message();
  }
  OpModel m(BuiltinOperator::PAD);
  m.AddInput(DType::kInt8, {2}, {0.1f}, {3});
  m.AddConst<int32_t>(DType::kInt32, {1, 2}, {1, 1});
  m.AddOutput(DType::kInt8);
  EXPECT_FALSE(m.Prepare().ok()) << "an output without quantization has no zero point to pad with";
}

TEST(MovementQuant, SlicesAndSplitMatchTflite) {
  int64_t compared = 0;
  for (DType type : kTypes) {
    const std::vector<int32_t> shape = {2, 5, 6, 3};
    {
      OpModel m(BuiltinOperator::STRIDED_SLICE);
      m.AddInput(type, shape, {0.1f}, {Zp(type, 0)});
      m.AddConst<int32_t>(DType::kInt32, {4}, {0, 4, 1, 0});
      m.AddConst<int32_t>(DType::kInt32, {4}, {2, 0, 6, 3});
      m.AddConst<int32_t>(DType::kInt32, {4}, {1, -2, 2, 1});
      m.AddOutput(type, {}, {0.1f}, {Zp(type, 0)});
      ::tflite::StridedSliceOptionsT o;
      o.begin_mask = 1;
      m.SetOptions(o);
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, shape, 30)}, Name("STRIDED_SLICE", type, 0), 0);
    }
    {
      OpModel m(BuiltinOperator::SLICE);
      m.AddInput(type, shape, {0.1f}, {Zp(type, 1)});
      m.AddConst<int32_t>(DType::kInt32, {4}, {1, 1, 0, 1});
      m.AddConst<int32_t>(DType::kInt32, {4}, {1, 3, -1, 2});
      m.AddOutput(type, {}, {0.1f}, {Zp(type, 1)});
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, shape, 31)}, Name("SLICE", type, 0), 0);
    }
    {
      OpModel m(BuiltinOperator::SPLIT);
      m.AddConst<int32_t>(DType::kInt32, {}, {2});
      m.AddInput(type, shape, {0.1f}, {Zp(type, 2)});
      for (int k = 0; k < 3; ++k) m.AddOutput(type, {}, {0.1f}, {Zp(type, 2)});
      ::tflite::SplitOptionsT o;
      o.num_splits = 3;
      m.SetOptions(o);
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, shape, 32)}, Name("SPLIT", type, 0), 0);
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(MovementQuant, GatherMatchesTflite) {
  int64_t compared = 0;
  for (DType type : kTypes) {
    for (int axis = 0; axis < 3; ++axis) {
      const std::vector<int32_t> shape = {4, 5, 3};
      OpModel m(BuiltinOperator::GATHER);
      m.AddInput(type, shape, {0.1f}, {Zp(type, axis)});
      m.AddConst<int32_t>(DType::kInt32, {2, 2}, {2, 0, 1, 2});
      m.AddOutput(type, {}, {0.1f}, {Zp(type, axis)});
      ::tflite::GatherOptionsT o;
      o.axis = axis;
      m.SetOptions(o);
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, shape, 40 + axis)}, Name("GATHER", type, axis), 0);
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(MovementQuant, DepthToSpaceAndSpaceToDepthMatchTflite) {
  int64_t compared = 0;
  // TFLite 2.9 has DEPTH_TO_SPACE for int8 / uint8 and SPACE_TO_DEPTH for int8 / uint8; int16 is
  // not registered there.
  for (DType type : {DType::kInt8, DType::kUInt8}) {
    {
      OpModel m(BuiltinOperator::DEPTH_TO_SPACE);
      m.AddInput(type, {1, 2, 3, 8}, {0.1f}, {Zp(type, 3)});
      m.AddOutput(type, {}, {0.1f}, {Zp(type, 3)});
      ::tflite::DepthToSpaceOptionsT o;
      o.block_size = 2;
      m.SetOptions(o);
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, {1, 2, 3, 8}, 50)}, Name("DEPTH_TO_SPACE", type, 0), 0);
    }
    {
      OpModel m(BuiltinOperator::SPACE_TO_DEPTH);
      m.AddInput(type, {2, 4, 6, 3}, {0.1f}, {Zp(type, 2)});
      m.AddOutput(type, {}, {0.1f}, {Zp(type, 2)});
      ::tflite::SpaceToDepthOptionsT o;
      o.block_size = 2;
      m.SetOptions(o);
      compared += ExpectQuantizedMatchesOracle(m, {Bytes(type, {2, 4, 6, 3}, 51)}, Name("SPACE_TO_DEPTH", type, 0), 0);
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(MovementQuant, MaximumMinimumCompareStoredValuesWithBroadcasting) {
  const std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> shapes = {
      {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {4}}, {{2, 1, 4}, {1, 3, 1}}, {{1}, {3, 2}}, {{2, 3, 1, 5}, {3, 4, 1}}};
  int64_t compared = 0;
  for (BuiltinOperator op : {BuiltinOperator::MAXIMUM, BuiltinOperator::MINIMUM}) {
    for (DType type : kTypes) {
      for (size_t i = 0; i < shapes.size(); ++i) {
        OpModel m(op, type == DType::kInt16 ? 4 : 2);
        m.AddInput(type, shapes[i].first, {0.1f}, {Zp(type, i)});
        m.AddInput(type, shapes[i].second, {0.1f}, {Zp(type, i)});
        m.AddOutput(type, {}, {0.1f}, {Zp(type, i)});
        compared += ExpectQuantizedMatchesOracle(
            m, {Bytes(type, shapes[i].first, 60 + i), Bytes(type, shapes[i].second, 70 + i)},
            Name(::tflite::EnumNameBuiltinOperator(op), type, static_cast<int>(i)), 0);
      }
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(MovementQuant, MaximumRejectsMixedDtypes) {
  OpModel m(BuiltinOperator::MAXIMUM, 2);
  m.AddInput(DType::kInt8, {2}, {0.1f}, {0});
  m.AddInput(DType::kInt16, {2}, {0.1f}, {0});
  m.AddOutput(DType::kInt8, {}, {0.1f}, {0});
  EXPECT_FALSE(m.Prepare().ok());
}

}  // namespace
}  // namespace lithe::testing
