"""Planning outbox rows many at a time: one statement, and a key planned twice is a no-op."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.services.outbox.delivery import Outgoing, enqueue, enqueue_many
from bot.services.people.workspaces import ensure_workspace
from models import OutboundMessage

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def message(key: str, text: str = "hello") -> Outgoing:
    return Outgoing(key=key, kind="prompt", text=text, due_at=NOW, channel_id="G1")


@pytest.fixture
def workspace_id(sessions, new_id) -> int:
    with sessions.begin() as session:
        return ensure_workspace(session, new_id("T"), NOW).id


def test_many_messages_in_one_call_only_new_keys_count(sessions, workspace_id, new_id):
    keys = [new_id("k") for _ in range(3)]
    with sessions.begin() as session:
        assert enqueue(session, workspace_id, message(keys[0], "first"), NOW)
    with sessions.begin() as session:
        planned = enqueue_many(
            session,
            [(workspace_id, message(key, "second")) for key in [*keys, keys[2]]],
            NOW,
        )
    assert planned == 2  # keys[0] existed; keys[2] twice in the same call is one row
    with sessions() as session:
        rows = {
            m.key: m
            for m in session.scalars(select(OutboundMessage).where(OutboundMessage.key.in_(keys)))
        }
    assert set(rows) == set(keys)
    assert rows[keys[0]].text == "first"  # an existing row is left as it was
    assert rows[keys[1]].next_attempt_at == rows[keys[1]].due_at == NOW


def test_nothing_to_plan_is_no_statement(sessions):
    with sessions.begin() as session:
        assert enqueue_many(session, [], NOW) == 0


def test_a_message_without_one_recipient_plans_none_of_its_batch(sessions, workspace_id, new_id):
    good, bad = new_id("k"), new_id("k")
    nowhere = Outgoing(key=bad, kind="prompt", text="x", due_at=NOW)
    with pytest.raises(ValueError, match="exactly one"), sessions.begin() as session:
        enqueue_many(session, [(workspace_id, message(good)), (workspace_id, nowhere)], NOW)
    with sessions() as session:
        found = session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(OutboundMessage.key.in_([good, bad]))
        )
    assert found == 0
