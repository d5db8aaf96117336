"""A cohort after its program, written straight into the database, so the outcomes tests
can say exactly what each number must be.

Five juniors (mentors j1-j5) and four seniors (mentees s1-s4) in five pairs (j1 has two:
a join through pairs would count j1 twice). Afterwards j4 pauses, and j5 and s3 leave:
j5 after answering the start's confidence check only, s3 after answering 60 days on.

Confidence (1-5), start → end, of everyone who answered both:

    juniors   ai-tools  feedback  running  influencing  data-analytics
    j1        3 → 4     1 → 3     2 → 4    1 → 2        5 → 1
    j2        4 → 5     2 → 4     2 → 3    1 → 3        5 → 1
    j3        3 → 4     2 → 3     3 → 4    1 → 3
    j4        2 → 5     1 → 4     3 → 3    1 → 2
    mean      3.0→4.5   1.5→3.5   2.5→3.5  1.0→2.5      hidden (2 people)
    all areas shown (16 ratings): 2.0 → 3.5

    seniors   ai-tools: s1 2 → 4, s2 1 → 3, s3 2 → 3, s4 3 → 2: 2.0 → 3.0

j5 answered the start (all 1s) and skipped the end: not in the change.
"""

from __future__ import annotations

from datetime import timedelta

from models import PairStatus, PersonStatus
from tests.support.reports import NOW, ScenarioBuilder

BEHAVIOURS = ("feedback_to_senior", "running_a_session", "influencing_a_decision")
JUNIOR_AREAS = ("ai-tools", *BEHAVIOURS)
JUNIOR_SCORES = {
    # name: (before, after) in JUNIOR_AREAS order
    "j1": ((3, 1, 2, 1), (4, 3, 4, 2)),
    "j2": ((4, 2, 2, 1), (5, 4, 3, 3)),
    "j3": ((3, 2, 3, 1), (4, 3, 4, 3)),
    "j4": ((2, 1, 3, 1), (5, 4, 3, 2)),
}
# Two people: hidden, and left out of "all areas" (else all areas minus the areas shown
# would give it away: with it, all areas would read 2.3 → 3.2).
DATA_ANALYTICS = {"j1": (5, 1), "j2": (5, 1)}
SENIOR_SCORES = {"s1": (2, 4), "s2": (1, 3), "s3": (2, 3), "s4": (3, 2)}

SHARED_TEXTS = ("Review our social posting monthly", "Ask <@U1> & co for a demo")
# Never shared: no renderer may show these, nor any evidence.
SECRET_TEXTS = ("Stop cancelling my 1:1s with Priya", "Sponsor a junior for the board")
SECRET_EVIDENCE = "Priya says it got worse"
OTHER_SECRET = "Nominate Sam for the leadership track"


def build_outcomes(b: ScenarioBuilder) -> ScenarioBuilder:
    """The cohort above, with its surveys and commitments (see the module docstring)."""
    for i in range(1, 6):
        b.person(f"j{i}", "mentor", skills=["ai-tools"])
    for i in range(1, 5):
        b.person(f"s{i}", "mentee", skills=["ai-tools"])
    for name, mentor, mentee in (
        ("p1", "j1", "s1"),
        ("p2", "j2", "s2"),
        ("p3", "j3", "s3"),
        ("p4", "j4", "s4"),
    ):
        b.pair(name, mentor, mentee, ["met", "met", "async"])
    # j1's second pair, with s4 before s4's pair with j4 (a senior has one active pair).
    b.pair("p5", "j1", "s4", ["met", None], status=PairStatus.ENDED)

    # --- confidence, before and after
    for name, (before, after) in JUNIOR_SCORES.items():
        extra_before = {"data-analytics": DATA_ANALYTICS[name][0]} if name in DATA_ANALYTICS else {}
        extra_after = {"data-analytics": DATA_ANALYTICS[name][1]} if name in DATA_ANALYTICS else {}
        b.assessment(
            name, "before", {**dict(zip(JUNIOR_AREAS, before, strict=True)), **extra_before}
        )
        b.assessment(name, "after", {**dict(zip(JUNIOR_AREAS, after, strict=True)), **extra_after})
    b.assessment("j5", "before", dict.fromkeys(JUNIOR_AREAS, 1))
    b.assessment("j5", "after", skipped=True)
    for name, (before, after) in SENIOR_SCORES.items():
        b.assessment(name, "before", {"ai-tools": before})
        b.assessment(name, "after", {"ai-tools": after})

    # --- the juniors' signals
    b.survey(
        "j1", "end", role="mentor", pair="p1", would_again="yes", recommend="yes", sponsored="yes"
    )
    b.survey(
        "j2", "end", role="mentor", pair="p2", would_again="yes", recommend="yes", sponsored="no"
    )
    b.survey(
        "j3",
        "end",
        role="mentor",
        pair="p3",
        would_again="yes",
        recommend="unsure",
        sponsored="yes",
    )
    b.survey(
        "j4", "end", role="mentor", pair="p4", would_again="no", recommend="yes", sponsored="unsure"
    )
    b.survey("j5", "end", role="mentor", skipped=True)
    b.survey(
        "j1", "day60", role="mentor", pair="p1", would_again="yes", recommend="yes", sponsored="yes"
    )
    b.survey(
        "j2", "day60", role="mentor", pair="p2", would_again="yes", recommend="no", sponsored="yes"
    )
    # Planned for tomorrow: not asked yet, so not counted.
    b.survey(
        "j3", "day60", role="mentor", pair="p3", answered=False, asked_at=NOW + timedelta(days=1)
    )

    # --- the seniors' signals and commitments
    end = {
        "s1": b.survey("s1", "end", role="mentee", pair="p1", would_again="yes", recommend="yes"),
        "s2": b.survey("s2", "end", role="mentee", pair="p2", would_again="yes", recommend="no"),
        "s3": b.survey("s3", "end", role="mentee", pair="p3", would_again="no", recommend="yes"),
    }
    b.survey("s4", "end", role="mentee", pair="p4", skipped=True)
    s1a = b.commitment("s1", end["s1"], 1, SHARED_TEXTS[0], shared=True)
    s1b = b.commitment("s1", end["s1"], 2, SHARED_TEXTS[1], shared=True)
    s2a = b.commitment("s2", end["s2"], 1, SECRET_TEXTS[0])
    s3a = b.commitment("s3", end["s3"], 1, SECRET_TEXTS[1])
    b.commitment("s3", end["s3"], 2, OTHER_SECRET)  # never followed up
    day30 = {
        "s1": b.survey("s1", "day30", role="mentee", pair="p1"),
        "s2": b.survey("s2", "day30", role="mentee", pair="p2"),
    }
    b.survey("s3", "day30", role="mentee", pair="p3", answered=False)  # asked, no answer
    b.progress(s1a, day30["s1"], "in_progress")
    b.progress(s1b, day30["s1"], "done", evidence="Demo booked")
    b.progress(s2a, day30["s2"], "in_progress")
    day60 = {
        name: b.survey(name, "day60", role="mentee", pair=pair, would_again="yes", recommend="yes")
        for name, pair in (("s1", "p1"), ("s2", "p2"), ("s3", "p3"))
    }
    b.progress(s1a, day60["s1"], "done")
    b.progress(s2a, day60["s2"], "dropped", evidence=SECRET_EVIDENCE)
    b.progress(s3a, day60["s3"], "in_progress")

    # --- afterwards
    b.set_status("j4", PersonStatus.PAUSED)
    b.set_status("j5", PersonStatus.LEFT)
    b.set_status("s3", PersonStatus.LEFT)
    return b
