// The CPU backend's float kernels (src/backends/onednn/{conv_float,dense_float,pool}.cc) against
// the reference kernels on random inputs: each case builds a one-op model, runs it with
// backend "ref" and backend "cpu", and compares. Every case also checks that the CPU kernel did
// take the node (a silently declined node would compare the reference with itself).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "lithe/interpreter.h"
#include "util/op_model.h"
#ifdef LITHE_HAVE_ONEDNN
#include "backends/onednn/conv_gemm_float.h"
#include "backends/onednn/engine.h"
#endif

namespace lithe::testing {
namespace {

using ::tflite::ActivationFunctionType;
using ::tflite::BuiltinOperator;
using ::tflite::Padding;

constexpr ActivationFunctionType kActs[] = {ActivationFunctionType::NONE, ActivationFunctionType::RELU,
                                            ActivationFunctionType::RELU_N1_TO_1, ActivationFunctionType::RELU6};

std::vector<float> Random(size_t n, uint32_t seed, float scale = 1.f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  return v;
}

int64_t Elements(const std::vector<int32_t>& s) {
  int64_t n = 1;
  for (int32_t d : s) n *= d;
  return n;
}

enum class Precision { kF32, kBf16, kExact };

// Runs `m` (one graph input of shape `input_shape`) on both backends and compares. Tolerance is
// relative to the output's magnitude: 1e-4 (float32, summation order differs) or 2e-2 (bf16);
// kExact: identical.
// `backend` is the backend the node must end up on with backend "cpu" requested: "cpu", or "ref"
// for shapes the CPU backend declines on purpose.
void ExpectCpuMatchesRef(OpModel& m, const std::vector<int32_t>& input_shape, uint32_t seed,
                         Precision precision = Precision::kF32, const std::string& backend = "cpu") {
  const std::vector<float> x = Random(static_cast<size_t>(Elements(input_shape)), seed);
  InterpreterOptions ref_opts;
  ref_opts.backend = BackendChoice::kReference;
  m.set_interpreter_options(ref_opts);
  auto ref = m.RunFloat({x});
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  const std::vector<int32_t> ref_shape = m.output_shape(0);

  InterpreterOptions cpu_opts;
  cpu_opts.backend = BackendChoice::kCpu;
  cpu_opts.allow_precision_loss = precision == Precision::kBf16;
  m.set_interpreter_options(cpu_opts);
  auto cpu = m.RunFloat({x});
  ASSERT_TRUE(cpu.ok()) << cpu.status().message();
  const NodeDetails d = m.interpreter()->node_details()[0];
  if (backend == "cpu") {
    ASSERT_EQ(d.backend, "cpu") << "the CPU kernel declined: " << d.note;
  } else {
    ASSERT_EQ(d.backend, backend) << d.note;
  }
  if (precision == Precision::kBf16 && backend == "cpu") {
    EXPECT_EQ(d.note, "bf16");
  }
  EXPECT_EQ(m.output_shape(0), ref_shape);

  const std::vector<float>& r = ref.value()[0];
  const std::vector<float>& c = cpu.value()[0];
  ASSERT_EQ(r.size(), c.size());
  float max_ref = 0;
  for (float v : r) max_ref = std::max(max_ref, std::fabs(v));
  const float tol = precision == Precision::kExact ? 0.f
                    : (precision == Precision::kF32 ? 1e-4f : 2e-2f) * (max_ref + 1.f);
  int bad = 0;
  for (size_t i = 0; i < r.size() && bad < 5; ++i)
    if (!(std::fabs(r[i] - c[i]) <= tol)) {
      ADD_FAILURE() << "element " << i << ": ref " << r[i] << ", cpu " << c[i] << " (tolerance " << tol << ")";
      ++bad;
    }
}

class OnednnFloat : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CpuBackendAvailable()) GTEST_SKIP() << "built without the CPU backend";
  }
};

// ---- CONV_2D ----

struct ConvCase {
  int n, h, w, ic, oc, kh, kw;
  int groups = 1;
  int stride_h = 1, stride_w = 1;
  int dil_h = 1, dil_w = 1;
  Padding padding = Padding::SAME;
  bool bias = true;
};

void BuildConv(OpModel& m, const ConvCase& c, ActivationFunctionType act, uint32_t seed) {
  const int fic = c.ic / c.groups;
  m.AddInput(DType::kFloat32, {c.n, c.h, c.w, c.ic});
  m.AddConst<float>(DType::kFloat32, {c.oc, c.kh, c.kw, fic},
                    Random(static_cast<size_t>(c.oc) * c.kh * c.kw * fic, seed + 1));
  if (c.bias) m.AddConst<float>(DType::kFloat32, {c.oc}, Random(static_cast<size_t>(c.oc), seed + 2));
  m.AddOutput(DType::kFloat32);
  ::tflite::Conv2DOptionsT o;
  o.padding = c.padding;
  o.stride_w = c.stride_w;
  o.stride_h = c.stride_h;
  o.dilation_w_factor = c.dil_w;
  o.dilation_h_factor = c.dil_h;
  o.fused_activation_function = act;
  m.SetOptions(o);
}

const std::vector<ConvCase>& ConvCases() {
  static const std::vector<ConvCase> cases = {
      {1, 5, 5, 1, 1, 3, 3},
      {1, 8, 8, 3, 7, 3, 3},
      {2, 9, 7, 5, 11, 3, 3, 1, 2, 2},
      {1, 9, 7, 5, 11, 3, 3, 1, 2, 2, 1, 1, Padding::VALID},
      {1, 10, 11, 16, 32, 1, 1},
      {1, 10, 11, 17, 33, 1, 1, 1, 2, 2, 1, 1, Padding::VALID, false},
      {1, 12, 12, 8, 8, 3, 3, 1, 1, 1, 2, 2},
      {1, 13, 12, 6, 10, 3, 2, 1, 1, 2, 2, 3, Padding::VALID},
      {3, 6, 6, 4, 4, 5, 5, 1, 1, 1, 1, 1, Padding::SAME, false},
      {1, 8, 8, 8, 12, 3, 3, 2},                              // grouped: 2 groups
      {1, 9, 9, 12, 6, 3, 3, 3, 2, 2, 1, 1, Padding::VALID},  // 3 groups, stride 2
      {2, 7, 7, 64, 64, 3, 3, 4},                             // 4 groups of 16
      {1, 16, 16, 32, 64, 3, 3, 1, 2, 2},
      {1, 4, 20, 3, 5, 1, 7, 1, 1, 3, 1, 1, Padding::SAME},  // 1x7 filter, stride_w 3
      {1, 14, 14, 64, 64, 3, 3},
      {1, 9, 9, 128, 40, 3, 3, 1, 2, 2},  // the im2col GEMM by default
      // For the GEMM: several K blocks and row chunks, and a 1x1 filter read in place in K blocks.
      {2, 20, 20, 40, 21, 3, 3},
      {1, 12, 13, 700, 19, 1, 1},
      // For Winograd: odd output sizes (tiles cut at the bottom and right), channel counts that
      // are not whole vectors, and with VALID padding two K blocks and several chunks of tiles.
      {1, 7, 9, 9, 17, 3, 3},
      {2, 23, 21, 260, 20, 3, 3, 1, 1, 1, 1, 1, Padding::VALID},
  };
  return cases;
}

// Runs every case with every activation on both backends; `check` then looks at the CPU run.
void RunConvCases(uint32_t seed, const std::function<void(const ConvCase&, OpModel&)>& check = nullptr) {
  for (const ConvCase& c : ConvCases())
    for (ActivationFunctionType act : kActs) {
      SCOPED_TRACE("conv n" + std::to_string(c.n) + " " + std::to_string(c.h) + "x" + std::to_string(c.w) + "x" +
                   std::to_string(c.ic) + " -> " + std::to_string(c.oc) + " k" + std::to_string(c.kh) + "x" +
                   std::to_string(c.kw) + " g" + std::to_string(c.groups) + " s" + std::to_string(c.stride_h) +
                   std::to_string(c.stride_w) + " d" + std::to_string(c.dil_h) + std::to_string(c.dil_w) +
                   (c.padding == Padding::SAME ? " SAME" : " VALID") + " act" + std::to_string(static_cast<int>(act)));
      OpModel m(BuiltinOperator::CONV_2D);
      BuildConv(m, c, act, seed);
      ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.ic}, seed);
      seed += 10;
      if (check && m.interpreter() != nullptr) check(c, m);
    }
}

TEST_F(OnednnFloat, Conv2DMatchesReferenceOverShapesAndActivations) { RunConvCases(100); }

#ifdef LITHE_HAVE_ONEDNN
// The cases above once more with each float CONV_2D path forced: oneDNN's direct convolution and
// lithe's im2col GEMM (single-group layers; grouped ones keep the direct path).
class OnednnFloatConvPath : public OnednnFloat, public ::testing::WithParamInterface<onednn::FloatConvImplForTesting> {
 protected:
  void SetUp() override {
    OnednnFloat::SetUp();
    onednn::SetFloatConvImplForTesting(GetParam());
  }
  void TearDown() override { onednn::SetFloatConvImplForTesting(onednn::FloatConvImplForTesting::kAuto); }
};

TEST_P(OnednnFloatConvPath, Conv2DMatchesReferenceOverShapesAndActivations) {
  const bool gemm = GetParam() == onednn::FloatConvImplForTesting::kGemm;
  const bool winograd = GetParam() == onednn::FloatConvImplForTesting::kWinograd;
  RunConvCases(500, [&](const ConvCase& c, OpModel& m) {
    const std::string note = m.interpreter()->node_details()[0].note;
    const bool fits = c.groups == 1 && c.kh == 3 && c.kw == 3 && c.stride_h == 1 && c.stride_w == 1 &&
                      c.dil_h == 1 && c.dil_w == 1;
    EXPECT_EQ(note == "im2col + lithe gemm", gemm && c.groups == 1) << "note: " << note;
    EXPECT_EQ(note == "winograd F(2x2,3x3) + lithe gemm", winograd && fits) << "note: " << note;
  });
}

INSTANTIATE_TEST_SUITE_P(Paths, OnednnFloatConvPath,
                         ::testing::Values(onednn::FloatConvImplForTesting::kDirect,
                                           onednn::FloatConvImplForTesting::kGemm,
                                           onednn::FloatConvImplForTesting::kWinograd),
                         [](const auto& info) {
                           switch (info.param) {
                             case onednn::FloatConvImplForTesting::kGemm: return std::string("Gemm");
                             case onednn::FloatConvImplForTesting::kWinograd: return std::string("Winograd");
                             default: return std::string("Direct");
                           }
                         });

TEST_F(OnednnFloat, LargeSingleGroupConvsTakeLithesGemmsAndSmallOnesTheDirectKernel) {
  struct Choice {
    ConvCase c;
    const char* note;
  };
  const Choice choices[] = {
      {{1, 9, 9, 64, 40, 3, 3}, "winograd F(2x2,3x3) + lithe gemm"},         // 3x3 over 64 channels, stride 1
      {{1, 9, 9, 64, 40, 3, 3, 1, 2, 2}, "im2col + lithe gemm"},             // stride 2
      {{1, 9, 9, 64, 40, 3, 3, 1, 1, 1, 2, 2}, "im2col + lithe gemm"},       // dilated
      {{1, 9, 9, 32, 40, 3, 3}, ""},                                         // over 32 channels
      {{1, 9, 9, 2048, 40, 1, 1}, ""},                                       // 1x1
  };
  for (const Choice& ch : choices) {
    const ConvCase& c = ch.c;
    SCOPED_TRACE(std::to_string(c.ic) + " channels, stride " + std::to_string(c.stride_h) + ", dilation " +
                 std::to_string(c.dil_h) + ", " + std::to_string(c.kh) + "x" + std::to_string(c.kw));
    OpModel m(BuiltinOperator::CONV_2D);
    BuildConv(m, c, ActivationFunctionType::RELU6, 7);
    ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.ic}, 7);
    ASSERT_NE(m.interpreter(), nullptr);
    if (onednn::CpuHasAvx512()) {  // oneDNN's AVX-512 kernels keep every layer
      EXPECT_EQ(m.interpreter()->node_details()[0].note, "");
    } else {
      EXPECT_EQ(m.interpreter()->node_details()[0].note, ch.note);
    }
  }
}
#endif  // LITHE_HAVE_ONEDNN

// ---- DEPTHWISE_CONV_2D ----

struct DwCase {
  int n, h, w, ic, mult, kh, kw;
  int stride_h = 1, stride_w = 1;
  int dil_h = 1, dil_w = 1;
  Padding padding = Padding::SAME;
  bool bias = true;
};

void BuildDepthwise(OpModel& m, const DwCase& c, ActivationFunctionType act, uint32_t seed) {
  const int oc = c.ic * c.mult;
  m.AddInput(DType::kFloat32, {c.n, c.h, c.w, c.ic});
  m.AddConst<float>(DType::kFloat32, {1, c.kh, c.kw, oc}, Random(static_cast<size_t>(oc) * c.kh * c.kw, seed + 1));
  if (c.bias) m.AddConst<float>(DType::kFloat32, {oc}, Random(static_cast<size_t>(oc), seed + 2));
  m.AddOutput(DType::kFloat32);
  ::tflite::DepthwiseConv2DOptionsT o;
  o.padding = c.padding;
  o.stride_w = c.stride_w;
  o.stride_h = c.stride_h;
  o.dilation_w_factor = c.dil_w;
  o.dilation_h_factor = c.dil_h;
  o.depth_multiplier = c.mult;
  o.fused_activation_function = act;
  m.SetOptions(o);
}

const std::vector<DwCase>& DwCases() {
  static const std::vector<DwCase> cases = {
      {1, 8, 8, 16, 1, 3, 3},
      {1, 9, 7, 5, 1, 3, 3, 2, 2},
      {2, 9, 9, 7, 1, 3, 3, 1, 1, 1, 1, Padding::VALID},
      {1, 12, 10, 32, 1, 5, 5, 2, 2, 1, 1, Padding::SAME, false},
      {1, 12, 12, 8, 1, 3, 3, 1, 1, 2, 2},
      {1, 8, 8, 3, 2, 3, 3},                                     // multiplier 2
      {2, 9, 9, 5, 3, 3, 3, 2, 2, 1, 1, Padding::VALID},         // multiplier 3, stride 2
      {1, 7, 11, 1, 4, 2, 3, 1, 2, 1, 1, Padding::SAME, false},  // one input channel, multiplier 4
      {1, 28, 28, 64, 1, 3, 3, 2, 2},
  };
  return cases;
}

TEST_F(OnednnFloat, DepthwiseConv2DMatchesReferenceOverShapesAndActivations) {
  uint32_t seed = 5000;
  for (const DwCase& c : DwCases())
    for (ActivationFunctionType act : kActs) {
      SCOPED_TRACE("dw n" + std::to_string(c.n) + " " + std::to_string(c.h) + "x" + std::to_string(c.w) + "x" +
                   std::to_string(c.ic) + " m" + std::to_string(c.mult) + " k" + std::to_string(c.kh) + "x" +
                   std::to_string(c.kw) + " s" + std::to_string(c.stride_h) + std::to_string(c.stride_w) + " d" +
                   std::to_string(c.dil_h) + std::to_string(c.dil_w) +
                   (c.padding == Padding::SAME ? " SAME" : " VALID") + " act" + std::to_string(static_cast<int>(act)));
      OpModel m(BuiltinOperator::DEPTHWISE_CONV_2D);
      BuildDepthwise(m, c, act, seed);
      ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.ic}, seed);
      seed += 10;
    }
}

// ---- FULLY_CONNECTED ----

struct FcCase {
  std::vector<int32_t> input_shape;
  int units, k;
  bool bias = true;
  bool keep_num_dims = false;
};

void BuildFc(OpModel& m, const FcCase& c, ActivationFunctionType act, uint32_t seed) {
  m.AddInput(DType::kFloat32, c.input_shape);
  m.AddConst<float>(DType::kFloat32, {c.units, c.k}, Random(static_cast<size_t>(c.units) * c.k, seed + 1));
  if (c.bias) m.AddConst<float>(DType::kFloat32, {c.units}, Random(static_cast<size_t>(c.units), seed + 2));
  m.AddOutput(DType::kFloat32);
  ::tflite::FullyConnectedOptionsT o;
  o.fused_activation_function = act;
  o.keep_num_dims = c.keep_num_dims;
  m.SetOptions(o);
}

const std::vector<FcCase>& FcCases() {
  static const std::vector<FcCase> cases = {
      {{1, 64}, 128, 64},
      {{1, 1000}, 17, 1000},
      {{4, 33}, 65, 33},
      {{2, 3, 48}, 30, 48, false},       // rank 3 read as [6, 48]
      {{2, 3, 48}, 30, 48, true, true},  // keep_num_dims: output [2, 3, 30]
      {{1, 2, 2, 16}, 100, 64},          // flattened 4-D input
      {{7, 512}, 256, 512},
      {{1, 1280}, 1001, 1280},
  };
  return cases;
}

TEST_F(OnednnFloat, FullyConnectedMatchesReferenceOverShapesAndActivations) {
  uint32_t seed = 9000;
  for (const FcCase& c : FcCases())
    for (ActivationFunctionType act : kActs) {
      SCOPED_TRACE("fc units " + std::to_string(c.units) + " k " + std::to_string(c.k) + " batch " +
                   std::to_string(Elements(c.input_shape) / c.k) + " act" + std::to_string(static_cast<int>(act)));
      OpModel m(BuiltinOperator::FULLY_CONNECTED);
      BuildFc(m, c, act, seed);
      ExpectCpuMatchesRef(m, c.input_shape, seed);
      seed += 10;
    }
}

TEST_F(OnednnFloat, TinyFullyConnectedStaysOnReference) {
  // 4 x 16 x 32 = 2048 multiply-adds: a oneDNN call costs more than the reference's loop.
  OpModel m(BuiltinOperator::FULLY_CONNECTED);
  BuildFc(m, {{4, 16}, 32, 16}, ActivationFunctionType::RELU, 77);
  ExpectCpuMatchesRef(m, {4, 16}, 77, Precision::kF32, "ref");
}

// ---- MAX_POOL_2D / AVERAGE_POOL_2D ----

struct PoolCase {
  int n, h, w, c, fh, fw, sh, sw;
  Padding padding = Padding::SAME;
};

// Average pools with windows of 9+ taps and enough work run on oneDNN; the rest (every max
// pool, small windows, small outputs) are declined as slower there (pool.cc's measurements) and
// must land on the reference kernel.
const std::vector<PoolCase>& PoolCases() {
  static const std::vector<PoolCase> cases = {
      {1, 33, 35, 17, 3, 3, 2, 2},                  // SAME: windows clipped at the end
      {2, 33, 35, 9, 3, 3, 2, 2, Padding::VALID},   // VALID leaves the last row/column unread
      {1, 24, 24, 16, 3, 3, 1, 1},                  // SAME, clipped on both sides
      {1, 20, 20, 48, 3, 4, 3, 1, Padding::VALID},  // unequal windows and strides
      {3, 15, 15, 11, 5, 5, 1, 1},
      {1, 7, 7, 1024, 7, 7, 1, 1, Padding::VALID},  // global pool
      {2, 14, 14, 64, 7, 7, 7, 7, Padding::SAME},
  };
  return cases;
}

const std::vector<PoolCase>& SmallPoolCases() {
  static const std::vector<PoolCase> cases = {
      {1, 8, 8, 16, 2, 2, 2, 2},
      {1, 7, 9, 5, 3, 3, 2, 2},
  };
  return cases;
}

void BuildPool(OpModel& m, const PoolCase& c, ActivationFunctionType act) {
  m.AddInput(DType::kFloat32, {c.n, c.h, c.w, c.c});
  m.AddOutput(DType::kFloat32);
  ::tflite::Pool2DOptionsT o;
  o.padding = c.padding;
  o.filter_width = c.fw;
  o.filter_height = c.fh;
  o.stride_w = c.sw;
  o.stride_h = c.sh;
  o.fused_activation_function = act;
  m.SetOptions(o);
}

// Max pooling is lithe's own vector loop (pool_max.cc): identical to the reference kernel.
TEST_F(OnednnFloat, MaxPoolingIdenticalToReferenceOverShapesAndActivations) {
  uint32_t seed = 12000;
  for (const PoolCase& c : PoolCases())
    for (ActivationFunctionType act : kActs) {
      SCOPED_TRACE("max " + std::to_string(c.h) + "x" + std::to_string(c.w) + "x" + std::to_string(c.c) + " act" +
                   std::to_string(static_cast<int>(act)));
      OpModel m(BuiltinOperator::MAX_POOL_2D);
      BuildPool(m, c, act);
      ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.c}, seed++, Precision::kExact, "cpu");
    }
  for (const PoolCase& c : SmallPoolCases()) {
    OpModel m(BuiltinOperator::MAX_POOL_2D);
    BuildPool(m, c, ActivationFunctionType::RELU6);
    ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.c}, seed++, Precision::kExact, "cpu");
  }
}

TEST_F(OnednnFloat, SmallAveragePoolsStayOnReference) {
  uint32_t seed = 12500;
  for (const PoolCase& c : SmallPoolCases()) {
    OpModel m(BuiltinOperator::AVERAGE_POOL_2D);
    BuildPool(m, c, ActivationFunctionType::NONE);
    ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.c}, seed++, Precision::kF32, "ref");
  }
}

TEST_F(OnednnFloat, AveragePoolingMatchesReferenceOverShapesAndActivations) {
  uint32_t seed = 13000;
  const BuiltinOperator op = BuiltinOperator::AVERAGE_POOL_2D;
  for (const PoolCase& c : PoolCases())
    for (ActivationFunctionType act : kActs) {
      SCOPED_TRACE("avg " + std::to_string(c.h) + "x" + std::to_string(c.w) + "x" + std::to_string(c.c) + " f" +
                   std::to_string(c.fh) + "x" + std::to_string(c.fw) + " s" + std::to_string(c.sh) +
                   std::to_string(c.sw) + (c.padding == Padding::SAME ? " SAME" : " VALID") + " act" +
                   std::to_string(static_cast<int>(act)));
      OpModel m(op);
      BuildPool(m, c, act);
      ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.c}, seed);
      seed += 10;
    }
}

// ---- bfloat16 under allow_precision_loss ----

TEST_F(OnednnFloat, Bf16ConvAndFullyConnectedStayCloseToReference) {
  if (!CpuHasBf16()) GTEST_SKIP() << "no AVX512_BF16";
  uint32_t seed = 20000;
  for (const ConvCase& c : ConvCases()) {
    OpModel m(BuiltinOperator::CONV_2D);
    BuildConv(m, c, ActivationFunctionType::RELU6, seed);
    ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.ic}, seed, Precision::kBf16);
    seed += 10;
  }
  for (const DwCase& c : DwCases()) {
    OpModel m(BuiltinOperator::DEPTHWISE_CONV_2D);
    BuildDepthwise(m, c, ActivationFunctionType::NONE, seed);
    ExpectCpuMatchesRef(m, {c.n, c.h, c.w, c.ic}, seed, Precision::kBf16);
    seed += 10;
  }
  for (const FcCase& c : FcCases()) {
    OpModel m(BuiltinOperator::FULLY_CONNECTED);
    BuildFc(m, c, ActivationFunctionType::NONE, seed);
    ExpectCpuMatchesRef(m, c.input_shape, seed, Precision::kBf16);
    seed += 10;
  }
}

// ---- what the backend declines ----

TEST_F(OnednnFloat, NonConstantWeightsRunOnReference) {
  OpModel m(BuiltinOperator::FULLY_CONNECTED);
  m.AddInput(DType::kFloat32, {2, 8});
  m.AddInput(DType::kFloat32, {4, 8});  // weights as a graph input
  m.AddOutput(DType::kFloat32);
  m.SetOptions(::tflite::FullyConnectedOptionsT());
  InterpreterOptions o;
  o.backend = BackendChoice::kCpu;
  m.set_interpreter_options(o);
  auto out = m.RunFloat({Random(16, 1), Random(32, 2)});
  ASSERT_TRUE(out.ok()) << out.status().message();
  const NodeDetails d = m.interpreter()->node_details()[0];
  EXPECT_EQ(d.backend, "ref");
  EXPECT_NE(d.note.find("not constant"), std::string::npos) << d.note;
}

// The reference kernel is first prepared to validate only (no packed filter) while the CPU
// kernel is offered the node; when that declines (here: the bias is a graph input), the
// reference kernel must be prepared again in full before it runs.
TEST_F(OnednnFloat, DeclinedConvRunsAFullyPreparedReferenceKernel) {
  OpModel m(BuiltinOperator::CONV_2D);
  m.AddInput(DType::kFloat32, {1, 6, 6, 5});
  m.AddConst<float>(DType::kFloat32, {7, 3, 3, 5}, Random(7 * 3 * 3 * 5, 3));
  m.AddInput(DType::kFloat32, {7});  // bias as a graph input
  m.AddOutput(DType::kFloat32);
  ::tflite::Conv2DOptionsT o;
  o.padding = Padding::SAME;
  o.stride_w = o.stride_h = 1;
  m.SetOptions(o);
  const std::vector<std::vector<float>> inputs = {Random(6 * 6 * 5, 1), Random(7, 2)};
  InterpreterOptions ref_opts;
  ref_opts.backend = BackendChoice::kReference;
  m.set_interpreter_options(ref_opts);
  auto want = m.RunFloat(inputs);
  ASSERT_TRUE(want.ok()) << want.status().message();
  InterpreterOptions cpu_opts;
  cpu_opts.backend = BackendChoice::kCpu;
  m.set_interpreter_options(cpu_opts);
  auto got = m.RunFloat(inputs);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const NodeDetails d = m.interpreter()->node_details()[0];
  EXPECT_EQ(d.backend, "ref");
  EXPECT_NE(d.note.find("not constant"), std::string::npos) << d.note;
  EXPECT_EQ(got.value()[0], want.value()[0]);
}

}  // namespace
}  // namespace lithe::testing
