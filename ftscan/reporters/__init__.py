"""The formats ftscan writes, each a module of this package that is a
:class:`~ftscan.reporters.base.Reporter` (see there), listed once here.

A format's module is imported when the format is first used: the SARIF object model alone
takes longer to import than a cached scan of a small repository takes to run, and a scan that
writes no SARIF never imports it (recognising a SARIF log in the tree does not need it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ftscan.reporters.base import Reporter, json_object

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ftscan.inventory import Inventory
    from ftscan.models import BaselineEntry
    from ftscan.reporters import (
        baseline,
        csv_,
        inventory_csv,
        inventory_html,
        inventory_json,
        inventory_markdown,
        json_,
        markdown,
        sarif,
        text,
    )
    from ftscan.result import ScanResult

    # each module is checked against the protocol here
    _SCAN: tuple[Reporter[ScanResult], ...] = (text, json_, sarif, csv_, markdown)
    _INVENTORY: tuple[Reporter[Inventory], ...] = (inventory_markdown, inventory_csv,
                                                   inventory_json, inventory_html)
    _BASELINE: Reporter[Iterable[BaselineEntry]] = baseline

SCAN_FORMATS = {"text": "text", "json": "json_", "sarif": "sarif", "csv": "csv_",
                "markdown": "markdown"}
"""``ftscan scan --format``: the module of each."""
INVENTORY_FORMATS = {"markdown": "inventory_markdown", "csv": "inventory_csv",
                     "json": "inventory_json", "html": "inventory_html"}
"""``ftscan inventory --format`` (and ``reconcile``): the module of each."""
OTHER_FILES = ("baseline",)
"""The modules of the other files ftscan writes (``ftscan baseline``)."""
MAX_RECOGNISED = 64 * 1024 * 1024
"""A larger file is not taken for a report (nothing ftscan writes for a repository is)."""


def _module(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{name}")


def scan_reporter(name: str) -> Reporter[ScanResult]:
    """The format ``name`` of :data:`SCAN_FORMATS`."""
    reporter: Reporter[ScanResult] = _module(SCAN_FORMATS[name])
    return reporter


def inventory_reporter(name: str) -> Reporter[Inventory]:
    """The format ``name`` of :data:`INVENTORY_FORMATS`."""
    reporter: Reporter[Inventory] = _module(INVENTORY_FORMATS[name])
    return reporter


def every_reporter() -> list[Reporter[Any]]:
    """Every format ftscan writes: scan reports, inventories, the baseline."""
    return [_module(name) for name in (*SCAN_FORMATS.values(), *INVENTORY_FORMATS.values(),
                                       *OTHER_FILES)]


def is_own_report(data: bytes) -> bool:
    """Is ``data`` whole one of the files ftscan writes? Every format is asked.

    ``ftscan scan . --format sarif --output ftscan.sarif`` leaves a file full of model ids in
    the repository. The exact files a run writes (its ``--output``, the baseline) are left out
    of that run's scan (:mod:`ftscan.pipeline.filelist`); any other file a format recognises is
    still scanned, every id in it a mention at note level that says it is an ftscan report.
    Recognising a report never leaves its ids out, so a repository gains nothing by dressing a
    file up as one; and the scan asks only about files whose name allows a report
    (:func:`ftscan.filekinds.may_be_report`): code and configuration never are one."""
    if len(data) > MAX_RECOGNISED:
        return False
    try:
        return any(reporter.recognises(data) for reporter in every_reporter())
    finally:
        json_object.cache_clear()  # the JSON formats shared one parse of ``data``


__all__ = ["INVENTORY_FORMATS", "OTHER_FILES", "SCAN_FORMATS", "Reporter", "every_reporter",
           "inventory_reporter", "is_own_report", "scan_reporter"]
