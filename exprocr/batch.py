"""Read a folder of photos into a results file that survives anything.

Every record is appended and flushed the moment it exists, so a crash, a kill or Ctrl-C
loses nothing already read; `resume` skips what the file already holds (a torn last line
from a kill is cut off first). A lock keeps two batches from writing one file. Photos are
read in worker processes, each keeping its own model; a worker that dies or runs past the
time limit costs one error record, and a fresh worker takes its place.
"""

import csv
import fcntl
import json
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from exprocr.errors import ExprocrError
from exprocr.output import CSV_FIELDS, csv_row, json_record
from exprocr.results import ReadResult

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"}


class BatchError(ExprocrError):
    """The batch cannot start: output locked, unreadable, or of an unknown kind."""


@dataclass
class Summary:
    files: int = 0
    read: int = 0
    empty: int = 0
    failed: int = 0
    skipped: int = 0  # already in the output (resume)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return (self.read + self.empty + self.failed) / self.seconds if self.seconds else 0.0


def find_images(folder: Path, recursive: bool) -> tuple[list[Path], list[str]]:
    """Image files under `folder` in a stable order, and the directories that could not be read."""
    problems: list[str] = []
    if not recursive:
        try:
            entries = sorted(folder.iterdir())
        except OSError as exc:
            raise BatchError(f"{folder}: cannot list ({exc.strerror or exc})") from None
        return [p for p in entries if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES], problems
    images: list[Path] = []
    seen: set[str] = set()
    for root, dirs, files in os.walk(folder, followlinks=True,
                                     onerror=lambda exc: problems.append(f"{exc.filename}: cannot list")):
        real = os.path.realpath(root)
        if real in seen:  # a symlink loop: this folder was walked already
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        images.extend(Path(root) / name for name in sorted(files)
                      if Path(name).suffix.lower() in IMAGE_SUFFIXES and (Path(root) / name).is_file())
    return images, problems


class ResultsFile:
    """Append-only JSONL or CSV results with a lock, flushed record by record."""

    def __init__(self, path: Path, resume: bool) -> None:
        self.path = path
        self.kind = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        self._lock = open(path.with_name(path.name + ".lock"), "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"{path}: another batch is writing this file") from None
        self.done: set[str] = set()
        if resume and path.exists():
            self._cut_torn_tail()
            self.done = self._files_already_written()
        elif path.exists() and not resume:
            path.unlink()
        new = not path.exists() or path.stat().st_size == 0
        self._handle = open(path, "a", encoding="utf-8", newline="")
        self._csv = csv.DictWriter(self._handle, CSV_FIELDS) if self.kind == "csv" else None
        if self._csv and new:
            self._csv.writeheader()
            self._handle.flush()

    def _cut_torn_tail(self) -> None:
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.path, "r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def _files_already_written(self) -> set[str]:
        with open(self.path, encoding="utf-8", newline="") as handle:
            if self.kind == "csv":
                return {row["file"] for row in csv.DictReader(handle) if row.get("file")}
            done = set()
            for line in handle:
                try:
                    done.add(json.loads(line)["file"])
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue
            return done

    def write(self, result: ReadResult) -> None:
        if self._csv:
            self._csv.writerow(csv_row(result))
        else:
            self._handle.write(json_record(result) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()
        self._lock.close()


def _worker(connection: Connection, factory: Callable[[], Any], read_options: dict) -> None:
    """Worker process: build a reader once, then read what it is sent until told to stop."""
    try:
        reader = factory()
    except ExprocrError as error:
        reader, failure = None, str(error)
    while True:
        path = connection.recv()
        if path is None:
            return
        if reader is None:
            connection.send(ReadResult(file=path, error=failure))
            continue
        try:
            result = reader.read(path, **read_options)
        except ExprocrError as error:
            result = ReadResult(file=path, error=str(error))
        except Exception as error:  # noqa: BLE001 - any surprise is one file's error record
            result = ReadResult(file=path, error=f"{path}: internal error: {type(error).__name__}: {error}")
        result.file = path
        connection.send(result)


class _Slot:
    """One worker process and the file it is reading."""

    def __init__(self, context, factory, read_options) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, factory, read_options), daemon=True)
        self.process.start()
        child.close()
        self.path: str | None = None
        self.started = 0.0

    def send(self, path: str) -> None:
        self.path, self.started = path, time.monotonic()
        self.connection.send(path)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


def run_batch(paths: list[str], factory: Callable[[], Any], *, workers: int = 1,
              timeout: float | None = None, read_options: dict | None = None) -> Iterator[ReadResult]:
    """Read every path in worker processes; yield each result as soon as it exists."""
    context = mp.get_context("spawn")
    options = read_options or {}
    pending = list(reversed(paths))
    slots = [_Slot(context, factory, options) for _ in range(max(1, min(workers, len(paths))))]
    try:
        while pending or any(s.path for s in slots):
            for slot in slots:
                if slot.path is None and pending:
                    slot.send(pending.pop())
            busy = [s for s in slots if s.path]
            ready = wait([s.connection for s in busy] + [s.process.sentinel for s in busy], timeout=0.5)
            for i, slot in enumerate(slots):
                if slot.path is None:
                    continue
                failure = None
                if slot.connection in ready:
                    try:
                        result = slot.connection.recv()
                        slot.path = None
                        yield result
                        continue
                    except (EOFError, OSError):
                        failure = "the worker reading it stopped unexpectedly"
                elif slot.process.sentinel in ready or not slot.process.is_alive():
                    failure = "the worker reading it stopped unexpectedly"
                elif timeout and time.monotonic() - slot.started > timeout:
                    failure = f"took longer than the {timeout:g} s time limit"
                if failure:
                    path = slot.path
                    slot.stop(kill=True)
                    slots[i] = _Slot(context, factory, options)
                    yield ReadResult(file=path, error=f"{path}: {failure}")
    finally:
        for slot in slots:
            slot.stop(kill=bool(slot.path))
