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
import itertools
import re
import sys
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
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


# --------------------------------------------------------------------------- files read in pieces


def streamed_line_hashes(pieces: Callable[[], Iterable[str]],
                         wanted: Collection[int]) -> dict[int, str]:
    """:func:`line_hashes` of the ``wanted`` lines of a file too large to hold (one read in
    pieces, :mod:`ftscan.pipeline.largefile`): ``pieces()`` gives its text from the start,
    piece by piece, and is called twice, each pass stopping once it has what it needs.

    The first pass takes each wanted line's window, its first 100 units (:func:`_windows`);
    the second counts the lines up to it with the same window (:func:`_occurrences`), found
    all at once by an Aho-Corasick automaton, where :func:`line_hashes` would hash every line
    of the file in Python (a second a megabyte). Equal windows make equal hashes, so the
    numbers are GitHub's (but for a collision of the 64-bit hashes of different windows,
    which GitHub would count and this does not)."""
    lines = sorted({line for line in wanted if line >= 1})
    if not lines:
        return {}
    windows = _windows(_pass(pieces), lines)
    counts = _occurrences(_pass(pieces), windows)
    return {line: f"{_window_hash(window):x}:{counts[line]}"
            for line, (_, window) in windows.items()}


def _pass(pieces: Callable[[], Iterable[str]]) -> Iterator[str]:
    """One pass over the text, normalised as :func:`line_hashes` normalises it (a CR held back
    when a piece ends with one, as the next may start with its LF), as a string of UTF-16
    units (:func:`_unit_text`); the pieces are closed when the pass stops early."""
    source = iter(pieces())
    try:
        held = ""
        for piece in source:
            text = held + piece
            held = "\r" if text.endswith("\r") else ""
            if held:
                text = text[:-1]
            yield _unit_text(text.replace("\r\n", "\n").replace("\r", "\n")
                             .replace(" ", "").replace("\t", ""))
        if held:
            yield "\n"
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def _unit_text(text: str) -> str:
    """``text`` with each character outside the Basic Multilingual Plane as its two surrogates,
    so that a character is a UTF-16 unit, as GitHub's hash counts them."""
    if text.isascii() or max(text) <= "\uffff":
        return text

    def pair(match: re.Match[str]) -> str:
        code = ord(match.group()) - 0x10000
        return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))

    return _ASTRAL.sub(pair, text)


def _windows(units: Iterator[str], lines: list[int]) -> dict[int, tuple[int, str]]:
    """Where each of ``lines`` (ascending) starts and its window: the offset of the line break
    before it (a break before the first line counted, so line 1's is 0), and the first
    :data:`_BLOCK` units from its start, fewer where the file ends first (the hash then holds
    the end-of-file sentinel)."""
    windows: dict[int, tuple[int, str]] = {}
    growing: dict[int, tuple[int, str]] = {}  # windows opened, not yet full
    wanted = iter(lines)
    target = next(wanted, None)
    if target == 1:
        growing[1] = (0, "")
        target = next(wanted, None)
    line, consumed = 1, 0  # the line each piece begins in, and the units before it
    for piece in units:
        for number, (at, window) in growing.items():
            growing[number] = (at, window + piece[:_BLOCK - len(window)])
        newlines = piece.count("\n")
        at, passed = -1, 0
        while target is not None and target <= line + newlines:
            while passed < target - line:  # to the line break before the target
                at = piece.find("\n", at + 1)
                passed += 1
            growing[target] = (consumed + at + 1, piece[at + 1:at + 1 + _BLOCK])
            target = next(wanted, None)
        for number in [n for n, (_, window) in growing.items() if len(window) == _BLOCK]:
            windows[number] = growing.pop(number)
        line += newlines
        consumed += len(piece)
        if target is None and not growing:
            break
    windows.update(growing)
    return windows


def _window_hash(window: str) -> int:
    """The hash of a line's window (:func:`_windows`), padded as at the end of a file."""
    total: int = sum(map(mul, _window(_code_units(window), 0, _BLOCK), _POWERS))
    return total & _MASK


def _occurrences(units: Iterator[str], windows: dict[int, tuple[int, str]]) -> dict[int, int]:
    """For each line of ``windows``, how many lines up to it (itself included) have the same
    window: the ``:N`` of its hash. A line starts after a line break, so those are the
    occurrences of the break and the window, counted with ``str.count`` at C speed, a piece at
    a time (an occurrence is longer than what is carried from one piece to the next, so none
    is counted twice). A window cut short by the end of the file is its own."""
    counts = dict.fromkeys(windows, 1)
    pending = sorted((at, line, "\n" + window) for line, (at, window) in windows.items()
                     if len(window) == _BLOCK)
    totals = dict.fromkeys((pattern for _, _, pattern in pending), 0)
    carry, base, next_up = "", 0, 0  # the end of the buffer before, and where it starts
    for piece in itertools.chain(("\n",), units):  # the line break before line 1
        if next_up == len(pending):
            break
        buffer = carry + piece
        while next_up < len(pending) and pending[next_up][0] + _BLOCK + 1 <= base + len(buffer):
            at, line, pattern = pending[next_up]
            counts[line] = totals[pattern] + _count(buffer, pattern, at - base + _BLOCK + 1)
            next_up += 1
        for pattern in totals:
            totals[pattern] += _count(buffer, pattern, len(buffer))
        kept = min(len(buffer), _BLOCK)
        base += len(buffer) - kept
        carry = buffer[len(buffer) - kept:]
    return counts


def _count(text: str, pattern: str, end: int) -> int:
    """Occurrences of ``pattern`` wholly in ``text[:end]``, overlapping ones too (a pattern
    that overlaps itself, of short equal lines, is looked for one occurrence at a time)."""
    if not any(pattern.startswith(pattern[i:]) for i in range(1, len(pattern))
               if pattern[i] == "\n"):
        return text.count(pattern, 0, end)
    found, at = 0, text.find(pattern, 0, end)
    while at >= 0:
        found += 1
        at = text.find(pattern, at + 1, end)
    return found
