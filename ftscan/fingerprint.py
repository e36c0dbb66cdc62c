"""The two identities of a finding: ftscan's own line-independent fingerprint
(:func:`stable_fingerprint`), and GitHub's ``primaryLocationLineHash``, computed exactly as
github/codeql-action computes it.

code scanning matches alerts across commits with this value; ``upload-sarif`` fills it in
when a result lacks it, and warns for every result whose value differs from its own. So ftscan
either emits GitHub's value or none at all. The algorithm (``src/fingerprints.ts``): a rolling
hash with multiplier 37 over a window of the next 100 characters from each line start,
skipping spaces and tabs, with CR and CRLF normalised to LF, a 65535 end-of-file sentinel,
wrapping 64-bit arithmetic over UTF-16 code units, and ``:N`` counting earlier equal hashes.
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections.abc import Collection, Iterator, Sequence
from itertools import accumulate, repeat
from operator import mul

_BLOCK = 100


def stable_fingerprint(rule_id: str, path: str, what: str, *rest: str | int) -> str:
    """ftscan's identity for a finding: its rule, file and what it is (the model id, or what a
    training site creates), then what tells apart several in one file (the name it is bound
    to, its occurrence). No line numbers, so it survives code moving around; baselines and
    SARIF's ``partialFingerprints`` carry it."""
    key = "\x1f".join([rule_id, path, what, *(str(part) for part in rest)])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

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


def line_hashes(text: str, upto: int | None = None,
                wanted: Collection[int] | None = None) -> dict[int, str]:
    """The hash of every line (1-based) of ``text``, or of lines 1 to ``upto``; with
    ``wanted``, only of those lines (the lines that carry findings).

    The action's rolling hash over the stream normalised the way the action reads it (spaces
    and tabs dropped, CRLF and CR as LF, the end-of-file sentinel and zeros after it): a line's
    hash is that of the 100 units from its first, ``sum(unit[i] * 37**(99 - i))`` in wrapping
    64-bit arithmetic. A line's ``:N`` counts the earlier lines with the same hash, so every
    line up to the last one wanted is hashed; but only the counts of the wanted lines' values
    are kept, and the prefix sums hold one stretch of the file at a time: beyond the text's
    units (2 bytes a character) and its line starts, memory does not grow with the file."""
    normalised = (text.replace("\r\n", "\n").replace("\r", "\n")
                  .replace(" ", "").replace("\t", ""))
    units = _code_units(normalised)
    if wanted is not None:
        wanted = {line for line in wanted if line >= 1}
        last = max(wanted, default=0)
        upto = last if upto is None else min(upto, last)
    starts = array("q", _line_starts(normalised, units, upto))
    del normalised
    hashes: dict[int, str] = {}
    if wanted is None:
        counts: dict[int, int] = {}
        for line, value in enumerate(_hashes(units, starts), 1):
            count = counts[value] = counts.get(value, 0) + 1
            hashes[line] = f"{value:x}:{count}"
        return hashes
    mine = {line: _dot(units, starts[line - 1]) for line in wanted if line <= len(starts)}
    tally = dict.fromkeys(mine.values(), 0)
    for line, value in enumerate(_hashes(units, starts), 1):
        if value in tally:
            tally[value] += 1
            if line in mine:
                hashes[line] = f"{value:x}:{tally[value]}"
    return hashes


def _dot(units: array[int], start: int) -> int:
    """The hash of the window at ``start``, on its own."""
    total: int = sum(map(mul, _window(units, start, start + _BLOCK), _POWERS))
    return total & _MASK


_STRETCH = 1 << 16
"""Units per stretch of the prefix sums (8 bytes each): a file is hashed a stretch at a time."""


def _window(units: array[int], start: int, end: int) -> array[int]:
    """``units[start:end]`` of the stream: the units, then the end-of-file sentinel, then
    zeros."""
    piece = units[start:end]
    missing = end - start - len(piece)
    if missing > 0:
        piece.append(_EOF)
        piece.extend(repeat(0, missing - 1))
    return piece


def _hashes(units: array[int], starts: Sequence[int]) -> Iterator[int]:
    """The window hash at each line start. Two ways to the same numbers, whichever is cheaper:
    per line, a dot product with the powers of 37 (about 16 us a line: best for long lines);
    or, for many short lines, prefix sums over one stretch of units at a time (one
    multiply-add a unit, in a packed array of 64-bit values), where a window is
    ``prefix[start + 100] - prefix[start] * 37**100``."""
    if starts[-1] > _SHORT_LINES * len(starts):
        for start in starts:
            yield _dot(units, start)
        return
    first = 0
    while first < len(starts):
        base = starts[first]
        last = first
        while last + 1 < len(starts) and starts[last + 1] - base < _STRETCH:
            last += 1
        prefix = array("Q", accumulate(_window(units, base, starts[last] + _BLOCK), _roll,
                                       initial=0))
        for start in starts[first:last + 1]:
            offset = start - base
            yield (prefix[offset + _BLOCK] - prefix[offset] * _FIRST_MOD) & _MASK
        first = last + 1


def _roll(value: int, unit: int) -> int:
    return (value * _MOD + unit) & _MASK


class LineHasher:
    """Line hashes of one file, computed on first use (most files never need them) for the
    lines that will be asked for (``wanted``; every line up to ``upto`` when not given)."""

    def __init__(self, text: str, upto: int | None = None,
                 wanted: Collection[int] | None = None) -> None:
        self._text = text
        self._upto = upto
        self._wanted = set(wanted) if wanted is not None else None
        self._hashes: dict[int, str] | None = None

    def hash_for(self, line: int) -> str | None:
        """The hash of a 1-based line, or ``None`` when the file has no such line."""
        stale = self._hashes is None or line not in self._hashes and (
            self._wanted is not None and line not in self._wanted
            or self._upto is not None and line > self._upto)
        if stale:
            if self._wanted is not None:
                self._wanted.add(line)
            elif self._upto is not None:
                self._upto = max(self._upto, line)
            self._hashes = line_hashes(self._text, self._upto, self._wanted)
        assert self._hashes is not None
        return self._hashes.get(line)
