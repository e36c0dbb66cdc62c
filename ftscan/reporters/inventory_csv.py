"""The inventory as CSV: one row per model id, ready for a spreadsheet."""

from __future__ import annotations

import csv
import io

from ftscan.escape import csv_cell
from ftscan.inventory import Inventory
from ftscan.models import Status
from ftscan.reporters.base import csv_records
from ftscan.reporters.reconciled import CSV_COLUMNS as REMOTE_CSV_COLUMNS
from ftscan.reporters.reconciled import csv_values as remote_csv

name = "csv"
_STATUSES = {status.value for status in Status}

COLUMNS = ("modelId", "provider", "baseModel", "org", "suffix", "status", "shutdownDate",
           "daysLeft", "owners", "services", "repositories", "definitionCount", "useCount",
           "definitions", "uses", "names", "nextStep", "outside", "recipe",
           "trainingFiles", "validationFiles")


def render(inventory: Inventory, color: bool = False) -> str:
    """One row per model id; lists are joined with ``; `` so each stays in one cell, and no
    cell can start a spreadsheet formula."""
    several = len(inventory.repositories) > 1
    out = io.StringIO()
    writer = csv.writer(out)
    reconciled = inventory.reconciliation
    writer.writerow(COLUMNS + (REMOTE_CSV_COLUMNS if reconciled else ()))
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
        )])
    return out.getvalue()


def recognises(data: bytes) -> bool:
    """Does ``data`` have a header :func:`render` writes (with the provider's columns when
    reconciled), and rows that fit it?"""
    records = csv_records(data, COLUMNS, COLUMNS + REMOTE_CSV_COLUMNS)
    return records is not None and all(record["status"] in _STATUSES for record in records)
