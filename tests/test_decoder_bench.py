"""The decoder bench's claim, at a small size: grammar-aware decoding beats argmax clearly and
breaks far fewer lines than it fixes."""

from bench.decoder import run


def test_decoder_beats_argmax_on_simulated_lines():
    figures = run(n=400, seed=7)
    argmax = figures["exact-line, plain argmax"]
    assert figures["exact-line, grammar-aware decoding (geometry hidden)"] > argmax + 0.03
    assert figures["exact-line, grammar-aware decoding with geometry"] > argmax + 0.05
    fixed = figures["lines argmax got wrong that the decoder fixed"]
    assert figures["lines argmax got right that the decoder broke"] * 5 < fixed
