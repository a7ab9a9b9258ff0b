// Reading then writing every real model (.cache/models, and models/zoo/*/*.tflite when present)
// keeps it: the written file reads back to the same Graph
// (tensors, buffers' bytes, ops, options as stored, signatures, metadata), it runs in
// TensorFlow Lite 2.9 with outputs bit-identical to the original's (models with MediaPipe's
// custom op, which TFLite 2.9 lacks: in lithe and LiteRT.js, each bit-identical to itself on
// the original), and writing is deterministic and a fixed point (write(read(write(g))) is the
// same bytes as write(g)).
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>

#include "flatbuffers/flatbuffers.h"
#include "format/format_options.h"
#include "format/tflite_writer.h"
#include "lithe/model.h"
#include "models/model_test_util.h"
#include "tflite_generated.h"

namespace lithe::testing {
namespace {

std::vector<std::string> TfliteFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 7 && n.compare(n.size() - 7, 7, ".tflite") == 0) files.push_back(dir + "/" + n);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The real models (paths), then the model zoo's (models/zoo/<dataset>/*.tflite) when present.
std::vector<std::string> ListModels() {
  std::vector<std::string> files = TfliteFilesIn(ModelsDir());
  const std::string zoo = std::string(LITHE_SOURCE_DIR) + "/models/zoo";
  std::vector<std::string> sets;
  if (DIR* d = opendir(zoo.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') sets.push_back(e->d_name);
    closedir(d);
  }
  std::sort(sets.begin(), sets.end());
  for (const std::string& s : sets)
    for (const std::string& f : TfliteFilesIn(zoo + "/" + s)) files.push_back(f);
  return files;
}

std::vector<uint8_t> PackOptions(const FormatOptions* fo) {
  if (fo == nullptr || fo->builtin.type == ::tflite::BuiltinOptions::NONE) return {};
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fo->builtin.Pack(fbb));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

bool SameBytes(const void* a, size_t na, const void* b, size_t nb) {
  return na == nb && (na == 0 || std::memcmp(a, b, na) == 0);
}

size_t IndexBytes(DType t) { return t == DType::kInt32 ? 4 : t == DType::kUInt16 ? 2 : 1; }

void ExpectSameTensor(const TensorInfo& a, const TensorInfo& b, const std::string& where) {
  EXPECT_EQ(a.name, b.name) << where;
  EXPECT_EQ(a.type, b.type) << where;
  EXPECT_EQ(a.shape, b.shape) << where;
  EXPECT_EQ(a.shape_signature, b.shape_signature) << where;
  EXPECT_EQ(a.quant.scale, b.quant.scale) << where;
  EXPECT_EQ(a.quant.zero_point, b.quant.zero_point) << where;
  EXPECT_EQ(a.quant.axis, b.quant.axis) << where;
  EXPECT_EQ(a.buffer, b.buffer) << where;
  EXPECT_EQ(a.is_variable, b.is_variable) << where;
  EXPECT_EQ(a.is_constant(), b.is_constant()) << where;
  EXPECT_TRUE(SameBytes(a.data, a.bytes, b.data, b.bytes)) << where << ": constant data differs";
  ASSERT_EQ(a.sparsity == nullptr, b.sparsity == nullptr) << where;
  if (a.sparsity == nullptr) return;
  EXPECT_EQ(a.sparsity->traversal_order, b.sparsity->traversal_order) << where;
  EXPECT_EQ(a.sparsity->block_map, b.sparsity->block_map) << where;
  ASSERT_EQ(a.sparsity->dims.size(), b.sparsity->dims.size()) << where;
  for (size_t i = 0; i < a.sparsity->dims.size(); ++i) {
    const SparseDim &x = a.sparsity->dims[i], &y = b.sparsity->dims[i];
    EXPECT_EQ(x.csr, y.csr) << where << " sparse dim " << i;
    EXPECT_EQ(x.dense_size, y.dense_size) << where << " sparse dim " << i;
    EXPECT_EQ(x.segments_type, y.segments_type) << where << " sparse dim " << i;
    EXPECT_EQ(x.indices_type, y.indices_type) << where << " sparse dim " << i;
    EXPECT_TRUE(SameBytes(x.segments, x.num_segments * IndexBytes(x.segments_type), y.segments,
                          y.num_segments * IndexBytes(y.segments_type)))
        << where << " sparse dim " << i << " segments";
    EXPECT_TRUE(SameBytes(x.indices, x.num_indices * IndexBytes(x.indices_type), y.indices,
                          y.num_indices * IndexBytes(y.indices_type)))
        << where << " sparse dim " << i << " indices";
  }
}

void ExpectSameGraph(const Graph& a, const Graph& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.description, b.description);
  ASSERT_EQ(a.subgraphs.size(), b.subgraphs.size());
  for (size_t s = 0; s < a.subgraphs.size(); ++s) {
    const Subgraph &x = a.subgraphs[s], &y = b.subgraphs[s];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    ASSERT_EQ(x.tensors.size(), y.tensors.size()) << "subgraph " << s;
    for (size_t t = 0; t < x.tensors.size(); ++t)
      ExpectSameTensor(x.tensors[t], y.tensors[t], "subgraph " + std::to_string(s) + " tensor " + std::to_string(t));
    ASSERT_EQ(x.nodes.size(), y.nodes.size()) << "subgraph " << s;
    for (size_t i = 0; i < x.nodes.size(); ++i) {
      const Node &n = x.nodes[i], &m = y.nodes[i];
      const std::string where = "subgraph " + std::to_string(s) + " op " + std::to_string(i) + " " + n.op_name;
      EXPECT_EQ(n.builtin_code, m.builtin_code) << where;
      EXPECT_EQ(n.op_name, m.op_name) << where;
      EXPECT_EQ(n.version, m.version) << where;
      EXPECT_EQ(n.inputs, m.inputs) << where;
      EXPECT_EQ(n.outputs, m.outputs) << where;
      EXPECT_EQ(n.intermediates, m.intermediates) << where;
      EXPECT_TRUE(SameBytes(n.custom_options, n.custom_options_size, m.custom_options, m.custom_options_size))
          << where << ": custom options differ";
      ASSERT_NE(n.format_options, nullptr) << where;
      ASSERT_NE(m.format_options, nullptr) << where;
      EXPECT_EQ(n.format_options->builtin.type, m.format_options->builtin.type) << where;
      EXPECT_EQ(PackOptions(n.format_options.get()), PackOptions(m.format_options.get())) << where << ": options differ";
      EXPECT_EQ(n.options == nullptr, m.options == nullptr) << where;
    }
  }
  ASSERT_EQ(a.signatures.size(), b.signatures.size());
  for (size_t i = 0; i < a.signatures.size(); ++i) {
    const SignatureDef &x = a.signatures[i], &y = b.signatures[i];
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.subgraph_index, y.subgraph_index);
    ASSERT_EQ(x.inputs.size(), y.inputs.size());
    ASSERT_EQ(x.outputs.size(), y.outputs.size());
    for (size_t k = 0; k < x.inputs.size(); ++k) {
      EXPECT_EQ(x.inputs[k].name, y.inputs[k].name);
      EXPECT_EQ(x.inputs[k].tensor_index, y.inputs[k].tensor_index);
    }
    for (size_t k = 0; k < x.outputs.size(); ++k) {
      EXPECT_EQ(x.outputs[k].name, y.outputs[k].name);
      EXPECT_EQ(x.outputs[k].tensor_index, y.outputs[k].tensor_index);
    }
  }
  ASSERT_EQ(a.metadata.size(), b.metadata.size());
  for (size_t i = 0; i < a.metadata.size(); ++i) {
    EXPECT_EQ(a.metadata[i].name, b.metadata[i].name);
    EXPECT_EQ(a.metadata[i].buffer, b.metadata[i].buffer);
    EXPECT_TRUE(SameBytes(a.metadata[i].data, a.metadata[i].bytes, b.metadata[i].data, b.metadata[i].bytes))
        << "metadata '" << a.metadata[i].name << "'";
  }
}

// The vtable slots an options table has fields in. Comparing them between the original and the
// written file catches a field the schema lacks (it would be dropped): converters, like the
// writer, store only fields that differ from their defaults.
std::vector<int> PresentSlots(const void* table) {
  std::vector<int> slots;
  if (table == nullptr) return slots;
  const uint8_t* vt = static_cast<const flatbuffers::Table*>(table)->GetVTable();
  const int n = (flatbuffers::ReadScalar<flatbuffers::voffset_t>(vt) - 4) / 2;
  for (int i = 0; i < n; ++i)
    if (flatbuffers::ReadScalar<flatbuffers::voffset_t>(vt + 4 + 2 * i) != 0) slots.push_back(i);
  return slots;
}

void ExpectSameOptionFields(const std::vector<uint8_t>& original, const std::vector<uint8_t>& written) {
  const ::tflite::Model* a = ::tflite::GetModel(original.data());
  const ::tflite::Model* b = ::tflite::GetModel(written.data());
  ASSERT_EQ(a->subgraphs()->size(), b->subgraphs()->size());
  for (flatbuffers::uoffset_t s = 0; s < a->subgraphs()->size(); ++s) {
    const auto* ops_a = a->subgraphs()->Get(s)->operators();
    const auto* ops_b = b->subgraphs()->Get(s)->operators();
    if (ops_a == nullptr) continue;
    ASSERT_NE(ops_b, nullptr);
    ASSERT_EQ(ops_a->size(), ops_b->size());
    for (flatbuffers::uoffset_t i = 0; i < ops_a->size(); ++i) {
      EXPECT_EQ(PresentSlots(ops_a->Get(i)->builtin_options()), PresentSlots(ops_b->Get(i)->builtin_options()))
          << "subgraph " << s << " op " << i << ": fields of "
          << ::tflite::EnumNameBuiltinOptions(ops_a->Get(i)->builtin_options_type());
    }
  }
}

// The format asks for 16-byte aligned buffer data (force_align), so constants can be used in
// place from a mapped file.
void ExpectAlignedBuffers(const std::vector<uint8_t>& file) {
  const ::tflite::Model* m = ::tflite::GetModel(file.data());
  ASSERT_NE(m->buffers(), nullptr);
  for (flatbuffers::uoffset_t i = 0; i < m->buffers()->size(); ++i) {
    const auto* data = m->buffers()->Get(i)->data();
    if (data == nullptr || data->size() == 0) continue;
    EXPECT_EQ((data->data() - file.data()) % 16, 0) << "buffer " << i << " is not 16-byte aligned";
  }
}

bool UsesCustomOp(const Graph& g) {
  for (const Subgraph& sg : g.subgraphs)
    for (const Node& n : sg.nodes)
      if (n.is_custom()) return true;
  return false;
}

void ExpectBitIdentical(const std::vector<OracleTensor>& got, const std::vector<OracleTensor>& ref,
                        const std::string& what) {
  ASSERT_EQ(got.size(), ref.size()) << what;
  for (size_t k = 0; k < ref.size(); ++k) {
    EXPECT_EQ(got[k].type, ref[k].type) << what << " output " << k;
    EXPECT_EQ(got[k].shape, ref[k].shape) << what << " output " << k;
    EXPECT_TRUE(got[k].data == ref[k].data) << what << " output " << k << ": values differ";
  }
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/lithe-roundtrip-XXXXXX";
    path_ = mkdtemp(tmpl) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::string rm = "rm -rf '" + path_ + "'";
    if (std::system(rm.c_str()) != 0) {}
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Roundtrip, RealModelsArePresent) {
  EXPECT_GE(TfliteFilesIn(ModelsDir()).size(), 1u)
      << "no .tflite files in " << ModelsDir() << " (run scripts/fetch_models.sh)";
}

class RoundtripModel : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundtripModel, ReadWriteKeepsModelAndOutputs) {
  const std::string path = GetParam();
  const std::string file = path.substr(path.rfind('/') + 1);
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const std::string out_path = tmp.path() + "/" + file;

  auto original_bytes = ReadFileBytes(path);
  ASSERT_TRUE(original_bytes.ok()) << original_bytes.status().message();
  auto original = Model::FromFile(path);
  ASSERT_TRUE(original.ok()) << original.status().message();
  const Graph& g = (*original)->graph();

  // (c) deterministic: two writes, the same bytes; the file holds them too.
  auto w1 = WriteTflite(g);
  ASSERT_TRUE(w1.ok()) << w1.status().message();
  auto w2 = WriteTflite(g);
  ASSERT_TRUE(w2.ok()) << w2.status().message();
  EXPECT_TRUE(*w1 == *w2) << "two writes of one graph differ";
  ASSERT_TRUE(WriteTfliteFile(g, out_path).ok());
  auto file_bytes = ReadFileBytes(out_path);
  ASSERT_TRUE(file_bytes.ok());
  EXPECT_TRUE(*file_bytes == *w1);
  std::printf("  %s: %zu bytes read, %zu bytes written\n", file.c_str(), original_bytes->size(), w1->size());

  // (a) the same Graph when read back; option tables have the same fields.
  auto written = Model::FromFile(out_path);
  ASSERT_TRUE(written.ok()) << written.status().message();
  ExpectSameGraph(g, (*written)->graph());
  ExpectSameOptionFields(*original_bytes, *w1);
  ExpectAlignedBuffers(*w1);
  auto w3 = WriteTflite((*written)->graph());
  ASSERT_TRUE(w3.ok()) << w3.status().message();
  EXPECT_TRUE(*w3 == *w1) << "writing the re-read graph gives different bytes";

  // (b) the written file computes exactly what the original does.
  const bool custom = UsesCustomOp(g);
  std::shared_ptr<TfliteOracle> oracle;
  if (!custom) {
    auto o = TfliteOracle::Load();
    ASSERT_TRUE(o.ok()) << o.status().message();
    oracle = *o;
  }
  for (uint64_t seed : {1u, 2u}) {
    auto inputs = RandomInputs(path, seed);
    ASSERT_TRUE(inputs.ok()) << inputs.status().message();
    const std::string what = file + " seed " + std::to_string(seed);
    if (!custom) {
      auto ref = oracle->Run(*original_bytes, *inputs);
      ASSERT_TRUE(ref.ok()) << "TFLite on the original: " << ref.status().message();
      auto got = oracle->Run(*w1, *inputs);
      ASSERT_TRUE(got.ok()) << "TFLite on the written file: " << got.status().message();
      ExpectBitIdentical(*got, *ref, what + " TFLite 2.9");
    } else {
      auto ref = RunLithe(path, *inputs);
      ASSERT_TRUE(ref.ok()) << ref.status().message();
      auto got = RunLithe(out_path, *inputs);
      ASSERT_TRUE(got.ok()) << got.status().message();
      ExpectBitIdentical(*got, *ref, what + " lithe");
      auto js_ref = RunLiteRtJs(path, *inputs);
      ASSERT_TRUE(js_ref.ok()) << "LiteRT.js on the original: " << js_ref.status().message();
      auto js_got = RunLiteRtJs(out_path, *inputs);
      ASSERT_TRUE(js_got.ok()) << "LiteRT.js on the written file: " << js_got.status().message();
      ExpectBitIdentical(*js_got, *js_ref, what + " LiteRT.js");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RealModels, RoundtripModel, ::testing::ValuesIn(ListModels()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           // "face_detection_short_range", "zoo_mnist_mlp"
                           const std::string& p = info.param;
                           const size_t zoo = p.find("/models/zoo/");
                           std::string n = zoo != std::string::npos ? "zoo_" + p.substr(zoo + 12) : p.substr(p.rfind('/') + 1);
                           n = n.substr(0, n.rfind('.'));
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RoundtripModel);

}  // namespace
}  // namespace lithe::testing
