// FULLY_CONNECTED in float32 (bfloat16 under allow_precision_loss) on oneDNN's inner product:
// y[b, u] = act(sum_k x[b, k] * W[u, k] + bias[u]), the input read as [batch, k] whatever its
// rank (ops/fully_connected.cc). keep_num_dims only changes the output's shape, which the
// reference kernel has set; the data are the same [batch, units] matrix.
#include <memory>
#include <string>

#include "backends/onednn/float_util.h"
#include "backends/onednn/kernels.h"

namespace lithe::onednn {
namespace {

// Products of fewer multiply-adds than this run faster in the reference kernel than through a
// oneDNN primitive call (~1.5-2 us each). Measured with batch 1, 1 thread, AVX2 host (us per
// call, reference vs oneDNN): k x units 8x8 0.2/1.5, 128x32 1.5/2.3, 512x8 1.3/1.9,
// 256x32 2.3/2.4, 1024x8 2.8/3.1, 64x128 3.2/2.9, 8x1000 12.0/7.1, 512x32 4.6/3.1.
constexpr int64_t kMinMacs = 6144;

class FullyConnectedFloat final : public OpKernel {
 public:
  FullyConnectedFloat(const FullyConnectedOptions& o, const BackendConfig& c) : o_(o), c_(c) {}

  Status Prepare(PrepareContext& ctx) override {
    return PrepareOnOneDnn([&] { return PrepareImpl(ctx); });
  }

  void Invoke(InvokeContext& ctx) override { run_.Run(ctx, ctx.input(0)->data, ctx.output(0)->data); }

 private:
  Status PrepareImpl(PrepareContext& ctx) {
    const Tensor* in = ctx.input(0);
    const Tensor* w = ctx.input(1);
    const Tensor* out = ctx.output(0);
    if (in == nullptr || in->type != DType::kFloat32 || out == nullptr || out->type != DType::kFloat32)
      return Status::Unsupported("not float32");
    if (const char* why = CheckConstFloat(w, false)) return Status::Unsupported(why);
    const Tensor* bias = ctx.input(2);
    if (const char* why = CheckConstFloat(bias, true)) return Status::Unsupported(why);
    if (w->shape.rank() != 2) return Status::Unsupported("weights not 2-D");
    const int64_t units = w->shape[0], k = w->shape[1];
    if (units < 1 || k < 1 || in->num_elements() == 0 || in->num_elements() % k != 0)
      return Status::Unsupported("empty or mismatched shapes");
    const int64_t batch = in->num_elements() / k;
    if (out->num_elements() != batch * units) return Status::Unsupported("output size differs");
    if (bias != nullptr && bias->num_elements() != units) return Status::Unsupported("bias size differs");
    if (in->num_elements() > kMaxElements || out->num_elements() > kMaxElements || w->num_elements() > kMaxElements)
      return Status::Unsupported("tensor too large");
    if (batch * k * units < kMinMacs) return Status::Unsupported("too small to gain");
    dnnl::post_ops po;
    if (!AppendActivation(o_.activation, &po)) return Status::Unsupported("activation");

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    attr.set_post_ops(po);
    const dnnl::memory::desc src_f32({batch, k}, dt::f32, tag::nc);
    const dnnl::memory::desc dst_md({batch, units}, dt::f32, tag::nc);
    const dnnl::memory::desc bias_md({units}, dt::f32, tag::a);
    const dnnl::memory::desc w_user({units, k}, dt::f32, tag::oi);

    auto make_pd = [&](dt compute) {
      const dnnl::memory::desc src_md({batch, k}, compute, tag::nc);
      const dnnl::memory::desc w_any({units, k}, compute, tag::any);
      dnnl::inner_product_forward::desc d =
          bias != nullptr
              ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src_md, w_any, bias_md, dst_md)
              : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src_md, w_any, dst_md);
      return dnnl::inner_product_forward::primitive_desc(d, attr, Engine());
    };
    bool bf16 = false;
    const auto pd = ChooseComputeType(c_.allow_precision_loss, make_pd, &bf16);
    if (IsReferenceImpl(pd)) return NoOptimizedKernel(pd);

    weights_ = ReorderWeights(w_user, w->data, pd.weights_desc());
    bias_ = bias != nullptr ? ReorderWeights(bias_md, bias->data, bias_md) : dnnl::memory();
    LITHE_RETURN_IF_ERROR(run_.Init(ctx, dnnl::inner_product_forward(pd), pd.scratchpad_desc(), src_f32, pd.src_desc(),
                                    dst_md, weights_, bias_));
    if (bf16) ctx.SetNote("bf16");
    return Status::Ok();
  }

  FullyConnectedOptions o_;
  BackendConfig c_;
  dnnl::memory weights_, bias_;
  FloatPrimitive run_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeFullyConnectedFloat(const FullyConnectedOptions& o, const BackendConfig& c) {
  return std::make_unique<FullyConnectedFloat>(o, c);
}

}  // namespace lithe::onednn
