// ONNX -> TensorFlow Lite conversion (float32 CNNs and MLPs as PyTorch exports them).
//
//   auto tflite = lithe::convert::ConvertOnnxFile("model.onnx");
//   if (!tflite.ok()) { std::cerr << tflite.status().message(); }
//   lithe::WriteFileAtomic("model.tflite", tflite->data(), tflite->size());
//
// The result is a standard .tflite file (bytes) that lithe and TensorFlow Lite both run. NCHW
// tensors are turned into NHWC inside; graph inputs and outputs keep their ONNX layout unless
// `nhwc_io` is set. Errors name the ONNX node (index and name), its op type and the opset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lithe/status.h"

namespace lithe::convert {

struct OnnxConvertOptions {
  // Give 4-D graph inputs and outputs NHWC layout (TFLite's convention for images) instead of
  // keeping ONNX's NCHW.
  bool nhwc_io = false;
};

Result<std::vector<uint8_t>> ConvertOnnx(const uint8_t* data, size_t size,
                                         const OnnxConvertOptions& options = {});
Result<std::vector<uint8_t>> ConvertOnnxFile(const std::string& path,
                                             const OnnxConvertOptions& options = {});

// The ONNX op types the importer claims (sorted), and the opset range it accepts.
std::vector<std::string> SupportedOnnxOps();
constexpr int kMinOnnxOpset = 1;
constexpr int kMaxOnnxOpset = 17;

}  // namespace lithe::convert
