#!/usr/bin/env python3
"""Edits a scan carries the last analysis over for must give what a full analysis gives.

For each real-world tree that is a git clone (``run.py`` makes them), a copy is scanned with a
cache (the analysis is recorded); then files are edited one at a time and scanned again with the
cache (carried over or analysed in full, as ftscan decides), and the findings and diagnostics
are compared with a full analysis of the same files (its own cache, the replay switched off).
Edits, per picked file of code: a comment appended; a comment naming one of the names the alias
phase searched for; a comment holding a fine-tuned id; the first line dropped. Per picked
Markdown, text or CSS file: a line appended. After each, the file is restored and git's index
refreshed (as a commit would).

    python bench/realworld/carryover.py OUT.md [--trees DIR] [--code 8] [--prose 3] [TREE ...]

Prints a line per tree (files of code, edits, carried over, mismatches) and every mismatch;
exit status 1 when any edit gave other findings than a full analysis. A benchmark of
correctness on code no one here wrote, not a test: CI cannot fetch the trees.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ftscan.cache.files
import ftscan.cache.replay
import ftscan.pipeline.narrow
from ftscan.api import ScanOptions, ScanResult, scan

DAY = dt.date(2026, 12, 7)
COMMENT = {".py": "#", ".js": "//", ".jsx": "//", ".mjs": "//", ".cjs": "//", ".ts": "//",
           ".tsx": "//", ".mts": "//", ".cts": "//"}
PROSE = (".md", ".txt", ".rst", ".css")
ID = "ft:gpt-4o-mini-2024-07-18:carry-org:edit:Cz9x8y7w"


@contextmanager
def no_replay() -> Iterator[None]:
    """Scans that analyse in full: neither the last scan replayed nor carried over."""
    replay = ftscan.cache.replay.Replay
    saved = replay.load, replay.last
    replay.load = replay.last = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        replay.load, replay.last = saved  # type: ignore[method-assign]


@contextmanager
def counting_carry_overs(into: list[bool]) -> Iterator[None]:
    """Note, for each scan, whether it carried the last analysis over."""
    real: Callable[..., Any] = ftscan.pipeline.narrow.carried_over

    def spy(*args: Any) -> Any:
        outcome = real(*args)
        into.append(outcome is not None)
        return outcome

    ftscan.pipeline.narrow.carried_over = spy  # type: ignore[assignment]
    try:
        yield
    finally:
        ftscan.pipeline.narrow.carried_over = real


def run(root: Path, cache: Path) -> ScanResult:
    return scan(ScanOptions(paths=(root,), cache_dir=cache, as_of=DAY))


def compared(result: ScanResult) -> tuple[object, ...]:
    return tuple(result.findings), tuple(sorted(map(repr, result.diagnostics)))


def refresh(root: Path) -> None:
    subprocess.run(["git", "-C", str(root), "update-index", "-q", "--refresh"], check=False)


def edits(path: str, names: list[str], rng: random.Random) -> list[tuple[str, bytes]]:
    """(kind, the line added or ``b""`` for a dropped first line) for a file."""
    mark = COMMENT.get(os.path.splitext(path)[1])
    if mark is None:
        return [("prose", b"\nA line added to the docs.\n")]
    found = [("comment", f"\n{mark} edited\n".encode()), ("id", f"\n{mark} {ID}\n".encode()),
             ("drop first line", b"")]
    if names:
        found.append(("name", f"\n{mark} {rng.choice(names)}\n".encode()))
    return found


def check_tree(source: Path, work: Path, code_files: int, prose_files: int,
               ) -> tuple[int, int, int, int, list[str]]:
    root, cache, reference = work / source.name, work / "cache", work / "reference"
    for folder in (root, cache, reference):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, root, symlinks=True)
    refresh(root)
    time.sleep(2.5)  # the copy's files settle: the scan below is recorded
    run(root, cache)
    with no_replay():
        run(root, reference)
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True,
                            check=True).stdout.decode("utf-8", "replace").split("\0")
    regular = [p for p in listed if p and (root / p).is_file() and not (root / p).is_symlink()]
    code = [p for p in regular if os.path.splitext(p)[1] in COMMENT]
    prose = [p for p in regular if os.path.splitext(p)[1] in PROSE]
    rng = random.Random(source.name)
    picked = (rng.sample(code, min(code_files, len(code)))
              + rng.sample(prose, min(prose_files, len(prose))))
    recorded = ftscan.cache.files.load_private(next(cache.glob("*.replay")))
    footprint = recorded[2].footprint if recorded else None  # (key, settings key, analysed)
    names = sorted(footprint.names) if footprint else []
    made = carried = wrong = 0
    mismatches = []
    for path in picked:
        target = root / path
        original = target.read_bytes()
        for kind, line in edits(path, names, rng):
            target.write_bytes(original.split(b"\n", 1)[-1] if kind == "drop first line"
                               else original + line)
            noted: list[bool] = []
            with counting_carry_overs(noted):
                got = run(root, cache)
            with no_replay():
                want = run(root, reference)
            made += 1
            carried += any(noted)
            if compared(got) != compared(want):
                wrong += 1
                mismatches.append(f"{source.name} {path}: {kind}")
            target.write_bytes(original)
            refresh(root)
    shutil.rmtree(root, ignore_errors=True)
    return len(code), made, carried, wrong, mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--clones", type=Path, default=Path("/tmp/ftscan-clones"))
    parser.add_argument("--code", type=int, default=8, help="files of code edited per tree")
    parser.add_argument("--prose", type=int, default=3, help="prose files edited per tree")
    args = parser.parse_args()
    trees = args.trees or sorted(p for p in args.clones.iterdir() if (p / ".git").is_dir())
    rows = ["| tree | files of code | edits | carried over | mismatches |", "|---|---|---|---|---|"]
    totals = [0, 0, 0]
    everything: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ftscan-carryover-") as work:
        for tree in trees:
            code, made, carried, wrong, mismatches = check_tree(tree, Path(work), args.code,
                                                                args.prose)
            print(tree.name, code, made, carried, wrong, *mismatches, sep="\t", flush=True)
            rows.append(f"| {tree.name} | {code} | {made} | {carried} | {wrong} |")
            totals = [a + b for a, b in zip(totals, (made, carried, wrong), strict=True)]
            everything += mismatches
    rows.append(f"| all {len(trees)} trees | | {totals[0]} | {totals[1]} | {totals[2]} |")
    args.out.write_text("\n".join(rows + ["", *everything]) + "\n", encoding="utf-8")
    return 1 if everything else 0


if __name__ == "__main__":
    sys.exit(main())
