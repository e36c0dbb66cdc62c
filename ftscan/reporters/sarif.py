"""SARIF 2.1.0 for GitHub code scanning: the log around the one run
:mod:`ftscan.reporters.sarif_run` builds with sarif-om. That module (and the SARIF object model)
is imported only when a log is written: recognising one in the tree needs neither.
"""

from __future__ import annotations

import json

from ftscan.reporters.base import json_object, names_ftscan
from ftscan.result import ScanResult

name = "sarif"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
def render(result: ScanResult, color: bool = False) -> str:
    """The SARIF log as indented JSON."""
    from ftscan.reporters.sarif_run import run_of

    log = {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run_of(result)]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def recognises(data: bytes) -> bool:
    """Is ``data`` a SARIF log whose every run is ftscan's, with its results?"""
    document = json_object(data)
    if document is None or document.get("version") != SARIF_VERSION:
        return False
    runs = document.get("runs")
    return isinstance(runs, list) and bool(runs) and all(
        isinstance(run, dict) and isinstance(run.get("tool"), dict)
        and names_ftscan(run["tool"].get("driver")) and isinstance(run.get("results"), list)
        for run in runs)
