"""The weekly fan-out: 10,000 pairs' prompts through the outbox, against a fake Slack that
enforces Slack's limits for chat.postMessage (one a second per channel, and a workspace
ceiling set high enough to finish in about a minute).

    .venv/bin/python -m bench.fanout [--pairs 10000] [--ceiling 250]

Prints, for week 1 and week 2: planning time, delivery time, messages per second as a
share of the ceiling, 429s, duplicates, losses, and conversations.open calls (week 2
should make none: every channel id is stored). The baseline, in the same process: the
same pacer and threads posting the same number of messages straight to the fake, with no
database and no outbox.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, insert, select

from bot import outbox_keys
from bot.db import make_engine, make_session_factory, migrate
from bot.sandbox.fakeslack import FakeSlack
from bot.services.outbox.delivery import DeliveryService
from bot.services.outbox.dm_channels import DmChannels
from bot.services.outbox.pacing import PostPacer
from bot.services.people.workspaces import ensure_default_program, ensure_workspace
from bot.services.weekly.due import still_wanted
from bot.services.weekly.planner import WeeklyPrompts
from bot.slack.gateway import SlackGateway
from bot.slack.workspaces import SlackWorkspaces
from models import OutboundMessage, OutboxStatus, Pair, Person, PersonSkill, Skill
from tests.support import BOT_TOKEN, TEAM_ID

CREATED = datetime(2027, 2, 22, 12, tzinfo=UTC)  # a Monday: week 1 starts on 1 March
WEEK1_PLAN = datetime(2027, 2, 28, 12, tzinfo=UTC)  # a day before the slots
WEEK1_SEND = datetime(2027, 3, 1, 9, tzinfo=UTC)  # 09:00 London: every slot
WORKERS = 16
# Senders aim a little under the ceiling they are told: network jitter would otherwise
# turn exact pacing into 429s. SLACK_POST_RATE is the pace itself in production.
PACE = 0.97


def seed(sessions, pairs: int) -> None:
    with sessions.begin() as session:
        workspace = ensure_workspace(session, TEAM_ID, CREATED)
        program = ensure_default_program(session, workspace, CREATED)
        program.length_weeks = 12
        skill = session.scalars(select(Skill).where(Skill.slug == "ai-tools")).one()
        people = [
            {
                "workspace_id": workspace.id,
                "program_id": program.id,
                "slack_user_id": f"U{n:09d}",
                "role": "mentor" if n % 2 == 0 else "mentee",
                "status": "active",
                "tz": "Europe/London",
                "joined_at": CREATED,
                "updated_at": CREATED,
            }
            for n in range(pairs * 2)
        ]
        session.execute(insert(Person), people)
        ids = dict(session.execute(select(Person.slack_user_id, Person.id)).all())
        session.execute(
            insert(PersonSkill),
            [
                {
                    "person_id": ids[p["slack_user_id"]],
                    "skill_id": skill.id,
                    "direction": "teach" if p["role"] == "mentor" else "learn",
                }
                for p in people
            ],
        )
        session.execute(
            insert(Pair),
            [
                {
                    "program_id": program.id,
                    "mentor_id": ids[f"U{2 * n:09d}"],
                    "mentee_id": ids[f"U{2 * n + 1:09d}"],
                    "status": "active",
                    "score": 1.0,
                    "reasons": [],
                    "channel_id": f"G{n:09d}",
                    "intro_sent_at": CREATED,
                    "learning_goals": [],
                    "growth_goals": [],
                    "created_at": CREATED,
                }
                for n in range(pairs)
            ],
        )


def week(
    label: str,
    sessions,
    fake: FakeSlack,
    delivery,
    *,
    plan_at: datetime,
    send_at: datetime,
    n: int,
) -> None:
    opens_before = len(fake.calls_to("conversations.open"))
    limited_before = fake.stats.rate_limited
    started = time.perf_counter()
    planned = WeeklyPrompts(sessions).plan(plan_at).planned
    planning = time.perf_counter() - started
    started = time.perf_counter()
    report = delivery.deliver_due(send_at)
    sending = time.perf_counter() - started
    # A 429 puts a message back for Retry-After seconds: later ticks send it.
    retried = 0
    for tick in range(1, 6):
        if not report.rescheduled and not retried:
            break
        again = delivery.deliver_due(send_at + timedelta(minutes=tick))
        retried += again.sent
        if not again.rescheduled:
            break
    with sessions() as s:
        keys = [
            k
            for (k,) in s.execute(
                select(OutboundMessage.key).where(
                    OutboundMessage.key.like(outbox_keys.prompts_of_week_like(int(label)))
                )
            )
        ]
        unsent = s.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(OutboundMessage.status != OutboxStatus.SENT)
        )
    posted = Counter(
        m["metadata"]["event_payload"]["key"]
        for messages in fake.all_messages().values()
        for m in messages
        if m.get("metadata", {}).get("event_type") == "upward_outbox"
    )
    duplicates = sum(c - 1 for c in posted.values() if c > 1)
    lost = max(sum(1 for k in keys if posted[k] == 0), unsent)
    rate = report.sent / sending
    print(
        f"| week {label} | {planned:,} | {planning:.1f} s | {report.sent:,} | {sending:.1f} s "
        f"| {rate:.0f}/s | {rate / CEILING[0]:.0%} "
        f"| {fake.stats.rate_limited - limited_before} ({retried} sent on a later tick) "
        f"| {duplicates} | {lost} | {len(fake.calls_to('conversations.open')) - opens_before} |"
    )
    assert planned == n == report.sent + retried, (planned, report.sent, retried)


CEILING = [250.0]


def baseline(fake: FakeSlack, n: int) -> float:
    """The same pacer and threads, posting straight to Slack: no database, no outbox, and
    no gateway either (a bare client that neither retries nor pauses after a 429), so it is
    the ceiling the outbox is measured against."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, timeout=10, retry_handlers=[])
    pacer = PostPacer(CEILING[0] * PACE)

    def post(i: int) -> None:
        channel = f"B{i:09d}"
        pacer.acquire(channel)
        with contextlib.suppress(SlackApiError):  # counted by the fake's stats
            client.chat_postMessage(channel=channel, text="baseline")

    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(post, range(n)))
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--ceiling", type=float, default=250.0)
    args = parser.parse_args()
    CEILING[0] = args.ceiling
    fake = FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID).start()
    fake.set_post_limits(
        per_channel=1.0, workspace=args.ceiling, workspace_burst=max(1, int(args.ceiling / 5))
    )
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'fanout.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    seed(sessions, args.pairs)
    gateway = SlackGateway(BOT_TOKEN, fake.url)
    # Production's classes; the batch and thread counts are tuned for the ceiling.
    delivery = DeliveryService(
        sessions,
        SlackWorkspaces.of(gateway),
        DmChannels(sessions, SlackWorkspaces.of(gateway)),
        PostPacer(args.ceiling * PACE),
        guard=still_wanted,
        batch_size=500,
        workers=WORKERS,
    )
    print(f"{args.pairs:,} pairs, SQLite, ceiling {args.ceiling:.0f} messages/s, 1/s per channel")
    print(
        "| run | planned | planning | sent | sending | rate | of ceiling | 429s | duplicates "
        "| lost | conversations.open |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    base = baseline(fake, min(args.pairs, 5000))
    print(
        f"| baseline: pacer + threads, no outbox | | | {min(args.pairs, 5000):,} | | "
        f"{base:.0f}/s | {base / args.ceiling:.0%} | | | | |"
    )
    week("1", sessions, fake, delivery, plan_at=WEEK1_PLAN, send_at=WEEK1_SEND, n=args.pairs)
    week(
        "2",
        sessions,
        fake,
        delivery,
        plan_at=WEEK1_PLAN + timedelta(weeks=1),
        send_at=WEEK1_SEND + timedelta(weeks=1),
        n=args.pairs,
    )
    engine.dispose()
    fake.stop()


if __name__ == "__main__":
    main()
