"""Planning the week's prompts in batches: a few statements per batch, with the same
rows as planning pair by pair, whatever another run-due did meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import outbox_keys
from bot.services.matching.pairs import running_pairs, shared_skills
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.services.weekly import planner as planner_module
from bot.services.weekly.planner import WeeklyPrompts
from bot.services.weekly.prompts import load_library
from models import OutboundMessage, Pair, PairWeek, Person, PersonSkill, Skill

CREATED = datetime(2027, 2, 22, 12, tzinfo=UTC)  # a Monday: week 1 starts on 1 March
WEEK1_PLAN = datetime(2027, 2, 28, 12, tzinfo=UTC)  # a day before week 1's slots
TEAM = "TPLANNER"


def seed(sessions, skills: list[tuple[list[str], list[str]]]) -> list[int]:
    """One introduced pair per (mentor teaches, mentee learns) entry; their pair ids."""
    with sessions.begin() as session:
        workspace = ensure_workspace(session, TEAM, CREATED)
        program = ensure_default_program(session, workspace, CREATED)
        by_slug = {s.slug: s for s in session.scalars(select(Skill))}
        pair_ids = []
        for n, (teaches, learns) in enumerate(skills):
            people = []
            for role, slugs, direction in (
                ("mentor", teaches, "teach"),
                ("mentee", learns, "learn"),
            ):
                person = Person(
                    workspace_id=workspace.id,
                    program_id=program.id,
                    slack_user_id=f"U{role.upper()}{n:05d}",
                    role=role,
                    status="active",
                    tz="Europe/London",
                    joined_at=CREATED,
                    updated_at=CREATED,
                )
                person.skills = [
                    PersonSkill(skill_id=by_slug[slug].id, direction=direction) for slug in slugs
                ]
                session.add(person)
                people.append(person)
            session.flush()
            pair = Pair(
                program_id=program.id,
                mentor_id=people[0].id,
                mentee_id=people[1].id,
                status="active",
                score=1.0,
                reasons=[],
                channel_id=f"G{n:09d}",
                intro_sent_at=CREATED,
                learning_goals=[],
                growth_goals=[],
                created_at=CREATED,
            )
            session.add(pair)
            session.flush()
            pair_ids.append(pair.id)
        return pair_ids


def prompt_rows(sessions) -> dict[str, OutboundMessage]:
    with sessions() as session:
        return {m.key: m for m in session.scalars(select(OutboundMessage))}


def test_a_week_another_run_due_planned_meanwhile_is_left_to_it(own_sessions, monkeypatch):
    pairs = seed(own_sessions, [(["ai-tools"], ["ai-tools"])] * 3)
    weekly = WeeklyPrompts(own_sessions)
    stale = weekly._weeks_to_plan(WEEK1_PLAN)
    assert [w.pair.pair_id for w in stale[0]] == pairs
    # Between this run's read and its write, another run plans the second pair's week.
    assert WeeklyPrompts(own_sessions).plan(WEEK1_PLAN).planned == 3
    with own_sessions.begin() as session:
        for table in (OutboundMessage, PairWeek):
            for row in session.scalars(select(table)):
                if row.pair_id != pairs[1]:
                    session.delete(row)
    before = prompt_rows(own_sessions)[outbox_keys.prompt(pairs[1], 1)]
    monkeypatch.setattr(weekly, "_weeks_to_plan", lambda now: stale)

    report = weekly.plan(WEEK1_PLAN)

    assert report.planned == 2
    rows = prompt_rows(own_sessions)
    assert set(rows) == {outbox_keys.prompt(pair_id, 1) for pair_id in pairs}
    assert rows[outbox_keys.prompt(pairs[1], 1)].id == before.id
    with own_sessions() as session:
        weeks = session.execute(select(PairWeek.pair_id, PairWeek.week)).all()
    assert sorted(weeks) == sorted((pair_id, 1) for pair_id in pairs)


def test_two_weeks_due_at_once_get_different_prompts(own_sessions):
    """After a tick-less week, weeks 2 and 3 (both topic weeks, one shared skill) are
    planned in one batch: the second must see the first's prompt as used."""
    [pair_id] = seed(own_sessions, [(["ai-tools"], ["ai-tools"])])
    weekly = WeeklyPrompts(own_sessions)
    assert weekly.plan(WEEK1_PLAN).planned == 1
    late = WEEK1_PLAN + timedelta(weeks=2)  # week 2's slot has passed, week 3's is near

    assert weekly.plan(late).planned == 2
    assert weekly.plan(late).planned == 0  # planning again plans nothing new

    with own_sessions() as session:
        prompts = dict(
            session.execute(
                select(PairWeek.week, PairWeek.prompt_id).where(PairWeek.pair_id == pair_id)
            ).all()
        )
    assert set(prompts) == {1, 2, 3}
    assert len(set(prompts.values())) == 3
    library = load_library()
    assert library.by_id(prompts[2]).skill == library.by_id(prompts[3]).skill == "ai-tools"


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_the_batch_size_changes_nothing_but_the_statements(own_sessions, monkeypatch, batch):
    pairs = seed(
        own_sessions,
        [
            (["ai-tools", "data-analytics"], ["data-analytics", "ai-tools"]),
            (["social-media"], ["ai-tools"]),
            ([], []),
        ],
    )
    monkeypatch.setattr(planner_module, "BATCH", batch)
    assert WeeklyPrompts(own_sessions).plan(WEEK1_PLAN).planned == 3
    assert WeeklyPrompts(own_sessions).plan(WEEK1_PLAN + timedelta(weeks=1)).planned == 3
    rows = prompt_rows(own_sessions)
    with own_sessions() as session:
        weeks = {(w.pair_id, w.week): w for w in session.scalars(select(PairWeek))}
    assert set(rows) == {outbox_keys.prompt(p, w) for p in pairs for w in (1, 2)}
    for (pair_id, week), row in weeks.items():
        message = rows[row.outbox_key]
        assert message.pair_id == pair_id
        assert message.due_at == row.slot_at
        assert {b["value"] for b in message.blocks[-1]["elements"]} == {str(row.id)}
        assert f"Week {week}" in message.text


def test_a_batchs_shared_skills_are_each_pairs_shared_skills(own_sessions):
    skills = [
        (["ai-tools", "data-analytics", "social-media"], ["social-media", "ai-tools"]),
        (["design-thinking"], ["ai-tools"]),
        ([], ["ai-tools"]),
        (["ways-of-working", "culture-inclusion"], ["culture-inclusion", "ways-of-working"]),
    ]
    seed(own_sessions, skills)
    todo, _ = WeeklyPrompts(own_sessions)._weeks_to_plan(WEEK1_PLAN)
    with own_sessions() as session:
        batched = planner_module._shared_skills(session, todo)
        one_by_one = {
            w.pair.pair_id: shared_skills(session, session.get_one(Pair, w.pair.pair_id))
            for w in todo
        }
    assert batched == one_by_one
    assert [batched[w.pair.pair_id] for w in todo][:3] == [
        ["ai-tools", "social-media"],
        [],
        [],
    ]


def test_the_planners_read_finds_exactly_the_running_pairs(own_sessions):
    """The planner reads only the columns it needs, with its own copy of what running
    means (bot.services.matching.pairs.running_pairs): the two must agree."""
    pairs = seed(own_sessions, [(["ai-tools"], ["ai-tools"])] * 4)
    with own_sessions.begin() as session:
        session.get_one(Pair, pairs[1]).status = "ended"
        session.get_one(Pair, pairs[2]).channel_id = None
        session.get_one(Pair, pairs[3]).intro_sent_at = None
    with own_sessions() as session:
        lean = session.execute(planner_module._running_pairs_read()).all()
        full = running_pairs(session)
        assert [row.pair.id for row in lean] == [row.Pair.id for row in full] == [pairs[0]]
        for (pair, program, mentor, mentee), (pair_o, program_o, mentor_o, mentee_o) in zip(
            lean, full, strict=True
        ):
            assert (pair.created_at, pair.channel_id) == (pair_o.created_at, pair_o.channel_id)
            assert program.length_weeks == program_o.length_weeks
            for row, person in ((mentor, mentor_o), (mentee, mentee_o)):
                assert (row.slack_user_id, row.tz, row.status) == (
                    person.slack_user_id,
                    person.tz,
                    person.status,
                )
