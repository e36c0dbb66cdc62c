"""Cross-check the training findings on the real-world set against a plain text search.

For every repository tagged ``training``: the job-creation sites and training-data files ftscan
reports, and what a grep for job-creation calls and a listing of ``*.jsonl`` files would add.
Each line grep finds that ftscan does not report is either a miss or a look-alike (a wrapper
function named after the SDK method, a comment naming a script); read them to tell which.

    python bench/realworld/audit_training.py [--trees /tmp/ftscan-clones]

Run ``bench/realworld/run.py --tag training`` first: it materialises the trees.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).parent
CALLS = re.compile(
    r"fine_tuning\.jobs\.create|fineTuning\.jobs\.create|FineTuningJob\.create|FineTune\.create"
    r"|createFineTune\(|/v1/fine_tuning/jobs|/v1/fine-tunes|fine_tunes\.create"
    r"|create_model_customization_job|sft\.train|create_tuned_model|jobs\.create\(")
VENDORED = re.compile(r"(node_modules|site-packages|/venv/|/\.venv/|/lib/python|/dist/|\.min\.js)")
PROSE = {".md", ".jsonl", ".json", ".txt", ".log", ".csv"}


def grep_sites(tree: Path) -> set[tuple[str, int]]:
    found = set()
    for path in tree.rglob("*"):
        rel = path.relative_to(tree).as_posix()
        if not path.is_file() or VENDORED.search("/" + rel) or path.suffix in PROSE:
            continue
        if path.stat().st_size > 3_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update((rel, n) for n, line in enumerate(text.splitlines(), 1) if CALLS.search(line))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=Path, default=HERE / "repos.yaml")
    parser.add_argument("--trees", type=Path, default=Path("/tmp/ftscan-clones"))
    args = parser.parse_args()
    repos = yaml.safe_load(args.repos.read_text(encoding="utf-8"))["repositories"]
    print("| repository | sites | commented out | data files | other .jsonl | grep lines not "
          "reported |")
    print("|---|---:|---:|---:|---|---|")
    for repo in repos:
        if "training" not in repo.get("tags", ()):
            continue
        tree = next(args.trees.glob(repo["repo"].replace("/", "+") + "-*"), None)
        if tree is None:
            print(f"| {repo['repo']} | not materialised | | | | |")
            continue
        command = [sys.executable, "-m", "ftscan", "scan", str(tree), "--format", "json",
                   "--fail-on", "never", "--no-cache"]
        report = json.loads(subprocess.run(command, capture_output=True, text=True,
                                           check=True).stdout)
        findings = report["findings"]
        sites = {(f["path"], f["startLine"]) for f in findings if f["role"] == "training"}
        mentions = {(f["path"], f["startLine"]) for f in findings
                    if f["role"] == "mention" and f["ruleId"].startswith("FT2")}
        data = {f["path"] for f in findings if f["role"] == "training-data"}
        jsonl = {p.relative_to(tree).as_posix() for p in tree.rglob("*.jsonl")
                 if not VENDORED.search("/" + p.relative_to(tree).as_posix())}
        unreported = sorted(grep_sites(tree) - sites - mentions)
        print(f"| {repo['repo']} | {len(sites)} | {len(mentions)} | {len(data)} | "
              f"{', '.join(sorted(jsonl - data)) or '—'} | "
              f"{', '.join(f'{p}:{n}' for p, n in unreported) or '—'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
