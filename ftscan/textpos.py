"""Convert between character offsets and (line, column) positions in a text, once, in one place.

Lines are 1-based. Columns are 1-based code-point columns, so a location can go straight into
SARIF (``columnKind: unicodeCodePoints``), a GitHub annotation or an editor link.
"""

from __future__ import annotations

import bisect


class LineIndex:
    """Offsets of every line start in a text; lines end at ``\\n`` (a ``\\r\\n`` counts once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) of a character offset, both 1-based."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and 0-based column (libcst's convention)."""
        line = max(1, min(line, len(self._starts)))
        return min(self._starts[line - 1] + column, len(self.text))
