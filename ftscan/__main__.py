"""Allow ``python -m ftscan``."""

from ftscan.launch import run

run()
