// The table of ONNX op converters: one function per ONNX op type (onnx_ops_*.cc), listed here.
// Each reads its ONNX inputs and attributes through the Converter, emits TFLite operators and
// defines its outputs. Shapes are static: every output shape is computed at conversion.
#include "convert/onnx_ops_common.h"

namespace lithe::convert {

using namespace ops;  // NOLINT: the converters
const std::vector<OpConverterEntry>& OpConverters() {
  static const std::vector<OpConverterEntry> table = {
      {"Add", ConvertAdd},
      {"AveragePool", ConvertAveragePoolAny},
      {"BatchNormalization", ConvertBatchNorm},
      {"Clip", ConvertClip},
      {"Concat", ConvertConcat},
      {"Constant", ConvertConstant},
      {"Conv", ConvertConvAny},
      {"ConvTranspose", ConvertConvTransposeAny},
      {"Div", ConvertDiv},
      {"Dropout", ConvertDropout},
      {"Exp", ConvertExp},
      {"Gather", ConvertGather},
      {"GlobalMaxPool", ConvertGlobalMaxPool},
      {"LogSoftmax", ConvertLogSoftmax},
      {"ReduceMax", ConvertReduceMax},
      {"ReduceSum", ConvertReduceSum},
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
      {"Mul", ConvertMul},
      {"Pad", ConvertPad},
      {"PRelu", ConvertPRelu},
      {"ReduceMean", ConvertReduceMean},
      {"Relu", ConvertRelu},
      {"Reshape", ConvertReshape},
      {"Resize", ConvertResize},
      {"Sigmoid", ConvertSigmoid},
      {"Softmax", ConvertSoftmax},
      {"Squeeze", ConvertSqueeze},
      {"Sub", ConvertSub},
      {"Tanh", ConvertTanh},
      {"Transpose", ConvertTranspose},
      {"Unsqueeze", ConvertUnsqueeze},
      {"Upsample", ConvertUpsample},
  };
  return table;
}

}  // namespace lithe::convert

