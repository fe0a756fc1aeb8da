"""The reading pipeline: photo → segmenter → classifier → decoder → ReadResult.

Like EasyOCR's `Reader.readtext`, one call returns boxes, text and confidence; like docTR,
it is a predictor composed of stages, each its own module. No torch on this path.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from exprocr.classifier.inference import GlyphClassifier
from exprocr.evaluate.decoder import GlyphInput, decode_line
from exprocr.results import ReadResult
from exprocr.segment.debug import render_debug
from exprocr.segment.load import PROCESSING_PIXELS, LoadedImage, load_image
from exprocr.segment.orientation import ROTATIONS, rotate, unrotate_box
from exprocr.segment.skew import level, levelling, must_level, needs_levelling, unlevel_box, writing_angle
from exprocr.segment.segmenter import segment
from exprocr.segment.types import Box, Glyph, Page

Source = str | Path | np.ndarray

_TOP_K = 4
_STRUCTURE = {"open": "(", "close": ")", "over": "/"}  # tokens a stacked fraction implies
_DIGITS = set("0123456789")
_DIGIT_ENOUGH = 0.2  # a digit this probable makes a glyph in a fraction a number
_STANDALONE = set("=÷+×")  # small marks that are symbols of their own, never a digit's fragment
# An upright reading at least this sure, and valid, is not second-guessed. Set for glyphs read
# from two views (a disagreeing view lowers a line's confidence): real-dev's 17 variants read 4
# lines more than at 0.9, the tuning photos the same, and clean photos are read once, not 4 times.
_TRUSTED = 0.88
_JUNK = 0.4  # a short line read with less confidence than this, beside sure ones, is dropped
_TURNED = 0.75  # a turned reading must be at least this sure to replace the upright one
_TURNED_SIDEWAYS = 0.6  # ... or this, turned a quarter, if it reads 3 glyphs or more
_FAR_SURER, _TURNED_FAR_SURER = 0.25, 0.65  # ... or, far surer than the upright one, this sure
_TRUSTED_LEAD = 0.05  # ... and a trusted turned reading this much surer than the upright one
_TINY = 0.4  # a line of marks less than this share of the writing's height is not writing
_SHOW_THROUGH = 0.6  # a line's ink paler than this share of the writing's is show-through ...
_SURE_PALE = 0.9  # ... unless read with this much confidence (pencil beside pen)
_LEADING_ZERO = re.compile(r"(?<![0-9.])0[0-9]")  # a number written with a leading zero: `08`
_UNWRITTEN = 0.8  # the weight of a reading holding such a number
_SMALL_WRITING = 48  # pixels: writing less tall than this is segmented again at twice the size
_ENLARGED_GLYPHS = 80  # ... if it has no more glyphs than this
_ENLARGED_MARGIN = 3  # line heights of photo kept around the writing when only it is enlarged
_LINE_GLYPHS = 3  # glyphs a turned page needs for the angle of its lines to be theirs, not an edge's
_LEVELLED_SHARE = 0.8  # far off level, the levelled reading wins if this share as sure as the other


@dataclass
class _Reading:
    """A page read in one orientation, and the share of its writing (by glyph area) that
    the reading kept: lines dropped as no writing count against it."""

    page: Page
    result: ReadResult
    kept: float

    @property
    def quality(self) -> float:
        """How trustworthy the reading is, and how much of the page it explains: sideways
        writing read upright leaves a few digits that look like digits turned, and drops
        the rest as marks."""
        return _quality(self.result) * self.kept

    @property
    def trusted(self) -> bool:
        """Sure enough, and every line parses: not second-guessed turned or levelled."""
        return self.quality >= _TRUSTED and _all_valid(self.result)


def _glyph_count(lines: list) -> int:
    """Glyphs over a page's (or a reading's) lines."""
    return sum(len(line.glyphs) for line in lines)


def _turned_wins(turned: _Reading, trust: float) -> bool:
    """Whether a turned reading replaces a doubtful upright one that is `trust` sure.

    It must win clearly. Upside down, many digits still look like digits (0 1 6 8 9), so
    the upright reading of a photo turned over can be nearly as sure: a turned reading that
    is itself trusted needs a smaller lead. Read sideways, writing rarely looks like writing
    at all, so a sideways reading of three glyphs or more may be less sure than one upside
    down or of one glyph (an `8` turned reads `00`). A turned reading far surer than the
    upright one wins below those bars (real-dev turned over: `74*91+100*36` 0.72 against
    `98*001+16*46` 0.42 read upright; no upright photo of real-dev or of the tuning,
    font, tile and bhmsds photo sets is lost to it).
    """
    if turned.trusted:
        return turned.quality > trust + _TRUSTED_LEAD
    glyphs = _glyph_count(turned.result.lines)
    sideways = turned.page.rotation in (90, 270) and glyphs >= 3
    clearly = max(1.3 * trust, trust + 0.15, _TURNED_SIDEWAYS if sideways else _TURNED)
    far_surer = max(1.3 * trust, trust + _FAR_SURER, _TURNED_FAR_SURER)
    return turned.quality > min(clearly, far_surer)


class Reader:
    """Keeps the model loaded to read many photos; `read` is the whole pipeline."""

    def __init__(self, model: str | Path | None = None) -> None:
        self.classifier = GlyphClassifier.load(model)
        classes = self.classifier.symbols
        self.digits = np.array([i for i, c in enumerate(classes) if c in _DIGITS])
        self.standalone = np.array([i for i, c in enumerate(classes) if c in _STANDALONE])
        self.bars = np.array([i for i, c in enumerate(classes) if c == "-"])

    def read(self, source: Source, *, debug: str | Path | None = None, **limits: int) -> ReadResult:
        """Read one photo (path or BGR/grey array). Raises ImageLoadError for unusable input."""
        image = load_image(source, **limits)
        page, result = self.read_image(image)
        result.file = str(source) if isinstance(source, (str, Path)) else None
        if debug is not None:
            cv2.imwrite(str(debug), self.overlay(image, page, result))
        return result

    def read_image(self, image: LoadedImage) -> tuple[Page, ReadResult]:
        """Read upright; if that reading is doubtful, also sideways and upside down, keep the best.

        A turned photo must win clearly: the upright reading is kept unless another reads
        with markedly more confidence, or is trusted and surer, so a photo that was upright
        is not lost (none of real-dev's upright photos, nor of 220 synthetic ones, is).
        """
        upright = self._read_turned(image, 0)
        trust = upright.quality
        if upright.trusted:
            return upright.page, upright.result
        turned = max((self._read_turned(image, r) for r in ROTATIONS[1:]), key=lambda c: c.quality)
        if _turned_wins(turned, trust):
            return turned.page, turned.result
        return upright.page, upright.result

    def overlay(self, image: LoadedImage, page: Page, result: ReadResult) -> np.ndarray:
        """The photo (as read, turned upright) with boxes, labels and confidences drawn."""
        found = {tuple(g.box): (g.label, g.probability) for line in result.lines for g in line.glyphs}
        unturned = _unturner(page, image)
        labels = [[found.get(tuple(unturned(g.box)), ("?", 0.0)) for g in line.glyphs]
                  for line in page.lines]
        return render_debug(_levelled(rotate(image.bgr, page.rotation), page.skew), page, labels,
                            scale=image.scale)

    def segment(self, bgr: np.ndarray, scale: float = 1.0) -> Page:
        """The photo's lines and glyphs, the classifier scoring where touching glyphs split."""
        return segment(bgr, classify=self.classifier.symbol_proba, joinable=self.digits,
                       standalone=self.standalone, bars=self.bars, scale=scale)

    def _read_turned(self, image: LoadedImage, rotation: int) -> _Reading:
        """Read the photo turned by `rotation`. A doubtful reading of writing that runs a few
        degrees off level (a phone held crooked) is tried again levelled, and any reading of
        writing 8° or more off level. Small writing (all of it: specks make short lines of
        their own) is also read from a 2× enlargement, where its strokes are more than two or
        three pixels wide and small marks keep their shape. Each time the surer reading wins
        (enlarged JPEG blocks can make marks of their own; levelling blurs a little), save
        that far off level the levelled one needs only to be nearly as sure. Both only upright,
        so that a turned reading is not favoured by a second try; turned, writing 8° or more
        off level (a sideways photo without its tag, taken crooked) is read levelled instead
        of as it is, if it has glyphs enough to make a line (a page of one glyph has no angle
        of its own: a page's or desk's edge lends it one). The enlargement not beyond the
        processing size (of the photo, or of the part the writing lies in), nor for hundreds
        of marks (dotted paper): it costs 4× the time of what it enlarges."""
        turned = rotate(image.bgr, rotation)
        skew = writing_angle(turned)
        steep = must_level(skew)
        page = self.segment(turned, image.scale)
        marks = _glyph_count(page.lines)  # before any line is dropped as no writing
        reading = self._read_page(page, image, rotation, 0.0)
        if rotation:
            if steep and marks >= _LINE_GLYPHS:
                retry = self._read_page(self.segment(level(turned, skew), image.scale), image, rotation, skew)
                return retry if retry.quality > _LEVELLED_SHARE * reading.quality else reading
            return reading
        if needs_levelling(skew) and (steep or not reading.trusted):
            levelled = level(turned, skew)
            retry = self._read_page(self.segment(levelled, image.scale), image, rotation, skew)
            # Far off level, a sure reading as it is may still take a `+` for a `×`: there
            # the levelled reading wins unless it is clearly less sure (a grid the levelled
            # photo kept, say), elsewhere only if it is surer.
            bar = _LEVELLED_SHARE * reading.quality if steep else reading.quality
            if retry.quality > bar:
                reading, turned = retry, levelled
        heights = [line.x_height * image.scale for line in reading.page.lines]
        glyphs = _glyph_count(reading.page.lines)
        if heights and max(heights) < _SMALL_WRITING and glyphs <= _ENLARGED_GLYPHS:
            enlarged = self._read_enlarged(turned, image, reading.page)
            if enlarged is not None and enlarged.quality > reading.quality:
                reading = enlarged
        return reading

    def _read_enlarged(self, turned: np.ndarray, image: LoadedImage, page: Page) -> _Reading | None:
        """The page read again from a 2× enlargement of the photo, or, where that would pass
        the processing size, of the part the writing lies in (a margin of a few line heights
        around it): small writing in a large photo, a page shot from afar."""
        x0, y0, x1, y1 = 0, 0, turned.shape[1], turned.shape[0]
        if 4 * x1 * y1 > PROCESSING_PIXELS:
            margin = _ENLARGED_MARGIN * max(line.x_height for line in page.lines)
            left = min(line.box[0] for line in page.lines) - margin
            top = min(line.box[1] for line in page.lines) - margin
            right = max(line.box[0] + line.box[2] for line in page.lines) + margin
            bottom = max(line.box[1] + line.box[3] for line in page.lines) + margin
            x0, y0 = max(0, int(left * image.scale)), max(0, int(top * image.scale))
            x1, y1 = min(x1, int(right * image.scale) + 1), min(y1, int(bottom * image.scale) + 1)
            if 4 * (x1 - x0) * (y1 - y0) > PROCESSING_PIXELS:
                return None
        larger = cv2.resize(turned[y0:y1, x0:x1], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        found = self.segment(larger, 2 * image.scale)
        _shift(found, x0 / image.scale, y0 / image.scale)
        found.width, found.height = page.width, page.height
        return self._read_page(found, image, page.rotation, page.skew)

    def _read_page(self, page: Page, image: LoadedImage, rotation: int, skew: float) -> _Reading:
        """Decode every line of a segmented page, boxes in the original photo's pixels;
        lines that are no writing (stray marks, grid remnants) dropped."""
        page.rotation, page.skew = rotation, skew
        unturned = _unturner(page, image)
        lines = []
        for line, inputs in zip(page.lines, self._decoder_inputs(page)):
            result = decode_line(inputs)
            for glyph in result.glyphs:
                glyph.box = unturned(glyph.box) if glyph.box else glyph.box
            result.box = unturned(line.box)
            lines.append(result)
        width, height = image.original_size
        keep = _not_junk(lines, [line.x_height for line in page.lines], [line.ink for line in page.lines])
        areas = [sum(g.box[2] * g.box[3] for g in line.glyphs if g.kind == "symbol") for line in page.lines]
        kept_share = sum(a for a, kept in zip(areas, keep) if kept) / max(1, sum(areas))
        page.lines = [line for line, kept in zip(page.lines, keep) if kept]
        lines = [line for line, kept in zip(lines, keep) if kept]
        return _Reading(page, ReadResult(file=None, lines=lines, width=width, height=height, rotation=rotation),
                        kept_share)

    def _decoder_inputs(self, page: Page) -> list[list[GlyphInput]]:
        """Classify every symbol of the page in one batch; build each line's decoder input."""
        glyphs = [g for line in page.lines for g in line.glyphs if g.kind == "symbol"]
        probabilities = self._symbol_proba(glyphs) if glyphs else np.zeros((0, len(self.classifier.symbols)))
        by_id = {id(g): p for g, p in zip(glyphs, probabilities)}
        lines = []
        for line in page.lines:
            inputs = [self._glyph_input(g, by_id.get(id(g))) for g in line.glyphs]
            lines.append(_drop_needless_groups(line.glyphs, inputs))
        return lines

    def _symbol_proba(self, glyphs: list[Glyph]) -> np.ndarray:
        """The classifier's probabilities for each glyph, averaged over its two views, the
        loose outline and the stroke cores: blur, JPEG and faint pens swell or break one
        where the other holds, and a second opinion on the same ink costs one batch."""
        outline = np.stack([g.image for g in glyphs])
        cores = np.stack([g.image if g.core_image is None else g.core_image for g in glyphs])
        return self.classifier.symbol_proba(np.concatenate([outline, cores])).reshape(2, len(glyphs), -1).mean(axis=0)

    def _glyph_input(self, glyph: Glyph, probabilities: np.ndarray | None) -> GlyphInput:
        if glyph.kind in _STRUCTURE:
            return GlyphInput(top=[(_STRUCTURE[glyph.kind], 1.0)], box=glyph.box)
        top: list[tuple[str, float]] = []
        if probabilities is not None:
            order = np.argsort(probabilities)[::-1][:_TOP_K]
            top = [(self.classifier.symbols[i], float(probabilities[i])) for i in order]
        return GlyphInput(top=top, box=glyph.box, kind=glyph.kind, rel_height=glyph.rel_height,
                          rel_width=glyph.rel_width, rel_y=glyph.rel_y, aspect=glyph.aspect,
                          slant=glyph.slant, cross_tilt=glyph.cross_tilt, parts=glyph.parts,
                          pen_heights=glyph.pen_heights, dots=glyph.dots, bars=glyph.bars)


def _not_junk(lines: list, x_heights: list[float], inks: list[float]) -> list[bool]:
    """Which lines to keep, beside confident writing: not a short line the classifier and
    grammar both doubt (a stray mark, a grid remnant, a fold), not a line of marks far
    smaller than that writing (the crossings of a grid grouped into lines of their own), and
    not a doubted line far paler than that writing (show-through from the sheet's back,
    mirrored; ink alone would not do: a junk line can be as dark as writing)."""
    if len(lines) < 2 or not any(l.confidence >= _JUNK * 2 for l in lines):
        return [True] * len(lines)
    writing = [(h, ink) for l, h, ink in zip(lines, x_heights, inks)
               if len(l.glyphs) >= 3 and l.confidence >= _JUNK * 2]
    least = _TINY * max((h for h, _ in writing), default=0.0)
    palest = _SHOW_THROUGH * float(np.median([ink for _, ink in writing])) if writing else 0.0
    return [not (len(l.glyphs) <= 3 and l.confidence < _JUNK) and h >= least
            and not (ink < palest and l.confidence < _SURE_PALE)
            for l, h, ink in zip(lines, x_heights, inks)]


def _drop_needless_groups(glyphs: list[Glyph], inputs: list[GlyphInput]) -> list[GlyphInput]:
    """Remove a fraction's implied parentheses around a lone number: `7/2`, not `(7)/(2)`.
    A glyph counts as a digit when the classifier gives a digit a fair chance, not only when
    a digit leads (a lone `1` over a fraction bar may lead as `/`)."""
    drop: set[int] = set()
    stack: list[int] = []
    for i, glyph in enumerate(glyphs):
        if glyph.kind == "open":
            stack.append(i)
        elif glyph.kind == "close" and stack:
            start = stack.pop()
            inner = inputs[start + 1: i]
            if all(g.kind == "dot" or any(label in _DIGITS and p >= _DIGIT_ENOUGH for label, p in g.top)
                   for g in inner):
                drop.update((start, i))
    return [g for i, g in enumerate(inputs) if i not in drop]


def _shift(page: Page, dx: float, dy: float) -> None:
    """Move a page segmented from a crop to where the crop lies in the photo (original pixels)."""
    def moved(box: Box) -> Box:
        return int(round(box[0] + dx)), int(round(box[1] + dy)), box[2], box[3]
    for line in page.lines:
        line.box = moved(line.box)
        for glyph in line.glyphs:
            glyph.box = moved(glyph.box)


def _levelled(turned: np.ndarray, skew: float) -> np.ndarray:
    return level(turned, skew) if skew else turned


def _unturner(page: Page, image: LoadedImage) -> Callable[[Box], Box]:
    """Maps a box found in the turned (and levelled) photo to the original photo's pixels;
    the levelling's inverse is computed once per page, not once per box."""
    back = _back(page, image) if page.skew else None

    def unturned(box: Box) -> Box:
        if back is not None:
            box = unlevel_box(box, back)
        return unrotate_box(box, page.rotation, image.original_size)
    return unturned


def _back(page: Page, image: LoadedImage) -> np.ndarray:
    """The levelling undone, in original pixels: the matrix levelled the photo at processing
    size, and boxes come back from the segmenter at the original's."""
    height, width = image.bgr.shape[:2]
    turned = (height, width) if page.rotation % 180 else (width, height)
    matrix = levelling(turned, page.skew)[0]
    matrix[:, 2] /= image.scale
    return cv2.invertAffineTransform(matrix)


def _quality(result: ReadResult) -> float:
    """0…1: how trustworthy a reading is. Valid lines read with confidence, and lines that
    hold several glyphs (text read across its lines gives one-glyph lines), and numbers as
    people write them: nobody writes `08` or `001`, but `80` and `100` read upside down
    are just that."""
    glyphs = _glyph_count(result.lines)
    if glyphs == 0:
        return 0.0
    trusted = sum(line.confidence * len(line.glyphs) for line in result.lines if _valid(line.status))
    per_line = glyphs / len(result.lines)
    unwritten = any(_LEADING_ZERO.search(line.ascii) for line in result.lines)
    return trusted / glyphs * min(1.0, per_line / 3.0) * (_UNWRITTEN if unwritten else 1.0)


def _valid(status: str) -> bool:
    """A line that parses was read as something writable; `7/0` is a math error, not a misreading."""
    return status in ("ok", "number", "math error")


def _all_valid(result: ReadResult) -> bool:
    return bool(result.lines) and all(_valid(line.status) for line in result.lines)


def read(source: Source, *, model: str | Path | None = None,
         debug: str | Path | None = None) -> ReadResult:
    """Read one photo with a fresh Reader (use `Reader` to read many)."""
    return Reader(model).read(source, debug=debug)
