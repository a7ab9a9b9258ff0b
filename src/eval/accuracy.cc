#include "eval/accuracy.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lithe::eval {

namespace {

std::string ShapeString(const std::vector<int32_t>& dims) { return Shape::FromVector(dims).ToString(); }

int64_t Product(const std::vector<int32_t>& dims, size_t from) {
  int64_t n = 1;
  for (size_t i = from; i < dims.size(); ++i) n *= dims[i];
  return n;
}

std::string FormatFloat(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

// How many samples one Invoke takes, resizing a dynamic batch dim. Returns the batch.
Result<int> ChooseBatch(Interpreter& interp, const Dataset& ds, int64_t num_samples, int max_batch) {
  const TensorDetails d = interp.input_details(0);
  const int64_t per_sample = ds.sample_elements();
  const std::vector<int32_t>& sig = d.shape_signature.empty() ? d.shape : d.shape_signature;
  const std::string what = "input '" + d.name + "' (shape " + ShapeString(sig) + ", " +
                           std::to_string(Product(d.shape, 0)) + " values)";
  const std::string sample = "a dataset sample has shape " + ShapeString(ds.sample_shape) + " (" +
                             std::to_string(per_sample) + " values)";
  for (size_t i = 1; i < sig.size(); ++i)
    if (sig[i] < 0) return Status::Error(what + " has a dynamic dim " + std::to_string(i) + "; only the batch dim (0) may be");
  if (sig.size() >= 2 && sig[0] < 0) {
    if (Product(d.shape, 1) != per_sample)
      return Status::Error(what + " takes " + std::to_string(Product(d.shape, 1)) + " values per sample; " + sample);
    const int batch = static_cast<int>(std::clamp<int64_t>(num_samples, 1, std::max(1, max_batch)));
    std::vector<int32_t> shape = d.shape;
    shape[0] = batch;
    LITHE_RETURN_IF_ERROR(interp.ResizeInput(0, shape));
    return batch;
  }
  if (Product(d.shape, 0) == per_sample) return 1;
  if (d.shape.size() >= 2 && d.shape[0] > 1 && Product(d.shape, 1) == per_sample) return d.shape[0];
  return Status::Error(what + " does not take one sample: " + sample);
}

}  // namespace

Metrics::Metrics(int num_classes)
    : num_classes_(num_classes),
      class_count_(static_cast<size_t>(num_classes)),
      class_correct_(static_cast<size_t>(num_classes)),
      confusion_(static_cast<size_t>(num_classes) * static_cast<size_t>(num_classes)) {}

void Metrics::Add(int label, const float* s) {
  int predicted = 0;
  int above = 0;  // classes ranking above the true one
  for (int j = 0; j < num_classes_; ++j) {
    if (s[j] > s[predicted]) predicted = j;
    if (s[j] > s[label] || (s[j] == s[label] && j < label)) ++above;
  }
  top1_correct_ += predicted == label;
  top5_correct_ += above < top_k();
  ++class_count_[label];
  class_correct_[label] += predicted == label;
  ++confusion_[static_cast<size_t>(label) * num_classes_ + predicted];
  predictions_.push_back(predicted);
}

double Metrics::top1() const {
  return predictions_.empty() ? 0.0 : static_cast<double>(top1_correct_) / static_cast<double>(predictions_.size());
}
double Metrics::top5() const {
  return predictions_.empty() ? 0.0 : static_cast<double>(top5_correct_) / static_cast<double>(predictions_.size());
}

std::string FeedInfo::ToString() const {
  std::string s = "input '" + input_name + "' " + DTypeName(input_type) + " " + ShapeString(input_shape) + ", " +
                  std::to_string(batch) + (batch == 1 ? " sample" : " samples") + " per Invoke";
  if (quantized)
    s += ", quantized q = round(value / " + FormatFloat(quant_scale) + ") + " + std::to_string(quant_zero_point);
  s += "; output '" + output_name + "' " + DTypeName(output_type) + " " + ShapeString(output_shape) + " (" +
       std::to_string(num_classes) + " classes)";
  return s;
}

Result<EvalResult> Evaluate(Interpreter& interp, const Dataset& ds, const EvalOptions& options) {
  if (interp.num_inputs() != 1)
    return Status::Error("the model has " + std::to_string(interp.num_inputs()) + " inputs; eval needs exactly one");
  if (interp.num_outputs() < 1) return Status::Error("the model has no outputs");
  const int64_t n = options.limit >= 0 ? std::min(options.limit, ds.num_samples) : ds.num_samples;
  const int64_t per_sample = ds.sample_elements();
  if (per_sample == 0) return Status::Error("the dataset's samples have shape " + ShapeString(ds.sample_shape) + ": no values");

  auto batch_or = ChooseBatch(interp, ds, n, options.max_batch);
  if (!batch_or.ok()) return batch_or.status();
  const int batch = *batch_or;
  LITHE_RETURN_IF_ERROR(interp.AllocateTensors());

  EvalResult r;
  FeedInfo& f = r.feed;
  const TensorDetails in = interp.input_details(0);
  f.input_name = in.name;
  f.input_type = in.type;
  f.input_shape = in.shape;
  f.batch = batch;
  if (in.type == DType::kInt8 || in.type == DType::kUInt8) {
    if (in.quant.scale.size() != 1)
      return Status::Error("input '" + in.name + "' is " + DTypeName(in.type) +
                           " without one per-tensor scale; cannot quantize the samples");
    f.quantized = true;
    f.quant_scale = in.quant.scale[0];
    f.quant_zero_point = in.quant.zero_point.empty() ? 0 : in.quant.zero_point[0];
    if (!(f.quant_scale > 0.0f) || !std::isfinite(f.quant_scale))
      return Status::Error("input '" + in.name + "' has quantization scale " + FormatFloat(f.quant_scale) +
                           "; it must be positive");
  } else if (in.type != DType::kFloat32) {
    return Status::Error("input '" + in.name + "' is " + DTypeName(in.type) + "; eval feeds float32, int8 or uint8");
  }

  const TensorDetails out = interp.output_details(0);
  f.output_name = out.name;
  f.output_type = out.type;
  f.output_shape = out.shape;
  const std::string out_what = "output '" + out.name + "' (shape " + ShapeString(out.shape) + ")";
  if (out.shape.empty()) return Status::Error(out_what + " is a scalar, not class scores");
  const int64_t classes = out.shape.back();
  const int64_t total = Product(out.shape, 0);
  if (classes < 1 || total != classes * batch || (batch > 1 && (out.shape.size() < 2 || out.shape[0] != batch)))
    return Status::Error(out_what + " is not one row of class scores per sample (expected [" +
                         (batch > 1 ? std::to_string(batch) : std::string("1")) + ", C] for " +
                         std::to_string(batch) + (batch > 1 ? " samples" : " sample") + ")");
  if (classes < ds.num_classes || (!ds.class_names.empty() && classes != ds.num_classes))
    return Status::Error(out_what + " scores " + std::to_string(classes) + " classes; the dataset has " +
                         std::to_string(ds.num_classes) + (ds.class_names.empty() ? " (labels up to " +
                         std::to_string(ds.num_classes - 1) + ")" : ""));
  if (out.type != DType::kFloat32 && out.type != DType::kInt8 && out.type != DType::kUInt8 &&
      out.type != DType::kInt16)
    return Status::Error(out_what + " is " + DTypeName(out.type) + "; class scores must be float32, int8, uint8 or int16");
  if (!out.quant.scale.empty() && !(out.quant.scale[0] > 0.0f))
    return Status::Error(out_what + " has a non-positive quantization scale; its order of scores is unknown");
  f.num_classes = static_cast<int>(classes);
  const int64_t zp_out = out.quant.zero_point.empty() ? 0 : out.quant.zero_point[0];

  r.metrics = Metrics(f.num_classes);
  std::vector<float> values(static_cast<size_t>(per_sample) * batch);
  std::vector<float> scores(static_cast<size_t>(classes));
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t count = std::min<int64_t>(batch, n - start);
    // A fixed batch larger than what is left is padded with zeros; those rows are not counted.
    std::fill(values.begin(), values.end(), 0.0f);
    for (int64_t k = 0; k < count; ++k)
      ds.SampleAsFloat(start + k, options.scale, options.offset, values.data() + k * per_sample);
    if (in.type == DType::kFloat32) {
      LITHE_RETURN_IF_ERROR(interp.SetInput(0, values.data(), values.size() * sizeof(float)));
    } else {
      // Affine quantization, rounding half away from zero as TensorFlow Lite's QUANTIZE does.
      const bool s8 = in.type == DType::kInt8;
      const float lo = s8 ? -128.0f : 0.0f, hi = s8 ? 127.0f : 255.0f;
      std::vector<uint8_t> q(values.size());
      for (size_t i = 0; i < values.size(); ++i) {
        float v = std::round(values[i] / f.quant_scale) + static_cast<float>(f.quant_zero_point);
        v = std::isnan(v) ? static_cast<float>(f.quant_zero_point) : v;
        v = std::clamp(v, lo, hi);
        q[i] = s8 ? static_cast<uint8_t>(static_cast<int8_t>(v)) : static_cast<uint8_t>(v);
      }
      LITHE_RETURN_IF_ERROR(interp.SetInput(0, q.data(), q.size()));
    }
    LITHE_RETURN_IF_ERROR(interp.Invoke());
    const Tensor* t = interp.tensor(out.index);
    for (int64_t k = 0; k < count; ++k) {
      const int64_t base = k * classes;
      for (int64_t c = 0; c < classes; ++c) {
        const int64_t i = base + c;
        switch (out.type) {
          case DType::kFloat32: scores[c] = t->data_as<float>()[i]; break;
          // Quantized scores: q - zero_point has the same order as the real values (scale > 0).
          case DType::kInt8: scores[c] = static_cast<float>(t->data_as<int8_t>()[i] - zp_out); break;
          case DType::kUInt8: scores[c] = static_cast<float>(t->data_as<uint8_t>()[i] - zp_out); break;
          default: scores[c] = static_cast<float>(t->data_as<int16_t>()[i] - zp_out); break;
        }
      }
      r.metrics.Add(ds.labels[static_cast<size_t>(start + k)], scores.data());
    }
    if (options.progress) options.progress(start + count, n);
  }
  return r;
}

}  // namespace lithe::eval
