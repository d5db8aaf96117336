"""One hand-made :class:`Report` for the renderers' tests (Block Kit, App Home, CSV,
Markdown, JSON, the chart), so they all read the same program.

Tests change only what they pin: ``sample_report(program_name=...)``, or one of the
factories below with ``**changes``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.shapes.report import (
    AtRiskPair,
    Engagement,
    FunnelStage,
    Moment,
    Outcomes,
    PairCounts,
    Participation,
    PersonRow,
    Recognition,
    Report,
    RiskReason,
    RoleOutcomes,
    SharedComment,
    SharedCommitment,
    SignalRates,
    SkillBalance,
    Stage,
    WaitingPerson,
    WeekActivity,
    aggregate,
    commitment_counts,
    confidence_change,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
START = date(2026, 9, 7)
# What the sample's one shared comment says; the blockers need escaping everywhere.
LEARNED = "Learned how prompt chaining works"
BLOCKERS = "Our calendars | never line up <script>"
SHARED_COMMITMENT = "Ask <!here> & the team | for *feedback* monthly"


def at_risk_pair(pair_id: int, *reasons: RiskReason, **changes: object) -> AtRiskPair:
    """Pair ``pair_id`` of UMENTOR<id> and UMENTEE<id>, idle for three weeks."""
    pair = AtRiskPair(
        pair_id=pair_id,
        mentor_user=f"UMENTOR{pair_id}",
        mentee_user=f"UMENTEE{pair_id}",
        channel_id=f"CPAIR{pair_id}",
        reasons=reasons or (RiskReason.NO_ACTIVITY,),
        idle_weeks=3,
        detail=None,
        since=NOW - timedelta(weeks=2),
        nudged_at=None,
    )
    return replace(pair, **changes)


def shared_comment(
    n: int, learned: str | None = "Prompting", blockers: str | None = None, **changes: object
) -> SharedComment:
    """Comment ``n`` is ``n`` days old; odd ones come from a mentor, even ones a mentee."""
    comment = SharedComment(
        author_user=f"UAUTHOR{n}",
        role="mentor" if n % 2 else "mentee",
        learned=learned,
        blockers=blockers,
        answered_at=NOW - timedelta(days=n),
    )
    return replace(comment, **changes)


def waiting_person(user_id: str, **changes: object) -> WaitingPerson:
    person = WaitingPerson(user_id, role="mentee", reason="no_skill_fit", since=NOW)
    return replace(person, **changes)


def person_row(user_id: str, **changes: object) -> PersonRow:
    """A CSV line for an active, unmatched mentor; pass the pair's columns to match them."""
    row = PersonRow(
        user_id=user_id,
        role="mentor",
        status="active",
        department="Data",
        title="Analyst",
        email=f"{user_id.lower()}@example.com",
        joined_at=datetime(2026, 9, 1, 10, 0, tzinfo=UTC),
        waiting_reason=None,
    )
    return replace(row, **changes)


def sample_report(**changes: object) -> Report:
    """A twelve-week program eleven weeks in, with something in every section."""
    weeks = tuple(
        WeekActivity(START + timedelta(weeks=i), 3, i % 2 + 1, 1, int(i % 3 == 0))
        for i in range(11)
    )
    pair = at_risk_pair(12, RiskReason.NO_ACTIVITY, RiskReason.SENIOR_SKIPPING)
    report = Report(
        team_id="T0REPORT1",
        program_id=7,
        program_name="Autumn cohort",
        start_date=START,
        length_weeks=12,
        generated_at=NOW,
        funnel=(
            FunnelStage(Stage.JOINED, 10, 8),
            FunnelStage(Stage.MATCHED, 8, 8),
            FunnelStage(Stage.FIRST_SESSION, 6, 6),
            FunnelStage(Stage.THREE_SESSIONS, 4, 4),
            FunnelStage(Stage.COMPLETED, 0, 0),
        ),
        pairs=PairCounts(active=7, at_risk=1, ended=1, completed=0, ended_early=1),
        at_risk=(pair,),
        engagement=Engagement(
            prompts_delivered=40,
            prompts_engaged=30,
            sessions_live=12,
            sessions_async=9,
            weeks_skipped=4,
            checkins_asked=20,
            checkins_answered=16,
            response_rate=aggregate(0.8, 16),
            rating_mentors=aggregate(4.3, 7),
            rating_mentees=aggregate(3.9, 6),
        ),
        skills=(
            SkillBalance("ai-tools", "AI and new tools", 6, 2, 4, focus=True),
            SkillBalance("data-analytics", "Data", 2, 3, 6, focus=False),
        ),
        waitlist=(waiting_person("UWAIT1", role="mentor"),),
        recognition=Recognition(thanked=2, shoutouts=1),
        weekly=weeks,
        shared_comments=(shared_comment(2, LEARNED, BLOCKERS),),
        rows=(
            person_row(
                pair.mentor_user,
                pair_id=pair.pair_id,
                partner_user=pair.mentee_user,
                pair_status="active",
                pair_started=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
                prompts_delivered=11,
                sessions_live=5,
                sessions_async=2,
                weeks_skipped=2,
                last_session_at=datetime(2026, 10, 30, 15, 0, tzinfo=UTC),
                at_risk="no_activity+senior_skipping",
                checkins_asked=5,
                checkins_answered=4,
            ),
            person_row(
                pair.mentee_user,
                role="mentee",
                title="CFO",
                pair_id=pair.pair_id,
                partner_user=pair.mentor_user,
                pair_status="active",
            ),
            person_row("UWAIT1", waiting_reason="no_skill_fit"),
        ),
    )
    return replace(report, **changes)


def empty_report(**changes: object) -> Report:
    """The sample program before anybody has joined it."""
    report = sample_report(
        start_date=None,
        funnel=tuple(FunnelStage(stage, 0, 0) for stage in Stage),
        pairs=PairCounts(0, 0, 0, 0, 0),
        at_risk=(),
        engagement=Engagement(0, 0, 0, 0, 0, 0, 0, *(aggregate(None, 0),) * 3),
        skills=(),
        waitlist=(),
        recognition=Recognition(0, 0),
        weekly=(),
        shared_comments=(),
        rows=(),
    )
    return replace(report, **changes)


def sample_outcomes(**changes: object) -> Outcomes:
    """After the sample program: juniors' and seniors' confidence, signals at the end,
    the seniors' commitments, and one shared commitment that needs escaping."""
    mentors = RoleOutcomes(
        role="mentor",
        participation=(
            Participation(Moment.BEFORE, "mentor", 10, 9, 1),
            Participation(Moment.AFTER, "mentor", 8, 7, 0),
            Participation(Moment.END, "mentor", 8, 6, 1),
        ),
        overall=confidence_change("", "All areas", "mentor", people=7, before=2.4, after=3.8),
        confidence=(
            confidence_change(
                "running_a_session", "Running a session", "mentor", people=7, before=2, after=4
            ),
            confidence_change(
                "ai-tools", "AI and new tools", "mentor", people=5, before=3.2, after=3.6
            ),
            confidence_change("data-analytics", "Data", "mentor", people=2, before=1, after=5),
        ),
        signals=(
            SignalRates(
                Moment.END,
                "mentor",
                would_again=aggregate(5 / 6, 6),
                recommend=aggregate(4 / 6, 6),
                sponsored=aggregate(0.5, 6),
            ),
        ),
    )
    mentees = RoleOutcomes(
        role="mentee",
        participation=(Participation(Moment.BEFORE, "mentee", 8, 2, 0),),
        overall=confidence_change("", "All areas", "mentee", people=2, before=2, after=4),
        confidence=(),
        signals=(),
    )
    outcomes = Outcomes(
        roles=(mentors, mentees),
        commitments=commitment_counts(
            4, made=9, kept=3, in_progress=2, dropped=1, no_answer=3, shared=1
        ),
        shared_commitments=(SharedCommitment("UMENTEE12", SHARED_COMMITMENT, NOW),),
    )
    return replace(outcomes, **changes)
