#!/usr/bin/env python3
"""The ``ast`` reader of Python literals (ftscan/languages/python/literals.py) against the
libcst collector (ftscan/languages/python/strings.py) on every ``.py`` file under the given
folders (a Python installation's lib/, the real-world trees): the strings must be identical
wherever the ast reader does not step aside. Prints the files compared, those it stepped aside
for (and why, by count), the differences, and both readers' time.

    python bench/compare_literals.py /usr/lib/python3.11 /tmp/ftscan-realworld

Exit status 1 when any file differs.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from ftscan.languages.python.literals import Unusual, read_literals
from ftscan.languages.python.strings import parse_python
from ftscan.parsers.base import ParseFailure


def main(folders: list[str]) -> int:
    compared = differing = 0
    aside: Counter[str] = Counter()
    fast = slow = 0.0
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            text = text.removeprefix("\ufeff")
            try:
                started = time.perf_counter()
                expected = parse_python(text).strings
                slow += time.perf_counter() - started
            except (ParseFailure, RecursionError):
                continue
            try:
                started = time.perf_counter()
                got = read_literals(text).strings
                fast += time.perf_counter() - started
            except Unusual as exc:
                aside[str(exc)] += 1
                continue
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                aside[type(exc).__name__] += 1
                continue
            compared += 1
            if sorted(got, key=_key) != sorted(expected, key=_key):
                differing += 1
                only_fast = set(got) - set(expected)
                only_slow = set(expected) - set(got)
                print(f"DIFFERS {path}")
                for fact in sorted(only_slow, key=_key)[:3]:
                    print(f"   libcst: {fact}")
                for fact in sorted(only_fast, key=_key)[:3]:
                    print(f"   ast:    {fact}")
    print(f"{compared} files identical or not: {differing} differ; "
          f"{sum(aside.values())} left to libcst: {dict(aside.most_common())}")
    print(f"time on the compared files: libcst {slow:.2f} s, ast {fast:.2f} s")
    return 1 if differing else 0


def _key(fact: object) -> tuple[int, int, str]:
    return (fact.start, -fact.end, fact.kind)  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
