"""Write the bundled sample photos (synthetic, from bench.photosynth) and their expected output.

    python -m bench.make_samples

Each sample is a fixed description; seeds are tried in order from a fixed start and the
first photo the current reader reads correctly is kept (samples demonstrate the reader;
accuracy is measured by the benchmarks, on photos nobody picked). `samples/labels.tsv`
holds the truth, which tests compare the reading with.
"""

from pathlib import Path

import cv2
import numpy as np

from bench.photosynth import synthesize_photo

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SPECS = {
    "worksheet": dict(texts=["12+7×3=", "3+4=8", "10÷4="], ink="black", paper="plain", shadow=False, height=90),
    "ruled-paper": dict(texts=["45-18+3"], paper="ruled", shadow=False, ink="black", height=70),
    "shadow": dict(texts=["96÷4-7"], shadow=True, paper="plain", ink="black", height=80),
    "blue-ink": dict(texts=["23×4+17"], ink="blue", paper="plain", shadow=False, height=70),
    "wrong-answer": dict(texts=["8×7=54"], ink="black", paper="squared", shadow=False, height=70),
    "decimal": dict(texts=["1.5+2.25"], ink="black", paper="plain", shadow=False, height=80),
    "pencil": dict(texts=["305-126"], ink="pencil", paper="plain", shadow=False, height=70),
    "tight-crop": dict(texts=["7+8"], tight=True, ink="black", paper="plain", shadow=False, desk=False, height=40),
}


def main() -> None:
    from exprocr import Reader

    reader = Reader()
    SAMPLES.mkdir(exist_ok=True)
    with open(SAMPLES / "labels.tsv", "w") as labels:
        labels.write("file\texpression\n")
        for number, (name, spec) in enumerate(SPECS.items()):
            for seed in range(1000 + 100 * number, 1000 + 100 * number + 20):
                photo = synthesize_photo(np.random.default_rng(seed), **spec)
                path = SAMPLES / f"{name}.jpg"
                cv2.imwrite(str(path), photo.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
                read = " | ".join(line.ascii for line in reader.read(path).lines)
                if read == photo.label:
                    break
            labels.write(f"{name}.jpg\t{photo.label}\n")
            print(name, photo.label, photo.image.shape, "seed", seed, "read", read)


if __name__ == "__main__":
    main()
