"""One file's text in, its detections out: parse, match every string, then sweep up the rest.

The parser for the file's kind yields string facts; each is matched against the rules and the
id located in the file. A final pass over the whole text (the "residual" pass) catches ids that
no fact holds: comments, prose, or text a parser does not model; each is a mention when it sits
in a comment, and takes the parser's residual role otherwise. So every id in a file is reported
exactly once, whatever the parser understood.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from ftscan import fingerprint
from ftscan.bindings import Binding, EnvVar
from ftscan.budget import DEFAULT_FILE_BUDGET_SECONDS
from ftscan.carriers import reader
from ftscan.comments import comment_spans
from ftscan.escape import no_surrogates
from ftscan.examplepaths import is_example_path
from ftscan.filekinds import FileKind
from ftscan.fingerprint import stable_fingerprint
from ftscan.flow.facts import ModuleFacts, shifted
from ftscan.languages import LeanParse, SourceTests, language_named
from ftscan.models import Detection, Diagnostic, Location, Role, Severity
from ftscan.parsers import Format, ParsedFile, ParseFailure, Parser, StringFact
from ftscan.pipeline.folding import fold, is_table
from ftscan.ruleset import IdMatch, RuleSet
from ftscan.textpos import LineIndex, Spans
from ftscan.training.findings import may_train, training_detections


@dataclass(frozen=True)
class AnalysisContext:
    """What every file's analysis needs to know, besides the file."""

    rules: RuleSet
    max_file_size: int | None = None
    """Files larger are skipped; it is checked here for files git listed (the walk checks the
    others)."""
    file_budget: float | None = DEFAULT_FILE_BUDGET_SECONDS
    """Seconds the analysis of one file may take before it is given up (:mod:`ftscan.budget`)."""
    follow_names: bool = True
    """Names are followed to the code that uses them (off with ``--no-aliases``): files of code
    whose facts may matter are parsed for them in the first phase."""


@dataclass
class FileAnalysis:
    """The outcome for one file."""

    findings: list[Detection] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fell_back: bool = False
    """The file's parser rejected it and the text pass read it instead."""
    module: ModuleFacts | None = None
    """For source code of a language plug-in: the module's facts, for the alias phase."""
    lean_names: frozenset[str] | None = None
    """Set when the module was read for its strings alone (see
    :class:`~ftscan.languages.LeanParse`): the names the alias phase looks for elsewhere
    before it parses the module in full."""


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    match: IdMatch
    role: Role
    kind: str
    binding: Binding | None
    component: str | None = None


def analyse_text(path: str, text: str, kind: FileKind, ctx: AnalysisContext,
                 lean: bool = False) -> FileAnalysis:
    """Find every model id in ``text`` (the content of the file at relative ``path``).
    ``lean``: the module's facts are not needed for what it reads (see
    :class:`~ftscan.languages.LeanParse`); its language may read its strings alone."""
    result = FileAnalysis()
    trains = bool(ctx.rules.training_rules) and may_train(text, ctx.rules)
    parsed = _parse(path, text, kind, result, ctx.rules if lean and not trains else None)
    result.module = parsed.module
    index = LineIndex(text)
    sites = training_detections(path, text, kind, parsed, index, ctx.rules) if trains else []
    hits = _hits(text, parsed, ctx.rules)
    line_hashes = fingerprint.LineHasher(
        text, wanted={index.position(hit.start)[0] for hit in hits}
        | {site.location.start_line for site in sites})
    result.findings.extend(dataclasses.replace(
        site, line_hash=line_hashes.hash_for(site.location.start_line)) for site in sites)
    occurrences: Counter[tuple[str, str, str | None]] = Counter()
    illustrative = is_example_path(path)
    for hit in hits:
        start_line, start_col = index.position(hit.start)
        end_line, end_col = index.position(hit.end)
        location = Location(path, start_line, start_col, end_line, end_col)
        context = hit.binding.display() if hit.binding is not None else None
        key = (hit.match.rule.id, hit.match.model_id, context)
        occurrence = occurrences[key]
        occurrences[key] += 1
        finding = make_detection(hit.match, effective_role(hit.match, hit.role, illustrative),
                                 hit.kind, hit.binding, location,
                                 occurrence=occurrence,
                                 line_hash=line_hashes.hash_for(start_line))
        if hit.component:
            finding = dataclasses.replace(finding, component=hit.component)
        result.findings.append(finding)
    result.findings.sort(key=lambda f: f.location)
    if is_table(kind.format):
        result.findings = fold(result.findings)
    return result


def _parse(path: str, text: str, kind: FileKind, result: FileAnalysis,
           lean_rules: RuleSet | None) -> ParsedFile:
    """The parser's facts, or the text pass's empty set when there is no parser or it failed.
    With ``lean_rules``, a language may read the strings alone when following the names of
    the ids (those strings ``lean_rules`` might match) needs no facts yet."""
    parser, what = _parser_for(path, kind)
    if parser is not None:
        shift = 1 if text.startswith("\ufeff") else 0
        try:
            lean = (_lean(path, text[shift:], kind, lean_rules) if lean_rules is not None
                    else None)
            if lean is not None:
                result.lean_names = lean.names
            parsed = lean.parsed if lean is not None else parser(text[shift:])
        except ParseFailure as exc:
            result.fell_back = True
            result.diagnostics.append(
                Diagnostic(path, f"{exc.message}; read with the text pass instead",
                           Severity.WARNING, exc.line)
            )
        except Exception as exc:  # a parser bug must not cost the rest of the scan
            result.fell_back = True
            result.diagnostics.append(
                Diagnostic(path, f"the {what} parser failed ({type(exc).__name__}: {exc}); "
                           "read with the text pass instead; please report this",
                           Severity.ERROR)
            )
        else:
            if shift:
                parsed.strings = [_shifted(s, shift) for s in parsed.strings]
                if parsed.module is not None:
                    parsed.module = shifted(parsed.module, lambda offset: offset + shift)
            for line, message in parsed.notes:
                result.diagnostics.append(Diagnostic(path, message, Severity.WARNING, line))
            return parsed
    if kind.format is Format.PROSE:
        return ParsedFile(residual_role=Role.MENTION, residual_kind="prose")
    if kind.format is Format.DATA:
        return ParsedFile(residual_role=Role.MENTION,
                          residual_kind="data file (a table of records)")
    if kind.format is Format.REPORT:
        return ParsedFile(residual_role=Role.MENTION,
                          residual_kind="ftscan report")
    return ParsedFile(
        residual_role=Role.DEFINITION,
        residual_kind="text",
        comment_syntax=kind.comments,
    )


def _lean(path: str, text: str, kind: FileKind, rules: RuleSet) -> LeanParse | None:
    if kind.language is None:
        return None

    def carries_id(fact: StringFact) -> bool:  # as _hits would find one in it
        if not rules.might_match_text(fact.value):
            return False
        return bool(rules.find(fact.value)) or (
            fact.template and rules.find_dynamic(fact.value) is not None)

    source = SourceTests(lambda part: rules.is_candidate(part.encode("utf-8", "surrogateescape")),
                         rules.might_match_text)
    return language_named(kind.language).parse_lean(path, text, carries_id, source)


def _parser_for(path: str, kind: FileKind) -> tuple[Parser | None, str]:
    """The parser of the file's language plug-in, else the reader of its format (through its
    carrier, if any); and its name."""
    if kind.language is not None:
        language = language_named(kind.language)
        return (lambda text: language.parse(path, text)), language.title
    return reader(kind.carrier, kind.format, path), kind.format.value


def _shifted(fact: StringFact, shift: int) -> StringFact:
    return dataclasses.replace(fact, start=fact.start + shift, end=fact.end + shift)


def _hits(text: str, parsed: ParsedFile, rules: RuleSet) -> list[_Hit]:
    hits: dict[tuple[str, int, int], _Hit] = {}
    for fact in parsed.strings:
        if not rules.might_match_text(fact.value):
            continue
        matches = rules.find(fact.value)
        if matches:
            raw = text[fact.start:fact.end]
            searched_from: dict[str, int] = {}
            for m in matches:
                needle = fact.value[m.start:m.end]
                at = raw.find(needle, searched_from.get(needle, 0))
                if at >= 0:
                    searched_from[needle] = at + len(needle)
                    start, end = fact.start + at, fact.start + at + len(needle)
                else:  # escaped or split over several literals: report where the string begins
                    start, end = fact.start, fact.end
                _keep(hits, _Hit(start, end, m, fact.role, fact.kind, fact.binding,
                                 fact.component))
        elif fact.template:
            dynamic = rules.find_dynamic(fact.value)
            if dynamic is not None:
                role = Role.MENTION if fact.role is Role.MENTION else Role.DYNAMIC
                _keep(hits, _Hit(fact.start, fact.end, dynamic, role, fact.kind, fact.binding,
                                 fact.component))
    covered = _Coverage(parsed.strings)
    residual = [m for m in rules.find(text) if not covered.covers(m.start)]
    if residual:
        comments = Spans(comment_spans(text, parsed.comment_syntax)
                         if parsed.comment_syntax else [])
        for m in residual:
            in_comment = comments.covers(m.start)
            role = Role.MENTION if in_comment else parsed.residual_role
            kind = "comment" if in_comment else parsed.residual_kind
            binding = None
            if not in_comment and parsed.residual_binding is not None:
                binding = parsed.residual_binding(m.start)
            _keep(hits, _Hit(m.start, m.end, m, role, kind, binding))
    return sorted(hits.values(), key=lambda h: (h.start, h.end, h.match.rule.id))


def _keep(hits: dict[tuple[str, int, int], _Hit], hit: _Hit) -> None:
    """Record a hit once per span. A YAML anchor reaches the same text by several paths; the
    one naming an environment variable is the most useful name for it. An id with a
    placeholder part (``your-org``) is an example wherever it would be a definition."""
    role = effective_role(hit.match, hit.role)
    if role is not hit.role:
        hit = dataclasses.replace(hit, role=role)
    key = (hit.match.rule.id, hit.start, hit.end)
    known = hits.get(key)
    if known is None or (isinstance(hit.binding, EnvVar) and
                         not isinstance(known.binding, EnvVar)):
        hits[key] = hit


def effective_role(match: IdMatch, role: Role, illustrative: bool = False) -> Role:
    """An id with a placeholder part (``your-org``, AWS's ``123456789012``) is an example where
    it would be a definition: no model of that name serves anyone. So is any id a test, a
    document or an example holds (``illustrative``, :func:`ftscan.examplepaths.is_example_path`),
    defined or mentioned there."""
    if role in (Role.DEFINITION, Role.DYNAMIC) and match.rule.is_placeholder(
            match.parts, match.base_model):
        return Role.EXAMPLE
    if illustrative and role in (Role.DEFINITION, Role.DYNAMIC, Role.MENTION):
        return Role.EXAMPLE
    return role


class _Coverage:
    """Is an offset inside any string fact? Spans may nest (an f-string around a literal), so
    a running maximum of the ends answers in O(log n) instead of scanning every fact."""

    def __init__(self, facts: list[StringFact]) -> None:
        spans = sorted((f.start, f.end) for f in facts)
        self._starts = [start for start, _ in spans]
        self._max_end: list[int] = []
        furthest = -1
        for _, end in spans:
            furthest = max(furthest, end)
            self._max_end.append(furthest)

    def covers(self, offset: int) -> bool:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i >= 0 and offset < self._max_end[i]



# --------------------------------------------------------------------------- detections


def make_detection(
    match: IdMatch,
    role: Role,
    kind: str,
    binding: Binding | None,
    location: Location,
    occurrence: int = 0,
    line_hash: str | None = None,
) -> Detection:
    """Turn a located match into a detection (judged at the end, :mod:`ftscan.verdicts`)."""
    rule = match.rule
    context = no_surrogates(binding.display()) if binding is not None else None
    model_id = no_surrogates(match.model_id)
    return Detection(
        rule_id=rule.id,
        role=role,
        location=location,
        model_id=model_id,
        provider=rule.provider,
        base_model=match.base_model,
        kind=no_surrogates(kind),
        context=context,
        fingerprint=stable_fingerprint(rule.id, location.path, model_id, context or "",
                                       occurrence),
        line_hash=line_hash,
        parts=match.parts,
        binding=binding,
    )
