"""Ids in a table of records, folded: one finding per id per data file.

A CSV of evaluation results or a JSONL of requests or answers holds the same id on thousands of
lines (13,700 rows of one 2.6 MB results table): each row records which model answered, and a
finding per row floods every report (a 14,000-line text report, 22 MB of SARIF) for one fact.
The first line of each id stands for all of them, with how many lines hold it and the first few
(:class:`~ftscan.models.Lines`). Folding happens as the detections come, so a file read in
pieces never holds more than one detection per id.
"""

from __future__ import annotations

import dataclasses

from ftscan.models import Detection, Lines
from ftscan.parsers import Format

FIRST_LINES = 5
"""Lines a folded finding lists (it counts them all)."""
_TABLES = (Format.DATA, Format.JSONL)


def is_table(file_format: Format) -> bool:
    """Is a file of ``file_format`` a table of records (CSV, TSV, JSON Lines)?"""
    return file_format in _TABLES


@dataclasses.dataclass
class _Seen:
    """One id of a table so far: its first detection, the lines holding it."""

    first: Detection
    count: int
    lines: list[int]
    last: int


class Folder:
    """Collects a table's detections, in file order, one per id (and role and name)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str, str | None], _Seen] = {}
        self._others: list[Detection] = []

    def add(self, detection: Detection) -> None:
        """Count a detection in (one without an id, a training site, passes through)."""
        if not detection.model_id:
            self._others.append(detection)
            return
        key = (detection.rule_id, detection.model_id, detection.role.value, detection.context)
        line = detection.location.start_line
        seen = self._seen.get(key)
        if seen is None:
            self._seen[key] = _Seen(detection, 1, [line], line)
        elif line != seen.last:
            seen.count += 1
            seen.last = line
            if len(seen.lines) < FIRST_LINES:
                seen.lines.append(line)

    def detections(self) -> list[Detection]:
        """One detection per id, on its first line, with its lines when there are several."""
        folded = [
            dataclasses.replace(seen.first, lines=Lines(seen.count, tuple(seen.lines)))
            if seen.count > 1 else seen.first
            for seen in self._seen.values()
        ]
        return sorted([*folded, *self._others], key=lambda d: d.location)


def fold(detections: list[Detection]) -> list[Detection]:
    """A table's detections (in file order), folded."""
    folder = Folder()
    for detection in detections:
        folder.add(detection)
    return folder.detections()
