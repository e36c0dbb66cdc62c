"""A time budget per file: the work on one file that runs longer is given up, and the scan goes
on with the next.

Every pattern ftscan runs is meant to be linear and the parsers are well-kept libraries, but a
repository ftscan does not trust can still hold the one input nobody thought of. The budget is a
timer (``SIGALRM``) that interrupts the work with :class:`OverBudget`; Python's regular
expression engine and ftscan's own code both stop at it. It is only armed in a process's main
thread on systems with ``setitimer`` (not on Windows, where files simply take what they take).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

DEFAULT_FILE_BUDGET_SECONDS = 20.0


class OverBudget(BaseException):
    """The work on one file took longer than its budget. A ``BaseException``, as
    ``KeyboardInterrupt`` is: the catch-alls that keep a parser's bug from costing the scan
    (``except Exception``) must not swallow it, and go on with the file past its budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"gave up after {seconds:g} s")
        self.seconds = seconds


_armed: list[float] = []


def _interrupt(signum: int, frame: FrameType | None) -> None:
    if _armed:  # a stray alarm once the budget is over is no reason to stop anything
        raise OverBudget(_armed[-1])


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Run the block within ``seconds`` (``None``: no limit), else raise :class:`OverBudget`
    in it. Nested budgets are not supported: the inner one is ignored."""
    if not seconds or _armed or not _usable():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _interrupt)
    _armed.append(seconds)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)  # from here on it may fire: inside try
        yield
    finally:
        # the timer fires once: if it fires here, as the block ends, OverBudget leaves from
        # this first step, and the inner ``finally`` still disarms (a budget left armed would
        # switch every later budget off: the next endless file would hang the scan)
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            _armed.pop()
            signal.signal(signal.SIGALRM, previous)
