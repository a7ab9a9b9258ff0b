// CONV_2D: 2-D convolution of an NHWC input [n, h, w, in_c] with an OHWI filter
// [out_c, kh, kw, filter_in_c], an optional bias [out_c] and a fused activation. This file is
// the float32 kernel; integer (int8, uint8, 16x8) and hybrid forms are in ops/conv_quant.cc,
// picked by ConvDispatchKernel from the operands' dtypes.
//
// Grouped convolution (TFLite 2.9+): groups = in_c / filter_in_c. Output channel o belongs to
// group o / (out_c / groups) and reads only that group's filter_in_c input channels.
// Output size and padding follow TFLite's SAME/VALID rules (see ref::ComputeWindow).
#include <vector>

#include "kernels/ref/conv.h"
#include "ops/common.h"
#include "ops/conv_quant.h"
#include "ops/registry.h"

namespace lithe {
namespace {

Result<ConvOptions> ParseConv2D(const ::tflite::Operator& op) {
  return ParseConvOptions(op.builtin_options_as_Conv2DOptions());
}

class Conv2DFloat final : public OpKernel {
 public:
  explicit Conv2DFloat(const ConvOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(2, 3, 1));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(0, DType::kFloat32));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(1, DType::kFloat32));
    const Tensor& in = *ctx.input(0);
    const Tensor& filter = *ctx.input(1);
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, in, 4, 4, "input"));
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, filter, 4, 4, "filter"));
    const int32_t out_c = filter.shape[0], kh = filter.shape[1], kw = filter.shape[2];
    const int32_t filter_in_c = filter.shape[3], in_c = in.shape[3];
    if (kh < 1 || kw < 1 || filter_in_c < 1)
      return ctx.Error("filter '" + std::string(filter.name) + "' has an empty window or depth, shape " +
                       filter.shape.ToString());
    if (in_c < 1 || in_c % filter_in_c != 0)
      return ctx.Error("input depth " + std::to_string(in_c) + " must be a positive multiple of the filter depth " +
                       std::to_string(filter_in_c) + " (input " + in.shape.ToString() + ", filter " +
                       filter.shape.ToString() + ")");
    const int32_t groups = in_c / filter_in_c;
    if (out_c % groups != 0)
      return ctx.Error("filter count " + std::to_string(out_c) + " is not divisible by the " +
                       std::to_string(groups) + " groups (input depth / filter depth)");
    const Tensor* bias = ctx.input(2);
    if (bias != nullptr) {
      if (bias->type != DType::kFloat32)
        return ctx.Error("bias '" + std::string(bias->name) + "' has dtype " + DTypeName(bias->type) +
                         ", expected float32");
      if (bias->num_elements() != out_c)
        return ctx.Error("bias '" + std::string(bias->name) + "' has shape " + bias->shape.ToString() +
                         ", expected " + std::to_string(out_c) + " elements");
    }
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32) return ctx.Error("output must be float32, is " + DTypeName(out->type));

    const bool same = o_.padding == Padding::kSame;
    ref::Window wy, wx;
    if (!ref::ComputeWindow(same, in.shape[1], kh, o_.stride_h, o_.dilation_h, &wy) ||
        !ref::ComputeWindow(same, in.shape[2], kw, o_.stride_w, o_.dilation_w, &wx))
      return ctx.Error("dilated filter size overflows (filter " + filter.shape.ToString() + ")");
    const ActivationRange act = RangeOf(o_.activation);
    g_ = ref::ConvGeometry{in.shape[0], in.shape[1], in.shape[2], in_c, wy.out, wx.out, out_c, kh, kw,
                           o_.stride_h, o_.stride_w, o_.dilation_h, o_.dilation_w, wy.pad, wx.pad,
                           act.lo, act.hi};
    groups_ = groups;
    out->shape = Shape{g_.batches, g_.out_h, g_.out_w, out_c};

    // The filter is repacked so output channels are innermost: once here when it is constant
    // (weights, or decoded by a folded DEQUANTIZE), else on every Invoke into scratch.
    const size_t filter_bytes = static_cast<size_t>(filter.num_elements()) * sizeof(float);
    packed_.clear();
    scratch_ = -1;
    if (ctx.validate_only()) {
      // an optimized kernel is about to take the node
    } else if (filter.is_constant) {
      packed_.resize(static_cast<size_t>(filter.num_elements()));
      ref::PackConvFilter(filter.data_as<float>(), out_c, kh, kw, filter_in_c, groups, packed_.data());
    } else if (filter_bytes > 0) {
      scratch_ = ctx.RequestScratch(filter_bytes);
    }
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    if (ctx.output(0)->num_elements() == 0) return;
    const Tensor& filter = *ctx.input(1);
    const float* packed = packed_.data();
    if (scratch_ >= 0) {
      float* p = static_cast<float*>(ctx.scratch(scratch_));
      ref::PackConvFilter(filter.data_as<float>(), g_.out_c, g_.filter_h, g_.filter_w, g_.in_c / groups_,
                          groups_, p);
      packed = p;
    }
    const Tensor* bias_t = ctx.input(2);
    const float* in = ctx.input(0)->data_as<float>();
    const float* bias = bias_t != nullptr ? bias_t->data_as<float>() : nullptr;
    float* out = ctx.output(0)->data_as<float>();
    ctx.ParallelFor(static_cast<int64_t>(g_.batches) * g_.out_h, [&](int64_t begin, int64_t end) {
      ref::Conv2DRows(g_, groups_, in, packed, bias, out, begin, end);
    });
  }

 private:
  ConvOptions o_;
  ref::ConvGeometry g_;
  int32_t groups_ = 1;
  std::vector<float> packed_;
  int scratch_ = -1;
};

using Conv2DKernel = ConvDispatchKernel<Conv2DFloat, MakeConv2DQuantKernel, MakeConv2DHybridKernel>;

}  // namespace
}  // namespace lithe

// TFLite's versions: v2 hybrid, v3 int8, v4 16x8, v5 hybrid per-channel, v6 groups; later ones
// keep these semantics. Integer and hybrid forms are in ops/conv_quant.cc.
LITHE_BUILTIN_OP(Conv2D, CONV_2D, 8, ParseConv2D, Conv2DKernel)
