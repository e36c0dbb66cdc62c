#!/usr/bin/env python3
"""Scan public repositories that use fine-tuned models, and print how ftscan does on each.

The repositories are listed in ``repos.yaml`` beside this script, each pinned to a commit with
the reason it is in the set. Each is read from a bare git snapshot (``$FTSCAN_MIRRORS``,
default ``/work/.mirror``, one ``owner+name/repo`` git directory per repository, as the
session's ``fetch`` tool leaves them), materialised once into ``--trees`` by plain git object
reads (no checkout: no hook, filter or config of the snapshot runs; blobs the snapshot lacks
are skipped), then scanned by ftscan in a subprocess with a time limit, twice: with alias
resolution and with ``--no-aliases``; as git would list the checkout (every file of the tree
is tracked, so ``.gitignore`` keeps none out: see :func:`checkout_config`). The table gives
per repository: files, both times and their ratio, definitions, uses (of which set outside
the repository), training sites, unresolved counts, resolver steps; and checks each
repository's expectations (``expect:`` in ``repos.yaml``: at least so many uses, no findings
at all, ...).

    python bench/realworld/run.py [--only NAME ...] [--timeout S] [--runs N] [--json OUT]

CI cannot download the repositories, so this is a benchmark, not a test. Exit status 1 when a
scan times out or fails, an expectation does not hold, or a repository takes more than 3x its
``--no-aliases`` time (with a floor of half a second, below which start-up dominates).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sites import Labelled, Score, load_all, score, tables  # noqa: E402

HERE = Path(__file__).resolve().parent
RATIO_LIMIT = 3.0
RATIO_FLOOR_SECONDS = 0.5


@dataclass
class Repo:
    name: str
    commit: str
    why: str
    tags: tuple[str, ...] = ()
    expect: dict[str, int] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.name.replace("/", "+")


@dataclass
class Outcome:
    repo: Repo
    files: int = 0
    seconds: float = 0.0
    seconds_plain: float = 0.0
    definitions: int = 0
    uses: int = 0
    outside: int = 0
    training: int = 0
    unresolved: dict[str, int] = field(default_factory=dict)
    steps: int = 0
    problems: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    """The JSON report of the scan with aliases."""

    @property
    def ratio(self) -> float:
        return self.seconds / self.seconds_plain if self.seconds_plain else 0.0


def load(path: Path, labelled: list[Labelled] | None = None) -> list[Repo]:
    """The repositories of ``repos.yaml``, then those only the site table names."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    repos = [Repo(item["repo"], item["commit"], item["why"], tuple(item.get("tags", ())),
                  dict(item.get("expect", {}))) for item in data["repositories"]]
    known = {(r.name, r.commit) for r in repos}
    repos.extend(Repo(item.repo, item.commit, item.why, (*item.tags, "labelled"))
                 for item in labelled or () if (item.repo, item.commit) not in known)
    return repos


def git(git_dir: Path, *args: str, data: bytes | None = None) -> bytes:
    """git on a bare snapshot, with nothing of the snapshot's own configuration run."""
    command = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
               f"--git-dir={git_dir}", *args]
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0"}
    return subprocess.run(command, input=data, capture_output=True, check=True,
                          env=env).stdout


def materialise(repo: Repo, mirrors: Path, trees: Path) -> Path:
    """The repository's tree at its commit, written once by reading git objects, and made a
    git repository of one commit holding every file: scanned as a clone is, where a file the
    project's .gitignore lists but that was committed anyway is still read."""
    target = trees / f"{repo.slug}-{repo.commit[:12]}"
    done = target / ".ftscan-bench-complete"
    if (target / ".git" / "ftscan-bench-complete").exists():
        return target
    if done.exists():
        return as_clone(target, done)
    git_dir = mirrors / repo.slug / "repo"
    if not git_dir.is_dir():
        raise FileNotFoundError(f"no snapshot of {repo.name} at {git_dir} (fetch it first)")
    listing = git(git_dir, "ls-tree", "-r", "-z", "--full-tree", repo.commit)
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode in (b"100644", b"100755"):
            entries.append((path.decode("utf-8", "surrogateescape"), sha.decode()))
    # one cat-file process for every blob; a missing one (over the snapshot's size limit)
    # answers "missing" and is skipped
    answers = git(git_dir, "cat-file", "--batch", data="\n".join(s for _, s in entries)
                  .encode() + b"\n")
    offset = 0
    for path, _sha in entries:
        end = answers.index(b"\n", offset)
        header = answers[offset:end].split()
        offset = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        content = answers[offset:offset + size]
        offset += size + 1
        destination = target / path
        if ".." in Path(path).parts or Path(path).is_absolute():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
    done.write_text(repo.commit)
    return as_clone(target, done)


def as_clone(target: Path, done: Path) -> Path:
    """Commit the written tree (every file, ignored or not) in a fresh repository; the marker
    of a complete tree moves into .git, out of what is scanned."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(target / ".git"),
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@b",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@b"}
    commit = done.read_text().strip()
    done.unlink()
    for args in (["init", "-q"], ["add", "-A", "-f"],
                 ["commit", "-q", "--no-verify", "-m", f"tree at {commit}"]):
        subprocess.run(["git", "-c", "core.hooksPath=/dev/null", *args], cwd=target, env=env,
                       check=True, capture_output=True)
    (target / ".git" / "ftscan-bench-complete").write_text(commit)
    return target


FORCED_ENGINE = ("import sys, ftscan.pipeline.aliases, ftscan.pipeline.firstpass, ftscan.cli; "
                 "ftscan.pipeline.aliases.SEARCH_MIN_FILES = 0; "
                 "ftscan.pipeline.firstpass.SEARCH_MIN_FILES = 0; "
                 "sys.argv[0] = 'ftscan'; ftscan.cli.run()")
"""ftscan with the search engine asked however few the files (it is skipped below 200)."""


def checkout_config(folder: Path) -> Path:
    """A config file that makes a scan of a materialised tree read what a scan of the git
    checkout reads: every file of the tree is tracked (it was written from the commit's git
    objects), and git lists a tracked file whatever ``.gitignore`` says, so the tree is
    scanned with ``--no-ignore``; that drops the default excludes too, so they are listed
    here (a notebook committed despite ``*.ipynb`` in ``.gitignore`` is read, ``vendor/`` is
    still not)."""
    from ftscan.discovery import DEFAULT_EXCLUDED_DIRS, DEFAULT_EXCLUDED_SUFFIXES

    patterns = [f"{d}/" for d in sorted(DEFAULT_EXCLUDED_DIRS)]
    patterns += [f"*{s}" for s in DEFAULT_EXCLUDED_SUFFIXES]
    path = folder / "ftscan-bench-checkout.toml"
    path.write_text("exclude = [" + ", ".join(json.dumps(p) for p in patterns) + "]\n")
    return path


CHECKOUT_CONFIG: list[str] = []
"""``--no-ignore --config <checkout config>``, set by :func:`main`."""


def scan(tree: Path, extra: list[str], timeout: float, forced: bool = False,
         ) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    program = ["-c", FORCED_ENGINE] if forced else ["-m", "ftscan"]
    proc = subprocess.run(
        [sys.executable, *program, "scan", str(tree), "--format", "json", "--no-cache",
         "--fail-on", "never", *CHECKOUT_CONFIG, *extra],
        capture_output=True, text=True, timeout=timeout, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip()[:300]}")
    return elapsed, json.loads(proc.stdout)


def measure(repo: Repo, tree: Path, timeout: float, runs: int, engines: bool = False,
            plain_runs: bool = True) -> Outcome:
    """Scan ``tree`` ``runs`` times with and without aliases; with ``engines``, also check
    that ripgrep (asked for every file set) and pure Python give the same report."""
    outcome = Outcome(repo)
    full, plain = [], []
    report: dict[str, Any] = {}
    try:
        for _ in range(runs):
            seconds, report = scan(tree, [], timeout)
            full.append(seconds)
            if plain_runs:
                plain.append(scan(tree, ["--no-aliases"], timeout)[0])
        if engines:
            _, by_python = scan(tree, ["--search", "python"], timeout)
            _, by_ripgrep = scan(tree, ["--search", "ripgrep"], timeout, forced=True)
            for key in ("findings", "diagnostics"):
                if by_python[key] != by_ripgrep[key]:
                    outcome.problems.append(f"{key} differ between --search python and "
                                            "ripgrep")
    except subprocess.TimeoutExpired:
        outcome.problems.append(f"timed out after {timeout:.0f} s")
        return outcome
    except (RuntimeError, json.JSONDecodeError) as exc:
        outcome.problems.append(f"failed: {exc}")
        return outcome
    outcome.seconds = statistics.median(full)
    outcome.seconds_plain = statistics.median(plain) if plain else 0.0
    outcome.report = report
    summary = report["summary"]
    findings = report["findings"]
    outcome.files = summary["filesConsidered"]
    outcome.definitions = sum(1 for f in findings if f["role"] in ("definition", "dynamic"))
    outcome.uses = sum(1 for f in findings if f["role"] == "use")
    outcome.outside = sum(1 for f in findings if f.get("outside"))
    outcome.training = sum(1 for f in findings if f["role"] in ("training", "training-data"))
    outcome.unresolved = {k: v for k, v in summary.get("unresolved", {}).items() if v}
    outcome.steps = summary.get("resolverSteps", 0)
    counts = {"definitions": outcome.definitions, "uses": outcome.uses,
              "outside": outcome.outside, "training": outcome.training,
              "findings": len(findings)}
    for key, wanted in repo.expect.items():
        name, _, bound = key.rpartition("_")
        got = counts.get(name)
        if got is None or bound not in ("min", "max"):
            outcome.problems.append(f"unknown expectation {key}")
        elif bound == "min" and got < wanted or bound == "max" and got > wanted:
            outcome.problems.append(f"{name}: {got}, expected {bound} {wanted}")
    if plain and outcome.seconds > RATIO_FLOOR_SECONDS and outcome.ratio > RATIO_LIMIT:
        outcome.problems.append(f"{outcome.ratio:.1f}x the --no-aliases time")
    return outcome


def table(outcomes: list[Outcome]) -> str:
    lines = ["| repository | files | s | s no-aliases | ratio | defs | uses | outside | "
             "training | unresolved | steps | check |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for o in outcomes:
        unresolved = ", ".join(f"{k} {v}" for k, v in sorted(o.unresolved.items())) or "—"
        check = "ok" if not o.problems else "; ".join(o.problems)
        lines.append(f"| {o.repo.name} | {o.files} | {o.seconds:.2f} | {o.seconds_plain:.2f} | "
                     f"{o.ratio:.2f} | {o.definitions} | {o.uses} | {o.outside} | "
                     f"{o.training} | {unresolved} | {o.steps} | {check} |")
    total = sum(o.seconds for o in outcomes)
    plain = sum(o.seconds_plain for o in outcomes)
    lines.append(f"| **all {len(outcomes)}** | {sum(o.files for o in outcomes)} | {total:.2f} | "
                 f"{plain:.2f} | {total / plain if plain else 0:.2f} | "
                 f"{sum(o.definitions for o in outcomes)} | {sum(o.uses for o in outcomes)} | "
                 f"{sum(o.outside for o in outcomes)} | {sum(o.training for o in outcomes)} | | "
                 f"{sum(o.steps for o in outcomes)} | "
                 f"{sum(1 for o in outcomes if not o.problems)}/{len(outcomes)} ok |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=Path, default=HERE / "repos.yaml")
    parser.add_argument("--mirrors", type=Path,
                        default=Path(os.environ.get("FTSCAN_MIRRORS", "/work/.mirror")))
    parser.add_argument("--trees", type=Path, default=Path("/tmp/ftscan-clones"))
    parser.add_argument("--only", nargs="*", default=None, help="repositories to run")
    parser.add_argument("--tag", default=None, help="only repositories with this tag")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--runs", type=int, default=1, help="runs per scan (median)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--engines", action="store_true",
                        help="also compare --search python with ripgrep (same findings)")
    parser.add_argument("--sites", type=Path, default=HERE / "sites",
                        help="the labelled site table (one YAML file per repository)")
    parser.add_argument("--labelled", action="store_true",
                        help="only the repositories of the site table")
    parser.add_argument("--no-plain", action="store_true",
                        help="skip the --no-aliases runs (and the 3x check)")
    parser.add_argument("--sites-out", type=Path, default=None,
                        help="also write the site tables (Markdown) to this file")
    args = parser.parse_args(argv)
    labelled = {(item.repo, item.commit): item for item in load_all(args.sites)}
    repos = load(args.repos, list(labelled.values()))
    if args.labelled:
        repos = [r for r in repos if (r.name, r.commit) in labelled]
    if args.only:
        repos = [r for r in repos if r.name in args.only or r.slug in args.only]
    if args.tag:
        repos = [r for r in repos if args.tag in r.tags]
    outcomes = []
    scratch = tempfile.TemporaryDirectory(prefix="ftscan-bench-")
    CHECKOUT_CONFIG[:] = ["--no-ignore", "--config", str(checkout_config(Path(scratch.name)))]
    for repo in repos:
        try:
            tree = materialise(repo, args.mirrors, args.trees)
        except (FileNotFoundError, subprocess.CalledProcessError) as exc:
            outcome = Outcome(repo, problems=[f"not materialised: {exc}"])
        else:
            outcome = measure(repo, tree, args.timeout, args.runs, args.engines,
                              plain_runs=not args.no_plain)
        outcomes.append(outcome)
        print(f"{repo.name}: {outcome.seconds:.2f} s, {outcome.uses} uses"
              + (f" ({'; '.join(outcome.problems)})" if outcome.problems else ""),
              file=sys.stderr)
    print(table(outcomes))
    scores: list[Score] = []
    for outcome in outcomes:
        item = labelled.get((outcome.repo.name, outcome.repo.commit))
        if item is not None and outcome.report:
            scores.append(score(item, outcome.report))
    if scores:
        site_tables = tables(scores)
        print()
        print(site_tables)
        if args.sites_out is not None:
            args.sites_out.write_text(site_tables + "\n", encoding="utf-8")
    if args.json is not None:
        args.json.write_text(json.dumps([{
            "repo": o.repo.name, "commit": o.repo.commit, "files": o.files,
            "seconds": o.seconds, "secondsNoAliases": o.seconds_plain,
            "definitions": o.definitions, "uses": o.uses, "outside": o.outside,
            "training": o.training, "unresolved": o.unresolved, "steps": o.steps,
            "problems": o.problems} for o in outcomes], indent=2) + "\n")
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
