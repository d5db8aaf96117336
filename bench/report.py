"""The lead's program report on a year of history (issue 5: under one second).

    .venv/bin/python -m bench.report [--participants 10000] [--pairs 5000]
        [--database-url URL] [--repeat 5] [--profile 8] [--keep]

Seeds a fresh database (SQLite in a temp dir unless --database-url is given, e.g.
postgresql://postgres@127.0.0.1:5432/test, where a schema of its own is created and
dropped afterwards) with one program's year (bench.report_seed), then times, in the same
process and each --repeat times:

- the baseline: the cheapest honest full read of the same history, one aggregate query
  per table (person, pair_week joined to pair, check_in joined to pair, outbound_message);
- report: ``ReportService.build(team, None)``, what ``/mentor report`` renders;
- report + rows: ``build(..., detail=True)``, the data behind the CSV.

Prints best, median and worst milliseconds, the SQL statements one run executes, and the
median's ratio to the baseline's; the report passes when its worst run is under a second.
--profile N prints the N slowest statements of each build with their query plans.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bench.report_seed import NOW, SeedInfo, seed_year
from bot.config import normalize_database_url
from bot.db import make_engine, make_session_factory, migrate

BAR_MS = 1_000.0

BASELINE = (
    """SELECT count(*), sum(CASE WHEN status = 'active' THEN 1 ELSE 0 END)
       FROM person WHERE program_id = :program""",
    """SELECT count(*), count(w.engaged_at),
              sum(CASE WHEN w.outcome IN ('met', 'async') THEN 1 ELSE 0 END)
       FROM pair_week w JOIN pair p ON p.id = w.pair_id WHERE p.program_id = :program""",
    """SELECT count(*), count(c.answered_at), sum(c.rating)
       FROM check_in c JOIN pair p ON p.id = c.pair_id WHERE p.program_id = :program""",
    """SELECT count(*), sum(CASE WHEN m.status = 'sent' THEN 1 ELSE 0 END)
       FROM outbound_message m JOIN program g ON g.workspace_id = m.workspace_id
       WHERE g.id = :program""",
)


class Clock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Statements:
    """Every statement the engine runs while ``recording``, with how long it took."""

    recording: bool = False
    seen: list[tuple[str, Any, float]] = field(default_factory=list)
    _started: float = 0.0

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, _cursor: Any, _stmt: str, _params: Any, *_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self.recording:
            self.seen.append((statement, params, time.perf_counter() - self._started))

    @contextmanager
    def record(self) -> Iterator[list[tuple[str, Any, float]]]:
        self.seen, self.recording = [], True
        try:
            yield self.seen
        finally:
            self.recording = False


@dataclass(frozen=True)
class Timing:
    name: str
    runs_ms: list[float]
    statements: int

    @property
    def median(self) -> float:
        return statistics.median(self.runs_ms)


def time_it(name: str, fn: Callable[[], object], repeat: int, stmts: Statements) -> Timing:
    runs = []
    for _ in range(repeat):
        with stmts.record() as seen:
            started = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - started) * 1000)
    return Timing(name, runs, len(seen))


def baseline(sessions: sessionmaker[Session], program_id: int) -> None:
    with sessions() as session:
        for query in BASELINE:
            session.execute(text(query), {"program": program_id}).one()


def print_seed(info: SeedInfo, seconds: float, backend: str) -> None:
    c = info.counts
    print(f"database: {backend}   seed: {seconds:.1f} s   now: {info.now:%Y-%m-%d %H:%M} UTC")
    print(
        f"seeded: {c['person']:,} people · {c['pair']:,} pairs ({c['pairs_active']:,} active, "
        f"{c['pairs_ended']:,} ended, {c['pairs_at_risk']} at risk) · "
        f"{c['match_round']} rounds, {c['match_waiting']} waiting"
    )
    outbound = ", ".join(
        f"{k.split(':')[1]} {v:,}" for k, v in sorted(c.items()) if k.startswith("outbound:")
    )
    print(
        f"        {c['pair_week']:,} pair weeks · {c['check_in']:,} check-ins "
        f"({c['check_in_answered']:,} answered) · {c['outbound_message']:,} outbound ({outbound})"
    )
    print(
        f"        outcomes: {c['self_assessment']:,} self-assessments "
        f"({c['self_assessment:before']:,} before, {c['self_assessment:after']:,} after; "
        f"{c['self_assessment_answered']:,} answered, {c['self_assessment_skipped']:,} skipped) "
        f"with {c['self_assessment_score']:,} scores · {c['outcome_survey']:,} surveys "
        f"(end {c['outcome_survey:end']:,}, day30 {c['outcome_survey:day30']:,}, "
        f"day60 {c['outcome_survey:day60']:,}; {c['outcome_survey_answered']:,} answered, "
        f"{c['outcome_survey_skipped']:,} skipped) · {c['commitment']:,} commitments "
        f"({c['commitment_shared']:,} shared) with {c['commitment_progress']:,} progress rows"
    )


def print_table(rows: list[Timing], base: Timing) -> None:
    print()
    print("| step | best ms | median ms | worst ms | statements | median vs baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in rows:
        ratio = "1" if t is base else f"×{t.median / base.median:.1f}"
        print(
            f"| {t.name} | {min(t.runs_ms):.1f} | {t.median:.1f} | {max(t.runs_ms):.1f} "
            f"| {t.statements} | {ratio} |"
        )


def profile(
    engine: Engine, stmts: Statements, fn: Callable[[], object], name: str, top: int
) -> None:
    """The slowest statements of one run, with the database's plan for each."""
    with stmts.record() as seen:
        fn()
    total = sum(s for *_, s in seen) * 1000
    print(f"\n{name}: {len(seen)} statements, {total:.1f} ms in the database driver")
    explain = (
        "EXPLAIN QUERY PLAN "
        if engine.dialect.name == "sqlite"
        else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    )
    for statement, params, seconds in sorted(seen, key=lambda s: -s[2])[:top]:
        print(f"\n  {seconds * 1000:7.1f} ms  {' '.join(statement.split())[:400]}")
        if isinstance(params, list):  # executemany: no plan
            continue
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(explain + statement, params).all()
        for line in plan:
            print("             " + " | ".join(str(v) for v in line[-1:]))


@contextmanager
def database(url: str | None, keep: bool) -> Iterator[str]:
    """A fresh database URL: a temp SQLite file, or a new schema on the given Postgres."""
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="bench_report_"))
        try:
            yield f"sqlite:///{folder / 'report.db'}"
        finally:
            if keep:
                print(f"\nkept {folder / 'report.db'}")
            else:
                shutil.rmtree(folder)
        return
    url = normalize_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        yield url
        return
    schema = f"bench_report_{secrets.token_hex(4)}"
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
        if keep:
            print(f"\nkept schema {schema}")
        else:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(url: str, args: argparse.Namespace) -> None:
    from bot.services.reports.report import ReportService  # noqa: PLC0415 - after argument parsing
    from bot.views.report import report_message  # noqa: PLC0415
    from bot.views.report_chart import report_chart  # noqa: PLC0415
    from bot.views.report_files import report_csv  # noqa: PLC0415

    migrate(url, "head")
    engine = make_engine(url)
    backend = engine.dialect.name
    started = time.perf_counter()
    info = seed_year(engine, participants=args.participants, pairs=args.pairs, now=NOW)
    seeded = time.perf_counter() - started
    if backend == "postgresql":
        # What autovacuum would have done to a year-old database: fresh tables have no
        # statistics, and the planner would guess.
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print_seed(info, seeded, backend)

    stmts = Statements()
    stmts.attach(engine)
    sessions = make_session_factory(engine)
    base = time_it(
        "baseline: one aggregate per table",
        lambda: baseline(sessions, info.program_id),
        args.repeat,
        stmts,
    )
    service = ReportService(sessions, Clock())
    report = service.build(info.team_id, None)
    detail = service.build(info.team_id, None, detail=True)
    p, e = report.pairs, report.engagement
    print(
        f"report: {p.active:,} active pairs ({p.at_risk} at risk, {len(report.at_risk)} listed), "
        f"{p.ended:,} ended ({p.completed:,} completed) · {e.prompts_delivered:,} prompts "
        f"delivered, {e.sessions:,} sessions · check-ins {e.checkins_answered:,}/"
        f"{e.checkins_asked:,} · {len(report.waitlist)} waiting · {len(report.weekly)} weeks · "
        f"CSV rows {len(detail.rows):,}"
    )
    timings = [
        base,
        time_it(
            "report: build(team, None)",
            lambda: service.build(info.team_id, None),
            args.repeat,
            stmts,
        ),
        time_it(
            "report + rows: build(..., detail=True)",
            lambda: service.build(info.team_id, None, detail=True),
            args.repeat,
            stmts,
        ),
        # What a lead waits for, end to end (less the Slack round trip).
        time_it(
            "/mentor report: build + Block Kit",
            lambda: report_message(service.build(info.team_id, None)),
            args.repeat,
            stmts,
        ),
        time_it(
            "/mentor report csv: build + CSV bytes",
            lambda: report_csv(service.build(info.team_id, None, detail=True)),
            args.repeat,
            stmts,
        ),
        time_it(
            "/mentor report chart: build + PNG",
            lambda: report_chart(service.build(info.team_id, None)),
            args.repeat,
            stmts,
        ),
    ]
    print_table(timings, base)
    worst = max(timings[1].runs_ms)
    verdict = "PASS (< 1 s)" if worst < BAR_MS else "FAIL (≥ 1 s)"
    print(f"\nreport, slowest of {args.repeat} runs: {worst:.0f} ms: {verdict}")
    if args.profile:
        profile(engine, stmts, lambda: service.build(info.team_id, None), "report", args.profile)
        profile(
            engine,
            stmts,
            lambda: service.build(info.team_id, None, detail=True),
            "report + rows",
            args.profile,
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=5_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    args = parser.parse_args()
    with database(args.database_url, args.keep) as url:
        run(url, args)


if __name__ == "__main__":
    main()
