"""Working hours across time zones: hand-checked cases and properties over real zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.weekly.timing import (
    SHARED_SEARCH_DAYS,
    WorkingHours,
    add_working_days,
    is_working_time,
    next_shared_working_time,
    next_working_time,
    overlap_on_day,
    prompt_slot,
)

LONDON = WorkingHours("Europe/London")
BERLIN = WorkingHours("Europe/Berlin")
NEW_YORK = WorkingHours("America/New_York")
KOLKATA = WorkingHours("Asia/Kolkata")
SYDNEY = WorkingHours("Australia/Sydney")
AUCKLAND = WorkingHours("Pacific/Auckland")
HONOLULU = WorkingHours("Pacific/Honolulu")

QUARTER = timedelta(minutes=15)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


def wall(instant: datetime, tz: str) -> tuple[str, int, int]:
    """(weekday name, hour, minute) on the local clock."""
    there = instant.astimezone(ZoneInfo(tz))
    return there.strftime("%a"), there.hour, there.minute


# --- WorkingHours -------------------------------------------------------------------------


def test_unknown_or_missing_zone_is_utc():
    assert WorkingHours(None).zone == ZoneInfo("UTC")
    assert WorkingHours("Mars/Olympus_Mons").zone == ZoneInfo("UTC")
    assert WorkingHours("../../etc/passwd").zone == ZoneInfo("UTC")
    assert WorkingHours("").zone == ZoneInfo("UTC")
    assert prompt_slot(date(2026, 6, 1), None, WorkingHours("Nowhere/Else"), LONDON) == utc(
        2026, 6, 1, 9
    )


@pytest.mark.parametrize(
    ("start", "end", "weekdays"),
    [(9, 9, range(5)), (17, 9, range(5)), (-1, 5, range(5)), (0, 25, range(5)), (9, 17, ())],
)
def test_bad_hours_are_refused(start, end, weekdays):
    with pytest.raises(ValueError, match="working"):
        WorkingHours("UTC", start, end, frozenset(weekdays))


def test_weekdays_from_a_list_become_a_frozenset():
    assert WorkingHours("UTC", weekdays=[0, 2]).weekdays == frozenset({0, 2})  # type: ignore[arg-type]


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        next_working_time(datetime(2026, 6, 1, 10), LONDON)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        is_working_time(datetime(2026, 6, 1, 10), LONDON)  # noqa: DTZ001


# --- prompt_slot --------------------------------------------------------------------------


def test_prompt_lands_at_the_start_of_shared_hours_on_the_chosen_day():
    slot = prompt_slot(date(2026, 6, 1), 2, LONDON, BERLIN)
    assert slot == utc(2026, 6, 3, 8)
    assert slot.tzinfo is UTC
    assert wall(slot, "Europe/London") == ("Wed", 9, 0)
    assert wall(slot, "Europe/Berlin") == ("Wed", 10, 0)


def test_no_weekday_means_monday():
    slot = prompt_slot(date(2026, 6, 1), None, LONDON, BERLIN)
    assert wall(slot, "Europe/London") == ("Mon", 9, 0)


def test_chosen_weekday_is_honoured():
    slot = prompt_slot(date(2026, 6, 1), 3, BERLIN, LONDON)
    assert wall(slot, "Europe/Berlin") == ("Thu", 10, 0)  # = 09:00 London, when both work


def test_no_weekday_means_the_mentors_first_working_day():
    mentor = WorkingHours("Europe/London", weekdays=frozenset({2, 3, 4}))
    slot = prompt_slot(date(2026, 6, 1), None, mentor, BERLIN)
    assert wall(slot, "Europe/London") == ("Wed", 9, 0)


def test_a_day_off_for_the_mentor_moves_the_prompt_to_their_next_working_day():
    mentor = WorkingHours("Europe/London", weekdays=frozenset({0, 1, 2, 3}))
    slot = prompt_slot(date(2026, 6, 1), 4, mentor, BERLIN)
    assert slot.astimezone(ZoneInfo("Europe/London")).date() == date(2026, 6, 8)  # next Monday
    assert wall(slot, "Europe/London") == ("Mon", 9, 0)
    saturday = prompt_slot(date(2026, 6, 1), 5, LONDON, BERLIN)
    assert wall(saturday, "Europe/London") == ("Mon", 9, 0)


def test_no_shared_hours_means_the_start_of_the_mentors_day_never_their_night():
    # New York 09-17 is 13-21 UTC in June; Kolkata 09-17 is 03:30-11:30 UTC.
    assert overlap_on_day(date(2026, 6, 1), NEW_YORK, KOLKATA) is None
    slot = prompt_slot(date(2026, 6, 1), None, NEW_YORK, KOLKATA)
    assert slot == utc(2026, 6, 1, 13)
    assert wall(slot, "America/New_York") == ("Mon", 9, 0)
    reverse = prompt_slot(date(2026, 6, 1), None, KOLKATA, NEW_YORK)
    assert wall(reverse, "Asia/Kolkata") == ("Mon", 9, 0)
    assert reverse == utc(2026, 6, 1, 3, 30)


def test_half_hour_offset_in_kolkata():
    # Kolkata 09-17 = 03:30-11:30 UTC; London in January 09-17 UTC: they share 09:00-11:30.
    assert overlap_on_day(date(2027, 1, 4), KOLKATA, LONDON) == (
        utc(2027, 1, 4, 9),
        utc(2027, 1, 4, 11, 30),
    )
    slot = prompt_slot(date(2027, 1, 4), None, KOLKATA, LONDON)
    assert wall(slot, "Asia/Kolkata") == ("Mon", 14, 30)
    assert wall(slot, "Europe/London") == ("Mon", 9, 0)


def test_mentor_in_sydney_mentee_in_london():
    # Sydney's Monday 09-17 is Sunday 23:00 - Monday 07:00 UTC in June: before London wakes.
    slot = prompt_slot(date(2026, 6, 1), None, SYDNEY, LONDON)
    assert slot == utc(2026, 5, 31, 23)
    assert wall(slot, "Australia/Sydney") == ("Mon", 9, 0)
    # A mentee who starts at 07:00 London (06:00 UTC) shares Sydney's last hour.
    early = WorkingHours("Europe/London", 7, 19)
    slot = prompt_slot(date(2026, 6, 1), None, SYDNEY, early)
    assert wall(slot, "Australia/Sydney") == ("Mon", 16, 0)
    assert wall(slot, "Europe/London") == ("Mon", 7, 0)
    # Southern summer: Sydney is UTC+11, London UTC+0.
    january = prompt_slot(date(2027, 1, 4), None, SYDNEY, early)
    assert january == utc(2027, 1, 3, 22)
    assert wall(january, "Australia/Sydney") == ("Mon", 9, 0)


@pytest.mark.parametrize(
    ("week_start", "expected"),
    [
        (date(2027, 3, 29), utc(2027, 3, 28, 22)),  # Sydney still on daylight time (+11)
        (date(2027, 4, 5), utc(2027, 4, 4, 23)),  # summer time ended on 2027-04-04 (+10)
        (date(2027, 9, 27), utc(2027, 9, 26, 23)),
        (date(2027, 10, 4), utc(2027, 10, 3, 22)),  # summer time began on 2027-10-03
    ],
)
def test_sydney_clock_changes_keep_nine_local(week_start, expected):
    slot = prompt_slot(week_start, None, SYDNEY, SYDNEY)
    assert slot == expected
    assert wall(slot, "Australia/Sydney") == ("Mon", 9, 0)


def test_across_the_date_line():
    # Auckland's Monday is Honolulu's Sunday: no shared working time on it.
    monday = prompt_slot(date(2026, 6, 1), 0, AUCKLAND, HONOLULU)
    assert wall(monday, "Pacific/Auckland") == ("Mon", 9, 0)
    assert monday == utc(2026, 5, 31, 21)
    # Auckland's Tuesday 09:00 is Honolulu's Monday 11:00.
    tuesday = prompt_slot(date(2026, 6, 1), 1, AUCKLAND, HONOLULU)
    assert tuesday == utc(2026, 6, 1, 21)
    assert wall(tuesday, "Pacific/Honolulu") == ("Mon", 11, 0)


@pytest.mark.parametrize(
    ("week_start", "weekday", "new_york_utc_hour"),
    [
        (date(2027, 3, 8), 0, 14),  # EST; the week that ends with the change
        (date(2027, 3, 8), 4, 14),  # Friday before the change
        (date(2027, 3, 15), 0, 13),  # EDT from Sunday 2027-03-14
        (date(2027, 11, 1), 4, 13),  # EDT; the week that ends with the change
        (date(2027, 11, 8), 0, 14),  # EST from Sunday 2027-11-07
    ],
)
def test_us_clock_changes_keep_nine_local(week_start, weekday, new_york_utc_hour):
    slot = prompt_slot(week_start, weekday, NEW_YORK, NEW_YORK)
    assert slot.hour == new_york_utc_hour
    assert wall(slot, "America/New_York")[1:] == (9, 0)


@pytest.mark.parametrize(
    ("week_start", "london_utc_hour"),
    [
        (date(2027, 3, 22), 9),  # GMT
        (date(2027, 3, 29), 8),  # BST from Sunday 2027-03-28
        (date(2027, 10, 25), 8),  # BST
        (date(2027, 11, 1), 9),  # GMT from Sunday 2027-10-31
    ],
)
def test_european_clock_changes_keep_nine_local(week_start, london_utc_hour):
    slot = prompt_slot(week_start, None, LONDON, LONDON)
    assert slot == datetime.combine(week_start, datetime.min.time(), UTC).replace(
        hour=london_utc_hour
    )
    assert wall(slot, "Europe/London") == ("Mon", 9, 0)
    berlin = prompt_slot(week_start, None, BERLIN, BERLIN)
    assert wall(berlin, "Europe/Berlin") == ("Mon", 9, 0)
    assert berlin == slot - timedelta(hours=1)


def test_between_the_us_and_european_changes_the_overlap_shifts():
    # 2027-03-15: New York is on EDT (13-21 UTC), London still on GMT (09-17 UTC).
    slot = prompt_slot(date(2027, 3, 15), None, NEW_YORK, LONDON)
    assert slot == utc(2027, 3, 15, 13)
    assert wall(slot, "Europe/London") == ("Mon", 13, 0)
    # 2027-03-29: London on BST (08-16 UTC).
    slot = prompt_slot(date(2027, 3, 29), None, LONDON, NEW_YORK)
    assert slot == utc(2027, 3, 29, 13)
    assert wall(slot, "Europe/London") == ("Mon", 14, 0)
    assert wall(slot, "America/New_York") == ("Mon", 9, 0)


def test_sunday_on_the_spring_forward_day():
    weekends = WorkingHours("America/New_York", weekdays=frozenset(range(7)))
    slot = prompt_slot(date(2027, 3, 8), 6, weekends, weekends)
    assert slot == utc(2027, 3, 14, 13)  # 09:00 EDT, the clocks went forward at 02:00
    night = WorkingHours("America/New_York", 2, 4, frozenset(range(7)))
    slot = prompt_slot(date(2027, 3, 8), 6, night, night)
    assert slot == utc(2027, 3, 14, 7)  # 02:00 does not exist: the moment it becomes 03:00
    assert wall(slot, "America/New_York") == ("Sun", 3, 0)
    swallowed = WorkingHours("America/New_York", 2, 3, frozenset(range(7)))
    slot = prompt_slot(date(2027, 3, 8), 6, swallowed, swallowed)
    assert wall(slot, "America/New_York") == ("Mon", 2, 0)  # no 02:00-03:00 that Sunday


def test_prompt_slot_refuses_a_week_that_does_not_start_on_monday():
    with pytest.raises(ValueError, match="Monday"):
        prompt_slot(date(2026, 6, 2), None, LONDON, BERLIN)
    with pytest.raises(ValueError, match="preferred_weekday"):
        prompt_slot(date(2026, 6, 1), 7, LONDON, BERLIN)


# --- next_working_time / next_shared_working_time / add_working_days ----------------------


def test_friday_evening_moves_to_monday_morning():
    after = local("Europe/London", 2026, 6, 5, 18)
    assert wall(next_working_time(after, LONDON), "Europe/London") == ("Mon", 9, 0)
    assert next_working_time(after, LONDON) == utc(2026, 6, 8, 8)


def test_saturday_moves_to_monday_morning():
    after = local("Europe/London", 2026, 6, 6, 11, 30)
    assert next_working_time(after, LONDON) == utc(2026, 6, 8, 8)


def test_before_hours_moves_to_the_same_mornings_start():
    after = local("Asia/Kolkata", 2026, 6, 2, 6, 10)
    assert next_working_time(after, KOLKATA) == utc(2026, 6, 2, 3, 30)


def test_inside_hours_is_unchanged():
    after = local("Europe/Berlin", 2026, 6, 3, 14, 37)
    assert next_working_time(after, BERLIN) == after
    assert next_working_time(after, BERLIN).tzinfo is UTC
    last_minute = local("Europe/Berlin", 2026, 6, 3, 16, 59)
    assert next_working_time(last_minute, BERLIN) == last_minute
    closing = local("Europe/Berlin", 2026, 6, 3, 17)
    assert wall(next_working_time(closing, BERLIN), "Europe/Berlin") == ("Thu", 9, 0)


@pytest.mark.parametrize(
    ("tz", "friday", "monday_utc"),
    [
        ("America/New_York", date(2027, 3, 12), utc(2027, 3, 15, 13)),  # EST -> EDT
        ("America/New_York", date(2027, 11, 5), utc(2027, 11, 8, 14)),  # EDT -> EST
        ("Europe/London", date(2027, 3, 26), utc(2027, 3, 29, 8)),  # GMT -> BST
        ("Europe/London", date(2027, 10, 29), utc(2027, 11, 1, 9)),  # BST -> GMT
    ],
)
def test_dst_weekends_land_at_nine_local(tz, friday, monday_utc):
    after = datetime.combine(friday, datetime.min.time(), ZoneInfo(tz)).replace(hour=18)
    assert next_working_time(after, WorkingHours(tz)) == monday_utc


def test_shared_time_is_the_start_of_the_overlap():
    after = utc(2026, 6, 1)
    assert next_shared_working_time(after, [LONDON, NEW_YORK]) == utc(2026, 6, 1, 13)
    assert next_shared_working_time(after, [LONDON, BERLIN, KOLKATA]) == utc(2026, 6, 1, 8)
    inside = utc(2026, 6, 1, 14, 5)
    assert next_shared_working_time(inside, [LONDON, NEW_YORK]) == inside
    assert next_shared_working_time(inside, []) == inside


def test_people_who_never_overlap_share_no_time():
    # Kolkata works 03:30-11:30 UTC, Honolulu 19:00-03:00 UTC, all year.
    assert next_shared_working_time(utc(2026, 6, 1), [KOLKATA, HONOLULU]) is None


def test_three_working_days_from_thursday_is_tuesday():
    start = local("Europe/London", 2026, 6, 4, 10)
    due = add_working_days(start, 3, LONDON)
    assert due == local("Europe/London", 2026, 6, 9, 10)
    assert is_working_time(due, LONDON)
    assert due.tzinfo is UTC


def test_working_days_count_from_the_next_working_moment():
    thursday_night = local("Europe/London", 2026, 6, 4, 20)
    assert add_working_days(thursday_night, 3, LONDON) == local("Europe/London", 2026, 6, 10, 9)
    assert add_working_days(thursday_night, 0, LONDON) == local("Europe/London", 2026, 6, 5, 9)
    with pytest.raises(ValueError, match="days"):
        add_working_days(thursday_night, -1, LONDON)


def test_working_days_across_a_clock_change_keep_the_local_time():
    start = local("America/New_York", 2027, 3, 11, 10, 15)  # Thursday, EST
    due = add_working_days(start, 3, NEW_YORK)
    assert due == local("America/New_York", 2027, 3, 16, 10, 15)  # Tuesday, EDT
    assert due == utc(2027, 3, 16, 14, 15)


# --- properties ---------------------------------------------------------------------------

ZONES = [
    None,
    "Not/A_Zone",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",  # -03:30 with DST
    "America/Santiago",  # clocks change at local midnight
    "America/Havana",  # clocks change at local midnight
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Sydney",  # southern DST
    "Australia/Lord_Howe",  # half-hour DST
    "Pacific/Auckland",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Honolulu",
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
]

hours_strategy = st.builds(
    lambda tz, start, length, weekdays: WorkingHours(
        tz, start, min(start + length, 24), frozenset(weekdays)
    ),
    st.sampled_from(ZONES),
    st.integers(0, 22),
    st.integers(1, 24),
    st.sets(st.integers(0, 6), min_size=1),
)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]),
)
mondays = st.integers(0, 155).map(lambda week: date(2026, 1, 5) + timedelta(weeks=week))


def _checkpoints(lo: datetime, hi: datetime):
    """``lo`` (if before ``hi``) and every UTC quarter hour in (lo, hi).

    Every zone offset here is a whole number of quarter hours and windows start and end on
    local whole hours, so working status only changes on UTC quarter hours: checking these
    checks every instant in [lo, hi).
    """
    if lo < hi:
        yield lo
    t = lo.astimezone(UTC).replace(second=0, microsecond=0)
    t += timedelta(minutes=15 - t.minute % 15)
    while t < hi:
        yield t
        t += QUARTER


def _local_hour_says_working(instant: datetime, hours: WorkingHours) -> bool:
    """The plain reading of working hours, independent of the module's windows."""
    there = instant.astimezone(hours.zone)
    return there.weekday() in hours.weekdays and hours.start_hour <= there.hour < hours.end_hour


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in ``year`` at which the zone's offset changes (to the quarter hour)."""
    found = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    offset = t.astimezone(zone).utcoffset()
    while t.year == year:
        t += QUARTER
        if t.astimezone(zone).utcoffset() != offset:
            offset = t.astimezone(zone).utcoffset()
            found.append(t)
    return found


@pytest.mark.parametrize("tz", [z for z in ZONES if z != "Pacific/Chatham"])
def test_around_clock_changes_next_working_time_matches_the_local_hour(tz):
    zone = WorkingHours(tz).zone
    for change in _transitions(zone, 2027)[:2]:
        checkpoints = [change - timedelta(hours=30) + i * QUARTER for i in range(4 * 60)]
        for start, end in [(0, 3), (1, 2), (2, 4), (3, 24), (9, 17), (23, 24)]:
            for weekdays in (range(7), (6, 0)):
                hours = WorkingHours(tz, start, end, frozenset(weekdays))
                working = [_local_hour_says_working(t, hours) for t in checkpoints]
                expected = None
                for t, works in zip(reversed(checkpoints), reversed(working), strict=True):
                    expected = t if works else expected
                    assert is_working_time(t, hours) == works, (hours, t)
                    if expected is not None:
                        assert next_working_time(t, hours) == expected, (hours, t)


def test_chatham_working_hours_end_the_first_time_the_clock_reads_the_end():
    # On 2027-04-04 Chatham goes from 03:45 back to 02:45 (14:00 UTC).
    night = WorkingHours("Pacific/Chatham", 0, 3, frozenset(range(7)))
    assert is_working_time(utc(2027, 4, 3, 13, 14), night)  # 02:59 the first time
    assert not is_working_time(utc(2027, 4, 3, 13, 15), night)  # 03:00: the day is over
    assert not is_working_time(utc(2027, 4, 3, 14, 5), night)  # 02:50 again: still over
    assert wall(next_working_time(utc(2027, 4, 3, 13, 15), night), "Pacific/Chatham") == (
        "Mon",
        0,
        0,
    )


@settings(max_examples=300, deadline=None)
@given(instants, hours_strategy)
def test_working_time_is_the_local_hour_inside_the_hours(instant, hours):
    if hours.tz != "Pacific/Chatham":
        assert is_working_time(instant, hours) == _local_hour_says_working(instant, hours)


@settings(max_examples=300, deadline=None)
@given(instants, hours_strategy)
def test_next_working_time_is_the_first_working_moment(after, hours):
    result = next_working_time(after, hours)
    assert result.tzinfo is UTC
    assert result >= after
    assert is_working_time(result, hours)
    assert (result - after) <= timedelta(days=8)
    for t in _checkpoints(after, result):
        assert not is_working_time(t, hours), t


@settings(max_examples=300, deadline=None)
@given(mondays, st.one_of(st.none(), st.integers(0, 6)), hours_strategy, hours_strategy)
def test_prompt_slot_is_inside_the_mentors_hours_and_both_when_they_overlap(
    week_start, weekday, mentor, mentee
):
    slot = prompt_slot(week_start, weekday, mentor, mentee)
    assert slot.tzinfo is UTC
    assert is_working_time(slot, mentor)
    mentor_local = slot.astimezone(mentor.zone)
    assert mentor_local.weekday() in mentor.weekdays
    day = mentor_local.date()
    chosen = week_start + timedelta(days=weekday or 0)
    assert chosen <= day < chosen + timedelta(days=8)
    # No mentor working day is skipped between the chosen day and the slot's day.
    skipped = chosen
    while skipped < day:
        assert overlap_on_day(skipped, mentor, mentor) is None, skipped
        skipped += timedelta(days=1)

    overlap = overlap_on_day(day, mentor, mentee)
    mentor_window = overlap_on_day(day, mentor, mentor)
    assert mentor_window is not None
    # Brute force: the first moment of the mentor's day at which the mentee works too.
    shared = next(
        (t for t in _checkpoints(mentor_window[0], mentor_window[1]) if is_working_time(t, mentee)),
        None,
    )
    if overlap is None:
        assert shared is None
        assert slot == mentor_window[0]
    else:
        assert slot == overlap[0] == shared
        assert is_working_time(slot, mentee)
        assert mentor_window[0] <= overlap[0] < overlap[1] <= mentor_window[1]


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(0, 10), hours_strategy)
def test_add_working_days_lands_in_hours_after_start(start, days, hours):
    due = add_working_days(start, days, hours)
    assert due.tzinfo is UTC
    assert due >= start
    if days:
        assert due > start
    assert is_working_time(due, hours)
    # `days` working dates later, or one more when a clock change swallowed that window.
    first_day = next_working_time(start, hours).astimezone(hours.zone).date()
    due_day = due.astimezone(hours.zone).date()
    counted = sum(
        (first_day + timedelta(days=i)).weekday() in hours.weekdays
        for i in range(1, (due_day - first_day).days + 1)
    )
    assert days <= counted <= days + 1


@settings(max_examples=100, deadline=None)
@given(instants, st.lists(hours_strategy, min_size=1, max_size=3))
def test_next_shared_working_time_is_the_first_shared_moment(after, people):
    result = next_shared_working_time(after, people)
    end = result if result is not None else after + timedelta(days=SHARED_SEARCH_DAYS)
    for t in _checkpoints(after, end):
        assert not all(is_working_time(t, p) for p in people), t
    if result is not None:
        assert result >= after
        assert result.tzinfo is UTC
        assert all(is_working_time(result, p) for p in people)
