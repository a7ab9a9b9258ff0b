// Pieces shared by the CPU backend's float32 kernels (conv_float.cc, dense_float.cc, pool.cc):
// fused activations as oneDNN post-ops, constant-operand checks, and FloatPrimitive, which
// runs one oneDNN primitive on lithe's tensors.
//
// Memory: source and destination are dnnl::memory objects without a buffer of their own; each
// Invoke points them at the tensors. The primitive's scratchpad (user mode) and, in bfloat16
// mode, the converted source live in scratch that the interpreter's arena provides. Weights are
// reordered once at Prepare into the layout the primitive prefers and kept in the kernel.
#pragma once

#include <cstdint>
#include <dnnl.hpp>
#include <string>
#include <unordered_map>
#include <utility>

#include "backends/backend.h"
#include "backends/onednn/engine.h"
#include "lithe/op.h"
#include "lithe/status.h"
#include "lithe/tensor.h"
#include "ops/common.h"

namespace lithe::onednn {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// Sizes past which the backend declines (oneDNN's JIT kernels index with 32-bit offsets in
// places); the reference kernel runs them.
inline constexpr int64_t kMaxElements = int64_t{1} << 30;

// Appends the fused activation as an eltwise post-op (kNone appends nothing: the reference's
// clamp to +-FLT_MAX only differs on overflow). False for activations oneDNN is not given.
inline bool AppendActivation(Activation a, dnnl::post_ops* po) {
  switch (a) {
    case Activation::kNone:
      return true;
    case Activation::kRelu:
      po->append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      return true;
    case Activation::kReluN1To1:
      po->append_eltwise(1.f, dnnl::algorithm::eltwise_clip, -1.f, 1.f);
      return true;
    case Activation::kRelu6:
      po->append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      return true;
    default:
      return false;
  }
}

// Null when `t` is a float32 constant with data (or absent and optional); else why not.
inline const char* CheckConstFloat(const Tensor* t, bool optional) {
  if (t == nullptr) return optional ? nullptr : "missing operand";
  if (t->type != DType::kFloat32) return "operand is not float32";
  if (!t->is_constant || t->data == nullptr) return "weights or bias are not constant";
  return nullptr;
}

// The right padding oneDNN wants for a window op: TFLite's pad_left plus whatever makes
// out = (in + pl + pr - eff) / stride + 1 hold. VALID windows may leave input unread at the end
// (a negative exact value); 0 reads the same elements.
inline int64_t RightPad(int64_t in, int64_t out, int64_t stride, int64_t eff, int64_t pad_left) {
  const int64_t pr = (out - 1) * stride + eff - in - pad_left;
  return pr < 0 ? 0 : pr;
}

inline Status Declined(const dnnl::error& e) { return Status::Unsupported(std::string("oneDNN: ") + e.what()); }

// One primitive with its arguments, built at Prepare, run at Invoke.
class FloatPrimitive {
 public:
  // `src_md` is the f32 layout of the input tensor; `prim_src_md` what the primitive reads
  // (another dtype, e.g. bf16, adds a reorder into scratch each Invoke). `weights` / `bias` may
  // be empty memories (pooling). The scratchpad must come from `pd` built with
  // scratchpad_mode::user.
  Status Init(PrepareContext& ctx, const dnnl::primitive& prim, const dnnl::memory::desc& scratchpad_md,
              const dnnl::memory::desc& src_md, const dnnl::memory::desc& prim_src_md, const dnnl::memory::desc& dst_md,
              const dnnl::memory& weights, const dnnl::memory& bias) {
    const dnnl::engine& eng = Engine();
    prim_ = prim;
    args_.clear();
    src_ = dnnl::memory(src_md, eng, DNNL_MEMORY_NONE);
    dst_ = dnnl::memory(dst_md, eng, DNNL_MEMORY_NONE);
    convert_src_ = !(src_md == prim_src_md);
    src_scratch_ = -1;
    if (convert_src_) {
      prim_src_ = dnnl::memory(prim_src_md, eng, DNNL_MEMORY_NONE);
      src_reorder_ = dnnl::reorder(src_, prim_src_);
      src_scratch_ = ctx.RequestScratch(prim_src_md.get_size());
      args_[DNNL_ARG_SRC] = prim_src_;
    } else {
      args_[DNNL_ARG_SRC] = src_;
    }
    args_[DNNL_ARG_DST] = dst_;
    if (weights) args_[DNNL_ARG_WEIGHTS] = weights;
    if (bias) args_[DNNL_ARG_BIAS] = bias;
    scratch_ = -1;
    if (scratchpad_md.get_size() > 0) {
      scratchpad_ = dnnl::memory(scratchpad_md, eng, DNNL_MEMORY_NONE);
      scratch_ = ctx.RequestScratch(scratchpad_md.get_size());
      args_[DNNL_ARG_SCRATCHPAD] = scratchpad_;
    }
    return Status::Ok();
  }

  void Run(InvokeContext& ctx, const void* in, void* out) {
    dnnl::stream& s = Stream();
    src_.set_data_handle(const_cast<void*>(in));
    dst_.set_data_handle(out);
    if (scratch_ >= 0) scratchpad_.set_data_handle(ctx.scratch(scratch_));
    if (convert_src_) {
      prim_src_.set_data_handle(ctx.scratch(src_scratch_));
      src_reorder_.execute(s, src_, prim_src_);
    }
    prim_.execute(s, args_);
    s.wait();
  }

 private:
  dnnl::primitive prim_;
  std::unordered_map<int, dnnl::memory> args_;
  dnnl::memory src_, dst_, scratchpad_, prim_src_;
  dnnl::reorder src_reorder_;
  bool convert_src_ = false;
  int scratch_ = -1, src_scratch_ = -1;
};

// Runs a kernel's Prepare; a oneDNN error declines the node. (The interpreter has made its
// thread count OpenMP's at AllocateTensors, so primitives are created for it.)
template <class F>
Status PrepareOnOneDnn(F&& prepare) {
  try {
    return prepare();
  } catch (const dnnl::error& e) {
    return Declined(e);
  }
}

inline Status NoOptimizedKernel(const dnnl::primitive_desc_base& pd) {
  return Status::Unsupported(std::string("oneDNN has no optimized kernel (") + pd.impl_info_str() + ")");
}

// make_pd(dt) builds the primitive descriptor computing in `dt`. Returns the bf16 one when
// `allow_bf16`, the CPU has AVX512_BF16 and oneDNN has an optimized bf16 kernel (*bf16 = true);
// else the f32 one.
template <class MakePd>
auto ChooseComputeType(bool allow_bf16, MakePd&& make_pd, bool* bf16) -> decltype(make_pd(dt::f32)) {
  *bf16 = false;
  if (allow_bf16 && CpuHasBf16()) {
    try {
      auto pd = make_pd(dt::bf16);
      if (!IsReferenceImpl(pd)) {
        *bf16 = true;
        return pd;
      }
    } catch (const dnnl::error&) {
      // no bf16 kernel for this shape: f32 below
    }
  }
  return make_pd(dt::f32);
}

}  // namespace lithe::onednn
