#include "cli/flops.h"

#include <string>

namespace lithe::cli {

namespace {

// The shape of a node's operand as planned (null when the operand is omitted or unknown).
const Shape* OperandShape(const Interpreter& interp, const Node& node, int operand, bool output = false) {
  const std::vector<int>& ids = output ? node.outputs : node.inputs;
  if (operand < 0 || operand >= static_cast<int>(ids.size()) || ids[operand] < 0) return nullptr;
  const Tensor* t = interp.tensor(ids[operand]);
  return t != nullptr ? &t->shape : nullptr;
}

bool IsIntegerActivation(const Interpreter& interp, const Node& node, int operand) {
  if (operand >= static_cast<int>(node.inputs.size()) || node.inputs[operand] < 0) return false;
  const Tensor* t = interp.tensor(node.inputs[operand]);
  return t != nullptr && (t->type == DType::kInt8 || t->type == DType::kUInt8 || t->type == DType::kInt16);
}

}  // namespace

NodeWork CountNodeWork(const Interpreter& interp, const Node& node) {
  NodeWork w;
  const std::string& op = node.op_name;
  const Shape* out = OperandShape(interp, node, 0, /*output=*/true);
  if (out == nullptr) return w;
  if (op == "CONV_2D") {
    // filter [out_channels, kh, kw, in_channels / groups]: each output element sums kh*kw*cin products.
    const Shape* f = OperandShape(interp, node, 1);
    if (f == nullptr || f->rank() != 4) return w;
    w.macs = out->num_elements() * f->Product(1, 4);
    w.integer = IsIntegerActivation(interp, node, 0);
  } else if (op == "DEPTHWISE_CONV_2D") {
    // filter [1, kh, kw, channels * multiplier]: each output element sums kh*kw products.
    const Shape* f = OperandShape(interp, node, 1);
    if (f == nullptr || f->rank() != 4) return w;
    w.macs = out->num_elements() * f->Product(1, 3);
    w.integer = IsIntegerActivation(interp, node, 0);
  } else if (op == "FULLY_CONNECTED") {
    // weights [units, depth]: each output element is a dot product of length depth.
    const Shape* f = OperandShape(interp, node, 1);
    if (f == nullptr || f->rank() != 2) return w;
    w.macs = out->num_elements() * (*f)[1];
    w.integer = IsIntegerActivation(interp, node, 0);
  } else if (op == "BATCH_MATMUL") {
    // out [..., m, n] = lhs [..., m, k] x rhs [..., k, n] (lhs [..., k, m] with adj_x). When
    // lhs's second-last dim is m, k is its last dim; with adj_x and k == m both readings agree.
    const Shape* lhs = OperandShape(interp, node, 0);
    if (lhs == nullptr || lhs->rank() < 2 || out->rank() < 2) return w;
    const int32_t m = (*out)[out->rank() - 2];
    const int32_t k = (*lhs)[lhs->rank() - 2] == m ? (*lhs)[lhs->rank() - 1] : (*lhs)[lhs->rank() - 2];
    w.macs = out->num_elements() * k;
    w.integer = IsIntegerActivation(interp, node, 0);
  } else if (op == "TRANSPOSE_CONV") {
    // inputs: output_shape, weights [out_channels, kh, kw, in_channels], input [n, h, w, in_channels]:
    // every input element is scattered into kh*kw*out_channels outputs.
    const Shape* f = OperandShape(interp, node, 1);
    const Shape* x = OperandShape(interp, node, 2);
    if (f == nullptr || x == nullptr || f->rank() != 4) return w;
    w.macs = x->num_elements() * f->Product(0, 3);
    w.integer = IsIntegerActivation(interp, node, 2);
  }
  return w;
}

}  // namespace lithe::cli
