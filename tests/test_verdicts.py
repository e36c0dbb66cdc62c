"""Verdicts are applied once, late, to what the analysis found (ftscan.verdicts): each finding's
level, days left and message for the scan date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import write

import ftscan.lifecycle
from ftscan.api import ScanOptions, scan
from ftscan.models import Role

RANKER = "ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4"
TRIAGE = "ft:gpt-4.1-2025-04-14:acme-corp:triage:Q2w3E4r5"
DAY = dt.date(2026, 12, 7)
HANDLERS = 30


def test_a_definition_that_many_uses_reach_is_judged_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A repository where a model is used in many places judged each definition once per
    use reaching it: 5,679 judgements for 942 findings in one of the real-world set."""
    write(tmp_path, "config/.env", f"RANKER_MODEL={RANKER}\n")
    write(tmp_path, "app/models.py", "import os\n\nRANKER = os.environ['RANKER_MODEL']\n"
          f"TRIAGE = '{TRIAGE}'\n")
    for n in range(HANDLERS):
        write(tmp_path, f"app/handler_{n}.py", "from openai import OpenAI\n"
              "from app.models import RANKER, TRIAGE\n\n"
              "OpenAI().chat.completions.create(model=RANKER, messages=[])\n"
              "OpenAI().chat.completions.create(model=TRIAGE, messages=[])\n")
    asked: list[str | None] = []
    original = ftscan.lifecycle.LifecycleTable.entry_for

    def counted(self: ftscan.lifecycle.LifecycleTable, provider: str, rule_id: str,
                base: str | None, model_id: str | None = None) -> object:
        asked.append(model_id)
        return original(self, provider, rule_id, base, model_id)

    monkeypatch.setattr(ftscan.lifecycle.LifecycleTable, "entry_for", counted)
    result = scan(ScanOptions(paths=(tmp_path,), as_of=DAY))
    uses = [f for f in result.findings if f.role is Role.USE]
    others = [f for f in result.findings if f.role is not Role.USE]
    assert len(uses) >= 2 * HANDLERS
    assert len(asked) <= len(others) + 2, f"{len(asked)} judgements of {len(others)} ids"
    by_id = {f.model_id: f for f in others}
    for use in uses:  # each use says what its definition says of the model
        definition = by_id[use.model_id]
        assert (use.level, use.lifecycle) == (definition.level, definition.lifecycle)
        assert use.lifecycle.shutdown_date is not None
        assert use.lifecycle.shutdown_date.isoformat() in use.message
