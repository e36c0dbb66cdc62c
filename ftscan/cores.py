"""How many cores this process may use (a module of its own: the scan's entry points ask before
they import anything heavy)."""

from __future__ import annotations

import os


def available_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
