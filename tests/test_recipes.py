"""``ftscan recipes export`` against the stand-in OpenAI API (tests/standin.py): job metadata
and training files saved with a manifest, an interrupted export resumed, nothing different
overwritten, and never inside a repository by accident."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import standin
from click.testing import CliRunner
from standin import API_KEY, Fault, World

from ftscan.cli import main
from ftscan.reconcile import fetch

TRIAGE = "ft:gpt-4o-mini-2024-07-18:acme:triage:AbCd1234"
TAGGER = "ft:gpt-4o-2024-08-06:acme:tagger:Tag12345"
TRAIN = b"".join(b'{"messages": [{"role": "user", "content": "q%d"}]}\n' % i
                 for i in range(2000))


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "CLIENT_OPTIONS", {"sleep": lambda _s: None, "retries": 2,
                                                  "timeout": 5.0})


@pytest.fixture
def org() -> Iterator[tuple[World, str]]:
    world = World(
        jobs=[standin.job(0, "gpt-4o-mini-2024-07-18", "triage", TRIAGE, dt.date(2026, 3, 1),
                          training="file-train-triage", validation="file-valid-triage"),
              standin.job(1, "gpt-4o-2024-08-06", "tagger", TAGGER, dt.date(2026, 2, 1),
                          training="file-train-tagger"),
              standin.job(2, "gpt-4o-mini-2024-07-18", "failed", None, dt.date(2026, 1, 1),
                          status="failed", training="file-train-failed")],
        files={"file-train-triage": TRAIN, "file-valid-triage": b'{"messages": []}\n',
               "file-train-tagger": b'{"messages": [{"role": "user", "content": "t"}]}\n',
               "file-train-failed": b"{}\n"})
    with standin.serve(world) as url:
        yield world, url


def export(url: str, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["recipes", "export", "--out", str(out), *args],
                                env={"OPENAI_API_KEY": API_KEY,
                                     "OPENAI_BASE_URL": f"{url}/v1"})
    return result.exit_code, result.stderr


def test_each_recipe_is_saved_with_a_manifest(org: tuple[World, str], tmp_path: Path) -> None:
    _, url = org
    out = tmp_path / "recipes"
    status, err = export(url, out)
    assert status == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["jobs"]) == ["ftjob-00000", "ftjob-00001"]  # the failed one: no
    triage = manifest["jobs"]["ftjob-00000"]
    assert (triage["fineTunedModel"], triage["baseModel"], triage["suffix"], triage["method"]) \
        == (TRIAGE, "gpt-4o-mini-2024-07-18", "triage", "supervised")
    assert triage["trainingFile"]["sha256"] == hashlib.sha256(TRAIN).hexdigest()
    assert (out / triage["trainingFile"]["path"]).read_bytes() == TRAIN
    assert (out / triage["validationFile"]["path"]).read_bytes() == b'{"messages": []}\n'
    metadata = json.loads((out / triage["metadata"]).read_text())
    assert metadata["hyperparameters"] == {"n_epochs": 3}
    assert metadata["result_files"] == ["file-result00000"]
    assert stat.S_IMODE((out / triage["trainingFile"]["path"]).stat().st_mode) == 0o600
    assert API_KEY not in (out / "manifest.json").read_text() + err


def test_one_model_or_every_job(org: tuple[World, str], tmp_path: Path) -> None:
    _, url = org
    status, _ = export(url, tmp_path / "one", "--model", TAGGER)
    assert status == 0
    assert list(json.loads((tmp_path / "one" / "manifest.json").read_text())["jobs"]) == [
        "ftjob-00001"]
    status, _ = export(url, tmp_path / "all", "--all-jobs")
    assert len(json.loads((tmp_path / "all" / "manifest.json").read_text())["jobs"]) == 3
    status, err = export(url, tmp_path / "none", "--model", "ft:gpt-4o:acme:gone:Gone1234")
    assert status == 2 and "no fine-tuning job of this organisation" in err


def test_an_interrupted_export_is_resumed(org: tuple[World, str], tmp_path: Path) -> None:
    world, url = org
    out = tmp_path / "recipes"
    world.cut_after["file-train-tagger"] = 10  # the connection drops mid-file, every time
    status, err = export(url, out)
    assert status == 2 and "file-train-tagger" in err and "dropped mid-answer" in err
    assert not list((out / "files").glob("file-train-tagger*"))  # no half file left
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["jobs"]["ftjob-00000"]["trainingFile"]["sha256"]
    assert "error" in manifest["jobs"]["ftjob-00001"]["trainingFile"]
    del world.cut_after["file-train-tagger"]
    before = list(world.seen)
    status, err = export(url, out)
    assert status == 0, err
    again = world.seen[len(before):]
    assert "/v1/files/file-train-tagger/content" in again
    assert not any(p.startswith("/v1/files/file-train-triage") for p in again)  # reused
    assert (out / "files" / "file-train-tagger").read_bytes() == world.files["file-train-tagger"]
    assert "2 already there" in err


def test_a_different_file_is_never_overwritten(org: tuple[World, str], tmp_path: Path) -> None:
    _, url = org
    out = tmp_path / "recipes"
    (out / "files").mkdir(parents=True)
    (out / "files" / "file-train-triage").write_bytes(b"my own notes\n")
    status, err = export(url, out)
    assert status == 2 and "exists with different content: not overwritten" in err
    assert (out / "files" / "file-train-triage").read_bytes() == b"my own notes\n"
    assert (out / "files" / "file-train-tagger").is_file()  # the rest went on


def test_a_429_while_downloading_is_retried(org: tuple[World, str], tmp_path: Path) -> None:
    world, url = org
    world.faults["/v1/files/file-train-triage/content"] = [Fault(429, {"Retry-After": "0"})]
    status, err = export(url, tmp_path / "recipes", "--model", TRIAGE)
    assert status == 0, err
    assert world.seen.count("/v1/files/file-train-triage/content") == 2


def test_never_inside_a_repository_unless_asked(org: tuple[World, str], tmp_path: Path) -> None:
    _, url = org
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    status, err = export(url, repo / "recipes")
    assert status == 2 and "inside the git working tree" in err
    assert not (repo / "recipes").exists()
    status, _ = export(url, repo / "recipes", "--inside-repo")
    assert status == 0


def test_a_wrong_key_is_one_line(org: tuple[World, str], tmp_path: Path) -> None:
    _, url = org
    result = CliRunner().invoke(main, ["recipes", "export", "--out", str(tmp_path / "r")],
                                env={"OPENAI_API_KEY": "sk-wrong-0000000000000000",
                                     "OPENAI_BASE_URL": f"{url}/v1"})
    assert result.exit_code == 2
    assert "401 unauthorized: check OPENAI_API_KEY" in result.stderr
    assert "sk-wrong-0000000000000000" not in result.stderr
