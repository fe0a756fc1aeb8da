"""Image loading: formats, EXIF orientation, depth and alpha, limits checked before decoding."""

import io

import cv2
import numpy as np
import pytest

from exprocr.errors import ImageLoadError
from exprocr.segment.load import declared_size, load_image


def _png(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", image)[1].tobytes()


def test_jpeg_with_exif_rotation_is_read_upright(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    stored = np.full((100, 300, 3), 255, np.uint8)  # wide as stored; orientation 6 = turn 90° clockwise
    stored[40:60, 20:80] = 0
    buffer = io.BytesIO()
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = 6
    image.save(buffer, "JPEG", exif=exif)
    path = tmp_path / "rotated.jpg"
    path.write_bytes(buffer.getvalue())
    loaded = load_image(path)
    assert loaded.bgr.shape[:2] == (300, 100) and loaded.original_size == (100, 300)


def test_sixteen_bit_grey_and_alpha(tmp_path):
    deep = (np.linspace(0, 65535, 50 * 60).reshape(50, 60)).astype(np.uint16)
    (tmp_path / "deep.png").write_bytes(_png(deep))
    assert load_image(tmp_path / "deep.png").bgr.dtype == np.uint8
    rgba = np.zeros((40, 40, 4), np.uint8)  # fully transparent: composited on white
    (tmp_path / "alpha.png").write_bytes(_png(rgba))
    assert load_image(tmp_path / "alpha.png").bgr.min() == 255
    grey = np.full((30, 30), 128, np.uint8)
    assert load_image(grey).bgr.shape == (30, 30, 3)


def test_large_photos_are_downscaled_with_the_scale_recorded():
    loaded = load_image(np.full((3000, 4000, 3), 255, np.uint8))
    assert loaded.original_size == (4000, 3000)
    assert loaded.bgr.shape[0] * loaded.bgr.shape[1] <= 4_000_000 and loaded.scale < 1


@pytest.mark.parametrize("content, message", [
    (b"", "empty"), (b"hello, not an image", "not a readable image"),
    (_png(np.zeros((20, 20), np.uint8))[:40], "not a readable image"),
])
def test_unusable_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "bad photo.png"
    path.write_bytes(content)
    with pytest.raises(ImageLoadError, match=message) as error:
        load_image(path)
    assert "bad photo.png" in str(error.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ImageLoadError, match="no such file"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(ImageLoadError, match="directory"):
        load_image(tmp_path)


def test_decompression_bomb_is_refused_from_its_header(tmp_path):
    header = bytearray(_png(np.zeros((8, 8), np.uint8)))
    header[16:24] = (50000).to_bytes(4, "big") * 2  # IHDR claims 50000×50000
    path = tmp_path / "bomb.png"
    path.write_bytes(bytes(header))
    assert declared_size(bytes(header)) == (50000, 50000)
    with pytest.raises(ImageLoadError, match="over the limit"):
        load_image(path)


def test_byte_limit(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(_png(np.zeros((100, 100), np.uint8)))
    with pytest.raises(ImageLoadError, match="bytes"):
        load_image(path, max_bytes=10)


@pytest.mark.parametrize("ext", [".jpg", ".png", ".bmp", ".tiff", ".webp"])
def test_formats_and_their_declared_sizes(ext):
    image = np.full((37, 53, 3), 200, np.uint8)
    data = cv2.imencode(ext, image)[1].tobytes()
    assert declared_size(data) == (53, 37)
    assert load_image(data).original_size == (53, 37)
