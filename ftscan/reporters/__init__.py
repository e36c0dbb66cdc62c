"""Reporters: one per output format, each a function ``render(result, ...) -> str``.

Each format's module is imported when the format is first used: the SARIF object model alone
takes longer to import than a cached scan of a small repository takes to run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ftscan.lazy import on_first_call
from ftscan.result import ScanResult

if TYPE_CHECKING:
    from ftscan.inventory import Inventory

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

INVENTORY_REPORTERS: dict[str, Callable[[Inventory], str]] = {
    name: on_first_call(f"ftscan.reporters.inventory_{name}", "render")
    for name in ("markdown", "csv", "json")
}
"""``render(inventory) -> text`` per format of ``ftscan inventory``."""

__all__ = ["INVENTORY_REPORTERS", "REPORTERS", "Reporter"]
