"""A program's start and end, on the clock.

Start: on a program's start date its first matching round is made, once. When the
program asks for review the leads get the preview in a DM, with the buttons to confirm
it; otherwise the round is confirmed at once, the pairs are introduced and the leads
are told.

End: the wrap-up prompt is the last program week's prompt (weekly.py) and the final
check-in is asked in that week (checkins.py). ``RECOGNITION_DELAY`` after the last
week ends, so a final check-in asked again "in two days" can still be answered and
quoted, each pair ends: its junior mentor gets a thank-you DM with what they achieved
(sessions held, topics taught, and what the mentee shared with the lead, if anything),
and, when the lead chose a channel, a shout-out goes there. Private feedback never goes
to the channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from slack_sdk.models.blocks import Block, SectionBlock
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import copy, outbox_keys
from bot.db import unit_of_work
from bot.mrkdwn import escape
from bot.services.matching.pairs import shared_skills
from bot.services.matching.rounds import PairingService, skill_names
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.weekly.calendar import first_monday, working_hours
from bot.services.weekly.timing import WorkingHours, next_working_time
from bot.shapes.matching import RoundPreview
from bot.views.matching import confirmed_message, match_preview
from bot.vocabulary import OutboxKind
from models import (
    MENTOR,
    CheckIn,
    MatchRound,
    Pair,
    PairStatus,
    PairWeek,
    PersonStatus,
    Program,
    RoundStatus,
    Workspace,
)

log = logging.getLogger(__name__)

# After the last program week ends: room for the final check-in's "ask me again".
RECOGNITION_DELAY = timedelta(days=2)
SESSION_OUTCOMES = ("met", "async")
MAX_HIGHLIGHTS = 3
HIGHLIGHT_CHARS = 300
BATCH = 200  # pairs recognised per transaction


def program_end(created_at: datetime, mentor_tz: str | None, length_weeks: int) -> datetime:
    """When a pair's last program week ends: midnight at the end of its Sunday, in the
    mentor's calendar (weeks count from ``first_monday``, as the prompts do)."""
    zone = WorkingHours(mentor_tz).zone
    last_day = first_monday(created_at, mentor_tz) + timedelta(weeks=length_weeks)
    return datetime.combine(last_day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class _Starting:
    program_id: int
    name: str
    team_id: str
    workspace_id: int


class LifecycleService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        pairing: PairingService,
        lead_ids: frozenset[str],
        introduce: Callable[[int, datetime], object] | None = None,
    ) -> None:
        """``introduce(round_id, now)`` introduces a confirmed round's pairs (IntroService)."""
        self._sessions = sessions
        self._pairing = pairing
        self._leads = sorted(lead_ids)
        self._introduce = introduce

    def plan(self, now: datetime) -> int:
        """Start the programs whose start date has come, recognise the pairs whose
        program is over; returns how many messages were planned. Everything is dated
        ``now``, so a round made by `run-due --at` is dated then."""
        planned = self._recognise(now)
        for program in self._starting(now):
            try:
                planned += self._start(program, now)
            except Exception:
                # Released: the next tick tries again; other programs still start.
                log.exception("program %s: the start-date round failed", program.program_id)
        return planned

    # --- start ---------------------------------------------------------------------

    def _starting(self, now: datetime) -> list[_Starting]:
        today = now.astimezone(UTC).date()
        with self._sessions() as session:
            rows = session.execute(
                select(Program.id, Program.name, Workspace.slack_team_id, Program.workspace_id)
                .join(Workspace, Program.workspace_id == Workspace.id)
                .where(
                    Program.start_date.is_not(None),
                    Program.start_date <= today,
                    Program.auto_round_at.is_(None),
                )
                .order_by(Program.id)
            ).all()
        return [_Starting(*row) for row in rows]

    def _start(self, program: _Starting, now: datetime) -> int:
        with unit_of_work(self._sessions) as session:
            # Whoever sets auto_round_at makes the round: a second run-due finds it set.
            claimed = session.execute(
                update(Program)
                .where(Program.id == program.program_id, Program.auto_round_at.is_(None))
                .values(auto_round_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                return 0
            matched_by_hand = session.scalar(
                select(
                    exists().where(
                        MatchRound.program_id == program.program_id,
                        MatchRound.status == RoundStatus.CONFIRMED,
                    )
                )
            )
        if matched_by_hand:
            log.info("program %s: matched before its start date; no round", program.program_id)
            return 0
        try:
            preview = self._pairing.preview(program.team_id, None, program.name, now=now)
            confirmed = None
            if not preview.review and preview.pairs:
                confirmed = self._pairing.confirm(program.team_id, None, preview.round_id, now=now)
        except Exception:
            # Let the next tick try again rather than lose the program's first round.
            with unit_of_work(self._sessions) as session:
                session.execute(
                    update(Program)
                    .where(Program.id == program.program_id)
                    .values(auto_round_at=None)
                    .execution_options(synchronize_session=False)
                )
            raise
        log.info(
            "program %s starts: round %s, %d pairs, %s",
            program.program_id,
            preview.round_id,
            len(preview.pairs),
            "confirmed" if confirmed else "waiting for a lead",
        )
        if confirmed is None:
            return self._tell_leads_to_review(program, preview, now)
        if self._introduce is not None:
            self._introduce(preview.round_id, now)
        text = f"{copy.ROUND_STARTED.format(program=escape(program.name))} "
        confirmed = replace(confirmed, program_name=escape(confirmed.program_name))
        text += confirmed_message(confirmed, auto=True).text
        return self._tell_leads(
            program, now, lambda lead: outbox_keys.round_started(preview.round_id, lead), text
        )

    def _tell_leads_to_review(
        self, program: _Starting, preview: RoundPreview, now: datetime
    ) -> int:
        """The preview itself, buttons and all, so a lead can confirm from the DM."""
        template = copy.ROUND_READY if preview.pairs else copy.ROUND_STARTED
        lead_in = template.format(program=escape(program.name))
        blocks = [SectionBlock(text=lead_in), *match_preview(preview).blocks]
        return self._tell_leads(
            program,
            now,
            lambda lead: outbox_keys.round_ready(preview.round_id, lead),
            lead_in,
            blocks=blocks,
        )

    def _tell_leads(
        self,
        program: _Starting,
        now: datetime,
        key: Callable[[str], str],
        text: str,
        *,
        blocks: Sequence[Block] = (),
    ) -> int:
        """One DM per lead about this round; returns how many were planned."""
        with unit_of_work(self._sessions) as session:
            for lead in self._leads:
                enqueue(
                    session,
                    program.workspace_id,
                    Outgoing(
                        key=key(lead),
                        kind=OutboxKind.ALERT,
                        text=text,
                        blocks=[b.to_dict() for b in blocks] or None,
                        due_at=now,
                        user_id=lead,
                    ),
                    now,
                )
        return len(self._leads)

    # --- end -----------------------------------------------------------------------

    def _recognise(self, now: datetime) -> int:
        mentor = MENTOR
        with self._sessions() as session:
            rows = session.execute(
                select(Pair.id, Pair.created_at, Program.length_weeks, mentor.tz)
                .join(Program, Pair.program_id == Program.id)
                .join(mentor, Pair.mentor_id == mentor.id)
                .where(
                    Pair.status == PairStatus.ACTIVE,
                    Pair.recognized_at.is_(None),
                    # A paused mentor is thanked when they are back, not into the void.
                    mentor.status == PersonStatus.ACTIVE,
                )
            ).all()
        over = [
            pair_id
            for pair_id, created_at, length_weeks, tz in rows
            if program_end(created_at, tz, length_weeks) + RECOGNITION_DELAY <= now
        ]
        planned = 0
        for start in range(0, len(over), BATCH):
            with unit_of_work(self._sessions) as session:
                # Per workspace: a shout-out names skills as its own workspace does.
                names: dict[int, dict[str, str]] = {}
                for pair_id in over[start : start + BATCH]:
                    planned += _recognise_pair(session, pair_id, names, now)
        return planned


def _recognise_pair(
    session: Session, pair_id: int, names: dict[int, dict[str, str]], now: datetime
) -> int:
    """End the pair and plan its thank-you and shout-out, once (race-safe)."""
    claimed = session.execute(
        update(Pair)
        .where(
            Pair.id == pair_id,
            Pair.recognized_at.is_(None),
            Pair.status == PairStatus.ACTIVE,
        )
        .values(recognized_at=now, status=PairStatus.ENDED, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return 0
    pair = session.get_one(Pair, pair_id)
    if pair.intro_sent_at is None:
        return 0  # never introduced: nothing to thank anyone for
    program = session.get_one(Program, pair.program_id)
    mentor, mentee = pair.mentor, pair.mentee
    sessions_held = session.scalar(
        select(func.count())
        .select_from(PairWeek)
        .where(PairWeek.pair_id == pair.id, PairWeek.outcome.in_(SESSION_OUTCOMES))
    )
    if program.workspace_id not in names:
        names[program.workspace_id] = skill_names(session, program.workspace_id)
    named = names[program.workspace_id]
    topics = [escape(named.get(slug, slug)) for slug in shared_skills(session, pair)]
    # Only what the mentee chose to share; their private comments never leave the row.
    highlights = session.scalars(
        select(CheckIn.learned)
        .where(
            CheckIn.pair_id == pair.id,
            CheckIn.person_id == pair.mentee_id,
            CheckIn.share_with_lead.is_(True),
            CheckIn.answered_at.is_not(None),
            CheckIn.learned.is_not(None),
        )
        .order_by(CheckIn.number)
    ).all()
    program_name = escape(program.name)
    due = next_working_time(now, working_hours(mentor, program))
    enqueue(
        session,
        mentor.workspace_id,
        Outgoing(
            key=outbox_keys.thanks(pair.id),
            kind=OutboxKind.RECOGNITION,
            text=thanks_text(
                program_name,
                mentor=mentor.slack_user_id,
                mentee=mentee.slack_user_id,
                sessions_held=sessions_held or 0,
                topics=topics,
                highlights=highlights,
            ),
            due_at=due,
            user_id=mentor.slack_user_id,
            person_id=mentor.id,
        ),
        now,
    )
    if program.shoutout_channel_id is None:
        return 1
    shout_topics = copy.SHOUTOUT_TOPICS.format(topics=", ".join(topics)) if topics else ""
    enqueue(
        session,
        mentor.workspace_id,
        Outgoing(
            key=outbox_keys.shoutout(pair.id),
            kind=OutboxKind.RECOGNITION,
            text=copy.SHOUTOUT.format(
                mentor=mentor.slack_user_id, program=program_name, topics=shout_topics
            ),
            due_at=due,
            channel_id=program.shoutout_channel_id,
        ),
        now,
    )
    return 2


def thanks_text(
    program: str,
    *,
    mentor: str,
    mentee: str,
    sessions_held: int,
    topics: Sequence[str],
    highlights: Sequence[str | None],
) -> str:
    """The thank-you DM; ``program`` and ``topics`` already escaped, ``highlights`` raw."""
    parts = [copy.THANKS.format(mentor=mentor, mentee=mentee, program=program)]
    achieved = []
    if sessions_held:
        achieved.append(copy.THANKS_SESSIONS.format(n=sessions_held))
    if topics:
        achieved.append(copy.THANKS_TOPICS.format(topics=", ".join(topics)))
    if achieved:
        parts.append("\n".join(achieved))
    quotes = [_quote(h) for h in highlights if h and h.strip()][-MAX_HIGHLIGHTS:]
    if quotes:
        parts.append("\n".join([copy.THANKS_HIGHLIGHTS.format(mentee=mentee), *quotes]))
    parts.append(copy.THANKS_CLOSING)
    return "\n\n".join(parts)


def _quote(text: str) -> str:
    text = " ".join(text.split())  # one line each: a quote block ends at a newline
    if len(text) > HIGHLIGHT_CHARS:
        text = text[: HIGHLIGHT_CHARS - 1].rstrip() + "…"
    return f"> {escape(text)}"
