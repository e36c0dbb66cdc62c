#!/usr/bin/env python3
"""ftscan against ripgrep on one tree, the way issue 17 measures it: cold (no cache) and warm
(cache, nothing changed) scans, each run alternating with ripgrep's, median of N; wall time,
CPU (user + system, workers included) and peak memory of each; the pre-commit hook after a
one-file change; and the findings of both search engines (``--search ripgrep`` and
``--search python``, which reads every file as ftscan always did) compared.

    python bench/speed.py --tree /tmp/ftscan-bench-tree [--runs 5] [--all-files]
    python bench/speed.py --tree /tmp/ftscan-jsbench --all-files

``--all-files`` scans what ignore files and the default excludes would leave out
(``node_modules``), and has ripgrep search them too (``-uu``). Build the trees with
``bench/bench.py`` (a Python installation's lib/ in a git repository, 60 planted ids) and
``bench/jsbench.py`` (a real app's node_modules). A script, not a test: timings depend on
the machine. Exit status 1 when the engines' findings differ.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

FT001 = r"ft:[a-z0-9][a-z0-9.-]*:[A-Za-z0-9_-]*:[A-Za-z0-9_-]*:[A-Za-z0-9]+"


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float


def run_once(command: list[str], env: dict[str, str] | None = None,
             cwd: Path | None = None) -> Run:
    """One run of ``command``: wall time, CPU of the process and the children it waited for,
    its peak resident memory (the largest of the process and those children)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        assert process.stderr is not None
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n"
                 f"{process.stderr.read().decode()[:2000]}")
    if process.stderr is not None:
        process.stderr.close()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median_run(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               max(r.peak_mb for r in runs))


def alternating(runs: int, first: list[str], second: list[str], env: dict[str, str],
                before_first: list[str] | None = None) -> tuple[Run, Run]:
    """``first`` and ``second`` run in turn ``runs`` times each; their median runs."""
    a: list[Run] = []
    b: list[Run] = []
    for _ in range(runs):
        if before_first:
            subprocess.run(before_first, check=True)
        a.append(run_once(first, env))
        b.append(run_once(second, env))
    return median_run(a), median_run(b)


def row(label: str, ftscan: Run, rg: Run | None) -> str:
    ratio = f"{ftscan.wall / rg.wall:.2f}x" if rg else ""
    rg_text = f"{rg.wall:.2f} s, {rg.cpu:.2f} s CPU, {rg.peak_mb:.0f} MB" if rg else ""
    return (f"| {label} | {ftscan.wall:.2f} s | {ftscan.cpu:.2f} s | {ftscan.peak_mb:.0f} MB | "
            f"{rg_text} | {ratio} |")


QUIET_FILES = ("python3.11/textwrap.py", "python3.12/textwrap.py", "lib/textwrap.py")


def hook_run(tree: Path, changed: str, runs: int, env: dict[str, str]) -> Run:
    """The pre-commit hook's command after ``changed`` was edited (a comment appended), runs
    times; the file is restored afterwards."""
    target = tree / changed
    original = target.read_bytes()
    hook = [sys.executable, "-m", "ftscan", "scan", "--files-only", "--fail-on", "warning",
            "--quiet", str(target)]
    times = []
    try:
        for n in range(runs):
            target.write_bytes(original + f"\n# edit {n}\n".encode())
            times.append(run_once(hook, env, cwd=tree))
    finally:
        target.write_bytes(original)
    return median_run(times)


def findings(tree: Path, engine: str, extra: list[str], env: dict[str, str]) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "ftscan", "scan", str(tree), "--format",
                          "json", "--no-cache", "--fail-on", "never", "--quiet", "--search",
                          engine, *extra], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)["findings"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--all-files", action="store_true")
    parser.add_argument("--hook-file", default=None,
                        help="the file the pre-commit run changes (default: a planted one)")
    args = parser.parse_args()
    tree: Path = args.tree.resolve()
    rg = shutil.which("rg")
    if rg is None:
        sys.exit("ripgrep is not installed (pip install ripgrep, or the system package)")
    work = Path(tempfile.mkdtemp(prefix="ftscan-speed-"))
    # bytecode is written and used, as in any installation (PYTHONDONTWRITEBYTECODE would
    # make every run compile ftscan's modules again: 0.1-0.2 s of each warm run)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["FTSCAN_CACHE_DIR"] = str(work / "cache")
    extra = ["--no-ignore", "--no-default-excludes"] if args.all_files else [
        "--no-default-excludes"]
    ftscan = [sys.executable, "-m", "ftscan", "scan", str(tree), "--format", "sarif",
              "--output", str(work / "out.sarif"), "--fail-on", "never", "--quiet", *extra]
    rg_command = [rg, "-c", FT001, str(tree), *(["-uu"] if args.all_files else [])]
    files = int(subprocess.run(f"{rg} --files {'-uu' if args.all_files else ''} "
                               f"'{tree}' | wc -l", shell=True, capture_output=True,
                               text=True, check=True).stdout)
    print(f"tree: {tree} ({files:,} files ripgrep lists); {os.cpu_count()} cores; "
          f"median of {args.runs} alternating runs; {Path(rg).resolve()}")
    print()
    print("| run | ftscan wall | ftscan CPU | ftscan peak | ripgrep (same runs) | ratio |")
    print("|---|---|---|---|---|---|")
    subprocess.run([*ftscan, "--no-cache"], env=env, check=False)  # bytecode written once
    cold, rg_cold = alternating(args.runs, [*ftscan, "--no-cache"], rg_command, env)
    print(row("cold (`--no-cache`)", cold, rg_cold))
    python_cold, _ = alternating(args.runs, [*ftscan, "--no-cache", "--search", "python"],
                                 rg_command, env)
    print(row("cold, `--search python` (every file read in Python)", python_cold, None))
    subprocess.run(ftscan, env=env, check=False)  # fill the cache (and write bytecode)
    warm, rg_warm = alternating(args.runs, ftscan, rg_command, env)
    print(row("warm (cache, nothing changed)", warm, rg_warm))

    if (tree / ".git").exists() and not args.all_files:
        planted = Path(str(tree) + ".planted.json")
        changed = args.hook_file or (sorted(p for p, _ in json.loads(planted.read_text())
                                            if p.endswith(".py"))[0]
                                     if planted.exists() else None)
        # the common commit: a module with no id and no name worth following
        quiet = next((p for p in QUIET_FILES if (tree / p).is_file()), None)
        for label, path in (("one file changed", changed),
                            ("one file without any id changed", quiet)):
            if path:
                print(row(f"pre-commit hook, {label} ({path})",
                          hook_run(tree, path, args.runs, env), None))
    print()
    by_ripgrep = findings(tree, "ripgrep", extra, env)
    by_python = findings(tree, "python", extra, env)
    same = by_ripgrep == by_python
    print(f"findings: {len(by_ripgrep)} with ripgrep, {len(by_python)} reading every file in "
          f"Python: {'identical' if same else 'DIFFERENT'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
