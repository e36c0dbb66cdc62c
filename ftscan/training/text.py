"""Job-creation sites outside code: CLI commands (``openai api fine_tunes.create -t ...``,
``firectl create sftj``), POSTs to a fine-tuning endpoint in ``curl`` lines and ``.http`` /
``.rest`` files, and Terraform resources (``aws_bedrock_custom_model``); in code, the same
commands inside strings (``os.system("openai api ...")``) and calls commented out (mentions).

Every search is a plain string search or a pattern with bounded repetition, then a look at the
command's own logical line (continuation lines joined): linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ftscan.flow.facts import Span
from ftscan.models import TrainingSite
from ftscan.ruleset import Rule, RuleSet
from ftscan.textpos import Spans

MAX_CONTINUATION_LINES = 60
BODY_WINDOW = 4000
"""Characters after a request line searched for its JSON body's fields."""
_FLAGS = (
    ("base", re.compile(r"(?:^|\s)(?:-m|--model|--base-model|--base_model)[ \t=]{1,4}(\S{1,200})")),
    ("training_file", re.compile(
        r"(?:^|\s)(?:-t|--training[-_]file|--dataset|--train)[ \t=]{1,4}(\S{1,300})")),
    ("validation_file", re.compile(
        r"(?:^|\s)(?:-v|--validation[-_]file|--evaluation-dataset)[ \t=]{1,4}(\S{1,300})")),
    ("suffix", re.compile(r"(?:^|\s)(?:--suffix|--output-model|-s)[ \t=]{1,4}(\S{1,200})")),
)
_JSON_FIELD = re.compile(
    r'"(model|training_file|validation_file|suffix)"[ \t]{0,8}:[ \t]{0,8}"([^"\n]{1,300})"')
_SENDS_DATA = re.compile(r"(?:^|\s)(?:-d|--data(?:-raw|-binary|-urlencode)?|-F|--form|--json)"
                         r"(?:\s|=|$)|(?:-X|--request)[ \t=]{1,4}['\"]?POST\b", re.IGNORECASE)
_HTTP_POST = re.compile(r"[ \t]{0,8}POST[ \t]", re.IGNORECASE)
"""A request line of a ``.http`` file (matched at the line's start)."""
_RESOURCE = re.compile(r'resource[ \t]{1,8}"([A-Za-z0-9_]{1,100})"[ \t]{1,8}"([^"\n]{1,200})"'
                       r"[ \t]{0,8}\{")


@dataclass(frozen=True)
class TextHit:
    span: Span
    rule: Rule
    site: TrainingSite
    mention: bool = False
    """In a comment: a call or command commented out, documenting a pipeline."""


def text_sites(text: str, rules: RuleSet, *, http_file: bool = False,
               terraform: bool = False) -> list[TextHit]:
    """Job-creation sites in a file that is not code (a shell script, a workflow, a
    Dockerfile, a ``.http`` file, Terraform)."""
    hits: list[TextHit] = []
    for rule in rules.training_rules:
        hits.extend(_commands(text, rule))
        hits.extend(_endpoints(text, rule, http_file))
        if terraform:
            hits.extend(_resources(text, rule))
    return _first_per_place(hits)


def code_text_sites(text: str, rules: RuleSet, strings: Sequence[tuple[int, int]],
                    comments: Sequence[tuple[int, int]], calls: Sequence[Span],
                    ) -> list[TextHit]:
    """In code: CLI commands and curl lines inside string literals (``os.system(...)``),
    and job-creation calls or commands commented out (mentions)."""
    hits: list[TextHit] = []
    in_strings, in_comments = Spans(strings), Spans(comments)
    for rule in rules.training_rules:
        for hit in (*_commands(text, rule), *_endpoints(text, rule, False)):
            if in_strings.covers(hit.span.start):
                hits.append(hit)
            elif in_comments.covers(hit.span.start):
                hits.append(TextHit(hit.span, rule, hit.site, mention=True))
        if rule.requires and not any(word in text for word in rule.requires):
            continue
        for callee in rule.calls:  # a call commented out
            at = text.find(callee)
            while at >= 0:
                if (_called_at(text, at, callee) and in_comments.covers(at)
                        and not any(c.start <= at < c.end for c in calls)):
                    end = text.find("\n", at)
                    hits.append(TextHit(Span(at, end if end >= 0 else len(text)), rule,
                                        TrainingSite(rule.provider, callee), mention=True))
                at = text.find(callee, at + len(callee))
    return _first_per_place(hits)


def _called_at(text: str, at: int, callee: str) -> bool:
    """``callee`` at ``at`` is a call (``x.createFineTune(``), not a word in prose or a file
    name (``run createFineTune.js``)."""
    before = text[at - 1] if at else " "
    if before.isalnum() or before == "_":
        return False
    after = at + len(callee)
    while after < len(text) and text[after] in " \t":
        after += 1
    return after < len(text) and text[after] == "("


def _first_per_place(hits: list[TextHit]) -> list[TextHit]:
    """One site per line (a command found by its CLI pattern and its endpoint is one)."""
    seen: dict[int, TextHit] = {}
    for hit in sorted(hits, key=lambda h: (h.span.start, h.mention, h.rule.precedence)):
        line_key = hit.span.start
        if not any(abs(line_key - k) < 2 for k in seen):
            seen[line_key] = hit
    return sorted(seen.values(), key=lambda h: h.span.start)


# --------------------------------------------------------------------------- commands


def logical_line(text: str, at: int) -> tuple[int, int]:
    """The command ``at`` is in: its line, with the lines before ending in a backslash and
    the lines after while they do (a bounded number)."""
    start = text.rfind("\n", 0, at) + 1
    for _ in range(MAX_CONTINUATION_LINES):
        if start == 0 or not _continues(text, start - 1):
            break
        start = text.rfind("\n", 0, start - 1) + 1
    end = text.find("\n", at)
    for _ in range(MAX_CONTINUATION_LINES):
        if end < 0 or not _continues(text, end):
            break
        end = text.find("\n", end + 1)
    return start, end if end >= 0 else len(text)


def _continues(text: str, newline: int) -> bool:
    """Does the line ending at ``newline`` end with a backslash (before an optional CR)?"""
    i = newline - 1
    if i >= 0 and text[i] == "\r":
        i -= 1
    return i >= 0 and text[i] == "\\"


def _commands(text: str, rule: Rule) -> Iterator[TextHit]:
    for pattern in rule.patterns:
        for match in pattern.finditer(text):
            start, end = logical_line(text, match.start())
            command = text[start:end]
            flags = _flags(command)
            site = TrainingSite(rule.provider, " ".join(match.group(0).split()),
                                base_model=flags["base"], training_file=flags["training_file"],
                                validation_file=flags["validation_file"],
                                suffix=flags["suffix"])
            yield TextHit(Span(match.start(), match.end()), rule, site)


def _flags(command: str) -> dict[str, str | None]:
    """The values of a command's flags for each role (``-m``, ``-t``, ``--suffix``)."""
    found: dict[str, str | None] = {}
    for role, pattern in _FLAGS:
        match = pattern.search(command)
        found[role] = match.group(1).strip("'\"\\") if match else None
    return found


def _endpoints(text: str, rule: Rule, http_file: bool) -> Iterator[TextHit]:
    for endpoint in rule.endpoints:
        at = text.find(endpoint)
        while at >= 0:
            after = text[at + len(endpoint):at + len(endpoint) + 2]
            follows_path = after[:1] not in ("", " ", "\t", "\n", "\r", "'", '"', "?", "\\") \
                and after not in ("/ ", "/\n", "/'", '/"')
            if not follows_path:
                start, end = logical_line(text, at)
                line_start = text.rfind("\n", 0, at) + 1
                request = text[start:end]
                posts = (_HTTP_POST.match(text, line_start) is not None) if http_file else (
                    ("curl" in request or "http" in request) and
                    _SENDS_DATA.search(request) is not None)
                if posts:
                    body = text[at:at + BODY_WINDOW] if http_file else request
                    fields = _json_fields(body)
                    yield TextHit(Span(at, at + len(endpoint)), rule, TrainingSite(
                        rule.provider, f"POST {endpoint}", base_model=fields.get("model"),
                        training_file=fields.get("training_file"),
                        validation_file=fields.get("validation_file"),
                        suffix=fields.get("suffix")))
            at = text.find(endpoint, at + len(endpoint))


def _json_fields(body: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _JSON_FIELD.finditer(body):
        found.setdefault(match.group(1), match.group(2))
    return found


# --------------------------------------------------------------------------- Terraform


def _resources(text: str, rule: Rule) -> Iterator[TextHit]:
    kinds = dict(rule.resources)
    if not kinds:
        return
    for match in _RESOURCE.finditer(text):
        attributes = kinds.get(match.group(1))
        if attributes is None:
            continue
        block = text[match.end():_block_end(text, match.end() - 1)]
        found: dict[str, str | None] = {}
        for role, attribute in attributes:
            value = re.search(rf"(?m)^[ \t]{{0,40}}{re.escape(attribute)}[ \t]{{0,8}}="
                              rf'[ \t]{{0,8}}"([^"\n]{{0,300}})"', block)
            found[role] = value.group(1) if value else None
        yield TextHit(Span(match.start(), match.end()), rule, TrainingSite(
            rule.provider, f"resource {match.group(1)}.{match.group(2)}",
            base_model=found.get("base"), training_file=found.get("training_file"),
            validation_file=found.get("validation_file"), suffix=found.get("suffix"),
            method=found.get("method")))


def _block_end(text: str, opening: int) -> int:
    """The offset of the brace closing the one at ``opening`` (strings skipped), or the end."""
    depth = 0
    in_string = False
    i = opening
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)
