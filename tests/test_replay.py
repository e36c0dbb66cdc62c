"""A scan whose inputs are all unchanged since the last is replayed (ftscan.cache.replay).

A user relies on two things: a warm scan gives exactly what a fresh one gives, and any change
that could change a finding (a file edited, added, renamed, a config or rule change, another
day) is seen. These tests make each change and compare with a scan without any cache.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from conftest import commit, new_git_repo, same_report, write

import ftscan.cache.replay
from ftscan.api import ScanOptions, ScanResult, scan

MODEL = "ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4"
OTHER = "ft:gpt-4.1-2025-04-14:acme-corp:triage:Q2w3E4r5"
DAY = dt.date(2026, 11, 29)


def _write_service(root: Path) -> None:
    """An id in a ``.env``, and the code that reads it by name."""
    write(root, "config/.env", f"RANKER_MODEL={MODEL}\n")
    write(root, "app/main.py", "import os\nfrom openai import OpenAI\n\n"
          "MODEL = os.environ['RANKER_MODEL']\n"
          "OpenAI().chat.completions.create(model=MODEL, messages=[])\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = new_git_repo(tmp_path / "project")
    _write_service(root)
    write(root, "README.md", "nothing here\n")
    commit(root, "start")
    return root


def _scan(root: Path, cache: Path | None, **options: object) -> ScanResult:
    opts = ScanOptions(paths=(root,), cache_dir=cache, as_of=DAY, **options)  # type: ignore[arg-type]
    return scan(opts)


@pytest.mark.parametrize("tree", ["project", "plain_tree"])
def test_an_unchanged_tree_is_replayed_with_the_same_report(
        tree: str, tmp_path: Path, analyses: list[Path], request: pytest.FixtureRequest) -> None:
    """A git repository, and a tree that is none (its walk's list is the key)."""
    root = request.getfixturevalue(tree)
    cache = tmp_path / "cache"
    first = _scan(root, cache)
    again = _scan(root, cache)
    assert len(analyses) == 1  # the second scan was replayed
    assert same_report(first, again) and same_report(again, _scan(root, None))
    assert {f.role.value for f in again.findings} >= {"definition", "use"}
    assert again.summary.files_from_cache == again.summary.files_considered


@pytest.mark.parametrize("change", [
    "edit tracked", "edit tracked, staged", "add untracked", "delete tracked",
    "rename", "config", "ignore file", "touch only", "edit untracked",
])
def test_every_change_that_could_matter_is_seen(project: Path, tmp_path: Path, change: str,
                                                analyses: list[Path]) -> None:
    cache = tmp_path / "cache"
    if change == "edit untracked":
        write(project, "local.env", "A=1\n")
    _scan(project, cache)
    if change == "edit untracked":  # same size, git's listing unchanged: only lstat tells
        write(project, "local.env", f"A={OTHER}\n"[:4])
        write(project, "local.env", f"M={OTHER}\n")
    if change.startswith("edit tracked"):
        write(project, "config/.env", f"RANKER_MODEL={OTHER}\n")
        if change.endswith("staged"):
            commit(project, "edit")
    elif change == "add untracked":
        write(project, "new.env", f"OTHER={OTHER}\n")
    elif change == "delete tracked":
        (project / "config" / ".env").unlink()
    elif change == "rename":
        os.rename(project / "config" / ".env", project / "config" / "prod.env")
    elif change == "config":
        write(project, ".ftscan.toml", 'exclude = ["config/"]\n')
    elif change == "ignore file":
        write(project, ".gitignore", "config/\n")
        commit(project, "ignore")
        write(project, "config/local.env", f"X={OTHER}\n")  # untracked and ignored: not read
    elif change == "touch only":
        path = project / "app" / "main.py"
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    after = _scan(project, cache)
    if change != "touch only":  # git may or may not vouch for a touched file: either is right
        assert len(analyses) == 2, "the change was not seen"
    assert same_report(after, _scan(project, None))


def test_another_day_is_replayed_and_judged_for_that_day(project: Path, tmp_path: Path,
                                                         analyses: list[Path]) -> None:
    """A scheduled scan of an unchanged repository the next day (or weeks later) replays the
    analysis, and its findings carry that day's dates: verdicts are applied after the replay."""
    cache = tmp_path / "cache"
    first = _scan(project, cache)
    assert first.summary.replayed == 0
    later = ScanOptions(paths=(project,), cache_dir=cache, as_of=DAY + dt.timedelta(days=60))
    replayed = scan(later)
    assert replayed.summary.replayed == 1
    assert len(analyses) == 1
    fresh = scan(ScanOptions(paths=(project,), as_of=later.as_of))
    assert same_report(replayed, fresh)
    assert not same_report(replayed, first)
    dated = [(r, f) for r, f in zip(replayed.findings, first.findings, strict=True)
             if f.lifecycle.days_left is not None]
    assert dated
    assert all(r.lifecycle.days_left == f.lifecycle.days_left - 60  # type: ignore[operator]
               for r, f in dated)


def test_other_options_are_not_replayed(project: Path, tmp_path: Path,
                                        analyses: list[Path]) -> None:
    cache = tmp_path / "cache"
    _scan(project, cache)
    _scan(project, cache, follow_aliases=False)
    _scan(project, cache, max_file_size=1000)
    assert len(analyses) == 3


def test_a_lifecycle_update_is_not_replayed_over(project: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """``ftscan lifecycle update`` (or an edited override file) changes every verdict while no
    file of the repository changes: the next scan must say the new dates."""
    cache = tmp_path / "cache"
    override = tmp_path / "lifecycle.yaml"
    monkeypatch.setenv("FTSCAN_LIFECYCLE_FILE", str(override))
    before = _scan(project, cache)
    override.write_text(
        "version: moved\nmodels:\n  - provider: openai\n    bases: [gpt-4o-mini-2024-07-18]\n"
        "    shutdown: 2026-11-01\n    source: https://example.com/notice\n"
        "    checked: 2026-11-02\n", encoding="utf-8")
    after = _scan(project, cache)
    assert same_report(after, _scan(project, None))
    assert not same_report(after, before)
    assert any("2026-11-01" in f.message for f in after.findings)


def test_a_scan_that_gave_a_file_up_is_not_recorded(project: Path, tmp_path: Path,
                                                    analyses: list[Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A timeout may not happen next time: the next scan tries again."""
    cache = tmp_path / "cache"
    write(project, "big.env", "A=1\n" + f"M={MODEL}\n" * 20000)
    commit(project, "big")
    _scan(project, cache, file_budget=1e-9)
    _scan(project, cache, file_budget=1e-9)
    assert len(analyses) == 2


def test_a_replay_file_written_by_someone_else_is_not_trusted(project: Path, tmp_path: Path,
                                                             analyses: list[Path]) -> None:
    cache = tmp_path / "cache"
    _scan(project, cache)
    (replay,) = cache.glob("*.replay")
    replay.chmod(0o666)  # anyone may write it: not ftscan's own any more
    _scan(project, cache)
    assert len(analyses) == 2


@pytest.fixture
def plain_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The same project as a folder that is no git repository (an unpacked archive, a
    ``node_modules`` scanned with ``--no-ignore``): the walk's list is the replay's key.
    Files are seen as settled at once (the tests below write them a moment before scanning)."""
    monkeypatch.setattr(ftscan.cache.replay, "RACY_SECONDS", -3600)
    root = tmp_path / "plain"
    _write_service(root)
    write(root, ".gitignore", "build/\n")
    return root


@pytest.mark.parametrize("change", [
    "edit, same size", "add", "delete", "rename", "ignore file", "add ignored",
])
def test_a_tree_without_git_sees_every_change(plain_tree: Path, tmp_path: Path, change: str,
                                              analyses: list[Path]) -> None:
    cache = tmp_path / "cache"
    _scan(plain_tree, cache)
    if change == "edit, same size":
        text = (plain_tree / "config" / ".env").read_text()
        write(plain_tree, "config/.env", text.replace(MODEL, MODEL[:-1] + "X"))
    elif change == "add":
        write(plain_tree, "new.env", f"OTHER={OTHER}\n")
    elif change == "delete":
        (plain_tree / "config" / ".env").unlink()
    elif change == "rename":
        os.rename(plain_tree / "config" / ".env", plain_tree / "config" / "prod.env")
    elif change == "ignore file":
        write(plain_tree, ".gitignore", "build/\nconfig/\n")
    elif change == "add ignored":  # nothing the scan reads changed: replayed
        write(plain_tree, "build/out.env", f"OTHER={OTHER}\n")
    after = _scan(plain_tree, cache)
    assert len(analyses) == (1 if change == "add ignored" else 2)
    assert same_report(after, _scan(plain_tree, None))


def test_a_scan_that_saw_a_file_change_a_moment_ago_is_not_recorded(
        tmp_path: Path, analyses: list[Path]) -> None:
    """A file can change again within one timestamp tick, invisibly to lstat: a scan right
    after an edit is not replayed (the scan cache still saves the work)."""
    root = tmp_path / "fresh"
    write(root, "config/.env", f"RANKER_MODEL={MODEL}\n")
    cache = tmp_path / "cache"
    first = _scan(root, cache)
    again = _scan(root, cache)
    assert len(analyses) == 2
    assert same_report(first, again) and again.summary.files_from_cache == 1  # the cache did serve


def test_a_tracked_symlink_is_keyed_on_its_lstat_data(tmp_path: Path) -> None:
    """git vouches for a symlink's target path, not for what it points to: a symlink made again
    changes the key, while a tracked regular file is known by its blob id alone."""
    (tmp_path / "target.env").write_text("A=1\n")
    (tmp_path / "plain.py").write_text("x = 1\n")
    os.symlink("target.env", tmp_path / "link.env")
    blob = "0" * 40
    tracked = "\0".join([f"H 100644 {blob} 0\tplain.py", f"H 120000 {blob} 0\tlink.env",
                         f"H 100644 {blob} 0\ttarget.env", ""])
    first = ftscan.cache.replay.listing_digest(tmp_path, (tracked, "", ""))
    os.utime(tmp_path / "plain.py", ns=(1, 1))  # git's listing vouches for this one
    assert ftscan.cache.replay.listing_digest(tmp_path, (tracked, "", "")).digest == first.digest
    (tmp_path / "link.env").unlink()
    (tmp_path / "other.env").write_text("A=2\n")
    os.symlink("other.env", tmp_path / "link.env")
    os.utime(tmp_path / "link.env", ns=(2, 2), follow_symlinks=False)
    assert ftscan.cache.replay.listing_digest(tmp_path, (tracked, "", "")).digest != first.digest
