"""What the first look at a file costs, against what it holds: work that grows with the
scan's bound names times every file's bytes is a scaling bug, whatever the machine. Counted
as searches made, not timed."""

from __future__ import annotations

from pathlib import Path

from ftscan.discovery import FileEntry
from ftscan.pipeline.analysis import AnalysisContext
from ftscan.pipeline.examine import examine
from ftscan.ruleset import load_rules

CONTEXT = AnalysisContext(load_rules([]), 10 << 20, None, follow_names=True)


class _Name(str):
    """A bound variable's name that counts the searches for it (each turns it into bytes)."""

    searched = 0

    def encode(self, *args: object, **kwargs: object) -> bytes:
        _Name.searched += 1
        return super().encode(*args, **kwargs)  # type: ignore[arg-type]


def _examined(path: Path, text: str, names: frozenset[str]) -> frozenset[str]:
    path.write_text(text)
    entry = FileEntry(str(path), path.name, path.stat().st_size)
    facts = examine(entry, CONTEXT, names)
    assert facts.reads_env and facts.names_tested == names
    return facts.names_found


def test_a_file_reading_the_environment_is_searched_once_for_all_bound_names(
        tmp_path: Path) -> None:
    """Modules that read the environment, in a scan binding 1,000 variables none of which
    they name: one pass over each file's bytes says so. No file is searched for each name in
    turn (the names times the bytes: 7 s for one 2 MB module and 20,000 names); the names are
    turned into bytes once, for the automaton, whatever the number of files."""
    names = frozenset(_Name(f"BOUND_VARIABLE_{n}") for n in range(1_000))
    text = "import os\nA = os.environ['APP_MODEL']\n" + "# a line of a module\n" * 1_000
    assert _examined(tmp_path / "first.py", text, names) == frozenset()
    _Name.searched = 0
    for n in range(5):
        assert _examined(tmp_path / f"more{n}.py", text, names) == frozenset()
    assert _Name.searched == 0


def test_the_bound_names_a_file_holds_are_all_found(tmp_path: Path) -> None:
    """Names inside other names, or overlapping them, are each found where their bytes are."""
    names = frozenset({"APP_MODEL", "APP_MODEL_NAME", "MODEL_NAME_X", "ODEL", "ELSEWHERE"})
    text = "import os\nmodel = os.environ['APP_MODEL_NAME']\n"
    assert _examined(tmp_path / "app.py", text, names) == {"APP_MODEL", "APP_MODEL_NAME",
                                                           "ODEL"}
