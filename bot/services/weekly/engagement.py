"""What a pair does with its weekly prompt: the buttons, and replies in its thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import copy, outbox_keys
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import UserFacingError
from bot.services.matching.pairs import shared_skills
from bot.services.weekly.calendar import working_hours
from bot.services.weekly.planner import enqueue_prompt
from bot.services.weekly.prompts import PromptLibrary, choose_prompt, load_library
from bot.services.weekly.timing import next_working_time
from bot.vocabulary import AtRiskReason, OutboxKind
from models import MENTEE, MENTOR, OutboundMessage, Pair, PairWeek, Program, Workspace

SNOOZE = timedelta(days=2)
OUTCOMES = ("met", "async", "skipped")
SESSIONS = ("met", "async")


@dataclass(frozen=True)
class Engagement:
    pair_week_id: int
    outcome: str
    message: str  # what to tell the person who clicked


class EngagementService:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, library: PromptLibrary | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._library = library or load_library()

    def record(self, team_id: str, user_id: str, pair_week_id: int, outcome: str) -> Engagement:
        """We met / we did it async / skip this week. The latest click wins, except that
        a session one partner logged is never undone by the other's skip."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        with unit_of_work(self._sessions) as session:
            week, pair, _ = _own_week(session, team_id, user_id, pair_week_id)
            if outcome not in SESSIONS and (kept := _partners_session(week, user_id)):
                return kept
            week.outcome = outcome
            week.engaged_at = self._clock.now()
            week.engaged_by = user_id
            week.snoozed_until = None
            if outcome in SESSIONS:
                _back_on_track(pair)
        return Engagement(pair_week_id, outcome, copy.PROMPT_LOGGED[outcome])

    def snooze(self, team_id: str, user_id: str, pair_week_id: int) -> Engagement:
        """Bring the prompt back in two days, in working hours."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            week, pair, program = _own_week(session, team_id, user_id, pair_week_id)
            if kept := _partners_session(week, user_id):
                return kept
            week.outcome = "snoozed"
            week.engaged_at = now
            week.engaged_by = user_id
            back = next_working_time(now + SNOOZE, working_hours(pair.mentor, program))
            week.snoozed_until = back
            snoozes = session.scalars(
                select(OutboundMessage.key).where(
                    OutboundMessage.key.like(outbox_keys.prompt_snoozes_like(pair.id, week.week))
                )
            ).all()
            key = outbox_keys.prompt_snooze(pair.id, week.week, len(snoozes) + 1)
            self._repost(session, pair, program, week, key=key, due=back, now=now)
        return Engagement(pair_week_id, "snoozed", copy.PROMPT_LOGGED["snoozed"])

    def different(self, team_id: str, user_id: str, pair_week_id: int) -> Engagement:
        """Swap this week's prompt for one the pair has not had."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            week, pair, program = _own_week(session, team_id, user_id, pair_week_id)
            used = set(
                session.scalars(select(PairWeek.prompt_id).where(PairWeek.pair_id == pair.id))
            )
            for earlier in session.scalars(
                select(PairWeek.replaced_prompts).where(PairWeek.pair_id == pair.id)
            ):
                used |= set(earlier or ())
            try:
                prompt = choose_prompt(
                    self._library,
                    week.week,
                    program.length_weeks,
                    shared_skills(session, pair),
                    used,
                    pair.id,
                )
            except LookupError:
                raise UserFacingError(copy.PROMPT_NO_MORE) from None
            week.prompt_changes += 1
            week.replaced_prompts = [*(week.replaced_prompts or []), week.prompt_id]
            week.prompt_id = prompt.id
            key = outbox_keys.prompt_alt(pair.id, week.week, week.prompt_changes)
            self._repost(session, pair, program, week, key=key, due=now, now=now)
        return Engagement(pair_week_id, "different", copy.PROMPT_DIFFERENT_COMING)

    def thread_reply(self, team_id: str, channel_id: str, thread_ts: str, user_id: str) -> bool:
        """A reply in a prompt's thread counts as an async session (unless already logged).
        Only a prompt Upward posted in ``team_id``: like every way in, scoped to its team."""
        with unit_of_work(self._sessions) as session:
            key = session.scalar(
                select(OutboundMessage.key)
                .join(Workspace, OutboundMessage.workspace_id == Workspace.id)
                .where(
                    Workspace.slack_team_id == team_id,
                    OutboundMessage.posted_channel_id == channel_id,
                    OutboundMessage.ts == thread_ts,
                    OutboundMessage.kind == OutboxKind.PROMPT,
                )
            )
            if key is None:
                return False
            pair_id, week_number = outbox_keys.parse_prompt(key)
            week = session.scalars(
                select(PairWeek).where(PairWeek.pair_id == pair_id, PairWeek.week == week_number)
            ).one_or_none()
            pair = session.get(Pair, pair_id)
            if week is None or pair is None:
                return False
            members = {pair.mentor.slack_user_id, pair.mentee.slack_user_id}
            if user_id not in members:
                return False
            if week.outcome in (None, "snoozed"):
                week.outcome = "async"
                week.engaged_at = self._clock.now()
                week.engaged_by = user_id
                _back_on_track(pair)
            return True

    def _repost(
        self,
        session: Session,
        pair: Pair,
        program: Program,
        week: PairWeek,
        *,
        key: str,
        due: datetime,
        now: datetime,
    ) -> None:
        prompt = self._library.by_id(week.prompt_id)
        enqueue_prompt(session, pair, program, week, prompt, key=key, due=due, now=now)


def _own_week(
    session: Session, team_id: str, user_id: str, pair_week_id: int
) -> tuple[PairWeek, Pair, Program]:
    mentor, mentee = MENTOR, MENTEE
    found = session.execute(
        select(PairWeek, Pair, Program)
        .join(Pair, PairWeek.pair_id == Pair.id)
        .join(Program, Pair.program_id == Program.id)
        .join(mentor, Pair.mentor_id == mentor.id)
        .join(mentee, Pair.mentee_id == mentee.id)
        .join(Workspace, mentor.workspace_id == Workspace.id)
        .where(
            PairWeek.id == pair_week_id,
            Workspace.slack_team_id == team_id,
            (mentor.slack_user_id == user_id) | (mentee.slack_user_id == user_id),
        )
    ).one_or_none()
    if found is None:
        raise UserFacingError(copy.PROMPT_NOT_YOURS)
    week, pair, program = found
    return week, pair, program


def _partners_session(week: PairWeek, user_id: str) -> Engagement | None:
    """The partner already logged this week as a session: it stands, and the person who
    clicked hears so (their own earlier click they may change: it was theirs)."""
    if week.outcome in SESSIONS and week.engaged_by not in (None, user_id):
        message = copy.PROMPT_PARTNER_LOGGED[week.outcome].format(partner=f"<@{week.engaged_by}>")
        return Engagement(week.id, week.outcome, message)
    return None


def _back_on_track(pair: Pair) -> None:
    """A session clears the "senior skipping" flag, so the lead's list shows only pairs
    that still need a hand (and a later skipping streak can flag the pair again)."""
    if pair.at_risk_reason == AtRiskReason.SENIOR_SKIPPING:
        pair.at_risk_reason = None
        pair.at_risk_since = None
