"""A program report as files: a CSV for spreadsheets, Markdown for the terminal or a doc,
and JSON for other tools. Pure functions of a :class:`Report`; none reads the database.

Privacy was decided when the report was built (see :mod:`bot.shapes.report`): a hidden aggregate
has no value to leak, and these renderers only say that it is hidden. The CSV goes further
and carries no ratings or comments at all, because a row there is one person.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from bot.copy import UNMATCHED_FOR_LEAD
from bot.shapes.report import (
    MIN_GROUP,
    Aggregate,
    AtRiskPair,
    CommitmentCounts,
    Moment,
    PersonRow,
    Report,
    RiskReason,
    RoleOutcomes,
    Stage,
)
from bot.words import counted

# --- CSV ------------------------------------------------------------------------------

CSV_COLUMNS = (
    "program",
    "user_id",
    "role",
    "status",
    "department",
    "title",
    "email",
    "joined_at",
    "waiting_reason",
    "pair_id",
    "partner_user",
    "pair_status",
    "pair_started",
    "pair_ended",
    "prompts_delivered",
    "sessions_live",
    "sessions_async",
    "weeks_skipped",
    "last_session_at",
    "at_risk",
    "checkins_asked",
    "checkins_answered",
    "commitments_shared",
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# department and title come from people and HR files, so they may. OWASP's advice: a
# leading apostrophe makes the cell text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def report_csv(report: Report) -> bytes:
    """One row per person and pair (``report.rows``), UTF-8 with a BOM so Excel reads the
    encoding right. No ratings or comments: those are only ever shown as aggregates."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow([_csv_cell(value) for value in _csv_values(report, row)])
    return out.getvalue().encode("utf-8-sig")


def _csv_values(report: Report, row: PersonRow) -> tuple[object, ...]:
    return (
        report.program_name,
        row.user_id,
        row.role,
        row.status,
        row.department,
        row.title,
        row.email,
        row.joined_at,
        row.waiting_reason,
        row.pair_id,
        row.partner_user,
        row.pair_status,
        row.pair_started,
        row.pair_ended,
        row.prompts_delivered,
        row.sessions_live,
        row.sessions_async,
        row.weeks_skipped,
        row.last_session_at,
        row.at_risk,
        row.checkins_asked,
        row.checkins_answered,
        row.commitments_shared,
    )


# --- the outcomes CSV: one row per measure ------------------------------------------------

OUTCOMES_COLUMNS = (
    "program",
    "measure",
    "role",
    "checkpoint",
    "area",
    "area_name",
    "people",
    "value",
    "before",
    "after",
    "change",
    "note",
)
HIDDEN_NOTE = f"hidden: fewer than {MIN_GROUP} people"
NO_ANSWERS_NOTE = "no answers yet"


def outcomes_csv(report: Report) -> bytes:
    """What changed after the program, one row per measure (a count, a rate or a change in
    confidence, for a role, a checkpoint and an area), for a spreadsheet or a sponsor's
    deck. Only cohort numbers and counts: no free text, nothing about one person. A hidden
    measure keeps its row and its number of people, with its values empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OUTCOMES_COLUMNS)
    for measure in outcome_measures(report):
        values = {"program": report.program_name, **measure}
        writer.writerow([_csv_cell(values.get(column)) for column in OUTCOMES_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def outcome_measures(report: Report) -> list[dict[str, object]]:
    """The outcomes CSV's rows as dicts (absent keys are empty cells)."""
    rows: list[dict[str, object]] = []
    for role in report.outcomes.roles:
        rows += _participation_rows(role)
        rows += _confidence_rows(role)
        rows += _signal_rows(role)
    rows += _commitment_rows(report.outcomes.commitments)
    return rows


def _participation_rows(role: RoleOutcomes) -> list[dict[str, object]]:
    return [
        {"measure": measure, "role": role.role, "checkpoint": p.moment, "value": n}
        for p in role.participation
        for measure, n in (("asked", p.asked), ("answered", p.answered), ("skipped", p.skipped))
    ]


def _confidence_rows(role: RoleOutcomes) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for change in (role.overall, *role.confidence):
        if change.people == 0:
            continue
        row: dict[str, object] = {
            "measure": "confidence",
            "role": role.role,
            "area": change.area or "all",
            "area_name": change.name,
            "people": change.people,
        }
        if change.hidden or change.before is None or change.after is None:
            row["note"] = HIDDEN_NOTE if change.hidden else NO_ANSWERS_NOTE
        else:
            row.update(before=change.before, after=change.after, change=change.change)
        rows.append(row)
    return rows


def _signal_rows(role: RoleOutcomes) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for rates in role.signals:
        signals = [("would_again_yes", rates.would_again), ("recommend_yes", rates.recommend)]
        if rates.sponsored is not None:
            signals.append(("sponsored_yes", rates.sponsored))
        for measure, value in signals:
            row: dict[str, object] = {
                "measure": measure,
                "role": role.role,
                "checkpoint": rates.checkpoint,
                "people": value.people,
            }
            if value.hidden or value.value is None:
                row["note"] = HIDDEN_NOTE if value.hidden else NO_ANSWERS_NOTE
            else:
                row["value"] = round(value.value, 3)
            rows.append(row)
    return rows


def _commitment_rows(counts: CommitmentCounts) -> list[dict[str, object]]:
    if not counts.seniors:
        return []
    rows: list[dict[str, object]] = []
    for measure, n in (
        ("commitments_made", counts.made),
        ("commitments_kept", counts.kept),
        ("commitments_in_progress", counts.in_progress),
        ("commitments_dropped", counts.dropped),
        ("commitments_not_followed_up", counts.no_answer),
        ("commitments_shared", counts.shared),
    ):
        row: dict[str, object] = {"measure": measure, "role": "mentee", "people": counts.seniors}
        if counts.hidden or n is None:
            row["note"] = HIDDEN_NOTE
        else:
            row["value"] = n
        rows.append(row)
    return rows


def _csv_cell(value: object) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# --- Markdown -------------------------------------------------------------------------

STAGE_NAMES = {
    Stage.JOINED: "Joined",
    Stage.MATCHED: "Matched",
    Stage.FIRST_SESSION: "First session",
    Stage.THREE_SESSIONS: "3+ sessions",
    Stage.COMPLETED: "Completed",
}

HIDDEN_TEXT = f"hidden (fewer than {MIN_GROUP} people)"
NO_ANSWERS_TEXT = "no answers yet"

# Characters that would change Markdown structure (tables, links, HTML, emphasis) when
# they come from people: skill names, program names, shared comments.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def report_markdown(report: Report) -> str:
    """The whole report, with the same sections as the Slack report. Slack user ids are
    printed as they are: outside Slack a mention would not resolve."""
    sections = [
        _md_title(report),
        _md_funnel(report),
        _md_pairs(report),
        _md_at_risk(report),
        _md_engagement(report),
        _md_skills(report),
        _md_waitlist(report),
        _md_recognition(report),
        _md_weekly(report),
        _md_comments(report),
        *_md_outcomes(report),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _md_title(report: Report) -> list[str]:
    if report.start_date is None:
        when = f"no start date yet, {report.length_weeks} weeks"
    else:
        verb = "started" if report.start_date <= _utc(report.generated_at).date() else "starts"
        when = f"{verb} {report.start_date.isoformat()}, {report.length_weeks} weeks"
    return [
        f"# Reverse mentoring report: {_md(report.program_name)}",
        "",
        f"Workspace {report.team_id}, program {report.program_id} ({when}). "
        f"Generated {_when(report.generated_at)}.",
    ]


def _md_funnel(report: Report) -> list[str]:
    lines = ["## Funnel", ""]
    if not report.funnel:
        return [*lines, "Nobody has joined yet."]
    lines += ["| Stage | Mentors | Mentees | Total |", "|---|---:|---:|---:|"]
    lines += [
        f"| {STAGE_NAMES.get(s.stage, s.stage)} | {s.mentors} | {s.mentees} | {s.total} |"
        for s in report.funnel
    ]
    return lines


def _md_pairs(report: Report) -> list[str]:
    p = report.pairs
    return [
        "## Pairs",
        "",
        f"- Active: {p.active} ({p.at_risk} at risk)",
        f"- Ended: {p.ended} ({p.completed} completed, {p.ended_early} ended early)",
    ]


def _md_at_risk(report: Report) -> list[str]:
    lines = ["## At-risk pairs", ""]
    if not report.at_risk:
        return [*lines, "None: every active pair is on track."]
    for pair in report.at_risk:
        line = (
            f"- Pair {pair.pair_id}: {pair.mentor_user} (mentor) and {pair.mentee_user} "
            f"(mentee): {'; '.join(risk_reason_text(r, pair) for r in pair.reasons)}."
        )
        if pair.since is not None:
            line += f" At risk since {_day(pair.since)}."
        if pair.nudged_at is not None:
            line += f" Last nudged {_day(pair.nudged_at)}."
        lines.append(line)
    return lines


def risk_reason_text(reason: RiskReason, pair: AtRiskPair) -> str:
    """Why a pair looks at risk, in words. A low rating says neither who nor what."""
    if reason is RiskReason.NO_ACTIVITY:
        if pair.idle_weeks is None:
            return "no session yet"
        return f"no session for {counted(pair.idle_weeks, 'week')}"
    if reason is RiskReason.SENIOR_SKIPPING:
        return "the mentee skipped or snoozed two prompts in a row"
    if reason is RiskReason.LOW_RATING:
        return "a recent check-in was rated low"
    if reason is RiskReason.UNDELIVERABLE:
        detail = f" ({_md(pair.detail)})" if pair.detail else ""
        return f"Slack refused a message for good{detail}"
    return str(reason)


def _md_engagement(report: Report) -> list[str]:
    e = report.engagement
    prompts = f"- Prompts delivered: {e.prompts_delivered}; answered: {e.prompts_engaged}"
    if e.prompts_delivered:
        prompts += f" ({e.prompts_engaged / e.prompts_delivered:.0%})"
    return [
        "## Engagement",
        "",
        prompts,
        f"- Sessions: {e.sessions} ({e.sessions_live} live, {e.sessions_async} async); "
        f"weeks skipped: {e.weeks_skipped}",
        f"- Check-ins answered: {e.checkins_answered} of {e.checkins_asked}",
        f"- Check-in response rate: {aggregate_text(e.response_rate, percent=True)}",
        f"- Rating given by mentors: {aggregate_text(e.rating_mentors)}",
        f"- Rating given by mentees: {aggregate_text(e.rating_mentees)}",
    ]


def aggregate_text(value: Aggregate, percent: bool = False) -> str:
    """An aggregate in words: never a number when it is hidden or empty."""
    if value.hidden:
        return HIDDEN_TEXT
    if value.value is None:
        return NO_ANSWERS_TEXT
    number = f"{value.value:.0%}" if percent else f"{value.value:.1f} out of 5"
    return f"{number} ({counted(value.people, 'person', 'people')})"


def _md_skills(report: Report) -> list[str]:
    lines = ["## Skills: demand and supply", ""]
    if not report.skills:
        return [*lines, "No skills in the catalogue yet."]
    lines += [
        "| Skill | Mentees want it | Mentors offer it | Places | Short |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in report.skills:
        name = _md(s.name) + (" (focus)" if s.focus else "")
        lines.append(f"| {name} | {s.wanted} | {s.offered} | {s.capacity} | {s.short} |")
    short = [s for s in report.skills if s.short]
    lines.append("")
    if short:
        lines.append(
            "Short of mentors: "
            + ", ".join(f"{_md(s.name)} ({counted(s.short, 'mentee')})" for s in short)
            + "."
        )
    else:
        lines.append("Every skill mentees want has enough mentor places.")
    return lines


def _md_waitlist(report: Report) -> list[str]:
    lines = ["## Waiting list", ""]
    if not report.waitlist:
        return [*lines, "Nobody is waiting."]
    lines += [
        f"- {w.user_id} ({w.role}): {UNMATCHED_FOR_LEAD.get(w.reason, w.reason)}; "
        f"waiting since {_day(w.since)}"
        for w in report.waitlist
    ]
    return lines


def _md_recognition(report: Report) -> list[str]:
    r = report.recognition
    return [
        "## Recognition",
        "",
        f"- Thank-yous sent to mentors: {r.thanked}",
        f"- Shout-outs in the program's channel: {r.shoutouts}",
    ]


def _md_weekly(report: Report) -> list[str]:
    lines = ["## Weekly activity", ""]
    if not report.weekly:
        return [*lines, "No activity yet."]
    lines += [
        "| Week of | Prompts delivered | Live | Async | Skipped |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {w.week_start.isoformat()} | {w.delivered} | {w.live} | {w.async_} | {w.skipped} |"
        for w in report.weekly
    ]
    return lines


def _md_comments(report: Report) -> list[str]:
    lines = ["## Shared comments", ""]
    comments = [c for c in report.shared_comments if c.learned or c.blockers]
    if not comments:
        return [*lines, "Nobody has shared a check-in comment yet."]
    for i, comment in enumerate(comments):
        if i:
            lines.append("")
        for label, text in (("Learned", comment.learned), ("Blockers", comment.blockers)):
            if text:
                body = "\n".join(f"> {_md(line)}" for line in text.splitlines() or [""])
                lines.append(f"> **{label}:**\n{body}\n>")
        lines.append(f"> by {comment.author_user} ({comment.role}), {_day(comment.answered_at)}")
    return lines


OUTCOME_MOMENT_NAMES = {
    Moment.BEFORE: "Confidence at the start",
    Moment.AFTER: "Confidence at the end",
    Moment.END: "At the end",
    Moment.DAY_30: "30 days on",
    Moment.DAY_60: "60 days on",
}
OUTCOME_ROLE_NAMES = {"mentor": "Mentors (juniors)", "mentee": "Mentees (seniors)"}


def _md_outcomes(report: Report) -> list[list[str]]:
    outcomes = report.outcomes
    if not outcomes.asked:
        return [["## Outcomes", "", "Nobody has been asked about outcomes yet."]]
    sections = [
        [
            "## Outcomes",
            "",
            f"Totals only, over at least {MIN_GROUP} people; a commitment's text only where "
            "its author shared it.",
        ]
    ]
    sections += [_md_role_outcomes(r) for r in outcomes.roles if r.participation]
    counts = outcomes.commitments
    if counts.seniors:
        lines = ["### Seniors' commitments", ""]
        if counts.hidden or counts.made is None:
            lines.append(f"- {HIDDEN_TEXT}")
        else:
            lines += [
                f"- Made: {counts.made} (by {counted(counts.seniors, 'senior')})",
                f"- Kept: {counts.kept}",
                f"- In progress: {counts.in_progress}",
                f"- Dropped: {counts.dropped}",
                f"- Not followed up yet: {counts.no_answer}",
                f"- Shared with the lead: {counts.shared}",
            ]
        sections.append(lines)
    if outcomes.shared_commitments:
        lines = ["### Commitments shared with the lead", ""]
        lines += [
            f"- {c.senior_user}: {_md(c.text)} ({_day(c.created_at)})"
            for c in outcomes.shared_commitments
        ]
        sections.append(lines)
    return sections


def _md_role_outcomes(role: RoleOutcomes) -> list[str]:
    lines = [f"### {OUTCOME_ROLE_NAMES.get(role.role, role.role)}", ""]
    lines += [
        f"- {OUTCOME_MOMENT_NAMES[p.moment]}: {p.answered} of {p.asked} answered"
        + (f", {p.skipped} skipped" if p.skipped else "")
        for p in role.participation
    ]
    changes = [c for c in (role.overall, *role.confidence) if c.people]
    if changes:
        lines += [
            "",
            "| Confidence (1-5) | People | Start | End | Change |",
            "|---|---:|---:|---:|---:|",
        ]
        for c in changes:
            if c.hidden or c.before is None or c.after is None:
                lines.append(f"| {_md(c.name)} | {c.people} | {HIDDEN_TEXT} | | |")
            else:
                lines.append(
                    f"| {_md(c.name)} | {c.people} | {c.before:.1f} | {c.after:.1f} | "
                    f"{c.change or 0:+.1f} |"
                )
    for rates in role.signals:
        when = OUTCOME_MOMENT_NAMES[rates.checkpoint]
        lines.append("")
        lines.append(f"- {when}, would take part again: {aggregate_text(rates.would_again, True)}")
        lines.append(f"- {when}, would recommend it: {aggregate_text(rates.recommend, True)}")
        if rates.sponsored is not None:
            lines.append(
                f"- {when}, say their senior opened a door: {aggregate_text(rates.sponsored, True)}"
            )
    return lines


def _md(text: str) -> str:
    # Control characters go too: an escape sequence in a comment would drive the terminal
    # the lead prints this report in.
    plain = "".join(ch for ch in " ".join(text.split()) if unicodedata.category(ch) != "Cc")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain)


def _utc(instant: datetime) -> datetime:
    # Stored instants are aware UTC; a naive one (a hand-built report) is taken as UTC.
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _when(instant: datetime) -> str:
    return _utc(instant).strftime("%Y-%m-%d %H:%M UTC")


def _day(instant: datetime) -> str:
    return _utc(instant).date().isoformat()


# --- JSON -----------------------------------------------------------------------------


def report_json(report: Report) -> str:
    """The report as ``dataclasses.asdict`` would give it, made JSON-safe (ISO dates,
    enum values, lists), with ``min_group`` and a ``hidden`` flag on every aggregate, so a
    consumer can tell "hidden" from "no answers" without knowing the rule."""
    data = _plain(report)
    data["min_group"] = MIN_GROUP
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        # Aggregates, confidence changes, commitment counts: hidden or not, said outright.
        if isinstance(getattr(type(value), "hidden", None), property):
            data["hidden"] = value.hidden
        return data
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, date):
        return (_utc(value) if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
