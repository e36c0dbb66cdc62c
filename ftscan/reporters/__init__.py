"""Reporters: one per output format, each a function ``render(result, ...) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from ftscan.api import ScanResult
from ftscan.reporters.csv_ import render_csv
from ftscan.reporters.json_ import render_json
from ftscan.reporters.markdown import render_markdown
from ftscan.reporters.sarif import render_sarif
from ftscan.reporters.text import render_text

Reporter = Callable[[ScanResult, bool], str]
"""``render(result, color) -> text``; ``color`` matters only to the text format."""

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": lambda result, color: render_json(result),
    "sarif": lambda result, color: render_sarif(result),
    "csv": lambda result, color: render_csv(result),
    "markdown": lambda result, color: render_markdown(result),
}

__all__ = ["REPORTERS", "Reporter"]
