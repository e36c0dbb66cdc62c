"""In a git repository git lists the files: the same files the walk would read, the cache
trusting what git reports unchanged by its blob id."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import commit, git, new_git_repo, run_scan, write

from ftscan.discovery import FileEntry, IgnoreRules, SkippedEntry, listed, walk
from ftscan.gitfiles import parse_listing, start_listing
from ftscan.pipeline.reading import read_bytes

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-2024-08-06:acme:ranker:ZyXw9876"


def _view(entries: list[FileEntry | SkippedEntry]) -> dict[str, str]:
    return {e.relpath: "file" if isinstance(e, FileEntry) else e.reason for e in entries}


def _both(root: Path, exclude: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """What the plain walk and git's listing each give for ``root`` (files git reports
    unchanged are not looked at on disk until their bytes are wanted)."""
    walked = list(walk(root, [root], IgnoreRules(root, exclude), 1 << 20))
    listing = start_listing(root, [""]).result()
    assert listing is not None
    rules = IgnoreRules(root, exclude, git_applied=True)
    entries = list(listed(root, listing, rules, 1 << 20))
    unseen = {e.relpath for e in entries if isinstance(e, FileEntry) and not e.settled}
    assert unseen == {rel for rel, _ in listing.unchanged} - {"vendor/v.env", "svc/tests/t.env"}
    return _view(walked), _view([_as_read(e) for e in entries])


def _as_read(entry: FileEntry | SkippedEntry) -> FileEntry | SkippedEntry:
    """An entry git vouched for unseen, as reading it finds it (too large, say)."""
    if isinstance(entry, FileEntry) and not entry.settled:
        data = read_bytes(entry, binary_ok=True, max_size=1 << 20)
        if isinstance(data, SkippedEntry):
            return data
    return entry


@pytest.fixture
def gitrepo(tmp_path: Path) -> Path:
    return new_git_repo(tmp_path / "repo")


def test_git_lists_the_files_the_walk_would_read(gitrepo: Path, tmp_path: Path) -> None:
    root = gitrepo
    for rel in ["app/a.env", "app/changed.env", "app/gone.env", "logs/x.log", "keep.env",
                "vendor/v.env", "svc/tests/t.env", "svc/deep/d.env"]:
        write(root, rel, f"M={FT}\n")
    write(root, ".gitignore", "logs/\n*.local.env\n")
    write(root, "svc/.ftscanignore", "tests/\n")
    write(root, ".ftscanignore", "/vendor/\n")
    write(root, "big.env", "#" * (3 << 20))
    os.symlink("app/a.env", root / "inside.env")
    commit(root, "first")
    write(root, "forced.local.env", f"M={FT}\n")
    git(root, "add", "-f", "forced.local.env")  # tracked, but the ignore rules match it
    git(root, "commit", "-q", "-m", "forced")
    write(root, "app/changed.env", f"M={FT2}\n")
    (root / "app/gone.env").unlink()
    write(root, "new/untracked.env", f"M={FT}\n")
    write(root, "new/ignored.local.env", f"M={FT}\n")
    nested = new_git_repo(root / "nested")  # a repository of its own, untracked
    write(nested, "n.env", f"M={FT}\n")
    walked, listed_ = _both(root, exclude=("*.tmp",))
    # a tracked file is part of the repository whatever .gitignore says (git's own rule); only
    # git knows which files are tracked, so the walk without it leaves the file out
    assert listed_.pop("forced.local.env") == "file" and "forced.local.env" not in walked
    assert listed_ == walked
    assert listed_["app/changed.env"] == "file" and "app/gone.env" not in listed_
    assert listed_["inside.env"] == "symlink" and listed_["big.env"] == "too-large"
    assert not {"new/ignored.local.env", "logs/x.log", "vendor/v.env",
                "svc/tests/t.env", "nested/n.env"} & listed_.keys()
    assert {"new/untracked.env", "svc/deep/d.env", "keep.env"} <= listed_.keys()
    result = run_scan(root, cache_dir=tmp_path / "cache", max_file_size=1 << 20)
    assert "too-large" not in result.summary.skipped  # read in pieces, for ids only
    assert {f.location.path for f in result.findings} >= {"keep.env", "forced.local.env"}


def test_the_listing_leaves_out_what_is_not_on_disk_or_not_this_repository() -> None:
    blob = "0" * 40
    tracked = "\0".join([
        f"H 100644 {blob} 0\ta.py",
        f"H 100755 {blob} 0\tbin/run.py",
        f"S 100644 {blob} 0\tsparse/out.py",  # skip-worktree: looked for on disk
        f"h 100644 {blob} 0\tassumed.py",  # assume-unchanged: git never looks, so ftscan does
        f"H 160000 {blob} 0\tsubmodule",
        f"H 120000 {blob} 0\tlink.py",
        f"M 100644 {blob} 1\tconflict.py",
        f"M 100644 {blob} 2\tconflict.py",
        f"H 100644 {blob} 0\tedited.py",
        f"H 100644 {blob} 0\tforced.log",  # tracked: read, whatever .gitignore says
    ]) + "\0"
    listing = parse_listing(tracked, "edited.py\0", "new.py\0nested/\0")
    assert listing.unchanged == [("a.py", blob), ("bin/run.py", blob), ("forced.log", blob)]
    assert listing.others == ["sparse/out.py", "assumed.py", "link.py", "conflict.py",
                              "edited.py", "new.py"]


def test_the_cache_follows_commits_and_edits_by_blob_id(gitrepo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    write(gitrepo, "app.env", f"M={FT}\n")
    write(gitrepo, "other.env", "X=1\n")
    commit(gitrepo, "one")

    def ids() -> list[str]:
        return sorted(f.model_id for f in run_scan(gitrepo, cache_dir=cache).findings)

    assert ids() == [FT]
    second = run_scan(gitrepo, cache_dir=cache)
    assert second.summary.files_from_cache == second.summary.files_read == 2
    write(gitrepo, "app.env", f"M={FT2}\n")  # edited, not committed
    assert ids() == [FT2]
    commit(gitrepo, "two")  # now unchanged again, under a new blob id
    assert ids() == [FT2]
    git(gitrepo, "checkout", "-q", "HEAD~1")  # content and blob id change back
    assert ids() == [FT]


def test_a_git_location_from_the_environment_is_not_used(
        gitrepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(gitrepo, "app.env", f"M={FT}\n")
    commit(gitrepo, "one")
    elsewhere = new_git_repo(tmp_path / "elsewhere")
    write(elsewhere, ".git/info/exclude", "*.env\n")  # would hide the file if git used it
    monkeypatch.setenv("GIT_DIR", str(elsewhere / ".git"))  # as inside a git hook
    monkeypatch.setenv("GIT_INDEX_FILE", str(elsewhere / ".git" / "index"))
    assert [f.location.path for f in run_scan(gitrepo).findings] == ["app.env"]


@pytest.mark.skipif(sys.platform == "win32", reason="PATH lookup differs")
def test_without_git_the_walk_gives_the_same_result(
        gitrepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(gitrepo, ".gitignore", "*.log\n")
    write(gitrepo, "app.env", f"M={FT}\n")
    write(gitrepo, "run.log", f"M={FT}\n")
    write(gitrepo, "new.env", f"M={FT2}\n")
    commit(gitrepo, "one")
    with_git = run_scan(gitrepo, cache_dir=tmp_path / "c1")
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    without_git = run_scan(gitrepo, cache_dir=tmp_path / "c2")
    assert [f.location.path for f in with_git.findings] == ["app.env", "new.env"]
    assert ([f.fingerprint for f in without_git.findings]
            == [f.fingerprint for f in with_git.findings])


def test_an_excluded_folder_is_skipped_whole_and_its_neighbours_are_kept(tmp_path: Path) -> None:
    """Listed paths are sorted, so an excluded folder is one run that is skipped at once; names
    that sort around it (``node_modules.txt`` before, ``node_modules0/``, ``node_modules_x/``
    after) are not part of it."""
    blob = "0" * 40
    inside = [f"node_modules/pkg{n}/index.js" for n in range(50)]
    kept = ["a.env", "node_modules.txt", "node_modules0/x.env", "node_modules_x/y.env",
            "src/node_modules_like.py", "z.env"]
    listing = parse_listing(
        "".join(f"100644 {blob} 0\t{p}\0" for p in sorted([*inside, *kept])).replace(
            "100644", "H 100644"), "", "")
    rules = IgnoreRules(tmp_path, git_applied=True)
    names = [e.relpath for e in listed(tmp_path, listing, rules, 1 << 20)]
    assert names == sorted(kept)
    everything = IgnoreRules(tmp_path, git_applied=True, default_excludes=False)
    assert len(list(listed(tmp_path, listing, everything, 1 << 20))) == len(inside) + len(kept)
