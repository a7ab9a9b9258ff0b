// ONNX element-wise ops, activations, softmax, reductions and BatchNormalization.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "convert/onnx_ops_common.h"

namespace lithe::convert::ops {

template <class F>
Status FoldBinary(Converter& c, const OnnxNode& n, const ConstData& a, const ConstData& b, F f) {
  LITHE_ASSIGN_OR_RETURN(Dims shape, BroadcastDims(a.shape, b.shape));
  const size_t r = shape.size();
  ConstData out;
  out.is_float = a.is_float || b.is_float;
  out.shape = shape;
  const int64_t total = Numel(shape);
  auto index_in = [&](const ConstData& x, int64_t k) {
    int64_t idx = 0, stride = 1, rem = k;
    std::vector<int64_t> coord(r);
    for (size_t d = r; d-- > 0;) { coord[d] = rem % shape[d]; rem /= shape[d]; }
    for (size_t d = r; d-- > r - x.shape.size();) {
      const int64_t dim = x.shape[d - (r - x.shape.size())];
      idx += (dim == 1 ? 0 : coord[d]) * stride;
      stride *= dim;
    }
    return idx;
  };
  for (int64_t k = 0; k < total; ++k) {
    const double v = f(a.at(index_in(a, k)), b.at(index_in(b, k)));
    if (out.is_float) out.f.push_back(static_cast<float>(v));
    else out.i.push_back(static_cast<int64_t>(v));
  }
  return c.SetOutputConst(n, 0, std::move(out));
}

template <BuiltinOperator kCode>
Status ConvertBinary(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  if (c.opset() < 7 && c.Attr(n, "broadcast")) return Status::Error("legacy broadcast attribute");
  LITHE_ASSIGN_OR_RETURN(Value * a, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Value * b, c.Input(n, 1));
  if (a->constant && b->constant) {
    switch (kCode) {
      case BuiltinOperator::ADD: return FoldBinary(c, n, *a->constant, *b->constant, [](double x, double y) { return x + y; });
      case BuiltinOperator::SUB: return FoldBinary(c, n, *a->constant, *b->constant, [](double x, double y) { return x - y; });
      case BuiltinOperator::MUL: return FoldBinary(c, n, *a->constant, *b->constant, [](double x, double y) { return x * y; });
      case BuiltinOperator::DIV:
        if (!a->constant->is_float && !b->constant->is_float)
          return FoldBinary(c, n, *a->constant, *b->constant, [](double x, double y) {
            return y == 0 ? 0.0 : std::trunc(x / y);
          });
        return FoldBinary(c, n, *a->constant, *b->constant, [](double x, double y) { return x / y; });
      default: break;
    }
  }
  return BinaryOp(c, OutName(n), a, b, kCode, /*fuse=*/true);
}

Status ConvertPRelu(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Value * slope, c.Input(n, 1));
  LITHE_ASSIGN_OR_RETURN(Dims shape, BroadcastDims(x->shape, slope->shape));
  if (shape != x->shape) return Status::Error("slope must broadcast to the input's shape");
  return BinaryOp(c, OutName(n), x, slope, BuiltinOperator::PRELU, /*fuse=*/false);
}

Status ConvertRelu(Converter& c, const OnnxNode& n) { return Unary(c, n, BuiltinOperator::RELU); }
Status ConvertSigmoid(Converter& c, const OnnxNode& n) { return Unary(c, n, BuiltinOperator::LOGISTIC); }
Status ConvertTanh(Converter& c, const OnnxNode& n) { return Unary(c, n, BuiltinOperator::TANH); }
Status ConvertHardSwish(Converter& c, const OnnxNode& n) { return Unary(c, n, BuiltinOperator::HARD_SWISH); }

Status ConvertLeakyRelu(Converter& c, const OnnxNode& n) {
  ::tflite::LeakyReluOptionsT o;
  LITHE_ASSIGN_OR_RETURN(o.alpha, c.AttrFloat(n, "alpha", 0.01f));
  return Unary(c, n, BuiltinOperator::LEAKY_RELU, Options(std::move(o)));
}

Status ConvertIdentity(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  Value v = *x;
  v.layouts.clear();
  v.producer = -1;
  return c.SetOutput(n, 0, std::move(v));
}

// max(lo, min(hi, x)) with MAXIMUM/MINIMUM, or a TFLite activation when one matches.
Status ClampTo(Converter& c, const OnnxNode& n, Value* x, float lo, float hi,
               const std::string& out_name) {
  bool ok;
  const auto act = ToTflite(lo, hi, &ok);
  const Perm p = x->constant ? IdentityPerm(x->shape.size()) : x->perm;
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  const Dims dims = Permuted(x->shape, p);
  const size_t r = dims.size();
  if (ok && act == ::tflite::ActivationFunctionType::NONE) {
    LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(out_name, dims));
    ::tflite::ReshapeOptionsT o;
    o.new_shape.assign(dims.begin(), dims.end());
    const int s = c.AddConstInt32(out_name + "/shape", {static_cast<int64_t>(r)}, dims);
    c.AddOp(BuiltinOperator::RESHAPE, {in, s}, {out}, Options(std::move(o)));
    return DefineValue(c, out_name, x->shape, out, p);
  }
  if (ok) {
    const BuiltinOperator code = act == ::tflite::ActivationFunctionType::RELU    ? BuiltinOperator::RELU
                                 : act == ::tflite::ActivationFunctionType::RELU6 ? BuiltinOperator::RELU6
                                                                                  : BuiltinOperator::RELU_N1_TO_1;
    LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(out_name, dims));
    c.AddOp(code, {in}, {out});
    return DefineValue(c, out_name, x->shape, out, p);
  }
  int cur = in;
  if (lo > -kInf) {
    LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(out_name + (hi < kInf ? "/max" : ""), dims));
    c.AddOp(BuiltinOperator::MAXIMUM, {cur, ScalarTensor(c, out_name + "/lo", lo, r)}, {t},
            Options(::tflite::MaximumMinimumOptionsT()));
    cur = t;
  }
  if (hi < kInf) {
    LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(out_name, dims));
    c.AddOp(BuiltinOperator::MINIMUM, {cur, ScalarTensor(c, out_name + "/hi", hi, r)}, {t},
            Options(::tflite::MaximumMinimumOptionsT()));
    cur = t;
  }
  return DefineValue(c, out_name, x->shape, cur, p);
}

Status ConvertClip(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(auto bounds, ClipBounds(c, n));
  if (std::isnan(bounds.first) || std::isnan(bounds.second))
    return Status::Error("Clip bounds are NaN");
  return ClampTo(c, n, x, bounds.first, bounds.second, OutName(n));
}

Status ConvertHardSigmoid(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(float alpha, c.AttrFloat(n, "alpha", 0.2f));
  LITHE_ASSIGN_OR_RETURN(float beta, c.AttrFloat(n, "beta", 0.5f));
  // min(1, relu(alpha * x + beta))
  const Perm p = x->constant ? IdentityPerm(x->shape.size()) : x->perm;
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  const Dims dims = Permuted(x->shape, p);
  const size_t r = dims.size();
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int scaled, c.AddTensor(name + "/scaled", dims));
  c.AddOp(BuiltinOperator::MUL, {in, ScalarTensor(c, name + "/alpha", alpha, r)}, {scaled},
          Options(::tflite::MulOptionsT()));
  LITHE_ASSIGN_OR_RETURN(int shifted, c.AddTensor(name + "/relu", dims));
  ::tflite::AddOptionsT add;
  add.fused_activation_function = ::tflite::ActivationFunctionType::RELU;
  c.AddOp(BuiltinOperator::ADD, {scaled, ScalarTensor(c, name + "/beta", beta, r)}, {shifted},
          Options(std::move(add)));
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, dims));
  c.AddOp(BuiltinOperator::MINIMUM, {shifted, ScalarTensor(c, name + "/one", 1.0f, r)}, {out},
          Options(::tflite::MaximumMinimumOptionsT()));
  return c.SetOutputTensor(n, 0, x->shape, out, p);
}

Status SoftmaxLike(Converter& c, const OnnxNode& n, BuiltinOperator code) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const size_t r = x->shape.size();
  if (r == 0) return Status::Error("Softmax of a scalar");
  LITHE_ASSIGN_OR_RETURN(int64_t axis_attr, c.AttrInt(n, "axis", c.opset() >= 13 ? -1 : 1));
  LITHE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, r));
  ::tflite::SoftmaxOptionsT so;
  so.beta = 1.0f;
  const std::string& name = OutName(n);
  if (c.opset() < 13 && axis != static_cast<int64_t>(r) - 1) {
    // Before opset 13: softmax over the input flattened to 2-D at `axis`.
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x->shape[d];
    const Dims flat = {outer, Numel(x->shape) / std::max<int64_t>(outer, 1)};
    LITHE_ASSIGN_OR_RETURN(int in, c.TensorInOnnxOrder(*x));
    LITHE_ASSIGN_OR_RETURN(int t2d, c.AddTensor(name + "/2d", flat));
    ::tflite::ReshapeOptionsT ro;
    ro.new_shape.assign(flat.begin(), flat.end());
    c.AddOp(BuiltinOperator::RESHAPE, {in, c.AddConstInt32(name + "/2d_shape", {2}, flat)}, {t2d},
            Options(std::move(ro)));
    LITHE_ASSIGN_OR_RETURN(int s2d, c.AddTensor(name + "/softmax2d", flat));
    c.AddOp(code, {t2d}, {s2d},
            code == BuiltinOperator::SOFTMAX ? Options(std::move(so)) : Options(::tflite::LogSoftmaxOptionsT()));
    LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, x->shape));
    ::tflite::ReshapeOptionsT ro2;
    ro2.new_shape.assign(x->shape.begin(), x->shape.end());
    c.AddOp(BuiltinOperator::RESHAPE,
            {s2d, c.AddConstInt32(name + "/shape", {static_cast<int64_t>(r)}, x->shape)}, {out},
            Options(std::move(ro2)));
    return c.SetOutputTensor(n, 0, x->shape, out, IdentityPerm(r));
  }
  // Softmax runs over TFLite's last dim: use the input's layout when `axis` is last there,
  // else a layout that puts it last.
  Perm p = x->constant ? IdentityPerm(r) : x->perm;
  if (p.back() != axis) {
    p.clear();
    for (size_t d = 0; d < r; ++d)
      if (static_cast<int64_t>(d) != axis) p.push_back(static_cast<int>(d));
    p.push_back(static_cast<int>(axis));
  }
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(x->shape, p)));
  c.AddOp(code, {in}, {out},
          code == BuiltinOperator::SOFTMAX ? Options(std::move(so)) : Options(::tflite::LogSoftmaxOptionsT()));
  return c.SetOutputTensor(n, 0, x->shape, out, p);
}

Status ConvertSoftmax(Converter& c, const OnnxNode& n) { return SoftmaxLike(c, n, BuiltinOperator::SOFTMAX); }
Status ConvertLogSoftmax(Converter& c, const OnnxNode& n) { return SoftmaxLike(c, n, BuiltinOperator::LOG_SOFTMAX); }
Status ConvertExp(Converter& c, const OnnxNode& n) { return Unary(c, n, BuiltinOperator::EXP, Options(::tflite::ExpOptionsT())); }

Status ConvertDropout(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));  // the mask output is refused
  if (n.has_input(2)) {
    LITHE_ASSIGN_OR_RETURN(auto t, c.ConstInput(n, 2));
    if (t->numel() != 1 || t->at(0) != 0) return Status::Error("training_mode is not supported");
  }
  return ConvertIdentity(c, n);
}


Status ConvertGlobalAveragePool(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() < 3) return Status::Error("input must have spatial dims");
  Dims axes;
  for (size_t a = 2; a < x->shape.size(); ++a) axes.push_back(static_cast<int64_t>(a));
  return Reduce(c, n, x, axes, true, BuiltinOperator::MEAN);
}

Status ConvertGlobalMaxPool(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() < 3) return Status::Error("input must have spatial dims");
  Dims axes;
  for (size_t a = 2; a < x->shape.size(); ++a) axes.push_back(static_cast<int64_t>(a));
  return Reduce(c, n, x, axes, true, BuiltinOperator::REDUCE_MAX);
}

// ReduceMean/ReduceMax/ReduceSum: axes as an attribute, or (ReduceSum from opset 13) an input.
template <BuiltinOperator kCode>
Status ConvertReduce(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.empty()) return Status::Error("reduction of a scalar");
  LITHE_ASSIGN_OR_RETURN(int64_t keepdims, c.AttrInt(n, "keepdims", 1));
  LITHE_ASSIGN_OR_RETURN(int64_t noop_empty, c.AttrInt(n, "noop_with_empty_axes", 0));
  Dims all;
  for (size_t a = 0; a < x->shape.size(); ++a) all.push_back(static_cast<int64_t>(a));
  Dims axes;
  const bool axes_input = kCode == BuiltinOperator::SUM && c.opset() >= 13;
  if (axes_input) {
    if (n.has_input(1)) {
      LITHE_ASSIGN_OR_RETURN(auto a, c.ConstInput(n, 1));
      if (a->is_float) return Status::Error("axes must be int64");
      axes = a->i;
    }
  } else {
    LITHE_ASSIGN_OR_RETURN(axes, c.AttrInts(n, "axes", {}));
  }
  if (axes.empty()) {
    if (noop_empty) return ConvertIdentity(c, n);
    axes = all;
  }
  return Reduce(c, n, x, axes, keepdims != 0, kCode);
}

Status ConvertBatchNorm(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(int64_t training, c.AttrInt(n, "training_mode", 0));
  if (training) return Status::Error("training_mode is not supported");
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() < 2) return Status::Error("input must have a channel dim");
  const int64_t C = x->shape[1];
  std::shared_ptr<const ConstData> p[4];
  for (int i = 0; i < 4; ++i) {
    LITHE_ASSIGN_OR_RETURN(p[i], c.ConstInput(n, i + 1));
    if (!p[i]->is_float || p[i]->numel() != C)
      return Status::Error("input " + std::to_string(i + 1) + " must be float [" + std::to_string(C) + "]");
  }
  LITHE_ASSIGN_OR_RETURN(float eps, c.AttrFloat(n, "epsilon", 1e-5f));
  std::vector<float> scale(C), shift(C);
  for (int64_t k = 0; k < C; ++k) {
    scale[k] = p[0]->f[k] / std::sqrt(p[3]->f[k] + eps);
    shift[k] = p[1]->f[k] - p[2]->f[k] * scale[k];
  }
  Dims cshape(x->shape.size(), 1);
  cshape[1] = C;
  const std::string& name = OutName(n);
  Value s = MakeConstValue(name + "/scale", cshape, std::move(scale));
  Value t = MakeConstValue(name + "/shift", cshape, std::move(shift));
  // x * scale, then + shift (the ADD defines the node's output).
  LITHE_RETURN_IF_ERROR(BinaryOp(c, name + "/scaled", x, &s, BuiltinOperator::MUL, false));
  return BinaryOp(c, name, c.FindValue(name + "/scaled"), &t, BuiltinOperator::ADD, true);
}

Status ConvertAdd(Converter& c, const OnnxNode& n) { return ConvertBinary<BuiltinOperator::ADD>(c, n); }
Status ConvertSub(Converter& c, const OnnxNode& n) { return ConvertBinary<BuiltinOperator::SUB>(c, n); }
Status ConvertMul(Converter& c, const OnnxNode& n) { return ConvertBinary<BuiltinOperator::MUL>(c, n); }
Status ConvertDiv(Converter& c, const OnnxNode& n) { return ConvertBinary<BuiltinOperator::DIV>(c, n); }
Status ConvertReduceMean(Converter& c, const OnnxNode& n) { return ConvertReduce<BuiltinOperator::MEAN>(c, n); }
Status ConvertReduceMax(Converter& c, const OnnxNode& n) { return ConvertReduce<BuiltinOperator::REDUCE_MAX>(c, n); }
Status ConvertReduceSum(Converter& c, const OnnxNode& n) { return ConvertReduce<BuiltinOperator::SUM>(c, n); }

}  // namespace lithe::convert::ops
