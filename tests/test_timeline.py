"""The deadline chart at the top of the Markdown inventory (a Mermaid gantt).

A user reads it in a job summary or a PR comment, so it must stay readable at any size, draw
only what still serves, and no label from a repository may break out of the chart. When the
Mermaid CLI is installed (``FTSCAN_MMDC`` or ``mmdc`` on PATH), the chart is rendered for real.
"""

from __future__ import annotations

import datetime as dt
import itertools
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
    assert "3 more fine-tunes of base-0 :crit, 2026-11-29, 2027-01-10" in tasks[2:]
    # every fine-tune is accounted for: drawn, or counted in a bar
    count = re.compile(r"\d+ (more )?fine-tunes?( (of|until) [^:]*)? :")
    drawn = sum(1 for t in tasks[2:] if not count.match(t))
    counted = sum(int(t.split()[0]) for t in tasks[2:] if count.match(t))
    assert drawn + counted == len(rows)


def test_bars_of_different_fine_tunes_never_share_a_label() -> None:
    """Retrained fine-tunes keep their suffix (``ranker`` twice, by job id), and a suffix may
    come back under another base: every bar says which fine-tune it is."""
    rows = [_row("ft:gpt-4o-2024-08-06:acme:ranker:AbCd1234", "gpt-4o-2024-08-06", "2027-01-14",
                 "ranker"),
            _row("ft:gpt-4o-2024-08-06:acme:ranker:EfGh5678", "gpt-4o-2024-08-06", "2027-01-14",
                 "ranker"),
            _row("ft:gpt-4o-2024-08-06:acme:ranker:EfGh5678:ckpt-step-88", "gpt-4o-2024-08-06",
                 "2027-01-14", "ranker"),
            _row("ft:gpt-4.1-2025-04-14:acme:ranker:IjKl9012", "gpt-4.1-2025-04-14",
                 "2027-01-14", "ranker"),
            _row("ft:gpt-4.1-2025-04-14:acme:triage:MnOp3456", "gpt-4.1-2025-04-14",
                 "2027-01-14", "triage")]
    labels = [t.split(" :")[0] for t in _tasks(gantt(_inventory(*rows), JOBS_END))[2:]]
    assert len(labels) == len(rows) and len(set(labels)) == len(labels), labels
    assert {"ranker (acme) AbCd1234", "ranker (acme) EfGh5678",
            "ranker (acme) EfGh5678 ckpt-step-88", "triage (acme)"} <= set(labels)


def test_azure_and_openai_fine_tunes_of_one_base_keep_their_own_sections() -> None:
    """Azure's fine-tunes of gpt-4o-mini end on Azure's calendar: their section is not
    OpenAI's, even on the same day, and says which is which."""
    azure = Row(model_id="gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef",
                provider="azure-openai", base_model="gpt-4o-mini-2024-07-18", org=None,
                suffix=None, rule_id="FT003", dynamic=False, shutdown_date="2027-01-14",
                next_step=None)
    lines = gantt(_inventory(
        _row("ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234", "gpt-4o-mini-2024-07-18",
             "2027-01-14", "ranker"), azure), JOBS_END)
    sections = [line.removeprefix("    section ") for line in lines
                if line.startswith("    section ")]
    assert sections == ["Deadlines", "gpt-4o-mini-2024-07-18 (Azure)",
                        "gpt-4o-mini-2024-07-18 (OpenAI)"]


def test_an_id_that_is_only_an_example_gets_no_bar(tmp_path: Path) -> None:
    """A placeholder in a .env.example that code reads through the environment, and an id a
    test quotes: no fine-tune anyone serves, so no (red) bar, whatever their base's date."""
    from conftest import run_scan

    from ftscan import inventory as inv

    repo = tmp_path / "svc"
    (repo / ".git").mkdir(parents=True)
    (repo / ".env.example").write_text(
        "RANKER_MODEL=ft:gpt-4o-mini-2024-07-18:your-org:custom-model-name:7p4lURel\n")
    (repo / "app.py").write_text('import os\nfrom openai import OpenAI\n'
                                 'OpenAI().chat.completions.create(\n'
                                 '    model=os.environ["RANKER_MODEL"], messages=[])\n')
    (repo / "tests").mkdir()
    (repo / "tests" / "test_app.py").write_text(
        'M = "ft:gpt-4o-2024-08-06:acme:tagger:EfGh5678"\n')
    (repo / "deploy.env").write_text("TRIAGE=ft:gpt-4.1-2025-04-14:acme:triage:AbCd1234\n")
    inventory = inv.build(run_scan(repo))
    assert any(row.uses for row in inventory.rows.values() if "your-org" in row.model_id)
    tasks = _tasks(gantt(inventory, JOBS_END))
    assert [t.split(" :")[0] for t in tasks[2:]] == ["triage (acme)"]


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
        "%%{init:", "gantt", "title", "dateFormat", "axisFormat", "tickInterval", "todayMarker",
        "section", "section"]


def _mmdc() -> list[str] | None:
    configured = os.environ.get("FTSCAN_MMDC")
    if configured:
        return configured.split()
    found = shutil.which("mmdc")
    return [found] if found else None


@pytest.mark.skipif(_mmdc() is None, reason="the Mermaid CLI is not installed (FTSCAN_MMDC)")
def test_the_chart_renders_with_the_mermaid_cli(tmp_path: Path) -> None:
    """The Mermaid CLI parses the chart and draws every bar (a syntax error fails it), with
    the sections' names in the room left for them, each bar's own label, and the month labels
    of the axis apart at Mermaid's default width (a year of daily dates overlapped)."""
    azure = Row(model_id="gpt-4o-2024-08-06.ft-0123456789abcdef0123456789abcdef",
                provider="azure-openai", base_model="gpt-4o-2024-08-06", org=None, suffix=None,
                rule_id="FT003", dynamic=False, shutdown_date="2027-10-01", next_step=None)
    lines = gantt(_inventory(
        _row("ft:gpt-4o-2024-08-06:acme:triage:AbCd1234", "gpt-4o-2024-08-06", "2027-01-14",
             "triage"),
        _row("ft:gpt-4o-2024-08-06:acme:triage:EfGh5678", "gpt-4o-2024-08-06", "2027-01-14",
             "triage"),
        _row("ft:gpt-5-2025-08-07:acme::IjKl9012", "gpt-5-2025-08-07", "2026-12-11"),
        _row("ft:gpt-4.1-mini-2025-04-14:a-very-long-organisation-name:summaries:MnOp3456",
             "gpt-4.1-mini-2025-04-14", "2027-01-14", "summaries",
             "a-very-long-organisation-name"),
        azure), JOBS_END)
    source = tmp_path / "chart.mmd"
    source.write_text("\n".join(lines[lines.index("```mermaid") + 1:lines.index("```")]))
    assert lines[1].startswith("%%{init: ")  # room for the section names, or they overlap
    out = tmp_path / "chart.svg"
    command = _mmdc()
    assert command is not None
    done = subprocess.run([*command, "-i", str(source), "-o", str(out)], capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    svg = out.read_text()
    assert "Syntax error" not in svg
    for label in ("triage (acme) AbCd1234", "triage (acme) EfGh5678",
                  "Job creation ends (OpenAI)", "gpt-4o-2024-08-06 (Azure)",
                  "gpt-4o-2024-08-06 (OpenAI)"):
        assert label in svg, label
    ticks = [(float(x), text) for x, text in re.findall(
        r'<g class="tick"[^>]*?transform="translate\(([\d.]+),0\)"[^>]*>.*?<text[^>]*>([^<]+)'
        r"</text>", svg, re.S)]
    assert len(ticks) >= 3, ticks
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", text) for _, text in ticks), ticks
    size = float(re.search(r'class="grid"[^>]*font-size="(\d+)"', svg).group(1))
    for (x, text), (next_x, _) in itertools.pairwise(ticks):
        assert next_x - x >= 0.6 * size * len(text) + 4, ticks  # no label runs into the next
