"""The command line as a user meets it: exit codes, output files, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, write

from ftscan import __version__
from ftscan.cli import main

SAMPLE = str(FIXTURES / "sample-repo")
AS_OF = ["--as-of", "2026-11-22"]


def invoke(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_findings_exit_1_clean_exit_0() -> None:
    assert invoke("scan", SAMPLE, *AS_OF).exit_code == 1
    assert invoke("scan", str(FIXTURES / "lookalikes"), *AS_OF).exit_code == 0


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("note", 1), ("error", 1)])
def test_fail_on(fail_on: str, code: int) -> None:
    assert invoke("scan", SAMPLE, *AS_OF, "--fail-on", fail_on).exit_code == code


def test_fail_on_error_passes_when_only_warnings(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD", "")
    write(tmp_path, "m.env", "M=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    args = ["scan", str(tmp_path), "--fail-on", "error"]
    assert invoke(*args, "--as-of", "2026-06-01").exit_code == 0  # 227 days left: a warning
    assert invoke(*args, "--as-of", "2026-11-22").exit_code == 1  # inside 90 days: an error
    assert invoke(*args, "--as-of", "2026-06-01", "--warning-window", "300").exit_code == 1


def test_missing_path_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["scan", "/no/such/place"])
    assert result.exit_code == 2
    assert result.output.strip() == "ftscan: error: path does not exist: /no/such/place"


def test_bad_option_values_are_usage_errors() -> None:
    assert CliRunner().invoke(main, ["scan", SAMPLE, "--as-of", "tomorrow"]).exit_code == 2
    assert CliRunner().invoke(main, ["scan", SAMPLE, "--max-file-size", "huge"]).exit_code == 2
    assert CliRunner().invoke(main, ["scan", SAMPLE, "--format", "xml"]).exit_code == 2


def test_unknown_config_key_names_the_key(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD", "")
    write(tmp_path, ".ftscan.toml", 'fail-on = "error"\nfial-on = "never"\n')
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown key 'fial-on'" in result.output
    assert "Traceback" not in result.output


def test_bad_rule_file_from_config_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD", "")
    write(tmp_path, "pyproject.toml", '[tool.ftscan]\nrules = ["acme.yaml"]\n')
    write(tmp_path, "acme.yaml", "rules:\n  - id: ACME001\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert "acme.yaml: rule ACME001: missing field 'name'" in result.output


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "ftscan.sarif"
    result = invoke("scan", SAMPLE, *AS_OF, "--format", "sarif", "--output", str(out))
    assert result.exit_code == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert result.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["ftscan.sarif"]  # no temporary left over


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["scan", SAMPLE, "--output", str(tmp_path / "missing-dir" / "out.json")]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.output


def test_rules_command_lists_every_rule() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("FT001  openai")
    assert len(lines) >= 12


def test_scan_never_writes_into_the_scanned_tree(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD", "")
    write(tmp_path, "a.py", 'M = "ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234"\n')
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    invoke("scan", str(tmp_path), "--format", "json")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_module_entry_point_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "ftscan", "--version"], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_the_console_script_exits_fast_without_losing_output(tmp_path: Path) -> None:
    """The script skips the interpreter's teardown: the report on stdout must still arrive
    whole through a pipe, and the exit code must still say what happened (1 findings, 0
    clean, 2 usage)."""
    repo = tmp_path / "repo"
    write(repo, ".git/HEAD", "")
    for i in range(300):  # a report of some size: well past one pipe buffer
        write(repo, f"svc{i}/a.env", f"M=ft:gpt-4o-mini-2024-07-18:acme:x{i}:AbCd1234\n")
    script = Path(sys.executable).with_name("ftscan")  # the installed console script
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "ftscan"]
    command = [*launcher, "scan", str(repo), "--format", "json", "--no-cache",
               "--as-of", "2026-11-01"]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        # from outside the checkout, so that the installed package is the one that runs
        return subprocess.run([*command, *extra], capture_output=True, text=True,
                              check=False, cwd=tmp_path)

    found = run()
    assert found.returncode == 1, found.stderr
    assert len(json.loads(found.stdout)["findings"]) == 300
    clean = run("--fail-on", "never")
    assert clean.returncode == 0 and json.loads(clean.stdout)["findings"]
    usage = run("--format", "nope")
    assert usage.returncode == 2 and "nope" in usage.stderr


@pytest.mark.parametrize("output_format", ["sarif", "json", "csv", "markdown"])
def test_a_report_written_into_the_tree_is_a_note_to_the_next_scan(tmp_path: Path,
                                                                  output_format: str) -> None:
    """The run writing a report leaves it out; another run says what it is, at note level."""
    write(tmp_path, ".git/HEAD", "")
    write(tmp_path, "a.env", "M=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    report = tmp_path / f"report.{output_format}"
    for _ in range(2):
        invoke("scan", str(tmp_path), "--format", output_format, "--output", str(report))
    assert f"report.{output_format}" not in report.read_text()
    again = json.loads(invoke("scan", str(tmp_path), "--format", "json").stdout)
    first, *others = again["findings"]
    assert (first["path"], first["role"]) == ("a.env", "definition")
    assert others and {(f["path"], f["role"], f["level"]) for f in others} == {
        (f"report.{output_format}", "mention", "note")}
    assert all("ftscan report" in f["message"] for f in others)
