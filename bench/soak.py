"""The soak: a whole program for 2,000 people in fast virtual time, on Postgres, with two
replicas of the app sharing the work while Slack misbehaves and replicas die.

    .venv/bin/python -m bench.soak [--people 2000] [--weeks 12] [--ceiling 100] [--kills 5]
                                   [--seed 1] [--chaos 0.05] [--database-url URL]
    (also --post-rate, --faults, --zones, --replicas, --baseline-weeks, --logs)

Needs Postgres: --database-url or TEST_DATABASE_URL (a server where it may CREATE DATABASE;
it makes upward_soak_<pid>_<run> and drops it at the end). What runs:

- a fake Slack (bot/sandbox/fakeslack) holding chat.postMessage to one a second per
  channel and ``--ceiling`` a second for the workspace (a burst of a fifth of that), with
  ``--chaos`` of all calls answered 5xx, 429 with Retry-After, or done and then answered
  500 or not at all;
- a program seeded with ``--people`` in several time zones, paired and introduced;
- two replicas, each the real app (``python app.py --no-migrate``, its scheduler off) and
  its tick (bench/soak_replica.py: ``build_services(...).due.run_due(instant)`` in a process
  of its own), pacing at ``--post-rate`` (SLACK_POST_RATE). Virtual time moves in steps:
  every hour, and every instant a message falls due or a claim's lease runs out (what a
  one-minute tick would meet), with both replicas ticking at once;
- ``--kills`` times, at a random point of the run, a replica is killed with SIGKILL in the
  middle of a fan-out (its app server too), then started again;
- a final catch-up tick past the outbox's lease, so what a dead replica held is finished.

Then, from what the fake Slack stored: duplicates (an outbox key posted twice), losses
(a row never sent, a sent row Slack does not have, a program week without its prompt),
messages outside the recipient's working hours (at the virtual instant the fake received
them, and at the instant they were due), and the workspace pace against the ceiling (the
ceiling's 429s, and the busiest second). The baseline, in the same run, in a database of
its own: one replica, no faults, the program's first ``--baseline-weeks`` weeks; the
soak's pace through fan-outs is shown against the baseline's.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import json
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import normalize_database_url, redact_url
from bot.db import make_engine, make_session_factory, migrate
from bot.sandbox.fakeslack import CHAOS_FAULTS, FakeSlack, PostPace
from bot.services.outbox.delivery import LEASE, METADATA_EVENT
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from models import (
    OutboundMessage,
    OutboxStatus,
    Pair,
    PairWeek,
    Person,
    PersonSkill,
    Skill,
)
from tests.support import BOT_TOKEN, LEAD_ID, ROOT, TEAM_ID, app_env, free_port, start_app
from tests.support.programs import in_working_hours

CREATED = datetime(2027, 2, 22, 12, tzinfo=UTC)  # a Monday: week 1 starts on 1 March
# Mentors' and mentees' zones: hours that overlap, that never do, and a day ahead.
ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
SKILLS = ("ai-tools", "data-analytics", "social-media")
STEP = timedelta(hours=1)
CATCH_UP = LEASE + timedelta(minutes=1)  # past the lease: a dead sender's rows are free
PACE_SHARE = 0.9  # the app's SLACK_POST_RATE, as a share of the fake's ceiling (at most)
BIG_STEP = 50  # rows due in one step for a kill to be aimed at it
STEP_TIMEOUT = 900.0  # seconds one step may take before the run is called stuck
# Kinds that land in someone's working hours (alerts to leads go out at once).
TIMED_KINDS = ("prompt", "checkin", "reminder", "recognition")


class SoakError(Exception):
    """The soak cannot run (no Postgres) or got stuck: one line for the operator."""


# --- the database --------------------------------------------------------------------


def database_url_from(flag: str | None) -> str:
    url = flag or os.environ.get("TEST_DATABASE_URL")
    if not url:
        raise SoakError(
            "bench.soak needs Postgres: pass --database-url postgresql://user@host:5432/db "
            "or set TEST_DATABASE_URL (a server where it may CREATE DATABASE)"
        )
    url = normalize_database_url(url)
    if make_url(url).get_backend_name() != "postgresql":
        raise SoakError(f"bench.soak needs Postgres, not {make_url(url).get_backend_name()}")
    return url


@contextmanager
def scratch_database(base_url: str, name: str) -> Iterator[str]:
    """A database of its own (advisory locks are per database), dropped afterwards."""
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as error:
        admin.dispose()
        first = str(getattr(error, "orig", error) or error).strip().splitlines()[0]
        raise SoakError(f"could not create a database at {redact_url(base_url)}: {first}") from None
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the program -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    pairs: int
    weeks: int
    checkin_every: int
    zones: dict[int, str]  # person id -> time zone
    pair_people: dict[int, tuple[int, int]]  # pair id -> (mentor id, mentee id)

    @property
    def first_monday(self) -> date:
        return (CREATED + timedelta(days=7 - CREATED.weekday())).date()

    @property
    def start(self) -> datetime:
        """The first tick: two days before week 1, ahead of every planning horizon."""
        return datetime.combine(self.first_monday, datetime.min.time(), UTC) - timedelta(days=2)

    @property
    def end(self) -> datetime:
        """After the last week, the recognition delay and the thank-yous (any zone)."""
        last = datetime.combine(self.first_monday, datetime.min.time(), UTC)
        return last + timedelta(weeks=self.weeks, days=4)


def seed(
    url: str,
    fake: FakeSlack,
    people: int,
    weeks: int,
    rng: random.Random,
    *,
    zones: Sequence[str] = ZONES,
) -> Seeded:
    """``people`` enrolled in the default program, paired mentor with mentee, each pair's
    group DM opened and introduced at CREATED; every person in the fake's directory."""
    pairs = people // 2
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, timeout=10)
    fake.add_user(LEAD_ID, team_id=TEAM_ID, tz="Europe/London")
    try:
        with sessions.begin() as session:
            workspace = ensure_workspace(session, TEAM_ID, CREATED)
            program = ensure_default_program(session, workspace, CREATED)
            program.length_weeks = weeks
            checkin_every = program.checkin_every_weeks or 2
            skills = dict(
                session.execute(select(Skill.slug, Skill.id).where(Skill.slug.in_(SKILLS))).all()
            )
            rows = []
            for n in range(pairs):
                skill = SKILLS[n % len(SKILLS)]
                for role, user in (("mentor", f"UM{n:08d}"), ("mentee", f"UE{n:08d}")):
                    tz = rng.choice(zones)
                    fake.add_user(user, team_id=TEAM_ID, tz=tz)
                    rows.append(
                        {
                            "workspace_id": workspace.id,
                            "program_id": program.id,
                            "slack_user_id": user,
                            "role": role,
                            "status": "active",
                            "tz": tz,
                            "seniority": 1 if role == "mentor" else 4,
                            "joined_at": CREATED,
                            "updated_at": CREATED,
                            "_skill": skills[skill],
                        }
                    )
            session.execute(
                insert(Person), [{k: v for k, v in r.items() if k[0] != "_"} for r in rows]
            )
            ids = dict(
                session.execute(
                    select(Person.slack_user_id, Person.id).where(Person.program_id == program.id)
                ).all()
            )
            session.execute(
                insert(PersonSkill),
                [
                    {
                        "person_id": ids[r["slack_user_id"]],
                        "skill_id": r["_skill"],
                        "direction": "teach" if r["role"] == "mentor" else "learn",
                    }
                    for r in rows
                ],
            )
            pair_rows = []
            for n in range(pairs):
                mentor, mentee = f"UM{n:08d}", f"UE{n:08d}"
                # The pair's group DM, as the introduction opens it.
                channel = client.conversations_open(users=[mentor, mentee])["channel"]["id"]
                pair_rows.append(
                    {
                        "program_id": program.id,
                        "mentor_id": ids[mentor],
                        "mentee_id": ids[mentee],
                        "status": "active",
                        "score": 1.0,
                        "reasons": [],
                        "channel_id": channel,
                        "intro_sent_at": CREATED,
                        "learning_goals": [],
                        "growth_goals": [],
                        "created_at": CREATED,
                    }
                )
            session.execute(insert(Pair), pair_rows)
        with sessions() as session:
            zones_of = dict(session.execute(select(Person.id, Person.tz)).all())
            pair_people = {
                pair_id: (mentor_id, mentee_id)
                for pair_id, mentor_id, mentee_id in session.execute(
                    select(Pair.id, Pair.mentor_id, Pair.mentee_id)
                )
            }
    finally:
        engine.dispose()
    return Seeded(pairs, weeks, checkin_every, zones_of, pair_people)


# --- replicas ------------------------------------------------------------------------


@dataclass
class Replica:
    """One replica: the app server and its tick process, started (and killed) together."""

    index: int
    env: dict[str, str]
    logs: Path
    replies: queue.Queue[tuple[int, int, dict[str, Any]]]
    with_server: bool = True
    generation: int = 0
    worker: subprocess.Popen[str] | None = None
    server: Any = None  # tests.support.RunningApp
    kills: int = 0

    def start(self) -> None:
        self.generation += 1
        name = f"replica{self.index}.{self.generation}"
        if self.with_server:
            self.server = self._start_server(name)
        with (self.logs / f"{name}.tick.log").open("wb") as log:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "bench.soak_replica"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                start_new_session=True,
            )
        threading.Thread(
            target=self._read, args=(self.worker, self.generation), daemon=True
        ).start()

    def _start_server(self, name: str) -> Any:
        """`python app.py --no-migrate` on a free port, healthy. Its start-up token check
        may meet the chaos too (three faults in a row): then it is started again."""
        for attempt in range(1, 4):
            env = {**self.env, "PORT": str(free_port())}
            try:
                return start_app(env, self.logs / f"{name}.app{attempt}.log", "--no-migrate")
            except AssertionError as error:
                problem = str(error).splitlines()[0]
        raise SoakError(f"replica {self.index}'s app server did not start: {problem}")

    def _read(self, worker: subprocess.Popen[str], generation: int) -> None:
        assert worker.stdout is not None
        for line in worker.stdout:
            with suppress(ValueError):
                self.replies.put((self.index, generation, json.loads(line)))
        self.replies.put((self.index, generation, {"exited": worker.wait()}))

    def tick(self, instant: datetime) -> None:
        assert self.worker is not None
        assert self.worker.stdin is not None
        self.worker.stdin.write(instant.isoformat() + "\n")
        self.worker.stdin.flush()

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost node does: no cleanup of any kind."""
        self.kills += 1
        if self.worker is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
        if self.server is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.server.process.pid, signal.SIGKILL)
            self.server.process.wait()

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            assert self.worker.stdin is not None
            with suppress(BrokenPipeError):
                self.worker.stdin.close()
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
        if self.server is not None and self.server.process.poll() is None:
            self.server.stop()


@dataclass(frozen=True)
class Step:
    at: datetime  # the virtual instant every replica ticked at
    wall: float  # time.time() when it began (message ts are on this clock)
    started: float  # time.monotonic() when it began and ended (the fake's pace clock)
    ended: float
    killed: bool = False


@dataclass
class Run:
    """Ticks both (or one) replicas in virtual-time steps, and kills as it is told."""

    url: str
    fake: FakeSlack
    replicas: list[Replica]
    replies: queue.Queue[tuple[int, int, dict[str, Any]]]
    rng: random.Random
    post_rate: float
    step: timedelta = STEP
    steps: list[Step] = field(default_factory=list)
    missed_kills: int = 0
    reports: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._engine = make_engine(self.url)

    def close(self) -> None:
        for replica in self.replicas:
            replica.stop()
        self._engine.dispose()
        gc.unfreeze()

    def start(self) -> None:
        for replica in self.replicas:
            replica.start()
        self._wait_ready(self.replicas)
        gc.freeze()

    def _wait_ready(self, replicas: Sequence[Replica]) -> None:
        waiting = {r.index for r in replicas}
        deadline = time.monotonic() + 60
        while waiting:
            index, generation, reply = self._next_reply(deadline)
            replica = self.replicas[index]
            if generation != replica.generation:
                continue
            if "ready" in reply:
                waiting.discard(index)
            elif "exited" in reply:
                raise SoakError(f"replica {index} exited on start; see its log in {replica.logs}")

    def _next_reply(self, deadline: float) -> tuple[int, int, dict[str, Any]]:
        try:
            return self.replies.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            raise SoakError("a replica did not answer in time") from None

    def due_now(self, now: datetime) -> int:
        """Rows a tick at ``now`` would claim: pending and due, or abandoned."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(OutboundMessage)
                .where(
                    (
                        (OutboundMessage.status == OutboxStatus.PENDING)
                        & (OutboundMessage.next_attempt_at <= now)
                    )
                    | (
                        (OutboundMessage.status == OutboxStatus.SENDING)
                        & (OutboundMessage.claimed_at < now - LEASE)
                    )
                )
            ).scalar_one()

    def next_instant(self, now: datetime) -> datetime:
        """The next hour (step), or sooner the next instant a row falls due or a lease
        runs out: what a one-minute tick would meet, without the idle minutes."""
        hour = now.replace(minute=0, second=0, microsecond=0) + self.step
        with self._engine.connect() as conn:
            due = conn.execute(
                select(func.min(OutboundMessage.next_attempt_at)).where(
                    OutboundMessage.status == OutboxStatus.PENDING,
                    OutboundMessage.next_attempt_at > now,
                )
            ).scalar_one()
            claimed = conn.execute(
                select(func.min(OutboundMessage.claimed_at)).where(
                    OutboundMessage.status == OutboxStatus.SENDING
                )
            ).scalar_one()
        candidates = [hour]
        if due is not None:
            candidates.append(due)
        if claimed is not None:
            candidates.append(
                max(now + timedelta(seconds=1), claimed + LEASE + timedelta(seconds=1))
            )
        return max(now + timedelta(seconds=1), min(candidates))

    def tick(self, now: datetime, kill_after: float | None = None) -> bool:
        """Every replica runs run_due(now) at once; returns whether one was killed in it.
        ``kill_after``: seconds after which a replica still sending is SIGKILLed."""
        wall, started = time.time(), time.monotonic()
        for replica in self.replicas:
            replica.tick(now)
        waiting = {r.index for r in self.replicas}
        kill_at = started + kill_after if kill_after is not None else None
        killed: Replica | None = None
        deadline = started + STEP_TIMEOUT
        while waiting:
            timeout = deadline if kill_at is None else min(deadline, kill_at)
            try:
                index, generation, reply = self.replies.get(
                    timeout=max(0.0, timeout - time.monotonic())
                )
            except queue.Empty:
                if time.monotonic() >= deadline:
                    raise SoakError(
                        f"the tick at {now.isoformat()} took over {STEP_TIMEOUT:.0f} s"
                    ) from None
                # One of those still at work (none: the tick was quicker than the aim).
                victim = self.replicas[self.rng.choice(sorted(waiting))]
                victim.kill()
                killed = victim
                waiting.discard(victim.index)
                kill_at = None
                continue
            replica = self.replicas[index]
            if generation != replica.generation or index not in waiting:
                continue
            if "exited" in reply:
                raise SoakError(
                    f"replica {index} exited ({reply['exited']}) at {now.isoformat()}; "
                    f"see {replica.logs}"
                )
            if "at" in reply:
                waiting.discard(index)
                for name in ("sent", "found", "rescheduled", "failed", "cancelled"):
                    self.reports[name] += reply[name]
        self.steps.append(Step(now, wall, started, time.monotonic(), killed is not None))
        # The fake Slack serves from this process. A full pass of the garbage collector
        # over its heap (the API spec, every message stored so far) stops its threads for
        # a tenth of a second or more; posts that came spaced out are then served together
        # and its buckets count a burst nobody sent. What is on the heap after each step
        # is frozen, so later passes only look at what came since.
        gc.freeze()
        if kill_after is not None and killed is None:
            self.missed_kills += 1
        if killed is not None:
            killed.start()
            self._wait_ready([killed])
        return killed is not None

    def run(
        self,
        start: datetime,
        end: datetime,
        kills: Sequence[datetime] = (),
        *,
        big: int = BIG_STEP,
    ) -> None:
        """Step from start to end; at the first step with ``big`` rows due after each
        instant in ``kills``, a replica is killed at a random moment of its fan-out."""
        pending = sorted(kills)
        now = start
        while now < end:
            kill_after = None
            if pending and now >= pending[0]:
                due = self.due_now(now)
                if due >= big:
                    # Somewhere in the fan-out: it takes about due / pace seconds.
                    kill_after = self.rng.uniform(0.2, max(0.3, 0.8 * due / self.post_rate))
            if self.tick(now, kill_after):
                pending.pop(0)
            now = self.next_instant(now)

    def catch_up(self, after: datetime, *, rounds: int = 20) -> datetime:
        """A tick past the lease (rows a dead replica held), then ticks while anything is
        still pending (a retry's backoff), at most ``rounds`` of them."""
        now = after + CATCH_UP
        for _ in range(rounds):
            self.tick(now)
            with self._engine.connect() as conn:
                left = conn.execute(
                    select(func.min(OutboundMessage.next_attempt_at)).where(
                        OutboundMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING))
                    )
                ).scalar_one()
            if left is None:
                break
            now = max(now + CATCH_UP, left)
        return now


@contextmanager
def replicas_running(
    url: str,
    fake: FakeSlack,
    logs: Path,
    *,
    count: int,
    post_rate: float,
    rng: random.Random,
    with_server: bool = True,
) -> Iterator[Run]:
    env = app_env(
        url,
        fake.url,
        3000,  # the tick's settings want a port; each app server gets a free one
        SLACK_POST_RATE=f"{post_rate:g}",
        OUTBOX_RETENTION_DAYS="3650",  # the checks read every row at the end
        LOG_FORMAT="text",
    )
    replies: queue.Queue[tuple[int, int, dict[str, Any]]] = queue.Queue()
    replicas = [Replica(i, env, logs, replies, with_server) for i in range(count)]
    run = Run(url, fake, replicas, replies, rng, post_rate)
    try:
        run.start()
        yield run
    finally:
        run.close()


# --- the checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Findings:
    """What the fake Slack holds against what the outbox planned."""

    posted: Counter[str]  # outbox messages in Slack, by kind
    planned: Counter[str]  # outbox rows, by kind
    duplicates: int  # posts beyond the first of a key
    not_sent: int  # rows left pending, sending or failed
    missing: int  # rows marked sent whose key Slack does not have
    unknown: int  # keys in Slack that no row has
    weeks_expected: int
    weeks_without_prompt: int  # program weeks never planned, or whose prompt Slack lacks
    checkins_expected: int
    timed: int  # messages meant for working hours
    outside_hours: int  # of those, received or due outside the recipient's hours
    cancelled: int
    examples: tuple[str, ...]  # a few of whatever went wrong, for the log

    @property
    def lost(self) -> int:
        return self.not_sent + self.missing + self.weeks_without_prompt


def check(url: str, fake: FakeSlack, seeded: Seeded, steps: Sequence[Step]) -> Findings:
    posted = posted_keys(fake)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    OutboundMessage.key,
                    OutboundMessage.kind,
                    OutboundMessage.status,
                    OutboundMessage.due_at,
                    OutboundMessage.pair_id,
                    OutboundMessage.person_id,
                )
            ).all()
            weeks = conn.execute(
                select(PairWeek.pair_id, PairWeek.week, PairWeek.outbox_key, PairWeek.delivered_at)
            ).all()
    finally:
        engine.dispose()
    examples: list[str] = []

    def note(what: str) -> None:
        if len(examples) < 10:
            examples.append(what)

    duplicates = 0
    for key, times in posted.items():
        if len(times) > 1:
            duplicates += len(times) - 1
            note(f"duplicate: {key} posted {len(times)} times")
    keys = {row.key for row in rows}
    status = Counter(row.status for row in rows)
    missing = timed = outside = 0
    walls = [step.wall for step in steps]
    for row in rows:
        if row.status != OutboxStatus.SENT:
            if row.status != OutboxStatus.CANCELLED:
                note(f"not sent: {row.key} is {row.status}")
            continue
        if row.key not in posted:
            missing += 1
            note(f"missing: {row.key} is marked sent, Slack does not have it")
            continue
        if row.kind not in TIMED_KINDS:
            continue
        timed += 1
        # When it reached Slack, in virtual time: the tick that was running then.
        received = [steps[max(0, bisect.bisect_right(walls, ts) - 1)].at for ts in posted[row.key]]
        for instant in (row.due_at, *received):
            zones = recipients(seeded, row.pair_id, row.person_id, instant)
            if not all(in_working_hours(instant, tz) for tz in zones):
                outside += 1
                note(f"outside hours: {row.key} at {instant.isoformat()} for {zones}")
                break
    planned_weeks = {(w.pair_id, w.week): w for w in weeks}
    without = [
        (pair_id, week)
        for pair_id in seeded.pair_people
        for week in range(1, seeded.weeks + 1)
        if (found := planned_weeks.get((pair_id, week))) is None
        or found.delivered_at is None
        or found.outbox_key not in posted
    ]
    for pair_id, week in without[:3]:
        note(f"week {week} of pair {pair_id}: no prompt in Slack")
    pairs = len(seeded.pair_people)
    return Findings(
        posted=Counter(row.kind for row in rows if row.key in posted),
        planned=Counter(row.kind for row in rows),
        duplicates=duplicates,
        not_sent=len(rows) - status[OutboxStatus.SENT] - status[OutboxStatus.CANCELLED],
        missing=missing,
        unknown=sum(1 for key in posted if key not in keys),
        weeks_expected=pairs * seeded.weeks,
        weeks_without_prompt=len(without),
        checkins_expected=2 * pairs * max(1, seeded.weeks // seeded.checkin_every),
        timed=timed,
        outside_hours=outside,
        cancelled=status[OutboxStatus.CANCELLED],
        examples=tuple(examples),
    )


def posted_keys(fake: FakeSlack) -> dict[str, list[float]]:
    """Outbox key -> the ts of each message in Slack that carries it."""
    posted: dict[str, list[float]] = {}
    for messages in fake.all_messages().values():
        for message in messages:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT:
                key = metadata["event_payload"]["key"]
                posted.setdefault(key, []).append(float(message["ts"]))
    return posted


def recipients(
    seeded: Seeded, pair_id: int | None, person_id: int | None, instant: datetime
) -> list[str]:
    """Whose working hours a message must land in: the person it is for; for a pair's
    channel, the mentor, and the mentee too on a day their hours overlap."""
    if person_id is not None:
        return [seeded.zones[person_id]]
    if pair_id is None:
        return []
    mentor, mentee = (seeded.zones[p] for p in seeded.pair_people[pair_id])
    day = instant.astimezone(ZoneInfo(mentor)).date()
    return [mentor, mentee] if _share_hours(day, mentor, mentee) else [mentor]


_SHARED: dict[tuple[date, str, str], bool] = {}


def _share_hours(day: date, mentor: str, mentee: str) -> bool:
    """Whether the mentee works at some moment of the mentor's working day (a quarter-hour
    grid), with tests/services/test_run_due.py's definition of working hours."""
    found = _SHARED.get((day, mentor, mentee))
    if found is None:
        opens = datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo(mentor)).astimezone(UTC)
        found = any(
            in_working_hours(opens + timedelta(minutes=15 * q), mentor)
            and in_working_hours(opens + timedelta(minutes=15 * q), mentee)
            for q in range(32)
        )
        _SHARED[(day, mentor, mentee)] = found
    return found


# --- the pace ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """chat.postMessage's pace over a run, as the fake Slack saw it."""

    whole: PostPace  # the whole run
    fanouts: int  # steps that were fan-outs: three bursts' worth of posts or more
    fanout_posts: int  # their posts, less the burst each began with
    fanout_seconds: float  # from each one's first post to its last, summed
    fanout_paused: float  # of those, the seconds inside a pause Slack asked for (a 429)

    @property
    def fanout_rate(self) -> float:
        """The pace held through fan-outs, messages a second: what a full bucket lets go
        at once is left out, so a short fan-out does not look faster than the pace."""
        return self.fanout_posts / self.fanout_seconds if self.fanout_seconds else 0.0

    @property
    def unpaused_rate(self) -> float:
        """The fan-out pace outside Slack's pauses: a 429's Retry-After stops every
        sender, as Slack asks, so 5% of calls failing with 1 s pauses costs pace that
        no pacer can win back; this is the pace the pacer held the rest of the time."""
        sending = self.fanout_seconds - self.fanout_paused
        return self.fanout_posts / sending if sending > 0 else 0.0


def pace_of(fake: FakeSlack, steps: Sequence[Step]) -> Pace:
    whole = fake.post_pace(since=steps[0].started, until=steps[-1].ended)
    fanouts = posts = 0
    seconds = paused = 0.0
    for step in steps:
        part = fake.post_pace(since=step.started, until=step.ended)
        if part.accepted >= 3 * max(1, part.burst) and part.seconds > 0:
            fanouts += 1
            posts += part.accepted - part.burst
            seconds += part.seconds
            paused += part.paused
    return Pace(whole, fanouts, posts, seconds, paused)


# --- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    findings: Findings | None  # None for the baseline, which is only a pace
    pace: Pace
    stats: Any  # the fake's Stats
    steps: int
    kills: int
    missed_kills: int
    reports: Counter[str]
    seconds: float


def new_fake(ceiling: float) -> FakeSlack:
    # Calls are not kept (a soak makes a hundred thousand); messages are.
    fake = FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID, keep_calls=1000).start()
    fake.set_post_limits(
        per_channel=1.0, workspace=ceiling, workspace_burst=max(1, int(ceiling / 5))
    )
    return fake


def fanout_size(people: int) -> int:
    """Rows due in one step for a kill to be aimed at it: BIG_STEP, or fewer for a small
    program."""
    return max(10, min(BIG_STEP, people // 20))


def default_post_rate(ceiling: float) -> float:
    """The app's pace for a ceiling: PACE_SHARE of it, and low enough that the pace's
    burst (a tenth of a second's worth) fits well inside the ceiling's burst (a fifth of
    a second's worth), but never under half the ceiling."""
    return round(max(ceiling / 2, min(ceiling * PACE_SHARE, ceiling - 5)), 2)


def program_run(
    base_url: str,
    args: argparse.Namespace,
    logs: Path,
    *,
    name: str,
    replicas: int,
    chaos: float,
    kills: int,
    weeks: int | None = None,
) -> Outcome:
    """The program in its own database and fake Slack: ``replicas`` replicas, ``chaos``
    of calls failing, ``kills`` SIGKILLs; the whole program, or its first ``weeks``.
    The checks run on the whole program only."""
    started = time.perf_counter()
    fake = new_fake(args.ceiling)
    rng = random.Random(args.seed)
    big = fanout_size(args.people)
    try:
        with scratch_database(base_url, f"upward_soak_{os.getpid()}_{name}") as url:
            migrate(url)
            seeded = seed(url, fake, args.people, args.weeks, rng, zones=args.zones)
            (logs / name).mkdir(parents=True, exist_ok=True)
            with replicas_running(
                url, fake, logs / name, count=replicas, post_rate=args.post_rate, rng=rng
            ) as run:
                # Faults from here on: the app servers' start-up token checks are spared.
                fake.set_chaos(chaos, seed=args.seed, faults=args.faults)
                first_week = datetime.combine(seeded.first_monday, datetime.min.time(), UTC)
                end = seeded.end if weeks is None else first_week + timedelta(weeks=weeks)
                span = (end - first_week).total_seconds()
                aims = [
                    first_week + timedelta(seconds=rng.uniform(0, span * 0.9)) for _ in range(kills)
                ]
                run.run(seeded.start, end, aims, big=big)
                if weeks is None:
                    run.catch_up(end)
                fake.set_chaos(0)
                return Outcome(
                    check(url, fake, seeded, run.steps) if weeks is None else None,
                    pace_of(fake, run.steps),
                    fake.stats,
                    len(run.steps),
                    sum(r.kills for r in run.replicas),
                    run.missed_kills,
                    run.reports,
                    time.perf_counter() - started,
                )
    finally:
        fake.stop()


def weeks(n: int) -> str:
    return "week 1" if n == 1 else f"weeks 1-{n}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_report(args: argparse.Namespace, base: Outcome, run: Outcome) -> bool:
    found = run.findings
    assert found is not None
    pace = run.pace.whole
    allowed = pace.most_allowed or 0.0
    rows = [
        (
            "duplicates (an outbox key posted more than once)",
            f"{found.duplicates}",
            found.duplicates == 0,
        ),
        (
            "losses: rows never sent (pending, sending or failed)",
            f"{found.not_sent}",
            found.not_sent == 0,
        ),
        (
            "losses: rows marked sent that Slack does not have",
            f"{found.missing}",
            found.missing == 0,
        ),
        (
            "losses: program weeks without their prompt in Slack",
            f"{found.weeks_without_prompt} of {found.weeks_expected:,}",
            found.weeks_without_prompt == 0,
        ),
        ("messages in Slack that no outbox row planned", f"{found.unknown}", found.unknown == 0),
        (
            "messages outside the recipient's working hours (received or due)",
            f"{found.outside_hours} of {found.timed:,}",
            found.outside_hours == 0,
        ),
        (
            "posts the workspace ceiling refused (429 from the ceiling)",
            f"{pace.refused_workspace}",
            pace.refused_workspace == 0,
        ),
        (
            "busiest second, posts tried, against what the ceiling allows",
            f"{pace.busiest_tried} of {allowed:.0f} ({args.ceiling:g}/s + a burst of {pace.burst})",
            pace.busiest_tried <= allowed,
        ),
    ]
    ok = all(passed for _, _, passed in rows)
    print()
    print("| invariant | found | |")
    print("|---|---|---|")
    for name, value, passed in rows:
        print(f"| {name} | {value} | {verdict(passed)} |")
    print()
    print(
        "| run | replicas | chaos | posts | fan-out pace | outside 429 pauses | of ceiling "
        "| busiest 1 s (stored / tried) | 429s: ceiling / channel / chaos | steps | kills | wall |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, outcome, replicas, chaos in (
        (f"baseline: {weeks(min(args.weeks, args.baseline_weeks))}", base, 1, 0.0),
        (f"soak: {weeks(args.weeks)}", run, args.replicas, args.chaos),
    ):
        whole = outcome.pace.whole
        ratio = unpaused_ratio = ""
        if outcome is run and base.pace.fanout_rate:
            ratio = f" ({outcome.pace.fanout_rate / base.pace.fanout_rate:.0%} of the baseline's)"
            unpaused_ratio = f" ({outcome.pace.unpaused_rate / base.pace.fanout_rate:.0%})"
        print(
            f"| {name} | {replicas} | {chaos:.0%} | {whole.accepted:,} "
            f"| {outcome.pace.fanout_rate:.1f}/s over {outcome.pace.fanouts} fan-outs{ratio} "
            f"| {outcome.pace.unpaused_rate:.1f}/s, {outcome.pace.fanout_paused:.0f} s paused"
            f"{unpaused_ratio} "
            f"| {outcome.pace.fanout_rate / args.ceiling:.0%} "
            f"| {whole.busiest} / {whole.busiest_tried} "
            f"| {whole.refused_workspace} / {whole.refused_channel} / "
            f"{outcome.stats.chaos_rate_limited} "
            f"| {outcome.steps:,} | {outcome.kills} | {outcome.seconds:.0f} s |"
        )
    stats = run.stats
    reports = run.reports
    print()
    print(
        "Messages by kind (posted / planned): "
        + ", ".join(
            f"{kind} {found.posted[kind]:,} / {found.planned[kind]:,}"
            for kind in sorted(found.planned)
        )
        + f"; check-ins expected {found.checkins_expected:,}; cancelled {found.cancelled}."
    )
    print(
        f"Chaos: {stats.chaos_server_errors} 5xx, {stats.chaos_rate_limited} 429s, "
        f"{stats.chaos_replies_lost} calls done whose answer was lost (500 or dropped). "
        f"Ticks: {reports['sent']:,} sent, {reports['found']:,} found already in Slack by the "
        f"history check, {reports['rescheduled']:,} put back for later, {reports['failed']} "
        f"failed. Kills: {run.kills} SIGKILLs mid-fan-out"
        + (f" ({run.missed_kills} aimed at a tick that finished first)" if run.missed_kills else "")
        + "."
    )
    for example in found.examples:
        print(f"  {example}")
    print()
    if ok:
        print("PASS: every message exactly once, in working hours, within the ceiling")
    else:
        print("FAIL: " + "; ".join(name for name, _, passed in rows if not passed))
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument(
        "--ceiling", type=float, default=100.0, help="the workspace's posts a second"
    )
    parser.add_argument(
        "--post-rate",
        type=float,
        help=f"the app's SLACK_POST_RATE (default {PACE_SHARE:.0%} of the ceiling, at most "
        "the ceiling less 5)",
    )
    parser.add_argument("--kills", type=int, default=5, help="replicas killed with SIGKILL")
    parser.add_argument("--chaos", type=float, default=0.05, help="share of Slack calls that fail")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument(
        "--faults",
        type=lambda value: tuple(value.split(",")),
        default=CHAOS_FAULTS,
        help=f"which faults the chaos picks from (default: {','.join(CHAOS_FAULTS)})",
    )
    parser.add_argument(
        "--zones",
        type=lambda value: tuple(value.split(",")),
        default=ZONES,
        help="people's time zones, comma-separated (default: eight, from Sydney to Los Angeles)",
    )
    parser.add_argument(
        "--baseline-weeks",
        type=int,
        default=2,
        help="weeks the baseline (one replica, no faults) runs for its pace",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="Postgres (default: TEST_DATABASE_URL)")
    parser.add_argument(
        "--logs", type=Path, help="where the replicas' logs go (default: a temporary directory)"
    )
    args = parser.parse_args(argv)
    if args.post_rate is None:
        args.post_rate = default_post_rate(args.ceiling)
    try:
        base_url = database_url_from(args.database_url)
        logs = args.logs or Path(tempfile.mkdtemp(prefix="upward-soak-"))
        print(
            f"{args.people:,} people ({args.people // 2:,} pairs) in {len(args.zones)} time zones, "
            f"{args.weeks} weeks, Postgres at {redact_url(base_url)}; Slack's ceiling "
            f"{args.ceiling:g} posts/s (1/s per channel), the app's pace {args.post_rate:g}/s; "
            f"{args.replicas} replicas, {args.chaos:.0%} of calls failing "
            f"({', '.join(args.faults)}), {args.kills} kills, "
            f"seed {args.seed}; logs in {logs}",
            flush=True,
        )
        base = program_run(
            base_url,
            args,
            logs,
            name="baseline",
            replicas=1,
            chaos=0.0,
            kills=0,
            weeks=min(args.weeks, args.baseline_weeks),
        )
        print(f"baseline done in {base.seconds:.0f} s", flush=True)
        run = program_run(
            base_url,
            args,
            logs,
            name="soak",
            replicas=args.replicas,
            chaos=args.chaos,
            kills=args.kills,
        )
    except SoakError as error:
        print(f"bench.soak: {error}", file=sys.stderr)
        return 2
    return 0 if print_report(args, base, run) else 1


if __name__ == "__main__":
    sys.exit(main())
