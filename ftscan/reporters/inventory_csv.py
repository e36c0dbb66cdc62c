"""The inventory as CSV: one row per model id, ready for a spreadsheet."""

from __future__ import annotations

import csv
import io

from ftscan.escape import csv_cell
from ftscan.inventory import Inventory, Row
from ftscan.models import Status
from ftscan.reporters.base import csv_records
from ftscan.reporters.reconciled import CSV_COLUMNS as REMOTE_CSV_COLUMNS
from ftscan.reporters.reconciled import csv_values as remote_csv
from ftscan.reporters.records import past_fields

name = "csv"
_STATUSES = {status.value for status in Status}

COLUMNS = ("modelId", "provider", "baseModel", "org", "suffix", "status", "shutdownDate",
           "daysLeft", "owners", "services", "repositories", "definitionCount", "useCount",
           "definitions", "uses", "names", "nextStep", "outside", "recipe",
           "trainingFiles", "validationFiles")


HISTORY_COLUMNS = ("historyOnly", "historySites", "commit", "commitDate", "firstCommit",
                   "firstCommitDate", "removedIn", "removedOn")
"""Columns of an inventory made with ``--history``."""


def render(inventory: Inventory, color: bool = False) -> str:
    """One row per model id; lists are joined with ``; `` so each stays in one cell, and no
    cell can start a spreadsheet formula."""
    several = len(inventory.repositories) > 1
    out = io.StringIO()
    writer = csv.writer(out)
    reconciled = inventory.reconciliation
    history = any(row.past is not None for row in inventory.rows.values())
    writer.writerow(COLUMNS + (REMOTE_CSV_COLUMNS if reconciled else ())
                    + (HISTORY_COLUMNS if history else ()))
    for row in inventory.sorted_rows():
        status, days = row.status(inventory.as_of, inventory.window_days)
        writer.writerow([csv_cell(value) for value in (
            row.shown if not row.model_id and row.kind in ("training", "training-data")
        else row.model_id, row.provider, row.base_model or "", row.org or "", row.suffix or "",
            status, row.shutdown_date or "", "" if days is None else days,
            "; ".join(sorted(row.owners)), "; ".join(sorted(row.services)),
            "; ".join(sorted(row.repositories)), len(row.definitions), len(row.uses),
            "; ".join(s.label(several) for s in sorted(row.definitions)),
            "; ".join(s.label(several) for s in sorted(row.uses)),
            "; ".join(sorted(row.names)), row.next_step or "", row.outside or "",
            row.recipe_text(several), "; ".join(sorted(row.training_files)),
            "; ".join(sorted(row.validation_files)),
            *(remote_csv(row.remote, reconciled.usage_days) if reconciled else ()),
            *(_past_cells(row, several) if history else ()),
        )])
    return out.getvalue()


def _past_cells(row: Row, several: bool) -> tuple[object, ...]:
    """The history columns of a row (empty for an id the history does not hold)."""
    if row.past is None:
        return ("false",) + ("",) * (len(HISTORY_COLUMNS) - 1)
    fields = past_fields(row.past)
    return (str(row.history_only).lower(),
            "; ".join(s.label(several) for s in sorted(row.past_sites)),
            *(fields[name] or "" for name in HISTORY_COLUMNS[2:]))


def recognises(data: bytes) -> bool:
    """Does ``data`` have a header :func:`render` writes (with the provider's columns when
    reconciled, the history's with ``--history``), and rows that fit it?"""
    records = csv_records(data, *(COLUMNS + remote + history
                                  for remote in ((), REMOTE_CSV_COLUMNS)
                                  for history in ((), HISTORY_COLUMNS)))
    return records is not None and all(record["status"] in _STATUSES for record in records)
