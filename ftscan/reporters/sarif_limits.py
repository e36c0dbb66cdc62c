"""What GitHub code scanning accepts in one SARIF run, shared by the reporter
(:mod:`ftscan.reporters.sarif_run`) and ``ftscan merge-sarif`` (:mod:`ftscan.sarifmerge`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

MAX_RESULTS = 25_000
"""GitHub code scanning rejects a run with more results than this."""

Item = TypeVar("Item")


def cap(items: Sequence[Item], rank: Callable[[Item], tuple[int, bool]],
        ) -> tuple[list[Item], str | None]:
    """At most :data:`MAX_RESULTS` of ``items``, the first by ``rank`` kept (most severe, then
    not suppressed: ``(-severity, suppressed)``), in their own order; and the warning that
    says how many were left out (``None`` when none were)."""
    if len(items) <= MAX_RESULTS:
        return list(items), None
    chosen = sorted(range(len(items)), key=lambda i: rank(items[i]))[:MAX_RESULTS]
    left = len(items) - MAX_RESULTS
    return [items[i] for i in sorted(chosen)], (
        f"{left} of {len(items)} results were left out: GitHub code scanning accepts at most "
        f"{MAX_RESULTS} per run. Scan parts of the repository separately, or use the JSON "
        "report, which has them all.")
