"""The `exprocr` command: each part of the package registers its own commands here.

Command modules import only what their commands need inside the command bodies, so that
`exprocr read` never pays for torch.
"""

import typer

from exprocr import reading_commands
from exprocr.classifier import commands as classifier_commands

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
