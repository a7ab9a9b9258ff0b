// ONNX Conv, ConvTranspose, MaxPool and AveragePool (1-D and 2-D windows) as NHWC TFLite ops.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "convert/onnx_ops_common.h"

namespace lithe::convert::ops {

// --- convolution and pooling ----------------------------------------------------------------

struct Window {  // one spatial dim
  int64_t in = 0, k = 1, s = 1, d = 1, pb = 0, pe = 0, out = 0;
  int64_t extra = 0;  // end padding added by ceil_mode
};

// Resolves pads and output sizes for H and W from the ONNX attributes.
Status ResolveWindows(Converter& c, const OnnxNode& n, const Dims& in_hw, const Dims& kernel,
                      bool ceil_mode, Window w[2]) {
  LITHE_ASSIGN_OR_RETURN(Dims strides, c.AttrInts(n, "strides", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims dil, c.AttrInts(n, "dilations", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims pads, c.AttrInts(n, "pads", {0, 0, 0, 0}));
  LITHE_ASSIGN_OR_RETURN(std::string auto_pad, c.AttrString(n, "auto_pad", "NOTSET"));
  if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4 || kernel.size() != 2)
    return Status::Error("only 2-D windows are supported (strides " + DimsString(strides) +
                         ", dilations " + DimsString(dil) + ", pads " + DimsString(pads) +
                         ", kernel " + DimsString(kernel) + ")");
  for (int i = 0; i < 2; ++i) {
    Window& x = w[i];
    x.in = in_hw[i];
    x.k = kernel[i];
    x.s = strides[i];
    x.d = dil[i];
    if (x.k < 1 || x.k > 1 << 16) return Status::Error("kernel size " + std::to_string(x.k) + " is invalid");
    if (x.s < 1 || x.s > 1 << 16) return Status::Error("stride " + std::to_string(x.s) + " is invalid");
    if (x.d < 1 || x.d > 1 << 16) return Status::Error("dilation " + std::to_string(x.d) + " is invalid");
    const int64_t eff = (x.k - 1) * x.d + 1;
    if (auto_pad == "NOTSET") {
      x.pb = pads[i];
      x.pe = pads[i + 2];
      if (x.pb < 0 || x.pe < 0 || x.pb > 1 << 16 || x.pe > 1 << 16)
        return Status::Error("pads " + DimsString(pads) + " are invalid");
    } else if (auto_pad == "VALID") {
      x.pb = x.pe = 0;
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t out = (x.in + x.s - 1) / x.s;
      const int64_t total = std::max<int64_t>((out - 1) * x.s + eff - x.in, 0);
      const int64_t small = total / 2;
      x.pb = auto_pad == "SAME_UPPER" ? small : total - small;
      x.pe = total - x.pb;
    } else {
      return Status::Error("auto_pad '" + auto_pad + "' is invalid");
    }
    const int64_t span = x.in + x.pb + x.pe - eff;
    if (span < 0)
      return Status::Error("the window (" + std::to_string(eff) + ") is larger than the padded input (" +
                           std::to_string(x.in + x.pb + x.pe) + ")");
    x.out = span / x.s + 1;
    if (ceil_mode && span % x.s != 0) {
      x.out = (span + x.s - 1) / x.s + 1;
      if ((x.out - 1) * x.s >= x.in + x.pb) --x.out;  // the last window must start in the input
      x.extra = std::max<int64_t>((x.out - 1) * x.s + eff - (x.in + x.pb + x.pe), 0);
    }
  }
  return Status::Ok();
}

// TFLite's SAME padding for the window, as (before, after, out).
void TfliteSame(const Window& x, int64_t* pb, int64_t* pe, int64_t* out) {
  const int64_t eff = (x.k - 1) * x.d + 1;
  *out = (x.in + x.s - 1) / x.s;
  const int64_t total = std::max<int64_t>((*out - 1) * x.s + eff - x.in, 0);
  *pb = total / 2;
  *pe = total - *pb;
}

bool IsSame(const Window w[2]) {
  for (int i = 0; i < 2; ++i) {
    int64_t pb, pe, out;
    TfliteSame(w[i], &pb, &pe, &out);
    if (pb != w[i].pb || pe != w[i].pe + w[i].extra || out != w[i].out) return false;
  }
  return true;
}
bool IsValid(const Window w[2]) {
  for (int i = 0; i < 2; ++i)
    if (w[i].pb || w[i].pe || w[i].extra) return false;
  return true;
}

// Pads an NHWC tensor explicitly (PAD, or PADV2 with `value`); returns the padded tensor.
Result<int> PadNhwc(Converter& c, const std::string& name, int in, const Dims& nhwc,
                    const Window w[2], float value) {
  const Dims out = {nhwc[0], nhwc[1] + w[0].pb + w[0].pe + w[0].extra,
                    nhwc[2] + w[1].pb + w[1].pe + w[1].extra, nhwc[3]};
  LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(name + "/padded", out));
  const int pads = c.AddConstInt32(
      name + "/paddings", {4, 2},
      {0, 0, w[0].pb, w[0].pe + w[0].extra, w[1].pb, w[1].pe + w[1].extra, 0, 0});
  if (value == 0) {
    c.AddOp(BuiltinOperator::PAD, {in, pads}, {t}, Options(::tflite::PadOptionsT()));
  } else {
    c.AddOp(BuiltinOperator::PADV2, {in, pads, c.AddConstFloat(name + "/pad_value", {1}, {value})},
            {t}, Options(::tflite::PadV2OptionsT()));
  }
  return t;
}

Status ConvertConv(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4)
    return Status::Error("input " + DimsString(x->shape) + ": only 2-D convolution (NCHW input) is supported");
  auto wr = c.ConstInput(n, 1);
  if (!wr.ok()) return wr.status().Prefixed("weights");
  const ConstData& W = **wr;
  if (!W.is_float || W.shape.size() != 4) return Status::Error("weights must be float [M, C/group, kH, kW]");
  LITHE_ASSIGN_OR_RETURN(int64_t group, c.AttrInt(n, "group", 1));
  const int64_t C = x->shape[1], M = W.shape[0], kh = W.shape[2], kw = W.shape[3];
  if (group < 1 || C % group != 0 || M % group != 0 || W.shape[1] != C / group)
    return Status::Error("group " + std::to_string(group) + " does not fit input channels " +
                         std::to_string(C) + " and weights " + DimsString(W.shape));
  LITHE_ASSIGN_OR_RETURN(Dims kernel, c.AttrInts(n, "kernel_shape", {kh, kw}));
  if (kernel != Dims{kh, kw}) return Status::Error("kernel_shape does not match the weights");
  Window w[2];
  LITHE_RETURN_IF_ERROR(ResolveWindows(c, n, {x->shape[2], x->shape[3]}, kernel, false, w));

  std::vector<float> bias(M, 0.0f);
  if (n.has_input(2)) {
    LITHE_ASSIGN_OR_RETURN(auto b, c.ConstInput(n, 2));
    if (!b->is_float || b->numel() != M) return Status::Error("bias must be float [M]");
    bias = b->f;
  }
  std::vector<float> weights = W.f;
  const int64_t per_out = Numel(W.shape) / std::max<int64_t>(M, 1);
  // Fold a following BatchNormalization into weights and bias.
  std::string out_name = OutName(n);
  if (n.num_inputs() > 3) return Status::Error("Conv takes at most 3 inputs, got " + std::to_string(n.num_inputs()));
  if (const OnnxNode* bn = c.SoleConsumer(out_name);
      bn && bn->op() == "BatchNormalization" && bn->num_inputs() == 5 &&
      (bn->proto->domain().empty() || bn->proto->domain() == "ai.onnx")) {
    std::shared_ptr<const ConstData> p[4];
    bool all_const = true;
    for (int i = 0; i < 4; ++i) {
      auto r = c.ConstInput(*bn, i + 1);
      if (!r.ok() || !(*r)->is_float || (*r)->numel() != M) { all_const = false; break; }
      p[i] = *r;
    }
    auto eps = c.AttrFloat(*bn, "epsilon", 1e-5f);
    auto training = c.AttrInt(*bn, "training_mode", 0);
    bool outputs_ok = true;
    for (int i = 1; i < bn->num_outputs(); ++i) outputs_ok &= bn->proto->output(i).empty();
    if (all_const && eps.ok() && training.ok() && *training == 0 && outputs_ok) {
      for (int64_t m = 0; m < M; ++m) {
        const float s = p[0]->f[m] / std::sqrt(p[3]->f[m] + *eps);
        for (int64_t k = 0; k < per_out; ++k) weights[m * per_out + k] *= s;
        bias[m] = (bias[m] - p[2]->f[m]) * s + p[1]->f[m];
      }
      c.MarkFused(*bn, out_name);
      out_name = bn->proto->output(0);
    }
  }
  const Fused f = FuseActivation(c, out_name);

  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const Dims nhwc = Permuted(x->shape, NhwcPerm());
  ::tflite::Padding padding = ::tflite::Padding::VALID;
  if (IsSame(w) && !IsValid(w)) {
    padding = ::tflite::Padding::SAME;
  } else if (!IsValid(w)) {
    LITHE_ASSIGN_OR_RETURN(in, PadNhwc(c, f.out, in, nhwc, w, 0.0f));
  }
  const Dims out_shape = {x->shape[0], M, w[0].out, w[1].out};
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(f.out, Permuted(out_shape, NhwcPerm())));
  auto bias_tensor = [&] { return c.AddConstFloat(f.out + "/bias", {M}, bias); };
  const bool depthwise = group > 1 && group == C && W.shape[1] == 1;
  if (depthwise) {  // [1, kH, kW, M]
    std::vector<float> filt(M * kh * kw);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t xx = 0; xx < kw; ++xx) filt[(y * kw + xx) * M + m] = weights[(m * kh + y) * kw + xx];
    const int ft = c.AddConstFloat(f.out + "/weights", {1, kh, kw, M}, std::move(filt));
    ::tflite::DepthwiseConv2DOptionsT o;
    o.padding = padding;
    o.stride_h = static_cast<int32_t>(w[0].s);
    o.stride_w = static_cast<int32_t>(w[1].s);
    o.dilation_h_factor = static_cast<int32_t>(w[0].d);
    o.dilation_w_factor = static_cast<int32_t>(w[1].d);
    o.depth_multiplier = static_cast<int32_t>(M / C);
    o.fused_activation_function = f.act;
    const int version = (w[0].d > 1 || w[1].d > 1) ? 2 : 1;
    c.AddOp(BuiltinOperator::DEPTHWISE_CONV_2D, {in, ft, bias_tensor()}, {out}, Options(std::move(o)), version);
  } else {  // [M, kH, kW, C/group]
    const int64_t cg = C / group;
    std::vector<float> filt(M * kh * kw * cg);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t xx = 0; xx < kw; ++xx)
            filt[((m * kh + y) * kw + xx) * cg + ci] = weights[((m * cg + ci) * kh + y) * kw + xx];
    ::tflite::Conv2DOptionsT o;
    o.padding = padding;
    o.stride_h = static_cast<int32_t>(w[0].s);
    o.stride_w = static_cast<int32_t>(w[1].s);
    o.dilation_h_factor = static_cast<int32_t>(w[0].d);
    o.dilation_w_factor = static_cast<int32_t>(w[1].d);
    o.fused_activation_function = f.act;
    if (group == 1) {
      const int ft = c.AddConstFloat(f.out + "/weights", {M, kh, kw, cg}, std::move(filt));
      c.AddOp(BuiltinOperator::CONV_2D, {in, ft, bias_tensor()}, {out}, Options(std::move(o)));
    } else {
      // Grouped: TFLite 2.9's CONV_2D has no groups, so SPLIT the channels, one CONV_2D per
      // group (its slice of the filters and bias), and CONCATENATION.
      const int64_t mg = M / group;
      Dims part = Permuted(x->shape, NhwcPerm());
      part[1] += w[0].pb + w[0].pe + w[0].extra;
      part[2] += w[1].pb + w[1].pe + w[1].extra;
      if (padding == ::tflite::Padding::SAME) part = Permuted(x->shape, NhwcPerm());
      part[3] = cg;
      std::vector<int32_t> parts, convs;
      for (int64_t g = 0; g < group; ++g) {
        LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(f.out + "/group" + std::to_string(g) + "_in", part));
        parts.push_back(t);
      }
      ::tflite::SplitOptionsT so;
      so.num_splits = static_cast<int32_t>(group);
      c.AddOp(BuiltinOperator::SPLIT, {c.AddConstInt32(f.out + "/split_axis", {}, {3}), in}, parts,
              Options(std::move(so)));
      Dims out_part = Permuted(out_shape, NhwcPerm());
      out_part[3] = mg;
      for (int64_t g = 0; g < group; ++g) {
        const std::string gname = f.out + "/group" + std::to_string(g);
        std::vector<float> gf(filt.begin() + g * mg * kh * kw * cg, filt.begin() + (g + 1) * mg * kh * kw * cg);
        std::vector<float> gb(bias.begin() + g * mg, bias.begin() + (g + 1) * mg);
        LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(gname, out_part));
        ::tflite::Conv2DOptionsT go = o;
        c.AddOp(BuiltinOperator::CONV_2D,
                {parts[g], c.AddConstFloat(gname + "/weights", {mg, kh, kw, cg}, std::move(gf)),
                 c.AddConstFloat(gname + "/bias", {mg}, std::move(gb))},
                {t}, Options(std::move(go)));
        convs.push_back(t);
      }
      ::tflite::ConcatenationOptionsT co;
      co.axis = 3;
      c.AddOp(BuiltinOperator::CONCATENATION, convs, {out}, Options(std::move(co)));
    }
  }
  return DefineValue(c, f.out, out_shape, out, NhwcPerm());
}

Status ConvertConvTranspose(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4)
    return Status::Error("input " + DimsString(x->shape) + ": only 2-D transposed convolution is supported");
  auto wr = c.ConstInput(n, 1);
  if (!wr.ok()) return wr.status().Prefixed("weights");
  const ConstData& W = **wr;
  if (!W.is_float || W.shape.size() != 4) return Status::Error("weights must be float [C, M, kH, kW]");
  LITHE_ASSIGN_OR_RETURN(int64_t group, c.AttrInt(n, "group", 1));
  if (group != 1) return Status::Error("group " + std::to_string(group) + " is not supported (1 only)");
  const int64_t C = x->shape[1], M = W.shape[1], kh = W.shape[2], kw = W.shape[3];
  if (W.shape[0] != C) return Status::Error("weights " + DimsString(W.shape) + " do not fit input channels " + std::to_string(C));
  LITHE_ASSIGN_OR_RETURN(Dims kernel, c.AttrInts(n, "kernel_shape", {kh, kw}));
  LITHE_ASSIGN_OR_RETURN(Dims strides, c.AttrInts(n, "strides", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims dil, c.AttrInts(n, "dilations", {1, 1}));
  LITHE_ASSIGN_OR_RETURN(Dims pads, c.AttrInts(n, "pads", {0, 0, 0, 0}));
  LITHE_ASSIGN_OR_RETURN(Dims out_pad, c.AttrInts(n, "output_padding", {0, 0}));
  LITHE_ASSIGN_OR_RETURN(Dims out_shape_attr, c.AttrInts(n, "output_shape", {}));
  LITHE_ASSIGN_OR_RETURN(std::string auto_pad, c.AttrString(n, "auto_pad", "NOTSET"));
  if (kernel != Dims{kh, kw}) return Status::Error("kernel_shape does not match the weights");
  if (strides.size() != 2 || pads.size() != 4 || out_pad.size() != 2 || dil.size() != 2)
    return Status::Error("only 2-D strides, dilations, pads and output_padding are supported");
  for (int64_t d : dil)
    if (d < 1 || d > 64) return Status::Error("dilations " + DimsString(dil) + " are invalid");
  // A dilated kernel is the kernel with zeros between its taps.
  const int64_t ekh = (kh - 1) * dil[0] + 1, ekw = (kw - 1) * dil[1] + 1;
  kernel = {ekh, ekw};
  int64_t pb[2], pe[2], full[2], outd[2];
  for (int i = 0; i < 2; ++i) {
    const int64_t in = x->shape[2 + i], k = kernel[i], s = strides[i];
    if (s < 1 || s > 1 << 16) return Status::Error("stride " + std::to_string(s) + " is invalid");
    if (out_pad[i] < 0 || out_pad[i] >= std::max<int64_t>(s, 1))
      return Status::Error("output_padding " + DimsString(out_pad) + " is invalid");
    full[i] = (in - 1) * s + k + out_pad[i];  // before cropping pads
    if (!out_shape_attr.empty()) {
      if (out_shape_attr.size() != 2) return Status::Error("output_shape must have 2 values");
      if (out_shape_attr[i] < 1 || out_shape_attr[i] > full[i] + s - 1)
        return Status::Error("output_shape " + DimsString(out_shape_attr) + " is invalid");
      const int64_t total = full[i] - out_shape_attr[i];
      if (total < 0) {  // a larger output: the extra rows get only the bias
        full[i] = out_shape_attr[i];
        pb[i] = pe[i] = 0;
      } else if (auto_pad == "SAME_UPPER") { pb[i] = total / 2; pe[i] = total - pb[i]; }
      else { pe[i] = total / 2; pb[i] = total - pe[i]; }
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(full[i] - in * s, 0);
      if (auto_pad == "SAME_UPPER") { pb[i] = total / 2; pe[i] = total - pb[i]; }
      else { pe[i] = total / 2; pb[i] = total - pe[i]; }
    } else if (auto_pad == "VALID" || auto_pad == "NOTSET") {
      pb[i] = auto_pad == "VALID" ? 0 : pads[i];
      pe[i] = auto_pad == "VALID" ? 0 : pads[i + 2];
    } else {
      return Status::Error("auto_pad '" + auto_pad + "' is invalid");
    }
    if (pb[i] < 0 || pe[i] < 0) return Status::Error("pads " + DimsString(pads) + " are invalid");
    outd[i] = full[i] - pb[i] - pe[i];
    if (outd[i] < 1) return Status::Error("the output would be empty");
  }
  std::vector<float> bias(M, 0.0f);
  if (n.has_input(2)) {
    LITHE_ASSIGN_OR_RETURN(auto b, c.ConstInput(n, 2));
    if (!b->is_float || b->numel() != M) return Status::Error("bias must be float [M]");
    bias = b->f;
  }
  // TRANSPOSE_CONV, VALID, into the full (uncropped) size; then crop the pads.
  std::vector<float> filt(M * ekh * ekw * C, 0.0f);  // [M, kH', kW', C]
  for (int64_t ci = 0; ci < C; ++ci)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t xx = 0; xx < kw; ++xx)
          filt[((m * ekh + y * dil[0]) * ekw + xx * dil[1]) * C + ci] =
              W.f[((ci * M + m) * kh + y) * kw + xx];
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const Dims full_nhwc = {x->shape[0], full[0], full[1], M};
  const bool crop = pb[0] || pb[1] || pe[0] || pe[1];
  LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(crop ? name + "/full" : name, full_nhwc));
  ::tflite::TransposeConvOptionsT o;
  o.padding = ::tflite::Padding::VALID;
  o.stride_h = static_cast<int32_t>(strides[0]);
  o.stride_w = static_cast<int32_t>(strides[1]);
  c.AddOp(BuiltinOperator::TRANSPOSE_CONV,
          {c.AddConstInt32(name + "/output_shape", {4}, full_nhwc),
           c.AddConstFloat(name + "/weights", {M, ekh, ekw, C}, std::move(filt)), in,
           c.AddConstFloat(name + "/bias", {M}, bias)},
          {t}, Options(std::move(o)), 3);
  const Dims out_shape = {x->shape[0], M, outd[0], outd[1]};
  if (crop) {
    const Dims out_nhwc = Permuted(out_shape, NhwcPerm());
    LITHE_ASSIGN_OR_RETURN(int cropped, c.AddTensor(name, out_nhwc));
    ::tflite::StridedSliceOptionsT so;
    c.AddOp(BuiltinOperator::STRIDED_SLICE,
            {t, c.AddConstInt32(name + "/begin", {4}, {0, pb[0], pb[1], 0}),
             c.AddConstInt32(name + "/end", {4}, {full_nhwc[0], pb[0] + outd[0], pb[1] + outd[1], M}),
             c.AddConstInt32(name + "/strides", {4}, {1, 1, 1, 1})},
            {cropped}, Options(std::move(so)));
    t = cropped;
  }
  return c.SetOutputTensor(n, 0, out_shape, t, NhwcPerm());
}

Status ConvertPool(Converter& c, const OnnxNode& n, bool is_max) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  if (x->shape.size() != 4) return Status::Error("input " + DimsString(x->shape) + ": only 2-D pooling is supported");
  LITHE_ASSIGN_OR_RETURN(Dims kernel, c.AttrInts(n, "kernel_shape", {}));
  LITHE_ASSIGN_OR_RETURN(int64_t ceil_mode, c.AttrInt(n, "ceil_mode", 0));
  LITHE_ASSIGN_OR_RETURN(Dims dil, c.AttrInts(n, "dilations", {1, 1}));
  if (dil != Dims{1, 1}) return Status::Error("dilations " + DimsString(dil) + " are not supported");
  LITHE_ASSIGN_OR_RETURN(int64_t include_pad, c.AttrInt(n, "count_include_pad", 0));
  Window w[2];
  LITHE_RETURN_IF_ERROR(ResolveWindows(c, n, {x->shape[2], x->shape[3]}, kernel, ceil_mode != 0, w));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, NhwcPerm()));
  const Dims nhwc = Permuted(x->shape, NhwcPerm());
  ::tflite::Padding padding = ::tflite::Padding::VALID;
  bool correct = false;  // average pool over explicit zero padding: rescale per position
  if (IsValid(w)) {
  } else if (IsSame(w) && (is_max || !include_pad)) {
    padding = ::tflite::Padding::SAME;
  } else {
    LITHE_ASSIGN_OR_RETURN(in, PadNhwc(c, name, in, nhwc, w, is_max ? -FLT_MAX : 0.0f));
    correct = !is_max;
  }
  const Dims out_shape = {x->shape[0], x->shape[1], w[0].out, w[1].out};
  const Dims out_nhwc = Permuted(out_shape, NhwcPerm());
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(correct ? name + "/sum" : name, out_nhwc));
  ::tflite::Pool2DOptionsT o;
  o.padding = padding;
  o.stride_h = static_cast<int32_t>(w[0].s);
  o.stride_w = static_cast<int32_t>(w[1].s);
  o.filter_height = static_cast<int32_t>(w[0].k);
  o.filter_width = static_cast<int32_t>(w[1].k);
  c.AddOp(is_max ? BuiltinOperator::MAX_POOL_2D : BuiltinOperator::AVERAGE_POOL_2D, {in}, {out},
          Options(std::move(o)));
  if (correct) {
    // AVERAGE_POOL over the padded input divides by the window size; ONNX divides by the
    // number of positions inside the input (or inside input + explicit pads).
    std::vector<float> scale(w[0].out * w[1].out);
    bool all_one = true;
    for (int64_t oy = 0; oy < w[0].out; ++oy)
      for (int64_t ox = 0; ox < w[1].out; ++ox) {
        int64_t count[2];
        for (int i = 0; i < 2; ++i) {
          const int64_t start = (i ? ox : oy) * w[i].s - w[i].pb;
          const int64_t lo = include_pad ? -w[i].pb : 0;
          const int64_t hi = include_pad ? w[i].in + w[i].pe : w[i].in;
          count[i] = std::max<int64_t>(std::min(start + w[i].k, hi) - std::max(start, lo), 1);
        }
        const float s = static_cast<float>(w[0].k * w[1].k) / static_cast<float>(count[0] * count[1]);
        scale[oy * w[1].out + ox] = s;
        all_one &= (s == 1.0f);
      }
    LITHE_ASSIGN_OR_RETURN(int t, c.AddTensor(name, out_nhwc));
    c.AddOp(BuiltinOperator::MUL,
            {out, c.AddConstFloat(name + "/count_scale", {1, w[0].out, w[1].out, 1}, std::move(scale))},
            {t}, Options(::tflite::MulOptionsT()));
    (void)all_one;
    out = t;
  }
  return c.SetOutputTensor(n, 0, out_shape, out, NhwcPerm());
}

Status ConvertMaxPool(Converter& c, const OnnxNode& n) {
  LITHE_ASSIGN_OR_RETURN(int64_t order, c.AttrInt(n, "storage_order", 0));
  (void)order;  // only affects the Indices output, which is refused
  return ConvertPool(c, n, true);
}
Status ConvertAveragePool(Converter& c, const OnnxNode& n) { return ConvertPool(c, n, false); }


// 1-D windows (input [N, C, L]) run as 2-D ones over [N, C, 1, L]: the node is rewritten with
// 2-D attributes and weights, converted, and its output seen as [N, M, L'] again (a RESHAPE
// that moves no bytes).
Status As2D(Converter& c, const OnnxNode& n, OpConverter convert2d) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const std::string& name = OutName(n);
  onnx::NodeProto p = *n.proto;
  p.clear_attribute();
  for (const auto& a : n.proto->attribute()) {
    onnx::AttributeProto b = a;
    const std::string& an = a.name();
    if (an == "kernel_shape" || an == "strides" || an == "dilations" || an == "output_padding" ||
        an == "output_shape") {
      if (a.ints_size() != 1) return Status::Error("attribute '" + an + "' must have 1 value for a 1-D window");
      b.clear_ints();
      b.add_ints(an == "output_shape" ? 1 : (an == "output_padding" ? 0 : 1));
      b.add_ints(a.ints(0));
    } else if (an == "pads") {
      if (a.ints_size() != 2) return Status::Error("attribute 'pads' must have 2 values for a 1-D window");
      b.clear_ints();
      for (int64_t v : {int64_t{0}, a.ints(0), int64_t{0}, a.ints(1)}) b.add_ints(v);
    }
    *p.add_attribute() = b;
  }
  // Input [N, C, 1, L].
  Value x4;
  Dims s4 = {x->shape[0], x->shape[1], 1, x->shape[2]};
  if (x->constant) {
    ConstData k = *x->constant;
    k.shape = s4;
    x4.constant = std::make_shared<const ConstData>(std::move(k));
  } else {
    LITHE_ASSIGN_OR_RETURN(int in, c.TensorInOnnxOrder(*x));
    LITHE_ASSIGN_OR_RETURN(x4.tensor, c.AddTensor(name + "/in2d", s4));
    ::tflite::ReshapeOptionsT o;
    o.new_shape.assign(s4.begin(), s4.end());
    c.AddOp(BuiltinOperator::RESHAPE, {in, c.AddConstInt32(name + "/in2d_shape", {4}, s4)}, {x4.tensor},
            Options(std::move(o)));
    x4.perm = IdentityPerm(4);
  }
  x4.shape = s4;
  LITHE_RETURN_IF_ERROR(c.Define(name + "/in2d", std::move(x4)));
  p.set_input(0, name + "/in2d");
  // Weights [M, C, k] -> [M, C, 1, k].
  if (n.has_input(1)) {
    LITHE_ASSIGN_OR_RETURN(auto w, c.ConstInput(n, 1));
    if (w->shape.size() != 3) return Status::Error("weights must have rank 3 for a 1-D window");
    ConstData k = *w;
    k.shape = {w->shape[0], w->shape[1], 1, w->shape[2]};
    Value wv;
    wv.shape = k.shape;
    wv.constant = std::make_shared<const ConstData>(std::move(k));
    LITHE_RETURN_IF_ERROR(c.Define(name + "/w2d", std::move(wv)));
    p.set_input(1, name + "/w2d");
  }
  p.set_output(0, name + "/out2d");
  OnnxNode n2 = n;
  n2.proto = &p;
  LITHE_RETURN_IF_ERROR(convert2d(c, n2));
  Value* y4 = c.FindValue(name + "/out2d");
  // [N, M, 1, L'] in NHWC is [N, 1, L', M]: the same bytes as [N, L', M], i.e. [N, M, L'] in
  // layout {0, 2, 1}.
  LITHE_ASSIGN_OR_RETURN(int t4, c.TensorIn(*y4, NhwcPerm()));
  const Dims s3 = {y4->shape[0], y4->shape[1], y4->shape[3]};
  const Dims t3 = {s3[0], s3[2], s3[1]};
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, t3));
  ::tflite::ReshapeOptionsT o;
  o.new_shape.assign(t3.begin(), t3.end());
  c.AddOp(BuiltinOperator::RESHAPE, {t4, c.AddConstInt32(name + "/shape", {3}, t3)}, {out}, Options(std::move(o)));
  return c.SetOutputTensor(n, 0, s3, out, Perm{0, 2, 1});
}


bool Is1D(Converter& c, const OnnxNode& n) {
  Value* x = n.has_input(0) ? c.FindValue(n.proto->input(0)) : nullptr;
  return x && x->shape.size() == 3;
}
Status ConvertConvAny(Converter& c, const OnnxNode& n) { return Is1D(c, n) ? As2D(c, n, ConvertConv) : ConvertConv(c, n); }
Status ConvertConvTransposeAny(Converter& c, const OnnxNode& n) {
  return Is1D(c, n) ? As2D(c, n, ConvertConvTranspose) : ConvertConvTranspose(c, n);
}
Status ConvertMaxPoolAny(Converter& c, const OnnxNode& n) { return Is1D(c, n) ? As2D(c, n, ConvertMaxPool) : ConvertMaxPool(c, n); }
Status ConvertAveragePoolAny(Converter& c, const OnnxNode& n) {
  return Is1D(c, n) ? As2D(c, n, ConvertAveragePool) : ConvertAveragePool(c, n);
}

}  // namespace lithe::convert::ops
