"""The writing's angle is found, the photo levelled, and boxes mapped back."""

import cv2
import numpy as np
import pytest

from exprocr.reader import Reader
from exprocr.segment.load import load_image
from exprocr.segment.skew import level, levelling, must_level, needs_levelling, unlevel_box, writing_angle
from tests.drawing import draw_lines, rotate_bound


@pytest.mark.parametrize("degrees", [0, 6, -9, 12, 18, -22])
def test_the_writings_angle_is_found_to_a_degree(degrees):
    # Turned counter-clockwise by `degrees`, the line rises to the right: a negative angle.
    # A phone held 13° off a line that already slopes 4° is 17° off (a search ending at 15°
    # left one of real-dev's lines so turned in two pieces).
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


def test_writing_far_off_level_is_always_read_levelled():
    # A sure reading of writing turned 11° is not trusted as it is: the classifier learnt
    # `+` and `×`, `1` and `/` apart by their angle, turned a few degrees at most.
    assert must_level(-11.0) and not must_level(6.0)
    assert not must_level(25.0)  # the end of the search: the sharpest rows may lie beyond
    photo = rotate_bound(draw_lines(["12+34×5-70", "7-4+12×3"], size=(900, 420)), 11)
    page, result = Reader().read_image(load_image(photo))
    assert page.skew == pytest.approx(-11, abs=1.0)
    assert [line.ascii for line in result.lines] == ["12+34*5-70", "7-4+12*3"]


def test_levelling_does_not_draw_a_mark_on_the_frame_out_into_a_stroke():
    # A pen's tip where the frame cuts the photo, carried out sharp into the corner the
    # levelling opens, would be a long dark bar beside the writing.
    photo = np.full((400, 600, 3), 235, np.uint8)
    photo[180:188, 585:] = 30  # a dark mark 8 px tall at the right edge
    levelled = level(photo, -10.0)
    matrix, _ = levelling((600, 400), -10.0)
    inside = cv2.warpAffine(np.full((400, 600), 255, np.uint8), matrix, levelled.shape[1::-1],
                            flags=cv2.INTER_NEAREST) > 0
    corner = levelled[~inside]
    assert corner.min() > 170  # no dark streak in the fill (30 carried out sharp), a faint shade
