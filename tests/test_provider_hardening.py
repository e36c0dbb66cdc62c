"""The provider client against hostile servers (tests/standin.py on 127.0.0.1): credentials
never leave the origin they were given for, never travel in clear text to another machine,
never show when put in a URL; and no server can make a command hold unbounded memory or run
past its deadlines (huge answers, endless listings, answers dripped a byte at a time, a
``Retry-After`` of days)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
import standin
from click.testing import CliRunner
from conftest import write
from standin import ADMIN_KEY, API_KEY, Drip, Fault, World

from ftscan.cli import main
from ftscan.http import Client, Deadline, HttpError
from ftscan.providers import provider_named
from ftscan.providers.base import ProviderError
from ftscan.providers.openai import api as openai
from ftscan.providers.openai.api import OpenAIApi
from ftscan.reconcile import fetch

TRIAGE = "ft:gpt-4o-mini-2024-07-18:acme:triage:AbCd1234"
TODAY = dt.date(2026, 11, 28)


class Waits(list[float]):
    """The client's waits, none really taken, and a clock that counts them as time passed."""

    def sleep(self, seconds: float) -> None:
        self.append(seconds)

    def clock(self) -> float:
        return time.monotonic() + sum(self)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    waited = Waits()
    monkeypatch.setattr(fetch, "CLIENT_OPTIONS", {"sleep": waited.sleep, "backoff": 0.5,
                                                  "timeout": 5.0})
    return waited


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


@pytest.fixture
def elsewhere() -> Iterator[tuple[World, str]]:
    """Another origin: a server on another port, that nobody gave a key for."""
    world = World()
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


@pytest.mark.parametrize("endpoint", ["/v1/models", "/v1/organization/usage",
                                      "/v1/files/file-train/content"])
def test_a_redirect_to_another_origin_is_refused_and_gets_no_key(
        org: tuple[World, str], elsewhere: tuple[World, str], repo: Path, tmp_path: Path,
        waits: Waits, endpoint: str) -> None:
    """A 302 to another host is not followed: the project key, the admin key and the ids in the
    path never reach it (urllib sends every header after a redirect)."""
    world, url = org
    other, other_url = elsewhere
    world.faults[endpoint] = [Fault(302, {"Location": f"{other_url}{endpoint}?stolen=1"},
                                    times=-1)]
    write(repo, "app.py", f'client.chat.completions.create(model="{TRIAGE}")\n')
    if endpoint.startswith("/v1/files"):
        status, out, err = run(["recipes", "export", "--out", str(tmp_path / "recipes"),
                                "--inside-repo"], openai_env(url))
    else:
        status, out, err = run(["reconcile", str(repo), "--no-cache", "--as-of",
                                TODAY.isoformat()], openai_env(url))
    assert other.seen == []
    assert status == 2
    refused = [line for line in err.splitlines() if "redirects (302) to another origin" in line]
    assert len(refused) == 1 and other_url in refused[0]
    assert API_KEY not in out + err and ADMIN_KEY not in out + err
    assert sum(path.startswith(endpoint) for path in world.seen) == 1  # refused, not retried


def test_a_redirect_within_the_origin_is_followed(org: tuple[World, str], repo: Path,
                                                  waits: Waits) -> None:
    world, url = org
    world.faults["/v1/models"] = [Fault(307, {"Location": "/v1/models"})]
    write(repo, "app.py", f'client.chat.completions.create(model="{TRIAGE}")\n')
    status, out, err = run(["reconcile", str(repo), "--no-cache", "--format", "json",
                            "--as-of", TODAY.isoformat()], openai_env(url))
    assert status == 0, err
    asked = [i for i, path in enumerate(world.seen) if path == "/v1/models"]
    assert len(asked) == 2  # the redirect, then the same origin again, with the key
    assert world.headers_seen[asked[1]].get("Authorization") == f"Bearer {API_KEY}"


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


def test_a_client_without_credentials_follows_redirects_to_http_only(
        elsewhere: tuple[World, str]) -> None:
    """A public feed (``lifecycle update --from URL``) may move to another host; it may not
    send the client to another scheme."""
    other, other_url = elsewhere
    other.faults["/feed.json"] = [Fault(200, body=b'{"deprecations": []}')]
    world = World(faults={"/moved.json": [Fault(301, {"Location": f"{other_url}/feed.json"})],
                          "/ftp.json": [Fault(302, {"Location": "ftp://127.0.0.1/feed"})]})
    with standin.serve(world) as url:
        client = Client(url, retries=0)
        assert client.get_json("moved.json") == {"deprecations": []}
        with pytest.raises(HttpError) as refused:
            client.get_json("ftp.json")
    assert str(refused.value) == ("GET ftp.json: the server redirects (302) to a ftp URL: not "
                                  "followed (http and https only)")


@pytest.mark.parametrize(("base", "accepted"), [
    ("https://api.example.com/v1", True), ("http://127.0.0.1:8080/v1", True),
    ("http://127.8.9.10/v1", True), ("http://[::1]:8080/v1", True),
    ("http://localhost/v1", True), ("http://api.example.com/v1", False),
    ("http://127.0.0.1.example.com/v1", False), ("http://10.0.0.1/v1", False),
    ("ftp://127.0.0.1/v1", False), ("http://[::1/v1", False),
])
def test_plain_http_goes_to_this_machine_only(base: str, accepted: bool) -> None:
    environ = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": base}
    if accepted:
        assert provider_named("openai").access(environ).base_url == base
    else:
        with pytest.raises(ProviderError) as refused:
            provider_named("openai").access(environ)
        assert base not in str(refused.value)


# ---------------------------------------------------------------- memory


_PEAK = """
import resource, sys
from ftscan.http import Client, HttpError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    Client(sys.argv[1], retries=0).get_json("answer")
    print("parsed")
except HttpError as exc:
    print(exc)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize(("body", "refusal"), [
    (b"[" + b"{}," * ((40 << 20) // 3) + b"{}]", "the answer is over 16777216 bytes"),
    (b"[" + b"{}," * ((12 << 20) // 3) + b"{}]", "the answer holds over 500000 values"),
], ids=["40 MB", "12 MB of empty objects"])
def test_a_huge_answer_is_refused_in_bounded_memory(body: bytes, refusal: str) -> None:
    """40 MB of JSON made a 1.1 GB process; a 12 MB answer of empty objects, 300 MB."""
    world = World(faults={"/v1/answer": [Fault(200, {"Content-Type": "application/json"},
                                               body=body)]})
    with standin.serve(world) as url:
        proc = subprocess.run([sys.executable, "-c", _PEAK, f"{url}/v1"], capture_output=True,
                              text=True, check=False, timeout=300)
    message, grown = proc.stdout.splitlines()
    assert message == f"GET answer: {refusal}", proc.stderr
    assert int(grown) < 120, f"the process grew by {grown} MB"


def test_an_endless_job_listing_is_bounded_and_keeps_only_what_is_needed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 100 jobs of 10 KB each, "more" every time: the listing stops at its byte bound,
    says so, and keeps compact records, not the job objects."""
    monkeypatch.setattr(openai, "LISTING_BYTES", 4 << 20, raising=False)
    world = World(endless_jobs=10_000)
    with standin.serve(world) as url:
        client = Client(f"{url}/v1", headers={"Authorization": f"Bearer {API_KEY}"},
                        retries=0)
        tracemalloc.start()
        try:
            state = openai.read_state(OpenAIApi(client), TODAY)
            kept, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    pages = sum(p.startswith("/v1/fine_tuning/jobs") for p in world.seen)
    assert pages == 4  # over 4 MB read, then stopped: not the 40 pages the server offers
    assert len(state.jobs) == 400
    (error,) = state.errors
    assert re.fullmatch(r"fine-tuning jobs: listing stopped after 4 pages \([\d,]+ bytes\): "
                        r"ftscan reads at most 1000 pages or 4,194,304 bytes of one listing "
                        r"\(400 read before it\)", error), error
    assert kept < 2 << 20, f"{kept} bytes kept for 400 jobs"


# ---------------------------------------------------------------- time


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_server_dripping_its_answer_is_cut_at_the_request_deadline(where: str) -> None:
    """A byte every 0.1 s never trips a 0.5 s socket timeout; the request's deadline (four
    timeouts, 2 s) ends it all the same, in the headers or the body."""
    drip = Drip(interval=0.1, where=where, seconds=12.0)
    world = World(drips={"/v1/models": drip})
    with standin.serve(world) as url:
        client = Client(f"{url}/v1", headers={"Authorization": f"Bearer {API_KEY}"},
                        timeout=0.5, retries=0)
        started = time.monotonic()
        with pytest.raises(HttpError) as failed:
            client.get_json("models")
        took = time.monotonic() - started
    assert str(failed.value) == "GET models: no complete answer within 2 s"
    assert not drip.finished and took < 8, took


def test_a_retry_after_of_days_is_not_slept(org: tuple[World, str], repo: Path,
                                            waits: Waits) -> None:
    world, url = org
    world.faults["/v1/models"] = [Fault(429, {"Retry-After": "999999"}, times=-1)]
    write(repo, "app.py", f'client.chat.completions.create(model="{TRIAGE}")\n')
    status, _, err = run(["reconcile", str(repo), "--no-cache", "--as-of",
                          TODAY.isoformat()], openai_env(url))
    assert waits == []
    assert world.seen.count("/v1/models") == 1
    assert status == 2 and "the server asks to wait 999999 s before trying again" in err


def test_retries_stop_at_the_commands_deadline(org: tuple[World, str], repo: Path,
                                               waits: Waits,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries of a failing endpoint, however many are allowed, wait no longer in all than the
    command's deadline; the requests after it are not sent."""
    world, url = org
    monkeypatch.setattr(fetch, "CLIENT_OPTIONS", {
        "sleep": waits.sleep, "backoff": 1.0, "retries": 50,
        "deadline": Deadline(20.0, clock=waits.clock)})
    world.faults["/v1/"] = [Fault(503, times=-1)]
    write(repo, "app.py", f'client.chat.completions.create(model="{TRIAGE}")\n')
    status, _, err = run(["reconcile", str(repo), "--no-cache", "--as-of",
                          TODAY.isoformat()], openai_env(url))
    assert status == 2
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0] and sum(waits) <= 20.0
    assert "no time is left to retry within the command's time limit (20 s)" in err
