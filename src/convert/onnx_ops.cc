// ONNX op converters: one function per ONNX op type, listed in OpConverters() at the end.
// Each reads its ONNX inputs and attributes through the Converter, emits TFLite operators and
// defines its outputs. Shapes are static: every output shape is computed here.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "convert/onnx_context.h"

namespace lithe::convert {
namespace {

using ::tflite::BuiltinOperator;
using ::tflite::BuiltinOptionsUnion;

constexpr float kInf = std::numeric_limits<float>::infinity();

template <class T>
BuiltinOptionsUnion Options(T&& o) {
  BuiltinOptionsUnion u;
  u.Set(std::forward<T>(o));
  return u;
}

const std::string& OutName(const OnnxNode& n, int i = 0) { return n.proto->output(i); }

Result<int64_t> NormalizeAxis(int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r)
    return Status::Error("axis " + std::to_string(axis) + " is out of range for rank " +
                         std::to_string(rank));
  return axis < 0 ? axis + r : axis;
}

Status ExpectOutputs(const OnnxNode& n, int max) {
  for (int i = max; i < n.num_outputs(); ++i)
    if (!n.proto->output(i).empty())
      return Status::Error("output " + std::to_string(i) + " ('" + n.proto->output(i) +
                           "') is not supported");
  if (n.num_outputs() < 1 || n.proto->output(0).empty())
    return Status::Error("the node has no output");
  return Status::Ok();
}

Result<Dims> BroadcastDims(const Dims& a, const Dims& b) {
  const size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
    const int64_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
    if (da != db && da != 1 && db != 1)
      return Status::Error("shapes " + DimsString(a) + " and " + DimsString(b) +
                           " do not broadcast");
    out[i] = (da == 1) ? db : da;
  }
  return out;
}

// A constant `v` seen with `rank` dims (leading 1s added), as a new Value.
Value ExpandedConst(const Value& v, size_t rank) {
  auto c = std::make_shared<ConstData>(*v.constant);
  while (c->shape.size() < rank) c->shape.insert(c->shape.begin(), 1);
  Value e;
  e.name = v.name;
  e.shape = c->shape;
  e.constant = std::move(c);
  return e;
}

// A float constant of the given ONNX shape, as a Value.
Value MakeConstValue(const std::string& name, Dims shape, std::vector<float> data) {
  auto c = std::make_shared<ConstData>();
  c->is_float = true;
  c->shape = std::move(shape);
  c->f = std::move(data);
  Value v;
  v.name = name;
  v.shape = c->shape;
  v.constant = std::move(c);
  return v;
}

// A rank-`rank` tensor of ones holding `value`, broadcastable against anything of that rank.
int ScalarTensor(Converter& c, const std::string& name, float value, size_t rank) {
  return c.AddConstFloat(name, Dims(rank, 1), {value});
}

::tflite::ActivationFunctionType ToTflite(float lo, float hi, bool* ok) {
  *ok = true;
  if (lo == 0 && hi == kInf) return ::tflite::ActivationFunctionType::RELU;
  if (lo == 0 && hi == 6) return ::tflite::ActivationFunctionType::RELU6;
  if (lo == -1 && hi == 1) return ::tflite::ActivationFunctionType::RELU_N1_TO_1;
  if (lo == -kInf && hi == kInf) return ::tflite::ActivationFunctionType::NONE;
  *ok = false;
  return ::tflite::ActivationFunctionType::NONE;
}

// Clip's bounds (attributes before opset 11, constant inputs from 11); ±inf when absent.
Result<std::pair<float, float>> ClipBounds(Converter& c, const OnnxNode& n) {
  float lo = -kInf, hi = kInf;
  if (c.opset() < 11) {
    LITHE_ASSIGN_OR_RETURN(lo, c.AttrFloat(n, "min", -FLT_MAX));
    LITHE_ASSIGN_OR_RETURN(hi, c.AttrFloat(n, "max", FLT_MAX));
    if (lo == -FLT_MAX) lo = -kInf;
    if (hi == FLT_MAX) hi = kInf;
  } else {
    for (int i = 1; i <= 2; ++i) {
      if (!n.has_input(i)) continue;
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, i));
      if (k->numel() != 1) return Status::Error("Clip bounds must be scalars");
      (i == 1 ? lo : hi) = static_cast<float>(k->at(0));
    }
  }
  return std::make_pair(lo, hi);
}

// What follows the value `out` and can be fused into the op that writes it: a Relu, or a Clip
// TFLite has a fused activation for. Returns the activation and the name the fused result goes
// by (the consumer's output), marking the consumer as done.
struct Fused {
  ::tflite::ActivationFunctionType act = ::tflite::ActivationFunctionType::NONE;
  std::string out;
};
Fused FuseActivation(Converter& c, const std::string& out) {
  Fused f;
  f.out = out;
  const OnnxNode* next = c.SoleConsumer(out);
  if (!next || next->num_outputs() != 1) return f;
  if (!next->proto->domain().empty() && next->proto->domain() != "ai.onnx") return f;
  if (next->op() == "Relu") {
    f.act = ::tflite::ActivationFunctionType::RELU;
  } else if (next->op() == "Clip") {
    auto b = ClipBounds(c, *next);
    if (!b.ok()) return f;
    bool ok;
    f.act = ToTflite(b->first, b->second, &ok);
    if (!ok || f.act == ::tflite::ActivationFunctionType::NONE) {
      f.act = ::tflite::ActivationFunctionType::NONE;
      return f;
    }
  } else {
    return f;
  }
  c.MarkFused(*next, out);
  f.out = next->proto->output(0);
  return f;
}

Status DefineValue(Converter& c, const std::string& name, const Dims& shape, int tensor,
                   const Perm& perm) {
  return c.DefineTensor(name, shape, tensor, perm);
}

// --- element-wise --------------------------------------------------------------------------

Status Unary(Converter& c, const OnnxNode& n, BuiltinOperator code,
             BuiltinOptionsUnion options = {}, int version = 1) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const Perm p = x->constant ? IdentityPerm(x->shape.size()) : x->perm;
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  const Dims shape = x->shape;
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(OutName(n), Permuted(shape, p)));
  c.AddOp(code, {in}, {out}, std::move(options), version);
  return c.SetOutputTensor(n, 0, shape, out, p);
}

// A binary op with numpy broadcasting; `fuse` lets a following Relu/Clip fold in.
Status BinaryOp(Converter& c, const std::string& out_name, Value* a, Value* b,
                BuiltinOperator code, bool fuse) {
  LITHE_ASSIGN_OR_RETURN(Dims shape, BroadcastDims(a->shape, b->shape));
  const size_t r = shape.size();
  const Perm p = c.CommonLayout({a, b}, r);
  const bool identity = p == IdentityPerm(r);
  std::vector<int32_t> ins;
  for (Value* v : {a, b}) {
    if (v->constant) {
      Value e = ExpandedConst(*v, r);
      LITHE_ASSIGN_OR_RETURN(int t, c.TensorIn(e, p));
      ins.push_back(t);
    } else if (v->shape.size() == r) {
      LITHE_ASSIGN_OR_RETURN(int t, c.TensorIn(*v, p));
      ins.push_back(t);
    } else {  // lower rank: numpy alignment holds in ONNX order
      if (!identity) return Status::Error("internal: layout for broadcasting");
      LITHE_ASSIGN_OR_RETURN(int t, c.TensorIn(*v, IdentityPerm(v->shape.size())));
      ins.push_back(t);
    }
  }
  Fused f;
  f.out = out_name;
  if (fuse) f = FuseActivation(c, out_name);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(f.out, Permuted(shape, p)));
  BuiltinOptionsUnion o;
  switch (code) {
    case BuiltinOperator::ADD: { ::tflite::AddOptionsT x; x.fused_activation_function = f.act; o = Options(std::move(x)); break; }
    case BuiltinOperator::SUB: { ::tflite::SubOptionsT x; x.fused_activation_function = f.act; o = Options(std::move(x)); break; }
    case BuiltinOperator::MUL: { ::tflite::MulOptionsT x; x.fused_activation_function = f.act; o = Options(std::move(x)); break; }
    case BuiltinOperator::DIV: { ::tflite::DivOptionsT x; x.fused_activation_function = f.act; o = Options(std::move(x)); break; }
    case BuiltinOperator::MINIMUM:
    case BuiltinOperator::MAXIMUM: o = Options(::tflite::MaximumMinimumOptionsT()); break;
    default: break;
  }
  c.AddOp(code, ins, {out}, std::move(o));
  return DefineValue(c, f.out, shape, out, p);
}

// Folds a binary op on two float constants.
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

// --- convolution and pooling ----------------------------------------------------------------

struct Window {  // one spatial dim
  int64_t in = 0, k = 1, s = 1, d = 1, pb = 0, pe = 0, out = 0;
  int64_t extra = 0;  // end padding added by ceil_mode
};

// Resolves pads and output sizes for H and W from the ONNX attributes.
Status ResolveWindows(Converter& c, const OnnxNode& n, const Dims& in_hw, const Dims& kernel,
                      bool ceil_mode, Window w[2]) {
  LITHE_ASSIGN_OR_RETURN(Dims strides, c.AttrInts(n, "strides", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims dil, c.AttrInts(n, "dilations", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims pads, c.AttrInts(n, "pads", {0, 0, 0, 0}));
  LITHE_ASSIGN_OR_RETURN(std::string auto_pad, c.AttrString(n, "auto_pad", "NOTSET"));
  if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4 || kernel.size() != 2)
    return Status::Error("only 2-D windows are supported (strides " + DimsString(strides) +
                         ", dilations " + DimsString(dil) + ", pads " + DimsString(pads) +
                         ", kernel " + DimsString(kernel) + ")");
  for (int i = 0; i < 2; ++i) {
    Window& x = w[i];
    x.in = in_hw[i];
    x.k = kernel[i];
    x.s = strides[i];
    x.d = dil[i];
    if (x.k < 1 || x.k > 1 << 16) return Status::Error("kernel size " + std::to_string(x.k) + " is invalid");
    if (x.s < 1 || x.s > 1 << 16) return Status::Error("stride " + std::to_string(x.s) + " is invalid");
    if (x.d < 1 || x.d > 1 << 16) return Status::Error("dilation " + std::to_string(x.d) + " is invalid");
    const int64_t eff = (x.k - 1) * x.d + 1;
    if (auto_pad == "NOTSET") {
      x.pb = pads[i];
      x.pe = pads[i + 2];
      if (x.pb < 0 || x.pe < 0 || x.pb > 1 << 16 || x.pe > 1 << 16)
        return Status::Error("pads " + DimsString(pads) + " are invalid");
    } else if (auto_pad == "VALID") {
      x.pb = x.pe = 0;
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t out = (x.in + x.s - 1) / x.s;
      const int64_t total = std::max<int64_t>((out - 1) * x.s + eff - x.in, 0);
      const int64_t small = total / 2;
      x.pb = auto_pad == "SAME_UPPER" ? small : total - small;
      x.pe = total - x.pb;
    } else {
      return Status::Error("auto_pad '" + auto_pad + "' is invalid");
    }
    const int64_t span = x.in + x.pb + x.pe - eff;
    if (span < 0)
      return Status::Error("the window (" + std::to_string(eff) + ") is larger than the padded input (" +
                           std::to_string(x.in + x.pb + x.pe) + ")");
    x.out = span / x.s + 1;
    if (ceil_mode && span % x.s != 0) {
      x.out = (span + x.s - 1) / x.s + 1;
      if ((x.out - 1) * x.s >= x.in + x.pb) --x.out;  // the last window must start in the input
      x.extra = std::max<int64_t>((x.out - 1) * x.s + eff - (x.in + x.pb + x.pe), 0);
    }
  }
  return Status::Ok();
}

// TFLite's SAME padding for the window, as (before, after, out).
void TfliteSame(const Window& x, int64_t* pb, int64_t* pe, int64_t* out) {
  const int64_t eff = (x.k - 1) * x.d + 1;
  *out = (x.in + x.s - 1) / x.s;
  const int64_t total = std::max<int64_t>((*out - 1) * x.s + eff - x.in, 0);
  *pb = total / 2;
  *pe = total - *pb;
}

bool IsSame(const Window w[2]) {
  for (int i = 0; i < 2; ++i) {
    int64_t pb, pe, out;
    TfliteSame(w[i], &pb, &pe, &out);
    if (pb != w[i].pb || pe != w[i].pe + w[i].extra || out != w[i].out) return false;
  }
  return true;
}
bool IsValid(const Window w[2]) {
  for (int i = 0; i < 2; ++i)
    if (w[i].pb || w[i].pe || w[i].extra) return false;
  return true;
}

// Pads an NHWC tensor explicitly (PAD, or PADV2 with `value`); returns the padded tensor.
Result<int> PadNhwc(Converter& c, const std::string& name, int in, const Dims& nhwc,
                    const Window w[2], float value) {
  const Dims out = {nhwc[0], nhwc[1] + w[0].pb + w[0].pe + w[0].extra,
                    nhwc[2] + w[1].pb + w[1].pe + w[1].extra, nhwc[3]};
  LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(name + "/padded", out));
  const int pads = c.AddConstInt32(
      name + "/paddings", {4, 2},
      {0, 0, w[0].pb, w[0].pe + w[0].extra, w[1].pb, w[1].pe + w[1].extra, 0, 0});
  if (value == 0) {
    c.AddOp(BuiltinOperator::PAD, {in, pads}, {t}, Options(::tflite::PadOptionsT()));
  } else {
    c.AddOp(BuiltinOperator::PADV2, {in, pads, c.AddConstFloat(name + "/pad_value", {1}, {value})},
            {t}, Options(::tflite::PadV2OptionsT()));
  }
  return t;
}

Status ConvertConv(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4)
    return Status::Error("input " + DimsString(x->shape) + ": only 2-D convolution (NCHW input) is supported");
  auto wr = c.ConstInput(n, 1);
  if (!wr.ok()) return wr.status().Prefixed("weights");
  const ConstData& W = **wr;
  if (!W.is_float || W.shape.size() != 4) return Status::Error("weights must be float [M, C/group, kH, kW]");
  LITHE_ASSIGN_OR_RETURN(int64_t group, c.AttrInt(n, "group", 1));
  const int64_t C = x->shape[1], M = W.shape[0], kh = W.shape[2], kw = W.shape[3];
  if (group < 1 || C % group != 0 || M % group != 0 || W.shape[1] != C / group)
    return Status::Error("group " + std::to_string(group) + " does not fit input channels " +
                         std::to_string(C) + " and weights " + DimsString(W.shape));
  LITHE_ASSIGN_OR_RETURN(Dims kernel, c.AttrInts(n, "kernel_shape", {kh, kw}));
  if (kernel != Dims{kh, kw}) return Status::Error("kernel_shape does not match the weights");
  Window w[2];
  LITHE_RETURN_IF_ERROR(ResolveWindows(c, n, {x->shape[2], x->shape[3]}, kernel, false, w));

  std::vector<float> bias(M, 0.0f);
  if (n.has_input(2)) {
    LITHE_ASSIGN_OR_RETURN(auto b, c.ConstInput(n, 2));
    if (!b->is_float || b->numel() != M) return Status::Error("bias must be float [M]");
    bias = b->f;
  }
  std::vector<float> weights = W.f;
  const int64_t per_out = Numel(W.shape) / std::max<int64_t>(M, 1);
  // Fold a following BatchNormalization into weights and bias.
  std::string out_name = OutName(n);
  if (n.num_inputs() > 3) return Status::Error("Conv takes at most 3 inputs, got " + std::to_string(n.num_inputs()));
  if (const OnnxNode* bn = c.SoleConsumer(out_name);
      bn && bn->op() == "BatchNormalization" && bn->num_inputs() == 5 &&
      (bn->proto->domain().empty() || bn->proto->domain() == "ai.onnx")) {
    std::shared_ptr<const ConstData> p[4];
    bool all_const = true;
    for (int i = 0; i < 4; ++i) {
      auto r = c.ConstInput(*bn, i + 1);
      if (!r.ok() || !(*r)->is_float || (*r)->numel() != M) { all_const = false; break; }
      p[i] = *r;
    }
    auto eps = c.AttrFloat(*bn, "epsilon", 1e-5f);
    auto training = c.AttrInt(*bn, "training_mode", 0);
    bool outputs_ok = true;
    for (int i = 1; i < bn->num_outputs(); ++i) outputs_ok &= bn->proto->output(i).empty();
    if (all_const && eps.ok() && training.ok() && *training == 0 && outputs_ok) {
      for (int64_t m = 0; m < M; ++m) {
        const float s = p[0]->f[m] / std::sqrt(p[3]->f[m] + *eps);
        for (int64_t k = 0; k < per_out; ++k) weights[m * per_out + k] *= s;
        bias[m] = (bias[m] - p[2]->f[m]) * s + p[1]->f[m];
      }
      c.MarkFused(*bn, out_name);
      out_name = bn->proto->output(0);
    }
  }
  const Fused f = FuseActivation(c, out_name);

  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const Dims nhwc = Permuted(x->shape, NhwcPerm());
  ::tflite::Padding padding = ::tflite::Padding::VALID;
  if (IsSame(w) && !IsValid(w)) {
    padding = ::tflite::Padding::SAME;
  } else if (!IsValid(w)) {
    LITHE_ASSIGN_OR_RETURN(in, PadNhwc(c, f.out, in, nhwc, w, 0.0f));
  }
  const Dims out_shape = {x->shape[0], M, w[0].out, w[1].out};
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(f.out, Permuted(out_shape, NhwcPerm())));
  const int b = c.AddConstFloat(f.out + "/bias", {M}, bias);
  const bool depthwise = group > 1 && group == C && W.shape[1] == 1;
  if (depthwise) {  // [1, kH, kW, M]
    std::vector<float> filt(M * kh * kw);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t xx = 0; xx < kw; ++xx) filt[(y * kw + xx) * M + m] = weights[(m * kh + y) * kw + xx];
    const int ft = c.AddConstFloat(f.out + "/weights", {1, kh, kw, M}, std::move(filt));
    ::tflite::DepthwiseConv2DOptionsT o;
    o.padding = padding;
    o.stride_h = static_cast<int32_t>(w[0].s);
    o.stride_w = static_cast<int32_t>(w[1].s);
    o.dilation_h_factor = static_cast<int32_t>(w[0].d);
    o.dilation_w_factor = static_cast<int32_t>(w[1].d);
    o.depth_multiplier = static_cast<int32_t>(M / C);
    o.fused_activation_function = f.act;
    const int version = (w[0].d > 1 || w[1].d > 1) ? 2 : 1;
    c.AddOp(BuiltinOperator::DEPTHWISE_CONV_2D, {in, ft, b}, {out}, Options(std::move(o)), version);
  } else {  // [M, kH, kW, C/group]
    const int64_t cg = C / group;
    std::vector<float> filt(M * kh * kw * cg);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t xx = 0; xx < kw; ++xx)
            filt[((m * kh + y) * kw + xx) * cg + ci] = weights[((m * cg + ci) * kh + y) * kw + xx];
    const int ft = c.AddConstFloat(f.out + "/weights", {M, kh, kw, cg}, std::move(filt));
    ::tflite::Conv2DOptionsT o;
    o.padding = padding;
    o.stride_h = static_cast<int32_t>(w[0].s);
    o.stride_w = static_cast<int32_t>(w[1].s);
    o.dilation_h_factor = static_cast<int32_t>(w[0].d);
    o.dilation_w_factor = static_cast<int32_t>(w[1].d);
    o.fused_activation_function = f.act;
    c.AddOp(BuiltinOperator::CONV_2D, {in, ft, b}, {out}, Options(std::move(o)));
  }
  return DefineValue(c, f.out, out_shape, out, NhwcPerm());
}

Status ConvertConvTranspose(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4)
    return Status::Error("input " + DimsString(x->shape) + ": only 2-D transposed convolution is supported");
  auto wr = c.ConstInput(n, 1);
  if (!wr.ok()) return wr.status().Prefixed("weights");
  const ConstData& W = **wr;
  if (!W.is_float || W.shape.size() != 4) return Status::Error("weights must be float [C, M, kH, kW]");
  LITHE_ASSIGN_OR_RETURN(int64_t group, c.AttrInt(n, "group", 1));
  if (group != 1) return Status::Error("group " + std::to_string(group) + " is not supported (1 only)");
  const int64_t C = x->shape[1], M = W.shape[1], kh = W.shape[2], kw = W.shape[3];
  if (W.shape[0] != C) return Status::Error("weights " + DimsString(W.shape) + " do not fit input channels " + std::to_string(C));
  LITHE_ASSIGN_OR_RETURN(Dims kernel, c.AttrInts(n, "kernel_shape", {kh, kw}));
  LITHE_ASSIGN_OR_RETURN(Dims strides, c.AttrInts(n, "strides", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims dil, c.AttrInts(n, "dilations", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims pads, c.AttrInts(n, "pads", {0, 0, 0, 0}));
  LITHE_ASSIGN_OR_RETURN(Dims out_pad, c.AttrInts(n, "output_padding", {0, 0}));
  LITHE_ASSIGN_OR_RETURN(Dims out_shape_attr, c.AttrInts(n, "output_shape", {}));
  LITHE_ASSIGN_OR_RETURN(std::string auto_pad, c.AttrString(n, "auto_pad", "NOTSET"));
  if (kernel != Dims{kh, kw}) return Status::Error("kernel_shape does not match the weights");
  if (strides.size() != 2 || pads.size() != 4 || out_pad.size() != 2 || dil.size() != 2)
    return Status::Error("only 2-D strides, dilations, pads and output_padding are supported");
  for (int64_t d : dil)
    if (d < 1 || d > 64) return Status::Error("dilations " + DimsString(dil) + " are invalid");
  // A dilated kernel is the kernel with zeros between its taps.
  const int64_t ekh = (kh - 1) * dil[0] + 1, ekw = (kw - 1) * dil[1] + 1;
  kernel = {ekh, ekw};
  int64_t pb[2], pe[2], full[2], outd[2];
  for (int i = 0; i < 2; ++i) {
    const int64_t in = x->shape[2 + i], k = kernel[i], s = strides[i];
    if (s < 1 || s > 1 << 16) return Status::Error("stride " + std::to_string(s) + " is invalid");
    if (out_pad[i] < 0 || out_pad[i] >= std::max<int64_t>(s, 1))
      return Status::Error("output_padding " + DimsString(out_pad) + " is invalid");
    full[i] = (in - 1) * s + k + out_pad[i];  // before cropping pads
    if (!out_shape_attr.empty()) {
      if (out_shape_attr.size() != 2) return Status::Error("output_shape must have 2 values");
      if (out_shape_attr[i] < 1 || out_shape_attr[i] > full[i] + s - 1)
        return Status::Error("output_shape " + DimsString(out_shape_attr) + " is invalid");
      const int64_t total = full[i] - out_shape_attr[i];
      if (total < 0) {  // a larger output: the extra rows get only the bias
        full[i] = out_shape_attr[i];
        pb[i] = pe[i] = 0;
      } else if (auto_pad == "SAME_UPPER") { pb[i] = total / 2; pe[i] = total - pb[i]; }
      else { pe[i] = total / 2; pb[i] = total - pe[i]; }
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(full[i] - in * s, 0);
      if (auto_pad == "SAME_UPPER") { pb[i] = total / 2; pe[i] = total - pb[i]; }
      else { pe[i] = total / 2; pb[i] = total - pe[i]; }
    } else if (auto_pad == "VALID" || auto_pad == "NOTSET") {
      pb[i] = auto_pad == "VALID" ? 0 : pads[i];
      pe[i] = auto_pad == "VALID" ? 0 : pads[i + 2];
    } else {
      return Status::Error("auto_pad '" + auto_pad + "' is invalid");
    }
    if (pb[i] < 0 || pe[i] < 0) return Status::Error("pads " + DimsString(pads) + " are invalid");
    outd[i] = full[i] - pb[i] - pe[i];
    if (outd[i] < 1) return Status::Error("the output would be empty");
  }
  std::vector<float> bias(M, 0.0f);
  if (n.has_input(2)) {
    LITHE_ASSIGN_OR_RETURN(auto b, c.ConstInput(n, 2));
    if (!b->is_float || b->numel() != M) return Status::Error("bias must be float [M]");
    bias = b->f;
  }
  // TRANSPOSE_CONV, VALID, into the full (uncropped) size; then crop the pads.
  std::vector<float> filt(M * ekh * ekw * C, 0.0f);  // [M, kH', kW', C]
  for (int64_t ci = 0; ci < C; ++ci)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t xx = 0; xx < kw; ++xx)
          filt[((m * ekh + y * dil[0]) * ekw + xx * dil[1]) * C + ci] =
              W.f[((ci * M + m) * kh + y) * kw + xx];
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const Dims full_nhwc = {x->shape[0], full[0], full[1], M};
  const bool crop = pb[0] || pb[1] || pe[0] || pe[1];
  LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(crop ? name + "/full" : name, full_nhwc));
  ::tflite::TransposeConvOptionsT o;
  o.padding = ::tflite::Padding::VALID;
  o.stride_h = static_cast<int32_t>(strides[0]);
  o.stride_w = static_cast<int32_t>(strides[1]);
  c.AddOp(BuiltinOperator::TRANSPOSE_CONV,
          {c.AddConstInt32(name + "/output_shape", {4}, full_nhwc),
           c.AddConstFloat(name + "/weights", {M, ekh, ekw, C}, std::move(filt)), in,
           c.AddConstFloat(name + "/bias", {M}, bias)},
          {t}, Options(std::move(o)), 3);
  const Dims out_shape = {x->shape[0], M, outd[0], outd[1]};
  if (crop) {
    const Dims out_nhwc = Permuted(out_shape, NhwcPerm());
    LITHE_ASSIGN_OR_RETURN(int cropped, c.AddTensor(name, out_nhwc));
    ::tflite::StridedSliceOptionsT so;
    c.AddOp(BuiltinOperator::STRIDED_SLICE,
            {t, c.AddConstInt32(name + "/begin", {4}, {0, pb[0], pb[1], 0}),
             c.AddConstInt32(name + "/end", {4}, {full_nhwc[0], pb[0] + outd[0], pb[1] + outd[1], M}),
             c.AddConstInt32(name + "/strides", {4}, {1, 1, 1, 1})},
            {cropped}, Options(std::move(so)));
    t = cropped;
  }
  return c.SetOutputTensor(n, 0, out_shape, t, NhwcPerm());
}

Status ConvertPool(Converter& c, const OnnxNode& n, bool is_max) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4) return Status::Error("input " + DimsString(x->shape) + ": only 2-D pooling is supported");
  LITHE_ASSIGN_OR_RETURN(Dims kernel, c.AttrInts(n, "kernel_shape", {}));
  LITHE_ASSIGN_OR_RETURN(int64_t ceil_mode, c.AttrInt(n, "ceil_mode", 0));
  LITHE_ASSIGN_OR_RETURN(Dims dil, c.AttrInts(n, "dilations", {1, 1}));
  if (dil != Dims{1, 1}) return Status::Error("dilations " + DimsString(dil) + " are not supported");
  LITHE_ASSIGN_OR_RETURN(int64_t include_pad, c.AttrInt(n, "count_include_pad", 0));
  Window w[2];
  LITHE_RETURN_IF_ERROR(ResolveWindows(c, n, {x->shape[2], x->shape[3]}, kernel, ceil_mode != 0, w));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const Dims nhwc = Permuted(x->shape, NhwcPerm());
  ::tflite::Padding padding = ::tflite::Padding::VALID;
  bool correct = false;  // average pool over explicit zero padding: rescale per position
  if (IsValid(w)) {
  } else if (IsSame(w) && (is_max || !include_pad)) {
    padding = ::tflite::Padding::SAME;
  } else {
    LITHE_ASSIGN_OR_RETURN(in, PadNhwc(c, name, in, nhwc, w, is_max ? -FLT_MAX : 0.0f));
    correct = !is_max;
  }
  const Dims out_shape = {x->shape[0], x->shape[1], w[0].out, w[1].out};
  const Dims out_nhwc = Permuted(out_shape, NhwcPerm());
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(correct ? name + "/sum" : name, out_nhwc));
  ::tflite::Pool2DOptionsT o;
  o.padding = padding;
  o.stride_h = static_cast<int32_t>(w[0].s);
  o.stride_w = static_cast<int32_t>(w[1].s);
  o.filter_height = static_cast<int32_t>(w[0].k);
  o.filter_width = static_cast<int32_t>(w[1].k);
  c.AddOp(is_max ? BuiltinOperator::MAX_POOL_2D : BuiltinOperator::AVERAGE_POOL_2D, {in}, {out},
          Options(std::move(o)));
  if (correct) {
    // AVERAGE_POOL over the padded input divides by the window size; ONNX divides by the
    // number of positions inside the input (or inside input + explicit pads).
    std::vector<float> scale(w[0].out * w[1].out);
    bool all_one = true;
    for (int64_t oy = 0; oy < w[0].out; ++oy)
      for (int64_t ox = 0; ox < w[1].out; ++ox) {
        int64_t count[2];
        for (int i = 0; i < 2; ++i) {
          const int64_t start = (i ? ox : oy) * w[i].s - w[i].pb;
          const int64_t lo = include_pad ? -w[i].pb : 0;
          const int64_t hi = include_pad ? w[i].in + w[i].pe : w[i].in;
          count[i] = std::max<int64_t>(std::min(start + w[i].k, hi) - std::max(start, lo), 1);
        }
        const float s = static_cast<float>(w[0].k * w[1].k) / static_cast<float>(count[0] * count[1]);
        scale[oy * w[1].out + ox] = s;
        all_one &= (s == 1.0f);
      }
    LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(name, out_nhwc));
    c.AddOp(BuiltinOperator::MUL,
            {out, c.AddConstFloat(name + "/count_scale", {1, w[0].out, w[1].out, 1}, std::move(scale))},
            {t}, Options(::tflite::MulOptionsT()));
    (void)all_one;
    out = t;
  }
  return c.SetOutputTensor(n, 0, out_shape, out, NhwcPerm());
}

Status ConvertMaxPool(Converter& c, const OnnxNode& n) {
  LITHE_ASSIGN_OR_RETURN(int64_t order, c.AttrInt(n, "storage_order", 0));
  (void)order;  // only affects the Indices output, which is refused
  return ConvertPool(c, n, true);
}
Status ConvertAveragePool(Converter& c, const OnnxNode& n) { return ConvertPool(c, n, false); }

// MEAN over `axes` (ONNX axes) of x, in x's layout.
Status Reduce(Converter& c, const OnnxNode& n, Value* x, Dims axes, bool keepdims,
              BuiltinOperator code) {
  const size_t r = x->shape.size();
  std::vector<bool> reduced(r, false);
  for (int64_t& a : axes) {
    LITHE_ASSIGN_OR_RETURN(a, NormalizeAxis(a, r));
    reduced[a] = true;
  }
  const Perm p = x->constant ? IdentityPerm(r) : x->perm;
  const Perm inv = InversePerm(p);
  std::vector<int64_t> tfl_axes;
  for (size_t a = 0; a < r; ++a)
    if (reduced[a]) tfl_axes.push_back(inv[a]);
  std::sort(tfl_axes.begin(), tfl_axes.end());
  Dims out_shape;
  Perm out_perm;
  for (size_t a = 0; a < r; ++a) {
    if (!reduced[a]) out_shape.push_back(x->shape[a]);
    else if (keepdims) out_shape.push_back(1);
  }
  if (keepdims) {
    out_perm = p;
  } else {
    for (size_t i = 0; i < r; ++i) {
      const int a = p[i];
      if (reduced[a]) continue;
      int before = 0;
      for (int b = 0; b < a; ++b) before += reduced[b];
      out_perm.push_back(a - before);
    }
  }
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(out_shape, out_perm)));
  ::tflite::ReducerOptionsT o;
  o.keep_dims = keepdims;
  c.AddOp(code,
          {in, c.AddConstInt32(name + "/axes", {static_cast<int64_t>(tfl_axes.size())}, tfl_axes)},
          {out}, Options(std::move(o)));
  return c.SetOutputTensor(n, 0, out_shape, out, out_perm);
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

// 1-D windows (input [N, C, L]) run as 2-D ones over [N, C, 1, L]: the node is rewritten with
// 2-D attributes and weights, converted, and its output seen as [N, M, L'] again (a RESHAPE
// that moves no bytes).
Status As2D(Converter& c, const OnnxNode& n, OpConverter convert2d) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const std::string& name = OutName(n);
  onnx::NodeProto p = *n.proto;
  p.clear_attribute();
  for (const auto& a : n.proto->attribute()) {
    onnx::AttributeProto b = a;
    const std::string& an = a.name();
    if (an == "kernel_shape" || an == "strides" || an == "dilations" || an == "output_padding" ||
        an == "output_shape") {
      if (a.ints_size() != 1) return Status::Error("attribute '" + an + "' must have 1 value for a 1-D window");
      b.clear_ints();
      b.add_ints(an == "output_shape" ? 1 : (an == "output_padding" ? 0 : 1));
      b.add_ints(a.ints(0));
    } else if (an == "pads") {
      if (a.ints_size() != 2) return Status::Error("attribute 'pads' must have 2 values for a 1-D window");
      b.clear_ints();
      for (int64_t v : {int64_t{0}, a.ints(0), int64_t{0}, a.ints(1)}) b.add_ints(v);
    }
    *p.add_attribute() = b;
  }
  // Input [N, C, 1, L].
  Value x4;
  Dims s4 = {x->shape[0], x->shape[1], 1, x->shape[2]};
  if (x->constant) {
    ConstData k = *x->constant;
    k.shape = s4;
    x4.constant = std::make_shared<const ConstData>(std::move(k));
  } else {
    LITHE_ASSIGN_OR_RETURN(int in, c.TensorInOnnxOrder(*x));
    LITHE_ASSIGN_OR_RETURN(x4.tensor, c.AddTensor(name + "/in2d", s4));
    ::tflite::ReshapeOptionsT o;
    o.new_shape.assign(s4.begin(), s4.end());
    c.AddOp(BuiltinOperator::RESHAPE, {in, c.AddConstInt32(name + "/in2d_shape", {4}, s4)}, {x4.tensor},
            Options(std::move(o)));
    x4.perm = IdentityPerm(4);
  }
  x4.shape = s4;
  LITHE_RETURN_IF_ERROR(c.Define(name + "/in2d", std::move(x4)));
  p.set_input(0, name + "/in2d");
  // Weights [M, C, k] -> [M, C, 1, k].
  if (n.has_input(1)) {
    LITHE_ASSIGN_OR_RETURN(auto w, c.ConstInput(n, 1));
    if (w->shape.size() != 3) return Status::Error("weights must have rank 3 for a 1-D window");
    ConstData k = *w;
    k.shape = {w->shape[0], w->shape[1], 1, w->shape[2]};
    Value wv;
    wv.shape = k.shape;
    wv.constant = std::make_shared<const ConstData>(std::move(k));
    LITHE_RETURN_IF_ERROR(c.Define(name + "/w2d", std::move(wv)));
    p.set_input(1, name + "/w2d");
  }
  p.set_output(0, name + "/out2d");
  OnnxNode n2 = n;
  n2.proto = &p;
  LITHE_RETURN_IF_ERROR(convert2d(c, n2));
  Value* y4 = c.FindValue(name + "/out2d");
  // [N, M, 1, L'] in NHWC is [N, 1, L', M]: the same bytes as [N, L', M], i.e. [N, M, L'] in
  // layout {0, 2, 1}.
  LITHE_ASSIGN_OR_RETURN(int t4, c.TensorIn(*y4, NhwcPerm()));
  const Dims s3 = {y4->shape[0], y4->shape[1], y4->shape[3]};
  const Dims t3 = {s3[0], s3[2], s3[1]};
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, t3));
  ::tflite::ReshapeOptionsT o;
  o.new_shape.assign(t3.begin(), t3.end());
  c.AddOp(BuiltinOperator::RESHAPE, {t4, c.AddConstInt32(name + "/shape", {3}, t3)}, {out}, Options(std::move(o)));
  return c.SetOutputTensor(n, 0, s3, out, Perm{0, 2, 1});
}

Status ConvertConvAny(Converter& c, const OnnxNode& n);
Status ConvertConvTransposeAny(Converter& c, const OnnxNode& n);
Status ConvertMaxPoolAny(Converter& c, const OnnxNode& n);
Status ConvertAveragePoolAny(Converter& c, const OnnxNode& n);

// --- dense -----------------------------------------------------------------------------------

// FULLY_CONNECTED of a (canonical layout, last dim K) by weights [N, K] and bias [N].
Status EmitFullyConnected(Converter& c, Value* a, std::vector<float> weights, int64_t N,
                          int64_t K, std::vector<float> bias, const std::string& out_name,
                          const Dims& out_shape, bool keep_dims, bool fuse) {
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*a, IdentityPerm(a->shape.size())));
  Fused f;
  f.out = out_name;
  if (fuse) f = FuseActivation(c, out_name);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(f.out, out_shape));
  ::tflite::FullyConnectedOptionsT o;
  o.fused_activation_function = f.act;
  o.keep_num_dims = keep_dims;
  c.AddOp(BuiltinOperator::FULLY_CONNECTED,
          {in, c.AddConstFloat(f.out + "/weights", {N, K}, std::move(weights)),
           c.AddConstFloat(f.out + "/bias", {N}, std::move(bias))},
          {out}, Options(std::move(o)));
  return DefineValue(c, f.out, out_shape, out, IdentityPerm(out_shape.size()));
}

Status EmitBatchMatMul(Converter& c, Value* a, Value* b, bool adj_a, bool adj_b,
                       const std::string& out_name, Dims* out_shape_ret) {
  const Dims& as = a->shape;
  const Dims& bs = b->shape;
  if (as.size() < 2 || bs.size() < 2) return Status::Error("1-D MatMul operands are not supported");
  const int64_t M = adj_a ? as[as.size() - 1] : as[as.size() - 2];
  const int64_t Ka = adj_a ? as[as.size() - 2] : as[as.size() - 1];
  const int64_t Kb = adj_b ? bs[bs.size() - 1] : bs[bs.size() - 2];
  const int64_t N = adj_b ? bs[bs.size() - 2] : bs[bs.size() - 1];
  if (Ka != Kb) return Status::Error("inner dims differ: " + DimsString(as) + " x " + DimsString(bs));
  LITHE_ASSIGN_OR_RETURN(Dims batch, BroadcastDims(Dims(as.begin(), as.end() - 2), Dims(bs.begin(), bs.end() - 2)));
  Dims out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  LITHE_ASSIGN_OR_RETURN(int ta, c.TensorIn(*a, IdentityPerm(as.size())));
  LITHE_ASSIGN_OR_RETURN(int tb, c.TensorIn(*b, IdentityPerm(bs.size())));
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(out_name, out_shape));
  ::tflite::BatchMatMulOptionsT o;
  o.adj_x = adj_a;
  o.adj_y = adj_b;
  c.AddOp(BuiltinOperator::BATCH_MATMUL, {ta, tb}, {out}, Options(std::move(o)));
  *out_shape_ret = out_shape;
  return DefineValue(c, out_name, out_shape, out, IdentityPerm(out_shape.size()));
}

Status ConvertMatMul(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * a, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Value * b, c.Input(n, 1));
  if (a->shape.size() < 2 || b->shape.size() < 2)
    return Status::Error("1-D MatMul operands are not supported");
  if (b->constant && b->constant->is_float && b->shape.size() == 2 && !a->constant) {
    const int64_t K = b->shape[0], N = b->shape[1];
    if (a->shape.back() != K) return Status::Error("inner dims differ: " + DimsString(a->shape) + " x " + DimsString(b->shape));
    std::vector<float> w(N * K);
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) w[j * K + k] = b->constant->f[k * N + j];
    Dims out_shape = a->shape;
    out_shape.back() = N;
    return EmitFullyConnected(c, a, std::move(w), N, K, std::vector<float>(N, 0.0f), OutName(n),
                              out_shape, a->shape.size() > 2, true);
  }
  Dims out_shape;
  return EmitBatchMatMul(c, a, b, false, false, OutName(n), &out_shape);
}

Status ConvertGemm(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * a, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Value * b, c.Input(n, 1));
  LITHE_ASSIGN_OR_RETURN(float alpha, c.AttrFloat(n, "alpha", 1.0f));
  LITHE_ASSIGN_OR_RETURN(float beta, c.AttrFloat(n, "beta", 1.0f));
  LITHE_ASSIGN_OR_RETURN(int64_t trans_a, c.AttrInt(n, "transA", 0));
  LITHE_ASSIGN_OR_RETURN(int64_t trans_b, c.AttrInt(n, "transB", 0));
  if (a->shape.size() != 2 || b->shape.size() != 2)
    return Status::Error("A " + DimsString(a->shape) + " and B " + DimsString(b->shape) + " must be 2-D");
  const int64_t M = trans_a ? a->shape[1] : a->shape[0];
  const int64_t K = trans_a ? a->shape[0] : a->shape[1];
  const int64_t Kb = trans_b ? b->shape[1] : b->shape[0];
  const int64_t N = trans_b ? b->shape[0] : b->shape[1];
  if (K != Kb) return Status::Error("inner dims differ: " + DimsString(a->shape) + " x " + DimsString(b->shape));
  const Dims out_shape = {M, N};
  Value* cv = nullptr;
  if (n.has_input(2)) {
    LITHE_ASSIGN_OR_RETURN(cv, c.Input(n, 2));
    LITHE_ASSIGN_OR_RETURN(Dims bc, BroadcastDims(cv->shape, out_shape));
    if (bc != out_shape) return Status::Error("C " + DimsString(cv->shape) + " does not broadcast to " + DimsString(out_shape));
  }
  const std::string& name = OutName(n);
  const bool c_is_bias = !cv || (cv->constant && cv->constant->is_float &&
                                 (cv->constant->numel() == 1 ||
                                  (cv->shape.back() == N && cv->constant->numel() == N)));
  if (b->constant && b->constant->is_float && !a->constant && !trans_a) {
    std::vector<float> w(N * K);
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j)
        w[j * K + k] = alpha * (trans_b ? b->constant->f[j * K + k] : b->constant->f[k * N + j]);
    std::vector<float> bias(N, 0.0f);
    if (cv && c_is_bias)
      for (int64_t j = 0; j < N; ++j) bias[j] = beta * cv->constant->f[cv->constant->numel() == 1 ? 0 : j];
    if (!cv || c_is_bias)
      return EmitFullyConnected(c, a, std::move(w), N, K, std::move(bias), name, out_shape, false, true);
    LITHE_RETURN_IF_ERROR(EmitFullyConnected(c, a, std::move(w), N, K, std::move(bias),
                                             name + "/ab", out_shape, false, false));
  } else {
    Dims s;
    LITHE_RETURN_IF_ERROR(EmitBatchMatMul(c, a, b, trans_a != 0, trans_b != 0,
                                          (alpha != 1.0f || cv) ? name + "/ab0" : name, &s));
    if (alpha != 1.0f) {
      Value al = MakeConstValue(name + "/alpha", {1, 1}, {alpha});
      LITHE_RETURN_IF_ERROR(BinaryOp(c, cv ? name + "/ab" : name, c.FindValue(name + "/ab0"), &al,
                                     BuiltinOperator::MUL, false));
    } else if (cv) {
      Value alias = *c.FindValue(name + "/ab0");
      alias.layouts.clear();
      LITHE_RETURN_IF_ERROR(c.Define(name + "/ab", std::move(alias)));
    }
    if (!cv) return Status::Ok();
  }
  // + beta * C
  Value* ab = c.FindValue(name + "/ab");
  if (cv->constant) {
    std::vector<float> data(cv->constant->numel());
    for (size_t k = 0; k < data.size(); ++k) data[k] = beta * static_cast<float>(cv->constant->at(k));
    Value scaled_c = MakeConstValue(name + "/c", cv->shape, std::move(data));
    return BinaryOp(c, name, ab, &scaled_c, BuiltinOperator::ADD, true);
  }
  if (beta != 1.0f) {
    Value beta_v = MakeConstValue(name + "/beta", {}, {beta});
    LITHE_RETURN_IF_ERROR(BinaryOp(c, name + "/beta_c", cv, &beta_v, BuiltinOperator::MUL, false));
    cv = c.FindValue(name + "/beta_c");
    ab = c.FindValue(name + "/ab");
  }
  return BinaryOp(c, name, ab, cv, BuiltinOperator::ADD, true);
}

// --- shape ops --------------------------------------------------------------------------------

// Output 0 of n is x with ONNX shape `shape` (same element order).
Status EmitReshape(Converter& c, const OnnxNode& n, Value* x, const Dims& shape) {
  if (Numel(shape) != Numel(x->shape))
    return Status::Error("cannot reshape " + DimsString(x->shape) + " to " + DimsString(shape));
  if (x->constant) {
    ConstData k = *x->constant;
    k.shape = shape;
    return c.SetOutputConst(n, 0, std::move(k));
  }
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorInOnnxOrder(*x));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, shape));
  ::tflite::ReshapeOptionsT o;
  o.new_shape.assign(shape.begin(), shape.end());
  c.AddOp(BuiltinOperator::RESHAPE,
          {in, c.AddConstInt32(name + "/shape", {static_cast<int64_t>(shape.size())}, shape)}, {out},
          Options(std::move(o)));
  return c.SetOutputTensor(n, 0, shape, out, IdentityPerm(shape.size()));
}

Status ConvertReshape(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  Dims spec;
  if (c.opset() < 5) {
    LITHE_ASSIGN_OR_RETURN(spec, c.AttrInts(n, "shape", {}));
  } else {
    LITHE_ASSIGN_OR_RETURN(auto s, c.ConstInput(n, 1));
    if (s->is_float || s->shape.size() != 1) return Status::Error("shape must be a 1-D int64 tensor");
    spec = s->i;
  }
  LITHE_ASSIGN_OR_RETURN(int64_t allowzero, c.AttrInt(n, "allowzero", 0));
  if (spec.size() > 8) return Status::Error("target rank " + std::to_string(spec.size()) + " is too large");
  Dims shape(spec.size());
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t d = spec[i];
    if (d == 0 && !allowzero) {
      if (i >= x->shape.size()) return Status::Error("shape " + DimsString(spec) + " copies a dim the input lacks");
      d = x->shape[i];
    }
    if (d == -1) {
      if (infer >= 0) return Status::Error("shape " + DimsString(spec) + " has two -1");
      infer = static_cast<int>(i);
      continue;
    }
    if (d < 0) return Status::Error("shape " + DimsString(spec) + " has a negative dim");
    shape[i] = d;
    if (d > 0 && known > (int64_t{1} << 40) / d) return Status::Error("shape " + DimsString(spec) + " is too large");
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || Numel(x->shape) % known != 0)
      return Status::Error("cannot reshape " + DimsString(x->shape) + " to " + DimsString(spec));
    shape[infer] = Numel(x->shape) / known;
  }
  return EmitReshape(c, n, x, shape);
}

Status ConvertFlatten(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(int64_t axis, c.AttrInt(n, "axis", 1));
  const int64_t r = static_cast<int64_t>(x->shape.size());
  if (axis < -r || axis > r) return Status::Error("axis " + std::to_string(axis) + " is out of range");
  if (axis < 0) axis += r;
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x->shape[d];
  const int64_t inner = outer ? Numel(x->shape) / outer : 0;
  return EmitReshape(c, n, x, {outer, inner});
}

Result<Dims> AxesInput(Converter& c, const OnnxNode& n, bool required) {
  if (c.opset() < 13) {
    LITHE_ASSIGN_OR_RETURN(Dims axes, c.AttrInts(n, "axes", {}));
    if (required && axes.empty()) return Status::Error("axes are required");
    return axes;
  }
  if (!n.has_input(1)) {
    if (required) return Status::Error("axes are required");
    return Dims{};
  }
  LITHE_ASSIGN_OR_RETURN(auto a, c.ConstInput(n, 1));
  if (a->is_float || a->shape.size() > 1) return Status::Error("axes must be a 1-D int64 tensor");
  return a->i;
}

Status ConvertSqueeze(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Dims axes, AxesInput(c, n, false));
  const size_t r = x->shape.size();
  std::vector<bool> drop(r, false);
  if (axes.empty()) {
    for (size_t a = 0; a < r; ++a) drop[a] = x->shape[a] == 1;
  } else {
    for (int64_t a : axes) {
      LITHE_ASSIGN_OR_RETURN(int64_t k, NormalizeAxis(a, r));
      if (x->shape[k] != 1) return Status::Error("dim " + std::to_string(k) + " of " + DimsString(x->shape) + " is not 1");
      drop[k] = true;
    }
  }
  Dims shape;
  for (size_t a = 0; a < r; ++a)
    if (!drop[a]) shape.push_back(x->shape[a]);
  return EmitReshape(c, n, x, shape);
}

Status ConvertUnsqueeze(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Dims axes, AxesInput(c, n, true));
  const size_t r = x->shape.size() + axes.size();
  if (r > 8) return Status::Error("the result would have rank " + std::to_string(r));
  std::vector<bool> ins(r, false);
  for (int64_t a : axes) {
    LITHE_ASSIGN_OR_RETURN(int64_t k, NormalizeAxis(a, r));
    if (ins[k]) return Status::Error("axis " + std::to_string(a) + " is repeated");
    ins[k] = true;
  }
  Dims shape;
  size_t src = 0;
  for (size_t a = 0; a < r; ++a) shape.push_back(ins[a] ? 1 : x->shape[src++]);
  return EmitReshape(c, n, x, shape);
}

Status ConvertTranspose(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const size_t r = x->shape.size();
  Dims rev;
  for (size_t a = r; a-- > 0;) rev.push_back(static_cast<int64_t>(a));
  LITHE_ASSIGN_OR_RETURN(Dims q, c.AttrInts(n, "perm", rev));
  if (q.size() != r) return Status::Error("perm " + DimsString(q) + " does not fit rank " + std::to_string(r));
  std::vector<bool> seen(r, false);
  for (int64_t a : q) {
    if (a < 0 || a >= static_cast<int64_t>(r) || seen[a]) return Status::Error("perm " + DimsString(q) + " is not a permutation");
    seen[a] = true;
  }
  const Perm qp(q.begin(), q.end());
  const Dims shape = Permuted(x->shape, qp);
  if (x->constant) {
    Value tmp = *x;
    tmp.layouts.clear();
    LITHE_ASSIGN_OR_RETURN(ConstData k, [&]() -> Result<ConstData> {
      ConstData out;
      out.is_float = x->constant->is_float;
      out.shape = shape;
      const ConstData& in = *x->constant;
      std::vector<int64_t> stride(r, 1);
      for (size_t d = r; d-- > 1;) stride[d - 1] = stride[d] * in.shape[d];
      std::vector<int64_t> idx(r, 0);
      const int64_t total = Numel(shape);
      for (int64_t k2 = 0; k2 < total; ++k2) {
        int64_t s = 0;
        for (size_t d = 0; d < r; ++d) s += idx[d] * stride[qp[d]];
        if (out.is_float) out.f.push_back(in.f[s]); else out.i.push_back(in.i[s]);
        for (size_t d = r; d-- > 0;) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
      return out;
    }());
    return c.SetOutputConst(n, 0, std::move(k));
  }
  // No op: the output is the same tensor, read in another layout.
  const Perm qinv = InversePerm(qp);
  Value v;
  v.shape = shape;
  v.tensor = x->tensor;
  v.producer = x->producer;
  v.perm.resize(r);
  for (size_t i = 0; i < r; ++i) v.perm[i] = qinv[x->perm[i]];
  return c.SetOutput(n, 0, std::move(v));
}

Status ConvertConcat(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  if (n.num_inputs() < 1) return Status::Error("no inputs");
  std::vector<Value*> ins;
  for (int i = 0; i < n.num_inputs(); ++i) {
    LITHE_ASSIGN_OR_RETURN(Value * v, c.Input(n, i));
    ins.push_back(v);
  }
  const size_t r = ins[0]->shape.size();
  if (r == 0) return Status::Error("cannot concatenate scalars");
  LITHE_ASSIGN_OR_RETURN(int64_t axis_attr, c.AttrInt(n, "axis", 1 << 30));
  if (axis_attr == 1 << 30) return Status::Error("attribute 'axis' is required");
  LITHE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, r));
  Dims shape = ins[0]->shape;
  shape[axis] = 0;
  bool all_const = true;
  for (Value* v : ins) {
    if (v->shape.size() != r) return Status::Error("inputs have different ranks");
    for (size_t d = 0; d < r; ++d)
      if (static_cast<int64_t>(d) != axis && v->shape[d] != ins[0]->shape[d])
        return Status::Error("input shapes " + DimsString(ins[0]->shape) + " and " + DimsString(v->shape) + " differ off the axis");
    shape[axis] += v->shape[axis];
    all_const &= v->constant != nullptr;
  }
  if (all_const) {  // shape arithmetic: fold
    ConstData out;
    out.is_float = ins[0]->constant->is_float;
    out.shape = shape;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
    for (int64_t o = 0; o < outer; ++o)
      for (Value* v : ins) {
        const ConstData& k = *v->constant;
        if (k.is_float != out.is_float) return Status::Error("inputs have different dtypes");
        const int64_t chunk = outer ? k.numel() / outer : 0;
        for (int64_t j = 0; j < chunk; ++j) {
          if (out.is_float) out.f.push_back(k.f[o * chunk + j]); else out.i.push_back(k.i[o * chunk + j]);
        }
      }
    return c.SetOutputConst(n, 0, std::move(out));
  }
  const Perm p = c.CommonLayout(ins, r);
  std::vector<int32_t> tensors;
  for (Value* v : ins) {
    if (v->shape[axis] == 0) continue;
    LITHE_ASSIGN_OR_RETURN(int t, c.TensorIn(*v, p));
    tensors.push_back(t);
  }
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(shape, p)));
  ::tflite::ConcatenationOptionsT o;
  o.axis = InversePerm(p)[axis];
  c.AddOp(BuiltinOperator::CONCATENATION, tensors, {out}, Options(std::move(o)));
  return c.SetOutputTensor(n, 0, shape, out, p);
}

Status ConvertPad(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(std::string mode, c.AttrString(n, "mode", "constant"));
  if (mode != "constant") return Status::Error("mode '" + mode + "' is not supported (constant only)");
  Dims pads;
  float value = 0;
  if (c.opset() < 11) {
    LITHE_ASSIGN_OR_RETURN(pads, c.AttrInts(n, "pads", {}));
    LITHE_ASSIGN_OR_RETURN(value, c.AttrFloat(n, "value", 0.0f));
  } else {
    LITHE_ASSIGN_OR_RETURN(auto p, c.ConstInput(n, 1));
    if (p->is_float) return Status::Error("pads must be int64");
    pads = p->i;
    if (n.has_input(2)) {
      LITHE_ASSIGN_OR_RETURN(auto v, c.ConstInput(n, 2));
      if (v->numel() != 1) return Status::Error("constant_value must be a scalar");
      value = static_cast<float>(v->at(0));
    }
    if (n.has_input(3)) return Status::Error("the axes input is not supported");
  }
  const size_t r = x->shape.size();
  if (pads.size() != 2 * r) return Status::Error("pads " + DimsString(pads) + " do not fit rank " + std::to_string(r));
  Dims shape = x->shape;
  for (size_t a = 0; a < r; ++a) {
    if (pads[a] < 0 || pads[a + r] < 0) return Status::Error("negative pads " + DimsString(pads) + " are not supported");
    if (pads[a] > 1 << 20 || pads[a + r] > 1 << 20) return Status::Error("pads " + DimsString(pads) + " are too large");
    shape[a] += pads[a] + pads[a + r];
  }
  const Perm p = x->constant ? IdentityPerm(r) : x->perm;
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  std::vector<int64_t> tp;
  for (size_t i = 0; i < r; ++i) {
    tp.push_back(pads[p[i]]);
    tp.push_back(pads[p[i] + r]);
  }
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(shape, p)));
  const int pt = c.AddConstInt32(name + "/paddings", {static_cast<int64_t>(r), 2}, tp);
  if (value == 0) {
    c.AddOp(BuiltinOperator::PAD, {in, pt}, {out}, Options(::tflite::PadOptionsT()));
  } else {
    c.AddOp(BuiltinOperator::PADV2, {in, pt, c.AddConstFloat(name + "/value", {1}, {value})}, {out},
            Options(::tflite::PadV2OptionsT()));
  }
  return c.SetOutputTensor(n, 0, shape, out, p);
}

// --- Resize / Upsample ------------------------------------------------------------------------

struct ResizeSpec {
  std::string mode = "nearest";  // nearest | linear
  std::string coord = "asymmetric";
  std::string nearest = "floor";
  int64_t in[2] = {0, 0}, out[2] = {0, 0};
  double scale[2] = {1, 1};  // ONNX's scale (out / in unless given)
  bool from_scales = false;  // ONNX then uses in * scale (unrounded) as the resized length
};

// ONNX's source coordinate of output index x along one axis.
double OnnxCoord(const ResizeSpec& s, int i, int64_t x) {
  const double sc = s.scale[i];
  const double in = static_cast<double>(s.in[i]);
  const double out = s.from_scales ? in * sc : static_cast<double>(s.out[i]);
  if (s.coord == "half_pixel") return (x + 0.5) / sc - 0.5;
  if (s.coord == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / sc - 0.5 : 0.0;
  if (s.coord == "align_corners") return out > 1 ? x * (in - 1) / (out - 1) : 0.0;
  if (s.coord == "tf_half_pixel_for_nn") return (x + 0.5) / sc;
  return x / sc;  // asymmetric
}

int64_t OnnxNearest(const ResizeSpec& s, int i, int64_t x) {
  const double v = OnnxCoord(s, i, x);
  double r;
  if (s.nearest == "round_prefer_ceil") r = std::floor(v + 0.5);
  else if (s.nearest == "floor") r = std::floor(v);
  else if (s.nearest == "ceil") r = std::ceil(v);
  else r = std::ceil(v - 0.5);  // round_prefer_floor
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, s.in[i] - 1);
}

// TFLite's source index / coordinate for the given flags (as its kernels compute them).
int64_t TfliteNearest(const ResizeSpec& s, int i, int64_t x, bool align, bool half) {
  const float scale = (align && s.out[i] > 1) ? static_cast<float>(s.in[i] - 1) / (s.out[i] - 1)
                                              : static_cast<float>(s.in[i]) / s.out[i];
  const float offset = half ? 0.5f : 0.0f;
  int64_t v = align ? static_cast<int64_t>(std::round((x + offset) * scale))
                    : static_cast<int64_t>(std::floor((x + offset) * scale));
  v = std::min<int64_t>(v, s.in[i] - 1);
  return half ? std::max<int64_t>(v, 0) : v;
}

double TfliteLinear(const ResizeSpec& s, int i, int64_t x, bool align, bool half) {
  const float scale = (align && s.out[i] > 1) ? static_cast<float>(s.in[i] - 1) / (s.out[i] - 1)
                                              : static_cast<float>(s.in[i]) / s.out[i];
  return half ? (x + 0.5f) * scale - 0.5f : x * scale;
}

// Resize with ONNX's exact sampling where no TFLite resize op matches it: GATHER rows then
// columns (nearest), or GATHER the two neighbours and interpolate (linear, separable).
Status ResizeByGather(Converter& c, const OnnxNode& n, Value* x, const ResizeSpec& s,
                      const Dims& out_shape) {
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int cur, c.TensorIn(*x, NhwcPerm()));
  Dims dims = Permuted(x->shape, NhwcPerm());
  const bool nearest = s.mode == "nearest";
  for (int i = 0; i < 2; ++i) {
    const int axis = 1 + i;  // H, then W in NHWC
    const std::string step = name + (i ? "/w" : "/h");
    Dims next = dims;
    next[axis] = s.out[i];
    const bool last = i == 1;
    auto gather = [&](const std::vector<int64_t>& idx, const std::string& tname) -> Result<int> {
      LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(tname, next));
      ::tflite::GatherOptionsT o;
      o.axis = axis;
      c.AddOp(BuiltinOperator::GATHER,
              {cur, c.AddConstInt32(tname + "/indices", {static_cast<int64_t>(idx.size())}, idx)},
              {t}, Options(std::move(o)));
      return t;
    };
    if (nearest) {
      std::vector<int64_t> idx(s.out[i]);
      bool identity = s.out[i] == s.in[i];
      for (int64_t o = 0; o < s.out[i]; ++o) {
        idx[o] = OnnxNearest(s, i, o);
        identity &= idx[o] == o;
      }
      if (identity && !last) continue;
      LITHE_ASSIGN_OR_RETURN(cur, gather(idx, last ? name : step));
    } else {
      std::vector<int64_t> i0(s.out[i]), i1(s.out[i]);
      std::vector<float> w(s.out[i]);
      for (int64_t o = 0; o < s.out[i]; ++o) {
        const double v = std::clamp(OnnxCoord(s, i, o), 0.0, static_cast<double>(s.in[i] - 1));
        i0[o] = static_cast<int64_t>(std::floor(v));
        i1[o] = std::min<int64_t>(i0[o] + 1, s.in[i] - 1);
        w[o] = static_cast<float>(v - i0[o]);
      }
      LITHE_ASSIGN_OR_RETURN(int g0, gather(i0, step + "/lo"));
      LITHE_ASSIGN_OR_RETURN(int g1, gather(i1, step + "/hi"));
      LITHE_ASSIGN_OR_RETURN(int diff, c.AddTensor(step + "/diff", next));
      c.AddOp(BuiltinOperator::SUB, {g1, g0}, {diff}, Options(::tflite::SubOptionsT()));
      Dims wdims(4, 1);
      wdims[axis] = s.out[i];
      LITHE_ASSIGN_OR_RETURN(int scaled, c.AddTensor(step + "/scaled", next));
      c.AddOp(BuiltinOperator::MUL, {diff, c.AddConstFloat(step + "/weights", wdims, std::move(w))},
              {scaled}, Options(::tflite::MulOptionsT()));
      LITHE_ASSIGN_OR_RETURN(int sum, c.AddTensor(last ? name : step, next));
      c.AddOp(BuiltinOperator::ADD, {g0, scaled}, {sum}, Options(::tflite::AddOptionsT()));
      cur = sum;
    }
    dims = next;
  }
  return c.SetOutputTensor(n, 0, out_shape, cur, NhwcPerm());
}

Status ConvertResizeLike(Converter& c, const OnnxNode& n, bool upsample) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4) return Status::Error("input " + DimsString(x->shape) + ": only 4-D (NCHW) resize is supported");
  ResizeSpec s;
  LITHE_ASSIGN_OR_RETURN(s.mode, c.AttrString(n, "mode", "nearest"));
  if (s.mode == "bilinear") s.mode = "linear";
  if (s.mode != "nearest" && s.mode != "linear")
    return Status::Error("mode '" + s.mode + "' is not supported (nearest, linear)");
  std::vector<double> scales;
  Dims sizes;
  if (upsample || c.opset() < 11) {
    if (c.opset() < 9 && upsample) {
      const onnx::AttributeProto* a = c.Attr(n, "scales");
      if (!a) return Status::Error("attribute 'scales' is required");
      for (float f : a->floats()) scales.push_back(f);
    } else {
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 1));
      for (int64_t j = 0; j < k->numel(); ++j) scales.push_back(k->at(j));
    }
  } else {
    LITHE_ASSIGN_OR_RETURN(s.coord, c.AttrString(n, "coordinate_transformation_mode", "half_pixel"));
    LITHE_ASSIGN_OR_RETURN(s.nearest, c.AttrString(n, "nearest_mode", "round_prefer_floor"));
    LITHE_ASSIGN_OR_RETURN(int64_t exclude, c.AttrInt(n, "exclude_outside", 0));
    if (exclude) return Status::Error("exclude_outside is not supported");
    if (c.Attr(n, "antialias") || c.Attr(n, "axes") || c.Attr(n, "keep_aspect_ratio_policy"))
      return Status::Error("opset-18 attributes are not supported");
    if (s.coord == "tf_crop_and_resize") return Status::Error("tf_crop_and_resize is not supported");
    if (n.has_input(3)) {
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 3));
      if (k->is_float) return Status::Error("sizes must be int64");
      sizes = k->i;
    } else if (n.has_input(2)) {
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 2));
      for (int64_t j = 0; j < k->numel(); ++j) scales.push_back(k->at(j));
    }
    if (sizes.empty() && scales.empty()) return Status::Error("neither scales nor sizes is given");
  }
  Dims out_shape = x->shape;
  if (!sizes.empty()) {
    if (sizes.size() != 4) return Status::Error("sizes must have 4 values");
    out_shape = sizes;
  } else {
    if (scales.size() != 4) return Status::Error("scales must have 4 values");
    for (int d = 0; d < 4; ++d) {
      if (!(scales[d] > 0) || scales[d] > 1 << 16) return Status::Error("scale " + std::to_string(scales[d]) + " is invalid");
      out_shape[d] = static_cast<int64_t>(std::floor(x->shape[d] * scales[d]));
    }
  }
  if (out_shape[0] != x->shape[0] || out_shape[1] != x->shape[1])
    return Status::Error("only H and W can be resized (output " + DimsString(out_shape) + ")");
  for (int i = 0; i < 2; ++i) {
    s.in[i] = x->shape[2 + i];
    s.out[i] = out_shape[2 + i];
    if (s.out[i] < 1 || s.in[i] < 1) return Status::Error("empty resize " + DimsString(out_shape));
    s.scale[i] = scales.empty() ? static_cast<double>(s.out[i]) / s.in[i] : scales[2 + i];
    s.from_scales = !scales.empty();
  }
  if (Numel(out_shape) > int64_t{1} << 31) return Status::Error("the output is too large");
  // Find TFLite flags that reproduce ONNX's sampling exactly on these sizes.
  const bool nearest = s.mode == "nearest";
  int found = -1;
  for (int flags = 0; flags < 3 && found < 0; ++flags) {
    const bool align = flags == 2, half = flags == 1;
    bool same = true;
    for (int i = 0; i < 2 && same; ++i)
      for (int64_t o = 0; o < s.out[i] && same; ++o) {
        if (nearest) {
          same = OnnxNearest(s, i, o) == TfliteNearest(s, i, o, align, half);
        } else {
          const double hi = static_cast<double>(s.in[i] - 1);
          const double a = std::clamp(OnnxCoord(s, i, o), 0.0, hi);
          const double b = std::clamp(TfliteLinear(s, i, o, align, half), 0.0, hi);
          same = std::fabs(a - b) <= 1e-5 * std::max(1.0, hi);
        }
      }
    if (same) found = flags;
  }
  if (found < 0) return ResizeByGather(c, n, x, s, out_shape);
  const bool align = found == 2, half = found == 1;
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(out_shape, NhwcPerm())));
  const int size = c.AddConstInt32(name + "/size", {2}, {s.out[0], s.out[1]});
  if (nearest) {
    ::tflite::ResizeNearestNeighborOptionsT o;
    o.align_corners = align;
    o.half_pixel_centers = half;
    c.AddOp(BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, {in, size}, {out}, Options(std::move(o)), half ? 3 : 1);
  } else {
    ::tflite::ResizeBilinearOptionsT o;
    o.align_corners = align;
    o.half_pixel_centers = half;
    c.AddOp(BuiltinOperator::RESIZE_BILINEAR, {in, size}, {out}, Options(std::move(o)), half ? 3 : 1);
  }
  return c.SetOutputTensor(n, 0, out_shape, out, NhwcPerm());
}

Status ConvertResize(Converter& c, const OnnxNode& n) { return ConvertResizeLike(c, n, false); }
Status ConvertUpsample(Converter& c, const OnnxNode& n) { return ConvertResizeLike(c, n, true); }

Status ConvertShape(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const int64_t r = static_cast<int64_t>(x->shape.size());
  LITHE_ASSIGN_OR_RETURN(int64_t start, c.AttrInt(n, "start", 0));
  LITHE_ASSIGN_OR_RETURN(int64_t end, c.AttrInt(n, "end", r));
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  ConstData k;  // shapes are static: the result is a constant
  k.is_float = false;
  for (int64_t a = start; a < end; ++a) k.i.push_back(x->shape[a]);
  k.shape = {static_cast<int64_t>(k.i.size())};
  return c.SetOutputConst(n, 0, std::move(k));
}

Status ConvertGather(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(auto ind, c.ConstInput(n, 1));
  if (ind->is_float) return Status::Error("indices must be integers");
  const size_t r = x->shape.size();
  if (r == 0) return Status::Error("cannot gather from a scalar");
  LITHE_ASSIGN_OR_RETURN(int64_t axis_attr, c.AttrInt(n, "axis", 0));
  LITHE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, r));
  const int64_t dim = x->shape[axis];
  std::vector<int64_t> idx = ind->i;
  for (int64_t& v : idx) {
    if (v < -dim || v >= dim) return Status::Error("index " + std::to_string(v) + " is out of range for dim " + std::to_string(dim));
    if (v < 0) v += dim;
  }
  Dims shape(x->shape.begin(), x->shape.begin() + axis);
  shape.insert(shape.end(), ind->shape.begin(), ind->shape.end());
  shape.insert(shape.end(), x->shape.begin() + axis + 1, x->shape.end());
  if (shape.size() > 8) return Status::Error("the result would have rank " + std::to_string(shape.size()));
  if (x->constant) {  // shape arithmetic: fold
    const ConstData& d = *x->constant;
    int64_t outer = 1, inner = 1;
    for (int64_t a = 0; a < axis; ++a) outer *= x->shape[a];
    for (size_t a = axis + 1; a < r; ++a) inner *= x->shape[a];
    ConstData out;
    out.is_float = d.is_float;
    out.shape = shape;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t v : idx)
        for (int64_t j = 0; j < inner; ++j) {
          const int64_t src = (o * dim + v) * inner + j;
          if (d.is_float) out.f.push_back(d.f[src]); else out.i.push_back(d.i[src]);
        }
    return c.SetOutputConst(n, 0, std::move(out));
  }
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, IdentityPerm(r)));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, shape));
  ::tflite::GatherOptionsT o;
  o.axis = static_cast<int32_t>(axis);
  c.AddOp(BuiltinOperator::GATHER, {in, c.AddConstInt32(name + "/indices", ind->shape, idx)}, {out},
          Options(std::move(o)));
  return c.SetOutputTensor(n, 0, shape, out, IdentityPerm(shape.size()));
}

// out = x[begin:end:step] per axis (ONNX clamping rules), as a STRIDED_SLICE in x's layout.
Status EmitSlice(Converter& c, Value* x, const std::vector<int64_t>& begin,
                 const std::vector<int64_t>& end, const std::vector<int64_t>& step,
                 const std::string& name, Dims* shape_out) {
  const size_t r = x->shape.size();
  Dims shape(r);
  std::vector<int64_t> b(r), e(r), st(r);
  int end_mask = 0;
  const Perm p = x->constant ? IdentityPerm(r) : x->perm;
  for (size_t a = 0; a < r; ++a) {
    const int64_t dim = x->shape[a];
    int64_t s0 = begin[a], e0 = end[a];
    const int64_t k = step[a];
    if (k == 0) return Status::Error("a step is 0");
    if (s0 < 0) s0 += dim;
    if (e0 < 0) e0 += dim;
    if (k > 0) {
      s0 = std::clamp<int64_t>(s0, 0, dim);
      e0 = std::clamp<int64_t>(e0, 0, dim);
      shape[a] = e0 > s0 ? (e0 - s0 + k - 1) / k : 0;
    } else {
      s0 = std::clamp<int64_t>(s0, -1, dim - 1);
      e0 = std::clamp<int64_t>(e0, -1, dim - 1);
      shape[a] = s0 > e0 ? (s0 - e0 + (-k) - 1) / (-k) : 0;
    }
    b[a] = s0;
    e[a] = e0;
    st[a] = k;
  }
  std::vector<int64_t> tb(r), te(r), ts(r);
  for (size_t i = 0; i < r; ++i) {
    const int a = p[i];
    tb[i] = b[a];
    te[i] = e[a];
    ts[i] = st[a];
    if (st[a] < 0 && e[a] < 0) end_mask |= 1 << i;  // through index 0 (-1 would mean "the end")
  }
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(shape, p)));
  ::tflite::StridedSliceOptionsT o;
  o.end_mask = end_mask;
  const int64_t rr = static_cast<int64_t>(r);
  c.AddOp(BuiltinOperator::STRIDED_SLICE,
          {in, c.AddConstInt32(name + "/begin", {rr}, tb), c.AddConstInt32(name + "/end", {rr}, te),
           c.AddConstInt32(name + "/strides", {rr}, ts)},
          {out}, Options(std::move(o)));
  *shape_out = shape;
  return c.DefineTensor(name, shape, out, p);
}

Status ConvertSlice(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const size_t r = x->shape.size();
  Dims starts, ends, axes, steps;
  if (c.opset() < 10) {
    LITHE_ASSIGN_OR_RETURN(starts, c.AttrInts(n, "starts", {}));
    LITHE_ASSIGN_OR_RETURN(ends, c.AttrInts(n, "ends", {}));
    LITHE_ASSIGN_OR_RETURN(axes, c.AttrInts(n, "axes", {}));
  } else {
    auto ints = [&](int i, Dims* out) -> Status {
      if (!n.has_input(i)) return Status::Ok();
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, i));
      if (k->is_float) return Status::Error("input " + std::to_string(i) + " must be integers");
      *out = k->i;
      return Status::Ok();
    };
    LITHE_RETURN_IF_ERROR(ints(1, &starts));
    LITHE_RETURN_IF_ERROR(ints(2, &ends));
    LITHE_RETURN_IF_ERROR(ints(3, &axes));
    LITHE_RETURN_IF_ERROR(ints(4, &steps));
  }
  if (axes.empty())
    for (size_t a = 0; a < starts.size(); ++a) axes.push_back(static_cast<int64_t>(a));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return Status::Error("starts, ends, axes and steps differ in length");
  std::vector<int64_t> b(r, 0), e(x->shape.begin(), x->shape.end()), st(r, 1);
  std::vector<bool> seen(r, false);
  for (size_t k = 0; k < axes.size(); ++k) {
    LITHE_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axes[k], r));
    if (seen[a]) return Status::Error("axis " + std::to_string(a) + " is repeated");
    seen[a] = true;
    const int64_t big = int64_t{1} << 40;
    b[a] = std::clamp<int64_t>(starts[k], -big, big);
    e[a] = std::clamp<int64_t>(ends[k], -big, big);
    st[a] = std::clamp<int64_t>(steps[k], -big, big);
  }
  if (x->constant && !x->constant->is_float) return Status::Error("slicing integer constants is not supported");
  Dims shape;
  return EmitSlice(c, x, b, e, st, OutName(n), &shape);
}

Status ConvertSplit(Converter& c, const OnnxNode& n) {
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const size_t r = x->shape.size();
  if (r == 0) return Status::Error("cannot split a scalar");
  LITHE_ASSIGN_OR_RETURN(int64_t axis_attr, c.AttrInt(n, "axis", 0));
  LITHE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, r));
  Dims split;
  if (c.opset() < 13) {
    LITHE_ASSIGN_OR_RETURN(split, c.AttrInts(n, "split", {}));
  } else if (n.has_input(1)) {
    LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 1));
    if (k->is_float) return Status::Error("split must be int64");
    split = k->i;
  }
  const int64_t outs = n.num_outputs();
  if (outs < 1) return Status::Error("no outputs");
  const int64_t dim = x->shape[axis];
  if (split.empty()) {
    const int64_t part = (dim + outs - 1) / outs;
    for (int64_t k = 0; k < outs; ++k) split.push_back(std::max<int64_t>(std::min(part, dim - k * part), 0));
  }
  if (static_cast<int64_t>(split.size()) != outs) return Status::Error("split has " + std::to_string(split.size()) + " sizes for " + std::to_string(outs) + " outputs");
  int64_t total = 0;
  for (int64_t v : split) {
    if (v < 0) return Status::Error("split sizes must not be negative");
    total += v;
  }
  if (total != dim) return Status::Error("split sizes " + DimsString(split) + " do not add up to " + std::to_string(dim));
  if (x->constant && !x->constant->is_float) return Status::Error("splitting integer constants is not supported");
  int64_t start = 0;
  for (int64_t k = 0; k < outs; ++k) {
    std::vector<int64_t> b(r, 0), e(x->shape.begin(), x->shape.end()), st(r, 1);
    b[axis] = start;
    e[axis] = start + split[k];
    start += split[k];
    if (n.proto->output(k).empty()) continue;
    Dims shape;
    LITHE_RETURN_IF_ERROR(EmitSlice(c, x, b, e, st, n.proto->output(k), &shape));
  }
  return Status::Ok();
}

Status ConvertConstant(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  if (n.proto->attribute_size() != 1) return Status::Error("exactly one attribute is expected");
  const onnx::AttributeProto& a = n.proto->attribute(0);
  ConstData k;
  if (a.name() == "value") {
    LITHE_ASSIGN_OR_RETURN(k, ReadTensorProto(a.t()));
  } else if (a.name() == "value_float") {
    k.f = {a.f()};
  } else if (a.name() == "value_floats") {
    k.shape = {a.floats_size()};
    k.f.assign(a.floats().begin(), a.floats().end());
  } else if (a.name() == "value_int") {
    k.is_float = false;
    k.i = {a.i()};
  } else if (a.name() == "value_ints") {
    k.is_float = false;
    k.shape = {a.ints_size()};
    k.i.assign(a.ints().begin(), a.ints().end());
  } else {
    return Status::Error("attribute '" + a.name() + "' is not supported");
  }
  return c.SetOutputConst(n, 0, std::move(k));
}

bool Is1D(Converter& c, const OnnxNode& n) {
  Value* x = n.has_input(0) ? c.FindValue(n.proto->input(0)) : nullptr;
  return x && x->shape.size() == 3;
}
Status ConvertConvAny(Converter& c, const OnnxNode& n) { return Is1D(c, n) ? As2D(c, n, ConvertConv) : ConvertConv(c, n); }
Status ConvertConvTransposeAny(Converter& c, const OnnxNode& n) {
  return Is1D(c, n) ? As2D(c, n, ConvertConvTranspose) : ConvertConvTranspose(c, n);
}
Status ConvertMaxPoolAny(Converter& c, const OnnxNode& n) { return Is1D(c, n) ? As2D(c, n, ConvertMaxPool) : ConvertMaxPool(c, n); }
Status ConvertAveragePoolAny(Converter& c, const OnnxNode& n) {
  return Is1D(c, n) ? As2D(c, n, ConvertAveragePool) : ConvertAveragePool(c, n);
}

}  // namespace

const std::vector<OpConverterEntry>& OpConverters() {
  static const std::vector<OpConverterEntry> table = {
      {"Add", ConvertBinary<BuiltinOperator::ADD>},
      {"AveragePool", ConvertAveragePoolAny},
      {"BatchNormalization", ConvertBatchNorm},
      {"Clip", ConvertClip},
      {"Concat", ConvertConcat},
      {"Constant", ConvertConstant},
      {"Conv", ConvertConvAny},
      {"ConvTranspose", ConvertConvTransposeAny},
      {"Div", ConvertBinary<BuiltinOperator::DIV>},
      {"Dropout", ConvertDropout},
      {"Exp", ConvertExp},
      {"Gather", ConvertGather},
      {"GlobalMaxPool", ConvertGlobalMaxPool},
      {"LogSoftmax", ConvertLogSoftmax},
      {"ReduceMax", ConvertReduce<BuiltinOperator::REDUCE_MAX>},
      {"ReduceSum", ConvertReduce<BuiltinOperator::SUM>},
      {"Shape", ConvertShape},
      {"Slice", ConvertSlice},
      {"Split", ConvertSplit},
      {"Flatten", ConvertFlatten},
      {"Gemm", ConvertGemm},
      {"GlobalAveragePool", ConvertGlobalAveragePool},
      {"HardSigmoid", ConvertHardSigmoid},
      {"HardSwish", ConvertHardSwish},
      {"Identity", ConvertIdentity},
      {"LeakyRelu", ConvertLeakyRelu},
      {"MatMul", ConvertMatMul},
      {"MaxPool", ConvertMaxPoolAny},
      {"Mul", ConvertBinary<BuiltinOperator::MUL>},
      {"Pad", ConvertPad},
      {"PRelu", ConvertPRelu},
      {"ReduceMean", ConvertReduce<BuiltinOperator::MEAN>},
      {"Relu", ConvertRelu},
      {"Reshape", ConvertReshape},
      {"Resize", ConvertResize},
      {"Sigmoid", ConvertSigmoid},
      {"Softmax", ConvertSoftmax},
      {"Squeeze", ConvertSqueeze},
      {"Sub", ConvertBinary<BuiltinOperator::SUB>},
      {"Tanh", ConvertTanh},
      {"Transpose", ConvertTranspose},
      {"Unsqueeze", ConvertUnsqueeze},
      {"Upsample", ConvertUpsample},
  };
  return table;
}

}  // namespace lithe::convert
