// The optimized CPU backend on oneDNN: which kernel serves which node, and the engine.
#include <omp.h>

#include <cpuid.h>

#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/onednn/engine.h"
#include "backends/onednn/kernels.h"
#include "ops/binary_quant.h"
#include "ops/common.h"
#include "tflite_generated.h"

namespace lithe {
namespace onednn {

const dnnl::engine& Engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& Stream() {
  thread_local dnnl::stream stream(Engine());
  return stream;
}

namespace {

// Picks the float or the integer kernel at Prepare from the first input's dtype; declines
// other dtypes (int16 activations, hybrid float x int8 weights stay with the reference kernels).
class ByInputType final : public OpKernel {
 public:
  ByInputType(std::unique_ptr<OpKernel> float_kernel, std::unique_ptr<OpKernel> int8_kernel)
      : float_(std::move(float_kernel)), int8_(std::move(int8_kernel)) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* x = ctx.input(0);
    const Tensor* w = ctx.input(1);
    chosen_ = nullptr;
    if (x == nullptr) return Status::Unsupported("no input");
    if (x->type == DType::kFloat32) {
      if (w != nullptr && w->type != DType::kFloat32) return Status::Unsupported("hybrid (float input, integer weights)");
      chosen_ = float_.get();
    } else if (x->type == DType::kInt8 || x->type == DType::kUInt8) {
      chosen_ = int8_.get();
    }
    if (chosen_ == nullptr) return Status::Unsupported("no " + DTypeName(x->type) + " kernel");
    return chosen_->Prepare(ctx);
  }
  void Invoke(InvokeContext& ctx) override { chosen_->Invoke(ctx); }

 private:
  std::unique_ptr<OpKernel> float_, int8_;
  OpKernel* chosen_ = nullptr;
};

std::unique_ptr<OpKernel> Either(std::unique_ptr<OpKernel> f, std::unique_ptr<OpKernel> q) {
  if (f == nullptr && q == nullptr) return nullptr;
  return std::make_unique<ByInputType>(std::move(f), std::move(q));
}

}  // namespace
}  // namespace onednn

void CpuBackendUseThreads(int n) { omp_set_num_threads(n); }
bool CpuBackendAvailable() { return true; }

bool CpuHasBf16() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return false;
  return (a & (1u << 5)) != 0;  // CPUID.(EAX=7,ECX=1):EAX[5] = AVX512_BF16
}

std::string CpuBackendDescription() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         ", bf16 " + (CpuHasBf16() ? "yes (AVX512_BF16)" : "no");
}

std::unique_ptr<OpKernel> CreateCpuKernel(const Node& node, const BackendConfig& c) {
  if (node.is_custom() || node.options == nullptr) return nullptr;
  using Op = ::tflite::BuiltinOperator;
  const OpOptions* o = node.options.get();
  switch (static_cast<Op>(node.builtin_code)) {
    case Op::CONV_2D: {
      const auto& co = *static_cast<const ConvOptions*>(o);
      return onednn::Either(onednn::MakeConv2DFloat(co, c), onednn::MakeConv2DInt8(co, c));
    }
    case Op::DEPTHWISE_CONV_2D: {
      const auto& co = *static_cast<const ConvOptions*>(o);
      return onednn::Either(onednn::MakeDepthwiseConv2DFloat(co, c), onednn::MakeDepthwiseConv2DInt8(co, c));
    }
    case Op::FULLY_CONNECTED: {
      const auto& fo = *static_cast<const FullyConnectedOptions*>(o);
      return onednn::Either(onednn::MakeFullyConnectedFloat(fo, c), onednn::MakeFullyConnectedInt8(fo, c));
    }
    case Op::ADD:
    case Op::SUB: {
      const auto& bo = *static_cast<const BinaryOptions*>(o);
      return onednn::Either(nullptr, onednn::MakeAddInt8(node.builtin_code == static_cast<int>(Op::SUB),
                                                         bo.activation, c));
    }
    case Op::MAX_POOL_2D:
    case Op::AVERAGE_POOL_2D: {
      const auto& po = *static_cast<const Pool2DOptions*>(o);
      if (node.builtin_code == static_cast<int>(Op::MAX_POOL_2D))
        return onednn::Either(onednn::MakeMaxPool2D(po, c), onednn::MakeMaxPool2D(po, c));
      return onednn::Either(onednn::MakeAveragePool2D(po, c), nullptr);
    }
    case Op::QUANTIZE: {  // float32 input: ByInputType's "float" kernel
      return onednn::Either(onednn::MakeQuantizeInt8(c), nullptr);
    }
    default:
      return nullptr;
  }
}

}  // namespace lithe
