"""Stable shards: split an organisation-wide sweep across CI jobs (a ``strategy.matrix``).

A repository belongs to shard ``I`` of ``N`` when a hash of its name, modulo ``N``, is ``I-1``:
the split does not depend on the order repositories are listed or cloned in, so every job of a
matrix agrees without talking to the others.
"""

from __future__ import annotations

import hashlib
import re

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → ``(2, 4)``. Raises ``ValueError`` for anything else."""
    match = _SPEC.match(text)
    if not match:
        raise ValueError(f"not a shard: {text!r} (write I/N, for example 2/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {text!r} is out of range: I must be between 1 and N")
    return index, count


def in_shard(name: str, shard: tuple[int, int]) -> bool:
    """Does the repository called ``name`` belong to ``shard``?"""
    index, count = shard
    digest = hashlib.sha256(name.rstrip("/").rsplit("/", 1)[-1].encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1
