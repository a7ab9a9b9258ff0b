// SOFTMAX over the last axis: out_i = exp(beta * (x_i - max_j x_j)) / sum_k exp(beta * (x_k - max)).
// Subtracting the row maximum keeps exp() from overflowing and does not change the result. Like
// TensorFlow Lite's float kernel, the row is scaled by 1 / sum rather than divided element by
// element. Float32 reference kernel.
#include <cmath>
#include <memory>
#include <string>

#include "ops/common.h"
#include "ops/registry.h"
#include "ops/softmax_quant.h"

namespace lithe {
namespace {

struct SoftmaxOptions : OpOptions {
  float beta = 0.f;  // the flatbuffer default when the options table is absent
};

Result<SoftmaxOptions> ParseSoftmax(const ::tflite::Operator& op) {
  SoftmaxOptions o;
  if (const auto* p = op.builtin_options_as_SoftmaxOptions()) o.beta = p->beta();
  return o;
}

class SoftmaxFloat final : public OpKernel {
 public:
  explicit SoftmaxFloat(const SoftmaxOptions& options) : options_(options) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(1, 1, 1));
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return ctx.Error("input is missing");
    if (x->type != DType::kFloat32)
      return ctx.Error("input '" + std::string(x->name) + "' is " + DTypeName(x->type) +
                       "; SOFTMAX takes float32, int8, uint8 or int16");
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, *x, 1, kMaxRank, "input"));
    if (!std::isfinite(options_.beta)) return ctx.Error("beta must be finite");
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32)
      return ctx.Error("output '" + std::string(out->name) + "' must be float32, is " + DTypeName(out->type));
    out->shape = x->shape;
    depth_ = x->shape[x->shape.rank() - 1];
    rows_ = depth_ == 0 ? 0 : x->shape.num_elements() / depth_;
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const float* x = ctx.input(0)->data_as<float>();
    float* y = ctx.output(0)->data_as<float>();
    const int64_t depth = depth_;
    const float beta = options_.beta;
    ctx.ParallelFor(rows_, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* in = x + r * depth;
        float* out = y + r * depth;
        float max = in[0];
        for (int64_t i = 1; i < depth; ++i) max = std::max(max, in[i]);
        float sum = 0.f;
        for (int64_t i = 0; i < depth; ++i) {
          out[i] = std::exp((in[i] - max) * beta);
          sum += out[i];
        }
        const float scale = 1.f / sum;
        for (int64_t i = 0; i < depth; ++i) out[i] *= scale;
      }
    }, 8 * depth);  // an exp costs several operations
  }

 private:
  SoftmaxOptions options_;
  int64_t depth_ = 0, rows_ = 0;
};

// Picks the float or the integer kernel from the input's dtype at Prepare.
class SoftmaxKernel final : public OpKernel {
 public:
  explicit SoftmaxKernel(const SoftmaxOptions& options) : options_(options) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* x = ctx.input(0);
    const bool quant = x != nullptr && IsQuantizedType(x->type);
    if (impl_ == nullptr || quant != quant_) {
      if (quant)
        impl_ = MakeSoftmaxQuant(options_.beta);
      else
        impl_ = std::make_unique<SoftmaxFloat>(options_);
      quant_ = quant;
    }
    return impl_->Prepare(ctx);
  }
  void Invoke(InvokeContext& ctx) override { impl_->Invoke(ctx); }

 private:
  SoftmaxOptions options_;
  bool quant_ = false;
  std::unique_ptr<OpKernel> impl_;
};

}  // namespace
}  // namespace lithe

// Versions 2 and 3 add int8 and int16.
LITHE_BUILTIN_OP(Softmax, SOFTMAX, 3, ParseSoftmax, SoftmaxKernel)
