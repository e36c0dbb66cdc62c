#!/usr/bin/env python3
"""Scan each materialised real-world tree twice in this process, once as ftscan does (Python
modules whose ids cannot flow read with ``ast`` alone) and once with that switched off (every
module parsed by libcst), and print whether the findings are identical, with how many modules
libcst parsed each way.

    python bench/realworld/run.py          # materialises the trees first
    python bench/realworld/lean_check.py [--trees /tmp/ftscan-clones]

Exit status 1 when any repository's findings differ.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ftscan.api import ScanOptions, scan
from ftscan.languages.python import PythonLanguage


def _findings(tree: Path, lean: bool) -> tuple[list[tuple], int, float]:
    original = PythonLanguage.parse_lean
    if not lean:
        PythonLanguage.parse_lean = lambda *args: None  # type: ignore[assignment,method-assign]
    try:
        started = time.perf_counter()
        result = scan(ScanOptions(paths=(tree,), cache_dir=None, jobs=1))
        seconds = time.perf_counter() - started
    finally:
        PythonLanguage.parse_lean = original  # type: ignore[method-assign]
    findings = sorted((f.rule_id, f.role.value, f.location.path, f.location.start_line,
                       f.location.start_column, f.model_id, f.context, f.fingerprint)
                      for f in result.findings)
    return findings, result.summary.modules_followed.get("python", 0), seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trees", type=Path, default=Path("/tmp/ftscan-clones"))
    args = parser.parse_args()
    print("| repository | findings | identical | modules followed (lean / all parsed) | "
          "seconds (lean / all parsed) |")
    print("|---|---|---|---|---|")
    differing = 0
    for tree in sorted(p for p in args.trees.iterdir() if p.is_dir()):
        lean, lean_modules, lean_seconds = _findings(tree, lean=True)
        full, full_modules, full_seconds = _findings(tree, lean=False)
        same = lean == full
        differing += not same
        print(f"| {tree.name} | {len(lean)} | {'yes' if same else 'NO'} | "
              f"{lean_modules} / {full_modules} | {lean_seconds:.2f} / {full_seconds:.2f} |")
    print(f"\n{differing} repositories differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
