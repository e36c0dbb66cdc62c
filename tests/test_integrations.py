"""The GitHub Action and the pre-commit hooks, tested as users run them."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import DATA, REPO, commit, git, new_git_repo

pytestmark = pytest.mark.slow
"""Every test here installs ftscan afresh or runs a real tool end to end."""

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-2024-08-06:acme:tagger:EfGh5678"
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert path, f"{name} is a test dependency (pip install '.[test]')"
    return path


# ---------------------------------------------------------------- the action's metadata


def test_action_and_example_workflow_validate_against_github_schemas() -> None:
    tool = _tool("check-jsonschema")
    for schema, path in (("vendor.github-actions", "action.yml"),
                         ("vendor.github-workflows", "docs/examples/ftscan-pull-request.yml"),
                         ("vendor.github-workflows", "docs/examples/ftscan-org-sweep.yml"),
                         ("vendor.github-workflows", ".github/workflows/release.yml")):
        proc = subprocess.run([tool, "--builtin-schema", schema, path], cwd=REPO,
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_reports_nothing() -> None:
    proc = subprocess.run([_tool("zizmor"), "--offline", "--config", "zizmor.yml", "action.yml",
                           "docs/examples/ftscan-pull-request.yml",
                           "docs/examples/ftscan-org-sweep.yml",
                           ".github/workflows/release.yml"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_inputs_reach_scripts_only_through_env() -> None:
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default", ""), str), name
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step.get("shell") == "bash"
        else:
            assert re.search(r"@[0-9a-f]{40}$", step["uses"]), step["uses"]
    assert set(ACTION["outputs"]) >= {"findings", "new-findings", "sarif-file",
                                      "inventory-file"}


# ---------------------------------------------------------------- the action, end to end


_NAME = re.compile(r"\b(?:inputs|steps|github|runner)(?:\.[A-Za-z_][\w-]*)+")


def _lookup(name: str, context: dict[str, Any]) -> Any:
    value: Any = context
    for part in name.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def _expand(text: str, context: dict[str, Any]) -> str:
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: str(_lookup(m.group(1), context)), text)


def _condition(text: str, context: dict[str, Any]) -> bool:
    expr = text.strip().removeprefix("${{").removesuffix("}}")
    expr = _NAME.sub(lambda m: repr(str(_lookup(m.group(0), context))), expr)
    expr = expr.replace("always()", "True").replace("&&", " and ").replace("||", " or ")
    return bool(eval(expr, {"__builtins__": {}}, {}))  # noqa: S307 - our own action.yml


def run_action(workspace: Path, temp: Path, inputs: dict[str, str], event: dict[str, Any],
               fake_bin: Path, caches: dict[str, Path] | None = None,
               sha: str = "0" * 40, event_name: str = "pull_request") -> dict[str, Any]:
    """Run action.yml's steps as the runner would: bash for run steps, recorded uses steps.
    ``caches`` stands in for the actions cache service (key to saved folder): restore copies
    the entry with the key, else the newest one whose key starts with a restore key; save
    copies the folder in."""
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    event_path = temp / "event.json"
    event_path.write_text(json.dumps(event))
    context: dict[str, Any] = {
        "inputs": {**defaults, **inputs},
        "steps": {},
        "github": {"token": "ghs_test", "event_name": event_name, "event": event,
                   "repository": "acme/svc", "sha": sha},
        "runner": {"temp": str(temp), "os": "Linux"},
    }
    summary = temp / "summary.md"
    base_env = {
        "PATH": f"{fake_bin}:{os.environ['PATH']}", "HOME": str(temp),
        "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": "acme/svc", "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    record: dict[str, Any] = {"steps": [], "uses": {}, "summary": summary}
    failed = False
    for index, step in enumerate(ACTION["runs"]["steps"]):
        step_id = step.get("id", f"step{index}")
        condition = step.get("if")
        if condition is not None and (failed and "always()" not in condition
                                      or not _condition(condition, context)):
            continue
        if failed and condition is None:
            continue
        if "uses" in step:
            with_ = {k: _expand(str(v), context) for k, v in step.get("with", {}).items()}
            record["uses"][step["uses"].split("@")[0]] = with_
            if "setup-python" in step["uses"]:
                context["steps"][step_id] = {"outputs": {"python-path": sys.executable}}
            elif "actions/cache/" in step["uses"] and caches is not None:
                context["steps"][step_id] = {"outputs": _cache_step(step["uses"], with_,
                                                                    caches)}
            continue
        output = temp / f"output-{index}"
        output.write_text("")
        env = {**base_env, "GITHUB_OUTPUT": str(output),
               **{k: _expand(str(v), context) for k, v in step.get("env", {}).items()}}
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=workspace,
                              capture_output=True, text=True, check=False)
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()
                       if "=" in line)
        context["steps"][step_id] = {"outputs": outputs}
        record["steps"].append((step.get("name"), proc.returncode, proc.stdout, proc.stderr))
        failed = failed or proc.returncode != 0
    record["outputs"] = {k: _expand(v["value"], context) for k, v in ACTION["outputs"].items()}
    record["failed"] = failed
    return record


def _cache_step(uses: str, with_: dict[str, str], caches: dict[str, Path]) -> dict[str, str]:
    """actions/cache/restore or /save, against ``caches`` (saved beside the runner's temp)."""
    folder = Path(with_["path"])
    if "/save@" in uses:
        saved = folder.parent.parent / f"saved-cache-{len(caches)}"
        shutil.copytree(folder, saved)
        caches[with_["key"]] = saved
        return {}
    key = with_["key"]
    found = key if key in caches else next(
        (k for k in reversed(list(caches)) if k.startswith(with_.get("restore-keys", key))),
        None)
    if found is not None:
        shutil.copytree(caches[found], folder, dirs_exist_ok=True)
    return {"cache-hit": str(found == key).lower(), "cache-matched-key": found or ""}


def test_action_runs_end_to_end_on_a_pull_request(tmp_path: Path) -> None:
    repo = new_git_repo(tmp_path / "svc")
    (repo / ".env").write_text(f"RANKER_MODEL={FT}\n")
    base = commit(repo, "base")
    (repo / "new.env").write_text(f"TAGGER_MODEL={FT2}\n")
    commit(repo, "pull request")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    gh_log = tmp_path / "gh.log"
    gh = fake_bin / "gh"
    gh.write_text(f'#!/bin/sh\necho "$@" >> "{gh_log}"\n')
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    event = {"pull_request": {"number": 7, "base": {"sha": base},
                              "head": {"repo": {"full_name": "acme/svc"}}}}
    record = run_action(repo, temp, {"comment": "true"}, event, fake_bin)

    names = [(name, code) for name, code, _, _ in record["steps"]]
    assert names == [("Install ftscan", 0), ("Run ftscan", 0),
                     ("Comment on the pull request", 0), ("Fail on new findings", 1)], \
        record["steps"]
    scan_out = record["steps"][1][2]
    annotations = [line for line in scan_out.splitlines() if line.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=new.env,line=1,col=14,title=FT001 definition")
    outputs = record["outputs"]
    assert (outputs["findings"], outputs["new-findings"]) == ("2", "1")
    sarif_path = Path(outputs["sarif-file"])
    assert record["uses"]["github/codeql-action/upload-sarif"] == {
        "sarif_file": str(sarif_path), "category": "ftscan"}
    log = json.loads(sarif_path.read_text())
    jsonschema.Draft7Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
                               ).validate(log)
    assert len(log["runs"][0]["results"]) == 2  # SARIF covers the whole repository
    summary = record["summary"].read_text()
    assert FT2 in summary and FT not in summary
    assert "1 new finding on lines this pull request adds or changes" in summary
    calls = gh_log.read_text().splitlines()
    assert calls[0].startswith("api repos/acme/svc/issues/7/comments --paginate")
    assert calls[1].startswith("api --method POST repos/acme/svc/issues/7/comments")
    comment = (temp / "ftscan-comment.md").read_text()
    assert comment.startswith("<!-- ftscan:inventory -->") and FT2 in comment


def test_the_action_keeps_its_scan_cache_between_runs(tmp_path: Path) -> None:
    """A pull request's next push restores the cache the last run saved (by the restore-key
    prefix) and reads only the file that changed; the new finding is still reported."""
    repo = new_git_repo(tmp_path / "svc")
    (repo / ".env").write_text(f"RANKER_MODEL={FT}\n")
    for n in range(30):
        (repo / f"src/m{n}.py").parent.mkdir(exist_ok=True)
        (repo / f"src/m{n}.py").write_text(f"import os\nVALUE_{n} = os.environ.get('X')\n")
    base = commit(repo, "base")
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    event = {"pull_request": {"number": 7, "base": {"sha": base},
                              "head": {"repo": {"full_name": "acme/svc"}}}}
    caches: dict[str, Path] = {}

    def push(sha: str) -> dict[str, Any]:
        temp = tmp_path / "runner-temp"  # a fresh runner each time, at the same place
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir()
        return run_action(repo, temp, {"summary": "false"}, event, fake_bin, caches, sha)

    first = push(base)
    assert list(caches) == [f"ftscan-Linux-ftscan-{base}"]
    assert "from the cache" not in first["steps"][1][2]
    (repo / "new.env").write_text(f"TAGGER_MODEL={FT2}\n")
    head = commit(repo, "pull request")
    second = push(head)
    out = second["steps"][1][2]
    assert "unchanged, from the cache" in out, out
    assert second["outputs"]["new-findings"] == "1"
    assert list(caches) == [f"ftscan-Linux-ftscan-{base}", f"ftscan-Linux-ftscan-{head}"]
    again = push(head)  # a re-run of the same commit: restored whole, not saved again
    assert "unchanged, from the cache" in again["steps"][1][2]
    assert len(caches) == 2


def test_the_action_saves_and_uploads_nothing_on_pull_request_target(tmp_path: Path) -> None:
    """pull_request_target runs a fork's pull request with the base repository's token, cache
    scope and code scanning ref: the action refuses it, restores and saves no cache and
    uploads no SARIF (the SARIF and cache steps are skipped whatever ftscan version runs)."""
    repo = new_git_repo(tmp_path / "svc")
    (repo / ".env").write_text(f"RANKER_MODEL={FT}\n")
    base = commit(repo, "base")
    (repo / "new.env").write_text(f"TAGGER_MODEL={FT2}\n")
    commit(repo, "the fork's pull request")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    event = {"pull_request": {"number": 7, "base": {"sha": base},
                              "head": {"repo": {"full_name": "fork/svc"}}}}
    caches: dict[str, Path] = {}
    record = run_action(repo, temp, {"comment": "true"}, event, fake_bin, caches, base,
                        event_name="pull_request_target")
    assert record["failed"]
    assert [(name, code) for name, code, _, _ in record["steps"]] == [
        ("Install ftscan", 0), ("Run ftscan", 2)]
    assert "::error title=ftscan::ftscan does not run on pull_request_target" in \
        record["steps"][1][2]
    assert caches == {}
    assert set(record["uses"]) == {"actions/setup-python"}  # no cache step, no SARIF upload
    assert not (temp / "ftscan-cache").exists() and not (temp / "ftscan.sarif").exists()


@pytest.mark.parametrize("event_name", ["pull_request", "push", "pull_request_target"])
def test_whatever_ftscan_version_runs_pull_request_target_gets_no_cache_or_upload(
        event_name: str) -> None:
    """The action's input ``version`` may install an ftscan that predates the refusal: the
    cache and SARIF steps themselves skip pull_request_target, even after a scan that worked."""
    steps = {step["name"]: step for step in ACTION["runs"]["steps"]}
    context = {"inputs": {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()},
               "steps": {"cache": {"outputs": {"cache-hit": "false"}},
                         "scan": {"outputs": {"exit-code": "0", "sarif-file": "/t/x.sarif"}}},
               "github": {"event_name": event_name, "repository": "acme/svc",
                          "event": {"pull_request": {"head": {"repo": {
                              "full_name": "acme/svc"}}}}}}
    for name in ("Restore ftscan's scan cache", "Save ftscan's scan cache",
                 "Upload SARIF to code scanning"):
        assert _condition(steps[name]["if"], context) is (event_name != "pull_request_target")


# ---------------------------------------------------------------- pre-commit, for real


def test_pre_commit_hooks_work_with_try_repo(tmp_path: Path) -> None:
    tool = _tool("pre-commit")
    repo = new_git_repo(tmp_path / "project")
    (repo / "README.md").write_text("# project\n")
    commit(repo, "init")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def hook(hook_id: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tool, "try-repo", str(REPO), hook_id, "--verbose"], cwd=repo,
                              env=env, capture_output=True, text=True, check=False)

    (repo / ".env").write_text(f"RANKER_MODEL={FT}\n")
    git(repo, "add", ".env")
    for hook_id in ("ftscan-staged", "ftscan"):
        proc = hook(hook_id)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert FT in proc.stdout and ".env" in proc.stdout
    commit(repo, "accept for now")
    (repo / "notes.txt").write_text("nothing to see\n")
    git(repo, "add", "notes.txt")
    for hook_id in ("ftscan-staged", "ftscan"):
        proc = hook(hook_id)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # the baseline the failing hook's hint suggests is the one both hooks read
    (repo / ".env").write_text(f"# the ranker\nRANKER_MODEL={FT}\n")
    git(repo, "add", ".env")
    assert hook("ftscan").returncode == 1
    subprocess.run([_tool("ftscan"), "baseline", "create", "."], cwd=repo, check=True,
                   capture_output=True)
    git(repo, "add", ".ftscan-baseline.json")
    for hook_id in ("ftscan-staged", "ftscan"):
        proc = hook(hook_id)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hook_manifest_is_valid() -> None:
    proc = subprocess.run([_tool("pre-commit"), "validate-manifest", ".pre-commit-hooks.yaml"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["ftscan"]["require_serial"] is True
    assert hooks["ftscan-staged"]["pass_filenames"] is False


def test_github_driver_outside_a_runner_writes_nothing_into_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from ftscan import github

    repo = new_git_repo(tmp_path / "svc")
    (repo / "a.env").write_text(f"M={FT}\n")
    elsewhere = tmp_path / "tmp"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    lines: list[str] = []
    code = github.run({"GITHUB_WORKSPACE": str(repo), "FTSCAN_FAIL_ON": "warning"}, lines)
    assert code == 1
    assert sorted(p.name for p in repo.iterdir()) == [".git", "a.env"]
    assert {p.name for p in elsewhere.iterdir()} >= {"ftscan.sarif", "ftscan-inventory.md"}
    assert lines[-1] == "ftscan: 1 new finding in the repository (1 in the repository, " \
                        "0 suppressed)."
