#!/usr/bin/env node
// ONNX Runtime oracle: runs an .onnx model with onnxruntime-node (ONNX Runtime's CPU execution
// provider, the library bundled in the npm package) and writes the outputs as .npy.
//
//   node tests/oracle/ort/run.mjs MODEL.onnx OUT_DIR IN0.npy [IN1.npy ...]
//
// Inputs are given in the order of the graph's inputs (initializers excluded); outputs are written
// as OUT_DIR/output_<k>.npy in the order of the graph's outputs, with ONNX Runtime's dtype and
// shape. One intra-op and one inter-op thread, sequential execution, ONNX Runtime's default graph
// optimizations. Nothing is printed to stdout. On failure one line goes to stderr and the exit
// code is 1 (2 for a usage error).
//
// The package is looked up in $LITHE_NPM_DIR/node_modules (default <repo>/.cache/npm), where
// scripts/fetch_models.sh installs it (with ONNXRUNTIME_NODE_INSTALL=skip: nothing is downloaded
// at install or run time).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ORT_VERSION = '1.30.0';

class UsageError extends Error {}

function findOrt() {
  const npmDir = process.env.LITHE_NPM_DIR ||
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '.cache', 'npm');
  const requireFromNpmDir = createRequire(path.join(npmDir, 'node_modules', 'noop.js'));
  let packageJson;
  try {
    packageJson = requireFromNpmDir.resolve('onnxruntime-node/package.json');
  } catch {
    throw new Error(`onnxruntime-node not found under ${npmDir}/node_modules (install it with: ` +
        `ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "${npmDir}" onnxruntime-node@${ORT_VERSION}, ` +
        'or run scripts/fetch_models.sh)');
  }
  const version = JSON.parse(fs.readFileSync(packageJson, 'utf8')).version;
  if (version !== ORT_VERSION) {
    throw new Error(`onnxruntime-node ${version} found in ${path.dirname(packageJson)}, ` +
        `expected ${ORT_VERSION}`);
  }
  return requireFromNpmDir('onnxruntime-node');
}

// numpy type code -> ONNX Runtime tensor type and typed array.
const DTYPES = [
  { code: 'f4', ort: 'float32', array: Float32Array },
  { code: 'f8', ort: 'float64', array: Float64Array },
  { code: 'i1', ort: 'int8', array: Int8Array },
  { code: 'u1', ort: 'uint8', array: Uint8Array },
  { code: 'i2', ort: 'int16', array: Int16Array },
  { code: 'u2', ort: 'uint16', array: Uint16Array },
  { code: 'i4', ort: 'int32', array: Int32Array },
  { code: 'u4', ort: 'uint32', array: Uint32Array },
  { code: 'i8', ort: 'int64', array: BigInt64Array },
  { code: 'u8', ort: 'uint64', array: BigUint64Array },
  { code: 'b1', ort: 'bool', array: Uint8Array },
].map((d) => ({ ...d, itemSize: Number(d.code.slice(1)) }));

const product = (dims) => dims.reduce((a, b) => a * b, 1);
const shapeString = (dims) => `[${dims.join(',')}]`;

// .npy versions 1.0, 2.0 and 3.0, little-endian, C order.
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new Error(`${file}: not a .npy file`);
  }
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) {
    throw new Error(`${file}: unsupported .npy version ${major}`);
  }
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new Error(`${file}: truncated .npy header`);
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  if (headerStart + headerLength > bytes.length) throw new Error(`${file}: truncated .npy header`);
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${file}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`${file}: bad dimension '${s}' in shape`);
    return Number(s);
  });
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(descr);
  const dtype = m && DTYPES.find((d) => d.code === m[2]);
  if (!dtype) throw new Error(`${file}: unsupported dtype '${descr}'`);
  if (dtype.itemSize > 1 && m[1] === '>') throw new Error(`${file}: big-endian '${descr}' is not supported`);
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) {
    throw new Error(`${file}: Fortran-order arrays are not supported`);
  }
  const body = bytes.subarray(headerStart + headerLength);
  const expected = product(shape) * dtype.itemSize;
  if (body.length !== expected) {
    throw new Error(`${file}: ${body.length} bytes of data, expected ${expected} for ${dtype.ort} ${shapeString(shape)}`);
  }
  // Copy into a fresh, aligned buffer for the typed array.
  const data = new dtype.array(product(shape));
  new Uint8Array(data.buffer).set(body);
  return { file, dtype, shape, data };
}

function writeNpy(file, dtype, shape, data) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype.itemSize === 1 ? '|' : '<'}${dtype.code}', 'fortran_order': False, ` +
      `'shape': ${shapeText}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble[6] = 1;
  preamble.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([preamble, Buffer.from(header, 'latin1'), body]));
}

async function run(modelFile, outDir, inputFiles) {
  const inputs = inputFiles.map(readNpy);
  const ort = findOrt();
  const session = await ort.InferenceSession.create(fs.readFileSync(modelFile), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const names = session.inputNames;
  if (inputs.length !== names.length) {
    throw new UsageError(`model has ${names.length} input(s) [${names.join(', ')}], ${inputs.length} given`);
  }
  const feeds = {};
  names.forEach((name, i) => {
    const npy = inputs[i];
    const meta = session.inputMetadata?.[i];
    if (meta?.isTensor) {
      if (meta.type !== npy.dtype.ort) {
        throw new Error(`${npy.file}: ${npy.dtype.ort} given for input '${name}' which is ${meta.type}`);
      }
      const fixed = meta.shape.length === npy.shape.length &&
          meta.shape.every((d, k) => typeof d !== 'number' || d < 0 || d === npy.shape[k]);
      if (!fixed) {
        throw new Error(`${npy.file}: shape ${shapeString(npy.shape)} given for input '${name}' ` +
            `which is ${shapeString(meta.shape)}`);
      }
    }
    feeds[name] = new ort.Tensor(npy.dtype.ort, npy.data, npy.shape);
  });
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, { recursive: true });
  session.outputNames.forEach((name, k) => {
    const tensor = results[name];
    const dtype = DTYPES.find((d) => d.ort === tensor?.type);
    if (!dtype) throw new Error(`output '${name}' has unsupported type ${tensor?.type}`);
    writeNpy(path.join(outDir, `output_${k}.npy`), dtype, Array.from(tensor.dims), tensor.data);
  });
  await session.release();
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 3) throw new UsageError('usage: run.mjs MODEL.onnx OUT_DIR IN0.npy [IN1.npy ...]');
  const [modelFile, outDir, ...inputFiles] = args;
  await run(modelFile, outDir, inputFiles);
}

main().then(() => process.exit(0), (error) => {
  const message = (error instanceof Error ? error.message : `non-Error exception: ${String(error)}`)
      .replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`ort oracle: ${message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
