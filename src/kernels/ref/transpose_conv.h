// Float32 reference kernel for TensorFlow Lite's builtin TRANSPOSE_CONV on NHWC tensors.
//
//   int32_t pad_h = lithe::ref::TransposeConvPadding(same, out_h, filter_h, stride_h);
//   lithe::ref::ConvGeometry g = ...;  // from conv.h; dilation 1, pad_top/pad_left as above
//   lithe::ref::PackTransposeConvFilter(weights_ohwi, out_c, kh, kw, in_c, packed.data());
//   lithe::ref::TransposeConvRows(g, input, packed.data(), bias, output, 0, g.batches * g.out_h);
//
// Every input pixel (iy, ix) scatters in[b,iy,ix,i] * w[o,ky,kx,i] onto
// out[b, iy*sh - pad_top + ky, ix*sw - pad_left + kx, o]; contributions that fall outside the
// output are dropped (TFLite does not require the output size to match the input's).
#pragma once

#include <cstdint>

#include "kernels/ref/conv.h"

namespace lithe::ref {

// The leading padding TensorFlow Lite 2.9 uses along one dim of a transpose convolution. It is
// computed from the *output* size as if the output were a convolution's input
// (kernels/padding.h ComputePaddingHeightWidth with in_size = out_size, dilation 1):
//   SAME:  n = (out + stride - 1) / stride
//   VALID: n = (out + stride - filter) / stride      (C division, truncates towards zero)
//   pad   = max(0, (n - 1) * stride + filter - out) / 2
// The odd extra pad (if any) is at the end and needs no handling in a scatter/gather.
int32_t TransposeConvPadding(bool same, int32_t out, int32_t filter, int32_t stride);
// The total padding (leading + trailing) of the same computation: max(0, (n - 1) * stride + filter - out).
int64_t TransposeConvTotalPadding(bool same, int32_t out, int32_t filter, int32_t stride);

// The input size TensorFlow Lite's (optimized, im2col/col2im) kernel assumes for this output
// size: (out + total_padding - filter) / stride + 1 (C division). When the input differs, that
// kernel reads rows it never wrote (or drops some), so its output is undefined; callers refuse
// such shapes. With it, every input pixel's scatter lands as TFLite's reference kernel places it.
int64_t TransposeConvInputSize(bool same, int32_t out, int32_t filter, int32_t stride);

// Output rows [row_begin, row_end), row = batch * out_h + y, computed as a gather per output
// pixel. Each output sums its contributions in TensorFlow Lite's reference order (iy, then ix,
// then input channel, ascending) starting from 0; the bias (may be null) is added last, then the
// result is clamped to [act_min, act_max]. `packed_filter` is PackTransposeConvFilter's layout.
void TransposeConvRows(const ConvGeometry& g, const float* input, const float* packed_filter, const float* bias,
                       float* output, int64_t row_begin, int64_t row_end);

}  // namespace lithe::ref
