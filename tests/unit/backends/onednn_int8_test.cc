// The CPU backend's int8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED kernels (oneDNN +
// TFLite requantization) against lithe's reference integer kernels (bit-exact with TensorFlow
// Lite 2.9) on random one-op models: the outputs must be identical, and the node must really
// have run on the CPU backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "lithe/interpreter.h"
#include "kernels/ref/quant_arith.h"
#include "util/op_model.h"
#ifdef LITHE_HAVE_ONEDNN
#include "backends/onednn/int8_util.h"
#endif

namespace lithe::testing {
namespace {

using ::tflite::ActivationFunctionType;
using ::tflite::BuiltinOperator;

const ActivationFunctionType kActs[] = {ActivationFunctionType::NONE, ActivationFunctionType::RELU,
                                        ActivationFunctionType::RELU6, ActivationFunctionType::RELU_N1_TO_1};

std::vector<uint8_t> RandomInt8Bytes(int64_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<uint8_t> v(static_cast<size_t>(n));
  for (auto& b : v) b = static_cast<uint8_t>(static_cast<int8_t>(d(rng)));
  return v;
}

// Which backend the node must end on. kEither: the CPU backend, or declined because oneDNN has
// only its reference implementation for the case (on CPUs with VNNI).
enum class Expect { kCpu, kRef, kEither };

int g_declined = 0;  // kEither cases declined so far

// Runs `m` with the reference kernels and with the CPU backend; expects identical bytes and
// the node on the expected backend (a declined node must fall back, not crash).
void ExpectCpuMatchesReference(OpModel& m, const std::vector<std::vector<uint8_t>>& inputs, const std::string& what,
                               Expect expect = Expect::kCpu) {
  InterpreterOptions ref_opts;
  ref_opts.backend = BackendChoice::kReference;
  ref_opts.num_threads = 2;
  m.set_interpreter_options(ref_opts);
  auto ref = m.Run(inputs);
  ASSERT_TRUE(ref.ok()) << what << ": " << ref.status().message();
  InterpreterOptions cpu_opts;
  cpu_opts.backend = BackendChoice::kCpu;
  cpu_opts.num_threads = 2;
  m.set_interpreter_options(cpu_opts);
  auto got = m.Run(inputs);
  ASSERT_TRUE(got.ok()) << what << ": " << got.status().message();
  const auto details = m.interpreter()->node_details();
  ASSERT_EQ(details.size(), 1u);
  if (expect == Expect::kCpu) {
    EXPECT_EQ(details[0].backend, "cpu") << what << ": " << details[0].note;
  }
  if (expect == Expect::kRef) {
    EXPECT_EQ(details[0].backend, "ref") << what;
  }
  if (expect == Expect::kEither && details[0].backend == "ref") {
    ++g_declined;
    EXPECT_NE(details[0].note.find("only its reference kernel"), std::string::npos) << what << ": " << details[0].note;
  }
  if (details[0].backend == "ref") {  // declined, never because of an error in the optimized kernel
    EXPECT_EQ(details[0].note.find("an error in the optimized kernel"), std::string::npos) << what << ": " << details[0].note;
  }
  const auto& r = ref.value()[0];
  const auto& g = got.value()[0];
  ASSERT_EQ(r.size(), g.size()) << what;
  int64_t bad = 0, first = -1;
  for (size_t i = 0; i < r.size(); ++i)
    if (r[i] != g[i]) {
      if (first < 0) first = static_cast<int64_t>(i);
      ++bad;
    }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << r.size() << " differ, first at " << first << " ("
                    << (first >= 0 ? int{static_cast<int8_t>(r[first])} : 0) << " vs "
                    << (first >= 0 ? int{static_cast<int8_t>(g[first])} : 0) << ")";
}

// Each test runs twice: with the int8 kernels on oneDNN and with lithe's own AVX2 kernels. On CPUs
// without VNNI oneDNN's JIT kernels are not exact and the backend declines them; the oneDNN run
// then uses oneDNN's reference implementations, which are exact, so that all of lithe's side
// (layouts, padding, zero points, bias folding, requantization) is still checked.
#ifdef LITHE_HAVE_ONEDNN
using Impl = onednn::Int8ImplForTesting;
#else
enum class Impl { kOneDnnReference, kLithe };
#endif

Impl g_impl = Impl::kOneDnnReference;

// What a case must end on: lithe's kernels run every case they cover (CONV_2D with one group,
// depthwise with multiplier 1, FULLY_CONNECTED) and decline the rest; oneDNN may decline some
// cases (kEither).
Expect ExpectFor(bool lithe_fits) {
  if (g_impl == Impl::kLithe) return lithe_fits ? Expect::kCpu : Expect::kRef;
  return Expect::kEither;
}

class OneDnnInt8 : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    if (!CpuBackendAvailable()) GTEST_SKIP() << "no CPU backend";
    g_declined = 0;
    g_impl = GetParam();
#ifdef LITHE_HAVE_ONEDNN
    if (g_impl == Impl::kLithe && !__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2";
    onednn::SetInt8ImplForTesting(g_impl);
#endif
  }
  void TearDown() override {
#ifdef LITHE_HAVE_ONEDNN
    onednn::SetInt8ImplForTesting(Impl::kAuto);
#endif
  }
};

INSTANTIATE_TEST_SUITE_P(Impls, OneDnnInt8, ::testing::Values(Impl::kOneDnnReference, Impl::kLithe),
                         [](const ::testing::TestParamInfo<Impl>& i) {
                           return std::string(i.param == Impl::kLithe ? "Lithe" : "OneDnn");
                         });

struct ConvCase {
  bool depthwise = false;
  int32_t batches = 1, h = 7, w = 6, in_c = 5, out_c = 7, kh = 3, kw = 3;
  int32_t groups = 1;  // CONV_2D only
  int stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  bool same = true;
  ActivationFunctionType act = ActivationFunctionType::NONE;
  bool per_channel = true, has_bias = true;
  int32_t in_zp = 0, out_zp = 0;
  uint32_t seed = 1;

  std::string Describe() const {
    return std::string(depthwise ? "dw" : "conv") + " in [" + std::to_string(batches) + "," + std::to_string(h) + "," +
           std::to_string(w) + "," + std::to_string(in_c) + "] out_c " + std::to_string(out_c) + " k " +
           std::to_string(kh) + "x" + std::to_string(kw) + " groups " + std::to_string(groups) + " s " +
           std::to_string(stride_h) + "," + std::to_string(stride_w) + " d " + std::to_string(dil_h) + "," +
           std::to_string(dil_w) + (same ? " SAME" : " VALID") + " act " + std::to_string(static_cast<int>(act)) +
           (per_channel ? " per-channel" : " per-tensor") + (has_bias ? "" : " no-bias") + " zp " +
           std::to_string(in_zp) + "/" + std::to_string(out_zp) + " seed " + std::to_string(seed);
  }
};

// Builds the model; returns the random input bytes.
std::vector<uint8_t> BuildConv(const ConvCase& c, OpModel& m) {
  std::mt19937 rng(c.seed * 7919u + 13u);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  const std::vector<int32_t> fshape = c.depthwise ? std::vector<int32_t>{1, c.kh, c.kw, c.out_c}
                                                  : std::vector<int32_t>{c.out_c, c.kh, c.kw, c.in_c / c.groups};
  int64_t fcount = 1;
  for (int32_t d : fshape) fcount *= d;
  const int64_t taps = static_cast<int64_t>(c.kh) * c.kw * (c.depthwise ? 1 : c.in_c / c.groups);
  const float in_scale = 0.02f + 0.05f * unit(rng);
  std::vector<float> wscales(c.per_channel ? c.out_c : 1);
  for (float& s : wscales) s = 0.002f + 0.02f * unit(rng);
  const double acc_std = in_scale * wscales[0] * std::sqrt(static_cast<double>(taps)) * 74 * 74;
  const float out_scale = static_cast<float>(acc_std / 40 * (0.7 + 0.6 * unit(rng)));
  m.AddInput(DType::kInt8, {c.batches, c.h, c.w, c.in_c}, {in_scale}, {c.in_zp});
  std::uniform_int_distribution<int> dw(-127, 127);
  std::vector<int8_t> wv(static_cast<size_t>(fcount));
  for (auto& v : wv) v = static_cast<int8_t>(dw(rng));
  m.AddConst<int8_t>(DType::kInt8, fshape, wv, wscales, std::vector<int64_t>(wscales.size(), 0),
                     c.depthwise ? 3 : 0);
  if (c.has_bias) {
    std::vector<float> bscales;
    for (float s : wscales) bscales.push_back(in_scale * s);
    const int64_t span = static_cast<int64_t>(std::sqrt(static_cast<double>(taps)) * 74 * 74);
    std::uniform_int_distribution<int64_t> db(-span, span);
    std::vector<int32_t> bv(static_cast<size_t>(c.out_c));
    for (auto& v : bv) v = static_cast<int32_t>(db(rng));
    m.AddConst<int32_t>(DType::kInt32, {c.out_c}, bv, bscales, std::vector<int64_t>(bscales.size(), 0));
  }
  m.AddOutput(DType::kInt8, {}, {out_scale}, {c.out_zp});
  const auto padding = c.same ? ::tflite::Padding::SAME : ::tflite::Padding::VALID;
  if (c.depthwise) {
    ::tflite::DepthwiseConv2DOptionsT o;
    o.padding = padding;
    o.stride_w = c.stride_w;
    o.stride_h = c.stride_h;
    o.depth_multiplier = c.out_c / c.in_c;
    o.fused_activation_function = c.act;
    o.dilation_w_factor = c.dil_w;
    o.dilation_h_factor = c.dil_h;
    m.SetOptions(o);
  } else {
    ::tflite::Conv2DOptionsT o;
    o.padding = padding;
    o.stride_w = c.stride_w;
    o.stride_h = c.stride_h;
    o.fused_activation_function = c.act;
    o.dilation_w_factor = c.dil_w;
    o.dilation_h_factor = c.dil_h;
    m.SetOptions(o);
  }
  return RandomInt8Bytes(int64_t{c.batches} * c.h * c.w * c.in_c, rng);
}

void RunConv(const ConvCase& c, Expect expect = Expect::kCpu) {
  OpModel m(c.depthwise ? BuiltinOperator::DEPTHWISE_CONV_2D : BuiltinOperator::CONV_2D, c.depthwise ? 2 : 1);
  const std::vector<uint8_t> input = BuildConv(c, m);
  ExpectCpuMatchesReference(m, {input}, c.Describe(), expect);
}

TEST_P(OneDnnInt8, Conv2DBasic) {
  RunConv(ConvCase{});
}

TEST_P(OneDnnInt8, Conv2DRandomShapes) {
  std::mt19937 rng(42);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    ConvCase c;
    c.seed = seed;
    c.batches = pick(1, 3);
    c.h = pick(1, 12);
    c.w = pick(1, 12);
    c.in_c = pick(1, 19);
    c.out_c = pick(1, 21);
    c.kh = pick(1, 4);
    c.kw = pick(1, 4);
    c.stride_h = pick(1, 3);
    c.stride_w = pick(1, 3);
    c.dil_h = pick(0, 3) == 0 ? 2 : 1;
    c.dil_w = pick(0, 3) == 0 ? 2 : 1;
    c.same = pick(0, 1) == 1;
    if (!c.same && ((c.kh - 1) * c.dil_h + 1 > c.h || (c.kw - 1) * c.dil_w + 1 > c.w)) c.same = true;
    c.act = kActs[pick(0, 3)];
    c.per_channel = pick(0, 3) != 0;
    c.has_bias = pick(0, 4) != 0;
    c.in_zp = pick(-128, 127);
    c.out_zp = pick(-128, 127);
    RunConv(c, ExpectFor(true));
  }
  EXPECT_LE(g_declined, 10) << "most random int8 convolutions should run on the CPU backend";
}

TEST_P(OneDnnInt8, Conv2DLarger) {
  ConvCase c;
  c.batches = 2;
  c.h = 17;
  c.w = 15;
  c.in_c = 64;
  c.out_c = 48;
  c.in_zp = -7;
  c.out_zp = 3;
  c.act = ActivationFunctionType::RELU6;
  RunConv(c);
  c.stride_h = c.stride_w = 2;
  c.in_c = 33;
  c.out_c = 67;
  c.kh = c.kw = 1;
  c.same = false;
  c.seed = 9;
  RunConv(c);
}

TEST_P(OneDnnInt8, Conv2DGrouped) {
  ConvCase c;
  c.in_c = 12;
  c.groups = 3;
  c.out_c = 9;
  c.in_zp = 5;
  c.out_zp = -4;
  c.stride_h = 2;
  // oneDNN 2.6 has only its reference kernel for small grouped int8 convolutions, which the
  // backend declines; bigger groups may run on its JIT kernels.
  RunConv(c, ExpectFor(false));
  c.in_c = 64;
  c.groups = 2;
  c.out_c = 64;
  RunConv(c, ExpectFor(false));
}

TEST_P(OneDnnInt8, DepthwiseRandomShapes) {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    ConvCase c;
    c.depthwise = true;
    c.seed = seed;
    c.batches = pick(1, 3);
    c.h = pick(1, 12);
    c.w = pick(1, 12);
    c.in_c = pick(1, 37);
    c.out_c = c.in_c * (pick(0, 3) == 0 ? pick(2, 3) : 1);
    c.kh = pick(1, 5);
    c.kw = pick(1, 5);
    c.stride_h = pick(1, 2);
    c.stride_w = pick(1, 2);
    c.dil_h = pick(0, 3) == 0 ? 2 : 1;
    c.dil_w = pick(0, 3) == 0 ? 2 : 1;
    c.same = pick(0, 1) == 1;
    if (!c.same && ((c.kh - 1) * c.dil_h + 1 > c.h || (c.kw - 1) * c.dil_w + 1 > c.w)) c.same = true;
    c.act = kActs[pick(0, 3)];
    c.per_channel = pick(0, 3) != 0;
    c.has_bias = pick(0, 4) != 0;
    c.in_zp = pick(-128, 127);
    c.out_zp = pick(-128, 127);
    // Depth multipliers > 1: oneDNN 2.6 has only its reference kernel on some CPUs, lithe's
    // kernel takes multiplier 1 only (declined).
    RunConv(c, ExpectFor(c.out_c == c.in_c));
  }
  EXPECT_LE(g_declined, 20) << "most random depthwise convolutions should run on the CPU backend";
}

struct DenseCase {
  int64_t batch = 1;
  int32_t k = 16, units = 8;
  bool keep_num_dims = false;
  bool has_bias = true;
  ActivationFunctionType act = ActivationFunctionType::NONE;
  int32_t in_zp = 0, out_zp = 0, w_zp = 0;
  uint32_t seed = 1;
  std::string Describe() const {
    return "fc batch " + std::to_string(batch) + " k " + std::to_string(k) + " units " + std::to_string(units) +
           " act " + std::to_string(static_cast<int>(act)) + (has_bias ? "" : " no-bias") + " zp " +
           std::to_string(in_zp) + "/" + std::to_string(out_zp) + "/" + std::to_string(w_zp) + " seed " +
           std::to_string(seed);
  }
};

void RunDense(const DenseCase& c, Expect expect = Expect::kCpu) {
  std::mt19937 rng(c.seed * 31u + 5u);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  OpModel m(BuiltinOperator::FULLY_CONNECTED, 4);
  const float in_scale = 0.02f + 0.05f * unit(rng);
  const float w_scale = 0.002f + 0.02f * unit(rng);
  const double acc_std = in_scale * w_scale * std::sqrt(static_cast<double>(c.k)) * 74 * 74;
  const float out_scale = static_cast<float>(acc_std / 40 * (0.7 + 0.6 * unit(rng)));
  m.AddInput(DType::kInt8, {static_cast<int32_t>(c.batch), c.k}, {in_scale}, {c.in_zp});
  std::uniform_int_distribution<int> dw(-127, 127);
  std::vector<int8_t> wv(static_cast<size_t>(c.units) * c.k);
  for (auto& v : wv) v = static_cast<int8_t>(dw(rng));
  m.AddConst<int8_t>(DType::kInt8, {c.units, c.k}, wv, {w_scale}, {c.w_zp});
  if (c.has_bias) {
    const int64_t span = static_cast<int64_t>(std::sqrt(static_cast<double>(c.k)) * 74 * 74);
    std::uniform_int_distribution<int64_t> db(-span, span);
    std::vector<int32_t> bv(static_cast<size_t>(c.units));
    for (auto& v : bv) v = static_cast<int32_t>(db(rng));
    m.AddConst<int32_t>(DType::kInt32, {c.units}, bv, {in_scale * w_scale}, {0});
  }
  m.AddOutput(DType::kInt8, {}, {out_scale}, {c.out_zp});
  ::tflite::FullyConnectedOptionsT o;
  o.fused_activation_function = c.act;
  o.keep_num_dims = c.keep_num_dims;
  m.SetOptions(o);
  ExpectCpuMatchesReference(m, {RandomInt8Bytes(c.batch * c.k, rng)}, c.Describe(), expect);
}

TEST_P(OneDnnInt8, FullyConnectedRandomShapes) {
  std::mt19937 rng(3);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    DenseCase c;
    c.seed = seed;
    c.batch = pick(0, 2) == 0 ? 1 : pick(1, 9);
    c.k = pick(1, 300);
    c.units = pick(1, 70);
    c.has_bias = pick(0, 4) != 0;
    c.act = kActs[pick(0, 3)];
    c.in_zp = pick(-128, 127);
    c.out_zp = pick(-128, 127);
    RunDense(c);
  }
}

TEST_P(OneDnnInt8, FullyConnectedLarge) {
  DenseCase c;
  c.batch = 33;
  c.k = 1024;
  c.units = 1000;
  c.in_zp = -128;
  c.out_zp = 17;
  RunDense(c);
}

// ADD / SUB with int8 inputs of one shape: the CPU backend's vector loop against the reference
// kernel; broadcasting ADDs are declined.
TEST_P(OneDnnInt8, AddSubRandomShapes) {
  std::mt19937 rng(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    const bool sub = pick(0, 2) == 0;
    const bool broadcast = seed % 10 == 0;
    const std::vector<int32_t> shape{pick(1, 2), pick(1, 40), pick(1, 40), pick(1, 70)};
    const std::vector<int32_t> shape_b = broadcast ? std::vector<int32_t>{1, 1, 1, shape[3]} : shape;
    OpModel m(sub ? BuiltinOperator::SUB : BuiltinOperator::ADD);
    const float s1 = 0.01f + 0.2f * unit(rng), s2 = 0.01f + 0.2f * unit(rng);
    const float so = (s1 + s2) * (0.5f + unit(rng));
    m.AddInput(DType::kInt8, shape, {s1}, {pick(-128, 127)});
    m.AddInput(DType::kInt8, shape_b, {s2}, {pick(-128, 127)});
    m.AddOutput(DType::kInt8, {}, {so}, {pick(-128, 127)});
    const ActivationFunctionType act = kActs[pick(0, 3)];
    if (sub) {
      ::tflite::SubOptionsT o;
      o.fused_activation_function = act;
      m.SetOptions(o);
    } else {
      ::tflite::AddOptionsT o;
      o.fused_activation_function = act;
      m.SetOptions(o);
    }
    int64_t na = 1, nb = 1;
    for (int32_t d : shape) na *= d;
    for (int32_t d : shape_b) nb *= d;
    const std::string what = std::string(sub ? "sub" : "add") + " seed " + std::to_string(seed) + " elements " +
                             std::to_string(na) + (broadcast ? " broadcast" : "");
    ExpectCpuMatchesReference(m, {RandomInt8Bytes(na, rng), RandomInt8Bytes(nb, rng)}, what,
                              broadcast ? Expect::kRef : Expect::kCpu);
  }
}

// int8 MAX_POOL_2D (vpmaxsb over the clipped window) against the reference kernel.
TEST_P(OneDnnInt8, MaxPoolRandomShapes) {
  std::mt19937 rng(21);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    const std::vector<int32_t> shape{pick(1, 2), pick(1, 20), pick(1, 20), pick(1, 80)};
    OpModel m(BuiltinOperator::MAX_POOL_2D);
    const float scale = 0.01f + 0.1f * std::uniform_real_distribution<float>(0.f, 1.f)(rng);
    const int zp = pick(-128, 127);
    m.AddInput(DType::kInt8, shape, {scale}, {zp});
    m.AddOutput(DType::kInt8, {}, {scale}, {zp});
    ::tflite::Pool2DOptionsT o;
    o.padding = pick(0, 1) == 1 ? ::tflite::Padding::SAME : ::tflite::Padding::VALID;
    o.filter_height = std::min(pick(1, 4), shape[1]);
    o.filter_width = std::min(pick(1, 4), shape[2]);
    o.stride_h = pick(1, 3);
    o.stride_w = pick(1, 3);
    o.fused_activation_function = kActs[pick(0, 3)];
    m.SetOptions(o);
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    ExpectCpuMatchesReference(m, {RandomInt8Bytes(n, rng)}, "max pool seed " + std::to_string(seed),
                              __builtin_cpu_supports("avx2") ? Expect::kCpu : Expect::kRef);
  }
}

// QUANTIZE float32 -> int8 (double division, ties away from zero) against the reference kernel,
// on random values, exact ties, values far outside the int8 range, infinities and NaN.
TEST_P(OneDnnInt8, QuantizeFloatToInt8) {
  std::mt19937 rng(31);
  for (const float scale : {0.05f, 1.f / 255, 0.3f, 0.0078125f, 2.5f}) {
    for (const int zp : {-128, -3, 0, 10, 127}) {
      const int64_t n = 1000 + zp + 128;  // odd lengths too: the last elements go one by one
      OpModel m(BuiltinOperator::QUANTIZE, 2);
      m.AddInput(DType::kFloat32, {static_cast<int32_t>(n)});
      m.AddOutput(DType::kInt8, {}, {scale}, {zp});
      std::vector<float> x(static_cast<size_t>(n));
      std::uniform_real_distribution<float> d(-200 * scale, 200 * scale);
      std::uniform_int_distribution<int> k(-300, 300);
      for (size_t i = 0; i < x.size(); ++i) {
        switch (i % 8) {
          case 0: x[i] = (static_cast<float>(k(rng)) + 0.5f) * scale; break;  // ties
          case 1: x[i] = static_cast<float>(k(rng)) * scale; break;
          case 2: x[i] = d(rng) * 1e7f; break;
          default: x[i] = d(rng); break;
        }
      }
      x[3] = std::numeric_limits<float>::infinity();
      x[4] = -std::numeric_limits<float>::infinity();
      x[5] = std::numeric_limits<float>::quiet_NaN();
      x[6] = -0.f;
      x[7] = 3e38f;
      std::vector<uint8_t> bytes(x.size() * sizeof(float));
      std::memcpy(bytes.data(), x.data(), bytes.size());
      ExpectCpuMatchesReference(m, {bytes}, "quantize scale " + std::to_string(scale) + " zp " + std::to_string(zp),
                                __builtin_cpu_supports("avx2") ? Expect::kCpu : Expect::kRef);
    }
  }
}

#ifdef LITHE_HAVE_ONEDNN
// Requantize's vector code (AVX2 / AVX-512 where the CPU has them) against the scalar fixed-point
// functions of the reference kernels, on extreme accumulators, multipliers and shifts: the
// saturation and overflow paths that random one-op models rarely reach.
TEST(Int8Requantize, MatchesReferenceArithmeticOnExtremeValues) {
  std::mt19937 rng(77);
  std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int32_t> mult(1 << 30, std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int> shift(-31, 30), small(-300000, 300000), pick(0, 9);
  for (const onednn::Int8Rounding rounding : {onednn::Int8Rounding::kRuy, onednn::Int8Rounding::kAwayFromZero}) {
    for (int trial = 0; trial < 20; ++trial) {
      onednn::Int8Requant q;
      q.rounding = rounding;
      q.channels = 37;  // 4 vectors of 8 and 5 left over
      std::vector<ref::QuantizedMultiplier> ms(static_cast<size_t>(q.channels));
      for (auto& m : ms) {
        m.multiplier = pick(rng) == 0 ? std::numeric_limits<int32_t>::max() : mult(rng);
        m.shift = pick(rng) == 0 ? (pick(rng) < 5 ? -31 : 30) : shift(rng);
      }
      ASSERT_EQ(q.SetMultipliers(ms), "");
      q.bias.resize(ms.size());
      for (auto& b : q.bias) b = pick(rng) < 3 ? any(rng) : small(rng);
      q.output_zero_point = std::uniform_int_distribution<int>(-128, 127)(rng);
      q.act_min = std::uniform_int_distribution<int>(-128, 0)(rng);
      q.act_max = std::uniform_int_distribution<int>(q.act_min, 127)(rng);
      const int64_t rows = 9;
      std::vector<int32_t> acc(static_cast<size_t>(rows * q.channels));
      for (auto& a : acc) {
        const int k = pick(rng);
        a = k == 0 ? std::numeric_limits<int32_t>::min() : k == 1 ? std::numeric_limits<int32_t>::max()
                                                                   : k < 5 ? any(rng) : small(rng);
      }
      std::vector<int8_t> got(acc.size());
      onednn::Requantize(q, acc.data(), got.data(), 0, rows);
      for (int64_t r = 0; r < rows; ++r)
        for (int32_t c = 0; c < q.channels; ++c) {
          const size_t i = static_cast<size_t>(r * q.channels + c);
          const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc[i]) + static_cast<uint32_t>(q.bias[c]));
          const int32_t v = rounding == onednn::Int8Rounding::kRuy ? ref::MultiplyByQuantizedMultiplierRuy(x, ms[c])
                                                                   : ref::MultiplyByQuantizedMultiplier(x, ms[c]);
          const int64_t want = std::clamp<int64_t>(int64_t{v} + q.output_zero_point, q.act_min, q.act_max);
          ASSERT_EQ(int{got[i]}, want) << "rounding " << static_cast<int>(rounding) << " acc " << acc[i] << " bias "
                                       << q.bias[c] << " multiplier " << ms[c].multiplier << " shift "
                                       << ms[c].shift;
        }
    }
  }
}
#endif

TEST_P(OneDnnInt8, Declined) {
  // Nonzero weight zero point on an int8 FULLY_CONNECTED: the reference kernel runs it.
  DenseCase c;
  c.w_zp = 3;
  RunDense(c, Expect::kRef);
  {
    // uint8 (TFLite's legacy form with asymmetric uint8 weights): declined.
    OpModel m(BuiltinOperator::FULLY_CONNECTED, 1);
    m.AddInput(DType::kUInt8, {2, 8}, {0.05f}, {120});
    std::vector<uint8_t> w(4 * 8);
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(i * 37 % 256);
    m.AddConst<uint8_t>(DType::kUInt8, {4, 8}, w, {0.01f}, {131});
    m.AddOutput(DType::kUInt8, {}, {0.1f}, {128});
    m.SetOptions(::tflite::FullyConnectedOptionsT{});
    std::mt19937 rng(5);
    ExpectCpuMatchesReference(m, {RandomInt8Bytes(16, rng)}, "fc uint8", Expect::kRef);
  }
#ifdef LITHE_HAVE_ONEDNN
  // Left to choose: oneDNN with VNNI; else lithe's AVX2 kernels for CONV_2D, FULLY_CONNECTED and
  // depthwise with multiplier 1 (multiplier 2 declined, with the reason); else every int8 node
  // declined.
  onednn::SetInt8ImplForTesting(Impl::kAuto);
  const bool vnni = onednn::CpuHasInt8Vnni(), avx2 = __builtin_cpu_supports("avx2");
  RunConv(ConvCase{}, vnni || avx2 ? Expect::kCpu : Expect::kRef);
  RunDense(DenseCase{}, vnni || avx2 ? Expect::kCpu : Expect::kRef);
  ConvCase dw;
  dw.depthwise = true;
  dw.in_c = dw.out_c = 16;
  RunConv(dw, vnni || avx2 ? Expect::kCpu : Expect::kRef);
  ConvCase dw2 = dw;
  dw2.out_c = 32;
  for (const ConvCase& c : {ConvCase{}, dw, dw2}) {
    const bool depthwise = c.depthwise;
    OpModel m(depthwise ? BuiltinOperator::DEPTHWISE_CONV_2D : BuiltinOperator::CONV_2D, depthwise ? 2 : 1);
    BuildConv(c, m);
    InterpreterOptions o;
    o.backend = BackendChoice::kCpu;
    m.set_interpreter_options(o);
    ASSERT_TRUE(m.Prepare().ok());
    const NodeDetails d = m.interpreter()->node_details()[0];
    if (vnni) {
      EXPECT_NE(d.note.find("int8"), std::string::npos) << d.note;  // "int8 (<oneDNN implementation>)"
    } else if (avx2 && !depthwise) {
      EXPECT_EQ(d.note, "int8 (lithe avx2 gemm)");
    } else if (avx2 && c.out_c == c.in_c) {
      EXPECT_EQ(d.note, "int8 depthwise (lithe avx2)");
    } else {
      EXPECT_NE(d.note.find("VNNI"), std::string::npos) << d.note;
    }
    std::printf("int8 %s (multiplier %d) on this CPU: backend %s, note: %s\n",
                depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D", c.out_c / c.in_c, d.backend.c_str(), d.note.c_str());
  }
#endif
}

}  // namespace
}  // namespace lithe::testing
