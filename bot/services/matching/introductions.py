"""After a round is confirmed: a group DM and an intro for each pair, an honest note for
everyone left waiting — planned in the outbox like every other message, then sent at
once so the lead sees the result.

The group DM is opened first (once per pair; the id is kept). A crash at any point
loses nothing: planned messages are sent by the next run_due, and none twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox_keys
from bot.clock import Clock
from bot.db import unit_of_work
from bot.services.matching.rounds import reason_from_json, skill_names
from bot.services.outbox.delivery import DeliveryService, Outgoing, enqueue
from bot.services.programs.settings import settings_of
from bot.shapes.matching import IntroReport, Undelivered, UnmatchedReason
from bot.slack.errors import SlackError
from bot.slack.workspaces import SlackWorkspaces
from bot.views.pairs import IntroDetails, intro_message, waiting_message
from bot.vocabulary import OutboxKind
from models import (
    MatchWaiting,
    OutboundMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Person,
    Program,
    Workspace,
)

log = logging.getLogger(__name__)


class IntroService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        slack: SlackWorkspaces,
        delivery: DeliveryService,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._slack = slack
        self._delivery = delivery

    def introduce_round(self, round_id: int, now: datetime | None = None) -> IntroReport:
        """Plan this round's intros and waiting notes (once), send them, and report.
        ``now``: the instant a scheduled round is introduced at (a lead's: the clock's)."""
        now = now or self._clock.now()
        report = IntroReport()
        with self._sessions() as session:
            pair_ids = session.scalars(
                select(Pair.id).where(Pair.round_id == round_id, Pair.status == PairStatus.ACTIVE)
            ).all()
            waiting_ids = session.scalars(
                select(MatchWaiting.id).where(MatchWaiting.round_id == round_id)
            ).all()
        keys = [key for pair_id in pair_ids if (key := self._plan_intro(pair_id, report, now))]
        keys += [self._plan_waiting(waiting_id, now) for waiting_id in waiting_ids]
        already = self._sent(keys)
        self._delivery.deliver_due(now, keys=keys)
        self._report([k for k in keys if k not in already], report)
        return report

    def _sent(self, keys: list[str]) -> set[str]:
        with self._sessions() as session:
            return set(
                session.scalars(
                    select(OutboundMessage.key).where(
                        OutboundMessage.key.in_(keys), OutboundMessage.status == OutboxStatus.SENT
                    )
                )
            )

    def _plan_intro(self, pair_id: int, report: IntroReport, now: datetime) -> str | None:
        details, channel, team_id = self._intro_details(pair_id)
        if channel is None:
            users = (details.mentor_user, details.mentee_user)
            try:
                # conversations.open is Tier 3: once per pair, and the id is kept.
                channel = self._slack.for_team(team_id).open_conversation(users)
            except SlackError as error:
                code = error.code
                log.warning("could not open a group DM for pair %s: %s", pair_id, code)
                report.undelivered.append(Undelivered(users, code))
                return None
        message = intro_message(details)
        with unit_of_work(self._sessions) as session:
            pair = session.get_one(Pair, pair_id)
            pair.channel_id = channel
            pair.intro_sent_at = pair.intro_sent_at or now  # planned: prompts may follow
            enqueue(
                session,
                pair.mentor.workspace_id,
                Outgoing(
                    key=outbox_keys.intro(pair_id),
                    kind=OutboxKind.INTRO,
                    text=message.text,
                    blocks=[b.to_dict() for b in message.blocks],
                    due_at=now,
                    channel_id=channel,
                    pair_id=pair_id,
                ),
                now,
            )
        return outbox_keys.intro(pair_id)

    def _intro_details(self, pair_id: int) -> tuple[IntroDetails, str | None, str]:
        with self._sessions() as session:
            pair = session.get_one(Pair, pair_id)
            program = session.get_one(Program, pair.program_id)
            details = IntroDetails(
                pair_id=pair.id,
                mentor_user=pair.mentor.slack_user_id,
                mentee_user=pair.mentee.slack_user_id,
                reasons=tuple(reason_from_json(r) for r in pair.reasons),
                skill_names=skill_names(session, program.workspace_id),
                program=settings_of(program),
            )
            team_id = session.get_one(Workspace, program.workspace_id).slack_team_id
            return details, pair.channel_id, team_id

    def _plan_waiting(self, waiting_id: int, now: datetime) -> str:
        with unit_of_work(self._sessions) as session:
            waiting = session.get_one(MatchWaiting, waiting_id)
            person = session.get_one(Person, waiting.person_id)
            message = waiting_message(UnmatchedReason(waiting.reason))
            waiting.notified_at = waiting.notified_at or now
            key = outbox_keys.waiting(waiting.round_id, person.id)
            enqueue(
                session,
                person.workspace_id,
                Outgoing(
                    key=key,
                    kind=OutboxKind.WAITING,
                    text=message.text,
                    blocks=[b.to_dict() for b in message.blocks],
                    due_at=now,
                    user_id=person.slack_user_id,
                    person_id=person.id,
                ),
                now,
            )
            return key

    def _report(self, keys: list[str], report: IntroReport) -> None:
        """What happened to the messages not already sent before this run."""
        with self._sessions() as session:
            rows = session.scalars(
                select(OutboundMessage).where(OutboundMessage.key.in_(keys))
            ).all()
            for row in rows:
                if row.status == OutboxStatus.SENT:
                    if row.kind == OutboxKind.INTRO:
                        report.pairs_introduced += 1
                    else:
                        report.people_told_to_wait += 1
                elif row.status == OutboxStatus.PENDING:
                    report.retrying += 1
                elif row.status == OutboxStatus.FAILED:
                    users: tuple[str, ...]
                    if row.pair_id is not None:
                        pair = session.get_one(Pair, row.pair_id)
                        users = (pair.mentor.slack_user_id, pair.mentee.slack_user_id)
                    else:
                        users = (row.user_id or "?",)
                    report.undelivered.append(Undelivered(users, row.last_error or "?"))
