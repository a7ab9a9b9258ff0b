// Arithmetic work of one node, for `lithe bench --profile`: how many multiply-accumulates the
// matrix-like ops do, from the tensor shapes the interpreter settled on at AllocateTensors.
//
//   lithe::cli::NodeWork w = lithe::cli::CountNodeWork(interp, node);
//   if (w.macs > 0) gflops = 2.0 * w.macs / seconds / 1e9;
#pragma once

#include <cstdint>

#include "lithe/graph.h"
#include "lithe/interpreter.h"

namespace lithe::cli {

struct NodeWork {
  int64_t macs = 0;      // 0: not counted for this op
  bool integer = false;  // quantized arithmetic (GOP/s) rather than floating point (GFLOP/s)
  int64_t flops() const { return 2 * macs; }
};

// Counts CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, BATCH_MATMUL and TRANSPOSE_CONV; every
// other op (and a node whose shapes do not fit the op) counts as zero.
NodeWork CountNodeWork(const Interpreter& interp, const Node& node);

}  // namespace lithe::cli
