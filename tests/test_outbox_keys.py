"""Pins every outbox key format, and the strings Upward stores for kinds and reasons.

An outbox key is the exactly-once contract: planning a message whose key exists is a
no-op, and a sender that may have posted already looks for the key in the channel's
history. Change a format and every message in flight (planned, or posted but not yet
recorded) can go out twice. So the expected keys here are literal strings, never built
with the code under test: a test that fails here is a data migration to plan, not an
expectation to update. The same goes for kinds and at-risk reasons, which rows already
hold.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from fnmatch import fnmatchcase

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import copy, outbox_keys
from bot.shapes.report import RiskReason
from bot.vocabulary import (
    AtRiskReason,
    OutboxKind,
    parse_at_risk_reason,
    undeliverable_reason,
)

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # 1795167000.0
AT_FRACTION = datetime(2026, 11, 20, 9, 30, 15, 250000, tzinfo=UTC)
IDS = st.integers(min_value=1, max_value=2**31 - 1)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (outbox_keys.prompt(7, 3), "prompt:7:3"),
        (outbox_keys.prompt_snooze(7, 3, 1), "prompt:7:3:snooze1"),
        (outbox_keys.prompt_alt(7, 3, 2), "prompt:7:3:alt2"),
        (outbox_keys.checkin(7, 12, 2), "checkin:7:12:2"),
        (outbox_keys.checkin_again(7, 12, 2), "checkin:7:12:2:again"),
        (outbox_keys.nudge(7, 3), "nudge:7:3"),
        (outbox_keys.senior_nudge(7, 3), "senior-nudge:7:3"),
        (outbox_keys.self_assessment(3, 12, "before"), "assessment:3:12:before"),
        (outbox_keys.self_assessment(3, 12, "after"), "assessment:3:12:after"),
        (outbox_keys.outcome_survey(3, 12, "end"), "survey:3:12:end"),
        (outbox_keys.outcome_survey(3, 12, "day60"), "survey:3:12:day60"),
        (outbox_keys.intro(7), "intro:7"),
        (outbox_keys.waiting(4, 12), "waiting:4:12"),
        (outbox_keys.round_ready(4, "ULEAD0001"), "round-ready:4:ULEAD0001"),
        (outbox_keys.round_started(4, "ULEAD0001"), "round-started:4:ULEAD0001"),
        (outbox_keys.thanks(7), "thanks:7"),
        (outbox_keys.shoutout(7), "shoutout:7"),
        (outbox_keys.welcome(12), "welcome:12"),
        (outbox_keys.saved(12, AT), "saved:12:1795167000.0"),
        (outbox_keys.saved(12, AT_FRACTION), "saved:12:1795167015.25"),
        (outbox_keys.goals(7, AT), "goals:7:1795167000.0"),
        (outbox_keys.goals(7, AT_FRACTION), "goals:7:1795167015.25"),
        (outbox_keys.partner_left(7), "partner-left:7"),
        (outbox_keys.lead_nudge(7, date(2026, 11, 20)), "lead-nudge:7:2026-11-20"),
        (outbox_keys.lead_nudge(7, date(2027, 1, 5)), "lead-nudge:7:2027-01-05"),
        (outbox_keys.failure_alert("prompt:7:3", "ULEAD0001"), "alert:prompt:7:3:ULEAD0001"),
        (outbox_keys.failure_alert("welcome:12", "ULEAD0001"), "alert:welcome:12:ULEAD0001"),
    ],
)
def test_each_key_keeps_its_format(key, expected):
    assert key == expected


def test_a_recognition_key_reads_back_as_its_pair():
    assert outbox_keys.parse_recognition(outbox_keys.thanks(7)) == ("thanks", 7)
    assert outbox_keys.parse_recognition(outbox_keys.shoutout(12)) == ("shoutout", 12)
    assert outbox_keys.parse_recognition(outbox_keys.prompt(7, 3)) is None
    assert outbox_keys.parse_recognition("thanks:") is None


def test_like_patterns_keep_their_format():
    assert outbox_keys.prompt_snoozes_like(7, 3) == "prompt:7:3:snooze%"
    assert outbox_keys.prompts_of_week_like(3) == "prompt:%:3"


def test_the_lead_nudge_key_is_the_day_of_the_moment_given():
    # LeadDesk passes the UTC date of "now": the key changes at midnight UTC, as before.
    assert outbox_keys.lead_nudge(7, AT.date()) == outbox_keys.lead_nudge(7, AT)


@given(pair_id=IDS, week=st.integers(min_value=1, max_value=104), n=st.integers(1, 50))
def test_a_prompt_key_reads_back_as_its_pair_and_week(pair_id, week, n):
    for key in (
        outbox_keys.prompt(pair_id, week),
        outbox_keys.prompt_snooze(pair_id, week, n),
        outbox_keys.prompt_alt(pair_id, week, n),
    ):
        assert outbox_keys.parse_prompt(key) == (pair_id, week)


@pytest.mark.parametrize("key", ["checkin:7:12:2", "nudge:7:3", "alert:prompt:7:3:U1"])
def test_only_prompt_keys_read_back_as_prompts(key):
    with pytest.raises(ValueError, match="not a prompt key"):
        outbox_keys.parse_prompt(key)


def test_the_snooze_pattern_finds_the_snoozes_and_only_them():
    # The patterns use LIKE's % and nothing else special: fnmatch's * stands in for it.
    pattern = outbox_keys.prompt_snoozes_like(7, 3).replace("%", "*")
    assert fnmatchcase(outbox_keys.prompt_snooze(7, 3, 1), pattern)
    assert fnmatchcase(outbox_keys.prompt_snooze(7, 3, 12), pattern)
    for other in (
        outbox_keys.prompt(7, 3),
        outbox_keys.prompt_alt(7, 3, 1),
        outbox_keys.prompt_snooze(7, 4, 1),
        outbox_keys.prompt_snooze(17, 3, 1),
    ):
        assert not fnmatchcase(other, pattern)
    week = outbox_keys.prompts_of_week_like(3).replace("%", "*")
    assert fnmatchcase(outbox_keys.prompt(7, 3), week)
    assert not fnmatchcase(outbox_keys.prompt(7, 13), week)
    assert not fnmatchcase(outbox_keys.prompt_snooze(7, 3, 1), week)


# --- stored vocabularies -------------------------------------------------------------


def test_outbox_kinds_are_the_strings_rows_hold():
    assert {kind.name: str(kind) for kind in OutboxKind} == {
        "PROMPT": "prompt",
        "CHECKIN": "checkin",
        "REMINDER": "reminder",
        "INTRO": "intro",
        "WAITING": "waiting",
        "DM": "dm",
        "GOALS": "goals",
        "PARTNER_LEFT": "partner_left",
        "LEAD_NUDGE": "lead_nudge",
        "RECOGNITION": "recognition",
        "ASSESSMENT": "assessment",
        "SURVEY": "survey",
        "ALERT": "alert",
    }


def test_at_risk_reasons_are_the_strings_rows_hold():
    assert {reason.name: str(reason) for reason in AtRiskReason} == {
        "SENIOR_SKIPPING": "senior_skipping",
        "UNDELIVERABLE": "undeliverable",
    }
    assert undeliverable_reason("is_archived") == "undeliverable:is_archived"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("senior_skipping", (AtRiskReason.SENIOR_SKIPPING, None)),
        ("undeliverable:is_archived", (AtRiskReason.UNDELIVERABLE, "is_archived")),
        ("undeliverable:", (AtRiskReason.UNDELIVERABLE, "")),
        ("undeliverable:a:b", (AtRiskReason.UNDELIVERABLE, "a:b")),
    ],
)
def test_a_stored_reason_reads_back(stored, expected):
    assert parse_at_risk_reason(stored) == expected


@given(code=st.text(max_size=40))
def test_an_undeliverable_reason_reads_back_with_its_code(code):
    assert parse_at_risk_reason(undeliverable_reason(code)) == (AtRiskReason.UNDELIVERABLE, code)


@pytest.mark.parametrize(
    "stored", ["", "undeliverable", "senior_skipping:x", "no_activity", "low_rating"]
)
def test_a_string_never_stored_is_not_a_reason(stored):
    with pytest.raises(ValueError, match="not an at-risk reason"):
        parse_at_risk_reason(stored)


def test_the_report_and_its_copy_speak_the_stored_reasons():
    assert RiskReason.SENIOR_SKIPPING == AtRiskReason.SENIOR_SKIPPING == "senior_skipping"
    assert RiskReason.UNDELIVERABLE == AtRiskReason.UNDELIVERABLE == "undeliverable"
    assert copy.RISK_REASONS["senior_skipping"] == copy.RISK_REASONS[RiskReason.SENIOR_SKIPPING]
