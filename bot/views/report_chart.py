"""The report chart a lead can paste into a deck: weekly engagement and the funnel, as a PNG.

Built with matplotlib's object API on the Agg canvas. ``matplotlib.pyplot`` is never
imported: it keeps figures in global state and picks a GUI backend, neither of which is
safe in a process drawing on several threads.

The server never imports this module: matplotlib would stay in its memory for good. It
runs it as a child process (``bot.services.reports.chart_process``):

    python -m bot.views.report_chart < chart.json > chart.png

reads :mod:`bot.views.chart_data`'s JSON on stdin and writes the PNG to stdout.
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Sequence
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.shapes.report import FunnelStage, Report, Stage, WeekActivity
from bot.views.chart_data import ChartData, ConfidenceBar, RateBar, chart_data, decode
from bot.views.report_files import STAGE_NAMES

WIDTH_IN, HEIGHT_IN, DPI = 16, 9, 100  # 1600 × 900 px: a 16:9 slide
MAX_WEEK_LABELS = 12

# Okabe-Ito colours: told apart with the common kinds of colour blindness.
LIVE, ASYNC, SKIPPED, DELIVERED = "#0072B2", "#56B4E9", "#BBBBBB", "#D55E00"
MENTORS, MENTEES = "#009E73", "#CC79A7"
NOTE_COLOUR = "#666666"

BEFORE, AFTER = "#BBBBBB", "#0072B2"
RATE = "#009E73"

NO_ACTIVITY = "No activity yet"
NOT_ENOUGH = "Not enough answers yet (fewer than 3 people)"
NOBODY_JOINED = "Nobody has joined yet"


def report_chart(report: Report) -> bytes:
    """A 1600 × 900 PNG: weekly sessions and prompts on the left, the funnel on the right;
    once people have answered, the outcomes below (confidence start → end, yes-rates)."""
    return draw_chart(chart_data(report))


def draw_chart(chart: ChartData) -> bytes:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    if chart.has_outcomes:
        (weekly, funnel), (confidence, rates) = fig.subplots(2, 2, width_ratios=(3, 2))
        _confidence_panel(confidence, chart.confidence)
        _rates_panel(rates, chart.rates)
    else:
        weekly, funnel = fig.subplots(1, 2, width_ratios=(3, 2))
    # parse_math=False: a program name with "$" in it is a name, not TeX.
    fig.suptitle(
        f"{chart.program_name}: reverse mentoring, {chart.day.day} {chart.day:%B %Y}",
        fontsize=18,
        fontweight="bold",
        parse_math=False,
    )
    _weekly_panel(weekly, chart.weekly)
    _funnel_panel(funnel, chart.funnel)
    buf = io.BytesIO()
    # No "Software" text chunk: smaller, and the same report gives the same bytes.
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _weekly_panel(ax: Axes, weeks: Sequence[WeekActivity]) -> None:
    ax.set_title("Weekly engagement", loc="left", fontsize=14)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not weeks:
        ax.set_xticks([])
        ax.set_yticks([])
        _note(ax, NO_ACTIVITY)
        return
    x = list(range(len(weeks)))
    live = [w.live for w in weeks]
    async_ = [w.async_ for w in weeks]
    skipped = [w.skipped for w in weeks]
    delivered = [w.delivered for w in weeks]
    ax.bar(x, live, color=LIVE, label="Met live")
    ax.bar(x, async_, bottom=live, color=ASYNC, label="Async")
    ax.bar(
        x,
        skipped,
        bottom=[a + b for a, b in zip(live, async_, strict=True)],
        color=SKIPPED,
        label="Skipped",
    )
    # Markers only while there is room for them; a long program gets a plain line.
    marker = "o" if len(weeks) <= 26 else None
    ax.plot(x, delivered, color=DELIVERED, marker=marker, linewidth=2, label="Prompts delivered")
    step = math.ceil(len(weeks) / MAX_WEEK_LABELS)
    ticks = x[::step]
    ax.set_xticks(ticks, _week_labels([weeks[i].week_start for i in ticks]))
    ax.set_xlim(-0.6, len(weeks) - 0.4)
    ax.set_xlabel("Week starting")
    ax.set_ylabel("Pairs")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    stacked = [a + b + c for a, b, c in zip(live, async_, skipped, strict=True)]
    top = max(delivered + stacked)
    if top == 0:
        ax.set_ylim(0, 1)
        _note(ax, NO_ACTIVITY)
        return
    ax.set_ylim(0, top * 1.15)
    ax.legend(loc="upper left", frameon=False, ncols=4)


def _week_labels(days: Sequence[date]) -> list[str]:
    # The year only where it changes from the label before, so labels stay short but a
    # program that runs over New Year still reads right.
    labels = []
    for i, day in enumerate(days):
        new_year = i == 0 or days[i - 1].year != day.year
        labels.append(f"{day.day} {day:%b}" + (f"\n{day.year}" if new_year else ""))
    return labels


def _funnel_panel(ax: Axes, funnel: Sequence[FunnelStage]) -> None:
    ax.set_title("Funnel by role", loc="left", fontsize=14)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # Every stage, in order, even when the report has none yet: an empty funnel is news.
    by_stage = {s.stage: s for s in funnel}
    stages = [by_stage.get(stage, FunnelStage(stage, 0, 0)) for stage in Stage]
    y = range(len(stages))
    height = 0.38
    mentors = ax.barh(
        [i - height / 2 for i in y],
        [s.mentors for s in stages],
        height,
        color=MENTORS,
        label="Mentors",
    )
    mentees = ax.barh(
        [i + height / 2 for i in y],
        [s.mentees for s in stages],
        height,
        color=MENTEES,
        label="Mentees",
    )
    ax.set_yticks(list(y), [STAGE_NAMES[s.stage] for s in stages], fontsize=12)
    ax.invert_yaxis()  # the funnel reads top to bottom
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("People")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    top = max(max(s.mentors, s.mentees) for s in stages)
    if top == 0:
        ax.set_xlim(0, 1)
        _note(ax, NOBODY_JOINED)
        return
    ax.set_xlim(0, top * 1.15)
    ax.bar_label(mentors, padding=3)
    ax.bar_label(mentees, padding=3)
    ax.legend(loc="lower right", frameon=False)


def _bare(ax: Axes, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=14)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _not_enough(ax: Axes) -> None:
    """An outcomes panel with nothing over the privacy floor: a note, no axes."""
    ax.set_xticks([])
    ax.set_yticks([])
    _note(ax, NOT_ENOUGH)


def _confidence_panel(ax: Axes, bars: Sequence[ConfidenceBar]) -> None:
    _bare(ax, "Confidence (1-5): start → end")
    if not bars:
        _not_enough(ax)
        return
    y = range(len(bars))
    height = 0.38
    ax.barh(
        [i - height / 2 for i in y], [b.before for b in bars], height, color=BEFORE, label="Start"
    )
    after = ax.barh(
        [i + height / 2 for i in y], [b.after for b in bars], height, color=AFTER, label="End"
    )
    # parse_math=False: labels carry skill names, and "$" is not TeX there.
    ax.set_yticks(list(y), [b.label for b in bars], fontsize=10, parse_math=False)
    ax.invert_yaxis()
    ax.set_xlim(0, 5.6)
    ax.set_xticks(range(6))
    ax.bar_label(after, fmt="%.1f", padding=3)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", frameon=False)


def _rates_panel(ax: Axes, bars: Sequence[RateBar]) -> None:
    _bare(ax, "Saying yes")
    if not bars:
        _not_enough(ax)
        return
    y = list(range(len(bars)))
    drawn = ax.barh(y, [b.rate * 100 for b in bars], 0.6, color=RATE)
    ax.set_yticks(y, [b.label for b in bars], fontsize=10, parse_math=False)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xlabel("% of those who answered")
    ax.bar_label(drawn, fmt="%.0f%%", padding=3)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)


def _note(ax: Axes, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=16,
        color=NOTE_COLOUR,
    )


def main() -> None:
    """The child's side: the chart's JSON on stdin, the PNG on stdout. A failure is a
    traceback on stderr and a non-zero exit, which the server reports in one line."""
    png = draw_chart(decode(sys.stdin.buffer.read()))
    sys.stdout.buffer.write(png)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
