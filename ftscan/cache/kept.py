"""A report made only of what a replayed scan kept is the same as the last one: it is kept
beside the replay and written again as it was.

On a repository nobody touched since the last scan the analysis is replayed
(:mod:`ftscan.cache.replay`), and what remains is the report. The SARIF object model alone takes
longer to import than that replay takes to run, so CI running again on a commit it scanned
before would spend most of its time rebuilding a log it already wrote. Only formats that are a
pure function of the findings, rules and verdicts are kept: SARIF and CSV (JSON carries the
scan's duration, the text and Markdown summaries say how many files came from the cache).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ftscan.cache.files import cache_file, dump_keyed, load_keyed

if TYPE_CHECKING:
    from ftscan.result import ScanResult

KEPT_FORMATS = frozenset({"sarif", "csv"})


def remembered(result: ScanResult, output_format: str, cache_dir: Path | None,
               render: Callable[[ScanResult], str]) -> str:
    """``render(result)``, or the text it gave for a result with the same replay key."""
    if cache_dir is None or result.replay_key is None or output_format not in KEPT_FORMATS:
        return render(result)
    key = hashlib.sha256(f"{result.replay_key}\0{output_format}".encode()).hexdigest()
    path = cache_file(cache_dir, result.root, f".{output_format}")
    kept = load_keyed(path, key)
    if isinstance(kept, str):
        return kept
    text = render(result)
    dump_keyed(path, key, text)  # a report that cannot be kept is only made again
    return text
