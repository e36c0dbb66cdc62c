"""``ftscan lifecycle``: the table in use, and overrides from a deprecations feed.

``ftscan lifecycle update --from FILE_OR_URL`` reads a feed in the format of the public
``deprecations.info`` data (a list of ``{provider, model_id, announcement_date, shutdown_date,
deprecation_context, replacement}``, bare or under a key such as ``deprecations``) and writes
the entries for providers ftscan knows as a lifecycle override file, which every later scan reads
before the shipped data. The network is used only when ``--from`` is a URL. The feed leaves out
Azure's calendar for fine-tuned deployments (the shipped data has it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ftscan.errors import FtscanError
from ftscan.lifecycle import LifecycleTable, ModelEntry

FEED_LIMIT = 64 * 1024 * 1024
_PROVIDERS = (
    ("azure", "azure-openai"),
    ("openai", "openai"),
    ("vertex", "google-vertex-ai"),
    ("gemini", "google-gemini"),
    ("google", "google-vertex-ai"),
    ("bedrock", "aws-bedrock"),
    ("aws", "aws-bedrock"),
    ("amazon", "aws-bedrock"),
    ("mistral", "mistral"),
    ("fireworks", "fireworks"),
)
"""How feed provider names map to ftscan's (the first substring that matches)."""


class FeedError(FtscanError):
    """A feed that cannot be read; the message says why."""


@dataclass(frozen=True)
class FeedUpdate:
    """What an update read and wrote."""

    entries: tuple[dict[str, Any], ...]
    skipped: Counter[str]
    """Feed items not written, by reason."""


def read_feed(source: str, timeout: float = 30.0) -> Any:
    """The feed's JSON, from a file or (only then over the network) an http(s) URL."""
    if source.startswith(("http://", "https://")):
        from ftscan.http import Client, HttpError

        base, _, path = source.rpartition("/")
        try:
            return Client(base, timeout=timeout, retries=2).get_json(path)
        except HttpError as exc:
            raise FeedError(str(exc)) from None
    try:
        with open(source, "rb") as handle:
            data = handle.read(FEED_LIMIT + 1)
    except OSError as exc:
        raise FeedError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if len(data) > FEED_LIMIT:
        raise FeedError(f"{source}: over {FEED_LIMIT} bytes; not a deprecations feed")
    try:
        return json.loads(data)
    except ValueError as exc:
        raise FeedError(f"{source}: not JSON: {exc}") from None


def _items(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        for key in ("deprecations", "data", "items", "models", "entries"):
            if isinstance(document.get(key), list):
                return list(document[key])
    raise FeedError("no list of deprecations in the feed (expected a list, or one under "
                    "'deprecations', 'data' or 'items')")


def _provider(name: object) -> str | None:
    text = str(name or "").lower()
    return next((ours for theirs, ours in _PROVIDERS if theirs in text), None)


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def convert(document: Any, source: str, today: dt.date) -> FeedUpdate:
    """The lifecycle entries a feed holds for providers ftscan knows."""
    entries: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    for item in _items(document):
        if not isinstance(item, Mapping) or not isinstance(item.get("model_id"), str):
            skipped["not an entry with a model_id"] += 1
            continue
        provider = _provider(item.get("provider"))
        if provider is None:
            skipped[f"provider {str(item.get('provider'))[:40]!r} has no fine-tunes ftscan "
                    "finds"] += 1
            continue
        entry: dict[str, Any] = {"provider": provider, "bases": [item["model_id"].strip()]}
        shutdown = _day(item.get("shutdown_date"))
        if shutdown is not None:
            entry["shutdown"] = shutdown.isoformat()
        else:
            entry["status"] = "deprecated"
        link = item.get("url") or item.get("source")
        entry["source"] = str(link) if link else f"{source} (deprecations feed)"
        entry["checked"] = today.isoformat()
        context = " ".join(str(item.get("deprecation_context") or "").split())
        replacement = item.get("replacement")
        note = "; ".join(part for part in (
            context[:300], f"replacement: {replacement}" if replacement else "") if part)
        if note:
            entry["note"] = note
        entries.append(entry)
    return FeedUpdate(tuple(entries), skipped)


def render(update: FeedUpdate, source: str, today: dt.date) -> str:
    """The override file, as YAML in the shape of ``rules/lifecycle.yaml``."""
    header = (f"# Lifecycle overrides written by `ftscan lifecycle update --from {source}`\n"
              f"# on {today.isoformat()}. ftscan reads these before its shipped data; edit or\n"
              "# delete freely.\n")
    body = yaml.safe_dump({"version": today.isoformat(), "models": list(update.entries)},
                          sort_keys=False, allow_unicode=True, width=100)
    return header + body


def table_rows(table: LifecycleTable) -> Iterable[dict[str, Any]]:
    """The table in use, one plain row per entry, in the order they are consulted."""
    for entry in table.entries:
        yield _row(entry)


def training_rows(table: LifecycleTable) -> Iterable[dict[str, Any]]:
    """When each provider ends fine-tuning job creation, one plain row per entry."""
    for entry in table.training:
        yield _row(entry)


def _row(entry: ModelEntry) -> dict[str, Any]:
    return {
        "provider": entry.provider,
        "covers": [*entry.models, *entry.bases],
        "rules": list(entry.rules),
        "shutdown": entry.shutdown.isoformat() if entry.shutdown else None,
        "status": entry.status.value if entry.status else None,
        "source": entry.source,
        "checked": entry.checked.isoformat() if entry.checked else None,
        "origin": entry.origin,
    }
