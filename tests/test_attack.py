"""The whole attack set, end to end: a hostile repository scanned in every output mode.

``fixtures/attack/`` holds the payloads that can be committed (Markdown and HTML in keys and
templates, pings in CODEOWNERS, a lone surrogate, a CR-only file, UTF-16, a NUL after text, a
suppression-marker regex bomb, a first line that looks like one of ftscan's reports, broken
ignore patterns, URLs as component and package names). This test adds what cannot be
committed portably: a ``.git/config`` whose fsmonitor, filters, textconv, external diff and
hooks would each leave a marker file, file names with a newline (a GitHub workflow command)
and an escape sequence, a FIFO, a symlink to ``/dev/zero`` and megabyte pattern bombs. Then
it scans in text, JSON, SARIF, CSV and Markdown, with ``--diff-base`` and ``--staged``, and as
the GitHub Action, and asserts: no command from the tree ran, no file of the tree changed,
every canary id was found, no payload reached an output raw, the exit codes are the
documented ones, and the scan stayed within its budget.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, commit, git, new_git_repo, write

from ftscan import github
from ftscan.cli import main

CANARY = "ft:gpt-4o-mini-2024-07-18:acme:canary-{n}:Can{id}"
COMMITTED_CANARIES = range(1, 11)


def canary(n: int) -> str:
    return CANARY.format(n=n, id=str(12340 + n)[-5:])


def _hostile_repo(tmp_path: Path) -> tuple[Path, Path, str]:
    """The attack fixture as a git repository with a hostile config; returns the repository,
    the folder where markers would appear, and the base commit."""
    markers = tmp_path / "markers"
    markers.mkdir()
    repo = new_git_repo(tmp_path / "victim")
    shutil.copytree(FIXTURES / "attack", repo, dirs_exist_ok=True)
    # pattern bombs a megabyte long, each with a canary behind it
    write(repo, "bombs/ft-repeat.txt", "ft:" * 350_000 + f"\nMODEL={canary(11)}\n")
    write(repo, "bombs/quotes.env", 'A="\n' * 60_000 + f"MODEL={canary(12)}\n")
    write(repo, "bombs/locals.tf", "locals {\n" * 8_000 + f'x = "{canary(13)}"\n')
    write(repo, "bombs/deep.py", "x = " + "(" * 1300 + "1" + ")" * 1300
          + f"\nMODEL = '{canary(14)}'\n")
    write(repo, "bombs/template.py", 'X = f"' + "ft:" * 300_000 + '{y}"\n'
          + f"MODEL = '{canary(15)}'\n")
    write(repo, "bombs/bedrock.txt", "arn:aws:bedrock:us-east-1:318271560946:" * 25_000
          + "\n" + f"MODEL={canary(16)}\n")
    write(repo, ".gitattributes", "* filter=evil diff=evil\n")
    hooks = repo / "evil-hooks"
    for hook in ("post-index-change", "pre-commit", "post-checkout", "reference-transaction"):
        script = write(hooks, hook, f"#!/bin/sh\ntouch {markers}/hook-{hook}\n")
        script.chmod(0o755)
    base = commit(repo, "base")
    write(repo, "café.env", f"MODEL={canary(19)}\n")  # staged: a name git quotes
    git(repo, "add", "café.env")
    # the hostile configuration, set after the honest commit above
    for key, value in {
        "core.fsmonitor": f"touch {markers}/fsmonitor; false",
        "filter.evil.clean": f"touch {markers}/clean; cat",
        "filter.evil.smudge": f"touch {markers}/smudge; cat",
        "filter.evil.process": f"touch {markers}/process",
        "filter.evil.required": "true",
        "diff.evil.textconv": f"touch {markers}/textconv; cat",
        "diff.external": f"touch {markers}/external",
        "core.hooksPath": str(hooks),
        "diff.noprefix": "true",
    }.items():
        git(repo, "config", key, value)
    git_hooks = repo / ".git" / "hooks"
    git_hooks.mkdir(exist_ok=True)
    for hook in ("post-index-change", "reference-transaction"):
        script = write(git_hooks, hook, f"#!/bin/sh\ntouch {markers}/git-hook-{hook}\n")
        script.chmod(0o755)
    # changes the pull request brings, some staged
    write(repo, "evil\n::error file=x.py,line=1::pwned\n.env", f"MODEL={canary(17)}\n")
    write(repo, "\x1b[31mred\x1b[0m.env", f"MODEL={canary(18)}\n")
    with (repo / "config" / "cr-only.env").open("a") as handle:
        handle.write(f"EXTRA={canary(20)}\r")
    os.mkfifo(repo / "fifo.env")
    os.symlink("/dev/zero", repo / "zero.env")
    return repo, markers, base


def _snapshot(repo: Path) -> dict[str, str]:
    """Every file of the tree and of .git, with its size, mtime and content hash."""
    state = {}
    for folder, _dirs, files in os.walk(repo):
        for name in files:
            path = Path(folder, name)
            if path.is_symlink() or not path.is_file():
                state[str(path)] = "special"
                continue
            info = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[str(path)] = f"{info.st_size}:{info.st_mtime_ns}:{digest}"
    return state


URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-F]{2})*")
"""RFC 3986: what a URI may hold, every other byte percent-encoded."""
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
TERMINAL_PAYLOADS = (
    re.compile(r"[\x00-\x08\x0b-\x1f\x7f]"),  # escape sequences, a lone CR
    re.compile(r"^::", re.MULTILINE),  # a GitHub Actions workflow command of the tree's making
)


def _assert_renders_safely(name: str, markdown: str) -> None:
    """Render the Markdown as GitHub does (CommonMark and tables) and check the HTML: no element
    the tree asked for, details blocks balanced, no heading but ftscan's own, and no ``@name``
    outside code (GitHub pings nobody from inside code)."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<img" not in html and "<script" not in html, name
    assert html.count("<details>") == html.count("</details>"), name
    assert all(h.startswith(("<h2>ftscan", "<h2>Fine-tuned"))
               for h in re.findall(r"<h\d>[^<]*", html)), name
    outside_code = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    assert re.search(r"@[A-Za-z0-9]", outside_code) is None, name
    # nor a bare URL GitHub's autolinker would make a link of (a component's or package's
    # name, a provider's message)
    assert _GFM_AUTOLINK.search(outside_code) is None, name


_GFM_AUTOLINK = re.compile(r"(?i)(?:https?|ftp)://[^\s<]|www\.[^\s<]")
"""Where GitHub's Markdown (the GFM autolink extension) makes a link of plain text."""


def _artifact_uris(node: object) -> Iterator[str]:
    """Every ``artifactLocation.uri`` in a SARIF document (results, related locations, flows)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "artifactLocation":
                yield value["uri"]
            else:
                yield from _artifact_uris(value)
    elif isinstance(node, list):
        for item in node:
            yield from _artifact_uris(item)


def _assert_no_raw_payload(name: str, output: str, patterns: tuple[re.Pattern[str], ...],
                           ) -> None:
    for pattern in patterns:
        assert pattern.search(output) is None, (name, pattern.pattern)


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    return _hostile_repo(tmp_path_factory.mktemp("attack"))


def _scan(repo: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["scan", str(repo), "--as-of", "2026-11-22", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_a_hostile_repository_is_scanned_safely_in_every_mode(
        attack: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, markers, base = attack
    before = _snapshot(repo)
    started = time.monotonic()
    outputs: dict[str, tuple[int, str, str]] = {}
    for fmt in ("text", "json", "sarif", "csv", "markdown"):
        outputs[fmt] = _scan(repo, "--format", fmt, "--no-cache")
    outputs["diff-sarif"] = _scan(repo, "--format", "sarif", "--diff-base", base)
    outputs["staged"] = _scan(repo, "--format", "json", "--staged")
    outputs["inventory"] = (0, CliRunner().invoke(
        main, ["inventory", str(repo), "--format", "markdown", "--quiet"]).stdout, "")
    outputs["inventory-csv"] = (0, CliRunner().invoke(
        main, ["inventory", str(repo), "--format", "csv", "--quiet"]).stdout, "")
    elapsed = time.monotonic() - started

    # the GitHub Action's driver on a pull request whose base is the honest commit
    event = write(tmp_path, "event.json", json.dumps({"pull_request": {"base": {"sha": base}}}))
    summary, out = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {"GITHUB_WORKSPACE": str(repo), "RUNNER_TEMP": str(tmp_path),
           "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(out),
           "FTSCAN_COMMENT": "true", "FTSCAN_FAIL_ON": "error"}
    lines: list[str] = []
    code = github.run(env, lines)
    action_outputs = {
        "annotations": "\n".join(lines),
        "summary": summary.read_text(),
        "comment": (tmp_path / "ftscan-comment.md").read_text(),
        "sarif": (tmp_path / "ftscan.sarif").read_text(),
    }

    # nothing the repository configures ran, and nothing in it changed
    assert sorted(p.name for p in markers.iterdir()) == []
    assert _snapshot(repo) == before
    # exit codes as documented: findings at or above the fail level
    assert {name: result[0] for name, result in outputs.items() if name != "inventory"
            and name != "inventory-csv"} == {name: 1 for name in outputs
                                             if name not in ("inventory", "inventory-csv")}
    assert code == 1
    # every canary found, wherever it hid
    document = json.loads(outputs["json"][1])
    found = {f["modelId"] for f in document["findings"]}
    assert {canary(n) for n in range(1, 20)} <= found
    assert not any("gave up" in d["message"] for d in document["diagnostics"])
    assert elapsed < 120
    # no payload reached an output raw: terminals and logs get no control character and no
    # workflow command, Markdown no tag, ping or heading, spreadsheets no formula
    for name, (_, _stdout, stderr) in outputs.items():
        _assert_no_raw_payload(f"{name} stderr", stderr, TERMINAL_PAYLOADS)
    _assert_no_raw_payload("text", outputs["text"][1], TERMINAL_PAYLOADS)
    for line in action_outputs["annotations"].splitlines():  # only ftscan's own commands
        assert re.match(r"::(?:error|warning|notice) (?:file=|title=ftscan::)|ftscan: ",
                        line), line
    _assert_no_raw_payload("annotations", action_outputs["annotations"],
                           TERMINAL_PAYLOADS[:1])
    for name, text in (("markdown", outputs["markdown"][1]),
                       ("inventory", outputs["inventory"][1]),
                       ("summary", action_outputs["summary"]),
                       ("comment", action_outputs["comment"])):
        _assert_no_raw_payload(name, text, TERMINAL_PAYLOADS)
        _assert_renders_safely(name, text)
    for name in ("json", "sarif", "diff-sarif", "staged"):
        json.loads(outputs[name][1])  # data, encoded as JSON: nothing to escape beyond that
    json.loads(action_outputs["sarif"])
    # a SARIF location is a URI: a file name's newline or escape sequence is percent-encoded
    paths = {f["path"] for f in document["findings"]}
    for name, text in (("sarif", outputs["sarif"][1]), ("diff-sarif", outputs["diff-sarif"][1]),
                       ("action sarif", action_outputs["sarif"])):
        uris = set(_artifact_uris(json.loads(text)))
        assert uris and all(URI_REFERENCE.fullmatch(uri) for uri in uris), (name, uris)
        assert {unquote(uri) for uri in uris} == paths, name
    for name, (_, text, _) in (("csv", outputs["csv"]), ("inventory-csv",
                                                         outputs["inventory-csv"])):
        for row in csv.reader(io.StringIO(text)):  # numbers such as -332 days are no formula
            assert not any(cell.startswith(("=", "+", "-", "@")) and not
                           re.fullmatch(r"-?\d+", cell) for cell in row), (name, row)
            # nor an escape sequence for the terminal a CSV is looked at in (cat, less)
            assert not any(CONTROL_CHARACTERS.search(cell) for cell in row), (name, row)
    # SARIF covers the whole repository even in a diff-aware run; new-ness is a property
    sarif = json.loads(outputs["diff-sarif"][1])
    results = sarif["runs"][0]["results"]
    assert len(results) == len(document["findings"])
    new = {r["properties"]["modelId"] for r in results if r["properties"]["ftscan/new"]}
    assert {canary(17), canary(18), canary(19), canary(20)} <= new
    assert canary(1) not in new
    # the staged run saw the staged file with a name git quotes
    staged = {f["modelId"] for f in json.loads(outputs["staged"][1])["findings"]}
    assert staged == {canary(19)}


def test_a_config_naming_files_outside_the_repository_is_refused(tmp_path: Path) -> None:
    repo = new_git_repo(tmp_path / "victim")
    write(repo, "a.env", f"MODEL={canary(1)}\n")
    for rules in ('["/dev/zero"]', '["../../../etc/passwd"]'):
        write(repo, ".ftscan.toml", f"rules = {rules}\n")
        started = time.monotonic()
        result = CliRunner().invoke(main, ["scan", str(repo), "--no-cache"])
        assert result.exit_code == 2
        assert "outside the repository" in result.stderr
        assert time.monotonic() - started < 10
    os.mkfifo(repo / "rules.yaml")  # inside the repository, but reading it would block
    write(repo, ".ftscan.toml", 'rules = ["rules.yaml"]\n')
    result = CliRunner().invoke(main, ["scan", str(repo), "--no-cache"])
    assert result.exit_code == 2 and "rules.yaml is not a regular file" in result.stderr
