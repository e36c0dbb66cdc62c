"""The labelled site table (``sites/*.yaml``, format in ``sites/README.md``) and how a scan is
held to it, line by line.

Each label names a line of a public repository and what ftscan must (or must not) report there.
:func:`score` matches one repository's JSON report against its labels; :func:`tables` prints
recall per language and kind, recall per shape of use, precision of uses, and every missed site
and every unexpected use, so a number can always be traced back to the lines behind it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KINDS = ("use", "read", "caller", "not-use", "definition", "training")
LANGS = ("python", "js", "other")
LITERAL_ROLES = frozenset({"definition", "dynamic", "example", "mention"})
OUTSIDE = "outside"


@dataclass(frozen=True)
class Label:
    """One labelled line (or span of lines) of a repository."""

    repo: str
    path: str
    first: int
    last: int
    kind: str
    lang: str
    shape: str
    ids: tuple[str, ...]
    note: str = ""

    @property
    def at(self) -> str:
        span = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.path}:{span}"


@dataclass
class Labelled:
    """A repository of the table: where it comes from and its labels."""

    repo: str
    commit: str
    why: str
    complete: bool
    labels: list[Label]
    tags: tuple[str, ...] = ()


class LabelError(ValueError):
    """A label file that does not follow the format; the message names the file."""


def load_all(folder: Path) -> list[Labelled]:
    """Every label file of ``folder`` (claims without labels are left out)."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "sites" not in data:
            continue
        found.append(_repository(path, data))
    return found


def _repository(path: Path, data: dict[str, Any]) -> Labelled:
    repo = str(data.get("repo", ""))
    commit = str(data.get("commit", ""))
    if "/" not in repo or len(commit) != 40:
        raise LabelError(f"{path}: needs 'repo: owner/name' and a 40-hex 'commit'")
    labels = [_label(path, repo, i, raw) for i, raw in enumerate(data.get("sites") or [])]
    return Labelled(repo, commit, str(data.get("why", "")).strip(), bool(data.get("complete")),
                    labels, tuple(data.get("tags", ())))


def _label(path: Path, repo: str, index: int, raw: Any) -> Label:
    where = f"{path}: sites[{index}]"
    if not isinstance(raw, dict) or "at" not in raw or "kind" not in raw:
        raise LabelError(f"{where}: needs 'at' and 'kind'")
    file, _, line = str(raw["at"]).rpartition(":")
    if not file or not line.isdigit():
        raise LabelError(f"{where}: 'at' must be path:line, not {raw['at']!r}")
    first = last = int(line)
    if raw.get("span"):
        low, _, high = str(raw["span"]).partition("-")
        first, last = int(low), int(high or low)
        if not first <= int(line) <= last:
            raise LabelError(f"{where}: line {line} is outside its span {raw['span']}")
    kind = str(raw["kind"])
    if kind not in KINDS:
        raise LabelError(f"{where}: unknown kind {kind!r}")
    lang = str(raw.get("lang", "other"))
    if lang not in LANGS:
        raise LabelError(f"{where}: unknown lang {lang!r}")
    ids = raw.get("ids") or []
    if isinstance(ids, str):
        ids = [ids]
    return Label(repo, file, first, last, kind, lang, str(raw.get("shape") or "-"),
                 tuple(str(i) for i in ids), str(raw.get("note") or ""))


# --------------------------------------------------------------------------- scoring


@dataclass
class Verdict:
    """One label held to a report: met or not, and why not."""

    label: Label
    met: bool
    why: str = ""


@dataclass
class Score:
    """A repository's labels held to its report."""

    repo: str
    verdicts: list[Verdict] = field(default_factory=list)
    uses_reported: int = 0
    """Use findings in the repository (counted for precision when its labels are complete)."""
    unexpected: list[str] = field(default_factory=list)
    """Use findings on no ``use`` or ``read`` line: ``path:line ids``."""
    complete: bool = False


def _covers(label: Label, finding: dict[str, Any]) -> bool:
    return (finding["path"] == label.path
            and finding["startLine"] <= label.last and finding["endLine"] >= label.first)


def _reaches(label: Label, finding: dict[str, Any]) -> bool:
    """Does a use finding reach one of the label's ids (or a value set outside)?"""
    if OUTSIDE in label.ids and finding.get("outside"):
        return True
    reached = set(finding.get("modelIds") or []) | {finding.get("modelId") or ""}
    return bool(reached & set(label.ids))


def score(labelled: Labelled, report: dict[str, Any], prefix: str = "") -> Score:
    """Hold a JSON report of the repository (paths relative to its root, after ``prefix``)
    to its labels."""
    findings = [dict(f, path=f["path"].removeprefix(prefix)) for f in report["findings"]]
    by_path: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        by_path[finding["path"]].append(finding)
    result = Score(labelled.repo, complete=labelled.complete)
    uses = [f for f in findings if f["role"] == "use"]
    for label in labelled.labels:
        here = [f for f in by_path.get(label.path, ()) if _covers(label, f)]
        verdict = _judge(label, here)
        if label.kind == "use" and not verdict.met and any(
                _reaches(label, f) and _flows_through(label, f, prefix) for f in uses):
            verdict = Verdict(label, True, "through a reported flow")
        result.verdicts.append(verdict)
    result.uses_reported = len(uses)
    allowed = [lb for lb in labelled.labels if lb.kind in ("use", "read", "caller")]
    for finding in uses:
        if not any(_covers(lb, finding) for lb in allowed):
            reached = finding.get("modelIds") or [finding.get("outside") or "?"]
            ids = ", ".join(reached[:3]) + (f" and {len(reached) - 3} more"
                                            if len(reached) > 3 else "")
            result.unexpected.append(f"{finding['path']}:{finding['startLine']} {ids}")
    return result


def _flows_through(label: Label, finding: dict[str, Any], prefix: str) -> bool:
    """Does a step of one of the finding's flows stand on the label's lines (a wrapper a name
    is passed through on its way to the call that sends it)?"""
    return any(step["path"].removeprefix(prefix) == label.path
               and label.first <= step["line"] <= label.last
               for flow in finding.get("flows") or () for step in flow)


def _judge(label: Label, here: list[dict[str, Any]]) -> Verdict:
    uses = [f for f in here if f["role"] == "use"]
    if label.kind == "use":
        if any(_reaches(label, f) for f in uses):
            return Verdict(label, True)
        if uses:
            got = sorted({i for f in uses for i in (f.get("modelIds") or [f.get("outside")])
                          if i})
            return Verdict(label, False, f"a use reaching other ids: {', '.join(got)[:160]}")
        return Verdict(label, False, "no use reported")
    if label.kind == "not-use":
        if uses:
            return Verdict(label, False, "reported as a use")
        if not label.ids and here:
            return Verdict(label, False, f"a look-alike reported as {here[0]['role']}")
        return Verdict(label, True)
    if label.kind == "definition":
        wanted = set(label.ids)
        if any(f["role"] in LITERAL_ROLES and f.get("modelId") in wanted for f in here):
            return Verdict(label, True)
        return Verdict(label, False, "not reported" if not here else
                       "reported as " + ", ".join(sorted({f["role"] for f in here})))
    if label.kind == "training":
        if any(f["role"] == "training" for f in here):
            return Verdict(label, True)
        return Verdict(label, False, "no training site reported")
    return Verdict(label, True)  # read: nothing required


# --------------------------------------------------------------------------- tables


def _ratio(met: int, total: int) -> str:
    return f"{met}/{total} ({100 * met / total:.0f} %)" if total else "—"


def tables(scores: Iterable[Score]) -> str:
    """Recall per language and kind, recall of uses per shape, precision of uses, and every
    missed site and unexpected use."""
    scores = list(scores)
    verdicts = [v for s in scores for v in s.verdicts]
    lines = ["### Labelled sites: recall by language and kind", "",
             "| kind | " + " | ".join(LANGS) + " | all |", "|---|" + "---:|" * (len(LANGS) + 1)]
    for kind in ("use", "definition", "training", "not-use"):
        row = []
        for lang in (*LANGS, None):
            group = [v for v in verdicts if v.label.kind == kind
                     and (lang is None or v.label.lang == lang)]
            row.append(_ratio(sum(v.met for v in group), len(group)))
        name = "not-use (kept silent)" if kind == "not-use" else kind
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    through = sum(1 for v in verdicts if v.met and v.why == "through a reported flow")
    lines += ["", f"({through} of the uses found are met by a reported flow passing through "
              "the labelled line, not by a finding on it.)"]
    lines += ["", "### Uses by shape", "", "| shape | python | js | other | all |",
              "|---|---:|---:|---:|---:|"]
    shapes = Counter(v.label.shape for v in verdicts if v.label.kind == "use")
    for shape, _ in shapes.most_common():
        row = []
        for lang in (*LANGS, None):
            group = [v for v in verdicts if v.label.kind == "use" and v.label.shape == shape
                     and (lang is None or v.label.lang == lang)]
            row.append(_ratio(sum(v.met for v in group), len(group)))
        lines.append(f"| {shape} | " + " | ".join(row) + " |")
    complete = [s for s in scores if s.complete]
    reported = sum(s.uses_reported for s in complete)
    wrong = sum(len(s.unexpected) for s in complete)
    not_use = [v for v in verdicts if v.label.kind == "not-use"]
    lines += ["", "### Precision of uses", "",
              f"- use findings in repositories labelled completely: {reported}; on a labelled "
              f"use or read line: {reported - wrong}; elsewhere: {wrong}; precision "
              + (f"{100 * (reported - wrong) / reported:.1f} %" if reported else "—"),
              "- labelled not-use lines kept silent: "
              + _ratio(sum(v.met for v in not_use), len(not_use)),
              ""]
    missed = [v for v in verdicts if not v.met]
    if missed:
        lines += ["### Missed labels", ""]
        for v in sorted(missed, key=lambda v: (v.label.kind, v.label.repo, v.label.at)):
            label = v.label
            lines.append(f"- {label.kind} [{label.lang}/{label.shape}] {label.repo} "
                         f"{label.at}: {v.why}" + (f" — {label.note}" if label.note else ""))
        lines.append("")
    unexpected = [(s.repo, u) for s in complete for u in s.unexpected]
    if unexpected:
        lines += ["### Uses reported on no labelled use or read line", ""]
        lines += [f"- {repo} {where}" for repo, where in unexpected]
        lines.append("")
    return "\n".join(lines)
