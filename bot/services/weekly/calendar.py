"""A pair's calendar: when its program weeks start, and when each person works."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from bot.services.weekly.timing import WorkingHours


class PersonHours(Protocol):
    """What ``working_hours`` reads of a person: a ``Person``, or a row of those columns
    (the weekly planner reads only the columns it needs)."""

    tz: str | None
    window_start_hour: int | None
    window_end_hour: int | None


class ProgramHours(Protocol):
    """What ``working_hours`` reads of a program: a ``Program``, or a row of those columns."""

    workday_start_hour: int
    workday_end_hour: int


def first_monday(created_at: datetime, tz: str | None) -> date:
    """Week 1 of a pair starts on the Monday after their intro (in the mentor's calendar),
    so the intro has a few days to land before the first prompt."""
    local = created_at.astimezone(WorkingHours(tz).zone).date()
    return local + timedelta(days=7 - local.weekday())


def working_hours(person: PersonHours, program: ProgramHours) -> WorkingHours:
    """A person's hours: their chosen window if narrower, else the program's workday."""
    start = max(person.window_start_hour or 0, program.workday_start_hour)
    end = min(person.window_end_hour or 24, program.workday_end_hour)
    if start >= end:  # a window outside the program's day: trust the person
        start, end = program.workday_start_hour, program.workday_end_hour
    return WorkingHours(person.tz, start, end)
