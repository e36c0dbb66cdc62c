"""Turn the places that reach a model id by name into ``use`` findings.

This is the second phase of a scan. The first found every literal id (the definitions) and the
Python modules worth reading: those with a candidate id or a bound environment variable name.
Here the Python resolver grows that set only as far as names lead: a module whose names reach a
model exports them, and only files containing one of those names are parsed next, until no new
name appears. Then every model sink, environment read and settings field that reaches a
definition becomes a finding, with the chain back to each definition.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ftscan.aliases.deploy import (
    DeployLinks,
    UseSite,
    add_env_definitions,
    helm_links,
    terraform_links,
)
from ftscan.aliases.facts import Literal, ModuleFacts, NameRef, Span
from ftscan.aliases.graph import EnvBindings, Hop, Origin, ServiceMap, union
from ftscan.aliases.python import PythonResolver
from ftscan.models import Finding, FlowStep, Level, Location, Role, Status
from ftscan.textpos import LineIndex

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


NameQuery = tuple[str, frozenset[str]]
"""A name to look for, and the modules one of which a file must import for it to count."""


NameSearch = Callable[[Sequence[str], Sequence[NameQuery]], set[str]]
"""``search(paths, queries)``: which of the files name one of the queries (see :func:`mentions`).
The scan supplies one that answers from its cache and spreads the reading over its workers."""


@dataclass
class AliasInputs:
    """What the first phase hands over."""

    modules: dict[str, ModuleFacts]
    """Python modules already parsed (path → facts)."""
    python_paths: list[str]
    """Every Python source and notebook in the scan."""
    searched_names: set[str]
    """Names the first phase already looked for in every Python file not in ``modules``."""
    tf_files: list[str]
    chart_dirs: set[str]
    template_files: list[str]
    services: ServiceMap
    search: NameSearch
    """How to search the Python files not read yet for names (the scan reads them in its
    worker pool and remembers the answers in its cache)."""
    user_sinks: Sequence[tuple[str, str | int]] = ()


@dataclass
class AliasOutcome:
    """Use sites, and counts of what could not be followed."""

    uses: list[UseSite] = field(default_factory=list)
    modules_parsed: int = 0
    rounds: int = 0
    cycles: int = 0
    star_imports: int = 0
    dynamic_env_reads: int = 0
    parse_failures: list[tuple[str, str]] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict)
    """The texts read in this phase (for line hashes of the use findings)."""


@dataclass
class _Texts:
    """File texts read for this phase, with line indexes, loaded once."""

    read: Callable[[str], str | None]
    texts: dict[str, str | None] = field(default_factory=dict)
    indexes: dict[str, LineIndex] = field(default_factory=dict)

    def text(self, path: str) -> str | None:
        if path not in self.texts:
            self.texts[path] = self.read(path)
        return self.texts[path]

    def index(self, path: str) -> LineIndex:
        if path not in self.indexes:
            self.indexes[path] = LineIndex(self.text(path) or "")
        return self.indexes[path]

    def locate(self, path: str, span: Span) -> Location:
        index = self.index(path)
        start_line, start_col = index.position(span.start)
        end_line, end_col = index.position(span.end)
        return Location(path, start_line, start_col, end_line, end_col)


def resolve_uses(
    inputs: AliasInputs,
    definitions: list[Finding],
    read_text: Callable[[str], str | None],
    parse_module: Callable[[str, str], ModuleFacts | str],
) -> AliasOutcome:
    """Find every use. ``parse_module(path, text)`` returns facts or an error message."""
    outcome = AliasOutcome()
    texts = _Texts(read_text)
    env = EnvBindings(inputs.services)
    add_env_definitions(env, definitions)
    links = DeployLinks()
    terraform_links(definitions, texts.text, inputs.tf_files, env, links)
    helm_links(definitions, texts.text, inputs.chart_dirs, inputs.template_files, env, links)
    outcome.uses.extend(links.uses)

    by_path: dict[str, list[tuple[int, Finding]]] = {}
    for finding in definitions:
        if finding.role in (Role.DEFINITION, Role.DYNAMIC, Role.EXAMPLE):
            by_path.setdefault(finding.location.path, []).append((-1, finding))

    def definitions_in(path: str, span: Span) -> list[Finding]:
        items = by_path.get(path)
        if not items:
            return []
        if items[0][0] == -1:  # offsets computed on first use
            index = texts.index(path)
            items = sorted(
                (index.offset(f.location.start_line, f.location.start_column - 1), f)
                for _, f in items
            )
            by_path[path] = items
        starts = [offset for offset, _ in items]
        lo = bisect.bisect_left(starts, span.start)
        hi = bisect.bisect_left(starts, span.end)
        return [f for _, f in items[lo:hi]]

    modules = dict(inputs.modules)
    for path, facts in modules.items():
        for var, bindings in facts.env_writes.items():
            for binding in bindings:
                if isinstance(binding.expr, Literal):
                    hop = Hop(texts.locate(path, binding.span), binding.code)
                    for definition in definitions_in(path, binding.expr.span):
                        env.add(var, Origin(definition).through(hop))

    # Names to look for in the Python files not read yet. An env var name counts anywhere; a
    # Python name only in a file that also names the module exporting it (an import needs it).
    searched: set[tuple[str, frozenset[str]]] = {(n, frozenset()) for n in inputs.searched_names}
    pending: set[tuple[str, frozenset[str]]] = {(n, frozenset()) for n in env.names()}
    pending -= searched
    remaining = [p for p in inputs.python_paths if p not in modules]
    while True:
        outcome.rounds += 1
        resolver = PythonResolver(modules, definitions_in, texts.locate, env)
        pending |= _exported_names(resolver, modules) - searched
        if not pending or not remaining:
            break
        searched |= pending
        wanted, pending = sorted(pending, key=lambda p: p[0]), set()
        chosen = inputs.search(remaining, wanted)
        selected = [path for path in remaining if path in chosen]
        if not selected:
            break
        for path in selected:
            result = parse_module(path, texts.text(path) or "")
            if isinstance(result, str):
                outcome.parse_failures.append((path, result))
            else:
                modules[path] = result
                outcome.modules_parsed += 1
        remaining = [p for p in remaining if p not in modules]
    outcome.uses.extend(_python_uses(resolver, modules, texts, env, inputs.user_sinks))
    outcome.dynamic_env_reads = sum(m.dynamic_env_reads for m in modules.values())
    outcome.cycles = resolver.cycles
    outcome.star_imports = resolver.unresolved_star_imports
    outcome.texts = texts.texts
    return outcome


def mentions(text: str, query: NameQuery) -> bool:
    """Does ``text`` name ``name`` as a whole word, and (for a Python name) import one of
    ``module_names``? Substring tests first: most files fail them at C speed."""
    name, module_names = query
    if name not in text or (module_names and not any(m in text for m in module_names)):
        return False
    if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is None:
        return False
    return not module_names or any(
        re.search(rf"^[ \t]*(?:from|import)[ \t][^\n]*(?<![A-Za-z0-9_]){re.escape(m)}"
                  rf"(?![A-Za-z0-9_])", text, re.MULTILINE)
        for m in module_names
    )


def _module_tokens(path: str) -> frozenset[str]:
    """The words an import of the module at ``path`` must contain: its name, or its package's
    name for an ``__init__.py``."""
    folder, name = posixpath.split(path)
    stem = name.rsplit(".", 1)[0]
    if stem == "__init__":
        stem = posixpath.basename(folder)
    return frozenset({stem}) if stem else frozenset()


def _exported_names(resolver: PythonResolver, modules: dict[str, ModuleFacts]
                    ) -> set[tuple[str, frozenset[str]]]:
    """(name, words an importer must contain) for every module-level name whose value, or
    whose attributes, reach a definition."""
    exported: set[tuple[str, frozenset[str]]] = set()
    for path, facts in modules.items():
        tokens = _module_tokens(path)
        exported |= {(name, tokens) for name in _module_exports(resolver, path, facts)}
    return exported


def _module_exports(resolver: PythonResolver, path: str, facts: ModuleFacts) -> set[str]:
    """Names of one module that lead to a definition: directly, or through an attribute (a
    settings instance, a class) or a settings field bound in the environment."""
    names: set[str] = set()
    if path.endswith(".ipynb"):
        return names  # nothing imports from a notebook
    for name in [*facts.bindings, *facts.classes, *facts.functions]:
        ref = NameRef((name,), Span(0, 0))
        if resolver.origins(ref, path, None):
            names.add(name)
            continue
        for target in resolver.targets(ref, path, None, 0):
            cls = getattr(target, "name", None)
            klass = facts.classes.get(cls) if isinstance(cls, str) else None
            if klass is not None and any(
                resolver.origins(NameRef((name, attr), Span(0, 0)), path, None)
                for attr in [*klass.attributes, *klass.field_spans]
            ):
                names.add(name)
                names.update(klass.attributes)
                names.update(klass.field_spans)
    names.update(_settings_fields(resolver, path, facts))
    return {n for n in names if _IDENTIFIER.fullmatch(n)}


def _settings_fields(resolver: PythonResolver, path: str, facts: ModuleFacts) -> set[str]:
    found = set()
    for cls in facts.classes.values():
        if resolver.is_settings(path, cls):
            for attr in cls.field_spans:
                if resolver.env.bindings.get(resolver.field_env_name(path, cls, attr)):
                    found.update({cls.name, attr})
    return found


def _python_uses(
    resolver: PythonResolver,
    modules: dict[str, ModuleFacts],
    texts: _Texts,
    env: EnvBindings,
    user_sinks: Sequence[tuple[str, str | int]],
) -> list[UseSite]:
    uses: list[UseSite] = []
    for path, facts in modules.items():
        sink_spans: set[tuple[int, int]] = set()
        for call in facts.calls:
            for arg, how in call.sink_args(user_sinks):
                if isinstance(arg.expr, Literal):
                    continue
                origins = resolver.origins(arg.expr, path, call.scope)
                if origins:
                    sink_spans.add((arg.span.start, arg.span.end))
                    code = (texts.text(path) or "")[arg.span.start:arg.span.end]
                    uses.append(UseSite(path, texts.locate(path, arg.span), tuple(origins),
                                        f"passed as {how}", _short(code)))
        for read, _scope in facts.env_reads:
            if (read.span.start, read.span.end) in sink_spans:
                continue
            origins = env.origins(read.var, path)
            if origins:
                uses.append(UseSite(path, texts.locate(path, read.span), tuple(origins),
                                    f"environment read {_short(read.code)}", f"env {read.var}",
                                    _plain_default_note(read.default, read.var, path, texts,
                                                        resolver)))
        for cls in facts.classes.values():
            if not resolver.is_settings(path, cls):
                continue
            for attr, span in cls.field_spans.items():
                var = resolver.field_env_name(path, cls, attr)
                origins = env.origins(var, path)
                if origins:
                    default = next((b.expr for b in cls.attributes.get(attr, [])), None)
                    uses.append(UseSite(path, texts.locate(path, span), tuple(origins),
                                        f"settings field {cls.name}.{attr} (reads env {var})",
                                        f"env {var}",
                                        _plain_default_note(default, var, path, texts,
                                                            resolver)))
    return uses


def _plain_default_note(default: object, var: str, path: str, texts: _Texts,
                        resolver: PythonResolver) -> str | None:
    """When code falls back to a literal that is not a fine-tune (``"gpt-4o-mini"``), say that
    the deployed value is the fine-tune: the default is what a reader sees, not what runs."""
    if not isinstance(default, Literal) or resolver.definitions_in(path, default.span):
        return None
    literal = (texts.text(path) or "")[default.span.start:default.span.end].strip()
    if not literal or len(literal) > 60:
        return None
    return (f"The default here, {literal}, is not what runs where {var} is set: there it is "
            "the fine-tuned model.")


def _short(code: str) -> str:
    line = code.strip().splitlines()[0] if code.strip() else code
    return line if len(line) <= 80 else line[:77] + "..."


# --------------------------------------------------------------------------- findings

_URGENCY = {Status.RETIRED: 0, Status.RETIRING: 1, Status.ACTIVE: 2, Status.DEPRECATED: 3,
            Status.UNKNOWN: 4}


def _urgency(finding: Finding) -> tuple[int, int, str]:
    life = finding.lifecycle
    days = life.days_left if life.days_left is not None else 10**6
    return _URGENCY[life.status], days, finding.model_id


def use_finding(
    site: UseSite,
    rule_title: Callable[[str], str],
    lifecycle_phrase: Callable[[Finding], str],
    fingerprint: Callable[[str, str, str, str | None, int], str],
    occurrence: int,
    line_hash: str | None,
) -> Finding:
    """A ``use`` finding for a site, reporting the most urgent model it reaches."""
    origins = union([list(site.origins)], limit=64)
    ranked = sorted({o.definition.model_id: o.definition for o in origins}.values(),
                    key=_urgency)
    primary = ranked[0]
    model_ids = tuple(d.model_id for d in ranked)
    definitions = sorted({o.definition.location: o.definition for o in origins}.items())
    related = tuple(FlowStep(loc, f"{d.model_id} defined here ({d.kind})")
                    for loc, d in definitions)
    flows = tuple(
        (FlowStep(o.definition.location, f"defined: {o.definition.model_id}"), *o.hops,
         FlowStep(site.location, f"used: {site.kind}"))
        for o in origins[:10]
    )
    low = next((o.low_confidence for o in origins if o.low_confidence), None)
    if all(d.role is Role.EXAMPLE for d in ranked):
        low = low or ("every definition it reaches is an example or placeholder (a "
                      "documentation id, 'your-org'): the real value is set elsewhere")
    level = max((d.level for d in ranked), default=Level.WARNING)
    where = ", ".join(
        f"[{loc.path}:{loc.start_line}]({i})" for i, (loc, _) in enumerate(definitions, start=1)
    )
    title = rule_title(primary.rule_id)
    if len(model_ids) == 1:
        head = f"{title} '{primary.model_id}' is used here ({site.kind}), defined in {where}"
    else:
        others = ", ".join(f"'{m}'" for m in model_ids[1:])
        head = (f"This code reaches {len(model_ids)} model ids ({site.kind}): "
                f"'{primary.model_id}' and {others}, defined in {where}; the most urgent is "
                f"{title} '{primary.model_id}'")
    message = f"{head}; {lifecycle_phrase(primary)}"
    if site.note:
        message += f" {site.note}"
    if low:
        message += f" Low confidence: {low}."
    return Finding(
        rule_id=primary.rule_id,
        level=level,
        role=Role.USE,
        message=message,
        location=site.location,
        model_id=primary.model_id,
        provider=primary.provider,
        base_model=primary.base_model,
        lifecycle=primary.lifecycle,
        kind=site.kind,
        context=site.context,
        fingerprint=fingerprint(primary.rule_id, site.path, primary.model_id, site.context,
                                occurrence),
        line_hash=line_hash,
        parts=primary.parts,
        model_ids=model_ids,
        definitions=related,
        flows=flows,
        confidence="low" if low else "high",
    )

