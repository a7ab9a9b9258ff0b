// MAX_POOL_2D / AVERAGE_POOL_2D options, shared by the reference kernels (ops/pool2d.cc) and the
// CPU backend's.
#pragma once

#include "ops/common.h"

namespace lithe {

struct Pool2DOptions : OpOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 0, stride_h = 0;
  int32_t filter_w = 0, filter_h = 0;
  Activation activation = Activation::kNone;
};

}  // namespace lithe
