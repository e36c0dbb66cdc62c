"""Where ftscan runs: inline suppressions, baselines, diff-aware runs and sweeps."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, commit, git, new_git_repo, run_scan, write

from ftscan.cli import main
from ftscan.reporters import sarif as sarif_report

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-2024-08-06:acme:tagger:EfGh5678"


@pytest.fixture
def gitrepo(tmp_path: Path) -> Path:
    return new_git_repo(tmp_path / "svc")


def scan_cli(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, ["scan", *args, "--as-of", AS_OF.isoformat()])


# ---------------------------------------------------------------- inline suppressions


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.py", f'M = "{FT}"  # ftscan: ignore[FT001] eval notebook, deleted in Q1\n'),
        ("a.py", f'# ftscan: ignore[FT001] eval notebook, deleted in Q1\nM = "{FT}"\n'),
        ("a.ts", f'const m = "{FT}"; // ftscan: ignore[FT001] eval notebook, deleted in Q1\n'),
        ("a.md", f"<!-- ftscan: ignore[FT001] eval notebook, deleted in Q1 -->\nUses {FT}.\n"),
        ("a.yaml", f"# ftscan: ignore[FT001,FT005] eval notebook, deleted in Q1\nm: {FT}\n"),
    ],
)
def test_inline_suppression_with_a_reason(repo: Path, name: str, text: str) -> None:
    write(repo, name, text)
    result = run_scan(repo, fail_on="note")
    (finding,) = result.findings
    assert finding.suppression is not None
    assert finding.suppression.kind == "inSource"
    assert finding.suppression.justification == "eval notebook, deleted in Q1"
    assert not result.failed()
    (sarif,) = json.loads(sarif_report.render(result))["runs"][0]["results"]
    assert sarif["suppressions"] == [{"kind": "inSource",
                                      "justification": "eval notebook, deleted in Q1"}]


def test_suppression_needs_a_reason_and_the_right_rule(repo: Path) -> None:
    write(repo, "a.py", f'A = "{FT}"  # ftscan: ignore[FT001]\n'
                        f'B = "{FT}"  # ftscan: ignore[FT005] other rule\n')
    result = run_scan(repo)
    assert [f.suppression for f in result.findings] == [None, None]
    assert result.failed()
    (problem,) = [d for d in result.diagnostics if "without a reason" in d.message]
    assert (problem.path, problem.line) == ("a.py", 1)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.py", f'A = "{FT}"  # ftscan: ignore[FT001] old eval\nB = "{FT2}"\n'),
        ("a.ts", f'const a = "{FT}"; // ftscan: ignore[*] old eval\nconst b = "{FT2}";\n'),
        ("a.env", f"A={FT}  # ftscan: ignore[FT001] old eval\nB={FT2}\n"),
        ("a.md", f"Uses {FT}. <!-- ftscan: ignore[FT001] old eval -->\nAnd {FT2}.\n"),
    ],
)
def test_a_trailing_suppression_covers_its_own_line_only(repo: Path, name: str,
                                                         text: str) -> None:
    """As ``noqa`` and ``nosemgrep``: a comment after code covers that line; the different id
    on the next line is still reported."""
    write(repo, name, text)
    result = run_scan(repo, fail_on="note")
    assert {(f.model_id, f.suppression is not None) for f in result.findings} == {
        (FT, True), (FT2, False)}
    assert result.failed("note")


def test_suppressed_findings_leave_text_but_are_counted(repo: Path) -> None:
    write(repo, "a.env",
          f"# ftscan: ignore[FT001] rollback value, removed with v4\nM={FT}\nN={FT2}\n")
    result = CliRunner().invoke(main, ["scan", str(repo), "--as-of", "2026-11-22"])
    assert result.exit_code == 1
    assert FT2 in result.stdout and FT not in result.stdout
    assert "1 suppressed (1 inline)" in result.stdout


# ---------------------------------------------------------------- baselines


def test_baseline_accepts_old_findings_and_fails_on_new(repo: Path, tmp_path: Path) -> None:
    write(repo, "app/.env", f"M={FT}\n")
    baseline = repo / ".ftscan-baseline.json"
    created = CliRunner().invoke(main, ["baseline", "create", str(repo), "-o", str(baseline)])
    assert created.exit_code == 0, created.output
    entries = json.loads(baseline.read_text())["entries"]
    assert [(e["path"], e["modelId"]) for e in entries] == [("app/.env", FT)]
    assert "line" not in json.dumps(entries) and "Line" not in json.dumps(entries)
    assert scan_cli(str(repo), "--baseline", str(baseline)).exit_code == 0
    # code moves: the baseline still matches, and updating it changes nothing
    write(repo, "app/.env", f"# moved down\n\nM={FT}\n")
    assert scan_cli(str(repo), "--baseline", str(baseline)).exit_code == 0
    before = baseline.read_text()
    CliRunner().invoke(main, ["baseline", "update", str(repo), "-o", str(baseline)])
    assert baseline.read_text() == before
    # a new id fails
    write(repo, "app/new.env", f"N={FT2}\n")
    result = scan_cli(str(repo), "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    states = {f["modelId"]: f["suppression"] for f in report["findings"]}
    assert states[FT]["kind"] == "external" and states[FT2] is None


def test_a_baseline_if_present_is_read_when_there_and_nothing_when_not(repo: Path) -> None:
    """What the pre-commit hooks pass: ``.ftscan-baseline.json`` when the repository has one
    (the one the text report's hint creates), and no error when it has none."""
    write(repo, "a.env", f"M={FT}\n")
    baseline = repo / ".ftscan-baseline.json"
    assert scan_cli(str(repo), "--baseline-if-present", str(baseline)).exit_code == 1
    CliRunner().invoke(main, ["baseline", "create", str(repo), "-o", str(baseline)])
    assert scan_cli(str(repo), "--baseline-if-present", str(baseline)).exit_code == 0
    both = scan_cli(str(repo), "--baseline", str(baseline), "--baseline-if-present",
                    str(baseline))
    assert both.exit_code == 2
    hooks = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert hooks.count("--baseline-if-present .ftscan-baseline.json") == 2


def test_baseline_reports_stale_entries_and_update_keeps_reasons(repo: Path) -> None:
    write(repo, "a.env", f"M={FT}\nN={FT2}\n")
    baseline = repo / "base.json"
    CliRunner().invoke(main, ["baseline", "create", str(repo), "-o", str(baseline)])
    data = json.loads(baseline.read_text())
    (kept,) = [e for e in data["entries"] if e["modelId"] == FT]
    kept["reason"] = "migrating in Q4"
    kept["owner"] = "@acme/ranking"
    baseline.write_text(json.dumps(data))
    write(repo, "a.env", f"M={FT}\n")
    result = scan_cli(str(repo), "--baseline", str(baseline), "--format", "json")
    report = json.loads(result.stdout)
    assert report["summary"]["staleBaselineEntries"] == 1
    (finding,) = report["findings"]
    assert finding["suppression"] == {"kind": "external", "justification": "migrating in Q4"}
    updated = CliRunner().invoke(main, ["baseline", "update", str(repo), "-o", str(baseline)])
    assert "0 added, 1 no longer matching removed" in updated.stderr
    (entry,) = json.loads(baseline.read_text())["entries"]
    assert (entry["reason"], entry["owner"]) == ("migrating in Q4", "@acme/ranking")


def test_bad_baseline_is_a_usage_error(repo: Path) -> None:
    write(repo, "a.env", f"M={FT}\n")
    (repo / "b.json").write_text('{"entries": 3}')
    result = scan_cli(str(repo), "--baseline", str(repo / "b.json"))
    assert result.exit_code == 2 and "not an ftscan baseline" in result.output
    result = scan_cli(str(repo), "--baseline", str(repo / "missing.json"))
    assert result.exit_code == 2 and "does not exist" in result.output


# ---------------------------------------------------------------- diff-aware runs


def test_diff_base_reports_only_new_lines_resolving_names_everywhere(gitrepo: Path) -> None:
    write(gitrepo, ".env", f"RANKER_MODEL={FT}\n")
    write(gitrepo, "app.py", "import os\nMODEL = os.getenv('RANKER_MODEL')\n")
    write(gitrepo, "old.py", f'OLD = "{FT2}"\n')
    commit(gitrepo, "base")
    git(gitrepo, "checkout", "-q", "-b", "feature")
    write(gitrepo, "app.py", "import os\nMODEL = os.getenv('RANKER_MODEL')\n"
          "client.chat.completions.create(model=MODEL)\n")
    write(gitrepo, "new.env", f"NEW={FT2}\n")
    commit(gitrepo, "feature")
    result = scan_cli(str(gitrepo), "--diff-base", "main", "--format", "json")
    report = json.loads(result.stdout)
    found = sorted((f["path"], f["startLine"], f["role"]) for f in report["findings"])
    assert found == [("app.py", 3, "use"), ("new.env", 1, "definition")]
    assert report["summary"]["changedLinesOnly"] is True


def test_staged_reports_only_the_index(gitrepo: Path) -> None:
    write(gitrepo, "a.env", f"A={FT}\n")
    commit(gitrepo, "base")
    write(gitrepo, "a.env", f"A={FT}\nB={FT2}\n")
    git(gitrepo, "add", "a.env")
    result = scan_cli(str(gitrepo), "--staged", "--format", "json")
    assert [(f["startLine"], f["modelId"]) for f in json.loads(result.stdout)["findings"]] == [
        (2, FT2)]
    assert result.exit_code == 1


def test_missing_base_says_what_to_fetch(gitrepo: Path, tmp_path: Path) -> None:
    write(gitrepo, "a.env", f"A={FT}\n")
    commit(gitrepo, "one")
    commit_two = gitrepo / "b.env"
    commit_two.write_text("B=1\n")
    commit(gitrepo, "two")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{gitrepo}", str(shallow)],
                   check=True)
    result = scan_cli(str(shallow), "--diff-base", "main~1")
    assert result.exit_code == 2
    assert "git fetch" in result.output


# ---------------------------------------------------------------- sweeps


def test_sweep_scans_each_repository_with_its_own_rules(tmp_path: Path) -> None:
    org = tmp_path / "org"
    for name, owner in (("alpha", "@acme/alpha"), ("beta", "@acme/beta")):
        repo = org / name
        (repo / ".git").mkdir(parents=True)
        write(repo, ".env", f"M={FT}\n")
        write(repo, "CODEOWNERS", f"* {owner}\n")
    write(org / "beta", ".gitignore", ".env\n")
    write(org / "beta", "cfg.yaml", f"model: {FT2}\n")
    result = run_scan(org)
    rows = sorted((f.repository, f.location.path, f.owners) for f in result.findings)
    assert rows == [("alpha", ".env", ("@acme/alpha",)), ("beta", "cfg.yaml", ("@acme/beta",))]
    assert result.summary.repositories == 2
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(sarif_report.render(result))["runs"][0]["results"]}
    assert uris == {"alpha/.env", "beta/cfg.yaml"}
    from ftscan import inventory

    table = inventory.build(result)
    assert table.repositories == {"alpha", "beta"}
    assert table.rows[FT].repositories == {"alpha"} and table.rows[FT2].repositories == {"beta"}


def test_shallow_clone_with_the_base_fetched_works(gitrepo: Path, tmp_path: Path) -> None:
    write(gitrepo, "a.env", f"A={FT}\n")
    base = commit(gitrepo, "base")
    write(gitrepo, "b.env", f"B={FT2}\n")
    commit(gitrepo, "change")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{gitrepo}", str(shallow)],
                   check=True)
    subprocess.run(["git", "-C", str(shallow), "fetch", "-q", "--depth", "1", "origin", base],
                   check=True)
    result = scan_cli(str(shallow), "--diff-base", base, "--format", "json")
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["b.env"]


def _org(tmp_path: Path, count: int) -> Path:
    org = tmp_path / "org"
    for i in range(count):
        repo = org / f"repo-{i:02d}"
        (repo / ".git").mkdir(parents=True)
        write(repo, ".env", f"M=ft:gpt-4o-mini-2024-07-18:acme:r{i:02d}:AbCd12{i:02d}\n")
    return org


def test_shards_split_a_sweep_stably_and_completely(tmp_path: Path) -> None:
    org = _org(tmp_path, 12)
    seen: list[str] = []
    for index in (1, 2, 3):
        result = run_scan(org, shard=(index, 3))
        names = sorted({f.repository or "" for f in result.findings})
        assert names == sorted({f.repository or "" for f in run_scan(org, shard=(index, 3))
                                .findings})  # stable
        listed = CliRunner().invoke(main, ["shard", f"{index}/3", *[f"acme/repo-{i:02d}"
                                                                   for i in range(12)]])
        assert [line.split("/")[1] for line in listed.stdout.split()] == names
        seen += names
    assert sorted(seen) == [f"repo-{i:02d}" for i in range(12)]  # every repository, once


def test_a_sweeps_warnings_say_which_repository(tmp_path: Path) -> None:
    """Every repository has its own ``cfg/app.yaml``: a warning about one names its
    repository, on stderr and in JSON (a single repository's stay as they were)."""
    org = _org(tmp_path, 2)
    write(org / "repo-01", "cfg/app.yaml", f"model: {FT}\n  bad: [\n")
    write(org / "repo-00", ".ftscan.toml", "unknown-key = 1\n")
    result = scan_cli(str(org), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("ftscan: ")]
    assert any(line.startswith("ftscan: repo-01/cfg/app.yaml:") for line in lines), lines
    assert any(line.startswith("ftscan: repo-00: error: ") for line in lines), lines
    report = json.loads(result.stdout)
    assert {(d["repository"], d["path"]) for d in report["diagnostics"]} >= {
        ("repo-01", "cfg/app.yaml"), ("repo-00", ".")}
    alone = scan_cli(str(org / "repo-01"), "--fail-on", "never")
    assert "ftscan: cfg/app.yaml:" in alone.stderr


def test_shard_needs_a_sweep_and_a_valid_spec(repo: Path) -> None:
    write(repo, "a.env", f"M={FT}\n")
    assert "splits a sweep" in scan_cli(str(repo), "--shard", "1/2").output
    assert scan_cli(str(repo), "--shard", "3/2").exit_code == 2


def test_merge_sarif_joins_shards_into_one_valid_run(tmp_path: Path) -> None:
    import jsonschema
    from conftest import DATA

    org = _org(tmp_path, 6)
    files = []
    for index in (1, 2):
        out = tmp_path / f"s{index}.sarif"
        result = scan_cli(str(org), "--shard", f"{index}/2", "--format", "sarif",
                          "--output", str(out), "--fail-on", "never")
        assert result.exit_code == 0
        files.append(str(out))
    merged = CliRunner().invoke(main, ["merge-sarif", *files])
    assert merged.exit_code == 0, merged.output
    log = json.loads(merged.stdout)
    jsonschema.Draft7Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
                               ).validate(log)
    (run,) = log["runs"]
    assert len(run["results"]) == 6
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    bad = tmp_path / "other.sarif"
    bad.write_text(json.dumps({"runs": [{"tool": {"driver": {"name": "semgrep"}}}]}))
    refused = CliRunner().invoke(main, ["merge-sarif", str(bad)])
    assert refused.exit_code == 2 and "not ftscan" in refused.output


def test_merge_sarif_keeps_each_result_once_and_caps_like_scan(tmp_path: Path) -> None:
    """Shards that overlap (or one log given twice) give each result once; more results than
    code scanning accepts are cut as ``scan`` cuts them: errors kept, a warning says how many
    went."""
    from ftscan.reporters.sarif_limits import MAX_RESULTS

    org = _org(tmp_path, 3)
    whole, shard = tmp_path / "whole.sarif", tmp_path / "shard.sarif"
    for out, extra in ((whole, []), (shard, ["--shard", "1/2"])):
        assert scan_cli(str(org), "--format", "sarif", "--output", str(out),
                        "--fail-on", "never", *extra).exit_code == 0
    merged = CliRunner().invoke(main, ["merge-sarif", str(whole), str(shard), str(whole)])
    assert merged.exit_code == 0, merged.output
    (run,) = json.loads(merged.stdout)["runs"]
    assert len(run["results"]) == 3
    assert "toolExecutionNotifications" not in run["invocations"][0]
    # a log of more results than code scanning accepts: two thirds notes, one third errors
    log = json.loads(whole.read_text())
    (template,) = [r for r in log["runs"][0]["results"] if "r00" in r["properties"]["modelId"]]
    many = []
    for i in range(MAX_RESULTS + 300):
        result = json.loads(json.dumps(template))
        result["level"] = "error" if i % 3 == 0 else "note"
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = f"f{i}.env"
        result["fingerprints"]["ftscan/v1"] = f"{i:032x}"
        many.append(result)
    log["runs"][0]["results"] = many
    big = tmp_path / "big.sarif"
    big.write_text(json.dumps(log))
    merged = CliRunner().invoke(main, ["merge-sarif", str(big), str(whole)])
    (run,) = json.loads(merged.stdout)["runs"]
    assert len(run["results"]) == MAX_RESULTS
    assert sum(r["level"] == "error" for r in run["results"]) == (MAX_RESULTS + 300 + 2) // 3 + 3
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert f"303 of {MAX_RESULTS + 303} results were left out" in note["message"]["text"]


def test_a_folder_with_a_repository_inside_scans_both_once(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, "app.env", f"M={FT}\n")
    write(project, "vendor/lib/.git/HEAD", "ref: refs/heads/main\n")
    write(project, "vendor/lib/lib.env", f"N={FT2}\n")
    result = run_scan(project)
    rows = sorted((f.repository, f.location.path) for f in result.findings)
    assert rows == [("lib", "lib.env"), ("project", "app.env")]


def test_a_sweep_scans_repositories_side_by_side_with_the_same_result(tmp_path: Path) -> None:
    """A sweep of several repositories runs one repository per worker process; what it
    reports must not depend on that: findings, diagnostics and counts are those of one process
    scanning the repositories one after the other."""
    org = _org(tmp_path, 6)
    write(org / "repo-03", "app/worker.py", "import os\nfrom openai import OpenAI\n\n"
          'OpenAI().chat.completions.create(model=os.environ["M"], messages=[])\n')
    write(org / "repo-04", "broken.yaml", "a: [unclosed\n")
    write(org / "repo-05", ".ftscan.toml", 'exclude = [".env"]\n')
    one = run_scan(org, jobs=1)
    pooled = run_scan(org, jobs=2)
    assert pooled.findings == one.findings
    assert pooled.diagnostics == one.diagnostics
    assert dataclasses.replace(pooled.summary, duration_seconds=0) == \
        dataclasses.replace(one.summary, duration_seconds=0)
    assert pooled.summary.repositories == 6
    assert {f.repository for f in pooled.findings} == {f"repo-{i:02d}" for i in range(5)}
    assert any(f.role.value == "use" and f.repository == "repo-03" for f in pooled.findings)
