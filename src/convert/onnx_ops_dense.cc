// ONNX Gemm and MatMul as FULLY_CONNECTED (constant weights) or BATCH_MATMUL.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "convert/onnx_ops_common.h"

namespace lithe::convert::ops {

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

}  // namespace lithe::convert::ops
