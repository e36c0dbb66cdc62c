"""How a reconciled inventory shows the provider's side: the JSON fields, the CSV columns and
the Markdown section, cell and detail lines the inventory writers add when an inventory is
reconciled. Everything from a provider is escaped for where it goes (an API answer is as
untrusted as a repository)."""

from __future__ import annotations

from typing import Any

from ftscan.escape import md_code, md_text
from ftscan.reconcile.model import Category, Reconciliation, Remote, RemoteState

CSV_COLUMNS = ("remoteState", "category", "ownedBy", "created", "lastUsed", "jobId",
               "providerNote")

_ICONS = {Category.REFERENCED: "✅", Category.ORPHAN: "👻", Category.DEAD_REFERENCE: "❌",
          Category.STALE_MENTION: "📝", Category.UNCHECKED: "❔"}


def remote_json(remote: Remote | None) -> dict[str, Any] | None:
    if remote is None:
        return None
    return {
        "state": remote.state.value,
        "category": remote.category.value,
        "ownedBy": remote.owner,
        "created": remote.created.isoformat() if remote.created else None,
        "jobId": remote.job_id,
        "lastUsed": remote.last_used.isoformat() if remote.last_used else None,
        "usageKnown": remote.usage_known,
        "retires": remote.retires.isoformat() if remote.retires else None,
        "note": remote.note,
    }


def reconciliation_json(reconciliation: Reconciliation) -> dict[str, Any]:
    return {
        "checkedAt": reconciliation.checked_at.isoformat(),
        "complete": reconciliation.complete,
        "counts": dict(reconciliation.counts),
        "providers": [{
            "provider": p.provider, "endpoint": p.endpoint, "models": p.models,
            "jobs": p.jobs, "deletedUnreferenced": p.deleted, "usageDays": p.usage_days,
            "usageNote": p.usage_note, "errors": list(p.errors),
        } for p in reconciliation.providers],
        "eligibility": [{
            "provider": e.provider, "canCreateJobs": e.answer,
            "until": e.until.isoformat() if e.until else None, "reason": e.reason,
        } for e in reconciliation.eligibility],
    }


def csv_values(remote: Remote | None, usage_days: int) -> list[object]:
    if remote is None:
        return [""] * len(CSV_COLUMNS)
    return [remote.state.value, remote.category.value, remote.owner or "",
            remote.created.isoformat() if remote.created else "",
            remote.last_used_text(usage_days) if remote.state is not RemoteState.UNCHECKED
            else "", remote.job_id or "", remote.note or ""]


def markdown_section(reconciliation: Reconciliation) -> list[str]:
    """What the providers said, before the table: eligibility, counts, failures."""
    counts = reconciliation.counts
    lines = ["### Provider check", ""]
    for item in reconciliation.eligibility:
        until = f" until {item.until.isoformat()}" if item.until else ""
        lines.append(f"- **{md_text(item.provider)}: can create fine-tuning jobs: "
                     f"{md_text(item.answer)}{until}**: {md_text(item.reason)}.")
    lines.append(
        f"- {counts.get('referenced', 0)} referenced and served, "
        f"{counts.get('orphan', 0)} orphan{'s' if counts.get('orphan', 0) != 1 else ''} "
        "(listed by the provider, used by no scanned code), "
        f"{counts.get('dead-reference', 0)} dead reference"
        f"{'s' if counts.get('dead-reference', 0) != 1 else ''} (used in code, not served: "
        f"those calls fail today), {counts.get('stale-mention', 0)} only mentioned and not "
        f"served, {counts.get('unchecked', 0)} not checked.")
    for check in reconciliation.providers:
        lines.append(f"- {md_text(check.provider)} ({md_code(check.endpoint, in_table=False)}): "
                     f"{check.models} fine-tuned model{'s' if check.models != 1 else ''}, "
                     f"{check.jobs} job{'s' if check.jobs != 1 else ''}"
                     + (f", {check.deleted} deleted fine-tune"
                        f"{'s' if check.deleted != 1 else ''} no code names" if check.deleted
                        else "")
                     + (f"; {md_text(check.usage_note)}" if check.usage_note else "") + ".")
        lines.extend(f"  - ⚠️ incomplete: {md_text(error)}" for error in check.errors)
    return [*lines, ""]


def markdown_cell(remote: Remote | None, usage_days: int) -> str:
    if remote is None:
        return "—"
    return md_text(f"{_ICONS[remote.category]} {remote_phrase(remote, usage_days)}")


def remote_phrase(remote: Remote, usage_days: int) -> str:
    """What the provider says in a few words (a table cell): ``exists, orphan, last used
    2026-11-02``. Plain text: the writer escapes it for where it goes."""
    text = remote.state.value
    if remote.category is Category.ORPHAN:
        text += ", orphan"
    elif remote.category is Category.DEAD_REFERENCE:
        text += ", dead reference"
    elif remote.category is Category.STALE_MENTION:
        text += ", only mentioned"
    if remote.state in (RemoteState.EXISTS, RemoteState.ARCHIVED):
        text += f", last used {remote.last_used_text(usage_days)}"
    return text


def markdown_detail(remote: Remote | None, usage_days: int) -> list[str]:
    if remote is None:
        return []
    facts = [md_text(f"{remote.state.value} ({remote.category.value})")]
    if remote.owner:
        facts.append(f"owned by {md_code(remote.owner, in_table=False)}")
    if remote.created:
        facts.append(f"created {remote.created.isoformat()}")
    if remote.job_id:
        facts.append(f"job {md_code(remote.job_id, in_table=False)}")
    if remote.state is not RemoteState.UNCHECKED:
        facts.append(md_text(f"last used {remote.last_used_text(usage_days)}"))
    if remote.retires:
        facts.append(f"the provider retires it on {remote.retires.isoformat()}")
    note = f"; {md_text(remote.note)}" if remote.note else ""
    return ["- At the provider: " + ", ".join(facts) + note]
