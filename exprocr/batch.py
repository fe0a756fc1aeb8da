"""Read a folder of photos into a results file that survives anything.

Every record is appended and flushed the moment it exists, so a crash, a kill or Ctrl-C
loses nothing already read; `resume` skips what the file already holds (a torn last line
from a kill is cut off first). A lock on the results file keeps two batches from writing
it. Photos are read in worker processes, each keeping its own model; a worker that dies or
runs past the time limit costs one error record, and a fresh worker takes its place.
"""

import csv
import fcntl
import json
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from exprocr.errors import ExprocrError
from exprocr.output import CSV_FIELDS, csv_field, csv_row, json_record
from exprocr.results import ReadResult

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif",
                  ".heic", ".heif"}  # phones save these: listed, so each gets a record saying why it is unread
_STARTUP_SECONDS = 120.0  # a worker that cannot load its model in this long is stuck
_STARTUP_FAILURES = 3  # workers dying before they are ready this many times in a row: give up
# What BLAS and OpenCV read, when they load, to size their thread pools.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENCV_FOR_THREADS_NUM")


class BatchError(ExprocrError):
    """The batch cannot start or go on: output locked, unwritable, or workers that cannot start."""


@dataclass
class Summary:
    """What a batch did, for the table at its end."""

    files: int = 0
    read: int = 0
    empty: int = 0
    failed: int = 0
    skipped: int = 0  # already in the output (resume)
    seconds: float = 0.0

    def count(self, result: ReadResult) -> None:
        if result.error:
            self.failed += 1
        elif result.lines:
            self.read += 1
        else:
            self.empty += 1

    @property
    def done(self) -> int:
        return self.read + self.empty + self.failed

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def find_images(folder: Path, recursive: bool) -> tuple[list[Path], list[str]]:
    """Image files under `folder` in a stable order, and what could not be looked at.

    Symlinks are followed, but a folder already walked (a symlink loop) is not walked again.
    """
    images: list[Path] = []
    problems: list[str] = []
    walked: set[str] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in walked:
            continue
        walked.add(real)
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if current == folder:
                raise BatchError(f"{folder}: cannot list ({exc.strerror or exc})") from None
            problems.append(f"{current}: cannot list ({exc.strerror or exc})")
            continue
        subfolders = []
        for entry in entries:
            path = Path(current) / entry.name
            try:
                if entry.is_dir():
                    subfolders.append(path)
                elif entry.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                    images.append(path)
            except OSError as exc:
                problems.append(f"{path}: cannot look at ({exc.strerror or exc})")
        if recursive:
            pending.extend(reversed(subfolders))
    return images, problems


def _same_file_key(name: str) -> str:
    return os.path.abspath(name)


class ResultsFile:
    """Append-only JSONL or CSV results under an exclusive lock, flushed record by record.

    An existing non-empty file is continued with `resume`, replaced with `overwrite`, and
    otherwise refused, so a night's results are never lost to a repeated command.
    """

    def __init__(self, path: Path, *, resume: bool = False, overwrite: bool = False) -> None:
        self.path = path
        self.kind = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        try:
            # CSV keeps non-UTF-8 file names byte for byte; JSON escapes them itself
            self._handle = open(path, "a+", encoding="utf-8", newline="", errors="surrogateescape")
        except OSError as exc:
            raise BatchError(f"{path}: cannot write results ({exc.strerror or exc})") from None
        self.done: set[str] = set()
        try:
            self._lock()
            self._prepare(resume, overwrite)
        except BatchError:
            self._handle.close()
            raise
        except OSError as exc:
            self._handle.close()
            raise BatchError(f"{path}: cannot use the results file ({exc.strerror or exc})") from None

    def _lock(self) -> None:
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"{self.path}: another batch is writing this file") from None

    def _prepare(self, resume: bool, overwrite: bool) -> None:
        size = os.fstat(self._handle.fileno()).st_size
        if overwrite:
            self._handle.truncate(0)
        elif size and not resume:
            raise BatchError(f"{self.path}: already holds results; use --resume to continue it "
                             "or --overwrite to start again")
        elif resume:
            self._cut_torn_tail()
            self.done = self._files_already_written()
        self._csv = csv.DictWriter(self._handle, CSV_FIELDS) if self.kind == "csv" else None
        if self._csv and os.fstat(self._handle.fileno()).st_size == 0:
            self._csv.writeheader()
            self._handle.flush()

    def already_done(self, name: str) -> bool:
        """Whether the file already has a record (as the file spells it: CSV escapes line breaks)."""
        return _same_file_key(csv_field(name) if self.kind == "csv" else name) in self.done

    def _cut_torn_tail(self) -> None:
        """A batch killed mid-write leaves a last line without its newline: drop it."""
        fd = self._handle.fileno()
        size = os.fstat(fd).st_size
        if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
            return
        end = size
        while end > 0:
            start = max(0, end - 65536)
            newline = os.pread(fd, end - start, start).rfind(b"\n")
            if newline >= 0:
                os.ftruncate(fd, start + newline + 1)
                return
            end = start
        os.ftruncate(fd, 0)

    def _files_already_written(self) -> set[str]:
        with open(self.path, encoding="utf-8", newline="", errors="surrogateescape") as handle:
            if self.kind == "csv":
                return {_same_file_key(row["file"]) for row in csv.DictReader(handle) if row.get("file")}
            done = set()
            for line in handle:
                try:
                    done.add(_same_file_key(json.loads(line)["file"]))
                except (ValueError, KeyError, TypeError):
                    continue  # not one of our records
            return done

    def write(self, result: ReadResult) -> None:
        if self._csv:
            self._csv.writerow(csv_row(result))
        else:
            self._handle.write(json_record(result) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()  # also releases the lock


def _worker(connection: Connection, factory: Callable[[], Any], read_options: dict) -> None:
    """Worker process: build a reader once, say so, then read what it is sent until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        reader, failure = factory(), None
    except Exception as error:  # noqa: BLE001 - a reader that cannot be built fails each file
        failure = str(error) if isinstance(error, ExprocrError) else f"{type(error).__name__}: {error}"
        reader = None
    try:
        connection.send("ready")
        while (path := connection.recv()) is not None:
            connection.send(_read_one(reader, failure, path, read_options))
    except (EOFError, OSError):
        return  # the parent is gone


def _read_one(reader: Any, failure: str | None, path: str, read_options: dict) -> ReadResult:
    if reader is None:
        return ReadResult(file=path, error=f"{path}: cannot read: {failure}")
    try:
        result = reader.read(path, **read_options)
    except ExprocrError as error:
        result = ReadResult(file=path, error=str(error))
    except Exception as error:  # noqa: BLE001 - any surprise is one file's error record
        result = ReadResult(file=path, error=f"{path}: internal error: {type(error).__name__}: {error}")
    result.file = path
    return result


class _Worker:
    """One worker process and the file it is reading (None while starting or idle)."""

    def __init__(self, context: Any, factory: Callable[[], Any], read_options: dict) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, factory, read_options), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.path: str | None = None
        self.since = time.monotonic()

    def give(self, path: str) -> None:
        self.path, self.since = path, time.monotonic()
        self.connection.send(path)

    def overdue(self, timeout: float | None) -> bool:
        if not self.ready:
            return time.monotonic() - self.since > max(_STARTUP_SECONDS, timeout or 0.0)
        return self.path is not None and timeout is not None and time.monotonic() - self.since > timeout

    def stop(self) -> None:
        if self.path is None and self.process.is_alive():
            try:
                self.connection.send(None)
                self.process.join(timeout=2)
            except OSError:
                pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


@contextmanager
def _one_thread_each(enabled: bool) -> Iterator[None]:
    """Workers started meanwhile do their maths on one thread: when several workers are the
    parallelism, BLAS and OpenCV in each would start a thread per core and spin against
    one another (60 photos on 2 cores, 2 workers: 21.7 s as they were, 12.1 s like this)."""
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    if enabled:
        os.environ.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_batch(paths: list[str], factory: Callable[[], Any], *, workers: int = 1,
              timeout: float | None = None, read_options: dict | None = None) -> Iterator[ReadResult]:
    """Read every path in worker processes; yield each result as soon as it exists.

    `factory` builds a reader in each worker (it must be picklable: a module-level function
    or a partial of one). A file whose worker dies or runs past `timeout` seconds becomes an
    error record and the worker is replaced.
    """
    size = max(1, min(workers, len(paths)))
    with _one_thread_each(size > 1):  # spawned workers read the environment as it is now
        yield from _run_pool(paths, factory, size, timeout, read_options or {})


def _run_pool(paths: list[str], factory: Callable[[], Any], size: int, timeout: float | None,
              options: dict) -> Iterator[ReadResult]:
    context = mp.get_context("spawn")
    pending = list(reversed(paths))
    pool = [_Worker(context, factory, options) for _ in range(size)]
    failed_starts = 0
    try:
        while pending or any(w.path for w in pool):
            for worker in pool:
                if worker.ready and worker.path is None and pending:
                    worker.give(pending.pop())
            wait([w.connection for w in pool] + [w.process.sentinel for w in pool], timeout=0.25)
            for i, worker in enumerate(pool):
                message, failure = None, None
                try:
                    if worker.connection.poll():
                        message = worker.connection.recv()
                except (EOFError, OSError):
                    failure = "the worker reading it stopped unexpectedly"
                if message == "ready":
                    worker.ready, failed_starts = True, 0
                elif isinstance(message, ReadResult):
                    worker.path = None
                    yield message
                elif not worker.process.is_alive():
                    failure = "the worker reading it stopped unexpectedly"
                elif worker.overdue(timeout):
                    failure = (f"took longer than the {timeout:g} s time limit" if worker.ready
                               else "the worker could not start")
                if failure is None:
                    continue
                path = worker.path
                worker.path = None
                worker.stop()
                if not worker.ready:
                    failed_starts += 1
                    if failed_starts >= _STARTUP_FAILURES:
                        raise BatchError(f"worker processes cannot start ({failure})")
                pool[i] = _Worker(context, factory, options)
                if path is not None:
                    yield ReadResult(file=path, error=f"{path}: {failure}")
    finally:
        for worker in pool:
            worker.stop()

