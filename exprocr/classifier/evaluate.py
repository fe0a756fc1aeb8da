"""Accuracy of a model file on labelled glyphs, per class, with a confusion matrix (no torch)."""

from dataclasses import dataclass

import numpy as np

from exprocr.classifier.inference import GlyphClassifier


@dataclass
class GlyphScore:
    accuracy: float
    n: int
    per_class: dict[str, float]
    confusion: np.ndarray  # rows: true class, columns: predicted class

    def summary(self) -> dict:
        return {"accuracy": self.accuracy, "n": self.n, "per_class": self.per_class}


def score_glyphs(classifier: GlyphClassifier, images: np.ndarray, labels: np.ndarray) -> GlyphScore:
    """Classify normalized glyphs (N, 32, 32) and compare with class indices."""
    predicted = np.concatenate([classifier.predict_proba(images[i:i + 1024]).argmax(1)
                                for i in range(0, len(images), 1024)]) if len(images) else np.zeros(0, int)
    k = len(classifier.classes)
    confusion = np.zeros((k, k), np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = {classifier.classes[c]: float(confusion[c, c] / confusion[c].sum())
                 for c in range(k) if confusion[c].sum()}
    accuracy = float((predicted == labels).mean()) if len(labels) else 0.0
    return GlyphScore(accuracy, int(len(labels)), per_class, confusion)


def plot_confusion(score: GlyphScore, classes: tuple[str, ...], path: str) -> None:
    """The confusion matrix as a PNG (counts, log colour scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 7))
    axis.imshow(np.log1p(score.confusion), cmap="Blues")
    axis.set_xticks(range(len(classes)), classes)
    axis.set_yticks(range(len(classes)), classes)
    axis.set(xlabel="predicted", ylabel="true", title=f"accuracy {score.accuracy:.4f} (n={score.n})")
    for (i, j), count in np.ndenumerate(score.confusion):
        if count:
            axis.text(j, i, str(count), ha="center", va="center", fontsize=6)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
