"""Ruled and squared paper printed in a colour: read in the channel that fades its lines."""

import warnings

import cv2
import numpy as np
import pytest

from exprocr.segment.binarize import candidate_mask, ink_darkness
from exprocr.segment.colour import ruling_free_channel
from exprocr.segment.rules import find_rulings
from exprocr.segment.segmenter import segment
from tests.drawing import draw_lines

PINK, BLUE, GREEN, GREY = (170, 140, 235), (235, 190, 150), (160, 210, 160), (170, 170, 170)  # BGR
PENCIL, BLUE_INK, PALE_BLUE_INK = (90, 90, 90), (150, 60, 25), (215, 140, 80)


def _squared(grid_colour, ink) -> np.ndarray:
    """`12-34+1` on squared paper, the minus written along a grid line (printed under the ink)."""
    photo = draw_lines(["12-34+1"], size=(600, 300), ink=ink, width=3)
    h, w = photo.shape[:2]
    grid = np.full_like(photo, 255)
    for y in range(0, h, 30):
        cv2.line(grid, (0, y), (w, y), grid_colour, 1, cv2.LINE_AA)
    for x in range(25, w, 30):
        cv2.line(grid, (x, 0), (x, h), grid_colour, 1, cv2.LINE_AA)
    return (photo.astype(np.float32) * grid / 255).astype(np.uint8)


@pytest.mark.parametrize("grid, ink, channel", [
    (PINK, PENCIL, 2), (BLUE, PENCIL, 0), (GREEN, PENCIL, 1),  # the channel the lines fade in
    (GREY, PENCIL, None),  # no channel fades grey lines
    (BLUE, BLUE_INK, 0),  # dark blue ink still shows in blue light
    (BLUE, PALE_BLUE_INK, None),  # ink of the lines' own hue fades with them
])
def test_the_channel_that_fades_the_rulings_is_taken_only_where_the_ink_stays(grid, ink, channel):
    photo = _squared(grid, ink)
    ink_map = ink_darkness(photo)
    mask, _ = candidate_mask(ink_map)
    assert ruling_free_channel(photo, mask, ink_map.darkness, find_rulings(mask, ink_map.paper)) == channel


def test_pencil_along_a_pink_grid_line_is_kept_when_the_grid_is_removed():
    # In the darkest channel the pale pencil minus is hardly darker than the line under it
    # and goes with it; in red light the pink line is nearly paper.
    assert [len(line.glyphs) for line in segment(_squared(PINK, PENCIL)).lines] == [7]


def test_a_grid_so_dense_no_paper_shows_between_its_lines_keeps_the_darkest_channel():
    # Lines every 8 px leave no paper outside their bands in every 4th pixel sampled:
    # no colour of paper to measure against, so no channel is chosen (and no empty median).
    photo = draw_lines(["12-34"], size=(420, 200), ink=PENCIL, width=3)
    h, w = photo.shape[:2]
    grid = np.full_like(photo, 255)
    for y in range(0, h, 8):
        cv2.line(grid, (0, y), (w, y), PINK, 1, cv2.LINE_AA)
    photo = (photo.astype(np.float32) * grid / 255).astype(np.uint8)
    ink_map = ink_darkness(photo)
    mask, _ = candidate_mask(ink_map)
    rulings = find_rulings(mask, ink_map.paper)
    assert len(rulings) >= 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ruling_free_channel(photo, mask, ink_map.darkness, rulings) is None
