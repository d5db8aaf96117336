"""What the report chart draws, and its JSON: the only thing the chart's process is sent.

The chart is drawn in a child process (see ``bot.services.reports.chart_process``), so
its input crosses a pipe. It carries just what the chart shows (the title's name and day,
the weeks, the funnel, the outcomes' visible numbers) and nothing else of the report: no
names of people, no comments, no commitments, and no number the report hides.
This module imports no matplotlib; the server imports it, the child decodes with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from bot import copy
from bot.shapes.report import Aggregate, FunnelStage, Outcomes, Report, Stage, WeekActivity

MAX_BARS = 10  # per outcomes panel: a slide, not a spreadsheet


@dataclass(frozen=True)
class ConfidenceBar:
    label: str  # role and area
    before: float
    after: float


@dataclass(frozen=True)
class RateBar:
    label: str  # role, question and checkpoint
    rate: float  # 0-1


@dataclass(frozen=True)
class ChartData:
    program_name: str
    day: date  # the report's day, in UTC: the title's date
    weekly: tuple[WeekActivity, ...]
    funnel: tuple[FunnelStage, ...]
    confidence: tuple[ConfidenceBar, ...] = ()  # only numbers the report shows
    rates: tuple[RateBar, ...] = ()

    @property
    def has_outcomes(self) -> bool:
        return bool(self.confidence or self.rates)


def chart_data(report: Report) -> ChartData:
    instant = report.generated_at
    day = (instant if instant.tzinfo is None else instant.astimezone(UTC)).date()
    confidence, rates = _outcome_bars(report.outcomes)
    return ChartData(report.program_name, day, report.weekly, report.funnel, confidence, rates)


def _outcome_bars(outcomes: Outcomes) -> tuple[tuple[ConfidenceBar, ...], tuple[RateBar, ...]]:
    """The visible confidence means (all areas, then each area) and yes-rates, per role.
    Hidden is checked first: a hidden shape's values never reach the chart."""
    confidence: list[ConfidenceBar] = []
    rates: list[RateBar] = []
    for role in outcomes.roles:
        who = copy.CHART_ROLES.get(role.role, role.role)
        for change in (role.overall, *role.confidence):
            if change.hidden or change.before is None or change.after is None:
                continue
            confidence.append(ConfidenceBar(f"{who}: {change.name}", change.before, change.after))
        for signals in role.signals:
            when = copy.CHART_WHEN[signals.checkpoint]
            asked: list[tuple[str, Aggregate | None]] = [
                (copy.CHART_WOULD_AGAIN, signals.would_again),
                (copy.CHART_RECOMMEND, signals.recommend),
                (copy.CHART_SPONSORED, signals.sponsored),
            ]
            for question, value in asked:
                if value is None or value.hidden or value.value is None:
                    continue
                rates.append(RateBar(f"{who} · {question} · {when}", value.value))
    return tuple(confidence[:MAX_BARS]), tuple(rates[:MAX_BARS])


def encode(chart: ChartData) -> bytes:
    return json.dumps(
        {
            "program_name": chart.program_name,
            "day": chart.day.isoformat(),
            "weekly": [
                {
                    "week_start": w.week_start.isoformat(),
                    "delivered": w.delivered,
                    "live": w.live,
                    "async": w.async_,
                    "skipped": w.skipped,
                }
                for w in chart.weekly
            ],
            "funnel": [
                {"stage": s.stage.value, "mentors": s.mentors, "mentees": s.mentees}
                for s in chart.funnel
            ],
            "confidence": [
                {"label": c.label, "before": c.before, "after": c.after} for c in chart.confidence
            ],
            "rates": [{"label": r.label, "rate": r.rate} for r in chart.rates],
        }
    ).encode()


def decode(payload: bytes) -> ChartData:
    data: dict[str, Any] = json.loads(payload)
    return ChartData(
        program_name=data["program_name"],
        day=date.fromisoformat(data["day"]),
        weekly=tuple(
            WeekActivity(
                week_start=date.fromisoformat(w["week_start"]),
                delivered=w["delivered"],
                live=w["live"],
                async_=w["async"],
                skipped=w["skipped"],
            )
            for w in data["weekly"]
        ),
        funnel=tuple(
            FunnelStage(Stage(s["stage"]), s["mentors"], s["mentees"]) for s in data["funnel"]
        ),
        confidence=tuple(
            ConfidenceBar(c["label"], c["before"], c["after"]) for c in data.get("confidence", [])
        ),
        rates=tuple(RateBar(r["label"], r["rate"]) for r in data.get("rates", [])),
    )
