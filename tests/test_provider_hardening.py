"""The provider client against hostile servers (tests/standin.py on 127.0.0.1): credentials
never travel in clear text to another machine and never show when put in a URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import standin
from click.testing import CliRunner
from standin import ADMIN_KEY, API_KEY, World

from ftscan.cli import main
from ftscan.providers.credentials import access_for

TRIAGE = "ft:gpt-4o-mini-2024-07-18:acme:triage:AbCd1234"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def org() -> Iterator[tuple[World, str]]:
    world = World(
        jobs=[standin.job(0, "gpt-4o-mini-2024-07-18", "triage", TRIAGE, dt.date(2026, 3, 1),
                          training="file-train")],
        models=[standin.model(TRIAGE, dt.date(2026, 3, 1))],
        usage={TODAY - dt.timedelta(days=8): {TRIAGE: 4}},
        files={"file-train": b'{"messages": []}\n'})
    with standin.serve(world) as url:
        yield world, url


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, env={"OPENAI_API_KEY": None,
                                                 "OPENAI_ADMIN_KEY": None,
                                                 "AZURE_OPENAI_API_KEY": None,
                                                 "MISTRAL_API_KEY": None, **env})
    return result.exit_code, result.stdout, result.stderr


def openai_env(url: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": API_KEY, "OPENAI_ADMIN_KEY": ADMIN_KEY,
            "OPENAI_BASE_URL": f"{url}/v1"}


# ---------------------------------------------------------------- credentials stay home


@pytest.mark.parametrize("variable", ["OPENAI_BASE_URL", "MISTRAL_BASE_URL",
                                      "AZURE_OPENAI_ENDPOINT"])
def test_a_user_and_password_in_a_base_url_is_refused_without_showing_them(
        org: tuple[World, str], repo: Path, tmp_path: Path, variable: str) -> None:
    world, url = org
    secret_url = url.replace("http://", "http://alice:pa55-w0rd-secret@") + "/v1"
    env = {"OPENAI_API_KEY": API_KEY, "MISTRAL_API_KEY": "k", "AZURE_OPENAI_API_KEY": "k",
           "AZURE_OPENAI_ENDPOINT": url, variable: secret_url}
    report = tmp_path / "reconciled.md"
    commands = [["reconcile", str(repo), "--no-cache", "--output", str(report)]]
    if variable == "OPENAI_BASE_URL":
        commands.append(["recipes", "export", "--out", str(tmp_path / "recipes"),
                         "--inside-repo"])
    for command in commands:
        status, out, err = run(command, env)
        assert status == 2
        (line,) = err.splitlines()
        assert line == (f"ftscan: error: {variable} must not hold a user name or password "
                        "(user:pass@): the key goes in its own variable, and the URL is shown")
        assert "pa55-w0rd-secret" not in out + err and "alice" not in out + err
    assert not report.exists() and not (tmp_path / "recipes").exists()
    assert world.seen == []


@pytest.mark.parametrize(("base", "accepted"), [
    ("https://api.example.com/v1", True), ("http://127.0.0.1:8080/v1", True),
    ("http://127.8.9.10/v1", True), ("http://[::1]:8080/v1", True),
    ("http://localhost/v1", True), ("http://api.example.com/v1", False),
    ("http://127.0.0.1.example.com/v1", False), ("http://10.0.0.1/v1", False),
    ("ftp://127.0.0.1/v1", False), ("http://[::1/v1", False),
])
def test_plain_http_goes_to_this_machine_only(base: str, accepted: bool) -> None:
    from ftscan.providers import ProviderError

    environ = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": base}
    if accepted:
        assert access_for("openai", environ).base_url == base
    else:
        with pytest.raises(ProviderError) as refused:
            access_for("openai", environ)
        assert base not in str(refused.value)
