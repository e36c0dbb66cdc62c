"""The baseline file (``ftscan baseline create`` and ``update``): the accepted findings by
fingerprint, sorted, with no line numbers and no timestamps, so that moving code does not touch
it and diffs stay small. What the entries mean and how a scan applies them:
:mod:`ftscan.baseline`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ftscan.reporters.base import TOOL_NAME, json_object

if TYPE_CHECKING:
    from ftscan.models import BaselineEntry

name = "baseline"
BASELINE_VERSION = 1


def render(entries: Iterable[BaselineEntry], color: bool = False) -> str:
    """The baseline file: one entry per fingerprint, sorted by path, rule, id."""
    ordered = sorted({e.fingerprint: e for e in entries}.values(),
                     key=lambda e: (e.path, e.rule_id, e.model_id, e.fingerprint))
    return json.dumps(_document([e.to_json() for e in ordered]), indent=2,
                      ensure_ascii=False) + "\n"


def _document(entries: list[dict[str, object]]) -> dict[str, Any]:
    return {"version": BASELINE_VERSION, "tool": TOOL_NAME, "entries": entries}


def recognises(data: bytes) -> bool:
    """Is ``data`` a baseline: the fields :func:`render` writes and nothing else, each entry
    with its fingerprint?"""
    document = json_object(data)
    if document is None or document.keys() != _document([]).keys():
        return False
    entries = document["entries"]
    return document["tool"] == TOOL_NAME and isinstance(document["version"], int) \
        and isinstance(entries, list) and all(
            isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries)
