"""The lead report: a whole program at a glance, read with a fixed number of queries.

The outcomes section (what changed after the program) is read by
:mod:`bot.services.reports.outcomes`, in the same session.

Every query below aggregates in the database and is filtered by the program, so the
report costs the same dozen statements for ten people or ten thousand (a test counts
them). What comes back per pair is one small row, combined here in Python into the
funnel and the at-risk list.

Privacy lives in :mod:`bot.shapes.report`: ratings and response rates become
:class:`Aggregate` values that are empty below three people, and shared comments are
read only where their author ticked "share with the program lead".
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Date,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot import copy
from bot.clock import Clock
from bot.errors import UserFacingError
from bot.mrkdwn import escape
from bot.services.reports.outcomes import read_commitments_shared, read_outcomes
from bot.shapes.report import (
    SHARED_COMMENTS,
    AtRiskPair,
    Engagement,
    FunnelStage,
    PairCounts,
    PersonRow,
    Recognition,
    Report,
    RiskReason,
    SharedComment,
    SkillBalance,
    Stage,
    WaitingPerson,
    WeekActivity,
    aggregate,
)
from bot.vocabulary import parse_at_risk_reason
from models import (
    MENTEE,
    MENTOR,
    CheckIn,
    MatchRound,
    MatchWaiting,
    Pair,
    PairStatus,
    PairWeek,
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

ENGAGED_SESSIONS = 3  # the funnel's "three or more sessions"
LOW_RATING = 2  # a check-in rating at or below this flags the pair
LOW_RATING_WINDOW = timedelta(days=28)  # only recent ratings say how a pair is doing now
WEEKS_SHOWN = 52  # the weekly activity covers the last year
NOT_MATCHED_YET = "not_matched_yet"  # joined after the last confirmed round (or none yet)
_RISK_ORDER = (
    RiskReason.UNDELIVERABLE,
    RiskReason.SENIOR_SKIPPING,
    RiskReason.LOW_RATING,
    RiskReason.NO_ACTIVITY,
)


def idle_weeks_threshold(session_every_weeks: int) -> int:
    """A pair is idle once a whole live-session cycle plus a week passed with no session:
    pairs meeting fortnightly are not flagged for skipping the prompt in between."""
    return max(2, session_every_weeks + 1)


@dataclass(frozen=True)
class _PairStats:
    """One pair's row: the pair, its people and its prompt weeks, aggregated."""

    id: int
    status: str
    mentor_id: int
    mentee_id: int
    mentor_user: str
    mentee_user: str
    channel_id: str | None
    created_at: datetime
    ended_at: datetime | None
    recognized_at: datetime | None
    at_risk_reason: str | None
    at_risk_since: datetime | None
    lead_nudged_at: datetime | None
    delivered: int
    engaged: int
    live: int
    async_: int
    skipped: int
    last_session_at: datetime | None
    first_prompt_at: datetime | None

    @property
    def sessions(self) -> int:
        return self.live + self.async_

    @property
    def completed(self) -> bool:
        return self.recognized_at is not None


class ReportService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def build(
        self,
        team_id: str | None,
        program: str | None,
        *,
        detail: bool = False,
        program_id: int | None = None,
    ) -> Report:
        """The report of ``program`` (by name, or by id from a button; the default one
        when neither) in the workspace ``team_id`` (the only one when None). ``detail``
        adds one row per person and pair, for the CSV."""
        now = self._clock.now()
        with self._sessions() as session:
            workspace = _workspace(session, team_id)
            chosen = _program(session, workspace, program, program_id)
            return _Reader(session, workspace, chosen, now).report(detail=detail)


def _workspace(session: Session, team_id: str | None) -> Workspace:
    if team_id is not None:
        workspace = session.scalars(
            select(Workspace).where(Workspace.slack_team_id == team_id)
        ).one_or_none()
        if workspace is None:
            raise UserFacingError(copy.REPORT_NO_WORKSPACE.format(team=escape(team_id)))
        return workspace
    workspaces = session.scalars(select(Workspace).order_by(Workspace.id).limit(2)).all()
    if len(workspaces) != 1:
        raise UserFacingError(copy.REPORT_WHICH_WORKSPACE)
    return workspaces[0]


def _program(
    session: Session, workspace: Workspace, name: str | None, program_id: int | None = None
) -> Program:
    # Scoped to the workspace, so a button's id cannot reach another team's program.
    query = select(Program).where(Program.workspace_id == workspace.id)
    if program_id is not None:
        query = query.where(Program.id == program_id)
    elif name:
        query = query.where(func.lower(Program.name) == name.strip().lower())
    else:
        query = query.where(Program.is_default.is_(True))
    program = session.scalars(query).one_or_none()
    if program is None:
        names = session.scalars(
            select(Program.name).where(Program.workspace_id == workspace.id).order_by(Program.name)
        ).all()
        raise UserFacingError(
            copy.PROGRAM_NOT_FOUND.format(
                name=escape((name or "")[:80]), names=", ".join(escape(n) for n in names)
            )
        )
    return program


def _delivered(now: datetime) -> ColumnElement[bool]:
    """A prompt week whose prompt has landed and reached Slack. The week keeps that
    fact itself: its outbox row is pruned after the retention period."""
    return and_(PairWeek.slot_at <= now, PairWeek.delivered_at.is_not(None))


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _week_start(session: Session, column: ColumnElement[datetime]) -> ColumnElement[date]:
    """The Monday (UTC) of the week a timestamp falls in, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", func.timezone("UTC", column)), Date)
    # SQLite keeps UTC as text; 'weekday 0' moves to the next Sunday (or stays on one).
    return func.date(column, "weekday 0", "-6 days")


class _Reader:
    """The queries of one report, in one session (one consistent read on Postgres)."""

    def __init__(self, session: Session, workspace: Workspace, program: Program, now: datetime):
        self.session = session
        self.workspace = workspace
        self.program = program
        self.now = now

    def report(self, *, detail: bool) -> Report:
        pairs = self._pairs()
        by_id = {p.id: p for p in pairs}
        low_rated = self._low_rated()
        at_risk = self._at_risk(pairs, low_rated)
        waitlist = self._waitlist()
        skills = self._skills()
        return Report(
            team_id=self.workspace.slack_team_id,
            program_id=self.program.id,
            program_name=self.program.name,
            start_date=self.program.start_date,
            length_weeks=self.program.length_weeks,
            generated_at=self.now,
            funnel=self._funnel(pairs),
            pairs=_pair_counts(pairs, at_risk),
            at_risk=at_risk,
            engagement=self._engagement(pairs),
            skills=skills,
            waitlist=waitlist,
            recognition=self._recognition(),
            weekly=self._weekly(),
            shared_comments=self._shared_comments(),
            rows=self._rows(by_id, at_risk, waitlist) if detail else (),
            outcomes=read_outcomes(
                self.session, self.program.id, self.now, {s.slug: s.name for s in skills}
            ),
        )

    # --- pairs ---------------------------------------------------------------------

    def _pairs(self) -> list[_PairStats]:
        """Every pair of the program with its prompt weeks folded into one row."""
        delivered = _delivered(self.now)
        session_outcome = PairWeek.outcome.in_(("met", "async"))
        weeks = (
            select(
                PairWeek.pair_id.label("pair_id"),
                count_if(delivered).label("delivered"),
                count_if(and_(delivered, PairWeek.outcome.is_not(None))).label("engaged"),
                count_if(PairWeek.outcome == "met").label("live"),
                count_if(PairWeek.outcome == "async").label("async_"),
                count_if(PairWeek.outcome == "skipped").label("skipped"),
                func.max(case((session_outcome, PairWeek.engaged_at))).label("last_session"),
                func.min(case((PairWeek.slot_at <= self.now, PairWeek.slot_at))).label("first"),
            )
            .join(Pair, PairWeek.pair_id == Pair.id)
            .where(Pair.program_id == self.program.id)
            .group_by(PairWeek.pair_id)
        )
        weeks = weeks.subquery()
        mentor, mentee = MENTOR, MENTEE
        rows = self.session.execute(
            select(
                Pair.id,
                Pair.status,
                Pair.mentor_id,
                Pair.mentee_id,
                mentor.slack_user_id,
                mentee.slack_user_id,
                Pair.channel_id,
                Pair.created_at,
                Pair.ended_at,
                Pair.recognized_at,
                Pair.at_risk_reason,
                Pair.at_risk_since,
                Pair.lead_nudged_at,
                func.coalesce(weeks.c.delivered, 0),
                func.coalesce(weeks.c.engaged, 0),
                func.coalesce(weeks.c.live, 0),
                func.coalesce(weeks.c.async_, 0),
                func.coalesce(weeks.c.skipped, 0),
                weeks.c.last_session,
                weeks.c.first,
            )
            .select_from(Pair)
            .join(mentor, Pair.mentor_id == mentor.id)
            .join(mentee, Pair.mentee_id == mentee.id)
            .outerjoin(weeks, weeks.c.pair_id == Pair.id)
            .where(Pair.program_id == self.program.id)
            .order_by(Pair.id)
        ).all()
        return [_PairStats(*row) for row in rows]

    def _low_rated(self) -> set[int]:
        """Active pairs where someone gave a low rating in the last four weeks."""
        return set(
            self.session.scalars(
                select(CheckIn.pair_id)
                .distinct()
                .join(Pair, CheckIn.pair_id == Pair.id)
                .where(
                    Pair.program_id == self.program.id,
                    Pair.status == PairStatus.ACTIVE,
                    CheckIn.rating <= LOW_RATING,
                    CheckIn.answered_at >= self.now - LOW_RATING_WINDOW,
                )
            )
        )

    def _at_risk(self, pairs: list[_PairStats], low_rated: set[int]) -> tuple[AtRiskPair, ...]:
        threshold = idle_weeks_threshold(self.program.session_every_weeks)
        found = []
        for pair in pairs:
            if pair.status != PairStatus.ACTIVE:
                continue
            reasons = set()
            detail = None
            with contextlib.suppress(ValueError):  # nothing stored, or a reason it cannot show
                stored, detail = parse_at_risk_reason(pair.at_risk_reason or "")
                reasons.add(RiskReason(stored))
            if pair.id in low_rated:
                reasons.add(RiskReason.LOW_RATING)
            idle_since = pair.last_session_at or pair.first_prompt_at
            idle = (self.now - idle_since).days // 7 if idle_since else None
            if idle is not None and idle >= threshold:
                reasons.add(RiskReason.NO_ACTIVITY)
            if reasons:
                found.append(
                    AtRiskPair(
                        pair_id=pair.id,
                        mentor_user=pair.mentor_user,
                        mentee_user=pair.mentee_user,
                        channel_id=pair.channel_id,
                        reasons=tuple(r for r in _RISK_ORDER if r in reasons),
                        idle_weeks=idle,
                        detail=detail,
                        since=pair.at_risk_since,
                        nudged_at=pair.lead_nudged_at,
                    )
                )
        found.sort(key=lambda a: (_RISK_ORDER.index(a.reasons[0]), -(a.idle_weeks or 0), a.pair_id))
        return tuple(found)

    # --- people ----------------------------------------------------------------------

    def _funnel(self, pairs: list[_PairStats]) -> tuple[FunnelStage, ...]:
        """People by role at each stage; a person counts once, at their best pair."""
        joined = dict(
            self.session.execute(
                select(Person.role, func.count())
                .where(Person.program_id == self.program.id)
                .group_by(Person.role)
            ).all()
        )
        reached: dict[Stage, dict[str, set[int]]] = {
            stage: {Role.MENTOR: set(), Role.MENTEE: set()} for stage in Stage
        }
        for pair in pairs:
            stages = [Stage.MATCHED]
            if pair.sessions >= 1:
                stages.append(Stage.FIRST_SESSION)
            if pair.sessions >= ENGAGED_SESSIONS:
                stages.append(Stage.THREE_SESSIONS)
            if pair.completed:
                stages.append(Stage.COMPLETED)
            for stage in stages:
                reached[stage][Role.MENTOR].add(pair.mentor_id)
                reached[stage][Role.MENTEE].add(pair.mentee_id)
        funnel = [
            FunnelStage(
                Stage.JOINED,
                # Someone who moved to another program since still joined this one.
                max(joined.get(Role.MENTOR, 0), len(reached[Stage.MATCHED][Role.MENTOR])),
                max(joined.get(Role.MENTEE, 0), len(reached[Stage.MATCHED][Role.MENTEE])),
            )
        ]
        funnel += [
            FunnelStage(stage, len(reached[stage][Role.MENTOR]), len(reached[stage][Role.MENTEE]))
            for stage in Stage
            if stage != Stage.JOINED
        ]
        return tuple(funnel)

    def _waitlist(self) -> tuple[WaitingPerson, ...]:
        """Active people with no active pair who are not done with the program, and why
        the last confirmed round left them waiting (or that it came before they joined)."""
        last_round = (
            select(MatchRound.id)
            .where(
                MatchRound.program_id == self.program.id,
                MatchRound.status == RoundStatus.CONFIRMED,
            )
            .order_by(MatchRound.confirmed_at.desc(), MatchRound.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        # Uncorrelated id lists, each read once: an OR inside a correlated EXISTS made
        # SQLite scan every active pair for every person (2.5 s at 10,000 people).
        in_active_pair = union_all(
            select(Pair.mentor_id).where(Pair.status == PairStatus.ACTIVE),
            select(Pair.mentee_id).where(Pair.status == PairStatus.ACTIVE),
        )
        completed = union_all(
            select(Pair.mentor_id).where(
                Pair.program_id == self.program.id, Pair.recognized_at.is_not(None)
            ),
            select(Pair.mentee_id).where(
                Pair.program_id == self.program.id, Pair.recognized_at.is_not(None)
            ),
        )
        rows = self.session.execute(
            select(
                Person.slack_user_id,
                Person.role,
                MatchWaiting.reason,
                func.coalesce(MatchRound.confirmed_at, Person.joined_at),
            )
            .select_from(Person)
            .outerjoin(
                MatchWaiting,
                and_(MatchWaiting.person_id == Person.id, MatchWaiting.round_id == last_round),
            )
            .outerjoin(MatchRound, MatchRound.id == MatchWaiting.round_id)
            .where(
                Person.program_id == self.program.id,
                Person.status == PersonStatus.ACTIVE,
                Person.id.not_in(in_active_pair),  # NOT IN is safe: the ids are NOT NULL
                # Someone who completed a pair is an alumnus, not waiting, unless the
                # last round tried to match them again.
                or_(MatchWaiting.id.is_not(None), Person.id.not_in(completed)),
            )
            .order_by(Person.joined_at, Person.id)
        ).all()
        return tuple(
            WaitingPerson(user, role, reason or NOT_MATCHED_YET, since)
            for user, role, reason, since in rows
        )

    def _skills(self) -> tuple[SkillBalance, ...]:
        counts = self.session.execute(
            select(PersonSkill.skill_id, PersonSkill.direction, func.count())
            .select_from(PersonSkill)
            .join(Person, PersonSkill.person_id == Person.id)
            .where(Person.program_id == self.program.id, Person.status == PersonStatus.ACTIVE)
            .where(
                or_(
                    and_(
                        Person.role == Role.MENTEE,
                        PersonSkill.direction == SkillDirection.LEARN,
                    ),
                    and_(
                        Person.role == Role.MENTOR,
                        PersonSkill.direction == SkillDirection.TEACH,
                    ),
                )
            )
            .group_by(PersonSkill.skill_id, PersonSkill.direction)
        ).all()
        by = {(skill_id, direction): n for skill_id, direction, n in counts}
        focus = {s.id for s in self.program.focus_skills}
        skills = self.session.scalars(
            select(Skill)
            .where(or_(Skill.workspace_id.is_(None), Skill.workspace_id == self.workspace.id))
            .order_by(Skill.position, Skill.id)
        ).all()
        capacity = self.program.mentor_capacity
        return tuple(
            SkillBalance(
                slug=s.slug,
                name=s.name,
                wanted=by.get((s.id, SkillDirection.LEARN), 0),
                offered=by.get((s.id, SkillDirection.TEACH), 0),
                capacity=by.get((s.id, SkillDirection.TEACH), 0) * capacity,
                focus=s.id in focus,
            )
            for s in skills
        )

    # --- activity --------------------------------------------------------------------

    def _engagement(self, pairs: list[_PairStats]) -> Engagement:
        rows = self.session.execute(
            select(
                Person.role,
                func.count(),
                func.count(CheckIn.answered_at),
                func.count(distinct(CheckIn.person_id)),
                func.avg(CheckIn.rating),
                func.count(distinct(case((CheckIn.rating.is_not(None), CheckIn.person_id)))),
            )
            .select_from(CheckIn)
            .join(Pair, CheckIn.pair_id == Pair.id)
            .join(Person, CheckIn.person_id == Person.id)
            .where(Pair.program_id == self.program.id, CheckIn.asked_at <= self.now)
            .group_by(Person.role)
        ).all()
        by_role = {row[0]: row[1:] for row in rows}
        asked = sum(r[0] for r in by_role.values())
        answered = sum(r[1] for r in by_role.values())
        people_asked = sum(r[2] for r in by_role.values())

        def rating(role: Role) -> tuple[float | None, int]:
            row = by_role.get(role)
            if row is None or row[3] is None:
                return None, 0
            return round(float(row[3]), 1), row[4]

        return Engagement(
            prompts_delivered=sum(p.delivered for p in pairs),
            prompts_engaged=sum(p.engaged for p in pairs),
            sessions_live=sum(p.live for p in pairs),
            sessions_async=sum(p.async_ for p in pairs),
            weeks_skipped=sum(p.skipped for p in pairs),
            checkins_asked=asked,
            checkins_answered=answered,
            response_rate=aggregate(answered / asked if asked else None, people_asked),
            rating_mentors=aggregate(*rating(Role.MENTOR)),
            rating_mentees=aggregate(*rating(Role.MENTEE)),
        )

    def _weekly(self) -> tuple[WeekActivity, ...]:
        """Calendar weeks of the last year, oldest first, empty weeks included."""
        this_monday = self.now.date() - timedelta(days=self.now.weekday())
        first_monday = this_monday - timedelta(weeks=WEEKS_SHOWN - 1)
        start = datetime.combine(first_monday, datetime.min.time(), self.now.tzinfo)
        week = _week_start(self.session, PairWeek.slot_at).label("week")
        rows = self.session.execute(
            select(
                week,
                count_if(_delivered(self.now)),
                count_if(PairWeek.outcome == "met"),
                count_if(PairWeek.outcome == "async"),
                count_if(PairWeek.outcome == "skipped"),
            )
            .select_from(PairWeek)
            .join(Pair, PairWeek.pair_id == Pair.id)
            .where(
                Pair.program_id == self.program.id,
                PairWeek.slot_at >= start,
                PairWeek.slot_at <= self.now,
            )
            .group_by(week)
        ).all()
        by_week = {_as_date(w): (n, live, async_, skipped) for w, n, live, async_, skipped in rows}
        if not by_week:
            return ()
        # From the first week with activity (a young program's chart starts at its start).
        first = max(first_monday, min(by_week))
        weeks = []
        monday = first
        while monday <= this_monday:
            n, live, async_, skipped = by_week.get(monday, (0, 0, 0, 0))
            weeks.append(WeekActivity(monday, int(n), int(live), int(async_), int(skipped)))
            monday += timedelta(weeks=1)
        return tuple(weeks)

    def _recognition(self) -> Recognition:
        thanked, shoutouts = self.session.execute(
            select(func.count(Pair.thanks_sent_at), func.count(Pair.shoutout_sent_at)).where(
                Pair.program_id == self.program.id, Pair.recognized_at.is_not(None)
            )
        ).one()
        return Recognition(thanked=thanked or 0, shoutouts=shoutouts or 0)

    def _shared_comments(self) -> tuple[SharedComment, ...]:
        rows = self.session.execute(
            select(
                Person.slack_user_id,
                Person.role,
                CheckIn.learned,
                CheckIn.blockers,
                CheckIn.answered_at,
            )
            .select_from(CheckIn)
            .join(Pair, CheckIn.pair_id == Pair.id)
            .join(Person, CheckIn.person_id == Person.id)
            .where(
                Pair.program_id == self.program.id,
                # Only what its author chose to share; everything else stays in the row.
                CheckIn.share_with_lead.is_(True),
                CheckIn.answered_at.is_not(None),
                or_(CheckIn.learned.is_not(None), CheckIn.blockers.is_not(None)),
            )
            .order_by(CheckIn.answered_at.desc(), CheckIn.id.desc())
            .limit(SHARED_COMMENTS)
        ).all()
        return tuple(SharedComment(*row) for row in rows)

    # --- the CSV's rows ----------------------------------------------------------------

    def _rows(
        self,
        pairs: dict[int, _PairStats],
        at_risk: Iterable[AtRiskPair],
        waitlist: Iterable[WaitingPerson],
    ) -> tuple[PersonRow, ...]:
        people = self.session.execute(
            select(
                Person.id,
                Person.slack_user_id,
                Person.role,
                Person.status,
                Person.department,
                Person.title,
                Person.email,
                Person.joined_at,
            )
            .where(
                or_(
                    Person.program_id == self.program.id,
                    Person.id.in_(select(Pair.mentor_id).where(Pair.program_id == self.program.id)),
                    Person.id.in_(select(Pair.mentee_id).where(Pair.program_id == self.program.id)),
                )
            )
            .order_by(Person.role, Person.joined_at, Person.id)
        ).all()
        checkins: dict[tuple[int, int], tuple[int, int]] = {
            (pair_id, person_id): (asked, answered)
            for pair_id, person_id, asked, answered in self.session.execute(
                select(
                    CheckIn.pair_id,
                    CheckIn.person_id,
                    func.count(),
                    func.count(CheckIn.answered_at),
                )
                .select_from(CheckIn)
                .join(Pair, CheckIn.pair_id == Pair.id)
                .where(Pair.program_id == self.program.id, CheckIn.asked_at <= self.now)
                .group_by(CheckIn.pair_id, CheckIn.person_id)
            )
        }
        shared = read_commitments_shared(self.session, self.program.id)
        risk = {a.pair_id: "+".join(a.reasons) for a in at_risk}
        waiting = {w.user_id: w.reason for w in waitlist}
        pairs_of: dict[int, list[_PairStats]] = defaultdict(list)
        for pair in pairs.values():
            pairs_of[pair.mentor_id].append(pair)
            pairs_of[pair.mentee_id].append(pair)
        rows: list[PersonRow] = []
        for person_id, user, role, status, department, title, email, joined_at in people:
            base = PersonRow(
                user_id=user,
                role=role,
                status=status,
                department=department,
                title=title,
                email=email,
                joined_at=joined_at,
                waiting_reason=waiting.get(user),
                commitments_shared=shared.get(person_id, 0),
            )
            if not pairs_of[person_id]:
                rows.append(base)
                continue
            for pair in pairs_of[person_id]:
                asked, answered = checkins.get((pair.id, person_id), (0, 0))
                partner = pair.mentee_user if pair.mentor_id == person_id else pair.mentor_user
                rows.append(
                    PersonRow(
                        **{
                            **base.__dict__,
                            "pair_id": pair.id,
                            "partner_user": partner,
                            "pair_status": pair.status,
                            "pair_started": pair.created_at,
                            "pair_ended": pair.ended_at,
                            "prompts_delivered": pair.delivered,
                            "sessions_live": pair.live,
                            "sessions_async": pair.async_,
                            "weeks_skipped": pair.skipped,
                            "last_session_at": pair.last_session_at,
                            "at_risk": risk.get(pair.id),
                            "checkins_asked": asked,
                            "checkins_answered": answered,
                        }
                    )
                )
        return tuple(rows)


def _pair_counts(pairs: list[_PairStats], at_risk: tuple[AtRiskPair, ...]) -> PairCounts:
    active = sum(1 for p in pairs if p.status == PairStatus.ACTIVE)
    completed = sum(1 for p in pairs if p.status == PairStatus.ENDED and p.completed)
    ended = sum(1 for p in pairs if p.status == PairStatus.ENDED)
    return PairCounts(
        active=active,
        at_risk=len(at_risk),
        ended=ended,
        completed=completed,
        ended_early=ended - completed,
    )


def _as_date(value: date | datetime | str) -> date:
    """SQLite's date() gives text, Postgres a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


__all__ = ["NOT_MATCHED_YET", "ReportService", "idle_weeks_threshold"]
