"""Real photos, changed the way other people's photos differ: how stable is the reading?

    python -m bench.real_variants [--photos DIR] [--labels TSV]

Each real-dev photo is read as it is and as a variant: smaller (a messenger's resize, a
distant shot), turned 4° to 13°, JPEG-compressed hard, dimmed, blurred, lit unevenly,
seen at a slant (keystone), taken in low light with sensor noise, half in a hard shadow,
written on squared paper, as its negative (light writing on a dark ground, as chalk on a
board: the lighting inverted too), upside down or sideways with no orientation tag to say so.
A reader that holds up here is less likely to be tuned to these particular photos. The
variants are made in memory; nothing is written beside the photos.
"""

import argparse
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from bench.real import REAL_DEV
from bench.report import write_report
from exprocr.photo_eval import load_labels, score_photos
from exprocr.reader import Reader
from exprocr.segment.load import load_image


def _turned(image: np.ndarray, degrees: float, paper: bool = False) -> np.ndarray:
    """Turned about its centre. The corners are filled with the edge pixels carried out, or
    with `paper` of the photo's own median colour (the smeared edge draws streaks a real
    photo does not have, and a levelled reading would meet them)."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    if not paper:
        return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    colour = tuple(float(v) for v in np.median(image.reshape(-1, image.shape[2]), axis=0))
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=colour)


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)


def _shrunk(image: np.ndarray, factor: float) -> np.ndarray:
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _keystone(image: np.ndarray, narrowing: float = 0.12) -> np.ndarray:
    """Photographed from below the page: its top is `narrowing` narrower on each side,
    with paper of the photo's own median colour where the frame has none."""
    h, w = image.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    narrowed = np.float32([[w * narrowing, 0], [w * (1 - narrowing), 0], [w, h], [0, h]])
    colour = tuple(float(v) for v in np.median(image.reshape(-1, image.shape[2]), axis=0))
    return cv2.warpPerspective(image, cv2.getPerspectiveTransform(corners, narrowed), (w, h),
                               borderMode=cv2.BORDER_CONSTANT, borderValue=colour)


def _grainy(image: np.ndarray) -> np.ndarray:
    """Low light: dimmer, with a camera sensor's noise (fixed seed, so runs compare)."""
    noise = np.random.default_rng(0).normal(0, 12, image.shape).astype(np.float32)
    return np.clip(image.astype(np.float32) * 0.7 + noise, 0, 255).astype(np.uint8)


def _uneven(image: np.ndarray) -> np.ndarray:
    ramp = np.linspace(0.45, 1.0, image.shape[1], dtype=np.float32)[None, :, None]
    return (image.astype(np.float32) * ramp).astype(np.uint8)


def _hard_shadow(image: np.ndarray) -> np.ndarray:
    """A phone's shadow over the right part of the photo: 0.45 as bright, its border slanted
    through the middle and soft over 0.4% of the photo's side (a penumbra)."""
    h, w = image.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    across = ((xs - 0.55 * w) * 0.8 + (ys - 0.5 * h) * 0.6) / max(2.0, 0.004 * max(h, w))
    shade = 1 - 0.55 / (1 + np.exp(-np.clip(across, -50, 50)))
    return (image.astype(np.float32) * shade[..., None]).astype(np.uint8)


def _squared(image: np.ndarray) -> np.ndarray:
    """Written on squared paper: a pink grid of squares 3% of the photo's side, its lines a
    25th of a square wide, under the ink (multiplied in, as ink on printed paper)."""
    h, w = image.shape[:2]
    step = max(12, int(0.03 * max(h, w)))
    grid = np.full_like(image, 255)
    for y in range(step // 2, h, step):
        cv2.line(grid, (0, y), (w, y), (170, 140, 235), max(1, step // 25), cv2.LINE_AA)
    for x in range(step // 2, w, step):
        cv2.line(grid, (x, 0), (x, h), (170, 140, 235), max(1, step // 25), cv2.LINE_AA)
    return (image.astype(np.float32) * grid / 255).astype(np.uint8)


VARIANTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "as is": lambda image: image,
    "half size": lambda image: _shrunk(image, 0.5),
    "quarter size": lambda image: _shrunk(image, 0.25),
    "turned +4°": lambda image: _turned(image, 4),
    "turned −6°": lambda image: _turned(image, -6),
    "turned +8°, paper around": lambda image: _turned(image, 8, paper=True),
    "turned −10°, paper around": lambda image: _turned(image, -10, paper=True),
    "turned +12°, paper around": lambda image: _turned(image, 12, paper=True),
    "turned −13°, paper around": lambda image: _turned(image, -13, paper=True),
    "JPEG quality 30": lambda image: _jpeg(image, 30),
    "dimmed": lambda image: np.clip(image.astype(np.float32) * 0.55 + 20, 0, 255).astype(np.uint8),
    "blurred": lambda image: cv2.GaussianBlur(image, (0, 0), 1.2 * max(image.shape[:2]) / 1000),
    "light falling off sideways": _uneven,
    "keystone (top 12% narrower each side)": _keystone,
    "low light with sensor noise": _grainy,
    "hard shadow's border across the writing": _hard_shadow,
    "on squared paper (pink grid)": _squared,
    "negative (light writing on dark)": lambda image: 255 - image,
    "upside down, no orientation tag": lambda image: cv2.rotate(image, cv2.ROTATE_180),
    "turned a quarter, no orientation tag": lambda image: cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE),
    "turned a quarter and +10°, no orientation tag":
        lambda image: _turned(cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE), 10, paper=True),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", default=REAL_DEV)
    parser.add_argument("--labels", default=None)
    args = parser.parse_args()
    if not Path(args.photos).is_dir():
        raise SystemExit(f"{args.photos}: no such folder (real-dev is developer-only data beside the repo)")
    labels = load_labels(args.labels or f"{args.photos}/labels.tsv")
    photos = {name: load_image(f"{args.photos}/{name}").bgr for name in labels}  # EXIF applied
    reader = Reader()
    figures, failures = {}, []
    for variant, change in VARIANTS.items():
        score = score_photos({name: reader.read(change(image)) for name, image in photos.items()}, labels)
        figures[f"line-exact, {variant}"] = score.summary()["line_exact"]
        failures.append(f"| {variant} | {' '.join(row.file for row in score.rows if not row.exact)} |")
    table = "| variant | photos read wrong |\n|---|---|\n" + "\n".join(failures)
    write_report("real_variants", f"Real photos changed ({len(labels)} photos)", figures, table)


if __name__ == "__main__":
    main()
