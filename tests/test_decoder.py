"""The decoder fixes what the grammar proves wrong, and leaves valid readings alone."""

from exprocr.evaluate.decoder import GlyphInput, decode_line


def _g(*top, **geometry):
    return GlyphInput(top=list(top), **geometry)


def test_grammar_turns_an_impossible_minus_into_equals():
    line = decode_line([_g(("3", .9)), _g(("+", .9)), _g(("4", .9)), _g(("-", .55), ("=", .45)),
                        _g(("7", .9)), _g(("=", .6), ("-", .4)), _g(("8", .9))])
    assert line.ascii == "3+4=7-8" or line.ascii == "3+4-7=8"
    assert line.status == "ok"


def test_slash_read_as_one_is_fixed_when_one_cannot_stand_there():
    line = decode_line([_g(("8", .9)), _g(("+", .8)), _g(("/", .6), ("1", .4)), _g(("(", .9)),
                        _g(("2", .9)), _g((")", .9))])
    assert line.ascii == "8+1(2)"


def test_trailing_operator_is_repaired_from_alternatives():
    line = decode_line([_g(("1", .9)), _g(("2", .9)), _g(("+", .6), ("4", .35))])
    assert line.ascii == "124"


def test_a_valid_confident_reading_is_not_changed():
    line = decode_line([_g(("1", .95)), _g(("2", .95)), _g(("-", .7), ("=", .3)), _g(("3", .95))])
    assert line.ascii == "12-3" and line.value == "9"


def test_dot_at_baseline_is_a_decimal_point_and_mid_height_a_product():
    decimal = decode_line([_g(("1", .9)), _g(kind="dot", rel_y=0.92), _g(("5", .9))])
    product = decode_line([_g(("3", .9)), _g(kind="dot", rel_y=0.5), _g(("5", .9))])
    assert (decimal.ascii, decimal.value) == ("1.5", "3/2")
    assert (product.ascii, product.value) == ("3*5", "15")


def test_minus_high_above_the_line_is_not_a_minus():
    line = decode_line([_g(("2", .9)), _g(("-", .9), rel_y=0.05, rel_height=0.1, aspect=4.0),
                        _g(("5", .9))])
    assert line.ascii == "25"


def test_nothing_valid_gives_argmax_with_reason():
    line = decode_line([_g(("+", .99)), _g(("×", .99))])
    assert line.status == "does not parse" and line.ascii == "+*" and line.message


def test_low_confidence_glyphs_are_flagged_with_alternatives():
    line = decode_line([_g(("7", .5), ("1", .45)), _g(("+", .99)), _g(("2", .99))])
    flagged = [g for g in line.glyphs if g.low_confidence]
    assert len(flagged) == 1 and flagged[0].alternatives[0][0] == "1"
    assert 0 < line.confidence < 1


def test_long_lines_decode_quickly():
    glyphs = [_g(("9", .9), ("4", .1)), _g(("+", .8), ("×", .2))] * 5000 + [_g(("1", 1.0))]
    assert decode_line(glyphs).status == "ok"
