#!/usr/bin/env python3
"""Do two ftscan builds report the same findings on every real-world tree?

A change meant to make scans faster must not change what they find. Each build scans each tree
cold (``--no-cache``, JSON), each through its own console script (``bench/paired.py``'s
``ftscan_command``: never the code of the checkout this runs from), and each finding is reduced
to what a user reads of it: rule, role, path, line, level and the ids it reaches. The trees whose
findings differ are written to OUT, one line per finding only one build reports (``-`` the
first, ``+`` the second), with the count of trees that differ at the end.

    python bench/realworld/samefindings.py OLD_PYTHON NEW_PYTHON OUT.md [TREE ...]

Without trees, every folder under ``--clones`` (``run.py`` makes them) is scanned. Exit status 1
when any tree differs. A benchmark of correctness on code no one here wrote, not a test: CI
cannot fetch the trees.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from paired import ftscan_command  # noqa: E402

Key = tuple[object, ...]


def findings(python: str, tree: Path, timeout: float) -> set[Key]:
    """What a cold scan of ``tree`` by the build of ``python`` reports, reduced to what a user
    reads; a scan that fails gives one key saying so (its tree then differs)."""
    try:
        done = subprocess.run([*ftscan_command(python), "scan", str(tree), "--format", "json",
                               "--no-cache", "--fail-on", "never", "--quiet"],
                              capture_output=True, text=True, timeout=timeout,
                              cwd=tempfile.gettempdir())
        report = json.loads(done.stdout)
    except (subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        return {("failed", type(exc).__name__)}
    return {(f.get("ruleId"), f.get("role"), f.get("path"), f.get("startLine"), f.get("level"),
             tuple(f.get("modelIds") or ())) for f in report.get("findings", [])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the first build's Python")
    parser.add_argument("new", help="the second build's Python")
    parser.add_argument("out", type=Path)
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--clones", type=Path, default=Path("/tmp/ftscan-clones"))
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per scan")
    args = parser.parse_args()
    trees = args.trees or sorted(p for p in args.clones.iterdir() if p.is_dir())
    lines: list[str] = []
    differ = 0
    for tree in trees:
        old, new = findings(args.old, tree, args.timeout), findings(args.new, tree, args.timeout)
        print(f"{tree.name}\t{len(old)}\t{len(new)}\t{'same' if old == new else 'DIFFERENT'}",
              flush=True)
        if old != new:
            differ += 1
            lines.append(f"## {tree}")
            lines += [f"- {key}" for key in sorted(old - new, key=repr)]
            lines += [f"+ {key}" for key in sorted(new - old, key=repr)]
    lines.append(f"{differ} of {len(trees)} trees differ")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
