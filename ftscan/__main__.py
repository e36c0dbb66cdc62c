"""Allow ``python -m ftscan``."""

from ftscan.cli import run

run()
