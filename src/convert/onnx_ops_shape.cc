// ONNX shape ops: Reshape, Flatten, Squeeze, Unsqueeze, Transpose (a relabelled layout), Concat,
// Pad, Shape, Gather, Slice, Split, Constant. Shape arithmetic on constants is folded.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "convert/onnx_ops_common.h"

namespace lithe::convert::ops {

// --- shape ops --------------------------------------------------------------------------------


Status ConvertReshape(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  Dims spec;
  if (c.opset() < 5) {
    LITHE_ASSIGN_OR_RETURN(spec, c.AttrInts(n, "shape", {}));
  } else {
    LITHE_ASSIGN_OR_RETURN(auto s, c.ConstInput(n, 1));
    if (s->is_float || s->shape.size() != 1) return Status::Error("shape must be a 1-D int64 tensor");
    spec = s->i;
  }
  LITHE_ASSIGN_OR_RETURN(int64_t allowzero, c.AttrInt(n, "allowzero", 0));
  if (spec.size() > 8) return Status::Error("target rank " + std::to_string(spec.size()) + " is too large");
  Dims shape(spec.size());
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t d = spec[i];
    if (d == 0 && !allowzero) {
      if (i >= x->shape.size()) return Status::Error("shape " + DimsString(spec) + " copies a dim the input lacks");
      d = x->shape[i];
    }
    if (d == -1) {
      if (infer >= 0) return Status::Error("shape " + DimsString(spec) + " has two -1");
      infer = static_cast<int>(i);
      continue;
    }
    if (d < 0) return Status::Error("shape " + DimsString(spec) + " has a negative dim");
    shape[i] = d;
    if (d > 0 && known > (int64_t{1} << 40) / d) return Status::Error("shape " + DimsString(spec) + " is too large");
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || Numel(x->shape) % known != 0)
      return Status::Error("cannot reshape " + DimsString(x->shape) + " to " + DimsString(spec));
    shape[infer] = Numel(x->shape) / known;
  }
  return EmitReshape(c, n, x, shape);
}

Status ConvertFlatten(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(int64_t axis, c.AttrInt(n, "axis", 1));
  const int64_t r = static_cast<int64_t>(x->shape.size());
  if (axis < -r || axis > r) return Status::Error("axis " + std::to_string(axis) + " is out of range");
  if (axis < 0) axis += r;
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x->shape[d];
  const int64_t inner = outer ? Numel(x->shape) / outer : 0;
  return EmitReshape(c, n, x, {outer, inner});
}

Result<Dims> AxesInput(Converter& c, const OnnxNode& n, bool required) {
  if (c.opset() < 13) {
    LITHE_ASSIGN_OR_RETURN(Dims axes, c.AttrInts(n, "axes", {}));
    if (required && axes.empty()) return Status::Error("axes are required");
    return axes;
  }
  if (!n.has_input(1)) {
    if (required) return Status::Error("axes are required");
    return Dims{};
  }
  LITHE_ASSIGN_OR_RETURN(auto a, c.ConstInput(n, 1));
  if (a->is_float || a->shape.size() > 1) return Status::Error("axes must be a 1-D int64 tensor");
  return a->i;
}

Status ConvertSqueeze(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Dims axes, AxesInput(c, n, false));
  const size_t r = x->shape.size();
  std::vector<bool> drop(r, false);
  if (axes.empty()) {
    for (size_t a = 0; a < r; ++a) drop[a] = x->shape[a] == 1;
  } else {
    for (int64_t a : axes) {
      LITHE_ASSIGN_OR_RETURN(int64_t k, NormalizeAxis(a, r));
      if (x->shape[k] != 1) return Status::Error("dim " + std::to_string(k) + " of " + DimsString(x->shape) + " is not 1");
      drop[k] = true;
    }
  }
  Dims shape;
  for (size_t a = 0; a < r; ++a)
    if (!drop[a]) shape.push_back(x->shape[a]);
  return EmitReshape(c, n, x, shape);
}

Status ConvertUnsqueeze(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(Dims axes, AxesInput(c, n, true));
  const size_t r = x->shape.size() + axes.size();
  if (r > 8) return Status::Error("the result would have rank " + std::to_string(r));
  std::vector<bool> ins(r, false);
  for (int64_t a : axes) {
    LITHE_ASSIGN_OR_RETURN(int64_t k, NormalizeAxis(a, r));
    if (ins[k]) return Status::Error("axis " + std::to_string(a) + " is repeated");
    ins[k] = true;
  }
  Dims shape;
  size_t src = 0;
  for (size_t a = 0; a < r; ++a) shape.push_back(ins[a] ? 1 : x->shape[src++]);
  return EmitReshape(c, n, x, shape);
}

Status ConvertTranspose(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const size_t r = x->shape.size();
  Dims rev;
  for (size_t a = r; a-- > 0;) rev.push_back(static_cast<int64_t>(a));
  LITHE_ASSIGN_OR_RETURN(Dims q, c.AttrInts(n, "perm", rev));
  if (q.size() != r) return Status::Error("perm " + DimsString(q) + " does not fit rank " + std::to_string(r));
  std::vector<bool> seen(r, false);
  for (int64_t a : q) {
    if (a < 0 || a >= static_cast<int64_t>(r) || seen[a]) return Status::Error("perm " + DimsString(q) + " is not a permutation");
    seen[a] = true;
  }
  const Perm qp(q.begin(), q.end());
  const Dims shape = Permuted(x->shape, qp);
  if (x->constant) {
    Value tmp = *x;
    tmp.layouts.clear();
    LITHE_ASSIGN_OR_RETURN(ConstData k, [&]() -> Result<ConstData> {
      ConstData out;
      out.is_float = x->constant->is_float;
      out.shape = shape;
      const ConstData& in = *x->constant;
      std::vector<int64_t> stride(r, 1);
      for (size_t d = r; d-- > 1;) stride[d - 1] = stride[d] * in.shape[d];
      std::vector<int64_t> idx(r, 0);
      const int64_t total = Numel(shape);
      for (int64_t k2 = 0; k2 < total; ++k2) {
        int64_t s = 0;
        for (size_t d = 0; d < r; ++d) s += idx[d] * stride[qp[d]];
        if (out.is_float) out.f.push_back(in.f[s]); else out.i.push_back(in.i[s]);
        for (size_t d = r; d-- > 0;) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
      return out;
    }());
    return c.SetOutputConst(n, 0, std::move(k));
  }
  // No op: the output is the same tensor, read in another layout.
  const Perm qinv = InversePerm(qp);
  Value v;
  v.shape = shape;
  v.tensor = x->tensor;
  v.producer = x->producer;
  v.perm.resize(r);
  for (size_t i = 0; i < r; ++i) v.perm[i] = qinv[x->perm[i]];
  return c.SetOutput(n, 0, std::move(v));
}

Status ConvertConcat(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  if (n.num_inputs() < 1) return Status::Error("no inputs");
  std::vector<Value*> ins;
  for (int i = 0; i < n.num_inputs(); ++i) {
    LITHE_ASSIGN_OR_RETURN(Value * v, c.Input(n, i));
    ins.push_back(v);
  }
  const size_t r = ins[0]->shape.size();
  if (r == 0) return Status::Error("cannot concatenate scalars");
  LITHE_ASSIGN_OR_RETURN(int64_t axis_attr, c.AttrInt(n, "axis", 1 << 30));
  if (axis_attr == 1 << 30) return Status::Error("attribute 'axis' is required");
  LITHE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, r));
  Dims shape = ins[0]->shape;
  shape[axis] = 0;
  bool all_const = true;
  for (Value* v : ins) {
    if (v->shape.size() != r) return Status::Error("inputs have different ranks");
    for (size_t d = 0; d < r; ++d)
      if (static_cast<int64_t>(d) != axis && v->shape[d] != ins[0]->shape[d])
        return Status::Error("input shapes " + DimsString(ins[0]->shape) + " and " + DimsString(v->shape) + " differ off the axis");
    shape[axis] += v->shape[axis];
    all_const &= v->constant != nullptr;
  }
  if (all_const) {  // shape arithmetic: fold
    ConstData out;
    out.is_float = ins[0]->constant->is_float;
    out.shape = shape;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
    for (int64_t o = 0; o < outer; ++o)
      for (Value* v : ins) {
        const ConstData& k = *v->constant;
        if (k.is_float != out.is_float) return Status::Error("inputs have different dtypes");
        const int64_t chunk = outer ? k.numel() / outer : 0;
        for (int64_t j = 0; j < chunk; ++j) {
          if (out.is_float) out.f.push_back(k.f[o * chunk + j]); else out.i.push_back(k.i[o * chunk + j]);
        }
      }
    return c.SetOutputConst(n, 0, std::move(out));
  }
  const Perm p = c.CommonLayout(ins, r);
  std::vector<int32_t> tensors;
  for (Value* v : ins) {
    if (v->shape[axis] == 0) continue;
    LITHE_ASSIGN_OR_RETURN(int t, c.TensorIn(*v, p));
    tensors.push_back(t);
  }
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(shape, p)));
  ::tflite::ConcatenationOptionsT o;
  o.axis = InversePerm(p)[axis];
  c.AddOp(BuiltinOperator::CONCATENATION, tensors, {out}, Options(std::move(o)));
  return c.SetOutputTensor(n, 0, shape, out, p);
}

Status ConvertPad(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(std::string mode, c.AttrString(n, "mode", "constant"));
  if (mode != "constant") return Status::Error("mode '" + mode + "' is not supported (constant only)");
  Dims pads;
  float value = 0;
  if (c.opset() < 11) {
    LITHE_ASSIGN_OR_RETURN(pads, c.AttrInts(n, "pads", {}));
    LITHE_ASSIGN_OR_RETURN(value, c.AttrFloat(n, "value", 0.0f));
  } else {
    LITHE_ASSIGN_OR_RETURN(auto p, c.ConstInput(n, 1));
    if (p->is_float) return Status::Error("pads must be int64");
    pads = p->i;
    if (n.has_input(2)) {
      LITHE_ASSIGN_OR_RETURN(auto v, c.ConstInput(n, 2));
      if (v->numel() != 1) return Status::Error("constant_value must be a scalar");
      value = static_cast<float>(v->at(0));
    }
    if (n.has_input(3)) return Status::Error("the axes input is not supported");
  }
  const size_t r = x->shape.size();
  if (pads.size() != 2 * r) return Status::Error("pads " + DimsString(pads) + " do not fit rank " + std::to_string(r));
  Dims shape = x->shape;
  for (size_t a = 0; a < r; ++a) {
    if (pads[a] < 0 || pads[a + r] < 0) return Status::Error("negative pads " + DimsString(pads) + " are not supported");
    if (pads[a] > 1 << 20 || pads[a + r] > 1 << 20) return Status::Error("pads " + DimsString(pads) + " are too large");
    shape[a] += pads[a] + pads[a + r];
  }
  const Perm p = x->constant ? IdentityPerm(r) : x->perm;
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  std::vector<int64_t> tp;
  for (size_t i = 0; i < r; ++i) {
    tp.push_back(pads[p[i]]);
    tp.push_back(pads[p[i] + r]);
  }
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(shape, p)));
  const int pt = c.AddConstInt32(name + "/paddings", {static_cast<int64_t>(r), 2}, tp);
  if (value == 0) {
    c.AddOp(BuiltinOperator::PAD, {in, pt}, {out}, Options(::tflite::PadOptionsT()));
  } else {
    c.AddOp(BuiltinOperator::PADV2, {in, pt, c.AddConstFloat(name + "/value", {1}, {value})}, {out},
            Options(::tflite::PadV2OptionsT()));
  }
  return c.SetOutputTensor(n, 0, shape, out, p);
}


Status ConvertShape(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const int64_t r = static_cast<int64_t>(x->shape.size());
  LITHE_ASSIGN_OR_RETURN(int64_t start, c.AttrInt(n, "start", 0));
  LITHE_ASSIGN_OR_RETURN(int64_t end, c.AttrInt(n, "end", r));
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  ConstData k;  // shapes are static: the result is a constant
  k.is_float = false;
  for (int64_t a = start; a < end; ++a) k.i.push_back(x->shape[a]);
  k.shape = {static_cast<int64_t>(k.i.size())};
  return c.SetOutputConst(n, 0, std::move(k));
}

Status ConvertGather(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  LITHE_ASSIGN_OR_RETURN(auto ind, c.ConstInput(n, 1));
  if (ind->is_float) return Status::Error("indices must be integers");
  const size_t r = x->shape.size();
  if (r == 0) return Status::Error("cannot gather from a scalar");
  LITHE_ASSIGN_OR_RETURN(int64_t axis_attr, c.AttrInt(n, "axis", 0));
  LITHE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, r));
  const int64_t dim = x->shape[axis];
  std::vector<int64_t> idx = ind->i;
  for (int64_t& v : idx) {
    if (v < -dim || v >= dim) return Status::Error("index " + std::to_string(v) + " is out of range for dim " + std::to_string(dim));
    if (v < 0) v += dim;
  }
  Dims shape(x->shape.begin(), x->shape.begin() + axis);
  shape.insert(shape.end(), ind->shape.begin(), ind->shape.end());
  shape.insert(shape.end(), x->shape.begin() + axis + 1, x->shape.end());
  if (shape.size() > 8) return Status::Error("the result would have rank " + std::to_string(shape.size()));
  if (x->constant) {  // shape arithmetic: fold
    const ConstData& d = *x->constant;
    int64_t outer = 1, inner = 1;
    for (int64_t a = 0; a < axis; ++a) outer *= x->shape[a];
    for (size_t a = axis + 1; a < r; ++a) inner *= x->shape[a];
    ConstData out;
    out.is_float = d.is_float;
    out.shape = shape;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t v : idx)
        for (int64_t j = 0; j < inner; ++j) {
          const int64_t src = (o * dim + v) * inner + j;
          if (d.is_float) out.f.push_back(d.f[src]); else out.i.push_back(d.i[src]);
        }
    return c.SetOutputConst(n, 0, std::move(out));
  }
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, IdentityPerm(r)));
  const std::string& name = OutName(n);
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, shape));
  ::tflite::GatherOptionsT o;
  o.axis = static_cast<int32_t>(axis);
  c.AddOp(BuiltinOperator::GATHER, {in, c.AddConstInt32(name + "/indices", ind->shape, idx)}, {out},
          Options(std::move(o)));
  return c.SetOutputTensor(n, 0, shape, out, IdentityPerm(shape.size()));
}

// out = x[begin:end:step] per axis (ONNX clamping rules), as a STRIDED_SLICE in x's layout.
Status EmitSlice(Converter& c, Value* x, const std::vector<int64_t>& begin,
                 const std::vector<int64_t>& end, const std::vector<int64_t>& step,
                 const std::string& name, Dims* shape_out) {
  const size_t r = x->shape.size();
  Dims shape(r);
  std::vector<int64_t> b(r), e(r), st(r);
  int end_mask = 0;
  const Perm p = x->constant ? IdentityPerm(r) : x->perm;
  for (size_t a = 0; a < r; ++a) {
    const int64_t dim = x->shape[a];
    int64_t s0 = begin[a], e0 = end[a];
    const int64_t k = step[a];
    if (k == 0) return Status::Error("a step is 0");
    if (s0 < 0) s0 += dim;
    if (e0 < 0) e0 += dim;
    if (k > 0) {
      s0 = std::clamp<int64_t>(s0, 0, dim);
      e0 = std::clamp<int64_t>(e0, 0, dim);
      shape[a] = e0 > s0 ? (e0 - s0 + k - 1) / k : 0;
    } else {
      s0 = std::clamp<int64_t>(s0, -1, dim - 1);
      e0 = std::clamp<int64_t>(e0, -1, dim - 1);
      shape[a] = s0 > e0 ? (s0 - e0 + (-k) - 1) / (-k) : 0;
    }
    b[a] = s0;
    e[a] = e0;
    st[a] = k;
  }
  std::vector<int64_t> tb(r), te(r), ts(r);
  for (size_t i = 0; i < r; ++i) {
    const int a = p[i];
    tb[i] = b[a];
    te[i] = e[a];
    ts[i] = st[a];
    if (st[a] < 0 && e[a] < 0) end_mask |= 1 << i;  // through index 0 (-1 would mean "the end")
  }
  LITHE_ASSIGN_OR_RETURN(int in, c.TensorIn(*x, p));
  LITHE_ASSIGN_OR_RETURN(int out, c.AddTensor(name, Permuted(shape, p)));
  ::tflite::StridedSliceOptionsT o;
  o.end_mask = end_mask;
  const int64_t rr = static_cast<int64_t>(r);
  c.AddOp(BuiltinOperator::STRIDED_SLICE,
          {in, c.AddConstInt32(name + "/begin", {rr}, tb), c.AddConstInt32(name + "/end", {rr}, te),
           c.AddConstInt32(name + "/strides", {rr}, ts)},
          {out}, Options(std::move(o)));
  *shape_out = shape;
  return c.DefineTensor(name, shape, out, p);
}

Status ConvertSlice(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const size_t r = x->shape.size();
  Dims starts, ends, axes, steps;
  if (c.opset() < 10) {
    LITHE_ASSIGN_OR_RETURN(starts, c.AttrInts(n, "starts", {}));
    LITHE_ASSIGN_OR_RETURN(ends, c.AttrInts(n, "ends", {}));
    LITHE_ASSIGN_OR_RETURN(axes, c.AttrInts(n, "axes", {}));
  } else {
    auto ints = [&](int i, Dims* out) -> Status {
      if (!n.has_input(i)) return Status::Ok();
      LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, i));
      if (k->is_float) return Status::Error("input " + std::to_string(i) + " must be integers");
      *out = k->i;
      return Status::Ok();
    };
    LITHE_RETURN_IF_ERROR(ints(1, &starts));
    LITHE_RETURN_IF_ERROR(ints(2, &ends));
    LITHE_RETURN_IF_ERROR(ints(3, &axes));
    LITHE_RETURN_IF_ERROR(ints(4, &steps));
  }
  if (axes.empty())
    for (size_t a = 0; a < starts.size(); ++a) axes.push_back(static_cast<int64_t>(a));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return Status::Error("starts, ends, axes and steps differ in length");
  std::vector<int64_t> b(r, 0), e(x->shape.begin(), x->shape.end()), st(r, 1);
  std::vector<bool> seen(r, false);
  for (size_t k = 0; k < axes.size(); ++k) {
    LITHE_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axes[k], r));
    if (seen[a]) return Status::Error("axis " + std::to_string(a) + " is repeated");
    seen[a] = true;
    const int64_t big = int64_t{1} << 40;
    b[a] = std::clamp<int64_t>(starts[k], -big, big);
    e[a] = std::clamp<int64_t>(ends[k], -big, big);
    st[a] = std::clamp<int64_t>(steps[k], -big, big);
  }
  if (x->constant && !x->constant->is_float) return Status::Error("slicing integer constants is not supported");
  Dims shape;
  return EmitSlice(c, x, b, e, st, OutName(n), &shape);
}

Status ConvertSplit(Converter& c, const OnnxNode& n) {
  LITHE_ASSIGN_OR_RETURN(Value * x, c.Input(n, 0));
  const size_t r = x->shape.size();
  if (r == 0) return Status::Error("cannot split a scalar");
  LITHE_ASSIGN_OR_RETURN(int64_t axis_attr, c.AttrInt(n, "axis", 0));
  LITHE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, r));
  Dims split;
  if (c.opset() < 13) {
    LITHE_ASSIGN_OR_RETURN(split, c.AttrInts(n, "split", {}));
  } else if (n.has_input(1)) {
    LITHE_ASSIGN_OR_RETURN(auto k, c.ConstInput(n, 1));
    if (k->is_float) return Status::Error("split must be int64");
    split = k->i;
  }
  const int64_t outs = n.num_outputs();
  if (outs < 1) return Status::Error("no outputs");
  const int64_t dim = x->shape[axis];
  if (split.empty()) {
    const int64_t part = (dim + outs - 1) / outs;
    for (int64_t k = 0; k < outs; ++k) split.push_back(std::max<int64_t>(std::min(part, dim - k * part), 0));
  }
  if (static_cast<int64_t>(split.size()) != outs) return Status::Error("split has " + std::to_string(split.size()) + " sizes for " + std::to_string(outs) + " outputs");
  int64_t total = 0;
  for (int64_t v : split) {
    if (v < 0) return Status::Error("split sizes must not be negative");
    total += v;
  }
  if (total != dim) return Status::Error("split sizes " + DimsString(split) + " do not add up to " + std::to_string(dim));
  if (x->constant && !x->constant->is_float) return Status::Error("splitting integer constants is not supported");
  int64_t start = 0;
  for (int64_t k = 0; k < outs; ++k) {
    std::vector<int64_t> b(r, 0), e(x->shape.begin(), x->shape.end()), st(r, 1);
    b[axis] = start;
    e[axis] = start + split[k];
    start += split[k];
    if (n.proto->output(k).empty()) continue;
    Dims shape;
    LITHE_RETURN_IF_ERROR(EmitSlice(c, x, b, e, st, n.proto->output(k), &shape));
  }
  return Status::Ok();
}

Status ConvertConstant(Converter& c, const OnnxNode& n) {
  LITHE_RETURN_IF_ERROR(ExpectOutputs(n, 1));
  if (n.proto->attribute_size() != 1) return Status::Error("exactly one attribute is expected");
  const onnx::AttributeProto& a = n.proto->attribute(0);
  ConstData k;
  if (a.name() == "value") {
    LITHE_ASSIGN_OR_RETURN(k, ReadTensorProto(a.t()));
  } else if (a.name() == "value_float") {
    k.f = {a.f()};
  } else if (a.name() == "value_floats") {
    k.shape = {a.floats_size()};
    k.f.assign(a.floats().begin(), a.floats().end());
  } else if (a.name() == "value_int") {
    k.is_float = false;
    k.i = {a.i()};
  } else if (a.name() == "value_ints") {
    k.is_float = false;
    k.shape = {a.ints_size()};
    k.i.assign(a.ints().begin(), a.ints().end());
  } else {
    return Status::Error("attribute '" + a.name() + "' is not supported");
  }
  return c.SetOutputConst(n, 0, std::move(k));
}

}  // namespace lithe::convert::ops
