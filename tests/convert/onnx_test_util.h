// Reading ONNX TensorProto files (the inputs and expected outputs of ONNX's backend test cases)
// into plain values, and writing them into / reading them out of lithe tensors.
//
//   auto t = lithe::testing::ReadTensorProtoFile(dir + "/test_data_set_0/input_0.pb");
//   if (t.ok()) use(t->dims, t->values);           // values as double, any numeric dtype
//   std::vector<int64_t> shape;
//   auto f = lithe::testing::TensorProtoToFloats(proto, &shape);   // float32 view
//
// Header-only: the test CMake glob builds each *_test.cc as its own executable.
#pragma once

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lithe/status.h"
#include "lithe/tensor.h"

namespace lithe::testing {

// A numeric ONNX tensor. Every value is held as a double: exact for all ONNX numeric types
// except 64-bit integers beyond 2^53, which test data does not use.
struct OnnxTensor {
  std::string name;
  int elem_type = 0;  // onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  std::vector<double> values;
};

inline std::string OnnxDTypeName(int elem_type) {
  if (onnx::TensorProto_DataType_IsValid(elem_type))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(elem_type));
  return "dtype(" + std::to_string(elem_type) + ")";
}

// IEEE half (binary16) bits to float.
inline float HalfToFloat(uint16_t h) {
  const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) v = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31) v = mant == 0 ? INFINITY : NAN;
  else v = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  return sign ? -v : v;
}

inline float BFloat16ToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

namespace internal {
template <class T>
double RawAt(const std::string& raw, size_t i) {
  T v;
  std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));  // little-endian, as ONNX stores it
  return static_cast<double>(v);
}
}  // namespace internal

// Decodes raw_data (little-endian bytes) or the typed repeated field the dtype uses.
inline Result<OnnxTensor> FromTensorProto(const onnx::TensorProto& p) {
  using TP = onnx::TensorProto;
  OnnxTensor t;
  t.name = p.name();
  t.elem_type = p.data_type();
  uint64_t n = 1;
  for (int64_t d : p.dims()) {
    if (d < 0 || d > (int64_t{1} << 31)) return Status::Error("tensor '" + p.name() + "': bad dim " + std::to_string(d));
    t.dims.push_back(d);
    n *= static_cast<uint64_t>(d);
    if (n > (uint64_t{1} << 31)) return Status::Error("tensor '" + p.name() + "': too many elements");
  }
  if (p.data_location() == TP::EXTERNAL) return Status::Error("tensor '" + p.name() + "': external data");
  size_t esize = 0;
  switch (p.data_type()) {
    case TP::FLOAT: case TP::INT32: case TP::UINT32: esize = 4; break;
    case TP::DOUBLE: case TP::INT64: case TP::UINT64: esize = 8; break;
    case TP::INT16: case TP::UINT16: case TP::FLOAT16: case TP::BFLOAT16: esize = 2; break;
    case TP::INT8: case TP::UINT8: case TP::BOOL: esize = 1; break;
    default: return Status::Error("tensor '" + p.name() + "': dtype " + OnnxDTypeName(p.data_type()) + " is not numeric");
  }
  t.values.resize(n);
  if (p.has_raw_data()) {
    const std::string& raw = p.raw_data();
    if (raw.size() != n * esize)
      return Status::Error("tensor '" + p.name() + "': raw_data holds " + std::to_string(raw.size()) + " bytes, " +
                           std::to_string(n) + " elements of " + OnnxDTypeName(p.data_type()) + " need " +
                           std::to_string(n * esize));
    for (size_t i = 0; i < n; ++i) {
      switch (p.data_type()) {
        case TP::FLOAT: t.values[i] = internal::RawAt<float>(raw, i); break;
        case TP::DOUBLE: t.values[i] = internal::RawAt<double>(raw, i); break;
        case TP::INT32: t.values[i] = internal::RawAt<int32_t>(raw, i); break;
        case TP::UINT32: t.values[i] = internal::RawAt<uint32_t>(raw, i); break;
        case TP::INT64: t.values[i] = internal::RawAt<int64_t>(raw, i); break;
        case TP::UINT64: t.values[i] = internal::RawAt<uint64_t>(raw, i); break;
        case TP::INT16: t.values[i] = internal::RawAt<int16_t>(raw, i); break;
        case TP::UINT16: t.values[i] = internal::RawAt<uint16_t>(raw, i); break;
        case TP::INT8: t.values[i] = internal::RawAt<int8_t>(raw, i); break;
        case TP::UINT8: t.values[i] = internal::RawAt<uint8_t>(raw, i); break;
        case TP::BOOL: t.values[i] = raw[i] != 0 ? 1.0 : 0.0; break;
        case TP::FLOAT16: t.values[i] = HalfToFloat(static_cast<uint16_t>(internal::RawAt<uint16_t>(raw, i))); break;
        case TP::BFLOAT16: t.values[i] = BFloat16ToFloat(static_cast<uint16_t>(internal::RawAt<uint16_t>(raw, i))); break;
        default: break;
      }
    }
    return t;
  }
  // Typed fields: which one holds which dtype is fixed by onnx.proto.
  auto count_error = [&](size_t got) {
    return Status::Error("tensor '" + p.name() + "': " + std::to_string(got) + " values for " + std::to_string(n) +
                         " elements");
  };
  switch (p.data_type()) {
    case TP::FLOAT:
      if (static_cast<uint64_t>(p.float_data_size()) != n) return count_error(p.float_data_size());
      for (size_t i = 0; i < n; ++i) t.values[i] = p.float_data(static_cast<int>(i));
      break;
    case TP::DOUBLE:
      if (static_cast<uint64_t>(p.double_data_size()) != n) return count_error(p.double_data_size());
      for (size_t i = 0; i < n; ++i) t.values[i] = p.double_data(static_cast<int>(i));
      break;
    case TP::INT64:
      if (static_cast<uint64_t>(p.int64_data_size()) != n) return count_error(p.int64_data_size());
      for (size_t i = 0; i < n; ++i) t.values[i] = static_cast<double>(p.int64_data(static_cast<int>(i)));
      break;
    case TP::UINT32: case TP::UINT64:
      if (static_cast<uint64_t>(p.uint64_data_size()) != n) return count_error(p.uint64_data_size());
      for (size_t i = 0; i < n; ++i) t.values[i] = static_cast<double>(p.uint64_data(static_cast<int>(i)));
      break;
    default:  // INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16 and BFLOAT16 (bits) use int32_data
      if (static_cast<uint64_t>(p.int32_data_size()) != n) return count_error(p.int32_data_size());
      for (size_t i = 0; i < n; ++i) {
        const int32_t v = p.int32_data(static_cast<int>(i));
        if (p.data_type() == TP::FLOAT16) t.values[i] = HalfToFloat(static_cast<uint16_t>(v));
        else if (p.data_type() == TP::BFLOAT16) t.values[i] = BFloat16ToFloat(static_cast<uint16_t>(v));
        else if (p.data_type() == TP::BOOL) t.values[i] = v != 0 ? 1.0 : 0.0;
        else t.values[i] = v;
      }
      break;
  }
  return t;
}

inline Result<onnx::TensorProto> ParseTensorProtoFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  onnx::TensorProto p;
  if (!p.ParseFromString(ss.str())) return Status::Error(path + ": not a TensorProto");
  return p;
}

inline Result<OnnxTensor> ReadTensorProtoFile(const std::string& path) {
  auto p = ParseTensorProtoFile(path);
  if (!p.ok()) return p.status();
  auto t = FromTensorProto(*p);
  if (!t.ok()) return t.status().Prefixed(path);
  return t;
}

// The float32 values and shape of a FLOAT tensor.
inline Result<std::vector<float>> TensorProtoToFloats(const onnx::TensorProto& p, std::vector<int64_t>* shape) {
  if (p.data_type() != onnx::TensorProto::FLOAT)
    return Status::Error("tensor '" + p.name() + "' is " + OnnxDTypeName(p.data_type()) + ", not FLOAT");
  auto t = FromTensorProto(p);
  if (!t.ok()) return t.status();
  if (shape != nullptr) *shape = t->dims;
  return std::vector<float>(t->values.begin(), t->values.end());
}

// The lithe dtype an ONNX dtype maps to (kString when it has none).
inline DType OnnxToLitheDType(int elem_type) {
  using TP = onnx::TensorProto;
  switch (elem_type) {
    case TP::FLOAT: return DType::kFloat32;
    case TP::FLOAT16: return DType::kFloat16;
    case TP::DOUBLE: return DType::kFloat64;
    case TP::INT8: return DType::kInt8;
    case TP::UINT8: return DType::kUInt8;
    case TP::INT16: return DType::kInt16;
    case TP::UINT16: return DType::kUInt16;
    case TP::INT32: return DType::kInt32;
    case TP::UINT32: return DType::kUInt32;
    case TP::INT64: return DType::kInt64;
    case TP::UINT64: return DType::kUInt64;
    case TP::BOOL: return DType::kBool;
    default: return DType::kString;
  }
}

// Values as the bytes of a lithe tensor of `type` (the model may narrow, e.g. int64 to int32).
inline Result<std::vector<uint8_t>> ValuesToBytes(const std::vector<double>& v, DType type) {
  std::vector<uint8_t> out(v.size() * DTypeSize(type));
  auto put = [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < v.size(); ++i) {
      const T x = static_cast<T>(v[i]);
      std::memcpy(out.data() + i * sizeof(T), &x, sizeof(T));
    }
  };
  switch (type) {
    case DType::kFloat32: put(float{}); break;
    case DType::kFloat64: put(double{}); break;
    case DType::kInt32: put(int32_t{}); break;
    case DType::kInt64: put(int64_t{}); break;
    case DType::kInt16: put(int16_t{}); break;
    case DType::kInt8: put(int8_t{}); break;
    case DType::kUInt8: put(uint8_t{}); break;
    case DType::kUInt16: put(uint16_t{}); break;
    case DType::kUInt32: put(uint32_t{}); break;
    case DType::kUInt64: put(uint64_t{}); break;
    case DType::kBool:
      for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] != 0 ? 1 : 0;
      break;
    default: return Status::Error("cannot feed values to a " + DTypeName(type) + " tensor");
  }
  return out;
}

inline Result<std::vector<double>> BytesToValues(const void* data, size_t bytes, DType type) {
  const size_t es = DTypeSize(type);
  if (es == 0 || bytes % es != 0) return Status::Error("cannot read a " + DTypeName(type) + " tensor");
  std::vector<double> v(bytes / es);
  const uint8_t* p = static_cast<const uint8_t*>(data);
  auto get = [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < v.size(); ++i) {
      T x;
      std::memcpy(&x, p + i * sizeof(T), sizeof(T));
      v[i] = static_cast<double>(x);
    }
  };
  switch (type) {
    case DType::kFloat32: get(float{}); break;
    case DType::kFloat64: get(double{}); break;
    case DType::kInt32: get(int32_t{}); break;
    case DType::kInt64: get(int64_t{}); break;
    case DType::kInt16: get(int16_t{}); break;
    case DType::kInt8: get(int8_t{}); break;
    case DType::kUInt8: get(uint8_t{}); break;
    case DType::kUInt16: get(uint16_t{}); break;
    case DType::kUInt32: get(uint32_t{}); break;
    case DType::kUInt64: get(uint64_t{}); break;
    case DType::kBool:
      for (size_t i = 0; i < v.size(); ++i) v[i] = p[i] != 0 ? 1.0 : 0.0;
      break;
    default: return Status::Error("cannot read a " + DTypeName(type) + " tensor");
  }
  return v;
}

}  // namespace lithe::testing
