"""Baselines: accept today's findings so that only new ones fail, without churn.

An entry is keyed by the finding's line-independent fingerprint (rule, path, model id, the
name it is bound to, occurrence) and names those parts for a reviewer, with an optional
``reason`` and ``owner``. The file (:mod:`ftscan.reporters.baseline`) has no line numbers and
no timestamps: moving code does not touch it, and entries are sorted so diffs stay small.
``scan --baseline`` marks matching findings as suppressed (SARIF ``kind: external``) and lists
entries that no longer match, so the file can be pruned with ``baseline update``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ftscan.errors import FtscanError
from ftscan.models import BaselineEntry, Finding, Suppression
from ftscan.reporters.baseline import BASELINE_VERSION, render


class BaselineError(FtscanError):
    """A baseline file that cannot be used. The message names the file."""


@dataclass(frozen=True)
class Baseline:
    """Entries by fingerprint."""

    source: str
    entries: dict[str, BaselineEntry]


def entry_for(finding: Finding) -> BaselineEntry:
    """The baseline entry that accepts ``finding``."""
    return BaselineEntry(finding.fingerprint, finding.rule_id, finding.location.path,
                         finding.model_id, finding.role.value, finding.context)


def create(findings: Iterable[Finding]) -> str:
    """A new baseline accepting every finding not already suppressed inline."""
    return render(entry_for(f) for f in findings if f.suppression is None
                  or f.suppression.kind != "inSource")


def update(old: Baseline, findings: Iterable[Finding]) -> tuple[str, int, int]:
    """A baseline for the current findings that keeps the reasons and owners of entries still
    matching. Returns (text, entries added, stale entries dropped)."""
    current = [entry_for(f) for f in findings
               if f.suppression is None or f.suppression.kind != "inSource"]
    kept = []
    for entry in current:
        previous = old.entries.get(entry.fingerprint)
        if previous is not None:
            entry = replace(entry, reason=previous.reason, owner=previous.owner)
        kept.append(entry)
    fingerprints = {e.fingerprint for e in current}
    added = sum(1 for e in current if e.fingerprint not in old.entries)
    stale = sum(1 for f in old.entries if f not in fingerprints)
    return render(kept), added, stale


def load(path: Path) -> Baseline:
    """Read a baseline file. Raises :class:`BaselineError`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file does not exist "
                            "(create it with: ftscan baseline create)") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: baseline is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(
        data.get("entries"), list
    ):
        raise BaselineError(f"{path}: not an ftscan baseline (version {BASELINE_VERSION} with "
                            "an 'entries' list)")
    entries = {}
    for i, item in enumerate(data["entries"]):
        try:
            entry = BaselineEntry(
                fingerprint=str(item["fingerprint"]), rule_id=str(item["ruleId"]),
                path=str(item["path"]), model_id=str(item["modelId"]),
                role=str(item.get("role", "definition")), context=item.get("context"),
                reason=item.get("reason"), owner=item.get("owner"),
            )
        except (KeyError, TypeError) as exc:
            raise BaselineError(f"{path}: entries[{i}]: missing field {exc}") from None
        entries[entry.fingerprint] = entry
    return Baseline(str(path), entries)


def apply(findings: Iterable[Finding], baseline: Baseline,
          ) -> tuple[list[Finding], list[BaselineEntry]]:
    """Mark baselined findings as suppressed; return them and the entries nothing matched."""
    out = []
    matched: set[str] = set()
    for finding in findings:
        entry = baseline.entries.get(finding.fingerprint)
        if entry is not None and finding.suppression is None:
            matched.add(entry.fingerprint)
            why = entry.reason or f"accepted in the baseline {baseline.source}"
            finding = replace(finding, suppression=Suppression("external", why))
        elif entry is not None:
            matched.add(entry.fingerprint)
        out.append(finding)
    stale = [e for f, e in sorted(baseline.entries.items()) if f not in matched]
    return out, stale
