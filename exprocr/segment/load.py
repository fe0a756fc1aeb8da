"""Image files → BGR arrays at processing size, refusing what would hurt before decoding it.

Only formats whose header we can parse ourselves are handed to OpenCV (PNG, JPEG, GIF,
BMP, WebP, TIFF): a header that declares more pixels than the limit is refused before any
pixel is decoded, so a 50 000 × 50 000 "decompression bomb" costs nothing, and no other
decoder ever sees untrusted bytes. Phones store orientation in EXIF; we apply it ourselves
(the same way OpenCV does) so the raw stored pixels are available too. Scans come as
16-bit or grey; PNGs carry alpha (composited on white). Photos above ~4 MP are shrunk for
speed (big JPEGs are decoded at 1/2, 1/4 or 1/8 size directly); `scale` maps boxes back to
the original.
"""

import os
import stat
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from exprocr.errors import ImageLoadError

MAX_PIXELS = 100_000_000  # default refusal limit on declared width × height
MAX_BYTES = 200 * 1024 * 1024  # default refusal limit on file size
PROCESSING_PIXELS = 4_000_000  # photos above this are downscaled for reading
SUPPORTED = "png, jpg, bmp, tiff, webp, gif"

_PNG, _JPEG, _GIF, _BMP, _WEBP, _TIFF = "png", "jpeg", "gif", "bmp", "webp", "tiff"
_TAG_WIDTH, _TAG_HEIGHT, _TAG_PHOTOMETRIC, _TAG_ORIENTATION = 256, 257, 262, 274
_CMYK = 5  # TIFF PhotometricInterpretation "separated"
# EXIF orientation → (mirror left-right first, then degrees turned clockwise) to show it upright
_ORIENTATIONS = {1: (False, 0), 2: (True, 0), 3: (False, 180), 4: (True, 180),
                 5: (True, 270), 6: (False, 90), 7: (True, 90), 8: (False, 270)}


@dataclass
class LoadedImage:
    """A photo ready to read: BGR uint8 at processing size, and how it relates to the file."""

    bgr: np.ndarray
    original_size: tuple[int, int]  # width, height after EXIF orientation
    scale: float  # processing size / original size
    exif_rotation: int = 0  # degrees the stored pixels were turned clockwise to stand upright
    exif_mirrored: bool = False  # stored pixels were also mirrored left-right (before turning)


@dataclass
class _Header:
    kind: str
    size: tuple[int, int] | None  # width, height as stored (before orientation)
    orientation: int = 1
    photometric: int | None = None


def load_image(source: str | Path | np.ndarray | bytes, *, max_pixels: int = MAX_PIXELS,
               max_bytes: int = MAX_BYTES, max_side: int | None = None,
               orient: bool = True) -> LoadedImage:
    """Read a path, encoded bytes or an array; raise ImageLoadError naming the file if unusable.

    `max_pixels` and `max_bytes` refuse a file before decoding it; `max_side` also bounds
    the processing size's longer side; `orient=False` keeps the pixels as stored (EXIF
    orientation not applied), for callers that try every rotation themselves.
    """
    if isinstance(source, np.ndarray):
        image = _array_to_bgr(source, "array")
        height, width = image.shape[:2]
        image, scale = _shrink(image, width, height, max_side, "array")
        return LoadedImage(bgr=np.ascontiguousarray(image), original_size=(width, height), scale=scale)
    if isinstance(source, (bytes, bytearray, memoryview)):
        name, data = "bytes", bytes(source)
        if len(data) > max_bytes:
            raise ImageLoadError(f"{name}: {len(data):,} bytes, over the limit of {max_bytes:,}")
    else:
        name = str(source)
        data = _read(Path(source), max_bytes)
    if not data:
        raise ImageLoadError(f"{name}: empty file")
    header = _parse_header(data)
    if header is None and _is_heif(data):
        raise ImageLoadError(f"{name}: a HEIC/HEIF photo (a phone's own format), which this reader cannot "
                             f"decode: export or share it as JPEG")
    if header is None:
        raise ImageLoadError(f"{name}: not a supported image (expected {SUPPORTED})")
    if header.size is None or min(header.size) <= 0:
        raise ImageLoadError(f"{name}: not a readable {header.kind} image (corrupt or truncated header)")
    width, height = header.size
    if width * height > max_pixels:
        raise ImageLoadError(f"{name}: image declares {width}×{height} pixels, over the limit "
                             f"of {max_pixels:,} (use --max-pixels to allow it)")
    if min(width, height) < 2:
        raise ImageLoadError(f"{name}: image is too small to hold writing ({width}×{height})")
    image, reduced = _decode(data, header, _processing_scale(width, height, max_side), name)
    if reduced == 1:  # trust the decoded pixels over the header
        height, width = image.shape[:2]
    image, scale = _shrink(image, width, height, max_side, name)
    mirrored, turn = _ORIENTATIONS.get(header.orientation, (False, 0))
    transform = _orient if orient and header.kind != _TIFF else None
    if not orient and header.kind == _TIFF:  # OpenCV's TIFF decoder always orients: undo it
        transform = _unorient
    if transform and (mirrored or turn):
        image = transform(image, mirrored, turn)
        if turn in (90, 270):
            width, height = height, width
    if not orient:
        mirrored, turn = False, 0
    return LoadedImage(bgr=np.ascontiguousarray(image), original_size=(width, height), scale=scale,
                       exif_rotation=turn, exif_mirrored=mirrored)


def declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height an image header declares (PNG, JPEG, GIF, BMP, WebP, TIFF), or None."""
    header = _parse_header(data)
    return header.size if header else None


# --- headers: sizes and orientation read from the bytes, never from a decoder ----------------

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")


def _is_heif(data: bytes) -> bool:
    """An ISO media file of a HEIF brand: what iPhones and many Android phones save photos as."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _kind(data: bytes) -> str | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _PNG
    if data[:3] == b"\xff\xd8\xff":
        return _JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _GIF
    if data[:2] == b"BM":
        return _BMP
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _TIFF
    return None


def _parse_header(data: bytes) -> _Header | None:
    """The format, declared size and orientation; None when the bytes are no format we accept."""
    kind = _kind(data)
    if kind is None:
        return None
    try:
        return _HEADER_PARSERS[kind](data)
    except (struct.error, IndexError):
        return _Header(kind, None)


def _png_header(data: bytes) -> _Header:
    if data[12:16] != b"IHDR":
        return _Header(_PNG, None)
    header = _Header(_PNG, struct.unpack(">II", data[16:24]))
    at = 8
    while at + 8 <= len(data):  # chunk headers only: the eXIf chunk holds the orientation
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"eXIf":
            header.orientation = _exif_orientation(data[at + 8:at + 8 + length])
        if kind == b"IEND":
            break
        at += 12 + length
    return header


def _jpeg_header(data: bytes) -> _Header:
    header = _Header(_JPEG, None)
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return header  # not a marker where one must be: corrupt
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        segment = data[at + 4:at + 2 + length]
        if marker == 0xE1 and segment[:6] == b"Exif\x00\x00":
            header.orientation = _exif_orientation(segment[6:])
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", segment[1:5])
            header.size = (width, height)
            return header
        elif marker == 0xDA:  # image data began before any frame header
            return header
        at += 2 + length
    return header


def _webp_header(data: bytes) -> _Header:
    chunk = data[12:16]
    if chunk == b"VP8X":
        header = _Header(_WEBP, (int.from_bytes(data[24:27], "little") + 1,
                                 int.from_bytes(data[27:30], "little") + 1))
        at = 30
        while at + 8 <= len(data):  # the optional EXIF chunk holds the orientation
            kind, length = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
            if kind == b"EXIF":
                exif = data[at + 8:at + 8 + length]
                header.orientation = _exif_orientation(exif[6:] if exif[:6] == b"Exif\x00\x00" else exif)
            at += 8 + length + (length & 1)
        return header
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return _Header(_WEBP, ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _Header(_WEBP, (width & 0x3FFF, height & 0x3FFF))
    return _Header(_WEBP, None)


def _gif_header(data: bytes) -> _Header:
    return _Header(_GIF, struct.unpack("<HH", data[6:10]))


def _bmp_header(data: bytes) -> _Header:
    if struct.unpack("<I", data[14:18])[0] == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        return _Header(_BMP, struct.unpack("<HH", data[18:22]))
    width, height = struct.unpack("<ii", data[18:26])
    return _Header(_BMP, (abs(width), abs(height)))


def _tiff_header(data: bytes) -> _Header:
    tags = _tiff_tags(data, (_TAG_WIDTH, _TAG_HEIGHT, _TAG_PHOTOMETRIC, _TAG_ORIENTATION))
    size = (tags[_TAG_WIDTH], tags[_TAG_HEIGHT]) if _TAG_WIDTH in tags and _TAG_HEIGHT in tags else None
    return _Header(_TIFF, size, tags.get(_TAG_ORIENTATION, 1), tags.get(_TAG_PHOTOMETRIC))


def _tiff_tags(block: bytes, wanted: tuple[int, ...]) -> dict[int, int]:
    """Integer values of the wanted tags in the first IFD of a TIFF structure (file or EXIF)."""
    order = "<" if block[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", block[4:8])[0]
    count = struct.unpack(order + "H", block[offset:offset + 2])[0]
    found: dict[int, int] = {}
    for k in range(min(count, 1024)):
        entry = block[offset + 2 + 12 * k: offset + 14 + 12 * k]
        if len(entry) < 12:
            break
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag in wanted and kind in (3, 4):  # SHORT or LONG, value held in the entry itself
            found[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), entry[8:10 if kind == 3 else 12])[0]
    return found


def _exif_orientation(block: bytes) -> int:
    """The EXIF orientation (1–8) in a TIFF-structured EXIF block; 1 when absent or broken."""
    try:
        orientation = _tiff_tags(block, (_TAG_ORIENTATION,)).get(_TAG_ORIENTATION, 1)
    except (struct.error, IndexError):
        return 1
    return orientation if orientation in _ORIENTATIONS else 1


_HEADER_PARSERS = {_PNG: _png_header, _JPEG: _jpeg_header, _GIF: _gif_header, _BMP: _bmp_header,
                   _WEBP: _webp_header, _TIFF: _tiff_header}


# --- decoding -------------------------------------------------------------------------------

def _decode(data: bytes, header: _Header, scale: float, name: str) -> tuple[np.ndarray, int]:
    """Pixels as stored (TIFF: as OpenCV orients them) in BGR uint8, and the JPEG reduction."""
    buffer = np.frombuffer(data, np.uint8)
    reduced = 1
    if header.kind == _JPEG:
        reduced = next(f for f in (8, 4, 2, 1) if f * scale <= 1.0)
        flags = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
                 8: cv2.IMREAD_REDUCED_COLOR_8}[reduced] | cv2.IMREAD_IGNORE_ORIENTATION
    elif header.kind == _TIFF and header.photometric == _CMYK:
        flags = cv2.IMREAD_COLOR  # OpenCV converts CMYK only when asked for colour
    else:
        flags = cv2.IMREAD_UNCHANGED  # keeps alpha and 16-bit depth
    with _decoder_messages_silenced():
        try:
            image = cv2.imdecode(buffer, flags)
        except cv2.error:
            image = None
    if image is None or image.size == 0:
        raise ImageLoadError(f"{name}: not a readable {header.kind} image "
                             "(corrupt, truncated or an unsupported variant)")
    return _array_to_bgr(image, name), reduced


def _array_to_bgr(image: np.ndarray, name: str) -> np.ndarray:
    """8-bit BGR from grey, 16-bit, float or alpha images (alpha composited on white)."""
    if image.size == 0 or image.ndim not in (2, 3):
        raise ImageLoadError(f"{name}: not an image (expected H×W or H×W×C pixels)")
    if image.ndim == 2:
        image = image[:, :, None]
    channels = image.shape[2]
    colour = _to_uint8(image[:, :, :1] if channels <= 2 else image[:, :, :3])
    if colour.shape[2] == 1:
        colour = np.repeat(colour, 3, axis=2)
    if channels in (2, 4):
        alpha = image[:, :, channels - 1:]
        if alpha.dtype.kind in "ui":
            opacity = (np.clip(alpha, 0, None) >> max(0, np.iinfo(alpha.dtype).bits - 8)).astype(np.uint16)
        else:
            opacity = (np.clip(np.nan_to_num(alpha.astype(np.float32)), 0, 1) * 255).astype(np.uint16)
        colour = ((colour * opacity + 255 * (255 - opacity) + 127) // 255).astype(np.uint8)
    return np.ascontiguousarray(colour)


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """8-bit values. Integer images keep their top 8 significant bits (a 12-bit scan in a
    16-bit file is not crushed to black); float images are stretched to 0–255."""
    if image.dtype == np.uint8:
        return image
    if image.dtype.kind == "b":
        return image.astype(np.uint8) * 255
    if image.dtype.kind in "ui":
        top = int(image.max())
        if top <= 0:
            return np.zeros(image.shape, np.uint8)
        values = np.clip(image, 0, None) if image.dtype.kind == "i" else image
        return (values >> max(0, top.bit_length() - 8)).astype(np.uint8)
    values = np.nan_to_num(image.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    return cv2.normalize(values, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8).reshape(image.shape)


def _orient(image: np.ndarray, mirrored: bool, turn: int) -> np.ndarray:
    if mirrored:
        image = image[:, ::-1]
    return np.rot90(image, -turn // 90) if turn else image


def _unorient(image: np.ndarray, mirrored: bool, turn: int) -> np.ndarray:
    image = np.rot90(image, turn // 90) if turn else image
    return image[:, ::-1] if mirrored else image


def _processing_scale(width: int, height: int, max_side: int | None) -> float:
    scale = min(1.0, (PROCESSING_PIXELS / (width * height)) ** 0.5)
    return min(scale, max_side / max(width, height)) if max_side else scale


def _shrink(image: np.ndarray, width: int, height: int, max_side: int | None,
            name: str) -> tuple[np.ndarray, float]:
    """The image at processing size, and that size over the full `width`×`height`."""
    if width < 2 or height < 2:
        raise ImageLoadError(f"{name}: image is too small to hold writing ({width}×{height})")
    scale = _processing_scale(width, height, max_side)
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    if (image.shape[1], image.shape[0]) != target:
        image = cv2.resize(image, target, interpolation=cv2.INTER_AREA)
    return image, target[0] / width


# --- files -----------------------------------------------------------------------------------

def _read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; only regular files (a FIFO or /dev/zero would never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a FIFO must not wait for a writer
    except FileNotFoundError:
        raise ImageLoadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImageLoadError(f"{path}: is a directory, not an image") from None
    except PermissionError:
        raise ImageLoadError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ImageLoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        problem = None
        if stat.S_ISDIR(info.st_mode):
            problem = "is a directory, not an image"
        elif not stat.S_ISREG(info.st_mode):
            problem = "not a regular file"
        elif info.st_size > max_bytes:
            problem = f"file is {info.st_size:,} bytes, over the limit of {max_bytes:,} (use --max-bytes to allow it)"
        if problem:
            raise ImageLoadError(f"{path}: {problem}")
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since it was looked at
    except OSError as exc:
        raise ImageLoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ImageLoadError(f"{path}: file is over the limit of {max_bytes:,} bytes (use --max-bytes to allow it)")
    return data


_silenced = 0
_silence_lock = threading.Lock()
_saved_stderr: int | None = None


@contextmanager
def _decoder_messages_silenced() -> Iterator[None]:
    """libpng, libjpeg and libtiff print to the process's stderr on their own; their
    complaints about a broken file are replaced by our one-line error, so mute them while
    decoding (counted, so threads decoding at once restore stderr only when all are done)."""
    global _silenced, _saved_stderr
    with _silence_lock:
        if _silenced == 0:
            try:
                sys.stderr.flush()
                saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
                _saved_stderr = saved
            except (OSError, ValueError, AttributeError):
                _saved_stderr = None
        _silenced += 1
    try:
        yield
    finally:
        with _silence_lock:
            _silenced -= 1
            if _silenced == 0 and _saved_stderr is not None:
                os.dup2(_saved_stderr, 2)
                os.close(_saved_stderr)
                _saved_stderr = None
