"""A year of one program's history, for the report benchmark (and any test that wants it).

    seed_year(engine_or_sessions, now=NOW) -> SeedInfo

Fills a migrated database (a fresh one; or a shared one, given a ``team_id`` nobody else
uses) with one workspace and its default program, started a
year before ``now``: people with skills, four quarterly matching rounds (and who the
latest one left waiting), pairs that ran their twelve weeks (or ended early) and the
latest cohort still running, every pair week with what the pair did, the check-ins and
their answers, the outcomes (a "before" self-assessment per person, an "after" and the
end / 30-day / 60-day surveys for the people of the pairs that ran to the end, seniors'
commitments and their progress), and the outbox rows all of that went through. Everything
is written with bulk core ``insert()``s in chunks, so a default seed (10,000 people, 5,000
pairs) takes seconds, not minutes. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox_keys
from bot.services.outcomes.assessments import areas_for
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.services.weekly.due import record_delivery_facts
from bot.services.weekly.prompts import load_library
from bot.vocabulary import AtRiskReason, OutboxKind, undeliverable_reason
from models import (
    AssessmentPhase,
    CheckIn,
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    MatchProposal,
    MatchRound,
    MatchWaiting,
    OutboundMessage,
    OutboxStatus,
    OutcomeCheckpoint,
    OutcomeSurvey,
    Pair,
    PairStatus,
    PairWeek,
    Person,
    PersonSkill,
    PersonStatus,
    ProgramFocusSkill,
    Role,
    RoundStatus,
    SelfAssessment,
    SelfAssessmentScore,
    Signal,
    Skill,
    SkillDirection,
)

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
TEAM_ID = "TREPORTBENCH"
LEAD_ID = "ULEAD00001"
SHOUTOUT_CHANNEL = "C0SHOUTOUTS"
LENGTH_WEEKS = 12
CHECKIN_EVERY_WEEKS = 2
ROUNDS = 4  # one per quarter
ROUND_EVERY = timedelta(weeks=13)
LATEST_ROUND_AGE = timedelta(weeks=8)  # the latest cohort is in its ninth week
WAITING = 0.03  # of the people: whom the latest round left waiting (300 of 10,000)
CHUNK = 5_000  # rows per executemany

DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Operations",
    "Legal",
    "Product",
    "Design",
    "Customer Success",
)
TITLES = {
    Role.MENTOR: ("Associate", "Analyst", "Engineer", "Specialist", "Coordinator"),
    Role.MENTEE: ("Director", "Senior Director", "VP", "Head of", "Chief of Staff"),
}
ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Singapore",
)
OUTCOMES = (("met", 35), ("async", 25), ("skipped", 10), ("snoozed", 5), (None, 25))
RATINGS = ((1, 3), (2, 7), (3, 20), (4, 40), (5, 30))
CANDID = (("yes", 60), ("mostly", 30), ("no", 10))
WAITING_REASONS = (
    ("no_capacity", 50),
    ("no_skill_fit", 30),
    ("only_blocked", 10),
    ("not_enough_people", 10),
)
LEARNED = (
    "How to write a better prompt for the weekly summary.",
    "Shortcuts in the dashboard I open every morning.",
    "Why our customers post on that platform and not ours.",
    "A cleaner way to run a one-page brief.",
    "How the team really uses async updates.",
)
BLOCKERS = (
    "Calendars: we moved twice.",
    "Travel this month.",
    "Not sure what to bring next time.",
)
# Outcomes (bot.services.outcomes): when each is asked and how long it stays open.
BEFORE_OPEN = timedelta(days=28)
AFTER_OPEN = OUTCOME_OPEN = timedelta(days=14)
CHECKPOINTS = (
    (OutcomeCheckpoint.END, timedelta(days=2)),
    (OutcomeCheckpoint.DAY_30, timedelta(days=30)),
    (OutcomeCheckpoint.DAY_60, timedelta(days=60)),
)
PLANNED_AHEAD = timedelta(days=1)  # rows are written a day before their DM is due
# (answered, skipped) shares of those asked; the rest never answer (or not yet).
ANSWERS: dict[str, tuple[float, float]] = {
    AssessmentPhase.BEFORE: (0.78, 0.06),
    AssessmentPhase.AFTER: (0.65, 0.08),
    OutcomeCheckpoint.END: (0.70, 0.10),
    OutcomeCheckpoint.DAY_30: (0.60, 0.10),
    OutcomeCheckpoint.DAY_60: (0.55, 0.10),
}
CONFIDENCE = ((1, 8), (2, 27), (3, 40), (4, 20), (5, 5))  # before
GROWTH = ((-1, 8), (0, 37), (1, 40), (2, 15))  # after, less before
WOULD_AGAIN = ((Signal.YES, 72), (Signal.UNSURE, 20), (Signal.NO, 8))
RECOMMEND = ((Signal.YES, 66), (Signal.UNSURE, 24), (Signal.NO, 10))
SPONSORED = ((Signal.YES, 38), (Signal.UNSURE, 34), (Signal.NO, 28))
COMMITMENTS = ((1, 30), (2, 45), (3, 25))
SHARED = 0.3  # of the seniors who write commitments: those who let the lead read them
DAY30 = (
    (CommitmentStatus.DONE, 25),
    (CommitmentStatus.IN_PROGRESS, 60),
    (CommitmentStatus.DROPPED, 15),
)
DAY60 = {  # by the 30-day status (None: not answered then)
    CommitmentStatus.DONE: ((CommitmentStatus.DONE, 1),),
    CommitmentStatus.IN_PROGRESS: (
        (CommitmentStatus.DONE, 50),
        (CommitmentStatus.IN_PROGRESS, 35),
        (CommitmentStatus.DROPPED, 15),
    ),
    CommitmentStatus.DROPPED: ((CommitmentStatus.DROPPED, 1),),
    None: (
        (CommitmentStatus.DONE, 35),
        (CommitmentStatus.IN_PROGRESS, 45),
        (CommitmentStatus.DROPPED, 20),
    ),
}
PROMISES = (
    "Ask my junior mentor to review one of my drafts every month.",
    "Use an AI assistant for the first draft of every board memo.",
    "Open our dashboards myself before asking the analysts.",
    "Post one honest update on LinkedIn a month.",
    "Invite a junior to run the first half of our team meeting.",
    "Sponsor my junior mentor for the Q3 product review.",
)
EVIDENCE = (
    "Did it twice this month.",
    "Started; the first one went well.",
    "The team noticed.",
    "Harder than expected with travel.",
)
GOALS = (
    "Use AI tools for first drafts",
    "Read our dashboards without help",
    "Post on LinkedIn once a month",
    "Run a two-week design sprint",
    "Give clearer briefs",
)


@dataclass(frozen=True)
class SeedInfo:
    team_id: str
    program_id: int
    program_name: str
    now: datetime
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Person:
    id: int
    user: str
    role: Role
    status: PersonStatus
    joined_at: datetime
    gone_at: datetime | None  # paused_at or left_at
    skills: tuple[int, ...] = ()  # what they teach or learn, as drawn

    def available(self, at: datetime) -> bool:
        return self.joined_at < at and (self.gone_at is None or self.gone_at > at)


def seed_year(
    target: Engine | sessionmaker[Session],
    *,
    participants: int = 10_000,
    pairs: int = 5_000,
    now: datetime = NOW,
    seed: int = 7,
    team_id: str = TEAM_ID,
) -> SeedInfo:
    """Seed one program's year of history, ending at ``now``; see the module. The
    counts say how many rows of each table (and outbound messages of each kind) went in,
    and how many pairs are active, ended, recognized and flagged at risk."""
    engine = target if isinstance(target, Engine) else target.kw["bind"]
    rng = random.Random(seed)
    with Session(engine) as session, session.begin():
        return _Seeder(session, rng, now, team_id).run(participants, pairs)


class _Seeder:
    def __init__(self, session: Session, rng: random.Random, now: datetime, team: str) -> None:
        self.session = session
        self.rng = rng
        self.now = now
        self.team = team
        self.start = now - timedelta(days=364)
        self.counts: dict[str, int] = {}
        self.outbox: list[dict[str, Any]] = []
        self.prompt_ids = [p.id for p in load_library().prompts]

    @property
    def conn(self) -> Connection:
        return self.session.connection()

    def run(self, participants: int, pairs: int) -> SeedInfo:
        session = self.session
        workspace = ensure_workspace(session, self.team, self.start - timedelta(days=30))
        program = ensure_default_program(session, workspace, self.start - timedelta(days=30))
        program.start_date = self.start.date()
        program.length_weeks = LENGTH_WEEKS
        program.checkin_every_weeks = CHECKIN_EVERY_WEEKS
        program.shoutout_channel_id = SHOUTOUT_CHANNEL
        program.auto_round_at = self.start + timedelta(weeks=5)
        session.flush()
        self.workspace_id, self.program_id = workspace.id, program.id
        skills = list(session.scalars(select(Skill).where(Skill.workspace_id.is_(None))))
        self.skills = [(s.id, s.slug) for s in skills]
        self.catalogue = {s.id: (s.position, s.id, s.slug) for s in skills}
        self._insert(
            ProgramFocusSkill,
            [{"program_id": program.id, "skill_id": s} for s, _ in self.skills[:2]],
        )

        people = self._people(participants)
        rounds = self._rounds_and_pairs(people, pairs)
        self._waiting(people, rounds[-1])
        self._history()
        self._outcomes(people)
        for kind in sorted({row["kind"] for row in self.outbox}):
            self.counts[f"outbound:{kind}"] = sum(1 for r in self.outbox if r["kind"] == kind)
        self._insert(OutboundMessage, self.outbox, "outbound_message")
        self._delivery_facts()
        return SeedInfo(self.team, program.id, program.name, self.now, dict(self.counts))

    # --- people -------------------------------------------------------------------

    def _people(self, n: int) -> list[_Person]:
        rng, start, now = self.rng, self.start, self.now
        rows = []
        for i in range(n):
            role = Role.MENTOR if i % 2 == 0 else Role.MENTEE
            # Most people join at launch; the rest trickle in over the year.
            if rng.random() < 0.6:
                joined = start + timedelta(days=rng.uniform(-14, 21))
            else:
                joined = start + timedelta(days=rng.uniform(0, 360))
            joined = joined.replace(microsecond=0)
            draw = rng.random()
            status = (
                PersonStatus.PAUSED
                if draw < 0.05
                else PersonStatus.LEFT
                if draw < 0.10
                else PersonStatus.ACTIVE
            )
            gone = None
            if status != PersonStatus.ACTIVE:
                gone = joined + (now - joined) * rng.uniform(0.1, 0.99)
            user = f"U{i:09d}"
            rows.append(
                {
                    "workspace_id": self.workspace_id,
                    "program_id": self.program_id,
                    "slack_user_id": user,
                    "role": role,
                    "status": status,
                    "department": rng.choice(DEPARTMENTS),
                    "title": rng.choice(TITLES[role]),
                    "email": f"{user.lower()}@example.com",
                    "manager_user_id": None,
                    "seniority": rng.choice((1, 1, 2))
                    if role == Role.MENTOR
                    else rng.randint(3, 5),
                    "goals": rng.choice(GOALS) if rng.random() < 0.4 else None,
                    "tz": rng.choice(ZONES),
                    "preferred_weekday": rng.choice((None, None, 1, 2, 3)),
                    "window_start_hour": 9,
                    "window_end_hour": 17,
                    "prefers_async": rng.random() < 0.1,
                    "dm_channel_id": f"D{i:09d}",
                    "welcomed_at": joined + timedelta(minutes=1),
                    "unreachable_reason": None,
                    "joined_at": joined,
                    "updated_at": gone or joined,
                    "paused_at": gone if status == PersonStatus.PAUSED else None,
                    "left_at": gone if status == PersonStatus.LEFT else None,
                }
            )
        self._insert(Person, rows)
        ids = dict(
            self.conn.execute(
                select(Person.slack_user_id, Person.id).where(Person.program_id == self.program_id)
            ).all()
        )
        people = [
            _Person(
                ids[r["slack_user_id"]],
                r["slack_user_id"],
                r["role"],
                r["status"],
                r["joined_at"],
                r["paused_at"] or r["left_at"],
            )
            for r in rows
        ]
        skill_ids = [s for s, _ in self.skills]
        skill_rows = []
        for p in people:
            direction = SkillDirection.TEACH if p.role == Role.MENTOR else SkillDirection.LEARN
            p.skills = tuple(rng.sample(skill_ids, rng.randint(1, 3)))
            for skill_id in p.skills:
                skill_rows.append({"person_id": p.id, "skill_id": skill_id, "direction": direction})
            welcomed = p.joined_at + timedelta(minutes=1)
            self._message(outbox_keys.welcome(p.id), OutboxKind.DM, welcomed, to=p)
            saved = p.joined_at + timedelta(seconds=rng.randint(20, 600))
            self._message(outbox_keys.saved(p.id, saved), OutboxKind.DM, saved, to=p)
        self._insert(PersonSkill, skill_rows)
        return people

    # --- rounds and pairs ---------------------------------------------------------

    def _rounds_and_pairs(self, people: list[_Person], wanted: int) -> list[tuple[int, datetime]]:
        rng = self.rng
        times = [
            self.now - LATEST_ROUND_AGE - ROUND_EVERY * (ROUNDS - 1 - r) for r in range(ROUNDS)
        ]
        round_rows = [
            {
                "program_id": self.program_id,
                "status": RoundStatus.CONFIRMED,
                "seed": r + 1,
                "total_score": 0.0,
                "created_by": None if r == 0 else LEAD_ID,
                "created_at": at,
                "confirmed_by": LEAD_ID,
                "confirmed_at": at + timedelta(hours=20),
                "dropped": [],
            }
            for r, at in enumerate(times)
        ]
        self._insert(MatchRound, round_rows)
        round_ids = list(
            self.conn.scalars(
                select(MatchRound.id)
                .where(MatchRound.program_id == self.program_id)
                .order_by(MatchRound.created_at)
            )
        )
        by_id = {p.id: p for p in people}
        pair_rows, proposals = [], []
        self.ended_early: set[tuple[int, int]] = set()
        for r, (round_id, at) in enumerate(zip(round_ids, times, strict=True)):
            confirmed = at + timedelta(hours=20)
            share = wanted // ROUNDS + (wanted % ROUNDS if r == ROUNDS - 1 else 0)
            mentors = [p for p in people if p.role == Role.MENTOR and p.available(confirmed)]
            mentees = [p for p in people if p.role == Role.MENTEE and p.available(confirmed)]
            size = min(share, len(mentors), len(mentees))
            for position, (mentor, mentee) in enumerate(
                zip(rng.sample(mentors, size), rng.sample(mentees, size), strict=True)
            ):
                score = round(rng.uniform(0.4, 0.95), 3)
                skill = rng.choice(self.skills)[1]
                reasons = [
                    {"code": "skills", "skills": [skill], "hours": 0.0, "gap": 0},
                    {"code": "seniority", "skills": [], "hours": 0.0, "gap": 2},
                ]
                proposals.append(
                    {
                        "round_id": round_id,
                        "position": position,
                        "mentor_id": mentor.id,
                        "mentee_id": mentee.id,
                        "score": score,
                        "reasons": reasons,
                    }
                )
                row, early = self._pair(
                    round_id, confirmed, mentor, mentee, score=score, reasons=reasons
                )
                pair_rows.append(row)
                if early:
                    self.ended_early.add((round_id, mentee.id))
        self._insert(MatchProposal, proposals)
        self._insert(Pair, pair_rows)
        ids = {
            (round_id, mentee): pair_id
            for pair_id, round_id, mentee in self.conn.execute(
                select(Pair.id, Pair.round_id, Pair.mentee_id).where(
                    Pair.program_id == self.program_id
                )
            )
        }
        self.pairs = [
            (
                ids[row["round_id"], row["mentee_id"]],
                row,
                by_id[row["mentor_id"]],
                by_id[row["mentee_id"]],
            )
            for row in pair_rows
        ]
        self.counts["pairs_active"] = sum(r["status"] == PairStatus.ACTIVE for r in pair_rows)
        self.counts["pairs_ended"] = len(pair_rows) - self.counts["pairs_active"]
        self.counts["pairs_recognized"] = sum(r["recognized_at"] is not None for r in pair_rows)
        return list(zip(round_ids, times, strict=True))

    def _pair(
        self,
        round_id: int,
        created: datetime,
        mentor: _Person,
        mentee: _Person,
        *,
        score: float,
        reasons: list[dict[str, Any]],
    ) -> tuple[dict[str, Any], bool]:
        """The pair's row, and whether it ended before its twelve weeks were up."""
        rng, now = self.rng, self.now
        full_end = created + timedelta(weeks=LENGTH_WEEKS)
        # Someone pausing or leaving ends the pair; a lead ends a few others early.
        gone = [
            p.gone_at for p in (mentor, mentee) if p.gone_at is not None and p.gone_at < full_end
        ]
        ended_at: datetime | None = min(gone) if gone else None
        if ended_at is None and rng.random() < 0.08:
            ended_at = created + timedelta(days=rng.uniform(10, 7 * LENGTH_WEEKS - 7))
        early = ended_at is not None and ended_at <= now
        if not early:
            ended_at = full_end if full_end <= now else None
        status = PairStatus.ENDED if ended_at is not None else PairStatus.ACTIVE
        recognized = None
        if status == PairStatus.ENDED and not early and rng.random() < 0.97:
            recognized = ended_at + timedelta(hours=2)
        goals = rng.random() < 0.6
        return {
            "program_id": self.program_id,
            "round_id": round_id,
            "mentor_id": mentor.id,
            "mentee_id": mentee.id,
            "status": status,
            "score": score,
            "reasons": reasons,
            "channel_id": f"G{rng.getrandbits(40):010X}",
            "intro_sent_at": created + timedelta(minutes=5),
            "learning_goals": rng.sample(GOALS, rng.randint(1, 3)) if goals else [],
            "growth_goals": rng.sample(GOALS, rng.randint(1, 2)) if goals else [],
            "goals_updated_at": created + timedelta(days=rng.uniform(1, 14)) if goals else None,
            "goals_updated_by": mentee.user if goals else None,
            "at_risk_reason": None,
            "at_risk_since": None,
            "recognized_at": recognized,
            "created_at": created,
            "ended_at": ended_at,
        }, early

    def _waiting(self, people: list[_Person], latest: tuple[int, datetime]) -> None:
        round_id, at = latest
        confirmed = at + timedelta(hours=20)
        matched = {
            pid
            for _, row, _m, _e in self.pairs
            if row["round_id"] == round_id
            for pid in (row["mentor_id"], row["mentee_id"])
        }
        free = [p for p in people if p.available(confirmed) and p.id not in matched]
        chosen = self.rng.sample(free, min(round(WAITING * len(people)), len(free)))
        rows = []
        for p in chosen:
            notified = confirmed + timedelta(minutes=10)
            rows.append(
                {
                    "round_id": round_id,
                    "person_id": p.id,
                    "reason": self._pick(WAITING_REASONS),
                    "notified_at": notified,
                }
            )
            self._message(outbox_keys.waiting(round_id, p.id), OutboxKind.WAITING, notified, to=p)
        self._insert(MatchWaiting, rows)

    # --- weeks, check-ins and their messages -------------------------------------

    def _history(self) -> None:
        weeks: list[dict[str, Any]] = []
        checkins: list[dict[str, Any]] = []
        for pair_id, row, mentor, mentee in self.pairs:
            self._pair_messages(pair_id, row, mentor, mentee)
            # Prompts land two days after the intro, then weekly at the same hour.
            first = row["created_at"] + timedelta(days=2, hours=self.rng.randint(0, 6))
            slots = [first + timedelta(weeks=w) for w in range(LENGTH_WEEKS)]
            weeks.extend(self._weeks(pair_id, row, mentor, mentee, slots))
            checkins.extend(self._checkins(pair_id, row, (mentor, mentee), slots))
        # at_risk_* were decided while walking the weeks: one executemany writes them.
        # A lead nudged about a third of them from App Home, a day after they showed up.
        risky = [
            {
                "pid": pair_id,
                "reason": row["at_risk_reason"],
                "since": row["at_risk_since"],
                "nudged": since + timedelta(days=1)
                if self.rng.random() < 0.33
                and (since := row["at_risk_since"]) < self.now - timedelta(days=1)
                else None,
            }
            for pair_id, row, _m, _e in self.pairs
            if row["at_risk_reason"] is not None
        ]
        if risky:
            table = Pair.__table__
            self.conn.execute(
                update(table)
                .where(table.c.id == bindparam("pid"))
                .values(
                    at_risk_reason=bindparam("reason"),
                    at_risk_since=bindparam("since"),
                    lead_nudged_at=bindparam("nudged"),
                ),
                risky,
            )
        self.counts["pairs_at_risk"] = len(risky)
        self._insert(PairWeek, weeks, "pair_week")
        self._insert(CheckIn, checkins, "check_in")
        self.counts["check_in_answered"] = sum(c["answered_at"] is not None for c in checkins)

    def _pair_messages(
        self, pair_id: int, row: dict[str, Any], mentor: _Person, mentee: _Person
    ) -> None:
        """The pair's one-off messages: intro, goals, partner left, thanks and shout-out."""
        channel, ended = row["channel_id"], row["ended_at"]
        self._message(
            outbox_keys.intro(pair_id),
            OutboxKind.INTRO,
            row["intro_sent_at"],
            channel=channel,
            pair=pair_id,
        )
        goals_at = row["goals_updated_at"]
        if goals_at is not None and goals_at < (ended or self.now):
            key = outbox_keys.goals(pair_id, goals_at)
            self._message(key, OutboxKind.GOALS, goals_at, channel=channel, pair=pair_id)
        if (row["round_id"], row["mentee_id"]) in self.ended_early and ended in (
            mentor.gone_at,
            mentee.gone_at,
        ):
            stayed = mentee if mentor.gone_at == ended else mentor
            self._message(
                outbox_keys.partner_left(pair_id),
                OutboxKind.PARTNER_LEFT,
                ended,
                to=stayed,
                pair=pair_id,
            )
        if row["recognized_at"] is not None:
            at = row["recognized_at"]
            thanks = outbox_keys.thanks(pair_id)
            self._message(thanks, OutboxKind.RECOGNITION, at, to=mentor, pair=pair_id)
            self._message(
                outbox_keys.shoutout(pair_id),
                OutboxKind.RECOGNITION,
                at,
                channel=SHOUTOUT_CHANNEL,
                pair=pair_id,
            )

    def _weeks(
        self,
        pair_id: int,
        row: dict[str, Any],
        mentor: _Person,
        mentee: _Person,
        slots: list[datetime],
    ) -> list[dict[str, Any]]:
        """One pair week per week lived, plus the next one, planned ahead: pending for a
        running pair, its prompt cancelled for a pair that ended early."""
        rng, now, channel = self.rng, self.now, row["channel_id"]
        lived = [s for s in slots if s < (row["ended_at"] or now)]
        last = sum(s <= now for s in lived)  # the latest week whose prompt has landed
        running = row["status"] == PairStatus.ACTIVE
        early = (row["round_id"], row["mentee_id"]) in self.ended_early
        cancelled = None
        if (running or early) and len(lived) < LENGTH_WEEKS:
            lived.append(slots[len(lived)])
            cancelled = len(lived) if early else None
        draw = rng.random() if running else 1.0
        risk = (
            AtRiskReason.SENIOR_SKIPPING
            if draw < 0.05
            else AtRiskReason.UNDELIVERABLE
            if draw < 0.06
            else None
        )
        rows = []
        for number, slot in enumerate(lived, start=1):
            outcome, engaged, by = self._outcome(slot, mentor, mentee)
            if number == cancelled:
                outcome = engaged = by = None
            failed = risk == AtRiskReason.UNDELIVERABLE and number == last
            if risk == AtRiskReason.SENIOR_SKIPPING and number in (last - 1, last):
                # The senior skipped, then snoozed: twice in a row, so the pair is at risk.
                outcome = "snoozed" if number == last else "skipped"
                engaged = min(slot + timedelta(hours=rng.uniform(1, 20)), now)
                by = mentee.user
                if number == last:
                    row["at_risk_reason"], row["at_risk_since"] = risk, engaged
                    self._message(
                        outbox_keys.senior_nudge(pair_id, number),
                        OutboxKind.REMINDER,
                        engaged + timedelta(hours=1),
                        to=mentor,
                        pair=pair_id,
                    )
            if failed:
                row["at_risk_reason"], row["at_risk_since"] = (
                    undeliverable_reason("channel_not_found"),
                    slot,
                )
                outcome = engaged = by = None
            nudged = None
            unanswered = outcome is None and number not in (last + 1, cancelled)
            unanswered = unanswered and not failed and slot <= now - timedelta(days=3)
            if unanswered and rng.random() < 0.7:
                nudged = slot + timedelta(days=3)
                key = outbox_keys.nudge(pair_id, number)
                self._message(key, OutboxKind.REMINDER, nudged, channel=channel, pair=pair_id)
            key = outbox_keys.prompt(pair_id, number)
            self._message(
                key,
                OutboxKind.PROMPT,
                slot,
                channel=channel,
                pair=pair_id,
                failed=failed,
                cancelled=number == cancelled,
            )
            rows.append(
                {
                    "pair_id": pair_id,
                    "week": number,
                    "prompt_id": self.prompt_ids[(pair_id + number) % len(self.prompt_ids)],
                    "slot_at": slot,
                    "outbox_key": key,
                    "outcome": outcome,
                    "engaged_at": engaged,
                    "engaged_by": by,
                    "snoozed_until": engaged + timedelta(days=2) if outcome == "snoozed" else None,
                    "prompt_changes": 1 if rng.random() < 0.05 else 0,
                    "replaced_prompts": [],
                    "nudged_at": nudged,
                }
            )
        return rows

    def _checkins(
        self,
        pair_id: int,
        row: dict[str, Any],
        people: tuple[_Person, _Person],
        slots: list[datetime],
    ) -> list[dict[str, Any]]:
        """Every second program week, a day after the prompt, for both people."""
        total = LENGTH_WEEKS // CHECKIN_EVERY_WEEKS
        end = row["ended_at"] or self.now
        rows = []
        for number in range(1, total + 1):
            week = number * CHECKIN_EVERY_WEEKS
            asked = slots[week - 1] + timedelta(days=1)
            if asked >= end:
                break
            for person in people:
                rows.append(
                    self._checkin(pair_id, person, number, week, asked, final=number == total)
                )
        return rows

    def _outcome(
        self, slot: datetime, mentor: _Person, mentee: _Person
    ) -> tuple[str | None, datetime | None, str | None]:
        rng = self.rng
        if slot > self.now:
            return None, None, None
        outcome = self._pick(OUTCOMES)
        if outcome is None:
            return None, None, None
        engaged = slot + timedelta(hours=rng.uniform(0.5, 96))
        if engaged > self.now:
            return None, None, None
        return outcome, engaged, rng.choice((mentor, mentee)).user

    def _checkin(
        self, pair_id: int, person: _Person, number: int, week: int, asked: datetime, *, final: bool
    ) -> dict[str, Any]:
        rng = self.rng
        self._message(
            outbox_keys.checkin(pair_id, person.id, number),
            OutboxKind.CHECKIN,
            asked,
            to=person,
            pair=pair_id,
        )
        row: dict[str, Any] = {
            "pair_id": pair_id,
            "person_id": person.id,
            "number": number,
            "week": week,
            "asked_at": asked,
            "met": None,
            "asked_again_at": None,
            "rating": None,
            "learned": None,
            "blockers": None,
            "share_with_lead": False,
            "candid": None,
            "answered_at": None,
            "final": final,
        }
        answered = asked + timedelta(hours=rng.uniform(1, 72))
        if rng.random() < 0.7 and answered <= self.now:
            row["met"] = "met" if rng.random() < 0.85 else "couldnt"
            row["rating"] = self._pick(RATINGS)
            row["learned"] = rng.choice(LEARNED) if rng.random() < 0.55 else None
            row["blockers"] = rng.choice(BLOCKERS) if rng.random() < 0.2 else None
            row["share_with_lead"] = rng.random() < 0.3
            row["candid"] = self._pick(CANDID) if person.role == Role.MENTOR else None
            row["answered_at"] = answered
        elif rng.random() < 0.3 and asked + timedelta(days=2) <= self.now:
            row["met"] = "not_yet"
            row["asked_again_at"] = asked + timedelta(days=2)
            self._message(
                outbox_keys.checkin_again(pair_id, person.id, number),
                OutboxKind.CHECKIN,
                row["asked_again_at"],
                to=person,
                pair=pair_id,
            )
        return row

    def _message(
        self,
        key: str,
        kind: OutboxKind,
        due: datetime,
        *,
        channel: str | None = None,
        to: _Person | None = None,
        pair: int | None = None,
        failed: bool = False,
        cancelled: bool = False,
    ) -> None:
        if failed:
            status = OutboxStatus.FAILED
        elif cancelled:
            status = OutboxStatus.CANCELLED
        else:
            status = OutboxStatus.SENT if due <= self.now else OutboxStatus.PENDING
        sent = (
            due + timedelta(seconds=self.rng.uniform(0.2, 30))
            if status == OutboxStatus.SENT
            else None
        )
        blocks = None
        if kind in (OutboxKind.PROMPT, OutboxKind.CHECKIN):
            blocks = [
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{kind}* {key}"}},
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": f"{kind}_a", "value": key},
                        {"type": "button", "action_id": f"{kind}_b", "value": key},
                    ],
                },
            ]
        self.outbox.append(
            {
                "workspace_id": self.workspace_id,
                "key": key,
                "kind": kind,
                "channel_id": channel,
                "user_id": to.user if to is not None else None,
                "pair_id": pair,
                "person_id": to.id if to is not None else None,
                "text": f"Upward {kind}: {key}. A line of copy, so rows have a realistic size.",
                "blocks": blocks,
                "due_at": due,
                "status": status,
                "next_attempt_at": due,
                "attempts": 0 if status in (OutboxStatus.PENDING, OutboxStatus.CANCELLED) else 1,
                "uncertain": False,
                "claim_token": None,
                "claimed_at": None,
                "sent_at": sent,
                "ts": f"{sent.timestamp():.6f}" if sent is not None else None,
                "posted_channel_id": (channel or f"D{to.user[1:]}" if to else None)
                if sent
                else None,
                "last_error": "channel_not_found" if failed else None,
                "created_at": min(due - timedelta(days=2), self.now),
            }
        )

    # --- outcomes: self-assessments, surveys, commitments and their progress -----

    def _outcomes(self, people: list[_Person]) -> None:
        """What bot.services.outcomes writes over the year: a "before" self-assessment
        shortly after each person joined; for everyone in a pair that ran to the end
        (their first such pair: each is unique per person and program) an "after" in
        the final week and the end, 30- and 60-day surveys (the 30-day one only for a
        senior who wrote commitments); commitments and their progress as answered."""
        finished: dict[int, tuple[int, datetime, Role]] = {}  # person -> pair, end, side
        for pair_id, row, mentor, mentee in sorted(self.pairs, key=lambda p: p[1]["created_at"]):
            if row["status"] != PairStatus.ENDED or (row["round_id"], mentee.id) in (
                self.ended_early
            ):
                continue  # running, or ended early: nothing to look back on together
            for person, side in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
                finished.setdefault(person.id, (pair_id, row["ended_at"], side))
        self._assessments(people, finished)
        self._surveys({p.id: p for p in people}, finished)

    def _assessments(
        self, people: list[_Person], finished: dict[int, tuple[int, datetime, Role]]
    ) -> None:
        rng, rows, scores = self.rng, [], {}
        areas: dict[int, tuple[str, ...]] = {}
        for p in people:
            ranked = sorted(self.catalogue[s] for s in p.skills)
            areas[p.id] = areas_for(p.role, [slug for *_, slug in ranked])
            asked = p.joined_at + timedelta(minutes=10, hours=rng.uniform(0, 16))
            row = self._asked(p, AssessmentPhase.BEFORE, asked, asked + BEFORE_OPEN)
            if row is None:
                continue
            row["areas"] = list(areas[p.id])
            rows.append(row)
            if row["answered_at"] is not None:
                scores[p.id, AssessmentPhase.BEFORE] = {
                    a: self._pick(CONFIDENCE) for a in areas[p.id]
                }
        before = {r["person_id"]: r for r in rows}
        by_id = {p.id: p for p in people}
        for person_id, (_pair, ends, _side) in finished.items():
            p = by_id[person_id]
            # Friday of the final week, at the start of the person's working hours.
            asked = ends - timedelta(days=3) + timedelta(hours=rng.uniform(6, 14))
            row = self._asked(p, AssessmentPhase.AFTER, asked, ends + AFTER_OPEN)
            if row is None:
                continue
            asked_areas = before[person_id]["areas"] if person_id in before else areas[p.id]
            row["areas"] = list(asked_areas)
            rows.append(row)
            if row["answered_at"] is not None:
                earlier = scores.get((person_id, AssessmentPhase.BEFORE), {})
                scores[person_id, AssessmentPhase.AFTER] = {
                    a: min(5, max(1, earlier[a] + self._pick(GROWTH)))
                    if a in earlier
                    else self._pick(CONFIDENCE)
                    for a in asked_areas
                }
        for r in rows:
            key = outbox_keys.self_assessment(self.program_id, r["person_id"], r["phase"])
            self._message(key, OutboxKind.ASSESSMENT, r["asked_at"], to=by_id[r["person_id"]])
        self._insert(SelfAssessment, rows)
        ids = self._ids(SelfAssessment, SelfAssessment.phase)
        self._insert(
            SelfAssessmentScore,
            [
                {"assessment_id": ids[key], "area": area, "score": score}
                for key, answers in scores.items()
                for area, score in answers.items()
            ],
        )
        self._count_answers("self_assessment", rows)
        for phase in AssessmentPhase:
            self.counts[f"self_assessment:{phase}"] = sum(r["phase"] == phase for r in rows)

    def _surveys(
        self, by_id: dict[int, _Person], finished: dict[int, tuple[int, datetime, Role]]
    ) -> None:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        commitments: dict[int, list[dict[str, Any]]] = {}  # senior -> theirs, in order
        for checkpoint, after in CHECKPOINTS:
            batch = []
            for person_id, (pair_id, ends, side) in finished.items():
                due = ends + after
                if checkpoint == OutcomeCheckpoint.DAY_30 and person_id not in commitments:
                    continue  # the month-on question is only about commitments
                asked = due + timedelta(hours=rng.uniform(0, 16))
                row = self._asked(by_id[person_id], checkpoint, asked, due + OUTCOME_OPEN)
                if row is None:
                    continue
                row |= {
                    "pair_id": pair_id,
                    "role": side,
                    "asks_signals": checkpoint != OutcomeCheckpoint.DAY_30,
                    "would_again": None,
                    "recommend": None,
                    "sponsored": None,
                }
                if row["answered_at"] is not None and row["asks_signals"]:
                    row["would_again"] = self._pick(WOULD_AGAIN)
                    row["recommend"] = self._pick(RECOMMEND)
                    if side == Role.MENTOR:  # a junior: has their senior opened a door?
                        row["sponsored"] = self._pick(SPONSORED)
                batch.append(row)
            rows.extend(batch)
            if checkpoint == OutcomeCheckpoint.END:
                commitments = self._commitments(batch)
        for r in rows:
            key = outbox_keys.outcome_survey(self.program_id, r["person_id"], r["checkpoint"])
            self._message(key, OutboxKind.SURVEY, r["asked_at"], to=by_id[r["person_id"]])
        self._insert(OutcomeSurvey, rows)
        ids = self._ids(OutcomeSurvey, OutcomeSurvey.checkpoint)
        made = [c for theirs in commitments.values() for c in theirs]
        for c in made:
            c["survey_id"] = ids[c["person_id"], OutcomeCheckpoint.END]
        self._insert(Commitment, made)
        self._progress(rows, commitments, ids)
        self._count_answers("outcome_survey", rows)
        for checkpoint, _ in CHECKPOINTS:
            self.counts[f"outcome_survey:{checkpoint}"] = sum(
                r["checkpoint"] == checkpoint for r in rows
            )
        self.counts["commitment_shared"] = sum(c["shared"] for c in made)

    def _commitments(self, ends: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
        """Seniors who answered at the end wrote one to three commitments, and chose once
        for all of them whether the lead may read them: senior -> theirs, in order."""
        rng, commitments = self.rng, {}
        for row in ends:
            if row["role"] != Role.MENTEE or row["answered_at"] is None:
                continue
            shared = rng.random() < SHARED
            commitments[row["person_id"]] = [
                {
                    "program_id": self.program_id,
                    "person_id": row["person_id"],
                    "pair_id": row["pair_id"],
                    "position": position,
                    "text": rng.choice(PROMISES),
                    "shared": shared,
                    "created_at": row["answered_at"],
                }
                for position in range(1, self._pick(COMMITMENTS) + 1)
            ]
        return commitments

    def _progress(
        self,
        surveys: list[dict[str, Any]],
        commitments: dict[int, list[dict[str, Any]]],
        ids: dict[tuple[int, str], int],
    ) -> None:
        """Each answered follow-up says how every one of its senior's commitments goes."""
        rng = self.rng
        commitment_ids = {
            (person_id, position): commitment_id
            for commitment_id, person_id, position in self.conn.execute(
                select(Commitment.id, Commitment.person_id, Commitment.position).where(
                    Commitment.program_id == self.program_id
                )
            )
        }
        progress, at_30 = [], {}
        for row in surveys:
            checkpoint = row["checkpoint"]
            theirs = commitments.get(row["person_id"], [])
            if checkpoint == OutcomeCheckpoint.END or row["answered_at"] is None or not theirs:
                continue
            for c in theirs:
                commitment_id = commitment_ids[row["person_id"], c["position"]]
                if checkpoint == OutcomeCheckpoint.DAY_30:
                    status = at_30[commitment_id] = self._pick(DAY30)
                else:
                    status = self._pick(DAY60[at_30.get(commitment_id)])
                progress.append(
                    {
                        "commitment_id": commitment_id,
                        "checkpoint": checkpoint,
                        "survey_id": ids[row["person_id"], checkpoint],
                        "status": status,
                        "evidence": rng.choice(EVIDENCE) if rng.random() < 0.4 else None,
                        "answered_at": row["answered_at"],
                    }
                )
        self._insert(CommitmentProgress, progress)

    def _asked(
        self, person: _Person, moment: str, asked: datetime, closes: datetime
    ) -> dict[str, Any] | None:
        """The row of a self-assessment or survey asked at ``asked``, answered or skipped
        (or neither) by ``now``; None when it is not planned yet, or the person was
        paused or gone by then (nobody away is asked)."""
        rng, asked = self.rng, asked.replace(microsecond=0)
        if asked > self.now + PLANNED_AHEAD or (
            person.gone_at is not None and person.gone_at <= asked
        ):
            return None
        answers, skips = ANSWERS[moment]
        # Most answer within the day; a few days later for the rest.
        replied = asked + timedelta(hours=min(rng.uniform(0.1, 24), rng.uniform(0.1, 240)))
        draw = rng.random()
        row: dict[str, Any] = {
            "program_id": self.program_id,
            "person_id": person.id,
            "asked_at": asked,
            "closes_at": closes,
            "answered_at": None,
            "skipped_at": None,
        }
        row["phase" if isinstance(moment, AssessmentPhase) else "checkpoint"] = moment
        if replied <= min(closes, self.now):
            if draw < answers:
                row["answered_at"] = replied.replace(microsecond=0)
            elif draw < answers + skips:
                row["skipped_at"] = replied.replace(microsecond=0)
        return row

    def _ids(self, model: Any, moment: Any) -> dict[tuple[int, str], int]:
        """(person, phase or checkpoint) -> id of this program's rows of ``model``."""
        return {
            (person_id, value): row_id
            for row_id, person_id, value in self.conn.execute(
                select(model.id, model.person_id, moment).where(model.program_id == self.program_id)
            )
        }

    def _count_answers(self, name: str, rows: list[dict[str, Any]]) -> None:
        self.counts[f"{name}_answered"] = sum(r["answered_at"] is not None for r in rows)
        self.counts[f"{name}_skipped"] = sum(r["skipped_at"] is not None for r in rows)

    # --- helpers ------------------------------------------------------------------

    def _pick(self, weighted: Sequence[tuple[Any, int]]) -> Any:
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    def _delivery_facts(self) -> None:
        """What the sender records when a batch is sent (a week's prompt delivered, a
        thank-you out), written by the sender's own code for the rows seeded as sent."""
        sent = [
            SimpleNamespace(key=r["key"], kind=r["kind"], pair_id=r["pair_id"])
            for r in self.outbox
            if r["status"] == OutboxStatus.SENT
        ]
        with Session(bind=self.conn) as session:
            for i in range(0, len(sent), CHUNK):
                record_delivery_facts(session, sent[i : i + CHUNK], self.now)
            session.flush()

    def _insert(self, model: Any, rows: Iterable[dict[str, Any]], name: str | None = None) -> None:
        table: Table = model.__table__
        rows = list(rows)
        for i in range(0, len(rows), CHUNK):
            self.conn.execute(insert(table), rows[i : i + CHUNK])
        self.counts[name or table.name] = len(rows)
