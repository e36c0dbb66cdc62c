"""Training sites and training data as detections, located (their verdict, from when the
provider ends job creation, is decided by :mod:`ftscan.verdicts`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ftscan.comments import CommentSyntax, comment_spans
from ftscan.fingerprint import stable_fingerprint
from ftscan.flow.facts import Span
from ftscan.models import Detection, Location, Role, TrainingData, TrainingSite
from ftscan.parsers import Format
from ftscan.ruleset import Rule, RuleSet
from ftscan.textpos import LineIndex
from ftscan.training.data import HEAD_BYTES, is_jsonl, may_be_training_data, recognise
from ftscan.training.runbooks import MARKDOWN_SUFFIXES, markdown_sites, notebook_sites
from ftscan.training.sites import code_sites
from ftscan.training.text import Mode, TextHit, code_text_sites, text_sites

if TYPE_CHECKING:
    from ftscan.filekinds import FileKind
    from ftscan.parsers.base import ParsedFile

_TEXT_FORMATS = frozenset({Format.SHELL, Format.DOCKERFILE, Format.YAML, Format.HCL, Format.SOURCE,
                           Format.ENV})
"""File kinds whose text can hold a command or request that creates a job. Prose counts only
in the shell blocks of Markdown (:mod:`.runbooks`): a README's inline curl example documents,
it does not run."""


def may_train(text: str, rules: RuleSet) -> bool:
    """Does the text hold a keyword of any training rule?"""
    return any(k in text for rule in rules.training_rules for k in rule.keywords)


def training_detections(path: str, text: str, kind: FileKind, parsed: ParsedFile,
                      index: LineIndex, rules: RuleSet) -> list[Detection]:
    """Every job-creation site of a file (and, in code, the ones commented out)."""
    found: list[tuple[Span, Rule, TrainingSite, Role]] = []
    lower = path.lower()
    hits: list[TextHit] = []
    if parsed.module is not None:
        calls = code_sites(parsed.module, text, rules)
        found += [(hit.span, hit.rule, hit.site, Role.TRAINING) for hit in calls]
        if lower.endswith(".ipynb"):  # a notebook's offsets are the raw JSON's
            hits = notebook_sites(text, rules)
        else:
            strings = sorted((s.start, s.end) for s in parsed.strings)
            comments = comment_spans(text, parsed.comment_syntax or CommentSyntax.HASH)
            hits = code_text_sites(text, rules, strings, comments, [h.span for h in calls])
    elif kind.format is Format.PROSE and lower.endswith(MARKDOWN_SUFFIXES):
        hits = [replace(hit, site=replace(hit.site, documented=True))
                for hit in markdown_sites(text, rules)]
    elif kind.format in _TEXT_FORMATS:
        hits = text_sites(text, rules, mode=_mode(lower, kind, parsed.comment_syntax),
                          terraform=lower.endswith((".tf", ".tf.json")),
                          comments=comment_spans(text, parsed.comment_syntax)
                          if parsed.comment_syntax else ())
    found += [(hit.span, hit.rule, hit.site, Role.MENTION if hit.mention else Role.TRAINING)
              for hit in hits]
    findings = []
    seen: dict[str, int] = {}
    for span, rule, site, role in sorted(found, key=lambda f: f[0].start):
        start_line, start_col = index.position(span.start)
        end_line, end_col = index.position(span.end)
        location = Location(path, start_line, start_col, end_line, end_col)
        key = f"{site.call}|{site.base_model}|{site.suffix}|{role.value}"
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        findings.append(training_detection(rule, site, role, location, occurrence))
    return findings


_CODE_COMMENTS = (CommentSyntax.SLASH, CommentSyntax.HASH, CommentSyntax.DASH)
"""The comments of programming languages: a file of another kind of text (HTML, a log, a
report) says POST in its prose, and only its command lines count."""


def _mode(lower_path: str, kind: FileKind, syntax: CommentSyntax | None) -> Mode:
    """How requests read in a file the text pass reads (code of a language without a parser:
    statements; ``.http`` files: request lines; the rest: command lines)."""
    if lower_path.endswith((".http", ".rest")):
        return Mode.HTTP
    return Mode.CODE if kind.format is Format.SOURCE and syntax in _CODE_COMMENTS else Mode.SHELL


def training_detection(rule: Rule, site: TrainingSite, role: Role, location: Location,
                       occurrence: int) -> Detection:
    """A job-creation site (or one commented out, a mention)."""
    return Detection(
        rule_id=rule.id,
        role=role,
        location=location,
        model_id="",
        provider=site.provider,
        base_model=site.base_model,
        kind=f"fine-tuning job creation ({site.call})" if role is Role.TRAINING
        else f"fine-tuning job creation commented out ({site.call})",
        context=site.suffix,
        fingerprint=stable_fingerprint(rule.id, location.path,
                                       f"{site.call}|{site.base_model}|{site.suffix}",
                                       occurrence),
        training=site,
    )


# --------------------------------------------------------------------------- training data


def data_detection(path: str, data: bytes, rules: RuleSet, examples: int | None = None,
                 ) -> tuple[Detection, tuple[int, ...]] | None:
    """A training-data detection for a JSON (Lines) file whose first records are in a training
    format, with the lines of its sample that are no valid JSON; ``examples`` when the caller
    counted them (a large file, read in pieces)."""
    rule = rules.of_kind("training-data")
    head = data[:HEAD_BYTES]
    if rule is None or not may_be_training_data(path, head):
        return None
    jsonl = is_jsonl(path) or (not head.lstrip().startswith(b"[") and head.count(b"\n") > 0)
    found = recognise(head, jsonl)
    if found is None:
        return None
    from ftscan.training.data import count_records

    count = examples if examples is not None else count_records(data, jsonl)
    return Detection(
        rule_id=rule.id, role=Role.TRAINING_DATA, location=Location(path, 1, 1, 1, 2),
        model_id="", provider="any", base_model=None, kind=f"training data ({found.format})",
        fingerprint=stable_fingerprint(rule.id, path, f"training-data|{found.format}", 0),
        training_data=TrainingData(found.format, count, found.sampled)), found.malformed
