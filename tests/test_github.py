"""The GitHub Action's driver (``ftscan github``) and its comment step: what a pull request
gets, within GitHub's limits, and only from the action's own comment."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, commit, new_git_repo, write

from ftscan import github

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
MARKER = "<!-- ftscan:inventory -->"


def _pull_request(tmp_path: Path, added: str, base_files: dict[str, str] | None = None,
                  ) -> tuple[Path, dict[str, str]]:
    """A repository whose pull request (number 7) adds ``added`` as ``new.env``, and the
    runner's environment of ``ftscan github`` with comments on."""
    repo = new_git_repo(tmp_path / "svc")
    for name, text in (base_files or {"README.md": "svc\n"}).items():
        write(repo, name, text)
    base = commit(repo, "base")
    write(repo, "new.env" if added else "CHANGELOG.md", added or "a change without ids\n")
    commit(repo, "pull request")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": base},
                                                  "head": {"repo": {"full_name": "acme/svc"}}}}))
    runner = tmp_path / "runner"
    runner.mkdir()
    return repo, {
        "GITHUB_WORKSPACE": str(repo), "RUNNER_TEMP": str(runner),
        "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
        "GITHUB_OUTPUT": str(runner / "outputs"), "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/svc",
        "GITHUB_RUN_ID": "42", "FTSCAN_COMMENT": "true", "FTSCAN_CACHE": "false"}


def _outputs(env: dict[str, str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in Path(env["GITHUB_OUTPUT"]).read_text()
                .splitlines())


def test_comment_and_summary_stay_within_githubs_limits(tmp_path: Path) -> None:
    """3,000 new fine-tunes make an inventory of megabytes: the comment keeps to 65,536
    characters and the job summary to 1 MiB, the most urgent first, the rest counted, with
    links to the run's job summary and to the pull request's code scanning alerts."""
    ids = [f"ft:gpt-4o-mini-2024-07-18:acme:r{i:04d}:AbCd{i:04d}" for i in range(3000)]
    gone = "ft:gpt-3.5-turbo-0125:acme:old:Zz990000"  # shut down: the most urgent
    _, env = _pull_request(tmp_path, "".join(f"M{i}={m}\n" for i, m in enumerate(ids))
                           + f"OLD={gone}\n")
    lines: list[str] = []
    assert github.run(env, lines) == 1
    outputs = _outputs(env)
    comment = Path(outputs["comment-file"]).read_text(encoding="utf-8")
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    whole = Path(outputs["inventory-file"]).read_text(encoding="utf-8")
    assert len(whole.encode()) > 1024 * 1024  # too large for either, whole in the file
    assert len(comment.encode()) <= 65_536 and comment.startswith(f"{MARKER}\n## ")
    assert len(summary.encode("utf-8")) <= 1024 * 1024
    rows = [line for line in comment.splitlines() if line.startswith("| ") and "`ft:" in line]
    assert f"`{gone}`" in rows[0]
    last = comment.rstrip().splitlines()[-1]
    assert f"{3001 - len(rows):,} more model ids and the details of 3,001." in last
    assert "The job summary of [this run](https://github.com/acme/svc/actions/runs/42)" in last
    assert "[code scanning](https://github.com/acme/svc/security/code-scanning" \
           "?query=is%3Aopen+pr%3A7) has every finding" in last
    summary_rows = [line for line in summary.splitlines() if line.startswith("| ")]
    assert len(summary_rows) > len(rows)
    assert "3001 new findings on lines this pull request adds or changes" in summary
    assert (outputs["new-findings"], outputs["comment-mode"]) == ("3001", "post")


def test_a_pull_request_that_adds_nothing_asks_only_to_update(tmp_path: Path) -> None:
    """Nothing new: no comment is to be posted (comment-mode update-only), and the body an
    earlier comment is updated to says so."""
    _, env = _pull_request(tmp_path, "", {"app.env": f"M={FT}\n"})
    lines: list[str] = []
    assert github.run(env, lines) == 0
    outputs = _outputs(env)
    assert (outputs["new-findings"], outputs["comment-mode"]) == ("0", "update-only")
    body = Path(outputs["comment-file"]).read_text()
    assert body == (f"{MARKER}\nftscan: 0 new findings on lines this pull request adds or "
                    "changes (1 in the repository, 0 suppressed).\n")


def test_a_missing_baseline_is_a_warning_and_a_broken_one_ends_after_the_sarif(
        tmp_path: Path) -> None:
    repo, env = _pull_request(tmp_path, f"M={FT}\n")
    lines: list[str] = []
    assert github.run({**env, "FTSCAN_BASELINE": ".ftscan-baseline.json"}, lines) == 1
    assert lines[0].startswith("::warning title=ftscan::.ftscan-baseline.json: baseline file "
                               "does not exist")
    sarif = Path(env["RUNNER_TEMP"]) / "ftscan.sarif"
    assert json.loads(sarif.read_text())["runs"][0]["results"]
    sarif.unlink()
    write(repo, "broken.json", "{not json")
    lines = []
    assert github.run({**env, "FTSCAN_BASELINE": "broken.json"}, lines) == 2
    assert lines[0].startswith("::error title=ftscan::") and "broken.json" in lines[0]
    assert json.loads(sarif.read_text())["runs"][0]["results"]  # written all the same
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text()


# ------------------------------------------------------------------ the action's comment step

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
COMMENT_STEP = next(s for s in ACTION["runs"]["steps"]
                    if s.get("name") == "Comment on the pull request")
BOT = {"login": "github-actions[bot]", "type": "Bot"}
SOMEONE = {"login": "mallory", "type": "User"}


def _comment_step(tmp_path: Path, comments: list[dict[str, Any]], mode: str) -> list[str]:
    """Run the step's script against a ``gh`` that answers the listing from ``comments``
    (applying the step's ``--jq`` with jq, as gh does) and logs every call."""
    fake = tmp_path / "bin"
    fake.mkdir(parents=True)
    (tmp_path / "comments.json").write_text(json.dumps(comments))
    gh = fake / "gh"
    gh.write_text(f"""#!/bin/sh
echo "$@" >> "{tmp_path}/gh.log"
while [ $# -gt 0 ]; do
  if [ "$1" = "--jq" ]; then jq -r "$2" "{tmp_path}/comments.json"; exit; fi
  shift
done
""")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    body = tmp_path / "comment.md"
    body.write_text(f"{MARKER}\nbody\n")
    env = {"PATH": f"{fake}:{os.environ['PATH']}", "GITHUB_REPOSITORY": "acme/svc",
           "GH_TOKEN": "t", "FTSCAN_COMMENT_FILE": str(body), "FTSCAN_COMMENT_MODE": mode,
           "FTSCAN_PR": "7"}
    proc = subprocess.run(["bash", "-e", "-c", COMMENT_STEP["run"]], env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return (tmp_path / "gh.log").read_text().splitlines()[1:]  # after the listing


needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


@needs_jq
def test_the_comment_step_edits_only_its_own_comment(tmp_path: Path) -> None:
    """Someone else's comment that starts with the marker is never edited: the bot's is."""
    comments = [{"id": 1, "user": SOMEONE, "body": f"{MARKER}\nlook, a fake"},
                {"id": 2, "user": BOT, "body": "an unrelated bot comment"},
                {"id": 3, "user": BOT, "body": f"{MARKER}\nthe last push's"}]
    (call,) = _comment_step(tmp_path, comments, "post")
    assert call.startswith("api --method PATCH repos/acme/svc/issues/comments/3 ")


@needs_jq
def test_the_comment_step_posts_beside_a_lookalike_and_updates_only_when_asked(
        tmp_path: Path) -> None:
    lookalike = [{"id": 1, "user": SOMEONE, "body": f"{MARKER}\nlook, a fake"}]
    (call,) = _comment_step(tmp_path / "a", lookalike, "post")
    assert call.startswith("api --method POST repos/acme/svc/issues/7/comments ")
    assert _comment_step(tmp_path / "b", lookalike, "update-only") == []  # nothing to say
    own = [*lookalike, {"id": 5, "user": BOT, "body": f"{MARKER}\n3 new findings"}]
    (call,) = _comment_step(tmp_path / "c", own, "update-only")
    assert call.startswith("api --method PATCH repos/acme/svc/issues/comments/5 ")
