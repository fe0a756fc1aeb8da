"""Print a benchmark's figures and write them to bench/reports/NAME.md (and .json)."""

import json
import platform
import time
from pathlib import Path

REPORTS = Path(__file__).resolve().parent / "reports"


def write_report(name: str, title: str, figures: dict, table: str = "") -> Path:
    """Markdown for people and JSON for tools, both stamped with machine and time."""
    REPORTS.mkdir(exist_ok=True)
    stamp = f"{time.strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, {platform.python_version()}"
    lines = [f"# {title}", "", f"_{stamp}_", "", "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in figures.items()]
    text = "\n".join(lines) + ("\n\n" + table if table else "") + "\n"
    path = REPORTS / f"{name}.md"
    path.write_text(text)
    (REPORTS / f"{name}.json").write_text(json.dumps(figures, indent=1, default=str))
    print(text)
    return path
