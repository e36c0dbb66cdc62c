"""Job-creation sites in code: calls the training rules name, and POSTs to a provider's
fine-tuning endpoint (``requests.post(".../v1/fine_tuning/jobs")``, ``fetch`` with ``method:
"POST"``, ``https.request({ path, method })``), over the neutral facts of any language.

Each site carries what its arguments say about the job (:class:`~ftscan.models.TrainingSite`),
resolved through the module's own names (:mod:`.values`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ftscan.flow.facts import Arg, Call, DictX, Expr, ListX, Lit, ModuleFacts, Span
from ftscan.models import TrainingSite
from ftscan.ruleset import Rule, RuleSet
from ftscan.training.values import LocalValues

_POSTS = ("post", "fetch", "request", "axios", "got", "ky", "httpx.post", "requests.post")


@dataclass(frozen=True)
class SiteHit:
    """A job-creation site found in a file: where, by which rule, and what it creates."""

    span: Span
    rule: Rule
    site: TrainingSite


def rule_for_call(callee: str, text: str, rules: RuleSet) -> Rule | None:
    """The most specific training rule naming this callee whose required words the file holds
    (an Azure or Mistral client before OpenAI's, for the same API shape)."""
    for rule in rules.training_rules:
        if not any(callee == c or callee.endswith("." + c) for c in rule.calls):
            continue
        if rule.requires and not any(word in text for word in rule.requires):
            continue
        return rule
    return None


def code_sites(module: ModuleFacts, text: str, rules: RuleSet) -> list[SiteHit]:
    """Every job-creation call and POST to a fine-tuning endpoint in a module."""
    values = LocalValues(module, text)
    wrappers = _own_functions(module)
    hits: list[SiteHit] = []
    for scope, call in module.calls:
        if call.text in wrappers:
            continue
        rule = rule_for_call(call.text, text, rules)
        if rule is not None:
            hits.append(SiteHit(call.span, rule, _site(rule, call, scope, values)))
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


def _site(rule: Rule, call: Call, scope: str, values: LocalValues) -> TrainingSite:
    arguments = dict(rule.arguments)
    options = _options_object(call, scope, values)
    hidden = any(arg.spread for arg in call.args) and options is None
    if options is None and any(arg.keyword is None and not isinstance(arg.value, DictX)
                               for arg in call.args) and not _keyword_call(call):
        hidden = True  # create(params): an options object built elsewhere
    found: dict[str, str | None] = {}
    for role in ("base", "training_file", "validation_file", "suffix", "method"):
        value = None
        for name in arguments.get(role, ()):
            value = _argument(call, name, scope, values, options)
            if value is not None:
                break
        found[role] = value
    return TrainingSite(
        provider=rule.provider, call=call.text, base_model=found["base"],
        training_file=found["training_file"], validation_file=found["validation_file"],
        suffix=found["suffix"], method=found["method"], hidden=hidden)


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


def _argument(call: Call, name: str, scope: str, values: LocalValues,
              options: DictX | None) -> str | None:
    """The string the argument ``name`` (a keyword, or a dotted path into an options object:
    ``trainingDataConfig.s3Uri``) holds, or what it comes from."""
    head, _, rest = name.partition(".")
    expr: Expr | None = next((a.value for a in call.args if a.keyword == head), None)
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
    for rule in rules.training_rules:
        for endpoint in rule.endpoints:
            at = next((span for span, text in strings if _names_endpoint(text, endpoint)),
                      None)
            if at is None or not _posts(call, scope, values):
                continue
            body = _body(call, scope, values)
            site = TrainingSite(provider=rule.provider, call=f"POST {endpoint} ({call.text})")
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


def _names_endpoint(text: str, endpoint: str) -> bool:
    """``https://api.openai.com/v1/fine_tuning/jobs`` (or the path alone), not a path under
    it (``.../jobs/{id}/cancel``)."""
    at = text.find(endpoint)
    if at < 0:
        return False
    after = text[at + len(endpoint):]
    return after in ("", "/") or after.startswith("?")


def _strings(args: tuple[Arg, ...], scope: str, values: LocalValues,
             ) -> Iterator[tuple[Span, str]]:
    for arg in args:
        yield from _strings_in(arg.value, scope, values, 0)


def _strings_in(expr: Expr, scope: str, values: LocalValues, depth: int,
                ) -> Iterator[tuple[Span, str]]:
    if depth > 3:
        return
    if isinstance(expr, Lit):
        text = values.text(expr, scope)
        if text is not None:
            yield expr.span, text
        return
    if isinstance(expr, DictX):
        for _, value, _span in expr.entries:
            yield from _strings_in(value, scope, values, depth + 1)
        return
    if isinstance(expr, ListX):
        for element in expr.elements:
            yield from _strings_in(element, scope, values, depth + 1)
        return
    if isinstance(expr, Call):
        for arg in expr.args:
            yield from _strings_in(arg.value, scope, values, depth + 1)
        return
    known = values.resolve(expr, scope)
    if known.text is not None and hasattr(expr, "span"):
        yield expr.span, known.text


def _posts(call: Call, scope: str, values: LocalValues) -> bool:
    """Does the call send a POST: ``requests.post``, ``axios.post``, or a ``method`` entry
    that says so (``fetch(url, { method: "POST" })``)?"""
    last = call.text.rpartition(".")[2].lower()
    if last == "post":
        return True
    if call.text and call.text.split(".")[0] not in _POSTS and last not in _POSTS:
        return False
    for arg in call.args:
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
