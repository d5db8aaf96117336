"""The matcher: hard rules, optimality against independent solvers, and the product rules."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from functools import cache

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.matching import (
    bench_config,
    greedy_pairing,
    random_pairing,
    shared_skills,
    synthetic_cohort,
)
from bot.services.matching.matcher import (
    MatchConfig,
    MatchResult,
    Participant,
    PastPair,
    is_allowed,
    match,
    overlap_minutes,
    pair_score,
    recent_pairs,
    score_matrix,
)
from bot.shapes.matching import ReasonCode, UnmatchedReason, Weights
from models.enums import PersonStatus, Role

TODAY = date(2025, 6, 2)
SKILLS = ("ai-tools", "social-media", "data-analytics", "design-thinking")
NEUTRAL = Weights(  # only skills count: hand-made cases stay easy to reason about
    seniority_gap=0, wrong_direction=0, cross_department=0, hours_overlap=0, waited=0
)


def mentor(pid: int, teaches: tuple[str, ...] = ("ai-tools",), **kw) -> Participant:
    return Participant(pid, f"U{pid}", Role.MENTOR, teaches=frozenset(teaches), **kw)


def mentee(pid: int, learns: tuple[str, ...] = ("ai-tools",), **kw) -> Participant:
    return Participant(pid, f"U{pid}", Role.MENTEE, learns=frozenset(learns), **kw)


def pairs_of(result: MatchResult) -> set[tuple[int, int]]:
    return {(p.mentor_id, p.mentee_id) for p in result.pairs}


def reasons_of(result: MatchResult) -> dict[int, UnmatchedReason]:
    return {u.person_id: u.reason for u in result.unmatched}


# --- hypothesis strategies ------------------------------------------------------------

skill_sets = st.frozensets(st.sampled_from(SKILLS), max_size=3)
hours = st.none() | st.tuples(st.integers(-1440, 2880), st.integers(1, 1440)).map(
    lambda t: (t[0], t[0] + t[1])
)
weights = st.builds(
    Weights,
    **{
        name: st.sampled_from([0.0, 0.5, 3.0, 10.0]) | st.floats(0, 20)
        for name in (
            "skill",
            "focus_skill",
            "seniority_gap",
            "wrong_direction",
            "cross_department",
            "hours_overlap",
            "waited",
        )
    },
)
configs = st.builds(
    MatchConfig,
    weights=st.just(Weights()) | weights,
    focus_skills=st.frozensets(st.sampled_from(SKILLS), max_size=2),
    repeat_window_days=st.integers(0, 400),
    require_skill_fit=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    today=st.none() | st.just(TODAY),
)


@st.composite
def cohorts(
    draw: st.DrawFn, max_mentors: int = 12, max_mentees: int = 13, all_active: bool = False
) -> tuple[list[Participant], list[PastPair]]:
    n_mentors = draw(st.integers(0, max_mentors))
    n_mentees = draw(st.integers(0, max_mentees))
    size = n_mentors + n_mentees
    ids = draw(st.lists(st.integers(1, 10_000), min_size=size, max_size=size, unique=True))
    user_ids = [f"U{i}" for i in ids]
    statuses = [PersonStatus.ACTIVE] * 4 + [PersonStatus.PAUSED, PersonStatus.LEFT]
    people = []
    for k, (pid, user_id) in enumerate(zip(ids, user_ids, strict=True)):
        role = Role.MENTOR if k < n_mentors else Role.MENTEE
        skills = draw(skill_sets)
        people.append(
            Participant(
                id=pid,
                user_id=user_id,
                role=role,
                status=PersonStatus.ACTIVE if all_active else draw(st.sampled_from(statuses)),
                teaches=skills if role == Role.MENTOR else draw(skill_sets),
                learns=skills if role == Role.MENTEE else draw(skill_sets),
                seniority=draw(st.none() | st.integers(1, 5)),
                department=draw(st.sampled_from([None, "", "Sales", " sales ", "Eng", "HR"])),
                hours_utc=draw(hours),
                prefers_async=draw(st.booleans()),
                managers=draw(st.frozensets(st.sampled_from([*user_ids, "UOUTSIDE"]), max_size=3)),
                capacity=draw(st.integers(0, 3)),
                waited=draw(st.booleans()),
            )
        )
    history = []
    if ids:
        history = draw(
            st.lists(
                st.builds(
                    PastPair,
                    st.sampled_from(ids),
                    st.sampled_from(ids),
                    st.none() | st.dates(TODAY - timedelta(days=800), TODAY + timedelta(days=5)),
                ),
                max_size=8,
            )
        )
    return people, history


def check_hard_rules(
    result: MatchResult, people: list[Participant], history: list[PastPair], config: MatchConfig
) -> None:
    by_id = {p.id: p for p in people}
    recent = recent_pairs(history, config)
    load = Counter(p.mentor_id for p in result.pairs)
    assert all(n == 1 for n in Counter(p.mentee_id for p in result.pairs).values())
    for pair in result.pairs:
        a, b = by_id[pair.mentor_id], by_id[pair.mentee_id]
        assert a.role == Role.MENTOR
        assert b.role == Role.MENTEE
        assert a.status == b.status == PersonStatus.ACTIVE
        assert a.user_id not in b.managers
        assert b.user_id not in a.managers
        assert (min(a.id, b.id), max(a.id, b.id)) not in recent
        assert not config.require_skill_fit or a.teaches & b.learns
        assert is_allowed(a, b, recent, config)
        assert load[a.id] <= a.capacity
        assert pair.score > 0


# --- properties -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohort=cohorts(), config=configs)
def test_hard_rules_hold_and_everyone_is_accounted_for(cohort, config):
    people, history = cohort
    result = match(people, history, config)
    check_hard_rules(result, people, history, config)

    by_id = {p.id: p for p in people}
    matched = {p.mentor_id for p in result.pairs} | {p.mentee_id for p in result.pairs}
    left_out = reasons_of(result)
    assert len(left_out) == len(result.unmatched)
    for p in people:
        assert (p.id in matched) != (p.id in left_out)  # exactly one of the two
        if p.status != PersonStatus.ACTIVE:
            assert left_out[p.id] == UnmatchedReason(p.status)
    assert [u.person_id for u in result.unmatched] == sorted(left_out)
    assert [(-p.score, p.mentor_id, p.mentee_id) for p in result.pairs] == sorted(
        (-p.score, p.mentor_id, p.mentee_id) for p in result.pairs
    )
    assert result.total_score == pytest.approx(sum(p.score for p in result.pairs))
    assert result.seed == config.seed

    # Each pair's score and reasons come from the scalar reference, which agrees with the
    # matrix the solver saw.
    for pair in result.pairs:
        assert (pair.score, pair.reasons) == pair_score(
            by_id[pair.mentor_id], by_id[pair.mentee_id], config
        )

    # Nobody left out could simply have been added: the matching is maximal.
    recent = recent_pairs(history, config)
    load = Counter(p.mentor_id for p in result.pairs)
    for a in people:
        for b in people:
            if load[a.id] < a.capacity and b.id not in matched:
                assert not is_allowed(a, b, recent, config)


@settings(max_examples=200, deadline=None)
@given(cohort=cohorts(), config=configs)
def test_unmatched_reasons_are_true(cohort, config):
    people, history = cohort
    result = match(people, history, config)
    recent = recent_pairs(history, config)
    active = [p for p in people if p.status == PersonStatus.ACTIVE]
    for u in result.unmatched:
        person = next(p for p in people if p.id == u.person_id)
        others = [p for p in active if p.role != person.role]
        if person.role == Role.MENTOR:
            cells = [(person, o) for o in others]
        else:
            cells = [(o, person) for o in others]
        fits = [(a, b) for a, b in cells if not config.require_skill_fit or a.teaches & b.learns]
        allowed = [(a, b) for a, b in cells if is_allowed(a, b, recent, config)]
        match u.reason:
            case UnmatchedReason.NOT_ENOUGH_PEOPLE:
                assert not others
            case UnmatchedReason.MENTOR_FULL:
                assert person.role == Role.MENTOR
                assert person.capacity == 0
            case UnmatchedReason.NO_SKILL_FIT:
                assert others
                assert not fits
            case UnmatchedReason.ONLY_BLOCKED:
                assert fits
                assert not allowed
            case UnmatchedReason.NO_CAPACITY:
                assert allowed
            case _:
                assert person.status != PersonStatus.ACTIVE


@settings(max_examples=150, deadline=None)
@given(cohort=cohorts(), config=configs, data=st.data())
def test_same_input_and_seed_give_the_same_result_whatever_the_order(cohort, config, data):
    people, history = cohort
    result = match(people, history, config)
    assert match(people, history, config) == result
    shuffled = data.draw(st.permutations(people))
    reordered_history = data.draw(st.permutations(history))
    assert match(shuffled, reordered_history, config) == result


@settings(max_examples=150, deadline=None)
@given(cohort=cohorts(), config=configs)
def test_score_matrix_agrees_with_the_scalar_rules(cohort, config):
    people, history = cohort
    mentors = [p for p in people if p.role == Role.MENTOR]
    mentees = [p for p in people if p.role == Role.MENTEE]
    scores = score_matrix(mentors, mentees, history, config)
    recent = recent_pairs(history, config)
    assert scores.shape == (len(mentors), len(mentees))
    assert scores.dtype == np.float64
    for i, a in enumerate(mentors):
        for j, b in enumerate(mentees):
            expected = pair_score(a, b, config)[0] if is_allowed(a, b, recent, config) else 0.0
            assert scores[i, j] == pytest.approx(expected, abs=1e-6)
            assert expected == 0.0 or expected > 0  # allowed pairs always score > 0


@settings(max_examples=100, deadline=None)
@given(cohort=cohorts(), config=configs)
def test_baselines_keep_the_hard_rules_and_never_beat_the_matcher(cohort, config):
    people, history = cohort
    best = match(people, history, config).total_score
    for baseline in (random_pairing, greedy_pairing):
        result = baseline(people, history, config)
        check_hard_rules(result, people, history, config)
        assert result.total_score <= best + 1e-6


# --- optimality against independent exact solvers --------------------------------------


def allowed_scores(
    people: list[Participant], history: list[PastPair], config: MatchConfig
) -> tuple[list[Participant], list[Participant], dict[tuple[int, int], float]]:
    """Scalar scores of every allowed (mentor index, mentee index) pair."""
    mentors = [p for p in people if p.role == Role.MENTOR and p.status == PersonStatus.ACTIVE]
    mentees = [p for p in people if p.role == Role.MENTEE and p.status == PersonStatus.ACTIVE]
    recent = recent_pairs(history, config)
    scores = {
        (i, j): pair_score(a, b, config)[0]
        for i, a in enumerate(mentors)
        for j, b in enumerate(mentees)
        if is_allowed(a, b, recent, config)
    }
    return mentors, mentees, scores


def blossom_optimum(people, history, config) -> float:
    mentors, _, scores = allowed_scores(people, history, config)
    graph = nx.Graph()
    for (i, j), w in scores.items():
        for k in range(mentors[i].capacity):
            graph.add_edge(("slot", i, k), ("mentee", j), weight=w)
    return math.fsum(graph.edges[e]["weight"] for e in nx.max_weight_matching(graph))


def brute_force_optimum(people, history, config) -> float:
    mentors, mentees, scores = allowed_scores(people, history, config)

    @cache
    def best(j: int, room: tuple[int, ...]) -> float:
        if j == len(mentees):
            return 0.0
        options = [best(j + 1, room)]  # mentee j stays unmatched
        for i, left in enumerate(room):
            if left and (i, j) in scores:
                fewer = (*room[:i], left - 1, *room[i + 1 :])
                options.append(scores[i, j] + best(j + 1, fewer))
        return max(options)

    return best(0, tuple(min(p.capacity, len(mentees)) for p in mentors))


@settings(max_examples=250, deadline=None)
@given(cohort=cohorts(max_mentors=7, max_mentees=7), config=configs)
def test_total_score_equals_networkx_blossom(cohort, config):
    people, history = cohort
    result = match(people, history, config)
    assert result.total_score == pytest.approx(blossom_optimum(people, history, config), abs=1e-6)


@settings(max_examples=250, deadline=None)
@given(cohort=cohorts(max_mentors=5, max_mentees=5, all_active=True), config=configs)
def test_total_score_equals_brute_force(cohort, config):
    people, history = cohort
    result = match(people, history, config)
    assert result.total_score == pytest.approx(
        brute_force_optimum(people, history, config), abs=1e-6
    )


# --- product rules, by hand ----------------------------------------------------------


def test_never_pairs_someone_with_their_manager():
    # The best-fitting pairs are boss and report, in both directions; both are refused.
    boss_mentee = mentee(10, ("ai-tools", "social-media"))
    report = mentor(1, ("ai-tools", "social-media"), managers=frozenset({"U10"}))
    boss_mentor = mentor(2, ("data-analytics", "design-thinking"))
    their_report = mentee(20, ("data-analytics", "design-thinking"), managers=frozenset({"U2"}))
    people = [boss_mentee, report, boss_mentor, their_report]
    result = match(people, config=MatchConfig(require_skill_fit=False))
    assert (1, 10) not in pairs_of(result)
    assert (2, 20) not in pairs_of(result)
    assert pairs_of(result) == {(1, 20), (2, 10)}

    # With skill fit required, the only fitting partner is the boss: blocked, and said so.
    result = match(people)
    assert result.pairs == ()
    assert set(reasons_of(result).values()) == {UnmatchedReason.ONLY_BLOCKED}


def test_never_repeats_a_recent_pair_but_allows_an_old_one():
    people = [mentor(1), mentee(2)]
    config = MatchConfig(today=TODAY, repeat_window_days=365)

    def paired(*history: PastPair, cfg: MatchConfig = config) -> bool:
        return match(people, history, cfg).pairs != ()

    assert paired()
    assert not paired(PastPair(1, 2, TODAY - timedelta(days=100)))
    assert not paired(PastPair(1, 2, TODAY - timedelta(days=365)))
    assert paired(PastPair(1, 2, TODAY - timedelta(days=366)))
    assert not paired(PastPair(1, 2, None))  # still running, or end unknown
    assert not paired(PastPair(2, 1, TODAY - timedelta(days=10)))  # roles since swapped
    # Without a today, every past pair counts, however old.
    old = PastPair(1, 2, TODAY - timedelta(days=3000))
    assert not paired(old, cfg=replace(config, today=None))
    assert reasons_of(match(people, [old], replace(config, today=None))) == {
        1: UnmatchedReason.ONLY_BLOCKED,
        2: UnmatchedReason.ONLY_BLOCKED,
    }


def test_focus_skills_weigh_more():
    people = [
        mentor(1, ("social-media",)),
        mentor(2, ("ai-tools",)),
        mentee(3, ("ai-tools", "social-media")),
    ]
    config = MatchConfig(weights=NEUTRAL, focus_skills=frozenset({"ai-tools"}))
    for seed in range(5):
        result = match(people, config=replace(config, seed=seed))
        assert pairs_of(result) == {(2, 3)}
    (pair,) = result.pairs
    assert pair.score == 1.0 + 10.0 + 5.0
    assert [r.code for r in pair.reasons] == [ReasonCode.FOCUS_SKILLS, ReasonCode.SKILLS]
    assert pair.reasons[0].skills == ("ai-tools",)
    # Without the focus, both mentors are as good: the seed decides, and both happen.
    chosen = {
        frozenset(pairs_of(match(people, config=MatchConfig(weights=NEUTRAL, seed=s))))
        for s in range(20)
    }
    assert chosen == {frozenset({(1, 3)}), frozenset({(2, 3)})}


def test_prefers_senior_mentee_with_junior_mentor():
    junior = mentor(1, seniority=1)
    executive, peer = mentee(2, seniority=5), mentee(3, seniority=1)
    for seed in range(5):
        result = match([junior, executive, peer], config=MatchConfig(seed=seed))
        assert pairs_of(result) == {(1, 2)}
    (pair,) = result.pairs
    assert next(r for r in pair.reasons if r.code == ReasonCode.SENIORITY).gap == 4
    config = MatchConfig()
    up = pair_score(junior, executive, config)[0]
    level = pair_score(junior, peer, config)[0]
    down = pair_score(mentor(4, seniority=5), peer, config)[0]
    assert up - level == 3.0  # full bonus: the gap is capped at 3
    assert level - down == 3.0  # a senior teaching a junior is not reverse mentoring
    assert down > 0


def test_mentor_capacity_two_takes_two_mentees():
    mentees = [mentee(10), mentee(11), mentee(12)]
    result = match([mentor(1, capacity=2), *mentees])
    assert pairs_of(result) <= {(1, 10), (1, 11), (1, 12)}
    assert len(result.pairs) == 2
    assert list(reasons_of(result).values()) == [UnmatchedReason.NO_CAPACITY]
    assert len(match([mentor(1, capacity=1), *mentees]).pairs) == 1


def test_waited_people_get_priority_when_places_are_short():
    people = [mentor(1), mentee(2), mentee(3, waited=True), mentee(4)]
    for seed in range(10):
        result = match(people, config=MatchConfig(seed=seed))
        assert pairs_of(result) == {(1, 3)}
        assert result.pairs[0].reasons[-1].code == ReasonCode.WAITED
    # Mentors too: the one who waited gets the only mentee.
    people = [mentor(1), mentor(2, waited=True), mentee(3)]
    for seed in range(10):
        assert pairs_of(match(people, config=MatchConfig(seed=seed))) == {(2, 3)}


def test_unmatched_reasons():
    people = [
        mentor(1, ("ai-tools",)),
        mentor(2, ("ai-tools",), capacity=0),
        mentor(3, ("gaming",)),  # nobody wants to learn it
        mentor(4, ("social-media",)),
        mentor(5, ("ai-tools",), status=PersonStatus.PAUSED),
        mentee(10, ("ai-tools",)),
        mentee(11, ("ai-tools",)),  # one ai-tools place for two mentees
        mentee(12, ("social-media",), managers=frozenset({"U4"})),  # only fit is their report
        mentee(13, ("design-thinking",), status=PersonStatus.LEFT),
    ]
    result = match(people)
    assert len(result.pairs) == 1
    (taken,) = pairs_of(result)
    assert taken in {(1, 10), (1, 11)}
    assert reasons_of(result) == {
        2: UnmatchedReason.MENTOR_FULL,
        3: UnmatchedReason.NO_SKILL_FIT,
        4: UnmatchedReason.ONLY_BLOCKED,
        5: UnmatchedReason.PAUSED,
        21 - taken[1]: UnmatchedReason.NO_CAPACITY,
        12: UnmatchedReason.ONLY_BLOCKED,
        13: UnmatchedReason.LEFT,
    }
    only_mentors = match([mentor(1), mentor(2, capacity=0), mentee(3, status=PersonStatus.LEFT)])
    assert reasons_of(only_mentors) == {
        1: UnmatchedReason.NOT_ENOUGH_PEOPLE,
        2: UnmatchedReason.NOT_ENOUGH_PEOPLE,
        3: UnmatchedReason.LEFT,
    }
    assert match([]) == MatchResult((), (), 0.0, 0)


def test_optimal_beats_greedy_on_a_known_trap():
    # Greedy takes the single best pair (1, 10) and strands the other two; the optimum
    # gives up that pair for two slightly worse ones.
    people = [
        mentor(1, ("ai-tools", "social-media")),
        mentor(2, ("social-media",)),
        mentee(10, ("ai-tools", "social-media")),
        mentee(11, ("ai-tools",)),
    ]
    config = MatchConfig(weights=NEUTRAL)
    greedy = greedy_pairing(people, (), config)
    best = match(people, config=config)
    assert pairs_of(greedy) == {(1, 10)}
    assert greedy.total_score == 21.0
    assert pairs_of(best) == {(1, 11), (2, 10)}
    assert best.total_score == 22.0


def test_night_owl_hours_wrap_midnight():
    night = (22 * 60, 30 * 60)  # 22:00-06:00 UTC
    assert overlap_minutes(night, (0, 4 * 60)) == 240
    assert overlap_minutes(night, (23 * 60, 25 * 60)) == 120
    assert overlap_minutes((60, 300), (23 * 60, 25 * 60)) == 0
    assert overlap_minutes((60, 300), (23 * 60, 26 * 60)) == 60
    assert overlap_minutes((-120, 120), night) == 240  # the same window written two ways
    # A window that wraps and touches the other one at both ends counts both pieces.
    assert overlap_minutes((0, 1380), (1320, 1500)) == 120

    owl = mentor(1, hours_utc=night)
    early = mentee(2, hours_utc=(0, 4 * 60))
    config = MatchConfig(weights=replace(NEUTRAL, hours_overlap=4.0))
    score, reasons = pair_score(owl, early, config)
    assert score == 1.0 + 10.0 + 4.0
    assert reasons[-1].code == ReasonCode.HOURS_OVERLAP
    assert reasons[-1].hours == 4.0
    assert score_matrix([owl], [early], (), config)[0, 0] == pytest.approx(score)
    half = mentee(3, hours_utc=(5 * 60 + 30, 12 * 60))  # 30 min overlap: 1/6 of the bonus
    assert pair_score(owl, half, config)[0] == pytest.approx(11.0 + 4.0 / 6)


def test_both_async_gets_hours_bonus():
    config = MatchConfig(weights=replace(NEUTRAL, hours_overlap=4.0))
    far = {"hours_utc": (0, 60)}
    apart = {"hours_utc": (720, 780)}
    a, b = mentor(1, prefers_async=True, **far), mentee(2, prefers_async=True, **apart)
    score, reasons = pair_score(a, b, config)
    assert score == 15.0
    assert reasons[-1].code == ReasonCode.BOTH_ASYNC
    assert pair_score(a, mentee(3, prefers_async=True), config)[0] == 15.0  # hours unknown
    assert pair_score(a, mentee(4, **apart), config)[0] == 11.0  # only one prefers async
    assert score_matrix([a], [b], (), config)[0, 0] == pytest.approx(15.0)


def test_duplicate_ids_rejected():
    with pytest.raises(ValueError, match="duplicate participant ids"):
        match([mentor(1), mentee(1)])
    with pytest.raises(ValueError, match="duplicate participant user ids"):
        match([mentor(1), replace(mentee(2), user_id="U1")])


def test_bad_inputs_rejected():
    with pytest.raises(ValueError, match="hours_utc"):
        mentor(1, hours_utc=(600, 600))
    with pytest.raises(ValueError, match="hours_utc"):
        mentor(1, hours_utc=(0, 1441))
    with pytest.raises(ValueError, match="capacity"):
        mentor(1, capacity=-1)
    with pytest.raises(ValueError, match="skill"):
        Weights(skill=-1.0)


def test_cross_department_compares_names_loosely():
    config = MatchConfig(weights=replace(NEUTRAL, cross_department=4.0))
    sales = mentor(1, department=" Sales ")
    assert pair_score(sales, mentee(2, department="sales"), config)[0] == 11.0
    assert pair_score(sales, mentee(3, department="Legal"), config)[0] == 15.0
    assert pair_score(sales, mentee(4, department=None), config)[0] == 11.0


def test_beats_random_clearly_on_skill_fit():
    cohort = synthetic_cohort(200, 1.0, seed=7)
    config = bench_config(seed=7)
    best = match(cohort.participants, cohort.history, config)
    rand = random_pairing(cohort.participants, cohort.history, config)
    blind = random_pairing(
        cohort.participants, cohort.history, replace(config, require_skill_fit=False)
    )
    assert len(best.pairs) >= 0.95 * len(rand.pairs)
    fit = shared_skills(best, cohort.participants)
    assert fit >= 1.5 * shared_skills(rand, cohort.participants)
    assert fit >= 2.5 * shared_skills(blind, cohort.participants)
    greedy = greedy_pairing(cohort.participants, cohort.history, config)
    assert best.total_score > greedy.total_score
