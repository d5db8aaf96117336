"""A whole matching round through the database, as `/mentor match` runs it.

    .venv/bin/python -m bench.match_round [--sizes 1000,10000] [--database-url URL]

Seeds a fresh database (SQLite in a temp dir unless --database-url is given, e.g.
postgresql://postgres@127.0.0.1:5432/test) with N participants, half mentors and half
mentees with skills, departments, time zones and seniority, then times:

- the baseline: the pure matcher alone on the same participants (bot.services.matching.matcher);
- preview: load the program, build the matcher input, match, store the proposals;
- confirm: turn the preview into pairs.

Prints seconds and the ratio of each step to the baseline.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bench.matching import DEPARTMENTS
from bot.db import make_engine, make_session_factory, migrate
from bot.services.matching.matcher import MatchConfig, match
from bot.services.matching.rounds import PairingService, _eligible, _participant
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.services.programs.settings import ProgramService, settings_of
from models import (
    Person,
    PersonSkill,
    PersonStatus,
    Program,
    Role,
    Skill,
    SkillDirection,
    Workspace,
)

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Singapore",
)


class Clock:
    def now(self) -> datetime:
        return NOW


def seed(url: str, team: str, n: int, rng: random.Random) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        workspace = ensure_workspace(session, team, NOW)
        program = ensure_default_program(session, workspace, NOW)
        skills = [s.id for s in session.scalars(select(Skill).where(Skill.workspace_id.is_(None)))]
        rows = []
        for i in range(n):
            role = Role.MENTOR if i % 2 == 0 else Role.MENTEE
            rows.append(
                {
                    "workspace_id": workspace.id,
                    "program_id": program.id,
                    "slack_user_id": f"U{i:08d}",
                    "role": role,
                    "status": PersonStatus.ACTIVE,
                    "department": rng.choice(DEPARTMENTS),
                    "seniority": rng.choice((1, 1, 2))
                    if role == Role.MENTOR
                    else rng.choice((3, 4, 5)),
                    "tz": rng.choice(ZONES),
                    "window_start_hour": 9,
                    "window_end_hour": 17,
                    "prefers_async": rng.random() < 0.1,
                    "joined_at": NOW,
                    "updated_at": NOW,
                }
            )
        session.execute(insert(Person), rows)
        ids = session.execute(
            select(Person.id, Person.role).where(Person.program_id == program.id)
        ).all()
        skill_rows = []
        for person_id, role in ids:
            direction = SkillDirection.TEACH if role == Role.MENTOR else SkillDirection.LEARN
            for skill_id in rng.sample(skills, rng.randint(1, 3)):
                skill_rows.append(
                    {"person_id": person_id, "skill_id": skill_id, "direction": direction}
                )
        session.execute(insert(PersonSkill), skill_rows)
    engine.dispose()


def run(url: str, n: int) -> None:
    team = f"T{uuid.uuid4().hex[:10].upper()}"
    started = time.perf_counter()
    seed(url, team, n, random.Random(n))
    seeded = time.perf_counter() - started
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    programs = ProgramService(sessions, Clock())
    pairing = PairingService(sessions, Clock(), programs, new_seed=lambda: 1)

    # Baseline: the matcher alone, on exactly what the service would give it.
    with sessions() as session:
        settings = settings_of(programs_default(session, team))
        people, _, _ = _eligible(session, settings, NOW)
        participants = [_participant(p, frozenset()) for p in people]
    started = time.perf_counter()
    result = match(participants, (), MatchConfig(seed=1, today=NOW.date()))
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    preview = pairing.preview(team, "ULEAD")
    previewed = time.perf_counter() - started
    started = time.perf_counter()
    confirmed = pairing.confirm(team, "ULEAD", preview.round_id)
    confirm_time = time.perf_counter() - started
    engine.dispose()
    assert len(preview.pairs) == len(result.pairs), "service and matcher disagree"
    print(
        f"| {n:,} | {seeded:.2f} | {baseline:.2f} | {previewed:.2f} | ×{previewed / baseline:.1f}"
        f" | {confirm_time:.2f} | {confirmed.pairs_created:,} |"
    )


def programs_default(session: Session, team: str) -> Program:
    return session.scalars(
        select(Program)
        .join(Workspace, Program.workspace_id == Workspace.id)
        .where(Workspace.slack_team_id == team, Program.is_default.is_(True))
    ).one()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    if url.startswith("postgresql"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    migrate(url, "head")
    print(f"database: {url.split('://')[0]}")
    print(
        "| participants | seed s | matcher alone s (baseline) | preview s | preview vs baseline "
        "| confirm s | pairs |"
    )
    print("|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        run(url, n)


if __name__ == "__main__":
    main()
