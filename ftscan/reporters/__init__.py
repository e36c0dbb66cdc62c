"""Reporters: one per output format, each a function ``render(result, ...) -> str``.

Each format's module is imported when the format is first used: the SARIF object model alone
takes longer to import than a cached scan of a small repository takes to run."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ftscan.api import ScanResult

Reporter = Callable[[ScanResult, bool], str]
"""``render(result, color) -> text``; ``color`` matters only to the text format."""


def _on_first_use(module: str, name: str, takes_color: bool = False) -> Reporter:
    def render(result: ScanResult, color: bool) -> str:
        function = getattr(importlib.import_module(f"ftscan.reporters.{module}"), name)
        text: str = function(result, color) if takes_color else function(result)
        return text

    render.__name__ = name
    return render


REPORTERS: dict[str, Reporter] = {
    "text": _on_first_use("text", "render_text", takes_color=True),
    "json": _on_first_use("json_", "render_json"),
    "sarif": _on_first_use("sarif", "render_sarif"),
    "csv": _on_first_use("csv_", "render_csv"),
    "markdown": _on_first_use("markdown", "render_markdown"),
}

__all__ = ["REPORTERS", "Reporter"]
