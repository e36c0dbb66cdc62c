"""A replayed scan's SARIF or CSV report is the one written last time (ftscan.cache.kept).

What a user relies on: the report is byte for byte the one a scan without any cache writes,
and anything that changes the findings or verdicts (a file, a lifecycle update, a baseline, a
changed-lines run) gives a report made afresh.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import commit, new_git_repo, write

import ftscan.reporters
from ftscan.cli import main

MODEL = "ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = new_git_repo(tmp_path / "project")
    write(root, "config/.env", f"RANKER_MODEL={MODEL}\n")
    write(root, "app/main.py", "import os\nfrom openai import OpenAI\n\n"
          "OpenAI().chat.completions.create(model=os.environ['RANKER_MODEL'], messages=[])\n")
    commit(root, "start")
    return root


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats rendered, run by run."""
    made: list[str] = []
    for name in ("sarif", "csv", "json"):
        reporter = ftscan.reporters.scan_reporter(name)

        def counted(result: object, color: bool = False, name: str = name,
                    original: Callable[..., str] = reporter.render) -> str:
            made.append(name)
            return original(result, color)

        monkeypatch.setattr(reporter, "render", counted)
    return made


def _report(root: Path, tmp_path: Path, fmt: str, *args: str) -> str:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(main, ["scan", str(root), "--as-of", "2026-11-29", "--format",
                                       fmt, "--output", str(out), "--quiet", *args])
    assert result.exit_code in (0, 1), result.output
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["sarif", "csv"])
def test_a_replayed_scan_writes_the_report_it_wrote_before(
        project: Path, tmp_path: Path, renders: list[str], fmt: str) -> None:
    first = _report(project, tmp_path, fmt)
    again = _report(project, tmp_path, fmt)
    assert renders == [fmt]  # the second report was not made again
    assert again == first == _report(project, tmp_path, fmt, "--no-cache")
    assert MODEL in again


def test_json_says_the_scans_own_duration_so_it_is_always_made(
        project: Path, tmp_path: Path, renders: list[str]) -> None:
    _report(project, tmp_path, "json")
    _report(project, tmp_path, "json")
    assert renders == ["json", "json"]


def test_a_change_to_the_findings_makes_the_report_again(
        project: Path, tmp_path: Path, renders: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = _report(project, tmp_path, "sarif")
    write(project, "config/.env", f"RANKER_MODEL={MODEL}\nOTHER_MODEL={MODEL}x\n")
    commit(project, "another")
    assert _report(project, tmp_path, "sarif") != before
    override = tmp_path / "lifecycle.yaml"
    override.write_text(
        "version: moved\nmodels:\n  - provider: openai\n    bases: [gpt-4o-mini-2024-07-18]\n"
        "    shutdown: 2026-11-01\n    source: https://example.com/notice\n"
        "    checked: 2026-11-02\n", encoding="utf-8")
    monkeypatch.setenv("FTSCAN_LIFECYCLE_FILE", str(override))
    moved = _report(project, tmp_path, "sarif")
    assert "2026-11-01" in moved
    assert renders == ["sarif"] * 3


def test_a_run_that_adds_its_own_filter_makes_the_report_again(
        project: Path, tmp_path: Path, renders: list[str]) -> None:
    _report(project, tmp_path, "sarif")
    baseline = tmp_path / "baseline.json"
    created = CliRunner().invoke(main, ["baseline", "create", str(project), "--output",
                                        str(baseline)])
    assert created.exit_code == 0, created.output
    with_baseline = _report(project, tmp_path, "sarif", "--baseline", str(baseline))
    assert '"suppressions"' in with_baseline
    _report(project, tmp_path, "sarif", "--diff-base", "HEAD")
    assert renders == ["sarif"] * 3


def test_a_replayed_scan_imports_no_parser_reporter_or_provider_code(
        project: Path, tmp_path: Path) -> None:
    """The warm path is a listing and a report: what a replayed SARIF scan imports is checked
    in a fresh interpreter (each of these costs more than the rest of such a run)."""
    out = tmp_path / "report.sarif"
    command = [sys.executable, "-X", "importtime", "-m", "ftscan", "scan", str(project),
               "--format", "sarif", "--output", str(out), "--quiet"]
    env = {**os.environ, "FTSCAN_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(command, env=env, capture_output=True, check=False)
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 1, again.stderr  # findings at the default fail level
    imported = {line.split("|")[-1].strip() for line in again.stderr.splitlines()
                if line.startswith("import time:")}
    assert "ftscan.api" in imported  # the check sees what was imported
    for heavy in ("sarif_om", "libcst", "tree_sitter", "re2", "ftscan.cli_providers",
                  "ftscan.pipeline.phases", "ftscan.reporters.sarif",
                  "ftscan.reporters.sarif_run"):
        assert heavy not in imported, heavy


def test_a_sweep_whose_repositories_moved_makes_the_report_again(tmp_path: Path) -> None:
    """A sweep's SARIF names each repository's folder: a repository renamed (its content, and
    so its own key, unchanged) must not bring back the report with the old name."""
    org = tmp_path / "org"
    for name in ("billing", "search", "support", "tagging"):
        root = new_git_repo(org / name)
        write(root, ".env", f"RANKER_MODEL={MODEL}\n")
        commit(root, "start")
    before = _report(org, tmp_path, "sarif")
    assert '"support/.env"' in before
    (org / "support").rename(org / "helpdesk")
    after = _report(org, tmp_path, "sarif")
    assert '"helpdesk/.env"' in after and '"support/.env"' not in after
    assert after == _report(org, tmp_path, "sarif", "--no-cache")


def test_kept_reports_are_files_the_cache_pruning_knows() -> None:
    from ftscan.cache.files import CACHE_KINDS
    from ftscan.cache.kept import KEPT_FORMATS

    assert KEPT_FORMATS.issubset(CACHE_KINDS)
