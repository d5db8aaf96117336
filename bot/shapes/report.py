"""What a program report says: plain, frozen data that every renderer shares.

The Block Kit report, App Home, the CSV, the chart and ``python -m bot report`` all
render a :class:`Report`; none of them queries the database. Privacy is decided here,
once: a number derived from what fewer than :data:`MIN_GROUP` people told us is never
put into a report at all, so no renderer can leak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.vocabulary import AtRiskReason

# The smallest group an aggregate of people's answers (ratings, response rates) may
# describe. Below it, the lead could work out what one person said.
MIN_GROUP = 3


@dataclass(frozen=True)
class Aggregate:
    """A number over several people's answers. ``value`` is None when there is no data
    (``people == 0``) or when it is hidden (``0 < people < MIN_GROUP``)."""

    value: float | None
    people: int

    @property
    def hidden(self) -> bool:
        return 0 < self.people < MIN_GROUP


def aggregate(value: float | None, people: int) -> Aggregate:
    """The only way to make an :class:`Aggregate`: small groups lose their value here."""
    if people < MIN_GROUP:
        return Aggregate(None, people)
    return Aggregate(value, people)


class Stage(StrEnum):
    """The funnel, in order; each stage counts people, split by role."""

    JOINED = "joined"
    MATCHED = "matched"
    FIRST_SESSION = "first_session"  # a pair of theirs met or did a prompt async
    THREE_SESSIONS = "three_sessions"  # a pair of theirs held three or more sessions
    COMPLETED = "completed"  # a pair of theirs ran to the program's end


@dataclass(frozen=True)
class FunnelStage:
    stage: Stage
    mentors: int
    mentees: int

    @property
    def total(self) -> int:
        return self.mentors + self.mentees


class RiskReason(StrEnum):
    """Why the report shows a pair at risk: what the pair has stored (AtRiskReason, the
    same strings) and what the report works out from the pair's weeks and check-ins."""

    NO_ACTIVITY = "no_activity"  # no session (live or async) for ``idle_weeks`` weeks
    SENIOR_SKIPPING = AtRiskReason.SENIOR_SKIPPING.value
    LOW_RATING = "low_rating"  # a recent check-in rating of 2 or less (who and what: hidden)
    UNDELIVERABLE = AtRiskReason.UNDELIVERABLE.value  # detail: Slack's error code


@dataclass(frozen=True)
class AtRiskPair:
    pair_id: int
    mentor_user: str
    mentee_user: str
    channel_id: str | None
    reasons: tuple[RiskReason, ...]  # most urgent first; never empty
    idle_weeks: int | None  # whole weeks since the last session (or the first prompt)
    detail: str | None  # e.g. the Slack error behind UNDELIVERABLE
    since: datetime | None  # when the pair first looked at risk, when known
    nudged_at: datetime | None  # the last nudge a lead sent from App Home


@dataclass(frozen=True)
class PairCounts:
    active: int
    at_risk: int  # of the active ones
    ended: int  # completed + ended_early
    completed: int  # ran to the end of the program
    ended_early: int  # someone left, or a lead ended it


@dataclass(frozen=True)
class Engagement:
    prompts_delivered: int  # prompt weeks whose prompt reached Slack
    prompts_engaged: int  # ... that someone answered (met, async, skip or snooze)
    sessions_live: int  # weeks a pair marked "We met"
    sessions_async: int  # weeks a pair did it async (button or thread reply)
    weeks_skipped: int
    checkins_asked: int  # check-ins that have gone out
    checkins_answered: int
    response_rate: Aggregate  # answered / asked, over the people asked
    rating_mentors: Aggregate  # mean 1-5 rating given by mentors (juniors)
    rating_mentees: Aggregate  # mean 1-5 rating given by mentees (seniors)

    @property
    def sessions(self) -> int:
        return self.sessions_live + self.sessions_async


@dataclass(frozen=True)
class SkillBalance:
    """The needs assessment for one skill: active mentees who want it against active
    mentors who offer it (and how many mentees those mentors can take)."""

    slug: str
    name: str
    wanted: int
    offered: int
    capacity: int  # offered * the program's mentees per mentor
    focus: bool  # a focus skill of the program

    @property
    def short(self) -> int:
        """How many mentees this skill cannot serve even if every mentor took it on."""
        return max(0, self.wanted - self.capacity)


@dataclass(frozen=True)
class WaitingPerson:
    user_id: str
    role: str  # models.enums.Role value
    reason: str  # bot.shapes.matching.UnmatchedReason value
    since: datetime  # the round that left them waiting


@dataclass(frozen=True)
class WeekActivity:
    """One calendar week (Monday, UTC) of the whole program."""

    week_start: date
    delivered: int
    live: int
    async_: int
    skipped: int


@dataclass(frozen=True)
class SharedComment:
    """A check-in comment whose author ticked "share with the program lead". The rating
    of that check-in is deliberately not here."""

    author_user: str
    role: str
    learned: str | None
    blockers: str | None
    answered_at: datetime


@dataclass(frozen=True)
class Recognition:
    thanked: int  # end-of-program thank-yous sent to mentors
    shoutouts: int  # shout-outs posted in the program's channel


@dataclass(frozen=True)
class PersonRow:
    """One line of the CSV: a person, and (when matched) one of their pairs with its
    numbers. A mentor with two mentees has two lines; someone unmatched has one."""

    user_id: str
    role: str
    status: str
    department: str | None
    title: str | None
    email: str | None
    joined_at: datetime
    waiting_reason: str | None
    pair_id: int | None = None
    partner_user: str | None = None
    pair_status: str | None = None
    pair_started: datetime | None = None
    pair_ended: datetime | None = None
    prompts_delivered: int = 0
    sessions_live: int = 0
    sessions_async: int = 0
    weeks_skipped: int = 0
    last_session_at: datetime | None = None
    at_risk: str | None = None  # RiskReason values joined by "+"
    checkins_asked: int = 0  # this person's own check-ins for this pair
    checkins_answered: int = 0
    # Commitments whose text the person shared with the lead. Nothing else of the outcome
    # questions is per person, not even who answered: leads see totals over 3+ people.
    commitments_shared: int = 0


# --- outcomes: what changed after the program -------------------------------------------


class Moment(StrEnum):
    """When people are asked about outcomes, in order: the confidence self-assessments
    (before, after) and the questions after the program (end, 30 and 60 days on). The
    values are those of AssessmentPhase and OutcomeCheckpoint."""

    BEFORE = "before"
    AFTER = "after"
    END = "end"
    DAY_30 = "day30"
    DAY_60 = "day60"


@dataclass(frozen=True)
class Participation:
    """How many people of one role were asked at one moment, and what became of it.
    Counts of people, each once (one question per person, program and moment)."""

    moment: Moment
    role: str  # models.enums.Role value
    asked: int
    answered: int
    skipped: int


@dataclass(frozen=True)
class ConfidenceChange:
    """Mean confidence (1-5) in one area, before and after, over the people of one role
    who rated it both times. ``area`` is "" for every area together. Below MIN_GROUP
    people the means are not kept: build it with :func:`confidence_change`."""

    area: str  # a skill slug, a models.enums.LeadershipBehaviour, or "" for all areas
    name: str  # the area in words
    role: str
    people: int
    before: float | None
    after: float | None
    change: float | None  # after - before, as shown (rounded to one decimal)

    @property
    def hidden(self) -> bool:
        return 0 < self.people < MIN_GROUP


ALL_AREAS = ""


def confidence_change(
    area: str,
    name: str,
    role: str,
    *,
    people: int,
    before: float | None = None,
    after: float | None = None,
) -> ConfidenceChange:
    """The only way to make a :class:`ConfidenceChange`: small groups lose their means."""
    if people < MIN_GROUP or before is None or after is None:
        return ConfidenceChange(area, name, role, people, None, None, None)
    before, after = round(float(before), 1), round(float(after), 1)
    return ConfidenceChange(area, name, role, people, before, after, round(after - before, 1))


@dataclass(frozen=True)
class SignalRates:
    """At one checkpoint, the share of one role's answers that were "yes" (over the
    people who answered that question). ``sponsored`` is asked of junior mentors only."""

    checkpoint: Moment  # END or DAY_60
    role: str
    would_again: Aggregate
    recommend: Aggregate
    sponsored: Aggregate | None  # None for seniors (mentees): never asked


@dataclass(frozen=True)
class RoleOutcomes:
    """Everything the outcomes section says about one role."""

    role: str
    participation: tuple[Participation, ...]  # in Moment order; moments someone was asked
    overall: ConfidenceChange  # every area together (area == ALL_AREAS)
    confidence: tuple[ConfidenceChange, ...]  # per area, visible ones first
    signals: tuple[SignalRates, ...]  # END then DAY_60, where someone was asked


@dataclass(frozen=True)
class CommitmentCounts:
    """The seniors' commitments, counted at their latest follow-up (60 days, else 30).
    The counts are None below MIN_GROUP seniors: build it with :func:`commitment_counts`."""

    seniors: int  # seniors who wrote at least one
    made: int | None
    kept: int | None  # done
    in_progress: int | None
    dropped: int | None
    no_answer: int | None  # no follow-up answered yet
    shared: int | None  # whose text the senior shared with the lead

    @property
    def hidden(self) -> bool:
        return 0 < self.seniors < MIN_GROUP


def commitment_counts(
    seniors: int,
    *,
    made: int,
    kept: int,
    in_progress: int,
    dropped: int,
    no_answer: int,
    shared: int,
) -> CommitmentCounts:
    if seniors < MIN_GROUP:
        return CommitmentCounts(seniors, None, None, None, None, None, None)
    return CommitmentCounts(seniors, made, kept, in_progress, dropped, no_answer, shared)


NO_COMMITMENTS = CommitmentCounts(0, None, None, None, None, None, None)


@dataclass(frozen=True)
class SharedCommitment:
    """A commitment whose author ticked "share with the program lead": who and what.
    How it is going is not here: the senior was told that stays private."""

    senior_user: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Outcomes:
    """What changed for juniors (mentors) and seniors (mentees) after the program."""

    roles: tuple[RoleOutcomes, ...] = ()  # mentors, then mentees; empty: nobody asked yet
    commitments: CommitmentCounts = NO_COMMITMENTS
    shared_commitments: tuple[SharedCommitment, ...] = ()  # newest first

    @property
    def asked(self) -> bool:
        """Whether anyone has been asked anything yet (else the section is left out)."""
        return any(r.participation for r in self.roles) or self.commitments.seniors > 0

    def role(self, role: str) -> RoleOutcomes | None:
        return next((r for r in self.roles if r.role == role), None)


NO_OUTCOMES = Outcomes()
SHARED_COMMITMENTS = 30  # the newest shared commitments a report carries


@dataclass(frozen=True)
class Report:
    team_id: str
    program_id: int
    program_name: str
    start_date: date | None
    length_weeks: int
    generated_at: datetime
    funnel: tuple[FunnelStage, ...]
    pairs: PairCounts
    at_risk: tuple[AtRiskPair, ...]  # active pairs only, most urgent first
    engagement: Engagement
    skills: tuple[SkillBalance, ...]  # in the catalogue's order
    waitlist: tuple[WaitingPerson, ...]
    recognition: Recognition
    weekly: tuple[WeekActivity, ...]  # oldest first; weeks with no prompt are included
    shared_comments: tuple[SharedComment, ...]  # newest first, at most SHARED_COMMENTS
    rows: tuple[PersonRow, ...] = field(default=())  # only when asked for (the CSV)
    outcomes: Outcomes = NO_OUTCOMES


SHARED_COMMENTS = 10  # the newest shared check-in comments a report carries


class FileKind(StrEnum):
    CSV = "csv"
    CHART = "chart"


@dataclass(frozen=True)
class ReportFile:
    """A report file Upward uploaded to a lead's DM; App Home links to the latest ones."""

    kind: FileKind
    title: str
    permalink: str | None  # None when Slack did not say
    created_at: datetime
