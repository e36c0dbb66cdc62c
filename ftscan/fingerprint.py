"""GitHub's ``primaryLocationLineHash``, computed exactly as github/codeql-action computes it.

code scanning matches alerts across commits with this value; ``upload-sarif`` fills it in
when a result lacks it, and warns for every result whose value differs from its own. So ftscan
either emits GitHub's value or none at all. The algorithm (``src/fingerprints.ts``): a rolling
hash with multiplier 37 over a window of the next 100 characters from each line start,
skipping spaces and tabs, with CR and CRLF normalised to LF, a 65535 end-of-file sentinel,
wrapping 64-bit arithmetic over UTF-16 code units, and ``:N`` counting earlier equal hashes.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Iterator
from itertools import accumulate, chain, islice, repeat
from operator import mul

_BLOCK = 100
_MOD = 37
_MASK = (1 << 64) - 1
_LF, _EOF = 10, 65535


def _code_units(text: str) -> array[int]:
    units = array("H")
    units.frombytes(text.encode("utf-16-le", errors="surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


_FIRST_MOD = pow(_MOD, _BLOCK, 1 << 64)
_SHORT_LINES = 40
"""Units per line below which prefix sums beat a dot product per line."""
_POWERS = tuple(pow(_MOD, _BLOCK - 1 - i, 1 << 64) for i in range(_BLOCK))
"""37**99 down to 37**0: a window's hash is the dot product of its units with these."""
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _line_starts(normalised: str, units: array[int], upto: int | None) -> list[int]:
    """Where each line starts, in UTF-16 units (as far as line ``upto``). Without characters
    outside the Basic Multilingual Plane, a unit is a character, and ``str.find`` runs at C
    speed; otherwise the units are walked."""
    starts = [0]
    if _ASTRAL.search(normalised) is None:
        pos = normalised.find("\n")
        while pos >= 0 and (upto is None or len(starts) < upto):
            starts.append(pos + 1)
            pos = normalised.find("\n", pos + 1)
        return starts
    for i, unit in enumerate(units):
        if unit == _LF:
            if upto is not None and len(starts) >= upto:
                break
            starts.append(i + 1)
    return starts


def line_hashes(text: str, upto: int | None = None) -> dict[int, str]:
    """The hash of every line (1-based) of ``text``, or of lines 1 to ``upto``.

    The action's rolling hash over the stream normalised the way the action reads it (spaces
    and tabs dropped, CRLF and CR as LF, the end-of-file sentinel and zeros after it): a line's
    hash is that of the 100 units from its first, ``sum(unit[i] * 37**(99 - i))`` in wrapping
    64-bit arithmetic, computed per line as one dot product at C speed (``map`` and ``sum``).
    Only the lines up to the last one wanted are hashed, so a finding near the top of a large
    file costs next to nothing, and memory holds the units and one window."""
    normalised = (text.replace("\r\n", "\n").replace("\r", "\n")
                  .replace(" ", "").replace("\t", ""))
    units = _code_units(normalised)
    starts = _line_starts(normalised, units, upto)
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    for line, value in enumerate(_hashes(units, starts), 1):
        text_value = format(value, "x")
        counts[text_value] = counts.get(text_value, 0) + 1
        hashes[line] = f"{text_value}:{counts[text_value]}"
    return hashes


def _hashes(units: array[int], starts: list[int]) -> Iterator[int]:
    """The window hash at each line start. Two ways to the same numbers, whichever is cheaper:
    per line, a dot product with the powers of 37 (about 16 us a line: best for long lines);
    or, for many short lines, prefix sums over every unit (one multiply-add a unit, kept in a
    packed array of 64-bit values), where a window is ``prefix[start + 100] - prefix[start] *
    37**100``."""
    stream = chain(units, (_EOF,), repeat(0, _BLOCK))
    if starts[-1] > _SHORT_LINES * len(starts):
        padded = array("H", islice(stream, starts[-1] + _BLOCK))
        for start in starts:
            yield sum(map(mul, padded[start:start + _BLOCK], _POWERS)) & _MASK
        return
    prefix = array("Q", accumulate(islice(stream, starts[-1] + _BLOCK), _roll, initial=0))
    for start in starts:
        yield (prefix[start + _BLOCK] - prefix[start] * _FIRST_MOD) & _MASK


def _roll(value: int, unit: int) -> int:
    return (value * _MOD + unit) & _MASK


class LineHasher:
    """Line hashes of one file, computed on first use (most files never need them) as far as
    the last line anyone will ask for (``upto``; all lines when ``None``)."""

    def __init__(self, text: str, upto: int | None = None) -> None:
        self._text = text
        self._upto = upto
        self._hashes: dict[int, str] | None = None

    def hash_for(self, line: int) -> str | None:
        """The hash of a 1-based line, or ``None`` when the file has no such line."""
        if self._hashes is None or (self._upto is not None and line > self._upto):
            self._upto = None if self._upto is None else max(self._upto, line)
            self._hashes = line_hashes(self._text, self._upto)
        return self._hashes.get(line)
