"""Reading photos a benchmark's own generator made in memory: each read from the very JPEG
bytes written (saved too, if asked, with a labels.tsv), then scored against its truth."""

from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from exprocr.photo_eval import PhotoScore, score_photos
from exprocr.reader import Reader


def read_generated(photos: Iterable[tuple[str, bytes, str]], reader: Reader, save: Path | None = None) -> PhotoScore:
    """Read every (file name, JPEG bytes, truth) and score the readings."""
    labels, results = {}, {}
    if save:
        save.mkdir(parents=True, exist_ok=True)
    for name, jpeg, truth in photos:
        labels[name] = truth
        results[name] = reader.read(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR))
        if save:  # the very file that was read, not a second compression of it
            (save / name).write_bytes(jpeg)
    if save:
        (save / "labels.tsv").write_text("".join(f"{k}\t{v}\n" for k, v in labels.items()))
    return score_photos(results, labels)


def wrong_readings(score: PhotoScore, first: int = 30) -> str:
    """A markdown table of the first photos read wrong."""
    wrong = [row for row in score.rows if not row.exact]
    return f"Wrong readings (first {first}):\n\n| file | truth | read |\n|---|---|---|\n" + "".join(
        f"| {row.file} | {' | '.join(row.expected)} | {' | '.join(row.read)} |\n" for row in wrong[:first])
