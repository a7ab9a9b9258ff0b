// Helpers shared by the ONNX op converters (see onnx_ops_common.h).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "convert/onnx_ops_common.h"

namespace lithe::convert::ops {



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


Status Unary(Converter& c, const OnnxNode& n, BuiltinOperator code, BuiltinOptionsUnion options,
             int version) {
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

}  // namespace lithe::convert::ops
