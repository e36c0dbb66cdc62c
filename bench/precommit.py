#!/usr/bin/env python3
"""The pre-commit hook on real repositories: one file of code edited, the hook's entry run on
it, as a developer's commit runs it (the cache filled by an earlier scan).

For each tree (a git repository; a copy is edited, never the tree itself), files of code are
picked at random (a fixed seed) in two groups: files that hold a finding of a full scan, and the
other files of code. Each picked file gets a comment line appended, then each build runs the
hook entry of ``.pre-commit-hooks.yaml`` on it in turn; the file is restored and git's index
refreshed (as the commit would) before the next. Prints the median and the slowest run of each
build per group, wall time and CPU of every process a run started.

    python bench/precommit.py --build old=/tmp/old/.venv/bin/python --build new=.venv/bin/python \\
        --tree arcanos=/tmp/ftscan-clones/pbjustin+Arcanos-f9c29767f1d5 [--files 10]

This is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paired import (  # noqa: E402
    Run,
    become_subreaper,
    describe_builds,
    ftscan_command,
    load,
    run_once,
)

REPO = Path(__file__).resolve().parent.parent
COMMENT = {".py": "#", ".js": "//", ".jsx": "//", ".mjs": "//", ".cjs": "//", ".ts": "//",
           ".tsx": "//", ".mts": "//", ".cts": "//"}


def hook_entry() -> list[str]:
    """The first hook's entry, as pre-commit runs it (its arguments after ``ftscan``)."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return str(hooks[0]["entry"]).split()[1:]


def copy_tree(tree: Path, into: Path) -> Path:
    """A copy of the repository whose index knows its files (the copy changed their stat)."""
    copy = into / tree.name
    shutil.copytree(tree, copy, symlinks=True)
    subprocess.run(["git", "-C", str(copy), "update-index", "-q", "--refresh"], check=False)
    return copy


def groups(copy: Path, python: str, env: dict[str, str], count: int,
           ) -> dict[str, list[str]]:
    """Files of code holding a finding of a full scan, and other files of code, ``count``
    of each at most."""
    out = copy.parent / "findings.json"
    subprocess.run([*ftscan_command(python), "scan", str(copy), "--no-cache", "--format", "json",
                    "--output", str(out), "--fail-on", "never", "--quiet"], env=env, check=True)
    with_findings = {f["path"] for f in json.loads(out.read_text())["findings"]}
    listed = subprocess.run(["git", "-C", str(copy), "ls-files", "-z"], capture_output=True,
                            check=True).stdout.decode("utf-8", "replace").split("\0")
    code = sorted(p for p in listed if os.path.splitext(p)[1] in COMMENT
                  and (copy / p).is_file() and not (copy / p).is_symlink())
    rng = random.Random(copy.name)
    holding = [p for p in code if p in with_findings]
    others = [p for p in code if p not in with_findings]
    return {"holds a finding": rng.sample(holding, min(count, len(holding))),
            "any other file of code": rng.sample(others, min(count, len(others)))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="append", required=True, help="NAME=PYTHON")
    parser.add_argument("--tree", action="append", required=True, help="NAME=PATH")
    parser.add_argument("--files", type=int, default=10, help="files per group")
    args = parser.parse_args()
    if not become_subreaper():
        print("warning: not a subreaper: CPU of processes a run leaves behind is missed",
              file=sys.stderr)
    builds = dict(b.split("=", 1) for b in args.build)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    entry = hook_entry()
    print(f"load at start: {load()}; {os.cpu_count()} cores; hook entry: ftscan {' '.join(entry)}; "
          f"{describe_builds(builds)}")
    print("| tree | edited file | files | " + " | ".join(
        f"{b} median | {b} CPU | {b} slowest" for b in builds) + " |")
    print("|---|---|---|" + "---|---|---|" * len(builds))
    for name, tree in (t.split("=", 1) for t in args.tree):
        with tempfile.TemporaryDirectory(prefix="ftscan-precommit-") as work:
            copy = copy_tree(Path(tree), Path(work))
            envs = {b: dict(env, FTSCAN_CACHE_DIR=f"{work}/cache-{b}") for b in builds}
            picked = groups(copy, next(iter(builds.values())), env, args.files)
            time.sleep(2.5)  # the copy's files have settled: the scan below is recorded
            fill(builds, copy, envs, work)
            for group, files in picked.items():
                runs: dict[str, list[Run]] = {b: [] for b in builds}
                for path in files:
                    target = copy / path
                    original = target.read_bytes()
                    mark = COMMENT[os.path.splitext(path)[1]]
                    target.write_bytes(original + f"\n{mark} reviewed\n".encode())
                    for build, python in builds.items():
                        command = [*ftscan_command(python), *entry, path]
                        runs[build].append(_in(copy, command, envs[build]))
                    target.write_bytes(original)
                    subprocess.run(["git", "-C", str(copy), "update-index", "-q", "--refresh"],
                                   check=False)
                    # a run on an edit can be recorded: the next edit starts from the tree
                    # as it was, as a developer's next commit does
                    time.sleep(2.5)
                    fill(builds, copy, envs, work)
                if not files:
                    continue
                cells = " | ".join(
                    f"{statistics.median(r.wall for r in rs):.2f} s | "
                    f"{statistics.median(r.cpu for r in rs):.2f} s | "
                    f"{max(r.wall for r in rs):.2f} s" for rs in runs.values())
                print(f"| {name} | {group} | {len(files)} | {cells} |", flush=True)
    print(f"load at end: {load()}")
    return 0


def fill(builds: dict[str, str], copy: Path, envs: dict[str, dict[str, str]], work: str,
         ) -> None:
    """Each build scans the tree with its cache: what an earlier scan leaves. Every process
    such a scan starts is waited for here: one left running would be counted in (and compete
    with) the next timed run."""
    for build, python in builds.items():
        run_once([*ftscan_command(python), "scan", str(copy), "--fail-on", "never", "--quiet",
                  "--format", "json", "--output", f"{work}/{build}.json"], envs[build])


def _in(folder: Path, command: list[str], env: dict[str, str]) -> Run:
    """``command`` run in ``folder`` (pre-commit runs hooks at the repository's root)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        return run_once(command, env)
    finally:
        os.chdir(here)


if __name__ == "__main__":
    sys.exit(main())
