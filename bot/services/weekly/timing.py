"""When we may message someone: working hours in each person's own time zone.

Pure: no database, no Slack, no clock (``now`` and dates are parameters). Every datetime
taken must be aware; every datetime returned is aware UTC.

A person works, on each local date whose weekday is a working weekday, from ``start_hour``
to ``end_hour`` local wall time. We never step minute by minute: each local day's window is
converted to one UTC interval and the answers are read off those intervals. A wall time
that happens twice (clocks going back) means its first occurrence (``fold=0``); one that
does not happen (clocks going forward) means the moment the clocks jump, so a 09:00 start
is 09:00 local on every day of the year. The window is "from the first time the clock reads
start to the first time it reads end": the same as "the local hour is inside the hours"
except where clocks go back across a boundary hour (of today's zones, only Pacific/Chatham
and Antarctica/Troll do).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

SHARED_SEARCH_DAYS = 14  # a weekly schedule that shares nothing in two weeks never will
_SCAN_DAYS = 15  # local days to scan ahead: a week, a DST-emptied day, and a margin
_UTC_ZONE = ZoneInfo("UTC")
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingHours:
    """One person's working week, in their own time zone."""

    tz: str | None  # IANA zone from Slack users.info; None or unknown -> UTC
    start_hour: int = 9  # local, inclusive (0..23)
    end_hour: int = 17  # local, exclusive (1..24), > start_hour
    weekdays: frozenset[int] = frozenset(range(5))  # 0 = Monday; default Mon-Fri

    def __post_init__(self) -> None:
        # Accept any iterable (a list from the database) but store a frozenset.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not 0 <= self.start_hour < self.end_hour <= 24:
            raise ValueError(f"bad working hours {self.start_hour}-{self.end_hour}")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError(
                f"working weekdays must be a non-empty subset of 0..6: {self.weekdays}"
            )

    @property
    def zone(self) -> ZoneInfo:
        """The person's zone; UTC when it is None or not a zone we know (never raises)."""
        return _zone(self.tz)


@lru_cache(maxsize=1024)
def _zone(name: str | None) -> ZoneInfo:
    if not name:
        return _UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # Slack normally sends IANA names; a stale or odd one must not stop a send.
        log.warning("unknown time zone %r: using UTC", name)
        return _UTC_ZONE


def is_working_time(instant: datetime, hours: WorkingHours) -> bool:
    """Whether the person is inside their working hours at ``instant``."""
    instant = _require_aware(instant)
    # Membership of the day's window rather than a look at the local hour, so that this
    # agrees with the other functions even where the clocks go back across a boundary
    # hour (Pacific/Chatham goes from 03:45 back to 02:45).
    window = _window(instant.astimezone(hours.zone).date(), hours)
    return window is not None and window[0] <= instant < window[1]


def next_working_time(after: datetime, hours: WorkingHours) -> datetime:
    """The earliest instant >= ``after`` inside the person's working hours.

    ``after`` itself (in UTC) when it is already working time; otherwise the start of the
    person's next working window.
    """
    after = _require_aware(after).astimezone(UTC)
    for start, end in _windows_from(after, hours):
        if end > after:
            return max(start, after)
    raise AssertionError("unreachable: a non-empty working week has a window every week")


def next_shared_working_time(after: datetime, people: Sequence[WorkingHours]) -> datetime | None:
    """The earliest instant >= ``after`` inside everyone's working hours.

    None when they share no working time in the ``SHARED_SEARCH_DAYS`` days from ``after``.
    With nobody to ask, ``after`` itself.
    """
    start = _require_aware(after).astimezone(UTC)
    shared = [(start, start + timedelta(days=SHARED_SEARCH_DAYS))]
    for hours in people:
        shared = _intersect(shared, _windows_between(shared[0][0], shared[-1][1], hours))
        if not shared:
            return None
    return shared[0][0]


def add_working_days(start: datetime, days: int, hours: WorkingHours) -> datetime:
    """The same local time ``days`` working days later, inside working hours.

    Counts from the first working moment at or after ``start`` (so Thursday 20:00 counts
    from Friday 09:00), steps over non-working weekdays, and keeps that local time of day.
    Used for "no engagement after three working days".
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    first = next_working_time(start, hours)
    zone = hours.zone
    local = first.astimezone(zone)
    day = local.date()
    for _ in range(days):
        day += _ONE_DAY
        while day.weekday() not in hours.weekdays:
            day += _ONE_DAY
    wall = local.time().replace(fold=0)  # a repeated time means its first occurrence
    candidate = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
    # On a day the clocks jump, that local time may not exist or may fall out of the
    # window: then the next working moment.
    return next_working_time(candidate, hours)


def overlap_on_day(day: date, a: WorkingHours, b: WorkingHours) -> tuple[datetime, datetime] | None:
    """The first UTC interval on ``a``'s local date ``day`` in which both of them work.

    ``b`` may be on another local date (or two): only ``b``'s own working weekdays and
    hours count. None when ``a`` does not work that day or they share no time on it.
    """
    window = _window(day, a)
    if window is None:
        return None
    a_start, a_end = window
    b_zone = b.zone
    first_day = a_start.astimezone(b_zone).date() - _ONE_DAY
    last_day = a_end.astimezone(b_zone).date() + _ONE_DAY
    found: tuple[datetime, datetime] | None = None
    day_b = first_day
    while day_b <= last_day:
        b_window = _window(day_b, b)
        day_b += _ONE_DAY
        if b_window is None:
            continue
        start, end = max(a_start, b_window[0]), min(a_end, b_window[1])
        if start >= end:
            continue
        if found is None:
            found = (start, end)
        elif start == found[1]:
            found = (found[0], end)  # b works through midnight: one interval, not two
        else:
            break
    return found


def prompt_slot(
    week_start: date,
    preferred_weekday: int | None,
    mentor: WorkingHours,
    mentee: WorkingHours,
) -> datetime:
    """When the pair's weekly prompt lands in the week starting on Monday ``week_start``.

    Days are the mentor's local dates. The day is ``preferred_weekday`` (None: the first
    day of the week the mentor works), moved forward to the mentor's next working day when
    the mentor does not work on it. On that day: the start of the time both of them work,
    if any; else the start of the mentor's window, so the mentor is never messaged at night
    and the mentee reads it when they next work.
    """
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, not {week_start}")
    if preferred_weekday is not None and not 0 <= preferred_weekday <= 6:
        raise ValueError(f"preferred_weekday must be 0..6, not {preferred_weekday}")
    day = week_start + timedelta(days=preferred_weekday or 0)
    for _ in range(_SCAN_DAYS):
        window = _window(day, mentor)
        if window is not None:
            overlap = overlap_on_day(day, mentor, mentee)
            return overlap[0] if overlap is not None else window[0]
        day += _ONE_DAY
    raise AssertionError("unreachable: a non-empty working week has a window every week")


# --- local-day windows -----------------------------------------------------------------


def _window(day: date, hours: WorkingHours) -> tuple[datetime, datetime] | None:
    """The UTC interval of the person's working hours on their local date ``day``.

    None when ``day`` is not a working weekday, or when a clock change swallows the whole
    window (a 02:00-03:00 window on a spring-forward night).
    """
    if day.weekday() not in hours.weekdays:
        return None
    zone = hours.zone
    start = _wall_to_utc(day, hours.start_hour, zone)
    end = _wall_to_utc(day, hours.end_hour, zone)
    return (start, end) if start < end else None


def _windows_from(after: datetime, hours: WorkingHours) -> Iterator[tuple[datetime, datetime]]:
    """The person's windows in time order, from the one of ``after``'s local date on."""
    # Start a day early: cheap, and safe around clock changes at local midnight.
    day = after.astimezone(hours.zone).date() - _ONE_DAY
    for _ in range(_SCAN_DAYS):
        window = _window(day, hours)
        if window is not None:
            yield window
        day += _ONE_DAY


def _windows_between(
    start: datetime, end: datetime, hours: WorkingHours
) -> list[tuple[datetime, datetime]]:
    """The person's windows cut to [start, end), in time order."""
    zone = hours.zone
    day, last = start.astimezone(zone).date() - _ONE_DAY, end.astimezone(zone).date()
    windows = []
    while day <= last:
        window = _window(day, hours)
        day += _ONE_DAY
        if window is not None and window[0] < end and window[1] > start:
            windows.append((max(window[0], start), min(window[1], end)))
    return windows


def _intersect(
    a: Sequence[tuple[datetime, datetime]], b: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """Where two time-ordered lists of disjoint intervals overlap, in time order."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] <= b[j][1]:  # the interval that ends first can meet nothing further
            i += 1
        else:
            j += 1
    return out


@lru_cache(maxsize=1 << 14)  # a tick asks the same few zones about the same few days
def _wall_to_utc(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The first instant at which the local wall clock reads ``day`` ``hour``:00 or later."""
    if hour == 24:
        day, hour = day + _ONE_DAY, 0
    wall = datetime.combine(day, time(hour))
    instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of a repeat
    if _wall(instant, zone) == wall:
        return instant
    # The wall time falls in a gap. fold=0 read it with the offset from before the jump,
    # which lands after the jump; find the jump itself (rare, so a short bisection).
    lo, hi = instant - _ONE_DAY, instant  # wall(lo) < wall <= wall(hi)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if _wall(mid, zone) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got {instant!r}")
    return instant
