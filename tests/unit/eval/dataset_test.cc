#include "eval/dataset.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "format/npy.h"

namespace lithe::eval {
namespace {

// An IDX file of unsigned bytes: magic 00 00 08 <rank>, big-endian dims, data.
std::vector<uint8_t> Idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = ::testing::TempDir() + "/lithe_eval_" + info->test_suite_name() + "_" + info->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// gzip'd with zlib's own gz* writer, as the real datasets are.
void WriteGzip(const std::string& path, const std::vector<uint8_t>& b, const char* mode = "wb") {
  gzFile f = gzopen(path.c_str(), mode);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, b.data(), static_cast<unsigned>(b.size())), static_cast<int>(b.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

const std::vector<uint8_t> kPixels = {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255};  // 2 images of 2x3

TEST(Idx, ParsesDimsAndDataOfAGoodFile) {
  const auto b = Idx({2, 2, 3}, kPixels);
  auto a = ParseIdx(b.data(), b.size());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->dims, (std::vector<int32_t>{2, 2, 3}));
  EXPECT_EQ(a->data, kPixels);
}

TEST(Idx, RejectsBadMagicAndUnsupportedElementTypes) {
  auto b = Idx({2, 2, 3}, kPixels);
  b[0] = 0x1f;
  auto a = ParseIdx(b.data(), b.size());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("not an IDX file (magic 0x1f000803"), std::string::npos) << a.status().message();
  b = Idx({3}, {1, 2, 3});
  b[2] = 0x0d;  // float32 elements
  a = ParseIdx(b.data(), b.size());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("element type 0x0d"), std::string::npos) << a.status().message();
  b[2] = 0x08;
  b[3] = 0;  // rank 0
  EXPECT_FALSE(ParseIdx(b.data(), b.size()).ok());
  EXPECT_FALSE(ParseIdx(b.data(), 3).ok());
}

TEST(Idx, RejectsTruncatedHeaderTruncatedDataAndTrailingBytes) {
  const auto b = Idx({2, 2, 3}, kPixels);
  auto a = ParseIdx(b.data(), 10);  // header needs 16 bytes
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("truncated IDX header"), std::string::npos) << a.status().message();
  a = ParseIdx(b.data(), b.size() - 1);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("need 12 bytes after the header, the file holds 11"), std::string::npos)
      << a.status().message();
  auto longer = b;
  longer.push_back(7);
  a = ParseIdx(longer.data(), longer.size());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("trailing bytes"), std::string::npos) << a.status().message();
}

TEST(Idx, DimsWhoseProductOverflowsAreAnErrorNotACrash) {
  // 2^31-1 eight times overflows 64 bits many times over; 2^32-1 does not fit int32.
  const uint32_t big = 0x7fffffff;
  auto b = Idx({big, big, big, big, big, big, big, big}, {1, 2, 3});
  auto a = ParseIdx(b.data(), b.size());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("truncated"), std::string::npos) << a.status().message();
  b = Idx({0xffffffffu, 1}, {1});
  a = ParseIdx(b.data(), b.size());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("too large"), std::string::npos) << a.status().message();
  // A zero dim makes an empty array whatever the others say.
  b = Idx({0, big, big}, {});
  a = ParseIdx(b.data(), b.size());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(a->data.empty());
}

TEST(Idx, ReadsGzipAndPlainFilesAlike) {
  const std::string dir = TestDir();
  const auto b = Idx({2, 2, 3}, kPixels);
  WriteFile(dir + "/plain", b);
  WriteGzip(dir + "/packed.gz", b);
  for (const char* name : {"/plain", "/packed.gz"}) {
    auto a = ReadIdx(dir + name);
    ASSERT_TRUE(a.ok()) << name << ": " << a.status().message();
    EXPECT_EQ(a->dims, (std::vector<int32_t>{2, 2, 3}));
    EXPECT_EQ(a->data, kPixels);
  }
}

TEST(Gzip, ConcatenatedMembersAreOneStreamAndTruncationOrGarbageIsAnError) {
  const std::string dir = TestDir();
  const auto b = Idx({2, 2, 3}, kPixels);
  const std::vector<uint8_t> first(b.begin(), b.begin() + 9), second(b.begin() + 9, b.end());
  WriteGzip(dir + "/a.gz", first);
  WriteGzip(dir + "/b.gz", second);
  std::vector<uint8_t> cat = ReadAll(dir + "/a.gz");
  const std::vector<uint8_t> gz_b = ReadAll(dir + "/b.gz");
  cat.insert(cat.end(), gz_b.begin(), gz_b.end());
  auto out = GunzipBytes(cat.data(), cat.size());
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, b);

  auto cut = GunzipBytes(gz_b.data(), gz_b.size() - 5);  // loses part of the trailer
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("truncated"), std::string::npos) << cut.status().message();
  std::vector<uint8_t> garbage = gz_b;
  garbage.push_back(0x42);
  auto g = GunzipBytes(garbage.data(), garbage.size());
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("trailing garbage"), std::string::npos) << g.status().message();
  std::vector<uint8_t> corrupt = gz_b;
  corrupt[12] ^= 0xff;  // inside the deflate data
  corrupt[13] ^= 0xff;
  EXPECT_FALSE(GunzipBytes(corrupt.data(), corrupt.size()).ok());
}

TEST(Gzip, OutputAboveTheLimitIsRefused) {
  const std::string dir = TestDir();
  WriteGzip(dir + "/zeros.gz", std::vector<uint8_t>(100000, 0));
  auto r = ReadMaybeGzip(dir + "/zeros.gz", 50000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than 50000 bytes"), std::string::npos) << r.status().message();
  EXPECT_TRUE(ReadMaybeGzip(dir + "/zeros.gz", 100000).ok());
}

TEST(IdxDataset, ImagesAndLabelsMakeSamplesAndClasses) {
  const std::string dir = TestDir();
  WriteGzip(dir + "/images.gz", Idx({2, 2, 3}, kPixels));
  WriteFile(dir + "/labels", Idx({2}, {4, 1}));
  auto ds = LoadDataset("idx:" + dir + "/images.gz," + dir + "/labels");
  ASSERT_TRUE(ds.ok()) << ds.status().message();
  EXPECT_EQ(ds->num_samples, 2);
  EXPECT_EQ(ds->sample_shape, (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(ds->labels, (std::vector<int32_t>{4, 1}));
  EXPECT_EQ(ds->num_classes, 5);  // max label + 1
  std::vector<float> v(6);
  ds->SampleAsFloat(1, 1.0f / 255.0f, 0.0f, v.data());
  EXPECT_FLOAT_EQ(v[0], 250.0f / 255.0f);
  EXPECT_FLOAT_EQ(v[5], 1.0f);
  ds->SampleAsFloat(0, 2.0f, -1.0f, v.data());
  EXPECT_EQ(v, (std::vector<float>{-1, 1, 3, 5, 7, 9}));
}

TEST(IdxDataset, LabelCountOrRankMismatchIsAnErrorNamingTheFiles) {
  const std::string dir = TestDir();
  WriteFile(dir + "/images", Idx({2, 2, 3}, kPixels));
  WriteFile(dir + "/labels3", Idx({3}, {0, 1, 2}));
  WriteFile(dir + "/labels2d", Idx({2, 1}, {0, 1}));
  auto ds = LoadIdxDataset(dir + "/images", dir + "/labels3");
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.status().message().find("3 labels for 2 images"), std::string::npos) << ds.status().message();
  ds = LoadIdxDataset(dir + "/images", dir + "/labels2d");
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.status().message().find("labels2d: labels must have rank 1"), std::string::npos) << ds.status().message();
  ds = LoadIdxDataset(dir + "/labels3", dir + "/labels3");
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.status().message().find("images must have rank >= 2"), std::string::npos) << ds.status().message();
  ds = LoadIdxDataset(dir + "/missing", dir + "/labels3");
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.status().message().find("missing: cannot open"), std::string::npos) << ds.status().message();
}

TEST(NpyDataset, FloatSamplesAndIntegerLabels) {
  const std::string dir = TestDir();
  const std::vector<float> x = {0.5f, -1, 2, 3, 4, 5};
  const std::vector<int64_t> y = {2, 0, 1};
  ASSERT_TRUE(WriteNpy(dir + "/x.npy", DType::kFloat32, {3, 2}, x.data(), x.size() * 4).ok());
  ASSERT_TRUE(WriteNpy(dir + "/y.npy", DType::kInt64, {3}, y.data(), y.size() * 8).ok());
  auto ds = LoadDataset("npy:" + dir + "/x.npy," + dir + "/y.npy");
  ASSERT_TRUE(ds.ok()) << ds.status().message();
  EXPECT_EQ(ds->type, DType::kFloat32);
  EXPECT_EQ(ds->sample_shape, (std::vector<int32_t>{2}));
  EXPECT_EQ(ds->labels, (std::vector<int32_t>{2, 0, 1}));
  EXPECT_EQ(ds->num_classes, 3);
  std::vector<float> v(2);
  ds->SampleAsFloat(0, 2.0f, 1.0f, v.data());
  EXPECT_EQ(v, (std::vector<float>{2.0f, -1.0f}));
}

TEST(NpyDataset, NegativeLabelsWrongDtypesAndCountMismatchAreErrors) {
  const std::string dir = TestDir();
  const std::vector<float> x = {0, 1, 2, 3};
  const std::vector<int32_t> neg = {1, -3}, three = {0, 1, 2};
  const std::vector<float> float_labels = {0, 1};
  ASSERT_TRUE(WriteNpy(dir + "/x.npy", DType::kFloat32, {2, 2}, x.data(), 16).ok());
  ASSERT_TRUE(WriteNpy(dir + "/x1d.npy", DType::kFloat32, {4}, x.data(), 16).ok());
  ASSERT_TRUE(WriteNpy(dir + "/neg.npy", DType::kInt32, {2}, neg.data(), 8).ok());
  ASSERT_TRUE(WriteNpy(dir + "/three.npy", DType::kInt32, {3}, three.data(), 12).ok());
  ASSERT_TRUE(WriteNpy(dir + "/fl.npy", DType::kFloat32, {2}, float_labels.data(), 8).ok());
  auto expect_error = [&](const std::string& x_file, const std::string& y_file, const std::string& text) {
    auto ds = LoadNpyDataset(dir + x_file, dir + y_file);
    ASSERT_FALSE(ds.ok()) << x_file << " " << y_file;
    EXPECT_NE(ds.status().message().find(text), std::string::npos) << ds.status().message();
  };
  expect_error("/x.npy", "/neg.npy", "label 1 is -3");
  expect_error("/x.npy", "/three.npy", "3 labels for 2 samples");
  expect_error("/x.npy", "/fl.npy", "labels must be integers, not float32");
  expect_error("/x1d.npy", "/neg.npy", "rank >= 2");
  expect_error("/neg.npy", "/neg.npy", "samples must be float32 or uint8");
}

TEST(NamedDataset, UnknownSpecsAndMalformedPairsAreErrors) {
  for (const char* spec : {"cifar10", "idx:onlyone", "npy:a,b,c", "idx:,b"}) {
    auto ds = LoadDataset(spec);
    EXPECT_FALSE(ds.ok()) << spec;
  }
  auto ds = LoadDataset("cifar10");
  EXPECT_NE(ds.status().message().find("fashion-mnist, mnist, idx:IMAGES,LABELS or npy:X.npy,Y.npy"),
            std::string::npos);
}

TEST(NamedDataset, MnistIsFoundThroughLitheDataDir) {
  const std::string dir = TestDir();
  std::filesystem::create_directories(dir + "/mnist");
  WriteFile(dir + "/mnist/t10k-images-idx3-ubyte", Idx({2, 2, 3}, kPixels));
  WriteGzip(dir + "/mnist/t10k-labels-idx1-ubyte.gz", Idx({2}, {7, 3}));
  ASSERT_EQ(setenv("LITHE_DATA_DIR", dir.c_str(), 1), 0);
  auto ds = LoadDataset("mnist");
  unsetenv("LITHE_DATA_DIR");
  ASSERT_TRUE(ds.ok()) << ds.status().message();
  EXPECT_EQ(ds->name, "mnist");
  EXPECT_EQ(ds->num_classes, 10);  // the digits, whatever labels the split happens to hold
  EXPECT_EQ(ds->ClassName(7), "7");
  EXPECT_EQ(ds->labels, (std::vector<int32_t>{7, 3}));
}

TEST(NamedDataset, MissingMnistSaysToRunTheFetchScript) {
  const std::string dir = TestDir();  // empty
  ASSERT_EQ(setenv("LITHE_DATA_DIR", dir.c_str(), 1), 0);
  const std::vector<std::string> dirs = DatasetSearchDirs();
  auto ds = LoadDataset("mnist");
  unsetenv("LITHE_DATA_DIR");
  ASSERT_EQ(dirs.front(), dir);
  if (ds.ok()) GTEST_SKIP() << "mnist was found in a fallback folder (" << ds->files[0] << ")";
  EXPECT_NE(ds.status().message().find("run scripts/fetch_models.sh"), std::string::npos) << ds.status().message();
  EXPECT_NE(ds.status().message().find(dir + "/mnist"), std::string::npos) << ds.status().message();
}

TEST(NamedDataset, FashionMnistTestSetHasTenThousandImagesAThousandPerClass) {
  auto ds = LoadDataset("fashion-mnist");
  if (!ds.ok() && !std::filesystem::exists("/usr/share/datasets/fashion-mnist"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  ASSERT_TRUE(ds.ok()) << ds.status().message();
  EXPECT_EQ(ds->num_samples, 10000);
  EXPECT_EQ(ds->sample_shape, (std::vector<int32_t>{28, 28}));
  EXPECT_EQ(ds->num_classes, 10);
  EXPECT_EQ(ds->ClassName(9), "Ankle boot");
  std::vector<int> per_class(10);
  for (int32_t l : ds->labels) ++per_class[l];
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));
  // The first test image is an ankle boot (label 9), as in every Fashion-MNIST loader.
  EXPECT_EQ(ds->labels[0], 9);
}

}  // namespace
}  // namespace lithe::eval

namespace lithe::eval {
namespace {

TEST(Idx, EveryTruncationAndByteChangeOfAFileGivesAResultNotACrash) {
  // Plain and gzip'd: each prefix, and each byte set to a few values (also run under ASan + UBSan).
  const std::string dir = TestDir();
  const auto plain = Idx({3, 2, 2}, kPixels);
  WriteGzip(dir + "/x.gz", plain);
  const std::vector<uint8_t> packed = ReadAll(dir + "/x.gz");
  int ok = 0, errors = 0;
  for (const std::vector<uint8_t>* file : {&plain, &packed}) {
    for (size_t n = 0; n < file->size(); ++n) {  // every proper prefix is an error
      if (file == &plain)
        EXPECT_FALSE(ParseIdx(file->data(), n).ok()) << n;
      else
        EXPECT_FALSE(GunzipBytes(file->data(), n).ok()) << n;
    }
    for (size_t i = 0; i < file->size(); ++i) {
      for (uint8_t v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
        std::vector<uint8_t> m = *file;
        m[i] = v;
        if (file == &plain) {
          ParseIdx(m.data(), m.size()).ok() ? ++ok : ++errors;
        } else {
          auto g = GunzipBytes(m.data(), m.size());
          if (!g.ok()) {
            ++errors;
            continue;
          }
          ParseIdx(g->data(), g->size()).ok() ? ++ok : ++errors;
        }
      }
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace lithe::eval
