// PAD and PADV2: out = x surrounded by paddings[d] = (before, after) elements along each dim d,
// filled with 0 (PAD) or with PADV2's scalar constant_values input (0 when omitted). Paddings are
// a constant int32/int64 tensor of shape [rank, 2]; negative paddings are an error. Float32
// reference kernel: the output is filled with the pad value, then the input is copied into its
// interior.
//
// int8 / uint8 / int16 as in TensorFlow Lite 2.9: the bytes are moved unchanged (no check of the
// output's parameters against the input's); PAD and a PADV2 without constant_values pad with the
// output's zero point (real 0); PADV2's constant_values must be a scalar of the input's dtype
// quantized with the output's scale and zero point, and its stored integer is the pad value.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/registry.h"

namespace lithe {
namespace {


template <bool kV2>
class PadKernel final : public OpKernel {
 public:
  explicit PadKernel(const NoOptions&) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(2, kV2 ? 3 : 2, 1));
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return ctx.Error("input is missing");
    type_ = x->type;
    if (type_ != DType::kFloat32 && !IsQuantizedType(type_))
      return ctx.Error("input '" + std::string(x->name) + "' is " + DTypeName(x->type) +
                       "; lithe implements this op for float32, int8, uint8 and int16");
    Tensor* out = ctx.output(0);
    if (out->type != type_)
      return ctx.Error("output '" + std::string(out->name) + "' is " + DTypeName(out->type) + ", input is " +
                       DTypeName(type_));
    QuantParams qo;
    if (IsQuantizedType(type_)) {
      LITHE_ASSIGN_OR_RETURN(qo, PerTensorQuant(ctx, *out, "output"));
    }
    const Shape& in = x->shape;
    const int rank = in.rank();

    const Tensor* p = ctx.input(1);
    if (p == nullptr) return ctx.Error("paddings input is missing");
    if (p->shape.rank() != 2 || p->shape[0] != rank || p->shape[1] != 2)
      return ctx.Error("paddings '" + std::string(p->name) + "' must have shape [" + std::to_string(rank) +
                       ", 2] for input of shape " + in.ToString() + ", has " + p->shape.ToString());
    std::vector<int64_t> pads;
    LITHE_RETURN_IF_ERROR(ReadConstInts(ctx, 1, &pads, 2 * kMaxRank));

    has_value_ = false;
    if (kV2 && ctx.input(2) != nullptr) {
      const Tensor* v = ctx.input(2);
      if (v->type != type_)
        return ctx.Error("constant_values '" + std::string(v->name) + "' must be " + DTypeName(type_) +
                         " like the input, is " + DTypeName(v->type));
      if (v->num_elements() != 1)
        return ctx.Error("constant_values '" + std::string(v->name) + "' must hold one value, has shape " +
                         v->shape.ToString());
      if (IsQuantizedType(type_)) {
        LITHE_ASSIGN_OR_RETURN(const QuantParams qv, PerTensorQuant(ctx, *v, "constant_values"));
        if (qv.scale != qo.scale || qv.zero_point != qo.zero_point)
          return ctx.Error("constant_values '" + std::string(v->name) + "' (scale " + std::to_string(qv.scale) +
                           ", zero point " + std::to_string(qv.zero_point) +
                           ") must be quantized like the output (scale " + std::to_string(qo.scale) +
                           ", zero point " + std::to_string(qo.zero_point) + ")");
      }
      has_value_ = true;
    }
    zero_point_ = qo.zero_point;

    Shape shape = in;
    int64_t before[kMaxRank];
    for (int d = 0; d < rank; ++d) {
      const int64_t b = pads[2 * d], a = pads[2 * d + 1];
      if (b < 0 || a < 0)
        return ctx.Error("paddings for dim " + std::to_string(d) + " are (" + std::to_string(b) + ", " +
                         std::to_string(a) + "); negative paddings are not supported");
      const int64_t size = in[d] + b + a;
      if (size > std::numeric_limits<int32_t>::max())
        return ctx.Error("padded dim " + std::to_string(d) + " of size " + std::to_string(size) +
                         " is too large");
      shape[d] = static_cast<int32_t>(size);
      before[d] = b;
    }
    out->shape = shape;

    // The trailing dims without padding are copied whole: one run of `unit_` elements per index
    // of the padded dims in front of them.
    dims_ = 0;
    for (int d = 0; d < rank; ++d)
      if (pads[2 * d] != 0 || pads[2 * d + 1] != 0) dims_ = d + 1;
    unit_ = 1;
    for (int d = dims_; d < rank; ++d) unit_ *= in[d];
    int64_t in_stride = unit_, out_stride = unit_;
    for (int d = dims_ - 1; d >= 0; --d) {
      count_[d] = in[d];
      before_[d] = before[d];
      after_[d] = shape[d] - in[d] - before[d];
      in_stride_[d] = in_stride;
      out_stride_[d] = out_stride;
      in_stride *= in[d];
      out_stride *= shape[d];
    }
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    Tensor* out = ctx.output(0);
    if (out->num_elements() == 0) return;
    switch (type_) {
      case DType::kInt8: Pad<int8_t>(ctx, out); break;
      case DType::kUInt8: Pad<uint8_t>(ctx, out); break;
      case DType::kInt16: Pad<int16_t>(ctx, out); break;
      default: Pad<float>(ctx, out); break;
    }
  }

 private:
  // The pad value is constant_values when given, else real 0 (0.f, or the output's zero point).
  template <class T>
  void Pad(InvokeContext& ctx, Tensor* out) const {
    const T value = has_value_ ? ctx.input(2)->data_as<T>()[0] : static_cast<T>(zero_point_);
    const T* x = ctx.input(0)->data_as<T>();
    T* y = out->data_as<T>();
    if (ctx.input(0)->num_elements() == 0) {
      std::fill_n(y, out->num_elements(), value);
      return;
    }
    if (dims_ == 0) {
      std::copy_n(x, unit_, y);
      return;
    }
    PadDim<T>(0, x, y, value);
  }

  // Writes every element of the output block of dim d once: the padding before, the input's
  // slices (recursively), the padding after.
  template <class T>
  void PadDim(int d, const T* x, T* y, T value) const {
    const int64_t os = out_stride_[d];
    y = std::fill_n(y, before_[d] * os, value);
    if (d == dims_ - 1) {
      y = std::copy_n(x, count_[d] * os, y);
    } else {
      for (int64_t i = 0; i < count_[d]; ++i, x += in_stride_[d], y += os) PadDim<T>(d + 1, x, y, value);
    }
    std::fill_n(y, after_[d] * os, value);
  }

  DType type_ = DType::kFloat32;
  int32_t zero_point_ = 0;
  bool has_value_ = false;
  // Dims [0, dims_) have padding; the rest form runs of unit_ contiguous elements.
  int dims_ = 0;
  int64_t unit_ = 1;
  int64_t count_[kMaxRank] = {}, before_[kMaxRank] = {}, after_[kMaxRank] = {};
  int64_t in_stride_[kMaxRank] = {}, out_stride_[kMaxRank] = {};
};

}  // namespace
}  // namespace lithe

// Versions 2 to 4 add int8, int16 and inputs of rank 5 (which this kernel handles).
LITHE_BUILTIN_OP(Pad, PAD, 4, ParseNoOptions, PadKernel<false>)
LITHE_BUILTIN_OP(Padv2, PADV2, 4, ParseNoOptions, PadKernel<true>)
