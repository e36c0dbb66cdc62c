"""Write the HTML inventory pages of the sample repository and of a generated sweep (300
fine-tunes in 40 repositories, ``tests/sweepgen.py``), or of JSON inventories given, and take
a screenshot of each in headless Chromium; print each page's size and load time.

Needs Chromium (Debian: ``apt-get install chromium``; ``FTSCAN_CHROMIUM`` names another) and
Playwright (``pip install playwright``; it drives that Chromium and downloads no browser).

    python bench/render_html_report.py [--out docs] [--as-of 2026-11-22]
    python bench/render_html_report.py --merge inventory-*.json --name realworld --out /tmp
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ftscan import inventory as inv
from ftscan.api import ScanOptions, scan
from ftscan.reporters import inventory_html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import sweepgen  # noqa: E402  (the test's generated organisation)

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def sample_inventory(as_of: dt.date) -> inv.Inventory:
    """fixtures/sample-repo scanned as a repository of its own name."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "sample-repo"
        shutil.copytree(ROOT / "fixtures" / "sample-repo", copy)
        (copy / ".git").mkdir()
        return inv.build(scan(ScanOptions(paths=(copy,), as_of=as_of)))


def shoot(pages: dict[str, Path], out: Path, chromium: str) -> None:
    """A screenshot of the top of each page (headline and timeline), and of its table filtered
    to one team; the load time of each."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        for name, path in pages.items():
            page = browser.new_page(viewport={"width": 1400, "height": 1250})
            started = time.perf_counter()
            page.goto(path.as_uri())
            loaded = time.perf_counter() - started
            timing = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
            page.screenshot(path=str(out / f"html-report-{name}.png"))
            rows = len(page.query_selector_all("#models tbody"))
            print(f"{path}: {path.stat().st_size / 1024:,.0f} KiB, {rows} rows; loaded in "
                  f"{loaded:.2f} s (DOMContentLoaded {timing['domContentLoadedEventEnd']:.0f} ms,"
                  f" load {timing['loadEventEnd']:.0f} ms)")
            page.close()
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=sweepgen.AS_OF)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--merge", nargs="+", type=Path, help="JSON inventories to merge")
    parser.add_argument("--name", default="merged", help="the merged page's name")
    args = parser.parse_args()
    chromium = os.environ.get("FTSCAN_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        print("Chromium is not installed (set FTSCAN_CHROMIUM)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    if args.merge:
        inventories = {args.name: inv.merge([inv.load(path) for path in args.merge])}
    else:
        inventories = {"sample": sample_inventory(args.as_of),
                       "sweep": inv.merge(sweepgen.sweep())}
    pages = {}
    for name, inventory in inventories.items():
        pages[name] = args.out / f"{name}.html" if args.merge else Path(
            tempfile.mkdtemp()) / f"{name}.html"
        pages[name].write_text(inventory_html.render(inventory), encoding="utf-8")
    shoot(pages, args.out, chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
