// CONV_2D and DEPTHWISE_CONV_2D with int8 input / output and int8 symmetric weights (per tensor
// or per output channel) on oneDNN: the convolution computes raw int32 accumulators (the input
// zero point is a runtime src zero point, so padded taps contribute 0 as in TFLite; no bias, no
// scales), then Requantize (int8_util.h) applies bias, TFLite's per-channel multipliers, the
// output zero point and the activation clamp, bit-exact with the reference kernels:
//   CONV_2D (one group): ruy's rounding; grouped CONV_2D and DEPTHWISE_CONV_2D: gemmlowp's.
// On CPUs without VNNI, CONV_2D with one group runs on lithe's AVX2 GEMM (int8_gemm.h) instead,
// and DEPTHWISE_CONV_2D with depth multiplier 1 on int8_depthwise.h.
#include <algorithm>
#include <string>

#include "backends/onednn/engine.h"
#include "backends/onednn/int8_depthwise.h"
#include "backends/onednn/int8_gemm.h"
#include "backends/onednn/int8_util.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/conv.h"
#include "ops/conv_quant.h"

namespace lithe::onednn {
namespace {

class ConvInt8 final : public OpKernel {
 public:
  ConvInt8(const ConvOptions& o, bool depthwise) : o_(o), depthwise_(depthwise) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* xp = ctx.input(0);
    const Tensor* wp = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    Tensor* yp = ctx.output(0);
    if (xp == nullptr || wp == nullptr || yp == nullptr) return Status::Unsupported("missing operands");
    const Tensor& x = *xp;
    const Tensor& w = *wp;
    if (x.type != DType::kInt8) return Status::Unsupported(DTypeName(x.type) + " input (int8 only)");
    if (w.type != DType::kInt8) return Status::Unsupported(DTypeName(w.type) + " filter (int8 only)");
    if (yp->type != DType::kInt8) return Status::Unsupported("non-int8 output");
    if (!w.is_constant || w.data == nullptr) return Status::Unsupported("non-constant filter");
    if (w.sparsity != nullptr) return Status::Unsupported("sparse filter");
    if (bias != nullptr && (bias->type != DType::kInt32 || !bias->is_constant || bias->data == nullptr))
      return Status::Unsupported("bias not a constant int32 tensor");
    if (x.shape.rank() != 4 || w.shape.rank() != 4) return Status::Unsupported("not 4-D");
    const int32_t in_c = x.shape[3];
    const int32_t kh = w.shape[1], kw = w.shape[2];
    int32_t out_c = 0, groups = 1;
    if (depthwise_) {
      out_c = w.shape[3];
      groups = in_c;
    } else {
      out_c = w.shape[0];
      if (w.shape[3] < 1 || in_c % w.shape[3] != 0) return Status::Unsupported("bad filter depth");
      groups = in_c / w.shape[3];
    }
    if (in_c < 1 || out_c < 1 || out_c % groups != 0) return Status::Unsupported("bad channel counts");
    ConvQuantSetup s;
    LITHE_RETURN_IF_ERROR(PrepareConvQuant(ctx, o_.activation, depthwise_ ? 3 : 0, out_c, false, &s));
    if (s.filter_zero_point != 0) return Status::Unsupported("nonzero filter zero point");
    ref::ConvGeometry g;
    LITHE_RETURN_IF_ERROR(ConvWindowGeometry(ctx, o_, x, kh, kw, out_c, &g));
    if (g.batches < 1 || g.in_h < 1 || g.in_w < 1 || g.out_h < 1 || g.out_w < 1)
      return Status::Unsupported("empty tensor");
    if (yp->shape != Shape{g.batches, g.out_h, g.out_w, out_c}) return Status::Unsupported("unexpected output shape");

    Int8Requant q;
    q.rounding = (!depthwise_ && groups == 1) ? Int8Rounding::kRuy : Int8Rounding::kAwayFromZero;
    q.channels = out_c;
    const std::string why = q.SetMultipliers(s.multipliers);
    if (!why.empty()) return Status::Unsupported(why);
    q.output_zero_point = s.out.zero_point;
    q.act_min = s.act_min;
    q.act_max = s.act_max;
    q.bias.assign(out_c, 0);
    if (bias != nullptr) std::copy(bias->data_as<int32_t>(), bias->data_as<int32_t>() + out_c, q.bias.begin());
    input_zero_point_ = s.in.zero_point;

    std::string why_none;
    impl_ = PickInt8Impl(depthwise_ ? out_c == in_c : groups == 1, &why_none);
    if (impl_ == Int8Impl::kNone) return Status::Unsupported(why_none);
    if (impl_ == Int8Impl::kLithe) {
      const ConvGemmShape gs = WithWindowOptions({.batches = g.batches, .in_h = g.in_h, .in_w = g.in_w, .in_c = in_c,
                                                  .out_h = g.out_h, .out_w = g.out_w, .out_c = out_c, .kh = kh,
                                                  .kw = kw, .pad_top = g.pad_top, .pad_left = g.pad_left},
                                                 o_);
      if (depthwise_) {
        depthwise_kernel_.Init(ctx, gs, w.data_as<int8_t>(), input_zero_point_, std::move(q));
        ctx.SetNote("int8 depthwise (lithe avx2)");
      } else {
        LITHE_RETURN_IF_ERROR(gemm_.Init(ctx, gs, w.data_as<int8_t>(), input_zero_point_, std::move(q)));
        ctx.SetNote("int8 (lithe avx2 gemm)");
      }
      return Status::Ok();
    }

    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    using dims = dnnl::memory::dims;
    try {
      const dnnl::engine& eng = Engine();
      const dnnl::memory::desc src_md(dims{g.batches, in_c, g.in_h, g.in_w}, dt::s8, tag::nhwc);
      const dnnl::memory::desc dst_md(dims{g.batches, out_c, g.out_h, g.out_w}, dt::s32, tag::nhwc);
      // The user filter as oneDNN's {G, O/G, I/G, KH, KW} with TFLite's strides.
      const int64_t og = out_c / groups, ig = in_c / groups;
      dims wdims{groups, og, ig, kh, kw};
      dims wstrides;
      if (depthwise_) {  // [1, kh, kw, out_c], out channel = g * og + o, ig == 1
        wstrides = {og, 1, 1, static_cast<int64_t>(kw) * out_c, out_c};
      } else {  // [out_c, kh, kw, ig]
        wstrides = {og * kh * kw * ig, static_cast<int64_t>(kh) * kw * ig, 1, static_cast<int64_t>(kw) * ig, ig};
      }
      dnnl::memory::desc w_user_md(wdims, dt::s8, wstrides);
      if (groups == 1) {  // plain 4-D {O, I, KH, KW}
        w_user_md = dnnl::memory::desc(dims{out_c, ig, kh, kw}, dt::s8,
                                       dims{wstrides[1], wstrides[2], wstrides[3], wstrides[4]});
      }
      const dnnl::memory::desc w_any_md(w_user_md.dims(), dt::s8, tag::any);
      // oneDNN's right padding makes its output size formula match (TFLite never pads more on the
      // right than (out - 1) * stride + dilated filter - in - left).
      const int32_t ekh = (kh - 1) * o_.dilation_h + 1, ekw = (kw - 1) * o_.dilation_w + 1;
      const int64_t pad_b = std::max<int64_t>(0, int64_t{g.out_h - 1} * o_.stride_h + ekh - g.in_h - g.pad_top);
      const int64_t pad_r = std::max<int64_t>(0, int64_t{g.out_w - 1} * o_.stride_w + ekw - g.in_w - g.pad_left);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      if (input_zero_point_ != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
      const dnnl::convolution_forward::desc cd(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md, w_any_md, dst_md,
          dims{o_.stride_h, o_.stride_w}, dims{o_.dilation_h - 1, o_.dilation_w - 1}, dims{g.pad_top, g.pad_left},
          dims{pad_b, pad_r});
      dnnl::convolution_forward::primitive_desc pd(cd, attr, eng);
      const std::string why_not = ChooseInt8Impl(pd);
      if (!why_not.empty()) return Status::Unsupported(why_not);
      weights_ = ReorderWeights(w_user_md, w.data, pd.weights_desc());
      zp_mem_ = dnnl::memory(dnnl::memory::desc(dims{1}, dt::s32, tag::x), eng, &input_zero_point_);
      run_.Init(ctx, pd, dnnl::convolution_forward(pd), src_md, dst_md, weights_,
                static_cast<int64_t>(g.batches) * g.out_h * g.out_w, std::move(q));
      if (input_zero_point_ != 0) run_.AddArg(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, zp_mem_);
      ctx.SetNote(std::string(depthwise_ ? "int8 depthwise" : "int8") + " (" + pd.impl_info_str() + ")");
    } catch (const dnnl::error& e) {
      return Status::Unsupported(std::string("oneDNN: ") + e.what());
    }
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    if (impl_ == Int8Impl::kLithe && depthwise_) {
      depthwise_kernel_.Run(ctx);
    } else if (impl_ == Int8Impl::kLithe) {
      gemm_.Run(ctx);
    } else {
      run_.Run(ctx);
    }
  }

 private:
  ConvOptions o_;
  bool depthwise_ = false;
  Int8Impl impl_ = Int8Impl::kNone;
  Int8Gemm gemm_;
  Int8Depthwise depthwise_kernel_;
  int32_t input_zero_point_ = 0;  // zp_mem_ points here
  dnnl::memory weights_, zp_mem_;
  Int8Primitive run_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeConv2DInt8(const ConvOptions& o, const BackendConfig&) {
  return std::make_unique<ConvInt8>(o, false);
}
std::unique_ptr<OpKernel> MakeDepthwiseConv2DInt8(const ConvOptions& o, const BackendConfig&) {
  return std::make_unique<ConvInt8>(o, true);
}

}  // namespace lithe::onednn
