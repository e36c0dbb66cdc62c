"""The byte search that picks the files worth reading (ftscan.search).

An engine may name more files than hold a word, never fewer: the scan's findings are the same
with ripgrep and with the pure-Python reading of every file. These tests run both on every
fixture, and check the engine's answers on the shapes that trip byte searches: UTF-16 with a
byte order mark, NUL bytes, odd file names, a file gone before it is read.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import time
from pathlib import Path

import pytest

import ftscan.pipeline.aliases
import ftscan.pipeline.firstpass
from ftscan.api import ScanOptions, scan
from ftscan.search import engine_named
from ftscan.search import ripgrep as ripgrep_module
from ftscan.search.ripgrep import Ripgrep

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ENGINE = engine_named("auto", Path("/nonexistent-root"))
needs_ripgrep = pytest.mark.skipif(ENGINE is None, reason="ripgrep is not installed")
ID = "ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4"


def _write(root: Path, files: dict[str, bytes]) -> list[str]:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(files)


SHAPES = {
    "plain.py": b"MODEL = 'ft:gpt-4o-mini-2024-07-18:acme::abc'\n",
    "utf16le.txt": "\ufeffmodel: ft:gpt-4o\n".encode("utf-16-le"),
    "utf16be.txt": b"\xfe\xff" + "model: ft:gpt-4o\n".encode("utf-16-be"),
    "utf16le-no-bom.txt": "model: ft:gpt-4o\n".encode("utf-16-le"),
    "utf16be-no-bom.txt": "model: ft:gpt-4o\n".encode("utf-16-be"),
    "utf16-no-bom-nothing.txt": "hello\n".encode("utf-16-le"),
    "binary.bin": b"\x00\x01\x02\x03ft:gpt",
    "late-nul.log": b"x" * 300 + b"\x00 ft:gpt",
    "-starts-with-dash.env": b"M=ft:x\n",
    "with space/and ünïcode.yaml": b"m: ft:x\n",
    "nothing.py": b"print('hello')\n",
    "utf16-nothing.txt": "\ufeffhello\n".encode("utf-16-le"),
    "almost.txt": b"f t: fT: Ft:\n",
    "utf32le.txt": b"\xff\xfe\x00\x00" + "model: ft:gpt-4o\n".encode("utf-32-le"),
    "utf32be.txt": b"\x00\x00\xfe\xff" + "model: ft:gpt-4o\n".encode("utf-32-be"),
}


@needs_ripgrep
def test_ripgrep_names_every_file_holding_a_word_and_no_other(tmp_path: Path) -> None:
    assert ENGINE is not None
    paths = _write(tmp_path, SHAPES)
    found = ENGINE.containing(str(tmp_path), paths, [b"ft:"])
    # UTF-32 is binary, as git has it; ripgrep may name the little-endian one (it reads its
    # byte order mark as UTF-16's, NULs between the characters): more is allowed, never fewer
    assert found - {"utf32le.txt"} == set(paths) - {
        "nothing.py", "utf16-nothing.txt", "almost.txt", "utf16-no-bom-nothing.txt",
        "utf32le.txt", "utf32be.txt"}


@needs_ripgrep
def test_many_batches_give_the_same_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           ) -> None:
    files = {f"d{n % 7}/f{n}.txt": (b"ft:" if n % 5 == 0 else b"no") for n in range(300)}
    paths = _write(tmp_path, files)
    assert ENGINE is not None
    whole = ENGINE.containing(str(tmp_path), paths, [b"ft:"])
    monkeypatch.setattr(ripgrep_module, "ARGUMENT_BYTES", 100)
    assert ENGINE.containing(str(tmp_path), paths, [b"ft:"]) == whole
    assert whole == {p for p, data in files.items() if data == b"ft:"}


@needs_ripgrep
def test_a_file_gone_before_the_search_leaves_its_batch_to_python(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rg exits 2 when it cannot read a file (here: gone between the look at it and the
    search): every file of that batch may hold a word, and the scan reads them itself (and
    reports the one it cannot read)."""
    monkeypatch.setattr(ripgrep_module, "available_cores", lambda: 1)  # one batch
    monkeypatch.setattr(ripgrep_module, "_regular_files", lambda root, paths: (paths, []))
    paths = _write(tmp_path, {"a.txt": b"nothing", "b.txt": b"ft:x"})
    assert ENGINE is not None
    found = ENGINE.containing(str(tmp_path), [*paths, "gone.txt"], [b"ft:"])
    assert found == {"a.txt", "b.txt", "gone.txt"}


@needs_ripgrep
def test_rg_is_never_named_a_file_that_is_not_regular(tmp_path: Path) -> None:
    """A FIFO (rg would block opening it), a folder and a file gone are answered "may hold"
    without reaching rg; the scan's own reader says what they are."""
    paths = _write(tmp_path, {"a.txt": b"nothing", "b.txt": b"ft:x"})
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    assert ENGINE is not None
    started = time.monotonic()
    found = ENGINE.containing(str(tmp_path), [*paths, "pipe", "folder", "gone"], [b"ft:"])
    assert found == {"b.txt", "pipe", "folder", "gone"}
    assert time.monotonic() - started < 10


@needs_ripgrep
def test_words_that_cannot_be_asked_for_make_every_file_a_candidate(tmp_path: Path) -> None:
    paths = _write(tmp_path, {"a.txt": b"nothing"})
    assert ENGINE is not None
    assert ENGINE.containing(str(tmp_path), paths, [b"two\nlines"]) == {"a.txt"}
    assert ENGINE.containing(str(tmp_path), paths, []) == {"a.txt"}


def test_an_rg_inside_the_scanned_tree_is_never_run(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH holding "." (or the repository's own bin/) must not run the repository's rg."""
    fake = tmp_path / "bin" / "rg"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\ntouch pwned\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(fake.parent))
    assert engine_named("auto", tmp_path) is None
    with pytest.raises(Exception, match="ripgrep"):
        engine_named("ripgrep", tmp_path)
    engine = engine_named("auto", tmp_path.parent / "elsewhere")
    assert isinstance(engine, Ripgrep) and engine.executable == str(fake.resolve())
    assert engine_named("python", tmp_path) is None


def _comparable(path: Path, engine: str) -> tuple[list[str], list[str]]:
    result = scan(ScanOptions(paths=(path,), search_engine=engine))
    findings = [repr(f) for f in result.findings]
    diagnostics = [repr(d) for d in result.diagnostics]
    return findings, diagnostics


@needs_ripgrep
@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_ripgrep_and_python_give_the_same_scan(fixture: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fixture (each is checked both ways against its own markers elsewhere) scans to
    the same findings and diagnostics whichever engine picks the files; the engine is used
    however few the files (it is skipped below 200 otherwise)."""
    tree = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, tree, symlinks=True)
    (tree / ".git").mkdir()  # its own repository root, whatever holds the copy
    _write(tree, {f"extra/{name}": data for name, data in SHAPES.items()})
    reference = _comparable(tree, "python")
    monkeypatch.setattr(ftscan.pipeline.firstpass, "SEARCH_MIN_FILES", 0)
    monkeypatch.setattr(ftscan.pipeline.aliases, "SEARCH_MIN_FILES", 0)
    calls: list[int] = []
    original = Ripgrep.containing

    def counted(self: Ripgrep, root: str, relpaths: list[str], words: list[bytes],
                listed: bool = False) -> set[str]:
        calls.append(len(relpaths))
        return original(self, root, relpaths, words, listed)

    monkeypatch.setattr(Ripgrep, "containing", counted)
    with_ripgrep = _comparable(tree, "ripgrep")
    assert calls, "the engine was not asked"
    assert with_ripgrep == reference
    assert reference[0] or fixture == "lookalikes", "no findings prove nothing here"


@needs_ripgrep
def test_the_engine_spares_python_the_files_without_a_word(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    """The point of the engine: files without a word are not opened by Python."""
    files = {f"pkg/m{n}.py": b"def f():\n    return 1\n" for n in range(250)}
    files["pkg/models.py"] = b"MODEL = 'ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4'\n"
    _write(tmp_path, files)
    opened: list[str] = []
    real_open = os.open

    def spy(path: str, *args: object, **kwargs: object) -> int:
        if str(path).endswith(".py"):
            opened.append(str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    result = scan(ScanOptions(paths=(tmp_path,), search_engine="ripgrep"))
    assert [f.model_id for f in result.findings] == [
        "ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4"]
    assert len(opened) < 10, opened[:20]
    assert result.summary.files_read == len(files)


def test_python_engine_reads_every_file(tmp_path: Path) -> None:
    files = {f"m{n}.py": b"x = 1\n" for n in range(210)}
    files["a.env"] = b"M=ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4\n"
    _write(tmp_path, files)
    result = scan(ScanOptions(paths=(tmp_path,), search_engine="python"))
    assert len(result.findings) == 1 and result.summary.files_read == len(files)


def test_scan_options_default_to_auto() -> None:
    assert dataclasses.fields(ScanOptions)  # the field exists with a default
    assert ScanOptions().search_engine is None


@needs_ripgrep
def test_files_over_the_size_limit_give_the_same_notes_with_either_engine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the limit, a file is read in pieces for ids; one without any word is not read at
    all with ripgrep, and a binary one is still counted as binary, as before."""
    _write(tmp_path, {
        "big-plain.log": b"nothing to see here\n" * 200,
        "big-binary.dat": b"\x00\x01\x02" + b"x" * 5000,
        "big-with-id.csv": b"a,b\n" * 100 + f"x,{ID}\n".encode(),
        "big-utf16.csv": ("a,b\n" * 100 + f"x,{ID}\n").encode("utf-16-le"),
        "small.env": b"M=1\n",
    })
    monkeypatch.setattr(ftscan.pipeline.firstpass, "SEARCH_MIN_FILES", 0)

    def outcome(engine: str) -> tuple[object, ...]:
        result = scan(ScanOptions(paths=(tmp_path,), search_engine=engine, max_file_size=1000))
        return (result.findings, result.diagnostics, result.summary.skipped)

    by_python = outcome("python")
    assert by_python[2] == {"binary": 1}
    findings = by_python[0]
    assert isinstance(findings, tuple)
    assert {(f.location.path, f.location.start_line) for f in findings} == {
        ("big-with-id.csv", 101), ("big-utf16.csv", 101)}
    assert outcome("ripgrep") == by_python


def _first_phase_words() -> tuple[bytes, ...]:
    from ftscan.pipeline.analysis import AnalysisContext
    from ftscan.pipeline.firstpass import first_phase_words
    from ftscan.ruleset import load_rules

    return first_phase_words(AnalysisContext(load_rules([]), 1 << 20, None))


def test_rg_is_asked_for_fewer_patterns_than_words_and_their_utf16_forms(tmp_path: Path,
                                                                        ) -> None:
    """rg slows down past some 64 patterns: the first phase's words (and their UTF-16 forms)
    reach it as far fewer patterns than one per word and form, each word still held by a
    pattern. Seen by an ``rg`` stand-in that keeps the pattern file it is handed."""
    kept = tmp_path / "patterns"
    fake = tmp_path / "bin" / "rg"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "--file" ]; do shift; done\n'
                    f'cp "$2" {kept}\nexit 1\n')
    fake.chmod(0o755)
    tree = tmp_path / "tree"
    tree.mkdir()
    paths = _write(tree, {"a.py": b"x = 1\n"})
    words = _first_phase_words()
    assert Ripgrep(str(fake)).containing(str(tree), paths, words) == set()
    asked = kept.read_bytes().splitlines()
    ascii_words = [w for w in words if w.isascii()]
    assert len(asked) <= 80 < len(words) + len(ascii_words)
    utf16 = [p.replace(b"\x00", b"") for p in asked if b"\x00" in p]
    assert all(any(p in w for p in asked if b"\x00" not in p) for w in words)
    assert all(any(p in w for p in utf16) for w in ascii_words)


@needs_ripgrep
def test_rg_names_every_file_holding_a_first_phase_word_in_any_encoding(tmp_path: Path,
                                                                      ) -> None:
    """However few the patterns, each word is found as UTF-8 and as UTF-16 without a byte
    order mark, either way round, and a file holding none is not named."""
    files = {"none.txt": "nothing to see\n".encode("utf-16-le")}
    for n, word in enumerate(_first_phase_words()):
        text = f"x = {word.decode()} y\n"
        files[f"utf8/{n}"] = text.encode()
        files[f"le/{n}"] = text.encode("utf-16-le")
        files[f"be/{n}"] = text.encode("utf-16-be")
    paths = _write(tmp_path, files)
    assert ENGINE is not None
    assert ENGINE.containing(str(tmp_path), paths, _first_phase_words()) == set(paths) - {
        "none.txt"}


@needs_ripgrep
def test_files_the_listing_has_just_seen_are_not_looked_at_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan's listing (git's, or the walk's) has just seen each of its files as a regular
    file: the search names them to rg without a look of its own (a ``stat`` each), and still
    finds what they hold; a path nobody has listed is looked at as before."""
    files = {f"docs/n{n}.txt": b"nothing here\n" for n in range(250)}
    files["docs/models.yaml"] = f"model: {ID}\n".encode()
    _write(tmp_path, files)
    monkeypatch.setattr(ftscan.pipeline.firstpass, "SEARCH_MIN_FILES", 0)
    looked_at: list[str] = []
    look = ripgrep_module._regular_files

    def spy(root: str, relpaths: list[str]) -> tuple[list[str], list[str]]:
        looked_at.extend(relpaths)
        return look(root, relpaths)

    monkeypatch.setattr(ripgrep_module, "_regular_files", spy)
    result = scan(ScanOptions(paths=(tmp_path,), search_engine="ripgrep"))
    assert [f.model_id for f in result.findings] == [ID]
    assert looked_at == []
    assert ENGINE is not None
    os.mkfifo(tmp_path / "pipe")
    assert ENGINE.containing(str(tmp_path), ["pipe", "docs/models.yaml"], [b"ft:"]) == {
        "pipe", "docs/models.yaml"}
    assert looked_at == ["pipe", "docs/models.yaml"]
