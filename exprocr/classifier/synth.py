"""Handwriting-like operator glyphs `+ - × ÷ / = ( )`, drawn stroke by stroke.

MNIST has digits only; real operators vary in ways a font never does: arms of unequal
length that cross off-centre, an `x` drawn as two arcs or a star `*`, an obelus whose dots
are blobs, ticks or tiny circles, bars that tilt and curve. Each draw picks its geometry,
pen width and wobble at random; the glyph then passes through `normalize_glyph` like every
other training image.
"""

from collections.abc import Callable

import cv2
import numpy as np

OPERATORS: tuple[str, ...] = ("+", "-", "×", "÷", "/", "=", "(", ")")
_CANVAS = 96
Stroke = np.ndarray  # (K, 2) float points on the canvas


def _line(rng: np.random.Generator, start: tuple[float, float], end: tuple[float, float],
          bend: float = 0.08) -> Stroke:
    """A slightly curved, wobbly stroke from start to end."""
    t = np.linspace(0.0, 1.0, 12)[:, None]
    a, b = np.array(start, float), np.array(end, float)
    normal = np.array([-(b - a)[1], (b - a)[0]])
    curve = rng.uniform(-bend, bend) * np.sin(np.pi * t) * normal
    wobble = rng.normal(0, 0.6, (12, 2)).cumsum(axis=0) * 0.25
    return a + (b - a) * t + curve + wobble


def _arc(rng: np.random.Generator, centre: tuple[float, float], radii: tuple[float, float],
         start: float, stop: float) -> Stroke:
    angles = np.linspace(start, stop, 16)
    points = np.stack([centre[0] + radii[0] * np.cos(angles), centre[1] + radii[1] * np.sin(angles)], 1)
    return points + rng.normal(0, 0.5, points.shape)


def _rotate(strokes: list[Stroke], degrees: float) -> list[Stroke]:
    theta = np.radians(degrees)
    matrix = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    centre = np.array([_CANVAS / 2, _CANVAS / 2])
    return [(s - centre) @ matrix.T + centre for s in strokes]


def _arm(rng: np.random.Generator, centre: tuple[float, float], angle: float, half: float,
         bend: float = 0.08) -> Stroke:
    """A stroke through `centre` at `angle` radians above level, `half` long each way."""
    dx, dy = half * np.cos(angle), half * np.sin(angle)
    return _line(rng, (centre[0] - dx, centre[1] + dy), (centre[0] + dx, centre[1] - dy), bend)


def _jitter(rng: np.random.Generator, scale: float = 4.0) -> float:
    return float(rng.normal(0, scale))


def _plus(rng):
    c = _CANVAS / 2
    half_h, half_v = rng.uniform(16, 34), rng.uniform(16, 34)
    ox, oy = rng.uniform(-0.25, 0.25) * half_h, rng.uniform(-0.25, 0.25) * half_v
    return _rotate([_line(rng, (c - half_h, c + oy), (c + half_h, c + oy + _jitter(rng))),
                    _line(rng, (c + ox, c - half_v), (c + ox + _jitter(rng), c + half_v))],
                   rng.uniform(-12, 12)), []


def _minus(rng):
    c, half = _CANVAS / 2, rng.uniform(14, 40)
    return _rotate([_line(rng, (c - half, c), (c + half, c + _jitter(rng, 2)), bend=0.12)],
                   rng.uniform(-8, 8)), []


def _cross(rng):
    c = _CANVAS / 2
    style = rng.choice(["x", "x", "lean", "arcs", "star"])
    if style == "star":
        spokes = int(rng.choice([3, 3, 4]))
        r = rng.uniform(16, 30)
        base = rng.uniform(0, 180)
        return [_arm(rng, (c, c), -a, r, 0.03) for a in np.radians(base + 180 / spokes * np.arange(spokes))], []
    if style == "lean":  # a letter x: one arm near upright, the other well off level and often off centre
        steep, shallow = np.radians(rng.uniform(55, 80)), -np.radians(rng.uniform(32, 55))
        side = rng.choice([-1.0, 1.0])  # which way the upright arm leans
        steep, shallow = side * steep, side * shallow
        long_half, short_half = rng.uniform(18, 34), rng.uniform(12, 28)
        along = rng.uniform(-0.3, 0.3) * long_half  # where the short arm crosses the long one
        crossing = (c + along * np.cos(steep), c - along * np.sin(steep))
        return [_arm(rng, (c, c), steep, long_half), _arm(rng, crossing, shallow, short_half)], []
    w, h = rng.uniform(16, 32), rng.uniform(16, 32)
    if style == "arcs":  # a cursive x: ')' and '(' back to back
        r = (w * rng.uniform(0.6, 0.9), h)
        offset = r[0] * rng.uniform(0.9, 1.05)  # the arcs' bellies meet at the centre
        return [_arc(rng, (c - offset, c), r, -1.0, 1.0),
                _arc(rng, (c + offset, c), r, np.pi - 1.0, np.pi + 1.0)], []
    return _rotate([_line(rng, (c - w, c - h), (c + w, c + h)),
                    _line(rng, (c + w + _jitter(rng), c - h), (c - w, c + h + _jitter(rng)))],
                   rng.uniform(-10, 10)), []


def _obelus(rng, pen: float):
    c, half = _CANVAS / 2, rng.uniform(16, 34)
    # The dots are drawn clear of the bar (blur may still fuse them, as in a photo).
    gap = max(rng.uniform(0.35, 0.8) * half, 2.1 * pen)
    dots = [(c + _jitter(rng, 3), c - gap), (c + _jitter(rng, 3), c + gap)]
    bar = _line(rng, (c - half, c), (c + half, c + _jitter(rng, 2)))
    style = rng.choice(["blob", "blob", "tick", "ring"])
    if style == "tick":
        ticks = [_line(rng, (x - 2, y - 3), (x + 2, y + 3), 0.0) for x, y in dots]
        return _rotate([bar, *ticks], rng.uniform(-8, 8)), []
    return _rotate([bar], rng.uniform(-8, 8)), [(x, y, style) for x, y in dots]


def _slash(rng):
    c, half = _CANVAS / 2, rng.uniform(22, 40)
    lean = np.radians(rng.uniform(12, 50))
    dx, dy = half * np.sin(lean), half * np.cos(lean)
    return [_line(rng, (c - dx, c + dy), (c + dx, c - dy), bend=0.06)], []


def _equals(rng, pen: float):
    c, half = _CANVAS / 2, rng.uniform(14, 34)
    gap = max(rng.uniform(0.25, 0.7) * half, 1.3 * pen)  # two bars drawn apart, not one thick `-`
    other = half * rng.uniform(0.75, 1.25)
    return _rotate([_line(rng, (c - half, c - gap / 2), (c + half, c - gap / 2 + _jitter(rng, 2))),
                    _line(rng, (c - other + _jitter(rng, 3), c + gap / 2), (c + other, c + gap / 2))],
                   rng.uniform(-8, 8)), []


def _paren(rng, opening: bool):
    c = _CANVAS / 2
    ry, rx = rng.uniform(28, 42), rng.uniform(12, 30)
    span = rng.uniform(0.75, 1.3)
    if opening:
        return [_arc(rng, (c + rx * 0.5, c), (rx, ry), np.pi - span, np.pi + span)], []
    return [_arc(rng, (c - rx * 0.5, c), (rx, ry), -span, span)], []


_SHAPES: dict[str, Callable] = {  # (rng, pen) → strokes, dots
    "+": lambda rng, pen: _plus(rng), "-": lambda rng, pen: _minus(rng), "×": lambda rng, pen: _cross(rng),
    "÷": _obelus, "/": lambda rng, pen: _slash(rng), "=": _equals,
    "(": lambda rng, pen: _paren(rng, True), ")": lambda rng, pen: _paren(rng, False),
}


def render_operator(symbol: str, rng: np.random.Generator) -> np.ndarray:
    """One handwritten-looking operator: uint8, ink 255 on 0, on a 96×96 canvas."""
    if symbol not in _SHAPES:
        raise ValueError(f"no synthetic renderer for {symbol!r}; known: {' '.join(OPERATORS)}")
    pen = float(rng.choice([rng.uniform(2.0, 4.0), rng.uniform(4.0, 8.0)]))
    strokes, dots = _SHAPES[symbol](rng, pen)
    canvas = np.zeros((_CANVAS * 4, _CANVAS * 4), np.uint8)  # drawn at 4× for smooth edges
    for stroke in strokes:
        points = np.round(stroke * 4).astype(np.int32)
        cv2.polylines(canvas, [points], False, 255, max(1, int(pen * 4)), cv2.LINE_AA)
    for x, y, style in dots:
        radius = pen * rng.uniform(0.6, 1.3) * 4
        if style == "ring":
            cv2.circle(canvas, (int(x * 4), int(y * 4)), int(radius * 1.6), 255, max(1, int(pen * 2.5)), cv2.LINE_AA)
        else:
            cv2.circle(canvas, (int(x * 4), int(y * 4)), int(radius), 255, -1, cv2.LINE_AA)
    return cv2.resize(canvas, (_CANVAS, _CANVAS), interpolation=cv2.INTER_AREA)


def render_batch(symbol: str, n: int, seed: int) -> list[np.ndarray]:
    """`n` draws of one operator from a seeded generator: the same seed, the same glyphs."""
    rng = np.random.default_rng(seed)
    return [render_operator(symbol, rng) for _ in range(n)]
