"""Rules: what a fine-tuned model id looks like, per provider, loaded from YAML data.

A rule file holds a ``rules:`` list. Each rule names its id (``FT001``), provider, texts for
humans (title, description, Markdown help), a default level, regexes with named groups, cheap
keywords for the prefilter, and positive and negative examples that the test suite checks.
See ``docs/rules.md`` for the format.
"""

from __future__ import annotations

import bisect
import fnmatch
import functools
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from ahocorasick_rs import MATCHKIND_LEFTMOST_FIRST, MATCHKIND_STANDARD, BytesAhoCorasick

from ftscan import yamlfast
from ftscan.errors import FtscanError
from ftscan.models import Level
from ftscan.regex import AnyOf, Match, Pattern, RegexError, compile_builtin, compile_linear
from ftscan.safefile import UnsafeFile, read_limited

RULE_FILE_LIMIT = 4 * 1024 * 1024
DATA_FILES = frozenset({"lifecycle.yaml"})
"""Files of the data folder that hold no id rules."""
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3}$")
PRECISIONS = ("very-high", "high", "medium", "low")
RULE_KEYS = frozenset(
    {
        "id", "name", "provider", "title", "description", "help", "level", "precision", "tags",
        "keywords", "precedence", "patterns", "dynamic", "hints", "examples", "placeholders",
        "kind", "calls", "requires", "arguments", "endpoints", "text", "resources",
    }
)
MAX_KEYWORD_LENGTH = 256
"""Characters a keyword may hold: a keyword is a short word every match contains, and the
prefilter's automaton builds in time quadratic in a periodic word's length (a 50 KB keyword
takes minutes, in native code no time budget can stop)."""
MAX_TEMPLATE_LENGTH = 400
"""Longer than any id template: a longer token is something else (a generated blob)."""
_TEMPLATE_TOKEN = re.compile(r"(?:\{[^{}]*\}|[^\s\"'<>,;()])+")
REQUIRED_KEYS = ("id", "name", "provider", "title", "description", "help")
MATCHING_KEYS = ("keywords", "patterns", "dynamic", "hints", "examples", "placeholders")
"""Fields of a rule that finds ids in text (``kind: model-id``, the default)."""
TRAINING_KEYS = ("keywords", "calls", "requires", "arguments", "endpoints", "text", "resources",
                 "examples", "precedence")
"""Fields of a rule that finds fine-tuning job creation (``kind: training``)."""
ARGUMENT_ROLES = ("base", "training_file", "validation_file", "suffix", "method")
RULE_KINDS = ("model-id", "outside", "training", "training-data")
"""``model-id``: a rule that finds ids in text by its patterns. ``outside``: the rule a use
is reported under when the fine-tuned model it calls is set outside the repository (an env
var or secret named like a fine-tune, a fine-tuning job's result): no patterns, found by the
alias phase. ``training``: code, commands and resources that create fine-tuning jobs (calls,
REST endpoints, text patterns, Terraform resources). ``training-data``: the rule committed
files of fine-tuning examples are reported under (recognised by their records)."""


class RuleError(FtscanError):
    """A rule file that cannot be used. The message names the file and the field."""


@dataclass(frozen=True)
class Example:
    """A text a rule must (positive) or must not (negative) report."""

    text: str
    model_id: str | None = None
    base_model: str | None = None


@dataclass(frozen=True)
class Rule:
    """One kind of fine-tuned or custom model id."""

    id: str
    name: str
    provider: str
    title: str
    """One line: what this rule finds (SARIF ``shortDescription``)."""
    description: str
    """A paragraph (SARIF ``fullDescription``)."""
    help: str
    """Markdown: what the finding means and what to do before the shutdown."""
    level: Level
    """The level used when no lifecycle date is known for the model."""
    precision: str
    tags: tuple[str, ...]
    keywords: tuple[str, ...]
    """Substrings one of which every match contains; files without any are never parsed."""
    precedence: int
    """Rules with a lower number claim a span first (Mistral before OpenAI)."""
    patterns: tuple[Pattern, ...]
    dynamic: tuple[Pattern, ...]
    """Patterns for ids built at run time; matched on a template whose variables read ``{...}``."""
    hints: tuple[Pattern, ...]
    """Raw-source patterns of an id possibly built at run time (``"ft:" +``, ``f"ft:{``): a file
    holding one is parsed even when no complete id matches in its text."""
    positive: tuple[Example, ...]
    negative: tuple[Example, ...]
    source: str
    """The file the rule came from."""
    builtin: bool = False
    """One of ftscan's own rules (``rules/``): ``docs/rules.md`` has a section on it."""
    kind: str = "model-id"
    """One of :data:`RULE_KINDS`."""
    calls: tuple[str, ...] = ()
    """Training rules: callables that create a job (last parts of the dotted callee)."""
    requires: tuple[str, ...] = ()
    """Training rules: words one of which the file must also hold (an SDK's import)."""
    arguments: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Training rules: per role (:data:`ARGUMENT_ROLES`), the keywords (or dotted paths into
    an options object) the value comes from."""
    endpoints: tuple[str, ...] = ()
    """Training rules: REST paths a POST to creates a job."""
    resources: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    """Training rules: Terraform resource types that create a job, with the attribute of each
    role."""
    placeholders: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Per named group, values (shell-style globs, any case) that mark an id as an example out
    of documentation (``your-org``, ``custom-model-name``, AWS's ``123456789012``), not a
    live model."""

    def is_placeholder(self, parts: tuple[tuple[str, str], ...], base: str | None) -> bool:
        """Does any part of a matched id hold a placeholder value?"""
        if not self.placeholders:
            return False
        values = dict(parts)
        if base is not None:
            values["base"] = base
        for group, patterns in self.placeholders:
            value = values.get(group)
            if value and globs(patterns).match(value.lower()) is not None:
                return True
        return False


@dataclass(frozen=True)
class IdMatch:
    """A model id found in a string by one rule."""

    rule: Rule
    start: int
    end: int
    model_id: str
    base_model: str | None
    parts: tuple[tuple[str, str], ...]
    """The other named groups that matched (org, suffix, id, ...)."""


_EVERY_KEYWORD = (b"\x00every keyword, overlapping",)
"""The key of :meth:`RuleSet._keywords_in`'s automaton among the prefilter automata."""


class RuleSet:
    """An ordered set of rules and the matcher built from them."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        seen: dict[str, str] = {}
        for rule in rules:
            if rule.id in seen:
                raise RuleError(
                    f"{rule.source}: rule {rule.id}: id already defined in {seen[rule.id]}"
                )
            seen[rule.id] = rule.source
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.id_rules: tuple[Rule, ...] = tuple(r for r in self.rules if r.kind == "model-id")
        """The rules that find ids in text."""
        self.training_rules: tuple[Rule, ...] = tuple(
            sorted((r for r in self.rules if r.kind == "training"), key=lambda r: r.precedence))
        """The rules that find fine-tuning job creation, most specific first."""
        self._by_id = {rule.id: rule for rule in self.rules}
        self._ordered = sorted(self.id_rules, key=lambda r: r.precedence)
        keywords = sorted({k for rule in (*self.id_rules, *self.training_rules)
                           for k in rule.keywords}, key=len, reverse=True)
        self.keywords: tuple[str, ...] = tuple(keywords)
        self._keyword_bytes = tuple(k.encode() for k in keywords)
        self._keyword_text = re.compile("|".join(re.escape(k) for k in keywords))
        self._automata: dict[tuple[bytes, ...], BytesAhoCorasick] = {}

    @functools.cached_property
    def _candidate_checks(self) -> list[tuple[tuple[bytes, ...], AnyOf | None,
                                              tuple[bytes, ...]]]:
        """Per rule: its keywords, its patterns and hints on bytes, in one linear pass
        (compiled on first use: a scan answered from the cache never needs them), and the
        words one of which a training rule also needs (an SDK's import: without one, none of
        its calls is a job, and its endpoints and commands hold keywords of rules that need
        none)."""
        return [(tuple(k.encode() for k in rule.keywords), _bytes_patterns(rule), ())
                for rule in self._ordered] + [
            (tuple(k.encode() for k in rule.keywords), None,
             tuple(w.encode() for w in rule.requires)) for rule in self.training_rules]

    def digest(self) -> str:
        """A hash of everything in the rules that decides what a file yields (not the texts
        for humans): the cache keeps a file's findings only for rules with the same digest."""
        spec = [
            (r.id, r.kind, r.provider, r.title, r.level.value, r.keywords, r.precedence,
             tuple(p.pattern for p in r.patterns), tuple(p.pattern for p in r.dynamic),
             tuple(p.pattern for p in r.hints), r.placeholders, r.calls, r.requires,
             r.arguments, r.endpoints, r.resources)
            for r in self.rules
        ]
        return hashlib.sha256(repr(spec).encode("utf-8")).hexdigest()

    def __getstate__(self) -> dict[str, Any]:
        # automata are rebuilt where they are used (workers of a process pool)
        state = {**self.__dict__, "_automata": {}}
        state.pop("_candidate_checks", None)
        return state

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this id, if any."""
        return self._by_id.get(rule_id)

    def of_kind(self, kind: str) -> Rule | None:
        """The first rule of ``kind`` (``outside``), if the catalogue has one."""
        return next((rule for rule in self.rules if rule.kind == kind), None)

    def index(self, rule_id: str) -> int:
        """The rule's position in the catalogue (SARIF ``ruleIndex``)."""
        return self.rules.index(self._by_id[rule_id])

    def might_match(self, data: bytes, also: tuple[bytes, ...] = ()) -> bool:
        """The first prefilter: does ``data`` hold any rule keyword (or any of ``also``) at
        all? One pass over the bytes for every word (Aho-Corasick with a SIMD prefilter, about
        10 GB/s), not one pass per word: a caller with words of its own to look for in every
        file (the Python markers of :mod:`ftscan.pipeline.examine`) adds them here instead of making
        passes of its own."""
        automaton = self._automata.get(also)
        if automaton is None:
            automaton = self._automata[also] = BytesAhoCorasick(
                [*self._keyword_bytes, *also], matchkind=MATCHKIND_LEFTMOST_FIRST)
        # leftmost-first is the fast mode; it reports some match whenever any word occurs
        return bool(automaton.find_matches_as_indexes(data))

    def is_candidate(self, data: bytes) -> bool:
        """Is ``data`` worth parsing: does a rule's pattern or hint match its raw bytes?

        Keywords come first; a rule's regexes run only on files holding one of its keywords
        (tested one by one on the few files that hold any). A rule whose regexes cannot run on
        bytes (non-ASCII patterns) counts its keyword alone; a training rule its keyword and
        one of the words it requires (``jobs.create`` is Mistral's only beside its SDK)."""
        if not self.might_match(data):
            return False
        present = self._keywords_in(data)
        for keywords, patterns, requires in self._candidate_checks:
            if present.isdisjoint(keywords):
                continue
            if requires and not any(word in data for word in requires):
                continue
            if patterns is None or patterns.search(data):
                return True
        return False

    def _keywords_in(self, data: bytes) -> set[bytes]:
        """Every rule keyword ``data`` holds, in one pass (overlapping matches: a keyword
        inside another, ``jobs.create`` in ``fine_tuning.jobs.create``, is found too)."""
        automaton = self._automata.get(_EVERY_KEYWORD)
        if automaton is None:
            automaton = self._automata[_EVERY_KEYWORD] = BytesAhoCorasick(
                list(self._keyword_bytes), matchkind=MATCHKIND_STANDARD)
        words = self._keyword_bytes
        return {words[index] for index, _, _ in
                automaton.find_matches_as_indexes(data, overlapping=True)}

    def might_match_text(self, text: str) -> bool:
        """The prefilter for text already decoded."""
        return self._keyword_text.search(text) is not None

    def find(self, text: str) -> list[IdMatch]:
        """Every id in ``text``, left to right, with no two matches overlapping.

        Rules run in precedence order and an earlier rule's match claims its span, which is how
        a Mistral id is told apart from the OpenAI id it also looks like.
        """
        if not self.might_match_text(text):
            return []
        # Claimed spans never overlap one another, so kept sorted by start a new span can only
        # overlap the last claimed span starting before its end: a bisection, not a scan.
        claimed: list[IdMatch] = []
        starts: list[int] = []
        for rule in self._ordered:
            if not any(k in text for k in rule.keywords):
                continue
            for pattern in rule.patterns:
                for m in pattern.finditer(text):
                    start, end = m.span()
                    i = bisect.bisect_left(starts, end)
                    if i and claimed[i - 1].end > start:
                        continue
                    claimed.insert(i, _to_match(rule, m))
                    starts.insert(i, start)
        return claimed

    def find_dynamic(self, template: str) -> IdMatch | None:
        """The first rule whose dynamic pattern matches a run-time template such as
        ``ft:{base}:acme:{suffix}:{job}``: a dynamic pattern matches the literal start of an
        id, and the id is the template token from there, which must hold a placeholder.

        Tokens are found once, so each match is checked in constant time (a template of
        ``ft:`` repeated a million times is still one pass)."""
        if "{" not in template:
            return None
        tokens = [(t.start(), t.end(), template.rfind("{", t.start(), t.end()))
                  for t in _TEMPLATE_TOKEN.finditer(template)]
        starts = [start for start, _, _ in tokens]
        for rule in self._ordered:
            for pattern in rule.dynamic:
                for m in pattern.finditer(template):
                    i = bisect.bisect_right(starts, m.start()) - 1
                    if i < 0:
                        continue
                    _, end, last_brace = tokens[i]
                    if m.start() >= end or last_brace < m.start() or (
                            end - m.start() > MAX_TEMPLATE_LENGTH):
                        continue  # not inside a token, no placeholder after it, or no id
                    match = _to_match(rule, m)
                    return IdMatch(
                        rule=rule,
                        start=m.start(),
                        end=end,
                        model_id=template[m.start():end],
                        base_model=match.base_model,
                        parts=match.parts,
                    )
        return None


def _bytes_patterns(rule: Rule) -> AnyOf | None:
    """The rule's patterns and hints for the prefilter, on bytes; ``None`` when they cannot run
    on bytes (a non-ASCII pattern): the rule's keywords then decide alone."""
    try:
        return AnyOf([str(p.pattern) for p in (*rule.patterns, *rule.hints)])
    except RegexError:
        return None


def _to_match(rule: Rule, m: Match) -> IdMatch:
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    model_id = groups.pop("model", m.group(0))
    base = groups.pop("base", None)
    if base is not None and "{" in base:
        base = None
    return IdMatch(
        rule=rule,
        start=m.start(),
        end=m.end(),
        model_id=model_id,
        base_model=base,
        parts=tuple(sorted(groups.items())),
    )


@functools.lru_cache(maxsize=256)
def globs(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Shell-style globs as one regex (``fnmatch`` per pattern and value costs a scan with
    thousands of ids seconds). The translations are linear: ``*`` becomes ``.*`` anchored at
    the end, with no nesting."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or "(?!)")


# --------------------------------------------------------------------------- loading


def data_folder() -> Path:
    """Where the rule and lifecycle data live: when ftscan runs from a source checkout
    (``python -m pytest`` in a fresh clone), the checkout's own ``rules/``; installed, inside
    the package (``ftscan.rules``: the wheel ships the top-level ``rules/`` folder there)."""
    checkout = Path(__file__).resolve().parent.parent
    rules = checkout / "rules"
    if (checkout / "pyproject.toml").is_file() and (rules / "lifecycle.yaml").is_file():
        return rules
    return Path(str(resources.files("ftscan.rules")))


def builtin_rule_files() -> list[Path]:
    """The rule files shipped with ftscan, in catalogue order."""
    folder = data_folder()
    names = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml") and entry.name not in DATA_FILES
    )
    return [folder / name for name in names]


def load_rules(extra_files: Sequence[Path] = ()) -> RuleSet:
    """The built-in rules plus the user's rule files, validated. Raises ``RuleError``."""
    rules: list[Rule] = []
    for path in builtin_rule_files():
        rules.extend(load_rule_file(path, builtin=True))
    for path in extra_files:
        rules.extend(load_rule_file(path))
    rules.sort(key=lambda r: r.id)
    return RuleSet(rules)


def load_rule_file(path: Path, builtin: bool = False) -> list[Rule]:
    """Read and validate one rule file. Patterns of a rule file other than ftscan's own are
    compiled with RE2 (:mod:`ftscan.regex`), so none can take more than linear time."""
    try:
        text = read_limited(path, RULE_FILE_LIMIT).decode("utf-8")
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.strerror or exc}") from None
    except UnsafeFile as exc:
        raise RuleError(f"cannot read rule file: {exc}") from None
    except UnicodeDecodeError:
        raise RuleError(f"{path}: rule file is not valid UTF-8") from None
    try:
        data = yamlfast.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise RuleError(f"{where}: rule file is not valid YAML: {problem}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise RuleError(f"{path}: a rule file must be a mapping with a 'rules' list")
    unknown = set(data) - {"rules"}
    if unknown:
        raise RuleError(f"{path}: unknown top-level key '{sorted(unknown)[0]}'")
    compile_: Callable[[str], Pattern] = compile_builtin if builtin else compile_linear
    return [_parse_rule(path, i, raw, compile_, builtin) for i, raw in enumerate(data["rules"])]


def _parse_rule(path: Path, index: int, raw: Any, compile_: Callable[[str], Pattern],
                builtin: bool) -> Rule:
    where = f"{path}: rules[{index}]"
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: a rule must be a mapping")
    if isinstance(raw.get("id"), str):
        where = f"{path}: rule {raw['id']}"
    for key in raw:
        if key not in RULE_KEYS:
            raise RuleError(f"{where}: unknown field '{key}'")
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise RuleError(f"{where}: missing field '{key}'")
    rule_id = _text(raw, "id", where)
    if not RULE_ID.match(rule_id):
        raise RuleError(f"{where}: field 'id' must look like FT001, not {rule_id!r}")
    kind = raw.get("kind", "model-id")
    if kind not in RULE_KINDS:
        raise RuleError(f"{where}: field 'kind' must be one of {', '.join(RULE_KINDS)}")
    allowed = {"model-id": set(MATCHING_KEYS) | {"precedence"}, "training": set(TRAINING_KEYS)}
    for key in set(MATCHING_KEYS) | set(TRAINING_KEYS):
        if key in raw and key not in allowed.get(kind, set()):
            raise RuleError(f"{where}: field '{key}' does not belong to a rule of kind '{kind}'")
    required = {"model-id": ("keywords", "patterns"), "training": ("keywords",)}
    for key in required.get(kind, ()):
        if key not in raw:
            raise RuleError(f"{where}: missing field '{key}'")
    try:
        level = Level.parse(str(raw.get("level", "warning")))
    except ValueError as exc:
        raise RuleError(f"{where}: field 'level': {exc}") from None
    precision = str(raw.get("precision", "high"))
    if precision not in PRECISIONS:
        raise RuleError(f"{where}: field 'precision' must be one of {', '.join(PRECISIONS)}")
    precedence = raw.get("precedence", 100)
    if not isinstance(precedence, int) or isinstance(precedence, bool):
        raise RuleError(f"{where}: field 'precedence' must be an integer")
    keywords = _text_list(raw, "keywords", where) if kind in ("model-id", "training") else []
    if kind in ("model-id", "training") and not keywords:
        raise RuleError(f"{where}: field 'keywords' needs at least one keyword")
    for i, keyword in enumerate(keywords):
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise RuleError(f"{where}: field 'keywords[{i}]' is {len(keyword)} characters "
                            f"long; a keyword is a short word every match contains (at most "
                            f"{MAX_KEYWORD_LENGTH})")
    if kind == "model-id":
        patterns = _regex_list(raw, "patterns", where, compile_)
        if not patterns:
            raise RuleError(f"{where}: field 'patterns' needs at least one regex")
    else:
        patterns = _regex_list(raw, "text", where, compile_) if "text" in raw else ()
    dynamic = _regex_list(raw, "dynamic", where, compile_) if "dynamic" in raw else ()
    hints = _regex_list(raw, "hints", where, compile_) if "hints" in raw else ()
    positive, negative = _examples(raw.get("examples"), where)
    placeholders = _placeholders(raw.get("placeholders"), where)
    return Rule(
        id=rule_id,
        name=_text(raw, "name", where),
        provider=_text(raw, "provider", where),
        title=_text(raw, "title", where),
        description=_text(raw, "description", where),
        help=_text(raw, "help", where),
        level=level,
        precision=precision,
        tags=tuple(_text_list(raw, "tags", where)) if "tags" in raw else (),
        keywords=tuple(keywords),
        precedence=precedence,
        patterns=patterns,
        dynamic=dynamic,
        hints=hints,
        positive=positive,
        negative=negative,
        source=str(path),
        builtin=builtin,
        kind=kind,
        placeholders=placeholders,
        calls=tuple(_text_list(raw, "calls", where)) if "calls" in raw else (),
        requires=tuple(_text_list(raw, "requires", where)) if "requires" in raw else (),
        arguments=_arguments(raw.get("arguments"), where),
        endpoints=tuple(_text_list(raw, "endpoints", where)) if "endpoints" in raw else (),
        resources=_resources(raw.get("resources"), where),
    )


def _arguments(raw: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not all(
            role in ARGUMENT_ROLES and isinstance(names, list)
            and all(isinstance(n, str) and n for n in names) for role, names in raw.items()):
        raise RuleError(f"{where}: field 'arguments' must map {', '.join(ARGUMENT_ROLES)} to "
                        "lists of argument names")
    return tuple((role, tuple(names)) for role, names in raw.items())


def _resources(raw: Any, where: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not all(
            isinstance(kind, str) and isinstance(attributes, Mapping)
            and all(role in ARGUMENT_ROLES and isinstance(a, str) for role, a in
                    attributes.items()) for kind, attributes in raw.items()):
        raise RuleError(f"{where}: field 'resources' must map resource types to "
                        "{role: attribute} tables")
    return tuple((kind, tuple(attributes.items())) for kind, attributes in raw.items())


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: field '{key}' must be a non-empty string")
    return value.strip()


def _text_list(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"{where}: field '{key}' must be a list of non-empty strings")
    return list(value)


def _regex_list(raw: Mapping[str, Any], key: str, where: str,
                compile_: Callable[[str], Pattern]) -> tuple[Pattern, ...]:
    def one(i: int, text: str) -> Pattern:
        try:
            return compile_(text)
        except RegexError as exc:
            raise RuleError(f"{where}: field '{key}[{i}]': invalid regex: {exc}") from None

    return tuple(one(i, text) for i, text in enumerate(_text_list(raw, key, where)))


def _placeholders(raw: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in raw.items()):
        raise RuleError(f"{where}: field 'placeholders' must map group names to lists of "
                        "values")
    return tuple((group, tuple(v.lower() for v in values)) for group, values in raw.items())


def _examples(raw: Any, where: str) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    if raw is None:
        return (), ()
    if not isinstance(raw, Mapping) or set(raw) - {"positive", "negative"}:
        raise RuleError(f"{where}: field 'examples' must have only 'positive' and 'negative'")
    result: list[tuple[Example, ...]] = []
    for kind in ("positive", "negative"):
        items = raw.get(kind) or []
        if not isinstance(items, list):
            raise RuleError(f"{where}: field 'examples.{kind}' must be a list")
        examples = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                examples.append(Example(text=item))
            elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
                extra = set(item) - {"text", "model_id", "base_model"}
                if extra:
                    raise RuleError(
                        f"{where}: field 'examples.{kind}[{i}]': unknown key '{sorted(extra)[0]}'"
                    )
                examples.append(
                    Example(item["text"], item.get("model_id"), item.get("base_model"))
                )
            else:
                raise RuleError(
                    f"{where}: field 'examples.{kind}[{i}]' must be a string or have 'text'"
                )
        result.append(tuple(examples))
    return result[0], result[1]
