#include "lithe/op.h"

#include <algorithm>

#include "runtime/thread_pool.h"

namespace lithe {

std::string NodeRef::Describe() const {
  return op_name + " (op " + std::to_string(index) + ")";
}

Status PrepareContext::Error(const std::string& what) const {
  return Status::Error(node_.Describe() + ": " + what);
}

Status PrepareContext::ExpectCounts(int min_inputs, int max_inputs, int outputs) const {
  if (num_inputs() < min_inputs || num_inputs() > max_inputs) {
    const std::string want = min_inputs == max_inputs
                                 ? std::to_string(min_inputs)
                                 : std::to_string(min_inputs) + " to " + std::to_string(max_inputs);
    return Error("expects " + want + " inputs, has " + std::to_string(num_inputs()));
  }
  if (num_outputs() != outputs)
    return Error("expects " + std::to_string(outputs) + " outputs, has " + std::to_string(num_outputs()));
  return Status::Ok();
}

Status PrepareContext::ExpectInputType(int i, DType type) const {
  const Tensor* t = input(i);
  if (t == nullptr) return Error("input " + std::to_string(i) + " is missing");
  if (t->type != type)
    return Error("input " + std::to_string(i) + " ('" + t->name + "') has dtype " + DTypeName(t->type) +
                 ", expected " + DTypeName(type));
  return Status::Ok();
}

void InvokeContext::ParallelFor(int64_t n, FunctionRef<void(int64_t, int64_t)> fn, int64_t work_per_item) const {
  if (pool_ == nullptr || (work_per_item >= 0 && n * work_per_item < kMinParallelWork)) {
    if (n > 0) fn(0, n);
    return;
  }
  pool_->ParallelFor(n, fn);
}

void OpResolver::AddCustom(CustomOp op) {
  for (CustomOp& c : custom_) {
    if (c.name == op.name) {
      c = std::move(op);
      return;
    }
  }
  custom_.push_back(std::move(op));
}

const CustomOp* OpResolver::FindCustom(const std::string& name) const {
  for (const CustomOp& c : custom_)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<std::string> OpResolver::custom_names() const {
  std::vector<std::string> names;
  for (const CustomOp& c : custom_) names.push_back(c.name);
  return names;
}

}  // namespace lithe
