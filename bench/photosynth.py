"""Synthetic photos of handwritten arithmetic, with the truth of every glyph.

For tests, benchmarks and samples: lines composed from MNIST *test* digits and operator
glyphs (synthetic, and bhmsds-dev operators when that developer set is present), laid out
with jittered baselines, sizes and gaps (some digits touching), then put on simulated paper
and through a simulated camera: plain, ruled or squared paper, tint, light gradient, cast
shadow, print showing through, desk around the page, black/blue/pencil/marker ink,
perspective, skew, blur, noise and JPEG. Every parameter is drawn from a distribution.

    python -m bench.photosynth OUT --n 300 --seed 1
"""

import argparse
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from exprocr.classifier import mnist
from exprocr.classifier.normalize import stroke_width
from exprocr.classifier.synth import render_operator

BHMSDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "bhmsds-dev.npz"
_BHMSDS_OPERATORS = {"plus": "+", "minus": "-", "slash": "/", "x": "×"}
_ASCII = {"×": "*", "÷": "/"}


@dataclass
class SynthGlyph:
    label: str  # '0'-'9', '+', '-', '×', '÷', '/', '=', '(', ')', '.'
    box: tuple[int, int, int, int]  # x, y, w, h in image pixels


@dataclass
class SynthLine:
    glyphs: list[SynthGlyph]
    touching: bool = False

    @property
    def display(self) -> str:
        return "".join(g.label for g in self.glyphs)

    @property
    def text(self) -> str:
        return "".join(_ASCII.get(g.label, g.label) for g in self.glyphs)


@dataclass
class SyntheticPhoto:
    image: np.ndarray
    lines: list[SynthLine]
    params: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return " | ".join(line.text for line in self.lines)


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    images, labels = mnist.load("test")
    return images, labels


@lru_cache(maxsize=1)
def _bhmsds_operators() -> dict[str, np.ndarray]:
    if not BHMSDS.is_file():
        return {}
    with np.load(BHMSDS, allow_pickle=False) as data:
        images, labels = data["images"], data["labels"]
    return {symbol: 255 - images[labels == name] for name, symbol in _BHMSDS_OPERATORS.items()}


def random_expression(rng: np.random.Generator) -> str:
    """A display-form line: a number, an expression, or a (right or wrong) equation."""
    def number() -> str:
        digits = int(rng.choice([1, 1, 2, 2, 3, 4]))
        text = str(int(rng.integers(10 ** (digits - 1) if digits > 1 else 0, 10 ** digits)))
        if rng.random() < 0.08:
            text += "." + str(int(rng.integers(0, 10)))
        return text
    kind = rng.random()
    if kind < 0.08:
        return number()
    terms = int(rng.integers(2, 5))
    parts = [number()]
    for _ in range(terms - 1):
        parts.append(str(rng.choice(["+", "-", "×", "÷", "/", "+", "-", "×"])))
        parts.append(number())
    if rng.random() < 0.15 and terms >= 3:
        start = 2 * int(rng.integers(0, terms - 1))
        parts[start] = "(" + parts[start]
        parts[start + 2] = parts[start + 2] + ")"
    text = "".join(parts)
    if kind > 0.75:
        from exprocr.evaluate.expression import evaluate_text

        value = evaluate_text(text).value
        if value is not None and "/" not in value and not value.startswith("-"):
            shown = int(value) + (int(rng.integers(1, 9)) if rng.random() < 0.4 else 0)
            text += "=" + str(shown)
    return text


def _crop(ink: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(ink > 40)
    return ink[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1] if len(ys) else ink


def _glyph_ink(label: str, rng: np.random.Generator) -> np.ndarray:
    """Ink image (bright on dark, uint8, cropped) of one symbol."""
    if label.isdigit():
        images, labels = _digits()
        candidates = np.flatnonzero(labels == int(label))
        return _crop(images[rng.choice(candidates)])
    if label == ".":
        return np.full((3, 3), 255, np.uint8)
    real = _bhmsds_operators().get(label)
    if real is not None and len(real) and rng.random() < 0.35:
        return _crop(real[rng.integers(len(real))])
    return _crop(render_operator(label, rng))


def _size_of(label: str, ink: np.ndarray, height: float, rng: np.random.Generator) -> tuple[int, int]:
    """Target (w, h) of a symbol in a line whose digits are `height` tall."""
    aspect = ink.shape[1] / max(1, ink.shape[0])
    if label.isdigit():
        h = height * rng.uniform(0.9, 1.08)
    elif label in "()":
        h = height * rng.uniform(1.1, 1.3)
    elif label == "/":
        h = height * rng.uniform(0.85, 1.15)
    elif label in "-=":
        w = height * rng.uniform(0.45, 0.8)
        return int(w), max(2, int(w / max(aspect, 0.5)))
    elif label == ".":
        d = max(2, int(height * rng.uniform(0.08, 0.13)))
        return d, d
    else:
        h = height * rng.uniform(0.5, 0.75)
    return max(2, int(h * aspect)), max(2, int(h))


def _layout(text: str, height: float, rng: np.random.Generator, pen: float):
    """Place a line's glyphs on a local canvas; return (ink canvas float, glyph boxes, touching)."""
    pieces = []
    for label in text:
        ink = _glyph_ink(label, rng)
        w, h = _size_of(label, ink, height, rng)
        if label in "=÷":  # a broad pen writes its parts further apart, or they would fuse into a `-`
            grow = max(1.0, 3.5 * 0.09 * height * pen / h)
            w, h = int(w * grow), int(h * grow)
        glyph = cv2.resize(ink, (w, h), interpolation=cv2.INTER_CUBIC if h > ink.shape[0] else cv2.INTER_AREA)
        glyph = np.clip((glyph.astype(np.float32) / 255.0 - 0.25) * 1.8, 0, 1)  # crisp strokes, not blurry blobs
        if (pen > 1.0 or label.isdigit()) and pen != 1.0 and label != ".":
            k = max(1, int(round(abs(pen - 1.0) * height / 28)))
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
            glyph = cv2.dilate(glyph, kernel) if pen > 1.0 else cv2.erode(glyph, kernel)
        if not label.isdigit() and label != ".":  # one pen writes digits and operators alike
            target = 0.09 * height * pen
            width = stroke_width((glyph > 0.5).astype(np.uint8))
            if 0 < width < 0.7 * target:
                k = int(round((target - width) / 2))
                glyph = cv2.dilate(glyph, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
        if label == ".":
            glyph = np.zeros((h, w), np.float32)
            cv2.circle(glyph, (w // 2, h // 2), max(1, w // 2), 1.0, -1, cv2.LINE_AA)
        pieces.append((label, glyph))
    total_w = int(sum(g.shape[1] for _, g in pieces) + height * 0.6 * len(pieces) + 4 * height)
    canvas = np.zeros((int(height * 3), total_w), np.float32)
    baseline = height * 2.0
    x, boxes, touching, previous = height * 0.5, [], False, ""
    for label, glyph in pieces:
        h, w = glyph.shape
        if label.isdigit():
            y = baseline - h + rng.normal(0, height * 0.03)
        elif label == ".":
            y = baseline - h
        else:
            y = baseline - height / 2 - h / 2 + rng.normal(0, height * 0.03)
        gap = height * rng.uniform(0.12, 0.45)
        if label == "." or previous == ".":
            gap = height * rng.uniform(0.05, 0.15)
        elif label.isdigit() and previous.isdigit() and rng.random() < 0.06:
            gap = -height * rng.uniform(0.04, 0.12)  # two digits that touch
            touching = True
        x = max(0.0, x + gap) if boxes else x
        ix, iy = int(x), int(max(0, y))
        region = canvas[iy:iy + h, ix:ix + w]
        np.maximum(region, glyph[: region.shape[0], : region.shape[1]], out=region)
        boxes.append((label, (ix, iy, w, h)))
        x += w
        previous = label
    used = int(x + height * 0.5)
    return canvas[:, :used], boxes, touching


def _paper(rng: np.random.Generator, size: tuple[int, int], style: str | None) -> tuple[np.ndarray, dict]:
    w, h = size
    tint = rng.uniform(205, 248) + rng.normal(0, 5, 3)  # near-white with a slight colour cast
    paper = np.ones((h, w, 3), np.float32) * np.clip(tint, 0, 255).astype(np.float32)
    style = style or str(rng.choice(["plain", "plain", "plain", "ruled", "squared"]))
    if style != "plain":
        spacing = int(rng.uniform(0.02, 0.06) * max(w, h)) + 6
        colour = np.array(rng.choice([[200, 160, 120], [180, 180, 180], [150, 200, 150], [210, 170, 170]]), float)
        thick = max(1, int(max(w, h) / 900))
        for y in range(int(rng.uniform(0, spacing)), h, spacing):
            cv2.line(paper, (0, y), (w, y), colour.tolist(), thick, cv2.LINE_AA)
        if style == "squared":
            for x in range(int(rng.uniform(0, spacing)), w, spacing):
                cv2.line(paper, (x, 0), (x, h), colour.tolist(), thick, cv2.LINE_AA)
    return paper, {"paper": style}


def _light(image: np.ndarray, rng: np.random.Generator, shadow: bool | None) -> tuple[np.ndarray, dict]:
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)  # noqa: keep float32 throughout
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    ramp = 1.0 - rng.uniform(0.0, 0.35) * (ramp - ramp.min()) / max(1e-6, np.ptp(ramp))
    params = {"shadow": False}
    if rng.random() < 0.35 if shadow is None else shadow:  # a soft cast shadow across part of the photo
        small = (max(1, w // 8), max(1, h // 8))  # drawn and softened small, then stretched
        mask = np.zeros(small[::-1], np.float32)
        points = np.array([[rng.uniform(-0.2, 1.2) * small[0], rng.uniform(-0.2, 1.2) * small[1]]
                           for _ in range(4)], np.int32)
        cv2.fillConvexPoly(mask, cv2.convexHull(points), 1.0)
        mask = cv2.resize(cv2.GaussianBlur(mask, (0, 0), max(small) * 0.03), (w, h))
        ramp *= 1.0 - rng.uniform(0.25, 0.5) * mask
        params["shadow"] = True
    return image * ramp[..., None].astype(np.float32), params


def synthesize_photo(rng: np.random.Generator, **overrides) -> SyntheticPhoto:
    """One photo with 1–3 lines of writing and the truth of every glyph."""
    n_lines = overrides.get("lines") or int(rng.choice([1, 1, 1, 2, 2, 3]))
    texts = overrides.get("texts") or [random_expression(rng) for _ in range(n_lines)]
    height = overrides.get("height") or float(np.exp(rng.uniform(np.log(22), np.log(180))))
    pen = float(rng.choice([1.0, 1.0, rng.uniform(0.6, 1.0), rng.uniform(1.0, 2.2)]))
    laid = [_layout(t, height, rng, pen) for t in texts]
    text_w = max(c.shape[1] for c, _, _ in laid)
    line_gap = height * rng.uniform(0.3, 1.2)
    text_h = int(sum(c.shape[0] for c, _, _ in laid) - (len(laid) - 1) * height * 0.8 + line_gap * (len(laid) - 1))
    tight = overrides.get("tight", rng.random() < 0.25)
    margin = rng.uniform(0.05, 0.3) if tight else rng.uniform(0.4, 2.0)
    w = int(text_w * (1 + margin)) + 8
    h = int(max(text_h * (1 + margin * 2), w * rng.uniform(0.45, 0.8))) + 8
    ink = np.zeros((h, w), np.float32)
    ox, oy = int((w - text_w) * rng.uniform(0.2, 0.8)), int((h - text_h) * rng.uniform(0.2, 0.8))
    lines = []
    for canvas, boxes, touching in laid:
        region = ink[oy:oy + canvas.shape[0], ox:ox + canvas.shape[1]]
        np.maximum(region, canvas[: region.shape[0], : region.shape[1]], out=region)
        lines.append(SynthLine([SynthGlyph(label, (x + ox, y + oy, bw, bh)) for label, (x, y, bw, bh) in boxes],
                               touching))
        oy += int(canvas.shape[0] - height * 0.8 + line_gap)

    longest = 3400 if rng.random() < 0.1 else 2000  # mostly phone-preview sizes, some 12 MP
    shrink = min(1.0, longest / max(w, h))
    if shrink < 1.0:
        w, h = int(w * shrink), int(h * shrink)
        ink = cv2.resize(ink, (w, h), interpolation=cv2.INTER_AREA)
        height *= shrink
        for line in lines:
            for glyph in line.glyphs:
                x, y, bw, bh = glyph.box  # pixel edges scale exactly; round them, not floor
                x0, y0 = round(x * shrink), round(y * shrink)
                glyph.box = (x0, y0, round((x + bw) * shrink) - x0, round((y + bh) * shrink) - y0)
    paper, params = _paper(rng, (w, h), overrides.get("paper"))
    if rng.random() < 0.2:  # print showing through from the back of the sheet
        ghost = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(3, 10))):
            cv2.putText(ghost, str(int(rng.integers(0, 99999))), (int(rng.uniform(0, w)), int(rng.uniform(0, h))),
                        cv2.FONT_HERSHEY_SIMPLEX, height / 30, 255, max(1, int(height / 15)))
        ghost = cv2.flip(cv2.GaussianBlur(ghost.astype(np.float32) / 255, (0, 0), 1.5), 1)
        paper *= 1.0 - rng.uniform(0.04, 0.12) * ghost[..., None]
        params["show_through"] = True
    ink_colour = {"black": (30, 30, 35), "blue": (150, 60, 25), "pencil": (110, 105, 100),
                  "marker": (15, 15, 15)}
    colour_name = str(overrides.get("ink") or rng.choice(["black", "black", "blue", "pencil"]))
    colour = (np.array(ink_colour[colour_name], np.float32) + rng.normal(0, 8, 3)).astype(np.float32)
    strength = rng.uniform(0.45, 0.8) if colour_name == "pencil" else rng.uniform(0.85, 1.0)
    alpha = (ink * strength)[..., None]
    image = paper * (1 - alpha) + colour * alpha
    image, light = _light(image, rng, overrides.get("shadow"))
    params.update(light, ink=colour_name, height=round(height, 1), pen=round(pen, 2))

    # Camera: the page on a desk, perspective and skew, then blur, noise and JPEG.
    desk = overrides.get("desk", rng.random() < 0.3)
    border = int(0.15 * max(w, h)) if desk else 0
    if desk:
        desk_colour = rng.uniform(30, 150, 3)
        image = cv2.copyMakeBorder(image, border, border, border, border, cv2.BORDER_CONSTANT, value=desk_colour.tolist())
    H, W = image.shape[:2]
    skew = np.radians(rng.uniform(-4, 4))
    jitter = rng.uniform(-0.04, 0.04, (4, 2)) * [W, H]
    source = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    centre = np.array([W / 2, H / 2])
    rotation = np.array([[np.cos(skew), -np.sin(skew)], [np.sin(skew), np.cos(skew)]])
    target = np.float32((source - centre) @ rotation.T + centre + jitter)
    target -= target.min(axis=0)
    out_w, out_h = int(target[:, 0].max()), int(target[:, 1].max())
    matrix = cv2.getPerspectiveTransform(source, target)
    edge = (np.array([rng.uniform(30, 150)] * 3)).tolist()
    image = cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=edge)
    for line in lines:
        for glyph in line.glyphs:
            x, y, bw, bh = glyph.box
            # OpenCV warps pixel centres (pixel i at i): the box's edges lie half a pixel out.
            left, top, right, bottom = x + border - 0.5, y + border - 0.5, x + bw + border - 0.5, y + bh + border - 0.5
            corners = np.float32([[left, top], [right, top], [right, bottom], [left, bottom]])
            mapped = cv2.perspectiveTransform(corners[None], matrix)[0] + 0.5
            x0, y0 = np.round(mapped.min(axis=0)).astype(int)
            x1, y1 = np.round(mapped.max(axis=0)).astype(int)
            glyph.box = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
    sigma = rng.uniform(0, 1.2) * max(1.0, height / 60)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    image = image + rng.standard_normal(image.shape, dtype=np.float32) * np.float32(rng.uniform(1, 7))
    image = np.clip(image, 0, 255).astype(np.uint8)
    quality = int(rng.uniform(50, 95))
    image = cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
    params.update(desk=desk, blur=round(sigma, 2), jpeg=quality, size=(out_w, out_h))
    return SyntheticPhoto(image, lines, params)


def write_dataset(out_dir: str | Path, n: int, seed: int) -> Path:
    """Photos as JPEG, `labels.tsv` (like real-dev) and `truth.jsonl` (every glyph box)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    with open(out / "labels.tsv", "w") as labels, open(out / "truth.jsonl", "w") as truth:
        labels.write("file\texpression\n")
        for i in range(n):
            photo = synthesize_photo(rng)
            name = f"synth_{seed}_{i:04d}.jpg"
            cv2.imwrite(str(out / name), photo.image, [cv2.IMWRITE_JPEG_QUALITY, 95])
            labels.write(f"{name}\t{photo.label}\n")
            truth.write(json.dumps({"file": name, "params": photo.params, "lines": [
                {"text": line.text, "touching": line.touching,
                 "glyphs": [{"label": g.label, "box": g.box} for g in line.glyphs]} for line in photo.lines]}) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(write_dataset(args.out, args.n, args.seed))


if __name__ == "__main__":
    main()
