"""Ink mask from a photo, independent of light, shadow and ink colour.

The paper's brightness is estimated at low resolution (a grey closing wipes out pen
strokes, which are thin) and divided out, so shadows and gradients vanish; what remains is
ink darkness in [0, 1]. The threshold follows the writing's own contrast, so faint pencil
and heavy marker both binarize and faint show-through from the back of the sheet does not.
"""

from dataclasses import dataclass

import cv2
import numpy as np

_BACKGROUND_SIDE = 320  # working size of the background estimate (long side, px)
_NOT_PAPER = 0.33  # background darker than this share of the paper's brightness is not paper
# Pixel-to-pixel grain of the paper (a share of its brightness): real-dev's photos and the
# synthetic ones have at most 0.022, a dim photo with sensor noise 0.05-0.1.
_GRAINY = 0.025  # above this, the darkness is smoothed before thresholding ...
_SMOOTH_GRAIN = 0.012  # ... down to this grain
_CHALK_SHARE = 0.2  # writing covers less of a board than this
_BROAD = 0.5  # what is bright is no mere strokes when this share of it survives an opening


@dataclass
class InkMap:
    """Ink darkness (0 paper … 1 black) and the polarity the photo was read in."""

    darkness: np.ndarray  # float32 H×W
    paper: np.ndarray  # estimated brightness of the paper (or what lies there), H×W
    inverted: bool  # True when the photo showed light ink on a dark board
    noise: float  # robust spread of the paper's darkness
    level: float  # the paper's own darkness (median): above 0 where noise lifted its estimate
    not_paper: np.ndarray  # bool H×W: desk, board frame, deep shade, where no writing is


def ink_channel(bgr: np.ndarray) -> np.ndarray:
    """Grey image in which any ink colour is dark: the darkest channel of each pixel."""
    if bgr.ndim == 2:
        return bgr
    blue, green, red = cv2.split(bgr)
    return cv2.min(cv2.min(blue, green), red)


def _reduced(gray: np.ndarray) -> np.ndarray:
    """The grey image at the working size of the background estimate."""
    h, w = gray.shape
    factor = min(1.0, _BACKGROUND_SIDE / max(h, w))
    return cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)


def _background(gray: np.ndarray, small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Paper brightness at every pixel of `gray` (`small` is its reduced copy), and where
    there is no paper at all.

    A grey closing at low resolution wipes out pen strokes; what is far darker than the
    paper (a desk, a board's frame) is not paper, and neither is a margin around it, where
    the page's edge would otherwise read as a long stroke.
    """
    h, w = gray.shape
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
    closed = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), 5)
    paper = float(np.percentile(closed, 90))
    not_paper = (closed < _NOT_PAPER * paper).astype(np.uint8)
    not_paper = cv2.dilate(not_paper, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11)))
    # Smoothed, but never brighter than the closing: at a page's edge on a darker desk the
    # blur would spread the paper's light over the desk as a bright halo of false ink.
    smooth = cv2.min(cv2.GaussianBlur(closed, (0, 0), 3), closed)
    return (cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR),
            cv2.resize(not_paper, (w, h), interpolation=cv2.INTER_NEAREST).astype(bool))


def _is_board(small: np.ndarray) -> bool:
    """Light writing on a dark board: what is bright in a dark photo is only thin strokes.

    A page lying on a dark desk may leave most of the photo dark, but the page is a broad
    bright region that survives an opening; chalk or light ink is strokes that do not. A
    board lit from one side is itself bright there, broadly and smoothly: seen against its
    own light (divided by a blur far wider than any stroke) only the strokes stay bright,
    and they are a small share of the board, while a page keeps its sharp-edged plateau (or,
    dim and flattened, its grain splits into specks over half of it).
    """
    if float(np.median(small)) >= 100:
        return False
    _, broad = _bright_parts(small)
    if broad < _BROAD:
        return True
    light = cv2.GaussianBlur(small.astype(np.float32), (0, 0), max(small.shape) / 8)
    share, broad = _bright_parts(cv2.normalize(small / np.maximum(light, 1.0), None, 0, 255,
                                               cv2.NORM_MINMAX, cv2.CV_8U))
    return broad < _BROAD and share < _CHALK_SHARE


def _bright_parts(small: np.ndarray) -> tuple[float, float]:
    """What Otsu's threshold finds bright: its share of the image, and the share of it that
    is broad (survives an opening)."""
    _, bright = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    broad = cv2.morphologyEx(bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
    total = float(bright.sum())
    return total / bright.size, float(broad.sum()) / max(total, 1.0)


def _grain(darkness: np.ndarray, not_paper: np.ndarray) -> float:
    """Sensor noise: the robust spread of differences between horizontal neighbours on the
    paper (every eighth row), which light gradients and the writing's edges hardly touch."""
    rows = darkness[::8]
    paper = ~(not_paper[::8, 1:] | not_paper[::8, :-1])
    steps = (rows[:, 1:] - rows[:, :-1])[paper]
    return float(np.median(np.abs(steps))) * 1.4826 / np.sqrt(2.0) if steps.size else 0.0


def ink_darkness(bgr: np.ndarray, channel: int | None = None, not_paper: np.ndarray | None = None) -> InkMap:
    """Per-pixel ink darkness with background divided out; inverts light-on-dark boards.
    Read in the darkest channel, or in `channel` (of BGR) when it is given; `not_paper`
    adds what an earlier reading found was no paper (a desk one channel sees bright)."""
    gray = ink_channel(bgr) if channel is None or bgr.ndim == 2 else np.ascontiguousarray(bgr[..., channel])
    small = _reduced(gray)
    inverted = channel is None and _is_board(small)
    if inverted:
        gray = 255 - (cv2.max(cv2.max(*cv2.split(bgr)[:2]), cv2.split(bgr)[2]) if bgr.ndim == 3 else bgr)
        small = _reduced(gray)
    background, no_paper = _background(gray, small)
    if not_paper is not None:
        no_paper |= not_paper
    # OpenCV's division of the 8-bit images into float32 gives numpy's float32 quotients, bit
    # for bit (all 256 × 255 pairs checked), several times as fast.
    darkness = cv2.divide(gray, np.maximum(background, 1), dtype=cv2.CV_32F)
    np.subtract(1.0, darkness, out=darkness)
    grain = _grain(darkness, no_paper)
    if grain > _GRAINY:
        # White noise falls with a Gaussian's sigma as 1 / (2 sqrt(pi) sigma); pen strokes,
        # several pixels wide, keep their darkness.
        sigma = min(2.5, grain / (_SMOOTH_GRAIN * 2.0 * np.sqrt(np.pi)))
        darkness = cv2.GaussianBlur(darkness, (0, 0), sigma)
    np.clip(darkness, 0.0, 1.0, out=darkness)
    darkness[no_paper] = 0.0  # desk, board frame, deep shade: no writing there
    sample = darkness[::6, ::6]
    median = float(np.median(sample))
    noise = float(np.median(np.abs(sample - median))) * 1.4826 + 1e-3
    return InkMap(darkness=darkness, paper=background, inverted=inverted, noise=noise, level=median,
                  not_paper=no_paper)


def candidate_mask(ink: InkMap) -> tuple[np.ndarray, float]:
    """Loose ink mask (anything clearly above paper noise) and the threshold used.

    It is deliberately generous: components are judged afterwards by their own contrast
    against the writing's, which is how faint pencil is kept and show-through dropped.
    """
    # Paper several noise spreads darker than white is noise lifting the paper's estimate
    # (the closing keeps each window's brightest grain): the threshold starts from the paper.
    level = ink.level if ink.level > 2.0 * ink.noise else 0.0
    threshold = max(level + 6.0 * ink.noise, 0.07)
    mask = (ink.darkness > threshold).astype(np.uint8)
    return mask, threshold
