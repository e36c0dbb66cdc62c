"""The release path (.github/workflows/release.yml): a version tag builds, publishes with
trusted publishing, makes a GitHub release and moves the major tag. Its steps' scripts run
here against a stand-in for ``gh``; GitHub's schema and zizmor check the workflow in
``tests/test_integrations.py``."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import yaml
from conftest import REPO

from ftscan import __version__

WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
JOBS = WORKFLOW["jobs"]


def _step(job: str, name: str) -> dict[str, object]:
    return next(s for s in JOBS[job]["steps"] if s.get("name") == name)


def _run(step: dict[str, object], env: dict[str, str],
         cwd: Path) -> subprocess.CompletedProcess[str]:
    """A step's script with its env (what ``${{ }}`` gives, set by the caller)."""
    return subprocess.run(["bash", "-e", "-c", str(step["run"])], cwd=cwd,
                          env={"PATH": os.environ["PATH"], **env}, capture_output=True,
                          text=True, check=False)


def test_a_version_tag_starts_it_and_only_the_publish_job_may_mint_a_token() -> None:
    on = WORKFLOW[True]  # YAML 1.1 reads the key "on" as true
    assert on == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}  # GitHub's filter syntax
    assert WORKFLOW["permissions"] == {}
    assert {job: spec["permissions"] for job, spec in JOBS.items()} == {
        "build": {"contents": "read"}, "publish": {"id-token": "write"},
        "release": {"contents": "write"}}
    (publish,) = [s for s in JOBS["publish"]["steps"]
                  if "gh-action-pypi-publish" in str(s.get("uses"))]
    assert "with" not in publish  # no password: trusted publishing
    assert JOBS["publish"]["environment"]["name"] == "pypi"
    assert JOBS["publish"]["needs"] == "build" and JOBS["release"]["needs"] == "publish"
    build = _step("build", "Build the sdist and the wheel")
    assert "python -m build" in str(build["run"])  # both the sdist and the wheel


def test_the_tag_must_be_the_packages_version(tmp_path: Path) -> None:
    step = _step("build", "The tag is the package's version")
    assert _run(step, {"TAG": f"v{__version__}"}, REPO).returncode == 0
    wrong = _run(step, {"TAG": "v9.9.9"}, REPO)
    assert wrong.returncode == 1 and "is not the package's version" in wrong.stdout


def _fake_gh(tmp_path: Path, has_major: bool) -> Path:
    """A ``gh`` that logs its arguments, and knows the major tag or not."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/gh.log"\n'
                  'case "$*" in "api repos/"*"/git/ref/tags/"*) '
                  f'exit {0 if has_major else 1};; esac\n')
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def test_the_release_holds_both_files_and_the_major_tag_follows_it(tmp_path: Path) -> None:
    step = _step("release", "GitHub release, and the major tag moved to it")
    (tmp_path / "dist").mkdir()
    for name in ("ftscan-0.1.0.tar.gz", "ftscan-0.1.0-py3-none-any.whl"):
        (tmp_path / "dist" / name).write_text("")
    sha = "1" * 40
    for has_major, method in ((False, "POST"), (True, "PATCH")):
        runner = tmp_path / method
        runner.mkdir()
        (runner / "dist").symlink_to(tmp_path / "dist")
        env = {"PATH": f"{_fake_gh(runner, has_major)}:{os.environ['PATH']}",
               "GH_TOKEN": "t", "TAG": "v0.1.0", "GITHUB_REPOSITORY": "ftscan/ftscan",
               "GITHUB_SHA": sha}
        proc = _run(step, env, runner)
        assert proc.returncode == 0, proc.stderr
        calls = (runner / "gh.log").read_text().splitlines()
        assert calls[0].startswith("release create v0.1.0 dist/ftscan-0.1.0-py3-none-any.whl "
                                   "dist/ftscan-0.1.0.tar.gz --repo ftscan/ftscan")
        assert "--verify-tag" in calls[0]
        moved = calls[-1]
        assert moved.startswith(f"api --method {method} repos/ftscan/ftscan/git/refs")
        assert f"sha={sha}" in moved
        assert ("tags/v0" in moved) if method == "PATCH" else ("ref=refs/tags/v0" in moved)
