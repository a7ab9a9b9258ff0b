// FULLY_CONNECTED with int8 input / output and int8 per-tensor symmetric weights on oneDNN's
// matmul (s8 x s8 -> s32), then TFLite's ruy requantization (int8_util.h). The input zero point
// is folded into the bias at Prepare, exactly in TFLite's wrapping int32 arithmetic:
//   sum_i (x_i - zp) * w_i + b = sum_i x_i * w_i + (b - zp * sum_i w_i).
// On CPUs without VNNI it runs on lithe's AVX2 GEMM (int8_gemm.h) instead.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "backends/onednn/engine.h"
#include "backends/onednn/int8_gemm.h"
#include "backends/onednn/int8_util.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/dense_quant.h"

namespace lithe::onednn {
namespace {

class FullyConnectedInt8 final : public OpKernel {
 public:
  explicit FullyConnectedInt8(const FullyConnectedOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* xp = ctx.input(0);
    const Tensor* wp = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    if (xp == nullptr || wp == nullptr || ctx.output(0) == nullptr) return Status::Unsupported("missing operands");
    const Tensor& x = *xp;
    const Tensor& w = *wp;
    if (x.type != DType::kInt8) return Status::Unsupported(DTypeName(x.type) + " input (int8 only)");
    if (w.type != DType::kInt8) return Status::Unsupported(DTypeName(w.type) + " weights (int8 only)");
    if (ctx.output(0)->type != DType::kInt8) return Status::Unsupported("non-int8 output");
    if (!w.is_constant || w.data == nullptr) return Status::Unsupported("non-constant weights");
    if (w.sparsity != nullptr) return Status::Unsupported("sparse weights");
    if (bias != nullptr && (bias->type != DType::kInt32 || !bias->is_constant || bias->data == nullptr))
      return Status::Unsupported("bias not a constant int32 tensor");
    LITHE_ASSIGN_OR_RETURN(const DenseDims d, PrepareDenseDims(ctx, o_.keep_num_dims));
    if (d.batch < 1 || d.units < 1 || d.k < 1) return Status::Unsupported("empty tensor");
    if (w.quant == nullptr || w.quant->scale.size() != 1) return Status::Unsupported("weights not per-tensor");
    LITHE_ASSIGN_OR_RETURN(const QuantParams qx, PerTensorQuant(ctx, x, "input"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qw, PerTensorQuant(ctx, w, "weights"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qy, PerTensorQuant(ctx, *ctx.output(0), "output"));
    if (qw.zero_point != 0) return Status::Unsupported("nonzero weight zero point");

    // Same multiplier as the reference kernel (float product, then double).
    const double product_scale = static_cast<double>(qx.scale * qw.scale);
    const ref::QuantizedMultiplier m = ref::QuantizeMultiplier(product_scale / static_cast<double>(qy.scale));
    Int8Requant q;
    q.rounding = Int8Rounding::kRuy;
    q.channels = d.units;
    const std::string why = q.SetMultipliers(std::vector<ref::QuantizedMultiplier>(d.units, m));
    if (!why.empty()) return Status::Unsupported(why);
    q.output_zero_point = qy.zero_point;
    QuantizedActivationRange(o_.activation, qy, &q.act_min, &q.act_max);
    std::string why_none;
    impl_ = PickInt8Impl(true, &why_none);
    if (impl_ == Int8Impl::kNone) return Status::Unsupported(why_none);
    if (impl_ == Int8Impl::kLithe && d.batch > std::numeric_limits<int32_t>::max()) {
      return Status::Unsupported("batch too large");
    }
    if (impl_ == Int8Impl::kLithe) {  // the GEMM subtracts the zero point itself: the file's bias
      q.bias.assign(d.units, 0);
      if (bias != nullptr) std::copy(bias->data_as<int32_t>(), bias->data_as<int32_t>() + d.units, q.bias.begin());
      ConvGemmShape gs;
      gs.batches = static_cast<int32_t>(d.batch);
      gs.in_c = d.k;
      gs.out_c = d.units;
      LITHE_RETURN_IF_ERROR(gemm_.Init(ctx, gs, w.data_as<int8_t>(), qx.zero_point, std::move(q)));
      ctx.SetNote("int8 (lithe avx2 gemm)");
      return Status::Ok();
    }
    // Bias with the input zero point folded in (wrapping int32, as TFLite's accumulator).
    const int8_t* wd = w.data_as<int8_t>();
    const int32_t* bd = bias != nullptr ? bias->data_as<int32_t>() : nullptr;
    q.bias.resize(d.units);
    for (int32_t u = 0; u < d.units; ++u) {
      uint32_t sum = 0;
      for (int32_t i = 0; i < d.k; ++i) sum += static_cast<uint32_t>(int32_t{wd[static_cast<int64_t>(u) * d.k + i]});
      uint32_t b = bd != nullptr ? static_cast<uint32_t>(bd[u]) : 0u;
      b -= static_cast<uint32_t>(qx.zero_point) * sum;
      q.bias[u] = static_cast<int32_t>(b);
    }

    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    try {
      const dnnl::engine& eng = Engine();
      const dnnl::memory::dims src_dims{d.batch, d.k}, w_dims{d.k, d.units}, dst_dims{d.batch, d.units};
      const dnnl::memory::desc src_md(src_dims, dt::s8, tag::ab);
      const dnnl::memory::desc w_user_md(w_dims, dt::s8, tag::ba);  // TFLite's [units, k]
      const dnnl::memory::desc w_any_md(w_dims, dt::s8, tag::any);
      const dnnl::memory::desc dst_md(dst_dims, dt::s32, tag::ab);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, w_any_md, dst_md), attr, eng);
      const std::string why_not = ChooseInt8Impl(pd);
      if (!why_not.empty()) return Status::Unsupported(why_not);
      weights_ = ReorderWeights(w_user_md, w.data, pd.weights_desc());
      run_.Init(ctx, pd, dnnl::matmul(pd), src_md, dst_md, weights_, d.batch, std::move(q));
      ctx.SetNote(std::string("int8 matmul (") + pd.impl_info_str() + ")");
    } catch (const dnnl::error& e) {
      return Status::Unsupported(std::string("oneDNN: ") + e.what());
    }
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    if (impl_ == Int8Impl::kLithe) {
      gemm_.Run(ctx);
    } else {
      run_.Run(ctx);
    }
  }

 private:
  FullyConnectedOptions o_;
  Int8Impl impl_ = Int8Impl::kNone;
  Int8Gemm gemm_;
  dnnl::memory weights_;
  Int8Primitive run_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeFullyConnectedInt8(const FullyConnectedOptions& o, const BackendConfig&) {
  return std::make_unique<FullyConnectedInt8>(o);
}

}  // namespace lithe::onednn
