"""`python -m exprocr` is the `exprocr` command."""

from exprocr.cli import app

app()
