"""ftscan's library API: ``scan(ScanOptions(...)) -> ScanResult``. The CLI is a thin layer on it.

A scan walks the files under the given paths, reads each once as bytes, skips binary files and
files without any rule keyword (they are never decoded or parsed), analyses the rest, follows
the names that hold an id to the code that uses them, and judges what it found for the scan's
date (:mod:`ftscan.verdicts`). Errors that stop it derive from :class:`FtscanError`.
"""

from __future__ import annotations

from ftscan.gitfiles import discard_early
from ftscan.result import FtscanError, ScanError, ScanOptions, ScanResult, ScanSummary, Settings

__all__ = ["FtscanError", "ScanError", "ScanOptions", "ScanResult", "ScanSummary", "Settings",
           "scan"]


def scan(options: ScanOptions) -> ScanResult:
    """Run a scan. Raises a :class:`FtscanError` (a path that does not exist, a config, rule
    or baseline that cannot be used) when it cannot start."""
    from ftscan.pipeline.sweep import run

    try:
        return run(options)
    finally:
        discard_early()  # a listing ftscan.launch started that this scan did not need
