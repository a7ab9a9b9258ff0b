#include "eval/dataset.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "format/npy.h"

namespace lithe::eval {

namespace {

std::string ShapeString(const std::vector<int32_t>& dims) { return Shape::FromVector(dims).ToString(); }

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::Error(path + ": is a directory, not a file");
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return Status::Error(path + ": cannot open");
  const std::streamoff size = f.tellg();
  if (size < 0) return Status::Error(path + ": cannot read its size");
  if (static_cast<uint64_t>(size) > max_bytes)
    return Status::Error(path + ": " + std::to_string(size) + " bytes, more than the limit of " +
                         std::to_string(max_bytes));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (size > 0 && !f.read(reinterpret_cast<char*>(bytes.data()), size)) return Status::Error(path + ": read failed");
  return bytes;
}

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// The named datasets' class names.
const std::vector<std::string>& FashionMnistClasses() {
  static const std::vector<std::string> kNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return kNames;
}
const std::vector<std::string>& DigitClasses() {
  static const std::vector<std::string> kNames = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  return kNames;
}

// Labels must be in [0, kMaxClasses): the confusion matrix is classes x classes.
constexpr int64_t kMaxClasses = 100000;

Status SetClasses(Dataset& ds, const std::string& labels_file) {
  int64_t max_label = -1;
  for (size_t i = 0; i < ds.labels.size(); ++i) max_label = std::max<int64_t>(max_label, ds.labels[i]);
  ds.num_classes = static_cast<int>(max_label + 1);
  if (!ds.class_names.empty()) {
    if (max_label >= static_cast<int64_t>(ds.class_names.size()))
      return Status::Error(labels_file + ": label " + std::to_string(max_label) + " but " + ds.name + " has " +
                           std::to_string(ds.class_names.size()) + " classes");
    ds.num_classes = static_cast<int>(ds.class_names.size());
  }
  return Status::Ok();
}

// A named dataset's file, plain or gzip'd, in `dir`; "" when neither exists.
std::string FindFile(const std::string& dir, const std::string& base) {
  std::error_code ec;
  for (const std::string& name : {base, base + ".gz"}) {
    const std::string p = dir + "/" + name;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return "";
}

Result<Dataset> LoadNamed(const std::string& name) {
  const bool fashion = name == "fashion-mnist";
  std::vector<std::string> dirs;
  if (fashion) dirs.push_back("/usr/share/datasets/fashion-mnist");
  for (const std::string& d : DatasetSearchDirs()) dirs.push_back(d + "/" + name);
  for (const std::string& dir : dirs) {
    const std::string images = FindFile(dir, "t10k-images-idx3-ubyte");
    const std::string labels = FindFile(dir, "t10k-labels-idx1-ubyte");
    if (images.empty() || labels.empty()) continue;
    auto ds = LoadIdxDataset(images, labels);
    if (!ds.ok()) return ds.status();
    ds->name = name;
    ds->class_names = fashion ? FashionMnistClasses() : DigitClasses();
    LITHE_RETURN_IF_ERROR(SetClasses(*ds, labels));
    return ds;
  }
  std::string where;
  for (const std::string& d : dirs) where += (where.empty() ? "" : ", ") + d;
  return Status::Error("dataset " + name + ": t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] not found in " +
                       where + (fashion ? " (install Debian's dataset-fashion-mnist, or put the files there)"
                                        : " (run scripts/fetch_models.sh, or set LITHE_DATA_DIR to the folder "
                                          "holding mnist/)"));
}

// Splits "A,B" into two non-empty parts.
bool SplitPair(const std::string& s, std::string* a, std::string* b) {
  const size_t comma = s.find(',');
  if (comma == std::string::npos || s.find(',', comma + 1) != std::string::npos) return false;
  *a = s.substr(0, comma);
  *b = s.substr(comma + 1);
  return !a->empty() && !b->empty();
}

}  // namespace

int64_t Dataset::sample_elements() const {
  int64_t n = 1;
  for (int32_t d : sample_shape) n *= d;
  return n;
}

void Dataset::SampleAsFloat(int64_t i, float scale, float offset, float* out) const {
  const int64_t n = sample_elements();
  if (type == DType::kUInt8) {
    const uint8_t* p = data.data() + i * n;
    for (int64_t k = 0; k < n; ++k) out[k] = static_cast<float>(p[k]) * scale + offset;
  } else {
    const uint8_t* p = data.data() + i * n * static_cast<int64_t>(sizeof(float));
    for (int64_t k = 0; k < n; ++k) {
      float v;
      std::memcpy(&v, p + k * 4, 4);
      out[k] = v * scale + offset;
    }
  }
}

std::string Dataset::ClassName(int c) const {
  return c >= 0 && c < static_cast<int>(class_names.size()) ? class_names[c] : std::to_string(c);
}

Result<std::vector<uint8_t>> GunzipBytes(const uint8_t* bytes, size_t size, size_t max_bytes) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Error("gzip: cannot initialise zlib");
  std::vector<uint8_t> out;
  size_t in_pos = 0;
  Status error;
  constexpr size_t kChunk = size_t{1} << 20;
  bool stream_end = false;
  while (true) {
    if (zs.avail_in == 0 && in_pos < size) {
      const size_t n = std::min<size_t>(size - in_pos, 1u << 30);
      zs.next_in = const_cast<Bytef*>(bytes + in_pos);
      zs.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    if (out.size() >= max_bytes) {
      error = Status::Error("gzip: decompresses to more than " + std::to_string(max_bytes) + " bytes");
      break;
    }
    const size_t before = out.size();
    const size_t room = std::min(kChunk, max_bytes - before);
    out.resize(before + room);
    zs.next_out = out.data() + before;
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(before + room - zs.avail_out);
    if (rc == Z_STREAM_END) {
      stream_end = true;
      // Another gzip member may follow (as `cat a.gz b.gz` makes); anything else is an error.
      const size_t left = zs.avail_in + (size - in_pos);
      if (left == 0) break;
      const uint8_t* next = zs.next_in;
      if (left < 2 || next[0] != 0x1f || next[1] != 0x8b) {
        error = Status::Error("gzip: " + std::to_string(left) + " bytes of trailing garbage after the stream");
        break;
      }
      stream_end = false;
      if (inflateReset(&zs) != Z_OK) {
        error = Status::Error("gzip: cannot reset zlib");
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_pos == size) {
      error = Status::Error("gzip: truncated stream (ends after " + std::to_string(size) + " compressed bytes)");
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error = Status::Error(std::string("gzip: corrupt data (") + (zs.msg != nullptr ? zs.msg : "zlib error " + std::to_string(rc)) +
                            ")");
      break;
    }
  }
  inflateEnd(&zs);
  if (!error.ok()) return error;
  if (!stream_end) return Status::Error("gzip: truncated stream");
  return out;
}

Result<std::vector<uint8_t>> ReadMaybeGzip(const std::string& path, size_t max_bytes) {
  auto raw = ReadFileBytes(path, max_bytes);
  if (!raw.ok()) return raw.status();
  if (raw->size() < 2 || (*raw)[0] != 0x1f || (*raw)[1] != 0x8b) return raw;
  auto out = GunzipBytes(raw->data(), raw->size(), max_bytes);
  if (!out.ok()) return out.status().Prefixed(path);
  return out;
}

Result<IdxArray> ParseIdx(const uint8_t* b, size_t size) {
  if (size < 4) return Status::Error("not an IDX file (" + std::to_string(size) + " bytes, shorter than the magic)");
  char magic[16];
  std::snprintf(magic, sizeof(magic), "0x%08x", BigEndian32(b));
  if (b[0] != 0 || b[1] != 0)
    return Status::Error(std::string("not an IDX file (magic ") + magic + ", expected 0x000008NN)");
  if (b[2] != 0x08)
    return Status::Error(std::string("IDX element type 0x") + "0123456789abcdef"[b[2] >> 4] +
                         "0123456789abcdef"[b[2] & 15] + " (magic " + magic +
                         ") is not supported; only unsigned bytes (0x08)");
  const int rank = b[3];
  if (rank < 1 || rank > kMaxRank)
    return Status::Error(std::string("IDX rank ") + std::to_string(rank) + " (magic " + magic + ") not in 1.." +
                         std::to_string(kMaxRank));
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  if (size < header)
    return Status::Error("truncated IDX header: " + std::to_string(size) + " bytes, " + std::to_string(rank) +
                         " dims need " + std::to_string(header));
  IdxArray a;
  const uint64_t available = size - header;
  // The element count, or `overflow` when it exceeds 64 bits (dims are up to 2^31 - 1, eight of them).
  uint64_t n = 1;
  bool overflow = false, empty = false;
  for (int i = 0; i < rank; ++i) {
    const uint32_t d = BigEndian32(b + 4 + 4 * i);
    if (d > static_cast<uint32_t>(INT32_MAX))
      return Status::Error("IDX dim " + std::to_string(i) + " is " + std::to_string(d) + ", too large");
    a.dims.push_back(static_cast<int32_t>(d));
    if (d == 0) {
      empty = true;
    } else if (!overflow) {
      if (n > UINT64_MAX / d) overflow = true;
      else n *= d;
    }
  }
  if (empty) n = 0, overflow = false;
  if (overflow)
    return Status::Error("IDX data truncated: dims " + ShapeString(a.dims) + " need more than 2^64 bytes, the file holds " +
                         std::to_string(available) + " after the header");
  if (n != available)
    return Status::Error(std::string(n > available ? "IDX data truncated" : "IDX data has trailing bytes") + ": dims " +
                         ShapeString(a.dims) + " need " + std::to_string(n) + " bytes after the header, the file holds " +
                         std::to_string(available));
  a.data.assign(b + header, b + size);
  return a;
}

Result<IdxArray> ReadIdx(const std::string& path) {
  auto bytes = ReadMaybeGzip(path);
  if (!bytes.ok()) return bytes.status();
  auto a = ParseIdx(bytes->data(), bytes->size());
  if (!a.ok()) return a.status().Prefixed(path);
  return a;
}

Result<Dataset> LoadIdxDataset(const std::string& images_path, const std::string& labels_path) {
  auto images = ReadIdx(images_path);
  if (!images.ok()) return images.status();
  auto labels = ReadIdx(labels_path);
  if (!labels.ok()) return labels.status();
  if (images->dims.size() < 2)
    return Status::Error(images_path + ": images must have rank >= 2 ([N, ...]), IDX dims are " +
                         ShapeString(images->dims));
  if (labels->dims.size() != 1)
    return Status::Error(labels_path + ": labels must have rank 1 ([N]), IDX dims are " + ShapeString(labels->dims));
  if (labels->dims[0] != images->dims[0])
    return Status::Error(labels_path + ": " + std::to_string(labels->dims[0]) + " labels for " +
                         std::to_string(images->dims[0]) + " images in " + images_path);
  Dataset ds;
  ds.name = "idx";
  ds.files = {images_path, labels_path};
  ds.type = DType::kUInt8;
  ds.sample_shape.assign(images->dims.begin() + 1, images->dims.end());
  ds.num_samples = images->dims[0];
  ds.data = std::move(images->data);
  ds.labels.assign(labels->data.begin(), labels->data.end());
  LITHE_RETURN_IF_ERROR(SetClasses(ds, labels_path));
  return ds;
}

Result<Dataset> LoadNpyDataset(const std::string& x_path, const std::string& y_path) {
  auto x = ReadNpy(x_path);
  if (!x.ok()) return x.status();
  auto y = ReadNpy(y_path);
  if (!y.ok()) return y.status();
  if (x->type != DType::kFloat32 && x->type != DType::kUInt8)
    return Status::Error(x_path + ": samples must be float32 or uint8, not " + DTypeName(x->type));
  if (x->shape.size() < 2)
    return Status::Error(x_path + ": samples must have shape [N, ...] (rank >= 2), not " + ShapeString(x->shape));
  if (y->shape.size() != 1)
    return Status::Error(y_path + ": labels must have shape [N], not " + ShapeString(y->shape));
  if (y->shape[0] != x->shape[0])
    return Status::Error(y_path + ": " + std::to_string(y->shape[0]) + " labels for " + std::to_string(x->shape[0]) +
                         " samples in " + x_path);
  Dataset ds;
  ds.name = "npy";
  ds.files = {x_path, y_path};
  ds.type = x->type;
  ds.sample_shape.assign(x->shape.begin() + 1, x->shape.end());
  ds.num_samples = x->shape[0];
  ds.data = std::move(x->data);
  const size_t n = static_cast<size_t>(ds.num_samples);
  ds.labels.resize(n);
  const uint8_t* p = y->data.data();
  for (size_t i = 0; i < n; ++i) {
    int64_t v = 0;
    switch (y->type) {
      case DType::kInt8: v = static_cast<int8_t>(p[i]); break;
      case DType::kUInt8: v = p[i]; break;
      case DType::kInt16: { int16_t t; std::memcpy(&t, p + 2 * i, 2); v = t; break; }
      case DType::kUInt16: { uint16_t t; std::memcpy(&t, p + 2 * i, 2); v = t; break; }
      case DType::kInt32: { int32_t t; std::memcpy(&t, p + 4 * i, 4); v = t; break; }
      case DType::kUInt32: { uint32_t t; std::memcpy(&t, p + 4 * i, 4); v = t; break; }
      case DType::kInt64: { int64_t t; std::memcpy(&t, p + 8 * i, 8); v = t; break; }
      case DType::kUInt64: {
        uint64_t t;
        std::memcpy(&t, p + 8 * i, 8);
        v = t > static_cast<uint64_t>(kMaxClasses) ? kMaxClasses : static_cast<int64_t>(t);
        break;
      }
      default:
        return Status::Error(y_path + ": labels must be integers, not " + DTypeName(y->type));
    }
    if (v < 0 || v >= kMaxClasses)
      return Status::Error(y_path + ": label " + std::to_string(i) + " is " + std::to_string(v) + ", not in 0.." +
                           std::to_string(kMaxClasses - 1));
    ds.labels[i] = static_cast<int32_t>(v);
  }
  LITHE_RETURN_IF_ERROR(SetClasses(ds, y_path));
  return ds;
}

std::vector<std::string> DatasetSearchDirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("LITHE_DATA_DIR"); env != nullptr && env[0] != '\0') dirs.push_back(env);
  dirs.push_back("./.cache/datasets");
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((exe.parent_path().parent_path() / ".cache" / "datasets").lexically_normal().string());
  return dirs;
}

Result<Dataset> LoadDataset(const std::string& spec) {
  if (spec == "fashion-mnist" || spec == "mnist") return LoadNamed(spec);
  std::string a, b;
  if (spec.rfind("idx:", 0) == 0) {
    if (!SplitPair(spec.substr(4), &a, &b)) return Status::Error("dataset " + spec + ": expected idx:IMAGES,LABELS");
    return LoadIdxDataset(a, b);
  }
  if (spec.rfind("npy:", 0) == 0) {
    if (!SplitPair(spec.substr(4), &a, &b)) return Status::Error("dataset " + spec + ": expected npy:X.npy,Y.npy");
    return LoadNpyDataset(a, b);
  }
  return Status::Error("unknown dataset '" + spec + "' (fashion-mnist, mnist, idx:IMAGES,LABELS or npy:X.npy,Y.npy)");
}

}  // namespace lithe::eval
