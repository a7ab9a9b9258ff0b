// MAX_POOL_2D and AVERAGE_POOL_2D over the spatial dims of an NHWC input, with a fused
// activation. Windows are clipped to the input: the maximum and the average only see real
// elements (the average divides by the number of them, not by the filter size).
//
// float32, and int8 / uint8 / int16 as TensorFlow Lite 2.9 runs them (kernels/ref/pool_quant.h):
// the integers are pooled as stored, so the output must have the input's quantization (TFLite
// asserts |scale_in - scale_out| <= 1e-6 and equal zero points in debug builds; lithe checks it
// always). The activation clamps in the output's integer domain.
#include <cmath>
#include <string>

#include "kernels/ref/pool.h"
#include "kernels/ref/pool_quant.h"
#include "ops/common.h"
#include "ops/dispatch.h"
#include "ops/pool2d.h"
#include "ops/registry.h"

namespace lithe {
namespace {

Result<Pool2DOptions> ParsePool2D(const ::tflite::Operator& op) {
  Pool2DOptions o;
  if (const auto* p = op.builtin_options_as_Pool2DOptions()) {
    LITHE_ASSIGN_OR_RETURN(o.padding, ParsePadding(p->padding()));
    LITHE_ASSIGN_OR_RETURN(o.activation, ParseActivation(p->fused_activation_function()));
    o.stride_w = p->stride_w();
    o.stride_h = p->stride_h();
    o.filter_w = p->filter_width();
    o.filter_h = p->filter_height();
  }
  if (o.stride_w <= 0 || o.stride_h <= 0)
    return Status::Error("strides must be positive, got stride_w " + std::to_string(o.stride_w) +
                         ", stride_h " + std::to_string(o.stride_h));
  if (o.filter_w <= 0 || o.filter_h <= 0)
    return Status::Error("filter size must be positive, got filter_width " + std::to_string(o.filter_w) +
                         ", filter_height " + std::to_string(o.filter_h));
  return o;
}

enum class PoolKind { kMax, kAverage };

template <PoolKind kKind>
class Pool2DKernel final : public OpKernel {
 public:
  explicit Pool2DKernel(const Pool2DOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(1, 1, 1));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(0, DType::kFloat32));
    const Tensor& in = *ctx.input(0);
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, in, 4, 4, "input"));
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32) return ctx.Error("output must be float32, is " + DTypeName(out->type));
    const bool same = o_.padding == Padding::kSame;
    ref::Window wy, wx;
    // ComputeWindow cannot fail here: sizes and strides are positive, dilation 1.
    if (!ref::ComputeWindow(same, in.shape[1], o_.filter_h, o_.stride_h, 1, &wy) ||
        !ref::ComputeWindow(same, in.shape[2], o_.filter_w, o_.stride_w, 1, &wx))
      return ctx.Error("invalid pooling window");
    const ActivationRange act = RangeOf(o_.activation);
    const int32_t c = in.shape[3];
    g_ = ref::ConvGeometry{in.shape[0], in.shape[1], in.shape[2], c, wy.out, wx.out, c, o_.filter_h, o_.filter_w,
                           o_.stride_h, o_.stride_w, 1, 1, wy.pad, wx.pad, act.lo, act.hi};
    out->shape = Shape{g_.batches, g_.out_h, g_.out_w, c};
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    if (ctx.output(0)->num_elements() == 0) return;
    const float* in = ctx.input(0)->data_as<float>();
    float* out = ctx.output(0)->data_as<float>();
    ctx.ParallelFor(static_cast<int64_t>(g_.batches) * g_.out_h, [&](int64_t begin, int64_t end) {
      if constexpr (kKind == PoolKind::kMax) {
        ref::MaxPool2DRows(g_, in, out, begin, end);
      } else {
        ref::AveragePool2DRows(g_, in, out, begin, end);
      }
    });
  }

 private:
  Pool2DOptions o_;
  ref::ConvGeometry g_;
};

template <PoolKind kKind>
class Pool2DQuantKernel final : public OpKernel {
 public:
  explicit Pool2DQuantKernel(const Pool2DOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(1, 1, 1));
    const Tensor& in = *ctx.input(0);
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, in, 4, 4, "input"));
    Tensor* out = ctx.output(0);
    if (out->type != in.type)
      return ctx.Error("output '" + std::string(out->name) + "' is " + DTypeName(out->type) + ", input is " + DTypeName(in.type));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qi, PerTensorQuant(ctx, in, "input"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qo, PerTensorQuant(ctx, *out, "output"));
    if (std::fabs(qi.scale - qo.scale) > 1e-6f || qi.zero_point != qo.zero_point)
      return ctx.Error("output '" + std::string(out->name) + "' (scale " + std::to_string(qo.scale) + ", zero point " +
                       std::to_string(qo.zero_point) + ") must have the quantization of input '" + in.name +
                       "' (scale " + std::to_string(qi.scale) + ", zero point " + std::to_string(qi.zero_point) +
                       "): integer pooling does not rescale");
    const bool same = o_.padding == Padding::kSame;
    ref::Window wy, wx;
    if (!ref::ComputeWindow(same, in.shape[1], o_.filter_h, o_.stride_h, 1, &wy) ||
        !ref::ComputeWindow(same, in.shape[2], o_.filter_w, o_.stride_w, 1, &wx))
      return ctx.Error("invalid pooling window");
    QuantizedActivationRange(o_.activation, qo, &act_min_, &act_max_);
    const int32_t c = in.shape[3];
    g_ = ref::ConvGeometry{in.shape[0], in.shape[1], in.shape[2], c, wy.out, wx.out, c, o_.filter_h, o_.filter_w,
                           o_.stride_h, o_.stride_w, 1, 1, wy.pad, wx.pad, 0.f, 0.f};
    out->shape = Shape{g_.batches, g_.out_h, g_.out_w, c};
    type_ = in.type;
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    if (ctx.output(0)->num_elements() == 0) return;
    VisitQuantType(type_, [&](auto t) { Run<decltype(t)>(ctx); });
  }

 private:
  template <class T>
  void Run(InvokeContext& ctx) {
    const T* in = ctx.input(0)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    ctx.ParallelFor(static_cast<int64_t>(g_.batches) * g_.out_h, [&](int64_t begin, int64_t end) {
      if constexpr (kKind == PoolKind::kMax) {
        ref::MaxPool2DRowsQuant(g_, act_min_, act_max_, in, out, begin, end);
      } else {
        ref::AveragePool2DRowsQuant(g_, act_min_, act_max_, in, out, begin, end);
      }
    });
  }

  Pool2DOptions o_;
  ref::ConvGeometry g_;
  int32_t act_min_ = 0, act_max_ = 0;
  DType type_ = DType::kInt8;
};

using MaxPool2DKernel =
    FloatOrQuantKernel<Pool2DOptions, Pool2DKernel<PoolKind::kMax>, Pool2DQuantKernel<PoolKind::kMax>>;
using AveragePool2DKernel =
    FloatOrQuantKernel<Pool2DOptions, Pool2DKernel<PoolKind::kAverage>, Pool2DQuantKernel<PoolKind::kAverage>>;

}  // namespace
}  // namespace lithe

// Version 2 adds int8, 3 int16.
LITHE_BUILTIN_OP(MaxPool2D, MAX_POOL_2D, 3, ParsePool2D, MaxPool2DKernel)
LITHE_BUILTIN_OP(AveragePool2D, AVERAGE_POOL_2D, 3, ParsePool2D, AveragePool2DKernel)
