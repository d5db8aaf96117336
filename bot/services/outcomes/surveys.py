"""The questions after a program: the signals practitioners use, and a senior's
commitments with their 30- and 60-day follow-ups.

When, counted from the end of the pair's last program week (``program_end``), at the
person's next working moment:

- ``end``: everyone whose pair ran to the end is asked "would you take part again?" and
  "would you recommend it?"; a junior mentor also "has your senior mentored, sponsored or
  opened a door for you?"; a senior also writes one to three commitments, and chooses
  whether the lead may read their text (their junior mentor always sees it in App Home).
- ``day30``: a senior who made commitments says how each is going (done / in progress /
  dropped, one optional line of evidence). Nobody else is asked anything.
- ``day60``: the signals again (the sponsorship question "since the program"), and the
  commitments' progress for a senior who made any.

Exactly once: a row per (person, program, checkpoint), unique in the database, written in
the same transaction as its outbox row, whose key is unique too. Nobody paused or gone is
asked: planning skips them, and the delivery guard drops a DM planned before they paused
or left. A pair that ended early (someone left, a lead ended it) is not asked about.

Answers: only the person asked may answer, once; skipping is final; an answer after
``closes_at`` (``OPEN`` after the checkpoint) is thanked and changes nothing. A person who
left after being asked may still answer: their row is kept and counted once, like anyone's.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot import copy, outbox_keys
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import FormErrors, UserFacingError
from bot.ids import SurveyField
from bot.mrkdwn import unreadable
from bot.services.matching.pairs import pairs_ending_between
from bot.services.outbox.delivery import Outgoing, enqueue
from bot.services.outcomes.asking import (
    Refusals,
    ask_again,
    held_while_away,
    posted,
    require_open,
    settle,
)
from bot.services.programs.lifecycle import program_end
from bot.services.weekly.calendar import working_hours
from bot.services.weekly.timing import next_working_time
from bot.shapes.surveys import (
    CHECKPOINT_AFTER,
    COMMITMENT_CHARS,
    EVIDENCE_CHARS,
    MAX_COMMITMENTS,
    SIGNAL_VALUES,
    STATUS_VALUES,
    CommitmentItem,
    PartnerCommitments,
    Question,
    SurveyAsk,
    SurveyForm,
    SurveySaved,
    SurveySubmission,
)
from bot.slack.errors import SlackError
from bot.slack.workspaces import SlackWorkspaces
from bot.views.surveys import survey_answered_message, survey_message
from bot.vocabulary import OutboxKind
from models import (
    MENTEE,
    MENTOR,
    Commitment,
    CommitmentProgress,
    OutcomeCheckpoint,
    OutcomeSurvey,
    Pair,
    PairStatus,
    Person,
    PersonStatus,
    Program,
    Role,
    Workspace,
)

log = logging.getLogger(__name__)

OPEN = timedelta(days=14)  # answers taken this long after the checkpoint
HORIZON = timedelta(days=1)  # planned a day ahead, so one missed tick never makes it late
# Asked at least this long before it closes, or not at all: no DM that closes at once.
LAST_CALL = timedelta(days=2)
BATCH = 200  # surveys planned per transaction
_REFUSALS = Refusals(
    answered=copy.SURVEY_ALREADY_ANSWERED,
    skipped=copy.SURVEY_ALREADY_SKIPPED,
    closed=copy.SURVEY_CLOSED,
)
_SIGNALS = set(SIGNAL_VALUES)
_STATUSES = set(STATUS_VALUES)
HOME_PROGRAMS = 3  # App Home shows the commitments of the newest few programs


@dataclass(frozen=True)
class _Slot:
    """One person's checkpoint, from the first of their pairs to reach it."""

    person: Person
    role: Role  # their side of the pair
    program: Program
    pair_id: int
    due: datetime  # the checkpoint itself, before working hours


@dataclass(frozen=True)
class _Todo:
    workspace_id: int
    program_id: int
    program_name: str
    person_id: int
    user_id: str
    pair_id: int
    role: Role
    checkpoint: OutcomeCheckpoint
    asks_signals: bool
    writes_commitments: bool
    follows_up: int
    due: datetime
    closes_at: datetime


class SurveyService:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, slack: SlackWorkspaces | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._slack = slack

    # --- planning (run_due) -----------------------------------------------------

    def plan(self, now: datetime) -> int:
        """Plan every survey that has come due by ``now``; returns how many."""
        todo = self._to_plan(now)
        planned = self._ask_again(now)
        for start in range(0, len(todo), BATCH):
            with unit_of_work(self._sessions) as session:
                for item in todo[start : start + BATCH]:
                    try:
                        with session.begin_nested():
                            _plan_one(session, item, now)
                            planned += 1
                    except IntegrityError:
                        continue  # another run-due planned this one a moment ago
        return planned

    def _ask_again(self, now: datetime) -> int:
        """A DM held back because its person paused after it was planned: asked at their
        next working moment once they are back, while the survey is open."""
        asked = 0
        with unit_of_work(self._sessions) as session:
            for outbox_id, survey, person, program in held_while_away(
                session,
                now,
                OutcomeSurvey,
                kind=OutboxKind.SURVEY,
                key_of=lambda s: outbox_keys.outcome_survey(
                    s.program_id, s.person_id, s.checkpoint
                ),
                since=OPEN + HORIZON,
            ):
                due = next_working_time(now, working_hours(person, program))
                if due <= survey.closes_at - LAST_CALL:
                    asked += ask_again(session, outbox_id, survey, due)
        return asked

    def _to_plan(self, now: datetime) -> list[_Todo]:
        with self._sessions() as session:
            slots = _slots(session, now)
            if not slots:
                return []
            people = sorted({person_id for person_id, _, _ in slots})
            asked = {
                (person_id, program_id, checkpoint)
                for person_id, program_id, checkpoint in session.execute(
                    select(
                        OutcomeSurvey.person_id, OutcomeSurvey.program_id, OutcomeSurvey.checkpoint
                    ).where(OutcomeSurvey.person_id.in_(people))
                )
            }
            committed = {
                (person_id, program_id): n
                for person_id, program_id, n in session.execute(
                    select(Commitment.person_id, Commitment.program_id, func.count())
                    .where(Commitment.person_id.in_(people))
                    .group_by(Commitment.person_id, Commitment.program_id)
                )
            }
        todo: list[_Todo] = []
        for (person_id, program_id, checkpoint), slot in slots.items():
            if (person_id, program_id, checkpoint) in asked:
                continue
            senior = slot.role == Role.MENTEE
            follows_up = committed.get((person_id, program_id), 0) if senior else 0
            if checkpoint == OutcomeCheckpoint.DAY_30 and not follows_up:
                continue  # the month-on question is only about commitments
            closes_at = slot.due + OPEN
            due = next_working_time(max(slot.due, now), working_hours(slot.person, slot.program))
            if due > closes_at - LAST_CALL:
                continue  # found too late to be worth asking
            todo.append(
                _Todo(
                    workspace_id=slot.person.workspace_id,
                    program_id=program_id,
                    program_name=slot.program.name,
                    person_id=person_id,
                    user_id=slot.person.slack_user_id,
                    pair_id=slot.pair_id,
                    role=slot.role,
                    checkpoint=checkpoint,
                    asks_signals=checkpoint != OutcomeCheckpoint.DAY_30,
                    writes_commitments=senior and checkpoint == OutcomeCheckpoint.END,
                    follows_up=follows_up if checkpoint != OutcomeCheckpoint.END else 0,
                    due=due.astimezone(UTC),
                    closes_at=closes_at,
                )
            )
        return todo

    # --- answers -----------------------------------------------------------------

    def open_form(self, team_id: str, user_id: str, survey_id: int) -> SurveyForm:
        """What the modal shows; refuses when it is not theirs, answered, skipped or
        closed, so a modal never opens for an answer that would be turned away."""
        now = self._clock.now()
        with self._sessions() as session:
            survey = _own(session, team_id, user_id, survey_id)
            require_open(survey, now, _REFUSALS)
            return _form(session, survey)

    def skip(self, team_id: str, user_id: str, survey_id: int) -> OutcomeCheckpoint | None:
        """Skip for good: the checkpoint skipped, or None when it was skipped already.
        Refuses an answered or closed one (nothing changes)."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            survey = _own(session, team_id, user_id, survey_id)
            if survey.skipped_at is not None:
                return None
            require_open(survey, now, _REFUSALS)
            settle(session, OutcomeSurvey, survey.id, _REFUSALS, skipped_at=now)
            return OutcomeCheckpoint(survey.checkpoint)

    def submit(
        self, team_id: str, user_id: str, survey_id: int, submission: SurveySubmission
    ) -> SurveySaved:
        """Store the answers; only the person asked may, once. Raises FormErrors keyed by
        block_id for a missing or bad answer, UserFacingError when the survey is not
        theirs, answered, skipped or closed."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            survey = _own(session, team_id, user_id, survey_id)
            require_open(survey, now, _REFUSALS)
            form = _form(session, survey)
            errors: dict[str, str] = {}
            signals = _read_signals(form, submission, errors)
            texts = _read_commitments(form, submission, errors)
            progress = _read_progress(form, submission, errors)
            if errors:
                raise FormErrors(errors)
            # Whoever sets answered_at stores the answers: a second submit finds it set.
            settle(session, OutcomeSurvey, survey.id, _REFUSALS, answered_at=now, **signals)
            session.add_all(
                Commitment(
                    program_id=survey.program_id,
                    person_id=survey.person_id,
                    pair_id=survey.pair_id,
                    survey_id=survey.id,
                    position=position,
                    text=text,
                    shared=submission.share,
                    created_at=now,
                )
                for position, text in enumerate(texts, start=1)
            )
            session.add_all(
                CommitmentProgress(
                    commitment_id=commitment_id,
                    checkpoint=survey.checkpoint,
                    survey_id=survey.id,
                    status=status,
                    evidence=evidence,
                    answered_at=now,
                )
                for commitment_id, (status, evidence) in progress.items()
            )
            return SurveySaved(
                survey.id,
                OutcomeCheckpoint(survey.checkpoint),
                len(texts) or len(progress),
                form.partner_user if texts else None,
            )

    def mark_answered_in_dm(self, saved: SurveySaved) -> None:
        """Replace the asking DM's buttons with "saved, thanks". Runs after the ack; the
        answers are stored whatever Slack says."""
        if self._slack is None:
            return
        with self._sessions() as session:
            survey = session.get_one(OutcomeSurvey, saved.survey_id)
            where = posted(
                session,
                outbox_keys.outcome_survey(survey.program_id, survey.person_id, survey.checkpoint),
            )
        if where is None:
            return  # answered from a DM we have no record of posting: nothing to edit
        text, blocks = survey_answered_message(
            saved.checkpoint,
            wrote_commitments=saved.checkpoint == OutcomeCheckpoint.END and saved.commitments > 0,
        )
        try:
            self._slack.for_team(where.team_id).update_message(
                where.channel, where.ts, text, blocks
            )
        except SlackError as error:
            log.warning("could not mark survey %s answered: %s", saved.survey_id, error)

    # --- App Home ------------------------------------------------------------------

    def commitments_for_home(self, team_id: str, user_id: str) -> tuple[PartnerCommitments, ...]:
        """A senior's own commitments, and a junior mentor's seniors' commitments: the
        text only (how each goes is the senior's own), newest programs first."""
        with self._sessions() as session:
            rows = session.execute(
                select(
                    Commitment.person_id,
                    Commitment.program_id,
                    Commitment.text,
                    Program.name,
                    MENTEE.slack_user_id,
                    MENTOR.slack_user_id,
                )
                .join(Program, Commitment.program_id == Program.id)
                .join(Pair, Commitment.pair_id == Pair.id)
                .join(MENTOR, Pair.mentor_id == MENTOR.id)
                .join(MENTEE, Pair.mentee_id == MENTEE.id)
                .join(Workspace, MENTEE.workspace_id == Workspace.id)
                .where(
                    Workspace.slack_team_id == team_id,
                    or_(MENTEE.slack_user_id == user_id, MENTOR.slack_user_id == user_id),
                )
                .order_by(Commitment.created_at.desc(), Commitment.person_id, Commitment.position)
            ).all()
        groups: dict[tuple[int, int], list[str]] = defaultdict(list)
        heads: dict[tuple[int, int], tuple[str, str]] = {}
        for person_id, program_id, text, program_name, senior, _ in rows:
            groups[(person_id, program_id)].append(text)
            heads[(person_id, program_id)] = (senior, program_name)
        return tuple(
            PartnerCommitments(
                senior_user=heads[key][0],
                program_name=heads[key][1],
                texts=tuple(texts),
                mine=heads[key][0] == user_id,
            )
            for key, texts in list(groups.items())[:HOME_PROGRAMS]
        )


def _slots(session: Session, now: datetime) -> dict[tuple[int, int, str], _Slot]:
    """Everyone whose checkpoint falls within a day ahead of ``now`` or is still open,
    from the pairs whose program could end in that window (one query per checkpoint)."""
    slots: dict[tuple[int, int, str], _Slot] = {}
    for checkpoint, after in CHECKPOINT_AFTER.items():
        # The checkpoint is due in [now - OPEN, now + HORIZON]: the program ended in that
        # window moved back by ``after``.
        rows = pairs_ending_between(session, now - after - OPEN, now - after + HORIZON)
        for pair, program, mentor, mentee in rows:
            ends = program_end(pair.created_at, mentor.tz, program.length_weeks)
            if pair.status != PairStatus.ACTIVE and (pair.ended_at is None or pair.ended_at < ends):
                continue  # ended early: nothing to look back on together
            due = ends + after
            if not due - HORIZON <= now < due + OPEN:
                continue
            for person, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
                if person.status != PersonStatus.ACTIVE:
                    continue  # paused or gone: asked once back, while it is open
                key = (person.id, program.id, checkpoint.value)
                if key not in slots or due < slots[key].due:
                    slots[key] = _Slot(person, role, program, pair.id, due)
    return slots


def _plan_one(session: Session, item: _Todo, now: datetime) -> None:
    row = OutcomeSurvey(
        program_id=item.program_id,
        person_id=item.person_id,
        pair_id=item.pair_id,
        role=item.role,
        checkpoint=item.checkpoint,
        asks_signals=item.asks_signals,
        asked_at=item.due,
        closes_at=item.closes_at,
    )
    session.add(row)
    session.flush()  # the id goes on the buttons; a duplicate fails here
    text, blocks = survey_message(
        SurveyAsk(
            survey_id=row.id,
            checkpoint=item.checkpoint,
            program_name=item.program_name,
            asks_signals=item.asks_signals,
            writes_commitments=item.writes_commitments,
            follows_up=item.follows_up,
        ),
        junior=item.role == Role.MENTOR,
    )
    enqueue(
        session,
        item.workspace_id,
        Outgoing(
            key=outbox_keys.outcome_survey(item.program_id, item.person_id, item.checkpoint),
            kind=OutboxKind.SURVEY,
            text=text,
            blocks=blocks,
            due_at=item.due,
            user_id=item.user_id,
            # No pair: the pair has ended by now; the guard checks the person.
            person_id=item.person_id,
        ),
        now,
    )


def _own(session: Session, team_id: str, user_id: str, survey_id: int) -> OutcomeSurvey:
    found = session.execute(
        select(OutcomeSurvey)
        .join(Person, OutcomeSurvey.person_id == Person.id)
        .join(Workspace, Person.workspace_id == Workspace.id)
        .where(
            OutcomeSurvey.id == survey_id,
            Workspace.slack_team_id == team_id,
            Person.slack_user_id == user_id,
        )
    ).scalar_one_or_none()
    if found is None:
        # Someone else's, or gone: one answer, so nothing leaks.
        raise UserFacingError(copy.SURVEY_NOT_YOURS)
    return found


def _form(session: Session, survey: OutcomeSurvey) -> SurveyForm:
    junior = survey.role == Role.MENTOR
    checkpoint = OutcomeCheckpoint(survey.checkpoint)
    questions: tuple[str, ...] = ()
    if survey.asks_signals:
        questions = (Question.WOULD_AGAIN, Question.RECOMMEND)
        questions += (Question.SPONSORED,) if junior else ()
    partner_user = senior_user = None
    if survey.pair_id is not None:
        found = session.execute(
            select(MENTOR.slack_user_id, MENTEE.slack_user_id)
            .select_from(Pair)
            .join(MENTOR, Pair.mentor_id == MENTOR.id)
            .join(MENTEE, Pair.mentee_id == MENTEE.id)
            .where(Pair.id == survey.pair_id)
        ).one_or_none()
        if found is not None:
            mentor_user, mentee_user = found
            # A junior is asked about their senior; a senior's junior sees their commitments.
            senior_user, partner_user = (mentee_user, None) if junior else (None, mentor_user)
    follow_up: tuple[CommitmentItem, ...] = ()
    if not junior and checkpoint != OutcomeCheckpoint.END:
        # Two months on, the answer from a month on is shown beside each: a reminder, so
        # the senior says what changed since rather than starting again.
        earlier = aliased(CommitmentProgress)
        month_on = (
            earlier.checkpoint == OutcomeCheckpoint.DAY_30
            if checkpoint == OutcomeCheckpoint.DAY_60
            else false()
        )
        follow_up = tuple(
            CommitmentItem(*row)
            for row in session.execute(
                select(Commitment.id, Commitment.text, earlier.status, earlier.evidence)
                .outerjoin(
                    earlier,
                    (earlier.commitment_id == Commitment.id) & month_on,
                )
                .where(
                    Commitment.person_id == survey.person_id,
                    Commitment.program_id == survey.program_id,
                )
                .order_by(Commitment.position)
            )
        )
    return SurveyForm(
        survey_id=survey.id,
        checkpoint=checkpoint,
        questions=questions,
        writes_commitments=not junior and checkpoint == OutcomeCheckpoint.END,
        partner_user=partner_user,
        senior_user=senior_user,
        follow_up=follow_up,
    )


def _read_signals(
    form: SurveyForm, submission: SurveySubmission, errors: dict[str, str]
) -> dict[str, str]:
    answers: dict[str, str] = {}
    for question in form.questions:
        value = submission.signals.get(question)
        if value in _SIGNALS:
            answers[question] = value
        else:
            errors[question] = copy.ERR_CHOOSE_FROM_LIST
    return answers


def _read_commitments(
    form: SurveyForm, submission: SurveySubmission, errors: dict[str, str]
) -> list[str]:
    """The non-empty commitments, in the order written (renumbered from 1)."""
    if not form.writes_commitments:
        return []
    texts: list[str] = []
    bad = False
    written = list(submission.commitments)[:MAX_COMMITMENTS]
    for position, raw in enumerate(written, start=1):
        text = " ".join((raw or "").split())  # one line, however it was typed
        field = f"{SurveyField.COMMITMENT}{position}"
        if not text:
            continue
        if unreadable(text):
            errors[field], bad = copy.ERR_UNREADABLE_TEXT, True
        elif len(text) > COMMITMENT_CHARS:
            errors[field], bad = copy.ERR_TOO_LONG.format(n=COMMITMENT_CHARS), True
        else:
            texts.append(text)
    # Said together with any other field's error: one round of fixes, not two.
    if not texts and not bad:
        errors[f"{SurveyField.COMMITMENT}1"] = copy.ERR_SURVEY_NO_COMMITMENT
    return texts


def _read_progress(
    form: SurveyForm, submission: SurveySubmission, errors: dict[str, str]
) -> dict[int, tuple[str, str | None]]:
    progress: dict[int, tuple[str, str | None]] = {}
    for item in form.follow_up:
        answer = submission.progress.get(item.commitment_id)
        status = answer.status if answer is not None else None
        evidence = " ".join((answer.evidence or "").split()) if answer is not None else ""
        evidence_field = f"{SurveyField.EVIDENCE}{item.commitment_id}"
        if status not in _STATUSES:
            errors[f"{SurveyField.PROGRESS}{item.commitment_id}"] = copy.ERR_SURVEY_STATUS
        elif unreadable(evidence):
            errors[evidence_field] = copy.ERR_UNREADABLE_TEXT
        elif len(evidence) > EVIDENCE_CHARS:
            errors[evidence_field] = copy.ERR_TOO_LONG.format(n=EVIDENCE_CHARS)
        else:
            progress[item.commitment_id] = (status, evidence or None)
    return progress
