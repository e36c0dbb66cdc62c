"""Job-creation sites in code: calls the training rules name, and POSTs to a provider's
fine-tuning endpoint (``requests.post(".../v1/fine_tuning/jobs")``, ``fetch`` with ``method:
"POST"``, ``https.request({ path, method })``), over the neutral facts of any language.

Each site carries what its arguments say about the job (:class:`~ftscan.models.TrainingSite`),
resolved through the module's own names (:mod:`.values`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ftscan.flow.facts import Arg, Attr, Call, DictX, Expr, ListX, ModuleFacts, Span
from ftscan.models import TrainingSite
from ftscan.ruleset import Rule, RuleSet
from ftscan.training.calls import CallSpec, call_specs
from ftscan.training.endpoints import Endpoint, named_at
from ftscan.training.values import LocalValues

_POSTS = ("post", "fetch", "request", "axios", "got", "ky", "httpx.post", "requests.post")


@dataclass(frozen=True)
class SiteHit:
    """A job-creation site found in a file: where, by which rule, and what it creates."""

    span: Span
    rule: Rule
    site: TrainingSite


@dataclass(frozen=True)
class _Matched:
    """A call a training rule names: by which entry, and the call that built the object a
    library engine's method is called on."""

    rule: Rule
    spec: CallSpec
    built_by: Call | None = None


def _matched(call: Call, scope: str, text: str, rules: RuleSet,
             values: LocalValues) -> _Matched | None:
    """The most specific training rule naming this call whose required words the file holds
    (an Azure or Mistral client before OpenAI's, for the same API shape)."""
    method = call.callee.name if isinstance(call.callee, Attr) else None
    for rule in rules.training_rules:
        for spec in call_specs(rule.calls):
            built_by = None
            if spec.builder:  # engine.finetune(), Engine(...).finetune()
                built_by = values.built_by(call, scope) if method == spec.callee else None
                if built_by is None or built_by.text.rpartition(".")[2] != spec.builder:
                    continue
            elif not spec.names_callee(call.text):
                continue
            if rule.requires and not any(word in text for word in rule.requires):
                break
            return _Matched(rule, spec, built_by)
    return None


def code_sites(module: ModuleFacts, text: str, rules: RuleSet) -> list[SiteHit]:
    """Every job-creation call and POST to a fine-tuning endpoint in a module."""
    values = LocalValues(module, text)
    wrappers = _own_functions(module)
    hits: list[SiteHit] = []
    for scope, call in module.calls:
        if call.text in wrappers:
            continue
        matched = _matched(call, scope, text, rules, values)
        if matched is not None:
            hits.append(SiteHit(call.span, matched.rule, _site(matched, call, scope, values)))
            continue
        endpoint = _endpoint_post(call, scope, values, rules)
        if endpoint is not None:
            hits.append(endpoint)
    return hits


def _own_functions(module: ModuleFacts) -> frozenset[str]:
    """Bare names a module defines or imports from its own repository: ``async function
    createFineTune() { openai.createFineTune(...) }`` then ``createFineTune()`` is one job, at
    the SDK call inside, not two."""
    own = {f.name for f in module.functions if not f.is_method}
    own.update(i.local for i in module.imports if i.level > 0 or i.module.startswith("."))
    return frozenset(own)


def _site(matched: _Matched, call: Call, scope: str, values: LocalValues) -> TrainingSite:
    rule, spec = matched.rule, matched.spec
    arguments = dict(rule.arguments)
    options = _options_object(call, scope, values)
    hidden = any(arg.spread for arg in call.args) and options is None
    if options is None and any(arg.keyword is None and not isinstance(arg.value, DictX)
                               and arg.position >= len(spec.params)
                               for arg in call.args) and not _keyword_call(call):
        hidden = True  # create(params): an options object built elsewhere
    named = _named_arguments(call, spec.params)
    if matched.built_by is not None:  # engine.finetune(): the constructor's arguments too
        named = {**_named_arguments(matched.built_by, spec.builder_params), **named}
    found: dict[str, str | None] = {}
    for role in ("base", "training_file", "validation_file", "suffix", "method"):
        value = None
        for name in arguments.get(role, ()):
            value = _argument(named, name, scope, values, options)
            if value is not None:
                break
        found[role] = value
    return TrainingSite(
        provider=rule.provider, call=call.text or f"{spec.builder}(...).{spec.callee}",
        base_model=found["base"],
        training_file=found["training_file"], validation_file=found["validation_file"],
        suffix=found["suffix"], method=found["method"], hidden=hidden)


def _named_arguments(call: Call, params: tuple[str, ...]) -> dict[str, Expr]:
    """A call's arguments by name: its keywords, and its positional ones named by
    ``params``."""
    named: dict[str, Expr] = {}
    for arg in call.args:
        if arg.keyword is not None:
            named[arg.keyword] = arg.value
        elif not arg.spread and 0 <= arg.position < len(params):
            named.setdefault(params[arg.position], arg.value)
    return named


def _keyword_call(call: Call) -> bool:
    """A call with keyword arguments (Python): its positional ones are not options."""
    return any(arg.keyword is not None for arg in call.args)


def _options_object(call: Call, scope: str, values: LocalValues) -> DictX | None:
    """The options object a call takes (JavaScript ``create({ ... })``, Python
    ``create(**params)``; a name bound to one)."""
    for arg in call.args:
        if arg.keyword is None and arg.spread in (0, 2):
            known = values.resolve(arg.value, scope)
            if known.mapping is not None:
                return known.mapping
    return None


def _argument(named: dict[str, Expr], name: str, scope: str, values: LocalValues,
              options: DictX | None) -> str | None:
    """The string the argument ``name`` (by name, or a dotted path into an options object:
    ``trainingDataConfig.s3Uri``) holds, or what it comes from."""
    head, _, rest = name.partition(".")
    expr: Expr | None = named.get(head)
    if expr is None and options is not None:
        expr = values.entry(options, head, scope)
    while rest and expr is not None:
        key, _, rest = rest.partition(".")
        inner = values.resolve(expr, scope).mapping
        expr = values.entry(inner, key, scope) if inner is not None else None
    if expr is None:
        return None
    known = values.resolve(expr, scope)
    if known.mapping is not None:  # method={"type": "dpo", ...}
        kind = values.entry(known.mapping, "type", scope)
        return values.text(kind, scope) if kind is not None else None
    return known.text if known.text is not None else known.origin


# --------------------------------------------------------------------------- endpoints


def _endpoint_post(call: Call, scope: str, values: LocalValues,
                   rules: RuleSet) -> SiteHit | None:
    """A POST to a fine-tuning endpoint: the URL (or the path, with the host elsewhere) among
    the call's arguments, and a method that says POST."""
    strings = list(_strings(call.args, scope, values))
    if not strings:
        return None
    for rule in rules.training_rules:
        for written in rule.endpoints:
            endpoint = Endpoint.parse(written)
            if not any(not named.bare for text in strings for named in named_at(text, endpoint)):
                continue
            if not _posts(call, scope, values):
                return None
            body = _body(call, scope, values)
            site = TrainingSite(provider=rule.provider, call=f"POST {written} ({call.text})")
            if body is not None:
                site = TrainingSite(
                    provider=rule.provider, call=site.call,
                    base_model=_text(body, "model", scope, values),
                    training_file=_text(body, "training_file", scope, values),
                    validation_file=_text(body, "validation_file", scope, values),
                    suffix=_text(body, "suffix", scope, values),
                    method=_method(body, scope, values))
            return SiteHit(call.span, rule, site)
    return None


def _strings(args: tuple[Arg, ...], scope: str, values: LocalValues) -> Iterator[str]:
    for arg in args:
        yield from _strings_in(arg.value, scope, values, 0)


def _strings_in(expr: Expr, scope: str, values: LocalValues, depth: int) -> Iterator[str]:
    """The strings an argument holds, as their sources spell them (a URL's path may follow a
    placeholder for its base), in dicts, lists and calls (``URI.create(url)``) too."""
    if depth > 3:
        return
    if isinstance(expr, DictX):
        for _, value, _span in expr.entries:
            yield from _strings_in(value, scope, values, depth + 1)
        return
    if isinstance(expr, ListX):
        for element in expr.elements:
            yield from _strings_in(element, scope, values, depth + 1)
        return
    template = values.template(expr, scope)
    if template is not None:
        yield template
        return
    if isinstance(expr, Call):
        for arg in expr.args:
            yield from _strings_in(arg.value, scope, values, depth + 1)


def _posts(call: Call, scope: str, values: LocalValues) -> bool:
    """Does the call send a POST: ``requests.post``, ``axios.post``, or a ``method`` entry
    that says so (``fetch(url, { method: "POST" })``)?"""
    last = call.text.rpartition(".")[2].lower()
    if last == "post":
        return True
    if call.text and call.text.split(".")[0] not in _POSTS and last not in _POSTS:
        return False
    for arg in call.args:
        if arg.keyword in (None, "method") and (
                values.text(arg.value, scope) or "").upper() == "POST":
            return True  # requests.request("POST", url), Request(url, method="POST")
        mapping = values.resolve(arg.value, scope).mapping
        if mapping is not None:
            method = values.entry(mapping, "method", scope)
            if (values.text(method, scope) or "").upper() == "POST":
                return True
    return False


def _body(call: Call, scope: str, values: LocalValues) -> DictX | None:
    """The JSON body of a request: ``json={...}``, ``{ body: JSON.stringify({...}) }``,
    ``data=json.dumps({...})``."""
    for arg in call.args:
        if arg.keyword in ("json", "data"):
            found = _unwrap(arg.value, scope, values)
            if found is not None:
                return found
        mapping = values.resolve(arg.value, scope).mapping
        if mapping is not None:
            body = values.entry(mapping, "body", scope) or values.entry(mapping, "data", scope)
            if body is not None:
                found = _unwrap(body, scope, values)
                if found is not None:
                    return found
            if values.entry(mapping, "model", scope) is not None:
                return mapping
    return None


def _unwrap(expr: Expr, scope: str, values: LocalValues) -> DictX | None:
    """An object, or one wrapped in ``JSON.stringify(...)`` / ``json.dumps(...)``."""
    if isinstance(expr, Call) and expr.args:
        expr = expr.args[0].value
    return values.resolve(expr, scope).mapping


def _text(body: DictX, key: str, scope: str, values: LocalValues) -> str | None:
    value = values.entry(body, key, scope)
    return values.text(value, scope) if value is not None else None


def _method(body: DictX, scope: str, values: LocalValues) -> str | None:
    value = values.entry(body, "method", scope)
    if value is None:
        return None
    mapping = values.resolve(value, scope).mapping
    if mapping is not None:
        return _text(mapping, "type", scope, values)
    return values.text(value, scope)
