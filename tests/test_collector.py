"""A scan's objects live until it ends: the cycle collector must not walk them again and again
(ftscan.collector). A pre-commit run on a large application spent half its time there."""

from __future__ import annotations

import gc
import subprocess
import sys
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


_EXITING = """
import atexit, gc, sys
from click.testing import CliRunner
from ftscan.cli import main

if sys.argv[2] == "scan":
    result = CliRunner().invoke(main, ["scan", "--no-cache", sys.argv[1]])
    assert result.exit_code == 1, result.output

class Node:
    pass

gc.disable()  # no collection before the exit's: the garbage below waits for it

for _ in range(1000):  # garbage in cycles, as the alias phase's graph leaves behind
    a, b = Node(), Node()
    a.other, b.other = b, a
atexit._run_exitfuncs()  # what the interpreter does as it exits, before its last collection
print(gc.collect())
"""


@pytest.mark.parametrize("command", ["scan", "none"])
def test_the_command_line_leaves_its_objects_to_the_os_when_it_exits(
        tmp_path: Path, command: str) -> None:
    """Python's last collection at exit walked every object a scan left: 1.2 s after the report
    of a pre-commit run on a large application. Once a command has run, the exit functions
    freeze what is left, and that collection finds nothing to walk. Without a command (the
    control), the same garbage is collected: the check can fail."""
    root = new_git_repo(tmp_path / "app")
    _application(root, modules=2)
    commit(root, "start")
    done = subprocess.run([sys.executable, "-c", _EXITING, str(root), command],
                          capture_output=True, text=True, timeout=120, check=True)
    collected = int(done.stdout.split()[-1])
    if command == "scan":
        assert collected == 0
    else:
        assert collected >= 1000
