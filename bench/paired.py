#!/usr/bin/env python3
"""Two (or more) ftscan builds on the same trees, run in turn: cold (``--no-cache``) and warm
(the build's own cache, filled once, nothing changed) scans, each build's run followed by the
other's and by ripgrep's, median of N; wall time, CPU and peak memory of each.

    python bench/paired.py --build old=/tmp/old/.venv/bin/python --build new=.venv/bin/python \\
        --tree literal-js=/tmp/ftscan-shapes/literal-js --tree ... [--runs 5] [--warm] \\
        [--all-files] [--json OUT]

CPU counts every process a run started, those it left behind too: this process becomes the
subreaper of its children (Linux), so a helper process a scan does not wait for (the one that
parses Python, a worker of a pool) is reaped here and counted; ``os.wait4`` on the scan alone
misses them, and on a loaded machine their CPU is most of a run. Peak memory is the largest
resident set of any one of those processes. On a shared machine the load changes from minute
to minute: only runs made in turn compare, and the load is printed with the table.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

FT001 = r"ft:[a-z0-9][a-z0-9.-]*:[A-Za-z0-9_-]*:[A-Za-z0-9_-]*:[A-Za-z0-9]+"
_PR_SET_CHILD_SUBREAPER = 36


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float


def become_subreaper() -> bool:
    """Orphaned descendants of our children are reparented to this process (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def run_once(command: list[str], env: dict[str, str]) -> Run:
    """One run: wall time until the command exits; CPU and peak memory of it and of every
    descendant, reaped once they exit."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    while True:  # what the command left behind
        try:
            _, _, left = os.wait4(-1, 0)
        except ChildProcessError:
            break
        cpu += left.ru_utime + left.ru_stime
        peak = max(peak, left.ru_maxrss)
    code = os.waitstatus_to_exitcode(status)
    assert process.stderr is not None
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    process.returncode = code
    if code not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({code}):\n{errors[:2000]}")
    return Run(wall, cpu, peak / 1024)


def ftscan_command(python: str) -> list[str]:
    """How a build's ftscan is started: its console script when it has one (what users and
    pre-commit run), else ``python -I -m ftscan``. Never a bare ``python -m ftscan``: that
    puts the working directory first on the import path, and run from a checkout of ftscan
    it imports the checkout's code, not the build's (every build would then be the same)."""
    python = os.path.abspath(python)  # (not resolved: a venv's python is a link out of it)
    script = Path(python).with_name("ftscan")
    return [str(script)] if script.is_file() else [python, "-I", "-m", "ftscan"]


def describe_builds(builds: dict[str, str]) -> str:
    """Where each build's ftscan is imported from, as its runs will import it."""
    places = []
    for build, python in builds.items():
        where = subprocess.run([python, "-I", "-c", "import ftscan; print(ftscan.__file__)"],
                               capture_output=True, text=True, check=True).stdout.strip()
        places.append(f"{build}: {Path(where).parent}")
    return "; ".join(places)


def median_run(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               max(r.peak_mb for r in runs))


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="append", required=True,
                        help="NAME=PYTHON: a build's interpreter (ftscan importable)")
    parser.add_argument("--tree", action="append", required=True, help="NAME=PATH")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm", action="store_true", help="also warm runs")
    parser.add_argument("--all-files", action="store_true",
                        help="--no-default-excludes (and ripgrep -uu): every file read")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not become_subreaper():
        print("warning: not a subreaper: CPU of processes a run leaves behind is missed",
              file=sys.stderr)
    builds = dict(b.split("=", 1) for b in args.build)
    trees = dict(t.split("=", 1) for t in args.tree)
    beside = Path(sys.executable).with_name("rg")  # the ripgrep wheel of this venv
    rg = str(beside) if beside.is_file() else shutil.which("rg")
    work = Path(tempfile.mkdtemp(prefix="ftscan-paired-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    extra = ["--no-default-excludes"] if args.all_files else []
    results: dict[str, dict[str, dict[str, Run]]] = {}
    print(f"load at start: {load()}; {os.cpu_count()} cores; median of {args.runs}; "
          f"{describe_builds(builds)}")
    header = "| tree | run | " + " | ".join(f"{b} wall | {b} CPU | {b} peak" for b in builds)
    print(header + " | ripgrep |")
    print("|---|---|" + "---|---|---|" * len(builds) + "---|")
    for tree_name, tree in trees.items():
        results[tree_name] = {}
        commands = {}
        for build, python in builds.items():
            command = [*ftscan_command(python), "scan", tree, "--format", "json", "--output",
                       str(work / f"{build}.json"), "--fail-on", "never", "--quiet", *extra]
            commands[build] = command
            run_once([*command, "--no-cache"], env)  # bytecode written, files in the page cache
        rg_command = [rg, "-c", FT001, tree, *(["-uu"] if args.all_files else [])] if rg else None
        kinds = ["cold", "warm"] if args.warm else ["cold"]
        for kind in kinds:
            envs = {}
            for build in builds:
                envs[build] = dict(env, FTSCAN_CACHE_DIR=str(work / f"cache-{build}-{tree_name}"))
                if kind == "warm":
                    run_once(commands[build], envs[build])
            samples: dict[str, list[Run]] = {b: [] for b in builds}
            samples["ripgrep"] = []
            for _ in range(args.runs):
                for build in builds:
                    command = [*commands[build], *(["--no-cache"] if kind == "cold" else [])]
                    samples[build].append(run_once(command, envs[build]))
                if rg_command:
                    samples["ripgrep"].append(run_once(rg_command, env))
            medians = {k: median_run(v) for k, v in samples.items() if v}
            results[tree_name][kind] = medians
            cells = " | ".join(f"{m.wall:.2f} s | {m.cpu:.2f} s | {m.peak_mb:.0f} MB"
                               for b, m in medians.items() if b != "ripgrep")
            rg_cell = f"{medians['ripgrep'].wall:.2f} s" if "ripgrep" in medians else ""
            print(f"| {tree_name} | {kind} | {cells} | {rg_cell} |", flush=True)
    print(f"load at end: {load()}")
    if args.json is not None:
        args.json.write_text(json.dumps(
            {t: {k: {b: asdict(r) for b, r in runs.items()} for k, runs in kinds.items()}
             for t, kinds in results.items()}, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
