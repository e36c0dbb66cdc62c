"""Committed fine-tuning data: JSON Lines (or a JSON array) whose records are in a provider's
training format, recognised from the first records, never from the file's name.

Formats: OpenAI chat (``{"messages": [{"role", "content"}...]}``, with ``tools``), OpenAI
preference (``input`` + ``preferred_output`` + ``non_preferred_output``), prompt/completion
(OpenAI legacy, Bedrock), Gemini/Vertex ``contents``, Gemini API ``text_input``/``output``,
Bedrock conversation (``schemaVersion: bedrock-conversation-2024``). A file of other records (eval
results, logs) is none of these. Only the head of a file is parsed; the records are counted
by lines, in pieces for a large file.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from dataclasses import dataclass
from typing import Any

DATA_SUFFIXES = (".jsonl", ".ndjson", ".json")
HEAD_BYTES = 256 * 1024
"""Bytes read to recognise a format."""
SAMPLE_RECORDS = 20
AGREEMENT = 0.8
"""Share of the sampled records that must be in the same format."""
_ROLES = frozenset({"system", "user", "assistant", "tool", "function", "developer", "model"})
MARKERS = (b'"messages"', b'"prompt"', b'"completion"', b'"contents"', b'"text_input"',
           b'"preferred_output"')
"""Bytes one of which the head of a training file holds."""


@dataclass(frozen=True)
class Recognised:
    format: str
    sampled: int
    malformed: tuple[int, ...] = ()
    """Lines of the sample that are not valid JSON (1-based)."""


def may_be_training_data(relpath: str, head: bytes) -> bool:
    """Worth a closer look: a JSON or JSON Lines file whose head names a training field."""
    return relpath.lower().endswith(DATA_SUFFIXES) and any(m in head for m in MARKERS)


def recognise(head: bytes, jsonl: bool) -> Recognised | None:
    """The training format of a file from its first bytes, or ``None``."""
    records, malformed = _records(head, jsonl)
    if not records:
        return None
    formats = Counter(_format(record) for record in records)
    best, count = formats.most_common(1)[0]
    if best is None or count < AGREEMENT * (len(records) + len(malformed)):
        return None
    return Recognised(best, len(records), tuple(malformed))


def _records(head: bytes, jsonl: bool) -> tuple[list[Any], list[int]]:
    """The first records, and the lines of the sample that are no valid JSON."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    if jsonl:
        lines = text.split("\n")
        if len(head) >= HEAD_BYTES and len(lines) > 1:
            lines = lines[:-1]  # the last line may be cut
        records: list[Any] = []
        malformed: list[int] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except (ValueError, RecursionError):
                malformed.append(number)
            if len(records) + len(malformed) >= SAMPLE_RECORDS:
                break
        return records, malformed
    stripped = text.lstrip()
    if not stripped.startswith("["):
        return [], []
    decoder = json.JSONDecoder()
    records = []
    position = text.index("[") + 1
    while len(records) < SAMPLE_RECORDS:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            break
        try:
            record, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            break
        records.append(record)
    return records, []


def _format(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("schemaVersion"), str) and record["schemaVersion"].startswith(
            "bedrock-conversation"):
        return "Bedrock conversation"
    if "preferred_output" in record and "non_preferred_output" in record:
        return "OpenAI preference (DPO)"
    messages = record.get("messages")
    if isinstance(messages, list) and messages and all(
            isinstance(m, dict) and m.get("role") in _ROLES for m in messages):
        return "OpenAI chat with tools" if ("tools" in record or "functions" in record) \
            else "OpenAI chat"
    if isinstance(record.get("prompt"), str) and isinstance(record.get("completion"), str):
        return "prompt/completion"
    contents = record.get("contents")
    if isinstance(contents, list) and contents and all(
            isinstance(c, dict) and "parts" in c for c in contents):
        return "Gemini contents"
    if "text_input" in record and "output" in record:
        return "Gemini API tuning examples"
    return None


def count_records(data: bytes, jsonl: bool) -> int:
    """Records in a whole file held in memory: non-blank lines, or array elements."""
    if jsonl:
        return sum(1 for line in data.split(b"\n") if line.strip())
    try:
        parsed = json.loads(data)
    except ValueError:
        return 0
    return len(parsed) if isinstance(parsed, list) else 0


def count_lines(path: str, piece: int = 1 << 20) -> int:
    """Non-blank lines of a large JSON Lines file, read a piece at a time."""
    count = 0
    carried = b""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return 0
        while chunk := os.read(fd, piece):
            lines = (carried + chunk).split(b"\n")
            carried = lines.pop()  # the last line may go on in the next piece
            count += sum(1 for line in lines if line.strip())
    finally:
        os.close(fd)
    return count + (1 if carried.strip() else 0)


def is_jsonl(relpath: str) -> bool:
    return relpath.lower().endswith((".jsonl", ".ndjson"))

