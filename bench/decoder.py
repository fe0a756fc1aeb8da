"""Decoder benchmark: grammar-aware decoding vs plain argmax on simulated classifier output.

    python -m bench.decoder [--n 3000] [--seed 0]

Lines are random valid expressions; each glyph's probabilities come from a confusion model
of the classes a glyph classifier really mixes up (1 / ( ), 0 (, - =, × +, 7 1 …).
"""

import argparse

import numpy as np

from bench.photosynth import random_expression
from bench.report import write_report
from exprocr.evaluate.decoder import GlyphInput, decode_line
from exprocr.evaluate.expression import to_ascii

CONFUSABLE = {"1": "/()7", "/": "1()", "(": "1/0", ")": "1/", "0": "(6", "-": "=", "=": "-",
              "×": "+4", "+": "×4", "7": "1", "5": "6", "÷": "+", "4": "9"}
CLASSES = tuple("0123456789") + ("+", "-", "×", "÷", "/", "=", "(", ")")


def simulate(label: str, rng: np.random.Generator) -> list[tuple[str, float]]:
    """Top-4 (label, probability): right most of the time, a confusable class some of it."""
    rivals = list(CONFUSABLE.get(label, "")) or [str(rng.choice(CLASSES))]
    if rng.random() > 0.1:  # right, mostly with confidence
        winner, p = label, rng.uniform(0.5, 0.99)
    else:  # wrong: a confusable class wins narrowly, the true class usually runs second
        winner, p = str(rng.choice(rivals)), rng.uniform(0.35, 0.7)
    others = [c for c in dict.fromkeys([label, *rivals, *rng.choice(CLASSES, 3)]) if c != winner][:3]
    rest = rng.dirichlet([4.0] + [1.0] * (len(others) - 1)) * (1 - p)
    return [(winner, p)] + list(zip(others, rest))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    grammar = argmax = 0
    for _ in range(args.n):
        text = random_expression(rng).replace(".", "")
        glyphs = [GlyphInput(top=simulate(c, rng)) for c in text]
        truth = to_ascii(text)
        grammar += decode_line(glyphs).ascii == truth
        argmax += to_ascii("".join(max(g.top, key=lambda o: o[1])[0] for g in glyphs)) == truth
    figures = {"lines": args.n, "exact-line, plain argmax": argmax / args.n,
               "exact-line, grammar-aware decoding": grammar / args.n}
    write_report("decoder", f"Decoder on {args.n} simulated lines (seed {args.seed})", figures)


if __name__ == "__main__":
    main()
