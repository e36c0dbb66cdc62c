"""Jupyter notebooks: code cells are parsed as Python; findings land on the raw ``.ipynb`` line.

Each line of a cell's source is its own JSON string in the file. A Python offset inside the cell
is mapped back to the JSON string that holds it, and to the character inside that string
(re-encoding the prefix, so escapes are counted the way the file spells them).
"""

from __future__ import annotations

import bisect
import dataclasses
import json
from collections.abc import Mapping

from ftscan.flow.facts import shifted
from ftscan.languages.python.strings import parse_python
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure
from ftscan.parsers.jsonpos import json_strings, load_json


class CellSource:
    """A code cell's source pieces: decoded text and where each piece's JSON string starts."""

    def __init__(self) -> None:
        self.pieces: list[tuple[str, int]] = []
        self.code_starts: list[int] = []
        self.code = ""

    def add(self, text: str, raw_start: int) -> None:
        self.code_starts.append(len(self.code))
        self.pieces.append((text, raw_start))
        self.code += text

    def raw_offset(self, code_offset: int, at_end: bool = False) -> int:
        """The file offset of a character offset in the cell's code."""
        i = bisect.bisect_right(self.code_starts, code_offset) - 1
        if at_end and i > 0 and self.code_starts[i] == code_offset:
            i -= 1  # an end offset belongs to the piece it closes
        i = max(i, 0)
        text, raw_start = self.pieces[i]
        prefix = text[: code_offset - self.code_starts[i]]
        return raw_start + len(json.dumps(prefix, ensure_ascii=False)) - 1


def code_cells(text: str) -> dict[int, CellSource]:
    """The source of each code cell of an ``.ipynb`` file, by cell number; raises
    :class:`ParseFailure` when it is not a notebook."""
    document = load_json(text)
    if not isinstance(document, Mapping) or not isinstance(document.get("cells"), list):
        raise ParseFailure("not a Jupyter notebook: no 'cells' list")
    numbers = {
        i for i, cell in enumerate(document["cells"])
        if isinstance(cell, Mapping) and cell.get("cell_type") == "code"
    }
    cells: dict[int, CellSource] = {}
    for item in json_strings(text):
        path = item.path
        if (
            len(path) >= 3 and path[0] == "cells" and path[2] == "source"
            and not item.is_key and path[1] in numbers and isinstance(path[1], int)
        ):
            cells.setdefault(path[1], CellSource()).add(item.value, item.start)
    return cells


def parse_notebook(text: str) -> ParsedFile:
    """Parse an ``.ipynb`` file; raises :class:`ParseFailure` when it is not a notebook."""
    cells = code_cells(text)
    result = ParsedFile(residual_role=Role.MENTION, residual_kind="notebook text outside code")
    for number, cell in sorted(cells.items()):
        code = _mask_magics(cell.code)
        if code is None:
            continue
        try:
            parsed = parse_python(code)
        except ParseFailure as exc:
            line = exc.line
            result.notes.append((None, f"cell {number + 1}: {exc.message}"
                                 + (f" (cell line {line})" if line else "")))
            continue
        if parsed.module is not None:
            cell_facts = shifted(parsed.module, cell.raw_offset)
            if result.module is None:
                result.module = cell_facts
            else:
                result.module.merge(cell_facts)
        for fact in parsed.strings:
            result.strings.append(
                dataclasses.replace(
                    fact,
                    start=cell.raw_offset(fact.start),
                    end=cell.raw_offset(fact.end, at_end=True),
                    kind=f"{fact.kind} in notebook cell {number + 1}",
                )
            )
    return result


def _mask_magics(code: str) -> str | None:
    """Turn IPython magics and shell escapes into comments, keeping every offset.

    Returns ``None`` for a cell magic (``%%bash``): the cell is not Python at all."""
    if code.lstrip().startswith("%%"):
        return None
    lines = code.splitlines(keepends=True)
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            indent = len(line) - len(stripped)
            lines[i] = line[:indent] + "#" + line[indent + 1:]
    return "".join(lines)
