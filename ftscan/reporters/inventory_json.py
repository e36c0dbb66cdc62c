"""The inventory as versioned JSON (documented in ``docs/inventory.md`` and its JSON Schema
``ftscan/schemas/inventory-v3.schema.json``): what ``ftscan inventory --merge`` and
``ftscan reconcile`` read back (:func:`ftscan.inventory.load`)."""

from __future__ import annotations

import json
from typing import Any

from ftscan import __version__
from ftscan.inventory import INVENTORY_KIND, INVENTORY_VERSION, Inventory
from ftscan.reporters.base import TOOL_NAME, json_object, names_ftscan
from ftscan.reporters.reconciled import reconciliation_json, remote_json
from ftscan.reporters.records import past_fields

name = "json"


def render(inventory: Inventory, color: bool = False) -> str:
    """The versioned JSON inventory (documented in docs/inventory.md); ``--merge`` reads it."""
    return json.dumps(document(inventory), indent=2, ensure_ascii=False) + "\n"


def document(inventory: Inventory) -> dict[str, Any]:
    """The JSON inventory as an object (the HTML page embeds it as its data)."""
    rows = []
    for row in inventory.sorted_rows():
        status, days = row.status(inventory.as_of, inventory.window_days)
        rows.append({
            "modelId": row.model_id,
            "provider": row.provider,
            "baseModel": row.base_model,
            "org": row.org,
            "suffix": row.suffix,
            "ruleId": row.rule_id,
            "dynamic": row.dynamic,
            "status": status,
            "shutdownDate": row.shutdown_date,
            "daysLeft": days,
            "nextStep": row.next_step,
            "owners": sorted(row.owners),
            "services": sorted(row.services),
            "repositories": sorted(row.repositories),
            "names": sorted(row.names),
            "definitions": [s.to_json() for s in sorted(row.definitions)],
            "uses": [s.to_json() for s in sorted(row.uses)],
            "mentions": [s.to_json() for s in sorted(row.mentions)],
            "examples": [s.to_json() for s in sorted(row.examples)],
            "outside": row.outside,
            "kind": row.kind,
            "label": row.label,
            "recipe": {
                "sites": [s.to_json() for s in sorted(row.recipe_sites)],
                "trainingFiles": sorted(row.training_files),
                "validationFiles": sorted(row.validation_files),
                "note": row.recipe_note,
            },
        })
        if inventory.reconciliation is not None:
            rows[-1]["remote"] = remote_json(row.remote)
        if row.past is not None:  # scan --history: where and when the history held it
            past: dict[str, Any] = {k: v for k, v in past_fields(row.past).items()
                                    if k != "inHead"}
            past.update(historyOnly=row.history_only,
                        sites=[s.to_json() for s in sorted(row.past_sites)])
            rows[-1]["history"] = past
    written: dict[str, Any] = {
        "version": INVENTORY_VERSION,
        "kind": INVENTORY_KIND,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "asOf": inventory.as_of.isoformat(),
        "warningWindowDays": inventory.window_days,
        "jobCreationEnds": (inventory.job_creation_ends.isoformat()
                            if inventory.job_creation_ends else None),
        "repositories": sorted(inventory.repositories),
        "models": rows,
    }
    if inventory.reconciliation is not None:
        written["reconciliation"] = reconciliation_json(inventory.reconciliation)
    return written


def recognises(data: bytes) -> bool:
    """Is ``data`` a JSON inventory: ftscan's name, the inventory's kind and its rows?"""
    document = json_object(data)
    if document is None:
        return False
    return names_ftscan(document.get("tool")) and document.get("kind") == INVENTORY_KIND \
        and isinstance(document.get("models"), list)
