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


class SarifMergeError(FtscanError):
    """A file that cannot be merged. The message names it."""


def merge_sarif(paths: Sequence[Path]) -> str:
    """One SARIF log with one run from several ftscan logs (the shards of a sweep): rules
    united by id, every result kept with its ``ruleIndex`` pointing into the united list."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
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
            results.extend(run.get("results", []))
    ordered = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    results.sort(key=lambda r: (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                                r["ruleId"]))
    run = {"tool": {"driver": {**driver, "rules": [rules[i] for i in ordered]}},
           "results": results, "columnKind": "unicodeCodePoints",
           "invocations": [{"executionSuccessful": True}], "properties": properties}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
