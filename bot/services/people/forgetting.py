"""Deleting data: one person's on request, a whole workspace's after it uninstalled.

What goes and what stays is written out in README.md, "Privacy and data deletion"; keep
the two in step. In short: a forgotten person's words and answers are deleted row by row,
and their person row stays, anonymised, so that their former partner's pair history and
the lead's head counts still add up. A forgotten workspace leaves nothing behind.

Every delete here is explicit, child rows first. SQLite enforces our ``ondelete=CASCADE``
only with ``PRAGMA foreign_keys=ON`` (bot.db turns it on, but a database opened by other
tools may not), and ``person.program_id`` has no cascade at all; explicit deletes also give
the counts the report prints.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, not_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import copy
from bot.clock import Clock
from bot.db import unit_of_work
from bot.services.home import partner_left_notice
from bot.services.outbox.delivery import enqueue
from bot.services.people.enrolment import end_participation
from bot.services.people.lookup import find_person
from bot.shapes.forgetting import ForgetReport
from bot.views.messages import text_message
from bot.vocabulary import OutboxKind
from models import (
    CheckIn,
    Commitment,
    CommitmentProgress,
    DirectoryEntry,
    MatchProposal,
    MatchRound,
    MatchWaiting,
    OutboundMessage,
    OutboxStatus,
    OutcomeSurvey,
    Pair,
    PairWeek,
    Person,
    PersonSkill,
    PersonStatus,
    Program,
    ProgramFocusSkill,
    ReportFileRecord,
    SelfAssessment,
    SelfAssessmentScore,
    Skill,
    Workspace,
    bots,
    installations,
)
from models.person import FORGOTTEN_PREFIX

_MENTION = re.compile(r"<@([A-Z0-9]+)>")

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)  # the tick looks for expired uninstalls this often


def _count(session: Session, statement: Any) -> int:
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


# --- one person ------------------------------------------------------------------------


def forget_person(
    session: Session, slack_team_id: str, slack_user_id: str, now: datetime | None = None
) -> ForgetReport:
    """Delete what one person wrote and said in a workspace, and end their participation
    as `/mentor leave` does (their pairs end; each former partner gets a note, planned in
    the outbox, that names nobody). Their person row stays, anonymised. A second call
    finds nobody and deletes nothing (``found=False``)."""
    now = now or datetime.now(UTC)
    workspace_id = session.scalar(
        select(Workspace.id).where(Workspace.slack_team_id == slack_team_id)
    )
    if workspace_id is None:
        return ForgetReport(slack_team_id, found=False, deleted={}, user_id=slack_user_id)
    deleted: dict[str, int] = {}
    # The HR import's row, whether or not they ever joined.
    deleted["directory_entries"] = _count(
        session,
        delete(DirectoryEntry).where(
            DirectoryEntry.workspace_id == workspace_id,
            DirectoryEntry.slack_user_id == slack_user_id,
        ),
    )
    person = find_person(session, slack_team_id, slack_user_id)
    if person is None:
        found = deleted["directory_entries"] > 0
        return ForgetReport(slack_team_id, found=found, deleted=deleted, user_id=slack_user_id)

    ended = [] if person.status == PersonStatus.LEFT else end_participation(session, person, now)
    pair_ids = list(
        session.scalars(
            select(Pair.id).where(or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id))
        )
    )
    deleted["messages"] = _delete_their_messages(
        session, workspace_id, person.id, slack_user_id, pair_ids
    )
    _unname_waiting_notes(session, workspace_id, slack_user_id)
    deleted |= _delete_their_answers(session, person.id)
    deleted["skills"] = _count(
        session, delete(PersonSkill).where(PersonSkill.person_id == person.id)
    )
    session.expire(person, ["skills"])
    _scrub_their_traces(session, person, slack_user_id, pair_ids)
    _anonymise(person, now)

    # The notes to the partners go out after the deletes, so none of them is deleted; they
    # name nobody, so the outbox keeps no trace of who left.
    notices, partners = [], []
    for pair in ended:
        notice = partner_left_notice(pair, slack_user_id, now, named=False)
        partners.append(pair.mentee_user if pair.mentor_user == slack_user_id else pair.mentor_user)
        if notice is not None and enqueue(session, workspace_id, notice, now):
            notices.append(notice.key)
    session.flush()
    return ForgetReport(
        slack_team_id,
        found=True,
        deleted=deleted,
        user_id=slack_user_id,
        anonymised=1,
        pairs_ended=len(ended),
        partners=tuple(partners),
        notices=tuple(notices),
    )


def _delete_their_messages(
    session: Session, workspace_id: int, person_id: int, user_id: str, pair_ids: Sequence[int]
) -> int:
    """Every outbox row to them, about their pairs, or naming them (a lead's delivery
    alert), whatever its status. One exception: a note to a former partner that has not
    gone out yet is still delivered (it is pruned with the rest of the outbox later)."""
    about_them: ColumnElement[bool] = or_(
        OutboundMessage.person_id == person_id,
        OutboundMessage.user_id == user_id,
        OutboundMessage.pair_id.in_(pair_ids),
        OutboundMessage.text.contains(f"<@{user_id}>", autoescape=True),
    )
    still_to_tell_partner = and_(
        OutboundMessage.kind == OutboxKind.PARTNER_LEFT,
        OutboundMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
    )
    return _count(
        session,
        delete(OutboundMessage).where(
            OutboundMessage.workspace_id == workspace_id, about_them, not_(still_to_tell_partner)
        ),
    )


def _unname_waiting_notes(session: Session, workspace_id: int, user_id: str) -> None:
    """A former partner's note that has not gone out yet still goes, but without their
    name (it was written naming them when they left before asking to be forgotten)."""
    waiting = session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.workspace_id == workspace_id,
            OutboundMessage.kind == OutboxKind.PARTNER_LEFT,
            OutboundMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            OutboundMessage.text.contains(f"<@{user_id}>", autoescape=True),
        )
    ).all()
    for row in waiting:
        others = [m for m in _MENTION.findall(row.text) if m != user_id]
        if not others:
            continue
        text = copy.PARTNER_LEFT_UNNAMED.format(partner=others[0])
        row.text = text
        row.blocks = [block.to_dict() for block in text_message(text).blocks]


def _delete_their_answers(session: Session, person_id: int) -> dict[str, int]:
    """Check-ins (ratings, what they learned, blockers), self-assessments with their
    scores, after-program surveys, and commitments with their progress."""
    assessments = select(SelfAssessment.id).where(SelfAssessment.person_id == person_id)
    surveys = select(OutcomeSurvey.id).where(OutcomeSurvey.person_id == person_id)
    commitments = select(Commitment.id).where(Commitment.person_id == person_id)
    session.execute(
        delete(SelfAssessmentScore)
        .where(SelfAssessmentScore.assessment_id.in_(assessments))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(CommitmentProgress)
        .where(
            or_(
                CommitmentProgress.commitment_id.in_(commitments),
                CommitmentProgress.survey_id.in_(surveys),
            )
        )
        .execution_options(synchronize_session=False)
    )
    return {
        "check_ins": _count(session, delete(CheckIn).where(CheckIn.person_id == person_id)),
        "assessments": _count(
            session, delete(SelfAssessment).where(SelfAssessment.person_id == person_id)
        ),
        "commitments": _count(
            session,
            delete(Commitment).where(
                or_(Commitment.person_id == person_id, Commitment.survey_id.in_(surveys))
            ),
        ),
        "surveys": _count(
            session, delete(OutcomeSurvey).where(OutcomeSurvey.person_id == person_id)
        ),
    }


def _scrub_their_traces(
    session: Session, person: Person, user_id: str, pair_ids: Sequence[int]
) -> None:
    """Their words on their pairs (their side of the shared goals) and their Slack id
    wherever a row records who did something; the rows themselves stay (the partner's
    history, the lead's session counts)."""
    # Each pair: the mentee's learning goals, the mentor's growth goals.
    for column, own in ((Pair.learning_goals, Pair.mentee_id), (Pair.growth_goals, Pair.mentor_id)):
        session.execute(
            update(Pair)
            .where(own == person.id)
            .values({column: []})
            .execution_options(synchronize_session=False)
        )
    programs = select(Program.id).where(Program.workspace_id == person.workspace_id)
    for column, scope in (
        (Pair.goals_updated_by, Pair.id.in_(pair_ids)),
        (PairWeek.engaged_by, PairWeek.pair_id.in_(pair_ids)),
        # A lead who asks to be forgotten: the rounds they ran and the programs they set up.
        (MatchRound.created_by, MatchRound.program_id.in_(programs)),
        (MatchRound.confirmed_by, MatchRound.program_id.in_(programs)),
        (Program.updated_by, Program.workspace_id == person.workspace_id),
    ):
        session.execute(
            update(column.class_)
            .where(scope, column == user_id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    session.execute(
        delete(ReportFileRecord)
        .where(
            ReportFileRecord.workspace_id == person.workspace_id,
            ReportFileRecord.user_id == user_id,
        )
        .execution_options(synchronize_session=False)
    )


def _anonymise(person: Person, now: datetime) -> None:
    """Nothing left that says who they were; role, status and dates stay for the counts."""
    person.slack_user_id = FORGOTTEN_PREFIX + secrets.token_hex(8)
    for column in (
        "department",
        "title",
        "email",
        "manager_user_id",
        "seniority",
        "goals",
        "tz",
        "preferred_weekday",
        "window_start_hour",
        "window_end_hour",
        "dm_channel_id",
        "unreachable_reason",
    ):
        setattr(person, column, None)
    person.prefers_async = False
    person.updated_at = now


def is_forgotten(slack_user_id: str) -> bool:
    return slack_user_id.startswith(FORGOTTEN_PREFIX)


# --- a whole workspace -----------------------------------------------------------------


def forget_workspace(session: Session, slack_team_id: str) -> ForgetReport:
    """Delete everything of a workspace: its row and every row that hangs off it, and its
    own rows in slack_sdk's installation tables (an org-wide installation stays)."""
    workspace = session.scalars(
        select(Workspace).where(Workspace.slack_team_id == slack_team_id)
    ).one_or_none()
    deleted: dict[str, int] = {}
    if workspace is not None:
        deleted = _delete_workspace_rows(session, workspace.id)
        session.expunge(workspace)
        deleted["workspaces"] = _count(
            session, delete(Workspace).where(Workspace.id == workspace.id)
        )
    installs = _count(
        session, delete(installations).where(installations.c.team_id == slack_team_id)
    )
    installs += _count(session, delete(bots).where(bots.c.team_id == slack_team_id))
    # An Enterprise Grid org-wide installation is the org's, not this workspace's: other
    # workspaces of the org (some never seen here yet) may use it. It goes with the
    # org's own uninstall (bot.services.people.installs).
    deleted["installations"] = installs
    found = workspace is not None or installs > 0
    return ForgetReport(slack_team_id, found=found, deleted=deleted)


def _delete_workspace_rows(session: Session, workspace_id: int) -> dict[str, int]:
    programs = select(Program.id).where(Program.workspace_id == workspace_id)
    people = select(Person.id).where(Person.workspace_id == workspace_id)
    pairs = select(Pair.id).where(Pair.program_id.in_(programs))
    rounds = select(MatchRound.id).where(MatchRound.program_id.in_(programs))
    in_programs = {
        "assessments": (SelfAssessment, SelfAssessment.program_id),
        "surveys": (OutcomeSurvey, OutcomeSurvey.program_id),
    }

    def gone(statement: Any) -> int:
        return _count(session, statement)

    counts: dict[str, int] = {}
    gone(
        delete(CommitmentProgress).where(
            CommitmentProgress.commitment_id.in_(
                select(Commitment.id).where(Commitment.program_id.in_(programs))
            )
        )
    )
    counts["commitments"] = gone(delete(Commitment).where(Commitment.program_id.in_(programs)))
    gone(
        delete(SelfAssessmentScore).where(
            SelfAssessmentScore.assessment_id.in_(
                select(SelfAssessment.id).where(SelfAssessment.program_id.in_(programs))
            )
        )
    )
    for key, (model, column) in in_programs.items():
        counts[key] = gone(delete(model).where(column.in_(programs)))
    counts["check_ins"] = gone(delete(CheckIn).where(CheckIn.pair_id.in_(pairs)))
    counts["messages"] = gone(
        delete(OutboundMessage).where(OutboundMessage.workspace_id == workspace_id)
    )
    counts["pair_weeks"] = gone(delete(PairWeek).where(PairWeek.pair_id.in_(pairs)))
    counts["pairs"] = gone(delete(Pair).where(Pair.program_id.in_(programs)))
    gone(delete(MatchProposal).where(MatchProposal.round_id.in_(rounds)))
    gone(delete(MatchWaiting).where(MatchWaiting.round_id.in_(rounds)))
    counts["match_rounds"] = gone(delete(MatchRound).where(MatchRound.program_id.in_(programs)))
    counts["report_files"] = gone(
        delete(ReportFileRecord).where(ReportFileRecord.workspace_id == workspace_id)
    )
    gone(delete(PersonSkill).where(PersonSkill.person_id.in_(people)))
    gone(delete(ProgramFocusSkill).where(ProgramFocusSkill.program_id.in_(programs)))
    counts["people"] = gone(delete(Person).where(Person.workspace_id == workspace_id))
    counts["programs"] = gone(delete(Program).where(Program.workspace_id == workspace_id))
    custom_skills = select(Skill.id).where(Skill.workspace_id == workspace_id)
    # A custom skill may still be chosen by someone elsewhere only through this workspace.
    gone(delete(PersonSkill).where(PersonSkill.skill_id.in_(custom_skills)))
    gone(delete(ProgramFocusSkill).where(ProgramFocusSkill.skill_id.in_(custom_skills)))
    counts["skills"] = gone(delete(Skill).where(Skill.workspace_id == workspace_id))
    counts["directory_entries"] = gone(
        delete(DirectoryEntry).where(DirectoryEntry.workspace_id == workspace_id)
    )
    return counts


def purge_uninstalled(session: Session, now: datetime, grace: timedelta) -> list[str]:
    """Forget every workspace uninstalled more than ``grace`` ago; returns their team ids.
    A reinstall clears ``uninstalled_at``, so a workspace that came back is kept."""
    teams = list(
        session.scalars(
            select(Workspace.slack_team_id)
            .where(Workspace.uninstalled_at.is_not(None), Workspace.uninstalled_at < now - grace)
            .order_by(Workspace.id)
        )
    )
    for team in teams:
        report = forget_workspace(session, team)
        log.info("deleted the data of uninstalled workspace %s: %s", team, report.summary())
    return teams


# --- for the app, the CLI and the clock: each use case its own unit of work -------------


@dataclass(frozen=True)
class ForgettingService:
    sessions: sessionmaker[Session]
    clock: Clock

    def forget_person(self, team_id: str, user_id: str) -> ForgetReport:
        with unit_of_work(self.sessions) as session:
            return forget_person(session, team_id, user_id, self.clock.now())

    def forget_workspace(self, team_id: str) -> ForgetReport:
        with unit_of_work(self.sessions) as session:
            return forget_workspace(session, team_id)

    def teams_of(self, user_id: str) -> list[str]:
        """The workspaces where this Slack user id has data (joined, or in the HR import)."""
        with self.sessions() as session:
            joined = select(Person.workspace_id).where(Person.slack_user_id == user_id)
            imported = select(DirectoryEntry.workspace_id).where(
                DirectoryEntry.slack_user_id == user_id
            )
            return list(
                session.scalars(
                    select(Workspace.slack_team_id)
                    .where(or_(Workspace.id.in_(joined), Workspace.id.in_(imported)))
                    .order_by(Workspace.slack_team_id)
                )
            )

    def workspace_exists(self, team_id: str) -> bool:
        with self.sessions() as session:
            known = select(func.count()).where(Workspace.slack_team_id == team_id)
            installed = (
                select(func.count())
                .select_from(installations)
                .where(installations.c.team_id == team_id)
            )
            return bool(session.scalar(known)) or bool(session.scalar(installed))


@dataclass
class UninstallPurge:
    """The tick's part: at most once per PURGE_EVERY (by the tick's own ``now``), forget
    the workspaces whose uninstall is older than the grace period."""

    sessions: sessionmaker[Session]
    grace: timedelta
    every: timedelta = PURGE_EVERY
    _last: datetime | None = None

    def due(self, now: datetime) -> bool:
        # A clock moved back (run-due --at, the sandbox) counts as due, not as "wait".
        return self._last is None or not self._last <= now < self._last + self.every

    def purge(self, now: datetime) -> list[str]:
        if not self.due(now):
            return []
        with unit_of_work(self.sessions) as session:
            teams = purge_uninstalled(session, now, self.grace)
        self._last = now
        return teams
