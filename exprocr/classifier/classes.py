"""The symbol alphabet of the shipped recipe and the aliases extra glyph sets may use.

A reader never assumes these: it takes class names from the model file. Training uses
them to build a model, and glyph-set loaders use the aliases to map foreign labels.
"""

from exprocr.classifier.touching import TOUCHING

# The last is a reject class (touching digits): it is trained, never read.
DEFAULT_CLASSES: tuple[str, ...] = tuple("0123456789") + ("+", "-", "×", "÷", "/", "=", "(", ")", TOUCHING)

LABEL_ALIASES: dict[str, str] = {
    "plus": "+", "add": "+",
    "minus": "-", "sub": "-", "dash": "-",
    "slash": "/", "forward_slash": "/",
    "x": "×", "times": "×", "mul": "×", "star": "×", "*": "×", "asterisk": "×",
    "div": "÷", "obelus": "÷", "divide": "÷",
    "eq": "=", "equals": "=", "equal": "=",
    "lparen": "(", "left_paren": "(", "rparen": ")", "right_paren": ")",
}


def canonical_label(label: str, classes: tuple[str, ...] = DEFAULT_CLASSES) -> str | None:
    """Map a foreign label (`plus`, `x`, `7`) to one of `classes`, or None if it has no place."""
    name = str(label).strip()
    if name in classes:
        return name
    mapped = LABEL_ALIASES.get(name.lower())
    return mapped if mapped in classes else None
