"""The run of a SARIF log (:mod:`ftscan.reporters.sarif`), built with sarif-om.

One run, stable rule ids with full metadata, ``ruleIndex``, repository-relative URIs under
``%SRCROOT%`` (percent-encoded), GitHub's own ``primaryLocationLineHash`` on every result
and ftscan's line-independent fingerprint, results sorted, ``results: []`` when clean. Ids
found only in past commits (``scan --history``) follow as notes, the commit that last held each
in their properties (``ftscan/commit``, ``ftscan/inHead: false``): the file may be gone.
sarif-om is untyped and its attrs classes carry defaults (``ruleIndex: -1``, ``rank: -1.0``)
that must not reach the output, so serialisation is a small walker: JSON key from the field's
schema name, defaults and ``None`` dropped, ``level`` always kept, plain dicts (property bags,
fingerprints) passed through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attr
import sarif_om as om

from ftscan import __version__
from ftscan.models import Finding, Location, Role
from ftscan.reporters.base import TOOL_NAME
from ftscan.reporters.records import finding_record, past_fields
from ftscan.reporters.sarif_limits import cap
from ftscan.result import ScanResult

if TYPE_CHECKING:
    from ftscan.ruleset import Rule

INFORMATION_URI = "https://github.com/ftscan/ftscan"
RULES_PAGE = f"{INFORMATION_URI}/blob/main/docs/rules.md"
"""The page with a section on each of ftscan's own rules."""
SRCROOT = "%SRCROOT%"
_KEEP_EVEN_IF_DEFAULT = {"level"}


def run_of(result: ScanResult) -> dict[str, Any]:
    """The scan's run, as JSON-ready data."""
    run: dict[str, Any] = to_plain(build_run(result))
    return run


def build_run(result: ScanResult) -> om.Run:
    """The sarif-om object tree of a scan's run."""
    rules = list(result.settings.rules.rules)
    driver = om.ToolComponent(
        name=TOOL_NAME,
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=[_descriptor(rule) for rule in rules],
    )
    findings, notifications = capped([*(result.all_findings or result.findings),
                                      *result.history])
    return om.Run(
        tool=om.Tool(driver=driver),
        results=[_result(result, f) for f in findings],
        column_kind="unicodeCodePoints",
        invocations=[om.Invocation(execution_successful=True,
                                   tool_execution_notifications=notifications or None)],
        properties={
            "ftscan/asOf": result.settings.as_of.isoformat(),
            "ftscan/lifecycleVersion": result.settings.lifecycle.version,
        },
    )


def capped(findings: Sequence[Finding]) -> tuple[list[Finding], list[om.Notification]]:
    """At most :data:`~ftscan.reporters.sarif_limits.MAX_RESULTS` findings, the most severe
    kept (then in report order), and a warning notification saying how many were left out."""
    kept, text = cap(findings, lambda f: (-f.level, f.suppression is not None))
    if text is None:
        return kept, []
    return kept, [om.Notification(level="warning", message=om.Message(text=text))]


def help_uri(rule_id: str) -> str:
    """The rule's section of :data:`RULES_PAGE` (its heading is the id)."""
    return f"{RULES_PAGE}#{rule_id.lower()}"


def _descriptor(rule: Rule) -> om.ReportingDescriptor:
    return om.ReportingDescriptor(
        id=rule.id,
        name=_pascal(rule.name),
        help_uri=help_uri(rule.id) if rule.builtin else None,  # a rule file's own: no page
        short_description=om.MultiformatMessageString(text=rule.title),
        full_description=om.MultiformatMessageString(text=rule.description[:1024]),
        help=om.MultiformatMessageString(text=_plain(rule.help), markdown=rule.help),
        default_configuration=om.ReportingConfiguration(level=rule.level.label),
        properties={
            "tags": list(rule.tags)[:20],
            "precision": rule.precision,
            "problem.severity": "warning" if rule.level.label != "error" else "error",
            "ftscan/provider": rule.provider,
        },
    )


def _physical(loc: Location, prefix: str = "") -> om.PhysicalLocation:
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=_path_uri(prefix + loc.path),
                                              uri_base_id=SRCROOT),
        region=om.Region(
            start_line=loc.start_line,
            start_column=loc.start_column,
            end_line=loc.end_line,
            end_column=loc.end_column,
        ),
    )


def _path_uri(path: str) -> str:
    """A repository-relative path as the relative URI SARIF wants: every character a URI may
    not hold (a space, non-ASCII, a newline or escape sequence in a file name, ``%``, ``#``,
    ``?``, ``:``) percent-encoded as UTF-8, the ``/`` kept."""
    return quote(path, safe="/!$&'()*+,;=@")


def _related(finding: Finding, prefix: str) -> list[om.Location] | None:
    """Each definition reaching a use, numbered from 1 as the message's links expect."""
    if not finding.definitions:
        return None
    return [
        om.Location(id=i, physical_location=_physical(step.location, prefix),
                    message=om.Message(text=step.message))
        for i, step in enumerate(finding.definitions, start=1)
    ]


def _code_flows(finding: Finding, prefix: str) -> list[om.CodeFlow] | None:
    """Definition → each hop → use, one thread per definition, for GitHub's step view."""
    if not finding.flows:
        return None
    threads = [
        om.ThreadFlow(locations=[
            om.ThreadFlowLocation(
                location=om.Location(physical_location=_physical(step.location, prefix),
                                     message=om.Message(text=step.message)),
                importance="essential" if i in (0, len(flow) - 1) else "important",
            )
            for i, step in enumerate(flow)
        ])
        for flow in finding.flows
    ]
    return [om.CodeFlow(thread_flows=threads,
                        message=om.Message(text=f"How {finding.model_id} reaches this code"))]


def _result(scan: ScanResult, finding: Finding) -> om.Result:
    loc = finding.location
    # A sweep of several repositories: paths are relative to each; name the repository.
    prefix = f"{finding.repository}/" if len(scan.roots) > 1 and finding.repository else ""
    life = finding.lifecycle
    # GitHub's line hash; where it could not be computed (a file read in pieces whose second
    # reading ran out of time), ftscan's own, and upload-sarif adds GitHub's if it can
    fingerprints = ({"primaryLocationLineHash": finding.line_hash} if finding.line_hash
                    else {"ftscan/v1": finding.fingerprint})
    properties: dict[str, object] = {
        "modelId": finding.model_id,
        "provider": finding.provider,
        "baseModel": finding.base_model,
        "role": finding.role.value,
        "status": life.status.value,
        "shutdownDate": life.shutdown_date.isoformat() if life.shutdown_date else None,
        "daysLeft": life.days_left,
        "kind": finding.kind,
        "context": finding.context,
        "owners": list(finding.owners),
        "service": finding.service,
    }
    if finding.role is Role.USE:
        properties["modelIds"] = list(finding.model_ids)
        properties["ftscan/confidence"] = finding.confidence
    if finding.outside is not None:
        properties["ftscan/outside"] = finding.outside
    if finding.training is not None:
        properties["ftscan/training"] = finding_record(finding)["training"]
    if finding.training_data is not None:
        properties["ftscan/trainingData"] = finding_record(finding)["trainingData"]
    if finding.lines is not None:
        properties["ftscan/lines"] = finding_record(finding)["lines"]
    if finding.new is not None:
        properties["ftscan/new"] = finding.new
    if finding.history is not None:  # a note: the file may be gone, the commit says where
        properties.update((f"ftscan/{key}", value)
                          for key, value in past_fields(finding.history).items())
    suppressions = None
    if finding.suppression is not None:
        suppressions = [om.Suppression(kind=finding.suppression.kind,
                                       justification=finding.suppression.justification)]
    return om.Result(
        suppressions=suppressions,
        rule_id=finding.rule_id,
        rule_index=scan.settings.rules.index(finding.rule_id),
        level=finding.level.label,
        message=om.Message(text=finding.message),
        locations=[om.Location(physical_location=_physical(loc, prefix))],
        related_locations=_related(finding, prefix),
        code_flows=_code_flows(finding, prefix),
        partial_fingerprints=fingerprints,
        fingerprints={"ftscan/v1": finding.fingerprint},
        properties=properties,
    )


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _plain(markdown: str) -> str:
    return markdown.replace("**", "").replace("`", "")


def to_plain(obj: Any) -> Any:
    """sarif-om objects → JSON-ready data (see the module docstring)."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        for field in attr.fields(type(obj)):
            value = getattr(obj, field.name)
            if value is None:
                continue
            default = field.default
            if isinstance(default, attr.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if value == default and field.name not in _KEEP_EVEN_IF_DEFAULT:
                continue
            out[field.metadata.get("schema_property_name", field.name)] = to_plain(value)
        return out
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"cannot serialise {type(obj).__name__} into SARIF")
