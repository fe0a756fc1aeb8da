"""Overlay of what was read: boxes, labels and confidences drawn on the photo."""

import cv2
import numpy as np

from exprocr.segment.types import Page

_LINE_COLOURS = [(0, 160, 0), (200, 90, 0), (0, 90, 220), (160, 0, 160)]


def render_debug(image: np.ndarray, page: Page,
                 labels: list[list[tuple[str, float]]] | None = None,
                 scale: float = 1.0) -> np.ndarray:
    """Draw every glyph box (colour per line) with its label and probability when given.

    `labels[i][j]` is the (label, probability) of glyph j of line i. Low-probability glyphs
    are drawn in red so a person finds the doubtful ones at a glance. `scale` maps the
    page's original-pixel boxes onto `image` (e.g. the downscaled processing image).
    """
    canvas = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    thickness = max(1, round(max(canvas.shape[:2]) / 800))
    font = max(0.4, max(canvas.shape[:2]) / 1600)
    for i, line in enumerate(page.lines):
        colour = _LINE_COLOURS[i % len(_LINE_COLOURS)]
        for j, glyph in enumerate(line.glyphs):
            x, y, w, h = (int(round(v * scale)) for v in glyph.box)
            box_colour = colour
            text = "." if glyph.kind == "dot" else ""
            if labels is not None and i < len(labels) and j < len(labels[i]):
                label, probability = labels[i][j]
                text = f"{label} {probability:.2f}"
                if probability < 0.6:
                    box_colour = (0, 0, 255)
            cv2.rectangle(canvas, (x, y), (x + w, y + h), box_colour, thickness)
            if text:
                cv2.putText(canvas, text.replace("×", "x").replace("÷", ":"), (x, max(12, y - 4)),
                            cv2.FONT_HERSHEY_SIMPLEX, font, box_colour, thickness, cv2.LINE_AA)
    return canvas
