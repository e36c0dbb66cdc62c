"""Shared helpers: the fixture repositories, a fixed scan date, and a one-call scan."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

import ftscan.pipeline.phases
from ftscan.api import ScanOptions, ScanResult, scan

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
AS_OF = dt.date(2026, 11, 22)


def run_scan(*paths: Path, **options: object) -> ScanResult:
    """Scan with the fixed date unless told otherwise."""
    options.setdefault("as_of", AS_OF)
    return scan(ScanOptions(paths=tuple(paths), **options))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's commands keep their scan cache in a folder of its own, not the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("FTSCAN_CACHE_DIR", str(folder))
    # the user's own lifecycle overrides must not change what the tests see
    monkeypatch.setenv("FTSCAN_LIFECYCLE_FILE", str(folder / "no-lifecycle-overrides.yaml"))
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository root (a folder with .git) to build small cases in."""
    (tmp_path / ".git" / "info").mkdir(parents=True)
    return tmp_path


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its output."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def new_git_repo(path: Path) -> Path:
    """A real git repository with a committer configured, on branch main."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit(repo: Path, message: str) -> str:
    """Commit everything; return the new commit's SHA."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """Create ``root/rel`` with ``text``, making folders as needed."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The repositories analysed in full (neither replayed nor carried over), scan by scan."""
    seen: list[Path] = []
    original = ftscan.pipeline.phases.analyse

    def counted(root: Path, *args: object, **kwargs: object) -> object:
        seen.append(root)
        return original(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ftscan.pipeline.phases, "analyse", counted)
    return seen


def same_report(a: ScanResult, b: ScanResult) -> bool:
    """Do two scans report the same findings and diagnostics?"""
    return (a.findings, a.diagnostics) == (b.findings, b.diagnostics)
