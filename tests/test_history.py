"""``scan --history``: ids that live only in past commits, found by reading each blob once.

The fixture repository is built here, commit by commit (:func:`history_repo`): ids added,
moved, renamed, replaced and deleted, a binary, a blob over the size limit. Its history is
checked both ways: what ftscan reports against what the test planted, and against git's own
``git log -p`` (every id that any diff adds, less the tree's and the binary's).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import AS_OF, DATA, git, new_git_repo, run_scan, write

from ftscan import inventory as inv
from ftscan.cli import main
from ftscan.history import scan as history_scan
from ftscan.lifecycle import load_lifecycle
from ftscan.models import Level
from ftscan.providers.base import ProviderState, RemoteModel
from ftscan.reconcile.join import reconcile
from ftscan.reporters import is_own_report, scan_reporter
from ftscan.reporters.inventory_json import render as inventory_json
from ftscan.result import HistoryRange
from ftscan.ruleset import load_rules

ROUTE_OLD = "ft:gpt-4o-2024-08-06:acme:router:Rout0001"
ROUTE_NEW = "ft:gpt-4o-2024-08-06:acme:router:Rout0002"
ENV_ID = "ft:gpt-4o-mini-2024-07-18:acme:billing:Envv0001"
RENAMED = "ft:gpt-4o-2024-08-06:acme:moved:Move0001"
MOVED_KEPT = "ft:gpt-4o-2024-08-06:acme:kept:Kept0001"
IN_BINARY = "ft:gpt-4o-2024-08-06:acme:binary:Bina0001"
IN_HUGE = "ft:gpt-4o-2024-08-06:acme:huge:Huge0001"
DOCS_ID = "ft:gpt-4o-2024-08-06:acme:docs:Docs0001"
VENDORED = "ft:gpt-4o-2024-08-06:acme:vendor:Vend0001"
FT001 = re.compile(r"ft:[a-z0-9][a-z0-9._-]*:[A-Za-z0-9_-]*:[A-Za-z0-9._-]*:[A-Za-z0-9]{8}")
SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "ftscan" / "schemas"
                     / "report-v1.schema.json").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def commit_on(repo: Path, message: str, day: str) -> str:
    """Commit everything with this committer date; the new commit's id."""
    git(repo, "add", "-A")
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True,
                   env={**os.environ, "GIT_COMMITTER_DATE": day, "GIT_AUTHOR_DATE": day})
    return git(repo, "rev-parse", "HEAD").strip()


def huge_text(model_id: str) -> str:
    """Text over the 2 MiB size limit, ``model_id`` on a line that straddles the first
    megabyte (the first piece of the search ends inside it)."""
    filler = "".join(f"row {i:07d} nothing to see here\n" for i in range(40_000))
    cut = filler.rfind("\n", 0, (1 << 20) - 20) + 1
    return filler[:cut] + f"model: {model_id}\n" + filler[cut:] + filler


def history_repo(path: Path) -> dict[str, str]:
    """The fixture repository; the commits by name."""
    repo = new_git_repo(path)
    commits = {}
    days = iter(f"2024-01-0{day}T12:00:00Z" for day in range(1, 10))
    write(repo, "app/route.py", f'MODEL = "{ROUTE_OLD}"\n')
    write(repo, ".env", f"OPENAI_MODEL={ENV_ID}\n")
    write(repo, "app/config.py", f'FINE_TUNE = "{RENAMED}"\n')
    write(repo, "deploy/a.yaml", f"model: {MOVED_KEPT}\n")
    write(repo, "assets/logo.bin", b"\x89PNG\r\n\x1a\n\x00\x00" + IN_BINARY.encode() + b"\x00")
    write(repo, "data/huge.txt", huge_text(IN_HUGE))
    write(repo, "docs/notes.md", f"We used `{DOCS_ID}` once.\n")
    write(repo, "node_modules/pkg/index.js", f'module.exports = "{VENDORED}";\n')
    commits["add"] = commit_on(repo, "add everything", next(days))
    git(repo, "rm", "-q", ".env")
    commits["env gone"] = commit_on(repo, "drop the committed .env", next(days))
    git(repo, "mv", "app/config.py", "app/settings.py")
    commits["rename"] = commit_on(repo, "rename the config", next(days))
    write(repo, "app/route.py", f'MODEL = "{ROUTE_NEW}"\n')
    git(repo, "mv", "deploy/a.yaml", "deploy/b.yaml")
    write(repo, "deploy/b.yaml", f"# moved\nmodel: {MOVED_KEPT}\n")
    commits["replace"] = commit_on(repo, "new router model; move the deploy file", next(days))
    git(repo, "rm", "-q", "app/settings.py", "data/huge.txt")
    commits["delete"] = commit_on(repo, "delete the settings and the data", next(days))
    return commits


@pytest.fixture
def fixture_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "repo"
    return repo, history_repo(repo)


def by_id(findings: tuple) -> dict:  # type: ignore[type-arg]
    return {f.model_id: f for f in findings}


def test_history_reports_ids_only_past_commits_hold(fixture_repo, tmp_path: Path) -> None:
    repo, commits = fixture_repo
    result = run_scan(repo, history=HistoryRange(), cache_dir=tmp_path / "cache")
    in_head = {f.model_id for f in result.findings}
    assert in_head == {ROUTE_NEW, MOVED_KEPT, DOCS_ID}
    past = by_id(result.history)
    assert set(past) == {ROUTE_OLD, ENV_ID, RENAMED, IN_HUGE}
    env = past[ENV_ID]
    assert env.history.last.sha == commits["add"] and env.history.removed.sha == commits[
        "env gone"]
    assert (env.location.path, env.location.start_line, env.context) == (
        ".env", 1, "env OPENAI_MODEL")
    renamed = past[RENAMED].history  # last seen where the rename took it
    assert past[RENAMED].location.path == "app/settings.py"
    assert (renamed.first.sha, renamed.last.sha, renamed.removed.sha) == (
        commits["add"], commits["replace"], commits["delete"])
    assert renamed.last.day.isoformat() == "2024-01-04"
    route = past[ROUTE_OLD].history
    assert (route.last.sha, route.removed.sha) == (commits["rename"], commits["replace"])
    huge = past[IN_HUGE]  # over the size limit: searched in pieces, found across the first
    assert huge.kind.startswith("text of a large file") and huge.location.path == \
        "data/huge.txt"
    assert huge.location.start_line == huge_text(IN_HUGE).count("\n", 0, huge_text(
        IN_HUGE).index(IN_HUGE)) + 1
    assert all(f.level is Level.NOTE and f.history is not None for f in result.history)
    assert "removed by" in env.message and commits["env gone"][:12] in env.message
    summary = result.summary.history
    assert summary.commits == 5 and summary.skipped.get("binary") == 1


def test_history_findings_never_fail_the_run(tmp_path: Path) -> None:
    repo = new_git_repo(tmp_path / "gone")
    write(repo, ".env", f"OPENAI_MODEL={ENV_ID}\n")
    commit_on(repo, "a committed .env", "2024-01-01T12:00:00Z")
    git(repo, "rm", "-q", ".env")
    write(repo, "README.md", "nothing here\n")
    commit_on(repo, "gone", "2024-01-02T12:00:00Z")
    answer = CliRunner().invoke(main, ["scan", str(repo), "--history", "--fail-on", "note",
                                       "--as-of", AS_OF.isoformat()])
    assert answer.exit_code == 0 and ENV_ID in answer.output


def test_history_agrees_with_git_log_p(fixture_repo) -> None:
    """The other way round: every FT001 id any diff of ``git log -p`` shows, less the
    tree's, the binary's (git shows no diff of it) and the default excludes', is in the
    history; and nothing else is."""
    repo, _ = fixture_repo
    log = git(repo, "log", "-p", "--no-textconv", "--no-ext-diff", "HEAD")
    logged = set(FT001.findall(log))
    result = run_scan(repo, history=HistoryRange())
    in_head = {f.model_id for f in result.findings}
    assert {f.model_id for f in result.history} == logged - in_head - {VENDORED}
    assert IN_BINARY not in logged


def test_without_history_nothing_changes(fixture_repo) -> None:
    repo, _ = fixture_repo
    plain = run_scan(repo)
    assert plain.history == () and plain.summary.history is None
    document = json.loads(scan_reporter("json").render(plain))
    assert "history" not in document
    assert "inHead" not in scan_reporter("csv").render(plain)


def test_second_run_reads_only_new_blobs(fixture_repo, tmp_path: Path) -> None:
    repo, _ = fixture_repo
    cache = tmp_path / "cache"
    first = run_scan(repo, history=HistoryRange(), cache_dir=cache).summary.history
    assert first.blobs_read >= 8
    again = run_scan(repo, history=HistoryRange(), cache_dir=cache)
    assert again.summary.history.blobs_read == 0
    assert {f.model_id for f in again.history} == {ROUTE_OLD, ENV_ID, RENAMED, IN_HUGE}
    write(repo, "notes/new.md", "a new file, no id\n")
    commit_on(repo, "one more file", "2024-02-01T12:00:00Z")
    assert run_scan(repo, history=HistoryRange(), cache_dir=cache
                    ).summary.history.blobs_read == 1


def test_blob_past_the_streaming_limit_is_skipped_not_read(fixture_repo, monkeypatch) -> None:
    repo, _ = fixture_repo
    monkeypatch.setattr(history_scan, "STREAM_LIMIT", (2 << 20) + 100_000)
    result = run_scan(repo, history=HistoryRange())
    assert IN_HUGE not in by_id(result.history)
    assert result.summary.history.skipped.get("too-large") == 1


def test_since_and_branches(fixture_repo) -> None:
    repo, commits = fixture_repo
    since = run_scan(repo, history=HistoryRange(since=commits["env gone"]))
    assert ENV_ID not in by_id(since.history) and ROUTE_OLD in by_id(since.history)
    assert since.summary.history.commits == 3
    assert run_scan(repo, history=HistoryRange(since="2024-01-04")).summary.history.commits \
        == 2
    git(repo, "checkout", "-q", "-b", "experiment")
    branch_id = "ft:gpt-4o-2024-08-06:acme:branch:Bran0001"
    write(repo, "exp.py", f'X = "{branch_id}"\n')
    tip = commit_on(repo, "an experiment", "2024-02-02T12:00:00Z")
    git(repo, "checkout", "-q", "main")
    assert branch_id not in by_id(run_scan(repo, history=HistoryRange()).history)
    everything = by_id(run_scan(repo, history=HistoryRange(branches="all")).history)
    assert everything[branch_id].history.last.sha == tip
    assert everything[branch_id].history.removed is None
    assert "branch that still holds it" in everything[branch_id].message


def test_cli_history_options(fixture_repo) -> None:
    repo, _ = fixture_repo
    ok = CliRunner().invoke(main, ["scan", str(repo), "--history", "--format", "json", "-q",
                                   "--as-of", AS_OF.isoformat(), "--fail-on", "never"])
    assert ok.exit_code == 0, ok.output
    assert {f["modelId"] for f in json.loads(ok.output)["history"]["findings"]} == {
        ROUTE_OLD, ENV_ID, RENAMED, IN_HUGE}
    for bad in (["--history", "--since", "no-such-rev"], ["--history", "--since=--all"],
                ["--since", "2024-01-01"], ["--history", "--since", "2024-13-01"]):
        answer = CliRunner().invoke(main, ["scan", str(repo), *bad])
        assert answer.exit_code == 2 and answer.output.count("\n") == 1, (bad, answer.output)


def test_history_runs_nothing_the_repository_configures(fixture_repo, tmp_path: Path) -> None:
    repo, _ = fixture_repo
    marker = tmp_path / "ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    hook.chmod(0o755)
    for key in ("core.fsmonitor", "filter.evil.clean", "filter.evil.smudge",
                "filter.evil.process", "diff.evil.textconv", "diff.external",
                "core.hooksPath"):
        git(repo, "config", key, str(hook) if key != "core.hooksPath" else str(tmp_path))
    (tmp_path / "post-checkout").write_text(f"#!/bin/sh\ntouch {marker}\n")
    write(repo, ".gitattributes", "* filter=evil diff=evil\n")
    result = run_scan(repo, history=HistoryRange())
    assert ENV_ID in by_id(result.history)
    assert not marker.exists()


def test_history_leaves_out_what_the_scan_leaves_out(fixture_repo) -> None:
    repo, _ = fixture_repo
    write(repo, ".ftscanignore", "app/\n")
    past = by_id(run_scan(repo, history=HistoryRange()).history)
    assert RENAMED not in past and ROUTE_OLD not in past and ENV_ID in past
    assert VENDORED not in past  # node_modules: a default exclude


def test_every_format_shows_the_history_and_is_recognised(fixture_repo) -> None:
    repo, commits = fixture_repo
    result = run_scan(repo, history=HistoryRange())
    reports = {name: scan_reporter(name).render(result)
               for name in ("text", "json", "sarif", "csv", "markdown")}
    document = json.loads(reports["json"])
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    env = next(f for f in document["history"]["findings"] if f["modelId"] == ENV_ID)
    assert (env["inHead"], env["commit"], env["removedIn"], env["level"]) == (
        False, commits["add"], commits["env gone"], "note")
    assert env["commitDate"] == "2024-01-01T12:00:00Z"
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(json.loads(reports["sarif"]))
    sarif = json.loads(reports["sarif"])["runs"][0]["results"]
    past = [r for r in sarif if r["properties"].get("ftscan/inHead") is False]
    assert len(past) == 4 and {r["level"] for r in past} == {"note"}
    assert {r["properties"]["ftscan/commit"] for r in past} >= {commits["add"]}
    rows = reports["csv"].splitlines()
    assert rows[0].endswith(",inHead,commit,commitDate,firstCommit,firstCommitDate,"
                            "removedIn,removedOn")
    assert sum(1 for row in rows if f",false,{commits['add']}," in row) == 1
    assert "### Only in the repository's history" in reports["markdown"]
    assert f"history: last seen in {commits['add'][:12]}" in reports["text"]
    assert "4 more ids only in the history (5 commits" in reports["text"]
    for name, report in reports.items():
        assert is_own_report(report.encode()), name


def test_inventory_rows_and_reconcile(fixture_repo, tmp_path: Path) -> None:
    repo, commits = fixture_repo
    inventory = inv.build(run_scan(repo, history=HistoryRange()))
    row = inventory.rows[ENV_ID]
    assert row.history_only and row.past.first.sha == commits["add"]
    assert not inventory.rows[ROUTE_NEW].history_only
    saved = tmp_path / "inventory.json"
    saved.write_text(inventory_json(inventory), encoding="utf-8")
    again = inv.load(saved).rows[ENV_ID]
    assert again.past == row.past and again.past_sites == row.past_sites
    state = ProviderState("openai", "http://127.0.0.1", models={
        ENV_ID: RemoteModel("openai", ENV_ID, "gpt-4o-mini-2024-07-18", "acme", None),
        "ft:gpt-4o-2024-08-06:acme:stray:Stra0001": RemoteModel(
            "openai", "ft:gpt-4o-2024-08-06:acme:stray:Stra0001", "gpt-4o-2024-08-06",
            "acme", None)})
    joined = reconcile(inventory, [state], load_lifecycle(), load_rules(), AS_OF)
    remote = joined.rows[ENV_ID].remote
    assert remote.category.value == "orphan"
    assert remote.note.startswith("removed from code on 2024-01-02")
    stray = joined.rows["ft:gpt-4o-2024-08-06:acme:stray:Stra0001"].remote
    assert "removed from code" not in (stray.note or "")


def test_html_inventory_marks_history_only_rows(fixture_repo) -> None:
    """The page's row of an id only the history holds says so, and opens on when and where
    the history held it; a row of the tree's does not."""
    from html.parser import HTMLParser

    from ftscan.reporters.inventory_html import render as inventory_html

    repo, commits = fixture_repo
    page = inventory_html(inv.build(run_scan(repo, history=HistoryRange())))
    rows: dict[str, str] = {}

    class Rows(HTMLParser):
        current = ""

        def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
            if tag == "tbody":
                self.current = dict(attrs)["id"]
                rows[self.current] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "tbody":
                self.current = ""

        def handle_data(self, data: str) -> None:
            if self.current:
                rows[self.current] += data

    Rows().feed(page)
    env = next(text for text in rows.values() if ENV_ID in text)
    assert "(history only)" in env
    assert (f"Only in the repository's history: first in {commits['add'][:12]} (2024-01-01), "
            f"last seen in {commits['add'][:12]} on 2024-01-01, removed by "
            f"{commits['env gone'][:12]} on 2024-01-02.") in env
    assert "Last seen in the history at" in env and ".env:1" in env
    head = next(text for text in rows.values() if ROUTE_NEW in text)
    assert "history" not in head


def test_reconcile_reads_history_from_a_json_report(fixture_repo, tmp_path: Path) -> None:
    from ftscan.reconcile.inputs import load_input

    repo, commits = fixture_repo
    report = tmp_path / "report.json"
    report.write_text(scan_reporter("json").render(run_scan(repo, history=HistoryRange())),
                      encoding="utf-8")
    row = load_input(report).rows[ENV_ID]
    assert row.history_only and row.past.removed.sha == commits["env gone"]


def test_blobs_are_analysed_with_no_other_thread_running(tmp_path: Path, monkeypatch) -> None:
    """The parser's child process is forked only when no other thread runs (a thread could
    hold a lock the child needs); feeding git the blob ids from a thread while blobs are
    analysed would make every scan spawn a fresh interpreter for it instead. Thousands of
    blobs come after the one with an id: more ids than a pipe holds."""
    import threading

    repo = new_git_repo(tmp_path / "many")
    for i in range(4000):
        write(repo, f"filler/{i}.txt", f"nothing {i}\n")
    commit_on(repo, "fillers", "2024-01-01T12:00:00Z")
    write(repo, "app/route.py", f'MODEL = "{ROUTE_OLD}"\n')
    commit_on(repo, "an id", "2024-01-02T12:00:00Z")
    seen = []
    analyse = history_scan._analyse_text

    def counting(*args):  # noqa: ANN002, ANN202
        seen.append(threading.active_count())
        return analyse(*args)

    monkeypatch.setattr(history_scan, "_analyse_text", counting)
    run_scan(repo, history=HistoryRange())
    assert seen and set(seen) == {1}


def test_one_finding_per_id_and_path_however_many_commits_held_it(tmp_path: Path) -> None:
    """An id edited around in three versions of a file, and named in a second file, is two
    findings: the file's newest version gives the line, the first and last commits span the
    three."""
    repo = new_git_repo(tmp_path / "folded")
    write(repo, "app/model.py", f'MODEL = "{ROUTE_OLD}"  # v1\n')
    write(repo, "docs/old.md", f"The router runs `{ROUTE_OLD}`.\n")
    first = commit_on(repo, "v1", "2024-01-01T12:00:00Z")
    write(repo, "app/model.py", f'MODEL = "{ROUTE_OLD}"  # v2\n')
    commit_on(repo, "v2", "2024-01-02T12:00:00Z")
    write(repo, "app/model.py", f'# v3\nMODEL = "{ROUTE_OLD}"\n')
    last = commit_on(repo, "v3", "2024-01-03T12:00:00Z")
    git(repo, "rm", "-q", "app/model.py", "docs/old.md")
    write(repo, "README.md", "nothing here\n")
    gone = commit_on(repo, "gone", "2024-01-04T12:00:00Z")
    result = run_scan(repo, history=HistoryRange())
    past = result.history
    assert sorted((f.model_id, f.location.path) for f in past) == [
        (ROUTE_OLD, "app/model.py"), (ROUTE_OLD, "docs/old.md")]
    model = next(f for f in past if f.location.path == "app/model.py")
    assert model.location.start_line == 2 and model.history.versions == 3
    assert (model.history.first.sha, model.history.last.sha, model.history.removed.sha) == (
        first, last, gone)
    assert "; 1 more id at 2 paths only in the history (4 commits" in scan_reporter(
        "text").render(result)


def test_a_past_blob_is_read_as_the_scan_reads_a_file_of_its_kind(tmp_path: Path) -> None:
    """A file its name does not tell, whose lines are ``KEY=value``, is an env file to the scan
    of the tree, and so it is to the history: the id is bound to its variable."""
    repo = new_git_repo(tmp_path / "envlike")
    write(repo, "config/openai.example", f"# the model\nOPENAI_MODEL={ENV_ID}\n")
    commit_on(repo, "an example config", "2024-01-01T12:00:00Z")
    tree = by_id(run_scan(repo).findings)[ENV_ID]
    git(repo, "rm", "-q", "config/openai.example")
    write(repo, "README.md", "nothing here\n")
    commit_on(repo, "gone", "2024-01-02T12:00:00Z")
    past = by_id(run_scan(repo, history=HistoryRange()).history)[ENV_ID]
    assert past.context == tree.context == "env OPENAI_MODEL"
    assert (past.kind, past.location.start_line) == (tree.kind, 2)
