"""Image loading: formats, EXIF orientation, depth and alpha, limits checked before decoding."""

import io
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from bench.robustness import bombs
from exprocr.errors import ImageLoadError
from exprocr.segment.load import PROCESSING_PIXELS, declared_size, load_image

Image = pytest.importorskip("PIL.Image")  # a test aid only: exprocr itself never imports Pillow


def _encoded(image: np.ndarray, ext: str) -> bytes:
    return cv2.imencode(ext, image)[1].tobytes()


def _pillow(image: "Image.Image", fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _quadrants() -> np.ndarray:
    """Four differently coloured quadrants, so any turn or mirror changes the pixels."""
    image = np.zeros((40, 60, 3), np.uint8)
    image[:20, :30], image[:20, 30:] = (255, 0, 0), (0, 255, 0)
    image[20:, :30], image[20:, 30:] = (0, 0, 255), (255, 255, 255)
    image[2:6, 2:6] = (0, 255, 255)
    return image


def _with_orientation(image: np.ndarray, fmt: str, orientation: int) -> bytes:
    pil = Image.fromarray(image[:, :, ::-1].copy())
    exif = pil.getexif()
    exif[0x0112] = orientation
    return _pillow(pil, fmt, exif=exif, **({"lossless": True} if fmt == "WEBP" else {}))


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_opencv_and_raw_decode_keeps_stored_pixels(fmt, orientation):
    stored = _quadrants()
    data = _with_orientation(stored, fmt, orientation)
    upright = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # OpenCV applies EXIF here
    loaded = load_image(data)
    assert np.array_equal(loaded.bgr, upright)
    assert loaded.original_size == (upright.shape[1], upright.shape[0])
    assert (loaded.exif_rotation, loaded.exif_mirrored) == {
        1: (0, False), 2: (0, True), 3: (180, False), 4: (180, True),
        5: (270, True), 6: (90, False), 7: (90, True), 8: (270, False)}[orientation]
    raw = load_image(data, orient=False)
    assert np.array_equal(raw.bgr, stored) and (raw.exif_rotation, raw.exif_mirrored) == (0, False)


def test_jpeg_phone_photo_with_exif_rotation_is_read_upright(tmp_path):
    stored = np.full((100, 300, 3), 255, np.uint8)  # wide as stored; orientation 6 = turn 90° clockwise
    stored[40:60, 20:80] = 0
    path = tmp_path / "rotated.jpg"
    path.write_bytes(_with_orientation(stored, "JPEG", 6))
    loaded = load_image(path)
    assert loaded.bgr.shape[:2] == (300, 100) and loaded.original_size == (100, 300)
    assert loaded.exif_rotation == 90 and loaded.bgr[20:80, 40:60].mean() < 60  # the bar now stands upright
    assert load_image(path, orient=False).bgr.shape[:2] == (100, 300)


def test_broken_exif_is_ignored_not_fatal():
    data = bytearray(_with_orientation(_quadrants(), "JPEG", 6))
    exif_at = bytes(data).index(b"Exif\x00\x00")
    data[exif_at + 10:exif_at + 14] = b"\xff\xff\xff\x7f"  # IFD offset far past the end
    assert load_image(bytes(data)).exif_rotation == 0


def test_sixteen_bit_grey_and_alpha(tmp_path):
    deep = (np.linspace(0, 65535, 50 * 60).reshape(50, 60)).astype(np.uint16)
    (tmp_path / "deep.png").write_bytes(_encoded(deep, ".png"))
    loaded = load_image(tmp_path / "deep.png").bgr
    assert loaded.dtype == np.uint8 and loaded.max() == 255 and loaded.min() == 0
    twelve_bit = (np.linspace(0, 4095, 50 * 60).reshape(50, 60)).astype(np.uint16)  # a scanner's 12 bits
    assert load_image(_encoded(twelve_bit, ".png")).bgr.max() == 255  # not crushed to near-black
    transparent = np.zeros((40, 40, 4), np.uint8)  # black but fully transparent: white paper
    assert load_image(_encoded(transparent, ".png")).bgr.min() == 255
    ink = np.zeros((40, 40, 4), np.uint16)
    ink[10:20, 10:20, 3] = 65535  # 16-bit RGBA: only the opaque square is ink
    composited = load_image(_encoded(ink, ".png")).bgr
    assert composited[15, 15].max() == 0 and composited[30, 30].min() == 255
    assert load_image(np.full((30, 30), 128, np.uint8)).bgr.shape == (30, 30, 3)


@pytest.mark.parametrize("mode, fmt, options", [
    ("P", "PNG", {}), ("P", "PNG", {"transparency": 0}), ("LA", "PNG", {}), ("1", "PNG", {}),
    ("CMYK", "JPEG", {}), ("CMYK", "TIFF", {}), ("L", "JPEG", {}), ("P", "GIF", {}), ("RGB", "BMP", {}),
    ("F", "TIFF", {}), ("I", "TIFF", {}),
])
def test_modes_pillow_writes_come_back_as_sensible_bgr(mode, fmt, options):
    photo = np.full((40, 60, 3), 230, np.uint8)
    photo[10:30, 25:35] = (40, 30, 20)  # a dark stroke on light paper
    pil = Image.fromarray(photo[:, :, ::-1].copy()).convert("L" if mode in ("F", "I") else "RGB").convert(mode)
    loaded = load_image(_pillow(pil, fmt, **options))
    assert loaded.bgr.shape == (40, 60, 3) and loaded.bgr.dtype == np.uint8
    assert loaded.bgr[20, 30].mean() < 100 < loaded.bgr[5, 5].mean()


def test_large_photos_are_downscaled_with_the_scale_recorded():
    loaded = load_image(np.full((3000, 4000, 3), 255, np.uint8))
    assert loaded.original_size == (4000, 3000)
    assert loaded.bgr.shape[0] * loaded.bgr.shape[1] <= PROCESSING_PIXELS and loaded.scale < 1
    assert load_image(np.zeros((300, 400, 3), np.uint8), max_side=200).bgr.shape == (150, 200, 3)


def test_big_jpeg_is_decoded_reduced_and_keeps_its_full_size():
    photo = np.full((4000, 6000, 3), 250, np.uint8)  # 24 MP: decoded at 1/2, then to ≤ 4 MP
    cv2.rectangle(photo, (1000, 1000), (1400, 3000), (0, 0, 0), -1)
    loaded = load_image(_encoded(photo, ".jpg"))
    height, width = loaded.bgr.shape[:2]
    assert loaded.original_size == (6000, 4000) and width * height <= PROCESSING_PIXELS
    assert loaded.scale == pytest.approx(width / 6000)
    x, y = int(1200 * loaded.scale), int(2000 * loaded.scale)
    assert loaded.bgr[y, x].max() < 30 and loaded.bgr[y, int(2000 * loaded.scale)].min() > 230
    turned = load_image(_with_orientation(photo, "JPEG", 8))  # the same photo, stored sideways
    assert turned.original_size == (4000, 6000) and turned.bgr.shape[:2] == (width, height)
    # orientation 8 turns it 90° counter-clockwise: the bar now lies across, near the bottom
    assert turned.bgr[int(4800 * turned.scale), int(2000 * turned.scale)].max() < 30


@pytest.mark.parametrize("content, message", [
    (b"", "empty"), (b"hello, not an image", "not a supported image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "not a supported image"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "HEIC.*export or share it as JPEG"),
    (_encoded(np.zeros((20, 20), np.uint8), ".png")[:40], "not a readable png"),
    (_encoded(np.zeros((20, 20), np.uint8), ".jpg")[:30], "not a readable jpeg"),
    (_encoded(np.zeros((1, 1), np.uint8), ".png"), "too small"),
    (_encoded(np.zeros((1, 5000), np.uint8), ".png"), "too small"),
])
def test_unusable_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "bad photo.png"
    path.write_bytes(content)
    with pytest.raises(ImageLoadError, match=message) as error:
        load_image(path)
    assert "bad photo.png" in str(error.value) and "\n" not in str(error.value)


def test_missing_file_directory_and_special_files(tmp_path):
    with pytest.raises(ImageLoadError, match="no such file"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(ImageLoadError, match="directory"):
        load_image(tmp_path)
    with pytest.raises(ImageLoadError, match="not a regular file"):
        load_image("/dev/zero")  # would never end if read
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever: try in a child
    code = f"from exprocr.segment.load import load_image\ntry: load_image({str(fifo)!r})\nexcept Exception as e: print(e)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == f"{fifo}: not a regular file"


def test_non_ascii_path(tmp_path):
    path = tmp_path / "фото 1.png"
    path.write_bytes(_encoded(_quadrants(), ".png"))
    assert load_image(path).original_size == (60, 40)


@pytest.mark.parametrize("name", sorted(bombs()))
def test_decompression_bombs_are_refused_from_their_header(tmp_path, name):
    data = bombs()[name]
    width, height = declared_size(data)
    assert width * height > 100_000_000
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImageLoadError, match="over the limit"):
        load_image(path)


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp", ".webp", ".tiff"])
def test_the_pixel_limit_is_an_option(ext):
    data = _encoded(np.zeros((100, 100), np.uint8), ext)
    with pytest.raises(ImageLoadError, match="over the limit of 5,000"):
        load_image(data, max_pixels=5000)
    assert load_image(data, max_pixels=10_000).original_size == (100, 100)


def test_reading_a_bomb_costs_almost_no_memory(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(bombs()["bomb.png"])
    code = ("from exprocr.segment.load import load_image\n"
            f"try: load_image({str(path)!r})\nexcept Exception as e: print(type(e).__name__)\n"
            "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    error, peak_kb = done.stdout.split()  # VmHWM: this process's peak resident memory, in kB
    assert error == "ImageLoadError" and int(peak_kb) < 100 * 1024


def test_byte_limit(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(_encoded(np.zeros((100, 100), np.uint8), ".png"))
    with pytest.raises(ImageLoadError, match="bytes"):
        load_image(path, max_bytes=10)
    with pytest.raises(ImageLoadError, match="bytes"):
        load_image(path.read_bytes(), max_bytes=10)


@pytest.mark.parametrize("ext, params", [
    (".jpg", []), (".png", []), (".bmp", []), (".tiff", []), (".webp", [cv2.IMWRITE_WEBP_QUALITY, 80]),
    (".webp", [cv2.IMWRITE_WEBP_QUALITY, 101]),  # lossless: VP8L
])
def test_formats_and_their_declared_sizes(ext, params):
    image = np.full((37, 53, 3), 200, np.uint8)
    data = cv2.imencode(ext, image, params)[1].tobytes()
    assert declared_size(data) == (53, 37)
    assert load_image(data).original_size == (53, 37)


def test_declared_size_of_extended_webp_and_os2_bmp():
    rgba = Image.new("RGBA", (53, 37), (10, 20, 30, 128))
    assert declared_size(_pillow(rgba, "WEBP")) == (53, 37)  # alpha: the VP8X container
    os2 = bytearray(b"BM" + bytes(12) + (12).to_bytes(4, "little") + (53).to_bytes(2, "little")
                    + (37).to_bytes(2, "little"))
    assert declared_size(bytes(os2)) == (53, 37)
    assert declared_size(b"not an image") is None
