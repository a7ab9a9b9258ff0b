// Labelled datasets for `lithe eval`: IDX files (MNIST's format, gzip'd or plain), .npy pairs, and
// the named test sets fashion-mnist and mnist.
//
//   auto ds = lithe::eval::LoadDataset("fashion-mnist");   // or "idx:IMAGES,LABELS", "npy:X.npy,Y.npy"
//   if (!ds.ok()) { std::cerr << ds.status().message() << "\n"; return 1; }
//   // ds->num_samples images of shape ds->sample_shape (uint8), labels ds->labels[i] in [0, num_classes)
//
// Every file is untrusted input: a wrong magic number, a truncated or oversized file, dims whose
// product overflows, a label count that differs from the image count, a negative label — each is
// an error naming the file and what is wrong, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lithe/status.h"
#include "lithe/tensor.h"

namespace lithe::eval {

struct Dataset {
  std::string name;                  // "fashion-mnist", "mnist", "idx", "npy"
  std::vector<std::string> files;    // images (or X) file, labels (or Y) file
  DType type = DType::kUInt8;        // of the samples as stored: kUInt8 or kFloat32
  std::vector<int32_t> sample_shape;  // one sample, e.g. {28, 28}
  int64_t num_samples = 0;
  std::vector<uint8_t> data;          // num_samples * sample_elements() elements of `type`, C order
  std::vector<int32_t> labels;        // num_samples, each in [0, num_classes)
  int num_classes = 0;                // class_names.size() when named, else max label + 1
  std::vector<std::string> class_names;  // empty unless the dataset names its classes

  int64_t sample_elements() const;
  // Writes sample i as floats: value = stored * scale + offset.
  void SampleAsFloat(int64_t i, float scale, float offset, float* out) const;
  // "T-shirt/top" or, without names, the class index.
  std::string ClassName(int c) const;
};

// Decompressed files larger than this are refused (a gzip bomb must not exhaust memory).
constexpr size_t kMaxDatasetFileBytes = size_t{2} << 30;

// The bytes of a file, inflated when it starts with the gzip magic (1f 8b); plain otherwise.
Result<std::vector<uint8_t>> ReadMaybeGzip(const std::string& path, size_t max_bytes = kMaxDatasetFileBytes);
// Inflates a gzip stream held in memory (several concatenated members allowed).
Result<std::vector<uint8_t>> GunzipBytes(const uint8_t* bytes, size_t size, size_t max_bytes = kMaxDatasetFileBytes);

// One IDX array of unsigned bytes (element type 0x08): big-endian magic 0x0000_08_RR (RR = rank),
// RR big-endian uint32 dims, then the elements.
struct IdxArray {
  std::vector<int32_t> dims;
  std::vector<uint8_t> data;
};
Result<IdxArray> ParseIdx(const uint8_t* bytes, size_t size);
Result<IdxArray> ReadIdx(const std::string& path);  // gzip'd or plain

// Images (IDX, rank >= 2: [N, ...]) and labels (IDX, rank 1: [N]).
Result<Dataset> LoadIdxDataset(const std::string& images_path, const std::string& labels_path);
// X [N, ...] float32 or uint8; Y [N] of any integer dtype.
Result<Dataset> LoadNpyDataset(const std::string& x_path, const std::string& y_path);

// Where named datasets are looked for, in order: $LITHE_DATA_DIR, ./.cache/datasets, and
// <directory of the running executable>/../.cache/datasets.
std::vector<std::string> DatasetSearchDirs();

// "fashion-mnist" (Debian's dataset-fashion-mnist test set), "mnist" (the test split written by
// scripts/fetch_models.sh to .cache/datasets/mnist/), "idx:IMAGES,LABELS" or "npy:X.npy,Y.npy".
Result<Dataset> LoadDataset(const std::string& spec);

}  // namespace lithe::eval
