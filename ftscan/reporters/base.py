"""What a report format is, and what the formats ftscan writes share.

A format is a module of :mod:`ftscan.reporters` that is a :class:`Reporter`: it has a
``name``, writes its subject (a scan result, an inventory, a baseline's entries) with
``render``, and knows its own output again with ``recognises``, from the same constants and
functions it writes with. A scan asks every format whether a file in the tree is one of
ftscan's reports (:func:`ftscan.reporters.is_own_report`); the ids in one are mentions.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from typing import Any, Protocol, TypeVar

Subject = TypeVar("Subject", contravariant=True)

TOOL_NAME = "ftscan"
"""The name every report, inventory and baseline gives the tool that wrote it."""
_TOOL_NAME_WITHIN = 2048
"""Every JSON file ftscan writes names it within its first bytes (its writers put the tool
before the findings, rows or entries)."""


class Reporter(Protocol[Subject]):
    """One format ftscan writes."""

    @property
    def name(self) -> str:
        """What the user calls it (``--format``)."""
        ...

    def render(self, subject: Subject, color: bool = False) -> str:
        """The text of the format; ``color`` (ANSI styles) matters only to a terminal's."""
        ...

    def recognises(self, data: bytes) -> bool:
        """Is ``data``, whole, what this format writes? Code that could have been written by
        hand to look like it is not: the whole structure must be the format's."""
        ...


@functools.lru_cache(maxsize=1)
def json_object(data: bytes) -> dict[str, Any] | None:
    """``data`` parsed, when it is a JSON object that names ftscan near its start; else
    ``None``. Each JSON format asks about the same bytes: the last answer is kept."""
    if not data[:512].lstrip().startswith(b"{") or \
            TOOL_NAME.encode() not in data[:_TOOL_NAME_WITHIN]:
        return None
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def names_ftscan(tool: object) -> bool:
    """Is ``tool`` (a JSON report's or inventory's ``tool``, a SARIF run's driver) ftscan?"""
    return isinstance(tool, dict) and tool.get("name") == TOOL_NAME


def starts_with_heading(data: bytes, heading: str) -> bool:
    """Is ``data`` UTF-8 Markdown whose first line is ``heading``, a blank line below it?"""
    return data.startswith(f"{heading}\n\n".encode()) and utf8_text(data) is not None


def csv_records(data: bytes, *headers: tuple[str, ...]) -> list[dict[str, str]] | None:
    """The rows of ``data`` by column, when it is UTF-8 CSV whose first row is one of
    ``headers`` and whose every other row has a cell per column; else ``None``."""
    text = utf8_text(data)
    if text is None:
        return None
    rows = csv.reader(io.StringIO(text))
    try:
        header = tuple(next(rows, ()))
        if header not in headers:
            return None
        return [dict(zip(header, row, strict=True)) for row in rows]
    except (csv.Error, ValueError):  # a cell over the csv module's limit; a row too short
        return None


def utf8_text(data: bytes) -> str | None:
    """``data`` as text, when it is UTF-8 (every text format ftscan writes is)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
