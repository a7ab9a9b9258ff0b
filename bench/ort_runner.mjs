#!/usr/bin/env node
// Times one .onnx model in ONNX Runtime 1.30 (onnxruntime-node, its CPU execution provider) for
// bench/peers.py. Prints one JSON line on stdout.
//
//   node bench/ort_runner.mjs MODEL.onnx [--threads N] [--warmup N] [--runs N] [IN0.npy IN1.npy ...]
//   node bench/ort_runner.mjs MODEL.onnx --describe   # {"inputs": [{"name", "shape", "dtype"}]}
//
// Session: intraOpNumThreads = N, interOpNumThreads = 1, graphOptimizationLevel 'all',
// executionMode 'sequential'. Each run is one awaited session.run(feeds), timed with
// process.hrtime.bigint(). Inputs are .npy files in the order of the graph's inputs.
// The package is looked up in $LITHE_NPM_DIR/node_modules (default <repo>/.cache/npm), where
// scripts/fetch_models.sh installs it.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ORT_VERSION = '1.30.0';

function findOrt() {
  const npmDir = process.env.LITHE_NPM_DIR ||
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.cache', 'npm');
  const req = createRequire(path.join(npmDir, 'node_modules', 'noop.js'));
  const pkg = JSON.parse(fs.readFileSync(req.resolve('onnxruntime-node/package.json'), 'utf8'));
  if (pkg.version !== ORT_VERSION) throw new Error(`onnxruntime-node ${pkg.version} found, expected ${ORT_VERSION}`);
  return { ort: req('onnxruntime-node'), version: pkg.version };
}

const DTYPES = [
  { code: 'f4', ort: 'float32', array: Float32Array },
  { code: 'i1', ort: 'int8', array: Int8Array },
  { code: 'u1', ort: 'uint8', array: Uint8Array },
  { code: 'i4', ort: 'int32', array: Int32Array },
  { code: 'i8', ort: 'int64', array: BigInt64Array },
  { code: 'b1', ort: 'bool', array: Uint8Array },
];

// .npy versions 1-3, little-endian, C order (the subset bench/peers.py writes).
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const start = bytes[6] === 1 ? 10 : 12;
  const len = bytes[6] === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const header = bytes.toString('latin1', start, start + len);
  const descr = /'descr'\s*:\s*'[<|]?([a-z]\d+)'/.exec(header)?.[1];
  const shape = (/'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
      .split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const dtype = DTYPES.find((d) => d.code === descr);
  if (!dtype) throw new Error(`${file}: unsupported dtype '${descr}'`);
  const body = bytes.subarray(start + len);
  const data = new dtype.array(shape.reduce((a, b) => a * b, 1));
  if (body.length !== data.byteLength) throw new Error(`${file}: ${body.length} bytes, expected ${data.byteLength}`);
  new Uint8Array(data.buffer).set(body);
  return { dtype, shape, data };
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  // Linear interpolation between closest ranks (numpy's default), as tflite_runner.cc.
  const pct = (q) => {
    const pos = q * (s.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  };
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  return { min: s[0], p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), mean, std };
}

async function main() {
  const args = process.argv.slice(2);
  let model = null;
  let threads = 1;
  let warmup = 5;
  let runs = 20;
  let describe = false;
  const inputFiles = [];
  for (let i = 0; i < args.length; ++i) {
    const a = args[i];
    if (a === '--threads') threads = Number(args[++i]);
    else if (a === '--warmup') warmup = Number(args[++i]);
    else if (a === '--runs') runs = Number(args[++i]);
    else if (a === '--describe') describe = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (model === null) model = a;
    else inputFiles.push(a);
  }
  if (model === null || !(threads >= 1) || !(warmup >= 0) || !(runs >= 1)) {
    throw new Error('usage: ort_runner.mjs MODEL.onnx [--threads N] [--warmup N] [--runs N] [--describe] ' +
        '[IN.npy ...]');
  }
  const { ort, version } = findOrt();
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(fs.readFileSync(model), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const names = session.inputNames;
  if (describe) {
    const inputs = names.map((name, i) => {
      const meta = session.inputMetadata?.[i];
      return { name, shape: meta?.shape ?? null, dtype: meta?.type ?? null };
    });
    process.stdout.write(JSON.stringify({ inputs }) + '\n');
    return;
  }
  if (inputFiles.length !== names.length) {
    throw new Error(`${model} has ${names.length} input(s), ${inputFiles.length} .npy files given`);
  }
  const feeds = {};
  names.forEach((name, i) => {
    const npy = readNpy(inputFiles[i]);
    feeds[name] = new ort.Tensor(npy.dtype.ort, npy.data, npy.shape);
  });
  const initMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
  let t = process.hrtime.bigint();
  await session.run(feeds);
  const firstMs = ms(t);
  for (let i = 0; i < warmup; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; ++i) {
    t = process.hrtime.bigint();
    await session.run(feeds);
    times.push(ms(t));
  }
  await session.release();
  process.stdout.write(JSON.stringify({
    engine: 'ort', version, model, threads, init_ms: initMs, first_ms: firstMs, latency_ms: stats(times), runs,
  }) + '\n');
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`ort_runner: ${String(error?.message ?? error).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
