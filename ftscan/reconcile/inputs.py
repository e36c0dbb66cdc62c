"""What ``ftscan reconcile --from FILE`` reads: a JSON inventory (``ftscan inventory --format
json``, merged or not) or a JSON scan report (``ftscan scan --format json``), whose model-id
findings become inventory rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ftscan import inventory as inv
from ftscan.jsonfields import Fields, read_json

_SITES = {"definition": "definitions", "dynamic": "definitions", "use": "uses",
          "mention": "mentions", "example": "examples"}


def load_input(path: Path) -> inv.Inventory:
    """An inventory from ``path``; an :class:`~ftscan.inventory.InventoryError` names the file
    when it is neither kind."""
    try:
        data = read_json(path)
    except OSError as exc:
        raise inv.InventoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise inv.InventoryError(f"{path}: neither an ftscan inventory nor an ftscan JSON scan "
                                 f"report ({exc})") from None
    if isinstance(data, dict) and data.get("kind") == "ftscan-inventory":
        return inv.load(path)
    if isinstance(data, dict) and isinstance(data.get("findings"), list) and "asOf" in data:
        try:
            return from_report(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise inv.InventoryError(f"{path}: malformed scan report: {exc}") from None
    raise inv.InventoryError(f"{path}: neither an ftscan inventory nor an ftscan JSON scan "
                             "report (write one with --format json)")


def from_report(data: dict[str, Any]) -> inv.Inventory:
    """Inventory rows for the model ids of a JSON scan report (with ``--history``, of its
    history's too)."""
    inventory = inv.Inventory(dt.date.fromisoformat(data["asOf"]), 90)
    history = data.get("history")
    past_records = history.get("findings") if isinstance(history, dict) else None
    for record in [*data["findings"], *(past_records if isinstance(past_records, list)
                                         else ())]:
        if not isinstance(record, dict):
            continue
        model_id = record.get("modelId")
        where = _SITES.get(str(record.get("role")))
        if not model_id or where is None or record.get("suppression"):
            continue
        past = inv.past_from(Fields(record, "history")) if record.get("inHead") is False \
            else None
        repository = str(record.get("repository") or "")
        row = inventory.rows.get(model_id)
        if row is None:
            parts = record.get("parts") or {}
            status = record.get("status")
            row = inv.Row(
                model_id=model_id, provider=str(record.get("provider") or "unknown"),
                base_model=record.get("baseModel"), org=parts.get("org"),
                suffix=parts.get("suffix"), rule_id=str(record.get("ruleId") or ""),
                dynamic=record.get("role") == "dynamic",
                shutdown_date=record.get("shutdownDate"), next_step=None,
                dateless_status=status if status in ("deprecated", "retired")
                and not record.get("shutdownDate") else None)
            inventory.rows[model_id] = row
        site = inv.Site(repository, str(record["path"]), int(record["startLine"]))
        if past is not None:
            row.past_sites.add(site)
            row.past = inv.spanned(row.past, past)
        else:
            getattr(row, where).add(site)
        row.owners.update(str(o) for o in record.get("owners") or ())
        if record.get("service"):
            row.services.add(str(record["service"]))
        if repository:
            row.repositories.add(repository)
            inventory.repositories.add(repository)
        if record.get("context"):
            row.names.add(str(record["context"]))
    return inventory
