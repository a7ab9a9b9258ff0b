#!/usr/bin/python3
"""lithe against its peers: TensorFlow Lite 2.9 + XNNPACK and ONNX Runtime 1.30, same models, same inputs.

    /usr/bin/python3 bench/peers.py [--models a,b] [--threads 1,2] [--rounds 3] [--quick] [--int8]

For each model and thread count, every round runs `lithe bench`, bench/tflite_runner (TFLite's C
library with the XNNPACK delegate) and bench/ort_runner.mjs (onnxruntime-node), one process each,
back to back; rounds are interleaved (round 1: A/1t, A/2t, B/1t, ...; round 2: ...) so that a
machine whose speed drifts affects every engine alike. A cell of the table is the median over
rounds of each round's p50 latency. Ratios are lithe / peer (below 1: lithe is faster); the last
lines give the geometric mean of lithe / TFLite over the real (MediaPipe) models.

Models: the MediaPipe models in .cache/models (TFLite and lithe only), the zoo models in
models/zoo/*/ and .cache/zoo/*.onnx (converted once by `lithe convert` into .cache/bench/converted;
the .tflite runs in lithe and TFLite, the .onnx in ONNX Runtime). --int8 adds the zoo models
quantized by `lithe quantize --mode int8` (float I/O, random calibration data), lithe vs TFLite.

Inputs: `lithe bench` feeds each model fixed seeded inputs (lithe::RandomTensorData with seed =
input index: float uniform in [-1, 1), 8/16-bit integers over their range, zeros for int32/int64/
bool). This script computes the same values (SplitMix64 below) into .npy files and gives them to
the two peers, so all three engines see identical inputs.

Raw results (every round of every engine) go to .cache/bench/last.json.
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(os.environ.get("LITHE_CACHE") or os.path.join(ROOT, ".cache"), "")
WORK = os.path.join(CACHE, "bench")

MEDIAPIPE = ["face_detection_short_range", "face_detection_full_range", "face_detection_full_range_sparse",
             "hand_landmark_lite", "hand_landmark_full", "selfie_segmentation", "selfie_segmentation_landscape"]


# ---------------------------------------------------------------------------------------------
# Inputs: lithe::RandomTensorData (src/runtime/random.cc) and lithe bench's FillInputs, in numpy.

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix64(seed, n):
    """The first n outputs of SplitMix64 from lithe's initial state seed * 0x2545F4914F6CDD1D + 1."""
    with np.errstate(over="ignore"):
        s0 = np.uint64(seed) * np.uint64(0x2545F4914F6CDD1D) + np.uint64(1)
        z = s0 + np.arange(1, n + 1, dtype=np.uint64) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def lithe_bench_input(dtype, shape, index):
    n = int(np.prod(shape)) if shape else 1
    if dtype in ("int32", "int64", "bool"):
        return np.zeros(shape, dtype=np.bool_ if dtype == "bool" else dtype)
    r = _splitmix64(index, n)
    if dtype == "float32":
        # 24 random bits / 2^23 - 1: uniform in [-1, 1), exact in float32.
        return ((r >> np.uint64(40)).astype(np.float32) / np.float32(8388608.0) - np.float32(1.0)).reshape(shape)
    if dtype in ("int8", "uint8"):
        return (r & np.uint64(0xFF)).astype(np.uint8).view(dtype).reshape(shape)
    if dtype == "int16":
        return (r & np.uint64(0xFFFF)).astype(np.uint16).view(np.int16).reshape(shape)
    raise ValueError("no input generator for dtype " + dtype)


# ---------------------------------------------------------------------------------------------
# Tools.

def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run_json(cmd, timeout, env=None):
    """Runs cmd; returns (parsed JSON of its stdout, None) or (None, error text)."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, "timed out after %d s" % timeout
    if p.returncode != 0:
        err = [l for l in p.stderr.strip().splitlines() if not l.startswith("INFO:")]
        return None, (err[-1] if err else "exit code %d" % p.returncode)
    out = p.stdout
    try:
        return json.loads(out[out.index("{"):]), None
    except (ValueError, json.JSONDecodeError) as e:
        return None, "unreadable output (%s): %r" % (e, out[:200])


def newer(target, *sources):
    return os.path.exists(target) and all(os.path.getmtime(target) >= os.path.getmtime(s) for s in sources)


def find_tflite_runner(arg):
    if arg:
        return arg
    for cand in (os.path.join(ROOT, "build", "bench", "tflite_runner"),
                 os.path.join(ROOT, "build-bench-peers", "bench", "tflite_runner")):
        if newer(cand, os.path.join(ROOT, "bench", "tflite_runner.cc")):
            return cand
    # Not built by CMake (or stale): compile it here; it needs only a C++20 compiler and libdl.
    src = os.path.join(ROOT, "bench", "tflite_runner.cc")
    exe = os.path.join(WORK, "tflite_runner")
    if not newer(exe, src):
        cxx = os.environ.get("CXX") or shutil.which("c++") or "g++"
        log("compiling %s -> %s" % (src, exe))
        subprocess.run([cxx, "-O2", "-std=c++20", '-DLITHE_SOURCE_DIR="%s"' % ROOT, src, "-ldl", "-o", exe],
                       check=True)
    return exe


class Engines:
    def __init__(self, args):
        self.lithe = args.lithe
        self.tflite = find_tflite_runner(args.tflite_runner)
        self.tflite_lib = os.path.join(CACHE, "tflite", "lib", "libtensorflowlite_c.so")
        self.node = shutil.which("node")
        self.ort = os.path.join(ROOT, "bench", "ort_runner.mjs")
        self.timeout = args.timeout
        if not os.access(self.lithe, os.X_OK):
            sys.exit("peers.py: no lithe binary at %s (build target lithe, or pass --lithe)" % self.lithe)
        p = subprocess.run([self.lithe, "bench"], capture_output=True, text=True)
        if "unknown command" in p.stderr:
            sys.exit("peers.py: %s has no `bench` command; build a newer lithe or pass --lithe" % self.lithe)

    def run(self, engine, model, threads, warmup, runs, inputs):
        if engine == "lithe":
            cmd = [self.lithe, "bench", model.tflite, "--threads", str(threads), "--warmup", str(warmup),
                   "--runs", str(runs), "--json"]
            j, err = run_json(cmd, self.timeout, None)
            if j is None:
                return None, err
            m = j["models"][0]
            m["engine"] = "lithe"
            m["cpu_backend"] = j.get("cpu_backend")
            return m, None
        if engine == "tflite":
            cmd = [self.tflite, model.tflite, "--lib", self.tflite_lib, "--threads", str(threads),
                   "--warmup", str(warmup), "--runs", str(runs)] + inputs["tflite"]
            return run_json(cmd, self.timeout)
        if engine == "ort":
            if model.onnx is None:
                return None, None
            if self.node is None:
                return None, "node not found"
            cmd = [self.node, self.ort, model.onnx, "--threads", str(threads), "--warmup", str(warmup),
                   "--runs", str(runs)] + inputs["ort"]
            return run_json(cmd, self.timeout)
        raise ValueError(engine)


# ---------------------------------------------------------------------------------------------
# Models.

class Model:
    def __init__(self, name, tflite, onnx=None, real=False, source=None):
        self.name, self.tflite, self.onnx, self.real, self.source = name, tflite, onnx, real, source


def zoo_onnx():
    """(name, .onnx path) of the zoo models: models/zoo/<dataset>/<model>.onnx and .cache/zoo/*.onnx."""
    out = []
    zoo = os.path.join(ROOT, "models", "zoo")
    for ds in sorted(os.listdir(zoo)) if os.path.isdir(zoo) else []:
        d = os.path.join(zoo, ds)
        if os.path.isdir(d):
            out += [("%s/%s" % (ds, f[:-5]), os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".onnx")]
    tv = os.path.join(CACHE, "zoo")
    for f in sorted(os.listdir(tv)) if os.path.isdir(tv) else []:
        if f.endswith(".onnx"):
            out.append((f[:-5], os.path.join(tv, f)))
    return out


def list_models(wanted):
    models = [Model(n, os.path.join(CACHE, "models", n + ".tflite"), real=True) for n in MEDIAPIPE]
    models = [m for m in models if os.path.exists(m.tflite)]
    for name, onnx in zoo_onnx():
        models.append(Model(name, os.path.join(WORK, "converted", name.replace("/", "_") + ".tflite"), onnx=onnx,
                            source=onnx))
    if wanted:
        keep = []
        for w in wanted:
            hit = [m for m in models if m.name == w] or [m for m in models if w in m.name]
            if not hit:
                sys.exit("peers.py: no model matches '%s'; known: %s" % (w, ", ".join(m.name for m in models)))
            keep += [m for m in hit if m not in keep]
        models = keep
    return models


def convert(model, lithe):
    """Converts model.onnx with `lithe convert` unless an up-to-date conversion exists."""
    if newer(model.tflite, model.source, lithe):
        return None
    os.makedirs(os.path.dirname(model.tflite), exist_ok=True)
    log("converting %s" % model.source)
    p = subprocess.run([lithe, "convert", model.source, "-o", model.tflite], capture_output=True, text=True)
    return None if p.returncode == 0 else "lithe convert failed: " + p.stderr.strip()


def quantize_int8(model, lithe, tflite_inputs_spec):
    """A Model for model quantized to int8 by `lithe quantize` (float I/O, 16 random calibration samples)."""
    out = os.path.join(WORK, "int8", model.name.replace("/", "_") + ".int8.tflite")
    q = Model(model.name + " int8", out, source=model.tflite)
    if newer(out, model.tflite, lithe):
        return q, None
    if len(tflite_inputs_spec) != 1:
        return q, "int8: only single-input models are quantized here"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    spec = tflite_inputs_spec[0]
    cal = os.path.join(WORK, "int8", model.name.replace("/", "_") + ".calibration.npy")
    # Calibration: 16 samples uniform in [-1, 1), the distribution of the benchmark inputs.
    rng = np.random.default_rng(1)
    np.save(cal, rng.uniform(-1, 1, size=[16] + list(spec["shape"])).astype(np.float32))
    log("quantizing %s" % model.tflite)
    p = subprocess.run([lithe, "quantize", model.tflite, "-o", out, "--mode", "int8", "--calibration", cal],
                       capture_output=True, text=True)
    return q, (None if p.returncode == 0 else "lithe quantize failed: " + p.stderr.strip())


def describe(engines, model):
    j, err = run_json([engines.tflite, model.tflite, "--lib", engines.tflite_lib, "--describe"], 120)
    if j is None:
        return None, "tflite_runner --describe: " + err
    return j["inputs"], None


def write_inputs(engines, model, spec):
    """Writes lithe bench's inputs for model as .npy files; returns {"tflite": [...], "ort": [...]}."""
    d = os.path.join(WORK, "inputs", model.name.replace("/", "_").replace(" ", "_"))
    os.makedirs(d, exist_ok=True)
    files = {"tflite": [], "ort": []}
    arrays = []
    for i, s in enumerate(spec):
        a = lithe_bench_input(s["dtype"], s["shape"], i)
        arrays.append(a)
        f = os.path.join(d, "input_%d.npy" % i)
        np.save(f, a)
        files["tflite"].append(f)
    if model.onnx:
        j, err = run_json([engines.node, engines.ort, model.onnx, "--describe"], 120)
        if j is None:
            return files, "ort_runner --describe: " + err
        if len(j["inputs"]) != len(arrays):
            return files, "ONNX model has %d inputs, .tflite %d" % (len(j["inputs"]), len(arrays))
        for i, (oi, a) in enumerate(zip(j["inputs"], arrays)):
            shape = [x if isinstance(x, int) and x >= 0 else None for x in (oi["shape"] or [])]
            fits = len(shape) == a.ndim and all(x is None or x == y for x, y in zip(shape, a.shape))
            if not fits and a.ndim == 4 and len(shape) == 4:
                # An NHWC .tflite (convert --nhwc) of an NCHW graph: the same values, transposed.
                t = a.transpose(0, 3, 1, 2)
                if all(x is None or x == y for x, y in zip(shape, t.shape)):
                    a, fits = np.ascontiguousarray(t), True
            if not fits:
                return files, "ONNX input %d has shape %s, .tflite %s" % (i, oi["shape"], list(a.shape))
            if a is arrays[i]:
                files["ort"].append(files["tflite"][i])
            else:
                f = os.path.join(d, "input_%d.nchw.npy" % i)
                np.save(f, a)
                files["ort"].append(f)
    return files, None


# ---------------------------------------------------------------------------------------------
# Report.

def fmt_ms(x):
    if x is None:
        return "-"
    return "%.3f" % x if x < 10 else "%.2f" % x if x < 100 else "%.1f" % x


def fmt_ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b is not None and b > 0 else "-"


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def report(rows, models, threads_list, notes):
    lines = ["| model | threads | lithe ms | TFLite+XNNPACK ms | ORT ms | lithe/TFLite | lithe/ORT |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for m in models:
        for t in threads_list:
            r = rows.get((m.name, t))
            if r is None:
                continue
            lines.append("| %s | %d | %s | %s | %s | %s | %s |" % (
                m.name, t, fmt_ms(r["lithe"]), fmt_ms(r["tflite"]), fmt_ms(r["ort"]),
                fmt_ratio(r["lithe"], r["tflite"]), fmt_ratio(r["lithe"], r["ort"])))
    lines.append("")
    real = {m.name for m in models if m.real}
    for t in threads_list:
        rs = [r["lithe"] / r["tflite"] for (n, tt), r in rows.items()
              if tt == t and n in real and r["lithe"] and r["tflite"]]
        g = geomean(rs)
        if g is not None:
            lines.append("geometric mean lithe/TFLite, MediaPipe models, %d thread%s: %.3f (%d models)" %
                         (t, "" if t == 1 else "s", g, len(rs)))
    rs = [r["lithe"] / r["tflite"] for (n, _), r in rows.items() if n in real and r["lithe"] and r["tflite"]]
    if rs and len(threads_list) > 1:
        lines.append("geometric mean lithe/TFLite, MediaPipe models, all thread counts: %.3f (%d rows)" %
                     (geomean(rs), len(rs)))
    if notes:
        lines.append("")
        lines += ["- " + n for n in notes]
    return "\n".join(lines)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", help="comma-separated model names (or substrings); default: all")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--rounds", type=int, help="rounds (default 3; 1 with --quick)")
    ap.add_argument("--warmup", type=int, help="untimed runs before each timed series (default 5; 2 with --quick)")
    ap.add_argument("--runs", type=int, help="timed runs per round (default: enough for --seconds, at least 10)")
    ap.add_argument("--seconds", type=float, help="target timed seconds per engine and round (default 1; 0.2 --quick)")
    ap.add_argument("--stat", default="p50", choices=["min", "p50", "p90", "mean"],
                    help="the per-round statistic whose median over rounds the table shows (default p50)")
    ap.add_argument("--quick", action="store_true", help="1 round, short series: a smoke run")
    ap.add_argument("--int8", action="store_true", help="also the zoo models quantized to int8 (lithe vs TFLite)")
    ap.add_argument("--engines", default="lithe,tflite,ort", help="comma-separated subset of lithe,tflite,ort")
    ap.add_argument("--lithe", default=os.path.join(ROOT, "build", "lithe"), help="lithe binary (default build/lithe)")
    ap.add_argument("--tflite-runner", help="tflite_runner binary (default: build/bench/tflite_runner, else compiled)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds one engine run may take")
    ap.add_argument("--json", default=os.path.join(WORK, "last.json"), help="where the raw results go")
    ap.add_argument("--report", metavar="JSON", help="print the table of a saved run (e.g. with another --stat)")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            print(render(json.load(f), args.stat))
        return
    rounds = args.rounds or (1 if args.quick else 3)
    warmup = args.warmup if args.warmup is not None else (2 if args.quick else 5)
    seconds = args.seconds or (0.2 if args.quick else 1.0)
    min_runs = 5 if args.quick else 10
    threads_list = [int(t) for t in args.threads.split(",")]
    engine_names = [e for e in args.engines.split(",") if e]
    os.makedirs(WORK, exist_ok=True)

    engines = Engines(args)
    notes = []
    models = list_models([w for w in (args.models or "").split(",") if w])
    prepared = []  # (Model, input files)
    int8_from = []
    for m in models:
        if m.source:
            err = convert(m, engines.lithe)
            if err:
                notes.append("%s: %s" % (m.name, err))
                continue
        spec, err = describe(engines, m)
        if err:
            notes.append("%s: %s" % (m.name, err))
            continue
        files, err = write_inputs(engines, m, spec)
        if err:
            notes.append("%s: ORT skipped: %s" % (m.name, err))
            m.onnx = None
        prepared.append((m, files))
        if args.int8 and m.source:
            int8_from.append((m, spec))
    for m, spec in int8_from:
        q, err = quantize_int8(m, engines.lithe, spec)
        if err:
            notes.append("%s: %s" % (q.name, err))
            continue
        qspec, err = describe(engines, q)
        if err:
            notes.append("%s: %s" % (q.name, err))
            continue
        files, _ = write_inputs(engines, q, qspec)
        prepared.append((q, files))
    models = [m for m, _ in prepared]

    # Runs per round: enough for `seconds` of the slowest engine's short series, at least min_runs
    # (all engines then time the same number of runs).
    plan = {}
    for m, files in prepared:
        for t in threads_list:
            if args.runs:
                plan[(m.name, t)] = args.runs
                continue
            est = [j["latency_ms"]["p50"] for j, _ in (engines.run(e, m, t, 1, 3, files) for e in engine_names)
                   if j is not None]
            slowest = max(est) if est else 1e3
            plan[(m.name, t)] = max(min_runs, min(5000, int(math.ceil(seconds * 1000.0 / max(slowest, 1e-3)))))

    raw = []
    errors = {}
    t_start = time.time()
    load = [os.getloadavg()[0]]
    for r in range(rounds):
        for m, files in prepared:
            for t in threads_list:
                for e in engine_names:
                    j, err = engines.run(e, m, t, warmup, plan[(m.name, t)], files)
                    if j is None and err is None:
                        continue  # ORT for a model without ONNX
                    rec = {"round": r + 1, "model": m.name, "file": m.onnx if e == "ort" else m.tflite,
                           "threads": t, "engine": e, "runs": plan[(m.name, t)], "warmup": warmup}
                    if j is None:
                        rec["error"] = err
                        errors.setdefault((m.name, e), err)
                    else:
                        rec["result"] = j
                    raw.append(rec)
                    log("round %d/%d  %-40s %dt %-6s %s" % (
                        r + 1, rounds, m.name, t, e,
                        "p50 %s ms" % fmt_ms(j["latency_ms"]["p50"]) if j else "error: " + err))

    load.append(os.getloadavg()[0])
    for (name, e), err in errors.items():
        notes.append("%s, %s: %s" % (name, e, err))
    out = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": {"cpu": cpu_name(), "cpus": os.cpu_count(), "platform": platform.platform(), "loadavg": load},
        "config": {"rounds": rounds, "warmup": warmup, "threads": threads_list, "engines": engine_names,
                   "seconds": seconds,
                   "lithe": engines.lithe, "tflite_runner": engines.tflite,
                   "inputs": "lithe bench's seeded inputs (float uniform [-1, 1)), identical for all engines"},
        "wall_s": round(time.time() - t_start, 1),
        "models": [{"name": m.name, "real": m.real, "tflite": m.tflite, "onnx": m.onnx} for m in models],
        "runs": raw,
        "notes": notes,
    }
    text = render(out, args.stat)
    print(text)
    out["table"] = text
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)
    log("raw results: %s" % args.json)


def render(out, stat):
    """The header and table of a run's results (as saved in last.json), by the given statistic."""
    raw, cfg = out["runs"], out["config"]
    if "models" in out:
        models = [Model(m["name"], m["tflite"], m["onnx"], m["real"]) for m in out["models"]]
    else:  # saved before "models" was recorded
        models = []
        for x in out["summary"]:
            if x["model"] not in [m.name for m in models]:
                models.append(Model(x["model"], None, real=x["real"]))
    rows = {}
    for m in models:
        for t in cfg["threads"]:
            cell = {}
            for e in ("lithe", "tflite", "ort"):
                v = [x["result"]["latency_ms"][stat] for x in raw
                     if x["model"] == m.name and x["threads"] == t and x["engine"] == e and "result" in x]
                cell[e] = statistics.median(v) if v else None
            rows[(m.name, t)] = cell

    def first(engine, key):
        return next((x["result"].get(key) for x in raw if x["engine"] == engine and "result" in x), None)

    rounds = cfg["rounds"]
    header = ("lithe (cpu backend: %s) vs TensorFlow Lite %s + XNNPACK vs ONNX Runtime %s on %s, %d CPUs; "
              "median over %d round%s of the %s latency, warmup %d" % (
                  first("lithe", "cpu_backend") or "-", first("tflite", "version") or "-",
                  first("ort", "version") or "-", out["host"]["cpu"], out["host"]["cpus"], rounds,
                  "" if rounds == 1 else "s", stat, cfg["warmup"]))
    load = out["host"]["loadavg"]
    if max(load) > out["host"]["cpus"]:
        header += ("\nWARNING: load average %.1f (start) / %.1f (end) on %d CPUs: other processes competed for the "
                   "CPUs, the timings (multi-threaded ones most) are unreliable" % (load[0], load[1],
                                                                                   out["host"]["cpus"]))
    return header + "\n\n" + report(rows, models, cfg["threads"], out["notes"])


if __name__ == "__main__":
    main()
