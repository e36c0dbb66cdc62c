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
from itertools import accumulate

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


def line_hashes(text: str) -> dict[int, str]:
    """The hash of every line (1-based) of ``text``.

    The action's rolling hash, as prefix sums: with the stream normalised the way the action
    reads it (spaces and tabs dropped, CRLF and CR as LF, the end-of-file sentinel and zeros
    after it), a line's hash is that of the 100 units from its first, which is
    ``prefix[start + 100] - prefix[start] * 37**100`` in wrapping 64-bit arithmetic: one
    multiply-add per character instead of a window kept by hand."""
    normalised = (text.replace("\r\n", "\n").replace("\r", "\n")
                  .replace(" ", "").replace("\t", ""))
    units = _code_units(normalised)
    starts = [0, *(i + 1 for i, unit in enumerate(units) if unit == _LF)]
    stream = [*units, _EOF, *([0] * _BLOCK)]
    prefix = list(accumulate(stream, _roll, initial=0))
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    for line, start in enumerate(starts, 1):
        value = format((prefix[start + _BLOCK] - prefix[start] * _FIRST_MOD) & _MASK, "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line] = f"{value}:{counts[value]}"
    return hashes


class LineHasher:
    """Line hashes of one file, computed on first use (most files never need them)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._hashes: dict[int, str] = {}
        self._complete = False

    def hash_for(self, line: int) -> str | None:
        """The hash of a 1-based line, or ``None`` when the file has no such line."""
        if line not in self._hashes and not self._complete:
            self._hashes = line_hashes(self._text)
            self._complete = True
        return self._hashes.get(line)
