"""The writing's angle is found, the photo levelled, and boxes mapped back."""

import cv2
import numpy as np
import pytest

from exprocr.segment.skew import level, levelling, needs_levelling, unlevel_box, writing_angle
from tests.drawing import draw_lines, rotate_bound


@pytest.mark.parametrize("degrees", [0, 6, -9, 12])
def test_the_writings_angle_is_found_to_a_degree(degrees):
    # Turned counter-clockwise by `degrees`, the line rises to the right: a negative angle.
    photo = rotate_bound(draw_lines(["12+34×5-678", "7-4+12×90"], size=(900, 420)), degrees)
    assert writing_angle(photo) == pytest.approx(-degrees, abs=1.0)


def test_a_blank_page_has_no_angle_and_a_small_one_is_left_alone():
    assert writing_angle(np.full((300, 400, 3), 240, np.uint8)) == 0.0
    assert not needs_levelling(2.0) and needs_levelling(-8.0)


def test_a_box_levelled_and_mapped_back_surrounds_the_same_place():
    photo = np.zeros((300, 500, 3), np.uint8)
    photo[100:140, 200:230] = 255
    levelled = level(photo, -10.0)
    matrix, size = levelling((500, 300), -10.0)
    assert size == (levelled.shape[1], levelled.shape[0])
    ys, xs = np.nonzero(levelled[..., 0] > 127)
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    x, y, w, h = unlevel_box(box, cv2.invertAffineTransform(matrix))
    assert x <= 200 and y <= 100 and x + w >= 230 and y + h >= 140
    assert w <= 30 + 20 and h <= 40 + 20  # no more than the turn's slack around it
