"""Results as people and programs read them: human lines, JSON records, CSV rows.

File names on Linux are bytes and may not be UTF-8; Python carries such bytes as lone
surrogates. JSON spells them as `\\udcxx` escapes (valid JSON that reads back to the same
name), and human output shows the same escapes instead of failing to print.
"""

import json

from exprocr.evaluate.format import format_line
from exprocr.results import LineResult, ReadResult

CSV_FIELDS = ["file", "error", "text", "ascii", "value", "verdict", "status", "confidence"]


def printable(text: str) -> str:
    """`text` with undecodable file-name bytes shown as `\\udcxx`, safe for any UTF-8 output."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def human_line(line: LineResult) -> str:
    """`12+7×3 = 33   (97%)`, then the doubtful glyphs with their runners-up."""
    text = f"{format_line(line)}   ({line.confidence:.0%})"
    doubtful = []
    for number, glyph in enumerate(line.glyphs, 1):
        if glyph.low_confidence:
            runner_up = glyph.alternatives[0] if glyph.alternatives else None
            doubtful.append(f"#{number} '{glyph.label}' {glyph.probability:.0%}"
                            + (f" (or '{runner_up[0]}' {runner_up[1]:.0%})" if runner_up else ""))
    return text + ("\n    doubtful: " + "; ".join(doubtful) if doubtful else "")


def human(result: ReadResult) -> str:
    """All lines of one photo, or why it could not be read."""
    if result.error:
        return printable(f"error: {result.error}")
    if not result.lines:
        return "no handwriting found"
    return "\n".join(human_line(line) for line in result.lines)


def json_record(result: ReadResult) -> str:
    """One JSON object on one line (JSONL), UTF-8 text kept readable."""
    return printable(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))


def csv_row(result: ReadResult) -> dict[str, str]:
    """One CSV row per photo; several written lines joined by ` | `, never a line break."""
    def joined(values) -> str:
        return " | ".join("" if v is None else csv_field(str(v)) for v in values)
    lines = result.lines
    return {
        "file": csv_field(result.file or ""), "error": csv_field(result.error or ""),
        "text": joined(l.text for l in lines), "ascii": joined(l.ascii for l in lines),
        "value": joined(l.value for l in lines), "verdict": joined(l.verdict for l in lines),
        "status": joined(l.status for l in lines),
        "confidence": joined(f"{l.confidence:.4f}" for l in lines),
    }


def csv_field(text: str) -> str:
    """`text` with CR and LF spelled `\\r`, `\\n`: a resumed batch finds records by line, so no
    field (not even a file name, which may hold a newline) may break one."""
    return text.replace("\r", "\\r").replace("\n", "\\n")
