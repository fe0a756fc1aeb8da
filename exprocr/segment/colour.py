"""The colour of ruled and squared paper: a grey in which printed rulings fade and ink does not.

The ink mask is made from each pixel's darkest channel, so ink of any colour is dark. But
paper is ruled in a colour (light blue, pink, green) that one channel hardly sees: pink
lines are near white in red light, blue ones in blue. Where writing runs along a ruling, a
stroke as pale as the line is erased with it; read in that channel, the line is faint
and the stroke, pencil or black pen, still dark. Grey rulings, and ink of the rulings'
own colour, give no channel that tells them apart: then the darkest channel is kept.
"""

import cv2
import numpy as np

from exprocr.segment.rules import Line

_CLEARER = 2.0  # a channel must show the ink this many times better against the rulings
_INK_SEEN = 0.3  # and the ink, in it, at least this dark against the paper


def _darkness(colour: np.ndarray, paper: np.ndarray) -> np.ndarray:
    return 1.0 - colour / np.maximum(paper, 1.0)


def ruling_free_channel(bgr: np.ndarray, mask: np.ndarray, darkness: np.ndarray,
                        rulings: list[Line]) -> int | None:
    """The channel (0 blue, 1 green, 2 red) in which the ink stands out from the rulings
    `_CLEARER` times better than in the darkest channel, or None. `mask` is the ink mask
    with the rulings still in it, `darkness` the darkest channel's ink darkness."""
    if bgr.ndim != 3 or len(rulings) < 3:
        return None
    on_line = np.zeros(mask.shape, np.uint8)
    for start, end in rulings:
        cv2.line(on_line, start, end, 1, 1)
    band = cv2.dilate(on_line, np.ones((9, 9), np.uint8)).astype(bool)
    ruled = (on_line & mask).astype(bool)
    written = mask.astype(bool) & ~band
    bare = ~(mask[::4, ::4].astype(bool) | band[::4, ::4])  # paper, every 4th pixel
    if ruled.sum() < 50 or written.sum() < 50 or bare.sum() < 50:
        return None  # (a grid so dense its lines' bands leave no paper between them)
    along = darkness[ruled]
    line = np.median(bgr[ruled][along <= np.median(along)], axis=0)  # the line itself, not ink on it
    ink = np.median(bgr[written & (darkness >= np.percentile(darkness[written], 50))], axis=0)
    paper = np.median(bgr[::4, ::4][bare], axis=0)
    ink_dark, line_dark = _darkness(ink, paper), _darkness(line, paper)
    clarity = ink_dark / np.maximum(line_dark, 0.02)
    darkest = _darkness(ink.min(), paper.min()) / max(_darkness(line.min(), paper.min()), 0.02)
    best = int(np.argmax(np.where(ink_dark >= _INK_SEEN, clarity, 0.0)))
    if ink_dark[best] < _INK_SEEN or clarity[best] < _CLEARER * darkest:
        return None
    return best
