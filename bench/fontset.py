"""Photos from a second, independent generator: OpenCV's Hershey fonts, not `photosynth`.

Every rule in the reader was looked at on photosynth's photos and on real-dev; the project is
judged on photos from generators it has never seen. This one shares nothing with photosynth
(no MNIST, no bhmsds, no synthetic operators, other layout and paper): text typed in
script and plain Hershey fonts at random size and pen, on tinted paper with a light
gradient, turned a few degrees, blurred, noisy and JPEG-compressed. Operators are
`+ - x / =` (`x` for ×; the fonts have no ÷). A figure that rises here with a change
while photosynth's does too is a change in reading, not in fitting one generator.

    python -m bench.fontset [--n 120] [--seed 0]
"""

import argparse
from pathlib import Path

import cv2
import numpy as np

from bench.generated import read_generated, wrong_readings
from bench.report import write_report
from exprocr.reader import Reader

_FONTS = (cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX, cv2.FONT_HERSHEY_SIMPLEX,
          cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX)
_SIZE = (1200, 900)


def _expression(rng: np.random.Generator) -> str:
    """ASCII with `x` for ×: two to four numbers, sometimes an `=` and a result."""
    def number() -> str:
        return str(int(rng.integers(0, 10 ** int(rng.integers(1, 4)))))
    text = number()
    for _ in range(int(rng.integers(1, 4))):
        text += str(rng.choice(["+", "-", "x", "/"])) + number()
    return text + ("=" + number() if rng.random() < 0.3 else "")


def render(text: str, rng: np.random.Generator) -> bytes:
    """One photo of `text` typed in a random Hershey font, as the bytes of its JPEG file."""
    width, height = _SIZE
    paper = np.full((height, width, 3), rng.uniform(185, 250), np.float32) * rng.uniform(0.93, 1.0, 3)
    paper *= np.linspace(rng.uniform(0.7, 1.0), 1.0, width)[None, :, None]
    font, pen = int(rng.choice(_FONTS)), int(rng.integers(2, 8))
    scale = rng.uniform(2.0, 4.0)
    while cv2.getTextSize(text, font, scale, pen)[0][0] > width - 100:
        scale *= 0.85
    (text_width, text_height), _ = cv2.getTextSize(text, font, scale, pen)
    ink = np.zeros((height, width), np.uint8)
    origin = (int(rng.integers(30, max(31, width - text_width - 30))), int(rng.integers(text_height + 50, height - 50)))
    cv2.putText(ink, text, origin, font, scale, 255, pen, cv2.LINE_AA)
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-4, 4), 1.0)
    alpha = (cv2.warpAffine(ink, turn, (width, height)).astype(np.float32) / 255)[..., None]
    colour = np.array([rng.uniform(0, 90), rng.uniform(0, 60), rng.uniform(0, 60)], np.float32)
    photo = cv2.GaussianBlur(paper * (1 - alpha) + colour * alpha, (0, 0), rng.uniform(0.3, 1.5))
    photo += rng.normal(0, 4, photo.shape)
    quality = int(rng.integers(40, 95))
    _, jpeg = cv2.imencode(".jpg", np.clip(photo, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return jpeg.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, default=None, help="also write the photos and labels.tsv here")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    reader = Reader()

    def photos():
        for i in range(args.n):
            text = _expression(rng)
            yield f"font_{args.seed}_{i:04d}.jpg", render(text, rng), text.replace("x", "*")

    score = read_generated(photos(), reader, args.save)
    figures = {"photos": score.n, "line-exact": score.line_exact, "CER": score.cer,
               "value accuracy": score.value_accuracy}
    write_report("fontset", f"Font-rendered photos, another generator ({args.n}, seed {args.seed})", figures,
                 wrong_readings(score))


if __name__ == "__main__":
    main()
