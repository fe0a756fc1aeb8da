"""The `exprocr` command: each part of the package registers its own commands here.

Command modules import only what their commands need inside the command bodies, so that
`exprocr read` never pays for torch.
"""

import os

# Before NumPy loads: reading multiplies small matrices, for which OpenBLAS's thread pool
# costs more than it gives (median warm read 0.19 s → 0.16 s on 2 cores) and spins cores
# that a batch's other workers could use. Training's torch keeps its own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import typer  # noqa: E402 - after the environment is set

from exprocr import reading_commands  # noqa: E402
from exprocr.classifier import commands as classifier_commands  # noqa: E402

app = typer.Typer(
    help="Read photos of handwritten numbers and arithmetic, and evaluate them exactly.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(help="Measure accuracy on MNIST, glyph sets or labelled photos.",
                           no_args_is_help=True)
data_app = typer.Typer(help="Fetch and check training data.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(data_app, name="data")

reading_commands.register(app, evaluate_app)
classifier_commands.register(app, evaluate_app, data_app)

if __name__ == "__main__":
    app()
