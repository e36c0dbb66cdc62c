"""Lifecycle verdicts: dates, statuses, days left and the level they give a finding."""

from __future__ import annotations

import datetime as dt

import pytest

from ftscan.lifecycle import level_for, load_lifecycle
from ftscan.models import Level, Lifecycle, Role, Status

TABLE = load_lifecycle()


@pytest.mark.parametrize(
    ("base", "shutdown"),
    [
        ("gpt-4o-mini-2024-07-18", "2027-01-14"),
        ("gpt-4o-mini", "2027-01-14"),
        ("gpt-4o-2024-08-06", "2027-01-14"),
        ("gpt-4.1-2025-04-14", "2027-01-14"),
        ("gpt-4.1-mini-2025-04-14", "2027-01-14"),
        ("gpt-4.1-nano-2025-04-14", "2026-10-23"),
        ("gpt-4o-2024-05-13", "2026-10-23"),
        ("gpt-3.5-turbo-0125", "2026-10-23"),
        ("gpt-3.5-turbo", "2026-10-23"),
        ("gpt-4-0613", "2026-10-23"),
        ("babbage-002", "2026-10-23"),
        ("davinci-002", "2026-10-23"),
        ("o4-mini-2025-04-16", "2026-10-23"),
    ],
)
def test_openai_fine_tunes_follow_their_base_model(base: str, shutdown: str) -> None:
    verdict = TABLE.verdict("openai", "FT001", base, dt.date(2026, 11, 22), 90)
    assert verdict.shutdown_date == dt.date.fromisoformat(shutdown)
    assert verdict.source and verdict.source.startswith("https://")


def test_legacy_fine_tunes_died_in_2024() -> None:
    verdict = TABLE.verdict("openai", "FT002", "davinci", dt.date(2026, 11, 22), 90)
    assert verdict.shutdown_date == dt.date(2024, 1, 4)
    assert verdict.status is Status.RETIRED


def test_statuses_around_the_window() -> None:
    def status(day: str) -> tuple[Status, int | None]:
        v = TABLE.verdict("openai", "FT001", "gpt-4o", dt.date.fromisoformat(day), 90)
        return v.status, v.days_left

    assert status("2026-10-16") == (Status.RETIRING, 90)  # the window's first day
    assert status("2026-10-15") == (Status.ACTIVE, 91)
    assert status("2027-01-13") == (Status.RETIRING, 1)
    assert status("2027-01-14") == (Status.RETIRED, 0)
    assert status("2027-02-01") == (Status.RETIRED, -18)


def test_unknown_base_has_no_date() -> None:
    verdict = TABLE.verdict("mistral", "FT005", "open-mistral-7b", dt.date(2026, 11, 22), 90)
    assert verdict == Lifecycle(status=Status.UNKNOWN)


def test_levels() -> None:
    retired = Lifecycle(Status.RETIRED, dt.date(2026, 10, 23), -30)
    active = Lifecycle(Status.ACTIVE, dt.date(2027, 1, 14), 120)
    unknown = Lifecycle(Status.UNKNOWN)
    assert level_for(Role.DEFINITION, retired, Level.WARNING) is Level.ERROR
    assert level_for(Role.DEFINITION, active, Level.WARNING) is Level.WARNING
    assert level_for(Role.MENTION, retired, Level.WARNING) is Level.NOTE
    assert level_for(Role.DYNAMIC, unknown, Level.WARNING) is Level.WARNING
    assert level_for(Role.DEFINITION, unknown, Level.ERROR) is Level.ERROR


def test_wind_down_dates_are_in_the_data() -> None:
    dates = {event.date.isoformat() for event in TABLE.events}
    assert {"2026-05-07", "2026-07-02", "2027-01-06"} <= dates
    assert all(event.source.startswith("https://") for event in TABLE.events)
