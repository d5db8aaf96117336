"""Programs (cohorts): leads create and edit them; everyone else just joins the default."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import copy
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import FormErrors, UserFacingError
from bot.ids import ProgramField
from bot.mrkdwn import escape, unreadable
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.shapes.programs import (
    CHECKIN_EVERY_WEEKS,
    EMPHASES,
    LENGTH_WEEKS,
    MAX_NAME_CHARS,
    MENTOR_CAPACITY,
    PROMPT_EVERY_WEEKS,
    SESSION_EVERY_WEEKS,
    ProgramSettings,
    ProgramSubmission,
)
from models import Program, Skill, Workspace


class ProgramService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def find(
        self, team_id: str, name: str | None, *, now: datetime | None = None
    ) -> ProgramSettings:
        """The named program (any case), or the default one when no name is given."""
        now = now or self._clock.now()
        with unit_of_work(self._sessions) as session:
            workspace = ensure_workspace(session, team_id, now)
            default = ensure_default_program(session, workspace, now)
            if not name:
                return settings_of(default)
            program = _by_name(session, workspace.id, name)
            if program is None:
                names = session.scalars(
                    select(Program.name)
                    .where(Program.workspace_id == workspace.id)
                    .order_by(Program.name)
                ).all()
                raise UserFacingError(
                    copy.PROGRAM_NOT_FOUND.format(
                        name=escape(name[:MAX_NAME_CHARS]),
                        names=", ".join(escape(n) for n in names),
                    )
                )
            return settings_of(program)

    def save(
        self, team_id: str, lead_id: str, program_id: int | None, submission: ProgramSubmission
    ) -> ProgramSettings:
        """Create (program_id None) or edit a program. Raises FormErrors field by field."""
        now = self._clock.now()
        try:
            with unit_of_work(self._sessions) as session:
                workspace = ensure_workspace(session, team_id, now)
                program = (
                    Program(workspace_id=workspace.id, created_at=now, is_default=False)
                    if program_id is None
                    else session.get(Program, program_id)
                )
                if program is None or program.workspace_id != workspace.id:
                    raise UserFacingError(copy.PROGRAM_GONE)
                self._apply(session, workspace, program, submission)
                program.updated_at = now
                program.updated_by = lead_id
                if program.id is None:
                    session.add(program)
                if submission.make_default and not program.is_default:
                    _make_default(session, workspace.id, program)
                session.flush()
                return settings_of(program)
        except IntegrityError as clash:  # another lead took the name a moment ago
            raise FormErrors({ProgramField.NAME: copy.ERR_PROGRAM_NAME_TAKEN}) from clash

    def _apply(
        self, session: Session, workspace: Workspace, program: Program, sub: ProgramSubmission
    ) -> None:
        errors: dict[ProgramField, str] = {}
        name = _check_name(session, workspace, program, sub.name, errors)
        start = None
        if sub.start_date:
            try:
                start = date.fromisoformat(sub.start_date)
            except ValueError:
                errors[ProgramField.START] = copy.ERR_DATE
        length = _choice(sub.length_weeks, LENGTH_WEEKS, ProgramField.LENGTH, errors)
        prompts = _choice(sub.prompt_every_weeks, PROMPT_EVERY_WEEKS, ProgramField.PROMPTS, errors)
        sessions = _choice(
            sub.session_every_weeks, SESSION_EVERY_WEEKS, ProgramField.SESSIONS, errors
        )
        checkins = _choice(
            sub.checkin_every_weeks, CHECKIN_EVERY_WEEKS, ProgramField.CHECKINS, errors
        )
        capacity = _choice(sub.mentor_capacity, MENTOR_CAPACITY, ProgramField.CAPACITY, errors)
        emphasis = sub.match_emphasis or "balanced"
        if emphasis not in EMPHASES:
            errors[ProgramField.EMPHASIS] = copy.ERR_CHOOSE_FROM_LIST
        # Unreadable text never reaches a query: Postgres cannot even compare it.
        slugs = [s for s in dict.fromkeys(sub.focus_skills) if not unreadable(s)]
        skills = session.scalars(
            select(Skill).where(
                Skill.slug.in_(slugs),
                or_(Skill.workspace_id.is_(None), Skill.workspace_id == workspace.id),
            )
        ).all()
        if len(skills) != len(set(sub.focus_skills)):
            errors[ProgramField.FOCUS] = copy.ERR_UNKNOWN_SKILL
        if errors:
            raise FormErrors(errors)
        # All checked above; the asserts narrow the types.
        assert length is not None
        assert prompts is not None
        assert sessions is not None
        assert checkins is not None
        assert capacity is not None
        program.name = name
        program.start_date = start
        program.length_weeks = length
        program.prompt_every_weeks = prompts
        program.session_every_weeks = sessions
        program.checkin_every_weeks = checkins
        program.mentor_capacity = capacity
        program.review_matches = sub.review_matches
        program.match_emphasis = emphasis
        channel = (sub.shoutout_channel_id or "").strip() or None
        if channel is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,30}", channel):
            raise FormErrors({ProgramField.SHOUTOUT: copy.ERR_CHOOSE_FROM_LIST})
        program.shoutout_channel_id = channel
        program.focus_skills = sorted(skills, key=lambda s: (s.position, s.id))


def _check_name(
    session: Session,
    workspace: Workspace,
    program: Program,
    value: str | None,
    errors: dict[ProgramField, str],
) -> str:
    name = (value or "").strip()
    if not name:
        errors[ProgramField.NAME] = copy.ERR_PROGRAM_NAME_MISSING
    elif unreadable(name):
        errors[ProgramField.NAME] = copy.ERR_UNREADABLE_TEXT
    elif len(name) > MAX_NAME_CHARS:
        errors[ProgramField.NAME] = copy.ERR_TOO_LONG.format(n=MAX_NAME_CHARS)
    else:
        clash = _by_name(session, workspace.id, name)
        if clash is not None and clash is not program:
            errors[ProgramField.NAME] = copy.ERR_PROGRAM_NAME_TAKEN
    return name


def _choice(
    value: str | None, allowed: Sequence[int], field: ProgramField, errors: dict[ProgramField, str]
) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        number = None
    if number is None or number not in allowed:
        errors[field] = copy.ERR_NUMBER_RANGE.format(low=min(allowed), high=max(allowed))
        return None
    return number


def _by_name(session: Session, workspace_id: int, name: str) -> Program | None:
    return session.scalars(
        select(Program).where(
            Program.workspace_id == workspace_id,
            func.lower(Program.name) == name.strip().lower(),
        )
    ).first()


def _make_default(session: Session, workspace_id: int, program: Program) -> None:
    # Clear the old default first: the partial unique index allows one at a time.
    for other in session.scalars(
        select(Program).where(Program.workspace_id == workspace_id, Program.is_default.is_(True))
    ):
        other.is_default = False
    session.flush()
    program.is_default = True


def settings_of(program: Program) -> ProgramSettings:
    return ProgramSettings(
        id=program.id,
        name=program.name,
        is_default=program.is_default,
        start_date=program.start_date,
        length_weeks=program.length_weeks,
        prompt_every_weeks=program.prompt_every_weeks,
        session_every_weeks=program.session_every_weeks,
        checkin_every_weeks=program.checkin_every_weeks,
        mentor_capacity=program.mentor_capacity,
        review_matches=program.review_matches,
        focus_skills=tuple(s.slug for s in program.focus_skills),
        match_emphasis=program.match_emphasis,
        shoutout_channel_id=program.shoutout_channel_id,
    )
