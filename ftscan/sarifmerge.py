"""``ftscan merge-sarif``: one SARIF log from the logs of the shards of a sweep (GitHub code
scanning wants one run per upload category). An operation on files ftscan wrote, not a report
of a scan."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ftscan.errors import FtscanError
from ftscan.reporters.sarif import SCHEMA_URI
from ftscan.reporters.sarif_limits import cap

_SEVERITY = {"error": 3, "warning": 2, "note": 1}


class SarifMergeError(FtscanError):
    """A file that cannot be merged. The message names it."""


def _identity(result: dict[str, Any]) -> str:
    """What makes two results one: the rule, ftscan's fingerprint and where it is (a
    repository scanned by two shards, or one log given twice, yields the same result twice)."""
    location = result["locations"][0]["physicalLocation"]
    return json.dumps([result["ruleId"], result.get("fingerprints"),
                       location["artifactLocation"]["uri"], location.get("region")],
                      sort_keys=True)


def _rank(result: dict[str, Any]) -> tuple[int, bool]:
    return -_SEVERITY.get(result.get("level", "warning"), 0), bool(result.get("suppressions"))


def merge_sarif(paths: Sequence[Path]) -> str:
    """One SARIF log with one run from several ftscan logs (the shards of a sweep): rules
    united by id, each result once (:func:`_identity`) with its ``ruleIndex`` pointing into
    the united list, at most as many results as code scanning accepts (the most severe kept,
    as ``ftscan scan`` keeps them), and the shards' notifications with a warning of the cap's."""
    rules: dict[str, dict[str, Any]] = {}
    results: dict[str, dict[str, Any]] = {}
    notifications: list[dict[str, Any]] = []
    properties: dict[str, Any] = {}
    driver: dict[str, Any] = {}
    for path in paths:
        try:
            log = json.loads(path.read_text(encoding="utf-8"))
            runs = log["runs"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise SarifMergeError(f"{path}: not a SARIF log: {exc}") from None
        for run in runs:
            tool = run.get("tool", {}).get("driver", {})
            if tool.get("name") != "ftscan":
                raise SarifMergeError(f"{path}: a run of {tool.get('name')!r}, not ftscan")
            driver = driver or {k: v for k, v in tool.items() if k != "rules"}
            properties.update(run.get("properties", {}))
            for rule in tool.get("rules", []):
                rules.setdefault(rule["id"], rule)
            for result in run.get("results", []):
                results.setdefault(_identity(result), result)
            for ran in run.get("invocations", []):
                notifications += ran.get("toolExecutionNotifications", [])
    ordered = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    for result in results.values():
        result["ruleIndex"] = index[result["ruleId"]]
    kept, left_out = cap(sorted(
        results.values(),
        key=lambda r: (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                       r["locations"][0]["physicalLocation"]["region"]["startLine"],
                       r["ruleId"])), _rank)
    if left_out is not None:
        notifications.append({"level": "warning", "message": {"text": left_out}})
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {"tool": {"driver": {**driver, "rules": [rules[i] for i in ordered]}},
           "results": kept, "columnKind": "unicodeCodePoints",
           "invocations": [invocation], "properties": properties}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
