"""Verdicts: what a detection means on the scan date. Applied once, at the end of a scan.

Detection (the first phase, the alias phase, training sites, the cache, the replay) records only
what the repository's files and the rules say (:class:`~ftscan.models.Detection`). Everything
that depends on the day or on the lifecycle data is decided here, for every detection at once:
the base model's status and days left (:func:`dated`), the level, the message, and for a use
the most urgent of the ids it reaches. So a scan replayed on another day, or after
``ftscan lifecycle update``, is judged afresh from the same detections.

Every sentence about a shutdown or the end of job creation is written by this module:
:func:`lifecycle_phrase` (findings), :func:`training_phrase` (job-creation sites) and
:func:`remaining` (tables: the text report, the inventory).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ftscan.fingerprint import stable_fingerprint
from ftscan.lifecycle import LifecycleTable, ModelEntry
from ftscan.models import Detection, Finding, Level, Lifecycle, PastSite, Role, Status
from ftscan.ruleset import Rule, RuleSet

OUTSIDE_MESSAGE = ("the fine-tuned model id comes from outside this repository (environment, "
                   "secret store)")
MESSAGE_IDS = 6
"""Ids a use's message names (the finding's ``model_ids`` holds them all)."""
MESSAGE_PLACES = 10
"""Definitions a use's message links (``definitions`` and SARIF's related locations hold them
all)."""
_URGENCY = {Status.RETIRED: 0, Status.RETIRING: 1, Status.ACTIVE: 2, Status.DEPRECATED: 3,
            Status.UNKNOWN: 4}
_ROLE_PHRASES = {
    Role.DEFINITION: "is defined here",
    Role.DYNAMIC: "is built at run time here",
    Role.MENTION: "is mentioned here",
    Role.USE: "is used here",
    Role.EXAMPLE: "is an example or placeholder here, not a live model",
    Role.TRAINING: "is trained here",
    Role.TRAINING_DATA: "is trained from this file",
}


# --------------------------------------------------------------------------- dates and levels


def status_on(days_left: int, window_days: int) -> Status:
    """The status of a model with a shutdown date ``days_left`` days away."""
    if days_left <= 0:
        return Status.RETIRED
    return Status.RETIRING if days_left <= window_days else Status.ACTIVE


def dated(entry: ModelEntry | None, as_of: dt.date, window_days: int) -> Lifecycle:
    """Where a model (or a provider's job creation) covered by ``entry`` stands on ``as_of``."""
    if entry is None:
        return Lifecycle(status=Status.UNKNOWN)
    if entry.shutdown is None:
        return Lifecycle(status=entry.status or Status.UNKNOWN, source=entry.source,
                         next_step=entry.next_step, note=entry.note)
    days_left = (entry.shutdown - as_of).days
    return Lifecycle(status=status_on(days_left, window_days), shutdown_date=entry.shutdown,
                     days_left=days_left, source=entry.source, next_step=entry.next_step,
                     note=entry.note)


def level_for(role: Role, lifecycle: Lifecycle, default: Level) -> Level:
    """The level a finding gets: note for mentions and examples; error once the model has shut
    down or its shutdown is inside the warning window; warning before that, or when it is
    deprecated without a date; the rule's default when nothing is known."""
    if role in (Role.MENTION, Role.EXAMPLE, Role.TRAINING_DATA):
        return Level.NOTE
    if lifecycle.status in (Status.RETIRED, Status.RETIRING):
        return Level.ERROR
    if lifecycle.status in (Status.ACTIVE, Status.DEPRECATED):
        return Level.WARNING
    return default


def status_of(shutdown: str | None, dateless: str | None, as_of: dt.date,
              window_days: int) -> tuple[str, int | None]:
    """Status and days left of an inventory row: its shutdown date (ISO) on ``as_of``, else the
    status its provider gave without a date (``deprecated``, ``retired``), else unknown."""
    if shutdown is None:
        return dateless or Status.UNKNOWN.value, None
    days = (dt.date.fromisoformat(shutdown) - as_of).days
    return status_on(days, window_days).value, days


# --------------------------------------------------------------------------- sentences


def lifecycle_phrase(base_model: str | None, lifecycle: Lifecycle) -> str:
    """The sentence about the shutdown: ``its base model X shuts down on D (N days left).``"""
    base = f"its base model {base_model}" if base_model else "the model"
    date = lifecycle.shutdown_date
    days = lifecycle.days_left
    if date is None and lifecycle.status is Status.DEPRECATED:
        return f"{base} is deprecated, with no shutdown date published yet."
    if date is None and lifecycle.status is Status.RETIRED:
        return f"{base} is retired (no date published): calls to it fail."
    if lifecycle.status is Status.RETIRED and date is not None and days is not None:
        ago = "today" if days == 0 else f"{-days} day{'s' if days != -1 else ''} ago"
        return f"{base} shut down on {date.isoformat()} ({ago}): calls to it already fail."
    if date is not None and days is not None:
        plural = "s" if days != 1 else ""
        return f"{base} shuts down on {date.isoformat()} ({days} day{plural} left)."
    return f"no shutdown date is known for {base}."


def training_phrase(lifecycle: Lifecycle) -> str:
    """When job creation ends, in a sentence (with the provider's own caveat)."""
    date, days = lifecycle.shutdown_date, lifecycle.days_left
    if date is not None and days is not None and days <= 0:
        text = f"job creation ended on {date.isoformat()}: this code fails."
    elif date is not None and days is not None:
        text = f"job creation ends on {date.isoformat()} ({days} day{'s' if days != 1 else ''}" \
               " left)."
    elif lifecycle.status is Status.DEPRECATED:
        text = "job creation is deprecated, with no end date published."
    elif lifecycle.status is Status.RETIRED:
        text = "job creation is discontinued: this code fails."
    else:
        text = "no end of job creation is known."
    return f"{text} {lifecycle.note}" if lifecycle.note else text


def remaining(status: str, shutdown: dt.date | str | None, days_left: int | None,
              training: bool = False) -> str:
    """How long a model has, in words: ``53 days left, shuts down 2027-01-14``, ``shut down
    2024-01-04, 1,059 days ago``, ``deprecated, no shutdown date``, ``shutdown date unknown``.
    One phrase for every table; ``training`` words it for job creation (``38 days left, job
    creation ends 2027-01-06``)."""
    date = shutdown.isoformat() if isinstance(shutdown, dt.date) else shutdown
    if training:
        if date is None or days_left is None:
            return {Status.DEPRECATED.value: "job creation deprecated, no end date published",
                    Status.RETIRED.value: "job creation discontinued"}.get(
                status, "end of job creation unknown")
        if days_left <= 0:
            return f"job creation ended {date}"
        return f"{days_left:,} day{'s' if days_left != 1 else ''} left, job creation ends {date}"
    if date is None or days_left is None:
        return {Status.DEPRECATED.value: "deprecated, no shutdown date published",
                Status.RETIRED.value: "retired (no date published)"}.get(
            status, "shutdown date unknown")
    if days_left < 0:
        ago = -days_left
        return f"shut down {date}, {ago:,} day{'s' if ago != 1 else ''} ago"
    if days_left == 0:
        return f"shuts down today, {date}"
    return f"{days_left:,} day{'s' if days_left != 1 else ''} left, shuts down {date}"


def history_phrase(past: PastSite) -> str:
    """When an id found only in past commits was in the repository: ``last seen in
    0123456789ab on 2024-05-01, removed by ba9876543210 on 2024-05-03``."""
    seen = f"last seen in {past.last.sha[:12]} on {past.last.day.isoformat()}"
    if past.removed is None:
        return f"{seen}, the tip of a branch that still holds it"
    return f"{seen}, removed by {past.removed.sha[:12]} on {past.removed.day.isoformat()}"


def literal_message(title: str, detection: Detection, lifecycle: Lifecycle) -> str:
    """A literal id's message: one full sentence, then the lifecycle."""
    context = detection.context
    where = f"{detection.kind}, bound to {context}" if context else detection.kind
    subject = (f"{title} '{detection.model_id}' {_ROLE_PHRASES[detection.role]} ({where})")
    return f"{subject}{_lines_phrase(detection)}; " \
           f"{lifecycle_phrase(detection.base_model, lifecycle)}"


def _lines_phrase(detection: Detection) -> str:
    """For an id folded over the lines of a table: `` and on 12 more lines of this file
    (lines 2, 3, 5, 8, 13, ...)``."""
    lines = detection.lines
    if lines is None:
        return ""
    listed = ", ".join(str(n) for n in lines.first) + (", ..." if lines.count > len(
        lines.first) else "")
    more = lines.count - 1
    return f" and on {more:,} more line{'s' if more != 1 else ''} of this file (lines {listed})"


def training_message(title: str, detection: Detection, lifecycle: Lifecycle) -> str:
    """A job-creation site's message: what it creates, from what, and when creation ends."""
    site = detection.training
    assert site is not None
    parts = [f"base {site.base_model or 'unknown'}",
             f"training file {site.training_file or 'unknown'}"]
    if site.validation_file:
        parts.append(f"validation file {site.validation_file}")
    if site.suffix:
        parts.append(f"suffix {site.suffix}")
    if site.method:
        parts.append(f"method {site.method}")
    hidden = (" (some arguments are passed in a way not followed: they may hold what is "
              "missing)") if site.hidden else ""
    what = "creates a fine-tuning job" if detection.role is Role.TRAINING else \
        "is a fine-tuning job creation commented out"
    if site.documented:
        what = "in a runbook " + what
    return (f"{title}: {site.call} {what}: {', '.join(parts)}{hidden}; "
            f"{training_phrase(lifecycle)}")


def data_message(title: str, detection: Detection) -> str:
    """A file of training data's message."""
    data = detection.training_data
    assert data is not None
    count = data.examples
    return (f"{title}: {data.format}, {count} example{'s' if count != 1 else ''} "
            f"(recognised from the first {data.sampled}): the recipe of a fine-tune. Keep "
            "it: once job creation ends (OpenAI: 2027-01-06) a fine-tune can only be "
            "rebuilt elsewhere, from its data.")


def outside_message(detection: Detection) -> str:
    """A use of a fine-tune whose id is set outside the repository."""
    return (f"A fine-tuned model ({detection.outside}) is used here ({detection.kind}): "
            f"{OUTSIDE_MESSAGE}. Look it up where it is set and check its base model's "
            "shutdown date (ftscan lifecycle; ftscan reconcile lists the organisation's "
            "fine-tunes). Low confidence: the id itself is not in this repository.")


def _more(count: int) -> str:
    return f" and {count} more" if count > 0 else ""


# --------------------------------------------------------------------------- judging


_Judged = dict[int, tuple[Detection, Finding]]
"""Detections judged in one call, by identity: each with its finding."""


@dataclass(frozen=True)
class Verdicts:
    """Judges detections for one repository's rules and lifecycle data, on one date."""

    rules: RuleSet
    lifecycle: LifecycleTable
    as_of: dt.date
    window_days: int

    def judge_all(self, detections: Iterable[Detection]) -> list[Finding]:
        """Each detection judged, in order. A definition that many uses reach is judged
        once for all of them (a repository with 942 findings judged 5,679 detections)."""
        judged: _Judged = {}
        return [self._judged(d, judged) for d in detections]

    def judge(self, detection: Detection) -> Finding:
        """The finding a detection makes on the scan date."""
        return self._judged(detection, {})

    def _judged(self, detection: Detection, judged: _Judged) -> Finding:
        """:meth:`judge`, remembered in ``judged`` by the detection's identity (which holds
        the detection too: no other object can take its identity meanwhile)."""
        known = judged.get(id(detection))
        if known is None:
            known = judged[id(detection)] = (detection, self._judge(detection, judged))
        return known[1]

    def _judge(self, detection: Detection, judged: _Judged) -> Finding:
        if detection.reach is not None:
            return self._use(detection, judged)
        if detection.outside is not None:
            return self._outside(detection)
        rule = self.rules.get(detection.rule_id)
        title = rule.title if rule is not None else detection.rule_id
        default = rule.level if rule is not None else Level.WARNING
        if detection.training is not None:
            site = detection.training
            life = dated(self.lifecycle.training_entry_for(
                site.provider, detection.rule_id, site.base_model), self.as_of,
                self.window_days)
            level = level_for(detection.role, life, default)
            if site.documented and level is Level.ERROR:
                level = Level.WARNING  # a runbook breaks by hand, no build or service fails
            return _finding(detection, level, life, training_message(title, detection, life))
        if detection.training_data is not None:
            return _finding(detection, Level.NOTE, Lifecycle(Status.UNKNOWN),
                            data_message(title, detection))
        life = self.model_lifecycle(detection)
        return _finding(detection, level_for(detection.role, life, default), life,
                        literal_message(title, detection, life))

    def model_lifecycle(self, detection: Detection) -> Lifecycle:
        """Where the base model of a detection's id stands on the scan date."""
        provider = detection.provider
        rule = self.rules.get(detection.rule_id)
        if rule is not None:
            provider = rule.provider
        entry = self.lifecycle.entry_for(provider, detection.rule_id, detection.base_model,
                                         detection.model_id)
        return dated(entry, self.as_of, self.window_days)

    def _outside(self, detection: Detection) -> Finding:
        rule = self.rules.get(detection.rule_id)
        level = rule.level if rule is not None else Level.WARNING
        return _finding(detection, level, Lifecycle(Status.UNKNOWN), outside_message(detection))

    def _use(self, detection: Detection, known: _Judged) -> Finding:
        """A use reports the most urgent model it reaches; its level is the highest of theirs."""
        reach = detection.reach
        assert reach is not None
        judged = sorted((self._judged(d, known) for d in reach.definitions), key=_urgency)
        primary = judged[0]
        model_ids = tuple(f.model_id for f in judged)
        places = detection.definitions
        where = ", ".join(
            f"[{step.location.path}:{step.location.start_line}]({i})"
            for i, step in enumerate(places[:MESSAGE_PLACES], start=1)
        ) + _more(len(places) - MESSAGE_PLACES)
        rule = self.rules.get(primary.rule_id)
        title = rule.title if rule is not None else primary.rule_id
        if len(model_ids) == 1:
            head = (f"{title} '{primary.model_id}' is used here ({detection.kind}), "
                    f"defined in {where}")
        else:
            others = ", ".join(f"'{m}'" for m in model_ids[1:MESSAGE_IDS]) + _more(
                len(model_ids) - MESSAGE_IDS)
            head = (f"This code reaches {len(model_ids)} model ids ({detection.kind}): "
                    f"'{primary.model_id}' and {others}, defined in {where}; the most urgent "
                    f"is {title} '{primary.model_id}'")
        message = f"{head}; {lifecycle_phrase(primary.base_model, primary.lifecycle)}"
        if reach.note:
            message += f" {reach.note}"
        if reach.low_confidence:
            message += f" Low confidence: {reach.low_confidence}."
        use = dataclasses.replace(
            detection, rule_id=primary.rule_id, model_id=primary.model_id,
            provider=primary.provider, base_model=primary.base_model, parts=primary.parts,
            model_ids=model_ids,
            fingerprint=stable_fingerprint(primary.rule_id, detection.location.path,
                                           primary.model_id, detection.context or "",
                                           reach.occurrence))
        return _finding(use, max(f.level for f in judged), primary.lifecycle, message)


def _urgency(finding: Finding) -> tuple[int, int, str]:
    life = finding.lifecycle
    days = life.days_left if life.days_left is not None else 10**6
    return _URGENCY[life.status], days, finding.model_id


def _finding(detection: Detection, level: Level, lifecycle: Lifecycle, message: str,
             ) -> Finding:
    fields = {f.name: getattr(detection, f.name) for f in dataclasses.fields(Detection)}
    return Finding(**fields, level=level, lifecycle=lifecycle, message=message)


def rule_title(rules: RuleSet, rule_id: str) -> str:
    """A rule's title, or its id when the rule set does not hold it."""
    rule: Rule | None = rules.get(rule_id)
    return rule.title if rule is not None else rule_id
