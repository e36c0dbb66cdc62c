"""Use sites as ``use`` findings: the most urgent model a site reaches, every definition that
reaches it, and the flows between them. Verdicts come from the definitions (already dated);
this module only words them."""

from __future__ import annotations

from collections.abc import Callable

from ftscan.flow.phase import UseSite
from ftscan.models import Finding, FlowStep, Level, Lifecycle, Role, Status
from ftscan.ruleset import Rule

_URGENCY = {Status.RETIRED: 0, Status.RETIRING: 1, Status.ACTIVE: 2, Status.DEPRECATED: 3,
            Status.UNKNOWN: 4}
OUTSIDE_MESSAGE = ("the fine-tuned model id comes from outside this repository (environment, "
                   "secret store)")


MESSAGE_IDS = 6
"""Ids a message names (the finding's ``model_ids`` holds them all)."""
MESSAGE_PLACES = 10
"""Definitions a message links (``definitions`` and SARIF's related locations hold them all)."""


def _more(count: int) -> str:
    return f" and {count} more" if count > 0 else ""


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
    origins = site.origins
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
        f"[{loc.path}:{loc.start_line}]({i})"
        for i, (loc, _) in enumerate(definitions[:MESSAGE_PLACES], start=1)
    ) + _more(len(definitions) - MESSAGE_PLACES)
    title = rule_title(primary.rule_id)
    if len(model_ids) == 1:
        head = f"{title} '{primary.model_id}' is used here ({site.kind}), defined in {where}"
    else:
        others = ", ".join(f"'{m}'" for m in model_ids[1:MESSAGE_IDS]) + _more(
            len(model_ids) - MESSAGE_IDS)
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


def outside_finding(
    site: UseSite,
    rule: Rule,
    fingerprint: Callable[[str, str, str, str | None, int], str],
    occurrence: int,
    line_hash: str | None,
) -> Finding:
    """A ``use`` finding for a model sink that only a value set outside the repository
    reaches (an env var or secret named like a fine-tune, a fine-tuning job's result)."""
    assert site.outside is not None
    message = (f"A fine-tuned model ({site.outside}) is used here ({site.kind}): "
               f"{OUTSIDE_MESSAGE}. Look it up where it is set and check its base model's "
               "shutdown date (ftscan lifecycle; ftscan reconcile lists the organisation's "
               "fine-tunes). Low confidence: the id itself is not in this repository.")
    return Finding(
        rule_id=rule.id,
        level=rule.level,
        role=Role.USE,
        message=message,
        location=site.location,
        model_id="",
        provider=rule.provider,
        base_model=None,
        lifecycle=Lifecycle(Status.UNKNOWN),
        kind=site.kind,
        context=site.context,
        fingerprint=fingerprint(rule.id, site.path, site.outside, site.context, occurrence),
        line_hash=line_hash,
        confidence="low",
        outside=site.outside,
    )
