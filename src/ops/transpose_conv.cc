// TRANSPOSE_CONV: the transpose (gradient with respect to the input) of a 2-D convolution,
// i.e. learned upsampling; float32, TensorFlow Lite 2.9 semantics.
//
//   inputs:  0 output_shape int32 [4] (constant), 1 weights [out_c, kh, kw, in_c],
//            2 input [n, h, w, in_c], 3 optional bias [out_c] (version 3)
//   output:  output_shape, i.e. [n, out_h, out_w, out_c]
//
// The output size is what output_shape says. The padding comes from it (TFLite computes it as if
// the output were a convolution's input, ref::TransposeConvPadding), and the input must be the
// size that padding implies (ref::TransposeConvInputSize): for SAME that is out = in * stride
// give or take, for VALID (in - 1) * stride + k plus up to stride - 1 extra rows, which receive
// only the bias. Other combinations are refused: TensorFlow Lite 2.9's kernel computes
// undefined values for them (it reads scratch memory it never wrote).
//
// fused_activation_function: TensorFlow Lite 2.9 has no such field (its TRANSPOSE_CONV stops at
// version 3); later versions add it at version 4. lithe applies NONE, RELU, RELU_N1_TO_1 and
// RELU6 after the bias as those versions do, and refuses the others at load.
// lithe needs the output shape at AllocateTensors, so a non-constant output_shape is an error.
#include <string>
#include <vector>

#include "kernels/ref/conv.h"
#include "kernels/ref/transpose_conv.h"
#include "ops/common.h"
#include "ops/registry.h"

namespace lithe {
namespace {

struct TransposeConvOptions : OpOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 0, stride_h = 0;
  Activation activation = Activation::kNone;
};

// Missing options mean the flatbuffer defaults: zero strides, which fail.
Result<TransposeConvOptions> ParseTransposeConv(const ::tflite::Operator& op) {
  TransposeConvOptions o;
  if (const auto* p = op.builtin_options_as_TransposeConvOptions()) {
    LITHE_ASSIGN_OR_RETURN(o.padding, ParsePadding(p->padding()));
    LITHE_ASSIGN_OR_RETURN(o.activation, ParseActivation(p->fused_activation_function()));
    o.stride_w = p->stride_w();
    o.stride_h = p->stride_h();
  }
  if (o.stride_w <= 0 || o.stride_h <= 0)
    return Status::Error("strides must be positive, got stride_w " + std::to_string(o.stride_w) + ", stride_h " +
                         std::to_string(o.stride_h));
  return o;
}

constexpr int kOutputShape = 0, kWeights = 1, kInput = 2, kBias = 3;

class TransposeConvKernel final : public OpKernel {
 public:
  explicit TransposeConvKernel(const TransposeConvOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(3, 4, 1));
    const Tensor* shape_t = ctx.input(kOutputShape);
    if (shape_t == nullptr) return ctx.Error("output_shape (input 0) is missing");
    if (shape_t->type != DType::kInt32)
      return ctx.Error("output_shape '" + std::string(shape_t->name) + "' must be int32, is " +
                       DTypeName(shape_t->type));
    if (shape_t->shape.rank() != 1 || shape_t->shape[0] != 4)
      return ctx.Error("output_shape '" + std::string(shape_t->name) + "' must have shape [4], has " +
                       shape_t->shape.ToString());
    if (!shape_t->is_constant || shape_t->data == nullptr)
      return ctx.Error("output_shape '" + std::string(shape_t->name) +
                       "' is not a constant tensor; lithe needs TRANSPOSE_CONV's output shape when it "
                       "allocates tensors");
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(kWeights, DType::kFloat32));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(kInput, DType::kFloat32));
    const Tensor& w = *ctx.input(kWeights);
    const Tensor& in = *ctx.input(kInput);
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, w, 4, 4, "weights"));
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, in, 4, 4, "input"));
    const int32_t out_c = w.shape[0], kh = w.shape[1], kw = w.shape[2], in_c = in.shape[3];
    if (kh < 1 || kw < 1)
      return ctx.Error("weights '" + std::string(w.name) + "' have an empty window, shape " + w.shape.ToString());
    if (w.shape[3] != in_c)
      return ctx.Error("weights depth " + std::to_string(w.shape[3]) + " must equal the input depth " +
                       std::to_string(in_c) + " (input " + in.shape.ToString() + ", weights " + w.shape.ToString() +
                       ")");
    const Tensor* bias = ctx.input(kBias);
    if (bias != nullptr) {
      if (bias->type != DType::kFloat32)
        return ctx.Error("bias '" + std::string(bias->name) + "' has dtype " + DTypeName(bias->type) +
                         ", expected float32");
      if (bias->num_elements() != out_c)
        return ctx.Error("bias '" + std::string(bias->name) + "' has shape " + bias->shape.ToString() +
                         ", expected " + std::to_string(out_c) + " elements (the weights' output channels)");
    }
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32) return ctx.Error("output must be float32, is " + DTypeName(out->type));

    const int32_t* s = shape_t->data_as<int32_t>();
    const Shape out_shape{s[0], s[1], s[2], s[3]};
    for (int d = 0; d < 4; ++d)
      if (s[d] < 0) return ctx.Error("output_shape " + out_shape.ToString() + " has a negative dim");
    if (s[0] != in.shape[0])
      return ctx.Error("output_shape " + out_shape.ToString() + " has batch " + std::to_string(s[0]) +
                       ", the input " + in.shape.ToString() + " has " + std::to_string(in.shape[0]));
    if (s[3] != out_c)
      return ctx.Error("output_shape " + out_shape.ToString() + " has depth " + std::to_string(s[3]) +
                       ", the weights " + w.shape.ToString() + " have " + std::to_string(out_c) +
                       " output channels");

    const bool same = o_.padding == Padding::kSame;
    struct Dim {
      const char* what;
      int32_t in, out, filter, stride;
    };
    const Dim dims[] = {{"height", in.shape[1], s[1], kh, o_.stride_h}, {"width", in.shape[2], s[2], kw, o_.stride_w}};
    for (const Dim& d : dims) {
      const int64_t want = ref::TransposeConvInputSize(same, d.out, d.filter, d.stride);
      if (want != d.in)
        return ctx.Error("output_shape " + out_shape.ToString() + " does not fit the input " + in.shape.ToString() +
                         ": with " + (same ? "SAME" : "VALID") + " padding, stride " + std::to_string(d.stride) +
                         " and filter " + d.what + " " + std::to_string(d.filter) + ", an output " + d.what + " of " +
                         std::to_string(d.out) + " needs an input " + d.what + " of " + std::to_string(want) +
                         ", the input has " + std::to_string(d.in));
    }
    const ActivationRange act = RangeOf(o_.activation);
    g_ = ref::ConvGeometry{in.shape[0], in.shape[1], in.shape[2], in_c, s[1], s[2], out_c, kh, kw,
                           o_.stride_h, o_.stride_w, 1, 1,
                           ref::TransposeConvPadding(same, s[1], kh, o_.stride_h),
                           ref::TransposeConvPadding(same, s[2], kw, o_.stride_w), act.lo, act.hi};
    out->shape = out_shape;

    // Weights are repacked with output channels innermost: once here when constant, else on
    // every Invoke into scratch.
    const size_t w_bytes = static_cast<size_t>(w.num_elements()) * sizeof(float);
    packed_.clear();
    scratch_ = -1;
    if (w.is_constant) {
      packed_.resize(static_cast<size_t>(w.num_elements()));
      ref::PackTransposeConvFilter(w.data_as<float>(), out_c, kh, kw, in_c, packed_.data());
    } else if (w_bytes > 0) {
      scratch_ = ctx.RequestScratch(w_bytes);
    }
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    if (ctx.output(0)->num_elements() == 0) return;
    const float* packed = packed_.data();
    if (scratch_ >= 0) {
      float* p = static_cast<float*>(ctx.scratch(scratch_));
      ref::PackTransposeConvFilter(ctx.input(kWeights)->data_as<float>(), g_.out_c, g_.filter_h, g_.filter_w,
                                   g_.in_c, p);
      packed = p;
    }
    const Tensor* bias_t = ctx.input(kBias);
    const float* in = ctx.input(kInput)->data_as<float>();
    const float* bias = bias_t != nullptr ? bias_t->data_as<float>() : nullptr;
    float* out = ctx.output(0)->data_as<float>();
    ctx.ParallelFor(static_cast<int64_t>(g_.batches) * g_.out_h, [&](int64_t begin, int64_t end) {
      ref::TransposeConvRows(g_, in, packed, bias, out, begin, end);
    });
  }

 private:
  TransposeConvOptions o_;
  ref::ConvGeometry g_;
  std::vector<float> packed_;
  int scratch_ = -1;
};

}  // namespace
}  // namespace lithe

// Version 2 adds int8 (refused above), 3 the optional bias, 4 the fused activation.
LITHE_BUILTIN_OP(TransposeConv, TRANSPOSE_CONV, 4, ParseTransposeConv, TransposeConvKernel)
