"""Joining, editing, pausing, resuming and leaving the program."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot import copy
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import FormErrors, NotJoinedError, UserFacingError
from bot.ids import JoinField
from bot.mrkdwn import unreadable
from bot.services.matching.goals import pair_goals
from bot.services.people.directory import enrich_from_directory
from bot.services.people.lookup import find_person
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.shapes.enrolment import (
    MAX_DEPARTMENT_CHARS,
    MAX_GOALS_CHARS,
    MAX_SKILLS_PER_DIRECTION,
    JoinSubmission,
    Profile,
    ProgramCounts,
    SkillOption,
)
from bot.shapes.goals import PairGoals
from models import (
    Pair,
    PairStatus,
    Person,
    PersonSkill,
    PersonStatus,
    Program,
    Role,
    Seniority,
    Skill,
    SkillDirection,
    Workspace,
)
from models.person import FORGOTTEN_PREFIX

_T = TypeVar("_T")

# Local working-hour windows a person can prefer, as [start, end) hours.
TIME_WINDOWS: dict[str, tuple[int, int]] = {
    "morning": (9, 12),
    "midday": (12, 14),
    "afternoon": (14, 17),
    "any": (9, 17),
    # Prompts still land in working hours; matching then ignores hours overlap.
    "async": (9, 17),
}
WEEKDAYS = range(5)  # Monday to Friday; None means any weekday


@dataclass(frozen=True)
class SaveResult:
    profile: Profile
    first_join: bool  # a brand-new person: send the welcome
    rejoined: bool  # came back after leaving


@dataclass(frozen=True)
class LeaveResult:
    profile: Profile
    ended_pairs: tuple[PairGoals, ...]  # their partners are told, in the pair's group DM


@dataclass(frozen=True)
class _Valid:
    role: Role
    teach: list[str]
    learn: list[str]
    department: str | None
    seniority: Seniority | None
    weekday: int | None
    window: tuple[int, int]
    prefers_async: bool
    goals: str | None


class EnrolmentService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    # --- reading ---------------------------------------------------------------

    def skill_catalogue(self, team_id: str) -> list[SkillOption]:
        """Seeded skills plus the ones this workspace added, in catalogue order."""
        with self._sessions() as session:
            rows = session.execute(
                select(Skill.slug, Skill.name)
                .outerjoin(Workspace, Skill.workspace_id == Workspace.id)
                .where(or_(Skill.workspace_id.is_(None), Workspace.slack_team_id == team_id))
                .order_by(Skill.workspace_id.is_not(None), Skill.position, Skill.id)
            ).all()
        return [SkillOption(slug, name) for slug, name in rows]

    def profile(self, team_id: str, user_id: str) -> Profile | None:
        with self._sessions() as session:
            person = find_person(session, team_id, user_id)
            return None if person is None else _to_profile(session, person, team_id)

    def require_profile(self, team_id: str, user_id: str) -> Profile:
        profile = self.profile(team_id, user_id)
        if profile is None:
            raise NotJoinedError(copy.NOT_JOINED)
        return profile

    def ensure_can_leave(self, team_id: str, user_id: str) -> Profile:
        """Checked before asking 'are you sure?', so nobody confirms a no-op."""
        profile = self.require_profile(team_id, user_id)
        if profile.status == PersonStatus.LEFT:
            raise UserFacingError(copy.ALREADY_IN_STATUS[PersonStatus.LEFT])
        return profile

    def counts(self, team_id: str) -> ProgramCounts:
        """Head counts for the lead's view: aggregates only, no names."""
        with self._sessions() as session:
            rows = session.execute(
                select(Person.role, Person.status, func.count())
                .join(Workspace, Person.workspace_id == Workspace.id)
                .where(Workspace.slack_team_id == team_id)
                .group_by(Person.role, Person.status)
            ).all()
            pairs = session.scalar(
                select(func.count())
                .select_from(Pair)
                .join(Person, Pair.mentee_id == Person.id)
                .join(Workspace, Person.workspace_id == Workspace.id)
                .where(Workspace.slack_team_id == team_id, Pair.status == PairStatus.ACTIVE)
            )
        by = {(role, status): n for role, status, n in rows}
        return ProgramCounts(
            mentors=by.get((Role.MENTOR, PersonStatus.ACTIVE), 0),
            mentees=by.get((Role.MENTEE, PersonStatus.ACTIVE), 0),
            paused=sum(n for (_, s), n in by.items() if s == PersonStatus.PAUSED),
            left=sum(n for (_, s), n in by.items() if s == PersonStatus.LEFT),
            active_pairs=pairs or 0,
        )

    # --- joining ---------------------------------------------------------------

    def validate(self, team_id: str, submission: JoinSubmission) -> _Valid:
        """Check a submission; raise FormErrors with a message per bad field."""
        errors: dict[JoinField, str] = {}
        known = {s.slug for s in self.skill_catalogue(team_id)}
        role = _parse(Role, submission.role, JoinField.ROLE, copy.ERR_ROLE, errors)
        teach = _check_skills(submission.teach, known, JoinField.TEACH, errors)
        learn = _check_skills(submission.learn, known, JoinField.LEARN, errors)
        if role is Role.MENTOR and not teach:
            errors.setdefault(JoinField.TEACH, copy.ERR_MENTOR_NEEDS_SKILL)
        if role is Role.MENTEE and not learn:
            errors.setdefault(JoinField.LEARN, copy.ERR_MENTEE_NEEDS_SKILL)
        department = _check_text(
            submission.department, MAX_DEPARTMENT_CHARS, JoinField.DEPARTMENT, errors
        )
        goals = _check_text(submission.goals, MAX_GOALS_CHARS, JoinField.GOALS, errors)
        seniority = None
        if submission.seniority:
            seniority = _parse(
                lambda v: Seniority(int(v)),
                submission.seniority,
                JoinField.SENIORITY,
                copy.ERR_CHOOSE_FROM_LIST,
                errors,
            )
        weekday = None
        if submission.weekday not in (None, "", "any"):
            weekday = _parse(
                _weekday, submission.weekday, JoinField.WEEKDAY, copy.ERR_CHOOSE_FROM_LIST, errors
            )
        window = TIME_WINDOWS.get(submission.window or "any")
        if window is None:
            errors[JoinField.WINDOW] = copy.ERR_CHOOSE_FROM_LIST

        if errors or role is None or window is None:
            raise FormErrors(errors)
        prefers_async = submission.window == "async"
        return _Valid(
            role, teach, learn, department, seniority, weekday, window, prefers_async, goals
        )

    def save(self, team_id: str, user_id: str, submission: JoinSubmission) -> SaveResult:
        """Create or edit the person's record; one row per person, whatever happens."""
        valid = self.validate(team_id, submission)
        try:
            return self._save(team_id, user_id, valid)
        except IntegrityError:
            # Two submissions raced to create the same person; the loser edits instead.
            return self._save(team_id, user_id, valid)

    def _save(self, team_id: str, user_id: str, valid: _Valid) -> SaveResult:
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            workspace = ensure_workspace(session, team_id, now)
            person = find_person(session, team_id, user_id)
            first_join = person is None
            rejoined = person is not None and person.status == PersonStatus.LEFT
            if person is None:
                program = ensure_default_program(session, workspace, now)
                person = Person(
                    workspace_id=workspace.id,
                    program_id=program.id,
                    slack_user_id=user_id,
                    joined_at=now,
                )
                session.add(person)
            person.role = valid.role
            person.department = valid.department
            person.seniority = valid.seniority
            person.preferred_weekday = valid.weekday
            person.window_start_hour, person.window_end_hour = valid.window
            person.prefers_async = valid.prefers_async
            person.goals = valid.goals
            person.updated_at = now
            if person.status != PersonStatus.ACTIVE or first_join:
                person.status = PersonStatus.ACTIVE
                person.paused_at = person.left_at = None
            _set_skills(session, person, workspace, valid.teach, valid.learn)
            if first_join:
                # The HR import may know their title and manager (for matching) already.
                enrich_from_directory(session, person)
            session.flush()
            return SaveResult(_to_profile(session, person, team_id), first_join, rejoined)

    def record_slack_details(
        self, team_id: str, user_id: str, *, tz: str | None = None, dm_channel_id: str | None = None
    ) -> None:
        """Keep what Slack told us (time zone, the DM channel) so we never ask twice."""
        with unit_of_work(self._sessions) as session:
            person = find_person(session, team_id, user_id)
            if person is None:
                return
            if tz:
                person.tz = tz
            if dm_channel_id:
                person.dm_channel_id = dm_channel_id

    # --- status changes --------------------------------------------------------

    def pause(self, team_id: str, user_id: str) -> Profile:
        return self._change_status(team_id, user_id, PersonStatus.PAUSED)

    def resume(self, team_id: str, user_id: str) -> Profile:
        return self._change_status(team_id, user_id, PersonStatus.ACTIVE)

    def leave(self, team_id: str, user_id: str) -> LeaveResult:
        """Mark the person as left and end their pairs. Their history stays; joining again
        restores them, and their former partners are matched again next round."""
        ended: list[PairGoals] = []
        profile = self._change_status(team_id, user_id, PersonStatus.LEFT, ended)
        return LeaveResult(profile, tuple(ended))

    def _change_status(
        self,
        team_id: str,
        user_id: str,
        target: PersonStatus,
        ended: list[PairGoals] | None = None,
    ) -> Profile:
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            person = find_person(session, team_id, user_id)
            if person is None or (
                person.status == PersonStatus.LEFT and target != PersonStatus.LEFT
            ):
                raise NotJoinedError(copy.NOT_JOINED)
            if person.status == target:
                raise UserFacingError(copy.ALREADY_IN_STATUS[target])
            if target == PersonStatus.LEFT:
                ended_now = end_participation(session, person, now)
                if ended is not None:
                    ended.extend(ended_now)
            else:
                person.status = target
                person.updated_at = now
                person.paused_at = now if target == PersonStatus.PAUSED else None
            return _to_profile(session, person, team_id)


def end_participation(session: Session, person: Person, now: datetime) -> list[PairGoals]:
    """What leaving does to the rows: the person is marked as left and their active pairs
    end. Returns the ended pairs, whose partners are to be told. Shared by `/mentor
    leave` and forgetting someone (bot.services.people.forgetting)."""
    person.status = PersonStatus.LEFT
    person.updated_at = now
    person.paused_at = None
    person.left_at = now
    ended: list[PairGoals] = []
    for pair in _active_pairs(session, person.id):
        pair.status = PairStatus.ENDED
        pair.ended_at = now
        ended.append(pair_goals(pair))
    session.flush()
    return ended


def _parse(
    convert: Callable[[str], _T],
    value: str | None,
    field: JoinField,
    message: str,
    errors: dict[JoinField, str],
) -> _T | None:
    try:
        return convert(value or "")
    except ValueError:
        errors[field] = message
        return None


def _weekday(value: str) -> int:
    if not value.isdigit() or int(value) not in WEEKDAYS:
        raise ValueError(value)
    return int(value)


def _check_skills(
    chosen: Sequence[str], known: set[str], field: JoinField, errors: dict[JoinField, str]
) -> list[str]:
    unique = list(dict.fromkeys(chosen))
    if set(unique) - known:
        errors[field] = copy.ERR_UNKNOWN_SKILL
    elif len(unique) > MAX_SKILLS_PER_DIRECTION:
        errors[field] = copy.ERR_TOO_MANY_SKILLS.format(n=MAX_SKILLS_PER_DIRECTION)
    return unique


def _check_text(
    value: str | None, limit: int, field: JoinField, errors: dict[JoinField, str]
) -> str | None:
    text = (value or "").strip() or None
    if text is not None and unreadable(text):
        errors[field] = copy.ERR_UNREADABLE_TEXT
    elif text is not None and len(text) > limit:
        errors[field] = copy.ERR_TOO_LONG.format(n=limit)
    return text


def _set_skills(
    session: Session, person: Person, workspace: Workspace, teach: list[str], learn: list[str]
) -> None:
    slugs = set(teach) | set(learn)
    by_slug = {
        s.slug: s
        for s in session.scalars(
            select(Skill).where(
                Skill.slug.in_(slugs),
                or_(Skill.workspace_id.is_(None), Skill.workspace_id == workspace.id),
            )
        )
    }
    wanted = [(by_slug[s], SkillDirection.TEACH) for s in teach] + [
        (by_slug[s], SkillDirection.LEARN) for s in learn
    ]
    current = {(ps.skill_id, ps.direction): ps for ps in person.skills}
    keep = {(skill.id, direction) for skill, direction in wanted}
    for key, ps in current.items():
        if key not in keep:
            person.skills.remove(ps)
    for skill, direction in wanted:
        if (skill.id, direction) not in current:
            person.skills.append(PersonSkill(skill=skill, direction=direction))


def _active_pairs(session: Session, person_id: int) -> Sequence[Pair]:
    return session.scalars(
        select(Pair)
        .where(
            Pair.status == PairStatus.ACTIVE,
            or_(Pair.mentor_id == person_id, Pair.mentee_id == person_id),
        )
        .order_by(Pair.created_at.desc(), Pair.id.desc())
    ).all()


def _finished_with(session: Session, person_id: int) -> tuple[str, ...]:
    """The partners of this person's pairs that ran to the end (thanked), newest first."""
    partner = aliased(Person)
    return tuple(
        session.scalars(
            select(partner.slack_user_id)
            .select_from(Pair)
            .join(
                partner,
                partner.id
                == case((Pair.mentor_id == person_id, Pair.mentee_id), else_=Pair.mentor_id),
            )
            .where(
                Pair.status == PairStatus.ENDED,
                Pair.recognized_at.is_not(None),
                or_(Pair.mentor_id == person_id, Pair.mentee_id == person_id),
                # A partner who asked to be forgotten has no name to show.
                partner.slack_user_id.not_like(f"{FORGOTTEN_PREFIX}%"),
            )
            .order_by(Pair.created_at.desc(), Pair.id.desc())
        )
    )


def _to_profile(session: Session, person: Person, team_id: str) -> Profile:
    program_name = session.get_one(Program, person.program_id).name
    teach = [ps.skill for ps in person.skills if ps.direction == SkillDirection.TEACH]
    learn = [ps.skill for ps in person.skills if ps.direction == SkillDirection.LEARN]
    window = (
        "async"
        if person.prefers_async
        else next(
            (
                k
                for k, v in TIME_WINDOWS.items()
                if v == (person.window_start_hour, person.window_end_hour)
            ),
            "any",
        )
    )
    pairs = _active_pairs(session, person.id)
    return Profile(
        person_id=person.id,
        team_id=team_id,
        user_id=person.slack_user_id,
        role=Role(person.role),
        status=PersonStatus(person.status),
        teach=tuple(s.name for s in teach),
        learn=tuple(s.name for s in learn),
        teach_slugs=tuple(s.slug for s in teach),
        learn_slugs=tuple(s.slug for s in learn),
        department=person.department,
        seniority=Seniority(person.seniority) if person.seniority else None,
        preferred_weekday=person.preferred_weekday,
        window=window,
        goals=person.goals,
        tz=person.tz,
        dm_channel_id=person.dm_channel_id,
        program_name=program_name,
        joined_at=person.joined_at,
        pairs=tuple(pair_goals(p) for p in pairs),
        finished_with=() if pairs else _finished_with(session, person.id),
    )
