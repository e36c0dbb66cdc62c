"""What ftscan's commands share: exit codes, option types, the cache options, running a scan
with a progress line and its diagnostics, writing a report, and the one-line usage error.

Kept apart from :mod:`ftscan.cli` (the command group) so that the commands that call a
provider (:mod:`ftscan.cli_providers`), loaded only when one is asked for, use the same pieces
without importing the group that loads them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from ftscan.api import scan
from ftscan.atomic import write_atomic
from ftscan.cache.files import default_cache_dir
from ftscan.config import parse_size
from ftscan.escape import terminal
from ftscan.models import Severity
from ftscan.result import HistoryRange, ScanOptions, ScanResult
from ftscan.shards import parse_shard

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
PROGRESS_AFTER_SECONDS = 1.5


class Size(click.ParamType):
    name = "size"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None
                ) -> int:
        try:
            return parse_size(value)  # type: ignore[arg-type]
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Shard(click.ParamType):
    name = "I/N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None
                ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        try:
            return parse_shard(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None
                ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


_F = TypeVar("_F", bound=Callable[..., object])


def cache_options(command: _F) -> _F:
    command = click.option(
        "--cache-dir", type=click.Path(path_type=Path, file_okay=False),
        help="Keep the scan cache here [default: $FTSCAN_CACHE_DIR, else the user cache "
             "folder, e.g. ~/.cache/ftscan].")(command)
    return click.option(
        "--no-cache", is_flag=True,
        help="Read and parse every file; neither use nor update the cache.")(command)


def history_options(command: _F) -> _F:
    """``--history``, ``--since`` and ``--branches``: also read the repository's past
    commits (:mod:`ftscan.history`)."""
    command = click.option(
        "--branches", type=click.Choice(["default", "all"]),
        help="With --history: the commits of HEAD's branch (default), or of every local and "
             "remote-tracking branch (all).")(command)
    command = click.option(
        "--since", metavar="REV|YYYY-MM-DD",
        help="With --history: only the commits after this revision, or since this day.")(
        command)
    return click.option(
        "--history", is_flag=True,
        help="Also report fine-tuned ids found only in past commits (one per id and path, "
             "with the newest commit that held it); every blob is read once and kept in "
             "the cache.")(command)


def history_range(history: bool, since: str | None, branches: str | None,
                  ) -> HistoryRange | None:
    """What ``--history``, ``--since`` and ``--branches`` ask for (``None``: no history)."""
    if not history:
        if since is not None or branches is not None:
            usage_error("--since and --branches go with --history")
        return None
    return HistoryRange(since=since, branches=branches or "default")


def cache_dir_for(no_cache: bool, cache_dir: Path | None) -> Path | None:
    """The cache folder for a command's scan (``None``: no cache)."""
    if no_cache:
        return None
    return cache_dir if cache_dir is not None else default_cache_dir()


def emit(report: str, output: Path | None) -> None:
    if output is not None:
        try:
            write_atomic(output, report)
        except OSError as exc:
            usage_error(f"cannot write {output}: {exc.strerror or exc}")
    else:
        click.echo(report, nl=False)


def run_scan(options: ScanOptions, quiet: bool, verbose: bool) -> ScanResult:
    """Scan with a progress line on a terminal, then print the diagnostics."""
    progress = Progress() if not quiet and sys.stderr.isatty() else None
    try:
        result = scan(dataclasses.replace(options, progress=progress))
    finally:
        if progress is not None:
            progress.clear()
    print_diagnostics(result, quiet=quiet, verbose=verbose)
    return result


def usage_error(message: str) -> NoReturn:
    click.echo(f"ftscan: error: {terminal(message)}", err=True)
    sys.exit(EXIT_USAGE)


def print_diagnostics(result: ScanResult, quiet: bool, verbose: bool) -> None:
    if quiet:
        return
    for diagnostic in result.diagnostics:
        if diagnostic.severity is Severity.INFO and not verbose:
            continue
        click.echo(f"ftscan: {terminal(diagnostic.render())}", err=True)


def color_wanted() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


class Progress:
    """A progress line on stderr (a TTY), shown only once a scan has run for a while."""

    def __init__(self) -> None:
        self._last = 0.0
        self._shown = False

    def __call__(self, files: int, total: int, elapsed: float) -> None:
        now = time.monotonic()
        if elapsed >= PROGRESS_AFTER_SECONDS and now - self._last > 0.2:
            self._last = now
            self._shown = True
            sys.stderr.write(f"\rftscan: {files}/{total} files read ({elapsed:.1f}s)")
            sys.stderr.flush()

    def clear(self) -> None:
        """Erase the line before anything else is printed."""
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
