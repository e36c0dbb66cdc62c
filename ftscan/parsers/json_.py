"""JSON and JSON Lines files: every string value and key, named by its key path."""

from __future__ import annotations

from ftscan.bindings import ConfigKey
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact
from ftscan.parsers.jsonpos import json_strings, load_json, path_text


def parse_json(text: str) -> ParsedFile:
    """Parse one JSON document; raises :class:`ParseFailure` when it is not valid JSON."""
    load_json(text)
    return ParsedFile(strings=_facts(text, 0), residual_role=Role.DEFINITION)


def parse_jsonl(text: str) -> ParsedFile:
    """Parse JSON Lines (one document per line, as in OpenAI batch input files)."""
    strings: list[StringFact] = []
    notes: list[tuple[int | None, str]] = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if line.strip():
            try:
                load_json(line)
            except ParseFailure as exc:
                notes.append((number, f"{exc.message} (line skipped by the JSON parser)"))
            else:
                strings.extend(_facts(line, offset))
        offset += len(line)
    return ParsedFile(strings=strings, residual_role=Role.DEFINITION, notes=notes)


def _facts(text: str, offset: int) -> list[StringFact]:
    return [
        StringFact(
            value=item.value,
            start=item.start + offset,
            end=item.end + offset,
            kind="JSON key" if item.is_key else "JSON value",
            binding=ConfigKey(key) if (key := path_text(item.path)) else None,
        )
        for item in json_strings(text)
    ]
