"""`exprocr read`, `exprocr batch` and `exprocr evaluate photos`: the commands people use.

Every failure a user can cause (a bad photo, a bad model file, a locked output) ends as one
line on stderr and a non-zero exit, never a traceback.
"""

import json
import os
import signal
import time
from functools import partial
from pathlib import Path

import typer

from exprocr.errors import ExprocrError
from exprocr.segment.load import MAX_BYTES, MAX_PIXELS

_MAX_PIXELS = typer.Option(MAX_PIXELS, help="Refuse images whose header declares more pixels.")
_MAX_BYTES = typer.Option(MAX_BYTES, help="Refuse files larger than this many bytes.")
_MODEL = typer.Option(None, help="Model file (default: the shipped model).")
# One worker per core this process may use, at most 8 (each holds its own model and buffers).
_CORES = min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
_OVERLAY_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
EXIT_READ, EXIT_NOTHING, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _reader(model: Path | None):
    """A Reader; module-level so batch workers can build their own (it pickles by name)."""
    from exprocr.reader import Reader

    return Reader(model)


def _fail(message: str) -> typer.Exit:
    from exprocr.output import printable

    typer.echo(printable(f"error: {message}"), err=True)
    return typer.Exit(EXIT_UNUSABLE)


def _overlay_path(debug: Path, image: Path, number: int, several: bool) -> Path:
    """Where to draw one photo's overlay: the given name, numbered per photo when there are several."""
    suffix = debug.suffix.lower() if debug.suffix.lower() in _OVERLAY_SUFFIXES else ".png"
    stem = debug.stem if debug.suffix.lower() in _OVERLAY_SUFFIXES else debug.name
    return debug.with_name(f"{stem}-{number}-{image.stem}{suffix}" if several else f"{stem}{suffix}")


def register(app: typer.Typer, evaluate_app: typer.Typer) -> None:
    """Add the reading commands to the CLI."""
    app.command()(read)
    app.command()(batch)
    evaluate_app.command("photos")(evaluate_photos)


def read(
    images: list[Path] = typer.Argument(..., help="Photos to read."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per photo (JSON lines)."),
    debug: Path | None = typer.Option(None, help="Write the photo with boxes and labels to this PNG."),
    model: Path | None = _MODEL,
    max_pixels: int = _MAX_PIXELS,
    max_bytes: int = _MAX_BYTES,
) -> None:
    """Read handwritten numbers and expressions and evaluate them.

    Exit 0 when something was read, 1 when no handwriting was found, 2 for unusable input.
    """
    from exprocr.output import human, json_record, printable
    from exprocr.results import ReadResult

    if debug is not None and not debug.parent.is_dir():
        raise _fail(f"{debug.parent}: no such folder for the --debug overlay")
    try:
        reader = _reader(model)
    except ExprocrError as error:
        raise _fail(str(error)) from None
    unusable = found = False
    for number, image in enumerate(images, 1):
        overlay = None if debug is None else _overlay_path(debug, image, number, len(images) > 1)
        try:
            result = reader.read(image, debug=overlay, max_pixels=max_pixels, max_bytes=max_bytes)
        except KeyboardInterrupt:
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:  # noqa: BLE001 - one line per photo, never a traceback
            message = str(error) if isinstance(error, ExprocrError) else \
                f"{image}: internal error: {type(error).__name__}: {error}"
            unusable = True
            result = ReadResult(file=str(image), error=message)
            if not as_json:
                typer.echo(printable(f"error: {message}"), err=True)
                continue
        found = found or bool(result.lines)
        if as_json:
            typer.echo(json_record(result))
            continue
        if len(images) > 1:
            typer.echo(printable(f"{image}:"))
        typer.echo(human(result))
    raise typer.Exit(EXIT_UNUSABLE if unusable else EXIT_READ if found else EXIT_NOTHING)


def batch(
    folder: Path = typer.Argument(..., help="Folder of photos."),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Also read sub-folders."),
    out: Path = typer.Option(Path("results.jsonl"), help="Results file: .jsonl or .csv."),
    workers: int = typer.Option(_CORES, min=1,
                                help="Photos read in parallel (processes); default one per core."),
    resume: bool = typer.Option(False, help="Continue the results file: skip photos already in it."),
    overwrite: bool = typer.Option(False, help="Replace a results file that already holds results."),
    timeout: float = typer.Option(120.0, min=0, help="Seconds one photo may take before it is given up (0: no limit)."),
    model: Path | None = _MODEL,
    max_pixels: int = _MAX_PIXELS,
    max_bytes: int = _MAX_BYTES,
) -> None:
    """Read every photo in a folder into a JSONL or CSV file, record by record.

    A killed or interrupted batch loses nothing written; run it again with --resume.
    """
    from rich.console import Console

    from exprocr.batch import ResultsFile, Summary, find_images, run_batch
    from exprocr.output import printable

    console = Console(stderr=True)
    if not folder.is_dir():
        raise _fail(f"{folder}: not a folder")
    if resume and overwrite:
        raise _fail("--resume and --overwrite contradict each other")
    try:
        paths, problems = find_images(folder, recursive)
        results = ResultsFile(out, resume=resume, overwrite=overwrite)
    except ExprocrError as error:
        raise _fail(str(error)) from None
    for problem in problems:
        console.print(f"[yellow]warning:[/] {printable(problem)}", highlight=False, markup=True)
    todo = [str(p) for p in paths if not results.already_done(str(p))]
    summary = Summary(files=len(paths), skipped=len(paths) - len(todo))
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` ends the batch as cleanly as Ctrl-C
    started = time.perf_counter()
    try:
        with _progress(console) as progress:
            task = progress.add_task("batch", total=len(todo), rate=0.0)
            options = {"max_pixels": max_pixels, "max_bytes": max_bytes}
            for result in run_batch(todo, partial(_reader, model), workers=workers,
                                    timeout=timeout or None, read_options=options):
                results.write(result)
                summary.count(result)
                progress.update(task, advance=1, rate=summary.done / (time.perf_counter() - started))
    except KeyboardInterrupt:
        console.print(printable(f"interrupted: results so far are in {out}; continue with --resume"))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except ExprocrError as error:
        raise _fail(str(error)) from None
    finally:
        results.close()
    summary.seconds = time.perf_counter() - started
    Console().print(_summary_table(summary))
    typer.echo(printable(f"results: {out}"))


def _interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt


def _progress(console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]:.1f} photos/s"), TextColumn("ETA"), TimeRemainingColumn(),
                    console=console)


def _summary_table(summary):
    from rich.table import Table

    table = Table(title="exprocr batch")
    for name in ("files", "read", "empty", "failed", "already done", "wall time", "photos/s"):
        table.add_column(name, justify="right")
    table.add_row(str(summary.files), str(summary.read), str(summary.empty), str(summary.failed),
                  str(summary.skipped), f"{summary.seconds:.1f} s", f"{summary.per_second:.2f}")
    return table


def evaluate_photos(
    folder: Path = typer.Argument(..., help="Folder of labelled photos."),
    labels: Path = typer.Option(..., help="TSV: file<TAB>expression (lines joined by ' | ')."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    debug_dir: Path | None = typer.Option(None, help="Write an overlay of every wrongly read photo here."),
    model: Path | None = _MODEL,
) -> None:
    """Exact-line and exact-photo accuracy, character error rate and value accuracy."""
    from exprocr.output import printable
    from exprocr.photo_eval import load_labels, score_photos
    from exprocr.results import ReadResult

    if not folder.is_dir():
        raise _fail(f"{folder}: not a folder")
    try:
        expected = load_labels(labels)
        reader = _reader(model)
    except ExprocrError as error:
        raise _fail(str(error)) from None
    results = {}
    for name in expected:
        try:
            results[name] = reader.read(folder / name)
        except Exception as error:  # noqa: BLE001 - an unreadable photo is a wrong photo, not a stop
            message = str(error) if isinstance(error, ExprocrError) else f"internal error: {type(error).__name__}: {error}"
            results[name] = ReadResult(file=name, error=message)
    score = score_photos(results, expected)
    if debug_dir is not None:
        debug_dir.mkdir(parents=True, exist_ok=True)
        for row in score.rows:
            if not row.exact and row.error is None:
                reader.read(folder / row.file, debug=debug_dir / f"{Path(row.file).stem}.png")
    if as_json:
        typer.echo(json.dumps(score.summary() | {"rows": [row.to_dict() for row in score.rows]}, ensure_ascii=False))
        return
    typer.echo(f"photos {score.n}  lines {score.lines}")
    typer.echo(f"line-exact {score.line_exact:.3f}  photo-exact {score.photo_exact:.3f}  "
               f"CER {score.cer:.3f}  value accuracy {score.value_accuracy:.3f}")
    for row in score.rows:
        if not row.exact:
            typer.echo(printable(f"  {row.file}: expected {' | '.join(row.expected)!r}, "
                                 f"read {row.error or ' | '.join(row.read)!r}"))
