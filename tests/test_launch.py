"""The console script starts git's listing before ftscan is imported; the scan takes it over
when it asks for that very listing, and stops it otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import commit, new_git_repo, run_scan, write

from ftscan import gitfiles
from ftscan.cli import scan_command
from ftscan.launch import OPTIONS_WITH_VALUES, guess_root

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"


@pytest.fixture
def gitrepo(tmp_path: Path) -> Path:
    root = new_git_repo(tmp_path / "repo")
    write(root, "app/.env", f"RANKER_MODEL={FT}\n")
    write(root, "app/main.py", "import os\nMODEL = os.environ['RANKER_MODEL']\n")
    write(root, "report.sarif", "{}\n")
    commit(root, "first")
    return root


def test_the_options_taking_a_value_are_the_ones_the_scan_command_has() -> None:
    taking = {opt for param in scan_command.params if isinstance(param, click.Option)
              and not (param.is_flag or param.count) for opt in param.opts}
    assert taking == OPTIONS_WITH_VALUES


def test_the_root_is_guessed_only_when_the_arguments_make_it_clear(
        gitrepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(gitrepo)
    assert guess_root(["scan"]) == gitrepo
    assert guess_root(["scan", "."]) == gitrepo
    assert guess_root(["scan", str(gitrepo), "--format", "sarif"]) == gitrepo
    # an option's value is not a path to scan, even when a file of that name exists
    assert guess_root(["scan", "-o", "report.sarif", "."]) == gitrepo
    assert guess_root(["scan", "--output=report.sarif"]) == gitrepo
    # the files pre-commit passes belong to their repository
    assert guess_root(["scan", "--files-only", "--fail-on", "warning", "app/main.py"]) == gitrepo
    # the listing of the whole tree would not be what the scan asks for
    assert guess_root(["scan", "app"]) is None
    assert guess_root(["scan", "app", "report.sarif"]) is None
    assert guess_root(["scan", "--no-ignore", "."]) is None
    assert guess_root(["scan", "--help"]) is None
    assert guess_root(["inventory", "."]) is None
    assert guess_root([]) is None
    monkeypatch.chdir(gitrepo / "app")
    assert guess_root(["scan"]) is None  # a folder inside the repository, not its root


def _count_listings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    started: list[tuple[str, ...]] = []
    real = gitfiles.start_git

    def counting(root: Path, args: list[str]):  # type: ignore[no-untyped-def]
        started.append(tuple(args))
        return real(root, args)

    monkeypatch.setattr(gitfiles, "start_git", counting)
    return started


def test_the_scan_takes_over_the_listing_started_early(
        gitrepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = _count_listings(monkeypatch)
    gitfiles.start_early(gitrepo)
    assert len(started) == 3
    result = run_scan(gitrepo, cache_dir=None)
    assert len(started) == 3  # git was not asked again
    assert gitfiles._early == {}
    assert {(f.location.path, f.role.value) for f in result.findings} == {
        ("app/.env", "definition"), ("app/main.py", "use")}


def test_a_listing_the_scan_does_not_need_is_stopped(
        gitrepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gitfiles.start_early(gitrepo)
    pending = gitfiles._early[gitrepo]
    processes = list(pending._processes)
    result = run_scan(gitrepo / "app", cache_dir=None)  # a folder: read by the walk
    assert gitfiles._early == {}
    assert all(process.poll() is not None for process in processes)
    assert {f.location.path for f in result.findings} == {"app/.env", "app/main.py"}


def test_a_working_directory_deleted_under_the_scan_is_a_usage_error(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    proc = subprocess.run(["bash", "-c", 'cd "$1" && rmdir "$1" && exec "$2" -m ftscan scan',
                           "-", str(gone), sys.executable],
                          capture_output=True, text=True, check=False, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("ftscan: error: ") and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
