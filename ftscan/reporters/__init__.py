"""Reporters: one per output format, each a function ``render(result, ...) -> str``.

Each format's module is imported when the format is first used: the SARIF object model alone
takes longer to import than a cached scan of a small repository takes to run."""

from __future__ import annotations

from collections.abc import Callable

from ftscan.lazy import on_first_call
from ftscan.result import ScanResult

Reporter = Callable[[ScanResult, bool], str]
"""``render(result, color) -> text``; ``color`` matters only to the text format."""


def _renderer(module: str, name: str) -> Reporter:
    """``ftscan.reporters.module.name``, imported when first used; it takes no colour."""
    render = on_first_call(f"ftscan.reporters.{module}", name)
    return lambda result, color: str(render(result))


REPORTERS: dict[str, Reporter] = {
    "text": on_first_call("ftscan.reporters.text", "render_text"),
    "json": _renderer("json_", "render_json"),
    "sarif": _renderer("sarif", "render_sarif"),
    "csv": _renderer("csv_", "render_csv"),
    "markdown": _renderer("markdown", "render_markdown"),
}

__all__ = ["REPORTERS", "Reporter"]
