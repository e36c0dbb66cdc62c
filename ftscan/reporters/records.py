"""A finding as a flat record of plain values: the shape JSON and CSV share."""

from __future__ import annotations

from typing import Any

from ftscan.models import Finding, FlowStep, PastSite


def finding_record(finding: Finding) -> dict[str, Any]:
    """The finding's fields, with the names the JSON schema documents (camelCase)."""
    loc = finding.location
    life = finding.lifecycle
    return {
        "ruleId": finding.rule_id,
        "level": finding.level.label,
        "role": finding.role.value,
        "message": finding.message,
        "path": loc.path,
        "startLine": loc.start_line,
        "startColumn": loc.start_column,
        "endLine": loc.end_line,
        "endColumn": loc.end_column,
        "modelId": finding.model_id,
        "provider": finding.provider,
        "baseModel": finding.base_model,
        "status": life.status.value,
        "shutdownDate": life.shutdown_date.isoformat() if life.shutdown_date else None,
        "daysLeft": life.days_left,
        "kind": finding.kind,
        "context": finding.context,
        "parts": dict(finding.parts),
        "fingerprint": finding.fingerprint,
        "owners": list(finding.owners),
        "service": finding.service,
        "repository": finding.repository,
        "suppression": None if finding.suppression is None else {
            "kind": finding.suppression.kind,
            "justification": finding.suppression.justification,
        },
        "modelIds": list(finding.model_ids) or ([finding.model_id] if finding.model_id else []),
        "outside": finding.outside,
        "training": _training(finding),
        "trainingData": _training_data(finding),
        "lines": None if finding.lines is None else {
            "count": finding.lines.count, "first": list(finding.lines.first)},
        "confidence": finding.confidence,
        "definitions": [_step(s) for s in finding.definitions],
        "flows": [[_step(s) for s in flow] for flow in finding.flows],
    }


def history_record(finding: Finding) -> dict[str, Any]:
    """A finding of the history (``scan --history``): its record and when it was seen."""
    past = finding.history
    assert past is not None
    return {**finding_record(finding), **past_fields(past)}


def past_fields(past: PastSite) -> dict[str, Any]:
    """When an id of the history was in the repository (the names the JSON schema
    documents)."""
    removed = past.removed
    return {
        "inHead": False,
        "commit": past.last.sha,
        "commitDate": past.last.stamp,
        "firstCommit": past.first.sha,
        "firstCommitDate": past.first.stamp,
        "removedIn": removed.sha if removed else None,
        "removedOn": removed.stamp if removed else None,
        "versions": past.versions,
    }


def _step(step: FlowStep) -> dict[str, Any]:
    loc = step.location
    return {"path": loc.path, "line": loc.start_line, "column": loc.start_column,
            "message": step.message}


def _training(finding: Finding) -> dict[str, Any] | None:
    site = finding.training
    if site is None:
        return None
    return {"provider": site.provider, "call": site.call, "baseModel": site.base_model,
            "trainingFile": site.training_file, "validationFile": site.validation_file,
            "suffix": site.suffix, "method": site.method, "hidden": site.hidden,
            "dataFiles": list(site.data_files)}


def _training_data(finding: Finding) -> dict[str, Any] | None:
    data = finding.training_data
    if data is None:
        return None
    return {"format": data.format, "examples": data.examples, "sampled": data.sampled,
            "usedBy": list(data.used_by)}
