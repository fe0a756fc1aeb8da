"""Segmenter behaviour on drawn photos: every glyph found, grouped and ordered correctly."""

import cv2
import numpy as np
import pytest

from exprocr.segment.orientation import rotate, unrotate_box
from exprocr.segment.rules import _snapped, find_rulings
from exprocr.segment.components import Rect
from exprocr.segment.segmenter import _core_ink, _cores, segment
from exprocr.segment.symbols import dots_apart
from tests.drawing import draw_symbol, draw_lines, rotate_bound


def _counts(page) -> list[int]:
    return [len(line.glyphs) for line in page.lines]


def test_plain_line_finds_every_glyph_in_order():
    page = segment(draw_lines(["12+34"]))
    assert _counts(page) == [5]
    xs = [g.box[0] for g in page.lines[0].glyphs]
    assert xs == sorted(xs)
    assert all(g.image.shape == (32, 32) and g.image.dtype == np.float32 for g in page.lines[0].glyphs)


@pytest.mark.parametrize("options", [
    {"shadow": True},
    {"ruled": True},
    {"ink": (160, 60, 20)},  # blue ballpoint (BGR)
    {"ink": (150, 150, 150), "width": 3},  # pencil grey
    {"ink": (10, 10, 10), "width": 9},  # marker
])
def test_conditions_do_not_change_the_glyphs(options):
    assert _counts(segment(draw_lines(["7-4+12"], **options))) == [6]


def test_several_lines_top_to_bottom():
    page = segment(draw_lines(["12+3", "4-7", "20"]))
    assert _counts(page) == [4, 3, 2]
    tops = [line.box[1] for line in page.lines]
    assert tops == sorted(tops)


@pytest.mark.parametrize("lower", [-2, 0, 2])
def test_a_worksheets_two_columns_are_read_row_by_row_left_to_right(lower):
    # Two expressions level with each other are two lines, read as a page is: left, then
    # right, a row at a time, whichever of the two sits a pixel or two higher.
    left = draw_lines(["12+3", "4-7"], size=(420, 400))
    right = draw_lines(["5+1", "20"], size=(420, 400))
    right = np.roll(right, lower, axis=0)
    page = segment(np.hstack([left, right]))
    assert _counts(page) == [4, 3, 3, 2]
    lefts = [line.box[0] for line in page.lines]
    assert lefts[0] < lefts[1] and lefts[2] < lefts[3]

def test_equals_and_obelus_are_one_glyph_each():
    page = segment(draw_lines(["4÷2=2"]))
    assert _counts(page) == [5]


def test_an_obelus_counts_its_dots_even_with_one_fused_to_the_bar_and_a_plus_has_none():
    photo = draw_lines(["4÷2+2"])
    # The obelus's top dot drawn as a tick down into the bar, as some people write it.
    cv2.line(photo, (113, 74), (113, 90), (30, 30, 30), 4, cv2.LINE_AA)
    glyphs = segment(photo).lines[0].glyphs
    assert len(glyphs) == 5
    assert glyphs[1].dots >= 1 and glyphs[3].dots == 0  # `+` drawn in two strokes: none


def test_decimal_point_is_kept_as_a_dot_at_the_baseline():
    page = segment(draw_lines(["1.4+2"]))
    glyphs = page.lines[0].glyphs
    assert len(glyphs) == 5
    dot = glyphs[1]
    assert dot.kind == "dot" and dot.rel_y > 0.7


@pytest.mark.parametrize("radius", [2, 5])  # finer than the pen, and a pen's touch
def test_decimal_point_tucked_under_a_digit_stays_a_dot(radius):
    photo = draw_lines(["7"], width=10)
    cv2.circle(photo, (76, 116), radius, (30, 30, 30), -1, cv2.LINE_AA)  # below the 7's right end
    photo[60:125, 98:143] = draw_lines(["2"], width=10)[60:125, 40:85]
    glyphs = segment(photo).lines[0].glyphs
    assert [g.kind for g in glyphs] == ["symbol", "dot", "symbol"]


@pytest.mark.parametrize("mark, is_dot", [("disc", True), ("ring", False), ("plus", False)])
def test_a_solid_dot_up_to_half_a_digit_tall_is_a_dot_and_a_small_ring_or_cross_is_not(mark, is_dot):
    photo = draw_lines(["1"], width=5)
    photo[60:125, 150:195] = draw_lines(["4"], width=5)[60:125, 40:85]
    centre, ink = (110, 106), (30, 30, 30)  # at the baseline, 0.4 of the digits' height across
    if mark == "disc":  # pressed hard with a broad pen
        cv2.circle(photo, centre, 12, ink, -1, cv2.LINE_AA)
    elif mark == "ring":  # a small `0`, as bold
        cv2.ellipse(photo, centre, (9, 11), 0, 0, 360, ink, 5, cv2.LINE_AA)
    else:
        cv2.line(photo, (98, 106), (122, 106), ink, 7, cv2.LINE_AA)
        cv2.line(photo, (110, 94), (110, 118), ink, 7, cv2.LINE_AA)
    glyphs = segment(photo).lines[0].glyphs
    assert len(glyphs) == 3
    assert (glyphs[1].kind == "dot") == is_dot


@pytest.mark.parametrize("radius", [3, 4, 5])
def test_a_dot_pressed_hard_in_small_writing_is_a_dot_though_its_pixels_stair_step(radius):
    photo = draw_lines(["1"], width=5)
    photo[60:125, 150:195] = draw_lines(["4"], width=5)[60:125, 40:85]
    small = cv2.resize(photo, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)  # digits 24 px tall
    cv2.circle(small, (44, 42), radius, (30, 30, 30), -1)  # a disc 7-11 px across, at the baseline
    assert [g.kind for g in segment(small).lines[0].glyphs] == ["symbol", "dot", "symbol"]


def test_touching_pair_is_split_where_the_classifier_agrees():
    from exprocr.classifier.inference import GlyphClassifier

    classifier = GlyphClassifier.load()
    digits = np.array([i for i, c in enumerate(classifier.symbols) if c.isdigit()])
    page = segment(draw_lines(["4~0+1"]), classify=classifier.symbol_proba, joinable=digits)
    assert _counts(page) == [4]


def test_a_minus_written_against_a_digit_is_cut_off_it():
    from exprocr.classifier.inference import GlyphClassifier

    classifier = GlyphClassifier.load()
    digits = np.array([i for i, c in enumerate(classifier.symbols) if c.isdigit()])
    page = segment(draw_lines(["0~-7"]), classify=classifier.symbol_proba, joinable=digits)
    assert _counts(page) == [3]


def test_a_wide_cross_the_classifier_reads_as_plus_or_times_stays_one_symbol():
    # Split, its arms pass for two digits; whole, `+` and `×` share the classifier's
    # belief, and that it is one operator is what counts against the cut.
    from exprocr.classifier.normalize import normalize_glyph
    from exprocr.segment.split import split_columns

    mask = np.zeros((40, 50), np.uint8)
    cv2.line(mask, (2, 2), (47, 37), 1, 3)
    cv2.line(mask, (47, 2), (2, 37), 1, 3)
    whole = normalize_glyph(mask.astype(np.uint8) * 255)

    def classify(images: np.ndarray) -> np.ndarray:  # classes: digits 0-1, then `+`, `×`
        is_whole = np.all(np.isclose(images, whole), axis=(1, 2))
        return np.where(is_whole[:, None], [0.05, 0.05, 0.47, 0.40], [0.85, 0.05, 0.05, 0.05])

    assert split_columns(mask, 42.0, classify, joinable=np.array([0, 1])) == [(0, 50)]


def test_a_wide_cross_touching_a_digit_is_cut_off_whole_not_in_halves():
    # A `×` is wider than a digit; cut off the digit it touches, it may be that wide. Held
    # to a digit's width, its two arms read as two digits won (tiles pasted side by side:
    # `7×` read `775`).
    from exprocr.classifier.normalize import normalize_glyph
    from exprocr.segment.split import split_columns

    mask = np.zeros((40, 72), np.uint8)
    cv2.line(mask, (2, 2), (22, 2), 1, 3)  # a `7` ...
    cv2.line(mask, (18, 2), (6, 37), 1, 3)
    cv2.line(mask, (22, 2), (69, 37), 1, 3)  # ... whose bar runs into a cross 1.2 x-heights wide
    cv2.line(mask, (69, 2), (22, 37), 1, 3)

    def seen(columns: range, left: bool) -> set[bytes]:
        return {normalize_glyph((mask[:, :c] if left else mask[:, c:]) * 255).tobytes() for c in columns}
    digit, cross, mixed = seen(range(16, 26), True), seen(range(16, 26), False), seen(range(26, 73), True)

    def classify(images: np.ndarray) -> np.ndarray:  # classes: digits 0-1, then `+`, `×`
        return np.array([[0.95, 0.01, 0.02, 0.02] if image.tobytes() in digit
                         else [0.01, 0.02, 0.02, 0.95] if image.tobytes() in cross
                         else [0.3, 0.3, 0.2, 0.2] if image.tobytes() in mixed  # the 7 with an arm
                         else [0.8, 0.1, 0.05, 0.05] for image in images])  # an arm: a digit, nearly

    pieces = split_columns(mask, 40.0, classify, joinable=np.array([0, 1]))
    assert len(pieces) == 2 and 16 <= pieces[0][1] < 26


def test_a_digit_tall_symbol_read_whole_as_a_minus_is_tried_apart():
    # A minus run into a digit's flag, squeezed into 20×20, looks a minus to the classifier;
    # as tall as a digit, it cannot be one bar, so the cut between them is taken.
    from exprocr.classifier.normalize import normalize_glyph
    from exprocr.segment.split import split_columns

    mask = np.zeros((40, 84), np.uint8)
    mask[19:23, 2:44] = 1  # the minus ...
    mask[2:6, 44:80] = 1  # ... run into a `7`'s top bar
    cv2.line(mask, (79, 4), (60, 38), 1, 4)
    whole = normalize_glyph(mask.astype(np.uint8) * 255)

    def classify(images: np.ndarray) -> np.ndarray:  # classes: digits 0-1, then `-`
        is_whole = np.all(np.isclose(images, whole), axis=(1, 2))
        return np.where(is_whole[:, None], [0.02, 0.02, 0.96], [0.1, 0.1, 0.8])

    kept = split_columns(mask, 40.0, classify, joinable=np.array([0, 1]))
    split = split_columns(mask, 40.0, classify, joinable=np.array([0, 1]), bars=np.array([2]))
    assert kept == [(0, 84)] and len(split) == 2

def test_blank_page_has_no_lines():
    paper = np.full((600, 800, 3), 235, np.uint8)
    noise = np.random.default_rng(0).normal(0, 3, paper.shape)
    assert segment(np.clip(paper + noise, 0, 255).astype(np.uint8)).lines == []


def test_light_ink_on_dark_board_is_read():
    board = 255 - draw_lines(["3+4"], paper=(245, 245, 245), ink=(20, 20, 20))
    page = segment(board)
    assert page.inverted and _counts(page) == [3]


def test_boxes_are_in_original_pixels():
    photo = draw_lines(["12"])
    small = cv2.resize(photo, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    full, half = segment(photo).lines[0].glyphs, segment(small, scale=0.5).lines[0].glyphs
    for a, b in zip(full, half):
        assert abs(a.box[0] - b.box[0]) <= 3 and abs(a.box[2] - b.box[2]) <= 4


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_unrotate_box_inverts_rotate(degrees):
    image = np.zeros((50, 80), np.uint8)
    image[10:20, 30:45] = 255
    turned = rotate(image, degrees)
    ys, xs = np.nonzero(turned)
    box = (int(xs.min()), int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
    assert unrotate_box(box, degrees, (80, 50)) == (30, 10, 15, 10)


def test_faint_hairline_grid_in_a_large_photo_leaves_no_pieces():
    # A 1-pixel grid: it must survive the reduction the rulings are searched in, and its
    # pieces must not pass for `1`s where the slight tilt puts it on one pixel row.
    photo = np.full((1000, 1800, 3), (240, 240, 235), np.uint8)
    for y in range(15, 1000, 32):
        cv2.line(photo, (0, y), (1799, y + 14), (190, 190, 190), 1, cv2.LINE_AA)
    for x in range(10, 1800, 32):
        cv2.line(photo, (x, 0), (x - 12, 999), (190, 190, 190), 1, cv2.LINE_AA)
    photo[400:540, 500:1100] = np.minimum(photo[400:540, 500:1100], draw_lines(["12+34"], size=(600, 140)))
    assert _counts(segment(photo)) == [5]


def test_blur_bridging_an_obelus_and_an_equals_sign_leaves_their_parts_visible():
    # Blur's halo joins the dots to the bar in the loose mask; the parts still count apart,
    # which is what tells `÷` from `+` and `=` from a thick `-`.
    photo = cv2.GaussianBlur(draw_lines(["7÷2=3"], width=6), (0, 0), 2)
    photo = np.clip(photo + np.random.default_rng(0).normal(0, 2, photo.shape), 0, 255).astype(np.uint8)
    assert [g.parts for g in segment(photo).lines[0].glyphs] == [1, 3, 1, 2, 1]


def test_a_fine_decimal_point_paled_by_blur_is_kept():
    # A dot finer than the pen loses more of its darkness to blur than the strokes do;
    # its core still tells it from a speck.
    from tests.drawing import _SIZE

    photo = draw_lines(["3 5"], width=8)
    cv2.circle(photo, (40 + int(_SIZE * 0.9) + 18, 60 + _SIZE - 3), 2, (30, 30, 30), -1, cv2.LINE_AA)
    page = segment(cv2.GaussianBlur(photo, (0, 0), 2.0))
    assert [g.kind for g in page.lines[0].glyphs] == ["symbol", "dot", "symbol"]


def test_squared_paper_grid_is_removed_and_every_glyph_kept():
    photo = draw_lines(["12+34", "7=5"], squared=True)
    turn = cv2.getRotationMatrix2D((450, 300), 3, 1.0)  # a few degrees off level
    photo = cv2.warpAffine(photo, turn, (900, 600), borderMode=cv2.BORDER_REPLICATE)
    assert _counts(segment(photo)) == [5, 3]


def test_skewed_bowed_line_stays_one_line():
    # Rising 8° and bowing up after a widely spaced minus: the minus overlaps neither
    # neighbour's band, yet the two halves' bands agree, so they are one line.
    canvas = np.full((500, 1300, 3), (245, 245, 240), np.uint8)
    x = 40
    for symbol, lift in [(s, 0) for s in "51+10"] + [("-", 0)] + [(s, 20) for s in "43+71"]:
        x += 100 if symbol == "-" or (symbol == "4" and lift) else 0
        draw_symbol(canvas, symbol, x, 220 - lift, (30, 30, 30), 4)
        x += 36 if symbol == "-" else 54
    turned = cv2.warpAffine(canvas, cv2.getRotationMatrix2D((650, 250), 8, 1.0), (1300, 500),
                            borderValue=(245, 245, 240))
    assert _counts(segment(turned)) == [11]


def test_broad_faint_writing_on_a_dense_grid_as_dark_as_it_is_kept():
    # The rulings' bands cover most of a dense grid; writing no darker than the grid lies
    # in them, and its pen, far broader than the rulings, is what tells it from their remnants.
    photo = np.full((600, 900, 3), (245, 245, 240), np.uint8)
    for y in range(10, 600, 30):
        cv2.line(photo, (0, y), (899, y), (200, 160, 120), 2)
    for x in range(12, 900, 30):
        cv2.line(photo, (x, 0), (x, 599), (200, 160, 120), 2)
    for i, symbol in enumerate("21-7"):
        draw_symbol(photo, symbol, 200 + 70 * i, 250, (150, 150, 150), 11)
    assert _counts(segment(photo)) == [4]


def test_a_shadowed_strip_along_the_frames_side_is_no_glyph():
    # A page edge in shade on the frame's side, well over twice the writing's height: not a `1`.
    photo = draw_lines(["54"], size=(500, 400))
    cv2.rectangle(photo, (455, 40), (505, 200), (70, 70, 70), 6)  # its borders, cut by the frame
    assert _counts(segment(photo)) == [2]


def test_crumbs_of_grainy_ink_are_not_parts_of_a_symbol():
    """Dim light leaves a stroke's core in crumbs; a part is at least a third of a pen's touch."""
    darkness = np.zeros((30, 30), np.float32)
    mask = np.zeros((30, 30), np.uint8)
    mask[13:17, 2:28] = 1  # one bar, pen 4
    darkness[13:17, 2:28] = 0.3  # its faint body
    darkness[14:16, 4:14] = 0.9  # its dark core
    for x in (17, 21, 25):  # crumbs of core along the rest of the stroke
        darkness[14, x:x + 2] = 0.9
    assert len(_cores(_core_ink(darkness, mask), pen=4.0)) == 1
    darkness[5:9, 13:17] = 0.9  # a real dot above the bar: a part
    mask[5:9, 13:17] = 1
    assert len(_cores(_core_ink(darkness, mask), pen=4.0)) == 2


@pytest.mark.parametrize("bar_at, joins", [(0.5, False), (0.08, True)])
def test_a_bar_beside_a_broad_digit_is_a_minus_at_mid_height_and_a_lifted_flag_at_its_top(bar_at, joins):
    # Broad pen (16 px), a 6 px gap: a minus set close after a `0` stays a symbol of its own,
    # while the same bar at the digit's top is a flag lifted off it and joins it.
    from exprocr.segment.components import find_components
    from exprocr.segment.symbols import Symbol, attach_fragments
    mask = np.zeros((140, 220), np.uint8)
    cv2.rectangle(mask, (28, 30), (92, 110), 1, 16)  # a boxy digit, its ink ends at x = 100
    y = int(30 + bar_at * 80)
    cv2.line(mask, (114, y), (140, y), 1, 16)  # round ends: its ink starts 6 px from the digit's
    labels, components = find_components(mask, mask.astype(np.float32))
    symbols = [Symbol([c]) for c in sorted(components, key=lambda c: c.x)]
    assert len(symbols) == 2
    joined = attach_fragments(symbols, labels, x_height=96, pen_width=16)
    assert (len(joined) == 1) == joins


def _five_with_its_flag_lifted_clear(flag_at: float) -> np.ndarray:
    """`3+5` whose `5` has its flag written as a second stroke that falls short of the stem:
    it starts right of the body's box (or, `flag_at` lower, level with its middle)."""
    photo = draw_lines(["3+"])
    x, y, size = 148, 60, 60
    body = [(0.3, 0.12), (0.2, 0.5), (0.7, 0.5), (0.85, 0.75), (0.5, 0.95), (0.15, 0.85)]
    cv2.polylines(photo, [np.int32([(x + px * size * 0.6, y + py * size) for px, py in body])], False,
                  (30, 30, 30), 4, cv2.LINE_AA)
    top = int(y + flag_at * size)
    cv2.line(photo, (x + 35, top + 2), (x + 53, top), (30, 30, 30), 4, cv2.LINE_AA)
    return photo


@pytest.mark.parametrize("flag_at, glyphs", [(0.05, 3), (0.5, 4)])
def test_a_flag_lifted_clear_off_a_fives_top_joins_it_and_a_bar_at_its_middle_does_not(flag_at, glyphs):
    # Too far off to be a pen-lift fragment; at the digit's top right, and read as a digit
    # with it, it is the `5`'s flag. Level with the digit's middle, it is a minus.
    from exprocr.classifier.inference import GlyphClassifier

    classifier = GlyphClassifier.load()
    digits = np.array([i for i, c in enumerate(classifier.symbols) if c.isdigit()])
    page = segment(_five_with_its_flag_lifted_clear(flag_at), classify=classifier.symbol_proba, joinable=digits)
    assert _counts(page) == [glyphs]
    if glyphs == 3:
        x, _, w, _ = page.lines[0].glyphs[2].box
        assert x + w >= 148 + 53  # the five's box takes in its flag


def test_a_lifted_flag_joins_only_what_reads_as_a_digit_with_it():
    from exprocr.segment.components import find_components
    from exprocr.segment.symbols import Symbol, attach_fragments
    mask = np.zeros((140, 220), np.uint8)
    cv2.rectangle(mask, (28, 30), (92, 110), 1, 6)  # a digit, its ink ends at x = 95
    cv2.line(mask, (104, 32), (140, 30), 1, 6)  # a bar off its top right, 9 px clear
    labels, components = find_components(mask, mask.astype(np.float32))
    symbols = [Symbol([c]) for c in sorted(components, key=lambda c: c.x)]
    assert len(attach_fragments(symbols, labels, x_height=80, pen_width=6)) == 2
    assert len(attach_fragments(symbols, labels, x_height=80, pen_width=6, reads_as_digit=lambda s: True)) == 1


def test_a_minus_written_against_a_digit_is_told_from_a_digits_own_bar_running_on():
    from exprocr.segment.split import _minus_meeting

    ring_and_minus = np.zeros((60, 80), np.uint8)
    cv2.ellipse(ring_and_minus, (22, 30), (16, 26), 0, 0, 360, 1, 5)
    cv2.line(ring_and_minus, (40, 30), (74, 30), 1, 5)  # meets the ring's outline
    assert _minus_meeting(ring_and_minus, 44, 80)

    four_with_long_bar = np.zeros((60, 80), np.uint8)
    cv2.line(four_with_long_bar, (30, 3), (4, 38), 1, 5)
    cv2.line(four_with_long_bar, (4, 38), (74, 38), 1, 5)  # the bar runs on past the upright
    cv2.line(four_with_long_bar, (40, 10), (40, 57), 1, 5)
    assert not _minus_meeting(four_with_long_bar, 46, 80)

    two_with_long_tail = np.zeros((60, 80), np.uint8)
    cv2.ellipse(two_with_long_tail, (22, 18), (14, 14), 0, 180, 360, 1, 5)
    cv2.line(two_with_long_tail, (36, 18), (6, 55), 1, 5)
    cv2.line(two_with_long_tail, (6, 55), (76, 55), 1, 5)  # low: a tail, not a minus
    assert not _minus_meeting(two_with_long_tail, 44, 80)


def test_stacked_flat_parts_count_as_bars_and_a_lifted_plus_has_none():
    from exprocr.segment.components import find_components
    from exprocr.segment.symbols import Symbol, stacked_bars

    def parts(*strokes) -> Symbol:
        mask = np.zeros((80, 80), np.uint8)
        for a, b in strokes:
            cv2.line(mask, a, b, 1, 7)
        _, components = find_components(mask, mask.astype(np.float32))
        return Symbol(components)

    assert stacked_bars(parts(((15, 30), (60, 30)), ((15, 48), (60, 48)))) == 2  # `=`
    assert stacked_bars(parts(((10, 40), (34, 40)), ((40, 15), (40, 65)))) == 0  # lifted `+`


@pytest.mark.parametrize("degrees", [0, 9, -9])
def test_a_crosss_strokes_are_measured_from_its_line_not_the_frame(degrees):
    photo = rotate_bound(draw_lines(["12+34×5"]), degrees)
    glyphs = segment(photo).lines[0].glyphs
    assert len(glyphs) == 7
    assert glyphs[2].cross_tilt is not None and glyphs[2].cross_tilt < 8  # `+` along its line
    assert glyphs[5].cross_tilt is not None and glyphs[5].cross_tilt > 27  # `×` diagonal to it
    assert glyphs[0].cross_tilt is None  # a `1` is no cross


def test_a_thin_mark_where_paper_meets_a_desk_is_the_pages_edge_and_writing_in_shade_is_kept():
    from exprocr.segment.components import Component
    from exprocr.segment.segmenter import _beside_a_desk

    paper = np.full((600, 800), 230.0, np.float32)
    paper[:, :300] = 100.0  # a desk left of x = 300, or a hard shadow
    def mark(x, w, h):
        return Component(index=1, x=x, y=200, w=w, h=h, area=w * h, contrast=0.5, width=4.0)

    assert _beside_a_desk(mark(298, 5, 40), paper)  # an upright sliver along the step
    assert not _beside_a_desk(mark(298, 30, 40), paper)  # a digit written in the shade's border
    assert not _beside_a_desk(mark(500, 5, 40), paper)  # a `1` on open paper


def test_a_pale_thin_minus_between_dark_digits_is_kept_and_a_pale_mark_off_the_line_is_not():
    photo = np.full((300, 400, 3), 245, np.uint8)
    draw_symbol(photo, "7", 40, 60, (30, 30, 30), 5)
    draw_symbol(photo, "-", 94, 60, (180, 180, 180), 3)  # drawn lightly: a third as dark
    draw_symbol(photo, "4", 148, 60, (30, 30, 30), 5)
    draw_symbol(photo, "1", 300, 200, (180, 180, 180), 3)  # as pale, but on its own
    page = segment(photo)
    assert _counts(page) == [3]
    minus = page.lines[0].glyphs[1]
    assert minus.box[2] > 3 * minus.box[3]


def test_writing_on_a_bent_grid_line_the_rulings_search_misses_is_kept():
    photo = draw_lines(["12+34"], width=9)
    h = photo.shape[0]
    # a thin line bowed like a page's curl, not straight enough to be found as a ruling,
    # running down through the `2` and the `3`
    for x in (105, 245):
        bent = np.array([(x + 40 * np.sin(np.pi * y / h), y) for y in range(0, h, 10)], np.int32)
        cv2.polylines(photo, [bent], False, (120, 120, 120), 2, cv2.LINE_AA)
    page = segment(photo)
    assert _counts(page) == [5]


@pytest.mark.parametrize("upright", [False, True])
def test_a_found_ruling_a_few_pixels_off_is_moved_onto_its_ink(upright):
    mask = np.zeros((1000, 1500), np.uint8)
    cv2.line(mask, (0, 400), (1499, 460), 1, 2)  # the real ruling, 2 px thick
    cv2.circle(mask, (700, 430), 25, 1, -1)  # writing on it
    found = ((0, 406), (1499, 455))  # where a coarse Hough transform put it
    if upright:
        mask, found = np.ascontiguousarray(mask.T), ((406, 0), (455, 1499))
    (x1, y1), (x2, y2) = _snapped(found, mask)
    start, end = (x1, x2) if upright else (y1, y2)
    assert abs(start - 400.5) <= 1 and abs(end - 460.5) <= 1


def _grid(broken: tuple[int, ...], dash: int, off: int = 0) -> np.ndarray:
    """A 600×800 mask of a grid 30 px square, its level lines whole, its upright ones whole
    but those at `broken`, inked `dash` px in every 36 and `off` px beside the lattice."""
    mask = np.zeros((600, 800), np.uint8)
    for y in range(45, 600, 30):
        cv2.line(mask, (0, y), (799, y), 1, 2)
    for x in range(25, 800, 30):
        if x not in broken:
            cv2.line(mask, (x, 0), (x, 599), 1, 2)
    for x in broken:
        for y in range(0, 600, 36):
            cv2.line(mask, (x + off, y), (x + off, y + dash - 1), 1, 2)
    return mask


@pytest.mark.parametrize("turned", [False, True])
@pytest.mark.parametrize("stray", [False, True])  # a margin line half a square beside the grid
def test_a_grids_lines_broken_too_often_to_be_seen_alone_are_found_from_their_family(turned, stray):
    broken = (115, 235, 265, 475, 685, 775)
    mask = _grid(broken, dash=20)
    if stray:
        cv2.line(mask, (790, 0), (790, 599), 1, 2)
    if turned:  # the same grid turned: the broken lines level
        mask = np.ascontiguousarray(mask.T)
    found = [(a[1] + b[1]) / 2 if turned else (a[0] + b[0]) / 2
             for a, b in find_rulings(mask) if (a[0] == 0) == turned]  # the broken family's lines
    assert all(min(abs(f - x - 0.5) for f in found) <= 1.5 for x in broken)


@pytest.mark.parametrize("off", [0, 4])  # pixels the broken lines lie off the family's lattice
def test_a_faint_grids_lines_thresholded_into_dashes_are_found_from_their_family(off):
    dashed = (25, 55, 85, 385, 415, 775)
    mask = _grid(dashed, dash=12, off=off)
    found = [(a[0] + b[0]) / 2 for a, b in find_rulings(mask) if a[1] == 0]
    assert all(min(abs(f - x - off - 0.5) for f in found) <= 1.5 for x in dashed)


def test_a_row_of_writing_as_dashed_as_a_faint_ruling_but_far_from_any_is_no_ruling():
    mask = np.zeros((600, 800), np.uint8)
    for y in (20, 33, 46, 566):  # a page's edge found thrice, 13 px apart, and the other edge
        cv2.line(mask, (0, y), (799, y), 1, 1)
    for k in range(16):  # a row of `+` on that lattice (y = 46 + 19 × 13), inked along 0.43 of it
        x = 12 + 50 * k
        cv2.line(mask, (x, 293), (x + 14, 293), 1, 5)
        cv2.line(mask, (x + 7, 280), (x + 7, 306), 1, 5)
    found = [(a[1] + b[1]) / 2 for a, b in find_rulings(mask) if a[0] == 0]
    assert sorted(found) == [20, 33, 46, 566]


def test_a_mark_on_the_desk_beside_the_page_is_no_line_but_a_short_line_in_shadow_is():
    photo = draw_lines(["12+34", "7"], size=(900, 700))
    photo[:, 700:] = (110, 130, 150)  # a light wooden desk along the right side
    draw_symbol(photo, "1", 800, 500, (10, 10, 10), 4)  # a mark on it, far from the writing
    photo[180:, :700] = (photo[180:, :700] * 0.55).astype(np.uint8)  # the second line in shadow
    page = segment(photo)
    assert _counts(page) == [5, 1]


def test_a_pale_short_line_away_from_the_writing_is_show_through_not_writing():
    photo = draw_lines(["12+34", "7"], size=(900, 700))
    draw_symbol(photo, "4", 600, 480, (140, 140, 140), 4)  # half as dark as the writing
    page = segment(photo)
    assert _counts(page) == [5, 1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_labelled_components_match_opencvs_statistics(seed):
    # The statistics are computed from the inked pixels, not by OpenCV: they must agree
    # with connectedComponentsWithStats on every blob, whatever its shape.
    from exprocr.segment.components import label_components

    rng = np.random.default_rng(seed)
    mask = (rng.random((90, 130)) < 0.08).astype(np.uint8)
    cv2.line(mask, (3, 80), (120, 5), 1, 3)
    cv2.circle(mask, (40, 40), 15, 1, 2)
    mask[0, :] = 1  # ink on the frame's edge
    labelled = label_components(mask)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    assert labelled.count == count and (labelled.labels == labels).all()
    assert (labelled.stats[1:] == stats[1:]).all()
    assert (labelled.owners == labels.ravel()[labelled.inked]).all() and len(labelled.inked) == mask.sum()


def test_labelled_components_of_a_blank_mask_are_none():
    from exprocr.segment.components import label_components

    labelled = label_components(np.zeros((20, 30), np.uint8))
    assert labelled.count == 1 and len(labelled.inked) == 0


def test_digits_written_into_each_other_no_wider_than_one_are_split_when_the_classifier_says_so():
    # photosynth seed 11 #69: a `6` tucked under a `9` made one glyph no wider than a digit;
    # the classifier gave its reject class, touching digits, all its probability, and the
    # line, read `0-8` with no confidence, was dropped as junk.
    image = np.full((220, 320, 3), 255, np.uint8)
    cv2.circle(image, (120, 110), 26, (0, 0, 0), 6)  # a `0` ...
    cv2.line(image, (146, 80), (146, 140), (0, 0, 0), 6)  # ... with a `1` written into its side

    def classify(images: np.ndarray) -> np.ndarray:  # digits 0-9 and `+`
        out = np.full((len(images), 11), 0.001)
        for k, glyph in enumerate(images):
            columns = np.flatnonzero((glyph > 0.5).any(axis=0))
            if columns[-1] - columns[0] + 1 < 14:  # narrow: a digit; broad: touching digits
                out[k, 1] = 0.95
        return out

    page = segment(image, classify=classify, joinable=np.arange(10))
    assert _counts(page) == [2]
    whole = segment(image, classify=lambda images: np.full((len(images), 11), 0.09), joinable=np.arange(10))
    assert _counts(whole) == [1]  # the classifier takes it for one symbol: no wider than one, kept


@pytest.mark.parametrize("tilt", [0.0, 6.0, 10.0])
def test_a_digits_own_bar_running_on_is_no_minus_on_a_tilted_line(tilt):
    # real-dev IMG_1385 turned -10°: a `4`'s long bar, touching the `7` after it, rose out
    # of its own rows within a few pens, and was cut off as a minus: `47` read `4-7`.
    from exprocr.segment.split import _minus_meeting

    mask = np.zeros((70, 130), np.uint8)
    cv2.line(mask, (40, 6), (40, 64), 1, 5)  # a `4`'s upright
    rise = int(round(np.tan(np.radians(tilt)) * 80))
    cv2.line(mask, (12, 36), (92, 36 + rise), 1, 5)  # its bar, drawn long into the next digit
    cv2.line(mask, (96, 12), (96, 64), 1, 5)  # the next digit's stroke
    assert not _minus_meeting(mask, 50, 90)


def test_ink_darkness_is_the_share_of_the_papers_light_the_ink_takes():
    # Divided in float32 from the 8-bit images: bit for bit numpy's quotient, under a light
    # gradient with writing of every darkness on it.
    from exprocr.segment.binarize import ink_channel, ink_darkness

    light = np.linspace(150, 250, 400, dtype=np.float32)[None, :, None]
    photo = np.repeat(np.repeat(light, 300, axis=0), 3, axis=2).astype(np.uint8)
    for k, shade in enumerate(range(0, 200, 25)):
        cv2.line(photo, (20 + 45 * k, 60), (50 + 45 * k, 240), (shade, shade + 20, shade + 40), 4)
    ink = ink_darkness(photo)
    paper = np.maximum(ink.paper, 1).astype(np.float32)
    expected = np.clip(1.0 - ink_channel(photo).astype(np.float32) / paper, 0.0, 1.0)
    assert ink.darkness.dtype == np.float32 and np.array_equal(ink.darkness, expected)
    assert ink.darkness[150, 20 + 45 * 2 + 15] > 0.5 and ink.darkness[20, 200] < 0.05


def test_an_obelus_whose_dots_blur_bridged_to_the_bar_shows_them_apart():
    # In the loose mask the halo joins dots and bar into a `+`-like blob; the cores, the ink
    # at half its own darkness, show the dots clear of the bar: that is what a classifier
    # which takes the blob for an operator is shown.
    photo = cv2.GaussianBlur(draw_lines(["7÷2"], width=6), (0, 0), 2.5)
    classes = 19
    standalone = np.array([10, 13])  # the fake model below takes everything for class 10

    def classify(images: np.ndarray) -> np.ndarray:
        scores = np.full((len(images), classes), 0.01, np.float32)
        scores[:, 10] = 0.8
        return scores

    obelus = segment(photo, classify=classify, standalone=standalone).lines[0].glyphs[1]
    _, _, stats, _ = cv2.connectedComponentsWithStats((obelus.image > 0.5).astype(np.uint8))
    assert len(stats) - 1 == 3  # bar and two dots


def test_a_stub_of_a_plus_upright_is_no_round_dot():
    # A `+` whose upright paled where it crosses the bar leaves stubs above and below it in
    # the cores: long, not round, so no obelus's dots.
    bar, stub, dot = Rect(0, 10, 30, 4), Rect(14, 0, 3, 9), Rect(13, 2, 4, 4)
    assert dots_apart([bar, stub], round_only=True) == 0
    assert dots_apart([bar, stub]) == 1
    assert dots_apart([bar, dot], round_only=True) == 1


def test_a_blurred_minus_and_decimal_point_are_boxed_by_their_ink_not_its_halo():
    # Drawn 4 px thick (the dot 11 px across); blur's halo reaches a pixel or more beyond,
    # which on marks this small is most of the box.
    photo = cv2.GaussianBlur(draw_lines(["7-2.5"], width=4), (0, 0), 1.5)
    glyphs = segment(photo).lines[0].glyphs
    minus, dot = glyphs[1], glyphs[3]
    assert dot.kind == "dot"
    assert minus.box[3] <= 7 and dot.box[3] <= 13  # drawn 5 and 12 with their soft edges (halo: 9, 15)


def _stroke_line(*boxes) -> "Line":
    from exprocr.segment.types import Glyph, Line
    glyphs = [Glyph(box=box, image=np.zeros((32, 32), np.float32)) for box in boxes]
    return Line(glyphs=glyphs, box=boxes[0], x_height=40.0)


def test_pieces_of_an_upright_ruling_across_lines_are_taken_out_and_a_column_of_ones_is_not():
    # A grid line darkened by a shadow survives the rulings' search; where the other grid
    # lines crossed it, it is cut into strokes read as lone `1`s, one a line, end to end.
    from exprocr.segment.segmenter import _without_broken_rules

    ruling = [_stroke_line((300, 20 + 50 * k, 2, 36)) for k in (0, 1, 3, 4)]
    writing = _stroke_line((100, 118, 20, 40), (300, 120, 2, 36), (140, 118, 20, 40))  # a ruling piece in it
    kept = _without_broken_rules(ruling + [writing])
    assert len(kept) == 1 and [g.box[0] for g in kept[0].glyphs] == [100, 140]
    assert kept[0].box == (100, 118, 60, 40)
    # Three `1`s written one under another: as close, but a hand does not keep them straight.
    ones = [_stroke_line((300 + dx, 20 + 50 * k, 5, 36)) for k, dx in enumerate((0, 5, -1))]
    assert len(_without_broken_rules(ones)) == 3
    # Lines written further apart than the strokes are tall chain up nothing.
    spaced = [_stroke_line((300, 20 + 80 * k, 2, 36)) for k in range(4)]
    assert len(_without_broken_rules(spaced)) == 4


@pytest.mark.parametrize("core, kept", [(0.9, True), (0.5, False)])
def test_a_dot_written_at_a_grid_crossing_is_kept_and_a_crossing_remnant_is_not(core, kept):
    from exprocr.segment.rules import _without_remnants

    mask, darkness = np.zeros((60, 60), np.uint8), np.zeros((60, 60), np.float32)
    near = [np.zeros((60, 60), np.float32), np.zeros((60, 60), np.float32)]  # two rulings' bands
    cv2.line(near[0], (0, 30), (59, 30), 0.3, 12)
    cv2.line(near[1], (30, 0), (30, 59), 0.3, 12)
    cv2.circle(mask, (33, 33), 3, 1, -1)  # a small blurred mark by the crossing: pale halo, `core` inside
    cv2.circle(darkness, (33, 33), 3, 0.35, -1)
    cv2.circle(darkness, (33, 33), 1, core, -1)
    left = _without_remnants(mask, darkness, near, crossing=144, thickness=4)
    assert bool(left.any()) == kept


def test_writing_crossed_by_a_hard_shadows_border_keeps_every_glyph():
    # A phone's shadow over part of the line, its border slanted and a few pixels soft: the
    # minus or `1` the border passes has paper on one side and deep shade on the other, as
    # a sliver of the page's edge has a desk; but the border crosses the mark's length
    # somewhere, where a page's edge runs all along it.
    photo = draw_lines(["12-34+1"], size=(900, 400))
    h, w = photo.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    for border in range(60, 800, 20):
        across = (xs - border) * 0.8 + (ys - 100) * 0.6
        shade = 1 - 0.55 / (1 + np.exp(-np.clip(across, -200, 200) / 4))
        page = segment((photo * shade[..., None]).astype(np.uint8))
        assert _counts(page) == [7], border


@pytest.mark.parametrize("edge_gap", [3, 5, 7])
def test_a_grid_line_by_the_frame_is_removed_where_the_writing_crosses_it(edge_gap):
    # Squared paper runs off the photo: its last upright line lies a few pixels inside the
    # frame, where page edges are left to the clutter rules; the `4` written across it
    # would go with it as a long line, unless it is known for the grid's next line.
    photo = draw_lines(["12+34"], size=(900, 400))[:, :286]
    h, w = photo.shape[:2]
    grid = np.full_like(photo, 255)
    for x in range(w - edge_gap, 0, -30):
        cv2.line(grid, (x, 0), (x, h), (150, 150, 150), 2)
    for y in range(10, h, 30):
        cv2.line(grid, (0, y), (w, y), (150, 150, 150), 2)
    page = segment((photo.astype(np.float32) * grid / 255).astype(np.uint8))
    assert _counts(page) == [5]


def test_chalk_on_a_board_lit_from_one_side_is_read_as_a_board():
    # The board's lit side is as bright as chalk on its dim side: what is bright is broad
    # there, unless the board is seen against its own smooth light.
    chalk = draw_lines(["12+34"], paper=(0, 0, 0), ink=(230, 230, 225), width=5, size=(900, 500))
    board = np.maximum(np.full_like(chalk, (45, 70, 40)), chalk).astype(np.float32)
    light = np.linspace(0.4, 1.6, board.shape[1], dtype=np.float32)[None, :, None]
    grain = np.random.default_rng(0).normal(0, 6, board.shape)
    page = segment(np.clip((board + grain) * light, 0, 255).astype(np.uint8))
    assert page.inverted and _counts(page) == [5]


def test_a_dim_page_whose_grain_flattening_splits_is_no_board():
    # Seen against its own light, a dim page is flat but for its grain, which Otsu's
    # threshold splits into specks over half of it: thin, but far too much to be writing.
    from exprocr.segment.binarize import _is_board

    small = np.full((200, 300), 60, np.uint8)
    small[:, 150:] = 80  # a dim page, lit a little more on the right
    grain = np.random.default_rng(0).normal(0, 3, small.shape)
    assert not _is_board(np.clip(small + grain, 0, 255).astype(np.uint8))
