"""What the report chart draws, and its JSON: the only thing the chart's process is sent.

The chart is drawn in a child process (see ``bot.services.reports.chart_process``), so
its input crosses a pipe. It carries just what the chart shows (the title's name and day,
the weeks, the funnel) and nothing else of the report: no names of people, no comments.
This module imports no matplotlib; the server imports it, the child decodes with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from bot.shapes.report import FunnelStage, Report, Stage, WeekActivity


@dataclass(frozen=True)
class ChartData:
    program_name: str
    day: date  # the report's day, in UTC: the title's date
    weekly: tuple[WeekActivity, ...]
    funnel: tuple[FunnelStage, ...]


def chart_data(report: Report) -> ChartData:
    instant = report.generated_at
    day = (instant if instant.tzinfo is None else instant.astimezone(UTC)).date()
    return ChartData(report.program_name, day, report.weekly, report.funnel)


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
    )
