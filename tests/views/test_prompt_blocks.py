"""The weekly prompt's blocks: built once per prompt and week, filled in for each pair."""

from __future__ import annotations

import json

from bot.ids import Action
from bot.services.weekly.prompts import load_library
from bot.slack.limits import check_message
from bot.views.prompts import prompt_blocks

LIBRARY = load_library()


def blocks_for(pair_week_id: int, mentor: str, mentee: str, prompt_index: int = 0):
    return prompt_blocks(
        LIBRARY.prompts[prompt_index],
        week=3,
        length_weeks=12,
        pair_week_id=pair_week_id,
        mentor=mentor,
        mentee=mentee,
    )


def test_each_pair_gets_its_own_names_and_button_value():
    text, blocks = blocks_for(41, "UMENTOR1", "UMENTEE1")
    check_message(text, blocks)  # what Slack would accept, by slack_sdk's validators
    fields = [field["text"] for field in blocks[2]["fields"]]
    assert "<@UMENTOR1>" in fields[0]
    assert "<@UMENTEE1>" in fields[1]
    buttons = blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == [
        Action.PROMPT_MET,
        Action.PROMPT_ASYNC,
        Action.PROMPT_SKIP,
        Action.PROMPT_SNOOZE,
        Action.PROMPT_DIFFERENT,
    ]
    assert {b["value"] for b in buttons} == {"41"}
    assert "\\u0000" not in json.dumps(blocks)  # no marker left behind


def test_two_pairs_differ_only_in_names_and_value():
    first = json.dumps(blocks_for(1, "UAAAAAAAA", "UBBBBBBBB")[1])
    second = json.dumps(blocks_for(2, "UCCCCCCCC", "UDDDDDDDD")[1])
    swapped = (
        second.replace("UCCCCCCCC", "UAAAAAAAA")
        .replace("UDDDDDDDD", "UBBBBBBBB")
        .replace('"value": "2"', '"value": "1"')
    )
    assert swapped == first


def test_a_pairs_blocks_share_nothing_with_the_next_pairs():
    _, first = blocks_for(1, "U1", "U2")
    first[0]["text"]["text"] = "changed"
    first[-1]["elements"][0]["value"] = "changed"
    _, second = blocks_for(2, "U3", "U4")
    assert second[0]["text"]["text"] != "changed"
    assert second[-1]["elements"][0]["value"] == "2"


def test_every_prompt_in_the_library_makes_valid_blocks():
    for index in range(len(LIBRARY.prompts)):
        text, blocks = blocks_for(10**9, "U0123456789AB", "W0123456789AB", index)
        check_message(text, blocks)
