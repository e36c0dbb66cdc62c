"""What the first look at a file costs, against what it holds: work that grows with the
scan's bound names times every file's bytes is a scaling bug, whatever the machine."""

from __future__ import annotations

import time
from pathlib import Path

from ftscan.discovery import FileEntry
from ftscan.pipeline.analysis import AnalysisContext
from ftscan.pipeline.examine import examine
from ftscan.ruleset import load_rules

CONTEXT = AnalysisContext(load_rules([]), 10 << 20, None, follow_names=True)


def _examined(path: Path, text: str, names: frozenset[str]) -> frozenset[str]:
    path.write_text(text)
    entry = FileEntry(str(path), path.name, path.stat().st_size)
    facts = examine(entry, CONTEXT, names)
    assert facts.reads_env and facts.names_tested == names
    return facts.names_found


def test_a_file_reading_the_environment_is_searched_once_for_all_bound_names(
        tmp_path: Path) -> None:
    """A 2 MB module that reads the environment, in a scan binding 20,000 variables, none of
    which it names: one pass over its bytes says so (searching it for each name in turn took
    7 s). Generous bound: the pass takes milliseconds."""
    names = frozenset(f"BOUND_VARIABLE_{n}" for n in range(20_000))
    text = "import os\nA = os.environ['APP_MODEL']\n" + "# a line of a big module\n" * 80_000
    started = time.monotonic()
    assert _examined(tmp_path / "big.py", text, names) == frozenset()
    assert time.monotonic() - started < 3


def test_the_bound_names_a_file_holds_are_all_found(tmp_path: Path) -> None:
    """Names inside other names, or overlapping them, are each found where their bytes are."""
    names = frozenset({"APP_MODEL", "APP_MODEL_NAME", "MODEL_NAME_X", "ODEL", "ELSEWHERE"})
    text = "import os\nmodel = os.environ['APP_MODEL_NAME']\n"
    assert _examined(tmp_path / "app.py", text, names) == {"APP_MODEL", "APP_MODEL_NAME",
                                                           "ODEL"}
