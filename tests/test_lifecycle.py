"""Lifecycle verdicts: dates, statuses, days left and the level they give a finding."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import run_scan

from ftscan.lifecycle import load_lifecycle
from ftscan.models import Level, Lifecycle, Role, Status
from ftscan.verdicts import dated, level_for

TABLE = load_lifecycle()


def lifecycle_on(provider: str, rule_id: str, base: str | None, day: dt.date,
            window: int) -> Lifecycle:
    """Where the shipped data says a model stands on ``day``."""
    return dated(TABLE.entry_for(provider, rule_id, base), day, window)


@pytest.mark.parametrize(
    ("base", "shutdown"),
    [
        ("gpt-4o-mini-2024-07-18", "2027-01-14"),
        ("gpt-4o-mini", "2027-01-14"),
        ("gpt-4o-2024-08-06", "2027-01-14"),
        ("gpt-4.1-2025-04-14", "2027-01-14"),
        ("gpt-4.1-mini-2025-04-14", "2027-01-14"),
        ("gpt-4.1-nano-2025-04-14", "2026-10-23"),
        ("gpt-4o-2024-05-13", "2026-10-23"),
        ("gpt-3.5-turbo-0125", "2026-10-23"),
        ("gpt-3.5-turbo", "2026-10-23"),
        ("gpt-4-0613", "2026-10-23"),
        ("babbage-002", "2026-10-23"),
        ("davinci-002", "2026-10-23"),
        ("o4-mini-2025-04-16", "2026-10-23"),
        ("gpt-5-mini-2025-08-07", "2026-12-11"),
        ("gpt-5-2025-08-07", "2026-12-11"),
        ("gpt-5-nano-2025-08-07", "2026-12-11"),
        ("gpt-5-pro-2025-10-06", "2026-12-11"),
        ("o3-2025-04-16", "2026-12-11"),
        ("o3-pro-2025-06-10", "2026-12-11"),
    ],
)
def test_openai_fine_tunes_follow_their_base_model(base: str, shutdown: str) -> None:
    verdict = lifecycle_on("openai", "FT001", base, dt.date(2026, 11, 22), 90)
    assert verdict.shutdown_date == dt.date.fromisoformat(shutdown)
    assert verdict.source and verdict.source.startswith("https://")


def test_legacy_fine_tunes_died_in_2024() -> None:
    verdict = lifecycle_on("openai", "FT002", "davinci", dt.date(2026, 11, 22), 90)
    assert verdict.shutdown_date == dt.date(2024, 1, 4)
    assert verdict.status is Status.RETIRED


def test_statuses_around_the_window() -> None:
    def status(day: str) -> tuple[Status, int | None]:
        v = lifecycle_on("openai", "FT001", "gpt-4o", dt.date.fromisoformat(day), 90)
        return v.status, v.days_left

    assert status("2026-10-16") == (Status.RETIRING, 90)  # the window's first day
    assert status("2026-10-15") == (Status.ACTIVE, 91)
    assert status("2027-01-13") == (Status.RETIRING, 1)
    assert status("2027-01-14") == (Status.RETIRED, 0)
    assert status("2027-02-01") == (Status.RETIRED, -18)


def test_unknown_base_has_no_date() -> None:
    verdict = lifecycle_on("fireworks", "FT011", None, dt.date(2026, 11, 22), 90)
    assert verdict == Lifecycle(status=Status.UNKNOWN)


@pytest.mark.parametrize(("base", "shutdown"), [
    ("gpt-4o-2024-08-06", "2027-10-01"),
    ("gpt-4o-mini-2024-07-18", "2027-10-01"),
    ("gpt-4.1-2025-04-14", "2027-10-14"),
    ("gpt-4.1-nano-2025-04-14", "2027-10-14"),
    ("o4-mini-2025-04-16", "2027-10-16"),
    ("gpt-35-turbo-0613", "2025-02-13"),
])
def test_azure_fine_tunes_follow_azures_own_calendar(base: str, shutdown: str) -> None:
    """An Azure <base>.ft-<hash> deployment outlives OpenAI's date for the same base."""
    verdict = lifecycle_on("azure-openai", "FT003", base, dt.date(2026, 11, 28), 90)
    assert verdict.shutdown_date == dt.date.fromisoformat(shutdown)
    openai = lifecycle_on("openai", "FT001", base.replace("35", "3.5"), dt.date(2026, 11, 28), 90)
    assert openai.shutdown_date != verdict.shutdown_date


def test_dateless_statuses_say_what_providers_said() -> None:
    mistral = lifecycle_on("mistral", "FT005", "open-mistral-7b", dt.date(2026, 11, 28), 90)
    assert (mistral.status, mistral.shutdown_date) == (Status.DEPRECATED, None)
    assert level_for(Role.DEFINITION, mistral, Level.NOTE) is Level.WARNING
    gemini = lifecycle_on("google-gemini", "FT012", None, dt.date(2026, 11, 28), 90)
    assert (gemini.status, gemini.shutdown_date) == (Status.RETIRED, None)
    assert level_for(Role.DEFINITION, gemini, Level.WARNING) is Level.ERROR
    gone = lifecycle_on("mistral", "FT005", "codestral-2501", dt.date(2026, 11, 28), 90)
    assert gone.status is Status.RETIRED and gone.shutdown_date == dt.date(2025, 11, 30)


def test_every_entry_has_a_source_and_was_checked() -> None:
    for entry in TABLE.entries:
        assert entry.source.startswith("https://"), entry
        assert entry.checked is not None, entry


def test_config_and_user_overrides_come_first(repo: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    override = tmp_path / "user-lifecycle.yaml"
    override.write_text("models:\n  - provider: openai\n    bases: [gpt-4o-mini-2024-07-18]\n"
                        "    shutdown: 2027-03-01\n    source: our account team, 2026-11-20\n")
    monkeypatch.setenv("FTSCAN_LIFECYCLE_FILE", str(override))
    (repo / ".ftscan.toml").write_text(
        '[[lifecycle]]\nmodel = "ft:gpt-4o-mini-2024-07-18:acme:contract:*"\n'
        'shutdown = 2027-06-30\nsource = "contract ACME-42"\n')
    (repo / "a.env").write_text("A=ft:gpt-4o-mini-2024-07-18:acme:contract:Con12345\n"
                                "B=ft:gpt-4o-mini-2024-07-18:acme:other:Oth12345\n"
                                "C=ft:gpt-4.1-mini-2025-04-14:acme:x:Xxx12345\n")
    result = run_scan(repo)
    dates = {f.model_id.split(":")[3]: str(f.lifecycle.shutdown_date) for f in result.findings}
    assert dates == {"contract": "2027-06-30", "other": "2027-03-01", "x": "2027-01-14"}
    assert {f.lifecycle.source for f in result.findings} == {
        "contract ACME-42", "our account team, 2026-11-20",
        "https://developers.openai.com/api/docs/deprecations"}


def test_levels() -> None:
    retired = Lifecycle(Status.RETIRED, dt.date(2026, 10, 23), -30)
    active = Lifecycle(Status.ACTIVE, dt.date(2027, 1, 14), 120)
    unknown = Lifecycle(Status.UNKNOWN)
    assert level_for(Role.DEFINITION, retired, Level.WARNING) is Level.ERROR
    assert level_for(Role.DEFINITION, active, Level.WARNING) is Level.WARNING
    assert level_for(Role.MENTION, retired, Level.WARNING) is Level.NOTE
    assert level_for(Role.DYNAMIC, unknown, Level.WARNING) is Level.WARNING
    assert level_for(Role.DEFINITION, unknown, Level.ERROR) is Level.ERROR


def test_wind_down_dates_are_in_the_data() -> None:
    dates = {event.date.isoformat() for event in TABLE.events}
    assert {"2026-05-07", "2026-07-02", "2027-01-06"} <= dates
    assert all(event.source.startswith("https://") for event in TABLE.events)


FEED = [
    {"provider": "OpenAI", "model_id": "gpt-4o-mini-2024-07-18", "announcement_date":
     "2026-10-14", "shutdown_date": "2027-01-14", "deprecation_context": "GPT-4o family",
     "replacement": "gpt-6-luna", "url": "https://developers.openai.com/api/docs/deprecations"},
    {"provider": "OpenAI", "model_id": "gpt-9-preview", "shutdown_date": None},
    {"provider": "Anthropic", "model_id": "claude-2.1", "shutdown_date": "2025-07-21"},
    {"provider": "Google Vertex AI", "model_id": "gemini-2.5-flash",
     "shutdown_date": "2026-10-16T00:00:00Z"},
    "not an entry",
]


def _update(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from ftscan.cli import main

    result = CliRunner().invoke(main, ["lifecycle", "update", *args])
    return result.exit_code, result.stderr


def test_lifecycle_update_writes_overrides_a_scan_then_reads(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    import yaml

    feed = tmp_path / "data.json"
    feed.write_text(json.dumps({"deprecations": FEED}))
    target = tmp_path / "config" / "ftscan" / "lifecycle.yaml"
    monkeypatch.setenv("FTSCAN_LIFECYCLE_FILE", str(target))
    code, stderr = _update("--from", str(feed))
    assert code == 0, stderr
    assert "3 lifecycle entries written, 2 skipped" in stderr
    written = yaml.safe_load(target.read_text())["models"]
    assert [(e["provider"], e["bases"], e.get("shutdown"), e.get("status")) for e in written] == [
        ("openai", ["gpt-4o-mini-2024-07-18"], "2027-01-14", None),
        ("openai", ["gpt-9-preview"], None, "deprecated"),
        ("google-vertex-ai", ["gemini-2.5-flash"], "2026-10-16", None),
    ]
    assert written[0]["note"] == "GPT-4o family; replacement: gpt-6-luna"
    table = load_lifecycle()
    assert table.entries[0].origin == str(target)
    (repo / "a.env").write_text("M=ft:gpt-9-preview:acme:x:AbCd1234\n")
    (finding,) = run_scan(repo).findings
    assert finding.lifecycle.status is Status.DEPRECATED


def test_lifecycle_update_fetches_a_url_only_when_given_one(tmp_path: Path) -> None:
    import http.server
    import json
    import threading

    body = json.dumps(FEED).encode()
    seen: list[str] = []

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            status, payload = (200, body) if self.path == "/api/v1/data.json" else (404, b"{}")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        out = tmp_path / "o.yaml"
        assert _update("--from", f"{base}/api/v1/data.json", "-o", str(out))[0] == 0
        assert "gpt-4o-mini-2024-07-18" in out.read_text()
        code, stderr = _update("--from", f"{base}/missing.json", "-o", str(out))
        assert code == 2 and "404 not found" in stderr
    finally:
        server.shutdown()
        server.server_close()
    assert seen[0] == "/api/v1/data.json"


def test_the_sample_inventory_has_dates_for_every_base_it_knows(tmp_path: Path) -> None:
    """OpenAI, Azure, Gemini and Vertex ids whose base is known are never "unknown"."""
    import shutil

    from conftest import FIXTURES

    from ftscan import inventory as inv

    repo = tmp_path / "sample-repo"
    shutil.copytree(FIXTURES / "sample-repo", repo)
    (repo / ".git").mkdir()
    rows = inv.build(run_scan(repo)).rows.values()
    providers = {"openai", "azure-openai", "google-gemini", "google-vertex-ai"}
    unknown = [r.model_id for r in rows if r.provider in providers and r.base_model
               and not r.dynamic and r.status(dt.date(2026, 11, 22), 90)[0] == "unknown"]
    assert unknown == []
    assert any(r.provider == "azure-openai" and r.shutdown_date for r in rows)


def test_the_lifecycle_command_shows_when_job_creation_ends() -> None:
    from click.testing import CliRunner

    from ftscan.cli import main

    text = CliRunner().invoke(main, ["lifecycle"])
    assert text.exit_code == 0
    creation = text.output.split("Fine-tuning job creation")[1].split("Events:")[0]
    assert "openai            2027-01-06" in creation and "(rules FT208)" in creation
    as_json = CliRunner().invoke(main, ["lifecycle", "--format", "json"])
    rows = json.loads(as_json.output)["jobCreation"]
    assert {(r["provider"], r["shutdown"] or r["status"]) for r in rows} >= {
        ("openai", "2027-01-06"), ("openai", "2024-01-04"), ("mistral", "deprecated"),
        ("google-gemini", "retired")}
