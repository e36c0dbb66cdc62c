"""Render the deadline chart of the sample repository's inventory to docs/timeline.png.

Needs the Mermaid CLI (npm ``@mermaid-js/mermaid-cli``); ``FTSCAN_MMDC`` gives its command when
``mmdc`` is not on PATH, e.g. ``FTSCAN_MMDC="mmdc -p puppeteer.json"`` with a puppeteer config
naming a system Chromium (``{"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox"]}``).

    python bench/render_timeline.py [--as-of 2026-11-29] [--out docs/timeline.png]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ftscan.api import ScanOptions, scan
from ftscan.inventory import build
from ftscan.reporters import inventory_markdown

ROOT = Path(__file__).resolve().parent.parent


def chart_source(as_of: dt.date) -> str:
    """The Mermaid source of the sample repository's chart on ``as_of``."""
    result = scan(ScanOptions(paths=(ROOT / "fixtures" / "sample-repo",), as_of=as_of))
    lines = inventory_markdown.render(build(result)).splitlines()
    start = lines.index("```mermaid")
    return "\n".join(lines[start + 1:lines.index("```", start)]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 29))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "timeline.png")
    args = parser.parse_args()
    command = os.environ.get("FTSCAN_MMDC", "").split() or (
        [found] if (found := shutil.which("mmdc")) else [])
    if not command:
        print("the Mermaid CLI is not installed (set FTSCAN_MMDC)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "chart.mmd"
        source.write_text(chart_source(args.as_of))
        # Mermaid's default width, as GitHub's narrowest view and the chart's axis assume;
        # drawn at twice the pixels, for a sharp picture
        done = subprocess.run([*command, "-i", str(source), "-o", str(args.out), "-s", "2",
                               "-b", "white"], check=False)
    if done.returncode == 0:
        print(f"wrote {args.out}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
