"""Recognise ftscan's own files (reports, inventories, baselines), so one written into the tree
is not scanned next time.

``ftscan scan . --format sarif --output ftscan.sarif`` leaves a file full of model ids in the
repository; scanning it again would report every id twice. A file counts as ftscan's own only
when its whole format says so, never because of one line a person could also write (a Python
comment ``## Fine-tuned model inventory`` is still scanned):

- JSON reports, SARIF logs, baselines and JSON inventories are parsed and must have the
  structure ftscan writes (tool name, version, the lists it holds);
- Markdown reports and inventories end with a signature comment holding the SHA-256 of the text
  above it: a file edited by hand, or merely starting like a report, is scanned;
- CSV reports and inventories must have ftscan's exact header and rows that fit it;
- text reports must consist of nothing but the lines the text reporter writes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from typing import Any

COMMENT_MARKER = "<!-- ftscan:inventory -->"
"""The first line of the pull request comment the GitHub Action keeps up to date."""
_SIGNATURE = re.compile(r"<!-- ftscan:signed sha256:([0-9a-f]{64}) -->\n?\Z")
_LEVELS = frozenset({"error", "warning", "note"})
_RULE_ID = re.compile(r"[A-Z][A-Z0-9]*[0-9]{3}")
_TEXT_LINE = re.compile(
    r"[ ]{2,10}\d{1,9}:\d{1,9}  (?:error|warning|note)[ ]{1,3}[A-Z][A-Z0-9]{0,9}\d{3} "
    r"[a-z-]{1,20}[ ]{1,12}\S.*")
_TEXT_SUMMARY = re.compile(r"\d{1,9} findings? [^\n]{0,1000}; as of \d{4}-\d{2}-\d{2}\.")
_MAX_STRUCTURED = 64 * 1024 * 1024


def sign_markdown(text: str) -> str:
    """``text`` with the signature line that marks it as ftscan's own."""
    body = text if text.endswith("\n") else text + "\n"
    return f"{body}<!-- ftscan:signed sha256:{_digest(body)} -->\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def is_own_report(data: bytes) -> bool:
    """Is ``data`` a file ftscan wrote, unchanged in its format?"""
    if len(data) > _MAX_STRUCTURED:
        return False
    head = data[:512].lstrip()
    try:
        if head.startswith(b"{"):
            return b"ftscan" in data[:2048] and _is_own_json(json.loads(data))
        text = data.decode("utf-8")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if "<!-- ftscan:signed" in text[-200:]:
        return _is_signed_markdown(text)
    first = text.partition("\n")[0].rstrip("\r")
    if first.startswith(("level,ruleId,", "modelId,provider,")):
        return _is_own_csv(text)
    return _is_own_text(text)


def _is_own_json(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    tool = document.get("tool")
    if tool == "ftscan":  # a baseline
        return isinstance(document.get("version"), int) and isinstance(
            document.get("entries"), list)
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


def _is_signed_markdown(text: str) -> bool:
    match = _SIGNATURE.search(text)
    if match is None:
        return False
    body = text[:match.start()]
    if _digest(body) == match.group(1):
        return True
    marker = COMMENT_MARKER + "\n"
    return body.startswith(marker) and _digest(body[len(marker):]) == match.group(1)


def _is_own_csv(text: str) -> bool:
    from ftscan.inventory import CSV_COLUMNS, STATUS_WORDS
    from ftscan.reporters.csv_ import COLUMNS

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
        return all(len(row) == len(CSV_COLUMNS) and row[status] in STATUS_WORDS
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
