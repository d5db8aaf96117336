"""Strings Upward stores and reads back: outbox kinds and a pair's at-risk reason.

Here rather than beside the services that write them, so views and copy can name them
without importing a service. The values are in rows already written: renaming one is
a data migration, not a refactor.
"""

from __future__ import annotations

from enum import StrEnum


class OutboxKind(StrEnum):
    """``OutboundMessage.kind``: what a planned message is, for the delivery guard, the
    leads' failure alert and the report."""

    PROMPT = "prompt"  # the weekly prompt, and its snoozed or swapped reposts
    CHECKIN = "checkin"  # "Did you meet?", and its "ask me again"
    REMINDER = "reminder"  # a quiet pair's nudge, a skipping senior's private word
    INTRO = "intro"
    WAITING = "waiting"  # not matched this round, and why
    DM = "dm"  # the welcome, or "saved", after the join modal
    GOALS = "goals"
    PARTNER_LEFT = "partner_left"
    LEAD_NUDGE = "lead_nudge"  # a lead's friendly word from App Home
    RECOGNITION = "recognition"  # the end-of-program thank-you and shout-out
    ASSESSMENT = "assessment"  # a "before" or "after" confidence self-assessment
    SURVEY = "survey"  # the questions after a program: signals, commitments, follow-ups
    ALERT = "alert"  # to a lead: a round to review or started, a message Slack refused


class AtRiskReason(StrEnum):
    """``Pair.at_risk_reason``: why a lead should look at the pair. An undeliverable
    reason carries Slack's error code too; build and read it with the functions below."""

    SENIOR_SKIPPING = "senior_skipping"  # the senior skipped or snoozed twice in a row
    UNDELIVERABLE = "undeliverable"  # Slack refused a message to the pair for good


def undeliverable_reason(code: str) -> str:
    """The stored reason for a message Slack refused for good, with Slack's error code."""
    return f"{AtRiskReason.UNDELIVERABLE}:{code}"


def parse_at_risk_reason(stored: str) -> tuple[AtRiskReason, str | None]:
    """A stored reason read back: the reason, and Slack's error code for an undeliverable
    one (None otherwise). ValueError for a string no version of Upward wrote."""
    head, colon, code = stored.partition(":")
    if colon and head == AtRiskReason.UNDELIVERABLE:
        return AtRiskReason.UNDELIVERABLE, code
    if stored == AtRiskReason.SENIOR_SKIPPING:
        return AtRiskReason.SENIOR_SKIPPING, None
    raise ValueError(f"not an at-risk reason: {stored[:40]!r}")
