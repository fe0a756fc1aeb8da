"""Write the bundled sample photos (synthetic, from bench.photosynth) and their expected output.

    python -m bench.make_samples

Each sample is a fixed seed and a fixed description; `samples/expected.tsv` holds what
`exprocr read` must print for it (tests compare against it).
"""

from pathlib import Path

import cv2
import numpy as np

from bench.photosynth import synthesize_photo

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SPECS = {
    "worksheet": dict(texts=["12+7×3=", "3+4=8", "10÷4="], ink="black", paper="plain", shadow=False, height=60),
    "ruled-paper": dict(texts=["45-18+3"], paper="ruled", shadow=False, ink="black", height=70),
    "shadow": dict(texts=["96÷4-7"], shadow=True, paper="plain", ink="black", height=80),
    "blue-ink": dict(texts=["23×4+17"], ink="blue", paper="plain", shadow=False, height=70),
    "wrong-answer": dict(texts=["8×7=54"], ink="black", paper="squared", shadow=False, height=70),
    "decimal": dict(texts=["1.5+2.25"], ink="black", paper="plain", shadow=False, height=80),
    "pencil": dict(texts=["305-126"], ink="pencil", paper="plain", shadow=False, height=70),
    "tight-crop": dict(texts=["7+8"], tight=True, ink="black", paper="plain", shadow=False, desk=False, height=40),
}


def main() -> None:
    SAMPLES.mkdir(exist_ok=True)
    with open(SAMPLES / "labels.tsv", "w") as labels:
        labels.write("file\texpression\n")
        for seed, (name, spec) in enumerate(SPECS.items()):
            photo = synthesize_photo(np.random.default_rng(1000 + seed), **spec)
            cv2.imwrite(str(SAMPLES / f"{name}.jpg"), photo.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            labels.write(f"{name}.jpg\t{photo.label}\n")
            print(name, photo.label, photo.image.shape)


if __name__ == "__main__":
    main()
