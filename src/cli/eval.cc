// lithe eval MODEL... --dataset fashion-mnist|mnist|idx:IMAGES,LABELS|npy:X.npy,Y.npy
//                     [--scale S --offset O] [--limit N] [--json] [--threads N] [--batch N]
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/cli.h"
#include "cli/runtime_flags.h"
#include "eval/accuracy.h"
#include "eval/dataset.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"

namespace lithe::cli {

namespace {

std::string Num(double v, const char* fmt = "%.6g") {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

std::string Percent(double fraction) { return Num(100.0 * fraction, "%.2f%%"); }

// "(+0.25)" points against the first model; empty for the first.
std::string Delta(double fraction, double first, bool is_first) {
  if (is_first) return "";
  return Num(100.0 * (fraction - first), "(%+.2f)");
}

std::string Pad(const std::string& s, size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

// A class's name when it has one other than its index ("Dress"), else "".
std::string NameOnly(const eval::Dataset& ds, int c) {
  const std::string name = ds.ClassName(c);
  return name == std::to_string(c) ? "" : name;
}

// "3 Dress", or "3" when the class has no name of its own.
std::string ClassLabel(const eval::Dataset& ds, int c) {
  const std::string name = NameOnly(ds, c);
  return name.empty() ? std::to_string(c) : std::to_string(c) + " " + name;
}

// One model's value: the percentage, then (except for the first model) the difference in points.
std::string Cell(double v, double first, bool is_first) {
  return Pad(Percent(v), 9) + " " + Pad(Delta(v, first, is_first), 9, true);
}

struct ModelResult {
  std::string path;
  eval::EvalResult r;
  double seconds = 0;
};

std::string PreprocessingText(const eval::Dataset& ds, float scale, float offset) {
  std::string s = "value = " + std::string(ds.type == DType::kUInt8 ? "pixel" : "x") + " * " + Num(scale) + " + " +
                  Num(offset);
  if (ds.type == DType::kUInt8)
    s += " (stored uint8 0..255 -> [" + Num(offset) + ", " + Num(255.0 * scale + offset) + "])";
  else
    s += " (stored float32)";
  return s;
}

std::string JsonQuant(const eval::FeedInfo& f) {
  if (!f.quantized) return "null";
  return "{\"scale\": " + Num(f.quant_scale, "%.9g") + ", \"zero_point\": " + std::to_string(f.quant_zero_point) + "}";
}

std::string Json(const eval::Dataset& ds, float scale, float offset, int64_t evaluated,
                 const std::vector<ModelResult>& results) {
  std::string o = "{\n  \"dataset\": {\"name\": " + JsonString(ds.name) + ", \"files\": [";
  for (size_t i = 0; i < ds.files.size(); ++i) o += (i ? ", " : "") + JsonString(ds.files[i]);
  o += "], \"num_samples\": " + std::to_string(ds.num_samples) + ", \"evaluated\": " + std::to_string(evaluated) +
       ", \"sample_shape\": " + JsonShape(ds.sample_shape) + ", \"dtype\": " + JsonString(DTypeName(ds.type)) +
       ", \"num_classes\": " + std::to_string(ds.num_classes) + ", \"class_names\": [";
  for (int c = 0; c < ds.num_classes; ++c) o += (c ? ", " : "") + JsonString(ds.ClassName(c));
  o += "]},\n  \"preprocessing\": {\"formula\": \"value = stored * scale + offset\", \"scale\": " +
       Num(scale, "%.9g") + ", \"offset\": " + Num(offset, "%.9g") + ", \"stored_dtype\": " +
       JsonString(DTypeName(ds.type)) + "},\n  \"models\": [";
  const double first1 = results.empty() ? 0 : results[0].r.metrics.top1();
  const double first5 = results.empty() ? 0 : results[0].r.metrics.top5();
  for (size_t m = 0; m < results.size(); ++m) {
    const eval::FeedInfo& f = results[m].r.feed;
    const eval::Metrics& x = results[m].r.metrics;
    o += std::string(m ? "," : "") + "\n    {\"model\": " + JsonString(results[m].path) +
         ",\n     \"input\": {\"name\": " + JsonString(f.input_name) + ", \"dtype\": " +
         JsonString(DTypeName(f.input_type)) + ", \"shape_fed\": " + JsonShape(f.input_shape) +
         ", \"samples_per_invoke\": " + std::to_string(f.batch) + ", \"quantization\": " + JsonQuant(f) +
         "},\n     \"output\": {\"name\": " + JsonString(f.output_name) + ", \"dtype\": " +
         JsonString(DTypeName(f.output_type)) + ", \"shape\": " + JsonShape(f.output_shape) + "}," +
         "\n     \"num_classes\": " + std::to_string(x.num_classes()) + ", \"num_samples\": " +
         std::to_string(x.num_samples()) + ", \"seconds\": " + Num(results[m].seconds, "%.3f") +
         ",\n     \"top1\": " + Num(x.top1(), "%.10g") + ", \"top1_correct\": " + std::to_string(x.top1_correct()) +
         ", \"top5\": " + Num(x.top5(), "%.10g") + ", \"top5_correct\": " + std::to_string(x.top5_correct()) +
         ", \"top5_k\": " + std::to_string(x.top_k()) + ",\n     \"delta_top1_points\": " +
         Num(100.0 * (x.top1() - first1), "%.6f") + ", \"delta_top5_points\": " +
         Num(100.0 * (x.top5() - first5), "%.6f") + ",\n     \"per_class\": [";
    for (int c = 0; c < x.num_classes(); ++c) {
      const int64_t count = x.class_count()[c], correct = x.class_correct()[c];
      o += std::string(c ? "," : "") + "\n       {\"class\": " + std::to_string(c) + ", \"name\": " +
           JsonString(ds.ClassName(c)) + ", \"count\": " + std::to_string(count) + ", \"correct\": " +
           std::to_string(correct) + ", \"accuracy\": " +
           (count ? Num(static_cast<double>(correct) / static_cast<double>(count), "%.10g") : std::string("null")) +
           "}";
    }
    o += "],\n     \"confusion\": [";
    for (int t = 0; t < x.num_classes(); ++t) {
      o += std::string(t ? ", " : "") + "[";
      for (int p = 0; p < x.num_classes(); ++p) o += (p ? ", " : "") + std::to_string(x.confusion(t, p));
      o += "]";
    }
    o += "],\n     \"predictions\": [";
    const auto& pred = x.predictions();
    for (size_t i = 0; i < pred.size(); ++i) o += (i ? "," : "") + std::to_string(pred[i]);
    o += "]}";
  }
  return o + "\n  ]\n}\n";
}

std::string Text(const eval::Dataset& ds, float scale, float offset, int64_t evaluated,
                 const std::vector<ModelResult>& results) {
  std::string o = "dataset: " + ds.name + ", " + std::to_string(evaluated) + " of " +
                  std::to_string(ds.num_samples) + " samples of " + Shape::FromVector(ds.sample_shape).ToString() +
                  " " + DTypeName(ds.type) + ", " + std::to_string(ds.num_classes) + " classes (";
  for (size_t i = 0; i < ds.files.size(); ++i) o += (i ? ", " : "") + ds.files[i];
  o += ")\npreprocessing: " + PreprocessingText(ds, scale, offset) + "\n";
  for (size_t m = 0; m < results.size(); ++m)
    o += "model " + std::to_string(m + 1) + ": " + results[m].path + "\n  fed: " + results[m].r.feed.ToString() +
         "\n  time: " + Num(results[m].seconds, "%.2f") + " s\n";

  const size_t label_w = 26;
  o += "\n" + Pad("", label_w, true);
  for (size_t m = 0; m < results.size(); ++m) o += Pad("model " + std::to_string(m + 1), 9) + std::string(10, ' ');
  const double first1 = results[0].r.metrics.top1(), first5 = results[0].r.metrics.top5();
  o += "\n" + Pad("top-1 accuracy", label_w, true);
  for (size_t m = 0; m < results.size(); ++m) o += Cell(results[m].r.metrics.top1(), first1, m == 0);
  const int k = results[0].r.metrics.top_k();
  o += "\n" + Pad("top-" + std::to_string(k) + " accuracy", label_w, true);
  for (size_t m = 0; m < results.size(); ++m) o += Cell(results[m].r.metrics.top5(), first5, m == 0);
  o += "\n\nper class (top-1 accuracy; samples):\n";
  const int classes = results[0].r.metrics.num_classes();
  constexpr int kMaxRows = 100;
  for (int c = 0; c < classes && c < kMaxRows; ++c) {
    const int64_t count = results[0].r.metrics.class_count()[c];
    o += Pad("  " + ClassLabel(ds, c) + " (" + std::to_string(count) + ")", label_w, true);
    const double f0 = count ? static_cast<double>(results[0].r.metrics.class_correct()[c]) / count : 0;
    for (size_t m = 0; m < results.size(); ++m) {
      if (count == 0) {
        o += Pad("-", 9) + std::string(10, ' ');
        continue;
      }
      o += Cell(static_cast<double>(results[m].r.metrics.class_correct()[c]) / count, f0, m == 0);
    }
    o += "\n";
  }
  if (classes > kMaxRows) o += "  ... (" + std::to_string(classes - kMaxRows) + " more classes: see --json)\n";

  constexpr int kMaxMatrix = 30;
  for (size_t m = 0; m < results.size(); ++m) {
    const eval::Metrics& x = results[m].r.metrics;
    if (classes > kMaxMatrix) {
      o += "\nconfusion matrix, model " + std::to_string(m + 1) + ": " + std::to_string(classes) +
           " classes, see --json\n";
      continue;
    }
    int64_t biggest = 1;
    for (int t = 0; t < classes; ++t)
      for (int p = 0; p < classes; ++p) biggest = std::max(biggest, x.confusion(t, p));
    const size_t w = std::max<size_t>(std::to_string(biggest).size(), std::to_string(classes - 1).size()) + 1;
    o += "\nconfusion matrix, model " + std::to_string(m + 1) + " (rows: true class, columns: predicted):\n" +
         Pad("", 5);
    for (int p = 0; p < classes; ++p) o += Pad(std::to_string(p), w);
    o += "\n";
    for (int t = 0; t < classes; ++t) {
      o += Pad(std::to_string(t), 5);
      for (int p = 0; p < classes; ++p) o += Pad(std::to_string(x.confusion(t, p)), w);
      o += (NameOnly(ds, t).empty() ? "" : "   " + NameOnly(ds, t)) + "\n";
    }
  }
  // No trailing blanks (the first model's cells leave room for a difference it does not have).
  std::string trimmed;
  for (char ch : o) {
    if (ch == '\n')
      while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
    trimmed += ch;
  }
  return trimmed;
}

}  // namespace

int Eval(const std::vector<std::string>& args) {
  std::vector<std::string> models;
  std::string dataset;
  bool json = false, have_scale = false, have_offset = false;
  float scale = 1.0f, offset = 0.0f;
  long long limit = -1, batch = 32;
  InterpreterOptions io;
  const char* kUsageLine =
      "eval: usage: lithe eval MODEL... --dataset fashion-mnist|mnist|idx:IMAGES,LABELS|npy:X.npy,Y.npy "
      "[--scale S --offset O] [--limit N] [--json] [--batch N] [--threads N] [--backend auto|ref|cpu] "
      "[--allow-precision-loss]";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string flag_error;
    if (ParseRuntimeFlag(args, &i, &io, &flag_error)) {
      if (!flag_error.empty()) return Fail("eval: " + flag_error);
      continue;
    }
    const std::string* v = i + 1 < args.size() ? &args[i + 1] : nullptr;
    if (a == "--dataset") {
      if (v == nullptr) return Fail("eval: --dataset needs a value");
      dataset = *v, ++i;
    } else if (a == "--scale") {
      if (v == nullptr || !ParseFloat(*v, &scale)) return Fail("eval: --scale takes a finite number");
      have_scale = true, ++i;
    } else if (a == "--offset") {
      if (v == nullptr || !ParseFloat(*v, &offset)) return Fail("eval: --offset takes a finite number");
      have_offset = true, ++i;
    } else if (a == "--limit") {
      if (v == nullptr || !ParseInt(*v, &limit) || limit < 1) return Fail("eval: --limit takes a positive integer");
      ++i;
    } else if (a == "--batch") {
      if (v == nullptr || !ParseInt(*v, &batch) || batch < 1 || batch > 4096)
        return Fail("eval: --batch takes an integer in 1..4096");
      ++i;
    } else if (a == "--json") {
      json = true;
    } else if (!a.empty() && a[0] == '-') {
      return Fail("eval: unknown option " + a);
    } else {
      models.push_back(a);
    }
  }
  if (models.empty() || dataset.empty()) return Fail(kUsageLine);

  auto ds = eval::LoadDataset(dataset);
  if (!ds.ok()) return Fail("eval: " + ds.status().message());
  if (ds->num_samples == 0) return Fail("eval: dataset " + dataset + " has no samples");
  // uint8 pixels map to [0, 1] unless told otherwise; float samples are fed as stored.
  if (!have_scale) scale = ds->type == DType::kUInt8 ? 1.0f / 255.0f : 1.0f;
  if (!have_offset) offset = 0.0f;

  eval::EvalOptions options;
  options.scale = scale;
  options.offset = offset;
  options.limit = limit;
  options.max_batch = static_cast<int>(batch);
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::vector<ModelResult> results;
  for (size_t m = 0; m < models.size(); ++m) {
    auto model = Model::FromFile(models[m]);
    if (!model.ok()) return Fail(model.status().message());
    auto interp = Interpreter::Create(*model, io);
    if (!interp.ok()) return Fail(models[m] + ": " + interp.status().message());
    auto last_shown = std::chrono::steady_clock::time_point();
    if (tty) {
      options.progress = [&, m](int64_t done, int64_t total) {
        // Redrawn at most ten times a second, and once at the end.
        const auto now = std::chrono::steady_clock::now();
        if (done < total && now - last_shown < std::chrono::milliseconds(100)) return;
        last_shown = now;
        const int permille = static_cast<int>(1000 * done / std::max<int64_t>(total, 1));
        const int bar = permille * 30 / 1000;
        std::fprintf(stderr, "\r  model %zu/%zu [%s%s] %lld/%lld", m + 1, models.size(), std::string(bar, '#').c_str(),
                     std::string(30 - bar, '.').c_str(), static_cast<long long>(done), static_cast<long long>(total));
        if (done == total) std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
      };
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto r = eval::Evaluate(**interp, *ds, options);
    if (!r.ok()) return Fail("eval: " + models[m] + ": " + r.status().message());
    ModelResult mr;
    mr.path = models[m];
    mr.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    mr.r = std::move(r).value();
    if (!results.empty() && mr.r.metrics.num_classes() != results[0].r.metrics.num_classes())
      return Fail("eval: " + models[m] + " scores " + std::to_string(mr.r.metrics.num_classes()) + " classes, " +
                  models[0] + " scores " + std::to_string(results[0].r.metrics.num_classes()) +
                  "; models compared side by side must score the same classes");
    results.push_back(std::move(mr));
  }
  const int64_t evaluated = results[0].r.metrics.num_samples();
  std::cout << (json ? Json(*ds, scale, offset, evaluated, results) : Text(*ds, scale, offset, evaluated, results));
  std::cout.flush();
  return std::cout ? 0 : Fail("eval: cannot write the report");
}

}  // namespace lithe::cli
