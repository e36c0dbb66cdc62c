#!/usr/bin/env python3
"""``ftscan scan --history`` against ``git log -p | rg`` on the same clones: time, blobs read
and the OpenAI fine-tuned ids (FT001) each finds in the history of HEAD's branch (with
``--branches all``, of every branch: ``git log -p --branches --remotes``).

    python bench/history.py MIRROR [MIRROR ...] [--table out.md] [--aggregate NAME]
                            [--branches default|all]

Each MIRROR is a git repository (a bare one is fine): it is cloned with ``git clone
--no-checkout --no-hardlinks`` (hooks off) into a temporary folder, so the tree holds no file
and every id is one of the history's. ftscan runs twice, with an empty cache and then with the
one the first run left (blobs read: the second reads none). Its history-only ids are those no
finding of HEAD's branch was last seen at in ``HEAD`` (asked of a third run, from the cache,
when every branch is read): the ids the tree still holds would be reported as today, not as
history. ripgrep's pattern is FT001's
without its look-arounds (ripgrep's default engine has none), so it may count a few ids
FT001 would not; it reads the log with ``--text`` (else it stops at the first NUL byte of a
binary file's lines). With ``--aggregate NAME`` the repositories are also added up into a last row.
A script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ftscan.api import scan
from ftscan.result import HistoryRange, ScanOptions, ScanResult

RG_FT001 = (r"ft:[a-z0-9][a-z0-9._-]{0,63}?:[A-Za-z0-9_-]{0,64}:[A-Za-z0-9._-]{0,64}:"
            r"[A-Za-z0-9]{8}(?::ckpt-step-\d{1,9})?")


@dataclass
class Row:
    name: str
    repositories: int = 0
    commits: int = 0
    blobs: int = 0
    cold_seconds: float = 0.0
    cold_read: int = 0
    warm_seconds: float = 0.0
    warm_read: int = 0
    findings: int = 0
    history_only: set[str] = field(default_factory=set)
    """Ids (of any rule) ``HEAD`` does not hold: those ``scan --history`` adds to a scan of
    it."""
    ftscan_ids: set[str] = field(default_factory=set)
    log_seconds: float = 0.0
    log_bytes: int = 0
    rg_ids: set[str] = field(default_factory=set)
    absent: int = 0
    """Paths whose blobs the snapshot lacks, left out of ``git log -p``."""

    def add(self, other: Row) -> None:
        for name in ("repositories", "commits", "blobs", "cold_seconds", "cold_read",
                     "warm_seconds", "warm_read", "findings", "log_seconds", "log_bytes",
                     "absent"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.history_only |= {f"{other.name}\0{i}" for i in other.history_only}
        self.ftscan_ids |= {f"{other.name}\0{i}" for i in other.ftscan_ids}
        self.rg_ids |= {f"{other.name}\0{i}" for i in other.rg_ids}


def clone(mirror: Path, into: Path) -> Path:
    target = into / "clone"
    subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "clone", "--quiet",
                    "--no-checkout", "--no-hardlinks", str(mirror), str(target)], check=True,
                   stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return target


def absent_paths(repo: Path, tips: list[str]) -> set[str]:
    """The paths of the blobs the repository lacks (a snapshot without its largest files):
    ``git log -p`` stops at the first it meets, so the baseline leaves them out, as ftscan
    does (it counts them as skipped, ``missing``)."""
    listed = subprocess.run(["git", "-C", str(repo), "rev-list", "--objects",
                             "--missing=print", *tips], capture_output=True, check=True)
    missing = {line[1:] for line in listed.stdout.decode().splitlines()
               if line.startswith("?")}
    if not missing:
        return set()
    raw = subprocess.run(["git", "-C", str(repo), "log", "--raw", "--no-abbrev", "--format=",
                          "--no-renames", *tips], capture_output=True, check=True)
    paths = set()
    for line in raw.stdout.decode("utf-8", "replace").splitlines():
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if len(fields) >= 4 and (fields[2] in missing or fields[3] in missing):
            paths.add(path)
    return paths


def measure(mirror: Path, name: str, branches: str) -> Row:
    row = Row(name, repositories=1)
    tips = ["HEAD"] if branches == "default" else ["--branches", "--remotes"]
    with tempfile.TemporaryDirectory(prefix="ftscan-history-") as temp:
        repo = clone(mirror, Path(temp))
        cache = Path(temp) / "cache"

        def history(wanted: str) -> ScanResult:
            return scan(ScanOptions(paths=(repo,), history=HistoryRange(branches=wanted),
                                    cache_dir=cache, as_of=None))

        for attempt in ("cold", "warm"):
            started = time.monotonic()
            result = history(branches)
            seconds = time.monotonic() - started
            summary = result.summary.history
            assert summary is not None
            setattr(row, f"{attempt}_seconds", seconds)
            setattr(row, f"{attempt}_read", summary.blobs_read)
            row.commits, row.blobs = summary.commits, summary.blobs
            row.findings = len(result.history)
            row.ftscan_ids = {f.model_id for f in (*result.findings, *result.history)
                              if f.rule_id == "FT001"}
        tip = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"],
                             capture_output=True, check=True, text=True).stdout.strip()
        head = result if branches == "default" else history("default")
        row.history_only = {f.model_id for f in result.history} - {
            f.model_id for f in head.history
            if f.history is not None and f.history.last.sha == tip}
        started = time.monotonic()
        found = Path(temp) / "rg.out"
        with found.open("wb") as out:
            absent = absent_paths(repo, tips)
            row.absent = len(absent)
            log = subprocess.Popen(["git", "-C", str(repo), "log", "-p", "--no-textconv",
                                    "--no-ext-diff", *tips, "--", ".",
                                    *(f":(exclude,literal){p}" for p in sorted(absent))],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            rg = subprocess.Popen(["rg", "--text", "-o", "--no-filename", RG_FT001],
                                  stdin=subprocess.PIPE, stdout=out)
            assert log.stdout is not None and rg.stdin is not None
            for chunk in iter(lambda: log.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
                row.log_bytes += len(chunk)
                rg.stdin.write(chunk)
            rg.stdin.close()
            rg.wait()
            log.wait()
        row.log_seconds = time.monotonic() - started
        row.rg_ids = set(found.read_text(encoding="utf-8", errors="replace").splitlines())
    return row


def table(rows: list[Row]) -> str:
    lines = [
        "| repository | commits | blobs | ftscan cold: s, blobs read | warm: s, blobs read "
        "| findings (id, path) | history-only ids | FT001 ids: ftscan / rg (both) "
        "| git log -p \\| rg: s, MB | absent paths |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        both = len(r.ftscan_ids & r.rg_ids)
        lines.append(
            f"| {r.name}{f' ({r.repositories})' if r.repositories > 1 else ''} | "
            f"{r.commits:,} | {r.blobs:,} | {r.cold_seconds:.1f}, {r.cold_read:,} | "
            f"{r.warm_seconds:.1f}, {r.warm_read:,} | {r.findings:,} | "
            f"{len(r.history_only):,} | "
            f"{len(r.ftscan_ids)} / {len(r.rg_ids)} ({both}) | "
            f"{r.log_seconds:.1f}, {r.log_bytes / 1e6:,.0f} | {r.absent} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mirrors", nargs="+", type=Path)
    parser.add_argument("--table", type=Path)
    parser.add_argument("--aggregate")
    parser.add_argument("--branches", choices=("default", "all"), default="default")
    args = parser.parse_args()
    rows = []
    total = Row(args.aggregate or "all")
    for mirror in args.mirrors:
        name = mirror.parent.name if mirror.name == "repo" else mirror.name
        try:
            row = measure(mirror, name, args.branches)
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        print(table([row]).splitlines()[-1], file=sys.stderr, flush=True)
        extra, missed = row.ftscan_ids - row.rg_ids, row.rg_ids - row.ftscan_ids
        if extra or missed:
            print(f"  {name}: only ftscan {sorted(extra)[:5]}, only rg {sorted(missed)[:5]}",
                  file=sys.stderr)
        rows.append(row)
        total.add(row)
    report = table([*rows, total] if args.aggregate else rows)
    if args.table is not None:
        args.table.write_text(report, encoding="utf-8")
    print(report, end="")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C")
    sys.exit(main())
