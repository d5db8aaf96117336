"""The weekly conversation prompts: the library shipped as data, and which one a pair gets.

Pure: no database, no Slack, no clock. The prompts live in ``bot/prompts.yaml`` so they read
and review like content; ``load_library`` validates them once. ``choose_prompt`` picks a
pair's prompt for a program week from plain inputs (the week, the program length, the skills
the pair shares, the prompt ids they already had) and always gives the same answer for the
same inputs, so a week can be planned, re-planned or retried without surprises.

Prompt ids are stored with each pair week (``pair_week.prompt_id``): once shipped, an id is
never renamed, reused or removed, or ``PromptLibrary.by_id`` fails for old weeks.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bot.shapes.prompts import SKILLS, TEXT_LIMITS, Prompt, Stage

_FIELDS = frozenset({"id", "stage", "skill", *TEXT_LIMITS})
_DEFAULT_RESOURCE = "prompts.yaml"  # inside the ``bot`` package


@dataclass(frozen=True)
class PromptLibrary:
    """Every prompt, in file order; built by ``load_library``."""

    prompts: tuple[Prompt, ...]
    _by_id: Mapping[str, Prompt] = field(init=False, repr=False, compare=False)
    # (stage, None) and (stage, skill) -> prompts in file order: choosing a prompt asks
    # for these a few times per pair, and a week's planning chooses for every pair.
    _by_stage: Mapping[tuple[str, str | None], tuple[Prompt, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_id: dict[str, Prompt] = {}
        by_stage: dict[tuple[str, str | None], list[Prompt]] = {}
        for prompt in self.prompts:
            if prompt.id in by_id:
                raise ValueError(f"prompt {prompt.id!r}: duplicate id")
            by_id[prompt.id] = prompt
            by_stage.setdefault((prompt.stage, None), []).append(prompt)
            if prompt.skill is not None:
                by_stage.setdefault((prompt.stage, prompt.skill), []).append(prompt)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_stage", {k: tuple(v) for k, v in by_stage.items()})

    def by_id(self, prompt_id: str) -> Prompt:
        """The prompt with this id; KeyError if the library has none."""
        try:
            return self._by_id[prompt_id]
        except KeyError:
            raise KeyError(f"no prompt with id {prompt_id!r}") from None

    def for_stage(self, stage: str, skill: str | None = None) -> tuple[Prompt, ...]:
        """The prompts of a stage (of one skill, for topic), in file order."""
        return self._by_stage.get((stage, skill), ())


def load_library(path: Path | None = None) -> PromptLibrary:
    """Read and validate a prompt library; the shipped ``bot/prompts.yaml`` by default.

    Raises ValueError naming the prompt and field at fault. The default library is read
    once per process.
    """
    if path is None:
        return _default_library()
    return _parse(path.read_text(encoding="utf-8"), source=str(path))


@functools.cache
def _default_library() -> PromptLibrary:
    text = resources.files("bot").joinpath(_DEFAULT_RESOURCE).read_text(encoding="utf-8")
    return _parse(text, source=f"bot/{_DEFAULT_RESOURCE}")


def _parse(text: str, source: str) -> PromptLibrary:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("prompts"), list):
        raise ValueError(f"{source}: expected a mapping with a 'prompts' list")
    if not data["prompts"]:
        raise ValueError(f"{source}: the 'prompts' list is empty")
    return PromptLibrary(
        tuple(_prompt(entry, number) for number, entry in enumerate(data["prompts"], 1))
    )


def _prompt(entry: Any, number: int) -> Prompt:
    if not isinstance(entry, dict):
        raise ValueError(f"prompt #{number}: expected a mapping of fields")
    prompt_id = entry.get("id")
    # Before the id is known to be good, name the entry by its position in the file too.
    name = f"prompt {prompt_id!r}" if isinstance(prompt_id, str) else f"prompt #{number}"
    unknown = sorted(str(key) for key in entry if key not in _FIELDS)
    if unknown:
        raise ValueError(f"{name}: unknown field {', '.join(unknown)}")
    for key in ("id", "stage", *TEXT_LIMITS):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name}: {key} is required and must be non-empty text")
    skill = entry.get("skill")
    if skill is not None and not isinstance(skill, str):
        raise ValueError(f"{name}: skill must be a skill slug")
    # Folded YAML scalars can leave trailing newlines; the copy itself is kept as written.
    return Prompt(
        id=entry["id"].strip(),
        stage=entry["stage"].strip(),
        skill=skill.strip() if skill is not None else None,
        **{key: entry[key].strip() for key in TEXT_LIMITS},
    )


# --- choosing ------------------------------------------------------------------------


def stage_for_week(week: int, length_weeks: int) -> str:
    """The stage of a 1-based program week: kickoff first, wrapup last, midpoint in the
    middle (from 4 weeks), topic otherwise."""
    if length_weeks < 1:
        raise ValueError(f"program length must be at least 1 week, not {length_weeks}")
    if not 1 <= week <= length_weeks:
        raise ValueError(f"week {week} is outside a {length_weeks}-week program")
    if week == 1:
        return Stage.KICKOFF
    if week == length_weeks:
        return Stage.WRAPUP
    if length_weeks >= 4 and week == length_weeks // 2 + 1:
        return Stage.MIDPOINT
    return Stage.TOPIC


# Six positional arguments: the signature the delivery service was built against.
def choose_prompt(  # noqa: PLR0917
    library: PromptLibrary,
    week: int,
    length_weeks: int,
    shared_skills: Sequence[str],
    used: Collection[str],
    pair_id: int,
) -> Prompt:
    """The prompt for a pair's program week; never one whose id is in ``used``.

    Topic weeks take turns through the pair's shared skills (in the order given, starting at
    a skill picked by ``pair_id``), skipping skills with nothing left. Kickoff, midpoint and
    wrapup take their stage's prompts in file order, so the first of each is the one most
    pairs get. When a stage has nothing left the pair gets a general prompt, then any topic
    prompt, then anything unused. Raises LookupError when the pair has had every prompt.
    """
    for group in _candidates(library, week, length_weeks, shared_skills, pair_id):
        for prompt in group:
            if prompt.id not in used:
                return prompt
    raise LookupError(f"pair {pair_id} has had every prompt in the library")


def _candidates(
    library: PromptLibrary,
    week: int,
    length_weeks: int,
    shared_skills: Sequence[str],
    pair_id: int,
) -> Iterator[Iterable[Prompt]]:
    """The groups of prompts ``choose_prompt`` tries, best first. A generator: most pairs
    take a prompt from the first group, so the fallbacks are rarely worked out."""
    stage = stage_for_week(week, length_weeks)
    skills = [s for s in dict.fromkeys(shared_skills) if s in SKILLS]
    if stage == Stage.TOPIC:
        if skills:
            index = sum(stage_for_week(w, length_weeks) == Stage.TOPIC for w in range(1, week))
            start = (index + _spin(pair_id, "skills", len(skills))) % len(skills)
            rotation = skills[start:] + skills[:start]
            yield from (_topic_order(library, skill, pair_id) for skill in rotation)
    else:
        yield library.for_stage(stage)
    yield _rotated(library.for_stage(Stage.GENERAL), pair_id, Stage.GENERAL)
    # Any topic: the pair's own skills first, then the rest of the catalogue.
    others = [s for s in SKILLS if s not in skills]
    yield from (_topic_order(library, skill, pair_id) for skill in skills + others)
    yield library.prompts


def _topic_order(library: PromptLibrary, skill: str, pair_id: int) -> tuple[Prompt, ...]:
    return _rotated(library.for_stage(Stage.TOPIC, skill), pair_id, skill)


def _rotated(prompts: tuple[Prompt, ...], pair_id: int, key: str) -> tuple[Prompt, ...]:
    """The prompts from a per-pair starting point, wrapping round: pairs that share a skill
    start on different prompts, and each pair still sees the whole list in order."""
    if not prompts:
        return prompts
    start = _spin(pair_id, key, len(prompts))
    return prompts[start:] + prompts[:start]


def _spin(pair_id: int, key: str, size: int) -> int:
    # A stable hash rather than hash() or random: the same on every process and every run,
    # and unrelated across keys so a pair's skill and prompt offsets don't move in step.
    digest = hashlib.blake2b(f"{pair_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % size
