"""Results as people and programs read them: human lines, JSON records, CSV rows."""

import json

from exprocr.evaluate.format import format_line
from exprocr.results import LineResult, ReadResult

CSV_FIELDS = ["file", "error", "text", "ascii", "value", "verdict", "status", "confidence"]


def human_line(line: LineResult) -> str:
    """`12+7×3 = 33   (97%)`, then the doubtful glyphs with their runners-up."""
    text = f"{format_line(line)}   ({line.confidence:.0%})"
    doubtful = [f"'{g.label}' {g.probability:.2f}" + (f" or '{g.alternatives[0][0]}' {g.alternatives[0][1]:.2f}"
                                                     if g.alternatives else "")
                for g in line.glyphs if g.low_confidence]
    return text + ("\n    doubtful: " + "; ".join(doubtful) if doubtful else "")


def human(result: ReadResult) -> str:
    """All lines of one photo, or why it could not be read."""
    if result.error:
        return f"error: {result.error}"
    if not result.lines:
        return "no handwriting found"
    return "\n".join(human_line(line) for line in result.lines)


def json_record(result: ReadResult) -> str:
    """One JSON object on one line (JSONL)."""
    return json.dumps(result.to_dict(), ensure_ascii=False)


def csv_row(result: ReadResult) -> dict[str, str]:
    """One CSV row per photo; several written lines joined by ` | `."""
    def joined(values) -> str:
        return " | ".join("" if v is None else str(v) for v in values)
    lines = result.lines
    return {
        "file": result.file or "", "error": result.error or "",
        "text": joined(l.text for l in lines), "ascii": joined(l.ascii for l in lines),
        "value": joined(l.value for l in lines), "verdict": joined(l.verdict for l in lines),
        "status": joined(l.status for l in lines),
        "confidence": joined(f"{l.confidence:.4f}" for l in lines),
    }
