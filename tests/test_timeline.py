"""The deadline chart at the top of the Markdown inventory (a Mermaid gantt).

A user reads it in a job summary or a PR comment, so it must stay readable at any size, draw
only what still serves, and no label from a repository may break out of the chart. When the
Mermaid CLI is installed (``FTSCAN_MMDC`` or ``mmdc`` on PATH), the chart is rendered for real.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ftscan.escape import WORD_JOINER
from ftscan.inventory import Inventory, Row
from ftscan.reporters.timeline import MAX_BARS, MAX_SECTIONS, gantt

TODAY = dt.date(2026, 11, 29)
JOBS_END = dt.date(2027, 1, 6)


def _row(model_id: str, base: str | None, date: str | None, suffix: str | None = None,
         org: str | None = "acme") -> Row:
    return Row(model_id=model_id, provider="openai", base_model=base, org=org, suffix=suffix,
               rule_id="FT001", dynamic=False, shutdown_date=date, next_step=None)


def _inventory(*rows: Row) -> Inventory:
    return Inventory(as_of=TODAY, window_days=90, rows={r.model_id: r for r in rows})


def _tasks(lines: list[str]) -> list[str]:
    """The chart's task lines (indented, with a colon), sections and directives left out; the
    word joiner that escapes each bar's label is dropped (it is invisible)."""
    body = lines[lines.index("```mermaid") + 1:lines.index("```")]
    return [line.strip().replace(WORD_JOINER, "") for line in body
            if line.startswith("    ") and ":" in line and not line.strip().startswith(
                ("title", "dateFormat", "axisFormat", "section", "todayMarker"))]


# What Mermaid's gantt lexer (gantt.jison, case-insensitive) reads a statement from, tried at
# the start of a line before a task's text
_MERMAID_STATEMENTS = re.compile(
    r"(?i)(?:gantt|dateFormat\s|inclusiveEndDates|topAxis|axisFormat\s|tickInterval\s|"
    r"includes\s|excludes\s|todayMarker\s|weekday\s|weekend\s|\d{4}-\d\d-\d\d|title\s|"
    r"accTitle\s*:|accDescr|section\s|click\s|call\s|href\s|%%|#)")


def test_bars_run_from_today_to_the_shutdown_and_job_creation_is_a_milestone() -> None:
    lines = gantt(_inventory(
        _row("ft:gpt-4o-2024-08-06:acme:triage:abc", "gpt-4o-2024-08-06", "2027-01-14",
             "triage"),
        _row("gpt-4o-2024-08-06.ft-0123456789abcdef", "gpt-4o-2024-08-06", "2027-10-01")),
        JOBS_END)
    tasks = _tasks(lines)
    assert "Job creation ends (OpenAI) :milestone, crit, jobs, 2027-01-06, 0d" in tasks
    assert "triage (acme) :crit, 2026-11-29, 2027-01-14" in tasks  # within 90 days: red
    assert any(t.endswith(":2026-11-29, 2027-10-01") for t in tasks)  # later: not red
    assert lines[-2] == "_2 fine-tunes still serving._"


def test_models_already_shut_down_are_counted_not_drawn() -> None:
    """A milestone in 2024 would stretch the axis until this year's bars are slivers."""
    lines = gantt(_inventory(
        _row("davinci:ft-acme:old-2022-11-02-10-11-12", "davinci", "2024-01-04", "old"),
        _row("ft:gpt-4.1-2025-04-14:acme:sum:abc", "gpt-4.1-2025-04-14", "2027-01-14", "sum"),
        _row("ft:gpt-4o-mini-2024-07-18:acme::x", None, None)), JOBS_END)
    assert not any("2024-01-04" in line for line in lines)
    assert lines[-2] == ("_1 fine-tune still serving; 1 whose base has shut down already "
                         "(not drawn; see the table); 1 without a shutdown date (not drawn)._")


def test_no_chart_when_nothing_still_serves_has_a_date() -> None:
    assert gantt(_inventory(_row("davinci:ft-acme:x-2022-11-02-10-11-12", "davinci",
                                 "2024-01-04")), JOBS_END) == []
    assert gantt(_inventory(), JOBS_END) == []


def test_a_large_inventory_is_capped_per_section_and_in_sections() -> None:
    rows = [_row(f"ft:base-{b}:acme:s{i}:x", f"base-{b}", f"2027-0{1 + b % 9}-1{b % 10}",
                 f"s{b}-{i}") for b in range(MAX_SECTIONS + 4) for i in range(MAX_BARS + 3)]
    lines = gantt(_inventory(*rows), JOBS_END)
    sections = [line for line in lines if line.startswith("    section ")]
    assert len(sections) == 1 + MAX_SECTIONS + 1  # deadlines, the first bases, the rest
    assert sections[-1] == "    section 4 more base models"
    tasks = _tasks(lines)
    assert len(tasks) <= 2 + MAX_SECTIONS * (MAX_BARS + 1) + 4
    assert "3 more fine-tunes :crit, 2026-11-29, 2027-01-10" in tasks[2:]
    # every fine-tune is accounted for: drawn, or counted in a bar
    drawn = sum(1 for t in tasks[2:] if not re.match(r"\d+ (more )?fine-tunes? :", t))
    counted = sum(int(t.split()[0]) for t in tasks[2:] if re.match(r"\d+ (more )?fine-tunes? :", t))
    assert drawn + counted == len(rows)


@pytest.mark.parametrize("hostile", [
    "evil\n```\n<script>alert(1)</script>",
    "x :milestone, 2020-01-01, 0d\nclick a href \"javascript:alert(1)\"",
    "%%{init: {'theme': 'dark'}}%%",
    "a;b#c:d`e",
])
def test_labels_from_a_repository_cannot_break_out_of_the_chart(hostile: str) -> None:
    lines = gantt(_inventory(_row(f"ft:gpt-4o-2024-08-06:{hostile}:s:x", hostile, "2027-01-14",
                                  suffix=hostile, org=hostile)), JOBS_END)
    body = lines[lines.index("```mermaid") + 2:lines.index("```")]  # after ftscan's init
    assert lines.count("```") == 1 and "\n".join(lines).count("```") == 2
    for line in body:
        assert "\n" not in line and "`" not in line and "%%" not in line
        assert "<" not in line and '"' not in line and not line.strip().startswith("click")
    section = [line for line in body if line.startswith("    section ")][1]
    assert ":" not in section and ";" not in section and "#" not in section


@pytest.mark.parametrize("suffix", ["title", "dateformat", "section", "click", "call",
                                    "TopAxis", "2027-01-01-x", "Excludes weekends"])
def test_a_suffix_that_is_a_mermaid_keyword_stays_a_bar(suffix: str) -> None:
    """gantt has no quoting: a label is escaped so that Mermaid reads no statement from it."""
    lines = gantt(_inventory(_row(f"ft:gpt-4o-2024-08-06:acme:{suffix}:x", "gpt-4o-2024-08-06",
                                  "2027-01-14", suffix=suffix, org=None)), JOBS_END)
    body = lines[lines.index("```mermaid") + 1:lines.index("```")]
    bars = [line for line in body if suffix in line and " :" in line]
    assert len(bars) == 1
    assert _MERMAID_STATEMENTS.match(bars[0].lstrip()) is None, bars[0]
    # the chart's own statements are still read as such
    assert [line.split()[0] for line in body if _MERMAID_STATEMENTS.match(line.lstrip())] == [
        "%%{init:", "gantt", "title", "dateFormat", "axisFormat", "todayMarker", "section",
        "section"]


def _mmdc() -> list[str] | None:
    configured = os.environ.get("FTSCAN_MMDC")
    if configured:
        return configured.split()
    found = shutil.which("mmdc")
    return [found] if found else None


@pytest.mark.skipif(_mmdc() is None, reason="the Mermaid CLI is not installed (FTSCAN_MMDC)")
def test_the_chart_renders_with_the_mermaid_cli(tmp_path: Path) -> None:
    """The Mermaid CLI parses the chart and draws every bar (a syntax error fails it)."""
    lines = gantt(_inventory(
        _row("ft:gpt-4o-2024-08-06:acme:triage:abc", "gpt-4o-2024-08-06", "2027-01-14",
             "triage"),
        _row("ft:gpt-5-2025-08-07:acme::def", "gpt-5-2025-08-07", "2026-12-11"),
        _row("gpt-4o-2024-08-06.ft-0123456789abcdef", "gpt-4o-2024-08-06", "2027-10-01")),
        JOBS_END)
    source = tmp_path / "chart.mmd"
    source.write_text("\n".join(lines[lines.index("```mermaid") + 1:lines.index("```")]))
    assert lines[1].startswith("%%{init: ")  # room for the section names, or they overlap
    out = tmp_path / "chart.svg"
    command = _mmdc()
    assert command is not None
    done = subprocess.run([*command, "-i", str(source), "-o", str(out)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    svg = out.read_text()
    assert "triage (acme)" in svg and "Job creation ends (OpenAI)" in svg
    assert "Syntax error" not in svg
