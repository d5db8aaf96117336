"""The sandbox clock's "to the end of the program" target, without a sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sandbox.clock import after_the_thanks


def test_the_end_lands_after_the_thanks_fall_due_never_before():
    # A Kolkata pair: its thanks fall due at midnight there, 18:30 UTC on a Tuesday.
    # 16:00 that day would be before it; the Wednesday is after Kolkata's morning.
    kolkata = datetime(2027, 1, 26, 18, 30, tzinfo=UTC)
    assert after_the_thanks(kolkata) == datetime(2027, 1, 27, 16, tzinfo=UTC)
    # New York's midnight (05:00 UTC): the same day, after 09:00 in New York.
    assert after_the_thanks(datetime(2027, 1, 26, 5, tzinfo=UTC)) == datetime(
        2027, 1, 26, 16, tzinfo=UTC
    )
    # Due on a Friday evening: the Monday, when the thanks have gone out.
    assert after_the_thanks(datetime(2027, 1, 29, 18, 30, tzinfo=UTC)) == datetime(
        2027, 2, 1, 16, tzinfo=UTC
    )
