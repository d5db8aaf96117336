"""Sandbox mode through its JSON API: what the page does, against the real app process.

`python app.py` with no Slack settings starts the app on sandbox.db with a local Slack;
the API turns what a person does into the signed requests Slack would send, so these
tests run the production code paths end to end (the browser tests drive the page).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.sandbox.people import LEAD_ID, PEOPLE
from tests.support import RunningApp
from tests.support.polling import wait_until
from tests.support.sandbox_client import Sandbox, buttons, click, sandbox_fixture, start_sandbox

JUNIOR = next(p for p in PEOPLE if p.role == "mentor")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory):
    yield from sandbox_fixture(tmp_path_factory.mktemp("sandbox"))


@pytest.fixture
def fresh(sandbox: Sandbox) -> Sandbox:
    sandbox.do("reset")
    return sandbox


def lead_preview(sandbox: Sandbox) -> tuple[dict[str, Any], dict[str, Any]]:
    dm = sandbox.conversation(LEAD_ID, "im")
    message = next(m for m in dm["messages"] if "matched everyone" in m["text"])
    return dm, message


def find_button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    return next(b for b in buttons(blocks) if b["action_id"] == action_id)


def db_rows(sandbox: Sandbox, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(sandbox.workdir / "sandbox.db") as conn:
        return conn.execute(sql).fetchall()


# --- the first command -----------------------------------------------------------------


def test_no_slack_settings_start_the_sandbox_and_say_where(sandbox: Sandbox):
    lines = [line for line in sandbox.app.log().splitlines() if line.strip()]
    start_up = [line for line in lines if "sandbox ready" in line]
    assert start_up
    assert start_up[0].endswith(f"open {sandbox.url}")
    page = requests.get(sandbox.url, timeout=10)
    assert page.status_code == 200
    assert "Local simulation" in page.text
    assert "Content-Security-Policy" in page.headers
    assert (sandbox.workdir / "sandbox.db").exists()
    assert not (sandbox.workdir / "upward.db").exists()
    assert "Listening at: http://127.0.0.1:" in sandbox.app.log()  # this machine only
    # Slack's own path is still the production front door: unsigned junk is refused.
    unsigned = requests.post(
        sandbox.app.base_url + "/slack/events",
        data=b"command=/mentor",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert unsigned.status_code == 401


def test_with_a_token_there_is_no_sandbox(running_app: RunningApp):
    assert requests.get(running_app.base_url + "/sandbox", timeout=5).status_code == 404
    assert requests.get(running_app.base_url + "/sandbox/api/state", timeout=5).status_code == 404


def test_the_sandbox_binds_to_this_machine_unless_told(tmp_path: Path):
    app = start_sandbox(tmp_path, UPWARD_SANDBOX_HOST="0.0.0.0")
    try:
        log = app.log()
    finally:
        app.stop()
    assert "THE SANDBOX IS BOUND TO 0.0.0.0" in log
    assert "Listening at: http://0.0.0.0:" in log


# --- a whole program -------------------------------------------------------------------


def test_a_whole_program_runs_through_the_real_flows_on_virtual_time(fresh: Sandbox):
    done = fresh.do("demo")["done"]
    assert len(done) == 13
    assert sum("joined" in line for line in done) == 11

    # The lead's preview arrives through the outbox; confirm it with its own button.
    dm, preview = wait_until(lambda: lead_preview(fresh))
    confirm = find_button(preview["blocks"], "upward_match_confirm")
    fresh.do(
        "action",
        user=LEAD_ID,
        where={"kind": "message", "channel": dm["id"], "key": preview["ts"]},
        action=click(confirm),
    )
    groups = wait_until(
        lambda: (
            [c for c in fresh.state(JUNIOR.user_id)["conversations"] if c["kind"] == "mpim"]
            and [c for c in fresh.state(JUNIOR.user_id)["conversations"] if c["kind"] == "mpim"]
        )
    )
    (pair_dm,) = groups
    intro = wait_until(lambda: fresh.conversation(JUNIOR.user_id, "mpim")["messages"])[0]
    assert "Meet your reverse-mentoring partner" in str(intro["blocks"])

    def first_prompt() -> dict[str, Any] | None:
        messages = fresh.conversation(JUNIOR.user_id, "mpim")["messages"]
        return next(
            (
                m
                for m in messages
                if any(b["action_id"] == "upward_prompt_met" for b in buttons(m["blocks"]))
            ),
            None,
        )

    # A week on, the first prompt has landed in the pair's group DM. Week 1 starts on the
    # Monday after the intro in the mentor's calendar: an intro on a Sunday evening in
    # London is already Monday in Kolkata, so that pair's first week is the one after.
    fresh.do("clock", to="week", wait=True)
    prompt = first_prompt()
    if prompt is None:
        fresh.do("clock", to="week", wait=True)
        prompt = first_prompt()
    assert prompt is not None
    before = datetime.fromisoformat(fresh.state(JUNIOR.user_id)["now"])
    fresh.do(
        "action",
        user=JUNIOR.user_id,
        where={"kind": "message", "channel": pair_dm["id"], "key": prompt["ts"]},
        action=click(find_button(prompt["blocks"], "upward_prompt_met")),
    )
    # Recorded at the sandbox's time, not the wall clock's.
    (engaged,) = wait_until(
        lambda: db_rows(fresh, "SELECT engaged_at FROM pair_week WHERE engaged_at IS NOT NULL")
    )
    engaged_at = datetime.fromisoformat(str(engaged[0])).replace(tzinfo=before.tzinfo)
    assert abs(engaged_at - before) < timedelta(minutes=5)
    assert engaged_at - datetime.now(before.tzinfo) > timedelta(days=5)

    # A reply in the prompt's thread reaches the app as a message event.
    fresh.do(
        "say", user=JUNIOR.user_id, channel=pair_dm["id"], text="Loved it!", thread_ts=prompt["ts"]
    )
    replies = fresh.conversation(JUNIOR.user_id, "mpim")
    thread = next(m for m in replies["messages"] if m["ts"] == prompt["ts"])["replies"]
    assert [r["text"] for r in thread] == ["Loved it!"]


def test_a_field_error_comes_back_under_its_field_and_nothing_is_lost(fresh: Sandbox):
    user = JUNIOR.user_id
    dm = fresh.conversation(user, "im")
    fresh.do("command", user=user, channel=dm["id"], text="/mentor join")
    modal = wait_until(lambda: fresh.state(user)["modal"])
    assert modal["callback_id"] == "upward_join"
    role = {"type": "radio_buttons", "selected_option": None}
    answer = fresh.do("submit", user=user, view_id=modal["id"], values={"role": {"value": role}})
    assert set(answer["errors"]) >= {"role"}
    assert fresh.state(user)["modal"]["id"] == modal["id"]  # still open, as in Slack
    assert fresh.state(user)["modal"]["hash"] == modal["hash"]  # and unchanged


def test_commands_answer_only_the_person_who_typed_them(fresh: Sandbox):
    user = JUNIOR.user_id
    dm = fresh.conversation(user, "im")
    fresh.do("command", user=user, channel=dm["id"], text="/mentor help")
    shown = fresh.conversation(user, "im")["ephemeral"]
    assert shown
    assert "/mentor join" in str(shown[-1])
    assert fresh.conversation(LEAD_ID, "im")["ephemeral"] == []
    refused = fresh.post("command", user=user, channel=dm["id"], text="/giphy cats")
    assert refused.status_code == 400
    assert "not a valid command" in refused.json()["error"]


# --- bad input and safety --------------------------------------------------------------


def test_the_api_refuses_other_sites_and_odd_requests(sandbox: Sandbox):
    api = sandbox.url + "/api/say"
    body = {"user": JUNIOR.user_id, "channel": "C0SHOUTOUT", "text": "hi"}
    form = requests.post(api, data=body, timeout=5)
    assert form.status_code == 415
    other_site = requests.post(api, json=body, headers={"Origin": "http://evil.example"}, timeout=5)
    assert other_site.status_code == 403
    rebound = requests.get(sandbox.url + "/api/state", headers={"Host": "evil.example"}, timeout=5)
    assert rebound.status_code == 403
    nobody = requests.post(api, json={**body, "user": "U0NOBODY01"}, timeout=5)
    assert nobody.status_code == 400
    assert nobody.json() == {"error": "Pick someone in the workspace to act as."}
    not_theirs = requests.post(api, json={**body, "channel": "GNOTYOURS1"}, timeout=5)
    assert not_theirs.status_code == 400
    junk = requests.post(
        api, data=b"{not json", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert junk.status_code == 400
    assert "Traceback" not in junk.text
    assert requests.get(sandbox.url + "/static/app.py", timeout=5).status_code == 404
    assert requests.get(sandbox.url + "/static/%2E%2E%2Fapp.py", timeout=5).status_code == 404


def test_typed_text_is_escaped_as_slacks_client_does(fresh: Sandbox):
    text = "<img src=x onerror=alert(1)> & <!channel>"
    fresh.do("say", user=JUNIOR.user_id, channel="C0SHOUTOUT", text=text)
    channel = fresh.conversation(JUNIOR.user_id, "channel")
    assert channel["messages"][-1]["text"] == (
        "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;!channel&gt;"
    )


def test_reset_empties_only_sandbox_db(fresh: Sandbox):
    neighbour = fresh.workdir / "upward.db"
    neighbour.write_bytes(b"a real workspace's data")
    try:
        fresh.do("demo")
        assert db_rows(fresh, "SELECT count(*) FROM person")[0][0] == 11
        fresh.do("reset")
        assert db_rows(fresh, "SELECT count(*) FROM person")[0][0] == 0
        assert neighbour.read_bytes() == b"a real workspace's data"
        assert fresh.conversation(LEAD_ID, "im")["messages"] == []
    finally:
        neighbour.unlink()


def test_home_tab_is_published_when_opened(fresh: Sandbox):
    assert fresh.state(JUNIOR.user_id)["home"] is None
    fresh.do("home", user=JUNIOR.user_id)
    home = wait_until(lambda: fresh.state(JUNIOR.user_id)["home"])
    assert home["type"] == "home"
    assert "/mentor join" in str(home["blocks"]) or "Join" in str(home["blocks"])


def test_a_restart_carries_on_where_the_sandbox_was(tmp_path: Path):
    first = Sandbox(start_sandbox(tmp_path), tmp_path)
    try:
        first.do("demo")
        _, preview = wait_until(lambda: lead_preview(first))
        first.do("clock", to="day", wait=True)
        before = datetime.fromisoformat(first.state(LEAD_ID)["now"])
    finally:
        assert first.app.stop() == 0
    second = Sandbox(start_sandbox(tmp_path), tmp_path)
    try:
        _, again = lead_preview(second)
        assert again["ts"] == preview["ts"]
        assert datetime.fromisoformat(second.state(LEAD_ID)["now"]) >= before
        assert "carried on from" in second.app.log()
    finally:
        second.app.stop()


# --- the page's door, called as WSGI (addresses a test client cannot fake) ---------------


def _call_site(site: Any, path: str, **environ: str) -> tuple[str, bytes]:
    import io

    answer: dict[str, str] = {}
    body = environ.pop("body", "")
    env = {
        "REQUEST_METHOD": environ.pop("method", "GET"),
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:3000",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body.encode()),
        **environ,
    }
    chunks = site(env, lambda status, headers: answer.update(status=status))
    return answer["status"], b"".join(chunks)


@pytest.mark.parametrize(
    ("environ", "status"),
    [
        ({}, "200 OK"),
        ({"REMOTE_ADDR": "192.168.1.20"}, "403 Forbidden"),
        ({"HTTP_HOST": "evil.example:3000"}, "403 Forbidden"),
        ({"HTTP_HOST": "localhost:3000"}, "200 OK"),
        ({"HTTP_HOST": "[::1]:3000", "REMOTE_ADDR": "::1"}, "200 OK"),
    ],
)
def test_only_this_machine_may_use_the_page(environ: dict[str, str], status: str):
    from bot.sandbox.site import SandboxSite

    site = SandboxSite(object())  # type: ignore[arg-type] - refused before it is used
    assert _call_site(site, "/sandbox", **environ)[0] == status


@pytest.mark.parametrize(
    ("environ", "status"),
    [
        ({"HTTP_ORIGIN": "null", "CONTENT_TYPE": "application/json"}, "403 Forbidden"),
        (
            {"HTTP_ORIGIN": "http://evil.example", "CONTENT_TYPE": "application/json"},
            "403 Forbidden",
        ),
        ({"CONTENT_TYPE": "text/plain"}, "415 Unsupported Media Type"),
        ({"CONTENT_TYPE": "application/x-www-form-urlencoded"}, "415 Unsupported Media Type"),
    ],
)
def test_no_other_site_can_act_through_the_api(environ: dict[str, str], status: str):
    from bot.sandbox.site import SandboxSite

    site = SandboxSite(object())  # type: ignore[arg-type]
    answer = _call_site(site, "/sandbox/api/reset", method="POST", body="{}", **environ)
    assert answer[0] == status


def test_bound_wider_it_still_refuses_other_names():
    from bot.sandbox.site import SandboxSite

    site = SandboxSite(object(), local_only=False, bound_to="0.0.0.0")  # type: ignore[arg-type]
    assert (
        _call_site(site, "/sandbox", REMOTE_ADDR="10.0.0.7", HTTP_HOST="10.0.0.5:3000")[0]
        == "200 OK"
    )
    assert (
        _call_site(site, "/sandbox", REMOTE_ADDR="10.0.0.7", HTTP_HOST="rebound.example")[0]
        == "403 Forbidden"
    )
