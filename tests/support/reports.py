"""A program with a known history, written straight into the database, so report tests
can say exactly what the numbers must be."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox_keys
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.services.weekly.due import record_delivery_facts
from bot.vocabulary import OutboxKind
from models import (
    CheckIn,
    Commitment,
    CommitmentProgress,
    MatchRound,
    MatchWaiting,
    OutboundMessage,
    OutboxStatus,
    OutcomeSurvey,
    Pair,
    PairStatus,
    PairWeek,
    Person,
    PersonSkill,
    PersonStatus,
    Program,
    RoundStatus,
    SelfAssessment,
    SelfAssessmentScore,
    Skill,
)

# A Tuesday; the pairs' first prompts landed on Mondays before it.
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
FIRST_MONDAY = datetime(2027, 4, 19, 9, 0, tzinfo=UTC)


@dataclass
class Scenario:
    team: str
    program_id: int
    people: dict[str, int] = field(default_factory=dict)  # Slack id -> person id
    users: dict[str, str] = field(default_factory=dict)  # our name -> Slack id
    pairs: dict[str, int] = field(default_factory=dict)  # our name -> pair id


class ScenarioBuilder:
    def __init__(self, sessions: sessionmaker[Session], new_id: Callable[..., str]) -> None:
        self.sessions = sessions
        self.new_id = new_id
        team = new_id("T")
        with sessions.begin() as s:
            workspace = ensure_workspace(s, team, NOW - timedelta(days=90))
            program = ensure_default_program(s, workspace, NOW - timedelta(days=90))
            program.session_every_weeks = 2
            s.flush()
            self.workspace_id = workspace.id
            self.scenario = Scenario(team, program.id)
            self.skills = {k.slug: k.id for k in s.scalars(select(Skill))}

    def person(
        self,
        name: str,
        role: str,
        *,
        skills: Sequence[str] = (),
        status: PersonStatus = PersonStatus.ACTIVE,
        department: str | None = None,
        program_id: int | None = None,
    ) -> int:
        user = self.new_id()
        with self.sessions.begin() as s:
            person = Person(
                workspace_id=self.workspace_id,
                program_id=program_id or self.scenario.program_id,
                slack_user_id=user,
                role=role,
                status=status,
                department=department,
                tz="Europe/London",
                joined_at=NOW - timedelta(days=60),
                updated_at=NOW - timedelta(days=60),
            )
            person.skills = [
                PersonSkill(
                    skill_id=self.skills[slug],
                    direction="teach" if role == "mentor" else "learn",
                )
                for slug in skills
            ]
            s.add(person)
            s.flush()
            self.scenario.people[user] = person.id
            self.scenario.users[name] = user
            return person.id

    def pair(
        self,
        name: str,
        mentor: str,
        mentee: str,
        outcomes: Sequence[str | None],
        *,
        status: PairStatus = PairStatus.ACTIVE,
        recognized: bool = False,
        at_risk_reason: str | None = None,
        unsent_weeks: Sequence[int] = (),
        first: datetime = FIRST_MONDAY,
    ) -> int:
        """A pair whose week n prompt landed on ``first`` + n-1 weeks, with the outcome
        given for that week; weeks in ``unsent_weeks`` never reached Slack."""
        people = self.scenario.people
        with self.sessions.begin() as s:
            pair = Pair(
                program_id=self.scenario.program_id,
                mentor_id=people[self.scenario.users[mentor]],
                mentee_id=people[self.scenario.users[mentee]],
                status=status,
                channel_id=self.new_id("G"),
                intro_sent_at=first - timedelta(days=7),
                created_at=first - timedelta(days=7),
                ended_at=NOW - timedelta(days=1) if status == PairStatus.ENDED else None,
                recognized_at=NOW - timedelta(days=1) if recognized else None,
                at_risk_reason=at_risk_reason,
                at_risk_since=NOW - timedelta(days=10) if at_risk_reason else None,
            )
            s.add(pair)
            s.flush()
            prompts = []
            for index, outcome in enumerate(outcomes):
                week = index + 1
                slot = first + timedelta(weeks=index)
                key = outbox_keys.prompt(pair.id, week)
                s.add(
                    PairWeek(
                        pair_id=pair.id,
                        week=week,
                        prompt_id="kickoff-1",
                        slot_at=slot,
                        outbox_key=key,
                        outcome=outcome,
                        engaged_at=slot + timedelta(days=1) if outcome else None,
                    )
                )
                prompts.append(
                    self._outbox_row(
                        key, OutboxKind.PROMPT, slot, week not in unsent_weeks, pair.id
                    )
                )
            s.add_all(prompts)
            s.flush()
            _record_sent(s, prompts)
            self.scenario.pairs[name] = pair.id
            return pair.id

    def outbox(
        self,
        key: str,
        kind: OutboxKind,
        when: datetime,
        *,
        sent: bool = True,
        pair_id: int | None = None,
    ) -> None:
        with self.sessions.begin() as s:
            row = self._outbox_row(key, kind, when, sent, pair_id)
            s.add(row)
            s.flush()
            _record_sent(s, [row])

    def _outbox_row(
        self, key: str, kind: OutboxKind, when: datetime, sent: bool, pair_id: int | None
    ) -> OutboundMessage:
        return OutboundMessage(
            workspace_id=self.workspace_id,
            key=key,
            kind=kind,
            channel_id="C1",
            pair_id=pair_id,
            text="…",
            due_at=when,
            next_attempt_at=when,
            status=OutboxStatus.SENT if sent else OutboxStatus.PENDING,
            sent_at=when if sent else None,
            created_at=when,
        )

    def checkin(
        self,
        pair: str,
        who: str,
        number: int,
        *,
        rating: int | None = None,
        learned: str | None = None,
        blockers: str | None = None,
        share: bool = False,
        answered_days_ago: int = 3,
    ) -> None:
        with self.sessions.begin() as s:
            s.add(
                CheckIn(
                    pair_id=self.scenario.pairs[pair],
                    person_id=self.scenario.people[self.scenario.users[who]],
                    number=number,
                    week=number * 2,
                    asked_at=NOW - timedelta(days=answered_days_ago + 1),
                    met="met" if rating is not None else None,
                    rating=rating,
                    learned=learned,
                    blockers=blockers,
                    share_with_lead=share,
                    answered_at=(
                        NOW - timedelta(days=answered_days_ago) if rating is not None else None
                    ),
                )
            )

    def round_waiting(self, waiting: dict[str, str]) -> None:
        """A confirmed round that left these people waiting, for these reasons."""
        with self.sessions.begin() as s:
            round_ = MatchRound(
                program_id=self.scenario.program_id,
                status=RoundStatus.CONFIRMED,
                seed=1,
                created_at=NOW - timedelta(days=50),
                confirmed_at=NOW - timedelta(days=50),
            )
            s.add(round_)
            s.flush()
            for name, reason in waiting.items():
                s.add(
                    MatchWaiting(
                        round_id=round_.id,
                        person_id=self.scenario.people[self.scenario.users[name]],
                        reason=reason,
                    )
                )

    # --- outcomes: self-assessments, surveys, commitments ---------------------------

    def assessment(
        self,
        who: str,
        phase: str,
        scores: dict[str, int] | None = None,
        *,
        skipped: bool = False,
        asked_at: datetime = NOW - timedelta(days=20),
    ) -> int:
        """A self-assessment of ``who``: answered with ``scores``, skipped, or (neither)
        asked and not answered yet."""
        with self.sessions.begin() as s:
            row = SelfAssessment(
                program_id=self.scenario.program_id,
                person_id=self.scenario.people[self.scenario.users[who]],
                phase=phase,
                areas=list(scores or {}),
                asked_at=asked_at,
                closes_at=asked_at + timedelta(days=14),
                answered_at=asked_at + timedelta(hours=1) if scores else None,
                skipped_at=asked_at + timedelta(hours=1) if skipped else None,
            )
            s.add(row)
            s.flush()
            s.add_all(
                SelfAssessmentScore(assessment_id=row.id, area=area, score=score)
                for area, score in (scores or {}).items()
            )
            return row.id

    def survey(
        self,
        who: str,
        checkpoint: str,
        *,
        role: str,
        pair: str | None = None,
        answered: bool = True,
        skipped: bool = False,
        asked_at: datetime = NOW - timedelta(days=10),
        **signals: str,
    ) -> int:
        """An outcome survey of ``who`` at ``checkpoint``, with the signals given."""
        with self.sessions.begin() as s:
            row = OutcomeSurvey(
                program_id=self.scenario.program_id,
                person_id=self.scenario.people[self.scenario.users[who]],
                pair_id=self.scenario.pairs[pair] if pair else None,
                role=role,
                checkpoint=checkpoint,
                asks_signals=checkpoint != "day30",
                asked_at=asked_at,
                closes_at=asked_at + timedelta(days=14),
                answered_at=asked_at + timedelta(hours=2) if answered and not skipped else None,
                skipped_at=asked_at + timedelta(hours=2) if skipped else None,
                **signals,
            )
            s.add(row)
            s.flush()
            return row.id

    def commitment(
        self, who: str, survey_id: int, position: int, text: str, *, shared: bool = False
    ) -> int:
        with self.sessions.begin() as s:
            survey = s.get_one(OutcomeSurvey, survey_id)
            row = Commitment(
                program_id=self.scenario.program_id,
                person_id=self.scenario.people[self.scenario.users[who]],
                pair_id=survey.pair_id,
                survey_id=survey_id,
                position=position,
                text=text,
                shared=shared,
                created_at=survey.answered_at or survey.asked_at,
            )
            s.add(row)
            s.flush()
            return row.id

    def progress(
        self,
        commitment_id: int,
        survey_id: int,
        status: str,
        evidence: str | None = None,
    ) -> None:
        with self.sessions.begin() as s:
            survey = s.get_one(OutcomeSurvey, survey_id)
            s.add(
                CommitmentProgress(
                    commitment_id=commitment_id,
                    checkpoint=survey.checkpoint,
                    survey_id=survey_id,
                    status=status,
                    evidence=evidence,
                    answered_at=survey.answered_at or survey.asked_at,
                )
            )

    def set_status(self, who: str, status: PersonStatus) -> None:
        """``who`` pauses or leaves now (after whatever they answered)."""
        with self.sessions.begin() as s:
            person = s.get_one(Person, self.scenario.people[self.scenario.users[who]])
            person.status = status
            if status == PersonStatus.LEFT:
                person.left_at = NOW
            elif status == PersonStatus.PAUSED:
                person.paused_at = NOW

    def set_channel(self, pair: str, channel_id: str) -> None:
        with self.sessions.begin() as s:
            s.get_one(Pair, self.scenario.pairs[pair]).channel_id = channel_id

    def program(self, **values: object) -> None:
        with self.sessions.begin() as s:
            program = s.get_one(Program, self.scenario.program_id)
            for name, value in values.items():
                setattr(program, name, value)


def _record_sent(session: Session, rows: Sequence[OutboundMessage]) -> None:
    """What the sender writes when it marks rows sent (a prompt delivered, a thank-you
    out), by the sender's own code, for the rows added here as already sent."""
    sent = [row for row in rows if row.status == OutboxStatus.SENT]
    if sent:
        record_delivery_facts(session, sent, NOW)
