// FULLY_CONNECTED: y = activation(x W^T + b) with weights W [units, k], optional bias [units].
// The input is read as [batch, k] with batch = elements / k (any rank, as TFLite).
// keep_num_dims keeps the input's shape, replacing its last dim (which must be k) by units;
// otherwise the output is [batch, units].
// This file holds the float32 kernel and the dispatch: integer inputs (int8, uint8, int16) run
// the integer kernels of fully_connected_quant.cc, a float input with int8 weights the hybrid
// kernel of fully_connected_quant_hybrid.cc.
#include <limits>
#include <memory>

#include "ops/common.h"
#include "ops/fully_connected_quant.h"
#include "ops/registry.h"

namespace lithe {

Result<DenseDims> PrepareDenseDims(PrepareContext& ctx, bool keep_num_dims) {
  LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(2, 3, 1));
  const Tensor* inp = ctx.input(0);
  const Tensor* wp = ctx.input(1);
  if (inp == nullptr) return ctx.Error("input 0 is missing");
  if (wp == nullptr) return ctx.Error("weights (input 1) are missing");
  const Tensor& in = *inp;
  const Tensor& w = *wp;
  LITHE_RETURN_IF_ERROR(ExpectRank(ctx, w, 2, 2, "weights"));
  DenseDims d;
  d.units = w.shape[0];
  d.k = w.shape[1];
  if (d.k < 1) return ctx.Error("weights '" + std::string(w.name) + "' have shape " + w.shape.ToString() +
                                "; their input size (dim 1) must be at least 1");
  const int64_t n = in.num_elements();
  if (n % d.k != 0)
    return ctx.Error("input '" + std::string(in.name) + "' of shape " + in.shape.ToString() + " has " +
                     std::to_string(n) + " elements, not a multiple of the weights' input size " +
                     std::to_string(d.k));
  d.batch = n / d.k;
  if (d.batch > std::numeric_limits<int32_t>::max()) return ctx.Error("batch size overflows int32");
  if (const Tensor* bias = ctx.input(2); bias != nullptr && bias->num_elements() != d.units)
    return ctx.Error("bias '" + std::string(bias->name) + "' has shape " + bias->shape.ToString() + ", expected " +
                     std::to_string(d.units) + " elements");
  Tensor* out = ctx.output(0);
  if (keep_num_dims) {
    if (in.shape.rank() < 1 || in.shape[in.shape.rank() - 1] != d.k)
      return ctx.Error("keep_num_dims needs the input's last dim to equal the weights' input size " +
                       std::to_string(d.k) + ", input has shape " + in.shape.ToString());
    Shape s = in.shape;
    s[s.rank() - 1] = d.units;
    out->shape = s;
  } else {
    out->shape = Shape{static_cast<int32_t>(d.batch), d.units};
  }
  return d;
}

namespace {

Result<FullyConnectedOptions> ParseFullyConnected(const ::tflite::Operator& op) {
  FullyConnectedOptions o;
  if (const auto* p = op.builtin_options_as_FullyConnectedOptions()) {
    LITHE_ASSIGN_OR_RETURN(o.activation, ParseActivation(p->fused_activation_function()));
    if (p->weights_format() != ::tflite::FullyConnectedOptionsWeightsFormat::DEFAULT)
      return Status::Error("weights_format " + std::to_string(static_cast<int>(p->weights_format())) +
                           " is not supported (only DEFAULT)");
    o.keep_num_dims = p->keep_num_dims();
    o.asymmetric_quantize_inputs = p->asymmetric_quantize_inputs();
  }
  return o;
}

// sum_i x[i] * w[i], in eight interleaved partial sums that are added pairwise at the end: the
// compiler can keep them in vector registers (a single running sum is latency-bound and cannot
// be vectorized without reordering). The result may differ from a left-to-right sum in the last
// bits, as TFLite's own optimized kernels do.
float Dot(const float* x, const float* w, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += x[i + j] * w[i + j];
  float sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; i < n; ++i) sum += x[i] * w[i];
  return sum;
}

class FullyConnectedFloat final : public OpKernel {
 public:
  explicit FullyConnectedFloat(const FullyConnectedOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(0, DType::kFloat32));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(1, DType::kFloat32));
    LITHE_ASSIGN_OR_RETURN(const DenseDims d, PrepareDenseDims(ctx, o_.keep_num_dims));
    units_ = d.units;
    k_ = d.k;
    batch_ = d.batch;
    if (const Tensor* bias = ctx.input(2); bias != nullptr && bias->type != DType::kFloat32)
      return ctx.Error("bias '" + std::string(bias->name) + "' has dtype " + DTypeName(bias->type) +
                       ", expected float32");
    if (ctx.output(0)->type != DType::kFloat32)
      return ctx.Error("output must be float32, is " + DTypeName(ctx.output(0)->type));
    act_ = RangeOf(o_.activation);
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const float* x = ctx.input(0)->data_as<float>();
    const float* w = ctx.input(1)->data_as<float>();
    const Tensor* bias_t = ctx.input(2);
    const float* bias = bias_t != nullptr ? bias_t->data_as<float>() : nullptr;
    float* y = ctx.output(0)->data_as<float>();
    const int64_t units = units_, k = k_;
    const ActivationRange act = act_;
    // One task per output value, so a single-row input (the common case) still spreads over
    // all threads.
    ctx.ParallelFor(batch_ * units, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const int64_t b = i / units, u = i % units;
        const float sum = Dot(x + b * k, w + u * k, k);
        y[i] = act.Apply(bias != nullptr ? sum + bias[u] : sum);
      }
    }, k);
  }

 private:
  FullyConnectedOptions o_;
  int32_t units_ = 0, k_ = 1;
  int64_t batch_ = 0;
  ActivationRange act_;
};

// Picks the kernel from the input and weight dtypes at Prepare; re-picks only when that
// choice changes, so a resize keeps the prepared state.
class FullyConnectedKernel final : public OpKernel {
 public:
  explicit FullyConnectedKernel(const FullyConnectedOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* x = ctx.input(0);
    const Tensor* w = ctx.input(1);
    Kind kind = Kind::kFloat;
    if (x != nullptr && IsQuantizedType(x->type))
      kind = Kind::kInteger;
    else if (x != nullptr && x->type == DType::kFloat32 && w != nullptr &&
             (w->type == DType::kInt8 || w->type == DType::kUInt8))
      kind = Kind::kHybrid;
    if (impl_ == nullptr || kind != kind_) {
      switch (kind) {
        case Kind::kFloat: impl_ = std::make_unique<FullyConnectedFloat>(o_); break;
        case Kind::kInteger: impl_ = MakeFullyConnectedInteger(o_); break;
        case Kind::kHybrid: impl_ = MakeFullyConnectedHybrid(o_); break;
      }
      kind_ = kind;
    }
    return impl_->Prepare(ctx);
  }
  void Invoke(InvokeContext& ctx) override { impl_->Invoke(ctx); }

 private:
  enum class Kind { kFloat, kInteger, kHybrid };
  FullyConnectedOptions o_;
  Kind kind_ = Kind::kFloat;
  std::unique_ptr<OpKernel> impl_;
};

}  // namespace
}  // namespace lithe

// Versions: 3 hybrid, 4 int8, 5 keep_num_dims, 6 optional bias, 7 16x8, 8 sparse weights
// (rejected: lithe densifies with DENSIFY), 9 hybrid with asymmetric_quantize_inputs.
LITHE_BUILTIN_OP(FullyConnected, FULLY_CONNECTED, 9, ParseFullyConnected, FullyConnectedKernel)
