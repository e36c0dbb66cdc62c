"""An edit that cannot change a finding carries the last analysis over (ftscan.pipeline.narrow).

A pre-commit run after editing one file used to build the whole program of names again. A user
relies on two things: such a run gives exactly what a full scan gives, and every edit that could
change a finding anywhere (a new read of a bound name, an id, an edit to a module whose names are
followed, a file added or removed, a file read for owners or services) is analysed in full. Each
test below compares with a scan without any cache.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import commit, new_git_repo, same_report, write

import ftscan.cache.replay
from ftscan.api import ScanOptions, ScanResult, scan
from ftscan.models import Role

MODEL = "ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4"
OTHER = "ft:gpt-4.1-2025-04-14:acme-corp:triage:Q2w3E4r5"
DAY = dt.date(2026, 12, 7)
UNRELATED = "app/layout.py"
"""A module of the application that takes no part in the fine-tune's program."""


def _write_project(root: Path) -> None:
    write(root, "config/.env", f"RANKER_MODEL={MODEL}\n")
    write(root, "app/models.py", "import os\n\nRANKER = os.environ['RANKER_MODEL']\n")
    write(root, "app/main.py", "from openai import OpenAI\nfrom app.models import RANKER\n\n"
          "OpenAI().chat.completions.create(model=RANKER, messages=[])\n")
    write(root, UNRELATED, "def columns(width):\n    return width // 12\n")
    write(root, "setup.py", "from setuptools import setup\nsetup(name='app')\n")
    write(root, "docs/usage.md", "# Usage\n")
    write(root, "app/style.css", "body { margin: 0; }\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = new_git_repo(tmp_path / "project")
    _write_project(root)
    commit(root, "start")
    return root


@pytest.fixture
def plain_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The same project in a folder that is no git repository (files settle at once)."""
    monkeypatch.setattr(ftscan.cache.replay, "RACY_SECONDS", -3600)
    root = tmp_path / "plain"
    _write_project(root)
    return root


def _scan(root: Path, cache: Path | None, *files: str) -> ScanResult:
    paths = tuple(root / f for f in files) or (root,)
    return scan(ScanOptions(paths=paths, cache_dir=cache, as_of=DAY, files_only=bool(files)))


@pytest.mark.parametrize("tree", ["project", "plain_tree"])
def test_an_edit_to_code_that_takes_no_part_is_carried_over(
        tree: str, tmp_path: Path, analyses: list[Path], request: pytest.FixtureRequest) -> None:
    root = request.getfixturevalue(tree)
    cache = tmp_path / "cache"
    _scan(root, cache)
    write(root, UNRELATED, "def columns(width):\n    return width // 16\n\n\n"
          "def rows(height):\n    return height // 9\n")
    write(root, "docs/usage.md", "# Usage\n\nRun the ranker with `RANKER` set.\n")
    write(root, "app/style.css", "body { margin: 0; }\n.ranker { color: red; }\n")
    after = _scan(root, cache)
    assert len(analyses) == 1, "the edits were analysed in full"
    assert after.summary.replayed == 1
    assert after.summary.files_from_cache == after.summary.files_considered - 3
    assert same_report(after, _scan(root, None))
    assert {f.role for f in after.findings} == {Role.DEFINITION, Role.USE}


def test_the_pre_commit_run_on_such_an_edit_reports_as_a_full_scan(
        project: Path, tmp_path: Path, analyses: list[Path]) -> None:
    cache = tmp_path / "cache"
    _scan(project, cache)
    write(project, UNRELATED, "def columns(width):\n    return width // 16\n")
    write(project, "app/main.py", (project / "app/main.py").read_text() + "# reviewed\n")
    hook = _scan(project, cache, "app/main.py", UNRELATED)
    assert len(analyses) == 2  # main.py is part of the program: both phases ran
    assert same_report(hook, _scan(project, None, "app/main.py", UNRELATED))
    assert [f.location.path for f in hook.findings] == ["app/main.py"]


@pytest.mark.parametrize("edit", [
    "imports a name that holds the id",
    "reads the bound variable",
    "holds an id",
    "is a module the program holds",
    "was a module the program held",
    "is a new file",
    "is removed",
    "marks a service",
    "names owners",
    "puts an id in prose",
    "is a configuration file",
])
def test_an_edit_that_could_change_a_finding_is_analysed_in_full(
        edit: str, project: Path, tmp_path: Path, analyses: list[Path]) -> None:
    cache = tmp_path / "cache"
    _scan(project, cache)
    use_in = None
    if edit == "imports a name that holds the id":
        use_in = UNRELATED
        write(project, UNRELATED, "from openai import OpenAI\nfrom app.models import RANKER\n\n"
              "OpenAI().completions.create(model=RANKER, prompt='x')\n")
    elif edit == "reads the bound variable":
        use_in = UNRELATED
        write(project, UNRELATED, "import os\nfrom openai import OpenAI\n\n"
              "OpenAI().completions.create(model=os.environ['RANKER_MODEL'], prompt='x')\n")
    elif edit == "holds an id":
        write(project, UNRELATED, f"FALLBACK = '{OTHER}'\n")
    elif edit == "is a module the program holds":
        write(project, "app/models.py", "import os\n\nRANKER = os.environ['RANKER_MODEL']\n"
              "TIMEOUT = 30\n")
    elif edit == "was a module the program held":  # holds nothing now: the use is gone
        write(project, "app/models.py", "DEFAULT = 'gpt-4o'\n")
    elif edit == "is a new file":
        write(project, "app/extra.py", "def extra():\n    return 1\n")
    elif edit == "is removed":
        (project / UNRELATED).unlink()
    elif edit == "marks a service":
        write(project, "setup.py", "from setuptools import setup\nsetup(name='ranker')\n")
    elif edit == "names owners":
        write(project, "CODEOWNERS", "* @acme/ranking\n")
    elif edit == "puts an id in prose":
        write(project, "docs/usage.md", f"# Usage\n\nThe ranker is `{OTHER}`.\n")
    elif edit == "is a configuration file":
        write(project, "config/.env", f"RANKER_MODEL={MODEL}\nTIMEOUT=30\n")
    after = _scan(project, cache)
    assert len(analyses) == 2, "the edit was carried over"
    assert same_report(after, _scan(project, None))
    if use_in is not None:
        assert any(f.role is Role.USE and f.location.path == use_in for f in after.findings)
    if edit == "was a module the program held":
        assert not any(f.role is Role.USE for f in after.findings)
    if edit == "names owners":
        assert all(f.owners == ("@acme/ranking",) for f in after.findings)


def test_an_unchanged_repository_is_replayed_without_reading_what_its_files_were(
        project: Path, tmp_path: Path, analyses: list[Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What each file was is large (4.9 MB for 50,000 files) and only an edit needs it: a
    scan of the same files reads the record alone."""
    cache = tmp_path / "cache"
    first = _scan(project, cache)
    read: list[Path] = []
    original = ftscan.cache.replay.load_keyed

    def spied(path: Path, key: str) -> object:
        read.append(path)
        return original(path, key)

    monkeypatch.setattr(ftscan.cache.replay, "load_keyed", spied)
    again = _scan(project, cache)
    assert again.summary.replayed == 1 and len(analyses) == 1
    assert same_report(again, first)
    assert read == []
    write(project, UNRELATED, "def columns(width):\n    return width // 16\n")
    edited = _scan(project, cache)
    assert edited.summary.replayed == 1 and len(analyses) == 1  # carried over
    assert [p.suffix for p in read] == [".files"]


def test_what_the_files_were_is_used_with_its_own_record_only(
        project: Path, tmp_path: Path, analyses: list[Path]) -> None:
    """The two files of a replay are written one after the other: a record whose files are
    another scan's (a scan stopped between the two writes, a copy) cannot be told an edit
    from no edit, so both phases run."""
    cache = tmp_path / "cache"
    _scan(project, cache)
    (files,) = cache.glob("*.files")
    earlier = files.read_bytes()
    write(project, "app/extra.py", "def spare():\n    return 1\n")
    commit(project, "extra")
    _scan(project, cache)
    assert len(analyses) == 2  # a file added
    files.write_bytes(earlier)  # the record of the second scan, the files of the first
    write(project, UNRELATED, "def columns(width):\n    return width // 16\n")
    after = _scan(project, cache)
    assert len(analyses) == 3
    assert same_report(after, _scan(project, None))
