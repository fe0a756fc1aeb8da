"""Image files → BGR arrays at processing size, refusing what would hurt before decoding it.

Phones store orientation in EXIF (OpenCV applies it); scans come as 16-bit or grey; PNGs
carry alpha (composited on white). A header that declares more pixels than the limit is
refused before any pixel is decoded, so a 50 000 × 50 000 "decompression bomb" costs
nothing. Photos above ~4 MP are shrunk for speed; `scale` maps boxes back to the original.
"""

import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from exprocr.errors import ImageLoadError

MAX_PIXELS = 100_000_000  # default refusal limit on declared width × height
MAX_BYTES = 200 * 1024 * 1024  # default refusal limit on file size
PROCESSING_PIXELS = 4_000_000  # photos above this are downscaled for reading


@dataclass
class LoadedImage:
    """A photo ready to read: BGR uint8 at processing size, and how it relates to the file."""

    bgr: np.ndarray
    original_size: tuple[int, int]  # width, height after EXIF orientation
    scale: float  # processing size / original size


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    order = "<" if data[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", data[4:8])[0]
    if offset + 2 > len(data):
        return None
    count = struct.unpack(order + "H", data[offset:offset + 2])[0]
    found: dict[int, int] = {}
    for k in range(min(count, 512)):
        entry = data[offset + 2 + 12 * k: offset + 14 + 12 * k]
        if len(entry) < 12:
            break
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag in (256, 257):
            found[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), entry[8:10 if kind == 3 else 12])[0]
    return (found[256], found[257]) if len(found) == 2 else None


def declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height an image header declares (PNG, JPEG, GIF, BMP, WebP, TIFF), or None."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", data[16:24])
        if data[:2] == b"\xff\xd8":
            return _jpeg_size(data)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:2] == b"BM":
            width, height = struct.unpack("<ii", data[18:26])
            return abs(width), abs(height)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            chunk = data[12:16]
            if chunk == b"VP8X":
                w = int.from_bytes(data[24:27], "little") + 1
                h = int.from_bytes(data[27:30], "little") + 1
                return w, h
            if chunk == b"VP8L":
                bits = int.from_bytes(data[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return w & 0x3FFF, h & 0x3FFF
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            return _tiff_size(data)
    except struct.error:
        return None
    return None


def _to_bgr(image: np.ndarray) -> np.ndarray:
    """8-bit BGR from grey, 16-bit or alpha images (alpha composited on white)."""
    if image.dtype == np.uint16:
        image = (image // 257).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = cv2.normalize(image.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        return (image[:, :, :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    return image[:, :, :3]


def _decode(data: bytes, name: str) -> np.ndarray:
    buffer = np.frombuffer(data, np.uint8)
    has_alpha = data[:8] == b"\x89PNG\r\n\x1a\n" or data[:4] in (b"RIFF", b"II*\x00", b"MM\x00*")
    image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED) if has_alpha else None
    if image is not None and (image.ndim == 3 and image.shape[2] == 4 or image.dtype != np.uint8):
        return _to_bgr(image)
    image = cv2.imdecode(buffer, cv2.IMREAD_COLOR)  # applies EXIF orientation
    if image is None:
        raise ImageLoadError(f"{name}: not a readable image (corrupt, truncated or unsupported format)")
    return image


def load_image(source: str | Path | np.ndarray | bytes, *, max_pixels: int = MAX_PIXELS,
               max_bytes: int = MAX_BYTES) -> LoadedImage:
    """Read a path, encoded bytes or an array; raise ImageLoadError naming the file if unusable."""
    if isinstance(source, np.ndarray):
        if source.size == 0 or source.ndim not in (2, 3):
            raise ImageLoadError("array: not an image (expected H×W or H×W×C)")
        image = _to_bgr(source)
        name = "array"
    else:
        name = "bytes" if isinstance(source, bytes) else str(source)
        data = source if isinstance(source, bytes) else _read(Path(source), max_bytes)
        if not data:
            raise ImageLoadError(f"{name}: empty file")
        size = declared_size(data)
        if size is not None and size[0] * size[1] > max_pixels:
            raise ImageLoadError(f"{name}: image declares {size[0]}×{size[1]} pixels, over the limit "
                                 f"of {max_pixels:,} (use --max-pixels to allow it)")
        image = _decode(data, name)
    height, width = image.shape[:2]
    if width < 2 or height < 2:
        raise ImageLoadError(f"{name}: image is too small to hold writing ({width}×{height})")
    scale = min(1.0, (PROCESSING_PIXELS / (width * height)) ** 0.5)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return LoadedImage(bgr=np.ascontiguousarray(image), original_size=(width, height), scale=scale)


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        if path.is_dir():
            raise ImageLoadError(f"{path}: is a directory, not an image")
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageLoadError(f"{path}: file is {size:,} bytes, over the limit of {max_bytes:,} "
                                 "(use --max-bytes to allow it)")
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageLoadError(f"{path}: no such file") from None
    except PermissionError:
        raise ImageLoadError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ImageLoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
