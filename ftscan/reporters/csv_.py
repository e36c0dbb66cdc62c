"""CSV: one row per finding, ready for a spreadsheet (no cell can start a formula). With
``scan --history``, the ids found only in past commits follow the tree's, in the same columns
and a few of their own (:data:`HISTORY_COLUMNS`: empty for a finding of the tree)."""

from __future__ import annotations

import csv
import io

from ftscan.escape import csv_cell
from ftscan.models import Level, Role, Status
from ftscan.reporters.base import csv_records
from ftscan.reporters.records import finding_record, past_fields
from ftscan.result import ScanResult

name = "csv"
_WORDS = {"level": {level.label for level in Level}, "role": {role.value for role in Role},
          "status": {status.value for status in Status}}
"""Columns every row fills from a fixed set of words."""
COLUMNS = (
    "level", "ruleId", "role", "modelId", "provider", "baseModel", "status", "shutdownDate",
    "daysLeft", "path", "startLine", "startColumn", "kind", "context", "confidence", "modelIds",
    "owners", "service", "repository", "suppressed", "message",
)


HISTORY_COLUMNS = ("inHead", "commit", "commitDate", "firstCommit", "firstCommitDate",
                   "removedIn", "removedOn")
"""Columns of a report with the history (``scan --history``)."""


def render(result: ScanResult, color: bool = False) -> str:
    """The findings as CSV with a header row (RFC 4180 quoting, ``\r\n`` line ends)."""
    columns = COLUMNS if result.summary.history is None else COLUMNS + HISTORY_COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for finding in (*result.findings, *result.history):
        record = finding_record(finding)
        record["modelIds"] = " ".join(record["modelIds"])
        record["owners"] = " ".join(record["owners"])
        suppression = record["suppression"]
        record["suppressed"] = f"{suppression['kind']}: {suppression['justification']}" if (
            suppression) else ""
        past = {"inHead": True} if finding.history is None else past_fields(finding.history)
        record.update((column, past.get(column)) for column in HISTORY_COLUMNS)
        record["inHead"] = str(record["inHead"]).lower()
        writer.writerow({k: csv_cell(record[k]) for k in columns})
    return out.getvalue()


def recognises(data: bytes) -> bool:
    """Does ``data`` have a header :func:`render` writes, and rows that fit it?"""
    records = csv_records(data, COLUMNS, COLUMNS + HISTORY_COLUMNS)
    return records is not None and all(
        record[column] in words for record in records for column, words in _WORDS.items())
