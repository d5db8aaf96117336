"""The prompt library: the shipped content, its validation, and which prompt a pair gets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.weekly.prompts import PromptLibrary, choose_prompt, load_library, stage_for_week
from bot.shapes.prompts import SKILLS, Prompt, Stage

LIBRARY = load_library()
SLACK_SECTION_TEXT = 3000


def prompt_yaml(**overrides: str | None) -> str:
    """One prompt entry as YAML; a None override leaves the field out."""
    fields: dict[str, str | None] = {
        "id": "topic-one",
        "stage": "topic",
        "skill": "ai-tools",
        "title": "A title",
        "question": "A question?",
        "prep_tip": "Prepare.",
        "try_it": "Try it.",
    }
    fields.update(overrides)
    lines = [f"    {key}: {value}" for key, value in fields.items() if value is not None]
    return "  -" + "\n".join(lines)[3:] + "\n"


def write_library(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "prompts.yaml"
    path.write_text("prompts:\n" + "".join(entries), encoding="utf-8")
    return path


def choose_all(length: int, skills: list[str], pair_id: int, weeks: int) -> list[Prompt]:
    used: list[str] = []
    chosen = []
    for week in range(1, weeks + 1):
        prompt = choose_prompt(LIBRARY, week, length, skills, used, pair_id)
        used.append(prompt.id)
        chosen.append(prompt)
    return chosen


# --- the shipped content ---------------------------------------------------------------


def test_shipped_library_meets_the_content_minimums() -> None:
    stages = Counter(p.stage for p in LIBRARY.prompts)
    skills = Counter(p.skill for p in LIBRARY.prompts if p.stage == Stage.TOPIC)

    assert stages[Stage.KICKOFF] >= 3
    assert stages[Stage.GENERAL] >= 6
    assert stages[Stage.MIDPOINT] >= 2
    assert stages[Stage.WRAPUP] >= 2
    assert set(skills) == set(SKILLS)
    assert all(skills[skill] >= 4 for skill in SKILLS)
    assert stages[Stage.TOPIC] >= 24


def test_shipped_library_has_a_flip_session_at_the_end() -> None:
    flips = [
        p
        for p in LIBRARY.for_stage(Stage.WRAPUP)
        if "flip" in p.title.lower() or "flip" in p.question.lower()
    ]
    assert flips
    assert any("senior mentors the junior" in p.question for p in flips)


def test_every_prompt_fits_one_slack_section() -> None:
    for prompt in LIBRARY.prompts:
        combined = "\n\n".join(
            [f"*{prompt.title}*", prompt.question, prompt.prep_tip, prompt.try_it]
        )
        assert len(combined) <= SLACK_SECTION_TEXT, prompt.id


def test_shipped_copy_needs_no_mrkdwn_escaping() -> None:
    # Reads the same whether or not a view escapes it, and has no stray line breaks.
    for prompt in LIBRARY.prompts:
        for text in (prompt.title, prompt.question, prompt.prep_tip, prompt.try_it):
            assert not set(text) & set("<>&"), prompt.id
            assert "\n" not in text, prompt.id
            assert text == text.strip(), prompt.id


def test_default_library_is_loaded_once() -> None:
    assert load_library() is LIBRARY


def test_by_id_finds_each_prompt_and_rejects_unknown_ids() -> None:
    for prompt in LIBRARY.prompts:
        assert LIBRARY.by_id(prompt.id) is prompt
    with pytest.raises(KeyError, match="no-such-prompt"):
        LIBRARY.by_id("no-such-prompt")


# --- validation ------------------------------------------------------------------------


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = write_library(
        tmp_path,
        prompt_yaml(),
        prompt_yaml(id="hello", stage="kickoff", skill=None, title="'Hello: there'"),
    )

    library = load_library(path)

    assert [p.id for p in library.prompts] == ["topic-one", "hello"]
    assert library.by_id("hello").title == "Hello: there"
    assert library.by_id("hello").skill is None


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        pytest.param(
            [prompt_yaml(id="same"), prompt_yaml(id="same")], r"'same'.*duplicate id", id="dup"
        ),
        pytest.param([prompt_yaml(stage="intro")], r"'topic-one'.*stage 'intro'", id="stage"),
        pytest.param([prompt_yaml(skill=None)], r"'topic-one'.*skill None", id="no-skill"),
        pytest.param([prompt_yaml(skill="juggling")], r"'topic-one'.*'juggling'", id="skill"),
        pytest.param(
            [prompt_yaml(stage="general")], r"'topic-one'.*skill is only for topic", id="extra"
        ),
        pytest.param(
            [prompt_yaml(title="x" * 81)], r"'topic-one'.*title is 81 .* limit is 80", id="long"
        ),
        pytest.param(
            [prompt_yaml(try_it="x" * 401)], r"'topic-one'.*try_it is 401", id="long-try-it"
        ),
        pytest.param([prompt_yaml(question="''")], r"'topic-one'.*question .*empty", id="empty"),
        pytest.param([prompt_yaml(prep_tip=None)], r"'topic-one'.*prep_tip is required", id="gone"),
        pytest.param([prompt_yaml(id=None)], r"prompt #1.*id is required", id="no-id"),
        pytest.param([prompt_yaml(id="Not A Slug")], r"'Not A Slug'.*slug", id="bad-id"),
        pytest.param([prompt_yaml(tip="hm")], r"'topic-one'.*unknown field tip", id="typo"),
    ],
)
def test_bad_prompts_are_rejected_by_id_and_field(
    tmp_path: Path, entries: list[str], message: str
) -> None:
    path = write_library(tmp_path, *entries)
    with pytest.raises(ValueError, match=message):
        load_library(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("prompts: [unclosed\n", "not valid YAML", id="yaml"),
        pytest.param("- id: x\n", "'prompts' list", id="list"),
        pytest.param("prompts: []\n", "empty", id="empty"),
        pytest.param("prompts:\n  - just text\n", "prompt #1: expected a mapping", id="entry"),
    ],
)
def test_bad_files_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "prompts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_library(path)


def test_prompts_built_in_code_are_validated_too() -> None:
    with pytest.raises(ValueError, match=r"'x'.*question must be non-empty"):
        Prompt("x", "general", None, "Title", "  ", "Tip", "Try")
    prompt = Prompt("x", "general", None, "Title", "Question?", "Tip", "Try")
    with pytest.raises(ValueError, match="duplicate"):
        PromptLibrary((prompt, prompt))


# --- stages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "stages"),
    [
        (1, ["kickoff"]),
        (2, ["kickoff", "wrapup"]),
        (3, ["kickoff", "topic", "wrapup"]),
        (4, ["kickoff", "topic", "midpoint", "wrapup"]),
        (5, ["kickoff", "topic", "midpoint", "topic", "wrapup"]),
        (6, ["kickoff", "topic", "topic", "midpoint", "topic", "wrapup"]),
    ],
)
def test_stage_for_week(length: int, stages: list[str]) -> None:
    assert [stage_for_week(week, length) for week in range(1, length + 1)] == stages


def test_twelve_week_program_reflects_in_week_seven() -> None:
    assert stage_for_week(7, 12) == Stage.MIDPOINT
    assert [stage_for_week(w, 12) for w in range(1, 13)].count(Stage.TOPIC) == 9


@pytest.mark.parametrize(("week", "length"), [(0, 4), (5, 4), (1, 0)])
def test_weeks_outside_the_program_are_rejected(week: int, length: int) -> None:
    with pytest.raises(ValueError, match=r"week|length"):
        stage_for_week(week, length)


# --- choosing ---------------------------------------------------------------------------

skill_subsets = st.lists(st.sampled_from(SKILLS), unique=True, max_size=len(SKILLS))


@settings(max_examples=150, deadline=None)
@given(
    length=st.integers(min_value=1, max_value=52),
    skills=skill_subsets,
    pair_id=st.integers(min_value=0, max_value=10**9),
)
def test_a_whole_program_never_repeats_a_prompt(
    length: int, skills: list[str], pair_id: int
) -> None:
    total = len(LIBRARY.prompts)
    used: list[str] = []
    for week in range(1, length + 1):
        if len(used) == total:
            # Longer than the library: the pair has had everything; the caller skips the week.
            with pytest.raises(LookupError):
                choose_prompt(LIBRARY, week, length, skills, used, pair_id)
            continue
        prompt = choose_prompt(LIBRARY, week, length, skills, used, pair_id)
        assert prompt.id not in used

        stage = stage_for_week(week, length)
        unused = [p for p in LIBRARY.prompts if p.id not in used]
        if stage != Stage.TOPIC:
            if length <= total:
                assert prompt.stage == stage
            if any(p.stage == stage for p in unused):
                assert prompt.stage == stage
        else:
            # The pair's shared skills while they last, then general, then any topic.
            shared = [p for p in unused if p.stage == Stage.TOPIC and p.skill in skills]
            general = [p for p in unused if p.stage == Stage.GENERAL]
            topic = [p for p in unused if p.stage == Stage.TOPIC]
            for fallback in (shared, general, topic):
                if fallback:
                    assert prompt in fallback
                    break
        used.append(prompt.id)
    assert len(used) == min(length, total)
    assert len(set(used)) == len(used)


@settings(max_examples=100, deadline=None)
@given(skills=skill_subsets, pair_id=st.integers(min_value=0, max_value=10**9))
def test_twelve_weeks_follow_the_program_shape(skills: list[str], pair_id: int) -> None:
    chosen = choose_all(12, skills, pair_id, 12)

    assert len({p.id for p in chosen}) == 12
    assert chosen[0].stage == Stage.KICKOFF
    assert chosen[6].stage == Stage.MIDPOINT
    assert chosen[11].stage == Stage.WRAPUP
    topic_weeks = [p for week, p in enumerate(chosen, 1) if stage_for_week(week, 12) == "topic"]
    if not skills:
        assert all(p.stage == Stage.GENERAL for p in topic_weeks[:8])
    else:
        # Nine topic weeks; at least four prompts per skill cover them with shared skills.
        assert all(p.skill in skills for p in topic_weeks[: 4 * len(skills)])


def test_topic_weeks_take_turns_through_the_shared_skills() -> None:
    skills = ["ai-tools", "data-analytics", "culture-inclusion"]
    chosen = choose_all(12, skills, pair_id=7, weeks=12)
    topic_skills = [
        p.skill for week, p in enumerate(chosen, 1) if stage_for_week(week, 12) == "topic"
    ]

    start = skills.index(topic_skills[0])
    assert topic_skills == [skills[(start + i) % 3] for i in range(9)]


def test_an_exhausted_skill_is_skipped_in_the_rotation() -> None:
    used = [p.id for p in LIBRARY.for_stage(Stage.TOPIC, "ai-tools")]
    skills = ["ai-tools", "social-media"]
    for pair_id in range(10):
        for week in range(2, 7):
            prompt = choose_prompt(LIBRARY, week, 12, skills, used, pair_id)
            assert prompt.skill == "social-media"


def test_unknown_and_repeated_skills_are_ignored() -> None:
    plain = choose_all(12, ["design-thinking"], pair_id=3, weeks=12)
    noisy = choose_all(12, ["knitting", "design-thinking", "design-thinking"], pair_id=3, weeks=12)
    assert noisy == plain
    only_unknown = choose_prompt(LIBRARY, 2, 12, ["knitting"], [], pair_id=3)
    assert only_unknown.stage == Stage.GENERAL


def test_a_pair_with_no_shared_skill_gets_general_prompts_then_any_topic() -> None:
    chosen = choose_all(40, [], pair_id=11, weeks=20)
    topic_weeks = [p for week, p in enumerate(chosen, 1) if stage_for_week(week, 40) == "topic"]
    general = len(LIBRARY.for_stage(Stage.GENERAL))

    assert all(p.stage == Stage.GENERAL for p in topic_weeks[:general])
    assert all(p.stage == Stage.TOPIC for p in topic_weeks[general:])


def test_an_exhausted_stage_falls_back_to_general() -> None:
    used = [p.id for p in LIBRARY.for_stage(Stage.WRAPUP)]
    prompt = choose_prompt(LIBRARY, 12, 12, ["ai-tools"], used, pair_id=1)
    assert prompt.stage == Stage.GENERAL


def test_everything_used_raises_lookup_error() -> None:
    used = {p.id for p in LIBRARY.prompts}
    with pytest.raises(LookupError):
        choose_prompt(LIBRARY, 2, 12, ["ai-tools"], used, pair_id=1)


def test_the_last_unused_prompt_is_found_wherever_it_is() -> None:
    last = LIBRARY.for_stage(Stage.KICKOFF)[-1]
    used = {p.id for p in LIBRARY.prompts} - {last.id}
    assert choose_prompt(LIBRARY, 5, 12, ["ai-tools"], used, pair_id=1) == last


@pytest.mark.parametrize(("week", "skills"), [(1, []), (2, ["ai-tools"]), (7, []), (12, [])])
def test_a_different_prompt_keeps_the_stage(week: int, skills: list[str]) -> None:
    for pair_id in range(5):
        first = choose_prompt(LIBRARY, week, 12, skills, [], pair_id)
        other = choose_prompt(LIBRARY, week, 12, skills, [first.id], pair_id)

        assert other != first
        assert other.stage == first.stage
        assert other.skill == first.skill


def test_kickoff_starts_with_getting_to_know_each_other() -> None:
    for pair_id in range(5):
        assert choose_prompt(LIBRARY, 1, 12, [], [], pair_id).id == "kickoff-get-to-know"


def test_same_inputs_give_the_same_prompt() -> None:
    used = ["kickoff-get-to-know", "general-energy"]
    skills = ["ways-of-working", "social-media"]
    first = [choose_prompt(LIBRARY, w, 12, skills, used, 42) for w in range(1, 13)]
    again = [choose_prompt(LIBRARY, w, 12, list(skills), tuple(used), 42) for w in range(1, 13)]
    assert first == again


@pytest.mark.parametrize("skills", [["ai-tools"], ["data-analytics", "design-thinking"], []])
def test_pairs_start_on_different_prompts(skills: list[str]) -> None:
    firsts = {choose_prompt(LIBRARY, 2, 12, skills, [], pair_id).id for pair_id in range(20)}
    assert len(firsts) >= 2
