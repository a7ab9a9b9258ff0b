// Shared pieces of the CPU backend's int8 kernels (conv_int8.cc, dense_int8.cc; int8_util.cc): oneDNN computes
// the raw int32 accumulators (input zero point subtracted, padding contributing 0, no bias, no
// scales); Requantize turns them into int8 outputs with TensorFlow Lite's exact arithmetic:
//
//   out[p, c] = clamp(Rescale(acc[p, c] + bias[c], M[c]) + output_zero_point, act_min, act_max)
//
// with Rescale either ruy's (ties up, MultiplyByQuantizedMultiplierRuy: CONV_2D and
// FULLY_CONNECTED) or gemmlowp's (ties away from zero, MultiplyByQuantizedMultiplier: depthwise
// and grouped convolutions), bit for bit as in kernels/ref/quant_arith.h. The per-channel loop is
// branch-free so that it vectorizes; AVX-512 and AVX2 clones run where the CPU has them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include <dnnl.hpp>

#include "kernels/ref/quant_arith.h"
#include "lithe/op.h"

namespace lithe::onednn {

enum class Int8Rounding { kRuy, kAwayFromZero };

// MultiplyByQuantizedMultiplierRuy without branches (left <= 30, right <= 31).
inline __attribute__((always_inline)) int32_t RescaleRuy(int32_t x, int32_t m, int32_t left, int32_t right) {
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  const int64_t prod = static_cast<int64_t>(shifted) * m + (int64_t{1} << 30);
  const int32_t high = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(prod) >> 31));
  const int32_t nudge = static_cast<int32_t>((uint32_t{1} << right) >> 1);
  const bool sat = high > std::numeric_limits<int32_t>::max() - nudge;
  const int32_t rounded = static_cast<int32_t>(static_cast<uint32_t>(high) + static_cast<uint32_t>(nudge)) >> right;
  const int32_t saturated = static_cast<int32_t>(uint32_t{1} << (31 - right));
  return sat ? saturated : rounded;
}

// gemmlowp's MultiplyByQuantizedMultiplier without branches.
inline __attribute__((always_inline)) int32_t RescaleAway(int32_t x, int32_t m, int32_t left, int32_t right) {
  const int32_t a = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  const bool overflow = a == m && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * m;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  const int64_t num = ab + nudge;
  // Division by 2^31 truncating toward zero.
  const int64_t q = (num + (num < 0 ? (int64_t{1} << 31) - 1 : 0)) >> 31;
  const int32_t high = overflow ? std::numeric_limits<int32_t>::max() : static_cast<int32_t>(q);
  const int32_t mask = static_cast<int32_t>((uint32_t{1} << right) - 1);
  const int32_t remainder = high & mask;
  const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + (remainder > threshold ? 1 : 0);
}

struct Int8Requant {
  Int8Rounding rounding = Int8Rounding::kRuy;
  int32_t channels = 0;
  std::vector<int32_t> bias;        // [channels], wrapping-added to the accumulator (zeros: none)
  std::vector<int32_t> multiplier;  // [channels]
  std::vector<int32_t> left;        // [channels], left shift (0..30)
  std::vector<int32_t> right;       // [channels], right shift (0..31)
  int32_t output_zero_point = 0;
  int32_t act_min = -128, act_max = 127;

  // Fills multiplier / left / right from TFLite's multipliers; fails (returns a reason) for shifts
  // outside what the vector code handles.
  std::string SetMultipliers(const std::vector<ref::QuantizedMultiplier>& m);
};

// Rows [begin, end) of acc [rows, channels] (int32) into out [rows, channels] (int8).
void Requantize(const Int8Requant& q, const int32_t* acc, int8_t* out, int64_t begin, int64_t end);
// Channels [c0, c1) of `rows` rows: acc rows `acc_stride` int32 apart, out rows `out_stride` bytes apart.
void RequantizeBlock(const Int8Requant& q, const int32_t* acc, int64_t acc_stride, int8_t* out, int64_t out_stride,
                     int64_t rows, int32_t c0, int32_t c1);

// One int8 primitive (convolution or matmul) writing int32 sums into scratch, then Requantize
// into the node's int8 output. Built at Prepare; Run is the kernel's whole Invoke.
class Int8Primitive {
 public:
  // `weights` is already in pd's layout; input 0 and output 0 of the node are src and dst.
  void Init(PrepareContext& ctx, const dnnl::primitive_desc& pd, const dnnl::primitive& prim,
            const dnnl::memory::desc& src_md, const dnnl::memory::desc& dst_md, const dnnl::memory& weights,
            int64_t rows, Int8Requant requant);
  // A further argument (e.g. the runtime source zero point).
  void AddArg(int arg, const dnnl::memory& m) { args_[arg] = m; }
  void Run(InvokeContext& ctx);

 private:
  dnnl::primitive prim_;
  Int8Requant q_;
  int64_t rows_ = 0;
  dnnl::memory src_, dst_, scratchpad_;
  std::unordered_map<int, dnnl::memory> args_;
  int acc_scratch_ = -1, sp_scratch_ = -1;
};

// True when oneDNN's int8 kernels are exact on this CPU: with VNNI (vpdpbusd) they accumulate
// u8 x s8 products straight into int32. Without it they go through vpmaddubsw's saturating
// int16 pairs and oneDNN halves the weights to avoid that, so the results differ from TFLite's;
// the int8 kernels then decline.
bool CpuHasInt8Vnni();

// Which implementation serves an int8 node.
enum class Int8Impl {
  kNone,    // decline: the reference kernel runs it
  kOneDnn,  // oneDNN's kernels (exact with VNNI)
  kLithe,   // lithe's exact AVX2 kernels: CONV_2D with one group and FULLY_CONNECTED (int8_gemm.h),
            // DEPTHWISE_CONV_2D with depth multiplier 1 (int8_depthwise.h)
};

// For tests: kOneDnnReference makes the oneDNN kernels use oneDNN's (exact, slow) reference
// implementations on CPUs without VNNI, so that everything around the convolution (layouts,
// padding, zero points, requantization) is checked there too; kLithe makes lithe's own kernels
// serve every node they cover, even on CPUs with VNNI. Never set outside tests.
enum class Int8ImplForTesting { kAuto, kOneDnnReference, kLithe };
void SetInt8ImplForTesting(Int8ImplForTesting which);

// The implementation for a node; `lithe_fits` says whether lithe's own kernels cover it. Sets
// *why for kNone.
Int8Impl PickInt8Impl(bool lithe_fits, std::string* why);

// Settles `pd` on an implementation the int8 kernels can use (moving it along next_impl() under
// kOneDnnReference). Returns "" or why none fits. Also returns a reason when oneDNN adjusted
// the weights' scale (inexact).
std::string ChooseInt8Impl(dnnl::primitive_desc& pd);

}  // namespace lithe::onednn
