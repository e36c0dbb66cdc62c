"""The JSON report: versioned and documented in ``docs/json-report.md`` and its JSON Schema
``ftscan/schemas/report-v1.schema.json``."""

from __future__ import annotations

import json
from typing import Any

from ftscan import __version__
from ftscan.reporters.base import TOOL_NAME, json_object, names_ftscan
from ftscan.reporters.records import finding_record, history_record
from ftscan.result import ScanResult

name = "json"
SCHEMA_VERSION = 1


def report_document(result: ScanResult) -> dict[str, Any]:
    """The report as plain data."""
    summary = result.summary
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "asOf": result.settings.as_of.isoformat(),
        "failOn": result.settings.fail_on,
        "failed": result.failed(),
        "lifecycleVersion": result.settings.lifecycle.version,
        "summary": {
            "filesConsidered": summary.files_considered,
            "filesRead": summary.files_read,
            "filesWithCandidates": summary.files_with_candidates,
            "filesFromCache": summary.files_from_cache,
            "skipped": summary.skipped,
            "parseFallbacks": summary.parse_fallbacks,
            "findings": len(result.findings),
            "findingsByLevel": summary.findings_by_level,
            "findingsByRole": summary.findings_by_role,
            "durationSeconds": summary.duration_seconds,
            "modulesFollowed": summary.modules_followed,
            "pythonModulesFollowed": summary.modules_followed.get("python", 0),
            "unresolved": summary.unresolved,
            "resolverSteps": summary.resolver_steps,
            "suppressed": summary.suppressed,
            "staleBaselineEntries": summary.stale_baseline_entries,
            "repositories": summary.repositories,
            "changedLinesOnly": summary.changed_lines_only,
        },
        "findings": [finding_record(f) for f in result.findings],
        **_history(result),
        "staleBaselineEntries": [e.to_json() for e in result.stale_baseline],
        "diagnostics": [
            {"path": d.path, "line": d.line, "severity": d.severity.value, "message": d.message,
             "repository": d.repository}
            for d in result.diagnostics
        ],
    }


def _history(result: ScanResult) -> dict[str, Any]:
    """The history's own section (``scan --history`` only): what was read, and the ids found
    only in past commits."""
    summary = result.summary.history
    if summary is None:
        return {}
    return {"history": {
        "commits": summary.commits,
        "blobs": summary.blobs,
        "blobsRead": summary.blobs_read,
        "candidates": summary.candidates,
        "skipped": summary.skipped,
        "durationSeconds": summary.duration_seconds,
        "findings": [history_record(f) for f in result.history],
    }}


def render(result: ScanResult, color: bool = False) -> str:
    """The report as indented JSON."""
    return json.dumps(report_document(result), indent=2, ensure_ascii=False) + "\n"


def recognises(data: bytes) -> bool:
    """Is ``data`` a JSON report: ftscan's name, a schema version, the summary and the list of
    findings :func:`report_document` writes?"""
    document = json_object(data)
    if document is None:
        return False
    return names_ftscan(document.get("tool")) and isinstance(document.get("version"), int) \
        and isinstance(document.get("findings"), list) \
        and isinstance(document.get("summary"), dict)
