"""``ftscan reconcile`` against the stand-in providers (tests/standin.py) on 127.0.0.1: every
id's state at the provider, orphans and dead references, last use, job-creation eligibility,
pagination, rate limits, bad keys, partial answers; and keys never shown."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import standin
from click.testing import CliRunner
from conftest import write
from standin import ADMIN_KEY, API_KEY, AZURE_KEY, MISTRAL_KEY, Fault, World

from ftscan.cli import main
from ftscan.lifecycle import load_lifecycle
from ftscan.providers import provider_named
from ftscan.providers.base import ProviderState
from ftscan.reconcile import fetch

TODAY = dt.date(2026, 11, 28)
TRIAGE = "ft:gpt-4o-mini-2024-07-18:acme:triage:AbCd1234"
OLD = "ft:gpt-4o-mini-2024-07-18:acme:old-bot:Old12345"
GHOST = "ft:gpt-4.1-2025-04-14:acme:ghost:Gho12345"
CHECKPOINT = TRIAGE + ":ckpt-step-88"
FORGOTTEN = "ft:gpt-4.1-mini-2025-04-14:acme:forgotten:For12345"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait of the client (none really taken)."""
    waited: list[float] = []
    monkeypatch.setattr(fetch, "CLIENT_OPTIONS", {"sleep": waited.append, "backoff": 0.5,
                                                  "timeout": 5.0})
    return waited


def organisation() -> World:
    """250 jobs (3 pages): one made TRIAGE (listed, with checkpoints), one OLD (deleted since),
    one FORGOTTEN (listed, used by no code), the rest failed. Usage over the last 90 days."""
    jobs = [standin.job(0, "gpt-4o-mini-2024-07-18", "triage", TRIAGE, dt.date(2026, 3, 1),
                        training="file-train", validation="file-valid"),
            standin.job(1, "gpt-4o-mini-2024-07-18", "old-bot", OLD, dt.date(2025, 6, 1)),
            standin.job(2, "gpt-4.1-mini-2025-04-14", "forgotten", FORGOTTEN,
                        dt.date(2025, 9, 1))]
    jobs += [standin.job(i, "gpt-4o-mini-2024-07-18", f"try{i}", None, dt.date(2025, 1, 1),
                         status="failed") for i in range(3, 250)]
    return World(
        jobs=jobs,
        models=[standin.model("gpt-4o-mini-2024-07-18", dt.date(2024, 7, 18), "system"),
                standin.model(TRIAGE, dt.date(2026, 3, 1)),
                standin.model(FORGOTTEN, dt.date(2025, 9, 1))],
        checkpoints={"ftjob-00000": [{"object": "fine_tuning.job.checkpoint", "id": "ftckpt_1",
                                      "fine_tuned_model_checkpoint": CHECKPOINT,
                                      "step_number": 88, "metrics": {}}]},
        usage={TODAY - dt.timedelta(days=8): {TRIAGE: 420, "gpt-4o-mini-2024-07-18": 9},
               TODAY - dt.timedelta(days=40): {TRIAGE: 3},
               TODAY - dt.timedelta(days=80): {FORGOTTEN: 1}},
        files={"file-train": b'{"messages": []}\n' * 50, "file-valid": b'{"messages": []}\n'})


@pytest.fixture
def org() -> Iterator[tuple[World, str]]:
    world = organisation()
    with standin.serve(world) as url:
        yield world, url


@pytest.fixture
def code(repo: Path) -> Path:
    write(repo, "app.py", f'MODEL = "{TRIAGE}"\nclient.chat.completions.create(model=MODEL)\n'
                          f'client.chat.completions.create(model="{CHECKPOINT}")\n')
    write(repo, "legacy.py", f'client.chat.completions.create(model="{OLD}")\n')
    write(repo, "typo.py", f'client.chat.completions.create(model="{GHOST}")\n')
    write(repo, "docs.py", 'EXAMPLE = "ft:gpt-4o-mini-2024-07-18:your-org:custom:AbCdEfGh"\n'
                           '# before it: ft:gpt-4o-mini-2024-07-18:acme:retired:Ret12345\n')
    return repo


def reconcile(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["reconcile", "--as-of", TODAY.isoformat(), "--no-cache",
                                       *args], env={"OPENAI_API_KEY": None,
                                                    "OPENAI_ADMIN_KEY": None,
                                                    "AZURE_OPENAI_API_KEY": None,
                                                    "MISTRAL_API_KEY": None, **env})
    return result.exit_code, result.stdout, result.stderr


def openai_env(url: str, admin: bool = True) -> dict[str, str]:
    env = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": f"{url}/v1"}
    if admin:
        env["OPENAI_ADMIN_KEY"] = ADMIN_KEY
    return env


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["modelId"]: m for m in document["models"] if m["modelId"]}


# ---------------------------------------------------------------- the join


def test_every_id_gets_its_state_at_the_provider(org: tuple[World, str], code: Path,
                                                 sleeps: list[float]) -> None:
    world, url = org
    status, out, err = reconcile([str(code), "--format", "json"], openai_env(url))
    assert status == 1, err  # dead references: those calls fail today
    document = json.loads(out)
    rows = by_id(document)
    remote = {model_id: (row["remote"]["state"], row["remote"]["category"])
              for model_id, row in rows.items()}
    assert remote == {
        TRIAGE: ("exists", "referenced"),
        CHECKPOINT: ("exists", "referenced"),
        OLD: ("deleted", "dead-reference"),
        GHOST: ("missing", "dead-reference"),
        FORGOTTEN: ("exists", "orphan"),
        "ft:gpt-4o-mini-2024-07-18:your-org:custom:AbCdEfGh": ("unchecked", "unchecked"),
        "ft:gpt-4o-mini-2024-07-18:acme:retired:Ret12345": ("missing", "stale-mention"),
    }
    triage = rows[TRIAGE]["remote"]
    assert (triage["ownedBy"], triage["created"], triage["jobId"], triage["lastUsed"]) == (
        "org-standin", "2026-03-01", "ftjob-00000", "2026-11-20")
    assert rows[OLD]["remote"]["jobId"] == "ftjob-00001"
    orphan = rows[FORGOTTEN]
    assert orphan["remote"]["lastUsed"] == "2026-09-09"
    assert (orphan["baseModel"], orphan["shutdownDate"], orphan["suffix"]) == (
        "gpt-4.1-mini-2025-04-14", "2027-01-14", "forgotten")
    assert "ftjob-00002" in orphan["recipe"]["note"]
    assert document["reconciliation"]["counts"] == {
        "referenced": 2, "orphan": 1, "dead-reference": 2, "stale-mention": 1, "unchecked": 1}
    schema = json.loads((Path(__file__).parents[1] / "ftscan" / "schemas" /
                         "inventory-v3.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert sleeps == []


def test_pages_are_followed_to_the_end(org: tuple[World, str], code: Path,
                                       sleeps: list[float]) -> None:
    world, url = org
    status, out, _ = reconcile([str(code), "--format", "json"], openai_env(url))
    jobs_pages = [p for p in world.seen if p.startswith("/v1/fine_tuning/jobs?")]
    assert len(jobs_pages) == 3 and "after=ftjob-00199" in jobs_pages[-1]
    usage_pages = [p for p in world.seen if p.startswith("/v1/organization/usage")]
    assert len(usage_pages) == 3 and "page=62" in usage_pages[-1]
    # checkpoints only for the job whose checkpoint code names, not for 250 jobs
    assert [p for p in world.seen if "/checkpoints" in p] == [
        "/v1/fine_tuning/jobs/ftjob-00000/checkpoints?limit=100"]
    assert json.loads(out)["reconciliation"]["providers"][0]["jobs"] == 250


def test_eligibility_follows_the_last_fine_tuned_inference(org: tuple[World, str], code: Path,
                                                           sleeps: list[float]) -> None:
    _, url = org
    _, out, _ = reconcile([str(code), "--format", "json"], openai_env(url))
    (item,) = json.loads(out)["reconciliation"]["eligibility"]
    assert (item["canCreateJobs"], item["until"]) == ("yes", "2027-01-05")
    assert "2026-11-20" in item["reason"]
    _, out, _ = reconcile([str(code), "--format", "json"], openai_env(url, admin=False))
    (item,) = json.loads(out)["reconciliation"]["eligibility"]
    assert item["canCreateJobs"] == "unknown" and "OPENAI_ADMIN_KEY" in item["reason"]
    assert by_id(json.loads(out))[TRIAGE]["remote"]["lastUsed"] is None


@pytest.mark.parametrize(("jobs", "last", "as_of", "expected"), [
    (0, None, TODAY, ("no", None)),
    (1, TODAY - dt.timedelta(days=30), TODAY, ("yes", dt.date(2026, 12, 28))),
    (1, TODAY - dt.timedelta(days=2), TODAY, ("yes", dt.date(2027, 1, 5))),
    (1, dt.date(2026, 8, 1), TODAY, ("no", None)),
    (1, dt.date(2026, 10, 1), dt.date(2026, 10, 5), ("yes", dt.date(2026, 11, 30))),
    (1, TODAY, dt.date(2027, 1, 6), ("no", None)),
    (1, "no usage key", TODAY, ("unknown", None)),
    (1, "no fine-tune in usage", TODAY, ("unknown", None)),
    (1, None, dt.date(2026, 6, 1), ("yes", dt.date(2027, 1, 5))),
])
def test_job_creation_eligibility(jobs: int, last: object, as_of: dt.date,
                                  expected: tuple[str, dt.date | None]) -> None:
    state = ProviderState("openai", "http://127.0.0.1")
    state.jobs = [_job()] * jobs
    if isinstance(last, dt.date):
        state.last_used = {TRIAGE: last, "gpt-4o": as_of}
    elif last == "no fine-tune in usage":
        state.last_used = {"gpt-4o": as_of}
    answer = provider_named("openai").eligibility(state, load_lifecycle(), as_of)
    assert (answer.answer, answer.until) == expected


def _job() -> Any:
    from ftscan.providers.openai.api import job_from

    return job_from(standin.job(0, "gpt-4o-mini-2024-07-18", "t", TRIAGE, TODAY))


# ---------------------------------------------------------------- a real client


def test_a_429_is_retried_after_what_the_server_says(org: tuple[World, str], code: Path,
                                                     sleeps: list[float]) -> None:
    world, url = org
    world.faults["/v1/models"] = [Fault(429, {"Retry-After": "7"}), Fault(503)]
    status, out, err = reconcile([str(code), "--format", "json"], openai_env(url))
    assert status == 1 and "incomplete" not in err
    assert sleeps == [7.0, 1.0]  # the server's word, then the doubled backoff
    assert world.seen.count("/v1/models") == 3
    assert by_id(json.loads(out))[TRIAGE]["remote"]["state"] == "exists"


def test_a_bad_key_is_one_line_that_names_it_and_never_shows_it(
        org: tuple[World, str], code: Path, sleeps: list[float]) -> None:
    world, url = org
    wrong = "sk-wrong-key-that-must-never-be-shown-000"
    status, out, err = reconcile([str(code), "--format", "markdown"],
                                 {"OPENAI_API_KEY": wrong, "OPENAI_BASE_URL": f"{url}/v1"})
    assert status == 2
    lines = [line for line in err.splitlines() if "incomplete" in line]
    assert len(lines) == 1 and "401 unauthorized: check OPENAI_API_KEY" in lines[0]
    assert wrong not in out + err and API_KEY not in out + err
    assert "⚠️ incomplete" in out
    assert len(world.seen) == 1  # a wrong key is not asked again for every endpoint


def test_an_admin_key_without_the_role_is_a_403_on_usage(
        org: tuple[World, str], code: Path, sleeps: list[float]) -> None:
    _, url = org
    env = {**openai_env(url, admin=False), "OPENAI_ADMIN_KEY": API_KEY}
    status, out, err = reconcile([str(code), "--format", "json"], env)
    assert status == 2 and "403 forbidden" in err and "api.usage.read" in err
    assert by_id(json.loads(out))[TRIAGE]["remote"]["state"] == "exists"


def test_a_later_page_that_fails_keeps_what_was_read(
        org: tuple[World, str], code: Path, sleeps: list[float]) -> None:
    world, url = org
    world.faults["/v1/fine_tuning/jobs"] = [Fault(500, times=-1, skip=1)]
    status, out, err = reconcile([str(code), "--format", "json"], openai_env(url))
    assert status == 2 and "100 read before it" in err
    document = json.loads(out)
    assert document["reconciliation"]["complete"] is False
    assert document["reconciliation"]["providers"][0]["jobs"] == 100
    assert document["reconciliation"]["eligibility"][0]["canCreateJobs"] == "unknown"
    assert by_id(document)[GHOST]["remote"]["state"] == "unchecked"  # not "missing": unsure


def test_reconcile_reads_an_inventory_or_a_scan_report(
        org: tuple[World, str], code: Path, tmp_path: Path, sleeps: list[float]) -> None:
    _, url = org
    runner = CliRunner()
    report = tmp_path / "scan.json"
    runner.invoke(main, ["scan", str(code), "--format", "json", "-o", str(report),
                         "--no-cache", "--fail-on", "never"])
    inventory = tmp_path / "inventory.json"
    runner.invoke(main, ["inventory", str(code), "--format", "json", "-o", str(inventory),
                         "--no-cache"])
    for source in (report, inventory):
        status, out, err = reconcile(["--from", str(source), "--format", "csv"],
                                     openai_env(url))
        assert status == 1, err
        header, *rows = out.splitlines()
        assert header.endswith("remoteState,category,ownedBy,created,lastUsed,jobId,"
                               "providerNote")
        assert any(r.startswith(GHOST) and ",missing,dead-reference," in r for r in rows)
    status, _, err = reconcile(["--from", str(code / "app.py")], openai_env(url))
    assert status == 2 and "neither an ftscan inventory nor" in err


def test_markdown_shows_the_provider_check(org: tuple[World, str], code: Path,
                                          sleeps: list[float]) -> None:
    _, url = org
    _, out, _ = reconcile([str(code)], openai_env(url))
    assert "### Provider check" in out
    assert "openai: can create fine-tuning jobs: yes until 2027-01-05" in out
    assert "1 orphan (listed by the provider" in out and "2 dead references" in out
    assert "👻 exists, orphan, last used 2026-09-09" in out
    assert "❌ missing, dead reference" in out


# ---------------------------------------------------------------- other providers


def test_azure_and_mistral(repo: Path, sleeps: list[float]) -> None:
    azure_id = "gpt-4o-mini-2024-07-18.ft-7f3a9c1e5b2d4f6a8c0e2b4d6f8a1c3e"
    mistral_id = "ft:open-mistral-7b:587a6b29:20240514:7e773925"
    world = World(
        azure_models=[{"id": "gpt-4o-mini-2024-07-18", "status": "succeeded"},
                      {"id": azure_id, "model": "gpt-4o-mini-2024-07-18",
                       "fine_tune": "ftjob-az1", "created_at": 1735689600,
                       "deprecation": {"inference": 1822348800}}],
        mistral_models=[{"id": mistral_id, "type": "fine-tuned", "root": "open-mistral-7b",
                         "archived": True, "job": "job-m1", "owned_by": "587a6b29"},
                        {"id": "mistral-large-latest", "type": "base"}])
    write(repo, "a.py", f'client.chat.completions.create(model="{azure_id}")\n'
                        f'client.chat.complete(model="{mistral_id}")\n')
    with standin.serve(world) as url:
        env = {"AZURE_OPENAI_ENDPOINT": url, "AZURE_OPENAI_API_KEY": AZURE_KEY,
               "MISTRAL_API_KEY": MISTRAL_KEY, "MISTRAL_BASE_URL": f"{url}/mistral/v1"}
        status, out, err = reconcile([str(repo), "--format", "json"], env)
    document = json.loads(out)
    rows = by_id(document)
    assert rows[azure_id]["remote"]["state"] == "exists"
    assert rows[azure_id]["remote"]["retires"] == "2027-10-01"
    assert (rows[mistral_id]["remote"]["state"], rows[mistral_id]["remote"]["category"]) == (
        "archived", "dead-reference")
    assert status == 1, err
    assert any("api-version=2024-10-21" in p for p in world.seen)
    eligibility_by = {e["provider"]: e for e in document["reconciliation"]["eligibility"]}
    assert eligibility_by["azure-openai"]["until"] == "2027-03-31"
    assert eligibility_by["mistral"]["canCreateJobs"] == "unknown"
    assert all(AZURE_KEY not in str(h.get("Authorization")) for h in world.headers_seen)


def test_no_key_or_a_clear_text_endpoint_is_a_usage_error(repo: Path) -> None:
    status, _, err = reconcile([str(repo)], {})
    assert status == 2 and "set OPENAI_API_KEY" in err
    status, _, err = reconcile([str(repo)], {"OPENAI_API_KEY": API_KEY,
                                             "OPENAI_BASE_URL": "http://api.example.com/v1"})
    assert status == 2 and "must be an https:// URL" in err and API_KEY not in err
