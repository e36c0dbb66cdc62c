"""Bad input never crashes a scan and never loses work: each problem gets one clear message
naming the file (and line where known), and the rest of the scan goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_scan, write

from ftscan.cli import main

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4.1-mini-2025-04-14:acme:other:Oth12345"


def _messages(result) -> dict[str, str]:  # noqa: ANN001
    return {d.path: d.render() for d in result.diagnostics}


@pytest.mark.parametrize(
    ("name", "content", "line", "problem"),
    [
        ("broken.yaml", f"a: [1, 2\nmodel: {FT}\n", 2, "invalid YAML"),
        ("broken.json", f'{{"model": "{FT}",\n  "x": }}\n', 2, "invalid JSON"),
        ("broken.toml", f'model = "{FT}"\nmodel = "dup"\n', 2, "invalid TOML"),
        ("broken.tf", f'variable "m" {{\n  default = "{FT}"\n  oops = \n}}\n', None,
         "invalid HCL"),
        ("broken.py", f'M = "{FT}"\ndef broken(:\n', 2, "Python syntax error"),
        ("broken.ipynb", f'{{"cells": [{{"cell_type": "code", "source": ["M = \\"{FT}\\""', 1,
         "invalid JSON"),
    ],
)
def test_unparsable_file_falls_back_to_the_text_pass(
    repo: Path, name: str, content: str, line: int | None, problem: str
) -> None:
    write(repo, name, content)
    write(repo, "good.env", f"MODEL={FT}\n")
    result = run_scan(repo)
    assert {f.location.path for f in result.findings} == {name, "good.env"}
    assert result.summary.parse_fallbacks == 1
    message = _messages(result)[name]
    assert problem in message and "text pass" in message
    if line is not None:
        assert message.startswith(f"{name}:{line}: warning: ")


def test_bad_utf8_is_reported_and_still_scanned(repo: Path) -> None:
    write(repo, "latin1.env", b"# caf\xe9\nMODEL=" + FT.encode() + b"\n")
    result = run_scan(repo)
    (finding,) = result.findings
    assert (finding.location.start_line, finding.location.start_column) == (2, 7)
    assert "not valid UTF-8" in _messages(result)["latin1.env"]


def test_binary_and_nul_files_are_skipped_and_counted(repo: Path) -> None:
    write(repo, "model.bin", b"\x00\x01" + FT.encode())
    write(repo, "nul.txt", FT.encode() + b"\x00")
    result = run_scan(repo)
    assert result.findings == ()
    assert result.summary.skipped == {"binary": 2}


def test_a_file_over_the_size_limit_is_read_in_pieces_for_ids(repo: Path) -> None:
    """The size limit keeps parsers off big files; their ids are still found, by a text pass
    that reads a piece at a time (an id cut by a piece boundary included)."""
    from ftscan.pipeline import largefile

    big = "\n".join(f"row {i},x" for i in range(50_000))
    cut = largefile.PIECE - 20  # an id straddling the first piece boundary
    filler = "y" * (cut - len(big) - 1)
    write(repo, "data/eval.csv", f"{big}\n{filler},{FT}\nlast,{FT2}\n")
    write(repo, "big.env", f"MODEL={FT}\n" + "#" * 5000)
    write(repo, "small.env", f"MODEL={FT}\n")
    result = run_scan(repo, max_file_size=1000)
    found = {(f.location.path, f.location.start_line, f.location.start_column, f.model_id)
             for f in result.findings}
    assert found == {("small.env", 1, 7, FT), ("big.env", 1, 7, FT),
                     ("data/eval.csv", 50_001, len(filler) + 2, FT),
                     ("data/eval.csv", 50_002, 6, FT2)}
    assert result.summary.skipped == {}
    assert "read in pieces for ids only" in _messages(result)["big.env"]


def test_a_large_binary_file_is_skipped_as_binary_not_read_through(repo: Path) -> None:
    """A shared library over the size limit (there are dozens in a site-packages) is binary:
    skipped at its first piece, not decoded and searched megabyte after megabyte."""
    elf = b"\x7fELF\x00\x00" + b"ft:gpt-4o-mini-2024-07-18:a:b:AbCd1234 " * 2000
    write(repo, "lib/native.so", elf)
    result = run_scan(repo, max_file_size=1000)
    assert result.findings == ()
    assert result.summary.skipped == {"binary": 1}


def test_files_over_the_streaming_limit_are_counted_not_dropped(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ftscan.pipeline import largefile

    monkeypatch.setattr(largefile, "STREAM_LIMIT", 2000)
    write(repo, "big.env", f"MODEL={FT}\n" + "#" * 5000)
    write(repo, "small.env", f"MODEL={FT}\n")
    result = run_scan(repo, max_file_size=1000)
    assert [f.location.path for f in result.findings] == ["small.env"]
    assert result.summary.skipped == {"too-large": 1}
    assert "over the limit of 1000" in _messages(result)["big.env"]


def test_symlinks(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.env"
    outside.write_text(f"MODEL={FT}\n")
    write(repo, "real.env", f"MODEL={FT}\n")
    os.symlink(outside, repo / "outside.env")
    os.symlink(repo / "nowhere.env", repo / "broken.env")
    os.symlink(repo / "real.env", repo / "alias.env")
    os.symlink(outside.parent, repo / "outside-dir")
    result = run_scan(repo)
    assert [f.location.path for f in result.findings] == ["real.env"]
    assert result.summary.skipped == {"broken-symlink": 1, "outside-root": 2, "symlink": 1}
    messages = _messages(result)
    assert "does not exist" in messages["broken.env"]
    assert "outside the scanned root" in messages["outside.env"]


def test_unreadable_file_is_reported_and_the_scan_goes_on(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write(repo, "locked.env", f"MODEL={FT}\n")
    write(repo, "open.env", f"MODEL={FT}\n")
    real_open = os.open

    def fake_open(file, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if Path(file) == locked:  # (tests run as root here: chmod would not lock it)
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    result = run_scan(repo)
    assert [f.location.path for f in result.findings] == ["open.env"]
    assert "Permission denied" in _messages(result)["locked.env"]
    assert result.summary.skipped == {"unreadable": 1}


def test_empty_repository(repo: Path) -> None:
    result = run_scan(repo)
    assert result.findings == () and result.summary.files_read == 0


def test_deeply_nested_json_does_not_crash(repo: Path) -> None:
    write(repo, "deep.json", "[" * 100000 + f'"{FT}"' + "]" * 100000)
    result = run_scan(repo, max_file_size=10**7)
    assert [f.model_id for f in result.findings] == [FT]


def test_cli_prints_one_line_per_problem(repo: Path) -> None:
    write(repo, "broken.yaml", f"a: [1, 2\nmodel: {FT}\n")
    result = CliRunner().invoke(main, ["scan", str(repo), "--fail-on", "never"])
    assert result.exit_code == 0
    (line,) = [line for line in result.stderr.splitlines() if line]
    assert line.startswith("ftscan: broken.yaml:2: warning: invalid YAML: ")
    assert line.endswith("; read with the text pass instead")
    quiet = CliRunner().invoke(main, ["scan", str(repo), "--quiet", "--fail-on", "never"])
    assert quiet.stderr == ""


def test_yaml_alias_bomb_is_read_once_per_node(repo: Path) -> None:
    """Nine levels of ten aliases each: 10**9 paths if aliases were expanded. Each node is
    walked at most twice (once under an env mapping), so the strings read stay a few per
    node of the file."""
    from ftscan.parsers.yaml_ import parse_yaml

    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    lines.append(f"model: {FT}")
    text = "\n".join(lines) + "\n"
    write(repo, "bomb.yaml", text)
    result = run_scan(repo)
    assert [f.context for f in result.findings] == ["model"]
    nodes = 10 + 11 * 9 + 2  # the scalars of level a, each alias list, the model entry
    assert len(parse_yaml(text).strings) <= 2 * nodes


def test_file_name_that_is_not_utf8(repo: Path) -> None:
    name = os.fsdecode(b"caf\xe9.env")
    (repo / name).write_text(f"M={FT}\n")
    result = run_scan(repo)
    assert [f.location.path for f in result.findings] == ["caf\ufffd.env"]
    from ftscan.reporters import SCAN_FORMATS, scan_reporter

    for name in SCAN_FORMATS:
        scan_reporter(name).render(result).encode("utf-8")


def test_a_parser_crash_costs_only_that_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ftscan.parsers.yaml_

    def broken(text: str, shape: object):  # noqa: ANN202
        raise IndexError("list index out of range")

    monkeypatch.setattr(ftscan.parsers.yaml_, "parse_yaml", broken)
    write(repo, "a.yaml", f"model: {FT}\n")
    write(repo, "b.env", f"M={FT}\n")
    result = run_scan(repo)
    assert sorted(f.location.path for f in result.findings) == ["a.yaml", "b.env"]
    assert "the yaml parser failed (IndexError" in _messages(result)["a.yaml"]
