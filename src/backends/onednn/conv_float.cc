// CONV_2D and DEPTHWISE_CONV_2D in float32 (bfloat16 under allow_precision_loss) on oneDNN's
// convolution primitive. Semantics are ops/conv2d.cc's and ops/depthwise_conv2d.cc's; the
// reference kernel has already validated the node and set the output shape when Prepare runs.
//
// Both map onto one grouped convolution with NHWC activations:
//   CONV_2D    filter [O, kh, kw, I/G] (OHWI)  -> weights {G, O/G, I/G, kh, kw}
//   DEPTHWISE  filter [1, kh, kw, I*m]          -> weights {G=I, m, 1, kh, kw}
// (depthwise output channel i*m + j reads input channel i: group i's j-th output). The filter is
// described to oneDNN with its own strides, so the one reorder at Prepare both transposes it
// and packs it into the primitive's blocked layout.
//
// A single-group CONV_2D with a large enough window runs as lithe's im2col GEMM instead
// (conv_gemm_float.h), which measured faster than oneDNN's direct AVX2 kernels there.
#include <memory>
#include <string>

#include "backends/onednn/conv_gemm_float.h"
#include "backends/onednn/conv_winograd_float.h"
#include "backends/onednn/float_util.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/conv.h"

namespace lithe::onednn {
namespace {

using dims = dnnl::memory::dims;

class ConvFloat final : public OpKernel {
 public:
  ConvFloat(const ConvOptions& o, const BackendConfig& c, bool depthwise) : o_(o), c_(c), depthwise_(depthwise) {}

  Status Prepare(PrepareContext& ctx) override {
    return PrepareOnOneDnn([&] { return PrepareImpl(ctx); });
  }

  void Invoke(InvokeContext& ctx) override {
    switch (use_) {
      case Impl::kGemm: gemm_.Run(ctx, ctx.input(0)->data_as<float>(), ctx.output(0)->data_as<float>()); break;
      case Impl::kWinograd: winograd_.Run(ctx, ctx.input(0)->data_as<float>(), ctx.output(0)->data_as<float>()); break;
      case Impl::kDnnl: run_.Run(ctx, ctx.input(0)->data, ctx.output(0)->data); break;
    }
  }

 private:
  Status PrepareImpl(PrepareContext& ctx) {
    use_ = Impl::kDnnl;
    const Tensor* in = ctx.input(0);
    const Tensor* filter = ctx.input(1);
    const Tensor* out = ctx.output(0);
    if (in == nullptr || in->type != DType::kFloat32 || out == nullptr || out->type != DType::kFloat32)
      return Status::Unsupported("not float32");
    if (const char* why = CheckConstFloat(filter, false)) return Status::Unsupported(why);
    const Tensor* bias = ctx.input(2);
    if (const char* why = CheckConstFloat(bias, true)) return Status::Unsupported(why);
    if (in->shape.rank() != 4 || filter->shape.rank() != 4 || out->shape.rank() != 4)
      return Status::Unsupported("not 4-D");
    if (in->num_elements() == 0 || out->num_elements() == 0) return Status::Unsupported("empty tensor");
    if (in->num_elements() > kMaxElements || out->num_elements() > kMaxElements ||
        filter->num_elements() > kMaxElements)
      return Status::Unsupported("tensor too large");
    dnnl::post_ops po;
    if (!AppendActivation(o_.activation, &po)) return Status::Unsupported("activation");

    const int64_t n = in->shape[0], ih = in->shape[1], iw = in->shape[2], ic = in->shape[3];
    const int64_t oh = out->shape[1], ow = out->shape[2], oc = out->shape[3];
    int64_t kh, kw, groups, og, ig;
    dims w_dims, w_strides;
    if (depthwise_) {
      kh = filter->shape[1], kw = filter->shape[2];
      groups = ic, og = oc / ic, ig = 1;
      // filter[0, y, x, g*m + j]
      w_dims = {groups, og, ig, kh, kw};
      w_strides = {og, 1, 1, kw * oc, oc};
    } else {
      kh = filter->shape[1], kw = filter->shape[2];
      ig = filter->shape[3], groups = ic / ig, og = oc / groups;
      // filter[g*og + o, y, x, i]
      if (groups == 1) {
        w_dims = {oc, ig, kh, kw};
        w_strides = {kh * kw * ig, 1, kw * ig, ig};
      } else {
        w_dims = {groups, og, ig, kh, kw};
        w_strides = {og * kh * kw * ig, kh * kw * ig, 1, kw * ig, ig};
      }
    }
    // Window geometry exactly as the reference computes it.
    const bool same = o_.padding == Padding::kSame;
    ref::Window wy, wx;
    if (!ref::ComputeWindow(same, static_cast<int32_t>(ih), static_cast<int32_t>(kh), o_.stride_h, o_.dilation_h,
                            &wy) ||
        !ref::ComputeWindow(same, static_cast<int32_t>(iw), static_cast<int32_t>(kw), o_.stride_w, o_.dilation_w, &wx))
      return Status::Unsupported("window");
    if (wy.out != oh || wx.out != ow || in->shape[0] != out->shape[0])
      return Status::Unsupported("output shape differs from the window arithmetic");
    if (!depthwise_ && groups == 1) {
      const auto i32 = [](int64_t v) { return static_cast<int32_t>(v); };
      const ConvGemmShape s = WithWindowOptions({.batches = i32(n), .in_h = i32(ih), .in_w = i32(iw), .in_c = i32(ic),
                                                 .out_h = i32(oh), .out_w = i32(ow), .out_c = i32(oc), .kh = i32(kh),
                                                 .kw = i32(kw), .pad_top = wy.pad, .pad_left = wx.pad},
                                                o_);
      const FloatConvImplForTesting force = FloatConvImplOverride();
      const bool bf16_wanted = c_.allow_precision_loss && CpuHasBf16();
      const bool pays = force == FloatConvImplForTesting::kAuto && !bf16_wanted && FloatConvGemmPays(s);
      const float* w = filter->data_as<float>();
      const float* b = bias != nullptr ? bias->data_as<float>() : nullptr;
      // Winograd beat the im2col GEMM on all of resnet18's 3x3 stride-1 layers (conv_winograd_float.cc).
      if (force == FloatConvImplForTesting::kWinograd || (pays && FloatConvWinogradFits(s))) {
        if (winograd_.Init(ctx, s, w, b, o_.activation).ok()) {
          use_ = Impl::kWinograd;
          return Status::Ok();
        }
      }
      if (force == FloatConvImplForTesting::kGemm || pays) {
        if (gemm_.Init(ctx, s, w, b, o_.activation).ok()) {
          use_ = Impl::kGemm;
          return Status::Ok();
        }
      }
    }
    const int64_t eff_h = (kh - 1) * o_.dilation_h + 1, eff_w = (kw - 1) * o_.dilation_w + 1;
    const dims strides = {o_.stride_h, o_.stride_w};
    const dims dilates = {o_.dilation_h - 1, o_.dilation_w - 1};
    const dims pad_l = {wy.pad, wx.pad};
    const dims pad_r = {RightPad(ih, oh, o_.stride_h, eff_h, wy.pad), RightPad(iw, ow, o_.stride_w, eff_w, wx.pad)};

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    attr.set_post_ops(po);

    const dnnl::memory::desc src_f32({n, ic, ih, iw}, dt::f32, tag::nhwc);
    const dnnl::memory::desc dst_md({n, oc, oh, ow}, dt::f32, tag::nhwc);
    const dnnl::memory::desc bias_md({oc}, dt::f32, tag::a);
    const dnnl::memory::desc w_user(w_dims, dt::f32, w_strides);

    auto make_pd = [&](dt compute) {
      const dnnl::memory::desc src_md({n, ic, ih, iw}, compute, tag::nhwc);
      const dnnl::memory::desc w_any(w_dims, compute, tag::any);
      dnnl::convolution_forward::desc d =
          bias != nullptr
              ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                                src_md, w_any, bias_md, dst_md, strides, dilates, pad_l, pad_r)
              : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                                src_md, w_any, dst_md, strides, dilates, pad_l, pad_r);
      return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
    };
    bool bf16 = false;
    const auto pd = ChooseComputeType(c_.allow_precision_loss, make_pd, &bf16);
    if (IsReferenceImpl(pd)) return NoOptimizedKernel(pd);

    weights_ = ReorderWeights(w_user, filter->data, pd.weights_desc());
    bias_ = bias != nullptr ? ReorderWeights(bias_md, bias->data, bias_md) : dnnl::memory();
    LITHE_RETURN_IF_ERROR(run_.Init(ctx, dnnl::convolution_forward(pd), pd.scratchpad_desc(), src_f32, pd.src_desc(),
                                    dst_md, weights_, bias_));
    if (bf16) ctx.SetNote("bf16");
    return Status::Ok();
  }

  ConvOptions o_;
  BackendConfig c_;
  bool depthwise_;
  dnnl::memory weights_, bias_;
  FloatPrimitive run_;
  enum class Impl { kDnnl, kGemm, kWinograd };
  FloatConvGemm gemm_;
  FloatConvWinograd winograd_;
  Impl use_ = Impl::kDnnl;
};

}  // namespace

std::unique_ptr<OpKernel> MakeConv2DFloat(const ConvOptions& o, const BackendConfig& c) {
  return std::make_unique<ConvFloat>(o, c, false);
}

std::unique_ptr<OpKernel> MakeDepthwiseConv2DFloat(const ConvOptions& o, const BackendConfig& c) {
  return std::make_unique<ConvFloat>(o, c, true);
}

}  // namespace lithe::onednn
