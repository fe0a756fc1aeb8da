"""`exprocr read`, `exprocr batch` and `exprocr evaluate photos`: the commands people use."""

import json
import sys
import time
from functools import partial
from pathlib import Path

import typer

from exprocr.errors import ExprocrError
from exprocr.segment.load import MAX_BYTES, MAX_PIXELS

_MAX_PIXELS = typer.Option(MAX_PIXELS, help="Refuse images whose header declares more pixels.")
_MAX_BYTES = typer.Option(MAX_BYTES, help="Refuse files larger than this many bytes.")


def _reader(model: Path | None):
    from exprocr.reader import Reader

    return Reader(model)


def register(app: typer.Typer, evaluate_app: typer.Typer) -> None:
    """Add the reading commands to the CLI."""

    @app.command()
    def read(
        images: list[Path] = typer.Argument(..., help="Photos to read."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per photo (JSON lines)."),
        debug: Path | None = typer.Option(None, help="Write the photo with boxes and labels to this PNG."),
        model: Path | None = typer.Option(None, help="Model file (default: the shipped model)."),
        max_pixels: int = _MAX_PIXELS,
        max_bytes: int = _MAX_BYTES,
    ) -> None:
        """Read handwritten numbers and expressions and evaluate them.

        Exit 0 when something was read, 1 when no handwriting was found, 2 for unusable input.
        """
        from exprocr.output import human, json_record
        from exprocr.results import ReadResult

        try:
            reader = _reader(model)
        except ExprocrError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        unusable = found = False
        for n, image in enumerate(images):
            overlay = debug
            if debug is not None and len(images) > 1:
                overlay = debug.with_name(f"{debug.stem}-{n + 1}-{image.stem}{debug.suffix or '.png'}")
            try:
                result = reader.read(image, debug=overlay, max_pixels=max_pixels, max_bytes=max_bytes)
            except ExprocrError as error:
                unusable = True
                result = ReadResult(file=str(image), error=str(error))
                if not as_json:
                    typer.echo(f"error: {error}", err=True)
                    continue
            found = found or bool(result.lines)
            if as_json:
                typer.echo(json_record(result))
            else:
                if len(images) > 1:
                    typer.echo(f"{image}:")
                typer.echo(human(result))
        raise typer.Exit(2 if unusable else 0 if found else 1)

    @app.command()
    def batch(
        folder: Path = typer.Argument(..., help="Folder of photos."),
        recursive: bool = typer.Option(False, "--recursive", "-r", help="Also read sub-folders."),
        out: Path = typer.Option(Path("results.jsonl"), help="Results file: .jsonl or .csv."),
        workers: int = typer.Option(1, help="Photos read in parallel (processes)."),
        resume: bool = typer.Option(False, help="Skip photos already in the results file."),
        timeout: float | None = typer.Option(None, help="Seconds one photo may take before it is given up."),
        model: Path | None = typer.Option(None, help="Model file (default: the shipped model)."),
        max_pixels: int = _MAX_PIXELS,
        max_bytes: int = _MAX_BYTES,
    ) -> None:
        """Read every photo in a folder into a JSONL or CSV file, record by record."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        from rich.table import Table

        from exprocr.batch import ResultsFile, Summary, find_images, run_batch

        console = Console(stderr=True)
        if not folder.is_dir():
            typer.echo(f"error: {folder}: not a folder", err=True)
            raise typer.Exit(2)
        try:
            paths, problems = find_images(folder, recursive)
            results = ResultsFile(out, resume)
        except ExprocrError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        for problem in problems:
            console.print(f"[yellow]warning:[/] {problem}")
        todo = [str(p) for p in paths if str(p) not in results.done]
        summary = Summary(files=len(paths), skipped=len(paths) - len(todo))
        started = time.perf_counter()
        columns = (TextColumn("reading"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]:.1f} photos/s"), TimeRemainingColumn())
        try:
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("batch", total=len(todo), rate=0.0)
                factory = partial(_reader, model)
                options = {"max_pixels": max_pixels, "max_bytes": max_bytes}
                for result in run_batch(todo, factory, workers=workers, timeout=timeout, read_options=options):
                    results.write(result)
                    if result.error:
                        summary.failed += 1
                    elif result.lines:
                        summary.read += 1
                    else:
                        summary.empty += 1
                    elapsed = time.perf_counter() - started
                    progress.update(task, advance=1, rate=(summary.read + summary.empty + summary.failed) / elapsed)
        except KeyboardInterrupt:
            console.print(f"interrupted: results so far are in {out}; continue with --resume")
            raise typer.Exit(130) from None
        finally:
            results.close()
        summary.seconds = time.perf_counter() - started
        table = Table(title=f"exprocr batch → {out}")
        for name in ("files", "read", "empty", "failed", "already done", "wall time", "photos/s"):
            table.add_column(name, justify="right")
        table.add_row(str(summary.files), str(summary.read), str(summary.empty), str(summary.failed),
                      str(summary.skipped), f"{summary.seconds:.1f} s", f"{summary.per_second:.2f}")
        console.print(table)

    @evaluate_app.command("photos")
    def evaluate_photos(
        folder: Path = typer.Argument(..., help="Folder of labelled photos."),
        labels: Path = typer.Option(..., help="TSV: file<TAB>expression (lines joined by ' | ')."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        debug_dir: Path | None = typer.Option(None, help="Write an overlay of every wrongly read photo here."),
        model: Path | None = typer.Option(None, help="Model file (default: the shipped model)."),
    ) -> None:
        """Exact-line and exact-photo accuracy, character error rate and value accuracy."""
        from exprocr.photo_eval import load_labels, score_photos
        from exprocr.results import ReadResult

        try:
            expected = load_labels(labels)
            reader = _reader(model)
        except ExprocrError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        results = {}
        for name in expected:
            try:
                results[name] = reader.read(folder / name)
            except ExprocrError as error:
                results[name] = ReadResult(file=name, error=str(error))
        score = score_photos(results, expected)
        if debug_dir is not None:
            debug_dir.mkdir(parents=True, exist_ok=True)
            for row in score.rows:
                if not row.exact and row.error is None:
                    reader.read(folder / row.file, debug=debug_dir / f"{Path(row.file).stem}.png")
        if as_json:
            payload = score.summary() | {"rows": [vars(r) | {"exact": r.exact} for r in score.rows]}
            typer.echo(json.dumps(payload, ensure_ascii=False))
            return
        typer.echo(f"photos {score.n}  lines {score.lines}")
        typer.echo(f"line-exact {score.line_exact:.3f}  photo-exact {score.photo_exact:.3f}  "
                   f"CER {score.cer:.3f}  value accuracy {score.value_accuracy:.3f}")
        for row in score.rows:
            if not row.exact:
                typer.echo(f"  {row.file}: expected {' | '.join(row.expected)!r}, read "
                           f"{row.error or ' | '.join(row.read)!r}", file=sys.stdout)
