"""Sandbox mode: the real app on its own database, talking to a local Slack.

app.py builds a Sandbox in the gunicorn worker, points the app's SLACK_API_URL at its
fake Slack, gives the whole app its virtual clock and mounts SandboxSite on /sandbox.
What the page asks for arrives here as plain dicts; each is checked (who, where, what)
before it becomes a request to the app.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, redact_url
from bot.db import migrate
from bot.mrkdwn import escape
from bot.sandbox.clock import ClockMover, VirtualClock, after_the_thanks, next_working_morning
from bot.sandbox.demo import Demo
from bot.sandbox.fakeslack import FakeSlack
from bot.sandbox.people import BY_ID, LEAD_ID, PEOPLE, SHOUTOUT_CHANNEL, TEAM_ID, TEAM_NAME
from bot.sandbox.slack_side import Refusal, SlackSide, Where
from bot.services.programs.lifecycle import RECOGNITION_DELAY, program_end
from models import MENTOR, Pair, PairStatus, Person, Program
from models.base import Base

log = logging.getLogger(__name__)

SANDBOX_DATABASE = "sandbox.db"
SAVE_EVERY_SECONDS = 2.0  # what the page showed survives a restart of `make run`
# The sandbox's own table, in sandbox.db only (not the app's schema): one JSON row.
CREATE_SNAPSHOT = "CREATE TABLE IF NOT EXISTS sandbox_snapshot (id INTEGER PRIMARY KEY, data TEXT)"
SANDBOX_TICK_SECONDS = 10  # the virtual clock runs on between jumps; ticks keep up with it
MAX_TEXT = 4000  # Slack's composer takes 40,000; nothing in Upward needs more than this
CLOCK_MOVES = ("morning", "day", "week", "end")


def sandbox_settings(port: int, database_url: str | None = None) -> Settings:
    """Settings for sandbox mode: made-up credentials (the fake Slack's own), the demo
    lead, and a database of its own. api_url is set once the fake Slack is listening."""
    return Settings(
        bot_token="xoxb-sandbox-" + secrets.token_hex(8),
        signing_secret=secrets.token_hex(16),
        app_token=None,
        api_url="http://127.0.0.1:9/api/",
        database_url=database_url or f"sqlite:///{SANDBOX_DATABASE}",
        port=port,
        leads=frozenset({LEAD_ID}),
        tick_seconds=SANDBOX_TICK_SECONDS,
    )


def is_loopback_host(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


@dataclass
class _Wiring:
    side: SlackSide
    mover: ClockMover
    demo: Demo
    sessions: sessionmaker[Session]
    engine: Engine
    run_due: Callable[[datetime], object]


class Sandbox:
    """The fake Slack with its demo workspace, the virtual clock, and what the page does."""

    def __init__(self, settings: Settings) -> None:
        self.clock = VirtualClock()
        self.fake = FakeSlack(token=settings.bot_token, team_id=TEAM_ID, keep_calls=1000)
        self._settings = settings
        self._wiring: _Wiring | None = None
        # One control at a time (a demo, a clock move starting, a reset); one run_due at a
        # time (the scheduler's, a move's steps, the demo's); one save at a time.
        self._control = threading.Lock()
        self._tick_lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._last_demo: list[str] = []
        self._stopping = threading.Event()

    def tick(self, now: datetime) -> object:
        with self._tick_lock:
            return self._wired.run_due(now)

    def scheduled_tick(self) -> None:
        """The scheduler's tick in sandbox mode: skipped while the clock is moving, as the
        move runs run_due at every step itself."""
        if self._wired.mover.progress is None:
            self.tick(self.clock.now())

    def start(self) -> Settings:
        """Starts the fake Slack; returns the app's settings pointed at it."""
        self.fake.start()
        self._seed()
        return replace(self._settings, api_url=self.fake.url)

    def stop(self) -> None:
        self._stopping.set()
        if self._wiring is not None:
            self.save()
        self.fake.stop()

    # -- what survives a restart

    def save(self) -> None:
        """Keeps the local Slack's conversations and the sandbox's time in sandbox.db, so a
        restarted `make run` shows what the database remembers."""
        with self._save_lock:
            self._write_snapshot()

    def _write_snapshot(self) -> None:
        data = json.dumps({"now": self.clock.now().isoformat(), "slack": self.fake.export_state()})
        with self._wired.engine.begin() as conn:
            conn.execute(text("DELETE FROM sandbox_snapshot"))
            conn.execute(
                text("INSERT INTO sandbox_snapshot (id, data) VALUES (1, :data)"), {"data": data}
            )

    def _restore(self) -> None:
        with self._wired.engine.begin() as conn:
            conn.execute(text(CREATE_SNAPSHOT))
            data = conn.execute(text("SELECT data FROM sandbox_snapshot WHERE id = 1")).scalar()
        if data is None:
            return
        saved = json.loads(data)
        self.fake.import_state(saved["slack"])
        self.clock.move_to(datetime.fromisoformat(saved["now"]))
        log.info("sandbox: carried on from %s (sandbox time)", saved["now"])

    def _keep_saving(self) -> None:
        seen = self.fake.changes
        while not self._stopping.wait(SAVE_EVERY_SECONDS):
            changes = self.fake.changes
            # While the clock moves, its steps have the database; the move's end is saved.
            if changes == seen or self._wired.mover.progress is not None:
                continue
            try:
                self.save()
                seen = changes
            except Exception:  # the next round tries again; the app is unaffected
                log.exception("sandbox: could not save the local Slack's state")

    def attach(
        self,
        app_url: str,
        run_due: Callable[[datetime], object],
        sessions: sessionmaker[Session],
        engine: Engine,
    ) -> None:
        """Connects the sandbox to the app built on its settings."""
        side = SlackSide(self.fake, app_url, self._settings.signing_secret or "")
        self.fake.files_url = f"{app_url}/sandbox/files/"
        mover = ClockMover(self.clock, self.tick)
        demo = Demo(self.fake, side, self.clock.now, lambda: self.tick(self.clock.now()))
        self._wiring = _Wiring(side, mover, demo, sessions, engine, run_due)
        self._restore()
        threading.Thread(target=self._keep_saving, name="sandbox-save", daemon=True).start()

    @property
    def _wired(self) -> _Wiring:
        if self._wiring is None:
            raise RuntimeError("the sandbox is not attached to the app yet")
        return self._wiring

    def _seed(self) -> None:
        self.fake.clock = lambda: self.clock.now().timestamp()
        for person in PEOPLE:
            self.fake.add_user(
                person.user_id,
                tz=person.tz,
                real_name=person.name,
                title=person.title,
                is_admin=person.is_lead,
                email=f"{person.name.split()[0].lower()}@northwind.example",
            )
        self.fake.add_channel(*SHOUTOUT_CHANNEL)

    # -- what the page reads

    def state(self, user: str) -> dict[str, Any]:
        # Someone the page remembers who is not (or no longer) in the workspace: the lead.
        me = user if user in BY_ID else LEAD_ID
        progress = self._wired.mover.progress
        return {
            "simulation": True,
            "team": TEAM_NAME,
            "now": self.clock.now().isoformat(),
            "moving": (
                {"target": progress.target.isoformat(), "at": progress.at.isoformat()}
                if progress
                else None
            ),
            "me": me,
            "people": [
                {
                    "id": p.user_id,
                    "name": p.name,
                    "title": p.title,
                    "department": p.department,
                    "tz": p.tz,
                    "initials": p.initials,
                    "color": p.color,
                    "is_lead": p.is_lead,
                    "role": p.role,
                }
                for p in PEOPLE
            ],
            "channels": self.fake.channels,
            "conversations": self._conversations(me),
            "home": self.fake.home_of(me),
            "modal": self.fake.modal_of(me),
            "modal_depth": self.fake.modal_depth(me),
            "demo": self._last_demo,
        }

    def _conversations(self, user: str) -> list[dict[str, Any]]:
        ephemeral = self.fake.ephemeral_of(user)
        channels = self.fake.channels
        shown = []
        for channel, members in self.fake.conversations_of(user):
            messages = self.fake.messages(channel)
            top = [m for m in messages if m.get("thread_ts", m["ts"]) == m["ts"]]
            replies: dict[str, list[dict[str, Any]]] = {}
            for m in messages:
                if m.get("thread_ts", m["ts"]) != m["ts"]:
                    replies.setdefault(m["thread_ts"], []).append(m)
            if channel in channels:
                kind, name = "channel", channels[channel]
            elif len(members) == 1:
                kind, name = "im", "Upward"
            else:
                kind = "mpim"
                name = ", ".join(BY_ID[m].name.split()[0] for m in members if m in BY_ID)
            shown.append(
                {
                    "id": channel,
                    "kind": kind,
                    "name": name,
                    "members": list(members),
                    "messages": [
                        {**_shown(m), "replies": [_shown(r) for r in replies.get(m["ts"], [])]}
                        for m in top
                    ],
                    "ephemeral": [e for e in ephemeral if e["channel"] == channel],
                }
            )
        return shown

    # -- what a person does

    def command(self, body: dict[str, Any]) -> None:
        user, channel = self._who_where(body)
        text = _text(body, "text")
        word, _, rest = text.strip().partition(" ")
        if word != "/mentor":
            raise Refusal(f"{word or text} is not a valid command. In the sandbox, try /mentor.")
        self._wired.side.command(user, channel, rest.strip())

    def say(self, body: dict[str, Any]) -> None:
        user, channel = self._who_where(body)
        text = _text(body, "text")
        if not text.strip():
            raise Refusal("Type a message first.")
        thread = body.get("thread_ts")
        if thread is not None and (
            not isinstance(thread, str) or self.fake.message(channel, thread) is None
        ):
            raise Refusal("That thread is no longer there.")
        # Slack's own client escapes what a person types, so "<!channel>" typed in a
        # message is text, not a mention; only its mention picker makes real ones.
        self._wired.side.say(user, channel, escape(text), thread)

    def action(self, body: dict[str, Any]) -> None:
        user = _person(body.get("user"))
        where = self._where(user, body.get("where"))
        action = body.get("action")
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            raise Refusal("That click could not be read.")
        state = body.get("state")
        self._wired.side.action(user, where, action, state if isinstance(state, dict) else None)

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        user = _person(body.get("user"))
        view = self._my_modal(user, body.get("view_id"))
        values = body.get("values")
        if not isinstance(values, dict):
            raise Refusal("That form could not be read.")
        return {"errors": self._wired.side.submit(user, view, values)}

    def close(self, body: dict[str, Any]) -> None:
        user = _person(body.get("user"))
        self._wired.side.close(user, self._my_modal(user, body.get("view_id")))

    def home(self, body: dict[str, Any]) -> None:
        self._wired.side.open_home(_person(body.get("user")))

    # -- the sandbox's own controls

    def move_clock(self, body: dict[str, Any]) -> dict[str, Any]:
        to = body.get("to")
        if to not in CLOCK_MOVES:
            raise Refusal(f"The clock moves by one of {', '.join(CLOCK_MOVES)}.")
        now = self.clock.now()
        if to == "morning":
            target = next_working_morning(now, BY_ID[_person(body.get("user"))].tz)
        elif to == "day":
            target = now + timedelta(days=1)
        elif to == "week":
            target = now + timedelta(weeks=1)
        else:
            target = self._end_of_programs(now)
        if not self._control.acquire(blocking=False):
            raise Refusal("The sandbox is busy (a demo or a reset); try again in a moment.")
        try:
            started = self._wired.mover.start(target)
        finally:
            self._control.release()
        if not started:
            raise Refusal("The clock is already moving; wait for it to arrive.")
        if body.get("wait"):
            self._wired.mover.wait()
        return {"target": target.isoformat()}

    def _end_of_programs(self, now: datetime) -> datetime:
        """A working afternoon two days after the last active pair's program ends, so the
        thank-yous and shout-outs have been sent in everyone's working hours."""
        mentor = MENTOR
        with self._wired.sessions() as session:
            rows = session.execute(
                select(Pair.created_at, mentor.tz, Program.length_weeks)
                .join(Program, Pair.program_id == Program.id)
                .join(mentor, Pair.mentor_id == mentor.id)
                .where(Pair.status == PairStatus.ACTIVE)
            ).all()
        if not rows:
            raise Refusal("No program is running yet: start a demo program first.")
        end = max(program_end(created, tz, weeks) for created, tz, weeks in rows)
        return max(after_the_thanks(end + RECOGNITION_DELAY), now + timedelta(minutes=1))

    def demo(self, _body: dict[str, Any]) -> dict[str, Any]:
        if not self._control.acquire(blocking=False):
            raise Refusal("The sandbox is busy (a demo or a reset); try again in a moment.")
        try:
            with self._wired.sessions() as session:
                if session.scalar(select(Person.id).limit(1)) is not None:
                    raise Refusal(
                        "People have already joined. Reset the sandbox to start the demo again."
                    )
            self._last_demo = self._wired.demo.run()
            return {"done": self._last_demo, "me": LEAD_ID}
        finally:
            self._control.release()

    def reset(self, _body: dict[str, Any]) -> None:
        """Empties sandbox.db (every table dropped, then migrated afresh, so the seeded
        catalogue is back), the local Slack and the sandbox's time: an empty workspace at
        today's date. The file itself stays, as the app's open connections point at it."""
        if not self._control.acquire(blocking=False):
            raise Refusal("The sandbox is busy (a demo or a reset); try again in a moment.")
        try:
            if self._wired.mover.progress is not None:
                raise Refusal("Wait for the clock to arrive before resetting.")
            with self._tick_lock, self._save_lock:
                self.fake.reset(rewind_ts=True)
                self.clock.rewind()
                self._seed()
                self._last_demo = []
                engine = self._wired.engine
                with engine.begin() as conn:
                    Base.metadata.drop_all(conn)
                    conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
                    conn.execute(text("DELETE FROM sandbox_snapshot"))
                engine.dispose()
                migrate(self._settings.database_url)
        finally:
            self._control.release()
        log.info("sandbox reset: %s emptied", redact_url(self._settings.database_url))

    # -- checks

    def _who_where(self, body: dict[str, Any]) -> tuple[str, str]:
        user = _person(body.get("user"))
        channel = body.get("channel")
        if channel not in {c for c, _ in self.fake.conversations_of(user)}:
            raise Refusal("That conversation is not one of yours.")
        return user, str(channel)

    def _where(self, user: str, where: Any) -> Where:
        if not isinstance(where, dict) or where.get("kind") not in (
            "message",
            "ephemeral",
            "modal",
            "home",
        ):
            raise Refusal("That click came from nowhere the sandbox knows.")
        kind = where["kind"]
        key = str(where.get("key", ""))
        if kind == "modal":
            key = self._my_modal(user, key)
        elif kind == "home":
            home = self.fake.home_of(user)
            if home is None or home["id"] != key:
                raise Refusal("That Home tab is out of date; open it again.")
        channel = str(where.get("channel", ""))
        if kind == "message" and channel not in {c for c, _ in self.fake.conversations_of(user)}:
            raise Refusal("That conversation is not one of yours.")
        return Where(kind, channel, key)

    def _my_modal(self, user: str, view_id: Any) -> str:
        modal = self.fake.modal_of(user)
        if modal is None or modal["id"] != view_id:
            raise Refusal("That modal has closed.")
        return str(view_id)


def _person(user: Any) -> str:
    if not isinstance(user, str) or user not in BY_ID:
        raise Refusal("Pick someone in the workspace to act as.")
    return user


def _text(body: dict[str, Any], name: str) -> str:
    text = body.get(name)
    if not isinstance(text, str):
        raise Refusal("Type something first.")
    if len(text) > MAX_TEXT:
        raise Refusal(f"That message is too long for the sandbox ({MAX_TEXT} characters).")
    return text


def _shown(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the page needs it: who, when, what; files with the page's own URLs."""
    files = [
        {
            "id": f["id"],
            "name": f["name"],
            "title": f.get("title") or f["name"],
            "url": f"/sandbox/files/{f['id']}/{f['name']}",
            "is_image": str(f["name"]).lower().endswith((".png", ".jpg", ".jpeg", ".gif")),
        }
        for f in message.get("files", [])
    ]
    return {
        "ts": message["ts"],
        "at": datetime.fromtimestamp(float(message["ts"]), UTC).isoformat(),
        "user": message.get("user"),
        "is_app": "bot_id" in message,
        "text": message.get("text", ""),
        "blocks": message.get("blocks") or [],
        "files": files,
        "edited": "edited" in message,
    }
