// What the ONNX op converters (onnx_ops_*.cc) share: small helpers over the Converter, the
// element-wise emitters, and each converter's declaration for the table in onnx_ops.cc.
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "convert/onnx_context.h"

namespace lithe::convert::ops {

using ::tflite::BuiltinOperator;
using ::tflite::BuiltinOptionsUnion;

constexpr float kInf = std::numeric_limits<float>::infinity();

template <class T>
BuiltinOptionsUnion Options(T&& o) {
  BuiltinOptionsUnion u;
  u.Set(std::forward<T>(o));
  return u;
}

inline const std::string& OutName(const OnnxNode& n, int i = 0) { return n.proto->output(i); }
Result<int64_t> NormalizeAxis(int64_t axis, size_t rank);
// Outputs past `max` must be unnamed, and output 0 must exist.
Status ExpectOutputs(const OnnxNode& n, int max);
Result<Dims> BroadcastDims(const Dims& a, const Dims& b);
// A constant `v` seen with `rank` dims (leading 1s added), as a new Value.
Value ExpandedConst(const Value& v, size_t rank);
// A float constant of the given ONNX shape, as a Value.
Value MakeConstValue(const std::string& name, Dims shape, std::vector<float> data);
// A rank-`rank` tensor of ones holding `value`, broadcastable against anything of that rank.
int ScalarTensor(Converter& c, const std::string& name, float value, size_t rank);
// TFLite's fused activation for clamping to [lo, hi]; *ok false when there is none.
::tflite::ActivationFunctionType ToTflite(float lo, float hi, bool* ok);
// Clip's bounds (attributes before opset 11, constant inputs from 11); ±inf when absent.
Result<std::pair<float, float>> ClipBounds(Converter& c, const OnnxNode& n);

struct Fused {
  ::tflite::ActivationFunctionType act = ::tflite::ActivationFunctionType::NONE;
  std::string out;
};
Fused FuseActivation(Converter& c, const std::string& out);

Status DefineValue(Converter& c, const std::string& name, const Dims& shape, int tensor,
                   const Perm& perm);
// A unary TFLite op on input 0, in the input's layout.
Status Unary(Converter& c, const OnnxNode& n, BuiltinOperator code,
             BuiltinOptionsUnion options = {}, int version = 1);
// A binary op with numpy broadcasting; `fuse` lets a following Relu/Clip fold in.
Status BinaryOp(Converter& c, const std::string& out_name, Value* a, Value* b,
                BuiltinOperator code, bool fuse);
// A reduction `code` over ONNX `axes` of x, in x's layout.
Status Reduce(Converter& c, const OnnxNode& n, Value* x, Dims axes, bool keepdims,
              BuiltinOperator code);
// Output 0 of n is x with ONNX shape `shape` (same element order).
Status EmitReshape(Converter& c, const OnnxNode& n, Value* x, const Dims& shape);

// The converters (one per ONNX op type).
Status ConvertAdd(Converter& c, const OnnxNode& n);
Status ConvertSub(Converter& c, const OnnxNode& n);
Status ConvertMul(Converter& c, const OnnxNode& n);
Status ConvertDiv(Converter& c, const OnnxNode& n);
Status ConvertPRelu(Converter& c, const OnnxNode& n);
Status ConvertRelu(Converter& c, const OnnxNode& n);
Status ConvertSigmoid(Converter& c, const OnnxNode& n);
Status ConvertTanh(Converter& c, const OnnxNode& n);
Status ConvertHardSwish(Converter& c, const OnnxNode& n);
Status ConvertLeakyRelu(Converter& c, const OnnxNode& n);
Status ConvertIdentity(Converter& c, const OnnxNode& n);
Status ConvertClip(Converter& c, const OnnxNode& n);
Status ConvertHardSigmoid(Converter& c, const OnnxNode& n);
Status ConvertSoftmax(Converter& c, const OnnxNode& n);
Status ConvertLogSoftmax(Converter& c, const OnnxNode& n);
Status ConvertExp(Converter& c, const OnnxNode& n);
Status ConvertDropout(Converter& c, const OnnxNode& n);
Status ConvertGlobalAveragePool(Converter& c, const OnnxNode& n);
Status ConvertGlobalMaxPool(Converter& c, const OnnxNode& n);
Status ConvertReduceMean(Converter& c, const OnnxNode& n);
Status ConvertReduceMax(Converter& c, const OnnxNode& n);
Status ConvertReduceSum(Converter& c, const OnnxNode& n);
Status ConvertBatchNorm(Converter& c, const OnnxNode& n);
Status ConvertConvAny(Converter& c, const OnnxNode& n);
Status ConvertConvTransposeAny(Converter& c, const OnnxNode& n);
Status ConvertMaxPoolAny(Converter& c, const OnnxNode& n);
Status ConvertAveragePoolAny(Converter& c, const OnnxNode& n);
Status ConvertMatMul(Converter& c, const OnnxNode& n);
Status ConvertGemm(Converter& c, const OnnxNode& n);
Status ConvertReshape(Converter& c, const OnnxNode& n);
Status ConvertFlatten(Converter& c, const OnnxNode& n);
Status ConvertSqueeze(Converter& c, const OnnxNode& n);
Status ConvertUnsqueeze(Converter& c, const OnnxNode& n);
Status ConvertTranspose(Converter& c, const OnnxNode& n);
Status ConvertConcat(Converter& c, const OnnxNode& n);
Status ConvertPad(Converter& c, const OnnxNode& n);
Status ConvertShape(Converter& c, const OnnxNode& n);
Status ConvertGather(Converter& c, const OnnxNode& n);
Status ConvertSlice(Converter& c, const OnnxNode& n);
Status ConvertSplit(Converter& c, const OnnxNode& n);
Status ConvertConstant(Converter& c, const OnnxNode& n);
Status ConvertResize(Converter& c, const OnnxNode& n);
Status ConvertUpsample(Converter& c, const OnnxNode& n);

}  // namespace lithe::convert::ops
