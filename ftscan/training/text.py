"""Job-creation sites outside parsed code: CLI commands (``openai api fine_tunes.create -t ...``,
``firectl create sftj``), POSTs to a fine-tuning endpoint in ``curl`` / ``wget`` / ``http`` lines,
``.http`` / ``.rest`` files and the code of languages without a parser (Go, Java, C#, Rust,
Ballerina: :class:`Mode`), and Terraform resources (``aws_bedrock_custom_model``,
``openai_finetuning_job``); in parsed code, the same commands inside strings
(``os.system("openai api ...")``) and calls commented out (mentions).

Every search is a plain string search or a pattern with bounded repetition, then a look at the
command's own logical line (continuation lines joined): linear in the text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ftscan.flow.facts import Span
from ftscan.models import TrainingSite
from ftscan.ruleset import Rule, RuleSet
from ftscan.textpos import LineIndex, Spans
from ftscan.training.calls import call_specs
from ftscan.training.endpoints import (
    REACH,
    Endpoint,
    Named,
    client_only,
    code_posts,
    named_at,
    shell_posts,
    statement_around,
)

MAX_CONTINUATION_LINES = 60
BODY_WINDOW = 4000
"""Characters after a request line searched for its JSON body's fields."""
_WORD = r"""("[^"\n]{1,300}"|'[^'\n]{1,300}'|[^\s"']\S{0,299})"""
"""A shell word: quoted (spaces and all) or bare."""
_FLAGS = (
    ("base", re.compile(r"(?:^|\s)(?:-m|--model|--base-model|--base_model)[ \t=]{1,4}" + _WORD)),
    ("training_file", re.compile(
        r"(?:^|\s)(?:-t|--training[-_]file|--dataset|--train)[ \t=]{1,4}" + _WORD)),
    ("validation_file", re.compile(
        r"(?:^|\s)(?:-v|--validation[-_]file|--evaluation-dataset)[ \t=]{1,4}" + _WORD)),
    ("suffix", re.compile(r"(?:^|\s)(?:--suffix|--output-model|-s)[ \t=]{1,4}" + _WORD)),
)
_JSON_FIELD = re.compile(
    r'"(model|training_file|validation_file|suffix)"[ \t]{0,8}:[ \t]{0,8}"([^"\n]{1,300})"'
    r"|(?:^|[ \t])(model|training_file|validation_file|suffix)=['\"]?([^\s'\"]{1,300})")
"""A field of a request's JSON body, or an item of an httpie command (``model=gpt-4o``)."""
_HTTP_POST = re.compile(r"[ \t]{0,8}POST[ \t]", re.IGNORECASE)
"""A request line of a ``.http`` file (matched at the line's start)."""
_RESOURCE = re.compile(r'resource[ \t]{1,8}"([A-Za-z0-9_]{1,100})"[ \t]{1,8}"([^"\n]{1,200})"'
                       r"[ \t]{0,8}\{")


_T = TypeVar("_T")
MAX_BOUND_NAMES = 8
"""Names bound to an endpoint's URL followed to their uses, per endpoint and file."""
MAX_USES = 32
"""Uses of each such name looked at."""
_BINDING_REACH = 300
"""Characters before a URL's string looked at for the name a line binds it to."""
_WRAPPERS = frozenset("_.!$@(")
"""Characters of what may wrap a URL's string (``fmt.Sprintf(``, ``format!(``, ``$"``)."""
_OTHER_ACTION = re.compile(r"\b(?:cancel|pause|resume)\b", re.IGNORECASE)
"""A POST to a job of the collection, not to the collection."""


class Mode(enum.Enum):
    """How a file's requests read."""

    SHELL = "shell"
    """Command lines (shell scripts, workflows, Dockerfiles): ``curl -d ...``."""
    CODE = "code"
    """Code of a language without a parser: a statement that says POST, or a name bound to
    the URL and used in one; command lines too (a ``Makefile``, Ruby's backticks)."""
    HTTP = "http"
    """``.http`` / ``.rest`` files: a request line starting with POST."""


@dataclass(frozen=True)
class TextHit:
    span: Span
    rule: Rule
    site: TrainingSite
    mention: bool = False
    """In a comment: a call or command commented out, documenting a pipeline."""


def text_sites(text: str, rules: RuleSet, *, mode: Mode = Mode.SHELL,
               terraform: bool = False, comments: Sequence[tuple[int, int]] = (),
               ) -> list[TextHit]:
    """Job-creation sites in a file that is not parsed code (a shell script, a workflow, a
    Dockerfile, a ``.http`` file, Terraform, Go or Java); those in ``comments`` are mentions."""
    hits: list[TextHit] = []
    for rule in rules.training_rules:
        hits.extend(_commands(text, rule))
        hits.extend(_endpoints(text, rule, mode))
        if terraform:
            hits.extend(_resources(text, rule))
    in_comments = Spans(comments)
    return _first_per_place(text, [
        TextHit(hit.span, hit.rule, hit.site, mention=True)
        if in_comments.covers(hit.span.start) else hit for hit in hits])


def code_text_sites(text: str, rules: RuleSet, strings: Sequence[tuple[int, int]],
                    comments: Sequence[tuple[int, int]], calls: Sequence[Span],
                    ) -> list[TextHit]:
    """In code: CLI commands and curl lines inside string literals (``os.system(...)``),
    and job-creation calls or commands commented out (mentions)."""
    hits: list[TextHit] = []
    in_strings, in_comments = Spans(strings), Spans(comments)
    for rule in rules.training_rules:
        for hit in (*_commands(text, rule), *_endpoints(text, rule, Mode.SHELL)):
            if in_strings.covers(hit.span.start):
                hits.append(hit)
            elif in_comments.covers(hit.span.start):
                hits.append(TextHit(hit.span, rule, hit.site, mention=True))
        if rule.requires and not any(word in text for word in rule.requires):
            continue
        plain = [spec.plain for spec in call_specs(rule.calls) if spec.plain]
        for callee in plain:  # a call commented out
            at = text.find(callee)
            while at >= 0:
                if (_called_at(text, at, callee) and in_comments.covers(at)
                        and not any(c.start <= at < c.end for c in calls)):
                    end = text.find("\n", at)
                    hits.append(TextHit(Span(at, end if end >= 0 else len(text)), rule,
                                        TrainingSite(rule.provider, callee), mention=True))
                at = text.find(callee, at + len(callee))
    return _first_per_place(text, hits)


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


def _first_per_place(text: str, hits: list[TextHit]) -> list[TextHit]:
    """One site per line (a command found by its CLI pattern and its endpoint is one; of two
    rules naming the same endpoint, the more specific)."""
    lines = LineIndex(text)
    seen: dict[int, TextHit] = {}
    for hit in sorted(hits, key=lambda h: (h.span.start, h.mention, h.rule.precedence)):
        seen.setdefault(lines.position(hit.span.start)[0], hit)
    return sorted(seen.values(), key=lambda h: h.span.start)


# --------------------------------------------------------------------------- commands


def logical_line(text: str, at: int) -> tuple[int, int]:
    """The command ``at`` is in: its line, with the lines before ending in a backslash and
    the lines after while they do (a bounded number, within :data:`REACH` characters)."""
    floor, ceiling = max(0, at - REACH), min(len(text), at + REACH)
    start = max(text.rfind("\n", floor, at) + 1, floor)
    for _ in range(MAX_CONTINUATION_LINES):
        if start == floor or not _continues(text, start - 1):
            break
        start = max(text.rfind("\n", floor, start - 1) + 1, floor)
    end = text.find("\n", at, ceiling)
    for _ in range(MAX_CONTINUATION_LINES):
        if end < 0 or not _continues(text, end):
            break
        end = text.find("\n", end + 1, ceiling)
    return start, end if end >= 0 else ceiling


def _continues(text: str, newline: int) -> bool:
    """Does the line ending at ``newline`` end with a backslash (before an optional CR)?"""
    i = newline - 1
    if i >= 0 and text[i] == "\r":
        i -= 1
    return i >= 0 and text[i] == "\\"


def _one_per_line(text: str, items: Iterable[_T], start: Callable[[_T], int]) -> Iterator[_T]:
    """The first of ``items`` on each line: a line is read once, however often it holds what
    was found (a minified megabyte holding an endpoint 20,000 times is one line)."""
    line_end = -1
    for item in items:
        at = start(item)
        if at > line_end:
            line_end = text.find("\n", at) % (len(text) + 1)
            yield item


def _commands(text: str, rule: Rule) -> Iterator[TextHit]:
    for pattern in rule.patterns:
        for match in _one_per_line(text, pattern.finditer(text), lambda m: m.start()):
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


def _endpoints(text: str, rule: Rule, mode: Mode) -> Iterator[TextHit]:
    for written in rule.endpoints:
        endpoint = Endpoint.parse(written)
        bound: list[tuple[str, int]] = []
        for named in _one_per_line(text, named_at(text, endpoint), lambda n: n.start):
            if _posted(text, named, mode):
                yield _endpoint_hit(text, named.start, named.end, rule, written, mode)
            elif mode is Mode.CODE and not named.bare and len(bound) < MAX_BOUND_NAMES:
                name = _bound_name(text, named.start)
                if name is not None:
                    bound.append((name, named.start))
        for name, at in bound:
            for start, end in _posting_uses(text, name, at):
                yield _endpoint_hit(text, start, end, rule, written, mode)


def _posted(text: str, named: Named, mode: Mode) -> bool:
    """Does the request naming the endpoint here send a POST?"""
    if mode is Mode.HTTP:
        line_start = text.rfind("\n", 0, named.start) + 1
        return not named.bare and _HTTP_POST.match(text, line_start) is not None
    start, end = logical_line(text, named.start)
    command = text[start:end]
    if not named.bare and ("curl" in command or "http" in command or "wget" in command) and (
            shell_posts(command)):
        return True
    if mode is not Mode.CODE:
        return False
    start, end = statement_around(text, named.start)
    statement = text[start:end]
    return (code_posts(statement) and (not named.bare or client_only(statement))
            and not _OTHER_ACTION.search(statement))


def _bound_name(text: str, at: int) -> str | None:
    """The name the line ``at`` is in binds to the URL there: ``const url = "...``,
    ``url := fmt.Sprintf("...``, ``URL: &str = "...``, ``String URL = "...``."""
    line_start = max(text.rfind("\n", max(0, at - _BINDING_REACH), at) + 1,
                     at - _BINDING_REACH)
    quote = max(text.rfind(q, line_start, at) for q in "\"'`")
    if quote < 0:
        return None
    head = _strip_end(text[line_start:quote].rstrip(), _WRAPPERS, 40).rstrip()
    if head.endswith(":="):
        head = head[:-2]
    elif head.endswith("=") and not head.endswith(("==", "!=", "<=", ">=")):
        head = head[:-1]
    else:
        return None
    head = head.rstrip()
    if ":" in head:  # a type annotation: URL: &str
        head = head[:head.rindex(":")].rstrip()
    name = head[len(_strip_end(head, frozenset("_"), 61)):]
    return name if name and not name[0].isdigit() else None


def _strip_end(text: str, also: frozenset[str], most: int) -> str:
    """``text`` without its last letters, digits and characters of ``also`` (at most
    ``most`` of them)."""
    end = len(text)
    while end > 0 and len(text) - end < most and (text[end - 1].isalnum()
                                                   or text[end - 1] in also):
        end -= 1
    return text[:end]


def _posting_uses(text: str, name: str, bound_at: int) -> Iterator[tuple[int, int]]:
    """Uses of a name bound to the endpoint's URL in statements that send a POST to it as it
    is (not ``url + "/" + id``, not a cancel)."""
    word = re.compile(rf"(?<![A-Za-z0-9_$]){re.escape(name)}(?![A-Za-z0-9_])")
    binding_start = text.rfind("\n", 0, bound_at) + 1
    binding_end = text.find("\n", bound_at) % (len(text) + 1)
    for count, use in enumerate(word.finditer(text)):
        if count >= MAX_USES:
            return
        if binding_start <= use.start() <= binding_end:
            continue
        rest = text[use.end():use.end() + 8].lstrip(" \t")
        if rest.startswith("+"):
            continue
        start, end = statement_around(text, use.start())
        statement = text[start:end]
        if code_posts(statement) and not _OTHER_ACTION.search(statement):
            yield use.start(), use.end()


def _endpoint_hit(text: str, start: int, end: int, rule: Rule, written: str,
                  mode: Mode) -> TextHit:
    """A POST to ``written``, with what its JSON body says (the request in a ``.http`` file
    runs to the next one; a command is its logical line)."""
    if mode is Mode.HTTP:
        body = text[start:start + BODY_WINDOW]
    else:
        line_start, line_end = logical_line(text, start)
        body = text[line_start:line_end]
    fields = _json_fields(body)
    return TextHit(Span(start, end), rule, TrainingSite(
        rule.provider, f"POST {written}", base_model=fields.get("model"),
        training_file=fields.get("training_file"),
        validation_file=fields.get("validation_file"), suffix=fields.get("suffix")))


def _json_fields(body: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _JSON_FIELD.finditer(body):
        found.setdefault(match.group(1) or match.group(3), match.group(2) or match.group(4))
    return found


# --------------------------------------------------------------------------- Terraform


_UPLOADED = ("filepath", "file", "source")
"""Attributes of a resource that uploads a file (``openai_file``'s ``filepath``): what a job's
reference to it (``training_file = openai_file.train.id``) stands for."""


def _resources(text: str, rule: Rule) -> Iterator[TextHit]:
    kinds = dict(rule.resources)
    if not kinds:
        return
    declared = {(m.group(1), m.group(2)): m for m in _RESOURCE.finditer(text)}
    for (kind, name), match in declared.items():
        attributes = kinds.get(kind)
        if attributes is None:
            continue
        block = _block(text, match)
        found: dict[str, str | None] = {}
        for role, attribute in attributes:
            found[role] = _attribute(block, attribute, text, declared)
        yield TextHit(Span(match.start(), match.end()), rule, TrainingSite(
            rule.provider, f"resource {kind}.{name}",
            base_model=found.get("base"), training_file=found.get("training_file"),
            validation_file=found.get("validation_file"), suffix=found.get("suffix"),
            method=found.get("method")))


def _attribute(block: str, attribute: str, text: str,
               declared: dict[tuple[str, str], re.Match[str]]) -> str | None:
    """An attribute's string; for a reference to a file another resource of the file uploads
    (``openai_file.train.id``), that file's path, else the reference as written."""
    value = _assigned(block, attribute)
    if value is None or value.startswith('"'):
        return value[1:-1] if value else None
    parts = value.split(".")
    if len(parts) != 3 or parts[2] != "id":  # a reference to a resource: kind.name.id
        return None
    upload = declared.get((parts[0], parts[1]))
    uploaded = (_assigned(_block(text, upload), name) for name in _UPLOADED) if upload else ()
    path = next((found for found in uploaded if found and found.startswith('"')), None)
    return path[1:-1] if path else value


def _assigned(block: str, attribute: str) -> str | None:
    """What a block's attribute is set to, as written (a string with its quotes)."""
    value = re.search(rf"(?m)^[ \t]{{0,40}}{re.escape(attribute)}[ \t]{{0,40}}=[ \t]{{0,8}}"
                      rf'("[^"\n]{{0,300}}"|[^\s#"]{{1,300}})', block)
    return value.group(1) if value else None


def _block(text: str, header: re.Match[str]) -> str:
    return text[header.end():_block_end(text, header.end() - 1)]


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
