// The CPU backend's kernels, one factory per op and dtype family. Each returns a kernel whose
// Prepare returns Status::Unsupported for what it does not cover (the interpreter then uses the
// reference kernel). cpu_backend.cc picks the factory from the node's op and input dtype.
#pragma once

#include <memory>

#include "backends/backend.h"
#include "ops/common.h"
#include "ops/fully_connected_quant.h"
#include "ops/pool2d.h"

namespace lithe::onednn {

// float32 (and bfloat16 under allow_precision_loss): conv_float.cc, dense_float.cc, pool.cc
// (average; max pooling: pool_max.cc below).
std::unique_ptr<OpKernel> MakeConv2DFloat(const ConvOptions& o, const BackendConfig& c);
std::unique_ptr<OpKernel> MakeDepthwiseConv2DFloat(const ConvOptions& o, const BackendConfig& c);
std::unique_ptr<OpKernel> MakeFullyConnectedFloat(const FullyConnectedOptions& o, const BackendConfig& c);
std::unique_ptr<OpKernel> MakeAveragePool2D(const Pool2DOptions& o, const BackendConfig& c);

// int8 / uint8 activations with int8 weights: conv_int8.cc, dense_int8.cc (oneDNN with VNNI,
// else int8_gemm.cc).
std::unique_ptr<OpKernel> MakeConv2DInt8(const ConvOptions& o, const BackendConfig& c);
std::unique_ptr<OpKernel> MakeDepthwiseConv2DInt8(const ConvOptions& o, const BackendConfig& c);
std::unique_ptr<OpKernel> MakeFullyConnectedInt8(const FullyConnectedOptions& o, const BackendConfig& c);
// int8 ADD / SUB of same-shape inputs: add_int8.cc.
std::unique_ptr<OpKernel> MakeAddInt8(bool subtract, Activation activation, const BackendConfig& c);
// MAX_POOL_2D on float32 and int8: pool_max.cc. QUANTIZE float32 -> int8: quantize_int8.cc.
std::unique_ptr<OpKernel> MakeMaxPool2D(const Pool2DOptions& o, const BackendConfig& c);
std::unique_ptr<OpKernel> MakeQuantizeInt8(const BackendConfig& c);

}  // namespace lithe::onednn
