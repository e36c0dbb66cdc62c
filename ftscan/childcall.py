"""Native code that may crash or never return, called in a child process: its death costs the
call, not the scan, and the file's time budget reaches it.

libcst's parser is native code. On input nobody thought of it can crash the process (a stack
overflow no ``except`` catches: in a repository small enough to be scanned in one process, the
whole scan died with no report), or run for minutes where the budget's timer
(:mod:`ftscan.budget`) cannot interrupt it. A :class:`ChildCall` runs one function in a child
process of its own, started on first use and kept for the calls that follow (forked, it starts
in about 10 ms; a call then costs a round trip of its arguments and its answer, a fraction of
a millisecond for a typical module, next to the parse itself). When the child dies, the call
raises :class:`ChildDied` and the next call starts a new child. When the budget runs out while
the child works, its timer interrupts the wait here: the child is killed, and the budget's
exception goes on as from any other work.

Each process has a child of its own (a worker of the scan's pool too): a child inherited across
a fork belongs to the process that started it and is left alone.
"""

from __future__ import annotations

import faulthandler
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

_R = TypeVar("_R")


class ChildDied(Exception):
    """The child process died during the call (a crash in native code)."""


class ChildCall(Generic[_R]):
    """``function`` (a module-level function: it may be sent to a spawned child by name),
    called in a child process."""

    def __init__(self, function: Callable[..., _R]) -> None:
        self.function = function
        self._child: tuple[BaseProcess, Connection] | None = None
        self._owner = 0
        """The process that started the child."""

    def __call__(self, *args: Any) -> _R:
        _, connection = self._started()
        collecting = gc.isenabled()
        try:
            connection.send(args)
            gc.disable()  # the answer is many small objects: no cycles to look for among them
            succeeded, answer = connection.recv()
        except (EOFError, OSError):
            code = self.stop()
            raise ChildDied(f"the process reading it died: {_how(code)}") from None
        except BaseException:  # the budget ran out (or Ctrl-C): the child may still be busy
            self.stop()
            raise
        finally:
            if collecting:
                gc.enable()
        if not succeeded:
            raise answer
        return answer  # type: ignore[no-any-return]

    def stop(self) -> int | None:
        """End the child (if this process started one); its exit code, if it had ended."""
        child, self._child = self._child, None
        if child is None or self._owner != os.getpid():
            return None
        process, connection = child
        connection.close()
        if process.exitcode is None:
            process.kill()
        process.join()
        return process.exitcode

    def _started(self) -> tuple[BaseProcess, Connection]:
        if self._child is not None and self._owner == os.getpid():
            return self._child
        self._child = None  # a child inherited across a fork is its parent's
        context = _context()
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, ours, self.function),
                                  daemon=True, name="ftscan-child")
        process.start()
        theirs.close()
        self._child, self._owner = (process, ours), os.getpid()
        return self._child


def _context() -> Any:
    """Fork where it is available and safe (no other thread could hold a lock the child
    would need): the child starts in milliseconds with every module loaded. Elsewhere spawn
    (a fresh interpreter: a few hundred milliseconds, once)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _serve(connection: Connection, parent_end: Connection, function: Callable[..., Any],
           ) -> None:
    """The child: answer calls until the parent goes."""
    parent_end.close()  # else the parent's end stays open here, and its exit goes unseen
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # a crash here is the parent's to report, in one line
    while True:
        try:
            args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:
            answer = (False, exc)
        try:
            connection.send(answer)
        except Exception as exc:  # an answer that cannot be sent back is a failure
            connection.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _how(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
