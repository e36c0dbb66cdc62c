"""GitHub's ``primaryLocationLineHash``, computed exactly as github/codeql-action computes it.

code scanning matches alerts across commits with this value; ``upload-sarif`` fills it in
when a result lacks it, and warns for every result whose value differs from its own. So ftscan
either emits GitHub's value or none at all. The algorithm (``src/fingerprints.ts``): a rolling
hash with multiplier 37 over a window of the next 100 characters from each line start,
skipping spaces and tabs, with CR and CRLF normalised to LF, a 65535 end-of-file sentinel,
wrapping 64-bit arithmetic over UTF-16 code units, and ``:N`` counting earlier equal hashes.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate, chain, islice, repeat

_BLOCK = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK, 1 << 64)
_LF, _EOF = 10, 65535


def _code_units(text: str) -> array[int]:
    units = array("H")
    units.frombytes(text.encode("utf-16-le", errors="surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


def _roll(value: int, unit: int) -> int:
    return (value * _MOD + unit) & _MASK


def line_hashes(text: str, upto: int | None = None) -> dict[int, str]:
    """The hash of every line (1-based) of ``text``, or of lines 1 to ``upto``.

    The action's rolling hash, as prefix sums: with the stream normalised the way the action
    reads it (spaces and tabs dropped, CRLF and CR as LF, the end-of-file sentinel and zeros
    after it), a line's hash is that of the 100 units from its first, which is
    ``prefix[start + 100] - prefix[start] * 37**100`` in wrapping 64-bit arithmetic: one
    multiply-add per character instead of a window kept by hand.

    The prefix sums are a packed array of 64-bit values (8 bytes a character, not a list of
    Python ints), computed only as far as the last line wanted reaches: a finding near the top
    of a large file costs next to nothing."""
    normalised = (text.replace("\r\n", "\n").replace("\r", "\n")
                  .replace(" ", "").replace("\t", ""))
    units = _code_units(normalised)
    starts = [0]
    for i, unit in enumerate(units):
        if unit == _LF:
            if upto is not None and len(starts) >= upto:
                break
            starts.append(i + 1)
    end = starts[-1] + _BLOCK  # the last prefix value any wanted line needs
    stream = chain(units, (_EOF,), repeat(0, _BLOCK))
    prefix = array("Q", accumulate(islice(stream, end), _roll, initial=0))
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    for line, start in enumerate(starts, 1):
        value = format((prefix[start + _BLOCK] - prefix[start] * _FIRST_MOD) & _MASK, "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line] = f"{value}:{counts[value]}"
    return hashes


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
