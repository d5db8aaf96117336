"""Ack latency under load: Upward against a bare Bolt app on the same server stack.

    .venv/bin/python -m bench.load [--clients 50] [--requests 2000] [--database-url URL]

Two targets, each served the way production serves Upward (gunicorn, one worker, gthread,
8 threads, FrontDoor and RequestLog in front of Bolt), both against the fake Slack:

- app: ``python app.py`` on a database seeded with a program's year (bench.report_seed:
  people, pairs with their weeks and check-ins, the lead's program), SQLite in a temp
  dir, or Postgres in a schema of its own with --database-url (or TEST_DATABASE_URL);
- bare: ``python -m bench.bare_bolt``, the same server, Bolt settings and middleware,
  with one listener per kind that only calls ``ack()``.

Both get the same requests, built from the same recipe and signed as Slack signs them:

- command: ``/mentor help`` (anyone), ``/mentor status`` (a member), ``/mentor report``
  (the lead: the ack says "working on it", the report follows on the response_url);
- action: a weekly prompt's "We met" and "Skip" (a pair's own week) and a check-in's
  "Not yet" (the person's own check-in), each clicked by someone whose button it is;
- submission: the join modal's view_submission with valid fields, by a new member.

--clients threads (in a process of their own, apart from the fake Slack) each keep one
HTTP/1.1 connection alive and, by default, send the next request as soon as the last is
answered (a closed loop). Each
target gets a warm-up, not measured, then its share of --requests; the runs alternate
(bare, app, app, bare with the default --legs 2) so a noisy neighbour on the machine
weighs on both. Latency is the client's: from sending the request to the last byte of
its answer (Slack's ack). Prints p50/p95/p99/max per kind for both targets, the ratio of
the app's p99 to bare Bolt's, and PASS/FAIL for "p99 within 1.2x of bare Bolt" and "far
inside Slack's 3 s" (p99 under 1 s and nothing over 3 s). Then, to tell where the time
goes: each worker's CPU per request (from /proc, the work after each ack included), the
part of each ack RequestLog timed inside the worker (the rest is waiting for one of
gunicorn's 8 threads), and the app's figures per request.

- --rate R: open loop instead: requests arrive as a Poisson process of R a second, sent
  by whichever client is free, each timed from when it was due. A closed loop measures
  the ack latency of a saturated server (so, mostly, its CPU per request); a rate below
  both targets' capacity measures the acks themselves and what competes with them.
- --mix command,action: only some kinds.
- --profile N: both servers' worker threads under cProfile, timed by each thread's CPU
  clock; prints the N costliest functions (own time, with callees, and Upward's own).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import aliased

from bench.report_seed import seed_year
from bot import copy
from bot.config import normalize_database_url
from bot.db import make_engine, migrate
from bot.ids import Action, Callback
from bot.sandbox.fakeslack import FakeSlack
from models import CheckIn, Pair, PairStatus, PairWeek, Person, PersonStatus
from tests.support import (
    BOT_TOKEN,
    LEAD_ID,
    ROOT,
    TEAM_ID,
    RunningApp,
    app_env,
    free_port,
    start_app,
)
from tests.support.processes import worker_pid
from tests.support.slack_requests import SIGNING_SECRET, SlackSender, join_values

KINDS = ("command", "action", "submission")
NO_ANSWER = "no answer"
RATIO_GOAL = 1.2  # the app's p99 within 1.2x of bare Bolt's
SLACK_GIVES_UP = 3.0  # seconds
FAR_INSIDE = 1.0  # seconds: "far inside 3 s" means a p99 under a third of Slack's limit

# Answers that mean the request did not do what it was meant to (their first words: the
# ack's JSON escapes what is not ASCII).
REFUSALS = tuple(
    text[:28].encode()
    for text in (
        copy.REQUEST_UNREADABLE,
        copy.STALE_BUTTON,
        copy.SOMETHING_WENT_WRONG,
        copy.SLACK_TROUBLE,
        copy.NOT_JOINED,
        copy.PROMPT_NOT_YOURS,
        copy.CHECKIN_NOT_YOURS,
    )
)

# What each kind is made of, by weight.
COMMANDS = (("/mentor help", 4), ("/mentor status", 5), ("/mentor report", 1))
ACTIONS = (("prompt: We met", 4), ("prompt: Skip", 3), ("check-in: Not yet", 3))
SUBMISSIONS = (("join modal", 1),)


# --- the requests -------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    kind: str  # command | action | submission
    what: str  # e.g. "/mentor status"
    body: str
    content_type: str


class _Capture(SlackSender):
    """SlackSender's payloads (the tests' own), kept instead of sent: they are signed at
    the moment each is sent, by the client."""

    def post(self, body: str, content_type: str, **_: Any) -> Any:
        return Job("", "", body, content_type)


@dataclass
class Cast:
    """Who may do what in the seeded workspace."""

    members: list[str]  # active people, for /mentor status
    weeks: list[tuple[int, str]]  # (pair_week id, the mentor's or mentee's user id)
    checkins: list[tuple[int, str]]  # (check_in id, its person's user id)
    lead: str = LEAD_ID


class Recipe:
    """The same sequence of requests for both targets: kinds in turn, what within each
    kind by weight, who and which button drawn by a seeded random generator."""

    def __init__(
        self, fake: FakeSlack, cast: Cast, kinds: Sequence[str] = KINDS, seed: int = 11
    ) -> None:
        self.fake = fake
        self.cast = cast
        self.kinds = tuple(kinds)
        self.seed = seed
        self.capture = _Capture("http://unused", fake, TEAM_ID)

    def joiner(self, batch: str, i: int) -> str:
        return f"UJ{batch}{i:06d}"

    def jobs(self, batch: str, n: int) -> list[Job]:
        """n requests; ``batch`` (a short tag, unique per run) keeps each new member new."""
        rng = random.Random(f"{self.seed}:{batch}")
        out = []
        for i in range(n):
            kind = self.kinds[i % len(self.kinds)]
            what = _draw(rng, {"command": COMMANDS, "action": ACTIONS}.get(kind, SUBMISSIONS))
            job = self._build(rng, what, batch, i)
            out.append(Job(kind, what, job.body, job.content_type))
        return out

    def _build(self, rng: random.Random, what: str, batch: str, i: int) -> Job:
        c, cast = self.capture, self.cast
        if what == "/mentor help":
            return c.command(rng.choice(cast.members), "help")
        if what == "/mentor status":
            return c.command(rng.choice(cast.members), "status")
        if what == "/mentor report":
            return c.command(cast.lead, "report")
        if what.startswith("prompt: "):
            week, user = rng.choice(cast.weeks)
            action = Action.PROMPT_MET if what.endswith("met") else Action.PROMPT_SKIP
            return c.block_action(user, action, str(week))
        if what == "check-in: Not yet":
            checkin, user = rng.choice(cast.checkins)
            return c.block_action(user, Action.CHECKIN_NOT_YET, str(checkin))
        joiner = self.joiner(batch, i)
        self.fake.add_user(joiner)  # Slack knows them: the welcome DM can find them
        return c.view_submission(joiner, Callback.JOIN_MODAL, join_values())


def _draw(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([w for w, _ in weighted], [n for _, n in weighted])[0]


# --- the clients ------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str
    what: str
    seconds: float
    problem: str  # "" when Slack would be content with the answer


@dataclass(frozen=True)
class Load:
    base_url: str
    clients: int
    rate: float  # requests a second in all; 0: a closed loop
    secret: str = SIGNING_SECRET


@dataclass(frozen=True)
class Driven:
    samples: list[Sample]
    seconds: float  # the measured phase's
    window: tuple[float, float]  # its start and end, time.time()
    reconnects: int  # kept-alive connections the server closed, opened again


def drive(load: Load, warm: list[Job], jobs: list[Job]) -> Driven:
    """Runs in a process of its own: ``load.clients`` threads send ``warm`` (not
    measured), then ``jobs``.

    rate 0: a closed loop, each client sending its next request as soon as its last is
    answered. rate > 0: the requests arrive as a Poisson process of that rate, each sent
    by whichever client is free; one sent late (all clients busy) is timed from when it
    was due, as Slack would have sent it then."""
    url = urlsplit(load.base_url)
    verifier = SignatureVerifier(load.secret)
    samples: list[Sample] = []
    lock = threading.Lock()
    arrivals = random.Random(7)
    queues = {
        phase: iter(list(zip(listed, _offsets(arrivals, len(listed), load.rate), strict=True)))
        for phase, listed in (("warm", warm), ("jobs", jobs))
    }
    phase_start = [0.0]
    barrier = threading.Barrier(
        load.clients + 1, action=lambda: phase_start.__setitem__(0, time.perf_counter())
    )
    reconnects = [0]

    def take(phase: str) -> tuple[Job, float] | None:
        with lock:
            return next(queues[phase], None)

    def client() -> None:
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        for phase in ("warm", "jobs"):
            barrier.wait()
            while (taken := take(phase)) is not None:
                job, offset = taken
                due = phase_start[0] + offset
                time.sleep(max(0.0, due - time.perf_counter()))
                started = min(due, time.perf_counter()) if load.rate else time.perf_counter()
                problem = _send(conn, verifier, job)
                if problem.startswith(NO_ANSWER):  # the server closed a kept-alive connection
                    conn.close()
                    with lock:
                        reconnects[0] += 1
                    problem = _send(conn, verifier, job)
                sample = Sample(job.kind, job.what, time.perf_counter() - started, problem)
                if phase == "jobs":
                    with lock:
                        samples.append(sample)
            barrier.wait()
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(load.clients)]
    for t in threads:
        t.start()
    for _ in range(3):  # warm-up starts, ends; the measured phase starts...
        barrier.wait()
    started, wall = phase_start[0], time.time()
    barrier.wait()  # ...and ends
    elapsed = time.perf_counter() - started
    for t in threads:
        t.join()
    return Driven(samples, elapsed, (wall, wall + elapsed), reconnects[0])


def _offsets(rng: random.Random, n: int, rate: float) -> list[float]:
    """When each of n requests is due, in seconds from the start: a Poisson process of
    ``rate`` a second, or all at once (0: a closed loop sends each when a client is free)."""
    if not rate:
        return [0.0] * n
    at, out = 0.0, []
    for _ in range(n):
        at += rng.expovariate(rate)
        out.append(at)
    return out


def _send(conn: http.client.HTTPConnection, verifier: SignatureVerifier, job: Job) -> str:
    """Signs ``job`` now and sends it: what was wrong with the answer ("" for nothing;
    NO_ANSWER and why when the connection gave none)."""
    ts = str(int(time.time()))
    headers = {
        "Content-Type": job.content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=job.body),
    }
    try:
        conn.request("POST", "/slack/events", body=job.body.encode(), headers=headers)
        response = conn.getresponse()
        answer = response.read()
    except (http.client.HTTPException, OSError) as error:
        return f"{NO_ANSWER} ({type(error).__name__}: {error})"
    return _problem(response.status, answer)


def _problem(status: int, answer: bytes) -> str:
    if status != 200:
        return f"HTTP {status}: {answer[:80]!r}"
    for sign in REFUSALS:
        if sign in answer:
            return f"said {answer[:100]!r}"
    return ""


def _drive_child(conn: Any, load: Load, warm: list[Job], jobs: list[Job]) -> None:
    conn.send(drive(load, warm, jobs))
    conn.close()


def drive_apart(load: Load, warm: list[Job], jobs: list[Job]) -> Driven:
    """``drive`` in a child process, so the clients share no GIL with the fake Slack."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe(duplex=False)
    child = context.Process(target=_drive_child, args=(theirs, load, warm, jobs))
    child.start()
    theirs.close()
    result = ours.recv()
    child.join()
    return result


# --- the targets --------------------------------------------------------------------


@dataclass
class Target:
    name: str
    server: RunningApp
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    reconnects: int = 0
    windows: list[tuple[float, float]] = field(default_factory=list)
    served: int = 0  # requests sent, warm-ups included
    cpu: float = 0.0  # the worker's CPU seconds while they were served, and just after
    system: float = 0.0  # of which in the kernel (sockets, futexes: threads handing off the GIL)

    def worker_cpu(self) -> tuple[float, float]:
        """The gunicorn worker's user and system CPU seconds so far (Linux)."""
        worker = worker_pid(self.server.process.pid)
        fields = Path(f"/proc/{worker}/stat").read_text().rpartition(")")[2].split()
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tick, int(fields[12]) / tick


def start_target(name: str, env: dict[str, str], workdir: Path, profile: bool) -> RunningApp:
    log_path = workdir / f"{name}.log"
    if profile:
        out = str(workdir / f"{name}.pstats")
        command = [sys.executable, "-m", "bench.load", "--serve-profiled", name, out]
        return start_app(env, log_path, command=command)
    if name == "app":
        return start_app(env, log_path)  # python app.py, as the tests start it
    return start_app(env, log_path, command=[sys.executable, "-m", "bench.bare_bolt"])


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A fresh database: a temp SQLite file, or a new schema on the given Postgres."""
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="bench_load_"))
        try:
            yield f"sqlite:///{folder / 'load.db'}"
        finally:
            shutil.rmtree(folder)
        return
    url = normalize_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        yield url
        return
    schema = f"bench_load_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(url: str, participants: int, pairs: int) -> tuple[Cast, str]:
    """A program's year, ending now, for the app's team; who may do what in it."""
    migrate(url)
    engine = make_engine(url)
    info = seed_year(
        engine, participants=participants, pairs=pairs, now=datetime.now(UTC), team_id=TEAM_ID
    )
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    mentor, mentee = aliased(Person), aliased(Person)
    with engine.connect() as conn:
        members = list(
            conn.scalars(select(Person.slack_user_id).where(Person.status == PersonStatus.ACTIVE))
        )
        running = (
            select(PairWeek.id, mentor.slack_user_id, mentee.slack_user_id)
            .join(Pair, PairWeek.pair_id == Pair.id)
            .join(mentor, Pair.mentor_id == mentor.id)
            .join(mentee, Pair.mentee_id == mentee.id)
            .where(Pair.status == PairStatus.ACTIVE)
        )
        weeks = [(w, u) for w, a, b in conn.execute(running) for u in (a, b)]
        checkins = [
            (c, u)
            for c, u in conn.execute(
                select(CheckIn.id, Person.slack_user_id)
                .join(Person, CheckIn.person_id == Person.id)
                .join(Pair, CheckIn.pair_id == Pair.id)
                .where(Pair.status == PairStatus.ACTIVE)
            )
        ]
    engine.dispose()
    summary = (
        f"{info.counts.get('person', participants):,} people, "
        f"{info.counts.get('pair', pairs):,} pairs; {len(members):,} active, "
        f"{len(weeks) // 2:,} weeks and {len(checkins):,} check-ins of running pairs"
    )
    return Cast(members, weeks, checkins), summary


# --- where the CPU goes (--profile) ---------------------------------------------------


def serve_profiled(which: str, out: str) -> int:
    """Runs a target (``app``: app.py's main; ``bare``: bench.bare_bolt's) with every thread
    of its gunicorn worker under cProfile, timed by the thread's own CPU clock (so a thread
    waiting for the GIL, the database or Slack is not charged). The stats of all threads
    go to ``out`` when the worker exits."""
    import cProfile  # noqa: PLC0415 - only here
    import pstats  # noqa: PLC0415

    import app as upward  # noqa: PLC0415
    from bench import bare_bolt  # noqa: PLC0415

    server = bare_bolt.BareServer if which == "bare" else upward.UpwardServer
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def profile_this_thread() -> None:
        profiler = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append(profiler)
        profiler.enable()

    def first_event(*_: Any) -> None:
        sys.setprofile(None)
        profile_this_thread()

    load, exit_ = server.load, server._worker_exit

    def profiled_load(self: Any) -> Any:
        # In the worker, after fork, before its threads (and the app's pools) start.
        threading.setprofile(first_event)
        profile_this_thread()  # the worker's main thread: gunicorn's poller
        return load(self)

    def profiled_exit(self: Any, arbiter: Any, worker: Any) -> None:
        exit_(self, arbiter, worker)
        threading.setprofile(None)  # type: ignore[arg-type]
        with lock:
            stats = pstats.Stats(*profiles) if profiles else None
        if stats is not None:
            stats.dump_stats(out)

    server.load = profiled_load  # type: ignore[method-assign]
    server._worker_exit = profiled_exit  # type: ignore[method-assign]
    return upward.main([]) if which == "app" else bare_app_main()


def bare_app_main() -> int:
    from bench import bare_bolt  # noqa: PLC0415

    return bare_bolt.main()


def print_profile(name: str, path: Path, requests_served: int, top: int) -> None:
    import pstats  # noqa: PLC0415

    if not path.exists():
        print(f"\n{name}: no profile written ({path})")
        return
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"\n{name}: {total:.2f} s of CPU in the worker's threads, "
        f"{total / requests_served * 1000:.2f} ms per request served ({requests_served})"
    )
    everything = stats.stats.items()  # type: ignore[attr-defined]
    ours = [row for row in everything if _is_ours(row[0][0])]
    for rows, title in (
        (sorted(everything, key=lambda r: r[1][2], reverse=True), "own time"),
        (sorted(everything, key=lambda r: r[1][3], reverse=True), "time with callees"),
        (sorted(ours, key=lambda r: r[1][3], reverse=True), "time with callees, Upward's"),
    ):
        print(f"  top {top} by {title}: ms per request (own, with callees), calls per request")
        for (file, line, func), (_, calls, own, cum, _callers) in rows[:top]:
            where = _short(file)
            print(
                f"    {own / requests_served * 1000:7.3f} {cum / requests_served * 1000:7.3f}"
                f"  {calls / requests_served:6.1f}  {where}:{line}({func})"
            )


def _is_ours(file: str) -> bool:
    return file.startswith(str(ROOT) + "/") and "/.venv/" not in file


def _short(file: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# --- what the worker itself saw --------------------------------------------------------

_REQUEST_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO \[\d+\] upward\.requests: "
    r"(\S+) \S+ \d+ in (\d+) ms"
)
_LOGGED_KINDS = {"command": "command", "block_actions": "action", "view_submission": "submission"}


def inside_worker(log: str, windows: Sequence[tuple[float, float]]) -> dict[str, list[float]]:
    """RequestLog's seconds per kind (from the WSGI call to the ack's bytes: FrontDoor, Bolt
    and the listener until it acked), for requests answered in a measured phase."""
    found: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for line in log.splitlines():
        matched = _REQUEST_LINE.match(line)
        if matched is None or matched[2] not in _LOGGED_KINDS:
            continue
        at = datetime.strptime(matched[1], "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp()
        if any(start <= at <= end + 0.001 for start, end in windows):
            found[_LOGGED_KINDS[matched[2]]].append(int(matched[3]) / 1000)
    return found


# --- the numbers --------------------------------------------------------------------


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class Stats:
    n: int
    p50: float
    p95: float
    p99: float
    top: float
    over_3s: int

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Stats:
        ms = sorted(s * 1000 for s in seconds)
        if not ms:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0)
        over = sum(1 for v in ms if v > SLACK_GIVES_UP * 1000)
        return cls(
            len(ms),
            statistics.median(ms),
            percentile(ms, 95),
            percentile(ms, 99),
            ms[-1],
            over,
        )


def report(targets: dict[str, Target], args: argparse.Namespace, header: list[str]) -> bool:
    """Prints everything; True when every kind passes both bars."""
    bare, app = targets["bare"], targets["app"]
    for line in header:
        print(line)
    verdicts = print_table(bare, app, args.kinds)
    print_throughput(bare, app)
    print_inside(bare, app, args.kinds)
    print("\nthe app, by request (ms):")
    for what, _ in (*COMMANDS, *ACTIONS, *SUBMISSIONS):
        st = Stats.of([s.seconds for s in app.samples if s.what == what])
        if st.n:
            print(
                f"  {what:20s} n {st.n:5d}  p50 {st.p50:7.1f}  p95 {st.p95:7.1f}  "
                f"p99 {st.p99:7.1f}  max {st.top:7.1f}"
            )
    ratio_ok, slack_ok = (all(v[i] for v in verdicts.values()) for i in (0, 1))
    overall = verdicts["all"]
    print(
        f"\np99 within {RATIO_GOAL}x of bare Bolt: {'PASS' if ratio_ok else 'FAIL'} "
        f"(all kinds together: {overall[2]:.2f}x)"
    )
    print(
        f"far inside Slack's {SLACK_GIVES_UP:.0f} s (p99 under {FAR_INSIDE:.0f} s, none over "
        f"{SLACK_GIVES_UP:.0f} s): {'PASS' if slack_ok else 'FAIL'}"
    )
    return ratio_ok and slack_ok


def print_table(
    bare: Target, app: Target, kinds: Sequence[str]
) -> dict[str, tuple[bool, bool, float]]:
    """The main table; per kind (and "all"): within the ratio, far inside 3 s, the ratio."""
    print()
    print(
        f"{'kind':11s} {'target':6s} {'n':>5s} {'p50':>8s} {'p95':>8s} {'p99':>8s} "
        f"{'max':>8s}  {'p99 app/bare':>12s}  {'≤1.2x':5s}  far inside 3 s"
    )
    print("-" * 88)
    verdicts = {}
    for kind in (*kinds, "all"):
        rows = {
            t.name: Stats.of([s.seconds for s in t.samples if kind in ("all", s.kind)])
            for t in (bare, app)
        }
        ratio = rows["app"].p99 / rows["bare"].p99 if rows["bare"].p99 else float("inf")
        st = rows["app"]
        ok_ratio = ratio <= RATIO_GOAL
        ok_slack = st.p99 < FAR_INSIDE * 1000 and st.over_3s == 0
        verdicts[kind] = (ok_ratio, ok_slack, ratio)
        for name in ("bare", "app"):
            st = rows[name]
            tail = ""
            if name == "app":
                tail = (
                    f"  {ratio:11.2f}x  {'PASS' if ok_ratio else 'FAIL':5s}  "
                    f"{'PASS' if ok_slack else 'FAIL'}"
                )
                if st.over_3s:
                    tail += f" ({st.over_3s} over 3 s)"
            print(
                f"{kind if name == 'bare' else '':11s} {name:6s} {st.n:5d} {st.p50:8.1f} "
                f"{st.p95:8.1f} {st.p99:8.1f} {st.top:8.1f}{tail}"
            )
        if kind != "all":
            print()
    print("-" * 88)
    print(
        "milliseconds, from the request sent to the ack's last byte, as the client saw it; "
        f"far inside 3 s: p99 under {FAR_INSIDE:.0f} s and none over 3 s"
    )
    return verdicts


def print_throughput(bare: Target, app: Target) -> None:
    print()
    for target in (bare, app):
        problems = [s for s in target.samples if s.problem]
        print(
            f"{target.name:5s}: {len(target.samples) / target.seconds:6.0f} requests/s over "
            f"{target.seconds:5.1f} s measured, {target.reconnects} reconnections, "
            f"{len(problems)} unexpected answers; worker CPU "
            f"{target.cpu / target.served * 1000:5.2f} ms per request "
            f"({target.system / target.cpu:.0%} in the kernel)"
        )
        for sample in problems[:3]:
            print(f"       {sample.what}: {sample.problem}")
    per_request = [t.cpu / t.served for t in (app, bare)]
    print(
        f"the app's worker spends {per_request[0] / per_request[1]:.1f}x bare Bolt's CPU per "
        "request (warm-ups and the work after each ack included)"
    )


def print_inside(bare: Target, app: Target, kinds: Sequence[str]) -> None:
    print(
        "\ninside the worker, as RequestLog timed them (FrontDoor, Bolt, the listener until "
        "its ack), ms:"
    )
    inside = {t.name: inside_worker(t.server.log(), t.windows) for t in (bare, app)}
    for kind in kinds:
        cells = []
        for name in ("bare", "app"):
            st = Stats.of(inside[name][kind])
            cells.append(f"{name} n {st.n:5d}  p50 {st.p50:6.0f}  p99 {st.p99:6.0f}")
        print(f"  {kind:11s} " + "   ".join(cells))


def drive_legs(targets: dict[str, Target], recipe: Recipe, args: argparse.Namespace) -> None:
    """Each target's share of the requests, in --legs runs each: bare, app, app, bare..."""
    per_leg = -(-args.requests // args.legs)
    order = [("bare", "app") if leg % 2 == 0 else ("app", "bare") for leg in range(args.legs)]
    for leg, names in enumerate(order):
        n = min(per_leg, args.requests - leg * per_leg)
        for name in names:
            target = targets[name]
            # The same recipe for both: batch tags differ only so that each join is new.
            tag = f"{name[0].upper()}{leg}"  # Slack's ids are upper case
            warm = recipe.jobs(f"{tag}W", args.warmup)
            jobs = recipe.jobs(f"{tag}M", n)
            load = Load(target.server.base_url, args.clients, args.rate)
            user, system = target.worker_cpu()
            driven = drive_apart(load, warm, jobs)
            time.sleep(args.pause)  # what the app does after its acks settles
            user_after, system_after = target.worker_cpu()
            target.cpu += user_after - user + system_after - system
            target.system += system_after - system
            target.samples += driven.samples
            target.seconds += driven.seconds
            target.reconnects += driven.reconnects
            target.windows.append(driven.window)
            target.served += len(warm) + len(jobs)


def run(args: argparse.Namespace, url: str) -> bool:
    load_before = os.getloadavg()
    fake = FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID).start()
    workdir = Path(tempfile.mkdtemp(prefix="bench_load_logs_"))
    targets: dict[str, Target] = {}
    try:
        started = time.perf_counter()
        cast, seeded = seed(url, args.participants, args.pairs)
        seed_seconds = time.perf_counter() - started
        for user in {cast.lead, *cast.members, *(u for _, u in cast.weeks)}:
            fake.add_user(user)
        recipe = Recipe(fake, cast, args.kinds)
        app_port, bare_port = free_port(), free_port()
        profile = bool(args.profile)
        for name, port in (("app", app_port), ("bare", bare_port)):
            env = app_env(url, fake.url, port, LOG_FORMAT="text")  # RequestLog lines are read back
            targets[name] = Target(name, start_target(name, env, workdir, profile))
        drive_legs(targets, recipe, args)
        follow_ups = [str(c.args.get("text", "")) for c in fake.calls_to("response_url")]
    finally:
        for target in targets.values():
            target.server.stop()
        fake.stop()
    profiles = {name: workdir / f"{name}.pstats" for name in targets}
    if args.keep_logs:
        print(f"logs kept in {workdir}")
    backend = make_url(url).get_backend_name()
    load_after = os.getloadavg()
    header = [
        f"bench.load: {args.clients} clients, "
        + (f"{args.rate:g} requests/s in all (Poisson)" if args.rate else "closed loop")
        + f", {args.requests} measured requests per target (+{args.warmup} warm-up per run, "
        f"{args.legs} runs each, alternating); {' / '.join(args.kinds)} in equal shares",
        f"app on {backend}: {seeded} (seeded in {seed_seconds:.1f} s); "
        "gunicorn 1 worker, gthread, 8 threads, for both targets",
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} "
        f"({os.cpu_count()} CPUs)",
    ]
    failed = [t for t in follow_ups if t.encode()[:28] in REFUSALS]
    header.append(
        f"the app's follow-ups on response_url (after the acks): {len(follow_ups)}, "
        f"{len(failed)} of them refusals or apologies" + (f", e.g. {failed[0]!r}" if failed else "")
    )
    ok = report(targets, args, header)
    if args.profile:
        print("\n(under cProfile: the latencies above are the profiler's, not the app's)")
        for name in ("bare", "app"):
            served = len(targets[name].samples) + args.warmup * args.legs
            print_profile(name, profiles[name], served, args.profile)
    if not args.keep_logs:
        shutil.rmtree(workdir, ignore_errors=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="measured, per target")
    parser.add_argument("--warmup", type=int, default=200, help="per run, not measured")
    parser.add_argument("--legs", type=int, default=2, help="runs per target, alternating")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="requests a second in all, on Poisson schedules (default 0: closed loop, "
        "each client sends again as soon as it is answered)",
    )
    parser.add_argument(
        "--mix",
        default=",".join(KINDS),
        help="which kinds to send, comma-separated (default: all three, in equal shares)",
    )
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between runs")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="Postgres (a schema of its own is created and dropped); default: SQLite",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="run both servers under cProfile (CPU time) and print their top N functions",
    )
    parser.add_argument(
        "--serve-profiled", nargs=2, metavar=("TARGET", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_profiled:
        sys.exit(serve_profiled(*args.serve_profiled))
    args.kinds = [k for k in KINDS if k in args.mix.split(",")]
    if not args.kinds:
        parser.error(f"--mix: some of {','.join(KINDS)}")
    with database(args.database_url) as url:
        ok = run(args, url)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
