// ONNX Resize and Upsample: a TFLite resize op where its sampling is ONNX's, else GATHER.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "convert/onnx_ops_common.h"

namespace lithe::convert::ops {

// --- Resize / Upsample ------------------------------------------------------------------------

struct ResizeSpec {
  std::string mode = "nearest";  // nearest | linear
  std::string coord = "asymmetric";
  std::string nearest = "floor";
  int64_t in[2] = {0, 0}, out[2] = {0, 0};
  double scale[2] = {1, 1};  // ONNX's scale (out / in unless given)
  bool from_scales = false;  // ONNX then uses in * scale (unrounded) as the resized length
};

// ONNX's source coordinate of output index x along one axis.
double OnnxCoord(const ResizeSpec& s, int i, int64_t x) {
  const double sc = s.scale[i];
  const double in = static_cast<double>(s.in[i]);
  const double out = s.from_scales ? in * sc : static_cast<double>(s.out[i]);
  if (s.coord == "half_pixel") return (x + 0.5) / sc - 0.5;
  if (s.coord == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / sc - 0.5 : 0.0;
  if (s.coord == "align_corners") return out > 1 ? x * (in - 1) / (out - 1) : 0.0;
  if (s.coord == "tf_half_pixel_for_nn") return (x + 0.5) / sc;
  return x / sc;  // asymmetric
}

int64_t OnnxNearest(const ResizeSpec& s, int i, int64_t x) {
  const double v = OnnxCoord(s, i, x);
  double r;
  if (s.nearest == "round_prefer_ceil") r = std::floor(v + 0.5);
  else if (s.nearest == "floor") r = std::floor(v);
  else if (s.nearest == "ceil") r = std::ceil(v);
  else r = std::ceil(v - 0.5);  // round_prefer_floor
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, s.in[i] - 1);
}

// TFLite's source index / coordinate for the given flags (as its kernels compute them).
int64_t TfliteNearest(const ResizeSpec& s, int i, int64_t x, bool align, bool half) {
  const float scale = (align && s.out[i] > 1) ? static_cast<float>(s.in[i] - 1) / (s.out[i] - 1)
                                              : static_cast<float>(s.in[i]) / s.out[i];
  const float offset = half ? 0.5f : 0.0f;
  int64_t v = align ? static_cast<int64_t>(std::round((x + offset) * scale))
                    : static_cast<int64_t>(std::floor((x + offset) * scale));
  v = std::min<int64_t>(v, s.in[i] - 1);
  return half ? std::max<int64_t>(v, 0) : v;
}

double TfliteLinear(const ResizeSpec& s, int i, int64_t x, bool align, bool half) {
  const float scale = (align && s.out[i] > 1) ? static_cast<float>(s.in[i] - 1) / (s.out[i] - 1)
                                              : static_cast<float>(s.in[i]) / s.out[i];
  return half ? (x + 0.5f) * scale - 0.5f : x * scale;
}

// Resize with ONNX's exact sampling where no TFLite resize op matches it: GATHER rows then
// columns (nearest), or GATHER the two neighbours and interpolate (linear, separable).
Status ResizeByGather(Converter& c, const OnnxNode& n, Value* x, const ResizeSpec& s,
                      const Dims& out_shape) {
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int cur, c.TensorIn(*x, NhwcPerm()));
  Dims dims = Permuted(x->shape, NhwcPerm());
  const bool nearest = s.mode == "nearest";
  for (int i = 0; i < 2; ++i) {
    const int axis = 1 + i;  // H, then W in NHWC
    const std::string step = name + (i ? "/w" : "/h");
    Dims next = dims;
    next[axis] = s.out[i];
    const bool last = i == 1;
    auto gather = [&](const std::vector<int64_t>& idx, const std::string& tname) -> Result<int> {
      LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(tname, next));
      ::tflite::GatherOptionsT o;
      o.axis = axis;
      c.AddOp(BuiltinOperator::GATHER,
              {cur, c.AddConstInt32(tname + "/indices", {static_cast<int64_t>(idx.size())}, idx)},
              {t}, Options(std::move(o)));
      return t;
    };
    if (nearest) {
      std::vector<int64_t> idx(s.out[i]);
      bool identity = s.out[i] == s.in[i];
      for (int64_t o = 0; o < s.out[i]; ++o) {
        idx[o] = OnnxNearest(s, i, o);
        identity &= idx[o] == o;
      }
      if (identity && !last) continue;
      LITHE_ASSIGN_OR_RETURN(cur, gather(idx, last ? name : step));
    } else {
      std::vector<int64_t> i0(s.out[i]), i1(s.out[i]);
      std::vector<float> w(s.out[i]);
      for (int64_t o = 0; o < s.out[i]; ++o) {
        const double v = std::clamp(OnnxCoord(s, i, o), 0.0, static_cast<double>(s.in[i] - 1));
        i0[o] = static_cast<int64_t>(std::floor(v));
        i1[o] = std::min<int64_t>(i0[o] + 1, s.in[i] - 1);
        w[o] = static_cast<float>(v - i0[o]);
      }
      LITHE_ASSIGN_OR_RETURN(int g0, gather(i0, step + "/lo"));
      LITHE_ASSIGN_OR_RETURN(int g1, gather(i1, step + "/hi"));
      LITHE_ASSIGN_OR_RETURN(int diff, c.AddTensor(step + "/diff", next));
      c.AddOp(BuiltinOperator::SUB, {g1, g0}, {diff}, Options(::tflite::SubOptionsT()));
      Dims wdims(4, 1);
      wdims[axis] = s.out[i];
      LITHE_ASSIGN_OR_RETURN(int scaled, c.AddTensor(step + "/scaled", next));
      c.AddOp(BuiltinOperator::MUL, {diff, c.AddConstFloat(step + "/weights", wdims, std::move(w))},
              {scaled}, Options(::tflite::MulOptionsT()));
      LITHE_ASSIGN_OR_RETURN(int sum, c.AddTensor(last ? name : step, next));
      c.AddOp(BuiltinOperator::ADD, {g0, scaled}, {sum}, Options(::tflite::AddOptionsT()));
      cur = sum;
    }
    dims = next;
  }
  return c.SetOutputTensor(n, 0, out_shape, cur, NhwcPerm());
}

Status ConvertResizeLike(Converter& c, const OnnxNode& n, bool upsample) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4) return Status::Error("input " + DimsString(x->shape) + ": only 4-D (NCHW) resize is supported");
  ResizeSpec s;
  LITHE_ASSIGN_OR_RETURN(s.mode, c.AttrString(n, "mode", "nearest"));
  if (s.mode == "bilinear") s.mode = "linear";
  if (s.mode != "nearest" && s.mode != "linear")
    return Status::Error("mode '" + s.mode + "' is not supported (nearest, linear)");
  std::vector<double> scales;
  Dims sizes;
  if (upsample || c.opset() < 11) {
    if (c.opset() < 9 && upsample) {
      const onnx::AttributeProto* a = c.Attr(n, "scales");
      if (!a) return Status::Error("attribute 'scales' is required");
      for (float f : a->floats()) scales.push_back(f);
    } else {
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 1));
      for (int64_t j = 0; j < k->numel(); ++j) scales.push_back(k->at(j));
    }
  } else {
    LITHE_ASSIGN_OR_RETURN(s.coord, c.AttrString(n, "coordinate_transformation_mode", "half_pixel"));
    LITHE_ASSIGN_OR_RETURN(s.nearest, c.AttrString(n, "nearest_mode", "round_prefer_floor"));
    LITHE_ASSIGN_OR_RETURN(int64_t exclude, c.AttrInt(n, "exclude_outside", 0));
    if (exclude) return Status::Error("exclude_outside is not supported");
    if (c.Attr(n, "antialias") || c.Attr(n, "axes") || c.Attr(n, "keep_aspect_ratio_policy"))
      return Status::Error("opset-18 attributes are not supported");
    if (s.coord == "tf_crop_and_resize") return Status::Error("tf_crop_and_resize is not supported");
    if (n.has_input(3)) {
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 3));
      if (k->is_float) return Status::Error("sizes must be int64");
      sizes = k->i;
    } else if (n.has_input(2)) {
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 2));
      for (int64_t j = 0; j < k->numel(); ++j) scales.push_back(k->at(j));
    }
    if (sizes.empty() && scales.empty()) return Status::Error("neither scales nor sizes is given");
  }
  Dims out_shape = x->shape;
  if (!sizes.empty()) {
    if (sizes.size() != 4) return Status::Error("sizes must have 4 values");
    out_shape = sizes;
  } else {
    if (scales.size() != 4) return Status::Error("scales must have 4 values");
    for (int d = 0; d < 4; ++d) {
      if (!(scales[d] > 0) || scales[d] > 1 << 16) return Status::Error("scale " + std::to_string(scales[d]) + " is invalid");
      out_shape[d] = static_cast<int64_t>(std::floor(x->shape[d] * scales[d]));
    }
  }
  if (out_shape[0] != x->shape[0] || out_shape[1] != x->shape[1])
    return Status::Error("only H and W can be resized (output " + DimsString(out_shape) + ")");
  for (int i = 0; i < 2; ++i) {
    s.in[i] = x->shape[2 + i];
    s.out[i] = out_shape[2 + i];
    if (s.out[i] < 1 || s.in[i] < 1) return Status::Error("empty resize " + DimsString(out_shape));
    s.scale[i] = scales.empty() ? static_cast<double>(s.out[i]) / s.in[i] : scales[2 + i];
    s.from_scales = !scales.empty();
  }
  if (Numel(out_shape) > int64_t{1} << 31) return Status::Error("the output is too large");
  // Find TFLite flags that reproduce ONNX's sampling exactly on these sizes.
  const bool nearest = s.mode == "nearest";
  int found = -1;
  for (int flags = 0; flags < 3 && found < 0; ++flags) {
    const bool align = flags == 2, half = flags == 1;
    bool same = true;
    for (int i = 0; i < 2 && same; ++i)
      for (int64_t o = 0; o < s.out[i] && same; ++o) {
        if (nearest) {
          same = OnnxNearest(s, i, o) == TfliteNearest(s, i, o, align, half);
        } else {
          const double hi = static_cast<double>(s.in[i] - 1);
          const double a = std::clamp(OnnxCoord(s, i, o), 0.0, hi);
          const double b = std::clamp(TfliteLinear(s, i, o, align, half), 0.0, hi);
          same = std::fabs(a - b) <= 1e-5 * std::max(1.0, hi);
        }
      }
    if (same) found = flags;
  }
  if (found < 0) return ResizeByGather(c, n, x, s, out_shape);
  const bool align = found == 2, half = found == 1;
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(out_shape, NhwcPerm())));
  const int size = c.AddConstInt32(name + "/size", {2}, {s.out[0], s.out[1]});
  if (nearest) {
    ::tflite::ResizeNearestNeighborOptionsT o;
    o.align_corners = align;
    o.half_pixel_centers = half;
    c.AddOp(BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, {in, size}, {out}, Options(std::move(o)), half ? 3 : 1);
  } else {
    ::tflite::ResizeBilinearOptionsT o;
    o.align_corners = align;
    o.half_pixel_centers = half;
    c.AddOp(BuiltinOperator::RESIZE_BILINEAR, {in, size}, {out}, Options(std::move(o)), half ? 3 : 1);
  }
  return c.SetOutputTensor(n, 0, out_shape, out, NhwcPerm());
}

Status ConvertResize(Converter& c, const OnnxNode& n) { return ConvertResizeLike(c, n, false); }
Status ConvertUpsample(Converter& c, const OnnxNode& n) { return ConvertResizeLike(c, n, true); }

}  // namespace lithe::convert::ops
