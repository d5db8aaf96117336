from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.slash_command import Sub, parse_command


def test_empty_text_is_help():
    assert parse_command("").sub is Sub.HELP
    assert parse_command(None).sub is Sub.HELP
    assert parse_command("   ").sub is Sub.HELP


def test_sub_commands_ignore_case_and_space():
    parsed = parse_command("  JOIN  now please ")
    assert (parsed.sub, parsed.word, parsed.args) == (Sub.JOIN, "JOIN", "now please")


def test_unknown_words_keep_what_was_typed():
    parsed = parse_command("<!channel> hi")
    assert parsed.sub is None
    assert parsed.word == "<!channel>"


@given(st.text())
def test_any_text_parses_without_error(text):
    parsed = parse_command(text)
    assert parsed.sub is None or isinstance(parsed.sub, Sub)
    if parsed.sub is not None and text.strip():
        assert parsed.word.lower() == parsed.sub.value


def test_every_sub_command_has_a_handler():
    from bot.slash_command import Sub
    from handlers.commands import ROUTES

    assert set(ROUTES) == set(Sub)
