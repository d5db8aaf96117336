"""After a round is confirmed: a group DM and an intro for each pair, an honest note for
everyone left waiting.

Each send is claimed in the database first (intro_sent_at / notified_at) and released
if Slack refuses it, so running this again after a failure only sends what is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import unit_of_work
from bot.gateway import SlackGateway
from bot.services.matching import UnmatchedReason
from bot.services.pairing import reason_from_json, skill_names
from bot.services.programs import settings_of
from bot.views.messages import Message
from bot.views.pairs import IntroDetails, intro_message, waiting_message
from models import MatchWaiting, Pair, PairStatus, Person, Program

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Undelivered:
    user_ids: tuple[str, ...]
    error: str  # Slack's error code, e.g. account_inactive


@dataclass
class IntroReport:
    pairs_introduced: int = 0
    people_told_to_wait: int = 0
    undelivered: list[Undelivered] = field(default_factory=list)


class IntroService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, gateway: SlackGateway):
        self._sessions = sessions
        self._clock = clock
        self._gateway = gateway

    def introduce_round(self, round_id: int) -> IntroReport:
        """Send whatever intros and waiting notes of this round have not gone out yet."""
        report = IntroReport()
        with self._sessions() as session:
            pair_ids = session.scalars(
                select(Pair.id).where(
                    Pair.round_id == round_id,
                    Pair.status == PairStatus.ACTIVE,
                    Pair.intro_sent_at.is_(None),
                )
            ).all()
            waiting_ids = session.scalars(
                select(MatchWaiting.id).where(
                    MatchWaiting.round_id == round_id, MatchWaiting.notified_at.is_(None)
                )
            ).all()
        for pair_id in pair_ids:
            self._introduce(pair_id, report)
        for waiting_id in waiting_ids:
            self._tell_waiting(waiting_id, report)
        return report

    def _introduce(self, pair_id: int, report: IntroReport) -> None:
        details, channel = self._intro_details(pair_id)
        users = (details.mentor_user, details.mentee_user)
        try:
            if channel is None:
                # conversations.open is Tier 3: once per pair, and the id is kept.
                channel = self._gateway.open_conversation(users)
                with unit_of_work(self._sessions) as session:
                    session.get_one(Pair, pair_id).channel_id = channel
            if not self._send_once(Pair, pair_id, channel, intro_message(details)):
                return
        except SlackApiError as error:
            code = str(error.response.get("error"))
            log.warning("could not introduce pair %s: %s", pair_id, code)
            report.undelivered.append(Undelivered(users, code))
            return
        report.pairs_introduced += 1

    def _intro_details(self, pair_id: int) -> tuple[IntroDetails, str | None]:
        with self._sessions() as session:
            pair = session.get_one(Pair, pair_id)
            program = session.get_one(Program, pair.program_id)
            details = IntroDetails(
                pair_id=pair.id,
                mentor_user=pair.mentor.slack_user_id,
                mentee_user=pair.mentee.slack_user_id,
                reasons=tuple(reason_from_json(r) for r in pair.reasons),
                skill_names=skill_names(session),
                program=settings_of(program),
            )
            return details, pair.channel_id

    def _tell_waiting(self, waiting_id: int, report: IntroReport) -> None:
        with self._sessions() as session:
            waiting = session.get_one(MatchWaiting, waiting_id)
            person = session.get_one(Person, waiting.person_id)
            user_id, channel, reason = person.slack_user_id, person.dm_channel_id, waiting.reason
        try:
            if channel is None:
                channel = self._gateway.open_dm(user_id)
                with unit_of_work(self._sessions) as session:
                    session.get_one(Person, waiting.person_id).dm_channel_id = channel
            message = waiting_message(UnmatchedReason(reason))
            if not self._send_once(MatchWaiting, waiting_id, channel, message):
                return
        except SlackApiError as error:
            code = str(error.response.get("error"))
            log.warning("could not tell a waiting person: %s", code)
            report.undelivered.append(Undelivered((user_id,), code))
            return
        report.people_told_to_wait += 1

    def _send_once(
        self, model: type[Pair] | type[MatchWaiting], row_id: int, channel: str, message: Message
    ) -> bool:
        """Post unless another run already did: claim the row's sent-at column first and
        release it if Slack refuses, so a later run tries again. False: already sent."""
        column = Pair.intro_sent_at if model is Pair else MatchWaiting.notified_at
        with unit_of_work(self._sessions) as session:
            claimed = session.execute(
                update(model)
                .where(model.id == row_id, column.is_(None))
                .values({column.key: self._clock.now()})
                .execution_options(synchronize_session=False)
            )
        if claimed.rowcount != 1:
            return False
        try:
            self._gateway.post_message(channel, message.text, message.blocks)
        except SlackApiError:
            with unit_of_work(self._sessions) as session:
                session.execute(
                    update(model)
                    .where(model.id == row_id)
                    .values({column.key: None})
                    .execution_options(synchronize_session=False)
                )
            raise
        return True
