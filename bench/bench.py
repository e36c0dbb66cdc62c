#!/usr/bin/env python3
"""Benchmark ftscan on a large tree of real code no one here wrote, with planted model ids.

Builds (once) a copy of this Python installation's standard library and site-packages, plants
fine-tuned model ids in known files, then times ``ftscan scan TREE --format sarif`` (median of
several runs, warm file cache) and checks that every planted id is found and nothing else is.
If ripgrep is installed it is timed on the same tree for comparison.

    python bench/bench.py [--tree DIR] [--runs N] [--rebuild]

This is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

PLANTED_BASE = "ft:gpt-4o-mini-2024-07-18:bench-org:plant-{n}:Pl{n:06d}"
RG_PATTERN = r"ft:[a-z0-9][a-z0-9.-]*:[A-Za-z0-9_-]*:[A-Za-z0-9_-]*:[A-Za-z0-9]+"


def build_tree(tree: Path) -> list[tuple[str, str]]:
    """Copy the stdlib and site-packages into ``tree`` and plant ids; returns (path, id)."""
    sources = [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    for source in sources:
        shutil.copytree(source, tree / source.name, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    python_files = sorted(p for p in tree.rglob("*.py") if p.is_file() and not p.is_symlink())
    planted: list[tuple[str, str]] = []
    step = max(1, len(python_files) // 24)
    for n, path in enumerate(python_files[::step][:24]):
        model = PLANTED_BASE.format(n=n)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f'\nFTSCAN_BENCH_MODEL_{n} = "{model}"\n')
        planted.append((path.relative_to(tree).as_posix(), model))
    extra = tree / "planted-service"
    extra.mkdir()
    for n, (name, text) in enumerate(
        [(".env", "RANKER_MODEL={m}\n"), ("values.yaml", "llm:\n  ranker: {m}\n"),
         ("main.tf", 'variable "m" {{\n  default = "{m}"\n}}\n'),
         ("config.json", '{{"model": "{m}"}}\n'),
         ("app.py", 'import os\nMODEL = os.getenv("RANKER_MODEL", "{m}")\n')],
        start=100,
    ):
        model = PLANTED_BASE.format(n=n)
        (extra / name).write_text(text.format(m=model))
        planted.append((f"planted-service/{name}", model))
    # an alias pair: the id lives only in config, code reaches it by name
    (extra / "worker.py").write_text(
        "import os\nfrom openai import OpenAI\n\n"
        'WORKER_MODEL = os.environ["RANKER_MODEL"]\n'
        "OpenAI().chat.completions.create(model=WORKER_MODEL, messages=[])\n"
    )
    _manifest(tree).write_text(json.dumps(planted))
    return planted


def _manifest(tree: Path) -> Path:
    """Where the list of planted ids lives: beside the tree, not in it."""
    return tree.with_name(tree.name + ".planted.json")


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path,
                        default=Path(tempfile.gettempdir()) / "ftscan-bench-tree")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    if args.rebuild or not _manifest(args.tree).exists():
        print(f"building {args.tree} ...", file=sys.stderr)
        build_tree(args.tree)
    planted = {tuple(p) for p in json.loads(_manifest(args.tree).read_text())}
    files = sum(len(f) for _, _, f in os.walk(args.tree))
    size = sum(p.stat().st_size for p in args.tree.rglob("*") if p.is_file()
               and not p.is_symlink())
    print(f"tree: {args.tree} ({files} files, {size / 1e6:.0f} MB), {len(planted)} planted ids")

    sarif = Path(tempfile.gettempdir()) / "ftscan-bench.sarif"
    base = [sys.executable, "-m", "ftscan", "scan", str(args.tree), "--format", "sarif",
            "--output", str(sarif), "--fail-on", "never", "--quiet"]
    medians = {}
    for label, command in [("definitions only (--no-aliases)", [*base, "--no-aliases"]),
                           ("full scan (definitions and uses)", base)]:
        times = []
        for _ in range(args.runs):
            seconds, proc = timed(command)
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 2
            times.append(seconds)
        medians[label] = median = statistics.median(times)
        print(f"ftscan, {label}: median {median:.2f}s over {args.runs} runs "
              f"({files / median:,.0f} files/s, {size / 1e6 / median:.0f} MB/s); "
              f"runs {', '.join(f'{t:.2f}' for t in times)}")
    full, definitions_only = medians["full scan (definitions and uses)"], min(medians.values())
    print(f"  alias resolution costs {full / medians['definitions only (--no-aliases)']:.2f}x "
          "the definitions-only scan")
    results = json.loads(sarif.read_text())["runs"][0]["results"]

    def where(result: dict) -> str:
        return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]

    found = {(where(r), r["properties"]["modelId"]) for r in results
             if r["properties"]["role"] == "definition"}
    uses = sorted({where(r) for r in results if r["properties"]["role"] == "use"})
    missed = planted - found
    extra = found - planted
    print(f"  planted ids found: {len(planted) - len(missed)}/{len(planted)}; "
          f"false positives: {len(extra)}; use sites: {len(uses)} in {', '.join(uses)}")
    for item in sorted(missed):
        print(f"  MISSED {item}")
    for item in sorted(extra):
        print(f"  EXTRA  {item}")
    median = definitions_only

    rg = shutil.which("rg")
    if rg:
        rg_times = [timed([rg, "-c", RG_PATTERN, str(args.tree)])[0] for _ in range(args.runs)]
        rg_median = statistics.median(rg_times)
        print(f"ripgrep: median {rg_median:.2f}s; ftscan/ripgrep = {full / rg_median:.1f}x "
              f"(definitions only: {median / rg_median:.1f}x)")
    else:
        print("ripgrep: not installed (apt-get install ripgrep) - no comparison")
    return 1 if missed or extra else 0


if __name__ == "__main__":
    sys.exit(main())
