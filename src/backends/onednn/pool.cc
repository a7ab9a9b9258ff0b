// AVERAGE_POOL_2D in float32 on oneDNN's pooling primitive (ops/pool2d.cc's semantics). Windows
// are clipped to the input: the average divides by the real elements only, which is oneDNN's
// pooling_avg_exclude_padding.
// TFLite's SAME padding never leaves a window entirely in the padding.
//
// Which pools run here is measured, not assumed (1 thread, AVX2 host, oneDNN 2.6's
// jit:avx2 NHWC pooling vs the reference kernel, us per call):
//   max 56x56x64 3x3/2   ref 120  onednn 321     avg 56x56x64 3x3/2   ref 374  onednn 239
//   max 112x112x64 2x2/2 ref 370  onednn 1895    avg 112x112x64 2x2/2 ref 770  onednn 937
//   max 7x7x1024 7x7/1   ref 345  onednn 712     avg 7x7x1024 7x7/1   ref 1080 onednn 658
//   max 8x8x16 2x2/2     ref 0.95 onednn 3.1     avg 8x8x16 2x2/2     ref 1.2  onednn 3.0
// so averages over windows under 3x3 or under 16384 window taps in all stay with the reference
// kernel (PoolPays), and max pooling is lithe's own vector loop (pool_max.cc).
#include <memory>
#include <string>

#include "backends/onednn/float_util.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/conv.h"

namespace lithe::onednn {
namespace {

using dims = dnnl::memory::dims;

// Declines what the measurements above show the reference kernel doing faster.
const char* PoolPays(const Pool2DOptions& o, int64_t out_elements) {
  if (static_cast<int64_t>(o.filter_h) * o.filter_w < 9) return "the reference kernel is faster for windows under 9";
  if (out_elements * o.filter_h * o.filter_w < 16384) return "too small to gain";
  return nullptr;
}

class AveragePool2DFloat final : public OpKernel {
 public:
  explicit AveragePool2DFloat(const Pool2DOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    return PrepareOnOneDnn([&] { return PrepareImpl(ctx); });
  }

  void Invoke(InvokeContext& ctx) override { run_.Run(ctx, ctx.input(0)->data, ctx.output(0)->data); }

 private:
  Status PrepareImpl(PrepareContext& ctx) {
    const Tensor* in = ctx.input(0);
    const Tensor* out = ctx.output(0);
    if (in == nullptr || in->type != DType::kFloat32 || out == nullptr || out->type != DType::kFloat32)
      return Status::Unsupported("not float32");
    if (in->shape.rank() != 4 || out->shape.rank() != 4) return Status::Unsupported("not 4-D");
    if (in->num_elements() == 0 || out->num_elements() == 0) return Status::Unsupported("empty tensor");
    if (in->num_elements() > kMaxElements) return Status::Unsupported("tensor too large");
    if (const char* why = PoolPays(o_, out->num_elements())) return Status::Unsupported(why);
    dnnl::post_ops po;
    if (!AppendActivation(o_.activation, &po)) return Status::Unsupported("activation");

    const int64_t n = in->shape[0], ih = in->shape[1], iw = in->shape[2], c = in->shape[3];
    const int64_t oh = out->shape[1], ow = out->shape[2];
    const bool same = o_.padding == Padding::kSame;
    ref::Window wy, wx;
    if (!ref::ComputeWindow(same, static_cast<int32_t>(ih), o_.filter_h, o_.stride_h, 1, &wy) ||
        !ref::ComputeWindow(same, static_cast<int32_t>(iw), o_.filter_w, o_.stride_w, 1, &wx))
      return Status::Unsupported("window");
    if (wy.out != oh || wx.out != ow || out->shape[0] != n || out->shape[3] != c)
      return Status::Unsupported("output shape differs from the window arithmetic");
    const dims strides = {o_.stride_h, o_.stride_w};
    const dims kernel = {o_.filter_h, o_.filter_w};
    const dims pad_l = {wy.pad, wx.pad};
    const dims pad_r = {RightPad(ih, oh, o_.stride_h, o_.filter_h, wy.pad),
                        RightPad(iw, ow, o_.stride_w, o_.filter_w, wx.pad)};

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    attr.set_post_ops(po);
    const dnnl::memory::desc src_md({n, c, ih, iw}, dt::f32, tag::nhwc);
    const dnnl::memory::desc dst_md({n, c, oh, ow}, dt::f32, tag::nhwc);
    const dnnl::pooling_forward::desc d(
        dnnl::prop_kind::forward_inference,
        dnnl::algorithm::pooling_avg_exclude_padding, src_md, dst_md, strides,
        kernel, pad_l, pad_r);
    const dnnl::pooling_forward::primitive_desc pd(d, attr, Engine());
    if (IsReferenceImpl(pd)) return NoOptimizedKernel(pd);
    return run_.Init(ctx, dnnl::pooling_forward(pd), pd.scratchpad_desc(), src_md, src_md, dst_md, dnnl::memory(),
                     dnnl::memory());
  }

  Pool2DOptions o_;
  FloatPrimitive run_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeAveragePool2D(const Pool2DOptions& o, const BackendConfig&) {
  return std::make_unique<AveragePool2DFloat>(o);
}

}  // namespace lithe::onednn
