// lithe bench MODEL... [--warmup N] [--runs N] [--json] [--profile] [--threads N]
//                      [--backend auto|ref|cpu] [--allow-precision-loss]
//
// For each model: init time (load + Create + AllocateTensors), the first Invoke, then --warmup
// untimed Invokes and --runs timed ones on fixed, seeded inputs; latency statistics, memory, and
// with --profile the time per node and the GFLOP/s of the matrix-like ops.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/cli.h"
#include "cli/flops.h"
#include "cli/runtime_flags.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "lithe/random.h"

namespace lithe::cli {

namespace {

const char kUsageLine[] =
    "bench: usage: lithe bench MODEL... [--warmup N] [--runs N] [--json] [--profile] "
    "[--threads N] [--backend auto|ref|cpu] [--allow-precision-loss]";

// Exit code of a command line the user got wrong (a missing model or a bad file is 1).
constexpr int kUsageError = 2;

struct Latency {
  double min = 0, p50 = 0, p90 = 0, p99 = 0, mean = 0, std = 0;
};

struct OpRow {
  int index = -1;
  std::string op, backend;
  double ms = 0;       // mean per Invoke
  double share = 0;    // percent of the summed node time
  double gflops = -1;  // GFLOP/s or GOP/s; < 0: not counted for this op
  bool integer = false;
};

struct TypeRow {
  std::string op;
  int nodes = 0;
  double ms = 0, share = 0;
  double flops = 0;  // per Invoke, over the counted nodes
  bool integer = false;
};

struct ModelResult {
  std::string path;
  int threads = 0;
  std::string backend;
  double init_ms = 0, first_ms = 0;
  Latency latency;
  int runs = 0;
  size_t arena_bytes = 0, peak_rss_bytes = 0;
  int nodes_cpu = 0, nodes_ref = 0, nodes_const = 0, nodes_bf16 = 0;
  bool profiled = false;   // --profile: ops and types are filled
  std::vector<OpRow> ops;  // sorted by time, descending
  std::vector<TypeRow> types;
};

double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Linear interpolation between the closest ranks (numpy's default), so p50 <= p90 <= p99.
double Percentile(const std::vector<double>& sorted, double p) {
  const double pos = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

Latency Summarize(std::vector<double> ms) {
  Latency l;
  std::sort(ms.begin(), ms.end());
  l.min = ms.front();
  l.p50 = Percentile(ms, 50);
  l.p90 = Percentile(ms, 90);
  l.p99 = Percentile(ms, 99);
  double sum = 0;
  for (double v : ms) sum += v;
  l.mean = sum / static_cast<double>(ms.size());
  double sq = 0;
  for (double v : ms) sq += (v - l.mean) * (v - l.mean);
  l.std = ms.size() > 1 ? std::sqrt(sq / static_cast<double>(ms.size() - 1)) : 0.0;
  return l;
}

// Peak resident memory of this process: VmHWM, which ResetPeakRss() brings back to the current
// size between models; ru_maxrss (never reset) where /proc is not there.
size_t PeakRssBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return static_cast<size_t>(std::stoull(line.substr(6))) * 1024;
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<size_t>(u.ru_maxrss) * 1024;
}
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Fixed inputs: float in [-1, 1), 8- and 16-bit integers over their range (both seeded by the
// input's position), zeros for int32/int64/bool, which are usually indices, sizes or masks.
Status FillInputs(Interpreter& interp) {
  for (int i = 0; i < interp.num_inputs(); ++i) {
    const TensorDetails d = interp.input_details(i);
    int64_t n = 1;
    for (int32_t dim : d.shape) n *= dim;
    std::vector<uint8_t> data;
    if (d.type == DType::kInt32 || d.type == DType::kInt64 || d.type == DType::kBool)
      data.assign(static_cast<size_t>(n) * DTypeSize(d.type), 0);
    else
      data = RandomTensorData(d.type, n, static_cast<uint64_t>(i));
    Status s = interp.SetInput(i, data.data(), data.size());
    if (!s.ok()) return Status::Error("input " + std::to_string(i) + " ('" + d.name + "'): " + s.message());
  }
  return Status::Ok();
}

void FillProfile(const Interpreter& interp, ModelResult* r) {
  const Subgraph& sg = interp.model().graph().subgraphs[0];
  const std::vector<NodeProfile> prof = interp.profile();
  double total = 0;
  for (const NodeProfile& p : prof) total += p.total_seconds;
  std::map<std::string, TypeRow> types;
  for (const NodeProfile& p : prof) {
    OpRow row;
    row.index = p.index;
    row.op = p.op_name;
    row.backend = p.backend;
    const double seconds = p.runs > 0 ? p.total_seconds / static_cast<double>(p.runs) : 0.0;
    row.ms = seconds * 1e3;
    row.share = total > 0 ? 100.0 * p.total_seconds / total : 0.0;
    TypeRow& t = types[p.op_name];
    t.op = p.op_name;
    t.nodes++;
    t.ms += row.ms;
    t.share += row.share;
    if (p.index >= 0 && p.index < static_cast<int>(sg.nodes.size())) {
      const NodeWork w = CountNodeWork(interp, sg.nodes[p.index]);
      if (w.macs > 0) {
        row.gflops = seconds > 0 ? static_cast<double>(w.flops()) / seconds / 1e9 : 0.0;
        row.integer = w.integer;
        t.flops += static_cast<double>(w.flops());
        t.integer = w.integer;
      }
    }
    r->ops.push_back(row);
  }
  std::stable_sort(r->ops.begin(), r->ops.end(), [](const OpRow& a, const OpRow& b) { return a.ms > b.ms; });
  for (auto& [name, t] : types) r->types.push_back(t);
  std::stable_sort(r->types.begin(), r->types.end(), [](const TypeRow& a, const TypeRow& b) { return a.ms > b.ms; });
}

struct BenchOptions {
  InterpreterOptions interp;
  int warmup = 5, runs = 50;
  bool profile = false;
};

Result<ModelResult> BenchModel(const std::string& path, const BenchOptions& o) {
  ModelResult r;
  r.path = path;
  r.backend = BackendChoiceName(o.interp.backend);
  ResetPeakRss();
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto model = Model::FromFile(path);
  if (!model.ok()) return model.status();
  auto created = Interpreter::Create(*model, o.interp);
  if (!created.ok()) return Status::Error(path + ": " + created.status().message());
  Interpreter& interp = **created;
  Status s = interp.AllocateTensors();
  if (!s.ok()) return Status::Error(path + ": " + s.message());
  r.init_ms = Ms(Clock::now() - t0);
  r.threads = interp.num_threads();
  for (const NodeDetails& d : interp.node_details()) {
    if (d.backend == "cpu")
      r.nodes_cpu++;
    else if (d.backend == "ref")
      r.nodes_ref++;
    else
      r.nodes_const++;
    if (d.backend == "cpu" && d.note == "bf16") r.nodes_bf16++;
  }

  s = FillInputs(interp);
  if (!s.ok()) return Status::Error(path + ": " + s.message());
  auto invoke = [&]() -> Result<double> {
    const auto start = Clock::now();
    Status st = interp.Invoke();
    if (!st.ok()) return Status::Error(path + ": " + st.message());
    return Ms(Clock::now() - start);
  };
  auto first = invoke();
  if (!first.ok()) return first.status();
  r.first_ms = *first;
  for (int i = 0; i < o.warmup; ++i)
    if (auto w = invoke(); !w.ok()) return w.status();
  if (o.profile) interp.SetProfiling(true);
  std::vector<double> ms;
  for (int i = 0; i < o.runs; ++i) {
    auto t = invoke();
    if (!t.ok()) return t.status();
    ms.push_back(*t);
  }
  r.runs = o.runs;
  r.latency = Summarize(ms);
  r.arena_bytes = interp.arena_stats().arena_bytes;
  r.profiled = o.profile;
  if (o.profile) FillProfile(interp, &r);
  r.peak_rss_bytes = PeakRssBytes();
  return r;
}

// ---- output ----

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Bytes(size_t b) {
  if (b < (size_t{1} << 20)) return Fixed(static_cast<double>(b) / 1024.0, 1) + " KiB";
  return Fixed(static_cast<double>(b) / 1048576.0, 2) + " MiB";
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string Rate(double gflops, bool integer) {
  if (gflops < 0) return "";
  return Fixed(gflops, gflops < 10 ? 2 : 1) + (integer ? " GOP/s" : " GFLOP/s");
}

std::string Pad(const std::string& s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

void PrintJson(const std::vector<ModelResult>& results, std::ostream& out) {
  out << "{\n  \"cpu_backend\": " << JsonString(CpuBackendDescription()) << ",\n  \"models\": [";
  for (size_t m = 0; m < results.size(); ++m) {
    const ModelResult& r = results[m];
    const Latency& l = r.latency;
    out << (m ? "," : "") << "\n    {\"model\": " << JsonString(r.path) << ", \"threads\": " << r.threads
        << ", \"backend\": " << JsonString(r.backend) << ", \"init_ms\": " << JsonNumber(r.init_ms)
        << ", \"first_ms\": " << JsonNumber(r.first_ms) << ",\n     \"latency_ms\": {\"min\": " << JsonNumber(l.min)
        << ", \"p50\": " << JsonNumber(l.p50) << ", \"p90\": " << JsonNumber(l.p90)
        << ", \"p99\": " << JsonNumber(l.p99) << ", \"mean\": " << JsonNumber(l.mean)
        << ", \"std\": " << JsonNumber(l.std) << "},\n     \"runs\": " << r.runs
        << ", \"arena_bytes\": " << r.arena_bytes << ", \"peak_rss_bytes\": " << r.peak_rss_bytes
        << ", \"nodes_cpu\": " << r.nodes_cpu << ", \"nodes_ref\": " << r.nodes_ref;
    if (r.profiled) {
      out << ",\n     \"profile\": [";
      for (size_t i = 0; i < r.ops.size(); ++i) {
        const OpRow& o = r.ops[i];
        out << (i ? "," : "") << "\n       {\"index\": " << o.index << ", \"op\": " << JsonString(o.op)
            << ", \"backend\": " << JsonString(o.backend) << ", \"ms\": " << JsonNumber(o.ms)
            << ", \"share\": " << JsonNumber(o.share)
            << ", \"gflops\": " << (o.gflops < 0 ? "null" : JsonNumber(o.gflops)) << "}";
      }
      out << "]";
    }
    out << "}";
  }
  out << "\n  ]\n}\n";
}

void PrintTable(const std::vector<ModelResult>& results, const BenchOptions& o, std::ostream& out) {
  out << "cpu backend: " << CpuBackendDescription() << "\n";
  out << o.warmup << " warmup, " << o.runs << " timed runs per model" << (o.profile ? " (with per-node profiling)" : "")
      << "\n\n";
  // One column per model, named by file name (the full path where two names collide).
  std::vector<std::string> names;
  for (const ModelResult& r : results) names.push_back(std::filesystem::path(r.path).filename().string());
  for (size_t i = 0; i < names.size(); ++i)
    if (std::count(names.begin(), names.end(), names[i]) > 1) names[i] = results[i].path;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto row = [&](const std::string& label, auto cell) {
    std::vector<std::string> cells;
    for (const ModelResult& r : results) cells.push_back(cell(r));
    rows.emplace_back(label, cells);
  };
  row("threads", [](const ModelResult& r) { return std::to_string(r.threads); });
  row("backend", [](const ModelResult& r) { return r.backend; });
  row("nodes cpu/ref/const", [](const ModelResult& r) {
    return std::to_string(r.nodes_cpu) + "/" + std::to_string(r.nodes_ref) + "/" + std::to_string(r.nodes_const) +
           (r.nodes_bf16 ? " (" + std::to_string(r.nodes_bf16) + " bf16)" : "");
  });
  row("init ms", [](const ModelResult& r) { return Fixed(r.init_ms, 3); });
  row("first inference ms", [](const ModelResult& r) { return Fixed(r.first_ms, 3); });
  row("latency min ms", [](const ModelResult& r) { return Fixed(r.latency.min, 3); });
  row("latency p50 ms", [](const ModelResult& r) { return Fixed(r.latency.p50, 3); });
  row("latency p90 ms", [](const ModelResult& r) { return Fixed(r.latency.p90, 3); });
  row("latency p99 ms", [](const ModelResult& r) { return Fixed(r.latency.p99, 3); });
  row("latency mean ms", [](const ModelResult& r) { return Fixed(r.latency.mean, 3); });
  row("latency std ms", [](const ModelResult& r) { return Fixed(r.latency.std, 3); });
  row("arena", [](const ModelResult& r) { return Bytes(r.arena_bytes); });
  row("peak RSS", [](const ModelResult& r) { return Bytes(r.peak_rss_bytes); });
  size_t label_w = 0;
  for (const auto& [label, cells] : rows) label_w = std::max(label_w, label.size());
  std::vector<size_t> col_w(results.size());
  for (size_t c = 0; c < results.size(); ++c) {
    col_w[c] = names[c].size();
    for (const auto& [label, cells] : rows) col_w[c] = std::max(col_w[c], cells[c].size());
  }
  out << Pad("", label_w);
  for (size_t c = 0; c < results.size(); ++c) out << "  " << Pad(names[c], col_w[c], true);
  out << "\n";
  for (const auto& [label, cells] : rows) {
    out << Pad(label, label_w);
    for (size_t c = 0; c < cells.size(); ++c) out << "  " << Pad(cells[c], col_w[c], true);
    out << "\n";
  }

  for (size_t m = 0; m < results.size(); ++m) {
    const ModelResult& r = results[m];
    if (!r.profiled) continue;
    out << "\nprofile of " << names[m] << " (mean per Invoke over " << r.runs << " runs; top "
        << std::min<size_t>(20, r.ops.size()) << " of " << r.ops.size() << " nodes)\n";
    out << Pad("node", 6, true) << "  " << Pad("op", 24) << Pad("backend", 8) << Pad("ms", 10, true)
        << Pad("share", 9, true) << "  rate\n";
    for (size_t i = 0; i < r.ops.size() && i < 20; ++i) {
      const OpRow& o = r.ops[i];
      out << Pad(std::to_string(o.index), 6, true) << "  " << Pad(o.op, 24) << Pad(o.backend, 8)
          << Pad(Fixed(o.ms, 4), 10, true) << Pad(Fixed(o.share, 1) + "%", 9, true) << "  " << Rate(o.gflops, o.integer)
          << "\n";
    }
    out << "by op type:\n"
        << Pad("nodes", 6, true) << "  " << Pad("op", 24) << Pad("", 8) << Pad("ms", 10, true) << Pad("share", 9, true)
        << "  rate\n";
    for (const TypeRow& t : r.types) {
      const double rate = t.flops > 0 && t.ms > 0 ? t.flops / (t.ms * 1e-3) / 1e9 : -1;
      out << Pad(std::to_string(t.nodes), 6, true) << "  " << Pad(t.op, 24) << Pad("", 8)
          << Pad(Fixed(t.ms, 4), 10, true) << Pad(Fixed(t.share, 1) + "%", 9, true) << "  " << Rate(rate, t.integer)
          << "\n";
    }
  }
}

}  // namespace

int Bench(const std::vector<std::string>& args) {
  BenchOptions o;
  std::vector<std::string> models;
  bool json = false;
  auto usage_error = [](const std::string& message) {
    Fail("bench: " + message);
    return kUsageError;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string flag_error;
    if (ParseRuntimeFlag(args, &i, &o.interp, &flag_error)) {
      if (!flag_error.empty()) return usage_error(flag_error);
      continue;
    }
    const std::string* v = i + 1 < args.size() ? &args[i + 1] : nullptr;
    long long n = 0;
    if (a == "--warmup") {
      if (v == nullptr || !ParseInt(*v, &n) || n < 0 || n > 1000000)
        return usage_error("--warmup takes an integer in 0..1000000");
      o.warmup = static_cast<int>(n), ++i;
    } else if (a == "--runs") {
      if (v == nullptr || !ParseInt(*v, &n) || n < 1 || n > 1000000)
        return usage_error("--runs takes an integer in 1..1000000");
      o.runs = static_cast<int>(n), ++i;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--profile") {
      o.profile = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option " + a);
    } else {
      models.push_back(a);
    }
  }
  if (models.empty()) {
    Fail(kUsageLine);
    return kUsageError;
  }
  std::vector<ModelResult> results;
  for (const std::string& path : models) {
    auto r = BenchModel(path, o);
    if (!r.ok()) return Fail(r.status().message());
    results.push_back(std::move(*r));
  }
  if (json)
    PrintJson(results, std::cout);
  else
    PrintTable(results, o, std::cout);
  std::cout.flush();
  return std::cout ? 0 : Fail("bench: cannot write the report");
}

}  // namespace lithe::cli
