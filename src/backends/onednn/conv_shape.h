// The NHWC convolution geometry lithe's own CPU kernels take (int8_gemm.h, int8_depthwise.h):
// one group; a fully connected layer is in_h = in_w = kh = kw = 1.
#pragma once

#include <cstdint>

#include "ops/common.h"

namespace lithe::onednn {

struct ConvGemmShape {
  int32_t batches = 1, in_h = 1, in_w = 1, in_c = 1;
  int32_t out_h = 1, out_w = 1, out_c = 1;
  int32_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1, pad_top = 0, pad_left = 0;
};

// `s` with the strides and dilations of a CONV_2D / DEPTHWISE_CONV_2D node's options; callers
// name the rest with designated initializers.
inline ConvGemmShape WithWindowOptions(ConvGemmShape s, const ConvOptions& o) {
  s.stride_h = o.stride_h, s.stride_w = o.stride_w, s.dil_h = o.dilation_h, s.dil_w = o.dilation_w;
  return s;
}

}  // namespace lithe::onednn
