#!/usr/bin/env python3
"""Benchmark ftscan on a large JavaScript tree: a real app's ``node_modules`` (Next.js, React,
openai-node, the AI SDK, LangChain.js, Express, TypeScript, zod) installed from the npm
registry, plus a small app of our own that uses fine-tuned models by name.

The tree is scanned as a user scans a checkout that has its dependencies installed and asks
for everything (``--no-ignore --no-default-excludes``), with and without alias resolution, and
the planted uses are checked. What it shows: a file without any candidate or bound name is
never parsed by tree-sitter, so following names costs little more than finding ids.

    python bench/jsbench.py [--tree DIR] [--runs N] [--rebuild]

Needs ``npm`` and the registry (``npm install --ignore-scripts``: no package script runs).
A script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PACKAGE = {
    "name": "jsbench-app", "private": True,
    "dependencies": {
        "next": "15.0.3", "react": "18.3.1", "react-dom": "18.3.1", "openai": "4.73.0",
        "ai": "4.0.0", "@ai-sdk/openai": "1.0.0", "@langchain/openai": "0.3.14",
        "express": "4.21.1", "typescript": "5.6.3", "zod": "3.23.8",
    },
}
FT = "ft:gpt-4o-mini-2024-07-18:bench-org:support:Js000001"
APP = {
    ".env": f"SUPPORT_MODEL={FT}\n",
    "lib/models.ts": 'export const SUPPORT = process.env.SUPPORT_MODEL ?? "gpt-4o-mini";\n',
    "app/api/chat/route.ts": (
        'import OpenAI from "openai";\nimport { SUPPORT } from "../../../lib/models";\n'
        "const openai = new OpenAI();\nexport async function POST(req: Request) {\n"
        "  const { messages } = await req.json();\n"
        "  return openai.chat.completions.create({ model: SUPPORT, messages });\n}\n"),
}
EXPECTED_USES = {("lib/models.ts", 1), ("app/api/chat/route.ts", 6)}


def build(tree: Path, rebuild: bool) -> None:
    if rebuild and tree.exists():
        shutil.rmtree(tree)
    if not (tree / "node_modules").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        (tree / "package.json").write_text(json.dumps(PACKAGE, indent=2))
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=tree, check=True, capture_output=True)
    for rel, text in APP.items():
        path = tree / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def timed(command: list[str], runs: int) -> tuple[float, dict]:
    times, report = [], {}
    for _ in range(runs):
        started = time.monotonic()
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.monotonic() - started)
        report = json.loads(proc.stdout)
    return statistics.median(times), report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=Path("/tmp/ftscan-jsbench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    build(args.tree, args.rebuild)
    files = sum(1 for p in args.tree.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in args.tree.rglob("*") if p.is_file())
    print(f"tree: {args.tree} ({files:,} files, {size / 1e6:.0f} MB)")
    base = [sys.executable, "-m", "ftscan", "scan", str(args.tree), "--format", "json",
            "--no-cache", "--fail-on", "never", "--no-ignore", "--no-default-excludes"]
    plain, _ = timed([*base, "--no-aliases"], args.runs)
    full, report = timed(base, args.runs)
    summary = report["summary"]
    uses = {(f["path"], f["startLine"]) for f in report["findings"] if f["role"] == "use"}
    print(f"ftscan --no-aliases: {plain:.2f}s; full scan: {full:.2f}s = {full / plain:.2f}x")
    print(f"modules followed: {summary['modulesFollowed']}; files with candidates: "
          f"{summary['filesWithCandidates']}; resolver steps: {summary['resolverSteps']}")
    missed = EXPECTED_USES - uses
    print(f"planted uses found: {len(EXPECTED_USES) - len(missed)}/{len(EXPECTED_USES)}"
          + (f" (missed {sorted(missed)})" if missed else ""))
    others = sorted(uses - EXPECTED_USES)
    if others:
        print(f"other uses ({len(others)}): {others[:10]}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
