"""Training sites and training data as findings: located, dated by when the provider ends job
creation (the ``training`` section of ``rules/lifecycle.yaml``), worded."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ftscan.comments import CommentSyntax, comment_spans
from ftscan.flow.facts import Span
from ftscan.lifecycle import level_for
from ftscan.models import (
    Finding,
    Level,
    Lifecycle,
    Location,
    Role,
    Status,
    TrainingData,
    TrainingSite,
)
from ftscan.ruleset import Rule
from ftscan.textpos import LineIndex
from ftscan.training.data import HEAD_BYTES, is_jsonl, may_be_training_data, recognise
from ftscan.training.sites import code_sites
from ftscan.training.text import code_text_sites, text_sites

if TYPE_CHECKING:
    from ftscan.filekinds import FileKind
    from ftscan.parsers.base import ParsedFile
    from ftscan.pipeline.analysis import AnalysisContext

_TEXT_KINDS = ("shell", "dockerfile", "yaml", "terraform", "source", "env")
"""File kinds whose text can hold a command or request that creates a job (prose does not
count: a README's curl example documents, it does not run)."""


def may_train(text: str, ctx: AnalysisContext) -> bool:
    """Does the text hold a keyword of any training rule?"""
    return any(k in text for rule in ctx.rules.training_rules for k in rule.keywords)


def training_findings(path: str, text: str, kind: FileKind, parsed: ParsedFile,
                      index: LineIndex, ctx: AnalysisContext) -> list[Finding]:
    """Every job-creation site of a file (and, in code, the ones commented out)."""
    rules = ctx.rules
    found: list[tuple[Span, Rule, TrainingSite, Role]] = []
    if parsed.module is not None:
        calls = code_sites(parsed.module, text, rules)
        found += [(hit.span, hit.rule, hit.site, Role.TRAINING) for hit in calls]
        if not path.endswith(".ipynb"):  # a notebook's offsets are the raw JSON's
            syntax = parsed.comment_syntax or CommentSyntax.HASH
            strings = sorted((s.start, s.end) for s in parsed.strings)
            comments = comment_spans(text, syntax)
            for hit in code_text_sites(text, rules, strings, comments,
                                       [h.span for h in calls]):
                found.append((hit.span, hit.rule, hit.site,
                              Role.MENTION if hit.mention else Role.TRAINING))
    elif kind.value in _TEXT_KINDS:
        lower = path.lower()
        for hit in text_sites(text, rules, http_file=lower.endswith((".http", ".rest")),
                              terraform=lower.endswith((".tf", ".tf.json"))):
            found.append((hit.span, hit.rule, hit.site, Role.TRAINING))
    findings = []
    seen: dict[str, int] = {}
    for span, rule, site, role in sorted(found, key=lambda f: f[0].start):
        start_line, start_col = index.position(span.start)
        end_line, end_col = index.position(span.end)
        location = Location(path, start_line, start_col, end_line, end_col)
        key = f"{site.call}|{site.base_model}|{site.suffix}|{role.value}"
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        findings.append(training_finding(rule, site, role, location, ctx, occurrence))
    return findings


def training_finding(rule: Rule, site: TrainingSite, role: Role, location: Location,
                     ctx: AnalysisContext, occurrence: int) -> Finding:
    lifecycle = ctx.lifecycle.training_verdict(site.provider, rule.id, site.base_model,
                                               ctx.as_of, ctx.warning_window_days)
    return Finding(
        rule_id=rule.id,
        level=level_for(role, lifecycle, rule.level),
        role=role,
        message=training_message(rule, site, role, lifecycle),
        location=location,
        model_id="",
        provider=site.provider,
        base_model=site.base_model,
        lifecycle=lifecycle,
        kind=f"fine-tuning job creation ({site.call})" if role is Role.TRAINING
        else f"fine-tuning job creation commented out ({site.call})",
        context=site.suffix,
        fingerprint=_fingerprint(rule.id, location.path,
                                 f"{site.call}|{site.base_model}|{site.suffix}", occurrence),
        training=site,
    )


def training_message(rule: Rule, site: TrainingSite, role: Role, lifecycle: Lifecycle) -> str:
    parts = [f"base {site.base_model or 'unknown'}"]
    parts.append(f"training file {site.training_file or 'unknown'}")
    if site.validation_file:
        parts.append(f"validation file {site.validation_file}")
    if site.suffix:
        parts.append(f"suffix {site.suffix}")
    if site.method:
        parts.append(f"method {site.method}")
    hidden = (" (some arguments are passed in a way not followed: they may hold what is "
              "missing)") if site.hidden else ""
    what = "creates a fine-tuning job" if role is Role.TRAINING else \
        "is a fine-tuning job creation commented out"
    return (f"{rule.title}: {site.call} {what}: {', '.join(parts)}{hidden}; "
            f"{training_phrase(lifecycle)}")


def training_phrase(lifecycle: Lifecycle) -> str:
    """When job creation ends, in a sentence (with the provider's own caveat)."""
    date, days = lifecycle.shutdown_date, lifecycle.days_left
    if date is not None and days is not None and days <= 0:
        text = f"job creation ended on {date.isoformat()}: this code fails."
    elif date is not None and days is not None:
        text = f"job creation ends on {date.isoformat()} ({days} day{'s' if days != 1 else ''}" \
               " left)."
    elif lifecycle.status is Status.DEPRECATED:
        text = "job creation is deprecated, with no end date published."
    elif lifecycle.status is Status.RETIRED:
        text = "job creation is discontinued: this code fails."
    else:
        text = "no end of job creation is known."
    return f"{text} {lifecycle.note}" if lifecycle.note else text


def retrain_verdict(finding: Finding, ctx: AnalysisContext) -> Finding:
    """A cached training finding as :func:`training_finding` makes it for ``ctx``'s date."""
    import dataclasses

    rule = ctx.rules.get(finding.rule_id)
    site = finding.training
    if rule is None or site is None:
        return finding
    lifecycle = ctx.lifecycle.training_verdict(site.provider, rule.id, site.base_model,
                                               ctx.as_of, ctx.warning_window_days)
    if lifecycle == finding.lifecycle:
        return finding
    return dataclasses.replace(finding, lifecycle=lifecycle,
                               level=level_for(finding.role, lifecycle, rule.level),
                               message=training_message(rule, site, finding.role, lifecycle))


# --------------------------------------------------------------------------- training data


def data_finding(path: str, data: bytes, ctx: AnalysisContext, examples: int | None = None,
                 ) -> tuple[Finding, tuple[int, ...]] | None:
    """A training-data finding for a JSON (Lines) file whose first records are in a training
    format, with the lines of its sample that are no valid JSON; ``examples`` when the caller
    counted them (a large file, read in pieces)."""
    rule = ctx.rules.of_kind("training-data")
    head = data[:HEAD_BYTES]
    if rule is None or not may_be_training_data(path, head):
        return None
    jsonl = is_jsonl(path) or (not head.lstrip().startswith(b"[") and head.count(b"\n") > 0)
    found = recognise(head, jsonl)
    if found is None:
        return None
    from ftscan.training.data import count_records

    count = examples if examples is not None else count_records(data, jsonl)
    record = TrainingData(found.format, count, found.sampled)
    message = (f"{rule.title}: {found.format}, {count} example{'s' if count != 1 else ''} "
               f"(recognised from the first {found.sampled}): the recipe of a fine-tune. Keep "
               "it: once job creation ends (OpenAI: 2027-01-06) a fine-tune can only be "
               "rebuilt elsewhere, from its data.")
    return Finding(
        rule_id=rule.id, level=Level.NOTE, role=Role.TRAINING_DATA, message=message,
        location=Location(path, 1, 1, 1, 2), model_id="", provider="any", base_model=None,
        lifecycle=Lifecycle(Status.UNKNOWN), kind=f"training data ({found.format})",
        fingerprint=_fingerprint(rule.id, path, f"training-data|{found.format}", 0),
        training_data=record), found.malformed


def _fingerprint(rule_id: str, path: str, what: str, occurrence: int) -> str:
    key = "\x1f".join([rule_id, path, what, str(occurrence)])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
