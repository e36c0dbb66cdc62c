"""Recognise a report ftscan wrote (a scan report, an inventory, a baseline) that sits in the
tree, so that the ids in it are reported for what they are: mentions in an ftscan report.

``ftscan scan . --format sarif --output ftscan.sarif`` leaves a file full of model ids in the
repository. The exact files a run writes (its ``--output``, the baseline) are left out of that
run's scan (:mod:`ftscan.pipeline.filelist`); any other file that looks like a report is still
scanned, and every id in it is a mention at note level, saying it is an ftscan report.
Recognising a report never leaves its ids out, so a repository gains nothing by dressing a
file up as one, and a file of code or configuration (Python, JavaScript, YAML, ``.env``, ...) is never taken
for one, whatever it holds. A file counts as a report only when its whole format says so:

- JSON reports, SARIF logs, baselines and JSON inventories are parsed and must have the
  structure ftscan writes (tool name, version, the lists it holds; a baseline nothing else);
- Markdown reports and inventories start with ftscan's heading (after the marker line of the
  pull request comment the GitHub Action keeps);
- CSV reports and inventories must have ftscan's exact header and rows that fit it;
- text reports must consist of nothing but the lines the text reporter writes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from ftscan.filekinds import FileKind, classify, comment_syntax
from ftscan.reporters.inventory_markdown import COMMENT_MARKER

_LEVELS = frozenset({"error", "warning", "note"})
_RULE_ID = re.compile(r"[A-Z][A-Z0-9]*[0-9]{3}")
_TEXT_LINE = re.compile(
    r"[ ]{2,10}\d{1,9}:\d{1,9}  (?:error|warning|note)[ ]{1,3}[A-Z][A-Z0-9]{0,9}\d{3} "
    r"[a-z-]{1,20}[ ]{1,12}\S.*")
_TEXT_SUMMARY = re.compile(r"\d{1,9} findings? [^\n]{0,1000}; as of \d{4}-\d{2}-\d{2}\.")
_BASELINE_KEYS = frozenset({"version", "tool", "entries"})
_MAX_STRUCTURED = 64 * 1024 * 1024
_REPORT_KINDS = frozenset({FileKind.JSON, FileKind.PROSE, FileKind.DATA})


def may_be_report(relpath: str) -> bool:
    """Could the file at ``relpath`` be a report, by its name? JSON, Markdown, text, CSV and
    files of no known kind (``.sarif``, ``.out``, no suffix) can; code and configuration
    cannot."""
    kind = classify(relpath)
    return kind in _REPORT_KINDS or (kind is FileKind.SOURCE
                                     and comment_syntax(relpath, kind) is None)


def is_own_report(relpath: str, data: bytes) -> bool:
    """Is ``data``, the content of the file at ``relpath``, a report ftscan wrote, whole?"""
    if len(data) > _MAX_STRUCTURED or not may_be_report(relpath):
        return False
    head = data[:512].lstrip()
    try:
        if head.startswith(b"{"):
            return b"ftscan" in data[:2048] and _is_own_json(json.loads(data))
        text = data.decode("utf-8")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if text.startswith((COMMENT_MARKER, "## ")):
        return _is_own_markdown(text)
    first = text.partition("\n")[0].rstrip("\r")
    if first.startswith(("level,ruleId,", "modelId,provider,")):
        return _is_own_csv(text)
    return _is_own_text(text)


def _is_own_json(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    tool = document.get("tool")
    if tool == "ftscan":  # a baseline: nothing but its entries
        entries = document.get("entries")
        return document.keys() == _BASELINE_KEYS and isinstance(document["version"], int) \
            and isinstance(entries, list) and all(
                isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries)
    if isinstance(tool, dict) and tool.get("name") == "ftscan":
        if document.get("kind") == "ftscan-inventory":
            return isinstance(document.get("models"), list)
        return isinstance(document.get("version"), int) and isinstance(
            document.get("findings"), list) and isinstance(document.get("summary"), dict)
    runs = document.get("runs")
    if document.get("version") == "2.1.0" and isinstance(runs, list) and runs:
        return all(isinstance(run, dict) and isinstance(run.get("tool"), dict)
                   and isinstance(run["tool"].get("driver"), dict)
                   and run["tool"]["driver"].get("name") == "ftscan"
                   and isinstance(run.get("results"), list) for run in runs)
    return False


def _is_own_markdown(text: str) -> bool:
    from ftscan.reporters.inventory_markdown import HEADING as MARKDOWN_HEADING
    from ftscan.reporters.markdown import HEADING

    body = text.removeprefix(COMMENT_MARKER + "\n")
    heading, _, rest = body.partition("\n")
    return heading in (HEADING, MARKDOWN_HEADING) and rest.startswith("\n")


def _is_own_csv(text: str) -> bool:
    from ftscan.models import Status
    from ftscan.reporters.csv_ import COLUMNS
    from ftscan.reporters.inventory_csv import COLUMNS as CSV_COLUMNS

    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return False
    header, body = rows[0], rows[1:]
    if header == list(COLUMNS):
        level, rule = COLUMNS.index("level"), COLUMNS.index("ruleId")
        return all(len(row) == len(COLUMNS) and row[level] in _LEVELS
                   and _RULE_ID.fullmatch(row[rule]) for row in body)
    if header == list(CSV_COLUMNS):
        status = CSV_COLUMNS.index("status")
        return all(len(row) == len(CSV_COLUMNS) and row[status] in {s.value for s in Status}
                   for row in body)
    return False


def _is_own_text(text: str) -> bool:
    from ftscan.reporters.text import HOW_TO_ACCEPT

    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1] == HOW_TO_ACCEPT:
        lines.pop()
    if not lines or not _TEXT_SUMMARY.fullmatch(lines[-1]):
        return False
    body = lines[:-1]
    for i, line in enumerate(body):
        if not line or _TEXT_LINE.fullmatch(line):
            continue
        # a file's heading: no leading blank, and its findings below it
        if line[0].isspace() or i + 1 == len(body) or not _TEXT_LINE.fullmatch(body[i + 1]):
            return False
    return True
