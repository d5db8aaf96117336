"""A pair's shared goals: what the senior wants to learn, what the junior wants to grow in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot import copy
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import FormErrors, NotJoinedError, UserFacingError
from bot.ids import GoalField
from bot.mrkdwn import unreadable
from bot.services.people.lookup import find_person
from bot.shapes.goals import MAX_GOAL_CHARS, MAX_GOALS_EACH, PairGoals, goal_block_id
from models import MENTEE, MENTOR, Pair, PairStatus, Workspace


class GoalsService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def pairs_of(self, team_id: str, user_id: str) -> list[PairGoals]:
        """The person's active pairs (a mentor may have more than one), newest first."""
        with self._sessions() as session:
            person = find_person(session, team_id, user_id)
            if person is None:
                raise NotJoinedError(copy.NOT_JOINED)
            pairs = session.scalars(
                select(Pair)
                .where(
                    Pair.status == PairStatus.ACTIVE,
                    or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id),
                )
                .order_by(Pair.created_at.desc(), Pair.id.desc())
            ).all()
            return [pair_goals(p) for p in pairs]

    def goals(self, team_id: str, user_id: str, pair_id: int) -> PairGoals:
        """One pair's goals; only its two members may see them."""
        with self._sessions() as session:
            return pair_goals(_own_pair(session, team_id, user_id, pair_id))

    def save(
        self,
        team_id: str,
        user_id: str,
        pair_id: int,
        learning: Sequence[str | None],
        growth: Sequence[str | None],
    ) -> PairGoals:
        """Replace the pair's goals; either member may edit. Raises FormErrors per field."""
        errors: dict[str, str] = {}
        kept_learning = _check(GoalField.LEARNING, learning, errors)
        kept_growth = _check(GoalField.GROWTH, growth, errors)
        if errors:
            raise FormErrors(errors)
        with unit_of_work(self._sessions) as session:
            pair = _own_pair(session, team_id, user_id, pair_id)
            pair.learning_goals = kept_learning
            pair.growth_goals = kept_growth
            pair.goals_updated_at = self._clock.now()
            pair.goals_updated_by = user_id
            session.flush()
            return pair_goals(pair)


def _check(kind: GoalField, values: Sequence[str | None], errors: dict[str, str]) -> list[str]:
    kept = []
    for number, value in enumerate(values[:MAX_GOALS_EACH], start=1):
        text = " ".join((value or "").split())  # one line each; stray newlines collapse
        if unreadable(text):
            errors[goal_block_id(kind, number)] = copy.ERR_UNREADABLE_TEXT
        elif len(text) > MAX_GOAL_CHARS:
            errors[goal_block_id(kind, number)] = copy.ERR_TOO_LONG.format(n=MAX_GOAL_CHARS)
        elif text:
            kept.append(text)
    return kept


def _own_pair(session: Session, team_id: str, user_id: str, pair_id: int) -> Pair:
    mentor, mentee = MENTOR, MENTEE
    pair = session.scalars(
        select(Pair)
        .join(mentor, Pair.mentor_id == mentor.id)
        .join(mentee, Pair.mentee_id == mentee.id)
        .join(Workspace, mentor.workspace_id == Workspace.id)
        .where(
            Pair.id == pair_id,
            Workspace.slack_team_id == team_id,
            or_(mentor.slack_user_id == user_id, mentee.slack_user_id == user_id),
        )
    ).one_or_none()
    if pair is None:
        # Not their pair, or gone: the same answer, so nothing leaks about other pairs.
        raise UserFacingError(copy.GOALS_NOT_YOUR_PAIR)
    if pair.status != PairStatus.ACTIVE:
        raise UserFacingError(copy.GOALS_PAIR_ENDED)
    return pair


def pair_goals(pair: Pair) -> PairGoals:
    return PairGoals(
        pair_id=pair.id,
        mentor_user=pair.mentor.slack_user_id,
        mentee_user=pair.mentee.slack_user_id,
        channel_id=pair.channel_id,
        learning=tuple(pair.learning_goals or ()),
        growth=tuple(pair.growth_goals or ()),
        updated_by=pair.goals_updated_by,
        updated_at=pair.goals_updated_at,
    )
