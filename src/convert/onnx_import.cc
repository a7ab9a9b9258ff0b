#include "convert/onnx_import.h"
namespace lithe::convert {
Result<std::vector<uint8_t>> ConvertOnnx(const uint8_t*, size_t, const OnnxConvertOptions&) {
  return Status::Error("ONNX import: being written");
}
Result<std::vector<uint8_t>> ConvertOnnxFile(const std::string&, const OnnxConvertOptions&) {
  return Status::Error("ONNX import: being written");
}
std::vector<std::string> SupportedOnnxOps() { return {}; }
}  // namespace lithe::convert
