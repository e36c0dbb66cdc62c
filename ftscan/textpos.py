"""Convert between character offsets and (line, column) positions in a text, once, in one place.

Lines are 1-based. Columns are 1-based code-point columns, so a location can go straight into
SARIF (``columnKind: unicodeCodePoints``), a GitHub annotation or an editor link.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

_BREAK = re.compile(r"\r\n?|\n")


class LineIndex:
    """Offsets of every line start in a text. Lines end at ``\\n``, ``\\r\\n`` or a lone
    ``\\r`` (old Mac files), as GitHub counts them: every line number ftscan reports, for
    findings and for suppression comments alike, comes from here."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        if "\r" in text:
            starts.extend(m.end() for m in _BREAK.finditer(text))
        else:
            find = text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
        self._starts = starts

    def __len__(self) -> int:
        """The number of lines."""
        return len(self._starts)

    def line(self, number: int) -> str:
        """The text of a 1-based line, without its line break."""
        start = self._starts[number - 1]
        end = self._starts[number] if number < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_of(self, offset: int) -> int:
        """The 1-based line holding a character offset."""
        return self.position(offset)[0]

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) of a character offset, both 1-based."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and 0-based column (libcst's convention)."""
        line = max(1, min(line, len(self._starts)))
        return min(self._starts[line - 1] + column, len(self.text))


class Spans:
    """Spans of a text (comments, strings) in order of their start, and whether an offset
    falls in the last one to start at or before it, in O(log n)."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._spans = spans
        self._starts = [start for start, _ in spans]

    def covers(self, offset: int) -> bool:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i >= 0 and self._spans[i][0] <= offset < self._spans[i][1]
