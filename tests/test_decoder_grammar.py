"""Decoder cases: what the grammar fixes, what it must leave alone, what geometry decides."""

import math

import pytest

from exprocr.evaluate.decoder import GlyphInput, decode_line
from exprocr.evaluate.expression import to_ascii


def _g(*top, **geometry):
    return GlyphInput(top=list(top), **geometry)


def _line(text, rivals=None, p=0.9):
    """Glyphs for `text`, each its own class at `p`, except positions given (winner, runner-up)."""
    rivals = rivals or {}
    return [_g(*rivals[i]) if i in rivals else _g((c, p), ("7" if c != "7" else "1", 1 - p))
            for i, c in enumerate(text)]


@pytest.mark.parametrize("text, rivals, expected", [
    ("(3+4)×2", {0: (("1", .6), ("(", .35))}, "(3+4)*2"),  # '(' read as '1'
    ("2×(3+4)", {2: (("0", .6), ("(", .4))}, "2*(3+4)"),  # '(' read as '0'
    ("(3+4)×2", {4: (("1", .6), (")", .35))}, "(3+4)*2"),  # ')' read as '1'
    ("12-3=9", {2: (("=", .55), ("-", .45))}, "12-3=9"),  # a second '=' is impossible
    ("8+1(2)", {2: (("/", .6), ("1", .4))}, "8+1(2)"),  # '+/(' is impossible
    ("6÷2", {2: (("=", .6), ("2", .4))}, "6/2"),  # '÷=' is impossible
])
def test_grammar_repairs_what_argmax_gets_wrong(text, rivals, expected):
    line = decode_line(_line(text, rivals))
    assert line.ascii == expected and line.status == "ok"


@pytest.mark.parametrize("text, rivals", [
    ("7-2", {1: (("-", .6), ("=", .4))}),
    ("10", {1: (("0", .55), ("(", .45))}),
    ("1/2", {1: (("/", .7), ("1", .3))}),
    ("2(3)", {1: (("(", .6), ("1", .4))}),
    ("3+4=8", {4: (("8", .6), ("7", .4))}),  # a wrong answer stays wrong: values never steer reading
    ("5×-3", {2: (("-", .55), ("=", .45))}),
    ("3+4", {1: (("+", .51), ("×", .49))}),
])
def test_a_valid_reading_is_left_alone(text, rivals):
    assert decode_line(_line(text, rivals)).ascii == to_ascii(text)


def test_a_fixed_glyph_is_flagged_with_the_classifier_winner_as_alternative():
    line = decode_line(_line("(3+4)×2", {0: (("1", .6), ("(", .35))}))
    fixed = line.glyphs[0]
    assert (fixed.label, fixed.probability, fixed.low_confidence) == ("(", .35, True)
    assert fixed.alternatives[0] == ("1", .6)
    assert not any(g.low_confidence for g in line.glyphs[1:])


def test_a_glyph_that_fits_nowhere_is_dropped_and_costs_confidence():
    glyphs = [_g(("1", .9)), _g(("2", .9)), _g(("+", .9), ("×", .1)), _g(("+", .5), ("×", .3)),
              _g(("3", .9))]
    line = decode_line(glyphs)
    assert line.ascii == "12+3" and len(line.glyphs) == 4
    assert line.confidence == pytest.approx((.9 ** 4 * (1 - .5)) ** (1 / 5))  # dropped: 1 - its best


def test_line_confidence_is_the_geometric_mean_of_chosen_probabilities():
    line = decode_line([_g(("1", .8)), _g(("2", .5))])
    assert line.confidence == pytest.approx(math.sqrt(.8 * .5))


def test_unparseable_glyphs_give_the_argmax_reading_and_why():
    line = decode_line([_g(("(", .9), ("+", .1))])
    assert (line.status, line.ascii, line.value) == ("does not parse", "(", None)
    assert line.message and line.position == 0 and len(line.glyphs) == 1


def test_empty_line_does_not_parse():
    line = decode_line([])
    assert line.status == "does not parse" and line.glyphs == [] and line.confidence == 0.0


def test_foreign_spellings_are_read_and_unknown_labels_ignored():
    line = decode_line([_g(("[", .9)), _g(("2", .9)), _g(("*", .9)), _g(("3", .9)), _g(("]", .9)),
                        _g(("x", .9)), _g(("?", .8), ("2", .2)), _g((".", .9)), _g(("5", .9))])
    assert (line.text, line.ascii, line.value) == ("(2×3)×2.5", "(2*3)*2.5", "15")


def test_fraction_structure_inserted_by_the_reader_is_part_of_the_line():
    def inserted(label):
        return _g((label, 1.0))
    glyphs = [inserted("("), *_line("1+2"), inserted(")"), inserted("/"), inserted("("), *_line("3+4"),
              inserted(")")]
    line = decode_line(glyphs)
    assert (line.ascii, line.value) == ("(1+2)/(3+4)", "3/7")
    assert line.glyphs[0].box == (0, 0, 0, 0) and line.glyphs[0].probability == 1.0


# Geometry: the same classifier output, read differently by where and how the ink lies.

def test_one_thin_stroke_is_a_minus_not_an_equals():
    bar = {"parts": 1, "pen_heights": 1.1, "aspect": 4.0, "rel_y": 0.5, "rel_height": 0.1}
    glyphs = [_g(("7", .9)), _g(("=", .6), ("-", .4), **bar), _g(("2", .9))]
    assert decode_line(glyphs).ascii == "7-2"
    glyphs[1] = _g(("=", .6), ("-", .4))
    assert decode_line(glyphs).ascii == "7=2"


def test_two_stacked_flat_strokes_are_an_equals_sign_the_classifier_took_for_a_two():
    # A bold, stubby `=` squeezed into 20×20 looks like a `2`; its two flat parts do not.
    stubby = {"parts": 2, "bars": 2, "aspect": 1.17, "rel_y": 0.56, "rel_height": 0.59}
    glyphs = [_g(("6", .95)), _g(("2", .43), ("=", .17), **stubby), _g(("3", .95)), _g(("8", .95))]
    assert decode_line(glyphs).ascii == "6=38"
    glyphs[1] = _g(("2", .43), ("=", .17), **{**stubby, "bars": 0})
    assert decode_line(glyphs).ascii == "6238"


def test_a_short_broad_bar_one_pen_tall_is_a_minus_the_classifier_never_offered():
    # A broad marker's minus is barely twice as long as it is thick: the classifier,
    # squeezing it into 20×20, sees a filled `=`.
    bar = {"parts": 1, "pen_heights": 1.2, "aspect": 1.75, "rel_y": 0.55, "rel_height": 0.33}
    glyphs = [_g(("8", .95)), _g(("=", .72), ("0", .02), **bar), _g(("4", .97))]
    line = decode_line(glyphs)
    assert line.ascii == "8-4"
    # Geometry this plain is no doubt: on photosynth's photos 77 of 78 such bars were minus
    # signs, so the reading is not flagged for a look.
    assert not line.glyphs[1].low_confidence and line.confidence > 0.85


@pytest.mark.parametrize("tilt, expected", [(9.5, "8+3"), (40.0, "8×3"), (None, "8×3")])
def test_a_cross_lying_along_its_line_is_a_plus_however_the_photo_is_turned(tilt, expected):
    # A `+` written leaning, in a photo turned a few degrees more, looks like a `×` to the
    # classifier; its strokes still run along and across the line it sits in.
    glyphs = [_g(("8", .95)), _g(("×", .7), ("+", .18), cross_tilt=tilt), _g(("3", .95))]
    assert decode_line(glyphs).text == expected
    glyphs[1] = _g(("+", .7), ("×", .25), cross_tilt=40.0)
    assert decode_line(glyphs).text == "8×3"


@pytest.mark.parametrize("slant, expected", [(38.0, "8/2"), (3.0, "812"), (None, "812")])
def test_slant_tells_a_slash_from_a_one(slant, expected):
    glyphs = [_g(("8", .9)), _g(("1", .55), ("/", .45), slant=slant), _g(("2", .9))]
    assert decode_line(glyphs).ascii == expected


@pytest.mark.parametrize("height, slant, expected", [(1.25, 22.0, "8/2"), (1.0, 22.0, "812"),
                                                     (1.25, 4.0, "812")])
def test_a_stroke_taller_than_the_digits_and_leaning_is_a_slash(height, slant, expected):
    """Printed and handwritten slashes reach past the digits; a tall `1` stands upright."""
    glyphs = [_g(("8", .9)), _g(("1", .9), ("/", .08), slant=slant, rel_height=height), _g(("2", .9))]
    assert decode_line(glyphs).ascii == expected


@pytest.mark.parametrize("height, expected", [(1.0, "81-81"), (1.2, "8(-8)"), (None, "8(-8)")])
def test_a_stroke_no_taller_than_the_digits_is_a_one_not_a_parenthesis(height, expected):
    # real-dev IMG_1374 turned 4°: two slightly bowed 1s of `81-81`, read `(` 0.73 and `)` 0.58,
    # balance each other; a parenthesis encloses what it holds and stands taller than it.
    glyphs = [_g(("8", .98)), _g(("(", .73), ("1", .11), rel_height=height), _g(("-", .96)),
              _g(("8", .91)), _g((")", .58), ("1", .34), rel_height=height)]
    assert decode_line(glyphs).ascii == expected


@pytest.mark.parametrize("dots, expected", [(1, "7/3"), (0, "7+3"), (None, "7+3")])
def test_a_dot_clear_of_the_bar_makes_an_obelus(dots, expected):
    glyphs = [_g(("7", .9)), _g(("+", .67), ("÷", .25), dots=dots), _g(("3", .9))]
    assert decode_line(glyphs).ascii == expected


def test_a_speck_after_a_number_is_dropped_not_read_as_a_digit():
    """A mark 3% of the digits' height that the classifier calls `+` (a trailing operator,
    which the grammar refuses) must not become the digit it gives 6%."""
    speck = _g(("+", .79), ("4", .06), rel_height=0.03)
    assert decode_line([_g(("6", .9)), _g(("3", .9)), _g(("0", .9)), speck]).ascii == "630"
    small_digit = _g(("4", .9), rel_height=0.5)  # half the digits' height is still writing
    assert decode_line([_g(("6", .9)), small_digit]).ascii == "64"


def test_a_tall_narrow_stroke_is_not_a_minus():
    stroke = _g(("-", .55), ("1", .45), rel_height=1.0, aspect=0.2)
    assert decode_line([_g(("7", .9)), stroke, _g(("2", .9))]).ascii == "712"


@pytest.mark.parametrize("parts", [1, 3, None])
def test_an_obelus_whose_dots_a_broad_pen_ran_into_its_bar_is_still_an_obelus(parts):
    # One piece of ink is no evidence against `÷`: the classifier sees the dots fused too (on
    # the tuning photos, 26 of 31 one-piece glyphs it took for `÷` were `÷`, one a `+`).
    glyphs = [_g(("6", .9)), _g(("÷", .6), ("+", .4), parts=parts), _g(("2", .9))]
    assert decode_line(glyphs).ascii == "6/2"


@pytest.mark.parametrize("rel_y, expected", [(0.95, "3.5"), (0.5, "3*5"), (None, "3.5"), (-0.3, "35")])
def test_a_dot_is_read_by_its_height(rel_y, expected):
    line = decode_line([_g(("3", .9)), _g(kind="dot", rel_y=rel_y), _g(("5", .9))])
    assert line.ascii == expected


def test_a_dot_reports_its_other_role_as_alternative():
    line = decode_line([_g(("3", .9)), _g(kind="dot", rel_y=0.5), _g(("5", .9))])
    dot = line.glyphs[1]
    assert dot.label == "×" and dot.alternatives[0][0] == "."


def test_a_number_is_not_read_with_a_leading_zero_when_another_reading_is_near():
    # Nobody writes `09`: between `74/09` and `74109` the unwritten number loses, unless
    # the classifier is sure.
    slash_or_one = _g(("/", .6), ("1", .4))
    glyphs = [_g(("7", .95)), _g(("4", .95)), slash_or_one, _g(("0", .95)), _g(("9", .95))]
    assert decode_line(glyphs).ascii == "74109"
    glyphs[2] = _g(("/", .97), ("1", .03))
    assert decode_line(glyphs).ascii == "74/09"
    # A zero before the point, after it, or as a number of its own is written every day.
    for text in ("0.5+0", "3.05-10", "0*7"):
        glyphs = [_g((c, .9), ("8", .05)) if c != "." else GlyphInput(top=[], kind="dot", rel_y=0.95)
                  for c in text]
        assert decode_line(glyphs).ascii == text


def test_an_operand_of_five_or_six_digits_costs_a_cut_that_is_near():
    # `6/1823` read `611823`: of two readings nearly alike, the operands people write win.
    slash_or_one = _g(("1", .75), ("/", .25))
    glyphs = [_g(("6", .95)), slash_or_one, _g(("1", .95)), _g(("8", .95)), _g(("2", .95)), _g(("3", .95))]
    assert decode_line(glyphs).ascii == "6/1823"
    glyphs[1] = _g(("1", .97), ("/", .03))
    assert decode_line(glyphs).ascii == "611823"
    # After the `=` a result may be long; and a number longer still pays no more, so a
    # phone number is not cut up where a `1` looks a little like a `/`.
    result = [_g((c, .95)) for c in "6*3="] + glyphs[:1] + [slash_or_one] + glyphs[2:]
    assert decode_line(result).ascii == "6*3=611823"
    phone = [_g((c, .95)) if c != "1" else slash_or_one for c in "0791234567"]
    assert decode_line(phone).ascii == "0791234567"
