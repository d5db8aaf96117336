"""Who should mentor whom: an exact, deterministic matcher over plain data.

Pure: no database, no Slack, no clock (``today`` is a parameter). The service layer loads
participants and history, calls ``match``, and stores the proposed pairs.

The matcher maximises the total score of the pairs under the hard rules. It builds a
mentor x mentee score matrix with numpy (0 = forbidden), repeats each mentor's row once per
free place, and solves the assignment exactly with ``scipy.optimize.linear_sum_assignment``.
Every allowed pair scores > 0, so the best full assignment with the 0 cells dropped is the
best matching.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.shapes.matching import Reason, ReasonCode, UnmatchedReason, Weights
from models.enums import PersonStatus, Role

log = logging.getLogger(__name__)

DAY_MINUTES = 24 * 60
BASE_SCORE = 1.0  # every allowed pair is worth something: more pairs beat fewer
MIN_SCORE = 0.01  # floor for allowed pairs that penalties would push to <= 0
FULL_OVERLAP_MINUTES = 3 * 60  # three shared working hours earn the whole hours bonus
SENIORITY_GAP_CAP = 3  # a gap of 3+ levels earns the whole seniority bonus
_CHUNK_CELLS = 1 << 21  # cells per temporary while building scores: ~16 MB of float64


@dataclass(frozen=True)
class Participant:
    """One person as the matcher sees them; built by the service layer from the database."""

    id: int  # person id
    user_id: str  # Slack user id, the key used in management chains
    role: Role
    status: PersonStatus = PersonStatus.ACTIVE
    teaches: frozenset[str] = frozenset()  # skill slugs (mentors)
    learns: frozenset[str] = frozenset()  # skill slugs (mentees)
    seniority: int | None = None  # models.enums.Seniority, 1..5
    department: str | None = None  # compared stripped and case-insensitively
    # Working hours as [start, end) minutes after 00:00 UTC; start < end, at most a day
    # long, may run past 1440: (1320, 1800) is 22:00-06:00 UTC. None = unknown.
    hours_utc: tuple[int, int] | None = None
    prefers_async: bool = False
    managers: frozenset[str] = frozenset()  # Slack ids of everyone above them
    capacity: int = 1  # mentors only: how many more mentees they may take (0 = full)
    waited: bool = False  # left unmatched in the last round: gets priority

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"participant {self.id}: capacity must be >= 0")
        if self.hours_utc is not None:
            start, end = self.hours_utc
            if not start < end <= start + DAY_MINUTES:
                raise ValueError(f"participant {self.id}: bad hours_utc {self.hours_utc}")


@dataclass(frozen=True)
class PastPair:
    mentor_id: int
    mentee_id: int
    ended_on: date | None  # None = still running or end unknown: always counts as recent


@dataclass(frozen=True)
class MatchConfig:
    # Weights is frozen; ruff cannot see that once it lives in another module.
    weights: Weights = Weights()  # noqa: RUF009
    focus_skills: frozenset[str] = frozenset()
    repeat_window_days: int = 365
    require_skill_fit: bool = True  # a pair must share a skill (mentor teaches, mentee learns)
    seed: int = 0
    today: date | None = None  # for the repeat window; None: every past pair counts


@dataclass(frozen=True)
class ProposedPair:
    mentor_id: int
    mentee_id: int
    score: float
    reasons: tuple[Reason, ...]  # most important first


_STATUS_REASONS = {
    PersonStatus.PAUSED: UnmatchedReason.PAUSED,
    PersonStatus.LEFT: UnmatchedReason.LEFT,
}


@dataclass(frozen=True)
class Unmatched:
    person_id: int
    role: Role
    reason: UnmatchedReason


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[ProposedPair, ...]  # best score first, then mentor id, mentee id
    unmatched: tuple[Unmatched, ...]  # by person id
    total_score: float
    seed: int


# --- scalar rules: the reference the vectorised code must agree with ----------------


def recent_pairs(history: Iterable[PastPair], config: MatchConfig) -> frozenset[tuple[int, int]]:
    """Pairs that may not meet again, as (smaller id, larger id).

    A pair blocks when it has no end date, when there is no ``today``, or when it ended at
    most ``repeat_window_days`` days before ``today``. Order-free, so two people who swapped
    roles since are still not paired again.
    """
    keys = set()
    for past in history:
        if (
            past.ended_on is None
            or config.today is None
            or (config.today - past.ended_on).days <= config.repeat_window_days
        ):
            keys.add(_pair_key(past.mentor_id, past.mentee_id))
    return frozenset(keys)


def is_allowed(
    mentor: Participant,
    mentee: Participant,
    recent: frozenset[tuple[int, int]],
    config: MatchConfig,
) -> bool:
    """The hard rules for one pair (capacity aside: that is about the whole matching)."""
    return (
        mentor.role == Role.MENTOR
        and mentee.role == Role.MENTEE
        and mentor.status == PersonStatus.ACTIVE
        and mentee.status == PersonStatus.ACTIVE
        and mentor.user_id not in mentee.managers
        and mentee.user_id not in mentor.managers
        and _pair_key(mentor.id, mentee.id) not in recent
        and (not config.require_skill_fit or bool(mentor.teaches & mentee.learns))
    )


def pair_score(
    mentor: Participant, mentee: Participant, config: MatchConfig
) -> tuple[float, tuple[Reason, ...]]:
    """Score of a pair and why, most important reason first; ignores the hard rules.

    A reason is listed only when it added to the score.
    """
    w = config.weights
    shared = tuple(sorted(mentor.teaches & mentee.learns))
    focus = tuple(s for s in shared if s in config.focus_skills)
    waited = int(mentor.waited) + int(mentee.waited)
    parts = (
        (w.focus_skill * len(focus), Reason(ReasonCode.FOCUS_SKILLS, skills=focus)),
        (w.skill * len(shared), Reason(ReasonCode.SKILLS, skills=shared)),
        _seniority_part(mentor.seniority, mentee.seniority, w),
        _department_part(mentor.department, mentee.department, w),
        _hours_part(mentor, mentee, w),
        (w.waited * waited, Reason(ReasonCode.WAITED)),
    )
    score = BASE_SCORE + math.fsum(points for points, _ in parts)
    reasons = tuple(reason for points, reason in parts if reason is not None and points > 0)
    return max(score, MIN_SCORE), reasons


def _seniority_part(
    mentor: int | None, mentee: int | None, w: Weights
) -> tuple[float, Reason | None]:
    if mentor is None or mentee is None or mentor == mentee:
        return 0.0, None
    gap = mentee - mentor
    if gap < 0:
        return -w.wrong_direction, None  # a senior teaching a junior is not reverse mentoring
    points = w.seniority_gap * min(gap, SENIORITY_GAP_CAP) / SENIORITY_GAP_CAP
    return points, Reason(ReasonCode.SENIORITY, gap=gap)


def _department_part(
    mentor: str | None, mentee: str | None, w: Weights
) -> tuple[float, Reason | None]:
    mentor_dept, mentee_dept = _department(mentor), _department(mentee)
    if mentor_dept and mentee_dept and mentor_dept != mentee_dept:
        return w.cross_department, Reason(ReasonCode.CROSS_DEPARTMENT)
    return 0.0, None


def _hours_part(
    mentor: Participant, mentee: Participant, w: Weights
) -> tuple[float, Reason | None]:
    if mentor.prefers_async and mentee.prefers_async:
        return w.hours_overlap, Reason(ReasonCode.BOTH_ASYNC)
    if mentor.hours_utc is None or mentee.hours_utc is None:
        return 0.0, None
    minutes = overlap_minutes(mentor.hours_utc, mentee.hours_utc)
    points = w.hours_overlap * min(minutes / FULL_OVERLAP_MINUTES, 1.0)
    return points, Reason(ReasonCode.HOURS_OVERLAP, hours=minutes / 60)


def overlap_minutes(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Shared minutes of two daily UTC windows, wrapping around midnight."""
    a_start, a_end = _normalise(a)
    b_start, b_end = _normalise(b)
    return sum(
        max(0, min(a_end, b_end + shift) - max(a_start, b_start + shift))
        for shift in (-DAY_MINUTES, 0, DAY_MINUTES)
    )


# --- the matcher ---------------------------------------------------------------------


def match(
    participants: Sequence[Participant],
    history: Sequence[PastPair] = (),
    config: MatchConfig = MatchConfig(),
) -> MatchResult:
    """The best-scoring set of pairs under the hard rules, and why everyone else is left out.

    The result depends only on the participants, the history and the config (input order
    does not matter); the seed decides between equally good answers.
    """
    people = sorted(participants, key=lambda p: p.id)
    _reject_duplicates(people)
    unmatched: list[Unmatched] = [
        Unmatched(p.id, p.role, _STATUS_REASONS[p.status])
        for p in people
        if p.status != PersonStatus.ACTIVE
    ]
    mentors = [p for p in people if p.status == PersonStatus.ACTIVE and p.role == Role.MENTOR]
    mentees = [p for p in people if p.status == PersonStatus.ACTIVE and p.role == Role.MENTEE]
    log.info(
        "matching %d mentors and %d mentees with seed %d", len(mentors), len(mentees), config.seed
    )

    scores, row_fit, col_fit = _score_matrix(mentors, mentees, history, config)
    row_allowed = _any_positive(scores, axis=1)
    col_allowed = _any_positive(scores, axis=0)
    capacity = np.array([p.capacity for p in mentors], dtype=np.int64)
    scores[capacity == 0] = 0.0  # full mentors take nobody, but still count for the reasons
    assignment = _Assignment.build(scores, capacity, config.seed)
    del scores  # only the solver's own copy is needed from here: keep the peak down
    chosen = assignment.solve()

    pairs = []
    for i, j in chosen:
        score, reasons = pair_score(mentors[i], mentees[j], config)
        pairs.append(ProposedPair(mentors[i].id, mentees[j].id, score, reasons))
    pairs.sort(key=lambda p: (-p.score, p.mentor_id, p.mentee_id))

    matched_rows = {i for i, _ in chosen}
    matched_cols = {j for _, j in chosen}
    for i, mentor in enumerate(mentors):
        if i not in matched_rows:
            reason = _why_unmatched(
                bool(mentees), mentor.capacity == 0, bool(row_fit[i]), bool(row_allowed[i])
            )
            unmatched.append(Unmatched(mentor.id, mentor.role, reason))
    for j, mentee in enumerate(mentees):
        if j not in matched_cols:
            reason = _why_unmatched(bool(mentors), False, bool(col_fit[j]), bool(col_allowed[j]))
            unmatched.append(Unmatched(mentee.id, mentee.role, reason))
    unmatched.sort(key=lambda u: u.person_id)

    return MatchResult(
        pairs=tuple(pairs),
        unmatched=tuple(unmatched),
        total_score=math.fsum(p.score for p in pairs),
        seed=config.seed,
    )


def score_matrix(
    mentors: Sequence[Participant],
    mentees: Sequence[Participant],
    history: Sequence[PastPair] = (),
    config: MatchConfig = MatchConfig(),
) -> np.ndarray:
    """Mentor x mentee float64 scores in the given order; 0 where a pair is not allowed.

    Cell (i, j) is ``pair_score(mentors[i], mentees[j])`` when ``is_allowed``, else 0.
    Capacity is not applied here. Used by baselines and tests.
    """
    mentor_rows = [p for p in mentors if p.role == Role.MENTOR]
    mentee_cols = [p for p in mentees if p.role == Role.MENTEE]
    if len(mentor_rows) != len(mentors) or len(mentee_cols) != len(mentees):
        raise ValueError("score_matrix takes mentors as rows and mentees as columns")
    scores = _score_matrix(mentors, mentees, history, config)[0]
    inactive_rows = [i for i, p in enumerate(mentors) if p.status != PersonStatus.ACTIVE]
    inactive_cols = [j for j, p in enumerate(mentees) if p.status != PersonStatus.ACTIVE]
    scores[inactive_rows, :] = 0.0
    scores[:, inactive_cols] = 0.0
    return scores


def _reject_duplicates(people: Sequence[Participant]) -> None:
    ids = [p.id for p in people]
    user_ids = [p.user_id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate participant ids")
    if len(set(user_ids)) != len(user_ids):
        # One person twice (as mentor and mentee) could otherwise be paired with themself.
        raise ValueError("duplicate participant user ids")


def _why_unmatched(
    other_side: bool, full: bool, has_fit: bool, has_allowed: bool
) -> UnmatchedReason:
    if not other_side:
        return UnmatchedReason.NOT_ENOUGH_PEOPLE
    if full:
        return UnmatchedReason.MENTOR_FULL
    if not has_fit:
        return UnmatchedReason.NO_SKILL_FIT
    if not has_allowed:
        return UnmatchedReason.ONLY_BLOCKED
    return UnmatchedReason.NO_CAPACITY


def _any_positive(scores: np.ndarray, axis: int) -> np.ndarray:
    if scores.size == 0:
        return np.zeros(scores.shape[1 - axis], dtype=bool)
    return scores.max(axis=axis) > 0


@dataclass(frozen=True)
class _Assignment:
    """The solver's matrix: one line per free place of a mentor, one per mentee.

    Negated (scipy minimises) and oriented with the shorter axis as rows, so that scipy
    works on it in place instead of making a copy.
    """

    costs: np.ndarray
    slots: np.ndarray  # mentor row of ``scores`` for each place
    mentees: np.ndarray  # mentee column of ``scores`` for each mentee line
    slots_are_rows: bool

    @classmethod
    def build(cls, scores: np.ndarray, capacity: np.ndarray, seed: int) -> _Assignment:
        allowed = scores > 0
        row_options = np.count_nonzero(allowed, axis=1)
        col_options = np.count_nonzero(allowed, axis=0)
        del allowed
        # Shuffle both sides so that ties break by the seed, not by person id.
        rng = np.random.default_rng(seed)
        mentors = rng.permutation(np.flatnonzero(row_options))
        mentees = rng.permutation(np.flatnonzero(col_options))
        # One line per free place, first places before second places; places beyond the
        # number of mentees can never be used. There is no penalty on later places: it made
        # the solver several times slower, so whether mentees spread over mentors is left to
        # how ties fall.
        places = np.minimum(capacity[mentors], mentees.size)
        slots = np.repeat(mentors, places)
        rank = np.arange(slots.size) - np.repeat(np.cumsum(places) - places, places)
        slots = slots[np.argsort(rank, kind="stable")]
        # scipy augments one row at a time, in order. Starting with the lines that have the
        # most options is several times faster on realistic cohorts; the stable sort keeps
        # the seeded order among equals.
        slots_are_rows = slots.size <= mentees.size
        if slots_are_rows:
            slots = slots[np.argsort(-row_options[slots], kind="stable")]
            costs = scores[np.ix_(slots, mentees)]
        else:
            mentees = mentees[np.argsort(-col_options[mentees], kind="stable")]
            costs = scores.T[np.ix_(mentees, slots)]
        np.negative(costs, out=costs)
        return cls(costs, slots, mentees, slots_are_rows)

    def solve(self) -> list[tuple[int, int]]:
        """Best (mentor row, mentee column) pairs of ``scores``."""
        if self.costs.size == 0:
            return []
        # Imported here, not with the module: scipy costs a process ~50 MB and a third of
        # a second, and the server needs it only when a lead runs a match round.
        from scipy.optimize import linear_sum_assignment  # noqa: PLC0415

        rows, cols = linear_sum_assignment(self.costs)
        # Every allowed cell costs < 0: the rest only filled up the full assignment.
        keep = self.costs[rows, cols] < 0
        rows, cols = rows[keep], cols[keep]
        if self.slots_are_rows:
            slots, mentees = self.slots[rows], self.mentees[cols]
        else:
            slots, mentees = self.slots[cols], self.mentees[rows]
        return list(zip(slots.tolist(), mentees.tolist(), strict=True))


# --- building the score matrix with numpy ---------------------------------------------


@dataclass(frozen=True)
class _Side:
    """One side's attributes as arrays, one entry per person, in the given order."""

    skills: np.ndarray  # (people, vocabulary) 0/1 float64
    seniority: np.ndarray  # float64, nan = unknown
    department: np.ndarray  # int64 code, -1 = unknown
    start: np.ndarray  # minutes in [0, 1440); unknown hours are the empty window (0, 0)
    end: np.ndarray
    prefers_async: np.ndarray  # bool
    waited: np.ndarray  # float64 0/1


def _score_matrix(
    mentors: Sequence[Participant],
    mentees: Sequence[Participant],
    history: Sequence[PastPair],
    config: MatchConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores (0 = forbidden, statuses ignored) and whether each row / column fits anyone."""
    m, n = len(mentors), len(mentees)
    scores = np.zeros((m, n))
    if m == 0 or n == 0:
        return scores, np.zeros(m, dtype=bool), np.zeros(n, dtype=bool)
    # Only skills that someone wants to learn can ever be shared.
    vocabulary = {s: k for k, s in enumerate(sorted(set().union(*(p.learns for p in mentees))))}
    departments: dict[str, int] = {}
    rows = _side(mentors, [p.teaches for p in mentors], vocabulary, departments)
    cols = _side(mentees, [p.learns for p in mentees], vocabulary, departments)

    w = config.weights
    per_skill = np.array(
        [w.skill + (w.focus_skill if s in config.focus_skills else 0.0) for s in vocabulary]
    )
    learns = np.ascontiguousarray(cols.skills.T)
    weighted_learns = learns * per_skill[:, None]
    row_fit = np.zeros(m, dtype=bool)
    col_fit = np.zeros(n, dtype=bool)
    step = max(1, _CHUNK_CELLS // n)
    for lo in range(0, m, step):
        part = slice(lo, min(lo + step, m))
        block = scores[part]
        np.matmul(rows.skills[part], weighted_learns, out=block)
        block += BASE_SCORE
        block += _seniority_term(rows.seniority[part], cols.seniority, w)
        block += w.cross_department * _cross_department(rows.department[part], cols.department)
        block += w.hours_overlap * _hours_term(rows, cols, part)
        block += w.waited * (rows.waited[part, None] + cols.waited[None, :])
        np.maximum(block, MIN_SCORE, out=block)
        if config.require_skill_fit:
            fit = (rows.skills[part] @ learns) > 0.5
            block[~fit] = 0.0
            row_fit[part] = fit.any(axis=1)
            col_fit |= fit.any(axis=0)
        else:
            row_fit[part] = True
            col_fit[:] = True
    banned_rows, banned_cols = _bans(mentors, mentees, history, config)
    scores[banned_rows, banned_cols] = 0.0
    return scores, row_fit, col_fit


def _side(
    people: Sequence[Participant],
    skills: Sequence[frozenset[str]],
    vocabulary: dict[str, int],
    departments: dict[str, int],
) -> _Side:
    matrix = np.zeros((len(people), len(vocabulary)))
    for i, slugs in enumerate(skills):
        matrix[i, [vocabulary[s] for s in slugs if s in vocabulary]] = 1.0
    department = np.full(len(people), -1, dtype=np.int64)
    start = np.zeros(len(people))
    end = np.zeros(len(people))
    for i, p in enumerate(people):
        name = _department(p.department)
        if name:
            department[i] = departments.setdefault(name, len(departments))
        if p.hours_utc is not None:
            start[i], end[i] = _normalise(p.hours_utc)
    return _Side(
        skills=matrix,
        seniority=np.array([np.nan if p.seniority is None else float(p.seniority) for p in people]),
        department=department,
        start=start,
        end=end,
        prefers_async=np.array([p.prefers_async for p in people], dtype=bool),
        waited=np.array([p.waited for p in people], dtype=np.float64),
    )


def _seniority_term(mentor: np.ndarray, mentee: np.ndarray, w: Weights) -> np.ndarray:
    gap = mentee[None, :] - mentor[:, None]  # nan when either is unknown: no term
    up = w.seniority_gap * np.minimum(gap, SENIORITY_GAP_CAP) / SENIORITY_GAP_CAP
    return np.where(gap > 0, up, 0.0) - np.where(gap < 0, w.wrong_direction, 0.0)


def _cross_department(mentor: np.ndarray, mentee: np.ndarray) -> np.ndarray:
    known = (mentor[:, None] >= 0) & (mentee[None, :] >= 0)
    return known & (mentor[:, None] != mentee[None, :])


def _hours_term(rows: _Side, cols: _Side, part: slice) -> np.ndarray:
    """Fraction of the hours bonus earned: overlap / 3 h capped at 1, or 1 if both async."""
    a_start, a_end = rows.start[part, None], rows.end[part, None]
    overlap = np.zeros((a_start.shape[0], cols.start.size))
    for shift in (-DAY_MINUTES, 0, DAY_MINUTES):
        piece = np.minimum(a_end, cols.end[None, :] + shift)
        piece -= np.maximum(a_start, cols.start[None, :] + shift)
        overlap += np.maximum(piece, 0.0, out=piece)
    fraction = np.minimum(overlap / FULL_OVERLAP_MINUTES, 1.0, out=overlap)
    both_async = rows.prefers_async[part, None] & cols.prefers_async[None, :]
    fraction[both_async] = 1.0
    return fraction


def _bans(
    mentors: Sequence[Participant],
    mentees: Sequence[Participant],
    history: Sequence[PastPair],
    config: MatchConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) cells forbidden by management chains and recent pairs."""
    mentor_by_user = {p.user_id: i for i, p in enumerate(mentors)}
    mentee_by_user = {p.user_id: j for j, p in enumerate(mentees)}
    mentor_by_id = {p.id: i for i, p in enumerate(mentors)}
    mentee_by_id = {p.id: j for j, p in enumerate(mentees)}
    cells: list[tuple[int, int]] = []
    for j, mentee in enumerate(mentees):
        cells.extend((mentor_by_user[u], j) for u in mentee.managers if u in mentor_by_user)
    for i, mentor in enumerate(mentors):
        cells.extend((i, mentee_by_user[u]) for u in mentor.managers if u in mentee_by_user)
    for a, b in recent_pairs(history, config):
        for x, y in ((a, b), (b, a)):
            if x in mentor_by_id and y in mentee_by_id:
                cells.append((mentor_by_id[x], mentee_by_id[y]))
    if not cells:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    banned = np.array(cells, dtype=np.intp)
    return banned[:, 0], banned[:, 1]


def _department(name: str | None) -> str | None:
    return (name or "").strip().casefold() or None


def _normalise(hours: tuple[int, int]) -> tuple[int, int]:
    start = hours[0] % DAY_MINUTES
    return start, start + (hours[1] - hours[0])


def _pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a <= b else (b, a)
