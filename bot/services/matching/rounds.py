"""Matching rounds: preview for a lead, drop a pair and re-run, confirm into pairs.

The matcher itself is pure (bot.services.matching.matcher); this module feeds it from the
database and keeps each round as rows, so a preview survives a restart and confirming
twice can only create one set of pairs.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import copy
from bot.clock import Clock
from bot.db import unit_of_work
from bot.errors import UserFacingError
from bot.services.matching.matcher import MatchConfig, MatchResult, Participant, PastPair, match
from bot.services.people.directory import management_chains
from bot.services.programs.settings import ProgramService, settings_of
from bot.shapes.matching import (
    ConfirmResult,
    PreviewPair,
    Reason,
    ReasonCode,
    RoundPreview,
    UnmatchedReason,
    WaitingPerson,
)
from bot.shapes.programs import ProgramSettings
from models import (
    MatchProposal,
    MatchRound,
    MatchWaiting,
    Pair,
    PairStatus,
    Person,
    PersonSkill,
    PersonStatus,
    Program,
    Role,
    RoundStatus,
    Skill,
    SkillDirection,
    Workspace,
)

log = logging.getLogger(__name__)

REPEAT_WINDOW_DAYS = 365  # an earlier pair is not repeated within a year


class RoundAlreadyConfirmedError(UserFacingError):
    """Confirmed before (perhaps a double click): nothing new was created."""


def reason_to_json(reason: Reason) -> dict[str, Any]:
    data = asdict(reason)
    data["code"] = reason.code.value
    data["skills"] = list(reason.skills)
    return data


def reason_from_json(data: dict[str, Any]) -> Reason:
    return Reason(
        code=ReasonCode(data["code"]),
        skills=tuple(data.get("skills", ())),
        hours=float(data.get("hours", 0.0)),
        gap=int(data.get("gap", 0)),
    )


class PairingService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        programs: ProgramService,
        new_seed: Callable[[], int] = lambda: secrets.randbelow(2**31),
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._programs = programs
        self._new_seed = new_seed

    # --- preview ---------------------------------------------------------------

    def preview(
        self,
        team_id: str,
        lead_id: str | None,
        program_name: str | None = None,
        *,
        now: datetime | None = None,
    ) -> RoundPreview:
        """Run the matcher for a program and keep the result as a new preview round.
        ``now``: the instant a scheduled round is made at (a lead's: the clock's)."""
        now = now or self._clock.now()
        settings = self._programs.find(team_id, program_name, now=now)
        assert settings.id is not None
        seed = self._new_seed()
        with unit_of_work(self._sessions) as session:
            # Only the newest preview can be confirmed: older ones go stale.
            session.execute(
                update(MatchRound)
                .where(
                    MatchRound.program_id == settings.id,
                    MatchRound.status == RoundStatus.PREVIEW,
                )
                .values(status=RoundStatus.DISCARDED)
            )
            round_ = MatchRound(
                program_id=settings.id,
                status=RoundStatus.PREVIEW,
                seed=seed,
                created_by=lead_id,
                created_at=now,
                dropped=[],
            )
            session.add(round_)
            session.flush()
            paused = self._run(session, round_, settings, now)
            return _preview(session, round_, paused)

    def drop(self, team_id: str, round_id: int, mentor_id: int, mentee_id: int) -> RoundPreview:
        """Keep one proposed pair apart and match the rest again."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            round_, program = _round_for_update(session, team_id, round_id)
            _require_people_of(session, program, mentor_id, mentee_id)
            round_.dropped = [*round_.dropped, [mentor_id, mentee_id]]
            settings = settings_of(program)
            paused = self._run(session, round_, settings, now)
            return _preview(session, round_, paused)

    def rerun(self, team_id: str, round_id: int) -> RoundPreview:
        """Match again with fresh data (someone joined or edited), keeping dropped pairs apart."""
        now = self._clock.now()
        with unit_of_work(self._sessions) as session:
            round_, program = _round_for_update(session, team_id, round_id)
            settings = settings_of(program)
            paused = self._run(session, round_, settings, now)
            return _preview(session, round_, paused)

    def confirm(
        self, team_id: str, lead_id: str | None, round_id: int, *, now: datetime | None = None
    ) -> ConfirmResult:
        """Turn a preview into pairs, once: a second confirm finds the round confirmed."""
        now = now or self._clock.now()
        with unit_of_work(self._sessions) as session:
            # Locks the round row on Postgres, so a concurrent confirm waits, then sees
            # it confirmed; the conditional update below settles it on SQLite too.
            _, program = _round_for_update(session, team_id, round_id)
            claimed = session.execute(
                update(MatchRound)
                .where(MatchRound.id == round_id, MatchRound.status == RoundStatus.PREVIEW)
                .values(status=RoundStatus.CONFIRMED, confirmed_by=lead_id, confirmed_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                raise RoundAlreadyConfirmedError(copy.ROUND_ALREADY_CONFIRMED)
            proposals = session.scalars(
                select(MatchProposal)
                .where(MatchProposal.round_id == round_id)
                .order_by(MatchProposal.position)
            ).all()
            created, skipped = _create_pairs(session, program, round_id, proposals, now)
            waiting = session.scalar(
                select(func.count())
                .select_from(MatchWaiting)
                .where(MatchWaiting.round_id == round_id)
            )
            return ConfirmResult(round_id, program.name, created, skipped, waiting or 0)

    def cancel(self, team_id: str, round_id: int) -> str:
        with unit_of_work(self._sessions) as session:
            round_, program = _round_for_update(session, team_id, round_id)
            round_.status = RoundStatus.DISCARDED
            return program.name

    def _run(
        self, session: Session, round_: MatchRound, settings: ProgramSettings, now: datetime
    ) -> int:
        """Match and store the proposals on the round; returns how many were paused."""
        assert settings.id is not None
        people, paused, workspace_id = _eligible(session, settings, now)
        chains = management_chains(session, workspace_id)
        participants = [
            _participant(p, chains.get(p.person.slack_user_id, frozenset())) for p in people
        ]
        dropped = {(m, e) for m, e in round_.dropped}
        history = _history(session, workspace_id, dropped)
        config = MatchConfig(
            weights=settings.weights,
            focus_skills=frozenset(settings.focus_skills),
            repeat_window_days=REPEAT_WINDOW_DAYS,
            require_skill_fit=True,
            seed=round_.seed,
            today=now.date(),
        )
        result = match(participants, history, config)
        log.info(
            "matching round %s of program %s: %d people, %d pairs, %d unmatched, seed %d",
            round_.id,
            settings.id,
            len(participants),
            len(result.pairs),
            len(result.unmatched),
            result.seed,
        )
        _store(session, round_, result)
        return paused


@dataclass(frozen=True)
class _Candidate:
    person: Person
    teaches: frozenset[str]
    learns: frozenset[str]
    capacity: int
    waited: bool
    hours_utc: tuple[int, int] | None


def _eligible(
    session: Session, settings: ProgramSettings, now: datetime
) -> tuple[list[_Candidate], int, int]:
    """Active people of the program with room for a partner, and how many are paused."""
    program = session.get_one(Program, settings.id)
    people = session.scalars(
        select(Person).where(Person.program_id == program.id, Person.status == PersonStatus.ACTIVE)
    ).all()
    paused = session.scalar(
        select(func.count())
        .select_from(Person)
        .where(Person.program_id == program.id, Person.status == PersonStatus.PAUSED)
    )
    active_pairs: dict[int, int] = defaultdict(int)
    for mentor_id, mentee_id in session.execute(
        select(Pair.mentor_id, Pair.mentee_id).where(
            Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE
        )
    ):
        active_pairs[mentor_id] += 1
        active_pairs[mentee_id] += 1
    skills: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for person_id, slug, direction in session.execute(
        select(PersonSkill.person_id, Skill.slug, PersonSkill.direction)
        .join(Skill, PersonSkill.skill_id == Skill.id)
        .join(Person, PersonSkill.person_id == Person.id)
        .where(Person.program_id == program.id)
    ):
        skills[person_id][direction].add(slug)
    waited = _waited_last_round(session, program.id)
    candidates = []
    for person in people:
        if person.role == Role.MENTOR:
            capacity = max(0, settings.mentor_capacity - active_pairs[person.id])
        else:
            capacity = 0 if active_pairs[person.id] else 1
        if capacity == 0:
            continue  # already has as many partners as the program allows
        candidates.append(
            _Candidate(
                person=person,
                teaches=frozenset(skills[person.id][SkillDirection.TEACH]),
                learns=frozenset(skills[person.id][SkillDirection.LEARN]),
                capacity=capacity,
                waited=person.id in waited,
                hours_utc=_hours_utc(person, now),
            )
        )
    return candidates, paused or 0, program.workspace_id


def _waited_last_round(session: Session, program_id: int) -> set[int]:
    last = session.scalar(
        select(MatchRound.id)
        .where(MatchRound.program_id == program_id, MatchRound.status == RoundStatus.CONFIRMED)
        .order_by(MatchRound.confirmed_at.desc(), MatchRound.id.desc())
        .limit(1)
    )
    if last is None:
        return set()
    return set(session.scalars(select(MatchWaiting.person_id).where(MatchWaiting.round_id == last)))


def _hours_utc(person: Person, now: datetime) -> tuple[int, int] | None:
    """The person's working window today, as minutes after today's 00:00 UTC."""
    if not person.tz:
        return None
    try:
        zone = ZoneInfo(person.tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    start_hour = person.window_start_hour if person.window_start_hour is not None else 9
    end_hour = person.window_end_hour if person.window_end_hour is not None else 17
    local_day = now.astimezone(zone).date()
    start = datetime.combine(local_day, time(start_hour), zone)
    end = datetime.combine(local_day, time(end_hour), zone)
    midnight = datetime.combine(now.astimezone(UTC).date(), time(0), UTC)
    start_min = int((start - midnight) / timedelta(minutes=1)) % 1440
    length = int((end - start) / timedelta(minutes=1))
    return (start_min, start_min + max(0, min(length, 1440))) if length > 0 else None


def _participant(candidate: _Candidate, managers: frozenset[str]) -> Participant:
    person = candidate.person
    return Participant(
        id=person.id,
        user_id=person.slack_user_id,
        role=Role(person.role),
        status=PersonStatus(person.status),
        teaches=candidate.teaches,
        learns=candidate.learns,
        seniority=person.seniority,
        department=person.department,
        hours_utc=candidate.hours_utc,
        prefers_async=person.prefers_async,
        managers=managers | ({person.manager_user_id} if person.manager_user_id else set()),
        capacity=candidate.capacity,
        waited=candidate.waited,
    )


def _history(session: Session, workspace_id: int, dropped: set[tuple[int, int]]) -> list[PastPair]:
    rows = session.execute(
        select(Pair.mentor_id, Pair.mentee_id, Pair.ended_at)
        .join(Program, Pair.program_id == Program.id)
        .where(Program.workspace_id == workspace_id)
    ).all()
    history = [PastPair(m, e, ended.date() if ended is not None else None) for m, e, ended in rows]
    # A pair the lead dropped is kept apart like a pair that is still running.
    history += [PastPair(m, e, None) for m, e in dropped]
    return history


def _store(session: Session, round_: MatchRound, result: MatchResult) -> None:
    round_.proposals.clear()
    round_.waiting.clear()
    session.flush()
    round_.seed = result.seed
    round_.total_score = result.total_score
    session.add_all(
        MatchProposal(
            round_id=round_.id,
            position=i,
            mentor_id=pair.mentor_id,
            mentee_id=pair.mentee_id,
            score=pair.score,
            reasons=[reason_to_json(r) for r in pair.reasons],
        )
        for i, pair in enumerate(result.pairs)
    )
    session.add_all(
        MatchWaiting(round_id=round_.id, person_id=u.person_id, reason=u.reason.value)
        for u in result.unmatched
        if u.reason not in (UnmatchedReason.PAUSED, UnmatchedReason.LEFT)
    )
    session.flush()
    session.expire(round_, ["proposals", "waiting"])


def _create_pairs(
    session: Session,
    program: Program,
    round_id: int,
    proposals: Sequence[MatchProposal],
    now: datetime,
) -> tuple[int, int]:
    """Pairs for the proposals that still hold; people may have paused, left or been
    paired by another round since the lead saw the preview."""
    active = set(
        session.scalars(
            select(Person.id).where(
                Person.program_id == program.id, Person.status == PersonStatus.ACTIVE
            )
        )
    )
    load: dict[int, int] = defaultdict(int)
    paired_mentees: set[int] = set()
    for mentor_id, mentee_id in session.execute(
        select(Pair.mentor_id, Pair.mentee_id).where(
            Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE
        )
    ):
        load[mentor_id] += 1
        paired_mentees.add(mentee_id)
    created = skipped = 0
    for proposal in proposals:
        mentor, mentee = proposal.mentor_id, proposal.mentee_id
        if (
            mentor not in active
            or mentee not in active
            or mentee in paired_mentees
            or load[mentor] >= program.mentor_capacity
        ):
            skipped += 1
            continue
        session.add(
            Pair(
                program_id=program.id,
                round_id=round_id,
                mentor_id=mentor,
                mentee_id=mentee,
                status=PairStatus.ACTIVE,
                score=proposal.score,
                reasons=proposal.reasons,
                learning_goals=[],
                growth_goals=[],
                created_at=now,
            )
        )
        load[mentor] += 1
        paired_mentees.add(mentee)
        created += 1
    session.flush()
    return created, skipped


def _round_for_update(session: Session, team_id: str, round_id: int) -> tuple[MatchRound, Program]:
    found = session.execute(
        select(MatchRound, Program)
        .join(Program, MatchRound.program_id == Program.id)
        .join(Workspace, Program.workspace_id == Workspace.id)
        .where(MatchRound.id == round_id, Workspace.slack_team_id == team_id)
        .with_for_update(of=MatchRound)
    ).one_or_none()
    if found is None:
        raise UserFacingError(copy.ROUND_GONE)
    round_, program = found
    if round_.status == RoundStatus.CONFIRMED:
        raise RoundAlreadyConfirmedError(copy.ROUND_ALREADY_CONFIRMED)
    if round_.status == RoundStatus.DISCARDED:
        raise UserFacingError(copy.ROUND_STALE)
    return round_, program


def _require_people_of(session: Session, program: Program, mentor_id: int, mentee_id: int) -> None:
    """A dropped pair is two people of the round's own program. Anything else is a forged
    or mangled button (ids of another program or workspace): refused, nothing stored, and
    in the words a stale button gets, so it says nothing about whose ids they are."""
    found = session.scalar(
        select(func.count())
        .select_from(Person)
        .where(Person.program_id == program.id, Person.id.in_({mentor_id, mentee_id}))
    )
    if mentor_id == mentee_id or found != 2:
        raise UserFacingError(copy.STALE_BUTTON)


def _preview(session: Session, round_: MatchRound, paused: int) -> RoundPreview:
    program = session.get_one(Program, round_.program_id)
    proposals = session.scalars(
        select(MatchProposal)
        .where(MatchProposal.round_id == round_.id)
        .order_by(MatchProposal.position)
    ).all()
    waiting = session.scalars(
        select(MatchWaiting)
        .where(MatchWaiting.round_id == round_.id)
        .order_by(MatchWaiting.person_id)
    ).all()
    ids = {p.mentor_id for p in proposals} | {p.mentee_id for p in proposals}
    ids |= {w.person_id for w in waiting}
    people = _people(session, ids)
    review = program.review_matches
    names = skill_names(session, program.workspace_id)
    return RoundPreview(
        round_id=round_.id,
        program_name=program.name,
        status=RoundStatus(round_.status),
        seed=round_.seed,
        pairs=tuple(
            PreviewPair(
                mentor_id=p.mentor_id,
                mentee_id=p.mentee_id,
                mentor_user=people[p.mentor_id][0],
                mentee_user=people[p.mentee_id][0],
                score=p.score,
                reasons=tuple(reason_from_json(r) for r in p.reasons),
            )
            for p in proposals
        ),
        waiting=tuple(
            WaitingPerson(
                person_id=w.person_id,
                user_id=people[w.person_id][0],
                role=people[w.person_id][1],
                reason=UnmatchedReason(w.reason),
            )
            for w in waiting
        ),
        paused=paused,
        dropped=len(round_.dropped),
        total_score=round_.total_score,
        skill_names=names,
        review=review,
    )


def skill_names(session: Session, workspace_id: int) -> dict[str, str]:
    """slug -> name of the skills a workspace sees, to render reasons: the seeded ones and
    its own. Another workspace's names (its projects, its teams) never reach this one's
    previews, intros or shout-outs, even for a slug both use."""
    rows = session.execute(
        select(Skill.slug, Skill.name)
        .where(or_(Skill.workspace_id.is_(None), Skill.workspace_id == workspace_id))
        # The workspace's own name for a slug wins over the seeded one.
        .order_by(Skill.workspace_id.is_not(None))
    )
    return dict(rows.all())


def _people(session: Session, ids: set[int]) -> dict[int, tuple[str, Role]]:
    found: dict[int, tuple[str, Role]] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):  # stay under bind-parameter limits
        chunk = id_list[start : start + 500]
        for pid, user_id, role in session.execute(
            select(Person.id, Person.slack_user_id, Person.role).where(Person.id.in_(chunk))
        ):
            found[pid] = (user_id, Role(role))
    return found
