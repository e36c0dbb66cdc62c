"""The report formats: a golden file per scan format (what a user reads, byte for byte), and
the contract every format in the registry keeps: it renders the sample, knows its own output
again, and takes nothing else (another format's output, a source file) for its own."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, FIXTURES, run_scan, write

from ftscan import inventory as inv
from ftscan.baseline import entry_for
from ftscan.cli import main
from ftscan.reconcile.join import reconcile
from ftscan.reporters import (
    INVENTORY_FORMATS,
    OTHER_FILES,
    SCAN_FORMATS,
    baseline,
    every_reporter,
    inventory_reporter,
    is_own_report,
    scan_reporter,
)
from ftscan.result import ScanResult

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("FTSCAN_UPDATE_GOLDEN") == "1"
SUFFIXES = {"text": "txt", "json": "json", "sarif": "sarif.json", "csv": "csv", "markdown": "md"}


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fixtures/sample-repo in a folder of its own name with a .git, as users have it."""
    target = tmp_path_factory.mktemp("golden") / "sample-repo"
    shutil.copytree(FIXTURES / "sample-repo", target)
    (target / ".git").mkdir()
    return target


def _normalised(report: str, root: Path) -> str:
    """The report without what changes from run to run: the scan's duration and where the
    repository was copied to."""
    report = report.replace(str(root), "<repo>")
    return re.sub(r'"durationSeconds": [0-9.e-]+', '"durationSeconds": 0', report)


@pytest.mark.parametrize("fmt", sorted(SUFFIXES))
def test_scan_report_matches_golden_file(sample_repo: Path, fmt: str) -> None:
    result = CliRunner().invoke(main, ["scan", str(sample_repo), "--format", fmt, "--as-of",
                                       "2026-11-22", "--no-cache", "--quiet"])
    assert result.exit_code == 1, result.output  # the sample has errors
    golden = GOLDEN / f"scan-sample-repo.{SUFFIXES[fmt]}"
    report = _normalised(result.stdout, sample_repo)
    if UPDATE:
        golden.write_text(report, encoding="utf-8")
    assert report == golden.read_text(encoding="utf-8")
    if fmt in ("json", "sarif"):
        json.loads(report)


def test_every_scan_format_has_a_golden_file() -> None:
    assert set(SUFFIXES) == set(SCAN_FORMATS)


# --------------------------------------------------------------------------- the contract

REGISTERED = ([f"scan {name}" for name in SCAN_FORMATS]
              + [f"inventory {name}" for name in INVENTORY_FORMATS] + list(OTHER_FILES))


@pytest.fixture(scope="module")
def sample() -> ScanResult:
    return run_scan(FIXTURES / "sample-repo")


@pytest.fixture(scope="module")
def outputs(sample: ScanResult) -> dict[str, bytes]:
    """What each registered format writes for the sample repository."""
    inventory = inv.build(sample)
    written = {f"scan {name}": scan_reporter(name).render(sample) for name in SCAN_FORMATS}
    written |= {f"inventory {name}": inventory_reporter(name).render(inventory)
                for name in INVENTORY_FORMATS}
    written["baseline"] = baseline.render(entry_for(f) for f in sample.findings)
    return {name: text.encode("utf-8") for name, text in written.items()}


def _reporter(registered: str):  # noqa: ANN202
    group, _, name = registered.rpartition(" ")
    return {"scan": scan_reporter, "inventory": inventory_reporter}[group](name) if group \
        else next(r for r in every_reporter() if r.name == name)


def test_the_contract_covers_every_registered_format(outputs: dict[str, bytes]) -> None:
    assert set(outputs) == set(REGISTERED)
    assert len(every_reporter()) == len(REGISTERED)


@pytest.mark.parametrize("registered", REGISTERED)
def test_a_format_recognises_its_own_output_and_nothing_else(
        registered: str, outputs: dict[str, bytes]) -> None:
    reporter = _reporter(registered)
    assert reporter.name == registered.rpartition(" ")[2]
    assert b"ft:gpt-4o-mini-2024-07-18:acme-support:ranker-v3:9xQmT2Lp" in outputs[registered]
    assert reporter.recognises(outputs[registered])
    others = {name for name, data in outputs.items() if reporter.recognises(data)}
    assert others == {registered}
    for source in ("services/ranker/app/config.py", "config/models.json", ".env",
                   "docs/MIGRATION.md"):
        assert not reporter.recognises((FIXTURES / "sample-repo" / source).read_bytes()), source


def test_the_scan_asks_every_format(outputs: dict[str, bytes]) -> None:
    for name, data in outputs.items():
        assert is_own_report(data), name
    files = [p for p in (FIXTURES / "sample-repo").rglob("*") if p.is_file()]
    assert len(files) > 20 and not [p for p in files if is_own_report(p.read_bytes())]


@pytest.mark.parametrize("fmt", sorted(INVENTORY_FORMATS))
def test_a_reconciled_inventory_in_the_tree_is_an_ftscan_report(
        fmt: str, sample: ScanResult, repo: Path) -> None:
    """A reconciled inventory adds the provider's columns; it is still ftscan's, and its ids
    are mentions that say so."""
    reconciled = reconcile(inv.build(sample), (), sample.settings.lifecycle,
                           sample.settings.rules, AS_OF)
    assert reconciled.reconciliation is not None
    write(repo, f"inventory.{SUFFIXES.get(fmt, fmt)}", inventory_reporter(fmt).render(reconciled))
    findings = run_scan(repo).findings
    assert findings and all(f.role.value == "mention" and "ftscan report" in f.message
                            for f in findings)
