// Integer kernels of ADD, SUB and MUL (int8, uint8, int16), defined in binary_quant.cc and
// chosen by binary.cc's kernels when the inputs are quantized.
#pragma once

#include <memory>

#include "kernels/ref/elementwise_quant.h"
#include "lithe/op.h"
#include "ops/common.h"

namespace lithe {

enum class QuantBinaryOp : int8_t { kAdd, kSub, kMul };

// ADD / SUB / MUL / DIV options (binary.cc parses them; the CPU backend reads them too).
struct BinaryOptions : OpOptions {
  Activation activation = Activation::kNone;
  // ADD/SUB int16 only: the power-of-two-scale kernel may be used. TensorFlow Lite zero-fills
  // absent options, so absent means false (the table's own default is true).
  bool pot_scale_int16 = false;
};

// The general quantized ADD / SUB's parameters (ref::AddQuant) as TensorFlow Lite computes them
// from the inputs' and output's quantization (8-bit, or int16 without pot_scale_int16); errors
// name the node.
Status PrepareAddQuant(const PrepareContext& ctx, QuantBinaryOp op, const QuantParams& q1, const QuantParams& q2,
                       const QuantParams& qo, int32_t act_min, int32_t act_max, ref::AddQuantParams* p);

// `pot_scale_int16` is Add/SubOptions.pot_scale_int16 (false when the options are absent, as
// in TensorFlow Lite); it only matters for int16.
std::unique_ptr<OpKernel> MakeQuantBinaryKernel(QuantBinaryOp op, Activation activation, bool pot_scale_int16);

}  // namespace lithe
