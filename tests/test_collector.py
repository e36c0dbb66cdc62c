"""A scan's objects live until it ends: the cycle collector must not walk them again and again
(ftscan.collector). A pre-commit run on a large application spent half its time there."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import commit, new_git_repo, write

from ftscan.cli import main

MODEL = "ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4"


@pytest.fixture
def thresholds() -> Iterator[None]:
    """The collector as the test process had it, before and after."""
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's default
    yield
    gc.set_threshold(*saved)


def _application(root: Path, modules: int = 50) -> None:
    """An id in one module; many modules import it, each with classes and calls of its own."""
    write(root, "app/models.py", f"RANKER = '{MODEL}'\n")
    body = "".join(
        f"class Handler{n}:\n    def run(self, client, items):\n"
        f"        totals = [len(str(i)) + {n} for i in items]\n"
        f"        return client.chat.completions.create(model=RANKER, n=sum(totals))\n\n"
        for n in range(20))
    for n in range(modules):
        write(root, f"app/handler_{n}.py", f"from app.models import RANKER\n\n{body}")


def test_a_pre_commit_run_does_not_walk_the_scans_objects_again_and_again(
        tmp_path: Path, thresholds: None) -> None:
    root = new_git_repo(tmp_path / "app")
    _application(root)
    commit(root, "start")
    cache = tmp_path / "cache"
    runner = CliRunner()
    assert runner.invoke(main, ["scan", str(root), "--cache-dir", str(cache)]).exit_code == 1
    write(root, "app/handler_0.py", (root / "app/handler_0.py").read_text() + "# edited\n")
    full: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    gc.collect()  # the counts start from nothing, whatever ran before in this process
    gc.callbacks.append(count)
    try:
        result = runner.invoke(main, ["scan", "--files-only", "--cache-dir", str(cache),
                                      str(root / "app/handler_0.py")])
    finally:
        gc.callbacks.remove(count)
    assert result.exit_code == 1, result.output
    assert "handler_0.py" in result.output
    assert not full, f"{len(full)} collections walked every object"
