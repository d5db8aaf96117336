"""How good and how fast the matcher is, against what simpler bots do.

    .venv/bin/python -m bench.matching [--sizes 100,1000,10000] [--seed 1]

For each size, two synthetic cohorts: "balanced" (one mentor per mentee) and "skewed"
(three mentors per mentee). On each, in the same process: the exact matcher, random
pairing (random allowed pairs, what coffee-chat bots do) and greedy best-first (take the
best remaining allowed pair while both people are free). Then an optimality check of the
matcher against networkx's blossom algorithm on small cohorts.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx
import numpy as np

from bot.services.matching.matcher import (
    MatchConfig,
    MatchResult,
    Participant,
    PastPair,
    ProposedPair,
    match,
    pair_score,
    recent_pairs,
    score_matrix,
)
from models.enums import PersonStatus, Role

TODAY = date(2025, 6, 2)
FOCUS = frozenset({"ai-tools", "data-analytics"})
# Most popular first: skills are drawn with a Zipf-like skew.
SKILLS = (
    "ai-tools",
    "social-media",
    "data-analytics",
    "ways-of-working",
    "design-thinking",
    "culture-inclusion",
    "prompt-engineering",
    "video-content",
    "accessibility",
    "remote-collaboration",
    "sustainability",
    "gaming-culture",
)
DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Legal",
    "Operations",
    "Product",
    "Design",
    "Customer Success",
    "Data",
    "Security",
)
# Hours from UTC, with how common each office is.
TIME_ZONES = ((-8.0, 0.15), (-5.0, 0.25), (0.0, 0.25), (1.0, 0.15), (5.5, 0.1), (8.0, 0.1))
MENTOR_SENIORITY = (0.5, 0.35, 0.1, 0.04, 0.01)  # P(1..5): mostly early career
MENTEE_SENIORITY = (0.02, 0.08, 0.35, 0.35, 0.2)  # mostly senior leaders
MENTOR_CAPACITY = (0.03, 0.72, 0.2, 0.05)  # P(0..3)


@dataclass(frozen=True)
class Cohort:
    name: str
    participants: tuple[Participant, ...]
    history: tuple[PastPair, ...]


def synthetic_cohort(
    size: int, mentors_per_mentee: float, seed: int, name: str = "cohort"
) -> Cohort:
    """A cohort shaped like a real programme: skewed skills, offices, a management tree."""
    rng = np.random.default_rng(seed)
    n_mentors = round(size * mentors_per_mentee / (1 + mentors_per_mentee))
    roles = [Role.MENTOR] * n_mentors + [Role.MENTEE] * (size - n_mentors)
    popularity = 1.0 / np.arange(1, len(SKILLS) + 1) ** 0.8
    popularity /= popularity.sum()
    departments = DEPARTMENTS[: int(rng.integers(8, 13))]
    offsets, zone_p = zip(*TIME_ZONES, strict=True)

    seniority = np.array(
        [
            rng.choice(5, p=MENTOR_SENIORITY if r == Role.MENTOR else MENTEE_SENIORITY) + 1
            for r in roles
        ]
    )
    # Management tree: everyone reports to someone more senior (or to an executive who is
    # not in the programme), so some mentees manage some mentors.
    user_ids = [f"U{seed:03d}{i:06d}" for i in range(size)]
    by_level = {level: np.flatnonzero(seniority > level) for level in range(1, 6)}
    manager: list[str | None] = []
    for i in range(size):
        above = by_level[int(seniority[i])]
        if above.size and rng.random() < 0.9:
            manager.append(user_ids[int(rng.choice(above))])
        else:
            manager.append(None)
    index = {u: i for i, u in enumerate(user_ids)}
    chains: list[frozenset[str]] = []
    for i in range(size):
        chain: list[str] = []
        boss = manager[i]
        while boss is not None and boss not in chain:
            chain.append(boss)
            boss = manager[index[boss]]
        chains.append(frozenset(chain))

    people = []
    for i, role in enumerate(roles):
        wanted = int(rng.integers(1, 5)) if role == Role.MENTOR else int(rng.integers(1, 4))
        skills = frozenset(
            SKILLS[k] for k in rng.choice(len(SKILLS), size=wanted, replace=False, p=popularity)
        )
        hours = None
        if rng.random() > 0.05:
            offset = offsets[int(rng.choice(len(offsets), p=zone_p))]
            start = round((9 - offset) * 60) % 1440
            hours = (start, start + 8 * 60)
        status = rng.choice(3, p=(0.9, 0.07, 0.03))
        people.append(
            Participant(
                id=i + 1,
                user_id=user_ids[i],
                role=role,
                status=(PersonStatus.ACTIVE, PersonStatus.PAUSED, PersonStatus.LEFT)[status],
                teaches=skills if role == Role.MENTOR else frozenset(),
                learns=skills if role == Role.MENTEE else frozenset(),
                seniority=None if rng.random() < 0.05 else int(seniority[i]),
                department=None if rng.random() < 0.05 else str(rng.choice(departments)),
                hours_utc=hours,
                prefers_async=bool(rng.random() < 0.1),
                managers=chains[i],
                capacity=int(rng.choice(4, p=MENTOR_CAPACITY)) if role == Role.MENTOR else 1,
                waited=bool(rng.random() < 0.05),
            )
        )
    mentor_ids = np.arange(1, n_mentors + 1)
    mentee_ids = np.arange(n_mentors + 1, size + 1)
    history = []
    if mentor_ids.size and mentee_ids.size:
        for _ in range(size // 5):
            ended = None if rng.random() < 0.2 else TODAY - timedelta(days=int(rng.integers(730)))
            history.append(
                PastPair(int(rng.choice(mentor_ids)), int(rng.choice(mentee_ids)), ended)
            )
    return Cohort(name, tuple(people), tuple(history))


def bench_config(seed: int) -> MatchConfig:
    return MatchConfig(focus_skills=FOCUS, seed=seed, today=TODAY)


# --- baselines ------------------------------------------------------------------------


def random_pairing(
    participants: Sequence[Participant], history: Sequence[PastPair], config: MatchConfig
) -> MatchResult:
    """Random allowed pairs until nobody more can be paired: what coffee-chat bots do."""
    rng = np.random.default_rng(config.seed)
    return _greedy(participants, history, config, lambda scores: rng.random(scores.shape))


def greedy_pairing(
    participants: Sequence[Participant], history: Sequence[PastPair], config: MatchConfig
) -> MatchResult:
    """Best remaining allowed pair first, taken while both people still have room."""
    return _greedy(participants, history, config, lambda s: s)


def _greedy(
    participants: Sequence[Participant],
    history: Sequence[PastPair],
    config: MatchConfig,
    keys_of: Callable[[np.ndarray], np.ndarray],
) -> MatchResult:
    """Greedy b-matching by descending key, computed in rounds of 'locally dominant' cells.

    A cell that is its mentee's best and among the top ``room`` cells of its mentor is taken
    by the sorted-list greedy whatever happens elsewhere, so each round takes all such cells
    at once: the same pairs as walking millions of sorted cells, with numpy doing the work.
    """
    people = sorted(participants, key=lambda p: p.id)
    active = [p for p in people if p.status == PersonStatus.ACTIVE]
    mentors = [p for p in active if p.role == Role.MENTOR]
    mentees = [p for p in active if p.role == Role.MENTEE]
    scores = score_matrix(mentors, mentees, history, config)
    room = np.array([p.capacity for p in mentors], dtype=np.int64)
    scores[room == 0] = 0.0
    # Mentee-major, so that each mentee's best mentor is a contiguous argmax.
    keys = np.ascontiguousarray(np.asarray(keys_of(scores), dtype=np.float64).T)
    keys[scores.T <= 0] = -np.inf
    del scores
    mentee_ids = np.arange(len(mentees))  # which mentee each row of keys is
    mentor_ids = np.arange(len(mentors))  # which mentor each column of keys is
    chosen: list[tuple[int, int]] = []
    while keys.size:
        best_col = keys.argmax(axis=1)
        best = keys[np.arange(keys.shape[0]), best_col]
        proposing = np.flatnonzero(best > -np.inf)
        if proposing.size == 0:
            break
        cols, values = best_col[proposing], best[proposing]
        # Accept a proposal when it is within the mentor's top ``room`` remaining cells.
        take = values >= _room_cutoffs(keys, cols, room[mentor_ids])
        proposing, cols, values = proposing[take], cols[take], values[take]
        # Ties at the cutoff could exceed the room: keep the best per mentor.
        order = np.lexsort((proposing, -values, cols))
        proposing, cols = proposing[order], cols[order]
        within = np.arange(cols.size) - np.searchsorted(cols, cols) < room[mentor_ids[cols]]
        proposing, cols = proposing[within], cols[within]
        chosen.extend(zip(mentor_ids[cols].tolist(), mentee_ids[proposing].tolist(), strict=True))
        np.subtract.at(room, mentor_ids[cols], 1)
        # Rows left with no allowed cell (taken or no options) are done for good.
        live_rows = best > -np.inf
        live_rows[proposing] = False
        live_cols = room[mentor_ids] > 0
        if live_rows.sum() * live_cols.sum() < 0.75 * keys.size:
            keys = keys[np.ix_(live_rows, live_cols)]
            mentee_ids, mentor_ids = mentee_ids[live_rows], mentor_ids[live_cols]
        else:
            keys[~live_rows] = -np.inf
            keys[:, ~live_cols] = -np.inf
    pairs = [
        ProposedPair(mentors[i].id, mentees[j].id, *pair_score(mentors[i], mentees[j], config))
        for i, j in chosen
    ]
    pairs.sort(key=lambda p: (-p.score, p.mentor_id, p.mentee_id))
    # Baselines do not explain who is left out.
    return MatchResult(tuple(pairs), (), math.fsum(p.score for p in pairs), config.seed)


def _room_cutoffs(keys: np.ndarray, cols: np.ndarray, room: np.ndarray) -> np.ndarray:
    """For each entry of ``cols``, the ``room[col]``-th largest key in that column."""
    unique_cols, inverse = np.unique(cols, return_inverse=True)
    height = keys.shape[0]
    deepest = int(min(room[unique_cols].max(), height))
    cutoffs = np.empty(unique_cols.size)
    step = max(1, (1 << 21) // height)
    for lo in range(0, unique_cols.size, step):
        part = unique_cols[lo : lo + step]
        top = np.partition(keys[:, part], height - deepest, axis=0)[height - deepest :]
        top = np.sort(top, axis=0)[::-1]
        cutoffs[lo : lo + step] = top[np.minimum(room[part], height) - 1, np.arange(part.size)]
    return cutoffs[inverse]


# --- measuring --------------------------------------------------------------------------


def shared_skills(result: MatchResult, participants: Sequence[Participant]) -> float:
    by_id = {p.id: p for p in participants}
    if not result.pairs:
        return 0.0
    return sum(
        len(by_id[p.mentor_id].teaches & by_id[p.mentee_id].learns) for p in result.pairs
    ) / len(result.pairs)


def check_rules(result: MatchResult, cohort: Cohort, config: MatchConfig) -> None:
    """Fail loudly if any method broke a hard rule: a fast wrong answer is no answer."""
    by_id = {p.id: p for p in cohort.participants}
    recent = recent_pairs(cohort.history, config)
    load: dict[int, int] = {}
    seen: set[int] = set()
    for pair in result.pairs:
        mentor, mentee = by_id[pair.mentor_id], by_id[pair.mentee_id]
        load[mentor.id] = load.get(mentor.id, 0) + 1
        ok = (
            mentee.id not in seen
            and load[mentor.id] <= mentor.capacity
            and mentor.role == Role.MENTOR
            and mentee.role == Role.MENTEE
            and mentor.status == mentee.status == PersonStatus.ACTIVE
            and mentor.user_id not in mentee.managers
            and mentee.user_id not in mentor.managers
            and (min(mentor.id, mentee.id), max(mentor.id, mentee.id)) not in recent
            and (not config.require_skill_fit or mentor.teaches & mentee.learns)
        )
        if not ok:
            raise SystemExit(f"{cohort.name}: hard rule broken by {pair}")
        seen.add(mentee.id)


def measure(
    method: Callable[[], MatchResult],
) -> tuple[MatchResult, float, float, float]:
    """(result, seconds, traced peak MB, process max RSS MB so far)."""
    started = time.perf_counter()
    result = method()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    method()  # again under tracemalloc, which slows Python code down: memory only
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return result, seconds, peak, rss


def blossom_total(cohort: Cohort, config: MatchConfig) -> float:
    """Optimum by networkx's blossom algorithm, mentors repeated once per place."""
    active = [p for p in cohort.participants if p.status == PersonStatus.ACTIVE]
    mentors = [p for p in active if p.role == Role.MENTOR]
    mentees = [p for p in active if p.role == Role.MENTEE]
    scores = score_matrix(mentors, mentees, cohort.history, config)
    graph = nx.Graph()
    for i, mentor in enumerate(mentors):
        for k in range(mentor.capacity):
            for j, mentee in enumerate(mentees):
                if scores[i, j] > 0:
                    graph.add_edge(("slot", mentor.id, k), ("mentee", mentee.id), w=scores[i, j])
    matching = nx.max_weight_matching(graph, weight="w")
    return math.fsum(graph.edges[a, b]["w"] for a, b in matching)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    config = bench_config(args.seed)
    print(f"seed {args.seed}; focus skills {', '.join(sorted(FOCUS))}; today {TODAY}")
    print("time: one untraced run; traced MB: peak of a second run under tracemalloc;")
    print("maxRSS MB: the process high-water mark so far (it never goes down)")
    header = (
        f"{'cohort':<16} {'method':<8} {'time s':>7} {'traced MB':>9} {'maxRSS MB':>9} "
        f"{'pairs':>6} {'total score':>12} {'skills/pair':>11} {'vs optimal':>10}"
    )
    print(header)
    print("-" * len(header))
    budget: list[str] = []
    for size in sizes:
        for shape, ratio in (("balanced", 1.0), ("skewed", 3.0)):
            cohort = synthetic_cohort(size, ratio, args.seed, f"{shape} {size}")
            methods: dict[str, Callable[[], MatchResult]] = {
                "optimal": lambda c=cohort: match(c.participants, c.history, config),
                "random": lambda c=cohort: random_pairing(c.participants, c.history, config),
                "greedy": lambda c=cohort: greedy_pairing(c.participants, c.history, config),
            }
            optimum = None
            for method_name, method in methods.items():
                result, seconds, peak, rss = measure(method)
                if method_name == "optimal":
                    budget.append(f"{cohort.name}: {seconds:.2f} s, {rss:.0f} MB max RSS")
                check_rules(result, cohort, config)
                optimum = result.total_score if optimum is None else optimum
                ratio_text = f"{result.total_score / optimum:.3f}" if optimum else "-"
                print(
                    f"{cohort.name:<16} {method_name:<8} {seconds:>7.3f} {peak:>9.1f} "
                    f"{rss:>9.0f} {len(result.pairs):>6} {result.total_score:>12.1f} "
                    f"{shared_skills(result, cohort.participants):>11.2f} {ratio_text:>10}"
                )

    print(
        "optimal matcher, largest cohorts (budget at 10,000: 10 s, 2 GB): " + "; ".join(budget[-2:])
    )

    small = 20
    optimal = 0
    for k in range(small):
        size = 12 + k % 5
        cohort = synthetic_cohort(size, 1.0 + k % 3, args.seed * 1000 + k, f"small {k}")
        found = match(cohort.participants, cohort.history, config).total_score
        optimal += abs(found - blossom_total(cohort, config)) <= 1e-6
    print(f"optimal on {optimal}/{small} small cohorts (12-16 people) vs networkx blossom")


if __name__ == "__main__":
    main()
