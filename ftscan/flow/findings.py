"""Use sites as ``use`` detections: every definition that reaches a site and the flows between
them. Which of the ids it reaches is the most urgent, and so what the finding reports, is a
verdict (:mod:`ftscan.verdicts`): the detection keeps the definitions for it."""

from __future__ import annotations

from ftscan.fingerprint import stable_fingerprint
from ftscan.flow.phase import MAX_FLOWS, UseSite
from ftscan.models import Detection, FlowStep, Reach, Role
from ftscan.ruleset import Rule


def use_detection(site: UseSite, occurrence: int, line_hash: str | None) -> Detection:
    """A ``use`` detection for a site that definitions of the repository reach."""
    origins = site.origins
    reached = {o.definition.model_id: o.definition for o in origins}
    first = reached[min(reached)]
    definitions = sorted({o.definition.location: o.definition for o in origins}.items())
    related = tuple(FlowStep(loc, f"{d.model_id} defined here ({d.kind})")
                    for loc, d in definitions)
    flows = tuple(
        (FlowStep(o.definition.location, f"defined: {o.definition.model_id}"), *o.hops,
         FlowStep(site.location, f"used: {site.kind}"))
        for o in origins[:MAX_FLOWS]
    )
    low = next((o.low_confidence for o in origins if o.low_confidence), None)
    if all(d.role is Role.EXAMPLE for d in reached.values()):
        low = low or ("every definition it reaches is an example or placeholder (a "
                      "documentation id, 'your-org'): the real value is set elsewhere")
    return Detection(
        rule_id=first.rule_id,
        role=Role.USE,
        location=site.location,
        model_id=first.model_id,
        provider=first.provider,
        base_model=first.base_model,
        kind=site.kind,
        context=site.context,
        line_hash=line_hash,
        parts=first.parts,
        model_ids=tuple(sorted(reached)),
        definitions=related,
        flows=flows,
        confidence="low" if low else "high",
        reach=Reach(tuple(reached.values()), site.note, low, occurrence),
    )


def outside_detection(site: UseSite, rule: Rule, occurrence: int, line_hash: str | None,
                      ) -> Detection:
    """A ``use`` detection for a model sink that only a value set outside the repository
    reaches (an env var or secret named like a fine-tune, a fine-tuning job's result)."""
    assert site.outside is not None
    return Detection(
        rule_id=rule.id,
        role=Role.USE,
        location=site.location,
        model_id="",
        provider=rule.provider,
        base_model=None,
        kind=site.kind,
        context=site.context,
        fingerprint=stable_fingerprint(rule.id, site.path, site.outside, site.context,
                                       occurrence),
        line_hash=line_hash,
        confidence="low",
        outside=site.outside,
    )
