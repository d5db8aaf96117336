"""Every outbox key (``OutboundMessage.key``), built and read back in one place.

A key is the exactly-once contract: planning a message whose key exists is a no-op,
and a sender that may have posted already looks for the key in the channel's history
before posting again. So a key's format must never change while messages built with
it may still be planned or in flight: a new format plans the same message twice, and a
retry no longer recognises its earlier post. tests/test_outbox_keys.py pins each one.
"""

from __future__ import annotations

from datetime import date, datetime

# --- weekly prompts ------------------------------------------------------------------


def prompt(pair_id: int, week: int) -> str:
    """A pair's prompt for one program week (also ``PairWeek.outbox_key``)."""
    return f"prompt:{pair_id}:{week}"


def prompt_snooze(pair_id: int, week: int, n: int) -> str:
    """The week's prompt brought back by the pair's ``n``-th snooze (from 1)."""
    return f"{prompt(pair_id, week)}:snooze{n}"


def prompt_alt(pair_id: int, week: int, n: int) -> str:
    """The week's ``n``-th replacement prompt (from 1), after "a different one"."""
    return f"{prompt(pair_id, week)}:alt{n}"


def prompt_snoozes_like(pair_id: int, week: int) -> str:
    """A LIKE pattern for every snoozed repost of the week's prompt."""
    return f"{prompt(pair_id, week)}:snooze%"


def prompts_of_week_like(week: int) -> str:
    """A LIKE pattern for every pair's first post of a program week's prompt."""
    return f"prompt:%:{week}"


def parse_prompt(key: str) -> tuple[int, int]:
    """(pair id, week) of a prompt key, a repost's included. ValueError for other keys."""
    head, pair_id, week = key.split(":")[:3]
    if head != "prompt":
        raise ValueError(f"not a prompt key: {key[:40]!r}")
    return int(pair_id), int(week)


# --- check-ins and reminders ---------------------------------------------------------


def checkin(pair_id: int, person_id: int, number: int) -> str:
    """One person's ``number``-th check-in about a pair."""
    return f"checkin:{pair_id}:{person_id}:{number}"


def checkin_again(pair_id: int, person_id: int, number: int) -> str:
    """The same check-in asked once more, after "not yet"."""
    return f"{checkin(pair_id, person_id, number)}:again"


def nudge(pair_id: int, week: int) -> str:
    """The reminder to a pair that has not touched a week's prompt."""
    return f"nudge:{pair_id}:{week}"


def senior_nudge(pair_id: int, week: int) -> str:
    """The private word to a senior who skipped twice in a row, in that week."""
    return f"senior-nudge:{pair_id}:{week}"


# --- outcomes ------------------------------------------------------------------------


def self_assessment(program_id: int, person_id: int, phase: str) -> str:
    """A person's "before" or "after" confidence self-assessment in one program."""
    return f"assessment:{program_id}:{person_id}:{phase}"


# --- matching and the program's end --------------------------------------------------


def intro(pair_id: int) -> str:
    """A new pair's introduction in their group DM."""
    return f"intro:{pair_id}"


def waiting(round_id: int, person_id: int) -> str:
    """The note to someone a round left unmatched."""
    return f"waiting:{round_id}:{person_id}"


def round_ready(round_id: int, lead: str) -> str:
    """A round's preview, for one lead to review."""
    return f"round-ready:{round_id}:{lead}"


def round_started(round_id: int, lead: str) -> str:
    """The note to one lead that a round was confirmed without review."""
    return f"round-started:{round_id}:{lead}"


def thanks(pair_id: int) -> str:
    """The end-of-program thank-you to the pair's mentor."""
    return f"thanks:{pair_id}"


def shoutout(pair_id: int) -> str:
    """The end-of-program shout-out for a pair in the program's channel."""
    return f"shoutout:{pair_id}"


def parse_recognition(key: str) -> tuple[str, int] | None:
    """("thanks" or "shoutout", pair id) of a recognition key; None for other keys."""
    head, _, pair_id = key.partition(":")
    if head not in ("thanks", "shoutout") or not pair_id.isdigit():
        return None
    return head, int(pair_id)


# --- people, pairs and leads ---------------------------------------------------------


def welcome(person_id: int) -> str:
    """The welcome DM, once per person ever."""
    return f"welcome:{person_id}"


def saved(person_id: int, at: datetime) -> str:
    """The "saved" (or "welcome back") DM for an edit or rejoin made at ``at``."""
    return f"saved:{person_id}:{at.timestamp()}"


def goals(pair_id: int, updated_at: datetime) -> str:
    """The note to a pair that their goals changed at ``updated_at``."""
    return f"goals:{pair_id}:{updated_at.timestamp()}"


def partner_left(pair_id: int) -> str:
    """The note to the one who stayed when their partner left."""
    return f"partner-left:{pair_id}"


def lead_nudge(pair_id: int, day: date) -> str:
    """A lead's nudge to a pair: once per pair per day, however often leads click."""
    return f"lead-nudge:{pair_id}:{day:%Y-%m-%d}"


def failure_alert(failed_key: str, lead: str) -> str:
    """The alert to one lead that the message keyed ``failed_key`` failed for good."""
    return f"alert:{failed_key}:{lead}"


def outcome_survey(program_id: int, person_id: int, checkpoint: str) -> str:
    """A person's questions at one checkpoint after a program (end, 30 or 60 days)."""
    return f"survey:{program_id}:{person_id}:{checkpoint}"
