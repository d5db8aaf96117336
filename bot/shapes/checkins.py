"""A feedback check-in's form: its vocabulary (ratings, candour answers, text limit), what
the modal shows and what it sends back. The service validates against the same values
the modal offers."""

from __future__ import annotations

from dataclasses import dataclass

RATINGS = (1, 2, 3, 4, 5)
CANDID_CHOICES = ("yes", "mostly", "no")
MAX_TEXT_CHARS = 1000


@dataclass(frozen=True)
class CheckInForm:
    """What the modal shows: the check-in, who is asked, and any earlier answers."""

    checkin_id: int
    met: str  # met | couldnt
    is_mentor: bool  # the junior gets the candour question
    partner_user: str
    rating: int | None = None
    learned: str | None = None
    blockers: str | None = None
    share_with_lead: bool = False
    candid: str | None = None


@dataclass(frozen=True)
class CheckInSubmission:
    """The modal's state as plain values, unvalidated."""

    rating: str | None
    learned: str | None
    blockers: str | None
    share_with_lead: bool = False
    candid: str | None = None
