"""``python -m quartiers``: the command line."""

from quartiers.cli import app

app()
