"""The report formats: a golden file per scan format (what a user reads, byte for byte)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from ftscan.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("FTSCAN_UPDATE_GOLDEN") == "1"
SCAN_FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "csv": "csv", "markdown": "md"}


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


@pytest.mark.parametrize("fmt", sorted(SCAN_FORMATS))
def test_scan_report_matches_golden_file(sample_repo: Path, fmt: str) -> None:
    result = CliRunner().invoke(main, ["scan", str(sample_repo), "--format", fmt, "--as-of",
                                       "2026-11-22", "--no-cache", "--quiet"])
    assert result.exit_code == 1, result.output  # the sample has errors
    golden = GOLDEN / f"scan-sample-repo.{SCAN_FORMATS[fmt]}"
    report = _normalised(result.stdout, sample_repo)
    if UPDATE:
        golden.write_text(report, encoding="utf-8")
    assert report == golden.read_text(encoding="utf-8")
    if fmt in ("json", "sarif"):
        json.loads(report)
