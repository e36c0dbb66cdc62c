"""Owners, services and the inventory: golden files for every format, merging, redaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sweepgen
from click.testing import CliRunner
from conftest import FIXTURES, run_scan

from ftscan import inventory as inv
from ftscan.cli import main
from ftscan.lifecycle import load_lifecycle
from ftscan.ownership import parse_codeowners
from ftscan.providers.base import ProviderState, RemoteModel
from ftscan.reconcile.join import reconcile
from ftscan.reporters import inventory_json
from ftscan.ruleset import load_rules

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("FTSCAN_UPDATE_GOLDEN") == "1"


def _as_repository(tmp_path: Path, fixture: str) -> Path:
    """A fixture copied into a folder of its own name with a .git, as users have it."""
    target = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, target)
    (target / ".git").mkdir()
    return target


@pytest.fixture
def alias_repo(tmp_path: Path) -> Path:
    return _as_repository(tmp_path, "alias-repo")


def _owners(result, path_end: str) -> tuple[tuple[str, ...], str | None]:  # noqa: ANN001
    finding = next(f for f in result.findings if f.location.path.endswith(path_end))
    return finding.owners, finding.service


def test_owners_and_services_on_findings(alias_repo: Path) -> None:
    result = run_scan(alias_repo)
    # last matching CODEOWNERS line wins: /infra/ after *.tf
    assert _owners(result, "infra/variables.tf") == (("@acme/platform",), "alias-repo")
    assert _owners(result, "ranker/settings.py") == (("@acme/ranking", "@alice"), "ranker")
    assert _owners(result, "ranker/config.py") == (("@acme/ranking",), "ranker")
    # no CODEOWNERS line: the Backstage component's owner; its name is the service
    assert _owners(result, "billing/config.py") == (("group:acme/billing",), "billing-service")
    # explicitly unowned
    assert _owners(result, "digest/handler.py") == ((), "digest")
    # deployment units name themselves
    assert _owners(result, "deploy/k8s/ranker.yaml")[1] == "ranker"
    compose = {f.service for f in result.findings if f.location.path == "docker-compose.yml"}
    assert compose == {"ranker", "tagger"}
    problems = [d.render() for d in result.diagnostics if d.path == ".github/CODEOWNERS"]
    assert problems == [".github/CODEOWNERS:13: warning: CODEOWNERS line ignored: "
                        "'billing-team' is not an @user, @org/team or email address"]


def test_repository_without_codeowners(tmp_path: Path) -> None:
    result = run_scan(_as_repository(tmp_path, "sample-repo"))
    assert all(f.owners == () for f in result.findings)
    assert _owners(result, "services/ranker/app/config.py")[1] == "acme-ranker"
    assert _owners(result, "charts/ranker/values.yaml")[1] == "ranker"  # Chart.yaml
    assert _owners(result, "infra/main.tf")[1] == "sample-repo"
    lambda_env = next(f for f in result.findings if f.context == "env IMPORTED_MODEL_ARN")
    assert lambda_env.service == "aws_lambda_function.digest"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*", "a/b/c.py", True),
        ("*.tf", "infra/deep/x.tf", True),
        ("/infra/", "infra/a.tf", True),
        ("/infra/", "x/infra/a.tf", False),
        ("infra/", "x/infra/a.tf", True),
        ("docs/**", "docs/a/b.md", True),
        ("/build/logs/", "build/logs/x.log", True),
        ("apps/*.py", "apps/a.py", True),
        ("apps/*.py", "apps/sub/a.py", False),
    ],
)
def test_codeowners_patterns_follow_github(pattern: str, path: str, matches: bool) -> None:
    owners = parse_codeowners(f"{pattern} @team\n")
    assert (owners.owners_of(path) == ("@team",)) is matches


def test_codeowners_last_match_wins_and_unowned_entries() -> None:
    owners = parse_codeowners("* @all\n/svc/ @svc\n/svc/free/\n")
    assert owners.owners_of("x.py") == ("@all",)
    assert owners.owners_of("svc/a.py") == ("@svc",)
    assert owners.owners_of("svc/free/a.py") == ()


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json"])
def test_inventory_matches_golden_file(alias_repo: Path, fmt: str) -> None:
    result = CliRunner().invoke(main, ["inventory", str(alias_repo), "--format", fmt,
                                       "--as-of", "2026-11-22", "--quiet"])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"inventory-alias-repo.{ {'markdown': 'md'}.get(fmt, fmt) }"
    if UPDATE:
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()


def test_inventory_rows_are_complete(alias_repo: Path) -> None:
    document = json.loads(inventory_json.render(inv.build(run_scan(alias_repo))))
    assert document["version"] == 3 and document["kind"] == "ftscan-inventory"
    rows = {m["modelId"]: m for m in document["models"]}
    prod = rows["ft:gpt-4o-mini-2024-07-18:acme:ranker-prod:Prd12345"]
    assert prod["definitions"] == [
        {"repository": "alias-repo", "path": "deploy/k8s/ranker.yaml", "line": 14}]
    assert {"repository": "alias-repo", "path": "services/ranker/ranker/clients/llm.py",
            "line": 22} in prod["uses"]
    assert "env RANKER_MODEL" in prod["names"]
    assert (prod["org"], prod["suffix"], prod["daysLeft"]) == ("acme", "ranker-prod", 53)
    assert prod["repositories"] == ["alias-repo"]
    days = [m["daysLeft"] for m in document["models"]]
    known = [d for d in days if d is not None]
    assert known == sorted(known) and days[len(known):] == [None] * (len(days) - len(known))


def test_dynamic_ids_get_rows_of_their_own(tmp_path: Path) -> None:
    document = json.loads(inventory_json.render(inv.build(run_scan(_as_repository(tmp_path,
                                                                         "sample-repo")))))
    dynamic = [m for m in document["models"] if m["dynamic"]]
    assert {m["modelId"] for m in dynamic} == {
        "ft:{base}:acme-support:{suffix}:{job_id}",
        "ft:{var.model_base}:acme-support:ranker-v4:{var.job_id}",
    }


@pytest.mark.parametrize("path", [
    "tests/conftest.py", "pkg/tests/unit/helpers.py", "test_ranker.py", "ranker_test.go",
    "spec/models.yaml", "docs/guide.md", "examples/quickstart/.env", "web/ranker.test.ts",
    "__tests__/ranker.js"])
def test_ids_in_tests_docs_and_examples_are_examples(tmp_path: Path, path: str) -> None:
    """A test, a document or an example quotes an id no deployment reads: a note, shown in
    the inventory as an example, not as a model about to shut down, and drawn as no bar."""
    from ftscan.reporters import inventory_markdown

    repo = tmp_path / "svc"
    (repo / ".git").mkdir(parents=True)
    live = "ft:gpt-4o-2024-08-06:acme:tagger:EfGh5678"
    quoted = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
    placeholder = "ft:gpt-4o-mini-2024-07-18:my-org:custom_suffix:7q8mpxmy"
    (repo / "app.env").write_text(f"MODEL={live}\nSAMPLE={placeholder}\n")
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f'M = "{quoted}"\n' if not path.endswith(".env") else f"M={quoted}\n")
    result = run_scan(repo)
    roles = {f.model_id: (f.role.value, f.level.label) for f in result.findings}
    assert roles == {live: ("definition", "error"), quoted: ("example", "note"),
                     placeholder: ("example", "note")}
    markdown = inventory_markdown.render(inv.build(result))
    for example in (quoted, placeholder):
        (row,) = [line for line in markdown.splitlines() if f"| `{example}` |" in line]
        assert row.startswith("| 📎 example |") and "🔴" not in row
    chart = markdown.split("```mermaid")[1].split("```")[0]
    assert "tagger" in chart and "ranker" not in chart and "custom" not in chart


def test_a_fine_tune_set_outside_keeps_its_row_beside_training_data(tmp_path: Path) -> None:
    """A repository that trains (a JSONL of training data, a job-creation site) and calls a
    fine-tune whose id is set outside it: the outside row says what holds the id (its
    Model cell was empty and its rule FT250, taken from the training data)."""
    repo = tmp_path / "svc"
    (repo / ".git").mkdir(parents=True)
    (repo / "app.py").write_text(
        "import os\nfrom openai import OpenAI\nclient = OpenAI()\n"
        'TUNED = os.getenv("OPENAI_FINETUNED_MODEL")\n'
        "client.chat.completions.create(model=TUNED, messages=[])\n")
    (repo / "data").mkdir()
    (repo / "data" / "train.jsonl").write_text(
        '{"messages": [{"role": "user", "content": "q"}, '
        '{"role": "assistant", "content": "a"}]}\n' * 3)
    document = json.loads(inventory_json.render(inv.build(run_scan(repo))))
    (row,) = [m for m in document["models"] if m["kind"] == "outside"]
    assert (row["outside"], row["ruleId"]) == ("env OPENAI_FINETUNED_MODEL", "FT100")
    assert row["uses"] == [{"repository": "svc", "path": "app.py", "line": 5}]
    from ftscan.reporters import inventory_markdown

    markdown = inventory_markdown.render(inv.build(run_scan(repo)))
    (cell,) = [line.split(" | ")[1] for line in markdown.splitlines()
               if line.startswith("| ") and "OPENAI" in line]
    assert cell.startswith("set outside the repository: env OPENAI")


def test_merge_two_repositories(tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    second = tmp_path / "b.json"
    for fixture, out in (("alias-repo", first), ("sample-repo", second)):
        repo = _as_repository(tmp_path, fixture)
        result = CliRunner().invoke(main, ["inventory", str(repo), "--format", "json",
                                           "--output", str(out), "--as-of", "2026-11-22",
                                           "--quiet"])
        assert result.exit_code == 0
    merged = CliRunner().invoke(main, ["inventory", "--merge", str(first), "--merge",
                                       str(second), "--format", "json",
                                       "--as-of", "2027-01-01"])
    assert merged.exit_code == 0, merged.output
    document = json.loads(merged.stdout)
    assert document["repositories"] == ["alias-repo", "sample-repo"]
    ids_a = {m["modelId"] for m in json.loads(first.read_text())["models"]}
    ids_b = {m["modelId"] for m in json.loads(second.read_text())["models"]}
    assert {m["modelId"] for m in document["models"]} == ids_a | ids_b
    mistral = next(m for m in document["models"] if m["modelId"].startswith("ft:open-mistral"))
    assert mistral["repositories"] == ["alias-repo", "sample-repo"]
    gpt4o = next(m for m in document["models"] if m["shutdownDate"] == "2027-01-14")
    assert gpt4o["daysLeft"] == 13  # recomputed for the merge date


def test_a_markdown_inventory_keeps_within_a_size(alias_repo: Path, tmp_path: Path) -> None:
    """The org sweep appends the merged inventory to $GITHUB_STEP_SUMMARY, which GitHub caps
    at 1 MiB: --max-size keeps the Markdown within it, the details first, then the least
    urgent rows, and counts them in the last line."""
    merged = tmp_path / "a.json"
    CliRunner().invoke(main, ["inventory", str(alias_repo), "--format", "json", "--output",
                              str(merged), "--as-of", "2026-11-22", "--quiet"])
    whole = CliRunner().invoke(main, ["inventory", "--merge", str(merged)]).stdout
    rows = sum(1 for line in whole.splitlines() if line.startswith("| ") and " | " in line) - 1
    for size, left_rows in ((len(whole.encode()) - 1, 0), (3000, None)):
        result = CliRunner().invoke(main, ["inventory", "--merge", str(merged), "--max-size",
                                           str(size)])
        assert result.exit_code == 0, result.output
        assert 0 < len(result.stdout.encode()) <= size
        last = result.stdout.rstrip().splitlines()[-1]
        assert last.startswith("_Left out to fit: ")
        shown = sum(1 for line in result.stdout.splitlines()
                    if line.startswith("| ") and " | " in line) - 1
        if left_rows == 0:
            assert shown == rows and "more row" not in last
        else:
            assert shown < rows and f"{rows - shown} more rows" in last
    refused = CliRunner().invoke(main, ["inventory", "--merge", str(merged), "--format", "csv",
                                        "--max-size", "1MiB"])
    assert refused.exit_code == 2


def test_an_organisations_inventory_keeps_within_a_comment(tmp_path: Path) -> None:
    """A sweep of 3,000 repositories names them all in its first lines (over 80,000
    characters): cut to fit a comment, it counts them instead, and keeps its most urgent
    rows."""
    paths = sweepgen.write(tmp_path, sweepgen.sweep(repositories=3000, fine_tunes=3000))
    limit = 60 * 1024
    result = CliRunner().invoke(main, ["inventory", "--merge", *map(str, paths),
                                       "--max-size", str(limit)])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.encode()) <= limit
    assert "in 3,000 repositories, as of 2026-11-22." in result.stdout
    shown = sum(1 for line in result.stdout.splitlines() if line.startswith("| ⛔ retired |"))
    assert shown > 100 and f"{3001 - shown} more rows" in result.stdout
    whole = CliRunner().invoke(main, ["inventory", "--merge", *map(str, paths[:2])]).stdout
    assert "in `acme-service-00`, `acme-service-01`, as of" in whole


def test_merge_rejects_what_is_not_an_inventory(tmp_path: Path) -> None:
    bad = tmp_path / "report.json"
    bad.write_text('{"version": 1, "findings": []}')
    result = CliRunner().invoke(main, ["inventory", "--merge", str(bad)])
    assert result.exit_code == 2
    assert "not an ftscan inventory" in result.output


def _drop_line(document: dict[str, Any]) -> None:
    del document["models"][0]["uses"][0]["line"]


MALFORMED: dict[str, Callable[[dict[str, Any]], object]] = {
    "models is not a list": lambda d: d.update(models={"a": 1}),
    "models[0] is not an object": lambda d: d["models"].insert(0, "x"),
    "models[0].modelId is not a string": lambda d: d["models"][0].update(modelId=5),
    "models[0].provider is not a string": lambda d: d["models"][0].update(provider=[1]),
    "models[0].uses[0] is not an object": lambda d: d["models"][0].update(uses=[1]),
    "models[0].uses[0] has no line number": _drop_line,
    "models[0].recipe is not an object": lambda d: d["models"][0].update(recipe=[1]),
    "models[0].shutdownDate is not a string": lambda d: d["models"][0].update(
        shutdownDate=5),
    "models[0].shutdownDate is not a date": lambda d: d["models"][0].update(
        shutdownDate="2026-13-01"),
    "models[0].owners is not a list": lambda d: d["models"][0].update(owners="@a"),
    "models[0].names[0] is not a string": lambda d: d["models"][0].update(names=[[1]]),
    "models[0].kind is not one of": lambda d: d["models"][0].update(kind="bomb"),
    "asOf is not a date": lambda d: d.update(asOf="2026-02-30"),
}


@pytest.mark.parametrize("problem", [*MALFORMED, "nested too deeply", "not UTF-8"])
def test_merge_of_a_malformed_inventory_is_one_line_naming_the_file(
        alias_repo: Path, tmp_path: Path, problem: str) -> None:
    good = tmp_path / "good.json"
    CliRunner().invoke(main, ["inventory", str(alias_repo), "--format", "json", "-o",
                              str(good), "--quiet"])
    bad = tmp_path / "bad.json"
    if problem == "nested too deeply":
        bad.write_text("[" * 100_000)
    elif problem == "not UTF-8":
        bad.write_bytes(b"\xff\xfe{}")
    else:
        document = json.loads(good.read_text())
        MALFORMED[problem](document)
        bad.write_text(json.dumps(document))
    for args in (["inventory", "--merge", str(good), str(bad)], ["reconcile", "--from", str(bad)]):
        result = CliRunner().invoke(main, args, env={"OPENAI_API_KEY": "sk-unused"})
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"ftscan: error: {bad}: ") and problem in line, line


def test_redaction_hides_the_org(alias_repo: Path) -> None:
    result = CliRunner().invoke(main, ["inventory", str(alias_repo), "--format", "csv",
                                       "--redact-org", "--quiet"])
    assert result.exit_code == 0
    assert ":acme:" not in result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "ft:gpt-4o-mini-2024-07-18:<redacted>:ranker-prod:Prd12345" in {
        r["modelId"] for r in rows}
    assert "arn:aws:bedrock" in result.stdout  # ids without an org segment stay as they are


def test_redaction_hides_the_org_in_every_kind_of_id(tmp_path: Path) -> None:
    """Legacy ids, Fireworks deployments, run-time templates, Vertex projects, Mistral
    workspaces and AWS accounts: nothing of the org is left in any format."""
    repo = tmp_path / "svc"
    (repo / ".git").mkdir(parents=True)
    (repo / "app.py").write_text(
        'LEGACY = "davinci:ft-acme-support:ranker-2023-01-30-01-35-08"\n'
        'LEGACY2 = "curie:ft-acme-support-2023-01-30-01-35-08"\n'
        'FW = "accounts/acme-support/models/ranker#accounts/acme-support/deployments/abc123"\n'
        "def name(base, suffix, job):\n"
        '    return f"ft:{base}:acme-support:{suffix}:{job}"\n'
        'VERTEX = "projects/acme-support/locations/us-central1/endpoints/1234567890"\n'
        'M = "ft:gpt-4o-mini-2024-07-18:acme-support:ranker:AbCd1234"\n'
        'MISTRAL = "ft:open-mistral-7b:a1b2c3d4:20240101:ranker:e5f6a7b8"\n'
        'BEDROCK = "arn:aws:bedrock:us-east-1:318271560946:provisioned-model/q8w7e6r5t4y3"\n')
    for fmt in ("json", "csv", "markdown"):
        result = CliRunner().invoke(main, ["inventory", str(repo), "--format", fmt,
                                           "--redact-org", "--quiet"])
        assert result.exit_code == 0, result.output
        for secret in ("acme-support", "a1b2c3d4", "318271560946"):
            assert secret not in result.stdout, (fmt, secret)
    document = json.loads(CliRunner().invoke(main, ["inventory", str(repo), "--format",
                                                    "json", "--redact-org"]).stdout)
    assert {m["modelId"] for m in document["models"]} >= {
        "davinci:ft-<redacted>:ranker-2023-01-30-01-35-08",
        "accounts/<redacted>/models/ranker#accounts/<redacted>/deployments/abc123",
        "ft:{base}:<redacted>:{suffix}:{job}",
        "projects/<redacted>/locations/us-central1/endpoints/1234567890"}


def test_json_inventory_is_valid_against_its_schema(alias_repo: Path) -> None:
    import jsonschema

    schema = json.loads((Path(inv.__file__).parent / "schemas" / "inventory-v3.schema.json")
                        .read_text())
    jsonschema.Draft202012Validator(schema).validate(
        json.loads(inventory_json.render(inv.build(run_scan(alias_repo)))))


def test_broken_component_files_fall_back_quietly(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    (repo / ".git").mkdir(parents=True)
    (repo / "svc").mkdir()
    (repo / "svc" / "pyproject.toml").write_text("[project\nname = ")
    (repo / "svc" / "catalog-info.yaml").write_text("metadata: [unclosed")
    (repo / "svc" / "a.env").write_text("M=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    (repo / "CODEOWNERS").write_text("svc/ @shop/team\n")
    (finding,) = run_scan(repo).findings
    assert (finding.owners, finding.service) == (("@shop/team",), "shop")


def test_a_merged_reconcile_result_keeps_the_provider_side(tmp_path: Path) -> None:
    """``ftscan reconcile --format json`` writes each row's ``remote`` and the providers asked;
    ``--merge`` reads them back, so a merged inventory (a page, a table) still shows them."""
    sweep = inv.merge(sweepgen.sweep(4, 20))
    served = [r.model_id for r in sweep.sorted_rows() if r.provider == "openai"][:3]
    state = ProviderState("openai", "https://api.openai.com/v1", usage_days=90,
                          last_used={served[0]: dt.date(2026, 11, 20)})
    state.models = {model_id: RemoteModel("openai", model_id, None, "acme", dt.date(2025, 3, 1))
                    for model_id in [*served, "ft:gpt-4o-2024-08-06:acme:forgotten:F0001"]}
    reconciled = reconcile(sweep, [state], load_lifecycle(), load_rules(), sweepgen.AS_OF)
    path = tmp_path / "reconciled.json"
    path.write_text(inventory_json.render(reconciled), encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text(inventory_json.render(inv.merge(sweepgen.sweep(4, 20)[:1])),
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["inventory", "--merge", str(path), "--format", "json"])
    assert json.loads(result.output) == json.loads(path.read_text())
    result = CliRunner().invoke(main, ["inventory", "--merge", str(path), str(other),
                                       "--format", "json"])
    merged = json.loads(result.output)
    # 20 fine-tunes (12 of OpenAI, 3 of them served) and an orphan; the other inventory holds
    # some of the same ids, not reconciled: they keep the provider's side
    assert merged["reconciliation"]["counts"] == {
        "referenced": 3, "orphan": 1, "dead-reference": 9, "stale-mention": 0,
        "unchecked": 8}
    remotes = {m["modelId"]: m["remote"] for m in merged["models"]}
    assert remotes[served[0]]["lastUsed"] == "2026-11-20"
    assert remotes[served[1]]["usageKnown"] and remotes[served[1]]["lastUsed"] is None


def test_a_recipe_note_gives_the_day_job_creation_ends_from_the_lifecycle_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The note of a fine-tune whose training is elsewhere names the day its provider stops
    creating jobs, as the lifecycle data (overrides included) says, not a day the code holds."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".env").write_text("A=ft:gpt-4o-mini-2024-07-18:acme:ranker:Abc12345\n"
                               "B=mistral-ft:open-mistral-7b:acme:Def12345\n")
    notes = {row.model_id: row.recipe_note for row in inv.build(run_scan(repo)).rows.values()}
    assert notes["ft:gpt-4o-mini-2024-07-18:acme:ranker:Abc12345"].endswith("before 2027-01-06")

    override = tmp_path / "user-lifecycle.yaml"
    override.write_text("training:\n  - provider: openai\n    bases: ['*']\n"
                        "    shutdown: 2027-02-15\n    source: our account team, 2026-12-01\n")
    monkeypatch.setenv("FTSCAN_LIFECYCLE_FILE", str(override))
    notes = {row.model_id: row.recipe_note for row in inv.build(run_scan(repo)).rows.values()}
    assert notes["ft:gpt-4o-mini-2024-07-18:acme:ranker:Abc12345"].endswith("before 2027-02-15")
