"""Allow ``python -m ftscan``."""

from ftscan.cli import main

main()
