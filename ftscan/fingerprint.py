"""GitHub's ``primaryLocationLineHash``, computed exactly as github/codeql-action computes it.

code scanning matches alerts across commits with this value; ``upload-sarif`` fills it in
when a result lacks it, and warns for every result whose value differs from its own. So ftscan
either emits GitHub's value or none at all. The algorithm (``src/fingerprints.ts``): a rolling
hash with multiplier 37 over a window of the next 100 characters from each line start,
skipping spaces and tabs, with CR and CRLF normalised to LF, a 65535 end-of-file sentinel,
wrapping 64-bit arithmetic over UTF-16 code units, and ``:N`` counting earlier equal hashes.
"""

from __future__ import annotations

_BLOCK = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK, 1 << 64)
_SPACE, _TAB, _LF, _CR, _EOF = 32, 9, 10, 13, 65535


def _code_units(text: str) -> list[int]:
    data = text.encode("utf-16-le", errors="surrogatepass")
    return [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]


def line_hashes(text: str) -> dict[int, str]:
    """The hash of every line (1-based) of ``text``."""
    window = [0] * _BLOCK
    line_numbers = [-1] * _BLOCK
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    state = {"hash": 0, "index": 0}

    def output() -> None:
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line_numbers[state["index"]]] = f"{value}:{counts[value]}"
        line_numbers[state["index"]] = -1

    def update(current: int) -> None:
        index = state["index"]
        begin = window[index]
        window[index] = current
        state["hash"] = (_MOD * state["hash"] + current - _FIRST_MOD * begin) & _MASK
        state["index"] = (index + 1) % _BLOCK

    line_number = 0
    line_start = True
    prev_cr = False
    for current in [*_code_units(text), _EOF]:
        if current in (_SPACE, _TAB) or (prev_cr and current == _LF):
            prev_cr = False
            continue
        if current == _CR:
            current, prev_cr = _LF, True
        else:
            prev_cr = False
        if line_numbers[state["index"]] != -1:
            output()
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[state["index"]] = line_number
        if current == _LF:
            line_start = True
        update(current)
    for _ in range(_BLOCK):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
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
